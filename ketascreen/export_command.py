"""`ketascreen export` and `ketascreen export-questionnaire`: sessions as CSV or FHIR, files 0600."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Iterator

from ketascreen.errors import ExitStatus, KetascreenError, UsageError
from ketascreen.evaluate import Evaluation, evaluate_session
from ketascreen.stored import stored_questionnaire
from ketascreen.session import COMPLETED, IN_PROGRESS, Session
from ketascreen.store import Store, outside_store, private_directory, sync_directory, write_private

FORMATS = ("csv", "fhir")


def export_command(references: list[str], fmt: str, output: Path | None, output_dir: Path | None,
                   status: str | None, since: str | None, data_dir: Path) -> int:
    if fmt not in FORMATS:
        raise UsageError(f"--format takes csv or fhir, not '{fmt}'")
    if status is not None and status not in (IN_PROGRESS, COMPLETED):
        raise UsageError(f"--status takes {IN_PROGRESS} or {COMPLETED}, not '{status}'")
    if output is not None and output_dir is not None:
        raise UsageError("use --output or --output-dir, not both")
    if output is not None and str(output) == "-":
        output = None  # "-o -": standard output
    first_day = None
    if since is not None:
        try:
            first_day = date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since takes a date such as 2026-11-01, not '{since}'") from None
    if fmt == "csv" and output_dir is not None:
        raise UsageError("a CSV export is one table: use --output FILE")
    if fmt == "fhir" and output_dir is None and len(references) != 1:
        raise UsageError("several sessions make several FHIR resources: use --output-dir DIR")
    for target in (output, output_dir):
        if target is not None:
            outside_store(Store(data_dir).directory, target)
    # One session at a time: a large export never holds every session in memory.
    evaluations = _evaluated(_sessions(Store(data_dir), references, status, first_day), skip_bad=not references)
    if fmt == "csv":
        from ketascreen.csvexport import CsvTable

        table = CsvTable()
        for evaluation in evaluations:
            table.add(evaluation)
        if output is None:
            sys.stdout.write(table.text())
        else:
            # The byte-order mark lets spreadsheet programs recognise UTF-8.
            write_private(output, table.text().encode("utf-8-sig"))
            print(f"{len(table)} sessions written to {output}", file=sys.stderr)
        return ExitStatus.OK
    return _fhir(evaluations, output, output_dir)


def _fhir(evaluations: Iterator[Evaluation], output: Path | None, output_dir: Path | None) -> int:
    from ketascreen.fhir import response_resource

    written = 0
    for evaluation in evaluations:
        written += 1
        resource = response_resource(evaluation)
        if output_dir is not None:  # machine-read batches: compact JSON writes several times faster
            text = json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
        else:
            text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
        if output_dir is not None:
            private_directory(output_dir)
            target = output_dir / f"{evaluation.session.id}.fhir.json"
            write_private(target, text.encode("utf-8"), sync_directory=False)
            print(target)
        elif output is not None:
            write_private(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
    if output_dir is not None and written:
        sync_directory(output_dir)
    return ExitStatus.OK


def _sessions(store: Store, references: list[str], status: str | None, since: date | None) -> Iterator[Session]:
    """The sessions named (or every readable one in the data directory), loaded one at a time."""
    if references:
        found: Iterator[Session] = (store.load(store.resolve(reference)) for reference in references)
    else:
        found = _readable(store)
    for session in found:
        if (status is None or session.status == status) and (since is None or session.created[:10] >= since.isoformat()):
            yield session


def _evaluated(sessions: Iterator[Session], skip_bad: bool) -> Iterator[Evaluation]:
    """Each session evaluated on its stored questionnaire. Exporting everything, a session whose
    stored copy does not check out is skipped with a warning instead of ending the whole export;
    a session named on the command line is an error."""
    for session in sessions:
        try:
            questionnaire = stored_questionnaire(session)
        except KetascreenError as error:
            if not skip_bad:
                raise
            print(f"ketascreen: skipped: {error}", file=sys.stderr)
            continue
        yield evaluate_session(questionnaire, session, session.language)


def _readable(store: Store) -> Iterator[Session]:
    for _path, session, problem in store.sessions():
        if session is None:
            print(f"ketascreen: skipped: {problem}", file=sys.stderr)
        else:
            yield session


def export_questionnaire_command(name: str, fmt: str, output: Path | None) -> int:
    from ketascreen.fhir import questionnaire_resource
    from ketascreen.loading.load import load_questionnaire

    if fmt != "fhir":
        raise UsageError(f"--format takes fhir, not '{fmt}'")
    text = json.dumps(questionnaire_resource(load_questionnaire(name)), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_private(output, text.encode("utf-8"))
    return ExitStatus.OK
