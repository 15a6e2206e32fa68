"""The summary as a PDF to file in the patient chart (fpdf2, DejaVu Sans so that é, ≥ and — print
as written).

Page 1 opens with who and what (clinic, patient, age, weight, planned treatment, questionnaire,
date), INCOMPLETE and AMENDED as large marks, and the at-a-glance panel. Every page carries the
patient reference, "not a treatment decision", INCOMPLETE or AMENDED where true, the time it was
generated and "page n of m". A flag, a score, an answer never splits across pages, a heading never
ends one, and the sign-off never stands alone. The left margin leaves room for a hole punch.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from ketascreen.model import Severity
from ketascreen.render import pdflayout as lay
from ketascreen.render.paper import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARK, SIZES, tone
from ketascreen.render.pdflayout import FONTS, GREY, Box, Cell, Row, paragraph, row, together
from ketascreen.render.view import (
    AMENDED,
    BANNER,
    GLANCE_SYMBOLS,
    INCOMPLETE,
    NEGATIVES,
    SET_ASIDE,
    SEVERITY_BY_HEADING,
    SIGN_OFF,
    FlagView,
    GlanceRow,
    SummaryView,
)

if TYPE_CHECKING:  # fpdf2 is imported only when a PDF is made
    from fpdf import FPDF

__all__ = ["FONT", "FONTS", "layout", "printable", "render_pdf"]

FONT = "DejaVu"
HEADER, FOOTER = 9.0, 8.0  # mm taken by the running header and footer of every page
RULE = (170, 170, 170)


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """The characters both shipped fonts can draw."""
    return frozenset(set(lay.advances(False)) & set(lay.advances(True)))


def printable(text: str) -> str:
    """Characters the font lacks shown as U+XXXX (U+1F48A for an emoji), never silently dropped."""
    covered = _covered()
    return "".join(c if ord(c) in covered or c == "\n" else f"U+{ord(c):04X}" for c in text)


def render_pdf(view: SummaryView, created: datetime, paper: str = "a4") -> bytes:
    from fpdf import FPDF

    # fpdf2 and fontTools log missing glyphs with the text itself: health data stays out of logs.
    for name in ("fpdf", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    page_w, page_h = SIZES[paper]
    body_top = MARGIN_TOP + HEADER
    pages = layout(view, paper)

    pdf = FPDF(unit="mm", format=(page_w, page_h))
    pdf.set_creation_date(created)
    pdf.set_title(printable(f"Screening summary {view.patient}"))
    pdf.set_creator("ketascreen")
    # Readable without decompressing the pages: `summary --output` checks whose file it would replace.
    pdf.set_subject(printable("ketascreen session " + dict(view.header).get("Session", "")))
    pdf.add_font(FONT, "", str(FONTS / lay.FONT_FILES[False]))
    pdf.add_font(FONT, "B", str(FONTS / lay.FONT_FILES[True]))
    pdf.set_auto_page_break(False)
    pen = _Pen(pdf)
    for number, placed in enumerate(pages, start=1):
        pdf.add_page()
        _running_header(pen, view, page_w)
        for top, current in placed:
            pen.draw(current, MARGIN_LEFT, body_top + top)
        _running_footer(pen, view, page_w, page_h, number, len(pages))
    return bytes(pdf.output())


def layout(view: SummaryView, paper: str = "a4") -> list[list[tuple[float, Row]]]:
    """The body of each page: rows and where they start below the running header (mm)."""
    page_w, page_h = SIZES[paper]
    room = page_w - MARGIN_LEFT - MARGIN_RIGHT
    rows: list[Row] = []
    for part in (_head, _glance, _open, _flags, _unassessed, _negatives, _set_aside, _series, _scores, _amendments,
                 _answers, _sign_off):
        rows += part(view, room)
    return lay.paginate(rows, page_h - MARGIN_BOTTOM - FOOTER - MARGIN_TOP - HEADER)


class _Pen:
    """Draws rows, setting font and colour only when they change."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.font: tuple[bool, float] | None = None
        self.ink: tuple[int, int, int] | None = None

    def draw(self, current: Row, left: float, top: float) -> None:
        pdf = self.pdf
        for box in current.boxes:
            style = ("F" if box.fill else "") + ("D" if box.stroke else "")
            if box.fill:
                pdf.set_fill_color(*box.fill)
            if box.stroke:
                pdf.set_draw_color(*box.stroke)
                pdf.set_line_width(box.weight)
            if box.h == 0:
                pdf.line(left + box.x, top + box.y, left + box.x + box.w, top + box.y)
            else:
                pdf.rect(left + box.x, top + box.y, box.w, box.h, style=style)
        for run in current.runs:
            self.text(left + run.x, top + run.y, run.text, run.bold, run.size, run.ink)

    def text(self, x: float, y: float, text: str, bold: bool, size: float, ink: tuple[int, int, int]) -> None:
        if self.font != (bold, size):
            self.pdf.set_font(FONT, "B" if bold else "", size)
            self.font = (bold, size)
        if self.ink != ink:
            self.pdf.set_text_color(*ink)
            self.ink = ink
        self.pdf.text(x, y, text)

    def page(self) -> None:
        self.font = self.ink = None  # fpdf2 states font and colour anew on each page


