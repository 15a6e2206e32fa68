"""`ketascreen export`: sessions as one CSV table or a FHIR QuestionnaireResponse each; files 0600."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path

from ketascreen import exportcache
from ketascreen.clock import local_day
from ketascreen.commands import Warn
from ketascreen.commands.sessions import since_filter, status_filter
from ketascreen.errors import KetascreenError, UsageError
from ketascreen.evaluate import Evaluation, evaluate_session
from ketascreen.formats import EXPORT_FORMATS
from ketascreen.model import Questionnaire
from ketascreen.session import SessionStatus
from ketascreen.store import (
    Store,
    copy_of,
    outside_store,
    private_directory,
    session_bytes,
    session_from,
    sync_directory,
    write_private,
)
from ketascreen.stored import checked_copy, stored_questionnaire


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
    found = _exported(store, references, fmt, wanted, first_day, warn, zone)
    if fmt == "csv":
        yield _csv(found, output)
    else:
        yield from _fhir(found, output, output_dir)


@dataclass(frozen=True)
class _Found:
    """One session's export: kept from an earlier export of the same file, or made now."""

    session_id: str
    created: str
    questionnaire: Callable[[], Questionnaire]  # the questionnaire it was asked on, checked
    questionnaire_sha256: str
    output: bytes  # the format's output for this session: a CSV row (csvexport.kept_row), a FHIR resource


def _csv(found: Iterator[_Found], output: Path | None) -> Exported:
    from ketascreen.csvexport import CsvTable, question_columns

    def columns(one: _Found) -> list[str]:
        return question_columns(one.questionnaire())

    table = CsvTable()
    for one in found:
        table.add_row(one.created, one.session_id, one.questionnaire_sha256, one.output, functools.partial(columns, one))
    if output is None:
        return Exported(text=table.text())
    # The byte-order mark lets spreadsheet programs recognise UTF-8.
    write_private(output, table.text().encode("utf-8-sig"))
    return Exported(path=output, count=len(table))


def _fhir(found: Iterator[_Found], output: Path | None, output_dir: Path | None) -> Iterator[Exported]:
    written = 0
    for one in found:
        written += 1
        if output_dir is not None:  # machine-read batches: compact JSON, as kept
            private_directory(output_dir)
            target = output_dir / f"{one.session_id}{EXPORT_FORMATS['fhir']}"
            write_private(target, one.output + b"\n", sync_directory=False)
            yield Exported(path=target, count=1, in_batch=True)
            continue
        text = json.dumps(json.loads(one.output), ensure_ascii=False, indent=2) + "\n"
        if output is not None:
            write_private(output, text.encode("utf-8"))
            yield Exported(path=output, count=1)
        else:
            yield Exported(text=text)
    if output_dir is not None and written:
        sync_directory(output_dir)


def _made(fmt: str, evaluation: Evaluation) -> bytes:
    """The format's output for one evaluated session, compact."""
    if fmt == "csv":
        from ketascreen.csvexport import cells, kept_row, question_columns

        return kept_row(cells(evaluation), question_columns(evaluation.questionnaire))
    from ketascreen.fhir import response_resource

    return json.dumps(response_resource(evaluation), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _exported(store: Store, references: list[str], fmt: str, status: SessionStatus | None, since: date | None,
              warn: Warn, zone: tzinfo | None) -> Iterator[_Found]:
    """The sessions named (or every readable one in the data directory), one at a time, each with
    its output. Exporting everything, a session that cannot be read or whose stored questionnaire
    does not check out is skipped with a warning instead of ending the whole export; a session
    named on the command line is an error."""
    def chosen(session_status: str, created: str) -> bool:
        return ((status is None or session_status == status)
                and (since is None or local_day(created, zone) >= since.isoformat()))

    keeping = exportcache.enabled()
    copies: dict[str, str] = {}
    for path in _paths(store, references):
        try:
            raw = session_bytes(path)
            # Kept only for files of the data directory itself whose questionnaire is in its copies.
            made_with = exportcache.key(fmt, raw) if keeping and path.parent == store.directory else None
            kept = exportcache.lookup(store.directory, fmt, path.stem, made_with) if made_with else None
            if kept is not None:
                if not chosen(kept.status, kept.created):
                    continue
                text = copies.get(kept.questionnaire)
                if text is None:  # still there, and still matching its hash: once in each export
                    text = copies[kept.questionnaire] = copy_of(path, kept.questionnaire)
                yield _Found(path.stem, kept.created,
                             functools.partial(checked_copy, text, kept.questionnaire, f"{path} (stored questionnaire)"),
                             kept.questionnaire, kept.output)
                continue
            session = session_from(path, raw)
            if not chosen(session.status, session.created):
                continue
            questionnaire = stored_questionnaire(session)
        except KetascreenError as error:
            if references:
                raise
            warn(f"skipped: {error}")
            continue
        output = _made(fmt, evaluate_session(questionnaire, session, None))
        if made_with and session.questionnaire_verified:
            exportcache.keep(store.directory, fmt, session.id, made_with,
                             exportcache.Entry(session.status, session.created, questionnaire.sha256, output))
        yield _Found(session.id, session.created, functools.partial(_same, questionnaire), questionnaire.sha256, output)


def _same(questionnaire: Questionnaire) -> Questionnaire:
    return questionnaire


def _paths(store: Store, references: list[str]) -> Iterator[Path]:
    if references:
        yield from (store.resolve(reference) for reference in references)
    else:
        yield from store.session_paths()
