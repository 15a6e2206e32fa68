"""The command line as a new user meets it: help that reads like the README, global options
wherever they are typed, and a summary that never silently replaces another session's file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLES

COMMANDS = ["validate", "schema", "list", "show", "init", "diff", "test", "run", "resume", "sessions", "history",
            "summary", "export", "export-questionnaire", "delete", "config"]


def test_the_command_list_fits_without_cutting_a_description(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    done = cli("--help")
    assert done.code == 0
    listed = done.out.split("Commands:", 1)[1].splitlines()
    rows = {line.split()[0]: line for line in listed if line.strip()}
    assert sorted(rows) == sorted(COMMANDS)
    assert all(not line.rstrip().endswith("...") and len(line) <= 80 for line in rows.values())


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_lines_show_no_python_types(cli, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    done = cli(command, "--help")
    assert done.code == 0
    assert done.out.startswith(f"Usage: ketascreen {command} ")
    for python_type in ("<str>", "<path>", "<list[str]>", "list[", "{", "......", "]..."):
        assert python_type not in done.out, (command, python_type)


def test_many_sessions_read_as_people_write_them(cli) -> None:
    assert "Usage: ketascreen summary [OPTIONS] SESSION...\n" in cli("summary", "--help").out
    assert "Usage: ketascreen export [OPTIONS] [SESSION...]\n" in cli("export", "--help").out
    assert re.search(r"--output-dir DIR\s", cli("summary", "--help").out)


def test_config_option_after_the_command(cli, tmp_path: Path) -> None:
    settings = tmp_path / "clinic-settings.yaml"
    settings.write_text("clinic_name: Sunrise Clinic\n", encoding="utf-8")
    before = cli("--config", str(settings), "config")
    after = cli("config", "--config", str(settings))
    joined = cli("config", f"--config={settings}")
    assert before.code == after.code == joined.code == 0
    assert "clinic_name: Sunrise Clinic" in after.out
    assert before.out == after.out == joined.out


def test_config_after_the_command_is_used_by_the_command(cli, tmp_path: Path) -> None:
    settings = tmp_path / "clinic-settings.yaml"
    settings.write_text(f"data_dir: {tmp_path / 'clinic-sessions'}\n", encoding="utf-8")
    done = cli("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--config", str(settings))
    assert done.code == 0, done.err
    assert len(list((tmp_path / "clinic-sessions").glob("*.json"))) == 1


def _session(cli, data_dir: Path, patient: str) -> str:  # type: ignore[no-untyped-def]
    done = cli("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"), "--patient", patient,
               "--data-dir", str(data_dir))
    assert done.code == 0, done.err
    return done.out.split("\t")[0]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "pdf"])
def test_summary_output_does_not_replace_another_sessions_file(cli, data_dir: Path, tmp_path: Path,
                                                                fmt: str) -> None:
    first, second = _session(cli, data_dir, "MRN-1"), _session(cli, data_dir, "MRN-2")
    target = tmp_path / f"summary.{fmt}"
    assert cli("summary", first, "-f", fmt, "-o", str(target), "--data-dir", str(data_dir)).code == 0
    original = target.read_bytes()
    # The same session again: a newer copy of its own summary, replaced without asking.
    assert cli("summary", first, "-f", fmt, "-o", str(target), "--data-dir", str(data_dir)).code == 0
    refused = cli("summary", second, "-f", fmt, "-o", str(target), "--data-dir", str(data_dir))
    assert refused.code == 2
    assert f"is not a summary of session {second}; add --force to replace it" in refused.err
    assert target.read_bytes()[:200] == original[:200] and first.encode() in target.read_bytes()
    forced = cli("summary", second, "-f", fmt, "-o", str(target), "--force", "--data-dir", str(data_dir))
    assert forced.code == 0
    assert second.encode() in target.read_bytes() and first.encode() not in target.read_bytes()


def test_summary_output_refuses_an_unrelated_file(cli, data_dir: Path, tmp_path: Path) -> None:
    session = _session(cli, data_dir, "MRN-1")
    notes = tmp_path / "notes.txt"
    notes.write_text("the clinic's own notes\n", encoding="utf-8")
    done = cli("summary", session, "-o", str(notes), "--data-dir", str(data_dir))
    assert done.code == 2 and "add --force" in done.err
    assert notes.read_text(encoding="utf-8") == "the clinic's own notes\n"


def test_summary_output_does_not_replace_another_visits_summary_an_export_or_a_history(
        cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A later visit's summary names the earlier one (Since baseline), an export and a history name
    every session: none of them is this session's summary."""
    form = tmp_path / "earlier.yaml"
    form.write_text((EXAMPLES / "answers" / "nothing-flagged.yaml").read_text(encoding="utf-8")
                    + "collected_at: 2026-01-02\n", encoding="utf-8")
    first = cli("run", "--answers", str(form), "--patient", "MRN-1", "--data-dir", str(data_dir)).out.split("\t")[0]
    later = _session(cli, data_dir, "MRN-1")
    others = {
        "later.json": ("summary", later, "-f", "json"),
        "later.txt": ("summary", later),
        "later.md": ("summary", later, "-f", "markdown"),
        "later.html": ("summary", later, "-f", "html"),
        "all.csv": ("export", "-f", "csv"),
        "history.txt": ("history", "MRN-1"),
        "history.json": ("history", "MRN-1", "-f", "json"),
    }
    for name, command in others.items():
        target = tmp_path / name
        assert cli(*command, "-o", str(target), "--data-dir", str(data_dir)).code == 0
        if name in ("later.json", "all.csv", "history.txt", "history.json"):
            assert first.encode() in target.read_bytes()  # it names the first session, and is not its summary
        before = target.read_bytes()
        refused = cli("summary", first, "-o", str(target), "--data-dir", str(data_dir))
        assert refused.code == 2 and "add --force" in refused.err, name
        assert target.read_bytes() == before


@pytest.mark.parametrize("words", [["sessions", "--data-dir", ""], ["summary", "x", "--output="],
                                   ["run", "--answers", "", "--patient", "P"]])
def test_an_empty_option_value_is_refused_not_replaced_by_a_default(cli, words: list[str]) -> None:
    done = cli(*words)
    assert done.code == 2 and "was given an empty value" in done.err


def test_config_without_a_file_says_so(cli) -> None:
    done = cli("config", "--config")
    assert done.code == 2 and "--config needs a settings file after it" in done.err


def test_config_does_not_take_another_options_name_as_its_file(cli, tmp_path: Path) -> None:
    done = cli("sessions", "--config", "--data-dir", str(tmp_path / "sessions"))
    assert done.code == 2 and "--data-dir" not in done.err.split("settings")[0]
