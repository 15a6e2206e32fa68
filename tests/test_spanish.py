"""Spanish for the patient, English for the chart: the bundled questionnaires in Spanish, the
interview's Spanish words, the checks on translations and the exports that carry them."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect
import pytest

from conftest import confirm_review, spawn_installed
from ketascreen import answering as rules
from ketascreen.evaluate import evaluate_session
from ketascreen.fhir import TRANSLATION, questionnaire_resource, response_resource
from ketascreen.loading.load import bundled_ids, check_file, find_questionnaire, load_questionnaire, load_source
from ketascreen.loading.translations import _interview_texts
from ketascreen.loading.yamlread import parse
from ketascreen.render.text import render_text
from ketascreen.render.view import summary_view
from ketascreen.session import Session

PHQ9_1_ES = "Poco interés o placer en hacer cosas"
UNTRANSLATED = {"trauma_exposure", "pcptsd5"}  # PC-PTSD-5: no published Spanish version to cite
UNTRANSLATED_QUESTIONS = {"gad7_difficulty"}  # the GAD-7's closing question: none traced


@pytest.mark.parametrize("qid", bundled_ids())
def test_every_bundled_text_the_interview_shows_has_spanish_and_strict_validate_passes(qid: str, cli) -> None:
    path = find_questionnaire(qid)
    located, _ = parse(path.read_text(encoding="utf-8"))
    def exempt(path_: tuple) -> bool:
        if path_[0] != "sections":
            return False
        section = located.data["sections"][path_[1]]
        return section["id"] in UNTRANSLATED or (
            len(path_) > 3 and section["questions"][path_[3]]["id"] in UNTRANSLATED_QUESTIONS)

    lacking = [what for value, path_, what, _ in _interview_texts(located.data)
               if not exempt(path_) and not (isinstance(value, dict) and value.get("es"))]
    assert lacking == []
    _, problems = check_file(path, qid, lint=True)
    assert problems == []
    result = cli("validate", "--strict", qid)
    assert result.code == 0, result.out


def test_published_phq9_and_gad7_wording_and_the_untranslated_pc_ptsd5() -> None:
    q = load_questionnaire("ketamine-pretreatment")
    assert q.question("phq9_1").text.get("es") == PHQ9_1_ES
    assert q.question("phq9_9").text.get("es") == "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"
    assert q.question("gad7_1").text.get("es") == "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta"
    assert [o.label.get("es") for o in q.question("phq9_1").options] == [
        "Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"]
    assert q.section_of("pcptsd5_1").untranslated_notice("es").startswith("This instrument has no validated Spanish version")
    assert "es" not in dict(q.question("pcptsd5_1").text.translations)
    # The GAD-7's closing question: no traceable published Spanish, so English with a staff notice.
    closing = q.question("gad7_difficulty")
    assert not closing.text.has("es") and all(not c.label.has("es") for c in closing.choices)
    assert closing.untranslated_notice("es").startswith("This GAD-7 question has no published Spanish text")


def test_spanish_and_english_yes_no_words_and_keys() -> None:
    question = load_questionnaire("ketamine-predose").question("fasted_as_instructed")
    for typed, value in (("sí", True), ("Sí", True), ("si", True), ("s", True), ("y", True), ("yes", True),
                         ("no", False), ("n", False)):
        assert rules.parse_typed(question, typed, "es").value is value, typed
    assert rules.parse_typed(question, "no sé", "es").state == "unknown"
    assert rules.parse_typed(question, "no responde", "es").state == "declined"
    with pytest.raises(rules.InvalidAnswer):
        rules.parse_typed(question, "sí")  # English interview: Spanish words are not answers there
    assert rules.command("atrás", "es") == rules.BACK and rules.command("b", "es") == rules.BACK
    assert rules.command("ayuda", "es") == rules.HELP and rules.command("salir", "es") == rules.QUIT
    assert rules.command("atrás") is None and rules.command("s", "es") is None


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HALF_TRANSLATED = """\
format: 1
id: half
title: {en: Half, es: Medio}
version: "1"
sections:
  - id: s
    title: {en: Section, es: Sección}
    questions:
      - id: route
        type: choice
        text: {en: Which route?, es: ¿Qué vía?}
        choices:
          - {code: iv, label: {en: Into a vein, es: En la vena}}
          - {code: nasal, label: Nasal spray}
      - id: smoker
        type: yes_no
        text: Do you smoke?
