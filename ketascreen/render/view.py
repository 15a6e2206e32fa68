"""What every summary says, in order, as plain values: each format only lays it out.

Order: header, the review banner, flags by severity (urgent first) with evidence, why it matters and
source; what could not be assessed; scores; every answer by section; the sign-off block.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketascreen.evaluate import Evaluation
from ketascreen.model import Severity
from ketascreen.textsafe import visible

BANNER = "For clinician review — not a treatment decision"
INCOMPLETE = "INCOMPLETE — the interview is not finished"
SIGN_OFF = ("Reviewed by", "Signature", "Date and time")
SET_ASIDE = "Given, but not asked with the other answers (skip logic), so not used for any flag. Please check them:"


@dataclass(frozen=True)
class FlagView:
    label: str
    evidence: tuple[str, ...]
    explanation: str
    source: str


@dataclass(frozen=True)
class UnassessedView:
    label: str
    severity: str
    waiting: tuple[str, ...]


@dataclass(frozen=True)
class AnswerView:
    number: int
    label: str
    answer: str
    state: str


@dataclass(frozen=True)
class SummaryView:
    title: str
    clinic: str | None
    header: tuple[tuple[str, str], ...]
    incomplete: bool
    still_open: tuple[str, ...]
    flag_groups: tuple[tuple[str, tuple[FlagView, ...]], ...]
    unassessed: tuple[UnassessedView, ...]
    scores: tuple[tuple[str, str], ...]
    answers: tuple[tuple[str, tuple[AnswerView, ...]], ...]
    patient: str
    generated_at: str
    set_aside: tuple[tuple[str, str], ...] = ()


def summary_view(evaluation: Evaluation, generated_at: str, clinic: str | None = None,
                 language: str | None = None) -> SummaryView:
    session, q = evaluation.session, evaluation.questionnaire
    header = (
        ("Questionnaire", f"{q.title.get(language)}, version {q.version} ({q.sha256[:12]})"),
        ("Patient", session.patient),
        ("Staff", session.staff),
        ("Started", _when(session.created)),
        ("Completed", _when(session.completed) if session.completed else "—"),
        ("Session", session.id),
        ("Status", "completed" if evaluation.complete else "INCOMPLETE (in progress)"),
        ("Generated", _when(generated_at)),
    )
    groups = []
    raised = evaluation.raised
    for severity in Severity:
        views = tuple(
            FlagView(r.flag.label.get(language), r.evidence, r.flag.explanation.get(language), r.flag.source.get(language))
            for r in raised if r.flag.severity is severity
        )
        if views:
            groups.append((severity.heading, views))
    unassessed = tuple(
        UnassessedView(
            r.flag.label.get(language),
            r.flag.severity.heading,
            tuple(f"{w.question.label.get(language)} ({_WAITING[w.state]})" for w in r.missing),
        )
        for r in evaluation.unassessed
    )
    scores = []
    for result, label in evaluation.scores:
        if result.value is None:
            words = f"incomplete ({result.answered} of {result.items} items answered)"
        else:
            band = next((b.label.get(language) for b in q.score(result.id).bands if b is result.band), None)
            words = f"{result.value} — {band}" if band else str(result.value)
            if result.gated:
                words += " (gate question answered no)"
        scores.append((label, words))
    answers = []
    number = 0
    for block in evaluation.sections:
        rows = []
        for row in block.rows:
            number += 1
            rows.append(AnswerView(number, row.question.label.get(language), row.words, row.state))
        answers.append((block.section.title.get(language), tuple(rows)))
    return _clean(SummaryView(
        title=q.title.get(language),
        clinic=clinic,
        header=header,
        incomplete=not evaluation.complete,
        still_open=tuple(question.label.get(language) for question in evaluation.still_open),
        flag_groups=tuple(groups),
        unassessed=unassessed,
        scores=tuple(scores),
        answers=tuple(answers),
        patient=session.patient,
        generated_at=_when(generated_at),
        set_aside=tuple((row.question.label.get(language), row.words) for row in evaluation.set_aside),
    ))


_WAITING = {"unknown": "unknown", "declined": "declined", "open": "not answered", "not_asked": "not asked"}


def _when(stamp: str | None) -> str:
    """2026-11-29T09:13:02+00:00 -> 2026-11-29 09:13 UTC"""
    if not stamp:
        return "—"
    text = stamp.replace("T", " ")
    if text.endswith("+00:00"):
        return text[:16] + " UTC"
    return text[:16] + " " + text[19:] if len(text) > 19 else text


def _clean(view: SummaryView) -> SummaryView:
    """Control characters from answers or YAML made visible, once, for every format."""

    def fix(value: object) -> object:
        if isinstance(value, str):
            return visible(value)
        if isinstance(value, tuple):
            return tuple(fix(v) for v in value)
        if hasattr(value, "__dataclass_fields__"):
            return type(value)(**{name: fix(getattr(value, name)) for name in value.__dataclass_fields__})
        return value

    return fix(view)  # type: ignore[return-value]
