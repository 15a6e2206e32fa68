"""The interview's notices come from flags worked out again only where an answer changed: after
every single answer they must equal what a full evaluation of the session gives, flag for flag,
word for word and in the same order, whatever the order of the answers and however earlier
answers are changed (which takes later ones off the path)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from conftest import ROOT
from ketascreen import answering as rules
from ketascreen import notices
from ketascreen.attention import ACKNOWLEDGED, pressing, unacknowledged_urgent
from ketascreen.evaluate import FlagResult, evaluate_session
from ketascreen.interview import Interview, Screen
from ketascreen.loading.load import Source, bundled_ids, load_source
from ketascreen.model import AllOf, Answered, AnyOf, Compare, Condition, Not, Question, Questionnaire, Severity
from ketascreen.notices import pressing_findings
from ketascreen.scenarios import SCENARIOS_DIR, prepare_scenarios
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, Session
from ketascreen.store import Store
from pathwalk import walked_from_the_start

SCENARIO_FILES = sorted({path.name: path for directory in (ROOT / "questionnaires" / "scenarios", SCENARIOS_DIR)
                         for path in directory.glob("*.yaml")}.values())


def full(questionnaire: Questionnaire, session: Session, language: str | None = None) -> dict[str, FlagResult]:
    return pressing(evaluate_session(questionnaire, session, language, history=False, detail=False))


def assert_same(questionnaire: Questionnaire, session: Session, language: str | None = None) -> dict[str, FlagResult]:
    found = pressing_findings(questionnaire, session, language)
    expected = full(questionnaire, session, language)
    assert list(found) == list(expected)  # the same flags in the same order
    assert found == expected  # the same status, evidence, cover and details
    return found


def new_session(source: Source) -> Session:
    q = source.questionnaire
    return Session("test-test", "notices", "T", q.id, q.version, q.sha256, str(source.path), source.text)


def conditions(questionnaire: Questionnaire) -> list[Condition]:
    found: list[Condition] = []
    for flag in questionnaire.flags:
        found += [flag.when, *(d.when for d in flag.details)]
    for score in questionnaire.scores:
        found += [n.when for n in score.notes] + ([score.zero_when] if score.zero_when else [])
    for section in questionnaire.sections:
        found += [section.when] if section.when else []
        found += [q.when for q in section.questions if q.when]
    return found


def thresholds(questionnaire: Questionnaire) -> dict[str, list[object]]:
    """For each question, the values conditions compare it with, and the numbers either side:
    random answers then fall on both sides of every rule."""
    found: dict[str, list[object]] = {}
    for part in (leaf for condition in conditions(questionnaire) for leaf in leaves(condition)):
        if isinstance(part, Compare) and part.subject == "question":
            values = part.value if isinstance(part.value, tuple) else (part.value,)
            for value in values:
                found.setdefault(part.ref, []).append(value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    found[part.ref] += [value - 1, value + 1]
        elif isinstance(part, Answered):
            found.setdefault(part.ref, [])
    return found


def leaves(condition: Condition) -> Iterator[Condition]:
    """The comparisons, answered tests and flag references a condition is made of (flags not followed)."""
    if isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from leaves(part)
    elif isinstance(condition, Not):
        yield from leaves(condition.part)
    else:
        yield condition


def _refs(condition: Condition) -> list[str]:
    """The questions a condition names itself."""
    return [part.ref for part in leaves(condition)
            if isinstance(part, Answered) or (isinstance(part, Compare) and part.subject == "question")]


def random_answer(question: Question, near: dict[str, list[object]], rng: random.Random) -> Answer:
    if question.accepts_unknown and rng.random() < 0.08:
        return Answer(UNKNOWN, at="t")
    if question.accepts_declined and rng.random() < 0.05:
        return Answer(DECLINED, at="t")
    kind = question.type
    candidates = [v for v in near.get(question.id, []) if not isinstance(v, str) or kind in ("choice", "date", "text")]
    if kind == "yes_no":
        value: object = rng.random() < 0.5
    elif kind == "choice":
        value = rng.choice(question.choices).code
    elif kind == "multi_choice":
        value = tuple(c.code for c in question.choices if rng.random() < 0.3)
    elif kind == "scale":
        value = rng.choice(question.options).score
    elif kind in ("integer", "number"):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 300
        numbers = [v for v in candidates if isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high]
        value = rng.choice(numbers) if numbers and rng.random() < 0.7 else rng.randint(int(low), int(high))
        value = int(value) if kind == "integer" else value
    elif kind == "date":
        value = f"20{rng.randint(20, 27)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    else:
        value = "none"
    return Answer(VALUE, value, "t")  # type: ignore[arg-type]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_scenario_answer_by_answer_in_two_orders(path: Path) -> None:
    source, prepared = prepare_scenarios(path)
    questionnaire = source.questionnaire
    order = {q.id: i for i, q in enumerate(questionnaire.questions)}
    shown = 0
    for number, scenario in enumerate(prepared):
        forward = sorted(scenario.answers, key=order.__getitem__)
        shuffled = forward[:]
        random.Random(number).shuffle(shuffled)
        for ids in (forward, shuffled):
            session = new_session(source)
            assert_same(questionnaire, session)
            for qid in ids:
                rules.answer(questionnaire, session, questionnaire.question(qid), scenario.answers[qid], "T")
                shown += len(assert_same(questionnaire, session))
    assert shown, "the scenarios raise pressing flags, or this test proves little"


@pytest.mark.parametrize("name", bundled_ids())
@pytest.mark.parametrize("seed", range(12))
def test_random_interviews_with_changes_and_set_aside_answers(name: str, seed: int) -> None:
    source = load_source(name)
    questionnaire = source.questionnaire
    near = thresholds(questionnaire)
    rng = random.Random(seed)
    session = new_session(source)
    raised = 0
    for _ in range(160):
        path = rules.asked_questions(questionnaire, session)
        roll = rng.random()
        if roll < 0.55:  # the next question, as in an interview
            question = rules.first_open(questionnaire, session) or rng.choice(path)
        elif roll < 0.85:  # back to an earlier answer and change it: skip logic may set later ones aside
            question = rng.choice(path)
        elif roll < 0.92 and session.answers:  # an answer taken away
            session.forget(rng.choice(sorted(session.answers)), "T", reason="test")
            raised += len(assert_same(questionnaire, session))
            continue
        else:  # an answer put in without skip logic re-applied (as an answers file holds them)
            question = rng.choice(questionnaire.questions)
            session.answers[question.id] = random_answer(question, near, rng)
            raised += len(assert_same(questionnaire, session))
            continue
        rules.answer(questionnaire, session, question, random_answer(question, near, rng), "T")
        raised += len(assert_same(questionnaire, session))
        assert [q.id for q in rules.asked_questions(questionnaire, session)] == walked_from_the_start(questionnaire, session)
    assert raised or not any(f.severity in notices.PRESSING for f in questionnaire.flags)


def test_the_language_of_the_words_is_the_one_asked_for() -> None:
    source = load_source("ketamine-pretreatment")
    questionnaire = source.questionnaire
    near = thresholds(questionnaire)
    rng = random.Random(7)
    session = new_session(source)
    for step in range(120):
        question = rules.first_open(questionnaire, session) or rng.choice(rules.asked_questions(questionnaire, session))
        rules.answer(questionnaire, session, question, random_answer(question, near, rng), "T")
        assert_same(questionnaire, session, "es" if step % 3 == 0 else None)


def test_a_session_on_another_questionnaire_starts_afresh() -> None:
    first, second = load_source("ketamine-pretreatment"), load_source("ketamine-predose")
    session = new_session(first)
    for question in rules.asked_questions(first.questionnaire, session)[:20]:
        rules.answer(first.questionnaire, session, question, random_answer(question, {}, random.Random(1)), "T")
    assert_same(first.questionnaire, session)
    assert_same(second.questionnaire, session)
    assert_same(first.questionnaire, session)


def rule_questions(questionnaire: Questionnaire) -> set[str]:
    """Every question any flag or score condition, item or shown answer names."""
    found: set[str] = set()

    def walk(condition: Condition) -> None:
        found.update(_refs(condition))

    for flag in questionnaire.flags:
        walk(flag.when)
        for detail in flag.details:
            walk(detail.when)
        found.update(flag.shows)
    for score in questionnaire.scores:
        found.update(score.items)
        if score.zero_when:
            walk(score.zero_when)
    return found


def test_an_answer_no_rule_reads_works_out_no_flag_again(monkeypatch: pytest.MonkeyPatch) -> None:
    source = load_source("ketamine-pretreatment")
    questionnaire = source.questionnaire
    session = new_session(source)
    read = rule_questions(questionnaire)
    skip_logic = {q for c in conditions(questionnaire) for q in _refs(c)}
    quiet = next(q for q in questionnaire.questions if q.id not in read and q.id not in skip_logic)
    watched = next(q for f in questionnaire.flags if f.severity is Severity.URGENT for q in _refs(f.when))
    assert_same(questionnaire, session)
    calls: list[Condition] = []
    evaluate = notices.evaluate

    def counting(condition: Condition, facts: notices.Facts) -> notices.Truth:
        calls.append(condition)
        return evaluate(condition, facts)

    monkeypatch.setattr(notices, "evaluate", counting)
    rules.answer(questionnaire, session, quiet, random_answer(quiet, {}, random.Random(2)), "T")
    assert_same(questionnaire, session)
    assert calls == []
    rules.answer(questionnaire, session, questionnaire.question(watched), Answer(UNKNOWN, at="t"), "T")
    assert_same(questionnaire, session)
    assert 0 < len(calls) < sum(f.severity in notices.PRESSING for f in questionnaire.flags)


TANGLED = """\
# Skip logic, flags that name flags, covers, a gated score and shown answers: every way a flag's
# result can depend on an answer it does not name itself.
format: 1
id: tangled
title: Tangled
version: "1.0"
language: en
scales:
  often:
    - {score: 0, label: Never}
    - {score: 1, label: Sometimes}
    - {score: 2, label: Often}
