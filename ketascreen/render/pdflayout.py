"""Lines and pages of the printed summary, worked out before anything is drawn: text is broken into
lines with the font's own widths, grouped into rows that must stay together, and the rows placed
on pages. Pure functions of the text and the font metrics (no fpdf2 here).

Why not fpdf2's own line breaking: it re-measures a line from its start for every character added,
which made it two thirds of a summary's time, and it cannot say how tall a flag will be before it
is drawn, which keeping a flag on one page needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
POINT = 25.4 / 72  # millimetres in a point
ASCENT, DESCENT = 0.928, 0.236  # DejaVu Sans, in ems: where the baseline sits in a line
BLACK = (0, 0, 0)
GREY = (90, 90, 90)


@dataclass(frozen=True)
class Run:
    """Text at ``x`` (mm from the left margin) on the baseline ``y`` (mm from the row's top)."""

    x: float
    y: float
    text: str
    bold: bool
    size: float  # points
    ink: tuple[int, int, int] = BLACK


@dataclass(frozen=True)
class Box:
    """A rectangle in the row (mm from the row's top left): filled, outlined, or a rule (h 0)."""

    x: float
    y: float
    w: float
    h: float
    fill: tuple[int, int, int] | None = None
    stroke: tuple[int, int, int] | None = None
    weight: float = 0.2


@dataclass(frozen=True)
class Row:
    """What is drawn across the width, one band of the page. ``keep_with_next``: never end a page
    here (a heading and its first item, the lines of one flag, the sign-off and what precedes it)."""

    height: float
    runs: tuple[Run, ...] = ()
    boxes: tuple[Box, ...] = ()
    keep_with_next: bool = False


@lru_cache(maxsize=2)
def advances(bold: bool) -> dict[int, int]:
    """Each character's width in thousandths of an em, rounded as fpdf2 rounds them."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS / FONT_FILES[bold]), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {code: round(scale * metrics[glyph][0] + 0.001) for code, glyph in font.getBestCmap().items()}


@lru_cache(maxsize=65536)
def _units(word: str, bold: bool) -> int:
    """A word's width in thousandths of an em: the same words recur on every summary of a batch."""
    table = advances(bold)
    return sum(table.get(ord(c), 600) for c in word)


def width(text: str, bold: bool, size: float) -> float:
    """Millimetres ``text`` takes at ``size`` points."""
    return _units(text, bold) * size * POINT / 1000


def line_height(size: float) -> float:
    return size * 0.5


def baseline(size: float) -> float:
    """Where the baseline sits below the top of a line of ``size`` points."""
    return line_height(size) / 2 + size * POINT * (ASCENT - DESCENT) / 2


# Where a word too long for its line may break: after a hyphen, slash or underscore.
_BREAKS = re.compile(r"(?<=[-/_])")


def wrap(text: str, bold: bool, size: float, room: float) -> list[str]:
    """``text`` broken into lines of at most ``room`` mm, between words; a word longer than a line
    breaks after a hyphen or slash where it has one, else between characters, never dropped."""
    lines: list[str] = []
    space = width(" ", bold, size)
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            taken = width(word, bold, size)
            if line and used + space + taken <= room:
                line, used = f"{line} {word}", used + space + taken
                continue
            if line:
                lines.append(line)
            if taken <= room:
                line, used = word, taken
                continue
            pieces = _pieces(word, bold, size, room)
            lines.extend(pieces[:-1])
            line, used = pieces[-1], width(pieces[-1], bold, size)
        lines.append(line)
    return lines


def _pieces(word: str, bold: bool, size: float, room: float) -> list[str]:
    pieces: list[str] = []
    current = ""
    for part in _BREAKS.split(word):
        if current and width(current + part, bold, size) > room:
            pieces.append(current)
            current = ""
        if width(part, bold, size) <= room:
            current += part
            continue
        for char in part:  # no break point: characters, as many as fit
            if current and width(current + char, bold, size) > room:
                pieces.append(current)
                current = ""
            current += char
    pieces.append(current)
    return pieces


@dataclass(frozen=True)
class Cell:
    """One column of a row: text wrapped to its width."""

    x: float
    room: float
    text: str
    bold: bool = False
    size: float = 10
    ink: tuple[int, int, int] = BLACK
    align_right: bool = False


def row(cells: Iterable[Cell], gap: float = 0.0, keep_with_next: bool = False, boxes: tuple[Box, ...] = (),
        pad: float = 0.0) -> Row:
    """A row of columns side by side, as tall as its tallest column; ``pad`` above and below the text."""
    runs: list[Run] = []
    tallest = 0.0
    for cell in cells:
        step = line_height(cell.size)
        lines = wrap(cell.text, cell.bold, cell.size, cell.room)
        for number, text in enumerate(lines):
            x = cell.x + (cell.room - width(text, cell.bold, cell.size) if cell.align_right else 0)
            runs.append(Run(x, pad + number * step + baseline(cell.size), text, cell.bold, cell.size, cell.ink))
        tallest = max(tallest, len(lines) * step)
    return Row(tallest + 2 * pad + gap, tuple(runs), boxes, keep_with_next)


def paragraph(text: str, room: float, size: float = 10, bold: bool = False, indent: float = 0, gap: float = 0.5,
              ink: tuple[int, int, int] = BLACK, keep_with_next: bool = False) -> Row:
    return row((Cell(indent, room - indent, text, bold, size, ink),), gap, keep_with_next)


def together(rows: list[Row], keep_with_next: bool = False) -> list[Row]:
    """The rows as one unit that never splits across pages (unless it is taller than a page)."""
    return [Row(r.height, r.runs, r.boxes, True if i < len(rows) - 1 else keep_with_next or r.keep_with_next)
            for i, r in enumerate(rows)]


def paginate(rows: list[Row], room: float) -> list[list[tuple[float, Row]]]:
    """Rows placed on pages of ``room`` mm: each run of rows joined by ``keep_with_next`` moves to a
    new page whole when it does not fit; only a run taller than a whole page is broken, between rows."""
    pages: list[list[tuple[float, Row]]] = [[]]
    used = 0.0
    units: list[list[Row]] = [[]]
    for current in rows:
        units[-1].append(current)
        if not current.keep_with_next:
            units.append([])
    for unit in units:
        tall = sum(r.height for r in unit)
        if pages[-1] and used + tall > room and tall <= room:
            pages.append([])
            used = 0.0
        for current in unit:
            if pages[-1] and used + current.height > room:
                pages.append([])
                used = 0.0
            pages[-1].append((used, current))
            used += current.height
    return [page for page in pages if page] or [[]]
