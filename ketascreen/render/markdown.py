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
    parts = (_head, _flags, _unassessed, _negatives, _set_aside, _series, _scores, _amendments, _answers, _sign_off)
    return "\n".join(line for part in parts for line in part(view)) + "\n"


def _head(view: SummaryView) -> list[str]:
    """Title, header, the review banner, and what must be seen before anything else."""
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
        add(f"> **{md(INCOMPLETE)}**")
        if view.still_open:
            add(">")
            add("> Still to answer:")
            add(">")
            lines.extend(f"> - {md(label)}" for label in view.still_open)
    add("")
    return lines


def _flags(view: SummaryView) -> list[str]:
    lines: list[str] = []
    add = lines.append
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
    return lines


def _unassessed(view: SummaryView) -> list[str]:
    lines = [f"## Could not be assessed ({len(view.unassessed)})", ""]
    if not view.unassessed:
        lines.append("Every flag rule could be decided from the answers.")
    lines += [f"- **{md(item.label)}** ({md(item.severity)}): waiting for {md(', '.join(item.waiting))}"
              for item in view.unassessed]
    return lines


def _negatives(view: SummaryView) -> list[str]:
    if not view.negatives:
        return []
    return (["", f"## Screens asked and negative ({len(view.negatives)})", "", md(NEGATIVES), ""]
            + [f"- **{md(label)}:** {md(words)}" for label, words in view.negatives])


def _set_aside(view: SummaryView) -> list[str]:
    if not view.set_aside:
        return []
    return (["", f"## Answers set aside ({len(view.set_aside)})", "", md(SET_ASIDE), ""]
            + [f"- **{md(label)}:** {md(words)}" for label, words in view.set_aside])


def _series(view: SummaryView) -> list[str]:
    # The blank line that closes the sections above comes first, with or without a series.
    if not view.series:
        return [""]
    return ["", "## Since baseline", "", *(f"- {md(line)}" for line in view.series), ""]


def _scores(view: SummaryView) -> list[str]:
    lines = ["## Scores", ""]
    for score in view.scores:
        lines.append(f"- **{md(score.label)}:** {md(score.words)}")
        lines += [f"  - Note: {md(note)}" for note in score.notes]
    lines.append("")
    lines += [f"- {md(score.label)}: {md(score.source)}" for score in view.scores if score.source]
    lines.append("")
    return lines


def _amendments(view: SummaryView) -> list[str]:
    if not view.amendments:
        return []
    lines = [f"## Amendments ({len(view.amendments)})", ""]
    for amendment in view.amendments:
        lines.append(f"- **{md(amendment.heading)}**")
        lines += [f"  - Changed: {md(change)}" for change in amendment.changes]
        lines += [f"  - Flag: {md(change)}" for change in amendment.flag_changes]
    lines.append("")
    return lines


def _answers(view: SummaryView) -> list[str]:
    lines = ["## Every answer"]
    for title, rows in view.answers:
        lines += ["", f"### {md(title)}", ""]
        lines += [f"{row.number}. {md(row.label)}: {md(row.answer)}"
                  + (f" (asked: {md(row.asked)})" if row.asked else "") for row in rows]
    return lines


def _sign_off(view: SummaryView) -> list[str]:
    return ["", "## Sign-off", "", *(f"- {md(label)}: \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_"
                                       for label in SIGN_OFF)]
