"""Example questionnaires under tests/examples: valid ones validate; each invalid one lists the
problems it must produce as `# expect: LINE:COL: message fragment` (or `# expect: fragment` for a
problem about the whole file). Drop a file in either folder and it is tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLES
from ketascreen.loading.load import check_file

VALID = sorted((EXAMPLES / "valid").glob("*.yaml"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))
WARNINGS = sorted((EXAMPLES / "warnings").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (?:(\d+):(\d+): )?(.+)$")


def expectations(path: Path) -> list[tuple[int, int, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            found.append((int(match[1] or 0), int(match[2] or 0), match[3]))
    return found


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_has_no_problems_and_no_warnings(path: Path) -> None:
    questionnaire, problems = check_file(path, lint=True)
    assert problems == []
    assert questionnaire is not None


@pytest.mark.parametrize("path", WARNINGS, ids=lambda p: p.name)
def test_lint_example_is_valid_with_exactly_the_expected_warnings(path: Path) -> None:
    questionnaire, problems = check_file(path, lint=True)
    assert questionnaire is not None
    assert all(p.severity == "warning" for p in problems)
    found = {(p.line, p.column, p.message) for p in problems}
    for line, column, fragment in expectations(path):
        # no position in the expectation: the warning points into the bundled file, whose lines move
        assert any((line == 0 or (l, c) == (line, column)) and fragment in m for l, c, m in found), \
            (line, column, fragment, found)
    assert len(problems) == len(expectations(path))


def test_bundled_questionnaire_has_no_lint_warnings() -> None:
    from ketascreen.loading.load import BUNDLED_DIR

    _, problems = check_file(BUNDLED_DIR / "ketamine-pretreatment.yaml", lint=True)
    assert problems == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_reports_each_expected_problem(path: Path) -> None:
    wanted = expectations(path)
    assert wanted, f"{path.name} has no '# expect:' line"
    questionnaire, problems = check_file(path)
    assert questionnaire is None
    for line, column, fragment in wanted:
        matching = [p for p in problems if fragment in p.message and (p.line, p.column) == (line, column)]
        assert matching, f"expected {line}:{column}: {fragment!r}; got:\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_reports_nothing_unexpected(path: Path) -> None:
    """Each example is about its listed problems only: no stray or duplicated messages."""
    wanted = expectations(path)
    _, problems = check_file(path)
    positions = {(line, column) for line, column, _ in wanted}
    assert {(p.line, p.column) for p in problems} == positions, "\n".join(map(str, problems))


def test_there_are_examples_of_both_kinds() -> None:
    assert len(VALID) >= 3 and len(INVALID) >= 10
