"""Skip logic kept up to date answer by answer must give, after every change however it is made,
the path a walk from the start gives; and an answer no condition reads must decide nothing again."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest

from ketascreen import answering as rules
from ketascreen import skiplogic
from ketascreen.loading.load import Source, bundled_ids, load_source
from ketascreen.model import Question, Questionnaire
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, Answers, Session
from pathwalk import walked_from_the_start

# Chains of skips (a question not asked decides the next one), sections that open and close on
# answers of sections that are themselves skipped, a gated score in a condition, "answered", and
# conditions on a question whose section may be skipped.
CHAINS = """\
format: 1
id: chains
title: Chains
version: "1.0"
language: en
scales:
  often:
    - {score: 0, label: Never}
    - {score: 1, label: Sometimes}
    - {score: 2, label: Often}
sections:
  - id: one
    title: One
    questions:
      - {id: a, type: yes_no, text: A?}
      - {id: b, type: integer, text: B?, min: 0, max: 10, when: {question: a, equals: true}}
      - {id: c, type: yes_no, text: C?, when: {question: b, at_least: 5}}
      - {id: d, type: yes_no, text: D?, when: {not: {question: c, equals: true}}}
      - {id: gate, type: yes_no, text: Gate?}
      - {id: item_a, type: scale, scale: often, text: Item a?}
      - {id: item_b, type: scale, scale: often, text: Item b?}
  - id: two
    title: Two
    when: {any: [{question: d, equals: true}, {question: c, equals: true}]}
    questions:
      - {id: e, type: yes_no, text: E?}
      - {id: f, type: integer, text: F?, min: 0, max: 10, when: {question: e, equals: true}}
      - {id: g, type: text, text: G?, required: false, when: {question: f, answered: true}}
  - id: three
    title: Three
    when: {not: {question: f, below: 3}}
    questions:
      - {id: h, type: yes_no, text: H?, when: {score: total, at_least: 2}}
      - {id: i, type: yes_no, text: I?, when: {all: [{question: h, not_equals: true}, {question: g, answered: false}]}}
      - {id: j, type: yes_no, text: J?}
  - id: four
    title: Four
    when: {question: i, equals: true}
    questions:
      - {id: k, type: yes_no, text: K?, when: {question: j, equals: true}}
      - {id: l, type: yes_no, text: L?}
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
def chains(tmp_path: Path) -> Source:
    path = tmp_path / "chains.yaml"
    path.write_text(CHAINS, encoding="utf-8")
    return load_source(str(path))


def new_session(source: Source) -> Session:
    q = source.questionnaire
    return Session("test-test", "path", "T", q.id, q.version, q.sha256, str(source.path), source.text)


def some_answer(question: Question, rng: random.Random) -> Answer:
    roll = rng.random()
    if roll < 0.1:
        return Answer(UNKNOWN, None, "t")
    if roll < 0.15:
        return Answer(DECLINED, None, "t")
    if question.type == "yes_no":
        return Answer(VALUE, rng.random() < 0.5, "t")
    if question.type == "integer":
        return Answer(VALUE, rng.choice([0, 2, 3, 4, 5, 9]), "t")
    if question.type == "scale":
        return Answer(VALUE, rng.choice([0, 1, 2]), "t")
    return Answer(VALUE, "some words", "t")


def change_somehow(questionnaire: Questionnaire, session: Session, rng: random.Random) -> None:
    """One change to the answers, the way the interview makes it or any other way a dict allows."""
    question = rng.choice(questionnaire.questions)
    given = some_answer(question, rng)
    answers = session.answers
    way = rng.randrange(9)
    if way <= 2:
        rules.answer(questionnaire, session, question, given, "T")
    elif way == 3:
        answers[question.id] = given
    elif way == 4:
        answers.pop(question.id, None)
    elif way == 5 and question.id in answers:
        del answers[question.id]
    elif way == 6:
        answers.update({question.id: given, rng.choice(questionnaire.questions).id: Answer(VALUE, True, "t")})
    elif way == 7:
        answers.setdefault(question.id, given)
    elif rng.random() < 0.1:
        answers.clear()
    else:
        session.forget(question.id, "T", reason="test")