flags:
  - id: f
    severity: history
    label: Smoker
    explanation: x
    source: y
    when: {question: smoker, equals: true}
  - id: g
    severity: history
    label: Nasal
    explanation: x
    source: y
    when: {question: route, equals: nasal}
"""


def test_an_option_without_the_questions_language_is_an_error_at_its_line(tmp_path: Path, cli) -> None:
    path = _write(tmp_path / "half.yaml", HALF_TRANSLATED)
    result = cli("validate", str(path))
    assert result.code == 1
    assert (f"{path}:14:34: question 'route' is asked in 'es', but an answer option has no 'es' text" in result.out)


def test_strict_fails_a_language_missing_anywhere_and_untranslated_sections_say_so(tmp_path: Path, cli) -> None:
    fixed = HALF_TRANSLATED.replace("label: Nasal spray}", "label: {en: Nasal spray, es: Aerosol nasal}}")
    path = _write(tmp_path / "half.yaml", fixed)
    relaxed = cli("validate", str(path))
    assert relaxed.code == 0 and "warning: the text of question 'smoker' has no 'es' text" in relaxed.out
    assert f"{path}:17:15:" in relaxed.out
    assert cli("validate", "--strict", str(path)).code == 1
    exempt = fixed.replace("    title: {en: Section, es: Sección}\n",
                           "    title: {en: Section, es: Sección}\n    untranslated: {es: Read in English.}\n")
    assert cli("validate", "--strict", str(_write(tmp_path / "exempt.yaml", exempt))).code == 0


def _spanish_session() -> tuple[Session, object]:
    source = load_source("ketamine-pretreatment")
    q = source.questionnaire
    session = Session.begin("es-test", "MRN-7", "AB", q, str(source.path), source.text, "es")
    for qid, typed in (("phq9_1", "2"), ("hypertension_history", "sí")):
        rules.answer(q, session, q.question(qid), rules.parse_typed(q.question(qid), typed, "es"), "AB")
    return session, q


def test_fhir_questionnaire_carries_translations_and_the_response_its_language() -> None:
    resource = questionnaire_resource(load_questionnaire("ketamine-pretreatment"))
    assert resource["language"] == "en"
    items = {i["linkId"]: i for g in resource["item"] for i in g["item"]}
    item = items["phq9_1"]
    assert item["text"] == "Little interest or pleasure in doing things"
    [ext] = item["_text"]["extension"]
    assert ext["url"] == TRANSLATION == "http://hl7.org/fhir/StructureDefinition/translation"
    assert ext["extension"] == [{"url": "lang", "valueCode": "es"}, {"url": "content", "valueString": PHQ9_1_ES}]
    option = item["answerOption"][0]["valueCoding"]
    assert option["code"] == "LA6568-5"
    assert option["_display"]["extension"][0]["extension"][1] == {"url": "content", "valueString": "Ningún día"}
    assert "_text" not in items["pcptsd5_1"]  # no Spanish, no translation extension
    session, q = _spanish_session()
    response = response_resource(evaluate_session(q, session, None))
    assert response["language"] == "es"
    answered = {i["linkId"]: i for g in response["item"] for i in g["item"]}
    assert answered["phq9_1"]["text"] == "Little interest or pleasure in doing things"  # the clinic's words


def test_summary_is_in_english_says_asked_in_spanish_and_shows_the_asked_text_on_request() -> None:
    session, q = _spanish_session()
    evaluation = evaluate_session(q, session, None)
    plain = render_text(summary_view(evaluation, "2026-01-01T00:00:00+00:00"))
    assert "asked in Spanish; this summary is in English" in plain
    assert "hypertension_history" not in plain and "yes" in plain and "sí" not in plain
    assert "'Poco interés" not in plain and PHQ9_1_ES not in plain
    assert "2 (More than half the days)" in plain
    shown = render_text(summary_view(evaluation, "2026-01-01T00:00:00+00:00", asked="es"))
    assert f"asked: {PHQ9_1_ES}" in shown
    english = Session.begin("en-test", "MRN-8", "AB", q, "x", "x", None)
    assert "asked in" not in render_text(summary_view(evaluate_session(q, english, None), "2026-01-01T00:00:00+00:00"))


def _answers_file(path: Path) -> Path:
    """Every predose question but the ones the test types in Spanish."""
    typed_at_terminal = {"fasted_as_instructed", "alcohol_or_drugs_24h", "new_medicines", "new_medicines_list",
                         "side_effects_since_last", "side_effects_list", "new_health_problems",
                         "new_health_problems_list", "bladder_symptoms", "transport_home_arranged", "phq9_1"}
    answers = {"bp_systolic": 120, "bp_diastolic": 80, "heart_rate": 70, "oxygen_saturation": 98,
               "pregnancy_test": "not_applicable", "pregnant_or_breastfeeding": False, "suicidal_thoughts": False,
               "suicide_attempt_recent": False, **{f"phq9_{n}": 0 for n in range(2, 10)}, "consent_concern": False}
    assert not typed_at_terminal & set(answers)
    return _write(path, json.dumps({"patient": "MRN-0050", "staff": "AB", "answers": answers}))


def test_run_lang_es_asks_in_spanish_accepts_si_and_the_summary_is_english(data_dir: Path, tmp_path: Path) -> None:
    env = {"KETASCREEN_DATA_DIR": str(data_dir), "TERM": "xterm-256color", "COLUMNS": "200", "NO_COLOR": "1"}
    child = spawn_installed("run", "ketamine-predose", "--lang", "es", "--answers", str(_answers_file(tmp_path / "a.yaml")),
                            env=env, dimensions=(40, 200))
    steps = [  # (what the question says in Spanish, what staff type, what is saved)
        ("sin comer nada en las últimas 2 horas", "sí", "Guardada: sí"),
        ("ha tomado alcohol", "n", "Guardada: no"),
        ("ha empezado, dejado o cambiado la dosis", "yes", "Guardada: sí"),
        ("Qué medicamentos y qué cambió", "ninguno nuevo", "Guardada: ninguno nuevo"),
        ("algún efecto secundario", "no", "Guardada: no"),
        ("algún problema de salud nuevo", "si", "Guardada: sí"),
        ("¿Qué fue\\?", "gripe", "Guardada: gripe"),
        ("problemas de la vejiga", "s", "Guardada: sí"),
        (PHQ9_1_ES, "1", "Guardada: 1 \\(Varios días\\)"),
        ("Alguien le llevará a su casa", "y", "Guardada: sí"),
    ]
    for asked, typed, saved in steps:
        while child.expect([asked, "\\(Enter la mantiene\\)"]) == 1:
            child.sendline("")  # answered in the file: Enter keeps it
        if asked == PHQ9_1_ES:
            child.expect("0  Ningún día")
        child.expect("Respuesta: ")
        child.expect("Teclas: u no se sabe")
        child.sendline(typed)
        child.expect(saved)
    while child.expect(["\\(Enter la mantiene\\)", "Review: every answer"]) == 0:
        child.sendline("")
    confirm_review(child)
    child.expect("Completed and saved: session (\\S+),")
    session_id = child.match.group(1)
    child.expect("asked in Spanish; this summary is in English")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    stored = json.loads((data_dir / f"{session_id}.json").read_text(encoding="utf-8"))
    assert stored["language"] == "es"
    values = {qid: a["value"] for qid, a in stored["answers"].items()}
    assert [values[q] for q in ("fasted_as_instructed", "alcohol_or_drugs_24h", "new_medicines", "side_effects_since_last",
                                "new_health_problems", "bladder_symptoms", "transport_home_arranged")] == \
        [True, False, True, False, True, True, True]
    summary = spawn_installed("summary", session_id, "--show-asked-text", env=env, dimensions=(40, 200))
    text = summary.read()
    summary.close()
    assert "asked in Spanish; this summary is in English" in text
    assert "fasted as instructed: yes" in text
    assert f"asked: {PHQ9_1_ES}" in text
    assert "1 (Several days)" in text and "Varios días" not in text.split("asked:")[0]


CLINIC_IN_ENGLISH = """format: 1
extends: ketamine-predose
id: clinic-predose
version: "1"
add_questions:
  - after: bp_systolic
    questions:
      - id: escort_phone
        type: text
        label: escort's phone number
        text: What is the phone number of the person taking you home?
        help: Written on the discharge sheet.
