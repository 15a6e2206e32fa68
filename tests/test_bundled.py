"""The bundled ketamine pre-treatment questionnaire: valid, complete, and its rules do what the
clinical reference says. The ids below are a contract with clinics (../shared/CLINICAL.md)."""

from __future__ import annotations

import re

import pytest
from ketascreen.conditions import Truth, evaluate
from ketascreen.evaluate import with_flags
from ketascreen.loading.load import BUNDLED_DIR, load_questionnaire
from ketascreen.model import Questionnaire
from ketascreen.scoring import compute_scores, facts_for

QUESTION_IDS = [
    "bp_systolic", "bp_diastolic", "heart_rate", "hypertension_history", "intracranial_lesion",
    "intracerebral_hemorrhage", "aneurysm_or_avm", "head_injury_or_raised_icp", "recent_cardiovascular_event",
    "cardiovascular_disease", "hyperthyroidism", "raised_eye_pressure", "pregnant_or_breastfeeding",
    "liver_disease", "bladder_symptoms", "kidney_disease", "ketamine_hypersensitivity", "psychosis_history",
    "substance_use_current", "ketamine_misuse_history", "depression_diagnosis", "antidepressant_trials_failed",
    "bipolar_diagnosis", "mania_history", "ptsd_diagnosis", "anxiety_diagnosis",
    *[f"phq9_{i}" for i in range(1, 10)], *[f"gad7_{i}" for i in range(1, 8)],
    "pcptsd5_trauma", *[f"pcptsd5_{i}" for i in range(1, 6)],
    "suicidal_thoughts", "suicide_plan_or_intent", "suicide_attempt_recent",
    "med_benzodiazepine", "med_lamotrigine", "med_maoi", "med_stimulant", "med_opioid", "medications_list",
    "transport_home_arranged", "bp_systolic_recheck", "bp_diastolic_recheck",
    # version 2 (CLINICAL.md "Version 2")
    "age_years", "weight_kg", "planned_treatment", "drug_allergies", "drug_allergies_list", "sleep_apnea",
    "lung_disease", "oxygen_saturation", "stroke_or_mi_history", "seizure_disorder", "med_z_drug",
    "med_gabapentinoid", "med_theophylline", "med_thyroid_hormone", "med_sympathomimetic", "pregnancy_test",
    "consent_concern", "emergency_contact_recorded", "suicide_attempt_lifetime", "prior_ketamine_treatment",
    "prior_ketamine_response", "phq9_difficulty", "gad7_difficulty",
]
QUESTION_TYPES = {"bp_systolic": "integer", "bp_diastolic": "integer", "heart_rate": "integer",
                  "bp_systolic_recheck": "integer", "bp_diastolic_recheck": "integer",
                  "age_years": "integer", "weight_kg": "number", "planned_treatment": "choice",
                  "drug_allergies_list": "text", "oxygen_saturation": "integer", "pregnancy_test": "choice",
                  "prior_ketamine_response": "choice", "phq9_difficulty": "choice", "gad7_difficulty": "choice",
                  "antidepressant_trials_failed": "integer", "medications_list": "text",
                  **{f"phq9_{i}": "scale" for i in range(1, 10)}, **{f"gad7_{i}": "scale" for i in range(1, 8)}}
