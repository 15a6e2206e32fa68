"""Urgent findings are shown the moment they are given: at a real terminal the interview stops until
staff acknowledge, a possible contraindication is pointed out, and every way of stopping repeats an
urgent flag in the last lines. `ketascreen sessions` marks sessions that need attention."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest

from conftest import EXAMPLES, run_installed, wait_until_reading
from test_terminal import QUESTION, spawn, the_session, wait_question

QUIET = (EXAMPLES / "answers" / "nothing-flagged.yaml").read_text(encoding="utf-8")


def answers_up_to_suicide_questions(tmp_path: Path) -> Path:
    """The quiet answers without the suicide questions and what follows: the interview goes on there."""
    kept = []
    for line in QUIET.splitlines():
        if line.startswith("  suicid"):
            break
        kept.append(line)
    path = tmp_path / "answers.yaml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def acknowledge(child: pexpect.spawn) -> None:
    child.expect("Type ok and press Enter to confirm you have read this")
    child.sendline("ok")
    child.expect("Acknowledged")


def test_a_plan_stops_the_interview_with_the_urgent_notice_before_the_next_question(data_dir: Path,
                                                                                   tmp_path: Path) -> None:
    child = spawn(data_dir, "run", "--answers", str(answers_up_to_suicide_questions(tmp_path)))
    wait_question(child)
    child.expect("thoughts about ending your life")
    child.sendline("y")
    child.expect("Saved: yes")
    # The notice, not the next question, comes first; a wrong key does not get past it.
    index = child.expect([r"!! URGENT — SAME-DAY CLINICIAN ATTENTION: Thoughts of death", QUESTION])
    assert index == 0
    child.expect("What to do: Tell the clinician now")
    child.expect("Type ok")
    child.sendline("n")
    child.expect("The interview waits until this notice is acknowledged")
    acknowledge(child)
    wait_question(child)
    child.expect("made a plan")
    child.sendline("y")
    child.expect("Saved: yes")
    assert child.expect([r"!! URGENT — SAME-DAY CLINICIAN ATTENTION: A plan or intention", QUESTION]) == 0
    child.expect("What to do: Do not leave the patient alone; tell the clinician now")
    acknowledge(child)
    wait_question(child)
    child.sendline("q")
    child.expect("Saved for later")
    # the last lines repeat both urgent findings
    child.expect(r"!! URGENT: A plan or intention")
    child.expect(r"!! URGENT: Thoughts of death")
    child.expect(pexpect.EOF)
    saved = the_session(data_dir)
    acknowledged = [e for e in saved["audit"] if e["event"] == "urgent_acknowledged"]
    assert [e["flag"] for e in acknowledged] == ["suicide_risk", "suicide_plan_or_attempt"]
    assert all(e["by"] == "AB" and re.match(r"\d{4}-\d\d-\d\dT", e["at"]) for e in acknowledged)


def test_item_9_then_quit_repeats_the_notice(data_dir: Path) -> None:
    answers = QUIET.split("  phq9_9:")[0]
    path = data_dir.parent / "a.yaml"
    path.write_text(answers, encoding="utf-8")
    child = spawn(data_dir, "run", "--answers", str(path))
    wait_question(child)
    child.expect("better off dead")
    child.sendline("3")
    child.expect("!! URGENT")
    child.expect("Type ok")
    child.sendline("q")  # staff may stop at the notice: it is repeated, and the session is saved
    child.expect("Saved for later")
    child.expect(r"!! URGENT: Thoughts of death, self-harm or suicide")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = the_session(data_dir)
    assert saved["answers"]["phq9_9"]["value"] == 3
    assert not [e for e in saved["audit"] if e["event"] == "urgent_acknowledged"]
    # Resumed, the unacknowledged notice is shown before any question.
    child = spawn(data_dir, "resume", saved["id"])
    assert child.expect([r"!! URGENT — SAME-DAY CLINICIAN ATTENTION", QUESTION]) == 0
    acknowledge(child)
    wait_question(child)
    child.sendline("q")
    child.expect(pexpect.EOF)


@pytest.mark.parametrize("stop", ["ctrl-c", "end of input"])
def test_interrupted_or_ended_with_an_urgent_flag_repeats_it(data_dir: Path, tmp_path: Path, stop: str) -> None:
    child = spawn(data_dir, "run", "--answers", str(answers_up_to_suicide_questions(tmp_path)))
    wait_question(child)
    child.sendline("y")
    child.expect("Type ok")
    if stop == "ctrl-c":
        wait_until_reading(child)
        child.sendintr()
        child.expect("Interrupted")
    else:
        child.sendeof()
        child.expect("No more input")
    child.expect(r"!! URGENT: Thoughts of death")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == (130 if stop == "ctrl-c" else 1)
    assert the_session(data_dir)["answers"]["suicidal_thoughts"]["value"] is True


def test_a_contraindication_is_pointed_out_without_stopping(data_dir: Path) -> None:
    child = spawn(data_dir, "run", "--patient", "MRN-1", "--staff", "AB")
    wait_question(child)
    child.sendline("120")
    wait_question(child)
    child.sendline("80")
    wait_question(child)
    child.sendline("70")
    wait_question(child)
    child.sendline("97")  # oxygen saturation
    for _ in range(10):  # the questions about the patient, quietly, up to the brain questions
        wait_question(child)
        index = child.expect(["growth in your brain", "How old", "weight", "Which treatment", "treated with ketamine",
                              "allergic"])
        if index == 0:
            break
        child.sendline({1: "40", 2: "70", 3: "1", 4: "n", 5: "n"}[index])
    child.sendline("y")
    child.expect("Possible contraindication: Brain lesion, recent head injury or raised pressure inside the skull "
                 "reported \\(found: brain tumor or lesion: yes\\)")
    assert wait_question(child) == 11  # no acknowledgement needed
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert "!! URGENT" not in child.before


def test_answers_file_without_a_terminal_ends_with_the_urgent_notice_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(QUIET.replace("suicide_attempt_recent: false", "suicide_attempt_recent: true"), encoding="utf-8")
    done = run_installed("run", "--answers", str(path), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 0
    last = done.stderr.strip().splitlines()
    assert last[-4:] == [
        "ketascreen: URGENT: A plan or intention to end their life, or a suicide attempt or preparation in the past "
        "3 months, reported",
        "ketascreen:   What to do: Do not leave the patient alone; tell the clinician now and follow the clinic's "
        "safety procedure.",
        "ketascreen: URGENT: Thoughts of death, self-harm or suicide, a plan, or a recent attempt, reported",
        "ketascreen:   What to do: Tell the clinician now, so that the patient's safety is assessed today before "
        "they leave, and follow the clinic's safety procedure.",
    ]
    quiet = tmp_path / "q.yaml"
    quiet.write_text(QUIET, encoding="utf-8")
    done = run_installed("run", "--answers", str(quiet), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 0 and "URGENT" not in done.stderr


def test_sessions_shows_what_needs_attention(tmp_path: Path) -> None:
    data = tmp_path / "d"
    cases = {
        "urgent-and-contra": QUIET.replace("phq9_9: 0", "phq9_9: 1").replace("bp_systolic: 122", "bp_systolic: 190")
        .replace("aneurysm_or_avm: false", "aneurysm_or_avm: true"),
        "quiet": QUIET,
        "in-progress": "patient: MRN-3\nstaff: AB\nanswers:\n  bp_systolic: 122\n  bp_diastolic: 76\n"
                       "  intracranial_lesion: true\n",
    }
    ids = {}
    for name, text in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        done = run_installed("run", "--answers", str(path), "--data-dir", str(data))
        found = re.search(r"session (\S+) saved in progress", done.stderr)
        ids[name] = found.group(1) if found else done.stdout.split("\t")[0]
    listed = run_installed("sessions", "--data-dir", str(data))
    assert listed.returncode == 0
    header, *rows = listed.stdout.splitlines()
    assert header.split()[:5] == ["session", "patient", "staff", "status", "attention"]
    row = {line.split()[0]: line for line in rows}
    assert "URGENT 1, contra 2" in row[ids["urgent-and-contra"]]
    assert "contra 1" in row[ids["in-progress"]] and "in progress" in row[ids["in-progress"]]
    assert "URGENT" not in row[ids["quiet"]] and "contra" not in row[ids["quiet"]]


def test_control_characters_in_an_urgent_flag_are_made_visible_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("format: 1\nid: q\ntitle: Q\nversion: '1'\nsections:\n  - id: s\n    title: S\n    questions:\n"
                    "      - {id: a, type: yes_no, text: A?}\nflags:\n"
                    '  - {id: u, severity: urgent, label: "Loud \\e[31mred\\u202e", explanation: E, source: S,\n'
                    '     staff_instruction: "Act \\e[2J now", when: {question: a, equals: true}}\n', encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: AB\nanswers: {a: true}\n", encoding="utf-8")
    done = run_installed("run", str(path), "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr
    assert "URGENT: Loud" in done.stderr and "What to do: Act" in done.stderr


def test_a_contraindication_from_an_answers_file_is_pointed_out_at_the_terminal(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("patient: P\nstaff: AB\nanswers: {bp_systolic: 190, bp_diastolic: 95}\n", encoding="utf-8")
    child = spawn(data_dir, "run", "--answers", str(path))
    child.expect("Possible contraindication: Blood pressure above 180/100 mmHg at rest")
    wait_question(child)
    child.sendline("q")
    child.expect(pexpect.EOF)


def test_sessions_marks_an_urgent_flag_left_unassessed_by_declined_answers(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(QUIET.replace("  suicidal_thoughts: false\n", "")
                    + "declined: [suicidal_thoughts, suicide_plan_or_intent]\n", encoding="utf-8")
    done = run_installed("run", "--answers", str(path), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 0, done.stderr
    listed = run_installed("sessions", "--data-dir", str(tmp_path / "d")).stdout
    assert "URGENT NOT ASSESSED 2" in listed  # thoughts declined, and the plan question after it
