"""A real pseudo-terminal of 60 columns and 24 rows, as on a small laptop window: every line the
interview shows fits, --plain wraps too, NO_COLOR changes colour and not layout, and the review
pages its answers so that none is lost off the top of the screen."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pexpect
import pytest

from conftest import EXAMPLES, confirm_review, find_in_review, ketascreen_executable, run_installed

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
WIDTH, HEIGHT = 60, 24


def spawn(data_dir: Path, *args: str, env_extra: dict[str, str] | None = None) -> pexpect.spawn:
    command, *rest = ketascreen_executable()
    env = {**os.environ, "KETASCREEN_DATA_DIR": str(data_dir), "TERM": "xterm-256color", **(env_extra or {})}
    for name in ("COLUMNS", "LINES"):
        env.pop(name, None)  # the terminal's own size, as a person's shell would leave it
    child = pexpect.spawn(command, [*rest, *args], env=env, encoding="utf-8", timeout=20,
                          dimensions=(HEIGHT, WIDTH))
    child.logfile_read = io.StringIO()  # everything the screen showed, for checks over the whole run
    return child


def screen_lines(text: str) -> list[str]:
    return [line for line in ESCAPES.sub("", text).replace("\r", "").split("\n")]


def entered(data_dir: Path) -> str:
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
                         "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\t")[0]


@pytest.mark.parametrize("mode", ["colour", "plain", "no-color"])
def test_every_line_fits_a_narrow_terminal(data_dir: Path, mode: str) -> None:
    session_id = entered(data_dir)
    extra = ["--plain"] if mode == "plain" else []
    env = {"NO_COLOR": "1"} if mode == "no-color" else {}
    child = spawn(data_dir, "resume", session_id, "--amend", "--staff", "CD", "--reason",
                  "checked the blood pressure readings again with the patient today", *extra, env_extra=env)
    child.expect("Review: every answer")
    confirm_review(child)
    child.expect(pexpect.EOF)
    shown = child.logfile_read.getvalue()
    lines = screen_lines(shown)
    assert max(len(line) for line in lines) <= WIDTH, [line for line in lines if len(line) > WIDTH]
    assert "No answer was changed" in " ".join(" ".join(lines).split())
    if mode == "plain":
        assert ESCAPES.search(shown) is None and "== " in shown
    if mode == "no-color":
        assert re.search(r"\x1b\[[0-9;]*3[0-9]m", shown) is None  # no colour...
        assert "─" in shown  # ...and the same ruled headings as in colour


def test_review_pages_fit_the_screen_and_every_answer_can_be_reached(data_dir: Path) -> None:
    session_id = entered(data_dir)
    child = spawn(data_dir, "resume", session_id, "--amend", "--staff", "CD", "--reason", "a second look")
    child.expect(r"Review: every answer \(page 1 of (\d+)\)")
    pages = int(child.match.group(1))
    assert pages >= 3
    numbers: list[int] = []
    for page in range(1, pages + 1):
        child.expect(r"Page (\d+) of \d+: Enter")
        assert int(child.match.group(1)) == page
        block = screen_lines(child.before)
        assert len([line for line in block if line.strip()]) <= HEIGHT  # the page is in view, prompt included
        numbers += [int(n) for n in re.findall(r"^\s+(\d+)\. ", ESCAPES.sub("", child.before), re.M)]
        child.sendline("")
        child.expect(r"Review: every answer \(page (\d+) of")
    questions = json.loads((data_dir / f"{session_id}.json").read_text(encoding="utf-8"))["answers"]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= len(questions)
    child.sendline("q")
    child.expect(pexpect.EOF)


def test_after_a_correction_the_review_shows_what_changed(data_dir: Path) -> None:
    session_id = entered(data_dir)
    child = spawn(data_dir, "resume", session_id, "--amend", "--staff", "CD", "--reason", "a second look")
    found = find_in_review(child, r"(\d+)\. systolic blood pressure: (\d+) mmHg")
    number, before = found.group(1), found.group(2)
    child.sendline(number)
    child.expect(r"Question \d+ of about")
    child.sendline("128")
    child.expect("Review: what changed")
    child.expect(f"systolic blood pressure: {before} mmHg → 128 mmHg")
    child.expect("Enter shows every answer")
    assert "Review: every answer" not in child.before
    child.sendline("")
    child.expect(r"Review: every answer \(page 1 of")
    confirm_review(child)
    child.expect("Completed and saved")
    child.expect(pexpect.EOF)
