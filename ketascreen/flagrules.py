"""A flag's status, and flag rules that name other flags: facts in which {flag: ID} is that flag's
own result.

Both a session's evaluation and a questionnaire's safety lint decide flag rules this way, so it
lives below both: loading a questionnaire must not depend on evaluating sessions. Amendments, read
before a session is evaluated, record statuses too.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.model import Condition, Questionnaire

FlagRules = Mapping[str, Condition]  # flag id -> its rule


class FlagStatus(StrEnum):
    """What a session's answers decided for a flag. The values are the words JSON summaries and
    scenario files use, and each member equals its value as a plain string."""

    RAISED = "raised"
    NOT_RAISED = "not_raised"
    UNASSESSED = "unassessed"  # its rule is unknown: an answer it needs is missing, unknown or declined
    COVERED = "covered"  # raised, and folded under a stronger flag that is raised too


def flag_rules(questionnaire: Questionnaire) -> dict[str, Condition]:
    """Every flag's rule by its id. Build it once per questionnaire and pass it on: the lint decides
    rules for many thousands of answer combinations, and a map per combination made it quadratic."""
    return {flag.id: flag.when for flag in questionnaire.flags}


def with_flag_rules(rules: FlagRules, facts: Facts) -> Facts:
    """The same facts, where {flag: ID} is that flag's own result (each worked out once)."""
    known: dict[str, Truth] = {}
    extended = Facts(facts.question_value, facts.score_value, facts.not_asked, lambda fid: truth(fid), facts.score_range)

    def truth(fid: str) -> Truth:
        if fid not in known:
            known[fid] = evaluate(rules[fid], extended) if fid in rules else Truth.UNKNOWN
        return known[fid]

    return extended


def with_flags(questionnaire: Questionnaire, facts: Facts) -> Facts:
    """As with_flag_rules, for one set of facts on this questionnaire."""
    return with_flag_rules(flag_rules(questionnaire), facts)
