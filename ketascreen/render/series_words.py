"""Words for a patient's series, shared by the history and by each visit's summary. Pure functions."""

from __future__ import annotations

from ketascreen.series import REMISSION_BELOW, Series, Visit

MINUS = "−"


def change_words(series: Series) -> str | None:
    """'22 → 4 (−82 %)' from the baseline to the latest decided PHQ-9 total."""
    if series.baseline is None or series.latest is None:
        return None
    words = f"{series.baseline.phq9_total} → {series.latest.phq9_total}"
    if series.change_percent is not None:
        sign = MINUS if series.change_percent < 0 else "+" if series.change_percent > 0 else ""
        words += f" ({sign}{abs(round(series.change_percent)):g} %)"
    return words


def response_words(series: Series) -> str:
    """Response and remission of the latest decided total, as facts about scores."""
    base = series.baseline
    if base is not None and base.phq9_total is not None and base.phq9_total < REMISSION_BELOW:
        return (f"Response and remission: not applicable, the baseline PHQ-9 ({base.phq9_total}) is below "
                f"{REMISSION_BELOW}")
    return ("Response (a PHQ-9 total at most 50 % of baseline): " + ("yes" if series.response else "no")
            + f"; remission (a PHQ-9 total below {REMISSION_BELOW}): " + ("yes" if series.remission else "no"))


def since_baseline(series: Series, session_id: str) -> list[str]:
    """The "Since baseline" block of one visit's summary: the series as it stood at that visit."""
    ids = [v.session for v in series.visits]
    total = max(series.visits_in_all, len(ids))
    if session_id not in ids or total < 2:
        return []
    here = series.visits[ids.index(session_id)]
    lines = [f"Visit {ids.index(session_id) + 1} of {total} for this patient"]
    if not here.has_phq9:
        if series.baseline is not None and series.latest is not None:
            lines.append(f"This record has no PHQ-9; at the last visit with one, PHQ-9 since baseline: "
                         f"{change_words(series)}")
    elif series.baseline is None:
        lines.append("PHQ-9 baseline: none yet (no completed visit with a decided PHQ-9 total)")
    elif series.baseline.session == session_id:
        lines.append(f"PHQ-9 {series.baseline.phq9_total}: this visit is the baseline")
    elif series.latest is not None and series.latest.session == session_id:
        lines.append(f"PHQ-9 since baseline: {change_words(series)} (baseline {series.baseline.date[:10]})")
        lines.append(response_words(series))
    else:
        state = "not decided" if here.completed_once else "not confirmed (the visit is not completed)"
        lines.append(f"PHQ-9 baseline {series.baseline.phq9_total} ({series.baseline.date[:10]}); this visit's PHQ-9 "
                     f"is {phq9_words(here)}, {state}, so response and remission are not worked out")
    previous = series.previous(session_id)
    if previous is not None:
        lines.append(f"Previous {previous.questionnaire} visit ({previous.date[:10]}): blood pressure {bp_words(previous)}")
        before = {fid for fid, _label in previous.raised}
        new = [label for fid, label in here.raised if fid not in before]
        lines.append("New since that visit: " + ("; ".join(new) if new else "no flag"))
    return lines


def phq9_words(visit: Visit) -> str:
    if visit.phq9_total is not None:
        return str(visit.phq9_total)
    if visit.phq9_range is not None:
        return f"{visit.phq9_range[0]}–{visit.phq9_range[1]}"
    return "—"


def bp_words(visit: Visit) -> str:
    """First reading (re-check), or after a dose: the readings at 40 minutes and at discharge."""
    def pair(systolic: str, diastolic: str) -> str | None:
        a, b = visit.bp.get(systolic), visit.bp.get(diastolic)
        return None if a is None and b is None else f"{a if a is not None else '—'}/{b if b is not None else '—'}"

    first, again = pair("bp_systolic", "bp_diastolic"), pair("bp_systolic_recheck", "bp_diastolic_recheck")
    if first is not None or again is not None:
        return (first or "—") + (f" ({again})" if again else "")
    after = [f"{when} {reading}" for when, reading in (("40 min", pair("bp_systolic_40min", "bp_diastolic_40min")),
                                                      ("discharge", pair("bp_systolic_discharge", "bp_diastolic_discharge")))
             if reading]
    return ", ".join(after) or "—"