def _running_header(pen: _Pen, view: SummaryView, page_w: float) -> None:
    pen.page()
    room = page_w - MARGIN_LEFT - MARGIN_RIGHT
    marks = printable(" · ".join(view.marks))
    text = printable(f"Patient {view.patient} — {BANNER}")
    size = 8.0
    baseline = MARGIN_TOP + lay.baseline(size)
    pen.text(MARGIN_LEFT, baseline, _fit(text, room - lay.width(marks, True, size) - 4, size), False, size, GREY)
    if marks:
        pen.text(MARGIN_LEFT + room - lay.width(marks, True, size), baseline, marks, True, size, MARK.ink)
    pen.pdf.set_draw_color(*RULE)
    pen.pdf.set_line_width(0.2)
    pen.pdf.line(MARGIN_LEFT, MARGIN_TOP + 5, MARGIN_LEFT + room, MARGIN_TOP + 5)


def _running_footer(pen: _Pen, view: SummaryView, page_w: float, page_h: float, number: int, count: int) -> None:
    room = page_w - MARGIN_LEFT - MARGIN_RIGHT
    size = 8.0
    top = page_h - MARGIN_BOTTOM - FOOTER + 2
    pen.pdf.set_draw_color(*RULE)
    pen.pdf.line(MARGIN_LEFT, top, MARGIN_LEFT + room, top)
    where = printable(f"page {number} of {count}")
    left = printable(f"Patient {view.patient} · generated {view.generated_at}")
    baseline = top + 1.5 + lay.baseline(size)
    pen.text(MARGIN_LEFT, baseline, _fit(left, room - lay.width(where, False, size) - 4, size), False, size, GREY)
    pen.text(MARGIN_LEFT + room - lay.width(where, False, size), baseline, where, False, size, GREY)


def _fit(text: str, room: float, size: float) -> str:
    """One line of the running header or footer: cut with … when a very long patient reference
    would run into the page number."""
    if lay.width(text, False, size) <= room:
        return text
    while text and lay.width(text + "…", False, size) > room:
        text = text[:-1]
    return text + "…"


def _heading(text: str, room: float) -> Row:
    return paragraph(printable(text), room, 13, bold=True, gap=1.5, keep_with_next=True)


def _para(text: str, room: float, size: float = 10, bold: bool = False, indent: float = 0, gap: float = 0.5,
          ink: tuple[int, int, int] = lay.BLACK, keep: bool = False) -> Row:
    return paragraph(printable(text), room, size, bold, indent, gap, ink, keep)


def _head(view: SummaryView, room: float) -> list[Row]:
    """Who and what, the status marks, the review banner, and an urgent rule that could not be decided."""
    rows = []
    if view.clinic:
        rows.append(_para(view.clinic, room, 12, bold=True))
    rows.append(_para(f"Screening summary: {view.title}", room, 15, bold=True, gap=2))
    key_w = 38.0
    rows += [row((Cell(0, key_w - 2, printable(key), True, 9), Cell(key_w, room - key_w, printable(value), False, 9)),
                 gap=0.4) for key, value in view.header]
    rows.append(Row(2.0))
    if view.incomplete:
        rows.append(_mark("INCOMPLETE", INCOMPLETE.split(" — ", 1)[1], room))
    if view.amended:
        rows.append(_mark(AMENDED, view.amended.split(" — ", 1)[-1], room))
    banner = row((Cell(3, room - 6, printable(BANNER), True, 11),), pad=2.0)
    rows.append(Row(banner.height + 2, banner.runs, (Box(0, 0, room, banner.height, stroke=lay.BLACK, weight=0.5),)))
    urgent = tone("urgent", 1)
    for line in view.urgent_unassessed:
        rows.append(_para(f"‼ {line}", room, 11, bold=True, ink=urgent.ink, gap=1))
    return together(rows)


