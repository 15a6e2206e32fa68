"""Data integrity, second round: text kept as written, no link followed for writing, special files
refused or skipped, hand-edited session files refused as a whole, limits with messages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, run_installed


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Two sessions completed by the installed program from an answers file, made once for the module."""
    data = tmp_path_factory.mktemp("finished") / "d"
    made = []
    for _ in range(2):
        done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--data-dir", str(data), "--again")
        assert done.returncode == 0, done.stderr
        made.append(done.stdout.split("\t")[0])
    return data, made


@pytest.fixture
def completed(finished: tuple[Path, list[str]]):  # type: ignore[no-untyped-def]
    """completed(data) -> the id of a completed session now in data: a copy of every file the program
    left for one of the finished sessions (another one at a second call)."""
    made, ids = finished
    copied: dict[Path, int] = {}

    def copy(data: Path) -> str:
        session_id = ids[copied.get(data, 0)]
        copied[data] = copied.get(data, 0) + 1
        data.mkdir(mode=0o700, exist_ok=True)
        for path in made.iterdir():
            if session_id in path.name:
                shutil.copy2(path, data / path.name)
        # and the questionnaire it was asked on, which sessions share
        shutil.copytree(made / ".questionnaires", data / ".questionnaires", dirs_exist_ok=True)
        return session_id

    return copy


