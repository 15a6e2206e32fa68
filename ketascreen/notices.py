"""The urgent and contraindication flags raised, as the answers come in: what the interview's
notices are made of, the same results a full evaluation of the session gives.

After every answer the interview needs these flags again. Working out every flag of the
questionnaire each time made an answer cost more the longer the questionnaire, so each flag's
result is kept with the facts its rule read (answers, and whether skip logic left a question
unasked), through the flags and scores it names; it is worked out again only when one of those
facts has changed. What changed is read from the answers' own record of changes (every way of
changing them is noted there), or, for answers that keep none, found by comparing them with a copy
of them as they were last time; the path is compared with the path then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not

from ketascreen.answering import path_positions
from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.evaluate import FlagResult, raised_result
from ketascreen.model import Flag, Questionnaire, Score, Severity, Value
from ketascreen.scoring import ScoreResult, compute_score, item_ceiling
from ketascreen.session import Answer, Answers, Session

PRESSING = (Severity.URGENT, Severity.CONTRAINDICATION)
MEMO_KEY = "pressing"

# A fact a rule can read: ("answer", question id) is the question's answer, ("skipped", question
# id) whether skip logic left it unasked.
Fact = tuple[str, str]


@dataclass
class _Known:
    """A flag's truth with the facts it was decided on and, for a pressing flag whose rule holds,
    its result with the facts the result's words read too."""

    truth: Truth
    reads: frozenset[Fact]
    result: FlagResult | None = None
    result_reads: frozenset[Fact] = frozenset()


@dataclass
class _Memo:
    questionnaire: Questionnaire
    language: str | None
    answers: dict[str, Answer]  # the session's answers, or a copy of them when they keep no record of changes
    seen: int  # the changes to them taken in
    position: dict[str, int]  # the path then (path_positions' object)
    flags: dict[str, Flag]
    order: dict[str, int]  # flag id -> its place in the questionnaire
    scores: dict[str, Score]
    known: dict[str, _Known] = field(default_factory=dict)
    readers: dict[Fact, set[str]] = field(default_factory=dict)  # fact -> flags whose results read it
    pending: set[str] = field(default_factory=set)  # pressing flags without a result worked out
    shown: dict[str, FlagResult] = field(default_factory=dict)  # pressing flags raised or covered


def pressing_findings(questionnaire: Questionnaire, session: Session, language: str | None = None) -> dict[str, FlagResult]:
    """Urgent and contraindication flags raised now (covered ones included), by id, in
    questionnaire order: equal to ``attention.pressing(evaluate_session(questionnaire, session,
    language))``, results and order alike. Kept in ``session.memo`` between calls."""
    memo = session.memo.get(MEMO_KEY)
    position = path_positions(questionnaire, session)
    if (not isinstance(memo, _Memo) or memo.questionnaire is not questionnaire or memo.language != language
            # Answers put in place of the ones these results were worked out from: their record tells nothing.
            or (isinstance(memo.answers, Answers) and memo.answers is not session.answers)):
        memo = _Memo(questionnaire, language, *_as_now(session.answers), position,
                     {f.id: f for f in questionnaire.flags}, {f.id: i for i, f in enumerate(questionnaire.flags)},
                     {s.id: s for s in questionnaire.scores},
                     pending={f.id for f in questionnaire.flags if f.severity in PRESSING})
        session.memo[MEMO_KEY] = memo
    else:
        _forget(memo, _changed(memo, session.answers, position))
        (memo.answers, memo.seen), memo.position = _as_now(session.answers), position
    if memo.pending:
        _Reader(memo, session, position).work_out(sorted(memo.pending, key=memo.order.__getitem__))
        memo.pending.clear()
    return {fid: memo.shown[fid] for fid in sorted(memo.shown, key=memo.order.__getitem__)}


def _as_now(answers: dict[str, Answer]) -> tuple[dict[str, Answer], int]:
    """What to keep of the answers to tell later what changed."""
    if isinstance(answers, Answers):
        return answers, len(answers.changes)
    return dict(answers), 0


def _changed(memo: _Memo, answers: dict[str, Answer], position: dict[str, int]) -> list[Fact]:
    """The facts that differ from the last time: answers given, changed or taken away, and questions
    that came onto the path or left it."""
    facts = _answers_changed(memo, answers)
    if position is not memo.position:
        facts += [("skipped", qid) for qid in position.keys() ^ memo.position.keys()]
    return facts


