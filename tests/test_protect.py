"""A clinic file that extends the bundled questionnaire is warned when it removes, lowers, narrows or
hides one of its urgent or contraindication flags; the warning points at the clinic's change.

The clinic files are built from the bundled questionnaire's own rules (a threshold moved, a branch
taken out), so the tests follow the bundled file as it changes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ketascreen.errors import Problem
from ketascreen.loading.load import BUNDLED_DIR, check_file
from ketascreen.loading.yamlread import parse, read_text

HEAD = 'format: 1\nextends: ketamine-pretreatment\nid: clinic\nversion: "1"\n'  # four lines
CHANGES = ("removes ", "lowers ", "narrows ")  # how this check's warnings begin


def _base() -> dict[str, Any]:
    located, _ = parse(read_text(BUNDLED_DIR / "ketamine-pretreatment.yaml"))
    return located.data  # type: ignore[return-value]


def _rule(flag_id: str) -> Any:
    return next(f for f in _base()["flags"] if f["id"] == flag_id)["when"]


def _shift(rule: Any, old: float, new: float) -> tuple[Any, int]:
    """The rule with every threshold ``old`` moved to ``new``, and how many moved."""
    if isinstance(rule, dict):
        moved = 0
        result = {}
        for key, value in rule.items():
            if key in ("above", "at_least", "below", "at_most") and value == old:
                result[key], moved = new, moved + 1
            else:
                result[key], more = _shift(value, old, new)
                moved += more
        return result, moved
    if isinstance(rule, list):
        parts = [_shift(part, old, new) for part in rule]
        return [p for p, _ in parts], sum(m for _, m in parts)
    return rule, 0


def _clinic(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "clinic.yaml"
    path.write_text(HEAD + body)
    return path


def _warnings(path: Path) -> list[Problem]:
    questionnaire, problems = check_file(path, lint=True)
    assert questionnaire is not None, [str(p) for p in problems]
    assert all(p.severity == "warning" for p in problems)
    return problems


def _protections(path: Path) -> list[Problem]:
    return [p for p in _warnings(path) if p.message.startswith(CHANGES)]


def _change_rule(flag_id: str, rule: Any) -> str:
    """change_flags with the new rule two lines below it (JSON is YAML)."""
    return f"change_flags:\n  {flag_id}:\n    when: {json.dumps(rule)}\n"


def test_removing_an_urgent_flag_is_warned_at_the_removal(tmp_path: Path) -> None:
    path = _clinic(tmp_path, "remove_flags: [suicide_risk]\n")
    [warning] = _protections(path)
    assert (warning.file, warning.line, warning.column) == (str(path), 5, 16)
    assert warning.message.startswith("removes urgent flag 'suicide_risk' of ketamine-pretreatment: ")
    assert "raised it before and raises no urgent flag now" in warning.message


@pytest.mark.parametrize(("flag_id", "was", "now"), [("intracranial_lesion", "contraindication", "precaution"),
                                                       ("suicide_risk", "urgent", "contraindication")])
def test_lowering_the_severity_is_warned_at_the_new_severity(tmp_path: Path, flag_id: str, was: str, now: str) -> None:
    path = _clinic(tmp_path, f"change_flags:\n  {flag_id}:\n    severity: {now}\n")
    [warning] = _protections(path)
    assert (warning.file, warning.line) == (str(path), 7)
    assert warning.message.startswith(f"lowers {was} flag '{flag_id}' of ketamine-pretreatment to {now}")


def test_a_higher_blood_pressure_threshold_narrows_with_an_example(tmp_path: Path) -> None:
    rule, moved = _shift(_rule("uncontrolled_hypertension"), 180, 200)
    assert moved
    path = _clinic(tmp_path, _change_rule("uncontrolled_hypertension", rule))
    [warning] = _protections(path)
    assert (warning.file, warning.line) == (str(path), 7)
    assert warning.message.startswith("narrows contraindication flag 'uncontrolled_hypertension' of ketamine-pretreatment: ")
    example = re.search(r": (bp_systolic\w*) (\d+) mmHg raised it before and does not now$", warning.message)
    assert example, warning.message
    assert 180 < int(example[2]) <= 200  # a reading the base flagged and the clinic's threshold lets through


def test_a_lower_blood_pressure_threshold_widens_and_is_not_warned(tmp_path: Path) -> None:
    rule, moved = _shift(_rule("uncontrolled_hypertension"), 180, 170)
    assert moved
    assert _protections(_clinic(tmp_path, _change_rule("uncontrolled_hypertension", rule))) == []


def test_removing_an_any_branch_narrows(tmp_path: Path) -> None:
    rule = _rule("suicide_risk")
    branch = {"question": "suicidal_thoughts", "equals": True}
    assert branch in rule["any"]
    narrower = {"any": [part for part in rule["any"] if part != branch]}
    path = _clinic(tmp_path, _change_rule("suicide_risk", narrower))
    [warning] = _protections(path)
    assert (warning.file, warning.line) == (str(path), 7)
    assert warning.message == ("narrows urgent flag 'suicide_risk' of ketamine-pretreatment: "
                               "suicidal_thoughts yes raised it before and does not now")


def test_an_added_all_part_narrows(tmp_path: Path) -> None:
    rule = {"all": [_rule("intracranial_lesion"), {"question": "bp_systolic", "above": 100}]}
    path = _clinic(tmp_path, _change_rule("intracranial_lesion", rule))
    [warning] = _protections(path)
    assert (warning.file, warning.line) == (str(path), 7)
    assert warning.message.startswith("narrows contraindication flag 'intracranial_lesion' of ketamine-pretreatment: ")


def test_branches_another_urgent_flag_still_raises_on_are_not_warned(tmp_path: Path) -> None:
    """The plan and attempt answers raise their own urgent flag, so the suicide rule may leave them to it."""
    rule = _rule("suicide_risk")
    others = [f["when"] for f in _base()["flags"] if f["severity"] == "urgent" and f["id"] != "suicide_risk"]
    covered = [part for part in rule["any"] if any(part == other or part in other.get("any", ()) for other in others)]
    assert covered
    narrower = {"any": [part for part in rule["any"] if part not in covered]}
    assert _protections(_clinic(tmp_path, _change_rule("suicide_risk", narrower))) == []


def test_removing_the_suicide_section_fails_strict_naming_the_urgent_flag(tmp_path: Path) -> None:
    path = _clinic(tmp_path, "remove_sections: [suicide_risk]\n")
    done = subprocess.run([sys.executable, "-m", "ketascreen", "validate", "--strict", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    named = [line for line in done.stdout.splitlines() if "flag 'suicide_risk'" in line]
    assert named and all(f"removed at {path}:5" in line for line in named), done.stdout


def test_removing_the_section_and_rewriting_the_rule_is_warned_with_where_the_question_went(tmp_path: Path) -> None:
    urgent = [f["id"] for f in _base()["flags"] if f["severity"] == "urgent" and f["id"] != "suicide_risk"]
    # past_suicide_attempt (history) reads a question of the section too: removed with it
    body = (f"remove_sections: [suicide_risk]\nremove_flags: {json.dumps(urgent + ['past_suicide_attempt'])}\n"
            + _change_rule("suicide_risk", {"question": "phq9_9", "above": 0}))
    path = _clinic(tmp_path, body)
    narrowed = [w for w in _protections(path) if w.message.startswith("narrows urgent flag 'suicide_risk'")]
    assert [(w.file, w.line) for w in narrowed] == [(str(path), 9)]
    assert re.search(r": suicid\w+ yes raised it before and does not now \('suicid\w+' is removed at .*:5\)$",
                     narrowed[0].message), narrowed[0].message
    removed = [w for w in _protections(path) if w.message.startswith("removes urgent flag")]
    assert sorted(w.message.split("'")[1] for w in removed) == sorted(urgent)
    assert all((w.file, w.line) == (str(path), 6) for w in removed)


def test_a_new_gate_in_front_of_a_needed_question_is_warned_once(tmp_path: Path) -> None:
    path = _clinic(tmp_path, "change_questions:\n  intracranial_lesion:\n    when: {question: bp_systolic, above: 90}\n")
    about = [w for w in _warnings(path) if "'intracranial_lesion'" in w.message]
    assert len(about) == 1, [str(w) for w in about]  # the safety lint's warning, not a second one from here
    assert about[0].message.startswith("contraindication flag 'intracranial_lesion' needs 'intracranial_lesion'")
    assert f"({path}:7)" in about[0].message
    assert _protections(path) == []


def test_raising_a_precaution_threshold_is_not_warned(tmp_path: Path) -> None:
    rule, moved = _shift(_rule("resting_tachycardia"), 100, 120)
    assert moved
    assert _protections(_clinic(tmp_path, _change_rule("resting_tachycardia", rule))) == []


def test_a_new_flag_and_a_new_label_are_not_warned(tmp_path: Path) -> None:
    path = _clinic(tmp_path, "change_flags:\n  suicide_risk: {label: Thoughts of suicide reported}\n"
                   "add_flags:\n  - {id: very_high_heart_rate, severity: urgent, label: Heart rate above 150, "
                   "explanation: E, source: S, when: {question: heart_rate, above: 150}}\n")
    assert _protections(path) == []
    assert [str(w) for w in _warnings(path) if w.file == str(path)] == []


def test_too_many_combinations_fall_back_to_the_rules_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ketascreen.loading.lint as lint

    monkeypatch.setattr(lint, "MAX_COMBINATIONS", 1)
    rule = _rule("suicide_risk")
    branch = {"question": "suicidal_thoughts", "equals": True}
    path = _clinic(tmp_path, _change_rule("suicide_risk", {"any": [part for part in rule["any"] if part != branch]}))
    [warning] = _protections(path)
    label = next(q for s in _base()["sections"] for q in s["questions"] if q["id"] == "suicidal_thoughts")["label"]
    assert warning.message == ("narrows urgent flag 'suicide_risk' of ketamine-pretreatment: "
                               f"its rule no longer holds on {label}: yes")
    shifted, _ = _shift(_rule("uncontrolled_hypertension"), 180, 200)
    assert _protections(_clinic(tmp_path, _change_rule("uncontrolled_hypertension", shifted))) == []  # no guessing


def test_a_clinic_file_is_compared_with_the_file_it_extends(tmp_path: Path) -> None:
    regional = tmp_path / "regional.yaml"
    regional.write_text(HEAD.replace("id: clinic", "id: regional") + "remove_flags: [aneurysm_or_avm]\n")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(HEAD.replace("ketamine-pretreatment", "regional.yaml") + "change_questions:\n  bp_systolic: {max: 280}\n")
    [warning] = _protections(regional)
    assert warning.message.startswith("removes contraindication flag 'aneurysm_or_avm' of ketamine-pretreatment")
    assert _protections(clinic) == []  # the regional file answers for its own removal


def test_a_rule_narrowed_through_a_flag_it_names_is_warned_where_that_flag_changed(tmp_path: Path) -> None:
    regional = tmp_path / "regional.yaml"
    regional.write_text(HEAD.replace("id: clinic", "id: regional")
                        + "add_flags:\n  - {id: going_home_alone, severity: urgent, label: L, explanation: E, source: S,\n"
                          "     when: {flag: no_transport_home}}\n")
    clinic = tmp_path / "clinic.yaml"
    rule = {"all": [_rule("no_transport_home"), {"question": "heart_rate", "above": 100}]}
    clinic.write_text(HEAD.replace("ketamine-pretreatment", "regional.yaml") + _change_rule("no_transport_home", rule))
    [warning] = _protections(clinic)
    assert (warning.file, warning.line) == (str(clinic), 7)
    assert warning.message.startswith("narrows urgent flag 'going_home_alone' of regional: transport_home_arranged no")
