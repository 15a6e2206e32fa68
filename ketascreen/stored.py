"""A session's own copy of its questionnaire, checked, and its stored answers checked against it:
what every command that reads a session (summary, export, sessions, resume) starts from."""

from __future__ import annotations

from typing import Any

from ketascreen import answering as rules
from ketascreen.errors import KetascreenError, QuestionnaireError
from ketascreen.loading.load import check_traced, sha256_of
from ketascreen.model import Questionnaire
from ketascreen.session import Session

_CHECKED: dict[str, Questionnaire] = {}


def stored_questionnaire(session: Session) -> Questionnaire:
    """The questionnaire exactly as the session used it, from the copy inside the session.

    A day's sessions share one questionnaire: each distinct copy is checked once per process, and
    a copy the store already found to match its hash is not hashed again."""
    digest = session.questionnaire_sha256 if session.questionnaire_verified else sha256_of(session.questionnaire_text)
    questionnaire = checked_copy(session.questionnaire_text, digest, f"session {session.id} (stored questionnaire)")
    if digest != session.questionnaire_sha256:
        raise KetascreenError(f"session {session.id}: its stored questionnaire does not match its recorded hash; "
                              "the file has been changed by hand and is left as it is")
    _check_stored_answers(questionnaire, session)
    return questionnaire


def checked_copy(text: str, digest: str, where: str) -> Questionnaire:
    """A stored questionnaire's text (whose SHA-256 is ``digest``) checked in full, or built from the
    cache entry of an earlier check; once per process for each copy."""
    questionnaire = _CHECKED.get(digest)
    if questionnaire is not None:
        return questionnaire
    from ketascreen.loading import compiled
    from ketascreen.loading.build import build_questionnaire

    key = compiled.text_key(text)
    entry = compiled.lookup(key)
    if entry is not None and entry.sha256 == digest:
        questionnaire = build_questionnaire(entry.data, digest)
    else:
        trace: dict[str, Any] = {}
        checked, problems, _ = check_traced(text, where, trace)
        if checked is None:
            raise QuestionnaireError(problems)
        compiled.keep(key, compiled.Entry(trace["data"], digest, None))
        questionnaire = checked
    _CHECKED[digest] = questionnaire
    return questionnaire


def _check_stored_answers(questionnaire: Questionnaire, session: Session) -> None:
    """Every stored answer must fit its question: a file edited by hand is refused, never misread."""
    known = {q.id: q for q in questionnaire.questions}
    for qid, answer in session.answers.items():
        question = known.get(qid)
        if question is None:
            raise KetascreenError(f"session {session.id}: has an answer to '{qid}', which its questionnaire does not "
                                  "ask; the file has been changed by hand and is left as it is")
        if answer.state != "value":
            continue
        value = list(answer.value) if isinstance(answer.value, tuple) else answer.value
        try:
            checked = rules.check_value(question, value)
            fits = checked == answer.value and type(checked) is type(answer.value)
        except rules.InvalidAnswer:
            fits = False
        if not fits:
            raise KetascreenError(f"session {session.id}: the stored answer to '{qid}' does not fit the question; "
                                  "the file has been changed by hand and is left as it is")
