"""`ketascreen export` and `ketascreen export-questionnaire`: sessions as CSV or FHIR, files 0600."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from ketascreen.errors import ExitStatus, UsageError
from ketascreen.evaluate import Evaluation, evaluate_session
from ketascreen.flows import stored_questionnaire
from ketascreen.session import COMPLETED, IN_PROGRESS, Session
from ketascreen.store import Store, sync_directory, write_private
from ketascreen.summary_command import _private_directory

FORMATS = ("csv", "fhir")


def export_command(references: list[str], fmt: str, output: Path | None, output_dir: Path | None,
                   status: str | None, since: str | None, data_dir: Path) -> int:
    if fmt not in FORMATS:
        raise UsageError(f"--format takes csv or fhir, not '{fmt}'")
    if status is not None and status not in (IN_PROGRESS, COMPLETED):
        raise UsageError(f"--status takes {IN_PROGRESS} or {COMPLETED}, not '{status}'")
    if output is not None and output_dir is not None:
        raise UsageError("use --output or --output-dir, not both")
    first_day = None
    if since is not None:
        try:
            first_day = date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since takes a date such as 2026-11-01, not '{since}'") from None
    sessions = _sessions(Store(data_dir), references, status, first_day)
    evaluations = [evaluate_session(stored_questionnaire(s), s, s.language) for s in sessions]
    if fmt == "csv":
        if output_dir is not None:
            raise UsageError("a CSV export is one table: use --output FILE")
        from ketascreen.csvexport import render_csv

        table = render_csv(evaluations)
        if output is None:
            sys.stdout.write(table)
        else:
            # The byte-order mark lets spreadsheet programs recognise UTF-8.
            write_private(output, table.encode("utf-8-sig"))
            print(f"{len(evaluations)} sessions written to {output}", file=sys.stderr)
        return ExitStatus.OK
    return _fhir(evaluations, output, output_dir)


def _fhir(evaluations: list[Evaluation], output: Path | None, output_dir: Path | None) -> int:
    from ketascreen.fhir import response_resource

    if output_dir is None and len(evaluations) != 1:
        raise UsageError("several sessions make several FHIR resources: use --output-dir DIR")
    for evaluation in evaluations:
        resource = response_resource(evaluation)
        if output_dir is not None:  # machine-read batches: compact JSON writes several times faster
            text = json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
        else:
            text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
        if output_dir is not None:
            _private_directory(output_dir)
            target = output_dir / f"{evaluation.session.id}.fhir.json"
            write_private(target, text.encode("utf-8"), sync_directory=False)
            print(target)
        elif output is not None:
            write_private(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
    if output_dir is not None and evaluations:
        sync_directory(output_dir)
    return ExitStatus.OK


def _sessions(store: Store, references: list[str], status: str | None, since: date | None) -> list[Session]:
    if references:
        chosen = [store.load(store.resolve(reference)) for reference in references]
    else:
        chosen = []
        for path, session, problem in store.sessions():
            if session is None:
                print(f"ketascreen: skipped: {problem}", file=sys.stderr)
            else:
                chosen.append(session)
        chosen.sort(key=lambda s: (s.created, s.id))
    return [s for s in chosen
            if (status is None or s.status == status) and (since is None or s.created[:10] >= since.isoformat())]


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
