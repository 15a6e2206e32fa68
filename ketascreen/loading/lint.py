"""Safety lint for a questionnaire that passed every check: rules that are valid but probably not
what the clinic meant. `ketascreen validate` prints these as warnings; `--strict` makes them errors.

- an urgent or contraindication flag that needs a question skip logic can leave unasked (a question
  that is not asked does not apply, so the flag would quietly not be raised);
- a flag that can never be raised, or that every complete set of answers raises;
- a score band that no combination of answers reaches;
- a question whose condition can never hold (it is never asked).

Conditions are explored by trying, for each question they name, the values around every threshold
they use (and each choice, option and yes/no); scores are tried at the values they can reach.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import cast

from ketascreen.conditions import Facts, Truth, evaluate
from ketascreen.flagrules import FlagRules, flag_rules, with_flag_rules
from ketascreen.loading.yamlread import Located, Mark, Path_
from ketascreen.model import (
    AllOf,
    Answered,
    AnyOf,
    Compare,
    Condition,
    Flag,
    FlagRef,
    Not,
    Question,
    Questionnaire,
    Score,
    Severity,
    Value,
)

MAX_COMBINATIONS = 20_000
OTHER_TEXT = "\x00other"

Key = tuple[str, str]  # ("question", id) or ("score", id)
Candidate = Value | tuple[str, ...] | None  # a value tried for a question or score; None: no answer
Candidates = dict[Key, list[Candidate]]
Assignment = dict[Key, Candidate]
Reachable = dict[str, set[int] | None]  # score id -> every total it can reach (None: too many to list)


def lint(questionnaire: Questionnaire, located: Located, shown: str = "", extends: bool = False) -> list[tuple[Mark, str]]:
    """Warnings with their positions; ``shown`` names the file being checked in messages, and
    ``extends`` says it is a clinic file merged onto a base."""

    def gate_mark(question_id: str) -> Mark:
        """Where the condition that can leave the question unasked stands: its own, else its section's."""
        path = _question_path(located, question_id)
        if not path:
            return Mark(0, 0)
        if (path + ("when",)) in located.values:
            return located.position(path + ("when",))
        return located.position(path[:2] + ("when",))

    def where(question_id: str) -> str:
        mark = gate_mark(question_id)
        return f"{mark.file or shown}:{mark.line}"

    def reviewed(question_id: str) -> bool:
        """A gate the file takes from its base was reviewed there; a gate this file sets was not."""
        return not extends or gate_mark(question_id).file not in ("", shown)

    findings: list[tuple[Mark, str]] = []
    reachable = {score.id: _reachable(questionnaire, score) for score in questionnaire.scores}
    rules = flag_rules(questionnaire)
    for index, flag in enumerate(questionnaire.flags):
        at = located.position(("flags", index, "when"))
        rule = flag.when
        outcome = _explore(rule, questionnaire, reachable, rules)
        if outcome is not None:
            can_raise, always = outcome
            if not can_raise:
                findings.append((at, f"flag '{flag.id}' can never be raised: no answers make its rule hold"))
            elif always:
                findings.append((at, f"flag '{flag.id}' is raised by every complete set of answers"))
        if flag.severity in (Severity.URGENT, Severity.CONTRAINDICATION):
            stronger = tuple(f for f in questionnaire.flags if f.id != flag.id and f.severity.rank <= flag.severity.rank)
            for question in _skippable(rule, questionnaire, reachable, rules, reviewed, stronger):
                findings.append((at, f"{flag.severity.value} flag '{flag.id}' needs '{question.id}', which skip logic "
                                     f"can leave unasked ({where(question.id)}); "
                                     "an unasked question does not apply, so the flag would not be raised"))
    for question in questionnaire.questions:
        if question.when is None:
            continue
        outcome = _explore(question.when, questionnaire, reachable, rules)
        if outcome is not None and not outcome[0]:
            findings.append((located.position(_question_path(located, question.id) + ("when",)),
                             f"question '{question.id}' is never asked: its condition can never hold"))
    for s_index, score in enumerate(questionnaire.scores):
        values = reachable[score.id]
        if values is None:
            continue
        bands = located.data.get("scores", [])[s_index].get("bands", []) if isinstance(located.data, dict) else []
        for b_index, band in enumerate(score.bands):
            if not any(band.min <= v <= band.max for v in values):
                original = next((i for i, raw in enumerate(bands) if raw.get("min") == band.min and raw.get("max") == band.max), b_index)
                findings.append((located.position(("scores", s_index, "bands", original)),
                                 f"band '{band.label}' of score '{score.id}' ({band.min}–{band.max}) can never be reached"))
    findings += _unused(questionnaire, located)
    return findings


