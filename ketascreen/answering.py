"""The interview's rules, without a terminal: which questions are asked, what a typed answer means,
what is still missing. The terminal layer and the answers-file reader both go through here, so a
value is checked the same way however it arrives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ketascreen.conditions import compare
from ketascreen.describe import plain
from ketascreen.model import Check, Question, Questionnaire
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, Answers, AnswerValue, Session, now
from ketascreen.skiplogic import current_path
from ketascreen.wording import wording

# Typed commands, the same at every prompt. A lone letter is a command, never a text answer.
BACK, HELP, QUIT, KEEP = "b", "?", "q", ""
DATE_RULE = "year-month-day (2026-11-29) or day/month/year (29/11/2026)"


class InvalidAnswer(ValueError):
    """The answer cannot be accepted; the message says what would be, and never repeats the answer
    (messages can end up in logs, and answers are health data)."""


@dataclass(frozen=True)
class Step:
    """Where the interview stands: the question, its place on the current path, and the path length."""

    question: Question
    position: int  # 1-based
    total: int


def asked_questions(questionnaire: Questionnaire, session: Session) -> list[Question]:
    """The questions on the path the answers so far lead to, in order.

    Skip logic asks rather than skips: a question whose condition is unknown is asked.
    """
    return list(current_path(questionnaire, session).questions)


def path_positions(questionnaire: Questionnaire, session: Session) -> dict[str, int]:
    """Each question on the current path by its index: the same object for as long as the path is
    the one worked out before, so a caller can tell an unchanged path without walking it."""
    return current_path(questionnaire, session).position


def step_at(questionnaire: Questionnaire, session: Session, question_id: str) -> Step:
    path = current_path(questionnaire, session)
    index = path.position.get(question_id)
    position = index + 1 if index is not None else len(path.questions)
    return Step(questionnaire.question(question_id), position, len(path.questions))


def first_open(questionnaire: Questionnaire, session: Session) -> Question | None:
    """The first question on the path without an answer."""
    return next((q for q in current_path(questionnaire, session).questions if q.id not in session.answers), None)


def following(questionnaire: Questionnaire, session: Session, question_id: str) -> Question | None:
    """The question after this one on the current path (answered or not)."""
    path = current_path(questionnaire, session)
    index = path.position.get(question_id)
    if index is None:
        return first_open(questionnaire, session)
    return path.questions[index + 1] if index + 1 < len(path.questions) else None


def preceding(questionnaire: Questionnaire, session: Session, question_id: str | None) -> Question | None:
    """The question before this one on the current path (None at the start); the last one at the end."""
    path = current_path(questionnaire, session)
    if question_id is None:
        return path.questions[-1] if path.questions else None
    index = path.position.get(question_id)
    if index is None:
        return None
    return path.questions[index - 1] if index > 0 else None


def missing_required(questionnaire: Questionnaire, session: Session) -> list[Question]:
    return [q for q in current_path(questionnaire, session).questions if q.required and q.id not in session.answers]


LATER_CHANGE = "no longer asked after a change to an earlier answer"
IN_THIS_FILE = "not asked because of another answer in this file"


def prune(questionnaire: Questionnaire, session: Session, by: str, reason: str = LATER_CHANGE) -> list[str]:
    """Remove answers to questions the current answers no longer lead to (the audit trail keeps
    them, with ``reason``: what happened, in words)."""
    removed: list[str] = []
    while True:  # dropping one answer can take another question off the path
        gone = _off_path(questionnaire, session)
        if not gone:
            return removed
        for qid in gone:
            session.forget(qid, by, reason=reason)
        removed.extend(gone)


def _off_path(questionnaire: Questionnaire, session: Session) -> list[str]:
    """The answered questions not on the path, in the order of the answers. When the path is the
    one last found to hold every answer, only the answers changed since then can be off it."""
    on_path = current_path(questionnaire, session).position
    answers = session.answers
    last = session.memo.get(PRUNED)
    if isinstance(answers, Answers) and isinstance(last, _AllOnPath) and last.position is on_path and last.answers is answers:
        changed = {qid for qid in answers.changed_since(last.seen) if qid in answers and qid not in on_path}
        gone = [qid for qid in answers if qid in changed] if len(changed) > 1 else list(changed)
    else:
        gone = [qid for qid in answers if qid not in on_path]
    if not gone and isinstance(answers, Answers):
        session.memo[PRUNED] = _AllOnPath(on_path, answers, len(answers.changes))
    return gone


PRUNED = "pruned"


@dataclass(frozen=True)
class _AllOnPath:
    """Every answer was on this path after the first ``seen`` changes to these answers."""

    position: dict[str, int]
    answers: Answers
    seen: int


def answer(questionnaire: Questionnaire, session: Session, question: Question, given: Answer, by: str) -> list[str]:
    """Record an answer and re-apply skip logic; returns the ids of answers that fell away."""
    session.record(question.id, given, by)
    return prune(questionnaire, session, by)


def breaks(check: Check, value_of: Callable[[str], AnswerValue | None]) -> bool:
    """The two answers a check compares both have a value, and the comparison fails (an answer
    missing is no evidence of a slip)."""
    mine, theirs = value_of(check.question), value_of(check.other)
    return mine is not None and theirs is not None and compare(mine, check.operator, theirs) is False


def failed_check(questionnaire: Questionnaire, value_of: Callable[[str], AnswerValue | None], question_id: str,
                 value: AnswerValue | None, language: str | None = None) -> str | None:
    """The message of the first cross-answer check that this answer, beside the others, breaks;
    None when every check holds or cannot be decided."""
    if value is None:
        return None

    def with_this(qid: str) -> AnswerValue | None:
        return value if qid == question_id else value_of(qid)

    return next((c.message.get(language) for c in questionnaire.checks
                 if question_id in (c.question, c.other) and breaks(c, with_this)), None)


def check_answer(questionnaire: Questionnaire, session: Session, question: Question, given: Answer,
                 language: str | None = None) -> None:
    """InvalidAnswer with the check's message when the answer breaks a check across answers."""
    if given.state == VALUE:
        problem = failed_check(questionnaire, session.value_of, question.id, given.value, language)
        if problem is not None:
            raise InvalidAnswer(problem)


