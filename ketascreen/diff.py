"""What changed between two versions of a questionnaire, for a clinic's change review.

A recoded choice (the same answer now stored under another code, or a code that now means
something else) is called out loudly: it changes the meaning of answers already stored.
"""

from __future__ import annotations

from ketascreen.describe import describe, plain
from ketascreen.model import Question, Questionnaire

RECODED = "!! RECODED"


def diff(old: Questionnaire, new: Questionnaire) -> list[str]:
    lines: list[str] = []
    add = lines.append
    for what, before, after in (("id", old.id, new.id), ("title", str(old.title), str(new.title)),
                                ("version", old.version, new.version)):
        if before != after:
            add(f"~ {what}: '{before}' → '{after}'")
    old_q = {q.id: q for q in old.questions}
    new_q = {q.id: q for q in new.questions}
    for qid, question in new_q.items():
        if qid not in old_q:
            add(f"+ question {qid} ({question.type}) in section '{question.section}': {question.text}")
    for qid, question in old_q.items():
        if qid not in new_q:
            add(f"- question {qid} ({question.type}): {question.text}")
    for qid in [q for q in old_q if q in new_q]:
        lines.extend(_question_changes(old, new, old_q[qid], new_q[qid]))
    old_order = [q for q in old_q if q in new_q]
    new_order = [q for q in new_q if q in old_q]
    if old_order != new_order:
        add("~ question order changed")
    old_f = {f.id: f for f in old.flags}
    new_f = {f.id: f for f in new.flags}
    for fid, flag in new_f.items():
        if fid not in old_f:
            add(f"+ flag {fid} [{flag.severity.value}]: {flag.label} — raised when {describe(flag.when, new)}")
    for fid, flag in old_f.items():
        if fid not in new_f:
            add(f"- flag {fid} [{flag.severity.value}]: {flag.label}")
    for fid in [f for f in old_f if f in new_f]:
        before, after = old_f[fid], new_f[fid]
        if before.severity != after.severity:
            add(f"~ flag {fid}: severity {before.severity.value} → {after.severity.value}")
        rule_before, rule_after = describe(before.when, old), describe(after.when, new)
        if before.when != after.when or rule_before != rule_after:
            add(f"~ flag {fid}: rule changed\n    was: {rule_before}\n    now: {rule_after}")
        for field in ("label", "explanation", "source"):
            if str(getattr(before, field)) != str(getattr(after, field)):
                add(f"~ flag {fid}: {field} '{getattr(before, field)}' → '{getattr(after, field)}'")
    old_s = {s.id: s for s in old.scores}
    new_s = {s.id: s for s in new.scores}
    for sid in [s for s in new_s if s not in old_s]:
        add(f"+ score {sid}: {new_s[sid].label}")
    for sid in [s for s in old_s if s not in new_s]:
        add(f"- score {sid}: {old_s[sid].label}")
    for sid in [s for s in old_s if s in new_s]:
        before, after = old_s[sid], new_s[sid]
        if before.items != after.items:
            add(f"~ score {sid}: items {', '.join(before.items)} → {', '.join(after.items)}")
        bands_before = [(b.min, b.max, str(b.label)) for b in before.bands]
        bands_after = [(b.min, b.max, str(b.label)) for b in after.bands]
        if bands_before != bands_after:
            add(f"~ score {sid}: bands {_bands(bands_before)} → {_bands(bands_after)}")
        if before.zero_when != after.zero_when:
            add(f"~ score {sid}: gate changed")
    return lines


def _question_changes(old: Questionnaire, new: Questionnaire, before: Question, after: Question) -> list[str]:
    lines: list[str] = []
    qid = before.id
    if before.type != after.type:
        lines.append(f"{RECODED} question {qid}: type {before.type} → {after.type}; stored answers change meaning")
    if str(before.text) != str(after.text):
        lines.append(f"~ question {qid}: reworded\n    was: {before.text}\n    now: {after.text}")
    if before.section != after.section:
        lines.append(f"~ question {qid}: moved from section '{before.section}' to '{after.section}'")
    for field in ("min", "max", "unit"):
        if getattr(before, field) != getattr(after, field):
            lines.append(f"~ question {qid}: {field} {_value(getattr(before, field))} → {_value(getattr(after, field))}")
    for field in ("required", "accepts_unknown", "accepts_declined"):
        if getattr(before, field) != getattr(after, field):
            lines.append(f"~ question {qid}: {field} {str(getattr(before, field)).lower()} → {str(getattr(after, field)).lower()}")
    skip_before = describe(before.when, old) if before.when else "always asked"
    skip_after = describe(after.when, new) if after.when else "always asked"
    if skip_before != skip_after:
        lines.append(f"~ question {qid}: asked when\n    was: {skip_before}\n    now: {skip_after}")
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
    old_scores = {str(o.label): o.score for o in before.options}
    new_scores = {str(o.label): o.score for o in after.options}
    for label, score in old_scores.items():
        if label in new_scores and new_scores[label] != score:
            lines.append(f"{RECODED} question {qid}: option '{label}' scored {score}, now {new_scores[label]}; "
                         "scores of stored answers change")
    if set(old_scores) != set(new_scores):
        lines.append(f"~ question {qid}: options {', '.join(old_scores)} → {', '.join(new_scores)}")
    return lines


def _value(value: object) -> str:
    return "none" if value is None else plain(value)


def _bands(bands: list[tuple[int, int, str]]) -> str:
    return ", ".join(f"{low}–{high} {label}" for low, high, label in bands)
