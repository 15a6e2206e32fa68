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


def since_baseline(series: Series, session_id: str) -> list[str]:
    """The "Since baseline" block of one visit's summary: the series as it stood at that visit."""
    ids = [v.session for v in series.visits]
    if session_id not in ids or len(ids) < 2:
        return []
    here = series.visits[ids.index(session_id)]
    lines = [f"Visit {ids.index(session_id) + 1} of {len(ids)} for this patient"]
    if series.baseline is None:
        lines.append("PHQ-9 baseline: none yet (no completed visit with a decided PHQ-9 total)")
    elif series.baseline.session == session_id:
        lines.append(f"PHQ-9 {series.baseline.phq9_total}: this visit is the baseline")
    elif series.latest is not None and series.latest.session == session_id:
        lines.append(f"PHQ-9 since baseline: {change_words(series)} (baseline {series.baseline.date[:10]})")
        lines.append("Response (a PHQ-9 total at most 50 % of baseline): " + ("yes" if series.response else "no")
                     + f"; remission (a PHQ-9 total below {REMISSION_BELOW}): " + ("yes" if series.remission else "no"))
    else:
        lines.append(f"PHQ-9 baseline {series.baseline.phq9_total} ({series.baseline.date[:10]}); this visit's PHQ-9 "
                     f"is {phq9_words(here)}, not decided, so response and remission are not worked out")
    previous = series.previous(session_id)
    if previous is not None:
        lines.append(f"Previous visit ({previous.date[:10]}, {previous.questionnaire}): blood pressure {bp_words(previous)}")
        before = {fid for fid, _label in previous.raised}
        new = [label for fid, label in here.raised if fid not in before]
        lines.append("New since the previous visit: " + ("; ".join(new) if new else "no flag"))
    return lines


def phq9_words(visit: Visit) -> str:
    if visit.phq9_total is not None:
        return str(visit.phq9_total)
    if visit.phq9_range is not None:
        return f"{visit.phq9_range[0]}–{visit.phq9_range[1]}"
    return "—"


def bp_words(visit: Visit) -> str:
    first = visit.bp.get("bp_systolic"), visit.bp.get("bp_diastolic")
    again = visit.bp.get("bp_systolic_recheck"), visit.bp.get("bp_diastolic_recheck")
    words = f"{first[0] or '—'}/{first[1] or '—'}" if any(first) else "—"
    if any(again):
        words += f" ({again[0] or '—'}/{again[1] or '—'})"
    return words
