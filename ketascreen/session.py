"""A screening session: who, when, which questionnaire (a full copy), every answer and its history.

Values only: reading and writing files is the store's job.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar, overload

from ketascreen.model import Questionnaire, Value

FORMAT = "ketascreen-session"
# 2: the questionnaire is kept once beside the sessions (by its hash), not inside each file.
# Files of format 1, with the questionnaire inside, are still read.
FORMAT_VERSION = 2
SHA256 = re.compile("[0-9a-f]{64}")


class SessionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class AnswerState(StrEnum):
    VALUE = "value"
    UNKNOWN = "unknown"  # the patient does not know: missing, not negative
    DECLINED = "declined"  # the patient chose not to answer


IN_PROGRESS, COMPLETED = SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED
VALUE, UNKNOWN, DECLINED = AnswerState.VALUE, AnswerState.UNKNOWN, AnswerState.DECLINED
ANSWER_STATES = tuple(AnswerState)
ENTERED_FROM_FILE = "entered_from_file"  # the audit event of answers typed in from a file (a paper form)
# No 0/o, 1/l/i: ids are read aloud and typed from paper.
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"

AnswerValue = Value | tuple[str, ...]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_session_id() -> str:
    chars = "".join(secrets.choice(ID_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class Answer:
    state: AnswerState
    value: AnswerValue | None = None
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"state": self.state}
        if self.state == VALUE:
            data["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        data["at"] = self.at
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        value = data.get("value")
        return cls(AnswerState(data["state"]), tuple(value) if isinstance(value, list) else value, data.get("at", ""))

    def same_as(self, other: Answer | None) -> bool:
        return other is not None and (self.state, self.value) == (other.state, other.value)


_Default = TypeVar("_Default")
ANSWER_PARTS = "answer parts"  # in Session.memo: each answer's part of the file, by question


@dataclass
class _Parts:
    answers: Answers
    seen: int  # changes to them taken in
    parts: dict[str, dict[str, Any]]


class Answers(dict[str, Answer]):
    """A session's answers that note which question each change was to, in order.

    The interview works out its path and its notices again after every answer; with this record
    it can tell in a moment which answers changed since it last looked, without comparing all of
    them. Every way of changing a dict is noted, so an answer changed by any means is seen. A copy
    is a new object with a copy of the record.
    """

    __slots__ = ("changes",)

    def __init__(self, answers: dict[str, Answer] | None = None) -> None:
        super().__init__(answers or {})
        self.changes: list[str] = []  # question ids, one per change, oldest first

    def changed_since(self, seen: int) -> list[str]:
        """The questions whose answers changed after the first ``seen`` changes, each once, in the
        order of their first change since."""
        return list(dict.fromkeys(self.changes[seen:]))

    def __setitem__(self, question_id: str, answer: Answer) -> None:
        super().__setitem__(question_id, answer)
        self.changes.append(question_id)

    def __delitem__(self, question_id: str) -> None:
        super().__delitem__(question_id)
        self.changes.append(question_id)

    @overload
    def pop(self, question_id: str, /) -> Answer: ...
    @overload
    def pop(self, question_id: str, default: Answer, /) -> Answer: ...
    @overload
    def pop(self, question_id: str, default: _Default, /) -> Answer | _Default: ...

    def pop(self, question_id: str, *default: Any) -> Any:
        self.changes.append(question_id)
        return super().pop(question_id, *default)

    def popitem(self) -> tuple[str, Answer]:
        item = super().popitem()
        self.changes.append(item[0])
        return item

    def setdefault(self, question_id: str, default: Answer) -> Answer:
        self.changes.append(question_id)
        return super().setdefault(question_id, default)

    def update(self, *others: Any, **more: Answer) -> None:
        changed = dict(*others, **more)
        super().update(changed)
        self.changes.extend(changed)

    def __ior__(self, other: Any) -> Answers:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        self.changes.extend(self)
        super().clear()

    def __reduce__(self) -> tuple[Any, ...]:
        return _copied, (dict(self), list(self.changes))

    def __copy__(self) -> Answers:
        return _copied(dict(self), list(self.changes))


def _copied(answers: dict[str, Answer], changes: list[str]) -> Answers:
    """A copy of answers with a copy of their record, so what was worked out from them (copied with
    them, as in a deep copy of a session) still matches the record."""
    copied = Answers(answers)
    copied.changes = changes
    return copied


@dataclass
class Session:
    id: str
    patient: str
    staff: str
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_sha256: str
    questionnaire_source: str
    questionnaire_text: str
    language: str | None = None
    created: str = field(default_factory=now)
    updated: str = ""
    completed: str | None = None
    status: SessionStatus = SessionStatus.IN_PROGRESS
    # An Answers whatever is given: its record of changes is what lets the interview's rules skip work.
    answers: dict[str, Answer] = field(default_factory=Answers)
    audit: list[dict[str, Any]] = field(default_factory=list)
    # The text was read from the data directory's copy and found to match its hash: no need to hash it again.
    questionnaire_verified: bool = field(default=False, compare=False, repr=False)
    # What the rules worked out from these answers, kept while the same answers lead to the same result.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.answers, Answers):
            self.answers = Answers(self.answers)

    @classmethod
    def begin(cls, session_id: str, patient: str, staff: str, questionnaire: Questionnaire, source: str,
              text: str, language: str | None = None) -> Session:
        """A new session on this questionnaire, keeping its full text (``text``, read from ``source``)."""
        session = cls(id=session_id, patient=patient, staff=staff, questionnaire_id=questionnaire.id,
                      questionnaire_version=questionnaire.version, questionnaire_sha256=questionnaire.sha256,
                      questionnaire_source=source, questionnaire_text=text, language=language)
        session.log("started", staff)
        return session

    def value_of(self, question_id: str) -> AnswerValue | None:
        """The answer's value for conditions; None for unknown, declined or open (missing is not negative)."""
        answer = self.answers.get(question_id)
        return answer.value if answer is not None and answer.state == VALUE else None

    def record(self, question_id: str, answer: Answer, by: str) -> bool:
        """Store an answer; a change to an earlier answer goes into the audit trail. False if unchanged."""
        old = self.answers.get(question_id)
        if answer.same_as(old):
            return False
        self.answers[question_id] = answer
        if old is not None:
            self.log("changed", by, question=question_id, old=old.to_json(), new=answer.to_json())
        elif self.amendment_open() is not None:
            # A follow-up first answered during an amendment is a change to the completed record too.
            self.log("answered", by, question=question_id, old=None, new=answer.to_json())
        self.updated = answer.at or now()
        return True

    def forget(self, question_id: str, by: str, reason: str) -> None:
        """Drop an answer (its question is no longer asked); the audit trail keeps it."""
        old = self.answers.pop(question_id, None)
        if old is not None:
            self.log("removed", by, question=question_id, old=old.to_json(), new=None, reason=reason)

    def complete(self, by: str) -> None:
        """Confirm the session. Confirming an amendment keeps the original completion time and
        records the amendment (who, when, why, each answer old → new) in the audit trail."""
        opened = self.amendment_open()
        self.status = COMPLETED
        if opened is None:
            self.completed = now()
            self.log("completed", by)
            return
        self.completed = self.first_completed() or now()
        reasons, staff = self.amendment_authors(opened)
        self.log("amended", by, reason="; ".join(reasons), amended_by=staff, changes=self.changes_since(opened))

    def begin_amendment(self, by: str, reason: str) -> None:
        self.log("amend", by, reason=reason)

    def amendment_open(self) -> int | None:
        """The audit index where an amendment not yet confirmed began: the first "amend" after the
        last confirmation, so that an amendment left unfinished and taken up again (by the same or
        other staff) is one amendment with every change in it."""
        opened = None
        for index, entry in enumerate(self.audit):
            event = entry.get("event")
            if event in ("amended", "completed"):
                opened = None
            elif event == "amend" and opened is None:
                opened = index
        return opened

    def amendment_authors(self, opened: int) -> tuple[list[str], list[str]]:
        """The reasons given and the staff who began or took up the amendment opened at this index."""
        window = [e for e in self.audit[opened:] if e.get("event") == "amend"]
        reasons = list(dict.fromkeys(str(e["reason"]) for e in window if e.get("reason")))
        return reasons, list(dict.fromkeys(str(e.get("by", "")) for e in window))

    def entered_from(self) -> dict[str, str] | None:
        """The answers file the session was entered from ({file, collected_at?, sha256}), if any."""
        entry = next((e for e in self.audit if e.get("event") == ENTERED_FROM_FILE), None)
        if entry is None:
            return None
        return {key: str(entry[key]) for key in ("file", "collected_at", "sha256") if entry.get(key) is not None}

    def first_completed(self) -> str | None:
        return next((str(e["at"]) for e in self.audit if e.get("event") == "completed" and e.get("at")), None)

    def changes_since(self, index: int) -> list[dict[str, Any]]:
        """Each answer's net change after an audit index: {question, from, to} (None: no answer)."""
        first: dict[str, Any] = {}
        last: dict[str, Any] = {}
        for entry in self.audit[index + 1:]:
            if entry.get("event") in ("changed", "removed", "answered"):
                qid = str(entry.get("question"))
                first.setdefault(qid, entry.get("old"))
                last[qid] = entry.get("new")
        return [{"question": qid, "from": first[qid], "to": last[qid]} for qid in first if first[qid] != last[qid]]

    def reopen(self) -> None:
        """An amendment changed an answer: the session needs confirming again."""
        self.status = IN_PROGRESS
        self.completed = None

    def log(self, event: str, by: str, **details: Any) -> None:
        self.audit.append({"at": now(), "event": event, "by": by, **details})
        self.updated = self.audit[-1]["at"]

    def to_json(self, inline_questionnaire: bool = False, kept_parts: bool = False) -> dict[str, Any]:
        """The session file's content. The questionnaire's text is not in it (the store keeps it
        once, by its hash) unless ``inline_questionnaire``: then it is a file of format 1.
        ``kept_parts``: each answer's part is made once and kept for the next call, for the store,
        which saves after every answer and writes the content out at once; not to be changed."""
        questionnaire = {
            "id": self.questionnaire_id,
            "version": self.questionnaire_version,
            "sha256": self.questionnaire_sha256,
            "source": self.questionnaire_source,
        }
        if inline_questionnaire:
            questionnaire["content"] = self.questionnaire_text
        return {
            "format": FORMAT,
            "format_version": 1 if inline_questionnaire else FORMAT_VERSION,
            "id": self.id,
            "patient": self.patient,
            "staff": self.staff,
            "status": self.status,
            "created": self.created,
            "updated": self.updated or self.created,
            "completed": self.completed,
            "language": self.language,
            "questionnaire": questionnaire,
            "answers": self._answer_parts() if kept_parts else {qid: a.to_json() for qid, a in self.answers.items()},
            "audit": self.audit,
        }

    def _answer_parts(self) -> dict[str, Any]:
        """Each answer's part of the file, in the answers' order, kept up to date from the answers'
        record of changes: a save after one answer makes one part, not one for every answer."""
        answers = self.answers
        kept = self.memo.get(ANSWER_PARTS)
        if not isinstance(answers, Answers):
            return {qid: answer.to_json() for qid, answer in answers.items()}
        if not isinstance(kept, _Parts) or kept.answers is not answers:
            kept = _Parts(answers, len(answers.changes), {qid: a.to_json() for qid, a in answers.items()})
            self.memo[ANSWER_PARTS] = kept
            return kept.parts
        for qid in answers.changed_since(kept.seen):
            answer = answers.get(qid)
            if answer is None:
                kept.parts.pop(qid, None)
            else:
                kept.parts[qid] = answer.to_json()
        kept.seen = len(answers.changes)
        if list(kept.parts) != list(answers):  # an answer taken away and given again: now last
            kept.parts = {qid: kept.parts[qid] for qid in answers}
        return kept.parts

    @classmethod
    def from_json(cls, data: dict[str, Any], content: str | None = None, verified: bool = False) -> Session:
        """Raises KeyError, TypeError or ValueError for data that is not a session of ours.
        ``content`` is the questionnaire's text when the file does not hold it (format 2), and
        ``verified`` says it was found to match the file's hash."""
        _check_shape(data, content is not None)
        q = data["questionnaire"]
        session = cls(
            id=str(data["id"]),
            patient=str(data["patient"]),
            staff=str(data["staff"]),
            questionnaire_id=str(q["id"]),
            questionnaire_version=str(q["version"]),
            questionnaire_sha256=str(q["sha256"]),
            questionnaire_source=str(q.get("source", "")),
            questionnaire_text=str(q["content"]) if content is None else content,
            language=data.get("language"),
            created=str(data["created"]),
            updated=str(data.get("updated") or ""),
            completed=data.get("completed"),
            status=SessionStatus(data["status"]),  # ValueError for a status we never write
            answers={str(k): Answer.from_json(v) for k, v in dict(data["answers"]).items()},
            audit=list(data.get("audit") or []),
            questionnaire_verified=verified and content is not None,
        )
        return session


