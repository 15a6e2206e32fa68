"""The summary as JSON with stable keys (documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from ketascreen.evaluate import Evaluation
from ketascreen.flagrules import FlagStatus
from ketascreen.model import Severity
from ketascreen.series import Series


def summary_data(evaluation: Evaluation, generated_at: str, clinic: str | None = None,
                 language: str | None = None, series: Series | None = None,
                 asked: str | None = None) -> dict[str, Any]:
    """``asked``: a language whose question text is given with each answer ("asked")."""
    session, q = evaluation.session, evaluation.questionnaire
    data: dict[str, Any] = {
        "session": {
            "id": session.id,
            "patient": session.patient,
            "staff": session.staff,
            "status": session.status,
            "created": session.created,
            "completed": session.completed,
            "entered_from": _entered_from(session.entered_from()),
            "asked_in": session.language or q.language,
            "questionnaire": {"id": q.id, "version": q.version, "sha256": q.sha256, "title": q.title.get(language)},
            "clinic": clinic,
            "generated_at": generated_at,
            "still_open": [question.id for question in evaluation.still_open],
            "amended": bool(evaluation.amendments),
            "amendments": [
                {
                    "at": a.at,
                    "staff": a.staff,
                    "reason": a.reason,
                    "changes": [{"question": c.question, "from": c.before.to_json() if c.before else None,
                                 "to": c.after.to_json() if c.after else None} for c in a.changes],
                    "flags_changed": [{"flag": c.flag, "from": c.before, "to": c.after} for c in a.flag_changes],
                    "confirmed": a.confirmed,
                }
                for a in evaluation.amendments
            ],
        },
        "flags": [
            {
                "id": r.flag.id,
                "status": r.status,
                **({"covered_by": r.covered_by} if r.status == FlagStatus.COVERED else {}),
                "severity": r.flag.severity.value,
                "label": r.flag.label.get(language),
                "evidence": list(r.evidence),
                "explanation": " ".join((r.flag.explanation.get(language), *r.details)),
                "source": r.flag.source.get(language),
            }
            for r in sorted((f for f in evaluation.flags if f.status in (FlagStatus.RAISED, FlagStatus.COVERED)),
                            key=lambda f: (f.flag.severity.rank, f.status == FlagStatus.COVERED))
        ],
        "urgent_unassessed": [r.flag.id for r in evaluation.unassessed if r.flag.severity is Severity.URGENT],
        "unassessed": [
            {
                "id": r.flag.id,
                "severity": r.flag.severity.value,
                "label": r.flag.label.get(language),
                "missing": [{"question": w.question.id, "state": w.state} for w in r.missing],
            }
            for r in evaluation.unassessed
        ],
        "not_raised": [r.flag.id for r in evaluation.flags if r.status == FlagStatus.NOT_RAISED],
        "negative_screens": [{"screen": label, "answers": list(words)} for label, words in evaluation.negative_screens],
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
                "range": [result.low, result.high],
                "notes": list(dict(evaluation.notes).get(result.id, ())),
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
                **({"asked": row.question.text.get(asked)} if asked and asked in dict(row.question.text.translations)
                   else {}),
            }
            for block in evaluation.sections
            for row in block.rows
        ],
    }
    data["series"] = series_data(series, session.id) if series is not None else None
    return data


def render_json(evaluation: Evaluation, generated_at: str, clinic: str | None = None, language: str | None = None,
                series: Series | None = None, asked: str | None = None) -> str:
    return json.dumps(summary_data(evaluation, generated_at, clinic, language, series, asked), ensure_ascii=False,
                      indent=2) + "\n"


def series_data(series: Series, session_id: str) -> dict[str, Any] | None:
    """The "Since baseline" facts for one visit: null when the patient has no other visit."""
    from ketascreen.render.series_words import since_baseline

    ids = [v.session for v in series.visits]
    if session_id not in ids or max(len(ids), series.visits_in_all) < 2:
        return None
    previous = series.previous(session_id)
    here = series.visits[ids.index(session_id)]
    before = {fid for fid, _label in previous.raised} if previous else set()
    return {
        "visit": ids.index(session_id) + 1,
        "visits": max(len(ids), series.visits_in_all),
        "baseline": None if series.baseline is None else {"session": series.baseline.session,
                                                           "phq9_total": series.baseline.phq9_total},
        "phq9_total": here.phq9_total,
        "change_percent": series.change_percent if series.latest is not None and series.latest.session == session_id else None,
        "response": series.response if series.latest is not None and series.latest.session == session_id else None,
        "remission": series.remission if series.latest is not None and series.latest.session == session_id else None,
        "previous": None if previous is None else {
            "session": previous.session, "date": previous.date,
            "bp_systolic": previous.bp.get("bp_systolic"), "bp_diastolic": previous.bp.get("bp_diastolic"),
            "bp_systolic_recheck": previous.bp.get("bp_systolic_recheck"),
            "bp_diastolic_recheck": previous.bp.get("bp_diastolic_recheck")},
        "new_flags": [fid for fid, _label in here.raised if fid not in before] if previous else [],
        "text": since_baseline(series, session_id),
    }


def _value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _entered_from(entry: dict[str, str] | None) -> dict[str, str | None] | None:
    """{file, collected_at} for a session typed in from an answers file; null for an interview."""
    if entry is None:
        return None
    return {"file": entry.get("file"), "collected_at": entry.get("collected_at")}
