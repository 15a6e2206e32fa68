"""The command line: parse options, call the core, turn outcomes into exit codes.

Heavy modules (yaml, jsonschema, rich) are imported inside the commands that use them, so that
``ketascreen --version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from ketascreen import __version__
from ketascreen.errors import ExitStatus, KetascreenError, QuestionnaireError

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
    return result if isinstance(result, int) else ExitStatus.OK


def _say(message: str, prefix: bool = True) -> None:
    sys.stderr.write(f"ketascreen: {message}\n" if prefix else f"{message}\n")
    sys.stderr.flush()
