"""`ketascreen resume`: continue an interview, or reopen a completed one for an amendment, on the
questionnaire copy the session began with."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from ketascreen import answering as rules
from ketascreen.collector import settled
from ketascreen.errors import Interrupted, KetascreenError, NoMoreInput, UsageError
from ketascreen.interview import Screen, ask_reference, conduct, install_hangup_handlers, reference_problem
from ketascreen.loading.load import load_source
from ketascreen.session import COMPLETED, Session
from ketascreen.store import Store
from ketascreen.stored import stored_questionnaire

MAX_REASON, MAX_STAFF = 200, 16


def resume(reference: str, data_dir: Path, amend: bool, staff: str | None, plain: bool, clinic: str | None = None,
           reason: str | None = None, zone: tzinfo | None = None) -> None:
    """Returns when the interview is completed or saved for later; raises Interrupted or
    NoMoreInput when it stops early."""
    if reason is not None and not amend:
        raise UsageError("--reason goes with --amend")
    if reason is not None:
        reason = " ".join(reason.split())
        problem = reference_problem(reason, "reason", MAX_REASON)
        if problem is not None:
            raise UsageError(problem)
    store = Store(data_dir)
    path = store.resolve(reference)
    session = store.load(path)
    if path.parent.resolve() != store.directory.resolve():
        store = Store(path.parent)
    screen = Screen.create(plain)
    with store.lock(session.id):
        session = store.load(path)  # again, under the lock: another terminal may have just saved
        questionnaire = stored_questionnaire(session)
        settled()
        if session.status == COMPLETED and not amend:
            raise KetascreenError(f"session {session.id} is completed; to correct it, "
                                  f"ketascreen resume {session.id} --amend (recorded in the audit trail)")
        was_open = session.amendment_open() is not None
        if amend and session.status != COMPLETED and not was_open:
            raise KetascreenError(f"session {session.id} is not completed yet, so there is nothing to amend; "
                                  f"continue it with: ketascreen resume {session.id}")
        _say_if_changed(screen, session)
        by = staff or session.staff
        try:
            if was_open and not amend:
                # An amendment left unfinished: whoever finishes it is named in the audit trail.
                screen.say("This session has an amendment that was begun and not confirmed; it goes on here.",
                           "yellow")
                by = staff or ask_reference(screen, "Staff initials (for the audit trail)", "staff initials",
                                            limit=MAX_STAFF)
                session.log("resumed", by)
            elif amend:
                by = staff or ask_reference(screen, "Staff initials (for the audit trail)", "staff initials",
                                            limit=MAX_STAFF)
                why = reason or ask_reference(screen, "Reason for the amendment (for the chart)", "reason",
                                              limit=MAX_REASON)
                # The session stays completed until an answer actually changes.
                session.begin_amendment(by, why)
            else:
                session.log("resumed", by)
        except KeyboardInterrupt:
            raise Interrupted("") from None
        except EOFError:
            raise NoMoreInput("") from None
        if amend and was_open:
            screen.say("An amendment begun earlier is not confirmed yet: this goes on with it, and both reasons "
                       "are kept.", "yellow")
        store.save(session)
        install_hangup_handlers()
        screen.heading(questionnaire.title.get(session.language))
        count = len(session.answers)
        screen.say(f"Session {session.id} for {session.patient}: {count} answer{'' if count == 1 else 's'} so far.",
                   "dim")
        start = None if amend else rules.first_open(questionnaire, session)
        conduct(screen, questionnaire, session, store, start, by, clinic, zone)


def _say_if_changed(screen: Screen, session: Session) -> None:
    """Compare with the questionnaire as it would load now (merged, for a clinic file that extends
    another); a file that is gone or broken now is a change too."""
    try:
        current: str | None = load_source(session.questionnaire_source or session.questionnaire_id).questionnaire.sha256
    except KetascreenError:
        current = None
    if current != session.questionnaire_sha256:
        screen.say(f"Note: {session.questionnaire_source} has changed since this session began; "
                   "the session continues on the version it started with.", "yellow")