@pytest.mark.parametrize("seed", range(60))
def test_the_kept_path_is_the_walked_one_after_every_change(chains: Source, seed: int) -> None:
    questionnaire = chains.questionnaire
    session = new_session(chains)
    rng = random.Random(seed)
    lengths = set()
    for _ in range(80):
        change_somehow(questionnaire, session, rng)
        found = [q.id for q in rules.asked_questions(questionnaire, session)]
        assert found == walked_from_the_start(questionnaire, session)
        assert [q.id for q in skiplogic.full_walk(questionnaire, session)] == found
        lengths.add(len(found))
    assert len(lengths) >= 4, "the changes moved the path about, or this test proves little"


@pytest.mark.parametrize("name", bundled_ids())
@pytest.mark.parametrize("seed", range(8))
def test_the_bundled_questionnaires_too(name: str, seed: int) -> None:
    source = load_source(name)
    questionnaire = source.questionnaire
    session = new_session(source)
    rng = random.Random(seed)
    for _ in range(120):
        change_somehow(questionnaire, session, rng)
        assert [q.id for q in rules.asked_questions(questionnaire, session)] == walked_from_the_start(questionnaire, session)


def test_answers_put_in_place_of_the_old_ones_are_walked_afresh(chains: Source) -> None:
    questionnaire = chains.questionnaire
    session = new_session(chains)
    for qid, value in (("a", True), ("b", 7), ("c", True)):
        rules.answer(questionnaire, session, questionnaire.question(qid), Answer(VALUE, value, "t"), "T")
    assert "e" in rules.path_positions(questionnaire, session)
    replaced = copy.copy(session)
    replaced.answers = {"a": Answer(VALUE, False, "t")}  # a plain dict: no record of changes
    assert not isinstance(replaced.answers, Answers)
    assert [q.id for q in rules.asked_questions(questionnaire, replaced)] == walked_from_the_start(questionnaire, replaced)
    replaced.answers["a"] = Answer(VALUE, True, "t")
    replaced.answers["b"] = Answer(VALUE, 9, "t")
    assert [q.id for q in rules.asked_questions(questionnaire, replaced)] == walked_from_the_start(questionnaire, replaced)
    session.answers = Answers({"a": Answer(VALUE, False, "t")})  # another record: the old one tells nothing
    assert [q.id for q in rules.asked_questions(questionnaire, session)] == walked_from_the_start(questionnaire, session)


