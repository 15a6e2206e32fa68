"""`ketascreen summary`: load sessions, render each, and write, show or print the result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ketascreen.errors import ExitStatus, KetascreenError, UsageError
from ketascreen.stored import stored_questionnaire
from ketascreen.store import Store, outside_store, private_directory, sync_directory, write_private
from ketascreen.summarize import FORMATS, SUFFIXES, generated_at, summarize


def summary_command(references: list[str], fmt: str, output: Path | None, output_dir: Path | None,
                    send_to_printer: bool, data_dir: Path, clinic: str | None = None,
                    printer_name: str | None = None) -> int:
    if fmt not in FORMATS:
        raise UsageError(f"--format takes one of {', '.join(FORMATS)}, not '{fmt}'")
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
        if rows is None:
            from ketascreen.index import refreshed

            rows = refreshed(store)
        series = _series(store, session, rows)
        content = summarize(stored_questionnaire(session), session, fmt, when, clinic, series)
        if printer is not None:
            destination = ["-d", printer_name] if printer_name else []
            done = subprocess.run([printer, *destination, "-t", f"ketascreen {session.id}", "-"], input=content,
                                  capture_output=True)
            if done.returncode != 0:
                raise KetascreenError(f"lp could not print session {session.id}: {done.stderr.decode(errors='replace').strip()}")
            print(f"sent session {session.id} to the printer", file=sys.stderr)
        elif output_dir is not None:
            private_directory(output_dir)
            target = output_dir / f"{session.id}{SUFFIXES[fmt]}"
            write_private(target, content, sync_directory=False)
            print(target)
        elif output is not None:
            write_private(output, content)
        else:
            _to_stdout(content, fmt, session, clinic, when, series)
    if output_dir is not None and references:
        sync_directory(output_dir)
    return ExitStatus.OK


def _series(store: Store, session, rows):  # type: ignore[no-untyped-def]
    """The patient's visits up to this one (from the session's own data directory), for the
    "Since baseline" block; None when the patient has no other session there."""
    from ketascreen.history_command import patient_visits
    from ketascreen.series import series_of

    visits = patient_visits(store, session.patient, rows=rows)
    if not any(v.session != session.id for v in visits):
        return None
    from dataclasses import replace

    # As the series stood at this visit; how many visits there are in all is told beside it.
    return replace(series_of(session.patient, visits, up_to=session.id), visits_in_all=len(visits))


def _pdf_available() -> bool:
    """PDF needs fpdf2, a dependency; a trimmed installation without it prints text instead."""
    import importlib.util

    return importlib.util.find_spec("fpdf") is not None


def _to_stdout(content: bytes, fmt: str, session, clinic, when, series) -> None:  # type: ignore[no-untyped-def]
    if fmt == "pdf" and sys.stdout.isatty():
        raise UsageError("a PDF is not for the terminal: add --output FILE.pdf")
    if fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb":
        from ketascreen.terminal_summary import show_summary

        show_summary(session, clinic, when, series=series)
        return
    sys.stdout.buffer.write(content)
    sys.stdout.flush()
