"""`ketascreen run` and `ketascreen resume` from start to finish: find the questionnaire, prepare the
store, create or open the session, lock it, and hand it to the interview."""

from __future__ import annotations

import sys
from pathlib import Path

from ketascreen import interview as rules
from ketascreen.answersfile import read_answers
from ketascreen.errors import ExitStatus, KetascreenError, ProblemsError, UsageError
from ketascreen.loading.load import load_source
from ketascreen.model import Questionnaire
from ketascreen.session import COMPLETED, Session
from ketascreen.store import Store
from ketascreen.stored import stored_questionnaire
from ketascreen.terminal import Screen, ask_reference, conduct, install_hangup_handlers, reference_problem


MAX_REASON = 200


class AnswersFileError(ProblemsError):
    pass


def run(questionnaire_name: str, patient: str | None, staff: str | None, data_dir: Path,
        answers_path: Path | None, language: str | None, plain: bool, clinic: str | None = None) -> int:
    source = load_source(questionnaire_name)
    questionnaire = source.questionnaire
    if language is not None and language not in languages_of(questionnaire):
        raise UsageError(f"--lang {language}: {questionnaire.id} has no text in that language; it has "
                         f"{', '.join(sorted(languages_of(questionnaire)))}")
    store = Store(data_dir)
    store.prepare()  # a directory that cannot be written fails here, before any question
    interactive = sys.stdin.isatty()
    if answers_path is None and not interactive:
        # Nothing could be asked: no session is started, so none is left behind empty.
        raise UsageError("an interview needs a terminal to ask the questions; without one, give the answers "
                         "with --answers FILE")
    from_file = None
    if answers_path is not None:
        from_file = read_answers(answers_path, questionnaire)
        if from_file.problems:
            raise AnswersFileError(from_file.problems)
        patient = patient or from_file.patient
        staff = staff or from_file.staff
    screen = Screen.create(plain)
    if answers_path is None or interactive:
        screen.heading(questionnaire.title.get(language))
        screen.say("For clinician review: this interview gathers answers; it does not decide treatment.", "dim")
    if patient is None or staff is None:
        if answers_path is not None and not interactive:
            raise UsageError("the patient reference and staff initials are needed: --patient and --staff, "
                             "or patient: and staff: in the answers file")
        try:
            patient = patient or ask_reference(screen, "Patient reference (chart or record number)", "patient reference")
            staff = staff or ask_reference(screen, "Staff initials", "staff initials", limit=16)
        except (EOFError, KeyboardInterrupt) as stop:
            screen.say()
            screen.say("Stopped before the first question; nothing was saved.", "yellow")
            return ExitStatus.INTERRUPTED if isinstance(stop, KeyboardInterrupt) else ExitStatus.PROBLEM
    for value, what, limit in ((patient, "patient reference", 64), (staff, "staff initials", 16)):
        problem = reference_problem(value, what, limit)
        if problem is not None:
            raise UsageError(problem)
    session = Session(
        id=store.new_id(),
        patient=patient,
        staff=staff,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        questionnaire_sha256=questionnaire.sha256,
        questionnaire_source=str(source.path),
        questionnaire_text=source.text,
        language=language,
    )
    session.log("started", staff)
    with store.lock(session.id):
        if from_file is not None:
            for qid, given in from_file.answers.items():
                session.record(qid, given, staff)
            set_aside = rules.prune(questionnaire, session, staff)
            for qid in set_aside:
                print(f"{answers_path}:{from_file.lines.get(qid, 0)}: warning: {qid} is not asked with these answers "
                      "(skip logic); not recorded", file=sys.stderr)
        store.save(session)
        if from_file is not None and not interactive:
            return _finish_unattended(questionnaire, session, store, staff)
        install_hangup_handlers()
        screen.say(f"Session {session.id} for {patient}, saved after every answer.", "dim")
        return conduct(screen, questionnaire, session, store, rules.first_open(questionnaire, session), staff, clinic)


def languages_of(questionnaire: Questionnaire) -> set[str]:
    """Every language the questionnaire's questions are written in."""
    found = {questionnaire.language}
    for question in questionnaire.questions:
        found.update(code for code, _text in question.text.translations)
    return found