def test_an_answer_no_condition_reads_decides_nothing_again(chains: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    questionnaire = chains.questionnaire
    session = new_session(chains)
    rules.answer(questionnaire, session, questionnaire.question("a"), Answer(VALUE, True, "t"), "T")
    before = rules.path_positions(questionnaire, session)
    decided: list[int] = []
    real = skiplogic._evaluate
    monkeypatch.setattr(skiplogic, "_evaluate", lambda walk, s, index: decided.append(index) or real(walk, s, index))
    for qid, value in (("l", True), ("j", False), ("e", True)):  # no condition reads l; j and e are read
        rules.answer(questionnaire, session, questionnaire.question(qid), Answer(VALUE, value, "t"), "T")
        if qid == "l":
            assert decided == []
            assert rules.path_positions(questionnaire, session) is before  # the same path, the same object
    assert decided, "answers a condition reads are decided again"
    assert len(decided) < 6  # the conditions that read them, not every condition


def test_a_section_that_opens_again_has_its_questions_decided_before_later_ones(tmp_path: Path) -> None:
    """Every question of the section has a condition of its own: when the section opens again they
    must be decided before a later condition that reads whether they are asked."""
    path = tmp_path / "reopened.yaml"
    path.write_text("""\
format: 1
id: reopened
title: Reopened
version: "1.0"
language: en
sections:
  - id: one
    title: One
    questions:
      - {id: a1, type: yes_no, text: A1?}
  - id: two
    title: Two
    when: {question: a1, equals: true}
    questions:
      - {id: b1, type: yes_no, text: B1?, when: {question: a1, equals: true}}
  - id: three
    title: Three
    questions:
      - {id: c1, type: text, text: C1?, when: {any: [{question: a1, equals: false}, {question: b1, equals: false}]}}
""", encoding="utf-8")
    source = load_source(str(path))
    questionnaire = source.questionnaire
    session = new_session(source)
    rules.answer(questionnaire, session, questionnaire.question("a1"), Answer(VALUE, False, "t"), "T")
    rules.answer(questionnaire, session, questionnaire.question("c1"), Answer(VALUE, "plans", "t"), "T")
    removed = rules.answer(questionnaire, session, questionnaire.question("a1"), Answer(VALUE, True, "t"), "T")
    assert removed == []  # b1 is asked and open: c1 may still be asked, and its answer stays
    assert [q.id for q in rules.asked_questions(questionnaire, session)] == ["a1", "b1", "c1"]


def random_questionnaire(rng: random.Random) -> str:
    """Sections and questions that may each have a condition on any earlier question (yes/no or
    a number), of every form a condition takes."""
    lines = ['format: 1', 'id: generated', 'title: Generated', 'version: "1.0"', 'language: en', 'sections:']
    earlier: list[tuple[str, str]] = []

    def condition(depth: int = 0) -> str:
        roll = rng.random()
        if depth < 2 and roll < 0.25:
            parts = ", ".join(condition(depth + 1) for _ in range(rng.randint(2, 3)))
            return f"{{{rng.choice(['any', 'all'])}: [{parts}]}}"
        if depth < 2 and roll < 0.35:
            return f"{{not: {condition(depth + 1)}}}"
        qid, kind = rng.choice(earlier)
        if roll < 0.45:
            return f"{{question: {qid}, answered: {rng.choice(['true', 'false'])}}}"
        if kind == "integer":
            return f"{{question: {qid}, {rng.choice(['at_least', 'below'])}: {rng.randint(1, 4)}}}"
        return f"{{question: {qid}, equals: {rng.choice(['true', 'false'])}}}"

    for number in range(rng.randint(3, 6)):
        lines += [f"  - id: s{number}", f"    title: S{number}"]
        if earlier and rng.random() < 0.45:
            lines.append(f"    when: {condition()}")
        lines.append("    questions:")
        for _ in range(rng.randint(1, 4)):
            qid, kind = f"q{len(earlier)}", rng.choice(["yes_no", "yes_no", "integer"])
            extra = ", min: 0, max: 5" if kind == "integer" else ""
            when = f", when: {condition()}" if earlier and rng.random() < 0.55 else ""
            lines.append(f"      - {{id: {qid}, type: {kind}, text: {qid}?, required: false{extra}{when}}}")
            earlier.append((qid, kind))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(40))
def test_generated_questionnaires_keep_the_walked_path(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for number in range(6):
        path = tmp_path / f"generated-{number}.yaml"
        path.write_text(random_questionnaire(rng), encoding="utf-8")
        source = load_source(str(path))
        questionnaire = source.questionnaire
        session = new_session(source)
        for _ in range(40):
            question = rng.choice(questionnaire.questions)
            value: object = rng.random() < 0.5 if question.type == "yes_no" else rng.randint(0, 5)
            given = Answer(VALUE, value, "t") if rng.random() < 0.85 else Answer(UNKNOWN, None, "t")  # type: ignore[arg-type]
            if rng.random() < 0.7:
                rules.answer(questionnaire, session, question, given, "T")
            elif rng.random() < 0.5:
                session.answers[question.id] = given
            else:
                session.answers.pop(question.id, None)
            assert [q.id for q in rules.asked_questions(questionnaire, session)] == walked_from_the_start(questionnaire, session)


def test_a_deep_copy_of_a_session_keeps_a_record_that_matches_what_was_worked_out(chains: Source) -> None:
    questionnaire = chains.questionnaire
    session = new_session(chains)
    rules.answer(questionnaire, session, questionnaire.question("a"), Answer(VALUE, True, "t"), "T")
    rules.path_positions(questionnaire, session)
    copied = copy.deepcopy(session)
    assert isinstance(copied.answers, Answers) and copied.answers.changes == session.answers.changes
    copied.answers["b"] = Answer(VALUE, 7, "t")
    assert session.answers.changes != copied.answers.changes
    assert [q.id for q in rules.asked_questions(questionnaire, copied)] == \
        walked_from_the_start(questionnaire, copied)
