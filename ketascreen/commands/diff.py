"""`ketascreen diff`: what changed between two versions of a questionnaire, in words."""

from __future__ import annotations


def diff(old: str, new: str) -> list[str]:
    """One line per change; none when the two are the same."""
    from ketascreen.diff import diff as differences
    from ketascreen.loading.load import load_questionnaire

    return differences(load_questionnaire(old), load_questionnaire(new))
