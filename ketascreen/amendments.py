"""Amendments to a completed session, read from its audit trail: who, when, why, each answer old →
new, and the flags whose status changed because of it. The chart copy must show all of it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from ketascreen.session import Answer, Session


@dataclass(frozen=True)
class Change:
    question: str
    before: Answer | None  # None: no answer
    after: Answer | None


@dataclass(frozen=True)
class FlagChange:
    flag: str
    before: str  # a flag status: raised, not_raised, unassessed, covered
    after: str


@dataclass(frozen=True)
class Amendment:
    at: str
    staff: str
    reason: str
    changes: tuple[Change, ...]
    flag_changes: tuple[FlagChange, ...] = ()


Statuses = Callable[[Session], dict[str, str]]


def amendments_of(session: Session, statuses: Statuses | None = None) -> list[Amendment]:
    """Confirmed amendments, oldest first. With ``statuses`` (flag id → status for a session), each
    amendment also says which flags it changed, by re-evaluating the answers as they were before it."""
    found = []
    for entry in session.audit:
        if entry.get("event") != "amended":
            continue
        changes = tuple(Change(str(c.get("question")), _answer(c.get("from")), _answer(c.get("to")))
                        for c in entry.get("changes") or () if isinstance(c, dict))
        found.append(Amendment(str(entry.get("at", "")), str(entry.get("by", "")), str(entry.get("reason", "")), changes))
    if statuses is None or not found:
        return found
    # Walk back from the answers as they are now, undoing one amendment at a time.
    after_answers = dict(session.answers)
    with_flags: list[Amendment] = []
    for amendment in reversed(found):
        before_answers = dict(after_answers)
        for change in amendment.changes:
            if change.before is None:
                before_answers.pop(change.question, None)
            else:
                before_answers[change.question] = change.before
        was, now = statuses(_with_answers(session, before_answers)), statuses(_with_answers(session, after_answers))
        flag_changes = tuple(FlagChange(fid, was.get(fid, "not_raised"), status)
                             for fid, status in now.items() if was.get(fid, "not_raised") != status)
        with_flags.append(Amendment(amendment.at, amendment.staff, amendment.reason, amendment.changes, flag_changes))
        after_answers = before_answers
    return list(reversed(with_flags))


def _with_answers(session: Session, answers: dict[str, Answer]) -> Session:
    copied = copy.copy(session)
    copied.answers = answers
    copied.audit = []
    return copied


def _answer(data: Any) -> Answer | None:
    if not isinstance(data, dict) or "state" not in data:
        return None
    try:
        return Answer.from_json(data)
    except (KeyError, TypeError, ValueError):
        return None
