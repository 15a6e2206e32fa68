"""Flags, scores and every answer from a session: a pure function, the same every time.

A flag is raised, not raised, or could not be assessed (its rule is unknown because an answer it
needs is missing, unknown or declined). Raised flags carry their evidence in words; unassessed
ones name the questions they were waiting for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ketascreen.amendments import Amendment, amendments_of
from ketascreen.answering import asked_questions, missing_required
from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.describe import describe_value, plain
from ketascreen.flagrules import FlagStatus, flag_rules, with_flags
from ketascreen.model import (
    AllOf,
    Answered,
    AnyOf,
    Compare,
    Condition,
    Flag,
    FlagRef,
    Not,
    Question,
    Questionnaire,
    Section,
)
from ketascreen.scoring import ScoreResult, compute_scores, facts_from
from ketascreen.session import DECLINED, UNKNOWN, Answer, Session

# The statuses under the names other modules import from here.
RAISED, NOT_RAISED = FlagStatus.RAISED, FlagStatus.NOT_RAISED
UNASSESSED, COVERED = FlagStatus.UNASSESSED, FlagStatus.COVERED
NOT_ASKED, OPEN = "not_asked", "open"


@dataclass(frozen=True)
class Waiting:
    """A question an unassessed rule needs, and why it has no value."""

    question: Question
    state: str  # unknown, declined, open (not answered yet) or not_asked


@dataclass(frozen=True)
class FlagResult:
    flag: Flag
    status: FlagStatus
    evidence: tuple[str, ...] = ()
    missing: tuple[Waiting, ...] = ()
    covered_by: str | None = None  # status "covered": the raised flag this one is folded under
    details: tuple[str, ...] = ()  # the flag's detail sentences whose conditions hold

    @property
    def shown(self) -> bool:
        """Raised, or raised and folded under a stronger flag: found either way."""
        return self.status in (FlagStatus.RAISED, FlagStatus.COVERED)


@dataclass(frozen=True)
class AnswerRow:
    question: Question
    state: str  # value, unknown, declined, not_asked or open
    words: str


@dataclass(frozen=True)
class SectionAnswers:
    section: Section
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class Evaluation:
    questionnaire: Questionnaire
    session: Session
    flags: tuple[FlagResult, ...]  # questionnaire order
    scores: tuple[tuple[ScoreResult, str], ...]  # with the score's label
    sections: tuple[SectionAnswers, ...]
    still_open: tuple[Question, ...]  # required questions on the path without an answer
    set_aside: tuple[AnswerRow, ...] = ()  # answers given, then taken off the path by skip logic
    amendments: tuple[Amendment, ...] = ()
    notes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # score id -> notes whose condition holds
    negative_screens: tuple[tuple[str, tuple[str, ...]], ...] = ()  # screen label -> the answers behind it

    @property
    def raised(self) -> list[FlagResult]:
        """Raised flags, most pressing first (urgent, contraindication, ...), file order within each;
        flags folded under a stronger one are not among them (see ``covered_under``)."""
        return sorted((f for f in self.flags if f.status == FlagStatus.RAISED), key=lambda f: f.flag.severity.rank)

    def covered_under(self, flag_id: str) -> list[FlagResult]:
        return [f for f in self.flags if f.status == FlagStatus.COVERED and f.covered_by == flag_id]

    @property
    def unassessed(self) -> list[FlagResult]:
        return sorted((f for f in self.flags if f.status == FlagStatus.UNASSESSED), key=lambda f: f.flag.severity.rank)

    @property
    def complete(self) -> bool:
        return self.session.status == "completed"


def evaluate_session(questionnaire: Questionnaire, session: Session, language: str | None = None,
                     history: bool = True, detail: bool = True) -> Evaluation:
    """``history``: also read the amendments in the audit trail (off when re-evaluating the answers as
    they stood before an amendment). ``detail``: every answer in words, set-aside answers, notes and
    negative screens too (off where only flags and scores are wanted: a patient's timeline)."""
    on_path = {q.id for q in asked_questions(questionnaire, session)}
    not_asked = {q.id for q in questionnaire.questions if q.id not in on_path}.__contains__
    scores = compute_scores(questionnaire, session.value_of, not_asked)
    facts = with_flags(questionnaire, facts_from(session.value_of, scores, not_asked))

    def state_of(question: Question) -> str:
        answer = session.answers.get(question.id)
        if answer is not None:
            return answer.state
        return OPEN if question.id in on_path else NOT_ASKED

    by_id = {flag.id: flag for flag in questionnaire.flags}
    flags = []
    for flag in questionnaire.flags:
        truth = evaluate(flag.when, facts)
        if truth is Truth.TRUE:
            flags.append(raised_result(questionnaire, flag, facts, language, by_id))
        elif truth is Truth.FALSE:
            flags.append(FlagResult(flag, FlagStatus.NOT_RAISED))
        else:
            needed = _missing(flag.when, facts, questionnaire)
            waiting = tuple(Waiting(questionnaire.question(qid), state_of(questionnaire.question(qid))) for qid in needed)
            flags.append(FlagResult(flag, FlagStatus.UNASSESSED, missing=waiting))
    sections = []
    for section in questionnaire.sections if detail else ():
        rows = []
        for question in section.questions:
            state = state_of(question)
            answer = session.answers.get(question.id)
            if answer is not None and state not in (UNKNOWN, DECLINED):
                words = describe_value(question, answer.value, language)
            elif state == OPEN and not question.required:
                words = "left open (optional)"
            else:
                words = STATE_WORDS[state]
            rows.append(AnswerRow(question, state, words))
        sections.append(SectionAnswers(section, tuple(rows)))
    def statuses(earlier: Session) -> dict[str, FlagStatus]:
        return {r.flag.id: r.status for r in evaluate_session(questionnaire, earlier, language, history=False).flags}

    def shown_with(score_id: str) -> tuple[str, ...]:
        words = []
        for qid in questionnaire.score(score_id).shows:
            question, answer = questionnaire.question(qid), session.answers.get(qid)
            if answer is not None:
                said = describe_value(question, answer.value, language) if answer.state == "value" else STATE_WORDS[answer.state]
                label = question.label.get(language)
                words.append(f"{label[:1].upper()}{label[1:]}: {said}")
        return tuple(words)

    # A note is shown when its condition holds, or could hold while items are missing (a PC-PTSD-5
    # of 3 to 4 may be a total of 3); not before any item is answered.
    def note_applies(score_id: str, condition: Condition) -> bool:
        truth = evaluate(condition, facts)
        return truth is Truth.TRUE or (truth is Truth.UNKNOWN and scores[score_id].answered > 0)

    notes = tuple((score.id, tuple(n.text.get(language) for n in score.notes if note_applies(score.id, n.when))
                   + shown_with(score.id))
                  for score in questionnaire.scores if detail and (score.notes or score.shows))
    return Evaluation(
        questionnaire=questionnaire,
        session=session,
        flags=tuple(flags),
        scores=tuple((scores[s.id], s.label.get(language)) for s in questionnaire.scores),
        sections=tuple(sections),
        still_open=tuple(missing_required(questionnaire, session)) if detail and session.status != "completed" else (),
        set_aside=tuple(_set_aside(questionnaire, session, language)) if detail else (),
        amendments=tuple(amendments_of(session, statuses if history else None)) if history else (),
        notes=tuple((sid, texts) for sid, texts in notes if texts),
        negative_screens=tuple(_negative_screens(questionnaire, flags, facts, language)) if detail else (),
    )


def raised_result(questionnaire: Questionnaire, flag: Flag, facts: Facts, language: str | None,
                  by_id: Mapping[str, Flag]) -> FlagResult:
    """The result of a flag whose rule holds on ``facts``: raised, or covered by a stronger flag,
    with its evidence in words and the details that hold. Shared with the interview's notices, so
    that a notice says exactly what the summary says (``by_id``: every flag by its id)."""
    cover = _top_cover(flag, facts, by_id)
    details = tuple(d.text.get(language) for d in flag.details if evaluate(d.when, facts) is Truth.TRUE)
    shown = [f"{questionnaire.question(q).label.get(language)}: "
             f"{describe_value(questionnaire.question(q), facts.question_value(q), language)}"
             for q in flag.shows if facts.question_value(q) is not None]
    evidence = list(dict.fromkeys((*_evidence(flag.when, facts, questionnaire, language), *shown)))
    return FlagResult(flag, FlagStatus.COVERED if cover else FlagStatus.RAISED, evidence=tuple(evidence),
                      covered_by=cover, details=details)


def _top_cover(flag: Flag, facts: Facts, by_id: Mapping[str, Flag]) -> str | None:
    """The raised flag this one folds under: a raised cover, and if that one is covered in turn, its
    own cover, up to one that is shown on its own (covers never loop: checked on loading).
    ``by_id``: every flag by its id, built once per evaluation."""
    cover = None
    current = flag
    seen = {flag.id}
    while True:
        found = next((c for c in current.covered_by if c not in seen and facts.flag_truth(c) is Truth.TRUE), None)
        if found is None:
            return cover
        cover = found
        seen.add(found)
        current = by_id[found]


def _set_aside(questionnaire: Questionnaire, session: Session, language: str | None) -> list[AnswerRow]:
    """Answers the audit trail shows were given and then set aside because skip logic no longer asks
    the question (a paper form that answers a follow-up despite its lead-in): the clinician sees them."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in session.audit:
        if entry.get("event") == "removed" and isinstance(entry.get("old"), dict):
            latest[str(entry.get("question"))] = entry["old"]
    rows = []
    known = {q.id: q for q in questionnaire.questions}
    for qid, old in latest.items():
        question = known.get(qid)
        if question is None or qid in session.answers:
            continue
        answer = Answer.from_json(old)
        words = describe_value(question, answer.value, language) if answer.state == "value" else STATE_WORDS[answer.state]
        rows.append(AnswerRow(question, answer.state, words))
    return rows


STATE_WORDS = {
    UNKNOWN: "unknown",
    DECLINED: "declined to answer",
    OPEN: "not answered",
    NOT_ASKED: "not asked (skip logic)",
}

_COMPARISON_WORDS = {
    "equals": "equal to",
    "not_equals": "not",
    "above": "above",
    "at_least": "at least",
    "below": "below",
    "at_most": "at most",
    "one_of": "one of",
    "includes": "includes",
}


def _evidence(condition: Condition, facts: Facts, q: Questionnaire, language: str | None,
              seen: set[str] | None = None, top: bool = True) -> list[str]:
    """The parts of a true condition that made it true, in words (through each named flag once)."""
    seen = set() if seen is None else seen
    if isinstance(condition, AnyOf):
        return [e for part in condition.parts if evaluate(part, facts) is Truth.TRUE for e in _evidence(part, facts, q, language, seen, top=False)]
    if isinstance(condition, AllOf):
        return [e for part in condition.parts for e in _evidence(part, facts, q, language, seen, top=False)]
    if isinstance(condition, Not):
        return []  # "not X" is true because X is false: the answers behind X are in the evidence elsewhere
    if isinstance(condition, FlagRef):
        if condition.ref in seen:
            return []
        seen.add(condition.ref)
        return _evidence(q.flag(condition.ref).when, facts, q, language, seen, top=False)
    if isinstance(condition, Answered):
        if not top:  # beside a comparison ("the re-check, when one was taken"), the comparison says it all
            return []
        question = q.question(condition.ref)
        value = facts.question_value(condition.ref)
        return [f"{question.label.get(language)}: {describe_value(question, value, language) if value is not None else 'not answered'}"]
    return _comparison_evidence(condition, facts, q, language)


def _comparison_evidence(condition: Compare, facts: Facts, q: Questionnaire, language: str | None) -> list[str]:
    if condition.subject == "score":
        score = q.score(condition.ref)
        total = facts.score_value(condition.ref)
        span = facts.score_range(condition.ref)
        shown = str(total) if total is not None or span is None else f"{span[0]}–{span[1]} (items missing)"
        return [f"{score.label.get(language)} {shown}, {_COMPARISON_WORDS[condition.operator]} {plain(condition.value)}"]
    question = q.question(condition.ref)
    said = describe_value(question, facts.question_value(condition.ref), language)
    label = question.label.get(language)
    if question.type == "yes_no" or condition.operator in ("equals", "one_of", "includes"):
        return [f"{label}: {said}"]
    return [f"{label} {said}, {_COMPARISON_WORDS[condition.operator]} {plain(condition.value)}"]


def _missing(condition: Condition, facts: Facts, q: Questionnaire) -> list[str]:
    """The questions without a value behind the unknown parts of a condition, in questionnaire order."""
    found: list[str] = []
    flags_walked: set[str] = set()

    def walk(part: Condition) -> None:
        if evaluate(part, facts) is not Truth.UNKNOWN:
            return
        if isinstance(part, (AllOf, AnyOf)):
            for inner in part.parts:
                walk(inner)
        elif isinstance(part, Not):
            walk(part.part)
        elif isinstance(part, FlagRef) and part.ref not in flags_walked:
            flags_walked.add(part.ref)
            walk(q.flag(part.ref).when)
        elif isinstance(part, Compare):
            if part.subject == "question":
                refs = [part.ref]
            else:
                score = q.score(part.ref)
                gate = _rule_questions(score.zero_when, {}, set()) if score.zero_when else []
                refs = gate + list(score.items)
            found.extend(r for r in refs if facts.question_value(r) is None)

    walk(condition)
    return sorted(set(found), key=q.place)


def _negative_screens(questionnaire: Questionnaire, flags: list[FlagResult], facts: Facts,
                      language: str | None) -> list[tuple[str, tuple[str, ...]]]:
    """Screens whose every flag was decided "not raised", each with the answers its rules read (the
    ones with a value): "asked and negative" is then told apart from "not asked"."""
    status = {r.flag.id: r.status for r in flags}
    rules = flag_rules(questionnaire)
    found = []
    for screen in questionnaire.screens:
        if not screen.flags or any(status.get(fid) != FlagStatus.NOT_RAISED for fid in screen.flags):
            continue
        asked: list[str] = []
        for fid in screen.flags:
            for qid in _rule_questions(rules[fid], rules, set()):
                if qid not in asked and facts.question_value(qid) is not None:
                    asked.append(qid)
        words = tuple(f"{questionnaire.question(q).label.get(language)}: "
                      f"{describe_value(questionnaire.question(q), facts.question_value(q), language)}"
                      for q in sorted(asked, key=questionnaire.place))
        found.append((screen.label.get(language), words))
    return found


def _rule_questions(condition: Condition, rules: dict[str, Condition], seen: set[str]) -> list[str]:
    """The questions a rule reads, through the flags it names (``rules``: flag id → rule)."""
    if isinstance(condition, (AllOf, AnyOf)):
        return [r for part in condition.parts for r in _rule_questions(part, rules, seen)]
    if isinstance(condition, Not):
        return _rule_questions(condition.part, rules, seen)
    if isinstance(condition, FlagRef):
        if condition.ref in seen or condition.ref not in rules:
            return []
        seen.add(condition.ref)
        return _rule_questions(rules[condition.ref], rules, seen)
    if isinstance(condition, (Answered,)) or (isinstance(condition, Compare) and condition.subject == "question"):
        return [condition.ref]
    return []
