"""Sessions as one CSV table for spreadsheets: a row per session, a column per question, flag and score.

Columns are stable and in questionnaire order; sessions on different questionnaire versions share
one header (the union of their columns). Cells from people or files that a spreadsheet would read as
a formula (starting with = + - @, a tab or a carriage return) are neutralised with a leading quote.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable

from ketascreen.evaluate import NOT_RAISED, RAISED, Evaluation

FIXED = ("session_id", "patient", "staff", "status", "created", "completed",
         "questionnaire_id", "questionnaire_version", "questionnaire_sha256")
FLAG_WORDS = {RAISED: "raised", NOT_RAISED: "not raised"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def columns(evaluations: Iterable[Evaluation]) -> list[str]:
    """The header: fixed columns, then questions, flags (flag:ID) and scores (score:ID), each in the
    order of the first questionnaire that has them."""
    questions: dict[str, None] = {}
    flags: dict[str, None] = {}
    scores: dict[str, None] = {}
    for evaluation in evaluations:
        q = evaluation.questionnaire
        questions.update(dict.fromkeys(question.id for question in q.questions))
        flags.update(dict.fromkeys(f"flag:{flag.id}" for flag in q.flags))
        scores.update(dict.fromkeys(f"score:{score.id}" for score in q.scores))
    return [*FIXED, *questions, *flags, *scores]


def row(evaluation: Evaluation) -> dict[str, object]:
    session, q = evaluation.session, evaluation.questionnaire
    cells: dict[str, object] = {
        "session_id": session.id, "patient": session.patient, "staff": session.staff,
        "status": session.status, "created": session.created, "completed": session.completed or "",
        "questionnaire_id": q.id, "questionnaire_version": q.version, "questionnaire_sha256": q.sha256,
    }
    for block in evaluation.sections:
        for answer_row in block.rows:
            answer = session.answers.get(answer_row.question.id)
            if answer is None:
                cells[answer_row.question.id] = "not asked" if answer_row.state == "not_asked" else ""
            elif answer.state != "value":
                cells[answer_row.question.id] = answer.state
            elif isinstance(answer.value, tuple):
                cells[answer_row.question.id] = ";".join(answer.value)
            elif isinstance(answer.value, bool):
                cells[answer_row.question.id] = "yes" if answer.value else "no"
            else:
                cells[answer_row.question.id] = answer.value
    for result in evaluation.flags:
        cells[f"flag:{result.flag.id}"] = FLAG_WORDS.get(result.status, "unassessed")
    for result, _label in evaluation.scores:
        cells[f"score:{result.id}"] = "incomplete" if result.value is None else result.value
    return cells


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def render_csv(evaluations: list[Evaluation]) -> str:
    header = columns(evaluations)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=header, restval="", lineterminator="\r\n")
    writer.writeheader()
    for evaluation in evaluations:
        writer.writerow({key: neutralise(value) for key, value in row(evaluation).items()})
    return stream.getvalue()
