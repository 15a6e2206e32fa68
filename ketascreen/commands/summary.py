"""`ketascreen summary`: load sessions, render each, and write or print the result."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path

from ketascreen.commands.history import dated_in, patient_visits
from ketascreen.errors import KetascreenError, UsageError
from ketascreen.formats import SUMMARY_FORMATS, names
from ketascreen.index import Row
from ketascreen.series import Series
from ketascreen.session import Session
from ketascreen.settings import PAPERS
from ketascreen.store import Store, outside_store, private_directory, sync_directory, write_private
from ketascreen.stored import stored_questionnaire
from ketascreen.summarize import generated_at, summarize


@dataclass(frozen=True)
class Summary:
    """One session's summary: written to ``path``, sent to the printer, or ``content`` for
    standard output (with what a terminal needs to show it in colour instead)."""

    session: Session
    fmt: str
    content: bytes
    when: datetime
    clinic: str | None
    series: Series | None
    zone: tzinfo | None
    path: Path | None = None
    printed: bool = False
    in_batch: bool = False  # one of several files written into --output-dir
    show_asked_text: bool = False


def summary(references: list[str], fmt: str, output: Path | None, output_dir: Path | None,
            send_to_printer: bool, data_dir: Path, clinic: str | None = None,
            printer_name: str | None = None, force: bool = False, zone: tzinfo | None = None,
            show_asked_text: bool = False, paper: str = "a4") -> Iterator[Summary]:
    """Each session's summary in turn, as it is written (a batch never holds every summary).
    ``--output`` replaces an existing file only when it is this session's summary, or with ``force``."""
    if fmt not in SUMMARY_FORMATS:
        raise UsageError(f"--format takes one of {names(SUMMARY_FORMATS)}, not '{fmt}'")
    if paper not in PAPERS:
        raise UsageError(f"--paper takes one of {', '.join(PAPERS)}, not '{paper}'")
    if output is not None and output_dir is not None:
        raise UsageError("use --output for one session or --output-dir for several, not both")
    if output is not None and len(references) > 1:
        raise UsageError("--output takes one session; use --output-dir for several")
    printer = None
    if send_to_printer:
        printer = shutil.which("lp")
        if printer is None:
            raise KetascreenError("cannot print: the 'lp' command is not installed here (CUPS). "
                                  "Write a file with --output and print it another way.")
        fmt = "pdf" if _pdf_available() else "text"
    if output is not None and str(output) == "-":
        output = None  # "-o -": standard output, as every command-line tool takes it
    store = Store(data_dir)
    for target in (output, output_dir):
        if target is not None:
            outside_store(store.directory, target)
    when = generated_at()
    rows = None  # the index, listed once for the whole batch, when a session needs it
    for reference in references:
        session = store.load(store.resolve(reference))
        if output is not None and printer is None and not force:
            _may_replace(output, session)
        if rows is None:
            from ketascreen.index import refreshed

            rows = refreshed(store)
        series = _series(store, session, rows)
        if series is not None and fmt != "json":
            series = dated_in(series, zone)  # what a person reads; JSON keeps every time as recorded
        content = summarize(stored_questionnaire(session), session, fmt, when, clinic, series, zone, show_asked_text,
                            paper)
        done = Summary(session, fmt, content, when, clinic, series, zone, show_asked_text=show_asked_text)
        if printer is not None:
            _print(printer, printer_name, session, content)
            done = replace(done, printed=True)
        elif output_dir is not None:
            private_directory(output_dir)
            target = output_dir / f"{session.id}{SUMMARY_FORMATS[fmt].suffix}"
            write_private(target, content, sync_directory=False)
            done = replace(done, path=target, in_batch=True)
        elif output is not None:
            write_private(output, content)
            done = replace(done, path=output)
        yield done
    if output_dir is not None and references:
        sync_directory(output_dir)


# A summary is a few hundred kilobytes; a file far larger than that is no summary of ours.
_LARGEST_SUMMARY = 50 * 1024 * 1024


def _may_replace(target: Path, session: Session) -> None:
    """Writing over another patient's summary by a slip of the session id would file the wrong
    chart: an existing file is replaced only when it names this session."""
    try:
        if not target.is_file():
            return  # new, or not a regular file (write_private refuses those with its own message)
        ours = target.stat().st_size <= _LARGEST_SUMMARY and summary_of(target.read_bytes()) == session.id
    except OSError:
        return  # unreadable: writing it will say why
    if not ours:
        raise UsageError(f"{target} exists and is not a summary of session {session.id}; "
                         "add --force to replace it")


# Where each format names the session it summarises: its own header row, never a mention of
# another visit (a Since baseline block names earlier sessions too).
_SESSION_ROWS = (
    re.compile(rb"^Session: +([2-9a-z]{4}-[2-9a-z]{4})$", re.M),  # text
    re.compile(rb"^- \*\*Session:\*\* ([2-9a-z]{4}-[2-9a-z]{4})$", re.M),  # markdown
    re.compile(rb"<dt>Session</dt><dd>([2-9a-z]{4}-[2-9a-z]{4})</dd>"),  # html
    re.compile(rb"/Subject \(ketascreen session ([2-9a-z]{4}-[2-9a-z]{4})\)"),  # pdf metadata
)


def summary_of(content: bytes) -> str | None:
    """The session a summary file (any format) is of, or None for any other file."""
    if content.startswith(b"%PDF-"):
        rows: tuple[re.Pattern[bytes], ...] = _SESSION_ROWS[3:]
    elif content.lstrip().startswith(b"{"):
        try:
            data = json.loads(content)
            found = data["session"]["id"] if isinstance(data, dict) and "flags" in data else None
        except (ValueError, KeyError, TypeError):
            return None
        return found if isinstance(found, str) else None
    else:
        rows = _SESSION_ROWS[:3]
    for row in rows:
        match = row.search(content)
        if match:
            return match.group(1).decode("ascii")
    return None


def _print(printer: str, printer_name: str | None, session: Session, content: bytes) -> None:
    destination = ["-d", printer_name] if printer_name else []
    done = subprocess.run([printer, *destination, "-t", f"ketascreen {session.id}", "-"], input=content,
                          capture_output=True)
    if done.returncode != 0:
        raise KetascreenError(f"lp could not print session {session.id}: "
                              f"{done.stderr.decode(errors='replace').strip()}")


def _series(store: Store, session: Session, rows: dict[str, Row]) -> Series | None:
    """The patient's visits up to this one (from the session's own data directory), for the
    "Since baseline" block; None when the patient has no other session there."""
    from ketascreen.series import series_of

    visits = patient_visits(store, session.patient, rows=rows)
    if not any(v.session != session.id for v in visits):
        return None
    # As the series stood at this visit; how many visits there are in all is told beside it.
    return replace(series_of(session.patient, visits, up_to=session.id), visits_in_all=len(visits))


def _pdf_available() -> bool:
    """PDF needs fpdf2, a dependency; a trimmed installation without it prints text instead."""
    import importlib.util

    return importlib.util.find_spec("fpdf") is not None
