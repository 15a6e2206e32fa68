"""The interview's rules without a terminal: the path through skip logic, typed answers, changes."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES
from ketascreen import answering as rules
from ketascreen.loading.load import check_file, load_source
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, Session


@pytest.fixture(scope="module")
def bundled():
    return load_source("ketamine-pretreatment")


@pytest.fixture(scope="module")
def every_type():
    questionnaire, problems = check_file(EXAMPLES / "valid" / "every-type.yaml")
    assert problems == []
    return questionnaire


def new_session(source) -> Session:
    q = source.questionnaire
    return Session("abcd-efgh", "MRN-1", "AB", q.id, q.version, q.sha256, str(source.path), source.text)


def give(source, session: Session, qid: str, typed: str) -> list[str]:
    question = source.questionnaire.question(qid)
    return rules.answer(source.questionnaire, session, question, rules.parse_typed(question, typed), "AB")


def path_ids(source, session: Session) -> list[str]:
    return [q.id for q in rules.asked_questions(source.questionnaire, session)]


def test_follow_up_asked_on_yes_and_on_unknown_but_not_on_no(bundled) -> None:
    session = new_session(bundled)
    assert "suicide_plan_or_intent" in path_ids(bundled, session)  # unanswered: ask rather than skip
    give(bundled, session, "suicidal_thoughts", "n")
    assert "suicide_plan_or_intent" not in path_ids(bundled, session)
    give(bundled, session, "suicidal_thoughts", "u")
    assert "suicide_plan_or_intent" in path_ids(bundled, session)


def test_gated_section_is_skipped_only_on_a_no(bundled) -> None:
    session = new_session(bundled)
    give(bundled, session, "pcptsd5_trauma", "n")
    assert not [q for q in path_ids(bundled, session) if q.startswith("pcptsd5_") and q != "pcptsd5_trauma"]
    give(bundled, session, "pcptsd5_trauma", "y")
    assert [q for q in path_ids(bundled, session) if q.startswith("pcptsd5_")] == ["pcptsd5_trauma"] + [f"pcptsd5_{i}" for i in range(1, 6)]


def test_changing_an_answer_sets_aside_answers_no_longer_asked_with_an_audit_entry(bundled) -> None:
    session = new_session(bundled)
    give(bundled, session, "suicidal_thoughts", "y")
    give(bundled, session, "suicide_plan_or_intent", "n")
    removed = give(bundled, session, "suicidal_thoughts", "n")
    assert removed == ["suicide_plan_or_intent"]
    assert "suicide_plan_or_intent" not in session.answers
    events = [(e["event"], e["question"]) for e in session.audit]
    assert events == [("changed", "suicidal_thoughts"), ("removed", "suicide_plan_or_intent")]
    assert session.audit[0]["old"]["value"] is True and session.audit[0]["new"]["value"] is False
    assert session.audit[1]["old"]["value"] is False


def test_unchanged_answer_is_not_an_audit_entry(bundled) -> None:
    session = new_session(bundled)
    give(bundled, session, "heart_rate", "70")
    give(bundled, session, "heart_rate", "70")
    assert session.audit == []


def test_walking_back_and_forward(bundled) -> None:
    session = new_session(bundled)
    first = rules.first_open(bundled.questionnaire, session)
    assert first.id == "bp_systolic"
    assert rules.preceding(bundled.questionnaire, session, "bp_systolic") is None
    # the re-check is asked only after a raised first reading (or one not known yet: ask rather than skip)
    assert rules.preceding(bundled.questionnaire, session, "heart_rate").id == "bp_diastolic_recheck"
    give(bundled, session, "bp_systolic", "120")
    give(bundled, session, "bp_diastolic", "80")
    assert rules.preceding(bundled.questionnaire, session, "heart_rate").id == "bp_diastolic"
    assert rules.following(bundled.questionnaire, session, "bp_diastolic").id == "heart_rate"
    give(bundled, session, "bp_diastolic", "95")
    assert rules.following(bundled.questionnaire, session, "bp_diastolic").id == "bp_systolic_recheck"
    session = new_session(bundled)
    give(bundled, session, "bp_systolic", "120")
    assert rules.first_open(bundled.questionnaire, session).id == "bp_diastolic"


def test_progress_counts_the_current_path(bundled) -> None:
    session = new_session(bundled)
    step = rules.step_at(bundled.questionnaire, session, "heart_rate")
    assert (step.position, step.total) == (5, 83)
    give(bundled, session, "bp_systolic", "120")
    give(bundled, session, "bp_diastolic", "80")
    give(bundled, session, "pcptsd5_trauma", "n")
    give(bundled, session, "suicidal_thoughts", "n")
    assert rules.step_at(bundled.questionnaire, session, "heart_rate").position == 3
    # no re-check, no PC-PTSD-5 items, no plan question; the open lead-ins still ask their follow-ups
    assert rules.step_at(bundled.questionnaire, session, "heart_rate").total == 75


@pytest.mark.parametrize("qid, typed, value", [
    ("smoker", "y", True), ("smoker", "YES", True), ("smoker", " n ", False),
    ("cigarettes", "20", 20), ("cigarettes", "20 per day", 20), ("cigarettes", "+5", 5),
    ("weight", "72.5", 72.5), ("weight", "72", 72), ("weight", "72.5 kg", 72.5),
    ("route", "2", "iv"), ("route", "nasal", "nasal"), ("route", "1", "no"),
    ("allergies", "1, 2", ("latex", "penicillin")), ("allergies", "2 1", ("latex", "penicillin")), ("allergies", "0", ()),
    ("mood", "0", 0), ("mood", "2", 2),
    ("notes", "  free text [bold]x[/bold]  ", "free text [bold]x[/bold]"),
    ("last_visit", "2026-11-29", "2026-11-29"), ("last_visit", "29/11/2026", "2026-11-29"), ("last_visit", "1.2.2026", "2026-02-01"),
])
def test_typed_answers(every_type, qid: str, typed: str, value) -> None:
    given = rules.parse_typed(every_type.question(qid), typed)
    assert (given.state, given.value) == (VALUE, value)
    assert type(given.value) is type(value)


@pytest.mark.parametrize("qid, typed, fragment", [
    ("smoker", "maybe", "y for yes or n for no"),
    ("smoker", "", "an answer is needed"),
    ("cigarettes", "101", "out of range"), ("cigarettes", "2.5", "a whole number from 0 to 100"),
    ("cigarettes", "twenty", "a whole number"), ("cigarettes", "1e3", "a whole number"),
    ("weight", "72,5", "decimals with a point"), ("weight", "19.9", "out of range"), ("weight", "nan", "a number"),
    ("route", "4", "1 to 3"), ("route", "0", "1 to 3"),
    ("allergies", "1, 9", "separated by commas"),
    ("mood", "3", "0 to 2"), ("mood", "-1", "0 to 2"),
    ("last_visit", "31/02/2026", "not a date in the calendar"), ("last_visit", "11/29/2026", "not a date in the calendar"),
    ("last_visit", "yesterday", "day/month/year"),
    ("weight", "u", "not accepted here"),
])
def test_invalid_typed_answers_say_what_is_accepted(every_type, qid: str, typed: str, fragment: str) -> None:
    with pytest.raises(rules.InvalidAnswer) as raised:
        rules.parse_typed(every_type.question(qid), typed)
    assert fragment in str(raised.value)


def test_unknown_and_declined_are_answers_of_their_own(every_type) -> None:
    assert rules.parse_typed(every_type.question("smoker"), "u").state == UNKNOWN
    assert rules.parse_typed(every_type.question("smoker"), "declined").state == DECLINED
    assert rules.parse_typed(every_type.question("weight"), "d").state == DECLINED


@pytest.mark.parametrize("qid, value, result", [
    ("smoker", True, True), ("smoker", "yes", True), ("smoker", "no", False),
    ("cigarettes", 20, 20), ("cigarettes", "20", 20), ("weight", 72.5, 72.5),
    ("route", "iv", "iv"), ("allergies", ["penicillin", "latex"], ("latex", "penicillin")), ("allergies", [], ()),
    ("mood", 2, 2), ("last_visit", "2026-11-29", "2026-11-29"), ("notes", 42, "42"),
])
def test_file_values_are_checked_like_typed_ones(every_type, qid: str, value, result) -> None:
    assert rules.check_value(every_type.question(qid), value) == result


@pytest.mark.parametrize("qid, value", [
    ("smoker", 1), ("cigarettes", True), ("cigarettes", 20.5), ("cigarettes", 500), ("route", 2), ("route", "oral"),
    ("allergies", ["dust"]), ("mood", 7), ("mood", True), ("last_visit", "2026-13-01"), ("notes", ["a"]), ("notes", ""),
])
def test_bad_file_values_are_refused(every_type, qid: str, value) -> None:
    with pytest.raises(rules.InvalidAnswer):
        rules.check_value(every_type.question(qid), value)


def test_session_round_trips_through_json(bundled) -> None:
    session = new_session(bundled)
    give(bundled, session, "bp_systolic", "150")
    give(bundled, session, "bp_diastolic", "u")
    session.record("medications_list", Answer(VALUE, "x", "t"), "AB")
    again = Session.from_json(session.to_json(), session.questionnaire_text)  # the text kept beside the file
    assert again.answers == session.answers and again.to_json() == session.to_json()
    inline = Session.from_json(session.to_json(inline_questionnaire=True))  # format 1: the text inside
    assert inline.questionnaire_text == session.questionnaire_text and inline.to_json() == session.to_json()
    with pytest.raises(ValueError):
        Session.from_json(session.to_json())  # neither inside nor given


@pytest.mark.parametrize("typed", ["²", "٣", "1²", "99999999999999999999"])
def test_digits_that_are_not_plain_numbers_are_refused_not_a_crash(every_type, typed: str) -> None:
    with pytest.raises(rules.InvalidAnswer):
        rules.parse_typed(every_type.question("route"), typed)