def stored(data: Path, session_id: str) -> dict:
    return json.loads((data / f"{session_id}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("written", ["1.10", "0x1A", "1e3", "007", "12:30"])
def test_references_and_free_text_stay_as_written(tmp_path: Path, written: str) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(f"patient: 000123\nstaff: 007\nanswers:\n  medications_list: {written}\n", encoding="utf-8")
    run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    [path] = [p for p in (tmp_path / "d").glob("*.json") if not p.name.startswith(".")]
    data = json.loads(path.read_text())
    assert (data["patient"], data["staff"]) == ("000123", "007")
    assert data["answers"]["medications_list"]["value"] == written


def test_a_symlinked_lock_is_refused_and_its_target_left_alone(tmp_path: Path, completed) -> None:
    data = tmp_path / "d"
    session_id = completed(data)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock = data / f".{session_id}.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(victim)
    for command in (["delete", session_id, "--yes"], ["resume", session_id, "--amend", "--staff", "AB", "--reason", "x"]):
        done = run_installed(*command, "--data-dir", str(data))
        assert done.returncode == 1 and "is a symbolic link" in done.stderr, command
    assert victim.read_text() == "precious" and (data / f"{session_id}.json").exists()


def test_a_planted_temporary_link_is_not_followed(tmp_path: Path) -> None:
    from ketascreen.store import StoreError, write_private

    target = tmp_path / "summary.txt"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / f".summary.txt.{os.getpid()}.tmp").symlink_to(victim)
    with pytest.raises(StoreError, match="symbolic link"):
        write_private(target, b"x")
    assert victim.read_text() == "precious"


def test_output_onto_a_pipe_is_refused_and_dash_is_standard_output(tmp_path: Path, completed) -> None:
    data = tmp_path / "d"
    session_id = completed(data)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    done = run_installed("summary", session_id, "--output", str(pipe), "--data-dir", str(data))
    assert done.returncode == 1 and "not a regular file" in done.stderr
    assert pipe.is_fifo()
    shown = run_installed("summary", session_id, "--output", "-", "--data-dir", str(data))
    assert shown.returncode == 0 and shown.stdout.startswith("Screening summary")


def test_a_pipe_named_like_a_session_is_skipped_not_waited_on(tmp_path: Path, completed) -> None:
    data = tmp_path / "d"
    session_id = completed(data)
    os.mkfifo(data / "zzzz-zzzz.json")
    listed = run_installed("sessions", "--data-dir", str(data))  # the run's timeout would catch a hang
    assert listed.returncode == 0 and session_id in listed.stdout and "not a regular file" in listed.stderr
    exported = run_installed("export", "--format", "csv", "--data-dir", str(data))
    assert exported.returncode == 0 and session_id in exported.stdout


@pytest.mark.parametrize("key, value", [("audit", "x"), ("completed", 7), ("answers", []), ("patient", None),
                                        ("audit", ["not an entry"]), ("status", True)])
def test_a_hand_edited_session_is_refused_whole_and_export_skips_it(tmp_path: Path, completed, key: str,
                                                                 value: object) -> None:
    data = tmp_path / "d"
    good = completed(data)
    bad = completed(data)
    path = data / f"{bad}.json"
    content = stored(data, bad)
    content[key] = value
    path.write_text(json.dumps(content), encoding="utf-8")
    before = path.read_bytes()
    done = run_installed("summary", bad, "--data-dir", str(data))
    assert done.returncode == 1 and "is damaged" in done.stderr and "internal error" not in done.stderr
    exported = run_installed("export", "--format", "csv", "--data-dir", str(data))
    assert exported.returncode == 0 and good in exported.stdout and bad not in exported.stdout
    assert "skipped" in exported.stderr
    assert path.read_bytes() == before


def test_export_skips_a_session_whose_stored_answers_were_edited(tmp_path: Path, completed) -> None:
    data = tmp_path / "d"
    good = completed(data)
    bad = completed(data)
    content = stored(data, bad)
    content["answers"]["bp_systolic"]["value"] = "high"
    (data / f"{bad}.json").write_text(json.dumps(content), encoding="utf-8")
    exported = run_installed("export", "--format", "csv", "--data-dir", str(data))
    assert exported.returncode == 0 and good in exported.stdout and bad not in exported.stdout
    assert "does not fit the question" in exported.stderr


def test_a_very_long_session_reference_is_a_clear_message(tmp_path: Path) -> None:
    done = run_installed("summary", "a" * 300, "--data-dir", str(tmp_path))
    assert done.returncode == 1 and "a session id looks like" in done.stderr and "a" * 300 not in done.stderr
    done = run_installed("summary", "x" * 300 + ".json", "--data-dir", str(tmp_path))
    assert done.returncode == 1 and "longer than a file name can be" in done.stderr


def test_a_chain_of_a_thousand_extends_is_a_clear_message(tmp_path: Path) -> None:
    for index in range(1000):
        base = "ketamine-predose" if index == 0 else f"c{index - 1}.yaml"
        (tmp_path / f"c{index}.yaml").write_text(f"format: 1\nextends: {base}\nid: c{index}\nversion: '1'\n")
    done = run_installed("validate", str(tmp_path / "c999.yaml"))
    assert done.returncode == 1 and "a chain of more than 20 files" in done.stdout
    assert "internal error" not in done.stderr
    assert run_installed("validate", str(tmp_path / "c5.yaml")).returncode == 0


def test_run_without_a_terminal_or_answers_leaves_no_empty_session(tmp_path: Path) -> None:
    done = run_installed("run", "--patient", "P", "--staff", "AB", "--data-dir", str(tmp_path / "d"), input="")
    assert done.returncode == 2 and "needs a terminal" in done.stderr
    assert not list((tmp_path / "d").glob("*.json")) if (tmp_path / "d").exists() else True


def test_a_language_the_questionnaire_lacks_is_an_error_naming_those_it_has(tmp_path: Path) -> None:
    done = run_installed("run", "--lang", "fr", "--patient", "P", "--staff", "AB", "--data-dir", str(tmp_path), input="")
    assert done.returncode == 2 and "has no text in that language; it has en" in done.stderr
    every = EXAMPLES / "valid" / "every-type.yaml"
    done = run_installed("run", str(every), "--lang", "de", "--patient", "P", "--staff", "AB", "--data-dir", str(tmp_path))
    assert done.returncode == 2 and "it has en, es" in done.stderr


def test_the_pdf_names_a_character_its_font_lacks_as_u_plus(tmp_path: Path) -> None:
    from pypdf import PdfReader

    answers = tmp_path / "a.yaml"
    answers.write_text((EXAMPLES / "answers" / "nothing-flagged.yaml").read_text().replace(
        "medications_list: sertraline 100 mg", "medications_list: pill \U0001F48A daily"), encoding="utf-8")
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    session_id = done.stdout.split("\t")[0]
    pdf = tmp_path / "s.pdf"
    run_installed("summary", session_id, "-f", "pdf", "-o", str(pdf), "--data-dir", str(tmp_path / "d"))
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "pill U+1F48A daily" in text


@pytest.mark.parametrize("qid, typed, value", [("heart_rate", "78 bpm", 78), ("heart_rate", "78 BPM", 78),
                                              ("oxygen_saturation", "97 percent", 97), ("bp_systolic", "150 mm Hg", 150),
                                              ("age_years", "42 yrs", 42)])
def test_units_as_staff_type_them(qid: str, typed: str, value: int) -> None:
    from ketascreen import answering as rules
    from ketascreen.loading.load import load_questionnaire

    assert rules.parse_typed(load_questionnaire("ketamine-pretreatment").question(qid), typed).value == value


def test_a_whole_reading_at_the_systolic_prompt_gets_a_hint(data_dir: Path) -> None:
    import pexpect

    from test_terminal import spawn, wait_question

    child = spawn(data_dir, "run", "--patient", "MRN-1", "--staff", "AB")
    wait_question(child)
    child.sendline("165/95")
    child.expect("Not accepted: type one number here \\(for a blood pressure, the upper number now")
    child.sendline("165")
    wait_question(child)
    child.sendline("b")
    wait_question(child)
    child.sendline("")  # Enter keeps the answer, and says so
    child.expect("Kept: 165 mmHg")
    wait_question(child)
    child.sendline("q")
    child.expect(pexpect.EOF)


@pytest.mark.parametrize("digits", [4000, 5000])
def test_a_huge_number_is_refused_without_repeating_it(tmp_path: Path, digits: int) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("patient: P\nstaff: S\nanswers:\n  bp_systolic: " + "9" * digits + "\n", encoding="utf-8")
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 1 and "9999" not in done.stderr
    assert f"{answers}:4:16:" in done.stderr


def test_every_control_and_format_character_is_made_visible() -> None:
    import sys
    import unicodedata

    from ketascreen.textsafe import visible

    left = [hex(c) for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp") and chr(c) not in "\n\t"
            and visible(chr(c)) == chr(c)]
    assert left == []
    assert visible("MRN\u061c7") == "MRN\\u061c7" and visible("x\U000e0041") == "x\\U000e0041"


def test_an_arabic_letter_mark_is_refused_in_a_reference_and_shown_in_a_summary(tmp_path: Path) -> None:
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
                         "--patient", "MRN\u061c7", "--data-dir", str(tmp_path))
    assert done.returncode == 2 and "control characters" in done.stderr
    answers = tmp_path / "a.yaml"
    answers.write_text((EXAMPLES / "answers" / "nothing-flagged.yaml").read_text().replace(
        "medications_list: sertraline 100 mg", "medications_list: \"sertraline \\u061c100 mg\""), encoding="utf-8")
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    session_id = done.stdout.split("\t")[0]
    for fmt in ("text", "markdown", "html"):
        out = run_installed("summary", session_id, "-f", fmt, "--data-dir", str(tmp_path / "d")).stdout
        assert "\u061c" not in out and "061c" in out, fmt


