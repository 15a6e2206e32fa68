"""The customising guide's worked example works as written: its files validate, its scenarios pass."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import ROOT, run_installed

GUIDE = ROOT / "docs" / "customising.md"
BLOCK = re.compile(r"```yaml\n# file: (\S+)\n(.*?)```", re.S)


def guide_files(tmp_path: Path) -> dict[str, Path]:
    written = {}
    for name, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        written[name] = path
    return written


def test_the_worked_example_validates_and_its_scenarios_pass(tmp_path: Path) -> None:
    files = guide_files(tmp_path)
    assert set(files) == {"questionnaires/clinic.yaml", "scenarios/clinic.yaml", "config.yaml"}
    schema = run_installed("schema").stdout
    (tmp_path / "questionnaires" / "questionnaire.schema.json").write_text(schema)
    checked = run_installed("validate", "--strict", str(files["questionnaires/clinic.yaml"]))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = run_installed("test", str(files["scenarios/clinic.yaml"]))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.splitlines()[-1] == "5 scenarios: 5 passed, 0 failed"
    diff = run_installed("diff", "ketamine-pretreatment", str(files["questionnaires/clinic.yaml"]))
    assert diff.returncode == 1
    assert "- question transport_home_arranged (yes_no)" in diff.stdout
    assert "+ flag weight_above_150 [precaution]" in diff.stdout
    settings = run_installed("--config", str(files["config.yaml"]), "config")
    assert "clinic_name: Sunrise Clinic" in settings.stdout


def test_pre_commit_hooks_name_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"]: h["entry"] for h in hooks} == {"ketascreen-validate": "ketascreen validate --strict",
                                                    "ketascreen-test": "ketascreen test"}
    assert run_installed(*hooks[0]["entry"].split()[1:], "ketamine-pretreatment").returncode == 0
