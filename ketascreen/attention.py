"""Findings that need attention during the interview itself, not only in the summary: an urgent
flag stops the interview until staff acknowledge it; a possible contraindication is pointed out.
Pure functions of an evaluation; the terminal decides how to show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketascreen.evaluate import Evaluation, FlagResult
from ketascreen.model import Severity, Text
from ketascreen.session import Session
from ketascreen.textsafe import visible
from ketascreen.wording import language_name

ACKNOWLEDGED = "urgent_acknowledged"


@dataclass(frozen=True)
class Attention:
    """How many urgent and contraindication flags are raised so far (covered ones included), and
    how many urgent flags cannot be assessed because an answer they need is unknown or declined."""

    urgent: int
    contraindications: int
    urgent_unassessed: int = 0

    def words(self) -> str:
        """``URGENT 1, contra 2``: capitals where a person must act today."""
        parts = []
        if self.urgent:
            parts.append(f"URGENT {self.urgent}")
        if self.urgent_unassessed:
            parts.append(f"URGENT NOT ASSESSED {self.urgent_unassessed}")
        if self.contraindications:
            parts.append(f"contra {self.contraindications}")
        return ", ".join(parts)


def attention(evaluation: Evaluation) -> Attention:
    shown = [r for r in evaluation.flags if r.shown]
    # An answer still to be given is not a finding; "unknown" or "declined" on a suicide question is.
    not_assessed = [r for r in evaluation.unassessed if r.flag.severity is Severity.URGENT
                    and any(w.state in ("unknown", "declined") for w in r.missing)]
    return Attention(sum(r.flag.severity is Severity.URGENT for r in shown),
                     sum(r.flag.severity is Severity.CONTRAINDICATION for r in shown), len(not_assessed))


def pressing(evaluation: Evaluation) -> dict[str, FlagResult]:
    """Urgent and contraindication flags raised now, by id."""
    return {r.flag.id: r for r in evaluation.flags
            if r.shown and r.flag.severity in (Severity.URGENT, Severity.CONTRAINDICATION)}


def urgent_raised(evaluation: Evaluation) -> list[FlagResult]:
    return [r for r in evaluation.flags if r.shown and r.flag.severity is Severity.URGENT]


def acknowledged(session: Session) -> set[str]:
    """Urgent flags staff have acknowledged at the interview (the audit trail records each)."""
    return {str(e.get("flag")) for e in session.audit if e.get("event") == ACKNOWLEDGED}


def unacknowledged_urgent(evaluation: Evaluation) -> list[FlagResult]:
    done = acknowledged(evaluation.session)
    return [r for r in urgent_raised(evaluation) if r.flag.id not in done]


def instruction_lines(instruction: Text, language: str | None, prefix: str = "") -> list[str]:
    """What staff must do, in the clinic's language (the file's), then in the interview's language
    when the file has it there too: the person at the terminal may read either, and an urgent
    instruction must not be missed for want of a language."""
    lines = [f"{prefix}What to do: {instruction.get()}"]
    translated = dict(instruction.translations).get(language) if language else None
    if translated is not None and translated != instruction.get():
        lines.append(f"{prefix}({language_name(language or '')}) {translated}")
    return lines


def notice_lines(result: FlagResult, language: str | None = None) -> list[str]:
    """What a notice says: what was found, the answers behind it, and what staff must do
    (``language``: the interview's, for the instruction's translation)."""
    lines = [f"{result.flag.severity.heading.upper()}: {result.flag.label.get()}"]
    lines += [f"Found: {found}" for found in result.evidence]
    if result.flag.staff_instruction is not None:
        lines += instruction_lines(result.flag.staff_instruction, language)
    return [visible(line) for line in lines]


def closing_lines(evaluation: Evaluation, language: str | None = None) -> list[str]:
    """Repeated as the last lines whenever an interview stops with an urgent flag raised, so that
    quitting, a pause or an interruption never hides it. Control characters from the file are made
    visible: these lines also go to standard error and logs."""
    lines: list[str] = []
    for result in urgent_raised(evaluation):
        lines.append(f"URGENT: {result.flag.label.get()}")
        if result.flag.staff_instruction is not None:
            lines += instruction_lines(result.flag.staff_instruction, language, "  ")
    return [visible(line) for line in lines]
