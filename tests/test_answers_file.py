"""`ketascreen run --answers FILE` without a terminal: paper forms and scripts."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from conftest import EXAMPLES, run_installed

COMPLETE = EXAMPLES / "answers" / "nothing-flagged.yaml"


def sessions_in(directory: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]


def test_a_complete_answers_file_completes_without_prompts(tmp_path: Path) -> None:
    done = run_installed("run", "--answers", str(COMPLETE), "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    [session] = sessions_in(tmp_path)
    assert session["status"] == "completed" and session["completed"]
    assert (session["patient"], session["staff"]) == ("MRN-0001", "AB")
    assert session["answers"]["bp_systolic"]["value"] == 122
    assert session["answers"]["phq9_9"]["value"] == 0
    # 83 less the five PC-PTSD-5 items, the plan question, the two re-checks, the allergy list, the
    # earlier response and the two difficulty items, none of which quiet answers ask
    assert len(session["answers"]) == 71
    assert done.stdout.split("\t")[0] == session["id"]
    path = tmp_path / f"{session['id']}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_json_answers_and_command_line_references(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"answers": {"bp_systolic": 150}, "unknown": ["bp_diastolic"], "declined": ["heart_rate"]}))
    data = tmp_path / "data"
    done = run_installed("run", "--answers", str(answers), "--patient", "MRN-9", "--staff", "CD", "--data-dir", str(data))
    assert done.returncode == 1
    [session] = sessions_in(data)
    assert session["status"] == "in_progress"
    assert session["answers"]["bp_diastolic"]["state"] == "unknown"
    assert session["answers"]["heart_rate"]["state"] == "declined"
    assert "still to answer" in done.stderr and "intracranial_lesion" in done.stderr
    assert f"ketascreen resume {session['id']}" in done.stderr


def test_every_problem_reported_at_once_with_lines_and_nothing_saved(tmp_path: Path) -> None:
    answers = tmp_path / "bad.yaml"
    answers.write_text(
        "patient: MRN-1\n"
        "staff: AB\n"
        "answers:\n"
        "  bp_systolc: 150\n"            # 4: misspelt id
        "  bp_diastolic: high\n"         # 5: wrong type
        "  heart_rate: 400\n"            # 6: out of range
        "  phq9_1: 5\n"                  # 7: not a score of the scale
        "  hypertension_history: maybe\n"  # 8
        "unknown: [nonexistent]\n"       # 9
        "extra: 1\n"                     # 10
    )
    data = tmp_path / "data"
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(data))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith(str(answers))]
    assert [int(line.split(":")[1]) for line in lines] == [4, 5, 6, 7, 8, 9, 10]
    assert "did you mean 'bp_systolic'" in lines[0]
    assert "out of range" in lines[2]
    assert sessions_in(data) == [] if data.exists() else True


def test_answers_to_questions_skip_logic_leaves_out_are_warnings(tmp_path: Path) -> None:
    text = COMPLETE.read_text() + "  suicide_plan_or_intent: false\n"
    answers = tmp_path / "a.yaml"
    answers.write_text(text)
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 0, done.stderr
    assert "warning: suicide_plan_or_intent is not asked" in done.stderr
    [session] = sessions_in(tmp_path / "d")
    assert "suicide_plan_or_intent" not in session["answers"]


def test_unknown_on_a_question_that_refuses_it(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: S\nunknown: [weight]\n")
    done = run_installed("run", str(EXAMPLES / "valid" / "every-type.yaml"), "--answers", str(answers),
                         "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 1
    assert ':3:' in done.stderr and '"unknown" is not accepted' in done.stderr


def test_missing_patient_without_a_terminal_is_a_usage_error(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("answers: {bp_systolic: 120}\n")
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 2
    assert "--patient" in done.stderr


def test_unusable_data_directory_fails_before_anything(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run_installed("run", "--answers", str(COMPLETE), "--data-dir", str(blocker / "x"))
    assert done.returncode == 1
    assert "data directory" in done.stderr and "Traceback" not in done.stderr


def test_data_dir_from_the_environment(tmp_path: Path) -> None:
    done = run_installed("run", "--answers", str(COMPLETE), env={"KETASCREEN_DATA_DIR": str(tmp_path / "env")})
    assert done.returncode == 0, done.stderr
    assert len(sessions_in(tmp_path / "env")) == 1
    listed = run_installed("sessions", env={"KETASCREEN_DATA_DIR": str(tmp_path / "env")})
    assert "MRN-0001" in listed.stdout and "completed" in listed.stdout


@pytest.mark.parametrize("status, count", [(None, 2), ("completed", 1), ("in_progress", 1)])
def test_sessions_lists_newest_first_with_a_filter(tmp_path: Path, status, count) -> None:
    partial = tmp_path / "p.yaml"
    partial.write_text("patient: MRN-2\nstaff: AB\nanswers: {bp_systolic: 120}\n")
    run_installed("run", "--answers", str(COMPLETE), "--data-dir", str(tmp_path))
    run_installed("run", "--answers", str(partial), "--data-dir", str(tmp_path))
    args = ["sessions", "--data-dir", str(tmp_path)] + (["--status", status] if status else [])
    listed = run_installed(*args)
    rows = listed.stdout.splitlines()[1:]
    assert len(rows) == count
    if status is None:
        assert "MRN-2" in rows[0] and "MRN-0001" in rows[1]


def test_resume_refuses_a_completed_session_without_amend(tmp_path: Path) -> None:
    run_installed("run", "--answers", str(COMPLETE), "--data-dir", str(tmp_path))
    [session] = sessions_in(tmp_path)
    done = run_installed("resume", session["id"], "--data-dir", str(tmp_path))
    assert done.returncode == 1 and "--amend" in done.stderr


def test_resume_of_a_damaged_file_leaves_it_untouched(tmp_path: Path) -> None:
    path = tmp_path / "abcd-efgh.json"
    path.write_bytes(b'{"format": "ketascreen-session", "format_version": 1, "id": ')
    done = run_installed("resume", "abcd-efgh", "--data-dir", str(tmp_path))
    assert done.returncode == 1 and "left as it is" in done.stderr
    assert path.read_bytes() == b'{"format": "ketascreen-session", "format_version": 1, "id": '
