"""What changed between two versions of a questionnaire, for a clinic's change review.

A recoded choice (the same answer now stored under another code, or a code that now means
something else) is called out loudly: it changes the meaning of answers already stored.
"""

from __future__ import annotations

from ketascreen.describe import describe, plain
from ketascreen.model import Coding, Flag, FlagRef, Question, Questionnaire, Score, Text

RECODED = "!! RECODED"


def diff(old: Questionnaire, new: Questionnaire) -> list[str]:
    lines = _identity_changes(old, new)
    lines += _section_changes(old, new)
    lines += _question_list_changes(old, new)
    lines += _flag_list_changes(old, new)
    lines += _score_list_changes(old, new)
    lines += _checks_and_screens(old, new)
    return lines


def _identity_changes(old: Questionnaire, new: Questionnaire) -> list[str]:
    return [f"~ {what}: '{before}' → '{after}'"
            for what, before, after in (("id", old.id, new.id), ("title", str(old.title), str(new.title)),
                                        ("version", old.version, new.version))
            if before != after]


def _question_list_changes(old: Questionnaire, new: Questionnaire) -> list[str]:
    """Questions added, removed and changed, the answer codes of shared scales, and their order."""
    lines: list[str] = []
    old_q = {q.id: q for q in old.questions}
    new_q = {q.id: q for q in new.questions}
    lines += [f"+ question {qid} ({question.type}) in section '{question.section}': {question.text}"
              for qid, question in new_q.items() if qid not in old_q]
    lines += [f"- question {qid} ({question.type}): {question.text}" for qid, question in old_q.items() if qid not in new_q]
    kept = [q for q in old_q if q in new_q]
    for qid in kept:
        lines.extend(_question_changes(old, new, old_q[qid], new_q[qid]))
    lines += _scale_code_changes([(old_q[qid], new_q[qid]) for qid in kept])
    if kept != [q for q in new_q if q in old_q]:
        lines.append("~ question order changed")
    return lines


def _scale_code_changes(pairs: list[tuple[Question, Question]]) -> list[str]:
    """Answer codes of a scale both versions use, said once per scale (not for each of its questions)."""
    lines = []
    scales_seen: set[str] = set()
    for before, after in pairs:
        if before.scale and before.scale == after.scale and before.scale not in scales_seen:
            scales_seen.add(before.scale)
            was = [f"{o.score}: {_codes(o.codes)}" for o in before.options]
            now = [f"{o.score}: {_codes(o.codes)}" for o in after.options]
            if was != now:
                lines.append(f"~ scale {before.scale}: answer codes {'; '.join(was)} → {'; '.join(now)}")
    return lines


def _flag_list_changes(old: Questionnaire, new: Questionnaire) -> list[str]:
    lines: list[str] = []
    old_f = {f.id: f for f in old.flags}
    new_f = {f.id: f for f in new.flags}
    lines += [f"+ flag {fid} [{flag.severity.value}]: {flag.label} — raised when {describe(flag.when, new)}"
              for fid, flag in new_f.items() if fid not in old_f]
    lines += [f"- flag {fid} [{flag.severity.value}]: {flag.label}" for fid, flag in old_f.items() if fid not in new_f]
    effective = _changed_through_references(old_f, new_f)
    for fid in [f for f in old_f if f in new_f]:
        lines += _flag_changes(old, new, old_f[fid], new_f[fid], fid in effective)
    return lines


