"""The interview at a terminal: the one module that asks a person questions and shows them the
answers (the rules of answering are in `answering`, which has no terminal code).

Every confirmed answer is saved before the next question shows; Ctrl-C, end of input, SIGTERM and
SIGHUP leave a session that `ketascreen resume` continues. They end the interview with an exception
from `ketascreen.errors` (Interrupted, NoMoreInput) that the command line turns into an exit status.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from ketascreen import answering as rules
from ketascreen.attention import (
    ACKNOWLEDGED,
    acknowledged,
    closing_lines,
    instruction_lines,
    notice_lines,
)
from ketascreen.describe import describe_value
from ketascreen.errors import ExitStatus, Interrupted, NoMoreInput
from ketascreen.evaluate import Evaluation, FlagResult, evaluate_session
from ketascreen.model import Question, Questionnaire, Severity
from ketascreen.notices import pressing_findings
from ketascreen.session import COMPLETED, DECLINED, UNKNOWN, Answer, Session
from ketascreen.store import Store
from ketascreen.stored import stored_questionnaire
from ketascreen.textsafe import visible
from ketascreen.wording import Wording, language_name, wording

if TYPE_CHECKING:
    from ketascreen.series import Series

MAX_REFERENCE = 64
ACKNOWLEDGE = "ok"


class QuitRequested(Exception):
    """Staff typed q where the interview was waiting for something else (an acknowledgement)."""


class Hangup(Exception):
    """SIGTERM or SIGHUP arrived: stop asking, keep what is saved."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def plain_wanted(plain: bool) -> bool:
    """Plain layout (headings as text lines, no colour): --plain or a dumb terminal. NO_COLOR turns
    off colour only, as its convention asks, and leaves the layout as it is."""
    return plain or os.environ.get("TERM") == "dumb"


@dataclass
class Screen:
    """Output through rich (colour only where wanted), input line by line from standard input."""

    console: Console
    plain: bool
    read: Callable[[str], str] = input

    @classmethod
    def create(cls, plain: bool) -> Screen:
        plain = plain_wanted(plain)
        # Lines wrap at the terminal's width in every mode: a narrow terminal never cuts a word.
        console = Console(highlight=False, emoji=False, no_color=plain or "NO_COLOR" in os.environ)
        return cls(console, plain)

    def say(self, text: str = "", style: str | None = None, whole: bool = False) -> None:
        """``whole``: never broken by wrapping (a command to copy and paste)."""
        shown = Text(visible(text), style=(style or "") if not self.plain else "")
        if whole:
            self.console.print(shown, no_wrap=True, overflow="ignore", crop=False)
        else:
            self.console.print(shown)

    def heading(self, text: str) -> None:
        if self.plain:
            self.say(f"== {text} ==")
        else:
            self.console.rule(Text(visible(text), style="bold"), align="left")

    def ask(self, prompt: str = "> ") -> str:
        self.console.file.flush()
        return self.read(prompt)

    def alarm(self, lines: list[str]) -> None:
        """A notice that cannot be missed, with or without colour: framed in '!!' on every line,
        wrapped to the terminal so that no line of it loses the frame."""
        width = max(20, min(78, self.console.width))
        style = None if self.plain else "bold white on red"
        self.say()
        self.say("!" * width, style, whole=True)
        for line in lines:
            for part in textwrap.wrap(visible(line), width - 3, break_on_hyphens=False) or [""]:
                self.say(f"!! {part}", style, whole=True)
        self.say("!" * width, style, whole=True)


def reference_problem(text: str, what: str, limit: int = MAX_REFERENCE) -> str | None:
    """Why a patient reference or staff initials cannot be used, or None."""
    if not text:
        return f"the {what} is needed to file the session"
    if len(text) > limit:
        return f"the {what} is longer than {limit} characters"
    if text != visible(text):
        return f"the {what} has control characters in it"
    return None


def ask_reference(screen: Screen, prompt: str, what: str, limit: int = MAX_REFERENCE) -> str:
    while True:
        typed = " ".join(screen.ask(f"{prompt}: ").split())
        problem = reference_problem(typed, what, limit)
        if problem is None:
            return typed
        screen.say(problem[0].upper() + problem[1:] + ("; please type it." if not typed else "; please type it again."),
                   "yellow")


