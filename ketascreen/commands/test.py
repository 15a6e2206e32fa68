"""`ketascreen test`: scenario files, each answer set with the flags and scores it must give."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ketascreen.scenarios import Outcome


def test(names: list[str]) -> Iterator[tuple[Path, Outcome]]:
    """Each scenario's outcome with the file it is in, file by file."""
    from ketascreen.scenarios import find_scenarios, run_scenarios

    for name in names:
        path = find_scenarios(name)
        _, outcomes = run_scenarios(path)
        for outcome in outcomes:
            yield path, outcome