def _mark(word: str, words: str, room: float) -> Row:
    """A large status mark: the word in a frame, with what it means beside it."""
    size = 16.0
    frame_w = lay.width(word, True, size) + 6
    inner = row((Cell(3, frame_w - 6, word, True, size, MARK.ink),
                 Cell(frame_w + 4, room - frame_w - 4, printable(words), True, 10, MARK.ink)), pad=1.5)
    return Row(inner.height + 2, inner.runs, (Box(0, 0, frame_w, inner.height, stroke=MARK.ink, weight=0.8),))


def _glance(view: SummaryView, room: float) -> list[Row]:
    """The at-a-glance panel: each kind of finding as a tinted line with a symbol, a word and a count,
    so that neither colour nor a greyscale copy is needed to read it."""
    if not view.glance:
        return []
    # Each line is kept whole, the panel is not: it always starts on page 1, whatever its length.
    rows = [_para("At a glance", room, 11, bold=True, gap=1, keep=True)]
    heading_w = 70.0
    for item in view.glance:
        rows.append(_glance_row(item, room, heading_w))
    rows.append(Row(3.0))
    return rows


def _glance_row(item: GlanceRow, room: float, heading_w: float) -> Row:
    colour = tone(item.kind, item.count)
    counted = f" ({item.count})" if item.count is not None else ""
    heading = printable(f"{item.symbol} {item.heading}{counted}")
    inner = row((Cell(2, heading_w - 4, heading, True, 9.5, colour.ink),
                 Cell(heading_w, room - heading_w - 2, printable(item.words), item.count != 0 and item.kind != "scores",
                      9.5, colour.ink)), pad=1.2)
    return Row(inner.height, inner.runs, (Box(0, 0, room, inner.height, fill=colour.fill, stroke=RULE, weight=0.2),))


def _open(view: SummaryView, room: float) -> list[Row]:
    if not (view.incomplete and view.still_open):
        return []
    return together([_para("Still to answer:", room, 9.5, bold=True),
                     *(_para(f"•  {label}", room, 9.5, indent=3, gap=0.2) for label in view.still_open), Row(2.0)])


def _flags(view: SummaryView, room: float) -> list[Row]:
    count = sum(len(flags) for _, flags in view.flag_groups)
    rows = [_heading(f"Flags raised ({count})", room)]
    if not count:
        rows.append(_para("No flag was raised by the answers given.", room))
    for heading, flags in view.flag_groups:
        severity = SEVERITY_BY_HEADING[heading]
        # The two kinds that may stop a dose carry the panel's symbol on their heading too.
        marked = severity in (Severity.URGENT, Severity.CONTRAINDICATION)
        label = (GLANCE_SYMBOLS[severity.value] + " " if marked else "") + heading[0].upper() + heading[1:]
        colour = tone(severity.value, 1)
        rows.append(_para(label, room, 11, bold=True, gap=1, ink=colour.ink, keep=True))
        for flag in flags:
            rows += _flag(flag, room)
    return rows


def _flag(flag: FlagView, room: float) -> list[Row]:
    rows = [_para(flag.label, room, 10, bold=True, indent=3)]
    rows += [_para(f"Found: {found}", room, 9.5, indent=7, gap=0) for found in flag.evidence]
    rows.append(_para(f"Why it matters: {flag.explanation}", room, 9.5, indent=7, gap=0))
    rows.append(_para(f"Source: {flag.source}", room, 9.5, indent=7, gap=0 if flag.covers else 2.5))
    for covered in flag.covers:
        rows.append(_para(f"Also raised, covered by this flag: {covered.label}", room, 9.5, bold=True, indent=7, gap=0))
        rows += [_para(f"Found: {found}", room, 9.5, indent=11, gap=0) for found in covered.evidence]
    if flag.covers:
        rows.append(Row(2.5))
    return together(rows)