def _unused(questionnaire: Questionnaire, located: Located) -> list[tuple[Mark, str]]:
    """Answers collected and then used by nothing: no flag, score, check or skip logic reads them.
    Free text and header values (weight, planned treatment) are read by the clinician instead."""
    used: set[str] = set()
    conditions: list[Condition] = [f.when for f in questionnaire.flags]
    conditions += [d.when for f in questionnaire.flags for d in f.details]
    for flag in questionnaire.flags:
        used.update(flag.shows)
    for score in questionnaire.scores:
        used.update(score.items)
        used.update(score.shows)
        conditions += [c for c in (score.zero_when, *(n.when for n in score.notes)) if c is not None]
    for section in questionnaire.sections:
        conditions += [c for c in (section.when, *(q.when for q in section.questions)) if c is not None]
    for check in questionnaire.checks:
        used.update((check.question, check.other))
    for condition in conditions:
        used.update(ref.ref for ref in _refs(condition, questionnaire)
                    if not (isinstance(ref, Compare) and ref.subject == "score"))
    return [(located.position(_question_path(located, q.id) + ("id",)),
             f"question '{q.id}' feeds no flag, score, check or skip logic, so its answer is used for nothing "
             "(free text and 'header: true' questions are exempt)")
            for q in questionnaire.questions
            if q.id not in used and q.type != "text" and not q.header]


def _question_path(located: Located, question_id: str) -> Path_:
    data = located.data if isinstance(located.data, dict) else {}
    for s_index, section in enumerate(data.get("sections", [])):
        for q_index, question in enumerate(section.get("questions", [])):
            if question.get("id") == question_id:
                return ("sections", s_index, "questions", q_index)
    return ()


def _reachable(questionnaire: Questionnaire, score: Score) -> set[int] | None:
    """Every total the score's items can add up to (and 0 when a gate can zero it)."""
    sums = {0}
    for item in score.items:
        question = questionnaire.question(item)
        points = {0, 1} if question.type == "yes_no" else {o.score for o in question.options}
        sums = {total + p for total in sums for p in points}
        if len(sums) > 10_000:
            return None
    if score.zero_when is not None:
        sums.add(0)
    return sums


def _refs(condition: Condition, questionnaire: Questionnaire, seen: set[str] | None = None) -> Iterator[Compare | Answered]:
    """The comparisons a condition makes, through the rules of the flags it names (each flag once)."""
    seen = set() if seen is None else seen
    if isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from _refs(part, questionnaire, seen)
    elif isinstance(condition, Not):
        yield from _refs(condition.part, questionnaire, seen)
    elif isinstance(condition, FlagRef):
        if condition.ref not in seen:
            seen.add(condition.ref)
            yield from _refs(next(f.when for f in questionnaire.flags if f.id == condition.ref), questionnaire, seen)
    else:
        yield condition


def _candidates(questionnaire: Questionnaire, reachable: Reachable, conditions: list[Condition]) -> Candidates | None:
    """Values worth trying for each question and score the conditions name."""
    thresholds: dict[Key, set[Value]] = {}
    unanswered: set[str] = set()  # questions an `answered` test names: try them without a value too
    for condition in conditions:
        for ref in _refs(condition, questionnaire):
            key = ("score" if isinstance(ref, Compare) and ref.subject == "score" else "question", ref.ref)
            values = thresholds.setdefault(key, set())
            if isinstance(ref, Compare):
                values.update(ref.value if isinstance(ref.value, tuple) else (ref.value,))
            else:
                unanswered.add(ref.ref)
    result: Candidates = {}
    for (kind, ident), used in thresholds.items():
        if kind == "score":
            possible = reachable.get(ident)
            if possible is None:
                return None
            near = {v + d for v in used if isinstance(v, (int, float)) for d in (-1, 0, 1)} | {min(possible), max(possible)}
            result[(kind, ident)] = [v for v in sorted(near) if v in possible]
        else:
            result[(kind, ident)] = _question_values(questionnaire.question(ident), used) + ([None] if ident in unanswered else [])
    return result


def _question_values(question: Question, used: set[Value]) -> list[Candidate]:
    kind = question.type
    if kind == "yes_no":
        return [True, False]
    if kind == "choice":
        return [c.code for c in question.choices]
    if kind == "multi_choice":
        codes = [c.code for c in question.choices]
        if len(codes) <= 4:
            return [tuple(c for c, keep in zip(codes, mask, strict=True) if keep) for mask in itertools.product((0, 1), repeat=len(codes))]
        return [(), *((c,) for c in codes), tuple(codes)]
    if kind == "scale":
        return [score for score in sorted({o.score for o in question.options})]
    if kind in ("integer", "number"):
        return [number for number in _number_values(question, used)] or [0]
    if kind == "date":
        return [day for day in _date_values(used)] or ["2000-01-01"]
    return [*sorted(v for v in used if isinstance(v, str)), OTHER_TEXT]


