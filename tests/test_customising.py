"""A clinic customises the bundled questionnaire: extends, init, settings, diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import EXAMPLES, run_installed
from ketascreen.loading.load import BUNDLED_DIR, check_file, load_questionnaire

CLINIC = """\
format: 1
extends: ketamine-pretreatment
id: sunrise-clinic
title: Sunrise Clinic screening
version: "2026.1"
add_questions:
  - after: heart_rate
    questions:
      - {id: height_cm, type: number, label: body height, text: Height today?, unit: cm, min: 100, max: 250, header: true}
change_questions:
  bp_systolic: {max: 280}
remove_questions: [medications_list]
change_flags:
  uncontrolled_hypertension:
    label: Blood pressure above 190/100 mmHg at rest
    when: {any: [{question: bp_systolic, above: 190}, {question: bp_diastolic, above: 100}]}
add_flags:
  - id: weight_above_150
    severity: precaution
    label: Weight above 150 kg
    explanation: The dose is weight-based.
    source: Clinic protocol
    when: {question: weight_kg, above: 150}
"""


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yaml"
    path.write_text(CLINIC)
    return path


def test_extending_adds_changes_and_removes(clinic: Path) -> None:
    q = load_questionnaire(str(clinic))
    ids = [question.id for question in q.questions]
    assert ids[:7] == ["bp_systolic", "bp_diastolic", "bp_systolic_recheck", "bp_diastolic_recheck", "heart_rate",
                       "height_cm", "oxygen_saturation"]
    base = load_questionnaire("ketamine-pretreatment")
    assert "medications_list" not in ids and len(ids) == len(base.questions)
    assert q.question("bp_systolic").max == 280 and q.question("bp_systolic").min == 40
    assert str(q.question("bp_systolic").text) == str(load_questionnaire("ketamine-pretreatment").question("bp_systolic").text)
    flag = next(f for f in q.flags if f.id == "uncontrolled_hypertension")
    assert str(flag.label) == "Blood pressure above 190/100 mmHg at rest" and flag.severity.value == "contraindication"
    assert [f.id for f in q.flags][-1] == "weight_above_150"


def test_messages_point_into_the_file_at_fault(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "format: 1\nextends: ketamine-pretreatment\nid: bad\nversion: '1'\n"
        "remove_questions: [suicidal_thoughts]\n"
        "change_questions:\n  bp_systolc: {max: 250}\n"
        "add_questions:\n  - after: heart_rate\n    questions:\n      - {id: w, type: number, text: W?, requried: true}\n"
    )
    _, problems = check_file(path)
    text = [str(p) for p in problems]
    assert any(t.startswith(f"{path}:7:3:") and "did you mean 'bp_systolic'" in t for t in text), text
    assert any(t.startswith(f"{path}:11:") and "unknown key 'requried'" in t for t in text), text
    base = [p for p in problems if p.file.endswith("ketamine-pretreatment.yaml")]
    assert base and all("suicidal_thoughts" in p.message and f"removed at {path}:5" in p.message for p in base)


def test_chains_and_cycles(tmp_path: Path, clinic: Path) -> None:
    regional = tmp_path / "regional.yaml"
    regional.write_text("format: 1\nextends: clinic.yaml\nid: regional\nversion: '1'\n"
                        "change_questions:\n  weight_kg: {max: 250}\n")
    assert load_questionnaire(str(regional)).question("weight_kg").max == 250
    (tmp_path / "a.yaml").write_text("format: 1\nextends: b.yaml\nid: a\nversion: '1'\n")
    (tmp_path / "b.yaml").write_text("format: 1\nextends: a.yaml\nid: b\nversion: '1'\n")
    _, problems = check_file(tmp_path / "a.yaml")
    assert len(problems) == 1 and "cycle" in problems[0].message


def test_a_session_keeps_the_merged_questionnaire(tmp_path: Path, clinic: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: S\nanswers: {bp_systolic: 185, weight_kg: 160}\n")
    done = run_installed("run", str(clinic), "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 1  # in progress: the rest is missing
    [path] = list((tmp_path / "d").glob("*.json"))
    session = json.loads(path.read_text())
    stored = json.loads((tmp_path / "d" / ".questionnaires" / session["questionnaire"]["sha256"]).read_text())
    assert stored["id"] == "sunrise-clinic" and "extends" not in stored
    clinic.unlink()  # the summary no longer needs the clinic's file
    summary = run_installed("summary", session["id"], "--data-dir", str(tmp_path / "d")).stdout
    assert "Weight above 150 kg" in summary and "Blood pressure above 190/100" not in summary.split("COULD NOT")[0]


def test_init_writes_a_starter_that_validates_and_every_example_in_it_validates_too(tmp_path: Path) -> None:
    done = run_installed("init", "clinic.yaml", cwd=tmp_path)
    assert done.returncode == 0
    starter = tmp_path / "clinic.yaml"
    assert starter.read_text().startswith("# yaml-language-server: $schema=questionnaire.schema.json")
    assert json.loads((tmp_path / "questionnaire.schema.json").read_text())["$schema"].endswith("2020-12/schema")
    assert run_installed("validate", "--strict", "clinic.yaml", cwd=tmp_path).returncode == 0
    # uncomment every example block: the file must still validate
    text = re.sub(r"^# (?=[a-z_]+:|  )", "", starter.read_text(), flags=re.M)
    starter.write_text(text)
    checked = run_installed("validate", "clinic.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert run_installed("init", "clinic.yaml", cwd=tmp_path).returncode == 1  # never overwrites


def test_settings_are_shown_with_their_source_and_used(tmp_path: Path, clinic: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(f"clinic_name: Sunrise Clinic\ndefault_questionnaire: {clinic.name}\ndata_dir: sessions\n"
                      "summary_format: markdown\n")
    shown = run_installed("--config", str(config), "config")
    assert shown.returncode == 0
    assert f"clinic_name: Sunrise Clinic  [{config}:1]" in shown.stdout
    assert f"data_dir: {tmp_path / 'sessions'}  [{config}:3]" in shown.stdout
    assert "printer: —  [default]" in shown.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text((EXAMPLES / "answers" / "nothing-flagged.yaml").read_text().replace("  medications_list: sertraline 100 mg\n", "")
                       + "  height_cm: 170\n")
    env = {"KETASCREEN_CONFIG": str(config)}
    done = run_installed("run", "--answers", str(answers), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    session_id = done.stdout.split("\t")[0]
    assert (tmp_path / "sessions" / f"{session_id}.json").exists()
    summary = run_installed("summary", session_id, env=env).stdout
    assert summary.startswith("# Sunrise Clinic")  # markdown, with the clinic's name


def test_bad_settings_point_at_the_line(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("clinic_nme: X\nsummary_format: docx\n")
    done = run_installed("config", env={"KETASCREEN_CONFIG": str(config)})
    assert done.returncode == 1
    assert f"{config}:1: unknown setting 'clinic_nme'; did you mean 'clinic_name'?" in done.stderr
    assert f"{config}:2: summary_format 'docx' is not one of" in done.stderr


def test_diff_lists_exactly_the_changes(clinic: Path) -> None:
    done = run_installed("diff", "ketamine-pretreatment", str(clinic))
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if not line.startswith("    ")]
    assert lines == [
        "~ id: 'ketamine-pretreatment' → 'sunrise-clinic'",
        "~ title: 'Ketamine and esketamine pre-treatment screening' → 'Sunrise Clinic screening'",
        f"~ version: '{load_questionnaire('ketamine-pretreatment').version}' → '2026.1'",
        "+ question height_cm (number) in section 'vital_signs': Height today?",
        f"- question medications_list (text): {load_questionnaire('ketamine-pretreatment').question('medications_list').text}",
        "~ question bp_systolic: max 300 → 280",
        "+ flag weight_above_150 [precaution]: Weight above 150 kg — raised when body weight above 150 kg",
        "~ flag uncontrolled_hypertension: rule changed",
        "~ flag uncontrolled_hypertension: label changed",
    ]
    assert "    was: Blood pressure above 180/100 mmHg at rest\n    now: Blood pressure above 190/100 mmHg at rest" in done.stdout
    assert run_installed("diff", str(clinic), str(clinic)).returncode == 0


def test_diff_shows_sections_help_translations_and_gates(tmp_path: Path) -> None:
    old = EXAMPLES / "valid" / "every-type.yaml"
    new = tmp_path / "new.yaml"
    new.write_text(old.read_text().replace("es: ¿Fuma?", "es: ¿Fuma usted?")
                   .replace("when: {question: smoker, not_equals: false}", "when: {question: smoker, equals: true}")
                   .replace("zero_when: {question: smoker, equals: false}", "zero_when: {question: smoker, equals: true}")
                   .replace("        text: Anything else?", "        text: Anything else?\n        help: Free text."))
    done = run_installed("diff", str(old), str(new))
    assert done.returncode == 1
    out = done.stdout
    assert "~ question smoker: reworded\n    was: en: Do you smoke? | es: ¿Fuma?\n    now: en: Do you smoke? | es: ¿Fuma usted?" in out
    assert "~ section gated: asked when\n    was: smoker: yes\n    now: smoker: yes" in out  # same meaning, new form
    assert "~ score total: 0 when" in out
    assert "~ question notes: help changed\n    was: none\n    now: Free text." in out


def test_diff_calls_out_recoded_choices(tmp_path: Path) -> None:
    old = EXAMPLES / "valid" / "every-type.yaml"
    new = tmp_path / "new.yaml"
    new.write_text(old.read_text().replace("{code: iv, label: Infusion}", "{code: IV, label: Infusion}")
                   .replace("{code: nasal, label: Nasal spray}", "{code: nasal, label: Oral tablets}")
                   .replace('{question: route, one_of: ["no", iv]}', '{question: route, one_of: ["no", IV]}'))
    done = run_installed("diff", str(old), str(new))
    assert done.returncode == 1
    assert "!! RECODED question route: choice 'Infusion' was stored as 'iv', now 'IV'" in done.stdout
    assert "!! RECODED question route: code 'nasal' meant 'Nasal spray', now 'Oral tablets'" in done.stdout


def test_a_clinic_file_written_for_an_earlier_version_is_told_exactly_what_to_change(tmp_path: Path) -> None:
    """Version 2.0 of the bundled questionnaire asks the weight itself: a clinic file that added its
    own weight_kg for 1.0 gets one message at its own line saying what to do, not two questions."""
    path = tmp_path / "clinic.yaml"
    path.write_text("format: 1\nextends: ketamine-pretreatment\nid: c\nversion: '1'\nadd_questions:\n"
                    "  - after: heart_rate\n    questions:\n"
                    "      - {id: weight_kg, type: number, text: Weight today?, unit: kg, min: 30, max: 300}\n", encoding="utf-8")
    _, problems = check_file(path)
    assert [(p.file, p.line) for p in problems] == [(str(path), 8)]
    assert "question 'weight_kg' is part of ketamine-pretreatment (version 2.0) now; remove it from add_questions " \
           "to use that one, or add remove_questions: [weight_kg] to keep your own" in problems[0].message
    kept = path.read_text().replace("add_questions:", "remove_questions: [weight_kg]\nadd_questions:")
    path.write_text(kept, encoding="utf-8")
    questionnaire, problems = check_file(path)
    assert problems == [] and str(questionnaire.question("weight_kg").text) == "Weight today?"
    archived = BUNDLED_DIR / "archive" / "ketamine-pretreatment-1.0.yaml"
    older = path.read_text().replace("extends: ketamine-pretreatment", f"extends: {archived}")
    path.write_text(older.replace("remove_questions: [weight_kg]\n", ""), encoding="utf-8")
    assert check_file(path)[1] == []  # the same clinic file on 1.0, kept for comparison
