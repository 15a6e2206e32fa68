"""The command line as users meet it: exit codes, messages on the right stream, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, run_installed
from ketascreen import __version__
from ketascreen.loading.load import load_questionnaire

COMMANDS = ["validate", "schema", "list", "show"]


def test_version(cli) -> None:
    result = cli("--version")
    assert (result.code, result.out) == (0, f"ketascreen {__version__}\n")


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(cli, command: str | None) -> None:
    result = cli(*([command] if command else []), "--help")
    assert result.code == 0
    assert "Usage:" in result.out
    if command is None:
        for name in COMMANDS:
            assert name in result.out


def test_usage_errors_exit_2(cli) -> None:
    assert cli("no-such-command").code == 2
    assert cli("validate").code == 2
    assert cli("show", "--no-such-option", "x").code == 2


def test_validate_bundled_by_id(cli) -> None:
    result = cli("validate", "ketamine-pretreatment")
    assert result.code == 0
    assert result.out == ""
    assert "ketamine-pretreatment: ok" in result.err


def test_validate_reports_every_problem_file_line_col(cli) -> None:
    path = EXAMPLES / "invalid" / "clinic-four-problems.yaml"
    result = cli("validate", str(path))
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 4
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}:{pos}" for pos in ("17:9", "20:13", "26:26", "32:44")]
    assert "4 problems" in result.err


def test_validate_several_files_exit_1_if_any_is_bad(cli) -> None:
    good = EXAMPLES / "valid" / "minimal.yaml"
    bad = EXAMPLES / "invalid" / "yaml-syntax.yaml"
    assert cli("validate", str(good), str(good)).code == 0
    assert cli("validate", str(good), str(bad)).code == 1
    assert cli("validate", "no-such-questionnaire").code == 1


def test_list_shows_the_bundled_questionnaire_with_counts(cli) -> None:
    result = cli("list")
    assert result.code == 0
    row = next(line for line in result.out.splitlines() if line.startswith("ketamine-pretreatment"))
    q = load_questionnaire("ketamine-pretreatment")
    assert row.split()[-3:] == [str(len(q.questions)), str(len(q.flags)), str(len(q.scores))]
    assert (len(q.questions), len(q.flags), len(q.scores)) == (83, 36, 3)


def test_show_describes_rules_in_words(cli) -> None:
    result = cli("show", "ketamine-pretreatment")
    assert result.code == 0
    words = " ".join(result.out.split())  # the outline wraps long rules
    assert ("((systolic blood pressure, re-check not answered, or diastolic blood pressure, re-check not answered), "
            "and (systolic blood pressure above 180 mmHg, or diastolic blood pressure above 100 mmHg") in words
    assert "asked only if: thoughts of ending own life, past month: yes" in words
    assert "20–27: severe" in result.out
    assert result.out.index("urgent — same-day clinician attention") < result.out.index("possible contraindication")


def test_show_translated_text(cli) -> None:
    path = EXAMPLES / "valid" / "every-type.yaml"
    assert "Todos los tipos" in cli("show", str(path), "--lang", "es").out
    assert "Every type" in cli("show", str(path), "--lang", "fr").out  # falls back to the file's language


def test_show_a_broken_file_reports_on_stderr(cli) -> None:
    result = cli("show", str(EXAMPLES / "invalid" / "clinic-four-problems.yaml"))
    assert result.code == 1
    assert result.out == ""
    assert len(result.err.splitlines()) == 4


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00", b"a: [", b"- 1\n- 2\n", b"sections: 5\n", b"{format: 1, sections: [5, {questions: [7]}]}"])
def test_no_traceback_for_any_file(tmp_path: Path, cli, content: bytes) -> None:
    path = tmp_path / "q.yaml"
    path.write_bytes(content)
    for command in ("validate", "show"):
        result = cli(command, str(path))
        assert result.code == 1
        assert "Traceback" not in result.out + result.err


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys, json\n"
        "from ketascreen.cli import main\n"
        f"main({argv!r})\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["validate", "--help"]])
def test_version_and_help_do_not_import_heavy_modules(argv: list[str]) -> None:
    modules = _modules_after(argv)
    heavy = {m for m in modules if m.split(".")[0] in ("jsonschema", "yaml") or m in ("rich.markdown", "rich.syntax")}
    assert heavy == set()


def test_installed_script_and_module_entry_points_agree() -> None:
    script = run_installed("--version")
    module = subprocess.run([sys.executable, "-m", "ketascreen", "--version"], capture_output=True, text=True)
    assert script.returncode == module.returncode == 0
    assert script.stdout == module.stdout == f"ketascreen {__version__}\n"


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("head") is None, reason="needs bash and head for the pipe")
def test_broken_pipe_is_not_a_traceback() -> None:
    shell = f"{' '.join(map(str, [sys.executable, '-m', 'ketascreen']))} show ketamine-pretreatment | head -1"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True)
    assert "Traceback" not in done.stderr


def test_show_escapes_control_characters_from_the_file(tmp_path: Path, cli) -> None:
    path = tmp_path / "q.yaml"
    path.write_text((EXAMPLES / "valid" / "minimal.yaml").read_text().replace(
        "title: The smallest questionnaire", 'title: "Red \\e[31mtitle\\u202e"'))
    result = cli("show", str(path))
    assert result.code == 0
    assert "\x1b" not in result.out and "\u202e" not in result.out
    assert "\\x1b[31mtitle\\u202e" in result.out


def test_references_from_the_command_line_are_checked(tmp_path: Path) -> None:
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
                         "--patient", "MRN\x1b[2J", "--data-dir", str(tmp_path))
    assert done.returncode == 2 and "control characters" in done.stderr
    assert not list(tmp_path.glob("*.json"))


def test_validate_strict_turns_warnings_into_a_failure(cli) -> None:
    path = EXAMPLES / "warnings" / "unreachable.yaml"
    relaxed = cli("validate", str(path))
    assert relaxed.code == 0 and relaxed.out.count(": warning: ") == 6 and "ok, with 6 warnings" in relaxed.err
    strict = cli("validate", "--strict", str(path))
    assert strict.code == 1
