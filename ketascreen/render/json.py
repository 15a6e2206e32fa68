"""The summary as JSON with stable keys (documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from ketascreen.evaluate import Evaluation


def summary_data(evaluation: Evaluation, generated_at: str, clinic: str | None = None,
                 language: str | None = None) -> dict[str, Any]:
    session, q = evaluation.session, evaluation.questionnaire
    return {
        "session": {
            "id": session.id,
            "patient": session.patient,
            "staff": session.staff,
            "status": session.status,
            "created": session.created,
            "completed": session.completed,
            "questionnaire": {"id": q.id, "version": q.version, "sha256": q.sha256, "title": q.title.get(language)},
            "clinic": clinic,
            "generated_at": generated_at,
            "still_open": [question.id for question in evaluation.still_open],
        },
        "flags": [
            {
                "id": r.flag.id,
                "severity": r.flag.severity.value,
                "label": r.flag.label.get(language),
                "evidence": list(r.evidence),
                "explanation": r.flag.explanation.get(language),
                "source": r.flag.source.get(language),
            }
            for r in evaluation.raised
        ],
        "unassessed": [
            {
                "id": r.flag.id,
                "severity": r.flag.severity.value,
                "label": r.flag.label.get(language),
                "missing": [{"question": w.question.id, "state": w.state} for w in r.missing],
            }
            for r in evaluation.unassessed
        ],
        "not_raised": [r.flag.id for r in evaluation.flags if r.status == "not_raised"],
        "set_aside": [{"id": row.question.id, "state": row.state, "text": row.words} for row in evaluation.set_aside],
        "scores": [
            {
                "id": result.id,
                "label": label,
                "value": result.value,
                "band": result.band.label.get(language) if result.band else None,
                "complete": result.complete,
                "answered": result.answered,
                "items": result.items,
            }
            for result, label in evaluation.scores
        ],
        "answers": [
            {
                "id": row.question.id,
                "section": block.section.id,
                "label": row.question.label.get(language),
                "state": row.state,
                "value": _value(session.answers[row.question.id].value) if row.state == "value" else None,
                "text": row.words,
            }
            for block in evaluation.sections
            for row in block.rows
        ],
    }


def render_json(evaluation: Evaluation, generated_at: str, clinic: str | None = None, language: str | None = None) -> str:
    return json.dumps(summary_data(evaluation, generated_at, clinic, language), ensure_ascii=False, indent=2) + "\n"


def _value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
