"""Text from a YAML file or a person, made harmless to show: control characters become visible."""

from __future__ import annotations

import difflib
import re
from typing import Iterable

# C0 and C1 controls (terminal escape sequences start with one), and the bidirectional overrides
# and isolates that can make text read differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """'; did you mean 'bp_systolic'?' for a near miss, else ''."""
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    return f"; did you mean '{match[0]}'?" if match else ""


def visible(text: str) -> str:
    """Control characters shown as \\x1b or \\u202e; newlines and tabs stay."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
