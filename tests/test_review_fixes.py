"""Edge cases found in review: each once produced a wrong answer, a crash or a silent pass."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import EXAMPLES, run_installed
from ketascreen.loading.load import check_file

ANSWERS = EXAMPLES / "answers"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_outputs_never_go_into_the_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_installed("run", "--answers", str(ANSWERS / "nothing-flagged.yaml"), "--data-dir", str(data))
    session_id = done.stdout.split("\t")[0]
    before = (data / f"{session_id}.json").read_bytes()
    for args in (["export", "--format", "csv", "--output", str(data / f"{session_id}.json")],
                 ["export", session_id, "--format", "fhir", "--output-dir", str(data)],
                 ["summary", session_id, "--output", str(data / "x.txt")]):
        refused = run_installed(*args, "--data-dir", str(data))
        assert refused.returncode == 2 and "data directory" in refused.stderr
    assert (data / f"{session_id}.json").read_bytes() == before
    assert sorted(p.name for p in data.iterdir() if not p.name.startswith(".")) == [f"{session_id}.json"]


def test_exports_keep_set_aside_answers_and_none_of_these(tmp_path: Path) -> None:
    data = tmp_path / "data"
    answers = _write(tmp_path / "a.yaml", (ANSWERS / "nothing-flagged.yaml").read_text() + "  suicide_plan_or_intent: true\n")
    session_id = run_installed("run", "--answers", str(answers), "--data-dir", str(data)).stdout.split("\t")[0]
    [row] = list(csv.DictReader(io.StringIO(run_installed("export", "--format", "csv", "--data-dir", str(data)).stdout)))
    assert row["suicide_plan_or_intent"] == "set aside: yes"
    resource = json.loads(run_installed("export", session_id, "--format", "fhir", "--data-dir", str(data)).stdout)
    items = {i["linkId"]: i for g in resource["item"] for i in g["item"]}
    assert items["suicide_plan_or_intent"]["extension"][0]["url"].endswith("/set-aside")
    assert "answer" not in items["suicide_plan_or_intent"]
    clinic = _write(tmp_path / "every.yaml", (EXAMPLES / "valid" / "every-type.yaml").read_text())
    multi = _write(tmp_path / "m.yaml", "patient: P\nstaff: S\nanswers: {allergies: []}\n")
    run_installed("run", str(clinic), "--answers", str(multi), "--data-dir", str(tmp_path / "d2"))
    [row] = list(csv.DictReader(io.StringIO(run_installed("export", "--format", "csv", "--data-dir", str(tmp_path / "d2")).stdout)))
    assert row["allergies"] == "none"
    [path] = list((tmp_path / "d2").glob("*.json"))
    resource = json.loads(run_installed("export", path.stem, "--format", "fhir", "--data-dir", str(tmp_path / "d2")).stdout)
    items = {i["linkId"]: i for g in resource["item"] for i in g["item"]}
    assert "answer" not in items["allergies"] and items["allergies"]["extension"][0]["url"].endswith("/none-chosen")


def test_scenarios_that_expect_nothing_or_hold_lists_are_errors(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.yaml", "questionnaire: ketamine-pretreatment\nscenarios:\n"
                  "  - {name: empty, expect: {}}\n  - {name: odd, omit: [[x]], expect: {raised: [[y]]}}\n")
    done = run_installed("test", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{path}:3:" in done.stderr and "expects nothing" in done.stderr
    assert f"{path}:4:" in done.stderr


def test_settings_empty_file_is_no_settings_and_a_directory_is_refused(tmp_path: Path) -> None:
    empty = _write(tmp_path / "settings.yaml", "# nothing set yet\n")
    assert run_installed("config", env={"KETASCREEN_CONFIG": str(empty)}).returncode == 0
    done = run_installed("config", env={"KETASCREEN_CONFIG": str(tmp_path)})
    assert done.returncode == 1 and "is a directory" in done.stderr


def test_removal_in_a_middle_file_is_named_there(tmp_path: Path) -> None:
    _write(tmp_path / "reg" / "regional.yaml",
           "format: 1\nextends: ketamine-pretreatment\nid: regional\nversion: '1'\nremove_questions: [medications_list]\n")
    clinic = _write(tmp_path / "clinic.yaml", "format: 1\nextends: reg/regional.yaml\nid: clinic\nversion: '1'\n"
                    "add_flags:\n  - {id: f, severity: history, label: L, explanation: E, source: S,\n"
                    "     when: {question: medications_list, answered: true}}\n")
    _, problems = check_file(clinic)
    assert len(problems) == 1
    assert problems[0].file == str(clinic) and problems[0].line == 7
    assert "removed at" in problems[0].message and "regional.yaml:5" in problems[0].message


def test_long_chains_of_flag_references_are_checked_in_linear_time(tmp_path: Path) -> None:
    flags = ["  - {id: f0, severity: history, label: L, explanation: E, source: S, when: {question: a, equals: true}}",
             "  - {id: f1, severity: history, label: L, explanation: E, source: S, when: {question: a, equals: false}}"]
    for index in range(2, 40):
        flags.append(f"  - {{id: f{index}, severity: history, label: L, explanation: E, source: S, "
                     f"when: {{any: [{{flag: f{index - 1}}}, {{flag: f{index - 2}}}]}}}}")
    path = _write(tmp_path / "chain.yaml", "format: 1\nid: chain\ntitle: T\nversion: '1'\nsections:\n  - id: s\n"
                  "    title: S\n    questions:\n      - {id: a, type: yes_no, text: A?}\nflags:\n" + "\n".join(flags) + "\n")
    questionnaire, problems = check_file(path, lint=True)
    assert questionnaire is not None
    assert [p.message for p in problems if "f39" in p.message] == ["flag 'f39' is raised by every complete set of answers"]


def test_lint_tries_values_between_close_thresholds_and_extreme_dates(tmp_path: Path) -> None:
    path = _write(tmp_path / "q.yaml", "format: 1\nid: t\ntitle: T\nversion: '1'\nsections:\n  - id: s\n    title: S\n"
                  "    questions:\n      - {id: temp, type: number, text: Temperature?, min: 30, max: 45}\n"
                  "      - {id: seen, type: date, text: Seen?}\nflags:\n"
                  "  - {id: fever, severity: precaution, label: L, explanation: E, source: S,\n"
                  "     when: {all: [{question: temp, above: 37.5}, {question: temp, below: 38}]}}\n"
                  "  - {id: old, severity: history, label: L, explanation: E, source: S, when: {question: seen, below: '0001-01-02'}}\n")
    questionnaire, problems = check_file(path, lint=True)
    assert questionnaire is not None and problems == []