sections:
  - id: first
    title: First
    questions:
      - id: lead
        type: yes_no
        text: Lead-in?
      - id: follow
        type: integer
        text: How many?
        min: 0
        max: 10
        when: {question: lead, equals: true}
      - id: gate
        type: yes_no
        text: Any trouble at all?
      - id: item_a
        type: scale
        scale: often
        text: Item a?
      - id: item_b
        type: scale
        scale: often
        text: Item b?
      - id: pressure
        type: integer
        text: Pressure?
        min: 50
        max: 250
      - id: listed
        type: text
        text: Which ones?
        required: false
  - id: later
    title: Later
    when: {question: gate, not_equals: false}
    questions:
      - id: later_q
        type: yes_no
        text: Later question?
      - id: score_follow
        type: yes_no
        text: Asked on a high total?
        when: {score: total, at_least: 2}
flags:
  - id: base
    severity: precaution
    label: Base finding
    explanation: Named by other flags.
    source: Test
    when: {question: pressure, above: 160}
  - id: severe_pressure
    severity: urgent
    label: Severe pressure
    explanation: Very high.
    source: Test
    staff_instruction: Recheck now.
    when:
      all:
        - {flag: base}
        - {question: pressure, above: 200}
  - id: high_pressure
    severity: contraindication
    label: High pressure
    explanation: Named flag only.
    source: Test
    covered_by: [severe_pressure]
    shows: [listed]
    when: {flag: base}
    details:
      - when: {question: lead, equals: true}
        text: With the lead-in.
  - id: not_followed
    severity: urgent
    label: No follow-up count
    explanation: True when the follow-up is not asked.
    source: Test
    when: {not: {question: follow, above: 5}}
  - id: scored
    severity: contraindication
    label: Score high
    explanation: From the score only.
    source: Test
    when: {score: total, at_least: 3}
  - id: later_missing
    severity: contraindication
    label: Later not answered
    explanation: Reads a question a section gate takes off the path.
    source: Test
    when:
      any:
        - {not: {question: later_q, equals: false}}
        - {question: listed, answered: true}
        - {question: score_follow, equals: true}
