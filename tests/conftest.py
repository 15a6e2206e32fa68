from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketascreen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"


def ketascreen_executable() -> list[str]:
    """The installed console script beside this Python, as a user would run it."""
    script = Path(sys.executable).parent / "ketascreen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ketascreen"]


def run_installed(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                  input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*ketascreen_executable(), *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, input=input, timeout=120)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A session data directory of the test's own (created by the program when it first saves)."""
    return tmp_path / "sessions"


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the command line in this process: cli("validate", "x.yaml") -> Result(code, out, err)."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(int(code), captured.out, captured.err)

    return run


# Figures that adversarial tests measure (inputs tried, crashes, ...), printed at the end of the run.
FIGURES: list[tuple[str, str]] = []


@pytest.fixture
def figure():
    def record(name: str, value: object) -> None:
        FIGURES.append((name, str(value)))

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if FIGURES:
        terminalreporter.section("figures")
        width = max(len(name) for name, _ in FIGURES)
        for name, value in FIGURES:
            terminalreporter.write_line(f"{name.ljust(width)}  {value}")
