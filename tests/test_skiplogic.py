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
