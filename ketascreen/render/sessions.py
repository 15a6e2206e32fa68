"""`ketascreen sessions`: one line per session, with what needs attention today."""

from __future__ import annotations

from datetime import tzinfo

from ketascreen.clock import shown, zone_name
from ketascreen.session import Session
from ketascreen.textsafe import visible


def session_table(sessions: list[Session], attention: dict[str, str] | None = None,
                  zone: tzinfo | None = None) -> str:
    """``attention``: session id → "URGENT 1, contra 2" (urgent and contraindication flags raised so
    far, in progress too), or "?" where the session could not be evaluated. Times in ``zone``
    (None: the machine's), with the zone named once in the heading."""
    attention = attention or {}
    label = zone_name(zone)
    header = ("session", "patient", "staff", "status", "attention", f"started ({label})", f"updated ({label})",
              "questionnaire")
    rows = [header] + [
        (s.id, visible(s.patient), visible(s.staff), s.status.replace("_", " "), attention.get(s.id, ""),
         _short(s.created, zone), _short(s.updated or s.created, zone), f"{s.questionnaire_id} {s.questionnaire_version}")
        for s in sessions
    ]
    if not sessions:
        return "no sessions\n"
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in rows)


def _short(stamp: str, zone: tzinfo | None) -> str:
    """2026-11-29T09:13:02+00:00 -> 2026-11-29 09:13 (in the zone the heading names)"""
    return shown(stamp, zone)[:16]
