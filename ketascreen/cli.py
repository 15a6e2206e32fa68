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
from ketascreen.errors import ExitStatus, KetascreenError, ProblemsError, UsageError

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
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version, is_eager=True),
    config: Optional[Path] = typer.Option(None, "--config", help="Clinic settings file (also KETASCREEN_CONFIG)."),
) -> None:
    """Pre-treatment screening for ketamine treatment of depression."""
    ctx.obj = {"config": config}


def _settings(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """The clinic settings, read once per command."""
    from ketascreen.settings import load_settings

    root = ctx.find_root()
    if root.obj is None:
        root.obj = {"config": None}
    if "settings" not in root.obj:
        root.obj["settings"] = load_settings(root.obj.get("config"))
    return root.obj["settings"]


@app.command()
def validate(
    questionnaires: List[str] = typer.Argument(..., metavar="FILE_OR_ID...", help="Questionnaire files or bundled ids."),
    strict: bool = typer.Option(False, "--strict", help="Treat the safety lint's warnings as errors."),
) -> None:
    """Check questionnaire files: every problem, one line each as FILE:LINE:COL: message, then the
    safety lint's warnings (rules that are valid but probably not what was meant)."""
    from ketascreen.loading.load import check_file, find_questionnaire

    failed = 0
    for name in questionnaires:
        try:
            path = find_questionnaire(name)
        except KetascreenError as error:
            typer.echo(_safe(str(error)))
            failed += 1
            continue
        _, problems = check_file(path, name, lint=True)
        for problem in problems:
            typer.echo(_safe(str(problem)))
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        if errors or (strict and warnings):
            failed += 1
        if errors:
            typer.echo(f"{name}: {errors} problem{'s' if errors != 1 else ''}", err=True)
        elif warnings:
            typer.echo(f"{name}: ok, with {warnings} warning{'s' if warnings != 1 else ''}"
                       + (" (errors with --strict)" if strict else ""), err=True)
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
    from ketascreen.textsafe import visible

    rows = [(qid, load_questionnaire(qid)) for qid in bundled_ids()]
    sys.stdout.write(visible(listing(rows)))


@app.command()
def show(
    questionnaire: str = typer.Argument(..., metavar="FILE_OR_ID", help="A questionnaire file or bundled id."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Show text in this language where the file has it."),
) -> None:
    """Show a questionnaire as an outline: questions, skip logic, flag rules and scores in words."""
    from ketascreen.loading.load import load_questionnaire
    from ketascreen.render.outline import outline
    from ketascreen.textsafe import visible

    sys.stdout.write(visible(outline(load_questionnaire(questionnaire), lang)))


@app.command()
def init(
    file: Path = typer.Argument(Path("clinic.yaml"), help="Where to write the starter clinic file."),
) -> None:
    """Write a starter clinic file that extends the bundled questionnaire, with commented examples."""
    from ketascreen.starter import write_starter

    for written in write_starter(file):
        typer.echo(f"wrote {written}")
    typer.echo(f"next: edit {file}, then run: ketascreen validate {file}")


@app.command(name="diff")
def diff_(
    old: str = typer.Argument(..., metavar="OLD", help="The earlier questionnaire (file or bundled id)."),
    new: str = typer.Argument(..., metavar="NEW", help="The later questionnaire (file or bundled id)."),
) -> None:
    """What changed between two versions of a questionnaire; exit 0 when equal, 1 when they differ."""
    from ketascreen.diff import diff
    from ketascreen.loading.load import load_questionnaire
    from ketascreen.textsafe import visible

    changes = diff(load_questionnaire(old), load_questionnaire(new))
    for line in changes:
        typer.echo(visible(line))
    if not changes:
        typer.echo("no differences")
    raise typer.Exit(ExitStatus.PROBLEM if changes else ExitStatus.OK)


@app.command(name="test")
def test_(
    scenarios: List[str] = typer.Argument(..., metavar="SCENARIOS...", help="Scenario files, or a bundled questionnaire id."),
) -> None:
    """Run scenario tests: given these answers, these flags and scores must follow."""
    from ketascreen.scenarios import find_scenarios, run_scenarios

    failed = total = 0
    for name in scenarios:
        path = find_scenarios(name)
        _, outcomes = run_scenarios(path)
        for outcome in outcomes:
            total += 1
            typer.echo(f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.name}  ({path}:{outcome.line})")
            for difference in outcome.differences:
                typer.echo(f"      {difference}")
            for warning in outcome.warnings:
                typer.echo(f"      warning: {warning}")
            failed += not outcome.passed
    typer.echo(f"{total} scenarios: {total - failed} passed, {failed} failed")
    raise typer.Exit(ExitStatus.PROBLEM if failed else ExitStatus.OK)


DATA_DIR_HELP = "Where sessions are kept (default: the user's data directory; also KETASCREEN_DATA_DIR)."


def _data_dir(ctx: typer.Context, value: Optional[Path]) -> Path:
    """--data-dir or KETASCREEN_DATA_DIR, else the settings file's data_dir, else the user's data directory."""
    from ketascreen.store import default_data_dir

    if value is not None:
        return value
    configured = _settings(ctx).get("data_dir")
    return Path(configured) if configured else default_data_dir()


@app.command()
def run(
    ctx: typer.Context,
    questionnaire: Optional[str] = typer.Argument(None, metavar="[QUESTIONNAIRE]",
                                                  help="A bundled id or a questionnaire file (default: the settings' "
                                                  "default_questionnaire, else ketamine-pretreatment)."),
    patient: Optional[str] = typer.Option(None, "--patient", help="The chart or record number (asked if missing)."),
    staff: Optional[str] = typer.Option(None, "--staff", help="Your initials (asked if missing)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
    answers: Optional[Path] = typer.Option(None, "--answers", help="A YAML or JSON file of answers (paper forms, scripts)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Ask in this language where the questionnaire has it."),
    plain: bool = typer.Option(False, "--plain", help="No colour or boxes, one line per prompt (also with NO_COLOR or TERM=dumb)."),
) -> None:
    """Interview a patient: every answer is saved as soon as it is given."""
    from ketascreen.flows import run as run_flow

    settings = _settings(ctx)
    chosen = questionnaire or settings.get("default_questionnaire") or "ketamine-pretreatment"
    raise typer.Exit(run_flow(chosen, patient, staff, _data_dir(ctx, data_dir), answers, lang, plain,
                              settings.get("clinic_name")))


@app.command()
def resume(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION", help="A session id or session file."),
    amend: bool = typer.Option(False, "--amend", help="Reopen a completed session to correct it (recorded in the audit trail)."),
    staff: Optional[str] = typer.Option(None, "--staff", help="Your initials, for an amendment (asked if missing)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the completed session is amended (asked if missing; shown on the summary)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
    plain: bool = typer.Option(False, "--plain", help="No colour or boxes, one line per prompt."),
) -> None:
    """Continue an interview where it stopped, on the questionnaire version it began with."""
    from ketascreen.flows import resume as resume_flow

    raise typer.Exit(resume_flow(session, _data_dir(ctx, data_dir), amend, staff, plain, _settings(ctx).get("clinic_name"),
                                 reason))


@app.command()
def sessions(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(None, "--status", help="Only sessions with this status: in_progress or completed."),
    patient: Optional[str] = typer.Option(None, "--patient", help="Only this patient's sessions (the reference as typed)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only sessions started on or after this date (2026-11-01)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """List sessions, newest first, with the urgent and contraindication flags raised so far."""
    from datetime import date

    from ketascreen.render.sessions import session_table
    from ketascreen.session import COMPLETED, IN_PROGRESS
    from ketascreen.store import Store, StoreError

    if status is not None and status not in (IN_PROGRESS, COMPLETED):
        raise UsageError(f"--status takes {IN_PROGRESS} or {COMPLETED}, not '{status}'")
    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since takes a date as year-month-day (2026-11-01), not '{since}'") from None
    store = Store(_data_dir(ctx, data_dir))
    if patient is not None:
        from ketascreen.index import patient_files

        listed = []
        for path in patient_files(store, patient):
            try:
                listed.append((path, store.load(path), ""))
            except StoreError as error:
                listed.append((path, None, str(error)))
    else:
        listed = list(store.sessions())
    found = []
    for path, session, problem in listed:
        if session is None:
            _say(f"skipped: {problem}")
        elif ((status is None or session.status == status) and (patient is None or session.patient == patient)
              and (since is None or session.created[:10] >= since)):
            found.append(session)
    found.sort(key=lambda s: (s.created, s.id), reverse=True)
    sys.stdout.write(session_table(found, {s.id: _attention(s) for s in found}))


def _attention(session):  # type: ignore[no-untyped-def]
    """"URGENT 1, contra 2" for a session; "?" when its stored copy cannot be read (the reason is
    given by summary, which refuses it)."""
    from ketascreen.attention import attention
    from ketascreen.evaluate import evaluate_session
    from ketascreen.stored import stored_questionnaire

    try:
        return attention(evaluate_session(stored_questionnaire(session), session, history=False, detail=False)).words()
    except KetascreenError:
        return "?"


@app.command()
def history(
    ctx: typer.Context,
    patient: str = typer.Argument(..., metavar="PATIENT", help="The patient reference, as typed at the interview."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, markdown, html, json or pdf."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """A patient's visits, oldest first: PHQ-9 since baseline, response and remission, and charts."""
    from ketascreen.history_command import history_command

    raise typer.Exit(history_command(patient, fmt, output, _data_dir(ctx, data_dir)))


@app.command()
def summary(
    ctx: typer.Context,
    sessions: List[str] = typer.Argument(..., metavar="SESSION...", help="Session ids or session files."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="text, markdown, html, json or pdf (default: the settings' summary_format, else text)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (one session)."),
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", help="Write one file per session into this directory."),
    send_to_printer: bool = typer.Option(False, "--print", help="Send the summary to the printer with lp (PDF)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """The clinician summary: flags first with their evidence, then what could not be assessed, scores and every answer."""
    from ketascreen.summary_command import summary_command

    settings = _settings(ctx)
    raise typer.Exit(summary_command(sessions, fmt or settings.get("summary_format") or "text", output, output_dir,
                                     send_to_printer, _data_dir(ctx, data_dir), settings.get("clinic_name"),
                                     settings.get("printer")))


@app.command()
def export(
    ctx: typer.Context,
    sessions: Optional[List[str]] = typer.Argument(None, metavar="[SESSION...]", help="Session ids or files (default: every session)."),
    fmt: str = typer.Option(..., "--format", "-f", help="csv (one table) or fhir (a QuestionnaireResponse per session)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", help="FHIR: one file per session in this directory."),
    status: Optional[str] = typer.Option(None, "--status", help="Only sessions with this status: in_progress or completed."),
    since: Optional[str] = typer.Option(None, "--since", help="Only sessions started on or after this date (2026-11-01)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """Export sessions for a spreadsheet (CSV) or an electronic health record (FHIR R4)."""
    from ketascreen.export_command import export_command

    raise typer.Exit(export_command(sessions or [], fmt, output, output_dir, status, since, _data_dir(ctx, data_dir)))


@app.command(name="export-questionnaire")
def export_questionnaire(
    questionnaire: str = typer.Argument(..., metavar="ID_OR_FILE", help="A bundled id or a questionnaire file."),
    fmt: str = typer.Option("fhir", "--format", "-f", help="fhir (a FHIR R4 Questionnaire; the only format, the default)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Export a questionnaire as a FHIR R4 Questionnaire."""
    from ketascreen.export_command import export_questionnaire_command

    raise typer.Exit(export_questionnaire_command(questionnaire, fmt, output))


@app.command()
def delete(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION", help="A session id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="KETASCREEN_DATA_DIR", help=DATA_DIR_HELP),
) -> None:
    """Delete a session for good (after a confirmation), leaving no file of it behind."""
    from ketascreen.store import Store

    store = Store(_data_dir(ctx, data_dir))
    path = store.resolve(session)
    if path.parent.resolve() != store.directory.resolve():
        raise UsageError("delete takes a session id from the data directory, not a path elsewhere")
    found = store.load(path)
    with store.lock(found.id):
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError("deleting needs a confirmation at a terminal, or --yes")
            from ketascreen.textsafe import visible

            count = len(found.answers)
            # Enough to be sure it is the right one: whose, when, how far.
            typed = input(visible(f"Delete session {found.id} for patient {found.patient}, started "
                                  f"{found.created[:16].replace('T', ' ')}, {found.status.replace('_', ' ')}, "
                                  f"{count} answer{'' if count == 1 else 's'}, for good? ")
                          + "Type the session id to confirm: ").strip().lower()
            if typed != found.id:
                typer.echo("Not deleted.")
                raise typer.Exit(ExitStatus.PROBLEM)
        store.delete(found.id)
    typer.echo(f"deleted session {found.id}")


@app.command()
def config(ctx: typer.Context) -> None:
    """Show each clinic setting in force and where it comes from."""
    from ketascreen.settings import KEYS, find_config

    settings = _settings(ctx)
    path, why = find_config(ctx.find_root().obj.get("config"))
    typer.echo(f"settings file: {path} ({why})" if path else "settings file: none (defaults in force)")
    for key in KEYS:
        value = settings.get(key)
        shown = value if value is not None else "—"
        source = settings.sources[key]
        if key == "data_dir" and os.environ.get("KETASCREEN_DATA_DIR"):
            shown, source = os.environ["KETASCREEN_DATA_DIR"], "KETASCREEN_DATA_DIR"
        elif key == "data_dir" and value is None:
            from ketascreen.store import default_data_dir

            shown = str(default_data_dir())
        typer.echo(_safe(f"{key}: {shown}  [{source}]"))


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 problem, 2 usage, 130 interrupted)."""
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Scripts and support staff ask this often: answer before building the whole command tree.
        sys.stdout.write(f"ketascreen {__version__}\n")
        return ExitStatus.OK
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
    except ProblemsError as error:
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
        _say(f"unexpected internal error ({type(error).__name__}). An interview saves every answer as it is "
             "given, so nothing confirmed is lost. Set KETASCREEN_DEBUG=1 to see the details when reporting it.")
        return ExitStatus.PROBLEM
    return result if isinstance(result, int) else ExitStatus.OK


def _safe(text: str) -> str:
    """Messages name what is in files and on the command line: shown, never obeyed by the terminal."""
    from ketascreen.textsafe import visible

    return visible(text)


def _say(message: str, prefix: bool = True) -> None:
    message = _safe(message)
    sys.stderr.write(f"ketascreen: {message}\n" if prefix else f"{message}\n")
    sys.stderr.flush()
