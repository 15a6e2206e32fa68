"""One session's summary in a chosen format: evaluate, lay out, render. Pure apart from the clock."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from ketascreen.evaluate import Evaluation, evaluate_session
from ketascreen.model import Questionnaire
from ketascreen.series import Series
from ketascreen.session import Session

FORMATS = ("text", "markdown", "html", "json", "pdf")
SUFFIXES = {"text": ".txt", "markdown": ".md", "html": ".html", "json": ".json", "pdf": ".pdf"}


def generated_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so the same session gives byte-identical output."""
    pinned = os.environ.get("SOURCE_DATE_EPOCH")
    if pinned and pinned.strip().isdigit():
        return datetime.fromtimestamp(int(pinned), timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def render(evaluation: Evaluation, fmt: str, when: datetime, clinic: str | None = None,
           language: str | None = None, series: Series | None = None) -> bytes:
    stamp = when.isoformat(timespec="seconds")
    if fmt == "json":
        from ketascreen.render.json import render_json

        return render_json(evaluation, stamp, clinic, language, series).encode("utf-8")
    from ketascreen.render.view import summary_view

    view = summary_view(evaluation, stamp, clinic, language, series)
    if fmt == "text":
        from ketascreen.render.text import render_text

        return render_text(view).encode("utf-8")
    if fmt == "markdown":
        from ketascreen.render.markdown import render_markdown

        return render_markdown(view).encode("utf-8")
    if fmt == "html":
        from ketascreen.render.html import render_html

        return render_html(view).encode("utf-8")
    if fmt == "pdf":
        from ketascreen.render.pdf import render_pdf

        return render_pdf(view, when)
    raise ValueError(f"unknown format {fmt!r}")


def summarize(questionnaire: Questionnaire, session: Session, fmt: str, when: datetime,
              clinic: str | None = None, series: Series | None = None) -> bytes:
    """``series``: the patient's visits up to this one, for the "Since baseline" block."""
    return render(evaluate_session(questionnaire, session, session.language), fmt, when, clinic, session.language, series)
