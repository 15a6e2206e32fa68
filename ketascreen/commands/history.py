"""`ketascreen history PATIENT`: find the patient's sessions through the index, evaluate each on its
own stored questionnaire, and render the series."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from ketascreen.clock import local_iso
from ketascreen.commands import Warn
from ketascreen.errors import KetascreenError, UsageError
from ketascreen.evaluate import evaluate_session
from ketascreen.formats import SUMMARY_FORMATS, names
from ketascreen.index import Row
from ketascreen.series import Series, Visit, series_of, visit_of
from ketascreen.store import Store, outside_store, write_private
from ketascreen.stored import stored_questionnaire


class UnknownPatient(KetascreenError):
    pass


def patient_visits(store: Store, patient: str, skipped: list[str] | None = None,
                   rows: dict[str, Row] | None = None) -> list[Visit]:
    """Every readable session of the patient as a visit, dated as recorded; files that cannot be
    read are named in ``skipped`` (by file, never by patient) and left as they are."""
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
            visits.append(visit_of(evaluate_session(questionnaire, session, None, history=False,
                                                    detail=False)))
    return visits


def dated_in(series: Series, zone: tzinfo | None) -> Series:
    """Visit dates moved into the clinic's zone, for what a person reads: a visit late in the
    evening is on that evening's date. JSON keeps the dates as recorded."""
    def moved(visit: Visit) -> Visit:
        return replace(visit, date=local_iso(visit.date, zone))

    return replace(series, visits=tuple(moved(v) for v in series.visits),
                   baseline=series.baseline and moved(series.baseline), latest=series.latest and moved(series.latest))


def patient_series(store: Store, patient: str, skipped: list[str] | None = None) -> Series:
    from ketascreen.index import refreshed, unreadable_files

    rows = refreshed(store)  # once: the directory is listed a single time
    series = series_of(patient, patient_visits(store, patient, skipped, rows))
    return replace(series, unreadable=len(unreadable_files(store, rows)))


def history(patient: str, fmt: str, output: Path | None, data_dir: Path, warn: Warn,
            zone: tzinfo | None = None) -> bytes | None:
    """The rendered history; written to ``output`` (then None), else returned for standard output."""
    from ketascreen.summarize import generated_at

    chosen = SUMMARY_FORMATS.get(fmt)
    if chosen is None:
        raise UsageError(f"--format takes one of {names(SUMMARY_FORMATS)}, not '{fmt}'")
    store = Store(data_dir)
    if output is not None and str(output) == "-":
        output = None  # "-o -": standard output
    if output is not None:
        outside_store(store.directory, output)
    skipped: list[str] = []
    series = patient_series(store, patient, skipped)
    for problem in skipped:
        warn(f"skipped: {problem}")
    if series.unreadable:
        warn(f"{series.unreadable} session file(s) in {store.directory} cannot be read, so this "
             "history may lack visits; ketascreen sessions names them")
    if not series.visits:
        # The reference is not repeated: messages can end up in logs, and it identifies a patient.
        raise UnknownPatient(f"no sessions for that patient reference in {store.directory} "
                             "(check the reference as it was typed at the interview)")
    generated = generated_at()
    if fmt == "json":
        content = chosen.render_history(series, generated)  # every time as recorded
    else:
        local = generated.astimezone(zone) if zone is not None else generated.astimezone()
        content = chosen.render_history(dated_in(series, zone), local)
    if output is not None:
        write_private(output, content)
        return None
    return content
