"""The summary as plain text: at most 80 columns, no escape codes, printable as it is."""

from __future__ import annotations

import textwrap

from ketascreen.render.view import BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, SummaryView

WIDTH = 80


def render_text(view: SummaryView) -> str:
    return "".join(f"{line}\n" for line, _style in text_lines(view))


def text_lines(view: SummaryView) -> list[tuple[str, str]]:
    """(line, style) pairs; the style names a heading level for a terminal that shows colour."""
    out: list[tuple[str, str]] = []

    def add(line: str = "", style: str = "") -> None:
        out.append((line, style))

    def wrap(text: str, indent: str = "", hang: str = "", style: str = "", follow: str | None = None) -> None:
        """Wrap at 80 columns; later lines indented like the first plus ``hang`` (or as ``follow``)."""
        later = follow if follow is not None else indent + hang
        lines = textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=later,
                              break_long_words=True, break_on_hyphens=False, replace_whitespace=True)
        for line in lines or [indent.rstrip()]:
            add(line, style)

    if view.clinic:
        wrap(view.clinic, style="title")
    wrap(f"Screening summary: {view.title}", style="title")
    add("=" * WIDTH)
    key_width = max(len(key) for key, _ in view.header) + 2
    for key, value in view.header:
        wrap(value, f"{key}:".ljust(key_width), follow=" " * key_width)
    add("=" * WIDTH)
    wrap(BANNER.upper(), style="banner")
    for line in view.urgent_unassessed:
        wrap(f"!! {line}", follow="   ", style="warning")
    if view.amended:
        wrap(view.amended, style="warning")
    if view.incomplete:
        wrap(INCOMPLETE, style="warning")
        if view.still_open:
            wrap("Still to answer: " + ", ".join(view.still_open), follow="  ", style="warning")
    add()
    count = sum(len(flags) for _, flags in view.flag_groups)
    wrap(f"FLAGS RAISED ({count})", style="heading")
    if not count:
        wrap("No flag was raised by the answers given." + (" Some could not be assessed: see below." if view.unassessed else ""))
    for heading, flags in view.flag_groups:
        add()
        wrap(heading.upper(), style="severity")
        for flag in flags:
            wrap(flag.label, "  * ", follow="    ", style="flag")
            for found in flag.evidence:
                wrap(f"Found: {found}", "      ", "  ")
            wrap(f"Why it matters: {flag.explanation}", "      ", "  ")
            wrap(f"Source: {flag.source}", "      ", "  ")
            for covered in flag.covers:
                wrap(f"Also raised, covered by this flag: {covered.label}", "      ", "  ")
                for found in covered.evidence:
                    wrap(f"Found: {found}", "        ", "  ")
    add()
    wrap(f"COULD NOT BE ASSESSED ({len(view.unassessed)})", style="heading")
    if not view.unassessed:
        wrap("Every flag rule could be decided from the answers.")
    for item in view.unassessed:
        wrap(f"{item.label} [{item.severity}]", "  * ", follow="    ", style="flag")
        wrap("Waiting for: " + ", ".join(item.waiting), "      ", "  ")
    if view.negatives:
        add()
        wrap(f"SCREENS ASKED AND NEGATIVE ({len(view.negatives)})", style="heading")
        wrap(NEGATIVES)
        for label, words in view.negatives:
            wrap(f"{label}: {words}", "  * ", follow="    ")
    if view.set_aside:
        add()
        wrap(f"ANSWERS SET ASIDE ({len(view.set_aside)})", style="heading")
        wrap(SET_ASIDE)
        for label, words in view.set_aside:
            wrap(f"{label}: {words}", "  * ", follow="    ", style="flag")
    if view.series:
        add()
        wrap("SINCE BASELINE", style="heading")
        for line in view.series:
            wrap(line, "  ", "    ")
    add()
    wrap("SCORES", style="heading")
    for score in view.scores:
        wrap(f"{score.label}: {score.words}", "  ", "    ")
        for note in score.notes:
            wrap(f"Note: {note}", "    ", "  ")
    for score in view.scores:
        if score.source:
            wrap(f"{score.label}: {score.source}", "  ", "    ", style="source")
    if view.amendments:
        add()
        wrap(f"AMENDMENTS ({len(view.amendments)})", style="heading")
        for amendment in view.amendments:
            wrap(amendment.heading, "  * ", follow="    ", style="flag")
            for change in amendment.changes:
                wrap(f"Changed: {change}", "      ", "  ")
            for change in amendment.flag_changes:
                wrap(f"Flag: {change}", "      ", "  ")
    add()
    wrap("EVERY ANSWER", style="heading")
    for title, rows in view.answers:
        add()
        wrap(title, style="section")
        for row in rows:
            wrap(f"{row.label}: {row.answer}", f"{row.number:>4}. ", follow="        ")
    add()
    wrap("SIGN-OFF", style="heading")
    for label in SIGN_OFF:
        add()
        add(f"  {label}: " + "_" * (WIDTH - len(label) - 5))
    return out
