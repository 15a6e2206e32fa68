"""The summary as plain text: at most 80 columns, no escape codes, printable as it is."""

from __future__ import annotations

import textwrap

from ketascreen.render.view import BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, SummaryView

WIDTH = 80  # files and printouts; a terminal narrower than this gets lines to its own width
NARROWEST = 40


def render_text(view: SummaryView) -> str:
    return "".join(f"{line}\n" for line, _style in text_lines(view))


def text_lines(view: SummaryView, width: int = WIDTH) -> list[tuple[str, str]]:
    """(line, style) pairs; the style names a heading level for a terminal that shows colour.
    ``width``: at most 80 columns, at least 40 (a terminal narrower than that wraps as it can)."""
    out = _Lines(max(NARROWEST, min(WIDTH, width)))
    for part in (_head, _flags, _unassessed, _negatives, _set_aside, _series, _scores, _amendments, _answers, _sign_off):
        part(out, view)
    return out.lines


class _Lines:
    """The summary's lines so far, each with its style."""

    def __init__(self, width: int = WIDTH) -> None:
        self.lines: list[tuple[str, str]] = []
        self.width = width

    def add(self, line: str = "", style: str = "") -> None:
        self.lines.append((line, style))

    def wrap(self, text: str, indent: str = "", hang: str = "", style: str = "", follow: str | None = None) -> None:
        """Wrap at 80 columns; later lines indented like the first plus ``hang`` (or as ``follow``)."""
        later = follow if follow is not None else indent + hang
        lines = textwrap.wrap(text, self.width, initial_indent=indent, subsequent_indent=later,
                              break_long_words=True, break_on_hyphens=False, replace_whitespace=True)
        for line in lines or [indent.rstrip()]:
            self.add(line, style)


def _head(out: _Lines, view: SummaryView) -> None:
    """Title, header, the review banner, and what must be seen before anything else."""
    if view.clinic:
        out.wrap(view.clinic, style="title")
    out.wrap(f"Screening summary: {view.title}", style="title")
    out.add("=" * out.width)
    key_width = max(len(key) for key, _ in view.header) + 2
    for key, value in view.header:
        out.wrap(value, f"{key}:".ljust(key_width), follow=" " * key_width)
    out.add("=" * out.width)
    out.wrap(BANNER.upper(), style="banner")
    for line in view.urgent_unassessed:
        out.wrap(f"!! {line}", follow="   ", style="warning")
    if view.amended:
        out.wrap(view.amended, style="warning")
    if view.incomplete:
        out.wrap(INCOMPLETE, style="warning")
        if view.still_open:
            # One per line: a label may hold commas of its own.
            out.wrap("Still to answer:", style="warning")
            for label in view.still_open:
                out.wrap(label, "  - ", follow="    ", style="warning")


def _flags(out: _Lines, view: SummaryView) -> None:
    out.add()
    count = sum(len(flags) for _, flags in view.flag_groups)
    out.wrap(f"FLAGS RAISED ({count})", style="heading")
    if not count:
        out.wrap("No flag was raised by the answers given." + (" Some could not be assessed: see below." if view.unassessed else ""))
    for heading, flags in view.flag_groups:
        out.add()
        out.wrap(heading.upper(), style="severity")
        for flag in flags:
            out.wrap(flag.label, "  * ", follow="    ", style="flag")
            for found in flag.evidence:
                out.wrap(f"Found: {found}", "      ", "  ")
            out.wrap(f"Why it matters: {flag.explanation}", "      ", "  ")
            out.wrap(f"Source: {flag.source}", "      ", "  ")
            for covered in flag.covers:
                out.wrap(f"Also raised, covered by this flag: {covered.label}", "      ", "  ")
                for found in covered.evidence:
                    out.wrap(f"Found: {found}", "        ", "  ")


def _unassessed(out: _Lines, view: SummaryView) -> None:
    out.add()
    out.wrap(f"COULD NOT BE ASSESSED ({len(view.unassessed)})", style="heading")
    if not view.unassessed:
        out.wrap("Every flag rule could be decided from the answers.")
    for item in view.unassessed:
        out.wrap(f"{item.label} [{item.severity}]", "  * ", follow="    ", style="flag")
        out.wrap("Waiting for: " + ", ".join(item.waiting), "      ", "  ")


def _negatives(out: _Lines, view: SummaryView) -> None:
    if view.negatives:
        out.add()
        out.wrap(f"SCREENS ASKED AND NEGATIVE ({len(view.negatives)})", style="heading")
        out.wrap(NEGATIVES)
        for label, words in view.negatives:
            out.wrap(f"{label}: {words}", "  * ", follow="    ")


def _set_aside(out: _Lines, view: SummaryView) -> None:
    if view.set_aside:
        out.add()
        out.wrap(f"ANSWERS SET ASIDE ({len(view.set_aside)})", style="heading")
        out.wrap(SET_ASIDE)
        for label, words in view.set_aside:
            out.wrap(f"{label}: {words}", "  * ", follow="    ", style="flag")


def _series(out: _Lines, view: SummaryView) -> None:
    if view.series:
        out.add()
        out.wrap("SINCE BASELINE", style="heading")
        for line in view.series:
            out.wrap(line, "  ", "    ")


def _scores(out: _Lines, view: SummaryView) -> None:
    out.add()
    out.wrap("SCORES", style="heading")
    for score in view.scores:
        out.wrap(f"{score.label}: {score.words}", "  ", "    ")
        for note in score.notes:
            out.wrap(f"Note: {note}", "    ", "  ")
    for score in view.scores:
        if score.source:
            out.wrap(f"{score.label}: {score.source}", "  ", "    ", style="source")


def _amendments(out: _Lines, view: SummaryView) -> None:
    if view.amendments:
        out.add()
        out.wrap(f"AMENDMENTS ({len(view.amendments)})", style="heading")
        for amendment in view.amendments:
            out.wrap(amendment.heading, "  * ", follow="    ", style="flag")
            for change in amendment.changes:
                out.wrap(f"Changed: {change}", "      ", "  ")
            for change in amendment.flag_changes:
                out.wrap(f"Flag: {change}", "      ", "  ")


def _answers(out: _Lines, view: SummaryView) -> None:
    out.add()
    out.wrap("EVERY ANSWER", style="heading")
    for title, rows in view.answers:
        out.add()
        out.wrap(title, style="section")
        for row in rows:
            out.wrap(f"{row.label}: {row.answer}", f"{row.number:>4}. ", follow="        ")
            if row.asked:
                out.wrap(f"asked: {row.asked}", "        ", follow="          ")


def _sign_off(out: _Lines, view: SummaryView) -> None:
    out.add()
    out.wrap("SIGN-OFF", style="heading")
    for label in SIGN_OFF:
        out.add()
        out.add(f"  {label}: " + "_" * max(8, out.width - len(label) - 5))