# --- what a typed answer means -----------------------------------------------------------------


def command(typed: str, language: str | None = None) -> str | None:
    """BACK, HELP or QUIT when the line typed is that key (or one of the language's words for it);
    None for anything else."""
    words = wording(language)
    lowered = " ".join(typed.split()).lower()
    for key, spelled in ((BACK, words.back), (HELP, words.help), (QUIT, words.quit)):
        if lowered in spelled:
            return key
    return None


def parse_typed(question: Question, typed: str, language: str | None = None) -> Answer:
    """A line typed at the prompt as an Answer, or InvalidAnswer saying what would be accepted;
    ``language``: the interview's, whose words for yes, no, unknown and declined count too."""
    words = wording(language)
    text = " ".join(typed.split()) if question.type != "text" else typed.strip()
    lowered = " ".join(text.lower().split())
    if lowered in words.unknown:
        if not question.accepts_unknown:
            raise InvalidAnswer("this question needs an answer: \"unknown\" is not accepted here")
        return Answer(UNKNOWN, at=now())
    if lowered in words.declined:
        if not question.accepts_declined:
            raise InvalidAnswer("this question needs an answer: \"declined\" is not accepted here")
        return Answer(DECLINED, at=now())
    if not text:
        raise InvalidAnswer(words.needed.format(expected=expected(question, language=language)))
    return Answer(VALUE, _parse_value(question, text, language), now())


def check_value(question: Question, value: object) -> AnswerValue:
    """A value from an answers file (YAML/JSON types) checked exactly as a typed answer would be."""
    if question.type == "yes_no":
        if isinstance(value, bool):
            return value
        return _parse_value(question, str(value))
    if question.type in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InvalidAnswer(expected(question))
        return _parse_value(question, str(value))
    if question.type == "choice":
        if not isinstance(value, str) or value not in {c.code for c in question.choices}:
            raise InvalidAnswer(f"not one of the choice codes: {', '.join(c.code for c in question.choices)}")
        return value
    if question.type == "multi_choice":
        items = value if isinstance(value, list) else [value]
        codes = {c.code for c in question.choices}
        wrong = [item for item in items if not isinstance(item, str) or item not in codes]
        if wrong:
            raise InvalidAnswer(f"item {items.index(wrong[0]) + 1} is not one of the choice codes: "
                                f"{', '.join(c.code for c in question.choices)}")
        return tuple(c.code for c in question.choices if c.code in items)
    if question.type == "scale":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise InvalidAnswer(expected(question))
        return _parse_value(question, str(value))
    if question.type == "date":
        return _parse_value(question, str(value))
    if isinstance(value, (dict, list)) or value is None:
        raise InvalidAnswer("free text is expected here")
    text = str(value).strip()
    if not text:
        raise InvalidAnswer("free text is expected here; leave the question out to leave it open")
    return text


