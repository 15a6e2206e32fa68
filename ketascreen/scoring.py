"""Scores as pure functions of the answers: a sum of item scores, or, with items missing, the range
the sum can still take; a band is decided when the whole range falls inside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.model import Band, Questionnaire, Score, Value

QuestionValue = Callable[[str], "Value | tuple[str, ...] | None"]


@dataclass(frozen=True)
class ScoreResult:
    id: str
    value: int | None  # None: not decided (the range has more than one total)
    band: Band | None  # None: not decided (the range straddles a boundary)
    answered: int  # items with a value
    items: int
    gated: bool = False  # the gate question made it 0
    low: int = 0
    high: int = 0
    complete: bool = True  # every item answered (or the gate made it 0)
    gate_open: bool = False  # the gate question has no value, so the range starts at 0


def compute_score(score: Score, question_value: QuestionValue, highest: Callable[[str], int],
                  not_asked: Callable[[str], bool] = lambda _q: False) -> ScoreResult:
    """``highest`` gives the most an item can add (its top option; 1 for yes/no)."""
    gate = Truth.FALSE
    if score.zero_when is not None:
        # A gate looks at questions only; scores inside a gate count as unknown (no gate loops).
        gate = evaluate(score.zero_when, Facts(question_value, lambda _score_id: None, not_asked))
        if gate is Truth.TRUE:
            return ScoreResult(score.id, 0, score.band_for(0), 0, len(score.items), gated=True)
    points: list[int] = []
    headroom = 0
    for item in score.items:
        value = question_value(item)
        if isinstance(value, bool):  # yes/no items: yes = 1
            points.append(int(value))
        elif isinstance(value, int):
            points.append(value)
        else:
            headroom += highest(item)
    low = sum(points)
    high = low + headroom
    gate_open = gate is Truth.UNKNOWN
    if gate_open:
        low = 0  # as if the gate were answered "no"
    complete = len(points) == len(score.items) and not gate_open
    value = low if low == high else None
    band_low, band_high = score.band_for(low), score.band_for(high)
    band = band_low if band_low is not None and band_low is band_high else None
    return ScoreResult(score.id, value, band, len(points), len(score.items), low=low, high=high,
                       complete=complete, gate_open=gate_open)


def item_ceiling(questionnaire: Questionnaire) -> Callable[[str], int]:
    """The most each score item can add: a scale's top option, 1 for a yes/no question."""
    def highest(question_id: str) -> int:
        question = questionnaire.question(question_id)
        if question.type == "yes_no":
            return 1
        return max((o.score for o in question.options), default=0)

    return highest


def compute_scores(questionnaire: Questionnaire, question_value: QuestionValue,
                   not_asked: Callable[[str], bool] = lambda _q: False) -> dict[str, ScoreResult]:
    highest = item_ceiling(questionnaire)
    return {s.id: compute_score(s, question_value, highest, not_asked) for s in questionnaire.scores}


def facts_for(questionnaire: Questionnaire, question_value: QuestionValue,
              not_asked: Callable[[str], bool] = lambda _q: False) -> Facts:
    """Facts for evaluating flags and skip logic: answers as given, scores computed from them."""
    return facts_from(question_value, compute_scores(questionnaire, question_value, not_asked), not_asked)


def facts_from(question_value: QuestionValue, scores: dict[str, ScoreResult],
               not_asked: Callable[[str], bool] = lambda _q: False) -> Facts:
    def span(score_id: str) -> tuple[int, int] | None:
        result = scores.get(score_id)
        return (result.low, result.high) if result is not None and result.value is None else None

    return Facts(question_value, lambda score_id: scores[score_id].value if score_id in scores else None, not_asked,
                 score_range=span)
