"""The command line: parse options, call the core, turn outcomes into exit codes.

Heavy modules (yaml, jsonschema, rich) are imported inside the commands that use them, so that
``ketascreen --version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from ketascreen import __version__
from ketascreen.errors import ExitStatus, KetascreenError, QuestionnaireError, UsageError

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
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version, is_eager=True),
) -> None:
    """Pre-treatment screening for ketamine treatment of depression."""


@app.command()
def validate(
    questionnaires: List[str] = typer.Argument(..., metavar="FILE_OR_ID...", help="Questionnaire files or bundled ids."),
) -> None:
    """Check questionnaire files: every problem, one line each as FILE:LINE:COL: message."""
    from ketascreen.loading.load import check_file, find_questionnaire

    failed = 0
    for name in questionnaires:
        try:
            path = find_questionnaire(name)
        except KetascreenError as error:
            typer.echo(str(error))
            failed += 1
            continue
        _, problems = check_file(path, name)
        for problem in problems:
            typer.echo(str(problem))
        if problems:
            failed += 1
            count = len(problems)
            typer.echo(f"{name}: {count} problem{'s' if count != 1 else ''}", err=True)
        else:
            typer.echo(f"{name}: ok", err=True)
    raise typer.Exit(ExitStatus.PROBLEM if failed else ExitStatus.OK)


@app.command()
def schema() -> None:
    """Print the questionnaire format's JSON Schema (for editor completion and checking)."""
    from ketascreen.loading.schema import schema_text

    sys.stdout.write(schema_text())


@app.command(name="list")
def list_() -> None:
    """List the bundled questionnaires."""
    from ketascreen.loading.load import bundled_ids, load_questionnaire
    from ketascreen.render.outline import listing

    rows = [(qid, load_questionnaire(qid)) for qid in bundled_ids()]
    sys.stdout.write(listing(rows))


@app.command()
def show(
    questionnaire: str = typer.Argument(..., metavar="FILE_OR_ID", help="A questionnaire file or bundled id."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Show text in this language where the file has it."),
) -> None:
    """Show a questionnaire as an outline: questions, skip logic, flag rules and scores in words."""
    from ketascreen.loading.load import load_questionnaire
    from ketascreen.render.outline import outline

    sys.stdout.write(outline(load_questionnaire(questionnaire), lang))


DATA_DIR_HELP = "Where sessions are kept (default: the user's data directory; also KETASCREEN_DATA_DIR)."


def _data_dir(value: Optional[Path]) -> Path:
    from ketascreen.store import default_data_dir

    return value if value is not None else default_data_dir()


@app.command()
def run(
    questionnaire: str = typer.Argument("ketamine-pretreatment", metavar="[QUESTIONNAIRE]",
                                        help="A bundled id or a questionnaire file."),
    patient: Optional[str] = typer.Option(None, "--patient", help="The chart or record number (asked if missing)."),
    staff: Optional[str] = typer.Option(None, "--staff", help="Your initials (asked if missing)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
    answers: Optional[Path] = typer.Option(None, "--answers", help="A YAML or JSON file of answers (paper forms, scripts)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Ask in this language where the questionnaire has it."),
    plain: bool = typer.Option(False, "--plain", help="No colour or boxes, one line per prompt (also with NO_COLOR or TERM=dumb)."),
) -> None:
    """Interview a patient: every answer is saved as soon as it is given."""
    from ketascreen.flows import run as run_flow

    raise typer.Exit(run_flow(questionnaire, patient, staff, _data_dir(data_dir), answers, lang, plain))


@app.command()
def resume(
    session: str = typer.Argument(..., metavar="SESSION", help="A session id or session file."),
    amend: bool = typer.Option(False, "--amend", help="Reopen a completed session to correct it (recorded in the audit trail)."),
    staff: Optional[str] = typer.Option(None, "--staff", help="Your initials, for an amendment (asked if missing)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
    plain: bool = typer.Option(False, "--plain", help="No colour or boxes, one line per prompt."),
) -> None:
    """Continue an interview where it stopped, on the questionnaire version it began with."""
    from ketascreen.flows import resume as resume_flow

    raise typer.Exit(resume_flow(session, _data_dir(data_dir), amend, staff, plain))


@app.command()
def sessions(
    status: Optional[str] = typer.Option(None, "--status", help="Only sessions with this status: in_progress or completed."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """List sessions, newest first."""
    from ketascreen.render.sessions import session_table
    from ketascreen.session import COMPLETED, IN_PROGRESS
    from ketascreen.store import Store

    if status is not None and status not in (IN_PROGRESS, COMPLETED):
        raise UsageError(f"--status takes {IN_PROGRESS} or {COMPLETED}, not '{status}'")
    found = []
    for path, session, problem in Store(_data_dir(data_dir)).sessions():
        if session is None:
            _say(f"skipped: {problem}")
        elif status is None or session.status == status:
            found.append(session)
    found.sort(key=lambda s: (s.created, s.id), reverse=True)
    sys.stdout.write(session_table(found))


@app.command()
def summary(
    sessions: List[str] = typer.Argument(..., metavar="SESSION...", help="Session ids or session files."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, markdown, html, json or pdf."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (one session)."),
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", help="Write one file per session into this directory."),
    send_to_printer: bool = typer.Option(False, "--print", help="Send the summary to the printer with lp (PDF)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """The clinician summary: flags first with their evidence, then what could not be assessed, scores and every answer."""
    from ketascreen.summary_command import summary_command

    raise typer.Exit(summary_command(sessions, fmt, output, output_dir, send_to_printer, _data_dir(data_dir)))


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 problem, 2 usage, 130 interrupted)."""
    try:
        from typer._click.exceptions import ClickException  # typer 0.29+ carries its own click
    except ImportError:  # pragma: no cover - older typer on click
        from click.exceptions import ClickException  # type: ignore[no-redef]

    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="ketascreen", standalone_mode=False)
    except ClickException as error:
        error.show()
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort as abort:
        if isinstance(abort.__cause__, EOFError):
            _say("ended: no more input")
            return ExitStatus.PROBLEM
        _say("interrupted")
        return ExitStatus.INTERRUPTED
    except KeyboardInterrupt:
        _say("interrupted")
        return ExitStatus.INTERRUPTED
    except QuestionnaireError as error:
        for problem in error.problems:
            _say(str(problem), prefix=False)
        return error.exit_status
    except KetascreenError as error:
        _say(str(error))
        return error.exit_status
    except BrokenPipeError:
        return ExitStatus.PROBLEM
    except Exception as error:  # a fault of ours: no traceback, which could carry answers
        if os.environ.get("KETASCREEN_DEBUG"):
            raise
        _say(f"unexpected internal error ({type(error).__name__}). Answers already given are saved. "
             "Set KETASCREEN_DEBUG=1 to see the details when reporting it.")
        return ExitStatus.PROBLEM
    return result if isinstance(result, int) else ExitStatus.OK


def _say(message: str, prefix: bool = True) -> None:
    sys.stderr.write(f"ketascreen: {message}\n" if prefix else f"{message}\n")
    sys.stderr.flush()
