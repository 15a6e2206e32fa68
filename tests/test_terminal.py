"""The interview through a real pseudo-terminal, driving the installed program as staff would."""

from __future__ import annotations

import json
import random
import re
import signal
import stat
import time
from pathlib import Path

import pexpect
import pytest

from conftest import confirm_review, find_in_review, kill_now, spawn_installed, wait_until_reading
from ketascreen.loading.load import load_questionnaire

QUESTION = re.compile(r"Question (\d+) of about (\d+)")


def spawn(data_dir: Path, *args: str, plain: bool = True) -> pexpect.spawn:
    env = {"KETASCREEN_DATA_DIR": str(data_dir), "TERM": "xterm-256color", "COLUMNS": "200",
           "NO_COLOR": "1" if plain else None}
    return spawn_installed(*args, env=env, dimensions=(40, 200))


def answer_for(question) -> str:
    """A quiet answer for each type of the bundled questionnaire."""
    return {"bp_systolic": "120", "bp_diastolic": "80", "heart_rate": "70", "antidepressant_trials_failed": "0",
            "medications_list": "none", "oxygen_saturation": "97", "age_years": "40", "weight_kg": "70",
            "planned_treatment": "1", "pregnancy_test": "4", "emergency_contact_recorded": "y"}.get(question.id) \
        or {"yes_no": "n", "scale": "0"}[question.type]


