"""A plain, non-editable install carries the bundled questionnaires and the schema."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.mark.skipif(importlib.util.find_spec("ensurepip") is None,
                    reason="needs ensurepip to make a virtual environment (on Debian and Ubuntu: the python3-venv package)")
def test_wheel_install_in_a_fresh_environment_works_from_another_directory(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run([*pip, str(ROOT)], capture_output=True, text=True, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = str(venv / "bin" / "ketascreen")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], capture_output=True, text=True, cwd=elsewhere)

    validated = run("validate", "ketamine-pretreatment")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert json.loads(run("schema").stdout)["$schema"].endswith("2020-12/schema")
    assert "ketamine-pretreatment" in run("list").stdout
    # the installed copy is the one in use, not this checkout
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import ketascreen; print(ketascreen.__file__)"],
                           capture_output=True, text=True, cwd=elsewhere)
    assert not where.stdout.strip().startswith(str(ROOT))
