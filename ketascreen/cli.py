"""The command line: parse options, call the command (one module each in `ketascreen.commands`),
show its result, and turn outcomes into exit statuses. This is the one module that prints to the
user: results on standard output, messages through `say` on standard error with the
"ketascreen:" prefix (the interview's own questions and answers are in `ketascreen.interview`).

Heavy modules (yaml, jsonschema, rich) are imported inside the commands that use them, so that
``ketascreen --version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ketascreen import __version__
from ketascreen.errors import ExitStatus, KetascreenError, ProblemsError, Stopped, UsageError
from ketascreen.formats import SUMMARY_FORMATS, spoken

if TYPE_CHECKING:
    from datetime import tzinfo

    from ketascreen.commands.summary import Summary
    from ketascreen.session import Session
    from ketascreen.settings import Settings

app = typer.Typer(
    name="ketascreen",
    help="Pre-treatment screening for ketamine treatment of depression. "
    "Gathers answers and prints a summary for clinician review; it never makes the treatment decision.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketascreen {__version__}")
        raise typer.Exit(ExitStatus.OK)


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version,
                                 is_eager=True),
    config: Path | None = typer.Option(None, "--config", metavar="FILE", help="Clinic settings file (also KETASCREEN_CONFIG)."),
) -> None:
    """Pre-treatment screening for ketamine treatment of depression."""
    ctx.obj = {"config": config}


def _settings(ctx: typer.Context, **options: str | Path | None) -> Settings:
    """The clinic settings for this command: its options over the environment over the settings
    file over the defaults (decided by settings.resolve_settings)."""
    from ketascreen.settings import resolve_settings

    root = ctx.find_root()
    config = root.obj.get("config") if isinstance(root.obj, dict) else None
    return resolve_settings(options, config)


def say(message: str, prefix: bool = True) -> None:
    """A message to the user on standard error, shown and never obeyed by the terminal: messages
    name what is in files and on the command line."""
    from ketascreen.textsafe import visible

    text = visible(message)
    sys.stderr.write(f"ketascreen: {text}\n" if prefix else f"{text}\n")
    sys.stderr.flush()


def _out(text: str) -> None:
    """A result on standard output, made safe for the terminal."""
    from ketascreen.textsafe import visible

    typer.echo(visible(text))


def _done(status: ExitStatus) -> typer.Exit:
    return typer.Exit(int(status))


@app.command(short_help="Check questionnaire files for problems.")
def validate(
    questionnaires: list[str] = typer.Argument(..., metavar="FILE_OR_ID...", help="Questionnaire files or bundled ids."),
    strict: bool = typer.Option(False, "--strict", help="Treat the safety lint's warnings as errors."),
) -> None:
    """Check questionnaire files: every problem, one line each as FILE:LINE:COL: message, then the
    safety lint's warnings (rules that are valid but probably not what was meant)."""
    from ketascreen.commands.validate import validate as validate_files

    failed = 0
    for checked in validate_files(questionnaires):
        if checked.not_found is not None:
            _out(checked.not_found)
            failed += 1
            continue
        for problem in checked.problems:
            _out(str(problem))
        failed += checked.failed(strict)
        errors, warnings = checked.errors, checked.warnings
        if errors:
            say(f"{checked.name}: {errors} problem{'s' if errors != 1 else ''}", prefix=False)
        elif warnings:
            say(f"{checked.name}: ok, with {warnings} warning{'s' if warnings != 1 else ''}"
                + (" (errors with --strict)" if strict else ""), prefix=False)
        else:
            say(f"{checked.name}: ok", prefix=False)
    raise _done(ExitStatus.PROBLEM if failed else ExitStatus.OK)


@app.command(short_help="Print the questionnaire format's JSON Schema.")
def schema(
    session: bool = typer.Option(False, "--session", help="The JSON Schema of session files instead."),
) -> None:
    """Print the questionnaire format's JSON Schema (for editor completion and checking), or with
    --session the shape of the session files in the data directory."""
    from ketascreen.commands.schema import schema as schema_text

    sys.stdout.write(schema_text(session))


@app.command(name="list", short_help="List the bundled questionnaires.")
def list_() -> None:
    """List the bundled questionnaires."""
    from ketascreen.commands.list import list_questionnaires
    from ketascreen.textsafe import visible

    sys.stdout.write(visible(list_questionnaires()))