def _answers_changed(memo: _Memo, answers: dict[str, Answer]) -> list[Fact]:
    before = memo.answers
    if isinstance(before, Answers):  # the same object as now (pressing_findings sees to that)
        return [("answer", qid) for qid in before.changed_since(memo.seen)]
    # An answer is a frozen value: the same object is the same answer.
    touched = list(compress(answers, map(is_not, answers.values(), map(before.get, answers))))
    facts = [("answer", qid) for qid in touched]
    added = sum(qid not in before for qid in touched)
    if len(answers) - added != len(before):
        facts += [("answer", qid) for qid in before if qid not in answers]
    return facts


def _forget(memo: _Memo, facts: Iterable[Fact]) -> None:
    """Drop every result that read one of these facts. A flag that names another took in the facts
    that one read, so it is dropped with it."""
    stale: set[str] = set()
    for fact in facts:
        stale.update(memo.readers.get(fact, ()))
    for fid in stale:
        known = memo.known.pop(fid)
        for fact in known.reads | known.result_reads:
            readers = memo.readers[fact]
            readers.discard(fid)
            if not readers:
                del memo.readers[fact]
        memo.shown.pop(fid, None)
        if memo.flags[fid].severity in PRESSING:
            memo.pending.add(fid)


class _Reader:
    """Facts on the session, as evaluate_session builds them, that note what each rule reads."""

    def __init__(self, memo: _Memo, session: Session, position: dict[str, int]):
        self.memo, self.session, self.position = memo, session, position
        self.reading: list[set[Fact]] = [set()]
        self.highest = item_ceiling(memo.questionnaire)
        self.scores: dict[str, tuple[ScoreResult, frozenset[Fact]]] = {}  # this round's, with their reads
        self.facts = Facts(self.question_value, self.score_value, self.not_asked, self.flag_truth, self.score_range)

    def work_out(self, flag_ids: list[str]) -> None:
        memo = self.memo
        for fid in flag_ids:
            if self.flag_truth(fid) is not Truth.TRUE:
                continue
            known = memo.known[fid]
            self.reading.append(set())
            known.result = raised_result(memo.questionnaire, memo.flags[fid], self.facts, memo.language, memo.flags)
            known.result_reads = frozenset(self.reading.pop())
            self._index(fid, known.result_reads)
            memo.shown[fid] = known.result

    def _index(self, fid: str, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.memo.readers.setdefault(fact, set()).add(fid)

    def question_value(self, question_id: str) -> Value | tuple[str, ...] | None:
        self.reading[-1].add(("answer", question_id))
        return self.session.value_of(question_id)

    def not_asked(self, question_id: str) -> bool:
        self.reading[-1].add(("skipped", question_id))
        if question_id in self.position:
            return False
        try:
            self.memo.questionnaire.question(question_id)
        except KeyError:
            return False  # as in evaluate_session: only a question of this questionnaire is "not asked"
        return True

    def score(self, score_id: str) -> ScoreResult | None:
        score = self.memo.scores.get(score_id)
        if score is None:
            return None
        if score_id not in self.scores:
            self.reading.append(set())
            result = compute_score(score, self.question_value, self.highest, self.not_asked)
            self.scores[score_id] = (result, frozenset(self.reading.pop()))
        result, reads = self.scores[score_id]
        self.reading[-1].update(reads)
        return result

    def score_value(self, score_id: str) -> int | None:
        result = self.score(score_id)
        return result.value if result is not None else None

    def score_range(self, score_id: str) -> tuple[int, int] | None:
        result = self.score(score_id)
        return (result.low, result.high) if result is not None and result.value is None else None

    def flag_truth(self, flag_id: str) -> Truth:
        memo = self.memo
        flag = memo.flags.get(flag_id)
        if flag is None:
            return Truth.UNKNOWN
        known = memo.known.get(flag_id)
        if known is None:
            self.reading.append(set())
            truth = evaluate(flag.when, self.facts)
            known = _Known(truth, frozenset(self.reading.pop()))
            memo.known[flag_id] = known
            self._index(flag_id, known.reads)
        self.reading[-1].update(known.reads)
        return known.truth
