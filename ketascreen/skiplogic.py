"""Skip logic: the questions the answers so far lead to, in order.

Skip logic asks rather than skips: a question whose condition is unknown is asked. A condition
looks only at questions asked before it (the loader refuses any other), so one walk in
questionnaire order decides every question. That walk is kept with what each condition read. After
an answer, only the conditions that read a changed answer (or a score made of one) are decided
again, in questionnaire order, and with them the conditions that read whether a question whose
place on the path changed was asked. The path is the one a new walk would give; an answer that no
condition reads, most of them, costs no walk at all.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.model import Condition, Question, Questionnaire, Section
from ketascreen.scoring import ScoreResult, compute_score, item_ceiling
from ketascreen.session import Answer, Answers, AnswerValue, Session

MEMO_KEY = "path"

# What a condition can read: ("answer", question id) its value, ("skipped", question id) whether
# skip logic left it unasked.
Fact = tuple[str, str]


@dataclass(frozen=True)
class Path:
    """The questions asked, in order, and each one's index among them. A new Path only when the
    path changed: the same object means the same path, and callers may rely on that."""

    questions: tuple[Question, ...]
    position: dict[str, int]


@dataclass(frozen=True)
class _Slot:
    """A condition on the path: a section's (``question`` None) or a question's."""

    condition: Condition
    section: int  # index of the section in the questionnaire
    question: Question | None = None


@dataclass
class _Walk:
    questionnaire: Questionnaire
    answers: Answers
    seen: int  # changes to ``answers`` taken in
    slots: list[_Slot]
    section_slot: dict[int, int]  # section index -> its slot, for sections with a condition
    question_slot: dict[str, int]  # question id -> its slot, for questions with a condition
    truths: list[Truth | None]  # None: not decided (its section is skipped, or not reached yet)
    reads: list[frozenset[Fact]]
    readers: dict[Fact, set[int]] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    scores: dict[str, tuple[ScoreResult, frozenset[str]]] = field(default_factory=dict)  # with the answers read
    path: Path = Path((), {})


def current_path(questionnaire: Questionnaire, session: Session) -> Path:
    """The path the session's answers lead to now. Kept in ``session.memo`` and brought up to date
    from the answers' record of changes; answers that keep no record (a plain dict put in place of
    them) are walked in full every time."""
    answers = session.answers
    walk = session.memo.get(MEMO_KEY)
    if not isinstance(answers, Answers):
        return _new_walk(questionnaire, session, answers).path
    if not isinstance(walk, _Walk) or walk.questionnaire is not questionnaire or walk.answers is not answers:
        walk = _new_walk(questionnaire, session, answers)
        session.memo[MEMO_KEY] = walk
        return walk.path
    changed = answers.changed_since(walk.seen)
    if changed:
        walk.seen = len(answers.changes)
        _take_in(walk, session, changed)
    return walk.path


def full_walk(questionnaire: Questionnaire, session: Session) -> tuple[Question, ...]:
    """The path by one walk from the start, keeping nothing: what ``current_path`` must equal."""
    return _new_walk(questionnaire, session, Answers(dict(session.answers))).path.questions


def _new_walk(questionnaire: Questionnaire, session: Session, answers: dict[str, Answer]) -> _Walk:
    slots: list[_Slot] = []
    section_slot: dict[int, int] = {}
    question_slot: dict[str, int] = {}
    for number, section in enumerate(questionnaire.sections):
        if section.when is not None:
            section_slot[number] = len(slots)
            slots.append(_Slot(section.when, number))
        for question in section.questions:
            if question.when is not None:
                question_slot[question.id] = len(slots)
                slots.append(_Slot(question.when, number, question))
    journal = answers if isinstance(answers, Answers) else Answers()
    walk = _Walk(questionnaire, journal, len(journal.changes), slots, section_slot, question_slot,
                 [None] * len(slots), [frozenset()] * len(slots))
    _decide(walk, session, list(range(len(slots))))
    walk.path = _path_of(walk)
    return walk


def _take_in(walk: _Walk, session: Session, changed: Iterable[str]) -> None:
    """Decide again what the changed answers can change, and the path with it."""
    due: set[int] = set()
    for question_id in changed:
        due.update(walk.readers.get(("answer", question_id), ()))
        for score_id in [s for s, (_, read) in walk.scores.items() if question_id in read]:
            del walk.scores[score_id]
    if due and _decide(walk, session, sorted(due)):
        walk.path = _path_of(walk)


def _decide(walk: _Walk, session: Session, due: list[int]) -> bool:
    """Decide these conditions and every one that reads a question whose place they change, in
    questionnaire order; True when some question came onto the path or left it."""
    heapq.heapify(due)
    done: set[int] = set()
    moved = False
    sections = walk.questionnaire.sections
    while due:
        index = heapq.heappop(due)
        if index in done:
            continue
        done.add(index)
        slot = walk.slots[index]
        inside_skipped = (slot.question is not None and slot.section in walk.section_slot
                          and walk.truths[walk.section_slot[slot.section]] is Truth.FALSE)
        before = walk.truths[index]
        truth = None if inside_skipped else _evaluate(walk, session, index)
        walk.truths[index] = truth
        flipped: list[str] = []
        if slot.question is not None:
            now_skipped = inside_skipped or truth is Truth.FALSE
            if (slot.question.id in walk.skipped) != now_skipped:
                flipped.append(slot.question.id)
        elif (before is Truth.FALSE) != (truth is Truth.FALSE):
            flipped += _section_turned(walk, sections[slot.section], truth is Truth.FALSE, due)
        for question_id in flipped:
            walk.skipped.symmetric_difference_update((question_id,))
            for reader in walk.readers.get(("skipped", question_id), ()):
                heapq.heappush(due, reader)
        moved = moved or bool(flipped)
    return moved


def _section_turned(walk: _Walk, section: Section, skipped: bool, due: list[int]) -> list[str]:
    """The questions whose place changes when a section's condition turns: all of them when it is
    now skipped (their own conditions are no longer decided); when it is asked again, those without
    a condition, and the others are decided again."""
    flipped = []
    for question in section.questions:
        index = walk.question_slot.get(question.id)
        if skipped:
            if index is not None:
                _read(walk, index, frozenset())
                walk.truths[index] = None
            if question.id not in walk.skipped:
                flipped.append(question.id)
        elif index is not None:
            heapq.heappush(due, index)  # in order: a later condition may read whether it is asked
        elif question.id in walk.skipped:
            flipped.append(question.id)
    return flipped


def _evaluate(walk: _Walk, session: Session, index: int) -> Truth:
    reading: set[Fact] = set()

    def value_of(question_id: str) -> AnswerValue | None:
        reading.add(("answer", question_id))
        return session.value_of(question_id)

    def not_asked(question_id: str) -> bool:
        reading.add(("skipped", question_id))
        return question_id in walk.skipped

    def score(score_id: str) -> ScoreResult | None:
        if score_id not in walk.scores:
            found = next((s for s in walk.questionnaire.scores if s.id == score_id), None)
            if found is None:
                return None
            read: set[str] = set()

            def item_value(question_id: str) -> AnswerValue | None:
                read.add(question_id)
                return session.value_of(question_id)

            # As a score is shown: every item counted as asked.
            walk.scores[score_id] = (compute_score(found, item_value, item_ceiling(walk.questionnaire)),
                                     frozenset(read))
        result, read_by_score = walk.scores[score_id]
        reading.update(("answer", qid) for qid in read_by_score)
        return result

    def score_value(score_id: str) -> int | None:
        found = score(score_id)
        return found.value if found is not None else None

    def score_range(score_id: str) -> tuple[int, int] | None:
        found = score(score_id)
        return (found.low, found.high) if found is not None and found.value is None else None

    truth = evaluate(walk.slots[index].condition, Facts(value_of, score_value, not_asked, score_range=score_range))
    _read(walk, index, frozenset(reading))
    return truth


def _read(walk: _Walk, index: int, facts: frozenset[Fact]) -> None:
    """What a condition read now replaces what it read before, in the index of readers."""
    for fact in walk.reads[index] - facts:
        readers = walk.readers[fact]
        readers.discard(index)
        if not readers:
            del walk.readers[fact]
    for fact in facts - walk.reads[index]:
        walk.readers.setdefault(fact, set()).add(index)
    walk.reads[index] = facts


def _path_of(walk: _Walk) -> Path:
    skipped = walk.skipped
    questions = tuple(q for q in walk.questionnaire.questions if q.id not in skipped)
    return Path(questions, {question.id: index for index, question in enumerate(questions)})