@app.command(short_help="Show a questionnaire's rules in words.")
def show(
    questionnaire: str = typer.Argument(..., metavar="FILE_OR_ID", help="A questionnaire file or bundled id."),
    lang: str | None = typer.Option(None, "--lang", metavar="LANG", help="Show text in this language where the file has it."),
) -> None:
    """Show a questionnaire as an outline: questions, skip logic, flag rules and scores in words."""
    from ketascreen.commands.show import show as outline
    from ketascreen.textsafe import visible

    sys.stdout.write(visible(outline(questionnaire, lang)))


@app.command(short_help="Write a starter clinic file.")
def init(
    file: Path = typer.Argument(Path("clinic.yaml"), help="Where to write the starter clinic file."),
) -> None:
    """Write a starter clinic file that extends the bundled questionnaire, with commented examples."""
    from ketascreen.commands.init import init as write_starter

    for written in write_starter(file):
        _out(f"wrote {written}")
    _out(f"next: edit {file}, then run: ketascreen validate {file}")


@app.command(name="diff", short_help="What changed between two questionnaire versions.")
def diff_(
    old: str = typer.Argument(..., metavar="OLD", help="The earlier questionnaire (file or bundled id)."),
    new: str = typer.Argument(..., metavar="NEW", help="The later questionnaire (file or bundled id)."),
) -> None:
    """What changed between two versions of a questionnaire; exit 0 when equal, 1 when they differ."""
    from ketascreen.commands.diff import diff

    changes = diff(old, new)
    for line in changes:
        _out(line)
    if not changes:
        _out("no differences")
    raise _done(ExitStatus.PROBLEM if changes else ExitStatus.OK)


@app.command(name="test", short_help="Run scenario tests on a questionnaire.")
def test_(
    scenarios: list[str] = typer.Argument(..., metavar="SCENARIOS...",
                                          help="Scenario files, or a bundled questionnaire id."),
) -> None:
    """Run scenario tests: given these answers, these flags and scores must follow."""
    from ketascreen.commands.test import test

    failed = total = 0
    for path, outcome in test(scenarios):
        total += 1
        typer.echo(f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.name}  ({path}:{outcome.line})")
        for difference in outcome.differences:
            typer.echo(f"      {difference}")
        for warning in outcome.warnings:
            typer.echo(f"      warning: {warning}")
        failed += not outcome.passed
    typer.echo(f"{total} scenarios: {total - failed} passed, {failed} failed")
    raise _done(ExitStatus.PROBLEM if failed else ExitStatus.OK)


DATA_DIR_HELP = "Where sessions are kept (default: the user's data directory; also KETASCREEN_DATA_DIR)."


