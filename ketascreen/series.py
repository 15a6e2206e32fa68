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

    @property
    def blood_pressure(self) -> tuple[int | None, int | None]:
        """The reading the flags use: the re-check when one was taken, else the first."""
        systolic = self.bp.get("bp_systolic_recheck") or self.bp.get("bp_systolic")
        diastolic = self.bp.get("bp_diastolic_recheck") or self.bp.get("bp_diastolic")
        return systolic, diastolic


@dataclass(frozen=True)
class Series:
    patient: str
    visits: tuple[Visit, ...]
    baseline: Visit | None
    latest: Visit | None  # the most recent visit after the baseline with a decided PHQ-9 total
    change_percent: float | None
    response: bool | None  # None: not decided (no baseline, or no later decided total)
    remission: bool | None

    def previous(self, session_id: str) -> Visit | None:
        ids = [v.session for v in self.visits]
        index = ids.index(session_id) if session_id in ids else -1
        return self.visits[index - 1] if index > 0 else None


def visit_of(evaluation: Evaluation) -> Visit:
    session = evaluation.session
    scores = {result.id: result for result, _label in evaluation.scores}
    phq9 = scores.get("phq9_total")
    gad7 = scores.get("gad7_total")
    shown = [r for r in evaluation.flags if r.shown]
    item9 = session.value_of("phq9_9")
    return Visit(
        session=session.id,
        questionnaire=session.questionnaire_id,
        version=session.questionnaire_version,
        date=session.created,
        status=session.status,
        phq9_total=phq9.value if phq9 is not None else None,
        phq9_range=(phq9.low, phq9.high) if phq9 is not None and phq9.value is None and phq9.answered else None,
        gad7_total=gad7.value if gad7 is not None else None,
        phq9_9=item9 if isinstance(item9, int) and not isinstance(item9, bool) else None,
        bp={qid: _int(session.value_of(qid)) for qid in BP_QUESTIONS},
        urgent=tuple(r.flag.id for r in shown if r.flag.severity is Severity.URGENT),
        contraindications=tuple(r.flag.id for r in shown if r.flag.severity is Severity.CONTRAINDICATION),
        raised=tuple((r.flag.id, r.flag.label.get(evaluation.session.language)) for r in shown),
    )


def series_of(patient: str, visits: list[Visit], up_to: str | None = None) -> Series:
    """The patient's visits oldest first; ``up_to`` a session id: the series as it stood at that visit."""
    ordered = sorted(visits, key=lambda v: (v.date, v.session))
    if up_to is not None:
        ids = [v.session for v in ordered]
        ordered = ordered[: ids.index(up_to) + 1] if up_to in ids else ordered
    baseline = next((v for v in ordered if v.status == COMPLETED and v.phq9_total is not None), None)
    latest = None
    if baseline is not None:
        later = [v for v in ordered[ordered.index(baseline) + 1:] if v.phq9_total is not None]
        latest = later[-1] if later else None
    change = response = remission = None
    if baseline is not None and latest is not None:
        assert baseline.phq9_total is not None and latest.phq9_total is not None
        if baseline.phq9_total:
            change = round((latest.phq9_total - baseline.phq9_total) / baseline.phq9_total * 100, 1)
        response = latest.phq9_total <= baseline.phq9_total * RESPONSE_SHARE
        remission = latest.phq9_total < REMISSION_BELOW
    return Series(patient, tuple(ordered), baseline, latest, change, response, remission)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
