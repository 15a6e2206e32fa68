"""Amendments to a completed session, read from its audit trail: who, when, why, each answer old →
new, and the flags whose status changed because of it. The chart copy must show all of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ketascreen.flagrules import FlagStatus
from ketascreen.session import Answer, Session


@dataclass(frozen=True)
class Change:
    question: str
    before: Answer | None  # None: no answer
    after: Answer | None


@dataclass(frozen=True)
class FlagChange:
    flag: str
    before: FlagStatus
    after: FlagStatus


@dataclass(frozen=True)
class Amendment:
    at: str
    staff: str
    reason: str
    changes: tuple[Change, ...]
    flag_changes: tuple[FlagChange, ...] = ()
    confirmed: bool = True  # False: begun, changes made, not yet confirmed


Statuses = Callable[[Session], dict[str, FlagStatus]]


def amendments_of(session: Session, statuses: Statuses | None = None) -> list[Amendment]:
    """Confirmed amendments, oldest first. With ``statuses`` (flag id → status for a session), each
    amendment also says which flags it changed, by re-evaluating the answers as they were before it."""
    found = []
    for entry in session.audit:
        if entry.get("event") != "amended":
            continue
        changes = tuple(Change(str(c.get("question")), _answer(c.get("from")), _answer(c.get("to")))
                        for c in entry.get("changes") or () if isinstance(c, dict))
        listed = entry.get("amended_by")
        staff: list[Any] = listed if isinstance(listed, list) else [entry.get("by", "")]
        if str(entry.get("by", "")) not in staff:
            staff = [*staff, entry.get("by", "")]
        found.append(Amendment(str(entry.get("at", "")), ", ".join(str(s) for s in staff if s),
                               str(entry.get("reason", "")), changes))
    opened = session.amendment_open()
    if opened is not None:
        pending = tuple(Change(str(c["question"]), _answer(c["from"]), _answer(c["to"])) for c in session.changes_since(opened))
        if pending:
            reasons, staff = session.amendment_authors(opened)
            found.append(Amendment(str(session.audit[opened].get("at", "")), ", ".join(staff), "; ".join(reasons),
                                   pending, confirmed=False))
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
        flag_changes = tuple(FlagChange(fid, was.get(fid, FlagStatus.NOT_RAISED), status)
                             for fid, status in now.items() if was.get(fid, FlagStatus.NOT_RAISED) != status)
        with_flags.append(Amendment(amendment.at, amendment.staff, amendment.reason, amendment.changes, flag_changes,
                                    amendment.confirmed))
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
