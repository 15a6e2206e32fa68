"""Decided from what is known: score ranges, covered flags, checks across answers, explanations that
follow the answers, screens asked and negative, score notes and attributions, and urgent flags that
could not be assessed shown first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLES, run_installed
from ketascreen.evaluate import COVERED, RAISED, UNASSESSED, evaluate_session
from ketascreen.loading.load import check_file
from ketascreen.session import Answer
from ketascreen.summarize import summarize
from test_summary import STAMP, WHEN, make_session


def flat(data: bytes) -> str:
    return " ".join(data.decode("utf-8").split())


def with_answers(**changes: object) -> tuple:
    q, session = make_session("nothing-flagged.yaml")
    for qid, value in changes.items():
        state = value if value in ("unknown", "declined") else "value"
        session.record(qid, Answer(state, None if state != "value" else value, STAMP), "AB")
    return q, session


def test_phq9_with_an_item_declined_is_a_range_that_decides_severe() -> None:
    q, session = with_answers(phq9_1=3, phq9_2=3, phq9_3=3, phq9_4=3, phq9_5="declined", phq9_6=3, phq9_7=3, phq9_8=3)
    evaluation = evaluate_session(q, session)
    assert {r.flag.id: r.status for r in evaluation.flags}["severe_depression"] == RAISED
    text = flat(summarize(q, session, "text", WHEN))
    assert "PHQ-9 total: 21–24 — severe (incomplete: 8 of 9 items answered)" in text
    assert "Found: PHQ-9 total 21–24 (items missing), at least 20" in text
    data = json.loads(summarize(q, session, "json", WHEN))
    phq9 = next(s for s in data["scores"] if s["id"] == "phq9_total")
    assert (phq9["value"], phq9["band"], phq9["complete"], phq9["range"]) == (None, "severe", False, [21, 24])


def test_a_range_across_a_boundary_leaves_band_and_flag_open() -> None:
    q, session = with_answers(phq9_1=3, phq9_2=3, phq9_3=3, phq9_4=3, phq9_5="unknown", phq9_6=3, phq9_7=3)
    evaluation = evaluate_session(q, session)
    assert {r.flag.id: r.status for r in evaluation.flags}["severe_depression"] == UNASSESSED
    assert "PHQ-9 total: 18–21, band not decided" in flat(summarize(q, session, "text", WHEN))


def test_systolic_150_with_diastolic_declined() -> None:
    q, session = with_answers(bp_systolic=150, bp_diastolic="declined")
    status = {r.flag.id: r for r in evaluate_session(q, session).flags}
    assert status["elevated_blood_pressure"].status == RAISED
    assert status["elevated_blood_pressure"].evidence == ("systolic blood pressure 150 mmHg, above 140",)
    assert status["uncontrolled_hypertension"].status == UNASSESSED
    assert [w.question.id for w in status["uncontrolled_hypertension"].missing] == ["bp_diastolic"]


def test_covered_flag_is_folded_under_the_stronger_one_in_every_format(tmp_path: Path) -> None:
    q, session = with_answers(bp_systolic=190, bp_diastolic=95)
    status = {r.flag.id: r for r in evaluate_session(q, session).flags}
    assert (status["elevated_blood_pressure"].status, status["elevated_blood_pressure"].covered_by) == \
        (COVERED, "uncontrolled_hypertension")
    text = summarize(q, session, "text", WHEN).decode()
    flags = text.split("FLAGS RAISED (1)")[1].split("COULD NOT BE ASSESSED")[0]
    assert "PRECAUTION" not in flags  # not listed a second time
    assert "Also raised, covered by this flag: Blood pressure above 140/90 mmHg at rest" in " ".join(flags.split())
    for fmt in ("markdown", "html"):
        assert "Also raised, covered by this flag" in summarize(q, session, fmt, WHEN).decode()
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(summarize(q, session, "pdf", WHEN))
    assert "Also raised, covered by this flag" in " ".join(p.extract_text() for p in PdfReader(str(pdf)).pages)


def test_the_re_check_is_used_and_both_readings_are_shown() -> None:
    q, session = with_answers(bp_systolic=186, bp_diastolic=96, bp_systolic_recheck=150, bp_diastolic_recheck=88)
    status = {r.flag.id: r for r in evaluate_session(q, session).flags}
    assert status["uncontrolled_hypertension"].status == "not_raised"
    assert status["elevated_blood_pressure"].evidence == ("systolic blood pressure, re-check 150 mmHg, above 140",)
    text = flat(summarize(q, session, "text", WHEN))
    assert "systolic blood pressure: 186 mmHg" in text and "systolic blood pressure, re-check: 150 mmHg" in text


def test_explanation_names_only_the_medicines_answered_yes() -> None:
    q, session = with_answers(med_lamotrigine=True)
    [result] = [r for r in evaluate_session(q, session).flags if r.flag.id == "interacting_medications"]
    text = flat(summarize(q, session, "text", WHEN))
    assert result.details == ("Lamotrigine may reduce ketamine's effect.",)
    assert "Lamotrigine may reduce ketamine's effect." in text
    why = text.split("Why it matters: Some medicines")[1].split("Source:")[0]
    assert "Lamotrigine" in why and "enzodiazepine" not in why and "pioid" not in why


def test_screens_asked_and_negative_are_told_apart_from_not_asked() -> None:
    q, session = make_session("nothing-flagged.yaml")
    text = flat(summarize(q, session, "text", WHEN))
    assert ("Suicide screen: negative — thoughts of death or self-harm: 0 (Not at all); thoughts of ending own "
            "life, past month: no; suicide attempt or preparation, past 3 months: no") in text
    _, declined = with_answers(suicidal_thoughts="declined")
    assert "Suicide screen: negative" not in flat(summarize(q, declined, "text", WHEN))


def test_urgent_flag_not_assessed_comes_first() -> None:
    q, session = make_session("nothing-flagged.yaml", complete=False)
    session.answers.pop("suicidal_thoughts")
    text = summarize(q, session, "text", WHEN).decode()
    first = text.index("!! THOUGHTS OF DEATH, SELF-HARM OR SUICIDE")
    assert first < text.index("INCOMPLETE — the interview is not finished") < text.index("FLAGS RAISED")
    assert "NOT ASSESSED — questions unanswered: thoughts of ending own life, past month (not answered)" in flat(text.encode())
    data = json.loads(summarize(q, session, "json", WHEN))
    assert data["urgent_unassessed"] == ["suicide_plan_or_attempt", "suicide_risk"]
    for fmt in ("markdown", "html"):
        page = summarize(q, session, fmt, WHEN).decode()
        assert page.index("NOT ASSESSED") < page.index("the interview is not finished")


def test_pc_ptsd_5_total_of_3_carries_the_note_and_every_format_names_the_instruments(tmp_path: Path) -> None:
    q, session = with_answers(pcptsd5_trauma=True, pcptsd5_1=True, pcptsd5_2=True, pcptsd5_3=True, pcptsd5_4=False,
                              pcptsd5_5=False)
    note = "3 is the more sensitive cut-off (Prins 2016; Bovin 2021 suggests 3 for women)."
    attribution = "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure."
    for fmt in ("text", "markdown", "html"):
        page = flat(summarize(q, session, fmt, WHEN))
        assert note in page and attribution in page and "Spitzer RL, Kroenke K, Williams JBW, Löwe B" in page, fmt
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(summarize(q, session, "pdf", WHEN))
    whole = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    assert note in whole and attribution in whole
    data = json.loads(summarize(q, session, "json", WHEN))
    assert next(s for s in data["scores"] if s["id"] == "pcptsd5_total")["notes"] == [note]
    _, four = with_answers(pcptsd5_trauma=True, pcptsd5_1=True, pcptsd5_2=True, pcptsd5_3=True, pcptsd5_4=True,
                           pcptsd5_5=False)
    assert note not in flat(summarize(q, four, "text", WHEN))


def test_a_typing_slip_in_an_answers_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("patient: P\nstaff: AB\nanswers:\n  bp_systolic: 78\n  bp_diastolic: 124\n", encoding="utf-8")
    done = run_installed("run", "--answers", str(path), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 1
    assert f"{path}:5:17: bp_diastolic: the diastolic (lower) number must be below the systolic (upper) number" in done.stderr
    assert not (tmp_path / "d").exists() or not list((tmp_path / "d").glob("*.json"))


@pytest.mark.parametrize("check, message", [
    ("{id: c, question: b, below: nope, message: M}", "check 'c' uses question 'nope', which"),
    ("{id: c, question: a, below: b, message: M}", "check 'c': 'b' must be asked before 'a'"),
    ("{id: c, question: b, below: t, message: M}", "a check compares two numbers or two dates"),
])
def test_validate_checks_a_check(tmp_path: Path, check: str, message: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "format: 1\nid: q\ntitle: Q\nversion: '1'\nsections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: t, type: text, text: T?}\n      - {id: a, type: integer, text: A?, header: true}\n"
        "      - {id: b, type: integer, text: B?, header: true}\n"
        f"checks:\n  - {check}\n", encoding="utf-8")
    _, problems = check_file(path)
    assert [(p.line, message in p.message) for p in problems] == [(13, True)], problems


@pytest.mark.parametrize("covered_by, message", [
    ("[a]", "flag 'a' cannot be covered by itself"),
    ("[nope]", "covered_by names flag 'nope', which"),
    ("[b]", "is covered, through covered_by, by a flag it covers"),
    ("[]", "flag 'c' (urgent) cannot be covered by 'a' (precaution)"),
])
def test_validate_checks_covered_by(tmp_path: Path, covered_by: str, message: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "format: 1\nid: q\ntitle: Q\nversion: '1'\nsections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: x, type: yes_no, text: X?}\nflags:\n"
        f"  - {{id: a, severity: precaution, label: A, explanation: E, source: S, when: {{question: x, equals: true}}, covered_by: {covered_by}}}\n"
        "  - {id: b, severity: precaution, label: B, explanation: E, source: S, when: {question: x, equals: true}, covered_by: [a]}\n"
        "  - {id: c, severity: urgent, label: C, explanation: E, source: S, when: {question: x, equals: true}, covered_by: [a]}\n",
        encoding="utf-8")
    _, problems = check_file(path)
    assert any(message in p.message for p in problems), problems


def test_every_answer_the_bundled_questionnaire_collects_feeds_something() -> None:
    done = run_installed("validate", "--strict", "ketamine-pretreatment")
    assert done.returncode == 0 and "feeds no" not in done.stdout
    example = EXAMPLES / "warnings" / "unreachable.yaml"
    assert "question 'never_asked' feeds no flag, score, check or skip logic" in run_installed("validate", str(example)).stdout


def test_fhir_carries_a_score_range_and_a_covered_flag(tmp_path: Path) -> None:
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    path = tmp_path / "a.yaml"
    path.write_text("patient: P\nstaff: AB\nanswers:\n  bp_systolic: 190\n  bp_diastolic: 95\n"
                    + "".join(f"  phq9_{i}: 3\n" for i in (1, 2, 3, 4, 6, 7, 8)) + "  phq9_9: 0\n"
                    "declined: [phq9_5]\n", encoding="utf-8")
    done = run_installed("run", "--answers", str(path), "--data-dir", str(tmp_path / "d"))
    session_id = done.stderr.split("session ")[1].split()[0]
    exported = run_installed("export", session_id, "--format", "fhir", "--data-dir", str(tmp_path / "d"))
    assert exported.returncode == 0, exported.stderr
    resource = json.loads(exported.stdout)
    QuestionnaireResponse.model_validate(resource)
    contained = {c["code"]["coding"][0]["code"]: c for c in resource["contained"]}
    phq9 = contained["phq9_total"]
    assert phq9["valueRange"] == {"low": {"value": 21}, "high": {"value": 24}}
    assert phq9["interpretation"] == [{"text": "severe"}]
    assert contained["elevated_blood_pressure"]["valueCodeableConcept"]["text"] == \
        "raised, covered by uncontrolled_hypertension"


def test_a_chain_of_covers_folds_every_flag_under_the_one_shown(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "format: 1\nid: q\ntitle: Q\nversion: '1'\nsections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: a, type: yes_no, text: A?}\nflags:\n"
        "  - {id: low, severity: precaution, label: Low, explanation: E, source: S, when: {question: a, equals: true}, covered_by: [mid]}\n"
        "  - {id: mid, severity: precaution, label: Mid, explanation: E, source: S, when: {question: a, equals: true}, covered_by: [top]}\n"
        "  - {id: top, severity: contraindication, label: Top, explanation: E, source: S, when: {question: a, equals: true}}\n",
        encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: AB\nanswers: {a: true}\n", encoding="utf-8")
    done = run_installed("run", str(path), "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    session_id = done.stdout.split("\t")[0]
    text = run_installed("summary", session_id, "--data-dir", str(tmp_path / "d")).stdout
    flags = text.split("FLAGS RAISED (1)")[1].split("COULD NOT BE ASSESSED")[0]
    assert "Also raised, covered by this flag: Low" in flags and "Also raised, covered by this flag: Mid" in flags


def test_a_clinic_file_adds_checks_and_screens_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text("format: 1\nextends: ketamine-monitoring\nid: c\nversion: '1'\n"
                    "checks:\n  - {id: discharge_below_peak, question: bp_systolic_discharge, at_most: bp_systolic_40min, "
                    "message: the discharge reading is usually lower; check it}\n"
                    "screens:\n  - {id: breathing, label: Breathing, flags: [respiratory_concern]}\n"
                    "  - {id: wrong, label: Wrong, flags: [no_such_flag]}\n", encoding="utf-8")
    _, problems = check_file(path)
    assert [(p.file, p.line, "no_such_flag" in p.message) for p in problems] == [(str(path), 9, True)]
    path.write_text(path.read_text().replace("  - {id: wrong, label: Wrong, flags: [no_such_flag]}\n", ""))
    questionnaire, problems = check_file(path)
    assert problems == []
    assert [c.id for c in questionnaire.checks][-1] == "discharge_below_peak"
    assert [s.id for s in questionnaire.screens][-1] == "breathing"


def test_the_pc_ptsd_5_note_shows_while_the_total_could_be_3() -> None:
    q, session = with_answers(pcptsd5_trauma=True, pcptsd5_1=True, pcptsd5_2=True, pcptsd5_3=True, pcptsd5_4=False,
                              pcptsd5_5="unknown")
    assert "3 is the more sensitive cut-off" in flat(summarize(q, session, "text", WHEN))