def _parse_value(question: Question, text: str, language: str | None = None) -> AnswerValue:
    kind = question.type
    lowered = text.lower()
    words = wording(language)
    if kind == "yes_no":
        if lowered in words.yes or lowered == "true":
            return True
        if lowered in words.no or lowered == "false":
            return False
        raise InvalidAnswer(expected(question, language=language))
    if kind in ("integer", "number"):
        return _parse_number(question, lowered, language)
    if kind == "choice":
        return _pick(question, lowered, language)
    if kind == "multi_choice":
        if lowered in ("0", "none"):
            return ()
        parts = [p for p in re.split(r"[,\s]+", lowered) if p]
        picked = {_pick(question, part, language) for part in parts}
        return tuple(c.code for c in question.choices if c.code in picked)
    if kind == "scale":
        try:
            score = int(lowered)
        except ValueError:
            raise InvalidAnswer(expected(question, language=language)) from None
        if score not in {o.score for o in question.options}:
            raise InvalidAnswer(expected(question, language=language))
        return score
    if kind == "date":
        return _parse_date(text).isoformat()
    return text


# Short forms staff type for a unit the questionnaire spells out.
UNIT_ALIASES = {"beats per minute": ("bpm", "/min", "per minute"), "mmhg": ("mm hg",), "%": ("percent",),
                "kg": ("kgs", "kilograms"), "years": ("yrs", "y", "year")}


def _parse_number(question: Question, text: str, language: str | None = None) -> int | float:
    unit = (question.unit or "").lower()
    for spelled in ((unit, *UNIT_ALIASES.get(unit, ())) if unit else ()):
        if text.endswith(spelled):
            text = text[: -len(spelled)].strip()
            break
    if re.fullmatch(r"\d+\s*/\s*\d+", text):
        # 165/95 at the systolic prompt: both numbers of a reading, where one is asked at a time.
        raise InvalidAnswer("type one number here (for a blood pressure, the upper number now; the lower "
                            "number is asked next)")
    try:
        if question.type == "integer":
            if not re.fullmatch(r"[-+]?\d+", text):
                raise ValueError
            number: int | float = int(text)
        else:
            if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
                raise ValueError
            number = float(text)
            number = int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        raise InvalidAnswer(expected(question, language=language)) from None
    if isinstance(number, float) and not math.isfinite(number):  # hundreds of digits: not a number JSON holds
        raise InvalidAnswer(expected(question, language=language))
    if (question.min is not None and number < question.min) or (question.max is not None and number > question.max):
        raise InvalidAnswer(wording(language).out_of_range.format(expected=expected(question, language=language)))
    return number


def _pick(question: Question, text: str, language: str | None = None) -> str:
    if re.fullmatch(r"[0-9]{1,6}", text) and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1].code
    for choice in question.choices:
        if choice.code.lower() == text:
            return choice.code
    raise InvalidAnswer(expected(question, language=language))


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise InvalidAnswer(f"not a date in the calendar; dates are {DATE_RULE}") from None
    raise InvalidAnswer(f"a date, as {DATE_RULE}")


def expected(question: Question, with_keys: bool = True, language: str | None = None) -> str:
    """What would be accepted, in a few words (with_keys: mention u and d where they are accepted),
    in the interview's language."""
    w = wording(language)
    kind = question.type
    if kind == "yes_no":
        words = w.yes_no_expected
    elif kind in ("integer", "number"):
        words = w.whole_number if kind == "integer" else w.a_number
        if question.min is not None and question.max is not None:
            words += w.from_to.format(low=plain(question.min), high=plain(question.max))
        elif question.min is not None:
            words += w.at_least.format(low=plain(question.min))
        elif question.max is not None:
            words += w.at_most.format(high=plain(question.max))
        if question.unit:
            words += f" {question.unit}"
    elif kind == "choice":
        words = w.one_choice.format(count=len(question.choices))
    elif kind == "multi_choice":
        words = w.some_choices.format(count=len(question.choices))
    elif kind == "scale":
        scores = sorted(o.score for o in question.options)
        words = w.one_score.format(low=scores[0], high=scores[-1])
    elif kind == "date":
        words = w.a_date
    else:
        words = w.free_text
    extras = [k for k, ok in ((w.key_u_means, question.accepts_unknown), (w.key_d_means, question.accepts_declined)) if ok]
    return words + (w.or_keys.format(keys=w.or_word.join(extras)) if extras and with_keys else "")
