"""Conditions in words a clinician or clinic admin can check: "systolic blood pressure above 180 mmHg"."""

from __future__ import annotations

from ketascreen.model import (
    ORDER_OPERATORS,
    AllOf,
    Answered,
    AnyOf,
    Compare,
    Condition,
    FlagRef,
    Not,
    Question,
    Questionnaire,
    Value,
)

_OPERATOR_WORDS = {
    "equals": "is",
    "not_equals": "is not",
    "above": "above",
    "at_least": "at least",
    "below": "below",
    "at_most": "at most",
    "one_of": "is one of",
    "includes": "includes",
}


def describe(condition: Condition, questionnaire: Questionnaire, language: str | None = None) -> str:
    return _describe(condition, questionnaire, language, nested=False)


def _describe(condition: Condition, q: Questionnaire, language: str | None, nested: bool) -> str:
    if isinstance(condition, (AllOf, AnyOf)):
        joiner = ", and " if isinstance(condition, AllOf) else ", or "
        words = joiner.join(_describe(part, q, language, nested=True) for part in condition.parts)
        if len(condition.parts) == 1:
            return words
        return f"({words})" if nested else words
    if isinstance(condition, Not):
        return f"not ({_describe(condition.part, q, language, nested=False)})"
    if isinstance(condition, FlagRef):
        flag = next(f for f in q.flags if f.id == condition.ref)
        return f"flag '{flag.label.get(language)}' raised"
    if isinstance(condition, Answered):
        label = q.question(condition.ref).label.get(language)
        return f"{label} answered" if condition.expected else f"{label} not answered"
    if isinstance(condition, Compare):
        if condition.subject == "score":
            label = q.score(condition.ref).label.get(language)
            return f"{label} {_OPERATOR_WORDS[condition.operator]} {plain(condition.value)}"
        return _describe_question(q.question(condition.ref), condition, language)
    raise TypeError(f"not a condition: {condition!r}")


def _describe_question(question: Question, condition: Compare, language: str | None) -> str:
    label = question.label.get(language)
    operator, value = condition.operator, condition.value
    if question.type == "yes_no" and isinstance(value, bool):
        answer = value if operator == "equals" else not value
        return f"{label}: {'yes' if answer else 'no'}"
    words = _OPERATOR_WORDS[operator]
    if operator in ORDER_OPERATORS:
        unit = f" {question.unit}" if question.unit else ""
        return f"{label} {words} {plain(value)}{unit}"
    return f"{label} {words} {answer_words(question, value, language)}"


def answer_words(question: Question, value: Value | tuple[Value, ...], language: str | None = None) -> str:
    """A stored or compared value as people say it: choice labels, scale option labels, units."""
    if isinstance(value, tuple):
        return ", ".join(answer_words(question, v, language) for v in value)
    if question.type in ("choice", "multi_choice"):
        label = next((c.label.get(language) for c in question.choices if c.code == value), str(value))
        return f"'{label}'"
    if question.type == "scale":
        option = next((o.label.get(language) for o in question.options if o.score == value), None)
        return f"{value} ('{option}')" if option else str(value)
    if question.type == "yes_no" and isinstance(value, bool):
        return "yes" if value else "no"
    if question.unit and isinstance(value, (int, float)):
        return f"{plain(value)} {question.unit}"
    return plain(value)


def plain(value: object) -> str:
    """A value as written for people: 180 not 180.0; lists joined with commas."""
    if isinstance(value, tuple):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe_value(question: Question, value: Value | tuple[Value, ...] | None, language: str | None = None) -> str:
    """A stored answer's value in words, for summaries: "184 mmHg", "yes", "'Several days' (1)"."""
    if value is None:
        return "—"
    if question.type == "multi_choice" and value == ():
        return "none of these"
    if question.type in ("choice", "multi_choice"):
        codes = value if isinstance(value, tuple) else (value,)
        return ", ".join(next((c.label.get(language) for c in question.choices if c.code == code), str(code)) for code in codes)
    if question.type == "scale":
        label = next((o.label.get(language) for o in question.options if o.score == value), None)
        return f"{value} ({label})" if label else str(value)
    return answer_words(question, value, language)