def _number_values(question: Question, used: set[Value]) -> list[int | float]:
    """Each threshold and its neighbours one step away, within the question's min and max."""
    step = 1 if question.type == "integer" else 0.5
    numbers = sorted({v for v in used if isinstance(v, (int, float)) and not isinstance(v, bool)})
    values = {v + d for v in numbers for d in (-step, 0, step)}
    if question.type == "number":  # between two close thresholds (above 37.5 and below 38)
        values.update((a + b) / 2 for a, b in zip(numbers, numbers[1:], strict=False))
    if question.min is not None:
        values.add(question.min)
    if question.max is not None:
        values.add(question.max)
    return sorted(v for v in values if (question.min is None or v >= question.min) and (question.max is None or v <= question.max))


def _date_values(used: set[Value]) -> list[str]:
    """Each date compared with, and the days either side of it."""
    from datetime import date, timedelta

    days = set()
    for v in used:
        if isinstance(v, str):
            day = date.fromisoformat(v)
            for d in (-1, 0, 1):
                try:
                    days.add((day + timedelta(days=d)).isoformat())
                except OverflowError:  # the first or last day there is
                    continue
    return sorted(days)


def _assignments(candidates: Candidates) -> Iterator[Assignment] | None:
    keys = list(candidates)
    total = 1
    for key in keys:
        total *= max(1, len(candidates[key]))
        if total > MAX_COMBINATIONS:
            return None
    return (dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(candidates[k] for k in keys)))


def _facts(assignment: Assignment, rules: FlagRules) -> Facts:
    """The assignment as facts; {flag: ID} is that flag's own rule, worked out once per assignment."""

    def question_value(question_id: str) -> Candidate:
        return assignment.get(("question", question_id))

    def score_value(score_id: str) -> int | None:
        # A score is tried only at totals it can reach: whole numbers (20.0 where a threshold was written 21.0).
        return cast("int | None", assignment.get(("score", score_id)))

    return with_flag_rules(rules, Facts(question_value, score_value))


def _explore(condition: Condition, questionnaire: Questionnaire, reachable: Reachable,
             rules: FlagRules) -> tuple[bool, bool] | None:
    """(can hold, holds for every complete set of answers), or None when there are too many to try."""
    candidates = _candidates(questionnaire, reachable, [condition])
    if candidates is None:
        return None
    assignments = _assignments(candidates)
    if assignments is None:
        return None
    can, always = False, True
    for assignment in assignments:
        truth = evaluate(condition, _facts(assignment, rules))
        can = can or truth is Truth.TRUE
        always = always and truth is Truth.TRUE
    return can, always


def _skippable(rule: Condition, questionnaire: Questionnaire, reachable: Reachable, rules: FlagRules,
               reviewed: Callable[[str], bool], stronger: tuple[Flag, ...] = ()) -> list[Question]:
    """Questions the rule needs that skip logic can leave unasked. A follow-up whose condition
    already raises the flag whenever it asks it (the bundled plan question after "thoughts of
    suicide") is let through, and so is one whose gate itself raises a flag at least as pressing
    (``stronger``: the plan question is asked only after thoughts of suicide, an urgent finding of
    its own), but only where the gate comes from a reviewed base: a clinic that puts a new gate in
    front of a question an urgent rule needs is always warned."""
    found = []
    for ref in dict.fromkeys(r.ref for r in _refs(rule, questionnaire) if not (isinstance(r, Compare) and r.subject == "score")):
        question = questionnaire.question(ref)
        section = questionnaire.section_of(ref)
        gates = [c for c in (section.when, question.when) if c is not None]
        if not gates:
            continue
        gate = AllOf(tuple(gates))
        if reviewed(ref) and _implies(gate, rule, questionnaire, reachable, rules):
            continue
        if reviewed(ref) and _handles_absence(rule, ref):
            continue
        if reviewed(ref) and any(_implies(gate, other.when, questionnaire, reachable, rules) for other in stronger):
            continue
        found.append(question)
    return found


def _handles_absence(rule: Condition, question_id: str) -> bool:
    """The rule says itself what holds when the question has no answer ({question: X, answered:
    false}), as the blood pressure rules do for a re-check that was not taken."""
    if isinstance(rule, Answered):
        return rule.ref == question_id and not rule.expected
    if isinstance(rule, (AllOf, AnyOf)):
        return any(_handles_absence(part, question_id) for part in rule.parts)
    if isinstance(rule, Not):
        return _handles_absence(rule.part, question_id)
    return False


def _implies(gate: Condition, rule: Condition, questionnaire: Questionnaire, reachable: Reachable, rules: FlagRules) -> bool:
    """Whenever the gate holds, the rule holds too (tried over the values around their thresholds)."""
    candidates = _candidates(questionnaire, reachable, [gate, rule])
    if candidates is None:
        return False
    assignments = _assignments(candidates)
    if assignments is None:
        return False
    for assignment in assignments:
        facts = _facts(assignment, rules)
        if evaluate(gate, facts) is Truth.TRUE and evaluate(rule, facts) is not Truth.TRUE:
            return False
    return True
