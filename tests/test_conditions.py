"""Three-valued conditions: Kleene truth tables, unknown answers, and comparisons that cannot lie."""

from __future__ import annotations

import itertools

import pytest
from ketascreen.conditions import Facts, Truth, all_of, any_of, compare, evaluate
from ketascreen.model import AllOf, Answered, AnyOf, Compare, Not

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN


def facts(answers: dict, scores: dict | None = None) -> Facts:
    return Facts(answers.get, (scores or {}).get)


@pytest.mark.parametrize("a, b, expected", [
    (T, T, T), (T, F, F), (T, U, U), (F, T, F), (F, F, F), (F, U, F), (U, T, U), (U, F, F), (U, U, U),
])
def test_all_of_is_kleene_and(a: Truth, b: Truth, expected: Truth) -> None:
    assert all_of([a, b]) is expected


@pytest.mark.parametrize("a, b, expected", [
    (T, T, T), (T, F, T), (T, U, T), (F, T, T), (F, F, F), (F, U, U), (U, T, T), (U, F, U), (U, U, U),
])
def test_any_of_is_kleene_or(a: Truth, b: Truth, expected: Truth) -> None:
    assert any_of([a, b]) is expected


def test_not_keeps_unknown_unknown() -> None:
    assert (T.negate(), F.negate(), U.negate()) == (F, T, U)


def test_empty_combinations_are_the_identities() -> None:
    assert all_of([]) is T and any_of([]) is F


def test_truth_cannot_be_used_as_a_plain_bool() -> None:
    with pytest.raises(TypeError):
        bool(U)
    with pytest.raises(TypeError):
        if T:  # noqa: SIM108 - the point is that this raises
            pass


HIGH_BP = AnyOf((Compare("question", "bp_systolic", "above", 180), Compare("question", "bp_diastolic", "above", 100)))


@pytest.mark.parametrize("systolic, diastolic, expected", [
    (184, 80, T), (120, 104, T), (120, 80, F), (180, 100, F),
    (184, None, T),   # one reading above the line is enough
    (120, None, U),   # the other might be: not assessable, never "clear"
    (None, None, U),
])
def test_blood_pressure_rule_with_missing_readings(systolic, diastolic, expected) -> None:
    answers = {k: v for k, v in (("bp_systolic", systolic), ("bp_diastolic", diastolic)) if v is not None}
    assert evaluate(HIGH_BP, facts(answers)) is expected


def test_elevated_but_not_uncontrolled() -> None:
    elevated = AllOf((
        AnyOf((Compare("question", "bp_systolic", "above", 140), Compare("question", "bp_diastolic", "above", 90))),
        Not(HIGH_BP),
    ))
    assert evaluate(elevated, facts({"bp_systolic": 150, "bp_diastolic": 85})) is T
    assert evaluate(elevated, facts({"bp_systolic": 190, "bp_diastolic": 85})) is F
    assert evaluate(elevated, facts({"bp_systolic": 130, "bp_diastolic": 85})) is F
    assert evaluate(elevated, facts({"bp_systolic": 150})) is U


def test_score_comparisons_are_unknown_when_the_score_is_incomplete() -> None:
    severe = Compare("score", "phq9_total", "at_least", 20)
    assert evaluate(severe, facts({}, {"phq9_total": 21})) is T
    assert evaluate(severe, facts({}, {"phq9_total": 19})) is F
    assert evaluate(severe, facts({}, {})) is U


def test_answered_is_never_unknown() -> None:
    assert evaluate(Answered("notes", True), facts({"notes": "x"})) is T
    assert evaluate(Answered("notes", True), facts({})) is F
    assert evaluate(Answered("notes", False), facts({})) is T


@pytest.mark.parametrize("actual, operator, expected, result", [
    (True, "equals", True, True), (True, "equals", 1, None), (1, "equals", True, None),
    (False, "equals", 0, None), (0, "not_equals", False, None), (True, "not_equals", False, True),
    (3, "above", 2, True), (2, "above", 2, False), (2, "at_least", 2, True), (2, "below", 3, True),
    (3, "at_most", 3, True), (2.5, "above", 2, True),
    (True, "above", 0, None),  # a yes is not a number
    ("iv", "one_of", ("iv", "nasal"), True), ("oral", "one_of", ("iv", "nasal"), False),
    (("latex", "penicillin"), "includes", "latex", True), (("penicillin",), "includes", "latex", False),
    ("2019-05-01", "below", "2020-01-01", True), ("2021-05-01", "below", "2020-01-01", False),
    ("10", "above", 9, None), ("iv", "one_of", ("iv", 2), None), (5, "includes", "x", None),
])
def test_compare(actual, operator, expected, result) -> None:
    assert compare(actual, operator, expected) is result


def test_a_value_of_the_wrong_kind_is_unknown_not_false() -> None:
    """A hand-edited session with "200" (text) for a blood pressure must not read as 'not raised'."""
    assert evaluate(HIGH_BP, facts({"bp_systolic": "200", "bp_diastolic": 80})) is U
    assert evaluate(Compare("question", "smoker", "equals", True), facts({"smoker": 1})) is U


def test_every_combination_of_three_parts_matches_the_definition() -> None:
    """Kleene logic as arithmetic: F=0, U=1/2, T=1; AND is min, OR is max."""
    rank = {F: 0, U: 1, T: 2}
    for parts in itertools.product((T, F, U), repeat=3):
        assert rank[all_of(parts)] == min(rank[p] for p in parts)
        assert rank[any_of(parts)] == max(rank[p] for p in parts)


def test_a_question_skip_logic_did_not_ask_does_not_apply() -> None:
    plan = Compare("question", "plan", "equals", True)
    skipped = Facts({}.get, {}.get, {"plan"}.__contains__)
    assert evaluate(plan, skipped) is F
    assert evaluate(Not(plan), skipped) is T
    assert evaluate(plan, facts({})) is U  # on the path but not answered: unknown
