"""The summary as a paginated PDF (fpdf2), with DejaVu Sans so that é, ≥ and — print as written.

Every page carries the patient reference, "not a treatment decision", INCOMPLETE where it applies,
and "page n of m".
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ketascreen.render.view import AMENDED, BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, FlagView, SummaryView

if TYPE_CHECKING:  # fpdf2 is imported only when a PDF is made
    from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVu"


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """The characters both shipped fonts can draw."""
    from fontTools.ttLib import TTFont

    maps = [set(TTFont(str(FONTS / name)).getBestCmap()) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
    return frozenset(maps[0] & maps[1])


def printable(text: str) -> str:
    """Characters the font lacks shown as U+XXXX (U+1F48A for an emoji), never silently dropped."""
    covered = _covered()
    return "".join(c if ord(c) in covered or c == "\n" else f"U+{ord(c):04X}" for c in text)


def render_pdf(view: SummaryView, created: datetime) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    # fpdf2 and fontTools log missing glyphs with the text itself: health data stays out of logs.
    for name in ("fpdf", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    class SummaryPDF(FPDF):
        def header(self) -> None:
            self.set_font(FONT, "", 8)
            self.set_text_color(80)
            left = printable(f"Patient {view.patient} — {BANNER}")
            self.cell(0, 4, left, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            marks = [mark for mark, on in ((INCOMPLETE, view.incomplete), (AMENDED, view.amended)) if on]
            if marks:
                self.set_font(FONT, "B", 8)
                self.set_text_color(160, 0, 0)
                self.cell(0, 4, " · ".join(marks), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
            self.ln(3)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.set_text_color(80)
            self.cell(0, 5, printable(f"Patient {view.patient} · generated {view.generated_at} · page {self.page_no()} "
                                      "of {nb}"), align="C")
            self.set_text_color(0)

    pdf = SummaryPDF(format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(printable(f"Screening summary {view.patient}"))
    pdf.set_creator("ketascreen")
    # Readable without decompressing the pages: `summary --output` checks whose file it would replace.
    pdf.set_subject(printable("ketascreen session " + dict(view.header).get("Session", "")))
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(16, 12, 16)
    pdf.alias_nb_pages()
    pdf.add_page()

    out = _Writer(pdf)
    for part in (_head, _flags, _unassessed, _negatives, _set_aside, _series, _scores, _amendments, _answers, _sign_off):
        part(out, view)
    return bytes(pdf.output())


class _Writer:
    """Paragraphs and headings on the summary's pages."""

    def __init__(self, pdf: FPDF) -> None:
        from fpdf.enums import XPos, YPos

        self.pdf = pdf
        self.left, self.below = XPos.LMARGIN, YPos.NEXT

    def para(self, text: str, size: float = 10, bold: bool = False, indent: float = 0, gap: float = 0.5) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, size * 0.5, printable(text), align="L", new_x=self.left, new_y=self.below)
        pdf.ln(gap)

    def heading(self, text: str) -> None:
        if self.pdf.will_page_break(20):
            self.pdf.add_page()
        self.pdf.ln(2)
        self.para(text, 13, bold=True, gap=1)


def _head(out: _Writer, view: SummaryView) -> None:
    """Title, header, the review banner, and what must be seen before anything else."""
    if view.clinic:
        out.para(view.clinic, 12, bold=True)
    out.para(f"Screening summary: {view.title}", 15, bold=True, gap=2)
    for key, value in view.header:
        out.para(f"{key}: {value}", 9.5, gap=0)
    out.pdf.ln(2)
    out.pdf.set_line_width(0.6)
    out.para(BANNER, 11, bold=True)
    for line in view.urgent_unassessed:
        out.para(line, 11, bold=True)
    if view.amended:
        out.para(view.amended, 11, bold=True)
    if view.incomplete and view.still_open:
        out.para("Still to answer:", 9.5)
        for label in view.still_open:
            out.para(f"•  {label}", 9.5)