def _check_shape(data: dict[str, Any], content_elsewhere: bool = False) -> None:
    """Every part of a session file has the kind of value ketascreen writes: a file edited by hand
    ("audit": "x", "completed": 7) is refused as a whole, never half read. The same shape is
    published as schema/session.schema.json (`ketascreen schema --session`); a test keeps the two
    in step. Checked here in code because it runs for every file an export of thousands reads."""
    def kind(value: Any, expected: type | tuple[type, ...], what: str) -> None:
        allowed = expected if isinstance(expected, tuple) else (expected,)
        # isinstance(True, int) holds in Python: yes/no is allowed only where bool is listed.
        if type(value) not in allowed and not (isinstance(value, allowed) and type(value) is not bool):
            raise ValueError(f"{what} has a value of the wrong kind")

    for key in ("id", "patient", "staff", "status", "created"):
        kind(data.get(key), str, key)
    for key in ("completed", "updated", "language"):
        kind(data.get(key), (str, type(None)), key)
    kind(data.get("questionnaire"), dict, "questionnaire")
    for key in ("id", "version", "sha256") if content_elsewhere else ("id", "version", "sha256", "content"):
        kind(data["questionnaire"].get(key), str, f"questionnaire.{key}")
    if not SHA256.fullmatch(data["questionnaire"]["sha256"]):
        raise ValueError("questionnaire.sha256 is not a SHA-256 in hexadecimal")
    kind(data.get("answers"), dict, "answers")
    for qid, answer in data["answers"].items():
        kind(answer, dict, f"answer {qid}")
        kind(answer.get("state"), str, f"answer {qid}")
        kind(answer.get("at", ""), str, f"answer {qid}")
        if "value" in answer:
            kind(answer["value"], (str, int, float, bool, list), f"answer {qid}")
    if "source" in data["questionnaire"]:
        kind(data["questionnaire"]["source"], str, "questionnaire.source")
    kind(data.get("audit", []), list, "audit")
    for entry in data.get("audit", []):
        kind(entry, dict, "an audit entry")
        kind(entry.get("event"), str, "an audit entry")
        for key in ("at", "by"):
            if key in entry:
                kind(entry[key], str, "an audit entry")
