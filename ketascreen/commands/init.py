"""`ketascreen init`: a starter clinic file with commented examples, and the schema beside it."""

from __future__ import annotations

from pathlib import Path


def init(file: Path) -> list[Path]:
    """The files written."""
    from ketascreen.starter import write_starter

    return write_starter(file)