def test_the_resume_command_printed_after_ctrl_c_works_as_typed(data_dir: Path) -> None:
    import subprocess

    import pexpect

    from conftest import wait_until_reading
    from test_terminal import spawn, wait_question

    child = spawn(data_dir, "run", "--patient", "P", "--staff", "AB")
    wait_question(child)
    wait_until_reading(child)
    child.sendintr()
    child.expect(r"To continue:\r\n  (.+) resume (\S+)\r")  # the command on a line of its own, to paste
    command, session_id = child.match.group(1), child.match.group(2)
    child.expect(pexpect.EOF)
    pasted = subprocess.run(f"{command} sessions --data-dir {data_dir}", shell=True, capture_output=True, text=True,
                            env={**os.environ, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert pasted.returncode == 0 and session_id in pasted.stdout


def test_export_questionnaire_needs_no_format(tmp_path: Path) -> None:
    done = run_installed("export-questionnaire", "ketamine-monitoring")
    assert done.returncode == 0 and json.loads(done.stdout)["resourceType"] == "Questionnaire"


def test_messages_show_control_characters_from_files_instead_of_sending_them(tmp_path: Path) -> None:
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text('format: 1\nid: x\ntitle: X\nversion: "1"\nsections: []\n"bad\\e]0;title\\a": 1\n')
    done = run_installed("validate", str(questionnaire))
    assert "\x1b" not in done.stdout + done.stderr and "bad\\x1b]0;title\\x07" in done.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text('patient: P\nstaff: S\nanswers:\n  "bp\\e[2Jx": 1\n')
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 1 and "\x1b" not in done.stderr and "\\x1b[2J" in done.stderr
    settings = tmp_path / "settings.yaml"
    settings.write_text('clinic_name: "Clinic \\e]52;c;evil\\a"\nprinter: "P\\u202e"\n')
    shown = run_installed("--config", str(settings), "config")
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout and "\\u202e" in shown.stdout