def _flag_changes(old: Questionnaire, new: Questionnaire, before: Flag, after: Flag, through_reference: bool) -> list[str]:
    """``through_reference``: the flag's own rule is the same, but a flag it refers to changed."""
    lines: list[str] = []
    add = lines.append
    fid = before.id
    if before.severity != after.severity:
        add(f"~ flag {fid}: severity {before.severity.value} → {after.severity.value}")
    rule_before, rule_after = describe(before.when, old), describe(after.when, new)
    if before.when != after.when:
        add(f"~ flag {fid}: rule changed\n    was: {rule_before}\n    now: {rule_after}")
    elif through_reference:
        add(f"~ flag {fid}: rule changed through a flag it refers to (its own rule is the same: {rule_after})")
    for field in ("label", "explanation", "source", "staff_instruction"):
        lines.extend(_text_change(f"flag {fid}", field, getattr(before, field), getattr(after, field)))
    if before.shows != after.shows:
        add(f"~ flag {fid}: shows {', '.join(before.shows) or 'nothing'} → {', '.join(after.shows) or 'nothing'}")
    if before.covered_by != after.covered_by:
        add(f"~ flag {fid}: covered by {', '.join(before.covered_by) or 'none'} → {', '.join(after.covered_by) or 'none'}")
    details_before = [f"when {describe(d.when, old)}: {_all_languages(d.text)}" for d in before.details]
    details_after = [f"when {describe(d.when, new)}: {_all_languages(d.text)}" for d in after.details]
    if details_before != details_after:
        add(f"~ flag {fid}: details changed\n    was: {' | '.join(details_before) or 'none'}"
            f"\n    now: {' | '.join(details_after) or 'none'}")
    return lines


def _score_list_changes(old: Questionnaire, new: Questionnaire) -> list[str]:
    lines: list[str] = []
    old_s = {s.id: s for s in old.scores}
    new_s = {s.id: s for s in new.scores}
    lines += [f"+ score {sid}: {new_s[sid].label}" for sid in new_s if sid not in old_s]
    lines += [f"- score {sid}: {old_s[sid].label}" for sid in old_s if sid not in new_s]
    for sid in [s for s in old_s if s in new_s]:
        lines += _score_changes(old, new, old_s[sid], new_s[sid])
    return lines


def _score_changes(old: Questionnaire, new: Questionnaire, before: Score, after: Score) -> list[str]:
    lines: list[str] = []
    add = lines.append
    sid = before.id
    if before.items != after.items:
        add(f"~ score {sid}: items {', '.join(before.items)} → {', '.join(after.items)}")
    bands_before = [(b.min, b.max, str(b.label)) for b in before.bands]
    bands_after = [(b.min, b.max, str(b.label)) for b in after.bands]
    if bands_before != bands_after:
        add(f"~ score {sid}: bands {_bands(bands_before)} → {_bands(bands_after)}")
    if before.zero_when != after.zero_when:
        gate_before = describe(before.zero_when, old) if before.zero_when else "none"
        gate_after = describe(after.zero_when, new) if after.zero_when else "none"
        add(f"~ score {sid}: 0 when\n    was: {gate_before}\n    now: {gate_after}")
    notes_before = [f"when {describe(n.when, old)}: {_all_languages(n.text)}" for n in before.notes]
    notes_after = [f"when {describe(n.when, new)}: {_all_languages(n.text)}" for n in after.notes]
    if notes_before != notes_after:
        add(f"~ score {sid}: notes\n    was: {' | '.join(notes_before) or 'none'}\n    now: {' | '.join(notes_after) or 'none'}")
    for field in ("label", "source"):
        lines.extend(_text_change(f"score {sid}", field, getattr(before, field), getattr(after, field)))
    lines.extend(_codes_change(f"score {sid}", before.codes, after.codes))
    if before.shows != after.shows:
        add(f"~ score {sid}: shows {', '.join(before.shows) or 'nothing'} → {', '.join(after.shows) or 'nothing'}")
    return lines