FLAGS = {
    "uncontrolled_hypertension": "contraindication", "elevated_blood_pressure": "precaution",
    "resting_tachycardia": "precaution", "intracranial_lesion": "contraindication",
    "intracerebral_hemorrhage": "contraindication", "aneurysm_or_avm": "contraindication",
    "ketamine_hypersensitivity": "contraindication", "recent_cardiovascular_event": "contraindication",
    "cardiovascular_disease": "precaution", "hyperthyroidism": "precaution", "raised_eye_pressure": "precaution",
    "pregnancy_or_breastfeeding": "precaution", "liver_disease": "precaution", "bladder_or_kidney": "precaution",
    "psychosis_history": "precaution", "substance_use": "precaution", "interacting_medications": "precaution",
    "suicide_risk": "urgent", "treatment_resistant_depression": "history", "severe_depression": "history",
    "bipolar_disorder": "history", "ptsd": "history", "anxiety": "history", "no_transport_home": "logistics",
    "suicide_plan_or_attempt": "urgent", "hypertension_history": "precaution", "no_depression_diagnosis": "history",
    "under_18": "precaution", "allergies": "precaution", "airway_or_breathing": "precaution",
    "low_oxygen_saturation": "precaution", "seizure_disorder": "precaution", "consent_concern": "precaution",
    "no_emergency_contact": "logistics", "past_suicide_attempt": "history", "prior_ketamine_treatment": "history",
}
BANDS = {
    "phq9_total": [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"), (20, 27, "severe")],
    "gad7_total": [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")],
    "pcptsd5_total": [(0, 3, "negative"), (4, 5, "positive")],
}
DECISION_WORDS = re.compile(r"\b(eligible|ineligible|approved|cleared)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def bundled() -> Questionnaire:
    return load_questionnaire("ketamine-pretreatment")


def test_every_stable_question_id_is_there_with_its_type(bundled: Questionnaire) -> None:
    ids = [q.id for q in bundled.questions]
    assert sorted(set(QUESTION_IDS) - set(ids)) == []
    for qid in QUESTION_IDS:
        assert bundled.question(qid).type == QUESTION_TYPES.get(qid, "yes_no"), qid


def test_vital_signs_come_first(bundled: Questionnaire) -> None:
    assert [q.id for q in bundled.questions[:5]] == ["bp_systolic", "bp_diastolic", "bp_systolic_recheck",
                                                     "bp_diastolic_recheck", "heart_rate"]


def test_every_flag_with_its_severity_and_a_source(bundled: Questionnaire) -> None:
    assert {f.id: f.severity.value for f in bundled.flags} == FLAGS
    for flag in bundled.flags:
        assert len(str(flag.source)) > 5 and len(str(flag.explanation)) > 20, flag.id


def test_scores_and_bands_exactly_as_published(bundled: Questionnaire) -> None:
    for score in bundled.scores:
        assert [(b.min, b.max, str(b.label)) for b in score.bands] == BANDS[score.id]
    assert bundled.score("phq9_total").items == tuple(f"phq9_{i}" for i in range(1, 10))
    assert bundled.score("gad7_total").items == tuple(f"gad7_{i}" for i in range(1, 8))
    assert bundled.score("pcptsd5_total").items == tuple(f"pcptsd5_{i}" for i in range(1, 6))


def test_published_instruments_keep_their_wording_and_attribution(bundled: Questionnaire) -> None:
    assert str(bundled.question("phq9_9").text).startswith("Thoughts that you would be better off dead")
    assert str(bundled.question("gad7_2").text) == "Not being able to stop or control worrying"
    assert [str(o.label) for o in bundled.question("phq9_1").options] == [
        "Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert [o.score for o in bundled.question("gad7_7").options] == [0, 1, 2, 3]
    sources = " ".join(str(s.source) for s in bundled.sections if s.source)
    assert "Pfizer" in sources and "National Center for PTSD" in sources


@pytest.mark.parametrize("name", ["ketamine-pretreatment", "ketamine-predose", "ketamine-monitoring"])
def test_no_decision_words_anywhere_in_the_file(name: str) -> None:
    text = (BUNDLED_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert DECISION_WORDS.findall(text) == []


def _flags(bundled: Questionnaire, answers: dict) -> dict[str, Truth]:
    facts = with_flags(bundled, facts_for(bundled, answers.get))
    return {f.id: evaluate(f.when, facts) for f in bundled.flags}


NEUTRAL = {qid: False for qid in QUESTION_IDS if QUESTION_TYPES.get(qid, "yes_no") == "yes_no"}
NEUTRAL.update({"bp_systolic": 120, "bp_diastolic": 75, "heart_rate": 70, "antidepressant_trials_failed": 0,
                "medications_list": "none", "transport_home_arranged": True, "depression_diagnosis": True,
                "age_years": 42, "weight_kg": 70, "planned_treatment": "iv_ketamine", "oxygen_saturation": 97,
                "pregnancy_test": "not_applicable", "emergency_contact_recorded": True,
                **{f"phq9_{i}": 0 for i in range(1, 10)}, **{f"gad7_{i}": 0 for i in range(1, 8)}})


def test_a_patient_with_nothing_to_flag_raises_nothing(bundled: Questionnaire) -> None:
    results = _flags(bundled, NEUTRAL)
    assert {k for k, v in results.items() if v is not Truth.FALSE} == set()


@pytest.mark.parametrize("change, flag", [
    ({"bp_systolic": 184}, ("uncontrolled_hypertension", "elevated_blood_pressure")),  # the second is covered
    ({"bp_diastolic": 101}, ("uncontrolled_hypertension", "elevated_blood_pressure")),
    ({"bp_systolic": 184, "bp_systolic_recheck": 150, "bp_diastolic_recheck": 80}, "elevated_blood_pressure"),
    ({"bp_systolic": 150, "bp_systolic_recheck": 130, "bp_diastolic_recheck": 80}, ()),
    ({"hypertension_history": True}, "hypertension_history"),
    ({"depression_diagnosis": False}, "no_depression_diagnosis"),
    ({"suicide_plan_or_intent": True}, ("suicide_risk", "suicide_plan_or_attempt")),
    ({"antidepressant_trials_failed": 2, "bipolar_diagnosis": True}, "bipolar_disorder"),
    ({"bp_systolic": 150}, "elevated_blood_pressure"),
    ({"heart_rate": 101}, "resting_tachycardia"),
    ({"head_injury_or_raised_icp": True}, "intracranial_lesion"),
    ({"kidney_disease": True}, "bladder_or_kidney"),
    ({"ketamine_misuse_history": True}, "substance_use"),
    ({"med_lamotrigine": True}, "interacting_medications"),
    ({"phq9_9": 1}, "suicide_risk"),
    ({"suicide_attempt_recent": True}, ("suicide_risk", "suicide_plan_or_attempt")),
    ({"antidepressant_trials_failed": 2}, "treatment_resistant_depression"),
    ({f"phq9_{i}": 3 for i in range(1, 8)}, "severe_depression"),  # 21, item 9 left at 0
    ({"mania_history": True}, "bipolar_disorder"),
    ({"pcptsd5_trauma": True, **{f"pcptsd5_{i}": i <= 4 for i in range(1, 6)}}, "ptsd"),
    ({**{f"gad7_{i}": 2 for i in range(1, 6)}}, "anxiety"),
    ({"transport_home_arranged": False}, "no_transport_home"),
    ({"age_years": 17}, "under_18"),
    ({"drug_allergies": True}, "allergies"),
    ({"sleep_apnea": True}, "airway_or_breathing"),
    ({"oxygen_saturation": 93}, "low_oxygen_saturation"),
    ({"stroke_or_mi_history": True}, "cardiovascular_disease"),
    ({"seizure_disorder": True}, "seizure_disorder"),
    ({"med_gabapentinoid": True}, "interacting_medications"),
    ({"pregnancy_test": "positive"}, "pregnancy_or_breastfeeding"),
    ({"consent_concern": True}, "consent_concern"),
    ({"emergency_contact_recorded": False}, "no_emergency_contact"),
    ({"suicide_attempt_lifetime": True}, "past_suicide_attempt"),
    ({"prior_ketamine_treatment": True}, "prior_ketamine_treatment"),
])
def test_each_rule_raises_its_flag_and_only_what_follows(bundled: Questionnaire, change: dict,
                                                         flag: str | tuple[str, ...]) -> None:
    expected = {flag} if isinstance(flag, str) else set(flag)
    results = _flags(bundled, {**NEUTRAL, **change})
    assert {k for k, v in results.items() if v is not Truth.FALSE} == expected
    assert all(results[f] is Truth.TRUE for f in expected)


def test_thresholds_are_strict(bundled: Questionnaire) -> None:
    at_line = _flags(bundled, {**NEUTRAL, "bp_systolic": 180, "bp_diastolic": 100, "heart_rate": 100})
    assert at_line["uncontrolled_hypertension"] is Truth.FALSE
    assert at_line["elevated_blood_pressure"] is Truth.TRUE
    assert at_line["resting_tachycardia"] is Truth.FALSE


def test_unknown_blood_pressure_is_not_assessable_not_clear(bundled: Questionnaire) -> None:
    answers = {k: v for k, v in NEUTRAL.items() if k not in ("bp_systolic", "bp_diastolic")}
    results = _flags(bundled, answers)
    assert results["uncontrolled_hypertension"] is Truth.UNKNOWN
    assert results["elevated_blood_pressure"] is Truth.UNKNOWN


def test_one_reading_known_raises_the_precaution_and_leaves_the_contraindication_open(bundled: Questionnaire) -> None:
    answers = {k: v for k, v in NEUTRAL.items() if k != "bp_diastolic"}
    results = _flags(bundled, {**answers, "bp_systolic": 150})
    assert results["elevated_blood_pressure"] is Truth.TRUE
    assert results["uncontrolled_hypertension"] is Truth.UNKNOWN


def test_pc_ptsd_5_gate(bundled: Questionnaire) -> None:
    no_trauma = compute_scores(bundled, {"pcptsd5_trauma": False}.get)["pcptsd5_total"]
    assert (no_trauma.value, str(no_trauma.band.label)) == (0, "negative")
    unanswered = compute_scores(bundled, {"pcptsd5_trauma": True, "pcptsd5_1": True}.get)["pcptsd5_total"]
    assert unanswered.value is None and (unanswered.answered, unanswered.items) == (1, 5)


def test_follow_up_questions_are_gated_on_their_lead_in(bundled: Questionnaire) -> None:
    plan = bundled.question("suicide_plan_or_intent")
    assert plan.when is not None
    assert evaluate(plan.when, facts_for(bundled, {"suicidal_thoughts": True}.get)) is Truth.TRUE
    assert evaluate(plan.when, facts_for(bundled, {"suicidal_thoughts": False}.get)) is Truth.FALSE
    # unknown asks rather than skips: the caller treats UNKNOWN as "ask"
    assert evaluate(plan.when, facts_for(bundled, {}.get)) is Truth.UNKNOWN
