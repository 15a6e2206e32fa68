"""Text from a YAML file or a person, made harmless to show: control characters become visible."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# C0 and C1 controls (terminal escape sequences start with one), every Unicode format character
# (category Cf: bidirectional marks, overrides and isolates such as U+061C and U+202E, invisible
# joiners and separators, tags) and the line and paragraph separators: all of them can make text
# read differently from what it holds. A test checks this list against the running Unicode tables.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """'; did you mean 'bp_systolic'?' for a near miss, else ''."""
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    return f"; did you mean '{match[0]}'?" if match else ""


def visible(text: str) -> str:
    """Control and format characters shown as \\x1b, \\u202e or \\U000e0041; newlines and tabs stay."""
    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return _CONTROL.sub(shown, text)