scores:
  - id: total
    label: Total
    items: [item_a, item_b]
    zero_when: {question: gate, equals: false}
    bands:
      - {min: 0, max: 1, label: low}
      - {min: 2, max: 4, label: high}
"""


@pytest.fixture
def tangled(tmp_path: Path) -> Source:
    path = tmp_path / "tangled.yaml"
    path.write_text(TANGLED, encoding="utf-8")
    return load_source(str(path))


def test_a_question_skip_logic_takes_off_the_path_changes_the_notices(tangled: Source) -> None:
    questionnaire = tangled.questionnaire
    session = new_session(tangled)
    assert "not_followed" not in assert_same(questionnaire, session)  # the follow-up is asked, unanswered
    rules.answer(questionnaire, session, questionnaire.question("lead"), Answer(VALUE, False, "t"), "T")
    assert "not_followed" in assert_same(questionnaire, session)  # not asked: no count above 5
    rules.answer(questionnaire, session, questionnaire.question("lead"), Answer(VALUE, True, "t"), "T")
    assert "not_followed" not in assert_same(questionnaire, session)


def test_a_flag_named_by_another_and_a_score_carry_their_answers_with_them(tangled: Source) -> None:
    questionnaire = tangled.questionnaire
    session = new_session(tangled)
    for qid, value in (("gate", True), ("pressure", 170), ("item_a", 2), ("item_b", 1)):
        rules.answer(questionnaire, session, questionnaire.question(qid), Answer(VALUE, value, "t"), "T")
        assert_same(questionnaire, session)
    assert {"high_pressure", "scored"} <= set(assert_same(questionnaire, session))
    for qid, value in (("pressure", 210), ("listed", "these"), ("pressure", 120), ("item_b", 0), ("gate", False)):
        rules.answer(questionnaire, session, questionnaire.question(qid), Answer(VALUE, value, "t"), "T")
        assert_same(questionnaire, session)
    assert not {"high_pressure", "severe_pressure", "scored"} & set(assert_same(questionnaire, session))


@pytest.mark.parametrize("seed", range(40))
def test_random_answers_to_a_tangled_questionnaire(tangled: Source, seed: int) -> None:
    questionnaire = tangled.questionnaire
    near = thresholds(questionnaire)
    rng = random.Random(seed)
    session = new_session(tangled)
    for _ in range(60):
        question = rng.choice(questionnaire.questions)
        given = random_answer(question, near, rng)
        if rng.random() < 0.15 and question.id in session.answers:
            session.forget(question.id, "T", reason="test")
        elif rng.random() < 0.2:
            session.answers[question.id] = given
        else:
            rules.answer(questionnaire, session, question, given, "T")
        assert_same(questionnaire, session)
        # The path's memo reads the score items only when a condition reads a score: the same path.
        assert [q.id for q in rules.asked_questions(questionnaire, session)] == walked_from_the_start(questionnaire, session)


class Recording(Interview):
    """The interview with its notices noted rather than shown; an urgent one is acknowledged."""

    shown: list[tuple[str, FlagResult]]

    def urgent_notice(self, result: FlagResult) -> None:
        self.shown.append(("urgent", result))
        self.session.log(ACKNOWLEDGED, self.by, flag=result.flag.id)

    def contraindication_notice(self, result: FlagResult) -> None:
        self.shown.append(("contraindication", result))


def expected_notices(questionnaire: Questionnaire, session: Session, before: set[str] | None) -> tuple[list[tuple[str, FlagResult]], set[str]]:
    """The notices as a full evaluation after every answer decides them."""
    evaluation = evaluate_session(questionnaire, session, None, history=False)
    now = pressing(evaluation)
    if before is None:
        fresh = unacknowledged_urgent(evaluation) + [r for r in now.values() if r.flag.severity is Severity.CONTRAINDICATION]
    else:
        fresh = [r for fid, r in now.items() if fid not in before]
    ordered = sorted(fresh, key=lambda r: r.flag.severity.rank)
    return [("urgent" if r.flag.severity is Severity.URGENT else "contraindication", r) for r in ordered], set(now)


@pytest.mark.parametrize("seed", range(6))
def test_the_interview_shows_the_notices_a_full_evaluation_would(tmp_path: Path, seed: int) -> None:
    source = load_source("ketamine-pretreatment")
    questionnaire = source.questionnaire
    near = thresholds(questionnaire)
    rng = random.Random(seed)
    session = new_session(source)
    # A sitting taken up again: answers from before, one urgent flag acknowledged then.
    for question in rules.asked_questions(questionnaire, session)[: rng.randint(0, 60)]:
        rules.answer(questionnaire, session, question, random_answer(question, near, rng), "T")
    raised_before = [r for r in full(questionnaire, session).values() if r.flag.severity is Severity.URGENT]
    if raised_before and seed % 2:
        session.log(ACKNOWLEDGED, "T", flag=raised_before[0].flag.id)
    screen = Screen(Console(file=StringIO(), width=80), plain=True)
    interview = Recording(screen, questionnaire, session, Store(tmp_path), None, "T")
    interview.shown = []
    before: set[str] | None = None
    for _ in range(100):
        expected, now = expected_notices(questionnaire, session, before)
        interview.shown.clear()
        interview.attend_to_findings()
        assert interview.shown == expected
        before = now
        path = rules.asked_questions(questionnaire, session)
        question = (rules.first_open(questionnaire, session) if rng.random() < 0.7 else None) or rng.choice(path)
        rules.answer(questionnaire, session, question, random_answer(question, near, rng), "T")
