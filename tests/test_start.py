"""What an interview loads before its first question: on a questionnaire already in the compiled
cache, none of the checking machinery (YAML, JSON Schema, the semantic checks) and nothing else
that costs start-up time without being used there."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect

# Stands in for the prompt of the first question: writes what is loaded by then and stops.
UNTIL_FIRST_QUESTION = (
    "import builtins, json, os, sys\n"
    "def asked(prompt=''):\n"
    "    with open(sys.argv[1], 'w', encoding='utf-8') as out:\n"
    "        json.dump(sorted(sys.modules), out)\n"
    "    os._exit(0)\n"
    "builtins.input = asked\n"
    "from ketascreen.cli import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)
NOT_BEFORE_THE_FIRST_QUESTION = ("yaml", "jsonschema", "platformdirs", "ketascreen.loading.yamlread",
                                 "ketascreen.loading.checks", "ketascreen.loading.schema", "rich.markdown")


def _loaded_at_first_question(tmp_path: Path, report: str) -> set[str]:
    out = tmp_path / report
    argv = ["-c", UNTIL_FIRST_QUESTION, str(out), "run", "ketamine-pretreatment", "--patient", "MRN-0042",
            "--staff", "AB", "--data-dir", str(tmp_path / "sessions")]
    child = pexpect.spawn(sys.executable, argv, encoding="utf-8", timeout=60, dimensions=(40, 120))
    child.expect(pexpect.EOF)
    child.close()
    assert out.is_file(), child.before
    return set(json.loads(out.read_text(encoding="utf-8")))


def test_a_cached_questionnaire_reaches_its_first_question_without_the_checks(tmp_path: Path) -> None:
    first = _loaded_at_first_question(tmp_path, "first.json")
    assert "yaml" in first  # checked the first time: the report shows what is loaded
    second = _loaded_at_first_question(tmp_path, "second.json")
    assert "ketascreen.interview" in second
    assert sorted(m for m in second if m in NOT_BEFORE_THE_FIRST_QUESTION
                  or m.split(".")[0] in NOT_BEFORE_THE_FIRST_QUESTION) == []
