"""The summary as CommonMark: reads well in a viewer; nothing from a person or a file becomes markup."""

from __future__ import annotations

import re

from ketascreen.render.view import BANNER, INCOMPLETE, SET_ASIDE, SIGN_OFF, SummaryView

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
        add("")
    add(f"## Could not be assessed ({len(view.unassessed)})")
    add("")
    if not view.unassessed:
        add("Every flag rule could be decided from the answers.")
    for item in view.unassessed:
        add(f"- **{md(item.label)}** ({md(item.severity)}): waiting for {md(', '.join(item.waiting))}")
    if view.set_aside:
        add("")
        add(f"## Answers set aside ({len(view.set_aside)})")
        add("")
        add(md(SET_ASIDE))
        add("")
        for label, words in view.set_aside:
            add(f"- **{md(label)}:** {md(words)}")
    add("")
    add("## Scores")
    add("")
    for label, words in view.scores:
        add(f"- **{md(label)}:** {md(words)}")
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
