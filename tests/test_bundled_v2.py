"""The three bundled questionnaires together: the intake, the check before each dose and the record
after it share ids and severities, stay short enough for a busy clinic, cite primary sources and
carry the published LOINC codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES, run_installed
from ketascreen.answering import asked_questions, prune
from ketascreen.answersfile import read_answers
from ketascreen.evaluate import RAISED, evaluate_session
from ketascreen.loading.load import bundled_ids, load_source
from ketascreen.session import Session

BUNDLED = ["ketamine-monitoring", "ketamine-predose", "ketamine-pretreatment"]
LOINC = "http://loinc.org"


def session_with(name: str, text: str, tmp_path: Path) -> tuple:
    source = load_source(name)
    q = source.questionnaire
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = read_answers(path, q)
    assert parsed.problems == []
    session = Session("abcd-efgh", "P", "AB", q.id, q.version, q.sha256, name, source.text)
    for qid, given in parsed.answers.items():
        session.record(qid, given, "AB")
    prune(q, session, "AB")
    return q, session


def test_list_shows_all_three(tmp_path: Path) -> None:
    assert bundled_ids() == BUNDLED
    listed = run_installed("list").stdout
    assert all(name in listed for name in BUNDLED)


@pytest.mark.parametrize("name", BUNDLED)
def test_each_validates_strictly_and_its_scenarios_pass(name: str) -> None:
    assert run_installed("validate", "--strict", name).returncode == 0
    tested = run_installed("test", name)
    assert tested.returncode == 0 and tested.stdout.splitlines()[-1].endswith("passed, 0 failed"), tested.stdout


def test_shared_ids_mean_the_same_everywhere() -> None:
    loaded = {name: load_source(name).questionnaire for name in BUNDLED}
    questions: dict[str, tuple] = {}
    flags: dict[str, str] = {}
    for q in loaded.values():
        for question in q.questions:
            kind = (question.type, tuple(c.code for c in question.choices), tuple(o.score for o in question.options))
            assert questions.setdefault(question.id, kind) == kind, question.id
        for flag in q.flags:
            assert flags.setdefault(flag.id, flag.severity.value) == flag.severity.value, flag.id
    predose = {question.id for question in loaded["ketamine-predose"].questions}
    assert {"bp_systolic", "bp_diastolic", "bp_systolic_recheck", "bp_diastolic_recheck", "heart_rate",
            "oxygen_saturation", "pregnant_or_breastfeeding", "pregnancy_test", "suicidal_thoughts",
            "suicide_plan_or_intent", "suicide_attempt_recent", "bladder_symptoms", "consent_concern",
            "transport_home_arranged", *(f"phq9_{i}" for i in range(1, 10))} <= predose


def test_every_flag_names_a_primary_source_and_the_article_never_alone() -> None:
    for name in BUNDLED:
        for flag in load_source(name).questionnaire.flags:
            source = str(flag.source)
            without_article = source.replace('the article "Ketamine For Depression: What Does It Feel Like?"', "")
            assert any(word in without_article for word in ("prescribing information", "SmPC", "REMS", " 19", " 20")), \
                (name, flag.id, source)


def test_an_intake_asks_under_75_questions(tmp_path: Path) -> None:
    q, quiet = session_with("ketamine-pretreatment", (EXAMPLES / "answers" / "nothing-flagged.yaml").read_text(), tmp_path)
    healthy = len(asked_questions(q, quiet))
    _, complex_patient = session_with(
        "ketamine-pretreatment",
        (EXAMPLES / "answers" / "several-flags.yaml").read_text()
        .replace("bp_systolic: 184", "bp_systolic: 184\n  bp_systolic_recheck: 176\n  bp_diastolic_recheck: 96")
        .replace("suicide_plan_or_intent: false", "suicide_plan_or_intent: true"), tmp_path)
    complex_count = len(asked_questions(q, complex_patient))
    assert len(q.questions) == 83
    # a complex patient is asked every follow-up: the re-check, the plan, the allergy list, ...
    assert healthy == 71 and complex_count == len(q.questions) == 83


def test_a_check_before_a_dose_takes_25_prompts_on_a_quiet_day(tmp_path: Path) -> None:
    import yaml

    from ketascreen.scenarios import SCENARIOS_DIR

    quiet_answers = yaml.safe_load((SCENARIOS_DIR / "ketamine-predose.yaml").read_text())["defaults"]["answers"]
    quiet_answers["pregnancy_test"] = "not_applicable"
    q, quiet = session_with("ketamine-predose", yaml.safe_dump({"answers": quiet_answers}), tmp_path)
    # the pregnancy question is asked even after a "not applicable" test: it also asks about breastfeeding
    assert len(asked_questions(q, quiet)) == 25


def test_a_16_year_old_on_zolpidem_with_sleep_apnoea_and_spo2_92(tmp_path: Path) -> None:
    text = (EXAMPLES / "answers" / "nothing-flagged.yaml").read_text()
    for old, new in (("age_years: 42", "age_years: 16"), ("med_z_drug: false", "med_z_drug: true"),
                     ("sleep_apnea: false", "sleep_apnea: true"), ("oxygen_saturation: 97", "oxygen_saturation: 92")):
        assert old in text
        text = text.replace(old, new)
    q, session = session_with("ketamine-pretreatment", text, tmp_path)
    raised = {r.flag.id: r for r in evaluate_session(q, session).flags if r.status == RAISED}
    assert set(raised) == {"under_18", "interacting_medications", "airway_or_breathing", "low_oxygen_saturation"}
    assert raised["interacting_medications"].details == ("Z-drug sleeping tablets add to sedation.",)


def test_186_over_102_at_40_minutes_is_urgent(tmp_path: Path) -> None:
    q, session = session_with("ketamine-monitoring", (
        "answers:\n  product_given: esketamine_nasal\n  dose_mg: 56\n  bp_systolic_40min: 186\n"
        "  bp_diastolic_40min: 102\n"), tmp_path)
    [result] = [r for r in evaluate_session(q, session).flags if r.flag.id == "bp_high_after_dose"]
    assert (result.status, result.flag.severity.value) == (RAISED, "urgent")


def test_header_shows_age_weight_and_treatment_planned(tmp_path: Path) -> None:
    data = tmp_path / "d"
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--data-dir", str(data))
    session_id = done.stdout.split("\t")[0]
    for fmt in ("text", "markdown", "html"):
        shown = run_installed("summary", session_id, "--format", fmt, "--data-dir", str(data)).stdout
        banner = {"text": "FOR CLINICIAN REVIEW", "html": '<p class="banner">'}.get(fmt, "For clinician review")
        top = shown.split(banner)[0]
        top = top.replace("\\", "")  # markdown escapes "74." at the start of a value
        assert "74.5 kg" in top and "Ketamine infusion into a vein (IV)" in top and "42 years" in top, fmt


def test_loinc_codes_on_the_phq9_and_gad7() -> None:
    q = load_source("ketamine-pretreatment").questionnaire
    codes = {question.id: [(c.system, c.code) for c in question.codes] for question in q.questions}
    assert codes["phq9_1"] == [(LOINC, "44250-9")] and codes["phq9_9"] == [(LOINC, "44260-8")]
    assert codes["gad7_1"] == [(LOINC, "69725-0")] and codes["phq9_difficulty"] == [(LOINC, "69722-7")]
    assert [(c.code) for o in q.question("phq9_1").options for c in o.codes] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert [c.code for c in q.score("phq9_total").codes] == ["44261-6"]
    assert [c.code for c in q.score("gad7_total").codes] == ["70274-6"]
    sections = {s.id: [c.code for c in s.codes] for s in q.sections}
    assert sections["phq9"] == ["44249-1"] and sections["gad7"] == ["69737-5"]


ARCHIVED = "ketascreen/questionnaires/archive/ketamine-pretreatment-1.0.yaml"


def test_diff_from_1_0_reads_as_a_release_note() -> None:
    from conftest import ROOT

    done = run_installed("diff", str(ROOT / ARCHIVED), "ketamine-pretreatment")
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if not line.startswith("    ")]
    assert "~ version: '1.0' → '2.0'" in lines
    assert "+ question weight_kg (number) in section 'about_patient': What is your weight today, in kilograms?" in lines
    assert "+ flag suicide_plan_or_attempt [urgent]" in "\n".join(lines)
    assert "~ flag elevated_blood_pressure: covered by none → uncontrolled_hypertension" in lines
    assert "~ score phq9_total: codes none → 44261-6 (http://loinc.org)" in lines
    assert any(line.startswith("~ scale frequency: answer codes") for line in lines)
    assert "+ check diastolic_below_systolic: bp_diastolic below bp_systolic" in lines
    assert not any("RECODED" in line for line in lines)  # no stored answer changes meaning


def test_a_session_on_1_0_is_summarised_by_its_own_rules(tmp_path: Path) -> None:
    from conftest import ROOT

    data = tmp_path / "d"
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: AB\nanswers:\n  bp_systolic: 184\n  bp_diastolic: 95\n", encoding="utf-8")
    run_installed("run", str(ROOT / ARCHIVED), "--answers", str(answers), "--data-dir", str(data))
    [path] = list(data.glob("*.json"))
    session_id = path.stem
    summary = json.loads(run_installed("summary", session_id, "--format", "json", "--data-dir", str(data)).stdout)
    assert summary["session"]["questionnaire"]["version"] == "1.0"
    raised = {f["id"]: f["status"] for f in summary["flags"]}
    # 1.0's own rule: the 140/90 precaution excluded the 180/100 case; no re-check, no covered flags
    assert raised == {"uncontrolled_hypertension": "raised"}
    assert "elevated_blood_pressure" in summary["not_raised"]


def test_run_predose_and_export_the_phq9_total_with_its_loinc_code(tmp_path: Path) -> None:
    import yaml
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    from ketascreen.scenarios import SCENARIOS_DIR

    quiet = yaml.safe_load((SCENARIOS_DIR / "ketamine-predose.yaml").read_text())["defaults"]["answers"]
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump({"patient": "MRN-7", "staff": "AB", "answers": quiet}), encoding="utf-8")
    data = tmp_path / "d"
    done = run_installed("run", "ketamine-predose", "--answers", str(answers), "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    session_id = done.stdout.split("\t")[0]
    exported = run_installed("export", session_id, "--format", "fhir", "--data-dir", str(data))
    resource = json.loads(exported.stdout)
    QuestionnaireResponse.model_validate(resource)
    assert resource["questionnaire"].endswith("ketamine-predose|1.0")
    phq9 = next(c for c in resource["contained"] if c["code"]["coding"][0]["code"] == "phq9_total")
    assert {"system": "http://loinc.org", "code": "44261-6",
            "display": "Patient Health Questionnaire 9 item (PHQ-9) total score"} in phq9["code"]["coding"]
    assert phq9["valueInteger"] == 3
