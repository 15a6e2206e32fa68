"""A clinic file keeps the urgent and contraindication flags of the questionnaire it extends.

A file that extends another can remove a flag, lower its severity or rewrite its rule. For an urgent
or contraindication flag each of these can quietly stop a same-day safety review or a check before
dosing, so `ketascreen validate` warns (and `--strict` refuses):

- a removed flag, at the clinic's `remove_flags` entry;
- a lowered severity, at the clinic's new `severity`;
- a narrowed rule: some answers raised the flag in the base and now raise no flag that pressing (the
  flag itself, or another urgent/contraindication flag on the same questions), at the clinic's
  changed rule, with one such set of answers in words.

Narrowing is found the way the safety lint explores conditions: each question and score the rules
name is tried at the values around their thresholds (lint's candidates), and the two rules are
evaluated side by side. Where that is too many combinations, a plain comparison of the rules'
parts decides (a removed `any` branch, an added `all` part), and otherwise nothing is said.

Two neighbouring changes are reported elsewhere, so they are not repeated here: a gate the clinic puts
in front of a question such a rule needs is the lint's finding (it warns about every such gate), and
removing a question such a rule still uses is an error that names the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ketascreen.conditions import Truth, evaluate
from ketascreen.describe import answer_words, describe
from ketascreen.flagrules import flag_rules
from ketascreen.loading.lint import (
    OTHER_TEXT,
    Assignment,
    Candidates,
    Key,
    _assignments,
    _candidates,
    _facts,
    _reachable,
    _refs,
)
from ketascreen.loading.yamlread import Located, Mark
from ketascreen.model import (
    AllOf,
    Answered,
    AnyOf,
    Compare,
    Condition,
    Flag,
    FlagRef,
    Not,
    Questionnaire,
    Severity,
    Value,
)

PROTECTED = (Severity.URGENT, Severity.CONTRAINDICATION)
# How a lowered flag used to be shown to the clinician, for the warning's wording.
_SHOWN_AS = {Severity.URGENT: "as urgent, for same-day attention", Severity.CONTRAINDICATION: "as a possible contraindication"}

Finding = tuple[Mark, str]
Example = dict[Key, Value | tuple[str, ...]]  # answers that show a loss, each one given


def protect(base: Located, questionnaire: Questionnaire, located: Located, shown: str) -> list[Finding]:
    """Warnings for the urgent and contraindication flags of ``base`` (the questionnaire the file
    extends, already merged if it extends another) that ``questionnaire`` (the merged result, with
    positions in ``located``; ``shown`` names the clinic file) removes, lowers or narrows."""
    before = _build(base)
    if before is None:
        return []
    pair = _Pair(before, questionnaire, located, shown)
    return [finding for flag in before.flags if flag.severity in PROTECTED for finding in _check_flag(flag, pair)]


@dataclass
class _Pair:
    """The base and the merged questionnaire, with what exploring them needs."""

    before: Questionnaire
    after: Questionnaire
    located: Located
    shown: str

    def __post_init__(self) -> None:
        self.reach_before = {s.id: _reachable(self.before, s) for s in self.before.scores}
        self.reach_after = {s.id: _reachable(self.after, s) for s in self.after.scores}
        self.rules_before = flag_rules(self.before)
        self.rules_after = flag_rules(self.after)


def _build(base: Located) -> Questionnaire | None:
    from ketascreen.loading.build import build_questionnaire

    if not isinstance(base.data, dict):
        return None
    try:
        return build_questionnaire(base.data, "")
    except (KeyError, TypeError, ValueError, AttributeError):
        # A base with errors of its own: checking the base names them, and there is no sound
        # rule of its to compare with.
        return None


def _check_flag(flag: Flag, pair: _Pair) -> list[Finding]:
    index = next((i for i, f in enumerate(pair.after.flags) if f.id == flag.id), None)
    if index is None:
        return [_removed(flag, pair)]
    now = pair.after.flags[index]
    if now.severity.rank > flag.severity.rank:
        return [_lowered(flag, now, index, pair)]
    if _same_rule(flag.when, now.when, pair, set()):
        return []
    return _narrowed(flag, now, index, pair)


def _removed(flag: Flag, pair: _Pair) -> Finding:
    at = pair.located.removed.get(f"flag:{flag.id}") or pair.located.position(("flags",))
    head = f"removes {flag.severity.value} flag '{flag.id}' of {pair.before.id}"
    return at, head + _loss_words(flag, _guards(flag, None, pair), pair)


def _lowered(flag: Flag, now: Flag, index: int, pair: _Pair) -> Finding:
    at = pair.located.position(("flags", index, "severity"))
    head = (f"lowers {flag.severity.value} flag '{flag.id}' of {pair.before.id} to {now.severity.value}: "
            f"the answers that raise it are no longer shown {_SHOWN_AS[flag.severity]}")
    return at, head


def _narrowed(flag: Flag, now: Flag, index: int, pair: _Pair) -> list[Finding]:
    at = _rule_change(index, pair)
    head = f"narrows {flag.severity.value} flag '{flag.id}' of {pair.before.id}"
    explored, example = _first_loss(flag, _guards(flag, now, pair), pair)
    if explored:
        if example is None:
            return []
        return [(at, f"{head}: {_words(example, pair)} raised it before and does not now{_removed_note(example, pair)}")]
    # Too many combinations to try: say only what the rules' shape shows for certain.
    change = _structural(flag.when, now.when, pair)
    return [(at, f"{head}: {change}")] if change else []


def _loss_words(flag: Flag, guards: list[Flag], pair: _Pair) -> str:
    """For a removed flag: answers that raised it and raise nothing as pressing now, or which flags
    still cover them."""
    explored, example = _first_loss(flag, guards, pair)
    if not explored:
        return ""
    pressing = "urgent" if flag.severity is Severity.URGENT else "urgent or contraindication"
    if example is None:
        others = ", ".join(f"'{g.id}'" for g in guards)
        return f"; the answers that raised it still raise {others}" if others else ""
    return f": {_words(example, pair)} raised it before and raises no {pressing} flag now{_removed_note(example, pair)}"


def _guards(flag: Flag, now: Flag | None, pair: _Pair) -> list[Flag]:
    """Flags of the merged questionnaire that stand in for ``flag``: its new version, and any other
    flag at least as pressing that looks at the same questions or scores (the bundled plan-or-attempt
    flag is urgent too, so a suicide rule may leave those answers to it)."""
    needed = {_key(r) for r in _refs(flag.when, pair.before)}
    guards = [now] if now is not None else []
    for other in pair.after.flags:
        if other is now or other.severity.rank > flag.severity.rank:
            continue
        if needed & {_key(r) for r in _refs(other.when, pair.after)}:
            guards.append(other)
    return guards


def _first_loss(flag: Flag, guards: list[Flag], pair: _Pair) -> tuple[bool, Example | None]:
    """(explored, answers that raise ``flag`` in the base and none of ``guards`` now); explored is
    False when there are too many combinations to try."""
    candidates = _merged_candidates(flag, guards, pair)
    assignments = _assignments(candidates) if candidates is not None else None
    if assignments is None:
        return False, None
    lost = _lost(flag.when, tuple(g.when for g in guards), pair)
    example = next((a for a in assignments if lost(a)), None)
    return True, None if example is None else _reduce(example, lost)


def _lost(rule: Condition, guards: tuple[Condition, ...], pair: _Pair) -> Callable[[Assignment], bool]:
    cover = AnyOf(guards)

    def lost(assignment: Assignment) -> bool:
        if evaluate(rule, _facts(assignment, pair.rules_before)) is not Truth.TRUE:
            return False
        return evaluate(cover, _facts(assignment, pair.rules_after)) is not Truth.TRUE

    return lost


def _merged_candidates(flag: Flag, guards: list[Flag], pair: _Pair) -> Candidates | None:
    """Lint's values to try, for the base rule in the base and the guards in the merged file: a
    threshold that moved is tried on both sides of its old place and of its new one."""
    old = _candidates(pair.before, pair.reach_before, [flag.when])
    new = _candidates(pair.after, pair.reach_after, [g.when for g in guards])
    if old is None or new is None:
        return None
    merged = dict(old)
    for key, values in new.items():
        merged[key] = list(dict.fromkeys([*merged.get(key, []), *values]))
    return merged


def _reduce(example: Assignment, lost: Callable[[Assignment], bool]) -> Example:
    """The example with every answer left out that it does not need: "bp_systolic 181 mmHg" rather
    than a value for every question the rules name (a left-out answer is simply not given)."""
    kept = dict(example)
    for key in list(kept):
        trial = {**kept, key: None}
        if lost(trial):
            kept = trial
    return {key: value for key, value in kept.items() if value is not None}


def _words(example: Example, pair: _Pair) -> str:
    if not example:
        return "giving none of the answers it looks at"
    return " and ".join(_value_words(key, value, pair) for key, value in example.items())


def _value_words(key: Key, value: Value | tuple[str, ...], pair: _Pair) -> str:
    kind, ref = key
    if kind == "score":
        return f"score {ref} {value}"
    known = {q.id: q for q in (*pair.after.questions, *pair.before.questions)}
    question = known[ref]
    if value == OTHER_TEXT:
        return f"{ref} (other text)"
    if question.type == "multi_choice" and value == ():
        return f"{ref} none of these"
    return f"{ref} {answer_words(question, value)}"


def _removed_note(example: Example, pair: _Pair) -> str:
    """Name where a question of the example was removed: the clinic then sees why it no longer counts."""
    present = {q.id for q in pair.after.questions}
    gone = [ref for kind, ref in example if kind == "question" and ref not in present]
    notes = [f"'{ref}' is removed at {pair.located.removed[ref].where()}" for ref in gone if ref in pair.located.removed]
    return f" ({'; '.join(notes)})" if notes else ""


def _rule_change(index: int, pair: _Pair) -> Mark:
    """Where the clinic changed the rule: the flag's own rule if the clinic file set it, else the rule
    of a flag it refers to that the clinic file set, else the flag's rule wherever it stands."""
    own = pair.located.position(("flags", index, "when"))
    if own.file == pair.shown:
        return own
    ids = [f.id for f in pair.after.flags]
    for ref in _flag_refs(pair.after.flags[index].when):
        mark = pair.located.position(("flags", ids.index(ref), "when"))
        if mark.file == pair.shown:
            return mark
    return own


