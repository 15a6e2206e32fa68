"""`ketascreen history`: a patient's visits, the PHQ-9 since baseline, response and remission as facts
about scores, and charts; in text, Markdown, HTML (inline SVG), JSON and PDF. Pure functions of a
series, apart from PDF's creation time."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from ketascreen.clock import shown
from ketascreen.render.chart import Chart, bp_chart, score_chart, svg, text_chart
from ketascreen.render.series_words import bp_words, change_words, phq9_words, response_words
from ketascreen.render.view import BANNER
from ketascreen.series import REMISSION_BELOW, Series, Visit
from ketascreen.textsafe import visible

if TYPE_CHECKING:  # fpdf2 is imported only when a PDF is made
    from fpdf import FPDF

FORMATS = ("text", "markdown", "html", "json", "pdf")


def facts(series: Series) -> list[str]:
    """Baseline, latest, change, response and remission, worded as facts about scores."""
    warning = ([f"Note: {series.unreadable} session file(s) in the data directory could not be read; a visit of "
                "this patient may be missing from this history (ketascreen sessions names them)"]
               if series.unreadable else [])
    return warning + _score_facts(series)


def _score_facts(series: Series) -> list[str]:
    if series.baseline is None:
        return ["Baseline: none yet (no completed visit with a decided PHQ-9 total)"]
    base = series.baseline
    lines = [f"Baseline PHQ-9: {base.phq9_total} ({base.date[:10]}, {base.questionnaire}, session {base.session})"]
    if series.latest is None:
        lines.append("Latest PHQ-9: no later visit with a decided PHQ-9 total yet")
        lines.append("Response and remission: not decided until a later visit has a decided PHQ-9 total")
        return lines
    latest = series.latest
    half = (base.phq9_total or 0) / 2
    lines.append(f"Latest PHQ-9: {latest.phq9_total} ({latest.date[:10]}, session {latest.session}); "
                 f"since baseline {change_words(series)}")
    if series.response is None:
        lines.append(response_words(series))
        return lines
    lines.append(f"Response (a PHQ-9 total at most 50 % of baseline, here at most {half:g}): "
                 + ("yes" if series.response else "no"))
    lines.append(f"Remission (a PHQ-9 total below {REMISSION_BELOW}): " + ("yes" if series.remission else "no"))
    return lines


def _attention(visit: Visit) -> str:
    from ketascreen.attention import Attention

    return Attention(len(visit.urgent), len(visit.contraindications), len(visit.urgent_unassessed)).words() or "—"


HEADINGS = ("date", "questionnaire", "status", "PHQ-9", "GAD-7", "item 9", "BP (re-check)", "attention")


def rows(series: Series) -> list[tuple[str, ...]]:
    return [(v.date[:10], f"{v.questionnaire} {v.version}", v.status.replace("_", " "), phq9_words(v),
             "—" if v.gad7_total is None else str(v.gad7_total), "—" if v.phq9_9 is None else str(v.phq9_9),
             bp_words(v), _attention(v)) for v in series.visits]


def render_text(series: Series, generated: str, plain: bool = True) -> str:
    table = [HEADINGS, *rows(series)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADINGS))]
    out = [f"Patient history: {series.patient}", f"Generated: {generated}", BANNER.upper(), "",
           f"VISITS ({len(series.visits)}), oldest first"]
    out += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    out += ["", "PHQ-9 SINCE BASELINE"] + [f"  {line}" for line in facts(series)]
    out += ["", "CHARTS"]
    out += text_chart(score_chart(series), ascii_only=plain)
    out.append("       . PHQ-9 band boundaries at 5, 10, 15 and 20 (mild, moderate, moderately severe, severe)")
    out.append("")
    out += text_chart(bp_chart(series), ascii_only=plain)
    out.append("       . reference lines at 90, 100, 140 and 180 mmHg")
    return "\n".join(visible(line) for line in out) + "\n"


def history_data(series: Series, generated: str) -> dict[str, Any]:
    def point(visit: Visit | None) -> dict[str, Any] | None:
        return None if visit is None else {"session": visit.session, "phq9_total": visit.phq9_total}

    return {
        "patient": series.patient,
        "generated_at": generated,
        "visits": [
            {
                "session": v.session,
                "questionnaire": v.questionnaire,
                "version": v.version,
                "date": v.date,
                "status": v.status,
                "phq9_total": v.phq9_total,
                "phq9_range": list(v.phq9_range) if v.phq9_range else None,
                "gad7_total": v.gad7_total,
                "phq9_9": v.phq9_9,
                "bp_systolic": v.bp.get("bp_systolic"),
                "bp_diastolic": v.bp.get("bp_diastolic"),
                "bp_systolic_recheck": v.bp.get("bp_systolic_recheck"),
                "bp_diastolic_recheck": v.bp.get("bp_diastolic_recheck"),
                "urgent": list(v.urgent),
                "urgent_unassessed": list(v.urgent_unassessed),
                "contraindications": list(v.contraindications),
                "bp_systolic_40min": v.bp.get("bp_systolic_40min"),
                "bp_diastolic_40min": v.bp.get("bp_diastolic_40min"),
                "bp_systolic_discharge": v.bp.get("bp_systolic_discharge"),
                "bp_diastolic_discharge": v.bp.get("bp_diastolic_discharge"),
            }
            for v in series.visits
        ],
        "baseline": point(series.baseline),
        "latest": point(series.latest),
        "change_percent": series.change_percent,
        "response": series.response,
        "remission": series.remission,
    }


def render_markdown(series: Series, generated: str) -> str:
    from ketascreen.render.markdown import md

    out = [f"# Patient history: {md(series.patient)}", "", f"Generated: {md(generated)}", "", f"> **{md(BANNER)}**", "",
           f"## Visits ({len(series.visits)})", "",
           "| " + " | ".join(HEADINGS) + " |", "|" + "---|" * len(HEADINGS)]
    out += ["| " + " | ".join(md(cell).replace("|", "\\|") for cell in row) + " |" for row in rows(series)]
    out += ["", "## PHQ-9 since baseline", ""] + [f"- {md(line)}" for line in facts(series)]
    out += ["", "## Charts", "", "```text"] + text_chart(score_chart(series), ascii_only=True) + [""] + \
        text_chart(bp_chart(series), ascii_only=True) + ["```", ""]
    return "\n".join(out)


CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111; max-width: 48rem; margin: 1.5rem auto; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ccc; padding: .15rem .4rem;
  text-align: left; } .banner { border: 2px solid #111; padding: .5rem .8rem; font-weight: bold; }
figure { margin: 1rem 0; break-inside: avoid; } svg { max-width: 100%; height: auto; }
@page { margin: 15mm 15mm 15mm 22mm; }
"""


