"""Health data stays private: no answer, patient reference or question text in error messages;
deleting leaves nothing behind; files stay private whatever the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pexpect

from conftest import EXAMPLES, ketascreen_executable, run_installed, spawn_installed

PATIENT = "MRN-SECRET-4711"
SECRET = "zopiclone-SECRET"


def test_error_messages_never_repeat_answers_or_patient_references(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"patient: {PATIENT}\nstaff: AB\nanswers:\n  bp_systolic: 999\n  route_x: {SECRET}\n"
                   f"  phq9_1: 7\n  hypertension_history: {SECRET}\n  medications_list: [{SECRET}]\n")
    outputs = [run_installed("run", "--answers", str(bad), "--data-dir", str(data))]
    good = tmp_path / "good.yaml"
    good.write_text((EXAMPLES / "answers" / "several-flags.yaml").read_text().replace("MRN-0042", PATIENT)
                    .replace("lorazepam", SECRET))
    done = run_installed("run", "--answers", str(good), "--data-dir", str(data))
    session_id = done.stdout.split("\t")[0]
    path = data / f"{session_id}.json"
    original = path.read_bytes()
    assert b'"value":184' in original
    outputs.append(run_installed("resume", session_id, "--data-dir", str(data)))  # completed: refused
    path.write_bytes(original.replace(b'"value":184', b'"value":"184"'))  # hand-edited
    outputs.append(run_installed("summary", session_id, "--data-dir", str(data)))
    path.write_bytes(original[:-200])  # damaged
    outputs += [run_installed("summary", session_id, "--data-dir", str(data)),
                run_installed("export", "--format", "csv", "--data-dir", str(data)),
                run_installed("sessions", "--data-dir", str(data))]
    for output in outputs:
        assert output.returncode != 0 or output.args[1] in ("sessions", "export")
        assert PATIENT not in output.stderr and SECRET not in output.stderr and "999" not in output.stderr
        assert "Traceback" not in output.stderr
    assert "out of range" in outputs[0].stderr and "did you mean" not in outputs[0].stderr.split("route_x")[0]


def test_delete_asks_then_removes_every_file_of_the_session(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--data-dir", str(data))
    session_id = done.stdout.split("\t")[0]
    (data / f".{session_id}.json.999.tmp").write_text("left by a crash")
    other = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--data-dir", str(data), "--again")
    kept = other.stdout.split("\t")[0]
    assert run_installed("delete", session_id, "--data-dir", str(data)).returncode == 2  # no terminal, no --yes
    child = spawn_installed("delete", session_id, "--data-dir", str(data))
    child.expect("Type the session id to confirm")
    child.sendline("nope")
    child.expect("Not deleted")
    child.expect(pexpect.EOF)
    assert (data / f"{session_id}.json").exists()
    child = spawn_installed("delete", session_id, "--data-dir", str(data))
    child.expect("Type the session id to confirm")
    child.sendline(session_id)
    child.expect(f"deleted session {session_id}")
    child.expect(pexpect.EOF)
    assert sorted(p.name for p in data.iterdir() if session_id in p.name) == []
    assert (data / f"{kept}.json").exists()
    assert run_installed("delete", kept, "--yes", "--data-dir", str(data)).returncode == 0
    # Only the questionnaire the sessions were asked on is left: shared, and holding no answers.
    assert [p.name for p in data.iterdir()] == [".questionnaires"]
    assert all(b"MRN-" not in copy.read_bytes() for copy in (data / ".questionnaires").iterdir())


def test_private_files_with_umask_000(tmp_path: Path) -> None:
    data = tmp_path / "data"
    command = [*ketascreen_executable(), "run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
               "--data-dir", str(data)]
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: os.umask(0))
    assert done.returncode == 0, done.stderr
    session_id = done.stdout.split("\t")[0]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    assert len(list(data.rglob("*"))) == 4  # the session, its lock, the questionnaire copy and its directory
    out = tmp_path / "out"
    subprocess.run([*ketascreen_executable(), "summary", session_id, "--format", "pdf", "--output-dir", str(out),
                    "--data-dir", str(data)], check=True, capture_output=True, stdin=subprocess.DEVNULL,
                   preexec_fn=lambda: os.umask(0))
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(next(out.iterdir()).stat().st_mode) == 0o600
    json.loads((data / f"{session_id}.json").read_text())
