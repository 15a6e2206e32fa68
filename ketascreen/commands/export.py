"""`ketascreen export`: sessions as one CSV table or a FHIR QuestionnaireResponse each; files 0600."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path

from ketascreen.clock import local_day
from ketascreen.commands import Warn
from ketascreen.commands.sessions import since_filter, status_filter
from ketascreen.errors import KetascreenError, UsageError
from ketascreen.evaluate import Evaluation, evaluate_session
from ketascreen.formats import EXPORT_FORMATS
from ketascreen.session import Session, SessionStatus
from ketascreen.store import Store, outside_store, private_directory, sync_directory, write_private
from ketascreen.stored import stored_questionnaire


@dataclass(frozen=True)
class Exported:
    """What one step of an export gave: ``text`` for standard output, or a file written (``path``,
    with ``count`` sessions in it for a CSV table; ``in_batch`` for a file of --output-dir)."""

    text: str | None = None
    path: Path | None = None
    count: int = 0
    in_batch: bool = False


def export(references: list[str], fmt: str, output: Path | None, output_dir: Path | None,
           status: str | None, since: str | None, data_dir: Path, warn: Warn,
           zone: tzinfo | None = None) -> Iterator[Exported]:
    """--since is a day where the clinic is (``zone``), as `sessions` shows the days; the exported
    times themselves stay ISO 8601 as recorded."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format takes csv or fhir, not '{fmt}'")
    wanted = status_filter(status)
    if output is not None and output_dir is not None:
        raise UsageError("use --output or --output-dir, not both")
    if output is not None and str(output) == "-":
        output = None  # "-o -": standard output
    first_day = since_filter(since, "such as 2026-11-01")
    if fmt == "csv" and output_dir is not None:
        raise UsageError("a CSV export is one table: use --output FILE")
    if fmt == "fhir" and output_dir is None and len(references) != 1:
        raise UsageError("several sessions make several FHIR resources: use --output-dir DIR")
    store = Store(data_dir)
    for target in (output, output_dir):
        if target is not None:
            outside_store(store.directory, target)
    # One session at a time: a large export never holds every session in memory.
    evaluations = _evaluated(_sessions(store, references, wanted, first_day, warn, zone), not references, warn)
    if fmt == "csv":
        yield _csv(evaluations, output)
    else:
        yield from _fhir(evaluations, output, output_dir)


def _csv(evaluations: Iterator[Evaluation], output: Path | None) -> Exported:
    from ketascreen.csvexport import CsvTable

    table = CsvTable()
    for evaluation in evaluations:
        table.add(evaluation)
    if output is None:
        return Exported(text=table.text())
    # The byte-order mark lets spreadsheet programs recognise UTF-8.
    write_private(output, table.text().encode("utf-8-sig"))
    return Exported(path=output, count=len(table))


def _fhir(evaluations: Iterator[Evaluation], output: Path | None, output_dir: Path | None) -> Iterator[Exported]:
    from ketascreen.fhir import response_resource

    written = 0
    for evaluation in evaluations:
        written += 1
        resource = response_resource(evaluation)
        if output_dir is not None:  # machine-read batches: compact JSON writes several times faster
            text = json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
            private_directory(output_dir)
            target = output_dir / f"{evaluation.session.id}{EXPORT_FORMATS['fhir']}"
            write_private(target, text.encode("utf-8"), sync_directory=False)
            yield Exported(path=target, count=1, in_batch=True)
            continue
        text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
        if output is not None:
            write_private(output, text.encode("utf-8"))
            yield Exported(path=output, count=1)
        else:
            yield Exported(text=text)
    if output_dir is not None and written:
        sync_directory(output_dir)


def _sessions(store: Store, references: list[str], status: SessionStatus | None, since: date | None,
              warn: Warn, zone: tzinfo | None) -> Iterator[Session]:
    """The sessions named (or every readable one in the data directory), loaded one at a time."""
    if references:
        found: Iterator[Session] = (store.load(store.resolve(reference)) for reference in references)
    else:
        found = _readable(store, warn)
    for session in found:
        if ((status is None or session.status == status)
                and (since is None or local_day(session.created, zone) >= since.isoformat())):
            yield session


def _evaluated(sessions: Iterator[Session], skip_bad: bool, warn: Warn) -> Iterator[Evaluation]:
    """Each session evaluated on its stored questionnaire. Exporting everything, a session whose
    stored copy does not check out is skipped with a warning instead of ending the whole export;
    a session named on the command line is an error."""
    for session in sessions:
        try:
            questionnaire = stored_questionnaire(session)
        except KetascreenError as error:
            if not skip_bad:
                raise
            warn(f"skipped: {error}")
            continue
        yield evaluate_session(questionnaire, session, None)


def _readable(store: Store, warn: Warn) -> Iterator[Session]:
    for _path, session, problem in store.sessions():
        if session is None:
            warn(f"skipped: {problem}")
        else:
            yield session