def _checks_and_screens(old: Questionnaire, new: Questionnaire) -> list[str]:
    lines = []
    old_c = {c.id: f"{c.question} {c.operator.replace('_', ' ')} {c.other}" for c in old.checks}
    new_c = {c.id: f"{c.question} {c.operator.replace('_', ' ')} {c.other}" for c in new.checks}
    lines += [f"+ check {cid}: {rule}" for cid, rule in new_c.items() if cid not in old_c]
    lines += [f"- check {cid}: {rule}" for cid, rule in old_c.items() if cid not in new_c]
    lines += [f"~ check {cid}: {old_c[cid]} → {rule}" for cid, rule in new_c.items() if cid in old_c and old_c[cid] != rule]
    old_s = {s.id: s for s in old.screens}
    new_s = {s.id: s for s in new.screens}
    lines += [f"+ screen {sid}: {screen.label} ({', '.join(screen.flags)})" for sid, screen in new_s.items() if sid not in old_s]
    lines += [f"- screen {sid}: {screen.label}" for sid, screen in old_s.items() if sid not in new_s]
    lines += [f"~ screen {sid}: flags {', '.join(old_s[sid].flags)} → {', '.join(screen.flags)}"
              for sid, screen in new_s.items() if sid in old_s and old_s[sid].flags != screen.flags]
    return lines


def _question_changes(old: Questionnaire, new: Questionnaire, before: Question, after: Question) -> list[str]:
    lines: list[str] = []
    qid = before.id
    if before.type != after.type:
        lines.append(f"{RECODED} question {qid}: type {before.type} → {after.type}; stored answers change meaning")
    if before.text != after.text:
        lines.append(f"~ question {qid}: reworded\n    was: {_all_languages(before.text)}\n    now: {_all_languages(after.text)}")
    for field in ("label", "help"):
        lines.extend(_text_change(f"question {qid}", field, getattr(before, field), getattr(after, field)))
    if before.section != after.section:
        lines.append(f"~ question {qid}: moved from section '{before.section}' to '{after.section}'")
    for field in ("min", "max", "unit"):
        if getattr(before, field) != getattr(after, field):
            lines.append(f"~ question {qid}: {field} {_value(getattr(before, field))} → {_value(getattr(after, field))}")
    for field in ("required", "accepts_unknown", "accepts_declined", "header"):
        if getattr(before, field) != getattr(after, field):
            lines.append(f"~ question {qid}: {field} {str(getattr(before, field)).lower()} → {str(getattr(after, field)).lower()}")
    lines.extend(_codes_change(f"question {qid}", before.codes, after.codes))
    choices_before = [f"{c.code}: {_codes(c.codes)}" for c in before.choices]
    choices_after = [f"{c.code}: {_codes(c.codes)}" for c in after.choices]
    if choices_before != choices_after and [c.code for c in before.choices] == [c.code for c in after.choices]:
        lines.append(f"~ question {qid}: answer codes {'; '.join(choices_before)} → {'; '.join(choices_after)}")
    skip_before = describe(before.when, old) if before.when else "always asked"
    skip_after = describe(after.when, new) if after.when else "always asked"
    if skip_before != skip_after:
        lines.append(f"~ question {qid}: asked when\n    was: {skip_before}\n    now: {skip_after}")
    return lines + _choice_changes(before, after) + _option_changes(before, after)


def _choice_changes(before: Question, after: Question) -> list[str]:
    """Choices matched by label and by code: a label under a new code, or a code under a new label,
    changes what answers already stored mean."""
    lines: list[str] = []
    qid = before.id
    old_codes = {c.code: str(c.label) for c in before.choices}
    new_codes = {c.code: str(c.label) for c in after.choices}
    by_label_old = {label: code for code, label in old_codes.items()}
    by_label_new = {label: code for code, label in new_codes.items()}
    for label, code in by_label_old.items():
        if label in by_label_new and by_label_new[label] != code:
            lines.append(f"{RECODED} question {qid}: choice '{label}' was stored as '{code}', now '{by_label_new[label]}'; "
                         "answers already stored change meaning")
    for code, label in old_codes.items():
        if code in new_codes and new_codes[code] != label:
            lines.append(f"{RECODED} question {qid}: code '{code}' meant '{label}', now '{new_codes[code]}'; "
                         "answers already stored change meaning")
    for code in [c for c in new_codes if c not in old_codes]:
        if new_codes[code] not in by_label_old:
            lines.append(f"~ question {qid}: choice added: {code} ('{new_codes[code]}')")
    for code in [c for c in old_codes if c not in new_codes]:
        if old_codes[code] not in by_label_new:
            lines.append(f"~ question {qid}: choice removed: {code} ('{old_codes[code]}')")
    return lines


