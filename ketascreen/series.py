"""A patient's visits in time order: the PHQ-9 at each, its baseline, the change, and whether the
latest total meets response or remission. Facts about scores, never a decision.

Definitions (measurement-based care): the baseline is the patient's first completed session with a
decided PHQ-9 total (complete, or a range of one value); **response** is a later decided total at most
50 % of the baseline; **remission** is a decided total below 5.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketascreen.evaluate import Evaluation
from ketascreen.model import Severity
from ketascreen.session import COMPLETED

RESPONSE_SHARE = 0.5
REMISSION_BELOW = 5
BP_QUESTIONS = ("bp_systolic", "bp_diastolic", "bp_systolic_recheck", "bp_diastolic_recheck")
POST_DOSE_BP = ("bp_systolic_40min", "bp_diastolic_40min", "bp_systolic_discharge", "bp_diastolic_discharge")


@dataclass(frozen=True)
class Visit:
    session: str
    questionnaire: str
    version: str
    date: str  # when the session was started (ISO 8601)
    status: str
    phq9_total: int | None  # decided totals only
    phq9_range: tuple[int, int] | None  # with items missing: the totals still possible
    gad7_total: int | None
    phq9_9: int | None
    bp: dict[str, int | None]  # the first reading and the re-check, by question id
    urgent: tuple[str, ...]  # flag ids raised (covered ones included)
    contraindications: tuple[str, ...]
    raised: tuple[tuple[str, str], ...]  # every flag raised: (id, label)
    completed_once: bool = True  # completed at some time (a visit reopened for an amendment still counts)
    has_phq9: bool = True  # the visit's questionnaire has a PHQ-9 (the record after a dose has none)
    urgent_unassessed: tuple[str, ...] = ()  # urgent flags undecided because of unknown or declined answers

    @property
    def blood_pressure(self) -> tuple[int | None, int | None]:
        """The reading the flags use: the re-check when both its numbers were taken, else the first;
        after a dose, the reading at about 40 minutes."""
        if self.bp.get("bp_systolic_recheck") is not None and self.bp.get("bp_diastolic_recheck") is not None:
            return self.bp["bp_systolic_recheck"], self.bp["bp_diastolic_recheck"]
        if self.bp.get("bp_systolic") is not None or self.bp.get("bp_diastolic") is not None:
            return self.bp.get("bp_systolic"), self.bp.get("bp_diastolic")
        return self.bp.get("bp_systolic_40min"), self.bp.get("bp_diastolic_40min")


@dataclass(frozen=True)
class Series:
    patient: str
    visits: tuple[Visit, ...]
    baseline: Visit | None
    latest: Visit | None  # the most recent visit after the baseline with a decided PHQ-9 total
    change_percent: float | None
    response: bool | None  # None: not decided (no baseline, or no later decided total)
    remission: bool | None
    unreadable: int = 0  # session files in the data directory that could not be read (whose is unknown)
    visits_in_all: int = 0  # for a series cut at one visit: how many visits the patient has had in all

    def previous(self, session_id: str) -> Visit | None:
        """The visit before this one on the same questionnaire (a check before a dose is compared with
        the check before the last dose, not with the record after it), else the one just before."""
        ids = [v.session for v in self.visits]
        if session_id not in ids or ids.index(session_id) == 0:
            return None
        here = self.visits[ids.index(session_id)]
        earlier = self.visits[: ids.index(session_id)]
        same = [v for v in earlier if v.questionnaire == here.questionnaire]
        return same[-1] if same else earlier[-1]


def visit_of(evaluation: Evaluation) -> Visit:
    session = evaluation.session
    scores = {result.id: result for result, _label in evaluation.scores}
    phq9 = scores.get("phq9_total")
    gad7 = scores.get("gad7_total")
    shown = [r for r in evaluation.flags if r.shown]
    item9 = session.value_of("phq9_9")
    not_assessed = tuple(r.flag.id for r in evaluation.unassessed if r.flag.severity is Severity.URGENT
                         and any(w.state in ("unknown", "declined") for w in r.missing))
    return Visit(
        session=session.id,
        questionnaire=session.questionnaire_id,
        version=session.questionnaire_version,
        # A paper form typed in days later is a visit on the day it was filled in.
        date=(session.entered_from() or {}).get("collected_at") or session.created,
        status=session.status,
        phq9_total=phq9.value if phq9 is not None else None,
        phq9_range=(phq9.low, phq9.high) if phq9 is not None and phq9.value is None and phq9.answered else None,
        gad7_total=gad7.value if gad7 is not None else None,
        phq9_9=item9 if isinstance(item9, int) and not isinstance(item9, bool) else None,
        bp={qid: _int(session.value_of(qid)) for qid in (*BP_QUESTIONS, *POST_DOSE_BP)},
        urgent=tuple(r.flag.id for r in shown if r.flag.severity is Severity.URGENT),
        contraindications=tuple(r.flag.id for r in shown if r.flag.severity is Severity.CONTRAINDICATION),
        raised=tuple((r.flag.id, r.flag.label.get()) for r in shown),
        completed_once=session.status == COMPLETED or session.first_completed() is not None,
        has_phq9=phq9 is not None,
        urgent_unassessed=not_assessed,
    )


def series_of(patient: str, visits: list[Visit], up_to: str | None = None) -> Series:
    """The patient's visits oldest first; ``up_to`` a session id: the series as it stood at that visit."""
    ordered = sorted(visits, key=lambda v: (v.date, v.session))
    if up_to is not None:
        ids = [v.session for v in ordered]
        ordered = ordered[: ids.index(up_to) + 1] if up_to in ids else ordered
    # Only visits completed at some time count: an interview abandoned half-way says nothing yet.
    counted = [v for v in ordered if v.completed_once and v.phq9_total is not None]
    baseline = counted[0] if counted else None
    latest = counted[-1] if len(counted) > 1 else None
    change = response = remission = None
    if baseline is not None and latest is not None:
        assert baseline.phq9_total is not None and latest.phq9_total is not None
        if baseline.phq9_total:
            change = round((latest.phq9_total - baseline.phq9_total) / baseline.phq9_total * 100, 1)
        if baseline.phq9_total >= REMISSION_BELOW:
            # From a baseline already below 5 (minimal), response and remission say nothing.
            response = latest.phq9_total <= baseline.phq9_total * RESPONSE_SHARE
            remission = latest.phq9_total < REMISSION_BELOW
    return Series(patient, tuple(ordered), baseline, latest, change, response, remission)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