def _same_rule(old: Condition, new: Condition, pair: _Pair, seen: set[str]) -> bool:
    """The same rule, through every flag it refers to (a rule that is unchanged can still narrow
    when a flag it names does)."""
    if old != new:
        return False
    for ref in _flag_refs(old):
        if ref in seen:
            continue
        seen.add(ref)
        was = next((f for f in pair.before.flags if f.id == ref), None)
        now = next((f for f in pair.after.flags if f.id == ref), None)
        if was is None or now is None or not _same_rule(was.when, now.when, pair, seen):
            return False
    return True


def _flag_refs(condition: Condition) -> Iterator[str]:
    """The flags a rule names, directly."""
    if isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from _flag_refs(part)
    elif isinstance(condition, Not):
        yield from _flag_refs(condition.part)
    elif isinstance(condition, FlagRef):
        yield condition.ref


def _structural(old: Condition, new: Condition, pair: _Pair) -> str | None:
    """A narrowing the rules' shape shows without trying answers: an `any` that lost branches, an
    `all` that gained parts (or a rule that now needs something more)."""
    if isinstance(old, AnyOf) and isinstance(new, AnyOf) and set(new.parts) < set(old.parts):
        lost = [p for p in old.parts if p not in new.parts]
        return "its rule no longer holds on " + "; ".join(describe(p, pair.before) for p in lost)
    old_parts = set(old.parts) if isinstance(old, AllOf) else {old}
    if isinstance(new, AllOf) and old_parts < set(new.parts):
        return "its rule now also needs " + "; ".join(describe(p, pair.after) for p in new.parts if p not in old_parts)
    return None


def _key(ref: Compare | Answered) -> Key:
    return ("score" if isinstance(ref, Compare) and ref.subject == "score" else "question", ref.ref)