def _flags(out: _Writer, view: SummaryView) -> None:
    count = sum(len(flags) for _, flags in view.flag_groups)
    out.heading(f"Flags raised ({count})")
    if not count:
        out.para("No flag was raised by the answers given.")
    for severity, flags in view.flag_groups:
        out.para(severity[0].upper() + severity[1:], 11, bold=True, gap=1)
        for flag in flags:
            if out.pdf.will_page_break(18):
                out.pdf.add_page()
            _flag(out, flag)


def _flag(out: _Writer, flag: FlagView) -> None:
    out.para(flag.label, 10, bold=True, indent=3)
    for found in flag.evidence:
        out.para(f"Found: {found}", 9.5, indent=7, gap=0)
    out.para(f"Why it matters: {flag.explanation}", 9.5, indent=7, gap=0)
    out.para(f"Source: {flag.source}", 9.5, indent=7, gap=0 if flag.covers else 2)
    for covered in flag.covers:
        out.para(f"Also raised, covered by this flag: {covered.label}", 9.5, bold=True, indent=7, gap=0)
        for found in covered.evidence:
            out.para(f"Found: {found}", 9.5, indent=11, gap=0)
    if flag.covers:
        out.pdf.ln(2)


def _unassessed(out: _Writer, view: SummaryView) -> None:
    out.heading(f"Could not be assessed ({len(view.unassessed)})")
    if not view.unassessed:
        out.para("Every flag rule could be decided from the answers.")
    for item in view.unassessed:
        out.para(f"{item.label} ({item.severity})", 10, bold=True, indent=3, gap=0)
        out.para("Waiting for: " + ", ".join(item.waiting), 9.5, indent=7, gap=1.5)


def _negatives(out: _Writer, view: SummaryView) -> None:
    if view.negatives:
        out.heading(f"Screens asked and negative ({len(view.negatives)})")
        out.para(NEGATIVES, 9.5)
        for label, words in view.negatives:
            out.para(f"{label}: {words}", 9.5, indent=3, gap=1)


def _set_aside(out: _Writer, view: SummaryView) -> None:
    if view.set_aside:
        out.heading(f"Answers set aside ({len(view.set_aside)})")
        out.para(SET_ASIDE, 9.5)
        for label, words in view.set_aside:
            out.para(f"{label}: {words}", 10, bold=True, indent=3)


def _series(out: _Writer, view: SummaryView) -> None:
    if view.series:
        out.heading("Since baseline")
        for line in view.series:
            out.para(line, 9.5, indent=3, gap=0.5)


def _scores(out: _Writer, view: SummaryView) -> None:
    out.heading("Scores")
    for score in view.scores:
        out.para(f"{score.label}: {score.words}", 10, indent=3, gap=0 if score.notes else 0.5)
        for note in score.notes:
            out.para(f"Note: {note}", 9, indent=7)
    for score in view.scores:
        if score.source:
            out.para(f"{score.label}: {score.source}", 8, indent=3, gap=0.3)


def _amendments(out: _Writer, view: SummaryView) -> None:
    if view.amendments:
        out.heading(f"Amendments ({len(view.amendments)})")
        for amendment in view.amendments:
            out.para(amendment.heading, 10, bold=True, indent=3, gap=0)
            for change in amendment.changes:
                out.para(f"Changed: {change}", 9.5, indent=7, gap=0)
            for change in amendment.flag_changes:
                out.para(f"Flag: {change}", 9.5, indent=7, gap=0)
            out.pdf.ln(1.5)


def _answers(out: _Writer, view: SummaryView) -> None:
    out.heading("Every answer")
    for title, rows in view.answers:
        if out.pdf.will_page_break(14):
            out.pdf.add_page()
        out.para(title, 10.5, bold=True, gap=0.5)
        for row in rows:
            out.para(f"{row.number}. {row.label}: {row.answer}", 9, indent=3, gap=0)
            if row.asked:
                out.para(f"asked: {row.asked}", 8, indent=7, gap=0)
        out.pdf.ln(1.5)


def _sign_off(out: _Writer, view: SummaryView) -> None:
    out.heading("Sign-off")
    for label in SIGN_OFF:
        out.pdf.ln(5)
        out.para(f"{label}: " + "_" * 50, 10)
