"""Skip logic as written down, for the tests to hold the kept path against: one walk in
questionnaire order, every score worked out first, keeping nothing."""

from __future__ import annotations

from ketascreen.conditions import Truth, evaluate
from ketascreen.model import Questionnaire
from ketascreen.scoring import facts_for
from ketascreen.session import Session


def walked_from_the_start(questionnaire: Questionnaire, session: Session) -> list[str]:
    skipped: set[str] = set()
    facts = facts_for(questionnaire, session.value_of, skipped.__contains__)
    path = []
    for section in questionnaire.sections:
        if section.when is not None and evaluate(section.when, facts) is Truth.FALSE:
            skipped.update(q.id for q in section.questions)
            continue
        for question in section.questions:
            if question.when is None or evaluate(question.when, facts) is not Truth.FALSE:
                path.append(question.id)
            else:
                skipped.add(question.id)
    return path
