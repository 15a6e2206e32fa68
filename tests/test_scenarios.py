"""Scenario tests: the bundled file covers every flag and band, and failures say what differed."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import run_installed
from ketascreen.loading.load import load_questionnaire
from ketascreen.scenarios import SCENARIOS_DIR

BUNDLED = SCENARIOS_DIR / "ketamine-pretreatment.yaml"


def test_bundled_scenarios_pass() -> None:
    done = run_installed("test", "ketamine-pretreatment")
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1].endswith("passed, 0 failed")
    assert "FAIL" not in done.stdout


def test_bundled_scenarios_cover_every_flag_three_ways_and_every_band() -> None:
    questionnaire = load_questionnaire("ketamine-pretreatment")
    scenarios = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))["scenarios"]
    for key in ("raised", "not_raised", "unassessed"):
        covered = {fid for s in scenarios for fid in s["expect"].get(key) or []}
        assert covered == {f.id for f in questionnaire.flags}, key
    for score in questionnaire.scores:
        reached = {s["expect"]["scores"][score.id].get("band") for s in scenarios if score.id in s["expect"].get("scores", {})}
        assert {str(b.label) for b in score.bands} <= reached, score.id


def test_a_failing_scenario_shows_the_difference_and_exits_1(tmp_path: Path) -> None:
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "questionnaire: ketamine-pretreatment\n"
        "scenarios:\n"
        "  - name: clinic threshold 190\n"
        "    answers: {bp_systolic: 185, bp_diastolic: 80}\n"
        "    expect:\n"
        "      not_raised: [uncontrolled_hypertension]\n"
        "      scores: {phq9_total: {value: 3}}\n"
    )
    done = run_installed("test", str(scenarios))
    assert done.returncode == 1
    assert f"FAIL  clinic threshold 190  ({scenarios}:3)" in done.stdout
    assert "flag uncontrolled_hypertension: expected not raised, but it was raised" in done.stdout
    assert "score phq9_total: expected 3, but it was incomplete" in done.stdout
    assert done.stdout.splitlines()[-1] == "1 scenarios: 0 passed, 1 failed"


def test_mistakes_in_a_scenarios_file_point_at_their_lines(tmp_path: Path) -> None:
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "questionnaire: ketamine-pretreatment\n"
        "scenarios:\n"
        "  - name: typos\n"
        "    answers: {bp_systolc: 185, heart_rate: fast}\n"
        "    expect:\n"
        "      raised: [uncontrolled_hypertensoin]\n"
        "      rased: []\n"
    )
    done = run_installed("test", str(scenarios))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any(line.startswith(f"{scenarios}:4:15: no question 'bp_systolc'") for line in lines), lines
    assert any(f"{scenarios}:4:44: heart_rate:" in line for line in lines), lines
    assert any(f"{scenarios}:6:16: no flag 'uncontrolled_hypertensoin'; did you mean" in line for line in lines), lines
    assert any(f"{scenarios}:7:7" in line and "did you mean 'raised'" in line for line in lines), lines
