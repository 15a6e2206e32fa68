"""`ketascreen sessions`: sessions newest first, with what needs attention in each."""

from __future__ import annotations

from datetime import date, tzinfo
from pathlib import Path

from ketascreen.clock import local_day
from ketascreen.commands import Warn
from ketascreen.errors import KetascreenError, UsageError
from ketascreen.session import Session, SessionStatus
from ketascreen.store import Store, StoreError


def status_filter(status: str | None) -> SessionStatus | None:
    if status is None:
        return None
    try:
        return SessionStatus(status)
    except ValueError:
        raise UsageError(f"--status takes {SessionStatus.IN_PROGRESS} or {SessionStatus.COMPLETED}, "
                         f"not '{status}'") from None


def since_filter(since: str | None, example: str = "as year-month-day (2026-11-01)") -> date | None:
    if since is None:
        return None
    try:
        return date.fromisoformat(since)
    except ValueError:
        raise UsageError(f"--since takes a date {example}, not '{since}'") from None


def sessions(data_dir: Path, status: str | None, patient: str | None, since: str | None,
             warn: Warn, zone: tzinfo | None = None) -> list[tuple[Session, str]]:
    """Each session shown, newest first, with its attention words ("URGENT 1, contra 2"). --since
    is a day where the clinic is (``zone``), as the list shows the days."""
    wanted = status_filter(status)
    first_day = since_filter(since)
    store = Store(data_dir)
    listed: list[tuple[Path, Session | None, str]]
    if patient is not None:
        from ketascreen.index import patient_files

        listed = []
        for path in patient_files(store, patient):
            try:
                listed.append((path, store.load(path), ""))
            except StoreError as error:
                listed.append((path, None, str(error)))
    else:
        listed = list(store.sessions())
    found = []
    for _path, session, problem in listed:
        if session is None:
            warn(f"skipped: {problem}")
        elif ((wanted is None or session.status == wanted) and (patient is None or session.patient == patient)
              and (first_day is None or local_day(session.created, zone) >= first_day.isoformat())):
            found.append(session)
    found.sort(key=lambda s: (s.created, s.id), reverse=True)
    return [(session, attention_words(session)) for session in found]


def attention_words(session: Session) -> str:
    """"URGENT 1, contra 2" for a session; "?" when its stored copy cannot be read (the reason is
    given by summary, which refuses it)."""
    from ketascreen.attention import attention
    from ketascreen.evaluate import evaluate_session
    from ketascreen.stored import stored_questionnaire

    try:
        return attention(evaluate_session(stored_questionnaire(session), session, history=False, detail=False)).words()
    except KetascreenError:
        return "?"