@app.command(short_help="Interview a patient.")
def run(
    ctx: typer.Context,
    questionnaire: str | None = typer.Argument(None, metavar="[QUESTIONNAIRE]",
                                               help="A bundled id or a questionnaire file (default: the settings' "
                                               "default_questionnaire, else ketamine-pretreatment)."),
    patient: str | None = typer.Option(None, "--patient", metavar="REF", help="The chart or record number (asked if missing)."),
    staff: str | None = typer.Option(None, "--staff", metavar="INITIALS", help="Your initials (asked if missing)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
    answers: Path | None = typer.Option(None, "--answers", metavar="FILE", help="A YAML or JSON file of answers (paper forms, scripts)."),
    lang: str | None = typer.Option(None, "--lang", metavar="LANG", help="Ask in this language where the questionnaire has it."),
    plain: bool = typer.Option(False, "--plain",
                               help="No colour, and headings as plain text lines (also with TERM=dumb; NO_COLOR turns off colour only)."),
    again: bool = typer.Option(False, "--again", help="Enter an answers file already entered for this patient, as "
                               "another visit."),
) -> None:
    """Interview a patient: every answer is saved as soon as it is given."""
    from ketascreen.commands.run import run as run_interview

    settings = _settings(ctx, data_dir=data_dir, default_questionnaire=questionnaire)
    done = run_interview(settings.default_questionnaire, patient, staff, settings.sessions_directory, answers, lang,
                         plain, say, settings.clinic_name, again, settings.zone)
    if done is None:
        return
    if done.missing:
        say(f"session {done.session.id} saved in progress ({done.path}); still to answer:")
        for question in done.missing:
            say(f"  {question.id}: {question.label.get()}", prefix=False)
        say(f"continue with: ketascreen resume {done.session.id}")
    else:
        _out(f"{done.session.id}\t{done.path}")
    for line in done.urgent:
        say(line)
    raise _done(ExitStatus.PROBLEM if done.missing else ExitStatus.OK)


@app.command(short_help="Continue or amend an interview.")
def resume(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION", help="A session id or session file."),
    amend: bool = typer.Option(False, "--amend",
                               help="Reopen a completed session to correct it (recorded in the audit trail)."),
    staff: str | None = typer.Option(None, "--staff", metavar="INITIALS", help="Your initials, for an amendment (asked if missing)."),
    reason: str | None = typer.Option(None, "--reason", metavar="TEXT", help="Why the completed session is amended (asked if "
                                      "missing; shown on the summary)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
    plain: bool = typer.Option(False, "--plain", help="No colour, and headings as plain text lines (also with TERM=dumb)."),
) -> None:
    """Continue an interview where it stopped, on the questionnaire version it began with."""
    from ketascreen.commands.resume import resume as resume_interview

    settings = _settings(ctx, data_dir=data_dir)
    resume_interview(session, settings.sessions_directory, amend, staff, plain, settings.clinic_name, reason,
                     settings.zone)


@app.command(short_help="List sessions and what needs attention.")
def sessions(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", metavar="STATUS", help="Only sessions with this status: in_progress or completed."),
    patient: str | None = typer.Option(None, "--patient", metavar="REF", help="Only this patient's sessions (the reference as typed)."),
    since: str | None = typer.Option(None, "--since", metavar="DATE", help="Only sessions started on or after this date (2026-11-01)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
) -> None:
    """List sessions, newest first, with the urgent and contraindication flags raised so far."""
    from ketascreen.commands.sessions import sessions as list_sessions
    from ketascreen.render.sessions import session_table

    settings = _settings(ctx, data_dir=data_dir)
    found = list_sessions(settings.sessions_directory, status, patient, since, say, settings.zone)
    sys.stdout.write(session_table([s for s, _ in found], {s.id: words for s, words in found}, settings.zone))


@app.command(short_help="A patient's visits and scores over time.")
def history(
    ctx: typer.Context,
    patient: str = typer.Argument(..., metavar="PATIENT", help="The patient reference, as typed at the interview."),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help=f"{spoken(SUMMARY_FORMATS)}."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
) -> None:
    """A patient's visits, oldest first: PHQ-9 since baseline, response and remission, and charts."""
    from ketascreen.commands.history import history as patient_history

    settings = _settings(ctx, data_dir=data_dir)
    content = patient_history(patient, fmt, output, settings.sessions_directory, say, settings.zone)
    if content is not None:
        _to_stdout(content, fmt)


@app.command(short_help="The clinician summary of a session.")
def summary(
    ctx: typer.Context,
    sessions: list[str] = typer.Argument(..., metavar="SESSION...", help="Session ids or session files."),
    fmt: str | None = typer.Option(None, "--format", "-f", metavar="FORMAT", help=f"{spoken(SUMMARY_FORMATS)} (default: the "
                                   "settings' summary_format, else text)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file (one session)."),
    output_dir: Path | None = typer.Option(None, "--output-dir", metavar="DIR", help="Write one file per session into this directory."),
    send_to_printer: bool = typer.Option(False, "--print", help="Send the summary to the printer with lp (PDF)."),
    force: bool = typer.Option(False, "--force", help="Replace an --output file that is not this session's summary."),
    paper: str | None = typer.Option(None, "--paper", metavar="SIZE", help="a4 or letter, for PDF and printed HTML "
                                     "(default: the settings' paper, else the machine's locale)."),
    show_asked_text: bool = typer.Option(False, "--show-asked-text", help="Beside each answer, the question as it was "
                                         "asked when the interview was in another language."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
) -> None:
    """The clinician summary: flags first with their evidence, then what could not be assessed, scores and every answer."""
    from ketascreen.commands.summary import summary as summaries

    settings = _settings(ctx, data_dir=data_dir, summary_format=fmt, paper=paper.lower() if paper else None)
    for done in summaries(sessions, settings.summary_format, output, output_dir, send_to_printer,
                          settings.sessions_directory, settings.clinic_name, settings.printer, force, settings.zone,
                          show_asked_text, settings.paper):
        if done.printed:
            say(f"sent session {done.session.id} to the printer", prefix=False)
        elif done.in_batch:
            _out(str(done.path))
        elif done.path is None:
            _show_summary(done)


def _show_summary(done: Summary) -> None:
    """On a terminal, the text summary is wrapped to its width (styled where colour is wanted);
    anywhere else, the bytes as rendered, 80 columns."""
    if done.fmt == "text" and sys.stdout.isatty():
        from rich.console import Console

        from ketascreen.interview import show_summary

        plain = "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb"
        show_summary(done.session, done.clinic, done.when, Console(highlight=False, emoji=False, no_color=plain),
                     series=done.series, zone=done.zone, show_asked_text=done.show_asked_text)
        return
    _to_stdout(done.content, done.fmt)


def _to_stdout(content: bytes, fmt: str) -> None:
    if not SUMMARY_FORMATS[fmt].for_terminal and sys.stdout.isatty():
        raise UsageError(f"a {fmt.upper()} is not for the terminal: add --output FILE{SUMMARY_FORMATS[fmt].suffix}")
    sys.stdout.buffer.write(content)
    sys.stdout.flush()


@app.command(short_help="Export sessions as CSV or FHIR.")
def export(
    ctx: typer.Context,
    sessions: list[str] | None = typer.Argument(None, metavar="[SESSION...]",
                                                help="Session ids or files (default: every session)."),
    fmt: str = typer.Option(..., "--format", "-f", metavar="FORMAT", help="csv (one table) or fhir (a QuestionnaireResponse per session)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file."),
    output_dir: Path | None = typer.Option(None, "--output-dir", metavar="DIR", help="FHIR: one file per session in this directory."),
    status: str | None = typer.Option(None, "--status", metavar="STATUS", help="Only sessions with this status: in_progress or completed."),
    since: str | None = typer.Option(None, "--since", metavar="DATE", help="Only sessions started on or after this date (2026-11-01)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
) -> None:
    """Export sessions for a spreadsheet (CSV) or an electronic health record (FHIR R4)."""
    from ketascreen.commands.export import export as export_sessions

    settings = _settings(ctx, data_dir=data_dir)
    for done in export_sessions(sessions or [], fmt, output, output_dir, status, since, settings.sessions_directory,
                                say, settings.zone):
        if done.text is not None:
            sys.stdout.write(done.text)
        elif done.in_batch:
            _out(str(done.path))
        elif fmt == "csv":
            say(f"{done.count} sessions written to {done.path}", prefix=False)
    sys.stdout.flush()


@app.command(name="export-questionnaire", short_help="Export a questionnaire as FHIR.")
def export_questionnaire(
    questionnaire: str = typer.Argument(..., metavar="ID_OR_FILE", help="A bundled id or a questionnaire file."),
    fmt: str = typer.Option("fhir", "--format", "-f", metavar="FORMAT", help="fhir (a FHIR R4 Questionnaire; the only format, the default)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to this file."),
) -> None:
    """Export a questionnaire as a FHIR R4 Questionnaire."""
    from ketascreen.commands.export_questionnaire import export_questionnaire as questionnaire_resource

    text = questionnaire_resource(questionnaire, fmt, output)
    if text is not None:
        sys.stdout.write(text)


@app.command(short_help="Delete a session for good.")
def delete(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION", help="A session id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    data_dir: Path | None = typer.Option(None, "--data-dir", metavar="DIR", help=DATA_DIR_HELP),
) -> None:
    """Delete a session for good (after a confirmation), leaving no file of it behind."""
    from ketascreen.commands.delete import delete as delete_session

    settings = _settings(ctx, data_dir=data_dir)

    def confirm(found: Session) -> bool:
        return _confirm_delete(found, settings.zone)

    deleted = delete_session(settings.sessions_directory, session, None if yes else confirm)
    if deleted is None:
        _out("Not deleted.")
        raise _done(ExitStatus.PROBLEM)
    _out(f"deleted session {deleted.id}")


def _confirm_delete(found: Session, zone: tzinfo | None) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("deleting needs a confirmation at a terminal, or --yes")
    from ketascreen.clock import shown
    from ketascreen.textsafe import visible

    count = len(found.answers)
    # Enough to be sure it is the right one: whose, when, how far.
    typed = input(visible(f"Delete session {found.id} for patient {found.patient}, started "
                          f"{shown(found.created, zone)}, {found.status.replace('_', ' ')}, "
                          f"{count} answer{'' if count == 1 else 's'}, for good? ")
                  + "Type the session id to confirm: ").strip().lower()
    return typed == found.id


@app.command(short_help="Show the clinic settings in force.")
def config(ctx: typer.Context) -> None:
    """Show each clinic setting in force and where it comes from."""
    from ketascreen.commands.config import config as settings_lines

    for line in settings_lines(_settings(ctx)):
        _out(line)


def _empty_option(argv: list[str]) -> str | None:
    """The first option given an empty value (--data-dir "", --output=), if any."""
    for index, word in enumerate(argv):
        if word == "--":
            return None
        if word.startswith("--") and word.endswith("=") and len(word) > 3:
            return word[:-1]
        if word.startswith("-") and len(word) > 1 and index + 1 < len(argv) and argv[index + 1] == "":
            return word
    return None


def _global_options_first(argv: list[str]) -> list[str]:
    """``ketascreen config --config FILE`` means what ``ketascreen --config FILE config`` does:
    staff type the settings file where they think of it."""
    if "--" in argv:
        head, tail = argv[:argv.index("--")], argv[argv.index("--"):]
    else:
        head, tail = argv, []
    moved: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(head):
        word = head[index]
        if word == "--config" and index + 1 < len(head) and not head[index + 1].startswith("-"):
            moved += head[index:index + 2]
            index += 2
            continue
        if word.startswith("--config="):
            moved.append(word)
        else:
            rest.append(word)
        index += 1
    return moved + rest + tail


def _plain_argument_names(command: object) -> None:
    """Usage lines as people read them ("SESSION...", "[SESSION...]"), without the Python types
    ("{SESSION...}...", "<list[str]>") that typer shows by default."""
    base = getattr(typer.core, "TyperArgument", None)
    if base is None or not hasattr(base, "_usage_display_name"):
        return  # another typer: its own usage lines stand

    class PlainArgument(base):  # type: ignore[misc,valid-type]
        def _usage_display_name(self) -> str:
            name = str(self.metavar or self.name or "").upper().strip("[]")
            many = "..." if self.nargs != 1 and not name.endswith("...") else ""
            return f"{name}{many}" if self.required else f"[{name}{many}]"

        def display_type_rich(self, ctx: object) -> str:
            return ""

        def _rich_display_name(self) -> str:
            return self._usage_display_name()

    for sub in getattr(command, "commands", {}).values():
        for param in sub.params:
            if type(param) is base:
                param.__class__ = PlainArgument


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 problem, 2 usage, 70 internal error,
    129/130/143 stopped by a closed terminal, Ctrl-C or SIGTERM)."""
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Scripts and support staff ask this often: answer before building the whole command tree.
        sys.stdout.write(f"ketascreen {__version__}\n")
        return ExitStatus.OK
    try:
        from typer._click.exceptions import ClickException  # typer 0.26+ carries its own click
    except ImportError:  # pragma: no cover - older typer on click
        from click.exceptions import ClickException  # type: ignore[import-not-found,no-redef,assignment,unused-ignore]

    command = typer.main.get_command(app)
    _plain_argument_names(command)
    words = sys.argv[1:] if argv is None else argv
    if words and words[-1] == "--config":
        say("--config needs a settings file after it")
        return ExitStatus.USAGE
    empty = _empty_option(words)
    if empty is not None:
        # An unset "$DIR" in a script must not send sessions or files somewhere else.
        say(f"{empty} was given an empty value")
        return ExitStatus.USAGE
    try:
        result = command.main(args=_global_options_first(sys.argv[1:] if argv is None else argv), prog_name="ketascreen", standalone_mode=False)
    except ClickException as error:
        error.show()
        return int(error.exit_code)
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort as abort:
        if isinstance(abort.__cause__, EOFError):
            say("ended: no more input")
            return ExitStatus.PROBLEM
        say("interrupted")
        return ExitStatus.INTERRUPTED
    except KeyboardInterrupt:
        say("interrupted")
        return ExitStatus.INTERRUPTED
    except Stopped as stopped:
        # The interview has said on screen where it stopped; what is left goes to standard error.
        if str(stopped):
            say(str(stopped))
        for line in stopped.lines:
            say(line)
        return stopped.exit_status
    except ProblemsError as error:
        for problem in error.problems:
            say(str(problem), prefix=False)
        return error.exit_status
    except KetascreenError as error:
        say(str(error))
        return error.exit_status
    except BrokenPipeError:
        return ExitStatus.PROBLEM
    except Exception as error:  # a fault of ours: no traceback, which could carry answers
        if os.environ.get("KETASCREEN_DEBUG"):
            raise
        say(f"unexpected internal error ({type(error).__name__}). An interview saves every answer as it is "
            "given, so nothing confirmed is lost. Set KETASCREEN_DEBUG=1 to see the details when reporting it.")
        return ExitStatus.INTERNAL
    return result if isinstance(result, int) else ExitStatus.OK