def _unassessed(view: SummaryView, room: float) -> list[Row]:
    rows = [_heading(f"Could not be assessed ({len(view.unassessed)})", room)]
    if not view.unassessed:
        rows.append(_para("Every flag rule could be decided from the answers.", room))
    for item in view.unassessed:
        rows += together([_para(f"{item.label} ({item.severity})", room, 10, bold=True, indent=3, gap=0),
                          _para("Waiting for: " + ", ".join(item.waiting), room, 9.5, indent=7, gap=2)])
    return rows


def _negatives(view: SummaryView, room: float) -> list[Row]:
    if not view.negatives:
        return []
    rows = [_heading(f"Screens asked and negative ({len(view.negatives)})", room), _para(NEGATIVES, room, 9.5, keep=True)]
    return rows + [_para(f"{label}: {words}", room, 9.5, indent=3, gap=1) for label, words in view.negatives]


def _set_aside(view: SummaryView, room: float) -> list[Row]:
    if not view.set_aside:
        return []
    rows = [_heading(f"Answers set aside ({len(view.set_aside)})", room), _para(SET_ASIDE, room, 9.5, keep=True)]
    return rows + [_para(f"{label}: {words}", room, 10, bold=True, indent=3) for label, words in view.set_aside]


def _series(view: SummaryView, room: float) -> list[Row]:
    if not view.series:
        return []
    return [_heading("Since baseline", room), *(_para(line, room, 9.5, indent=3) for line in view.series)]


def _scores(view: SummaryView, room: float) -> list[Row]:
    rows = [_heading("Scores", room)]
    label_w = 62.0
    for score in view.scores:
        rows += together([row((Cell(3, label_w - 5, printable(score.label), True, 10),
                               Cell(label_w, room - label_w, printable(score.words), False, 10)), gap=0.6),
                          *(_para(f"Note: {note}", room, 9, indent=label_w, gap=0.6) for note in score.notes)])
    rows += [_para(f"{score.label}: {score.source}", room, 8, indent=3, gap=0.3, ink=GREY)
             for score in view.scores if score.source]
    return rows


def _amendments(view: SummaryView, room: float) -> list[Row]:
    if not view.amendments:
        return []
    rows = [_heading(f"Amendments ({len(view.amendments)})", room)]
    for amendment in view.amendments:
        rows += together([_para(amendment.heading, room, 10, bold=True, indent=3, gap=0),
                          *(_para(f"Changed: {change}", room, 9.5, indent=7, gap=0) for change in amendment.changes),
                          *(_para(f"Flag: {change}", room, 9.5, indent=7, gap=0) for change in amendment.flag_changes),
                          Row(1.5)])
    return rows


# The answers table: the same three columns in every section.
NUMBER_W, QUESTION_SHARE = 9.0, 0.55


def _answers(view: SummaryView, room: float) -> list[Row]:
    rows = [_heading("Every answer", room)]
    question_x = NUMBER_W + 1
    answer_x = question_x + (room - question_x) * QUESTION_SHARE
    for title, answers in view.answers:
        rows.append(_para(title, room, 10.5, bold=True, gap=0.8, keep=True))
        for answer in answers:
            ink = lay.BLACK if answer.state == "value" else GREY
            rows.append(row((Cell(0, NUMBER_W - 1, str(answer.number), False, 9, GREY, align_right=True),
                             Cell(question_x, answer_x - question_x - 3,
                                  printable(answer.label + (f"\nasked: {answer.asked}" if answer.asked else "")), False, 9),
                             Cell(answer_x, room - answer_x, printable(answer.answer), answer.state == "value", 9, ink)),
                            boxes=(Box(0, 0, room, 0, stroke=(220, 220, 220), weight=0.15),), pad=0.6))
        rows.append(Row(2.0))
    if len(rows) > 1:
        # The sign-off follows the last answer onto its page, so it never stands alone.
        last = rows[-2]
        rows[-2] = Row(last.height, last.runs, last.boxes, True)
        rows[-1] = Row(2.0, keep_with_next=True)
    return rows


def _sign_off(view: SummaryView, room: float) -> list[Row]:
    rows = [_heading("Sign-off", room)]
    for label in SIGN_OFF:
        text = printable(f"{label}:")
        rows.append(Row(11.0, (lay.Run(0, 8.0, text, False, 10),),
                        (Box(lay.width(text, False, 10) + 3, 8.6, 100, 0, stroke=lay.BLACK, weight=0.3),)))
    return together(rows)
