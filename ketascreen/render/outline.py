"""`ketascreen show` and `ketascreen list`: a questionnaire as an outline a clinic admin can review."""

from __future__ import annotations

import textwrap

from ketascreen.describe import describe, plain
from ketascreen.model import Flag, Question, Questionnaire, Severity

WIDTH = 100


def outline(q: Questionnaire, language: str | None = None) -> str:
    lines = [q.title.get(language), f"id {q.id} · version {q.version} · sha256 {q.sha256[:12]}"]
    if q.description:
        lines.append("")
        lines.extend(_wrap(q.description.get(language), "", hanging=""))
    lines.append("")
    lines.append(f"{len(q.questions)} questions in {len(q.sections)} sections · {len(q.flags)} flags · {len(q.scores)} scores")
    for part in (_sections, _flags, _scores, _checks, _screens):
        lines.extend(part(q, language))
    return "\n".join(lines) + "\n"


def _sections(q: Questionnaire, language: str | None) -> list[str]:
    lines: list[str] = []
    add = lines.append
    for number, section in enumerate(q.sections, start=1):
        add("")
        add(f"{number}. {section.title.get(language)}")
        if section.when:
            lines.extend(_wrap(f"asked only if: {describe(section.when, q, language)}", "   "))
        if section.intro:
            lines.extend(_wrap(f"read first: {section.intro.get(language)}", "   "))
        if section.source:
            lines.extend(_wrap(f"source: {section.source.get(language)}", "   "))
        for index, question in enumerate(section.questions, start=1):
            add(f"   {number}.{index} {question.id} — {_kind(question)}")
            lines.extend(_wrap(question.text.get(language), "       "))
            if question.when:
                lines.extend(_wrap(f"asked only if: {describe(question.when, q, language)}", "       "))
            if question.header:
                add("       shown in the summary's header")
    return lines


def _flags(q: Questionnaire, language: str | None) -> list[str]:
    if not q.flags:
        return []
    lines = ["", "Flags (each is for clinician review)"]
    for severity in Severity:
        flags = [f for f in q.flags if f.severity is severity]
        if not flags:
            continue
        lines += ["", f"   {severity.heading}"]
        for flag in flags:
            lines += _flag(flag, q, language)
    return lines


def _flag(flag: Flag, q: Questionnaire, language: str | None) -> list[str]:
    lines = [f"   · {flag.id} — {flag.label.get(language)}"]
    lines += _wrap(f"raised when: {describe(flag.when, q, language)}", "       ")
    if flag.covered_by:
        lines.append(f"       covered by: {', '.join(flag.covered_by)} (folded under it when both are raised)")
    for detail in flag.details:
        lines += _wrap(f"adds, when {describe(detail.when, q, language)}: {detail.text.get(language)}", "       ")
    if flag.staff_instruction:
        lines += _wrap(f"staff are told at once: {flag.staff_instruction.get(language)}", "       ")
    lines += _wrap(f"source: {flag.source.get(language)}", "       ")
    return lines


def _scores(q: Questionnaire, language: str | None) -> list[str]:
    if not q.scores:
        return []
    lines = ["", "Scores"]
    for score in q.scores:
        lines.append(f"   · {score.id} — {score.label.get(language)}: sum of {', '.join(score.items)}")
        if score.zero_when:
            lines += _wrap(f"0 when: {describe(score.zero_when, q, language)}", "       ")
        lines += [f"       {band.min}–{band.max}: {band.label.get(language)}" for band in score.bands]
        for note in score.notes:
            lines += _wrap(f"note, when {describe(note.when, q, language)}: {note.text.get(language)}", "       ")
    return lines


def _checks(q: Questionnaire, language: str | None) -> list[str]:
    if not q.checks:
        return []
    lines = ["", "Checks across answers (the later answer is asked again when one fails)"]
    for check in q.checks:
        lines.append(f"   · {check.id}: {check.question} {check.operator.replace('_', ' ')} {check.other}")
        lines += _wrap(f"says: {check.message.get(language)}", "       ")
    return lines


def _screens(q: Questionnaire, language: str | None) -> list[str]:
    if not q.screens:
        return []
    return ["", "Screens named in the summary when negative",
            *(f"   · {screen.id} — {screen.label.get(language)}: {', '.join(screen.flags)}" for screen in q.screens)]


def _kind(question: Question) -> str:
    parts = [question.type.replace("_", "/") if question.type == "yes_no" else question.type.replace("_", " ")]
    if question.min is not None or question.max is not None:
        low = "" if question.min is None else plain(question.min)
        high = "" if question.max is None else plain(question.max)
        parts.append(f"{low}–{high}" + (f" {question.unit}" if question.unit else ""))
    elif question.unit:
        parts.append(question.unit)
    if question.choices:
        parts.append("choices: " + ", ".join(f"{c.code}" for c in question.choices))
    if question.options:
        parts.append(f"scale '{question.scale}' {min(o.score for o in question.options)}–{max(o.score for o in question.options)}")
    parts.append("required" if question.required else "optional")
    refused = [word for word, accepted in (("unknown", question.accepts_unknown), ("declined", question.accepts_declined)) if not accepted]
    if refused:
        parts.append(f"no {' or '.join(refused)}")
    return ", ".join(parts)


def _wrap(text: str, indent: str, hanging: str = "  ") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent + hanging) or [indent]


def listing(rows: list[tuple[str, Questionnaire]]) -> str:
    """One line per bundled questionnaire: id, title, version and counts."""
    header = ("id", "title", "version", "questions", "flags", "scores")
    table = [header] + [
        (qid, q.title.get(), q.version, str(len(q.questions)), str(len(q.flags)), str(len(q.scores))) for qid, q in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in table)
