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
from collections.abc import Callable, Iterable, Iterator
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

    paths = _question_paths(located)

    def gate_mark(question_id: str) -> Mark:
        """Where the condition that can leave the question unasked stands: its own, else its section's."""
        path = paths.get(question_id, ())
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
    explorer = _Explorer(questionnaire, reachable, rules)
    for index, flag in enumerate(questionnaire.flags):
        at = located.position(("flags", index, "when"))
        rule = flag.when
        outcome = explorer.explore(rule)
        if outcome is not None:
            can_raise, always = outcome
            if not can_raise:
                findings.append((at, f"flag '{flag.id}' can never be raised: no answers make its rule hold"))
            elif always:
                findings.append((at, f"flag '{flag.id}' is raised by every complete set of answers"))
        if flag.severity in (Severity.URGENT, Severity.CONTRAINDICATION):
            for question in _skippable(flag, explorer, reviewed):
                findings.append((at, f"{flag.severity.value} flag '{flag.id}' needs '{question.id}', which skip logic "
                                     f"can leave unasked ({where(question.id)}); "
                                     "an unasked question does not apply, so the flag would not be raised"))
    for question in questionnaire.questions:
        if question.when is None:
            continue
        outcome = explorer.explore(question.when)
        if outcome is not None and not outcome[0]:
            findings.append((located.position(paths.get(question.id, ()) + ("when",)),
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
    findings += _unused(questionnaire, located, paths)
    return findings


def _unused(questionnaire: Questionnaire, located: Located, paths: dict[str, Path_]) -> list[tuple[Mark, str]]:
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
    return [(located.position(paths.get(q.id, ()) + ("id",)),
             f"question '{q.id}' feeds no flag, score, check or skip logic, so its answer is used for nothing "
             "(free text and 'header: true' questions are exempt)")
            for q in questionnaire.questions
            if q.id not in used and q.type != "text" and not q.header]


def _question_paths(located: Located) -> dict[str, Path_]:
    """Where each question stands in the file, by its id (the first, as a search from the top finds)."""
    data = located.data if isinstance(located.data, dict) else {}
    paths: dict[str, Path_] = {}
    for s_index, section in enumerate(data.get("sections", [])):
        for q_index, question in enumerate(section.get("questions", [])):
            paths.setdefault(question.get("id"), ("sections", s_index, "questions", q_index))
    return paths


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
            yield from _refs(questionnaire.flag(condition.ref).when, questionnaire, seen)
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


class _Explorer:
    """Explores conditions on one questionnaire, remembering what it found: the lint asks the same
    questions of the same rules many times (each urgent flag against every flag as pressing)."""

    def __init__(self, questionnaire: Questionnaire, reachable: Reachable, rules: FlagRules):
        self.questionnaire, self.reachable, self.rules = questionnaire, reachable, rules
        # Keyed by id(): conditions compare equal across kinds (1 == True); each memo keeps the
        # condition alive (in _seen), so its id cannot be taken by another while it is remembered.
        self._seen: dict[int, Condition] = {}
        self._explored: dict[int, tuple[bool, bool] | None] = {}
        self._keys: dict[int, frozenset[Key]] = {}
        self._totals: dict[int, int | None] = {}
        self._by_key: dict[Key, list[Flag]] | None = None
        self._always: set[str] | None = None

    def explore(self, condition: Condition) -> tuple[bool, bool] | None:
        if id(condition) not in self._explored:
            self._seen[id(condition)] = condition
            self._explored[id(condition)] = _explore(condition, self.questionnaire, self.reachable, self.rules)
        return self._explored[id(condition)]

    def keys(self, condition: Condition) -> frozenset[Key]:
        """The questions and scores a condition reads, through the flags it names."""
        if id(condition) not in self._keys:
            self._seen[id(condition)] = condition
            self._keys[id(condition)] = frozenset(_key(ref) for ref in _refs(condition, self.questionnaire))
        return self._keys[id(condition)]

    def total(self, condition: Condition) -> int | None:
        """How many assignments exploring the condition alone tries (None: a score too wide to list)."""
        if id(condition) not in self._totals:
            self._seen[id(condition)] = condition
            candidates = _candidates(self.questionnaire, self.reachable, [condition])
            total = None
            if candidates is not None:
                total = 1
                for values in candidates.values():
                    total *= max(1, len(values))
            self._totals[id(condition)] = total
        return self._totals[id(condition)]

    def implies(self, gate: Condition, rule: Condition) -> bool:
        """As _implies. When the two read nothing in common their values are tried independently,
        so the gate implies the rule exactly when the gate can never hold or the rule always does
        (and the combinations tried together stay within the limit): no need to try them all."""
        if not self.keys(gate).isdisjoint(self.keys(rule)):
            return _implies(gate, rule, self.questionnaire, self.reachable, self.rules)
        gate_total, rule_total = self.total(gate), self.total(rule)
        if gate_total is None or rule_total is None or _over_limit(gate_total, rule_total):
            return False
        gate_outcome, rule_outcome = self.explore(gate), self.explore(rule)
        assert gate_outcome is not None and rule_outcome is not None  # within the limit, so explored
        return not gate_outcome[0] or rule_outcome[1]

    def sharing(self, condition: Condition) -> set[str]:
        """The ids of the flags whose rules read something the condition reads."""
        if self._by_key is None:
            self._by_key = {}
            for flag in self.questionnaire.flags:
                for key in self.keys(flag.when):
                    self._by_key.setdefault(key, []).append(flag)
        return {flag.id for key in self.keys(condition) for flag in self._by_key.get(key, ())}

    def implies_any(self, gate: Condition, flag: Flag) -> bool:
        """The gate implies the rule of some other flag at least as pressing as this one. A rule
        that shares nothing with the gate is implied only when it always holds or the gate never
        does (see implies), so unless the gate never holds only the rules that share something
        with it and those that always hold need trying."""
        gate_outcome = self.explore(gate)
        if gate_outcome is not None and not gate_outcome[0]:
            candidates: Iterable[Flag] = self.questionnaire.flags  # rare: the lint warns of such a gate
        else:
            candidates = [self.questionnaire.flag(fid) for fid in self.sharing(gate) | self.always()]
        return any(self.implies(gate, other.when) for other in candidates
                   if other.id != flag.id and other.severity.rank <= flag.severity.rank)

    def always(self) -> set[str]:
        """The flags whose rules hold for every complete set of answers."""
        if self._always is None:
            self._always = set()
            for flag in self.questionnaire.flags:
                outcome = self.explore(flag.when)
                if outcome is not None and outcome[1]:
                    self._always.add(flag.id)
        return self._always


def _key(ref: Compare | Answered) -> Key:
    return ("score" if isinstance(ref, Compare) and ref.subject == "score" else "question", ref.ref)


def _over_limit(*totals: int) -> bool:
    """Whether _assignments gives up on the combinations of these totals together."""
    product = 1
    for total in totals:
        product *= total
        if product > MAX_COMBINATIONS:
            return True
    return False


def _skippable(flag: Flag, explorer: _Explorer, reviewed: Callable[[str], bool]) -> list[Question]:
    """Questions the flag's rule needs that skip logic can leave unasked. A follow-up whose
    condition already raises the flag whenever it asks it (the bundled plan question after
    "thoughts of suicide") is let through, and so is one whose gate itself raises another flag at
    least as pressing (the plan question is asked only after thoughts of suicide, an urgent finding
    of its own), but only where the gate comes from a reviewed base: a clinic that puts a new gate
    in front of a question an urgent rule needs is always warned."""
    questionnaire, rule = explorer.questionnaire, flag.when
    found = []
    for ref in dict.fromkeys(r.ref for r in _refs(rule, questionnaire) if not (isinstance(r, Compare) and r.subject == "score")):
        question = questionnaire.question(ref)
        section = questionnaire.section_of(ref)
        gates = [c for c in (section.when, question.when) if c is not None]
        if not gates:
            continue
        gate = AllOf(tuple(gates))
        if reviewed(ref) and explorer.implies(gate, rule):
            continue
        if reviewed(ref) and _handles_absence(rule, ref):
            continue
        if reviewed(ref) and explorer.implies_any(gate, flag):
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
