"""Scores as pure functions of the answers: a sum of item scores, its band, or incomplete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.model import Band, Questionnaire, Score, Value

QuestionValue = Callable[[str], "Value | tuple[str, ...] | None"]


@dataclass(frozen=True)
class ScoreResult:
    id: str
    value: int | None  # None: incomplete
    band: Band | None
    answered: int  # items with a value
    items: int
    gated: bool = False  # the gate question made it 0

    @property
    def complete(self) -> bool:
        return self.value is not None


def compute_score(score: Score, question_value: QuestionValue, not_asked: Callable[[str], bool] = lambda _q: False) -> ScoreResult:
    if score.zero_when is not None:
        # A gate looks at questions only; scores inside a gate count as unknown (no gate loops).
        gate = evaluate(score.zero_when, Facts(question_value, lambda _score_id: None, not_asked))
        if gate is Truth.TRUE:
            return ScoreResult(score.id, 0, score.band_for(0), 0, len(score.items), gated=True)
    points: list[int] = []
    for item in score.items:
        value = question_value(item)
        if isinstance(value, bool):  # yes/no items: yes = 1
            points.append(int(value))
        elif isinstance(value, int):
            points.append(value)
    if len(points) < len(score.items):
        return ScoreResult(score.id, None, None, len(points), len(score.items))
    total = sum(points)
    return ScoreResult(score.id, total, score.band_for(total), len(points), len(score.items))


def compute_scores(questionnaire: Questionnaire, question_value: QuestionValue,
                   not_asked: Callable[[str], bool] = lambda _q: False) -> dict[str, ScoreResult]:
    return {s.id: compute_score(s, question_value, not_asked) for s in questionnaire.scores}


def facts_for(questionnaire: Questionnaire, question_value: QuestionValue,
              not_asked: Callable[[str], bool] = lambda _q: False) -> Facts:
    """Facts for evaluating flags and skip logic: answers as given, scores computed from them."""
    return facts_from(question_value, compute_scores(questionnaire, question_value, not_asked), not_asked)


def facts_from(question_value: QuestionValue, scores: dict[str, ScoreResult],
               not_asked: Callable[[str], bool] = lambda _q: False) -> Facts:
    return Facts(question_value, lambda score_id: scores[score_id].value if score_id in scores else None, not_asked)