def render_html(series: Series, generated: str) -> str:
    e = escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(series.patient)} — patient history</title><style>{CSS}</style></head><body>",
           f"<h1>Patient history: {e(series.patient)}</h1>", f"<p>Generated: {e(generated)}</p>",
           f'<p class="banner">{e(BANNER)}</p>', f"<h2>Visits ({len(series.visits)})</h2><table><thead><tr>"]
    out.append("".join(f"<th>{e(h)}</th>" for h in HEADINGS) + "</tr></thead><tbody>")
    out += ["<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in rows(series)]
    out.append("</tbody></table><h2>PHQ-9 since baseline</h2><ul>")
    out += [f"<li>{e(line)}</li>" for line in facts(series)]
    out.append("</ul><h2>Charts</h2>")
    for chart in (score_chart(series), bp_chart(series)):
        out.append(f'<figure class="chart">{svg(chart)}</figure>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_pdf(series: Series, generated: str, created: datetime) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from ketascreen.render.pdf import FONT, FONTS, printable

    class HistoryPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.set_text_color(80)
            self.cell(0, 5, printable(f"Patient {series.patient} · {BANNER} · generated {generated} · "
                                      f"page {self.page_no()} of {{nb}}"), align="C")
            self.set_text_color(0)

    pdf = HistoryPDF(format="A4")
    pdf.alias_nb_pages()
    pdf.set_creation_date(created)
    pdf.set_title(printable(f"Patient history {series.patient}"))
    pdf.set_creator("ketascreen")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 14, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    def para(text: str, size: float = 10, bold: bool = False) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(pdf.epw, size * 0.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    para(f"Patient history: {series.patient}", 15, bold=True)
    para(f"Generated: {generated}", 9)
    para(BANNER, 11, bold=True)
    pdf.ln(2)
    para(f"Visits ({len(series.visits)}), oldest first", 12, bold=True)
    widths = (22, 46, 20, 14, 13, 12, 28, 20)
    pdf.set_font(FONT, "B", 8)
    for heading, width in zip(HEADINGS, widths, strict=True):
        pdf.cell(width, 5, printable(heading))
    pdf.ln(5)
    pdf.set_font(FONT, "", 8)
    for row in rows(series):
        for cell, width in zip(row, widths, strict=True):
            pdf.cell(width, 5, printable(cell[:40]))
        pdf.ln(5)
    pdf.ln(2)
    para("PHQ-9 since baseline", 12, bold=True)
    for line in facts(series):
        para(line, 9.5)
    for chart in (score_chart(series), bp_chart(series)):
        if pdf.will_page_break(80):
            pdf.add_page()
        pdf.ln(3)
        draw_pdf(pdf, chart, pdf.l_margin, pdf.get_y(), pdf.epw, 70)
        pdf.set_y(pdf.get_y() + 78)
    return bytes(pdf.output())


def draw_pdf(pdf: FPDF, chart: Chart, left: float, top: float, width: float, height: float) -> None:
    """The chart as vector lines and marks on the current page (millimetres)."""
    from ketascreen.render.pdf import FONT, printable

    plot_left, plot_top = left + 10, top + 6
    plot_w, plot_h = width - 12, height - 16

    def px(x: float) -> float:
        return plot_left + x * plot_w

    def py(y: float) -> float:
        return plot_top + (chart.y_max - y) / (chart.y_max - chart.y_min) * plot_h

    pdf.set_font(FONT, "B", 9)
    pdf.set_xy(left, top)
    pdf.cell(width, 4, printable(chart.title))
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    pdf.rect(plot_left, plot_top, plot_w, plot_h)
    pdf.set_font(FONT, "", 6.5)
    for line in chart.lines:
        pdf.set_draw_color(140 if line.grey else 0)
        pdf.set_line_width(0.2 if line.dashed else 0.5)
        if line.dashed:
            pdf.set_dash_pattern(dash=1.2, gap=0.8)
        pdf.line(px(line.x1), py(line.y1), px(line.x2), py(line.y2))
        pdf.set_dash_pattern()
    pdf.set_draw_color(0)
    for label in chart.labels:
        text = printable(label.text)
        x = px(label.x) - (pdf.get_string_width(text) + 1 if label.anchor == "end" else -1)
        pdf.text(x, py(label.y) - 0.8, text)
    for mark in chart.marks:
        x, y = px(mark.x), py(mark.y)
        pdf.set_line_width(0.3)
        if mark.shape == "circle":
            pdf.set_fill_color(0)
            pdf.circle(x=x, y=y, radius=1.1, style="F")
        else:
            pdf.rect(x - 1.1, y - 1.1, 2.2, 2.2, style="D")
        pdf.text(x + 1.6, y - 1.4, printable(mark.label))
    count = len(chart.x_labels)
    for index, text in enumerate(chart.x_labels):
        x = px(0.5 if count == 1 else index / (count - 1))
        pdf.text(x - pdf.get_string_width(text) / 2, plot_top + plot_h + 4, printable(text))
    span = chart.y_max - chart.y_min
    step = 5 if span <= 30 else 20
    tick = int(chart.y_min)
    while tick <= chart.y_max:
        tick_label = str(tick)
        pdf.text(plot_left - pdf.get_string_width(tick_label) - 1.2, py(tick) + 0.8, tick_label)
        tick += step
    legend = "   ".join(f"{'●' if shape == 'circle' else '□' if shape == 'square' else '- -'} {words}"
                       for shape, words in chart.legend)
    pdf.text(plot_left, plot_top + plot_h + 9, printable(legend))


def render_history(series: Series, fmt: str, when: datetime) -> bytes:
    from dataclasses import replace

    # The reference as typed may hold control characters; every format shows them, never obeys them.
    series = replace(series, patient=visible(series.patient))
    generated = shown(when, when.tzinfo)  # ``when`` is in the clinic's zone already
    if fmt == "text":
        return render_text(series, generated).encode("utf-8")
    if fmt == "json":
        return (json.dumps(history_data(series, when.isoformat(timespec="seconds")), ensure_ascii=False, indent=2)
                + "\n").encode("utf-8")
    if fmt == "markdown":
        return render_markdown(series, generated).encode("utf-8")
    if fmt == "html":
        return render_html(series, generated).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(series, generated, when)
    raise ValueError(f"unknown format {fmt!r}")