"""


def test_a_clinic_adding_english_questions_to_a_translated_file_is_not_asked_to_translate_them(
        tmp_path: Path, data_dir: Path, cli) -> None:
    clinic = _write(tmp_path / "clinic.yaml", CLINIC_IN_ENGLISH)
    assert cli("validate", "--strict", str(clinic)).code == 0
    # A clinic that writes Spanish itself must write it whole.
    half = CLINIC_IN_ENGLISH.replace("text: What is", "text:\n          es: ¿Cuál es el teléfono?\n          en: What is")
    result = cli("validate", str(_write(tmp_path / "half.yaml", half)))
    assert result.code == 1 and "question 'escort_phone' is asked in 'es', but its help has no 'es' text" in result.out
    # Asked in Spanish, the English question says so to staff rather than pass for a translation.
    env = {"KETASCREEN_DATA_DIR": str(data_dir), "TERM": "xterm-256color", "COLUMNS": "200", "NO_COLOR": "1"}
    child = spawn_installed("run", str(clinic), "--lang", "es", "--patient", "P", "--staff", "S", env=env,
                            dimensions=(40, 200))
    child.expect("Respuesta: ")
    child.sendline("120")  # systolic blood pressure, the first question
    child.expect("this question has no Spanish text in the questionnaire; it is shown in English")
    child.expect_exact("What is the phone number of the person taking you home?")
    child.expect("Respuesta: ")
    child.sendline("q")
    child.expect(pexpect.EOF)


def test_a_question_left_untranslated_passes_strict_and_tells_staff(tmp_path: Path, data_dir: Path, cli) -> None:
    whole = HALF_TRANSLATED.replace("label: Nasal spray}", "label: {en: Nasal spray, es: Aerosol nasal}}")
    assert cli("validate", "--strict", str(_write(tmp_path / "whole.yaml", whole))).code == 1  # smoker: no es
    marked = whole.replace("      - id: smoker\n", "      - id: smoker\n        untranslated: {es: Read in English.}\n")
    assert cli("validate", "--strict", str(_write(tmp_path / "marked.yaml", marked))).code == 0
    clinic = _write(tmp_path / "clinic.yaml", CLINIC_IN_ENGLISH.replace(
        "        help: Written on the discharge sheet.\n",
        "        help: Written on the discharge sheet.\n        untranslated: {es: Read this one in English.}\n"))
    assert cli("validate", "--strict", str(clinic)).code == 0
    env = {"KETASCREEN_DATA_DIR": str(data_dir), "TERM": "xterm-256color", "COLUMNS": "200", "NO_COLOR": "1"}
    child = spawn_installed("run", str(clinic), "--lang", "es", "--patient", "P", "--staff", "S", env=env,
                            dimensions=(40, 200))
    child.expect("Respuesta: ")
    child.sendline("120")
    child.expect("Staff: Read this one in English.")
    child.expect_exact("What is the phone number of the person taking you home?")
    child.expect("Respuesta: ")
    child.sendline("q")
    child.expect(pexpect.EOF)
