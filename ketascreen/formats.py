"""Every output format by name: its file suffix and the function that renders it. The command line,
the settings check and the help text all read these tables, so a format is added in one place.

Renderers are imported when used: PDF support (fpdf2) costs time that a text summary need not pay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ketascreen.evaluate import Evaluation
    from ketascreen.series import Series

# (evaluation, generated at, clinic name, the language whose question text is shown beside each answer
# (None: none), the patient's series, the zone times are shown in, the paper a printed summary is
# laid out for: "a4" or "letter")
SummaryRenderer = Callable[["Evaluation", datetime, "str | None", "str | None", "Series | None", "tzinfo | None",
                            str], bytes]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str
    for_terminal: bool  # False: bytes a terminal cannot show (PDF)
    render_summary: SummaryRenderer
    render_history: Callable[[Series, datetime], bytes]


def _view_renderer(name: str) -> SummaryRenderer:
    def render(evaluation: Evaluation, when: datetime, clinic: str | None, asked: str | None,
               series: Series | None, zone: tzinfo | None, paper: str) -> bytes:
        from ketascreen.render.view import summary_view

        view = summary_view(evaluation, when.isoformat(timespec="seconds"), clinic, None, series, zone, asked)
        if name == "text":
            from ketascreen.render.text import render_text

            return render_text(view).encode("utf-8")
        if name == "markdown":
            from ketascreen.render.markdown import render_markdown

            return render_markdown(view).encode("utf-8")
        if name == "html":
            from ketascreen.render.html import render_html

            return render_html(view, paper).encode("utf-8")
        from ketascreen.render.pdf import render_pdf

        return render_pdf(view, when, paper)

    return render


def _json_summary(evaluation: Evaluation, when: datetime, clinic: str | None, asked: str | None,
                  series: Series | None, zone: tzinfo | None, paper: str) -> bytes:
    # JSON keeps every time as recorded, ISO 8601 with its offset: a program converts as it needs.
    from ketascreen.render.json import render_json

    return render_json(evaluation, when.isoformat(timespec="seconds"), clinic, None, series, asked).encode("utf-8")


def _history_renderer(name: str) -> Callable[[Series, datetime], bytes]:
    def render(series: Series, when: datetime) -> bytes:
        from ketascreen.render.history import render_history

        return render_history(series, name, when)

    return render


SUMMARY_FORMATS: Mapping[str, OutputFormat] = {
    "text": OutputFormat("text", ".txt", True, _view_renderer("text"), _history_renderer("text")),
    "markdown": OutputFormat("markdown", ".md", True, _view_renderer("markdown"), _history_renderer("markdown")),
    "html": OutputFormat("html", ".html", True, _view_renderer("html"), _history_renderer("html")),
    "json": OutputFormat("json", ".json", True, _json_summary, _history_renderer("json")),
    "pdf": OutputFormat("pdf", ".pdf", False, _view_renderer("pdf"), _history_renderer("pdf")),
}

# Exports: CSV is one table of every session, FHIR one resource per session.
EXPORT_FORMATS: Mapping[str, str] = {"csv": ".csv", "fhir": ".fhir.json"}
QUESTIONNAIRE_EXPORT_FORMATS: Mapping[str, str] = {"fhir": ".fhir.json"}


def names(formats: Mapping[str, object]) -> str:
    """"text, markdown, html, json, pdf": for messages."""
    return ", ".join(formats)


def spoken(formats: Mapping[str, object]) -> str:
    """"text, markdown, html, json or pdf": for help text."""
    listed = list(formats)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
