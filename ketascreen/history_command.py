"""`ketascreen history PATIENT`: find the patient's sessions through the index, evaluate each on its
own stored questionnaire, and render the series."""

from __future__ import annotations

import sys
from pathlib import Path

from ketascreen.errors import ExitStatus, KetascreenError, UsageError
from ketascreen.evaluate import evaluate_session
from ketascreen.index import Row
from ketascreen.series import Series, Visit, series_of, visit_of
from ketascreen.store import Store, outside_store, write_private
from ketascreen.stored import stored_questionnaire


class UnknownPatient(KetascreenError):
    pass


def patient_visits(store: Store, patient: str, skipped: list[str] | None = None,
                   rows: dict[str, Row] | None = None) -> list[Visit]:
    """Every readable session of the patient as a visit; files that cannot be read are named in
    ``skipped`` (by file, never by patient) and left as they are."""
    from ketascreen.index import patient_files

    visits = []
    for path in patient_files(store, patient, rows):
        try:
            session = store.load(path)
            questionnaire = stored_questionnaire(session)
        except KetascreenError as error:
            if skipped is not None:
                skipped.append(str(error))
            continue
        if session.patient == patient:  # the index is a cache: the file has the last word
            visits.append(visit_of(evaluate_session(questionnaire, session, session.language, history=False, detail=False)))
    return visits


def patient_series(store: Store, patient: str, skipped: list[str] | None = None) -> Series:
    from dataclasses import replace

    from ketascreen.index import refreshed, unreadable_files

    rows = refreshed(store)  # once: the directory is listed a single time
    series = series_of(patient, patient_visits(store, patient, skipped, rows))
    return replace(series, unreadable=len(unreadable_files(store, rows)))


def history_command(patient: str, fmt: str, output: Path | None, data_dir: Path) -> int:
    from ketascreen.render.history import FORMATS, render_history
    from ketascreen.summarize import generated_at

    if fmt not in FORMATS:
        raise UsageError(f"--format takes one of {', '.join(FORMATS)}, not '{fmt}'")
    store = Store(data_dir)
    if output is not None and str(output) != "-":
        outside_store(store.directory, output)
    skipped: list[str] = []
    series = patient_series(store, patient, skipped)
    for problem in skipped:
        print(f"ketascreen: skipped: {problem}", file=sys.stderr)
    if series.unreadable:
        print(f"ketascreen: {series.unreadable} session file(s) in {store.directory} cannot be read, so this "
              "history may lack visits; ketascreen sessions names them", file=sys.stderr)
    if not series.visits:
        # The reference is not repeated: messages can end up in logs, and it identifies a patient.
        raise UnknownPatient(f"no sessions for that patient reference in {store.directory} "
                             "(check the reference as it was typed at the interview)")
    content = render_history(series, fmt, generated_at())
    if output is not None and str(output) != "-":
        write_private(output, content)
        return ExitStatus.OK
    if fmt == "pdf" and sys.stdout.isatty():
        raise UsageError("a PDF is not for the terminal: add --output FILE.pdf")
    sys.stdout.buffer.write(content)
    sys.stdout.flush()
    return ExitStatus.OK