def _option_changes(before: Question, after: Question) -> list[str]:
    """Scale options matched by label: a new score changes the scores of answers already stored."""
    lines: list[str] = []
    qid = before.id
    old_scores = {str(o.label): o.score for o in before.options}
    new_scores = {str(o.label): o.score for o in after.options}
    for label, score in old_scores.items():
        if label in new_scores and new_scores[label] != score:
            lines.append(f"{RECODED} question {qid}: option '{label}' scored {score}, now {new_scores[label]}; "
                         "scores of stored answers change")
    if set(old_scores) != set(new_scores):
        lines.append(f"~ question {qid}: options {', '.join(old_scores)} → {', '.join(new_scores)}")
    return lines


def _changed_through_references(old_f: dict[str, Flag], new_f: dict[str, Flag]) -> set[str]:
    """Flags whose own rule is the same but which refer (at any depth) to a flag whose rule changed."""

    def refs(condition: object) -> list[str]:
        if isinstance(condition, FlagRef):
            return [condition.ref]
        parts = getattr(condition, "parts", None) or ([condition.part] if hasattr(condition, "part") else [])
        return [r for part in parts for r in refs(part)]

    changed: dict[str, bool] = {}

    def effective_change(fid: str) -> bool:
        if fid not in changed:
            changed[fid] = False  # no loops in valid files; this also stops one
            own = fid not in old_f or fid not in new_f or old_f[fid].when != new_f[fid].when
            changed[fid] = own or any(effective_change(r) for r in refs(new_f[fid].when if fid in new_f else old_f[fid].when))
        return changed[fid]

    return {fid for fid in old_f if fid in new_f and old_f[fid].when == new_f[fid].when and effective_change(fid)}


def _section_changes(old: Questionnaire, new: Questionnaire) -> list[str]:
    lines = []
    before = {s.id: s for s in old.sections}
    after = {s.id: s for s in new.sections}
    for sid in [s for s in after if s not in before]:
        lines.append(f"+ section {sid}: {after[sid].title}")
    for sid in [s for s in before if s not in after]:
        lines.append(f"- section {sid}: {before[sid].title}")
    for sid in [s for s in before if s in after]:
        was, now = before[sid], after[sid]
        for field in ("title", "intro", "source"):
            lines.extend(_text_change(f"section {sid}", field, getattr(was, field), getattr(now, field)))
        lines.extend(_codes_change(f"section {sid}", was.codes, now.codes))
        if was.when != now.when:
            lines.append(f"~ section {sid}: asked when\n    was: {describe(was.when, old) if was.when else 'always asked'}"
                         f"\n    now: {describe(now.when, new) if now.when else 'always asked'}")
    if [s for s in before if s in after] != [s for s in after if s in before]:
        lines.append("~ section order changed")
    return lines


def _text_change(what: str, field: str, before: Text | None, after: Text | None) -> list[str]:
    """A change to text people read, in any of its languages."""
    if before == after:
        return []
    return [f"~ {what}: {field.replace('_', ' ')} changed\n    was: {_all_languages(before)}\n    now: {_all_languages(after)}"]


def _codes(codes: tuple[Coding, ...]) -> str:
    return ", ".join(f"{c.code} ({c.system})" for c in codes) or "none"


def _codes_change(what: str, before: tuple[Coding, ...], after: tuple[Coding, ...]) -> list[str]:
    return [] if before == after else [f"~ {what}: codes {_codes(before)} → {_codes(after)}"]


def _all_languages(text: Text | None) -> str:
    if text is None:
        return "none"
    if len(text.translations) == 1:
        return text.get()
    return " | ".join(f"{language}: {words}" for language, words in text.translations)


def _value(value: object) -> str:
    return "none" if value is None else plain(value)


def _bands(bands: list[tuple[int, int, str]]) -> str:
    return ", ".join(f"{low}–{high} {label}" for low, high, label in bands)
