"""Charts of a patient's scores and blood pressure over visits, as plain shapes (lines, marks and
labels in a 0–1 box) that SVG, PDF and the terminal each draw their own way. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ketascreen.series import Series

PHQ9_BANDS = ((5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe"))


@dataclass(frozen=True)
class Line:
    """A straight line in chart units (x 0–1 left to right, y in the value range)."""

    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool = False
    grey: bool = False


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    shape: str  # "circle" or "square"
    label: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle or end


@dataclass
class Chart:
    title: str
    y_min: float
    y_max: float
    x_labels: list[str]
    lines: list[Line] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (shape or "dashed", words)


def _x(index: int, count: int) -> float:
    return 0.5 if count == 1 else index / (count - 1)


def _series_line(chart: Chart, values: list[int | None], shape: str) -> None:
    """Marks at every known value, each joined to the next known one (a visit without the value,
    such as the record after a dose, does not break the line)."""
    count = len(values)
    previous: tuple[int, int] | None = None
    for index, value in enumerate(values):
        if value is None:
            continue
        chart.marks.append(Mark(_x(index, count), value, shape, str(value)))
        if previous is not None:
            chart.lines.append(Line(_x(previous[0], count), previous[1], _x(index, count), value))
        previous = (index, value)


def score_chart(series: Series) -> Chart:
    visits = series.visits
    chart = Chart("PHQ-9 and GAD-7 at each visit", 0, 27, [v.date[:10] for v in visits])
    for value, words in PHQ9_BANDS:
        chart.lines.append(Line(0, value, 1, value, dashed=True, grey=True))
        chart.labels.append(Label(1, value, f"PHQ-9 {value}: {words}", "end"))
    if series.baseline is not None and series.baseline.phq9_total:
        half = series.baseline.phq9_total / 2
        chart.lines.append(Line(0, half, 1, half, dashed=True))
        chart.labels.append(Label(0, half, f"response line: 50 % of baseline ({half:g})"))
    _series_line(chart, [v.phq9_total for v in visits], "circle")
    _series_line(chart, [v.gad7_total for v in visits], "square")
    chart.legend = [("circle", "PHQ-9 total"), ("square", "GAD-7 total"), ("dashed", "response line (50 % of baseline)")]
    return chart


def bp_chart(series: Series) -> Chart:
    visits = series.visits
    chart = Chart("Blood pressure at each visit (re-check when taken; 40 minutes after a dose)", 40, 220,
                  [v.date[:10] for v in visits])
    for value, words in ((180, "180"), (140, "140"), (100, "100"), (90, "90")):
        chart.lines.append(Line(0, value, 1, value, dashed=True, grey=True))
        chart.labels.append(Label(1, value, words, "end"))
    _series_line(chart, [v.blood_pressure[0] for v in visits], "circle")
    _series_line(chart, [v.blood_pressure[1] for v in visits], "square")
    chart.legend = [("circle", "systolic"), ("square", "diastolic")]
    return chart


# --- SVG -----------------------------------------------------------------------------------------

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 44, 36, 28, 40


def svg(chart: Chart) -> str:
    """A self-contained inline SVG (no scripts, no links), readable in greyscale."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + x * plot_w, 1)

    def py(y: float) -> float:
        return round(TOP + (chart.y_max - y) / (chart.y_max - chart.y_min) * plot_h, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
           f'role="img" aria-label="{escape(chart.title)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="10">',
           f'<title>{escape(chart.title)}</title>',
           f'<text x="{LEFT}" y="14" font-size="12" font-weight="bold">{escape(chart.title)}</text>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#000"/>']
    step = 5 if chart.y_max - chart.y_min <= 30 else 20
    tick = int(chart.y_min)
    while tick <= chart.y_max:
        out.append(f'<text x="{LEFT - 4}" y="{py(tick) + 3}" text-anchor="end">{tick}</text>')
        tick += step
    for line in chart.lines:
        style = ' stroke-dasharray="4 3"' if line.dashed else ""
        colour = "#888" if line.grey else "#000"
        width = 1 if line.dashed else 2
        out.append(f'<line x1="{px(line.x1)}" y1="{py(line.y1)}" x2="{px(line.x2)}" y2="{py(line.y2)}" '
                   f'stroke="{colour}" stroke-width="{width}"{style}/>')
    for label in chart.labels:
        out.append(f'<text x="{px(label.x) + (-2 if label.anchor == "end" else 2)}" y="{py(label.y) - 3}" '
                   f'text-anchor="{label.anchor}" fill="#444">{escape(label.text)}</text>')
    for mark in chart.marks:
        x, y = px(mark.x), py(mark.y)
        if mark.shape == "circle":
            out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="#000"/>')
        else:
            out.append(f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="#fff" stroke="#000" stroke-width="1.5"/>')
        out.append(f'<text x="{x + 6}" y="{y - 6}" class="value">{escape(mark.label)}</text>')
    for index, text in enumerate(chart.x_labels):
        out.append(f'<text x="{px(_x(index, len(chart.x_labels)))}" y="{TOP + plot_h + 14}" text-anchor="middle">'
                   f'{escape(text)}</text>')
    x = LEFT
    for shape, words in chart.legend:
        y = HEIGHT - 8
        if shape == "circle":
            out.append(f'<circle cx="{x + 4}" cy="{y - 3}" r="4" fill="#000"/>')
        elif shape == "square":
            out.append(f'<rect x="{x}" y="{y - 7}" width="8" height="8" fill="#fff" stroke="#000" stroke-width="1.5"/>')
        else:
            out.append(f'<line x1="{x}" y1="{y - 3}" x2="{x + 12}" y2="{y - 3}" stroke="#000" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x + 16}" y="{y}">{escape(words)}</text>')
        x += 24 + 6 * len(words)
    out.append("</svg>")
    return "".join(out)


# --- terminal and plain text ---------------------------------------------------------------------


def text_chart(chart: Chart, rows: int = 10, ascii_only: bool = False) -> list[str]:
    """The chart as lines of text: one column per visit, value rows from the top, reference lines
    drawn where no mark stands. Prints as it is on paper."""
    count = len(chart.x_labels)
    if count == 0:
        return []
    width = 11  # a date fits under each column
    span = chart.y_max - chart.y_min

    def row_of(value: float) -> int:
        return round((chart.y_max - value) / span * (rows - 1))

    grid = [[" "] * (count * width) for _ in range(rows)]
    dash = "-" if ascii_only else "┄"
    for line in chart.lines:
        if line.y1 == line.y2 and line.x1 == 0 and line.x2 == 1:
            row = row_of(line.y1)
            for column in range(count * width):
                if grid[row][column] == " ":
                    grid[row][column] = "." if line.grey else dash
    symbols = {"circle": "*" if ascii_only else "●", "square": "o" if ascii_only else "□"}
    for mark in chart.marks:
        row = row_of(mark.y)
        column = round(mark.x * (count - 1)) * width + width // 2 if count > 1 else width // 2
        grid[row][column] = symbols[mark.shape]
    axis = [f"{chart.y_max - r * span / (rows - 1):>5.0f} |" for r in range(rows)]
    lines = [chart.title]
    lines += [axis[r] + "".join(grid[r]).rstrip() for r in range(rows)]
    lines.append("      +" + "-" * (count * width))
    lines.append("       " + "".join(label.center(width) for label in chart.x_labels).rstrip())
    lines.append("       " + "   ".join(f"{symbols.get(shape, dash)} {words}" for shape, words in chart.legend))
    return lines
