"""Exports: FHIR resources accepted by a FHIR model library, and a CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from pathlib import Path

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from conftest import EXAMPLES, run_installed
from ketascreen.loading.load import load_questionnaire

ANSWERS = EXAMPLES / "answers"


def interview(data: Path, answers: Path | str, medications: str | None = None) -> str:
    """Run an answers file; returns the new session's id."""
    path = answers if isinstance(answers, Path) else ANSWERS / answers
    text = path.read_text()
    if medications is not None:
        line = "  medications_list: " + json.dumps(medications)
        text = re.sub(r"(?m)^  medications_list: .*$", lambda _match: line, text)
    temporary = data.parent / f"answers-{len(list(data.parent.glob('answers-*')))}.yaml"
    temporary.write_text(text)
    before = set(data.glob("*.json"))
    done = run_installed("run", "--answers", str(temporary), "--data-dir", str(data), "--again")  # the same form as another visit
    assert done.returncode in (0, 1), done.stderr
    [new] = set(data.glob("*.json")) - before
    return new.stem


def items_by_link(resource: dict) -> dict[str, dict]:
    found = {}
    for group in resource["item"]:
        for item in group.get("item", []):
            found[item["linkId"]] = item
    return found


def test_questionnaire_response_is_valid_fhir_and_matches_the_session(tmp_path: Path) -> None:
    data = tmp_path / "data"
    session_id = interview(data, "several-flags.yaml")
    done = run_installed("export", session_id, "--format", "fhir", "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    resource = json.loads(done.stdout)
    QuestionnaireResponse.model_validate(resource)  # raises if not valid
    session = json.loads((data / f"{session_id}.json").read_text())
    assert resource["status"] == "completed"
    assert resource["questionnaire"] == f"urn:ketascreen:questionnaire:ketamine-pretreatment|{session['questionnaire']['version']}"
    assert resource["subject"]["identifier"]["value"] == "MRN-0042"
    items = items_by_link(resource)
    assert set(items) == set(session["answers"])  # skipped questions absent, nothing extra
    assert items["bp_systolic"]["answer"] == [{"valueInteger": 184}]
    assert items["hypertension_history"]["answer"] == [{"valueBoolean": True}]
    coding = items["phq9_1"]["answer"][0]["valueCoding"]
    assert (coding["system"], coding["code"], coding["display"]) == ("http://loinc.org", "LA6571-9", "Nearly every day")
    own = next(e["valueCoding"] for e in coding["extension"] if e["url"].endswith("/ketascreen-code"))
    assert own["code"] == "3"  # ketascreen's own code travels beside the published one
    assert items["medications_list"]["answer"][0]["valueString"].startswith("lorazepam")
    absent = {link: item["extension"][0]["valueCode"] for link, item in items.items() if "extension" in item}
    assert absent == {"bp_diastolic": "unknown", "substance_use_current": "asked-declined"}
    contained = {o["id"]: Observation.model_validate(o) for o in resource["contained"]}
    assert contained["score-phq9-total"].valueInteger == 20  # FHIR ids take no underscores
    assert contained["score-phq9-total"].interpretation[0].text == "severe"
    assert contained["flag-suicide-risk"].valueCodeableConcept.text == "raised"
    assert contained["flag-substance-use"].valueCodeableConcept.text == "could not be assessed"
    assert {e["valueReference"]["reference"] for e in resource["extension"]} == {f"#{i}" for i in contained}


def test_hostile_text_travels_literally_in_fhir_json(tmp_path: Path) -> None:
    data = tmp_path / "data"
    hostile = "<script>alert(1)</script> [bold]x[/bold] =SUM(A1) \u202e"
    session_id = interview(data, "several-flags.yaml", medications=hostile)
    resource = json.loads(run_installed("export", session_id, "--format", "fhir", "--data-dir", str(data)).stdout)
    QuestionnaireResponse.model_validate(resource)
    assert items_by_link(resource)["medications_list"]["answer"][0]["valueString"] == hostile


def test_in_progress_session_and_several_sessions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    partial = tmp_path / "partial.yaml"
    partial.write_text("patient: MRN-5\nstaff: AB\nanswers: {bp_systolic: 120}\n")
    first = interview(data, partial)
    second = interview(data, "nothing-flagged.yaml")
    out = tmp_path / "fhir"
    done = run_installed("export", first, second, "--format", "fhir", "--output-dir", str(out), "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    resources = {p.name: json.loads(p.read_text()) for p in out.iterdir()}
    assert set(resources) == {f"{first}.fhir.json", f"{second}.fhir.json"}
    assert resources[f"{first}.fhir.json"]["status"] == "in-progress"
    for resource in resources.values():
        QuestionnaireResponse.model_validate(resource)
    assert stat.S_IMODE((out / f"{first}.fhir.json").stat().st_mode) == 0o600
    assert run_installed("export", first, second, "--format", "fhir", "--data-dir", str(data)).returncode == 2


def test_questionnaire_resource_is_valid_fhir_with_groups_types_options_and_enable_when() -> None:
    done = run_installed("export-questionnaire", "ketamine-pretreatment", "--format", "fhir")
    assert done.returncode == 0
    resource = json.loads(done.stdout)
    FhirQuestionnaire.model_validate(resource)
    q = load_questionnaire("ketamine-pretreatment")
    assert [g["linkId"] for g in resource["item"]] == [s.id for s in q.sections]
    items = items_by_link(resource)
    assert list(items) == [question.id for question in q.questions]
    assert items["bp_systolic"]["type"] == "integer" and items["hypertension_history"]["type"] == "boolean"
    assert items["medications_list"]["type"] == "text" and items["medications_list"]["required"] is False
    options = items["phq9_9"]["answerOption"]
    assert [o["valueCoding"]["code"] for o in options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert {o["valueCoding"]["system"] for o in options} == {"http://loinc.org"}
    assert options[3]["valueCoding"]["extension"][0]["valueDecimal"] == 3
    assert items["phq9_9"]["code"] == [{"system": "http://loinc.org", "code": "44260-8"}]
    assert next(g for g in resource["item"] if g["linkId"] == "phq9")["code"][0]["code"] == "44249-1"
    choices = items["planned_treatment"]["answerOption"]  # no published code: ketascreen's own
    assert choices[0]["valueCoding"]["system"].startswith("urn:ketascreen:")
    plan = items["suicide_plan_or_intent"]
    assert plan["enableWhen"] == [{"question": "suicidal_thoughts", "operator": "=", "answerBoolean": True}]
    group = next(g for g in resource["item"] if g["linkId"] == "pcptsd5_items" or g.get("enableWhen"))
    assert group["enableWhen"][0]["question"] == "pcptsd5_trauma"
    extensions = {e["url"].rsplit("/", 1)[-1]: e for e in plan["extension"]}
    assert json.loads(extensions["condition-json"]["valueString"]) == {"question": "suicidal_thoughts", "equals": True}


def test_conditions_fhir_cannot_express_travel_as_extensions_only() -> None:
    done = run_installed("export-questionnaire", str(EXAMPLES / "valid" / "every-type.yaml"), "--format", "fhir")
    resource = json.loads(done.stdout)
    FhirQuestionnaire.model_validate(resource)
    last_visit = items_by_link(resource)["last_visit"]
    assert "enableWhen" not in last_visit  # contains a 'not' and a one_of
    assert any(e["url"].endswith("condition-text") for e in last_visit["extension"])


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_one_row_per_session_stable_columns_and_filters(tmp_path: Path) -> None:
    data = tmp_path / "data"
    quiet = interview(data, "nothing-flagged.yaml")
    flagged = interview(data, "several-flags.yaml")
    partial = tmp_path / "partial.yaml"
    partial.write_text("patient: MRN-5\nstaff: AB\nanswers: {bp_systolic: 120}\n")
    open_one = interview(data, partial)
    done = run_installed("export", "--format", "csv", "--data-dir", str(data))
    assert done.returncode == 0
    rows = read_csv(done.stdout)
    assert [r["session_id"] for r in rows] == [quiet, flagged, open_one]
    header = done.stdout.splitlines()[0].split(",")
    q = load_questionnaire("ketamine-pretreatment")
    assert header[10:10 + len(q.questions)] == [question.id for question in q.questions]
    assert header[-3:] == ["score:phq9_total", "score:gad7_total", "score:pcptsd5_total"]
    by_id = {r["session_id"]: r for r in rows}
    assert by_id[flagged]["bp_diastolic"] == "unknown" and by_id[flagged]["substance_use_current"] == "declined"
    assert by_id[flagged]["flag:uncontrolled_hypertension"] == "raised"
    assert by_id[flagged]["medications_list"].endswith("dose “unsure” (é)")
    assert by_id[flagged]["flag:substance_use"] == "unassessed"
    assert by_id[quiet]["flag:suicide_risk"] == "not raised"
    assert by_id[quiet]["suicide_plan_or_intent"] == "not asked"
    assert by_id[open_one]["score:phq9_total"] == "incomplete" and by_id[open_one]["heart_rate"] == ""
    completed = read_csv(run_installed("export", "--format", "csv", "--status", "completed", "--data-dir", str(data)).stdout)
    assert [r["session_id"] for r in completed] == [quiet, flagged]
    later = run_installed("export", "--format", "csv", "--since", "2999-01-01", "--data-dir", str(data)).stdout
    assert read_csv(later) == []
    assert run_installed("export", "--format", "csv", "--since", "yesterday", "--data-dir", str(data)).returncode == 2


def test_csv_union_of_columns_across_questionnaire_versions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    interview(data, "nothing-flagged.yaml")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("format: 1\nextends: ketamine-pretreatment\nid: clinic\nversion: '2'\nadd_questions:\n"
                      "  - after: heart_rate\n    questions:\n      - {id: height_cm, type: number, text: Height?, min: 100, max: 250, header: true}\n")
    answers = tmp_path / "w.yaml"
    answers.write_text("patient: P\nstaff: S\nanswers: {height_cm: 172.5}\n")
    run_installed("run", str(clinic), "--answers", str(answers), "--data-dir", str(data))
    rows = read_csv(run_installed("export", "--format", "csv", "--data-dir", str(data)).stdout)
    assert [r["height_cm"] for r in rows] == ["", "172.5"]
    assert [r["questionnaire_id"] for r in rows] == ["ketamine-pretreatment", "clinic"]


@pytest.mark.parametrize("hostile", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_neutralises_formulas_and_writes_a_private_utf8_file(tmp_path: Path, hostile: str) -> None:
    data = tmp_path / "data"
    interview(data, "several-flags.yaml", medications=hostile + " lorazepam")
    out = tmp_path / "all.csv"
    done = run_installed("export", "--format", "csv", "--output", str(out), "--data-dir", str(data))
    assert done.returncode == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and stat.S_IMODE(out.stat().st_mode) == 0o600
    [row] = read_csv(raw.decode("utf-8"))
    assert row["medications_list"].startswith("'" + hostile[0])
    assert row["patient"] == "MRN-0042" and row["bp_systolic"] == "184"
    assert "(é)" not in row["medications_list"]  # the hostile text replaced the whole answer


@pytest.mark.parametrize("cell, safe", [("=1+2", "'=1+2"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), (-5, -5), ("é", "é")])
def test_neutralise(cell: object, safe: object) -> None:
    from ketascreen.csvexport import neutralise

    assert neutralise(cell) == safe
