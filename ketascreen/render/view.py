"""What every summary says, in order, as plain values: each format only lays it out.

Order: header, the review banner, an urgent flag that could not be assessed (above everything else),
INCOMPLETE and AMENDED marks, flags by severity (urgent first) with evidence, why it matters and
source, each with the weaker flags it covers; what could not be assessed; screens asked and
negative; scores with their notes and sources; amendments; every answer by section; the sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from ketascreen.amendments import Amendment
from ketascreen.clock import shown
from ketascreen.describe import describe_value
from ketascreen.evaluate import STATE_WORDS, Evaluation, FlagResult
from ketascreen.flagrules import FlagStatus
from ketascreen.model import Questionnaire, Severity
from ketascreen.render.series_words import since_baseline
from ketascreen.series import Series
from ketascreen.session import VALUE, Answer, Session
from ketascreen.textsafe import visible
from ketascreen.wording import language_name

BANNER = "For clinician review — not a treatment decision"
INCOMPLETE = "INCOMPLETE — the interview is not finished"
SIGN_OFF = ("Reviewed by", "Signature", "Date and time")
SET_ASIDE = "Given, but not asked with the other answers (skip logic), so not used for any flag. Please check them:"
NEGATIVES = "Asked, and no flag raised:"
AMENDED = "AMENDED"
STATUS_WORDS = {FlagStatus.RAISED: "raised", FlagStatus.NOT_RAISED: "not raised",
                FlagStatus.UNASSESSED: "could not be assessed", FlagStatus.COVERED: "raised (covered by a stronger flag)"}


@dataclass(frozen=True)
class FlagView:
    label: str
    evidence: tuple[str, ...]
    explanation: str
    source: str
    covers: tuple[FlagView, ...] = ()  # weaker flags raised too, folded under this one


@dataclass(frozen=True)
class ScoreView:
    label: str
    words: str
    notes: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class AmendmentView:
    heading: str  # when, who, why
    changes: tuple[str, ...]  # "label: old → new"
    flag_changes: tuple[str, ...]  # "flag label: raised → not raised"


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
    asked: str | None = None  # the question as asked, when asked in another language and shown

@dataclass(frozen=True)
class GlanceRow:
    """One line of the at-a-glance panel: a kind of finding, how many, and which."""

    kind: str  # a severity's value ("urgent", "contraindication", ...), "unassessed" or "scores"
    symbol: str  # printed beside the words, so that colour never carries the meaning alone
    heading: str
    count: int | None  # None for the scores line
    items: tuple[str, ...]

    @property
    def words(self) -> str:
        """The items, or what it means that there are none."""
        if self.items:
            return "; ".join(self.items)
        return "none" if self.kind == "unassessed" else "none raised"


# Symbols by kind: distinct in shape, so a greyscale copy still tells an urgent line from a precaution.
GLANCE_SYMBOLS = {"urgent": "‼", "contraindication": "▲", "precaution": "●", "history": "○", "logistics": "·",
                  "unassessed": "?", "scores": "■"}
SEVERITY_BY_HEADING = {severity.heading: severity for severity in Severity}
_GLANCE_HEADINGS = {Severity.URGENT: "Urgent", Severity.CONTRAINDICATION: "Possible contraindications",
                    Severity.PRECAUTION: "Precautions", Severity.HISTORY: "Relevant history",
                    Severity.LOGISTICS: "Logistics"}
# Shown even when none was raised: "Urgent: none raised" is a finding a clinician looks for.
_ALWAYS_SHOWN = (Severity.URGENT, Severity.CONTRAINDICATION, Severity.PRECAUTION)


@dataclass(frozen=True)
class SummaryView:
    title: str
    clinic: str | None
    header: tuple[tuple[str, str], ...]
    incomplete: bool
    still_open: tuple[str, ...]
    flag_groups: tuple[tuple[str, tuple[FlagView, ...]], ...]
    unassessed: tuple[UnassessedView, ...]
    scores: tuple[ScoreView, ...]
    answers: tuple[tuple[str, tuple[AnswerView, ...]], ...]
    patient: str
    generated_at: str
    set_aside: tuple[tuple[str, str], ...] = ()
    urgent_unassessed: tuple[str, ...] = ()  # shown first of all
    amended: str | None = None  # "AMENDED (2 amendments, the last ...)" near the top
    amendments: tuple[AmendmentView, ...] = ()
    negatives: tuple[tuple[str, str], ...] = ()  # screen label, the answers behind "negative"
    series: tuple[str, ...] = ()  # "Since baseline": the patient's earlier visits, in words
    glance: tuple[GlanceRow, ...] = ()  # the at-a-glance panel at the top of a printed summary

    @property
    def marks(self) -> tuple[str, ...]:
        """INCOMPLETE and AMENDED where they apply: on every printed page."""
        return tuple(mark for mark, on in (("INCOMPLETE", self.incomplete), (AMENDED, bool(self.amended))) if on)


def summary_view(evaluation: Evaluation, generated_at: str, clinic: str | None = None,
                 language: str | None = None, series: Series | None = None,
                 zone: tzinfo | None = None, asked: str | None = None) -> SummaryView:
    """``zone``: where times are shown (the clinic's; None: the machine's); ``asked``: a language
    whose question text is shown beside each answer asked in it."""
    session, q = evaluation.session, evaluation.questionnaire
    amendments = evaluation.amendments
    header = [
        ("Questionnaire", f"{q.title.get(language)}, version {q.version} ({q.sha256[:12]})"),
        ("Patient", session.patient),
    ]
    for question in q.questions:
        if question.header:
            answer = session.answers.get(question.id)
            header.append((question.label.get(language)[:1].upper() + question.label.get(language)[1:],
                           _answer_words(q, question.id, answer, language) if answer else "not answered"))
    if session.language and session.language != q.language:
        header.append(("Language", f"asked in {language_name(session.language)}; this summary is in "
                                   f"{language_name(q.language)}"))
    header += [
        ("Staff", session.staff),
        ("Started", _when(session.created, zone)),
        *_entered_from(session, zone),
        ("Completed", _when(session.completed, zone) if session.completed else
         f"{_when(session.first_completed(), zone)} (reopened for an amendment)" if session.first_completed() else "—"),
    ]
    confirmed = [a for a in amendments if a.confirmed]
    if confirmed:
        last = confirmed[-1]
        header.append(("Amended", f"{_when(last.at, zone)} by {last.staff}"
                                  + (f" ({len(confirmed)} amendments)" if len(confirmed) > 1 else "")))
    header += [
        ("Session", session.id),
        ("Status", ("completed" if evaluation.complete else "INCOMPLETE (in progress)")
                   + (", amended" if amendments else "")),
        ("Generated", _when(generated_at, zone)),
    ]
    groups = []
    raised = evaluation.raised
    for severity in Severity:
        views = tuple(
            _flag_view(r, language, tuple(_flag_view(c, language) for c in evaluation.covered_under(r.flag.id)))
            for r in raised if r.flag.severity is severity
        )
        if views:
            groups.append((severity.heading, views))
    urgent_unassessed = tuple(
        f"{r.flag.label.get(language).upper()}: NOT ASSESSED — questions unanswered: "
        + ", ".join(f"{w.question.label.get(language)} ({_WAITING[w.state]})" for w in r.missing)
        for r in evaluation.unassessed if r.flag.severity is Severity.URGENT
    )
    unassessed = tuple(
        UnassessedView(
            r.flag.label.get(language),
            r.flag.severity.heading,
            tuple(f"{w.question.label.get(language)} ({_WAITING[w.state]})" for w in r.missing),
        )
        for r in evaluation.unassessed
    )
    scores = []
    notes = dict(evaluation.notes)
    for result, label in evaluation.scores:
        score = q.score(result.id)
        band = result.band.label.get(language) if result.band is not None else None
        if result.complete or result.gated:
            words = f"{result.value} — {band}" if band else str(result.value)
            if result.gated:
                words += " (gate question answered no)"
        else:
            span = str(result.value) if result.value is not None else f"{result.low}–{result.high}"
            words = f"{span} — {band}" if band else f"{span}, band not decided"
            words += f" (incomplete: {result.answered} of {result.items} items answered"
            words += ", gate question not answered)" if result.gate_open else ")"
        scores.append(ScoreView(label, words, notes.get(result.id, ()),
                                score.source.get(language) if score.source is not None else None))
    answers = []
    number = 0
    for block in evaluation.sections:
        rows = []
        for row in block.rows:
            number += 1
            text = dict(row.question.text.translations).get(asked) if asked else None
            rows.append(AnswerView(number, row.question.label.get(language), row.words, row.state, text))
        answers.append((block.section.title.get(language), tuple(rows)))
    glance = _glance(evaluation, language, unassessed, tuple(scores))
    return _clean(SummaryView(
        title=q.title.get(language),
        clinic=clinic,
        header=tuple(header),
        incomplete=not evaluation.complete,
        still_open=tuple(question.label.get(language) for question in evaluation.still_open),
        flag_groups=tuple(groups),
        unassessed=unassessed,
        scores=tuple(scores),
        answers=tuple(answers),
        patient=session.patient,
        generated_at=_when(generated_at, zone),
        set_aside=tuple((row.question.label.get(language), row.words) for row in evaluation.set_aside),
        urgent_unassessed=urgent_unassessed,
        amended=_amended_mark(amendments),
        amendments=tuple(_amendment_view(a, q, language, zone) for a in amendments),
        negatives=tuple((label, "negative — " + "; ".join(words) if words else "negative")
                        for label, words in evaluation.negative_screens),
        series=tuple(since_baseline(series, session.id)) if series is not None else (),
        glance=glance,
    ))


def _glance(evaluation: Evaluation, language: str | None, unassessed: tuple[UnassessedView, ...],
            scores: tuple[ScoreView, ...]) -> tuple[GlanceRow, ...]:
    """Counts and labels of what was raised by severity, what could not be assessed, and the scores."""
    rows = []
    for severity in Severity:
        labels = tuple(r.flag.label.get(language) for r in evaluation.raised if r.flag.severity is severity)
        if labels or severity in _ALWAYS_SHOWN:
            rows.append(GlanceRow(severity.value, GLANCE_SYMBOLS[severity.value], _GLANCE_HEADINGS[severity],
                                  len(labels), labels))
    rows.append(GlanceRow("unassessed", GLANCE_SYMBOLS["unassessed"], "Could not be assessed", len(unassessed),
                          tuple(f"{item.label} ({item.severity.split(' — ')[0]})" for item in unassessed)))
    if scores:
        rows.append(GlanceRow("scores", GLANCE_SYMBOLS["scores"], "Scores", None,
                              tuple(f"{score.label}: {score.words}" for score in scores)))
    return tuple(rows)


def _amended_mark(amendments: tuple[Amendment, ...]) -> str | None:
    confirmed = sum(a.confirmed for a in amendments)
    pending = len(amendments) - confirmed
    if not amendments:
        return None
    parts = []
    if confirmed:
        parts.append(f"{confirmed} amendment{'s' if confirmed != 1 else ''} after completion")
    if pending:
        parts.append("an amendment in progress, not yet confirmed")
    return f"{AMENDED} — " + "; ".join(parts) + "; see Amendments"


def _flag_view(result: FlagResult, language: str | None, covers: tuple[FlagView, ...] = ()) -> FlagView:
    explanation = " ".join((result.flag.explanation.get(language), *result.details))
    return FlagView(result.flag.label.get(language), result.evidence, explanation, result.flag.source.get(language), covers)


def _answer_words(q: Questionnaire, question_id: str, answer: Answer | None, language: str | None) -> str:
    if answer is None:
        return "no answer"
    if answer.state != VALUE:
        return STATE_WORDS[answer.state]
    try:
        return describe_value(q.question(question_id), answer.value, language)
    except KeyError:
        return str(answer.value)


def _amendment_view(amendment: Amendment, q: Questionnaire, language: str | None,
                    zone: tzinfo | None) -> AmendmentView:
    labels = {question.id: question.label.get(language) for question in q.questions}
    flags = {flag.id: flag.label.get(language) for flag in q.flags}
    changes = tuple(f"{labels.get(c.question, c.question)}: {_answer_words(q, c.question, c.before, language)} → "
                    f"{_answer_words(q, c.question, c.after, language)}" for c in amendment.changes)
    flag_changes = tuple(f"{flags.get(c.flag, c.flag)}: {STATUS_WORDS.get(c.before, c.before)} → "
                         f"{STATUS_WORDS.get(c.after, c.after)}" for c in amendment.flag_changes)
    heading = f"{_when(amendment.at, zone)} by {amendment.staff} — reason: {amendment.reason or 'none given'}"
    if not amendment.confirmed:
        heading += " (in progress, not yet confirmed)"
    return AmendmentView(heading, changes or ("no answer changed in the end",), flag_changes)


_WAITING = {"unknown": "unknown", "declined": "declined", "open": "not answered", "not_asked": "not asked"}


def _entered_from(session: Session, zone: tzinfo | None) -> list[tuple[str, str]]:
    """A header row for answers typed in from a file (a paper form): which file, and when the form
    was filled in, which may be days before it was typed in."""
    entry = session.entered_from()
    if entry is None:
        return []
    filled = entry.get("collected_at")
    when = f"; form filled in {shown(filled, zone)}" if filled else ""
    return [("Entered from", f"answers file {entry.get('file', '')}{when}")]


def _when(stamp: str | None, zone: tzinfo | None) -> str:
    """2026-11-29T09:13:02+00:00 -> 2026-11-29 09:13 UTC (or 10:13 CET for a clinic in Berlin)."""
    return shown(stamp, zone)


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

    cleaned = fix(view)
    assert isinstance(cleaned, SummaryView)  # fix rebuilds each dataclass as its own type
    return cleaned
