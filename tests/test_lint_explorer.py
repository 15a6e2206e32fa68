"""The lint's shortcut for rules that share nothing with a gate gives the answer trying every
combination gives, and the lint's warnings on a generated questionnaire do not depend on it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ketascreen.loading.lint import _Explorer, _implies, _reachable, lint
from ketascreen.loading.load import BUNDLED_DIR, check_file
from ketascreen.loading.yamlread import parse, read_text
from ketascreen.model import AllOf, Condition, Questionnaire

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from validate import Sizes, questionnaire_text  # noqa: E402 - the benchmark's generated questionnaire


def _explorer(questionnaire: Questionnaire) -> _Explorer:
    reachable = {score.id: _reachable(questionnaire, score) for score in questionnaire.scores}
    return _Explorer(questionnaire, reachable, {flag.id: flag.when for flag in questionnaire.flags})


def _gates(questionnaire: Questionnaire) -> list[Condition]:
    gates: list[Condition] = []
    for question in questionnaire.questions:
        section = questionnaire.section_of(question.id)
        parts = tuple(c for c in (section.when, question.when) if c is not None)
        if parts:
            gates.append(AllOf(parts))
    return gates


def _load(path: Path) -> Questionnaire:
    questionnaire, problems = check_file(path)
    assert questionnaire is not None, problems
    return questionnaire


@pytest.mark.parametrize("name", ["ketamine-pretreatment", "ketamine-predose", "ketamine-monitoring"])
def test_the_shortcut_agrees_with_trying_every_combination(name: str) -> None:
    questionnaire = _load(BUNDLED_DIR / f"{name}.yaml")
    explorer = _explorer(questionnaire)
    disjoint = 0
    for gate in _gates(questionnaire):
        for flag in questionnaire.flags:
            slow = _implies(gate, flag.when, questionnaire, explorer.reachable, explorer.rules)
            assert explorer.implies(gate, flag.when) is slow, (name, flag.id)
            disjoint += explorer.keys(gate).isdisjoint(explorer.keys(flag.when))
    assert disjoint > 0  # the shortcut was taken, not only the full search


def test_the_generated_questionnaire_warns_the_same_with_and_without_the_shortcut(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "generated.yaml"
    path.write_text(questionnaire_text(Sizes(300, 60)), encoding="utf-8")
    questionnaire = _load(path)
    located, _ = parse(read_text(path))
    fast = lint(questionnaire, located, str(path))

    def full_search(self: _Explorer, gate: Condition, rule: Condition) -> bool:
        return _implies(gate, rule, self.questionnaire, self.reachable, self.rules)

    monkeypatch.setattr(_Explorer, "implies", full_search)
    monkeypatch.setattr(_Explorer, "always", lambda self: {flag.id for flag in self.questionnaire.flags})
    slow = lint(questionnaire, located, str(path))
    assert any("skip logic" in message for _, message in fast)
    assert sorted(fast) == sorted(slow)