def the_session(data_dir: Path) -> dict:
    [path] = list(data_dir.glob("*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def wait_question(child: pexpect.spawn) -> int:
    child.expect(QUESTION)
    return int(child.match.group(1))


def test_whole_interview_with_bad_input_back_unknown_ctrl_c_and_resume(data_dir: Path) -> None:
    questionnaire = load_questionnaire("ketamine-pretreatment")
    child = spawn(data_dir, "run")
    child.expect("Patient reference")
    child.sendline("MRN-0042")
    child.expect("Staff initials")
    child.sendline("AB")
    assert wait_question(child) == 1
    child.sendline("abc")  # a bad answer is asked again
    child.expect("Not accepted: a whole number from 40 to 300 mmHg")
    child.sendline("184")
    child.expect("Saved: 184 mmHg")
    assert wait_question(child) == 2
    child.sendline("u")  # unknown
    child.expect("Saved: unknown")
    assert wait_question(child) == 3
    child.sendline("b")  # back: the previous question with its answer
    assert wait_question(child) == 2
    child.expect(r"Current answer: unknown \(Enter keeps it\)")
    child.sendline("95")
    child.expect("Saved: 95 mmHg")
    assert wait_question(child) == 3  # a raised first reading: the re-check after rest
    child.expect("systolic blood pressure now")
    child.sendline("150")
    child.expect("Saved: 150 mmHg")
    assert wait_question(child) == 4
    child.sendline("150")  # a typing slip: diastolic as high as systolic
    child.expect("Not accepted: the diastolic \\(lower\\) number of the re-check must be below")
    child.sendline("85")
    child.expect("Saved: 85 mmHg")
    assert wait_question(child) == 5
    child.sendline("72")
    child.expect("Saved: 72")
    assert wait_question(child) == 6
    wait_until_reading(child)
    child.sendintr()  # Ctrl-C half-way
    child.expect("Interrupted. Every answer given is saved. To continue:\r\n  \\S*ketascreen resume (\\S+)")
    session_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = the_session(data_dir)
    assert saved["id"] == session_id and saved["status"] == "in_progress"
    assert {k: v["value"] for k, v in saved["answers"].items()} == {
        "bp_systolic": 184, "bp_diastolic": 95, "bp_systolic_recheck": 150, "bp_diastolic_recheck": 85, "heart_rate": 72}
    changed = [e for e in saved["audit"] if e["event"] == "changed"]
    assert changed[-1]["old"] == {"state": "unknown", "at": changed[-1]["old"]["at"]}

    # With quiet answers the path skips the PC-PTSD-5 items and the plan question.
    path = [q for q in questionnaire.questions
            if not re.fullmatch(r"pcptsd5_\d", q.id) and q.id not in (
                "suicide_plan_or_intent", "prior_ketamine_response", "drug_allergies_list", "phq9_difficulty",
                "gad7_difficulty")]
    child = spawn(data_dir, "resume", session_id)
    answered = 5
    while True:
        index = child.expect([QUESTION, "Review: every answer"])
        if index == 1:
            break
        position = int(child.match.group(1))
        assert position == answered + 1
        child.sendline(answer_for(path[position - 1]))
        child.expect("Saved:")
        answered += 1
    confirm_review(child)
    child.expect("Completed and saved: session " + session_id)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = the_session(data_dir)
    assert saved["status"] == "completed"
    assert set(saved["answers"]) == {q.id for q in path}, set(saved["answers"]) ^ {q.id for q in path}
    assert len(saved["answers"]) == answered == len(path) == 73
    assert saved["questionnaire"]["sha256"] == questionnaire.sha256
    assert [e["event"] for e in saved["audit"]][-2:] == ["resumed", "completed"]
    path = next(data_dir.glob("*.json"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def start(data_dir: Path, *extra: str, plain: bool = True) -> pexpect.spawn:
    child = spawn(data_dir, "run", "--patient", "MRN-1", "--staff", "AB", *extra, plain=plain)
    assert wait_question(child) == 1
    return child


def test_killed_mid_interview_keeps_every_confirmed_answer_and_resumes(data_dir: Path) -> None:
    child = start(data_dir)
    readings = ["130", "85", "64", "97", "40"]
    for typed in readings:
        child.sendline(typed)
        child.expect("Saved:")
    child.send("y")  # a half-typed answer, not confirmed
    time.sleep(0.2)
    kill_now(child)
    saved = the_session(data_dir)
    assert list(saved["answers"]) == ["bp_systolic", "bp_diastolic", "heart_rate", "oxygen_saturation", "age_years"]
    child = spawn(data_dir, "resume", saved["id"])
    assert wait_question(child) == 6
    child.sendline("q")
    child.expect("Saved for later")
    child.expect(pexpect.EOF)


def test_random_kills_never_lose_a_confirmed_answer(data_dir: Path) -> None:
    rng = random.Random(20261129)
    confirmed: list[str] = []
    session_id = None
    for _ in range(5):
        child = spawn(data_dir, "resume", session_id) if session_id else start(data_dir)
        if session_id:
            wait_question(child)
        for _ in range(rng.randint(1, 4)):
            first = ["120", "70", "70", "97", "40", "70", "1"]  # vital signs, age, weight, treatment planned
            child.sendline(first[len(confirmed)] if len(confirmed) < len(first) else "n")
            child.expect("Saved:")
            confirmed.append("x")
        time.sleep(rng.random() * 0.05)
        kill_now(child)
        saved = the_session(data_dir)
        session_id = saved["id"]
        assert len(saved["answers"]) == len(confirmed)


def test_end_of_input_saves_and_exits_1(data_dir: Path) -> None:
    child = start(data_dir)
    child.sendline("120")
    child.expect("Saved:")
    child.sendeof()
    child.expect("No more input. Every answer given is saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert the_session(data_dir)["answers"]["bp_systolic"]["value"] == 120


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_terminal_closed_or_terminated_saves(data_dir: Path, signum: int) -> None:
    child = start(data_dir)
    child.sendline("120")
    child.expect("Saved:")
    wait_question(child)
    wait_until_reading(child)
    child.kill(signum)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signum or child.signalstatus == signum
    saved = the_session(data_dir)
    assert saved["answers"]["bp_systolic"]["value"] == 120 and saved["status"] == "in_progress"


def test_a_second_terminal_cannot_open_the_same_session(data_dir: Path) -> None:
    first = start(data_dir)
    session_id = the_session(data_dir)["id"]
    second = spawn(data_dir, "resume", session_id)
    second.expect(f"session {session_id} is open in another terminal")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 1
    first.sendline("120")
    first.expect("Saved:")
    first.sendline("q")
    first.expect(pexpect.EOF)
    assert the_session(data_dir)["answers"]["bp_systolic"]["value"] == 120


def test_help_and_save_and_quit(data_dir: Path) -> None:
    child = start(data_dir)
    child.sendline("?")
    child.expect("Help: ")
    child.sendline("b")
    child.expect("This is the first question.")
    child.sendline("q")
    child.expect("Saved for later. To continue:\r\n  \\S*ketascreen resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_plain_mode_has_no_escape_sequences_and_colour_mode_does(data_dir: Path, tmp_path: Path) -> None:
    child = start(data_dir, "--plain")
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert "\x1b[" not in child.before
    child = start(tmp_path / "colour", plain=False)
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert "\x1b[" in child.before


def test_review_lets_staff_change_an_answer_and_amend_is_audited(data_dir: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    from conftest import EXAMPLES
    answers.write_text((EXAMPLES / "answers" / "nothing-flagged.yaml").read_text())
    child = spawn(data_dir, "run", "--answers", str(answers))  # a terminal: goes on to the review
    child.expect("Review: every answer")
    number = find_in_review(child, r"(\d+)\. thoughts of ending own life, past month: no").group(1)
    child.sendline(number)
    wait_question(child)
    child.sendline("y")
    child.expect("Saved: yes")
    child.expect("URGENT")  # thoughts of suicide: the interview stops until staff acknowledge
    child.expect("Type ok")
    child.sendline("ok")
    wait_question(child)  # the follow-up question is now asked
    child.expect("plan")
    child.sendline("n")
    child.expect("Review: what changed")
    child.expect("suicide_plan_or_intent|plan or intention to act: not answered → no")
    confirm_review(child)
    child.expect("Completed and saved")
    child.expect(pexpect.EOF)
    saved = the_session(data_dir)
    assert saved["answers"]["suicidal_thoughts"]["value"] is True
    assert saved["answers"]["suicide_plan_or_intent"]["value"] is False
    child = spawn(data_dir, "resume", saved["id"], "--amend", "--staff", "CD", "--reason", "checked with the patient")
    child.expect("Review: every answer")
    child.sendline("q")
    child.expect(pexpect.EOF)
    saved = the_session(data_dir)
    amend = [e for e in saved["audit"] if e["event"] == "amend"]
    assert amend and amend[0]["by"] == "CD"


def test_resume_uses_the_stored_questionnaire_and_says_the_file_changed(data_dir: Path, tmp_path: Path) -> None:
    from conftest import EXAMPLES

    clinic = tmp_path / "clinic.yaml"
    clinic.write_text((EXAMPLES / "valid" / "every-type.yaml").read_text())
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: S\nanswers: {smoker: false}\n")
    child = spawn(data_dir, "run", str(clinic), "--answers", str(answers))
    wait_question(child)
    child.expect("Weight\\?")
    child.sendline("q")
    child.expect(pexpect.EOF)
    clinic.write_text(clinic.read_text().replace("text: Weight?", "text: Body weight today?"))
    child = spawn(data_dir, "resume", the_session(data_dir)["id"])
    child.expect("has changed since this session began")
    wait_question(child)
    child.expect("Weight\\?")  # the stored copy, not the edited file
    child.sendline("q")
    child.expect(pexpect.EOF)


def test_amend_that_changes_nothing_leaves_the_session_completed(data_dir: Path) -> None:
    from conftest import EXAMPLES, run_installed

    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--data-dir", str(data_dir))
    session_id = done.stdout.split("\t")[0]
    child = spawn(data_dir, "resume", session_id, "--amend", "--staff", "CD", "--reason", "a second look")
    child.expect("Review: every answer")
    confirm_review(child)
    child.expect("No answer was changed")
    child.expect(pexpect.EOF)
    saved = the_session(data_dir)
    assert saved["status"] == "completed" and saved["completed"]
    assert [e["event"] for e in saved["audit"]][-1] == "amend"


def test_questions_in_another_language(data_dir: Path) -> None:
    from conftest import EXAMPLES

    child = spawn(data_dir, "run", str(EXAMPLES / "valid" / "every-type.yaml"), "--lang", "es",
                  "--patient", "P", "--staff", "S")
    child.expect("Pregunta 1 de")  # the interview's own words in the patient's language too
    child.expect_exact("¿Fuma?")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child = spawn(data_dir, "run", str(EXAMPLES / "valid" / "every-type.yaml"), "--lang", "fr",
                  "--patient", "P", "--staff", "S")
    child.expect("--lang fr: every-type has no text in that language; it has en, es")  # said, not ignored
    child.expect(pexpect.EOF)


def test_resume_of_a_clinic_file_that_did_not_change_says_nothing_about_changes(data_dir: Path, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("format: 1\nextends: ketamine-pretreatment\nid: clinic\nversion: '1'\n"
                      "change_questions:\n  bp_systolic: {max: 280}\n")
    child = spawn(data_dir, "run", str(clinic), "--patient", "P", "--staff", "S")
    wait_question(child)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child = spawn(data_dir, "resume", the_session(data_dir)["id"])
    wait_question(child)
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert "has changed" not in child.before
    clinic.write_text(clinic.read_text().replace("280", "260"))
    child = spawn(data_dir, "resume", the_session(data_dir)["id"])
    child.expect("has changed since this session began")
    child.sendline("q")
    child.expect(pexpect.EOF)
