"""Sessions as one CSV table for spreadsheets: a row per session, a column per question, flag and score.

Columns are stable and in questionnaire order; sessions on different questionnaire versions share
one header (the union of their columns). Cells from people or files that a spreadsheet would read as
a formula (starting with = + - @, a tab or a carriage return) are neutralised with a leading quote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence

from ketascreen.evaluate import Evaluation
from ketascreen.flagrules import FlagStatus
from ketascreen.model import Questionnaire

FIXED = ("session_id", "patient", "staff", "status", "created", "completed", "amended",
         "questionnaire_id", "questionnaire_version", "questionnaire_sha256")
FLAG_WORDS = {FlagStatus.RAISED: "raised", FlagStatus.NOT_RAISED: "not raised", FlagStatus.COVERED: "raised (covered)"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def question_columns(q: Questionnaire) -> list[str]:
    return ([question.id for question in q.questions] + [f"flag:{flag.id}" for flag in q.flags]
            + [f"score:{score.id}" for score in q.scores])


def row(evaluation: Evaluation) -> dict[str, object]:
    session, q = evaluation.session, evaluation.questionnaire
    # answers given but no longer asked (skip logic): shown, never silently dropped
    set_aside = {row.question.id: row.words for row in evaluation.set_aside}
    cells: dict[str, object] = {
        "session_id": session.id, "patient": session.patient, "staff": session.staff,
        "status": session.status, "created": session.created, "completed": session.completed or "",
        # the time of the last confirmed amendment, empty when the session was never amended
        "amended": next((a.at for a in reversed(evaluation.amendments) if a.confirmed), ""),
        "questionnaire_id": q.id, "questionnaire_version": q.version, "questionnaire_sha256": q.sha256,
    }
    for block in evaluation.sections:
        for answer_row in block.rows:
            answer = session.answers.get(answer_row.question.id)
            if answer is None:
                aside = set_aside.get(answer_row.question.id)
                cells[answer_row.question.id] = (f"set aside: {aside}" if aside is not None else
                                                 "not asked" if answer_row.state == "not_asked" else "")
            elif answer.state != "value":
                cells[answer_row.question.id] = answer.state
            elif isinstance(answer.value, tuple):
                cells[answer_row.question.id] = ";".join(answer.value) or "none"
            elif isinstance(answer.value, bool):
                cells[answer_row.question.id] = "yes" if answer.value else "no"
            else:
                cells[answer_row.question.id] = answer.value
    for flag_result in evaluation.flags:
        cells[f"flag:{flag_result.flag.id}"] = FLAG_WORDS.get(flag_result.status, "unassessed")
    for score_result, _label in evaluation.scores:
        cells[f"score:{score_result.id}"] = "incomplete" if score_result.value is None else score_result.value
    return cells


def cells(evaluation: Evaluation) -> dict[str, object]:
    """A session's row as it is written: every cell neutralised."""
    return {key: neutralise(value) for key, value in row(evaluation).items()}


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def kept_row(row_cells: dict[str, object], columns: list[str]) -> bytes:
    """A session's row as an export keeps it: the line it makes under the header of its own
    questionnaire alone, which is the whole table's header when every session exported was asked
    on that questionnaire (the usual case, written as kept), then its cells as JSON for any other
    header."""
    line = _lines([[row_cells.get(column, "") for column in header_of([columns])]]).encode("utf-8")
    return b"%d\n" % len(line) + line + json.dumps(row_cells, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _kept_line(kept: bytes) -> bytes:
    length, _, rest = kept.partition(b"\n")
    return rest[:int(length)]


def _kept_cells(kept: bytes) -> dict[str, object]:
    length, _, rest = kept.partition(b"\n")
    found: dict[str, object] = json.loads(rest[int(length):])
    return found


def header_of(layouts: list[list[str]]) -> list[str]:
    """The fixed columns, then each layout's columns not already there, in the order given."""
    header = list(FIXED)
    seen = set(header)
    for layout in layouts:
        for column in layout:
            if column not in seen:
                seen.add(column)
                header.append(column)
    return header


def _lines(rows: Iterable[Sequence[object]]) -> str:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerows(rows)
    return stream.getvalue()


class CsvTable:
    """Rows added one session at a time (so a large export holds rows, not sessions), written oldest
    first under one header: fixed columns, then questions, flags (flag:ID) and scores (score:ID), each
    in the order of the earliest-started questionnaire that has them."""

    def __init__(self) -> None:
        self._rows: list[tuple[str, str, bytes]] = []
        self._layouts: dict[str, tuple[str, list[str]]] = {}  # questionnaire hash -> (first started, columns)

    def add_row(self, created: str, session_id: str, questionnaire: str, kept: bytes,
                columns: Callable[[], list[str]]) -> None:
        """A row made earlier (``kept_row``) of a session asked on the questionnaire whose SHA-256
        is ``questionnaire``; ``columns`` gives that questionnaire's columns, asked once for each."""
        known = self._layouts.get(questionnaire)
        if known is None:
            self._layouts[questionnaire] = (created, columns())
        elif created < known[0]:
            self._layouts[questionnaire] = (created, known[1])
        self._rows.append((created, session_id, kept))

    def __len__(self) -> int:
        return len(self._rows)

    def text(self) -> str:
        layouts = [layout for _first, layout in sorted(self._layouts.values(), key=lambda entry: entry[0])]
        header = header_of(layouts)
        rows = sorted(self._rows, key=lambda entry: entry[:2])
        if len(layouts) == 1:  # each row's line was made under this very header
            return _lines([header]) + b"".join(_kept_line(kept) for _c, _i, kept in rows).decode("utf-8")
        # Every cell's column is in the header, which is the union of the rows' columns.
        return _lines([header, *([cells.get(column, "") for column in header]
                                 for cells in (_kept_cells(kept) for _c, _i, kept in rows))])
