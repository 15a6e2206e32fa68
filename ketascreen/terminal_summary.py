"""The summary on a terminal that shows colour: the text layout, with headings and severities styled."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.text import Text

from ketascreen.evaluate import evaluate_session
from ketascreen.stored import stored_questionnaire
from ketascreen.render.text import text_lines
from ketascreen.render.view import summary_view
from ketascreen.series import Series
from ketascreen.session import Session

STYLES = {
    "title": "bold",
    "banner": "bold reverse",
    "warning": "bold red",
    "heading": "bold underline",
    "severity": "bold yellow",
    "flag": "bold",
    "section": "bold cyan",
}


def show_summary(session: Session, clinic: str | None, when: datetime, console: Console | None = None,
                 up_to_scores: bool = False, series: Series | None = None) -> None:
    questionnaire = stored_questionnaire(session)
    evaluation = evaluate_session(questionnaire, session, session.language)
    view = summary_view(evaluation, when.isoformat(timespec="seconds"), clinic, session.language, series)
    console = console or Console(highlight=False, emoji=False)
    for line, style in text_lines(view):
        if up_to_scores and line == "EVERY ANSWER":
            break
        console.print(Text(line, style=STYLES.get(style, "")), soft_wrap=True)
