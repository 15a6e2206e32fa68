"""The summary as CommonMark: reads well in a viewer; nothing from a person or a file becomes markup."""

from __future__ import annotations

import re

from ketascreen.render.view import BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, SummaryView

# Inline markup characters are escaped everywhere (with [ and ] escaped, parentheses cannot form a
# link); block markers only where a text begins.
_INLINE = re.compile(r"([\\`*_{}\[\]<>&~])")
_BLOCK_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md(text: str) -> str:
    """Literal text: markup escaped, line breaks folded (a value never starts a new block)."""
    escaped = _INLINE.sub(r"\\\1", " ".join(text.split()))
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if not m.group(1)[0].isdigit() else m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def render_markdown(view: SummaryView) -> str:
    lines: list[str] = []
    add = lines.append
    title = f"Screening summary: {md(view.title)}"
    if view.clinic:
        add(f"# {md(view.clinic)}")
        add("")
        add(f"## {title}")
    else:
        add(f"# {title}")
    add("")
    for key, value in view.header:
        add(f"- **{md(key)}:** {md(value)}")
    add("")
    add(f"> **{md(BANNER)}**")
    for line in view.urgent_unassessed:
        add(">")
        add(f"> **{md(line)}**")
    if view.amended:
        add(">")
        add(f"> **{md(view.amended)}**")
    if view.incomplete:
        add(">")
        add(f"> **{md(INCOMPLETE)}**" + (f" Still to answer: {md(', '.join(view.still_open))}" if view.still_open else ""))
    add("")
    count = sum(len(flags) for _, flags in view.flag_groups)
    add(f"## Flags raised ({count})")
    add("")
    if not count:
        add("No flag was raised by the answers given.")
        add("")
    for heading, flags in view.flag_groups:
        add(f"### {md(heading[0].upper() + heading[1:])}")
        add("")
        for flag in flags:
            add(f"- **{md(flag.label)}**")
            for found in flag.evidence:
                add(f"  - Found: {md(found)}")
            add(f"  - Why it matters: {md(flag.explanation)}")
            add(f"  - Source: {md(flag.source)}")
            for covered in flag.covers:
                add(f"  - Also raised, covered by this flag: **{md(covered.label)}**")
                for found in covered.evidence:
                    add(f"    - Found: {md(found)}")
        add("")
    add(f"## Could not be assessed ({len(view.unassessed)})")
    add("")
    if not view.unassessed:
        add("Every flag rule could be decided from the answers.")
    for item in view.unassessed:
        add(f"- **{md(item.label)}** ({md(item.severity)}): waiting for {md(', '.join(item.waiting))}")
    if view.negatives:
        add("")
        add(f"## Screens asked and negative ({len(view.negatives)})")
        add("")
        add(md(NEGATIVES))
        add("")
        for label, words in view.negatives:
            add(f"- **{md(label)}:** {md(words)}")
    if view.set_aside:
        add("")
        add(f"## Answers set aside ({len(view.set_aside)})")
        add("")
        add(md(SET_ASIDE))
        add("")
        for label, words in view.set_aside:
            add(f"- **{md(label)}:** {md(words)}")
    add("")
    if view.series:
        add("## Since baseline")
        add("")
        for line in view.series:
            add(f"- {md(line)}")
        add("")
    add("## Scores")
    add("")
    for score in view.scores:
        add(f"- **{md(score.label)}:** {md(score.words)}")
        for note in score.notes:
            add(f"  - Note: {md(note)}")
    add("")
    for score in view.scores:
        if score.source:
            add(f"- {md(score.label)}: {md(score.source)}")
    add("")
    if view.amendments:
        add(f"## Amendments ({len(view.amendments)})")
        add("")
        for amendment in view.amendments:
            add(f"- **{md(amendment.heading)}**")
            for change in amendment.changes:
                add(f"  - Changed: {md(change)}")
            for change in amendment.flag_changes:
                add(f"  - Flag: {md(change)}")
        add("")
    add("## Every answer")
    for title, rows in view.answers:
        add("")
        add(f"### {md(title)}")
        add("")
        for row in rows:
            add(f"{row.number}. {md(row.label)}: {md(row.answer)}")
    add("")
    add("## Sign-off")
    add("")
    for label in SIGN_OFF:
        add(f"- {md(label)}: \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_")
    return "\n".join(lines) + "\n"