@dataclass
class Interview:
    screen: Screen
    questionnaire: Questionnaire
    session: Session
    store: Store
    language: str | None
    by: str
    pressing_now: set[str] | None = None  # urgent and contraindication flags raised so far
    changes: list[str] = field(default_factory=list)  # corrections since the review last showed every answer
    pages_seen: set[int] = field(default_factory=set)  # review pages shown in this sitting
    pages_seen_of: int = 0  # how many pages the review had when they were shown

    @property
    def says(self) -> Wording:
        return wording(self.language)

    def evaluation(self) -> Evaluation:
        # Findings are for staff and the chart: in the clinic's language, whatever the patient's.
        return evaluate_session(self.questionnaire, self.session, None, history=False)

    def attend_to_findings(self) -> None:
        """Notices for urgent and contraindication flags raised since the last answer. On the first
        call, urgent flags raised before (an answers file, an earlier sitting) and never acknowledged."""
        # In the clinic's language, as the chart is; only the flags whose answers changed are worked
        # out again, so an answer costs the same however long the questionnaire.
        now = pressing_findings(self.questionnaire, self.session, None)
        if self.pressing_now is None:
            # Found before this sitting (an answers file, an earlier sitting): urgent ones not yet
            # acknowledged stop the interview; every contraindication is pointed out again.
            done = acknowledged(self.session)
            fresh = [r for r in now.values() if r.flag.severity is Severity.URGENT and r.flag.id not in done]
            fresh += [r for r in now.values() if r.flag.severity is Severity.CONTRAINDICATION]
        else:
            fresh = [r for fid, r in now.items() if fid not in self.pressing_now]
        self.pressing_now = set(now)
        for result in sorted(fresh, key=lambda r: r.flag.severity.rank):
            if result.flag.severity is Severity.URGENT:
                self.urgent_notice(result)
            else:
                self.contraindication_notice(result)

    def urgent_notice(self, result: FlagResult) -> None:
        """Stop until staff acknowledge; the acknowledgement goes into the audit trail."""
        self.screen.alarm(notice_lines(result, self.language))
        while True:
            typed = self.screen.ask(f"Type {ACKNOWLEDGE} and press Enter to confirm you have read this: ").strip().lower()
            if typed == ACKNOWLEDGE:
                break
            if typed == rules.QUIT:
                raise QuitRequested
            self.screen.say(f"The interview waits until this notice is acknowledged: type {ACKNOWLEDGE} "
                            "(or q to save and stop).", "yellow")
        self.session.log(ACKNOWLEDGED, self.by, flag=result.flag.id)
        self.store.save(self.session)
        self.screen.say("Acknowledged (recorded in the audit trail). The interview goes on.", "green")

    def contraindication_notice(self, result: FlagResult) -> None:
        found = "; ".join(result.evidence)
        self.screen.say()
        self.screen.say(f"Possible contraindication: {result.flag.label.get()}"
                        + (f" (found: {found})" if found else "") + ".", "bold yellow")
        if result.flag.staff_instruction is not None:
            for line in instruction_lines(result.flag.staff_instruction, self.language):
                self.screen.say(line, "bold yellow")

    def run(self, start: Question | None) -> str:
        """Ask until the session is confirmed ("completed") or staff save and quit ("quit")."""
        try:
            self.attend_to_findings()
            return self._run(start)
        except QuitRequested:
            return "quit"

    def _run(self, start: Question | None) -> str:
        current = start
        correcting = False
        shown_section = shown_question = None
        while True:
            if current is None:
                choice = self.review()
                if choice is None:
                    return "quit"
                if choice == "complete":
                    return "completed"
                current, correcting = self.questionnaire.question(choice), True
                shown_section = None
                continue
            if current.section != shown_section:
                self.show_section(current)
                shown_section = current.section
            if current.id != shown_question:
                self.show_question(current)
                shown_question = current.id
            typed = self.screen.ask()
            command = rules.command(typed, self.language)
            if command == rules.QUIT:
                return "quit"
            if command == rules.HELP:
                self.show_help(current)
                continue
            if command == rules.BACK:
                previous = rules.preceding(self.questionnaire, self.session, current.id)
                if previous is None:
                    self.screen.say(self.says.first_question, "yellow")
                else:
                    current = previous
                continue
            if not typed.strip() and (current.id in self.session.answers or not current.required):
                kept = self.session.answers.get(current.id)
                self.screen.say(self.says.kept.format(words=self.words(current, kept)) if kept else self.says.left_open,
                                "green")
                current = self.after(current, correcting)
                continue
            try:
                given = rules.parse_typed(current, typed, self.language)
                rules.check_answer(self.questionnaire, self.session, current, given, self.language)
            except rules.InvalidAnswer as problem:
                self.screen.say(self.says.not_accepted.format(problem=problem), "yellow")
                continue
            before = self.session.answers.get(current.id)
            changed = not given.same_as(before)
            removed = rules.answer(self.questionnaire, self.session, current, given, self.by)
            if correcting and changed:
                self.note_change(current, before, given, removed)
            if changed and self.session.status == COMPLETED:
                self.session.reopen()
            self.store.save(self.session)
            self.screen.say(self.says.saved.format(words=self.words(current, given)), "green")
            if removed:
                labels = ", ".join(self.questionnaire.question(q).label.get(self.language) for q in removed)
                self.screen.say(f"No longer asked after this change, so set aside (kept in the audit trail): {labels}", "yellow")
            self.attend_to_findings()
            current = self.after(current, correcting)

    def note_change(self, question: Question, before: Answer | None, given: Answer, removed: list[str]) -> None:
        was = self.words(question, before) if before else "not answered"
        self.changes.append(f"{question.label.get(self.language)}: {was} → {self.words(question, given)}")
        self.changes.extend(f"{self.questionnaire.question(q).label.get(self.language)}: set aside (no longer asked)"
                            for q in removed)

    def after(self, question: Question, correcting: bool) -> Question | None:
        if correcting:
            return next(iter(rules.missing_required(self.questionnaire, self.session)), None)
        return rules.following(self.questionnaire, self.session, question.id)

    def show_section(self, question: Question) -> None:
        section = self.questionnaire.section_of(question.id)
        self.screen.say()
        self.screen.heading(section.title.get(self.language))
        notice = section.untranslated_notice(self.language)
        if notice is not None:
            self.screen.say(f"Staff: {notice}", "bold yellow")
        if section.intro:
            self.screen.say(self.says.read_first.format(intro=section.intro.get(self.language)), "italic")

    def show_question(self, question: Question) -> None:
        step = rules.step_at(self.questionnaire, self.session, question.id)
        screen = self.screen
        screen.say()
        screen.say(self.says.question_of.format(position=step.position, total=step.total), "dim")
        notice = question.untranslated_notice(self.language)
        if notice is not None:
            screen.say(f"Staff: {notice}", "bold yellow")
        elif not question.text.has(self.language):
            # A clinic's own question with no text in the patient's language: staff must not read it
            # out as if it were translated.
            screen.say(f"Staff: this question has no {language_name(self.language or '')} text in the questionnaire; "
                       f"it is shown in {language_name(question.text.default)}.", "bold yellow")
        screen.say(question.text.get(self.language), "bold")
        for number, choice in enumerate(question.choices, start=1):
            screen.say(f"  {number}  {choice.label.get(self.language)}")
        for option in question.options:
            screen.say(f"  {option.score}  {option.label.get(self.language)}")
        screen.say(self.says.answer.format(expected=rules.expected(question, with_keys=False, language=self.language)),
                   "cyan")
        current = self.session.answers.get(question.id)
        if current is not None:
            screen.say(self.says.current.format(words=self.words(question, current)), "magenta")
        elif not question.required:
            screen.say(self.says.optional, "dim")
        screen.say(legend(question, self.says), "dim")

    def show_help(self, question: Question) -> None:
        if question.help:
            self.screen.say(self.says.help_label.format(help=question.help.get(self.language)), "italic")
        else:
            self.screen.say(self.says.no_help, "dim")
        self.screen.say(self.says.help_footer, "dim")

    def words(self, question: Question, given: Answer) -> str:
        if given.state == UNKNOWN:
            return self.says.unknown_word
        if given.state == DECLINED:
            return self.says.declined_word
        if question.type == "yes_no" and isinstance(given.value, bool):
            return self.says.yes_word if given.value else self.says.no_word
        # the same words as the summary, so staff and clinician read an answer alike
        return describe_value(question, given.value, self.language)

    def review(self) -> str | None:
        """Every answer by section, numbered, a terminal page at a time; after a correction, what
        changed first. Returns a question id to change, "complete", or None to quit."""
        order = self.review_order()
        numbered = [q.id for q in order]
        pages = self.review_pages(order)
        if len(pages) != self.pages_seen_of:  # the list changed shape: every page is to be seen again
            self.pages_seen, self.pages_seen_of = set(), len(pages)
        page = None if self.changes else 0
        if self.changes:
            self.show_changes()
        else:
            self.show_page(pages, 0)
        while True:
            missing = rules.missing_required(self.questionnaire, self.session)
            unseen = len(pages) - len(self.pages_seen)
            self.review_prompt(missing, unseen, page, len(pages))
            typed = self.screen.ask().strip().lower()
            if typed == rules.QUIT:
                return None
            if typed == "c" and not missing and not unseen:
                return "complete"
            if re.fullmatch(r"[0-9]{1,6}", typed) and 1 <= int(typed) <= len(numbered):
                return numbered[int(typed) - 1]
            if typed in (rules.HELP, "", rules.BACK):
                step = {"": 1, rules.BACK: -1}.get(typed, 0)
                page = 0 if page is None else (page + step) % len(pages)
                self.show_page(pages, page)
                continue
            if typed == "c" and not missing:
                self.screen.say(f"Every answer is shown before the session is confirmed: {unseen} "
                                f"page{'s' if unseen != 1 else ''} not shown yet; Enter shows the next.", "yellow")
                continue
            self.screen.say(f"Not accepted: type a number from 1 to {len(numbered)}" + ("" if missing else ", c or q") + ".", "yellow")

    def review_prompt(self, missing: list[Question], unseen: int, page: int | None, pages: int) -> None:
        """Short lines: a narrow terminal shows each whole."""
        if page is None:
            self.screen.say("Enter shows every answer.", "dim")
        elif pages > 1:
            self.screen.say(f"Page {page + 1} of {pages}: Enter for the next, b for the one before.", "dim")
        if missing:
            self.screen.say(f"Still to answer: {len(missing)} (marked 'not answered').", "yellow")
            self.screen.say("Type a number to answer or change it, or q to save and quit.", "cyan")
            return
        self.screen.say("Type a number to change an answer, or q to save and quit.", "cyan")
        if unseen:
            self.screen.say("c confirms once every page has been shown.", "cyan")
        else:
            self.screen.say("c confirms and completes the session.", "cyan")

    def review_order(self) -> list[Question]:
        on_path = {q.id for q in rules.asked_questions(self.questionnaire, self.session)}
        return [q for section in self.questionnaire.sections for q in section.questions if q.id in on_path]

    def review_pages(self, order: list[Question]) -> list[list[tuple[str, str]]]:
        """The numbered answers as pages that fit the terminal (a 40-row screen keeps the vital
        signs in view), each section kept together where it fits, its title repeated where not."""
        room = max(10, self.screen.console.size.height - 7)  # in terminal rows: a long answer takes two
        width = max(20, self.screen.console.width)

        def rows(line: str) -> int:
            return max(1, -(-len(line) // width))

        on_path = {q.id for q in order}
        pages: list[list[tuple[str, str]]] = [[]]
        number = 0
        for section in self.questionnaire.sections:
            questions = [q for q in section.questions if q.id in on_path]
            if not questions:
                continue
            title = section.title.get(self.language)
            lines = []
            for question in questions:
                number += 1
                given = self.session.answers.get(question.id)
                shown = self.words(question, given) if given else ("not answered" if question.required else "left open")
                lines.append((f"  {number:>3}. {question.label.get(self.language)}: {shown}", ""))
            used = sum(rows(line) for line, _ in pages[-1])
            if pages[-1] and used + 1 + sum(rows(line) for line, _ in lines) > room:
                pages.append([])
            pages[-1].append((title, "bold"))
            for line in lines:
                if sum(rows(text) for text, _ in pages[-1]) + rows(line[0]) > room:
                    pages.append([(f"{title} (continued)", "bold")])
                pages[-1].append(line)
        return pages

    def show_page(self, pages: list[list[tuple[str, str]]], page: int) -> None:
        self.changes.clear()  # every answer is in view again
        self.pages_seen.add(page)
        self.screen.say()
        self.screen.heading("Review: every answer" + (f" (page {page + 1} of {len(pages)})" if len(pages) > 1 else ""))
        for line, style in pages[page]:
            self.screen.say(line, style or None)

    def show_changes(self) -> None:
        """After a correction, what changed rather than the whole list again."""
        self.screen.say()
        self.screen.heading("Review: what changed")
        for line in self.changes:
            self.screen.say(f"  {line}")


def legend(question: Question, says: Wording) -> str:
    """The keys this question accepts, in the interview's words."""
    keys = []
    if question.accepts_unknown:
        keys.append(says.key_unknown)
    if question.accepts_declined:
        keys.append(says.key_declined)
    keys += [says.key_back, says.key_help, says.key_quit]
    return says.keys + " · ".join(keys)


def command_as_typed() -> str:
    """How to run ketascreen again from this shell: its name where that finds this program (an
    installed command), else the path it was started by (`make run` starts .venv/bin/ketascreen)."""
    import shutil

    started = sys.argv[0] if sys.argv and sys.argv[0] else "ketascreen"
    if started.endswith("__main__.py"):
        return f"{sys.executable} -m ketascreen"
    found = shutil.which("ketascreen")
    try:
        if found and os.path.samefile(found, started):
            return "ketascreen"
    except OSError:
        pass
    return started


def install_hangup_handlers() -> None:
    def stop(signum: int, _frame: object) -> None:
        raise Hangup(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def conduct(screen: Screen, questionnaire: Questionnaire, session: Session, store: Store,
            start: Question | None, by: str, clinic: str | None = None, zone: tzinfo | None = None) -> None:
    """Run the interview on a locked, saved session and finish it: completed, or saved for later.
    Raises Interrupted or NoMoreInput when it stops early, with the session saved."""
    interview = Interview(screen, questionnaire, session, store, session.language, by)
    resume_hint = f"{command_as_typed()} resume {session.id}"

    def repeat_urgent() -> None:
        lines = closing_lines(interview.evaluation(), session.language)
        if lines:
            screen.alarm(lines)

    def stopped(why: str) -> None:
        store.save(session)
        screen.say()
        screen.say(f"{why}. Every answer given is saved. To continue:", "yellow")
        screen.say(f"  {resume_hint}", "yellow", whole=True)
        repeat_urgent()

    def hung_up(hangup: Hangup) -> Interrupted:
        store.save(session)
        # The terminal may be gone: what is left to say goes to standard error, through the command line.
        status = ExitStatus.HANGUP if hangup.signum == getattr(signal, "SIGHUP", None) else ExitStatus.TERMINATED
        return Interrupted(f"stopped by {hangup}; session {session.id} saved", status,
                           tuple(closing_lines(interview.evaluation(), session.language)))

    try:
        outcome = interview.run(start)
    except KeyboardInterrupt:
        stopped("Interrupted")
        raise Interrupted("") from None
    except EOFError:
        stopped("No more input")
        raise NoMoreInput("") from None
    except Hangup as hangup:
        raise hung_up(hangup) from None
    try:
        _finish(screen, interview, outcome, resume_hint, clinic, zone, repeat_urgent)
    except Hangup as hangup:  # while the summary is shown, say: the session is saved by then
        raise hung_up(hangup) from None


def _finish(screen: Screen, interview: Interview, outcome: str, resume_hint: str, clinic: str | None,
            zone: tzinfo | None, repeat_urgent: Callable[[], None]) -> None:
    session, store, by = interview.session, interview.store, interview.by
    if outcome == "quit":
        store.save(session)
        screen.say("Saved for later. To continue:", "green")
        screen.say(f"  {resume_hint}", "green", whole=True)
        repeat_urgent()
        return
    if session.status == COMPLETED:  # an amendment that changed nothing
        screen.say(f"No answer was changed; session {session.id} stays as it was completed.", "green")
        repeat_urgent()
        return
    session.complete(by)
    path = store.save(session)
    screen.say()
    screen.say(f"Completed and saved: session {session.id}, {path}", "green")
    screen.say()
    from ketascreen.summarize import generated_at

    show_summary(session, clinic, generated_at(), screen.console, up_to_scores=True, zone=zone)
    screen.say()
    screen.say(f"The full summary to print or file: ketascreen summary {session.id} --format pdf --output {session.id}.pdf", "cyan")
    screen.say(f"To correct an answer later: ketascreen resume {session.id} --amend", "dim")
    repeat_urgent()


# The summary on a terminal that shows colour: the text layout, with headings and severities styled.
SUMMARY_STYLES = {
    "title": "bold",
    "banner": "bold reverse",
    "warning": "bold red",
    "heading": "bold underline",
    "severity": "bold yellow",
    "flag": "bold",
    "section": "bold cyan",
}


def show_summary(session: Session, clinic: str | None, when: datetime, console: Console | None = None,
                 up_to_scores: bool = False, series: Series | None = None, zone: tzinfo | None = None,
                 show_asked_text: bool = False) -> None:
    # The summary's layout is imported only now: the first question shows sooner without it.
    from ketascreen.render.text import text_lines
    from ketascreen.render.view import summary_view

    questionnaire = stored_questionnaire(session)
    evaluation = evaluate_session(questionnaire, session, None)  # the chart's language, not the patient's
    asked = session.language if show_asked_text and session.language != questionnaire.language else None
    view = summary_view(evaluation, when.isoformat(timespec="seconds"), clinic, None, series, zone, asked)
    console = console or Console(highlight=False, emoji=False)
    for line, style in text_lines(view, console.width):  # wrapped to the terminal, 80 columns at most
        if up_to_scores and line == "EVERY ANSWER":
            break
        console.print(Text(line, style=SUMMARY_STYLES.get(style, "")), soft_wrap=True)
