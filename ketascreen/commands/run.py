"""`ketascreen run`: find the questionnaire, prepare the store, create the session, record an
answers file if one is given, and hand the session to the interview (or finish it unattended)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from ketascreen import answering as rules
from ketascreen.clock import shown
from ketascreen.collector import settled
from ketascreen.commands import Warn
from ketascreen.errors import Interrupted, KetascreenError, NoMoreInput, ProblemsError, UsageError
from ketascreen.interview import Screen, ask_reference, conduct, install_hangup_handlers, reference_problem
from ketascreen.loading.load import load_source
from ketascreen.model import Question, Questionnaire
from ketascreen.session import ENTERED_FROM_FILE, Session
from ketascreen.store import Store

MAX_PATIENT, MAX_STAFF = 64, 16


class AnswersFileError(ProblemsError):
    pass


@dataclass(frozen=True)
class Unattended:
    """An answers file entered with no one at a terminal: the session as saved."""

    session: Session
    path: Path
    missing: tuple[Question, ...]  # required questions still to answer (the session stays in progress)
    urgent: tuple[str, ...]  # the urgent flags raised, to be said last


def languages_of(questionnaire: Questionnaire) -> set[str]:
    """Every language the questionnaire's questions are written in."""
    found = {questionnaire.language}
    for question in questionnaire.questions:
        found.update(code for code, _text in question.text.translations)
    return found


def run(questionnaire_name: str, patient: str | None, staff: str | None, data_dir: Path,
        answers_path: Path | None, language: str | None, plain: bool, warn: Warn,
        clinic: str | None = None, again: bool = False, zone: tzinfo | None = None) -> Unattended | None:
    """An interview at the terminal (None when it ends, completed or saved for later), or the
    session entered from an answers file without a terminal. The same answers file is entered
    once per patient unless ``again``."""
    source = load_source(questionnaire_name)
    questionnaire = source.questionnaire
    settled()
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
        # Only here: it reads YAML, which an interview at the terminal on a cached questionnaire never needs.
        from ketascreen.answersfile import read_answers

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
            patient = patient or ask_reference(screen, "Patient reference (chart or record number)",
                                               "patient reference", limit=MAX_PATIENT)
            staff = staff or ask_reference(screen, "Staff initials", "staff initials", limit=MAX_STAFF)
        except (EOFError, KeyboardInterrupt) as stop:
            screen.say()
            screen.say("Stopped before the first question; nothing was saved.", "yellow")
            raise (Interrupted("") if isinstance(stop, KeyboardInterrupt) else NoMoreInput("")) from None
    for value, what, limit in ((patient, "patient reference", MAX_PATIENT), (staff, "staff initials", MAX_STAFF)):
        problem = reference_problem(value, what, limit)
        if problem is not None:
            raise UsageError(problem)
    if from_file is not None and not again:
        _not_entered_before(store, patient, from_file.sha256, zone)
    session = Session.begin(store.new_id(), patient, staff, questionnaire, str(source.path), source.text, language)
    with store.lock(session.id):
        if from_file is not None and answers_path is not None:
            # Where the answers came from, for the chart: a paper form typed in, and when it was filled in.
            name = answers_path.name if answers_path.is_file() else "standard input or a pipe"
            session.log(ENTERED_FROM_FILE, staff, file=name, sha256=from_file.sha256,
                        **({"collected_at": from_file.collected_at} if from_file.collected_at else {}))
            for qid, given in from_file.answers.items():
                session.record(qid, given, staff)
            for qid in rules.prune(questionnaire, session, staff, rules.IN_THIS_FILE):
                warn(f"{answers_path}:{from_file.lines.get(qid, 0)}: warning: {qid} is not asked with these answers "
                     "(skip logic); not recorded")
        store.save(session)
        if from_file is not None and not interactive:
            return _finish_unattended(questionnaire, session, store, staff)
        install_hangup_handlers()
        screen.say(f"Session {session.id} for {patient}, saved after every answer.", "dim")
        conduct(screen, questionnaire, session, store, rules.first_open(questionnaire, session), staff, clinic, zone)
        return None


def _not_entered_before(store: Store, patient: str, digest: str, zone: tzinfo | None) -> None:
    """A form typed in twice would make two visits of one: refused, naming the session it is in."""
    from ketascreen.index import patient_files
    from ketascreen.store import StoreError

    for path in patient_files(store, patient):
        try:
            earlier = store.load(path)
        except StoreError:
            continue  # sessions and history name unreadable files
        entered = earlier.entered_from()
        if earlier.patient == patient and entered is not None and entered.get("sha256") == digest:
            raise KetascreenError(f"this answers file was entered for this patient already: session {earlier.id}, "
                             f"started {shown(earlier.created, zone)}; to enter it again as another "
                             "visit, add --again")


def _finish_unattended(questionnaire: Questionnaire, session: Session, store: Store, staff: str) -> Unattended:
    from ketascreen.attention import closing_lines
    from ketascreen.evaluate import evaluate_session

    missing = rules.missing_required(questionnaire, session)
    if not missing:
        session.complete(staff)
    path = store.save(session)
    # No one is at a terminal to acknowledge an urgent finding: it is the last thing a script's log shows.
    urgent = closing_lines(evaluate_session(questionnaire, session, None), session.language)
    return Unattended(session, path, tuple(missing), tuple(urgent))
