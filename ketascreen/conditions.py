"""Three-valued evaluation of conditions: true, false or unknown, with Kleene's all/any/not.

Missing is not negative: a comparison with a question that has no value (unanswered, "unknown" or
"declined") is UNKNOWN, and so is one with an incomplete score. A question that skip logic did not
ask is different: its condition was decided false, so it does not apply, and a comparison with it
is FALSE (a "no" to thoughts of suicide means no plan to act on them). Skip logic never leaves a
question unasked on an unknown condition: it asks instead. ``Truth`` refuses to
be used as a plain bool, so no caller can quietly treat UNKNOWN as false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from ketascreen.model import ORDER_OPERATORS, AllOf, Answered, AnyOf, Compare, Condition, FlagRef, Not, Value


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __bool__(self) -> bool:
        raise TypeError("a Truth may be UNKNOWN: compare it with Truth.TRUE / Truth.FALSE explicitly")

    @classmethod
    def of(cls, value: bool) -> Truth:
        return cls.TRUE if value else cls.FALSE

    def negate(self) -> Truth:
        return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(self, Truth.UNKNOWN)


def _always_asked(_question_id: str) -> bool:
    return False


def _no_flags(_flag_id: str) -> Truth:
    return Truth.UNKNOWN


def _no_range(_score_id: str) -> tuple[int, int] | None:
    return None


@dataclass(frozen=True)
class Facts:
    """What a condition may look at: a question's value (None when it has none), whether skip logic
    left the question unasked, a score's value (None when not decided) and, for a score with items
    missing, the range its total can still take (lowest, highest)."""

    question_value: Callable[[str], Value | tuple[str, ...] | None]
    score_value: Callable[[str], int | None]
    not_asked: Callable[[str], bool] = _always_asked
    flag_truth: Callable[[str], Truth] = _no_flags
    score_range: Callable[[str], tuple[int, int] | None] = _no_range


def evaluate(condition: Condition, facts: Facts) -> Truth:
    if isinstance(condition, AllOf):
        return all_of(evaluate(part, facts) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any_of(evaluate(part, facts) for part in condition.parts)
    if isinstance(condition, Not):
        return evaluate(condition.part, facts).negate()
    if isinstance(condition, FlagRef):
        return facts.flag_truth(condition.ref)
    if isinstance(condition, Answered):
        return Truth.of((facts.question_value(condition.ref) is not None) == condition.expected)
    if isinstance(condition, Compare):
        if condition.subject == "question":
            value = facts.question_value(condition.ref)
            if value is None and facts.not_asked(condition.ref):
                return Truth.FALSE
        else:
            value = facts.score_value(condition.ref)
            if value is None:
                span = facts.score_range(condition.ref)
                if span is not None:
                    return compare_range(span, condition.operator, condition.value)
        if value is None:
            return Truth.UNKNOWN
        result = compare(value, condition.operator, condition.value)
        # A value that does not fit the comparison (a hand-edited session) is not evidence either way.
        return Truth.UNKNOWN if result is None else Truth.of(result)
    raise TypeError(f"not a condition: {condition!r}")


def all_of(truths: Iterable[Truth]) -> Truth:
    """Kleene AND: false if any part is false, else unknown if any part is unknown, else true."""
    result = Truth.TRUE
    for truth in truths:
        if truth is Truth.FALSE:
            return Truth.FALSE
        if truth is Truth.UNKNOWN:
            result = Truth.UNKNOWN
    return result


def any_of(truths: Iterable[Truth]) -> Truth:
    """Kleene OR: true if any part is true, else unknown if any part is unknown, else false."""
    result = Truth.FALSE
    for truth in truths:
        if truth is Truth.TRUE:
            return Truth.TRUE
        if truth is Truth.UNKNOWN:
            result = Truth.UNKNOWN
    return result


def compare(actual: Value | tuple[str, ...], operator: str, expected: Value | tuple[Value, ...]) -> bool | None:
    """One comparison on a known value; None when the value's kind does not fit the comparison
    (text against a number, yes/no against a number: in Python True == 1, never here)."""
    if operator == "includes":
        return expected in actual if isinstance(actual, tuple) else None
    options = expected if operator == "one_of" and isinstance(expected, tuple) else (expected,)
    if not all(_same_kind(actual, option) for option in options):
        return None
    if operator == "one_of":
        return any(actual == option for option in options)
    if operator == "equals":
        return actual == expected
    if operator == "not_equals":
        return actual != expected
    if operator in ORDER_OPERATORS:
        return _in_order(actual, operator, expected)
    raise ValueError(f"unknown operator {operator!r}")


class _Ordered(Protocol):
    """A value with an order: a number, or text (dates are compared as ISO text)."""

    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...
    def __gt__(self, other: Any, /) -> bool: ...
    def __ge__(self, other: Any, /) -> bool: ...


def _in_order(actual: _Ordered, operator: str, expected: _Ordered) -> bool:
    """An order comparison of two values of one kind (numbers, or dates written as ISO text)."""
    if operator == "above":
        return actual > expected
    if operator == "at_least":
        return actual >= expected
    if operator == "below":
        return actual < expected
    return actual <= expected  # at_most: ORDER_OPERATORS has no other


def compare_range(span: tuple[int, int], operator: str, expected: Value | tuple[Value, ...]) -> Truth:
    """A comparison with a score that can still take any total from low to high: decided when every
    total in the range gives the same answer (PHQ-9 21–24 is at least 20), unknown while it straddles."""
    low, high = span
    if low == high:
        result = compare(low, operator, expected)
        return Truth.UNKNOWN if result is None else Truth.of(result)
    if operator in ORDER_OPERATORS:
        at_low, at_high = compare(low, operator, expected), compare(high, operator, expected)
        return Truth.of(at_low) if at_low is not None and at_low == at_high else Truth.UNKNOWN
    options = expected if isinstance(expected, tuple) else (expected,)
    inside = any(isinstance(o, (int, float)) and not isinstance(o, bool) and low <= o <= high for o in options)
    if operator in ("equals", "one_of"):
        return Truth.UNKNOWN if inside else Truth.FALSE
    if operator == "not_equals":
        return Truth.UNKNOWN if inside else Truth.TRUE
    return Truth.UNKNOWN


def _same_kind(actual: object, expected: object) -> bool:
    """Both yes/no, both numbers, or both text."""
    def kind(value: object) -> str:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, (int, float)):
            return "number"
        return type(value).__name__

    return kind(actual) == kind(expected)