def _finish_unattended(questionnaire: Questionnaire, session: Session, store: Store, staff: str) -> int:
    from ketascreen.attention import closing_lines
    from ketascreen.evaluate import evaluate_session

    missing = rules.missing_required(questionnaire, session)
    if missing:
        path = store.save(session)
        print(f"ketascreen: session {session.id} saved in progress ({path}); still to answer:", file=sys.stderr)
        for question in missing:
            print(f"  {question.id}: {question.label.get()}", file=sys.stderr)
        print(f"ketascreen: continue with: ketascreen resume {session.id}", file=sys.stderr)
    else:
        session.complete(staff)
        path = store.save(session)
        print(f"{session.id}\t{path}")
    # No one is at a terminal to acknowledge an urgent finding: it is the last thing a script's log shows.
    for line in closing_lines(evaluate_session(questionnaire, session, session.language), session.language):
        print(f"ketascreen: {line}", file=sys.stderr)  # made visible by closing_lines
    return ExitStatus.PROBLEM if missing else ExitStatus.OK


def resume(reference: str, data_dir: Path, amend: bool, staff: str | None, plain: bool, clinic: str | None = None,
           reason: str | None = None) -> int:
    if reason is not None and not amend:
        raise UsageError("--reason goes with --amend")
    if reason is not None:
        problem = reference_problem(" ".join(reason.split()), "reason", MAX_REASON)
        if problem is not None:
            raise UsageError(problem)
        reason = " ".join(reason.split())
    store = Store(data_dir)
    path = store.resolve(reference)
    session = store.load(path)
    if path.parent.resolve() != store.directory.resolve():
        store = Store(path.parent)
    screen = Screen.create(plain)
    with store.lock(session.id):
        session = store.load(path)  # again, under the lock: another terminal may have just saved
        questionnaire = stored_questionnaire(session)
        if session.status == COMPLETED and not amend:
            raise KetascreenError(f"session {session.id} is completed; to correct it, "
                                  f"ketascreen resume {session.id} --amend (recorded in the audit trail)")
        was_open = session.amendment_open() is not None
        if amend and session.status != COMPLETED and not was_open:
            raise KetascreenError(f"session {session.id} is not completed yet, so there is nothing to amend; "
                                  f"continue it with: ketascreen resume {session.id}")
        _say_if_changed(screen, session)
        by = staff or session.staff
        if was_open and not amend:
            # An amendment left unfinished: whoever finishes it is named in the audit trail.
            screen.say("This session has an amendment that was begun and not confirmed; it goes on here.", "yellow")
            try:
                by = staff or ask_reference(screen, "Staff initials (for the audit trail)", "staff initials", limit=16)
            except KeyboardInterrupt:
                return ExitStatus.INTERRUPTED
            except EOFError:
                return ExitStatus.PROBLEM
            session.log("resumed", by)
        elif amend:
            try:
                by = staff or ask_reference(screen, "Staff initials (for the audit trail)", "staff initials", limit=16)
                why = reason or ask_reference(screen, "Reason for the amendment (for the chart)", "reason", limit=MAX_REASON)
            except KeyboardInterrupt:
                return ExitStatus.INTERRUPTED
            except EOFError:
                return ExitStatus.PROBLEM
            # The session stays completed until an answer actually changes.
            session.begin_amendment(by, why)
        else:
            session.log("resumed", by)
        if amend and was_open:
            screen.say("An amendment begun earlier is not confirmed yet: this goes on with it, and both reasons "
                       "are kept.", "yellow")
        store.save(session)
        install_hangup_handlers()
        screen.heading(questionnaire.title.get(session.language))
        count = len(session.answers)
        screen.say(f"Session {session.id} for {session.patient}: {count} answer{'' if count == 1 else 's'} so far.", "dim")
        start = None if amend else rules.first_open(questionnaire, session)
        return conduct(screen, questionnaire, session, store, start, by, clinic)


def _say_if_changed(screen: Screen, session: Session) -> None:
    """Compare with the questionnaire as it would load now (merged, for a clinic file that extends
    another); a file that is gone or broken now is a change too."""
    try:
        current = load_source(session.questionnaire_source or session.questionnaire_id).questionnaire.sha256
    except KetascreenError:
        current = None
    if current != session.questionnaire_sha256:
        screen.say(f"Note: {session.questionnaire_source} has changed since this session began; "
                   "the session continues on the version it started with.", "yellow")
