"""Fewer garbage collections while a questionnaire is read and checked.

Reading a large file builds hundreds of thousands of small objects that all stay alive until the
check ends; Python's collector would scan that growing heap again and again looking for garbage
that is not there (half the time of reading a 10,000-question file). The collector stays on:
young objects are still collected, only less often, and the older ones are left alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000  # allocations between young collections (Python's default: 700)
OLD_THRESHOLD = 1_000  # young collections between full ones: none in a check of any size


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Objects made before (the imported modules) are frozen, never scanned; thresholds raised."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], YOUNG_THRESHOLD), before[1], max(before[2], OLD_THRESHOLD))
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def settled() -> None:
    """What is loaded now (the questionnaire an interview asks) lives as long as the process:
    frozen, so the collections that each answer's short-lived objects cause never scan it again,
    and an answer costs the same on a long questionnaire as on a short one."""
    gc.freeze()
