"""One session's summary in a chosen format: evaluate, lay out, render. Pure apart from the clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo

from ketascreen.evaluate import Evaluation, evaluate_session
from ketascreen.formats import SUMMARY_FORMATS
from ketascreen.model import Questionnaire
from ketascreen.series import Series
from ketascreen.session import Session


def generated_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so the same session gives byte-identical output."""
    pinned = os.environ.get("SOURCE_DATE_EPOCH")
    if pinned and pinned.strip().isdigit():
        return datetime.fromtimestamp(int(pinned), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def render(evaluation: Evaluation, fmt: str, when: datetime, clinic: str | None = None,
           asked: str | None = None, series: Series | None = None, zone: tzinfo | None = None,
           paper: str = "a4") -> bytes:
    return SUMMARY_FORMATS[fmt].render_summary(evaluation, when, clinic, asked, series, zone, paper)


def summarize(questionnaire: Questionnaire, session: Session, fmt: str, when: datetime,
              clinic: str | None = None, series: Series | None = None, zone: tzinfo | None = None,
              show_asked_text: bool = False, paper: str = "a4") -> bytes:
    """``series``: the patient's visits up to this one, for the "Since baseline" block; ``zone``:
    where times are shown (None: the machine's zone). The summary is in the clinic's language (the
    file's) whatever language the patient was asked in; ``show_asked_text`` adds, beside each answer,
    the question as it was asked when that was in another language; ``paper``: "a4" or "letter",
    for PDF and HTML."""
    asked = session.language if show_asked_text and session.language != questionnaire.language else None
    return render(evaluate_session(questionnaire, session, None), fmt, when, clinic, asked, series, zone, paper)
