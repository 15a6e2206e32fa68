"""A small index of the data directory, so that a patient's sessions are found without reading every
session file in full: for each file, its size and modification time and the few facts a search needs
(patient reference, start time, status, questionnaire).

The index is a cache, never the only copy of anything: a file whose size or time differs from its
entry is read again, an entry whose file is gone is dropped, and an index that cannot be read or does
not look like ours is rebuilt from the files. It lives in the data directory beside the sessions,
private like them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ketascreen.store import SUFFIX, Store, StoreError, read_session, write_private

INDEX_FILE = ".index.json"
FORMAT = "ketascreen-index"
FORMAT_VERSION = 2
FIELDS = ("patient", "created", "status", "questionnaire")
# Each entry is a list, [mtime_ns, size, patient, created, status, questionnaire], or [mtime_ns, size]
# for a file that cannot be read: a large index parses several times faster than with a mapping each.
Row = list[Any]


def refreshed(store: Store) -> dict[str, Row]:
    """File name → row, brought up to date with the directory (and saved when it changed)."""
    if not store.directory.is_dir():
        return {}
    old = _read(store.directory / INDEX_FILE)
    rows: dict[str, Row] = {}
    changed = False
    with os.scandir(store.directory) as listing:
        for item in listing:
            if not item.name.endswith(SUFFIX) or item.name.startswith("."):
                continue
            try:
                if not item.is_file(follow_symlinks=False):
                    continue
                stat = item.stat(follow_symlinks=False)
            except OSError:
                continue
            previous = old.get(item.name)
            if previous is not None and previous[0] == stat.st_mtime_ns and previous[1] == stat.st_size:
                rows[item.name] = previous
                continue
            rows[item.name] = _row(Path(item.path), stat.st_mtime_ns, stat.st_size)
            changed = True
    if changed or len(rows) != len(old):
        _write(store.directory / INDEX_FILE, rows)
    return rows


def patient_files(store: Store, patient: str, rows: dict[str, Row] | None = None) -> list[Path]:
    """The session files of one patient, by the index (read again where stale)."""
    rows = refreshed(store) if rows is None else rows
    return sorted(store.directory / name for name, row in rows.items() if len(row) > 2 and row[2] == patient)


def unreadable_files(store: Store, rows: dict[str, Row] | None = None) -> list[str]:
    """Session files that cannot be read: whose they are is unknown, so any patient's list may lack them."""
    rows = refreshed(store) if rows is None else rows
    return sorted(name for name, row in rows.items() if len(row) == 2)


def forget(store: Store, session_id: str) -> None:
    """Drop a deleted session's entry at once (it holds the patient reference)."""
    path = store.directory / INDEX_FILE
    rows = _read(path)
    if rows.pop(f"{session_id}{SUFFIX}", None) is not None:
        _write(path, rows)


def _row(path: Path, mtime_ns: int, size: int) -> Row:
    try:
        session = read_session(path)
    except StoreError:
        return [mtime_ns, size]
    return [mtime_ns, size, session.patient, session.created, session.status, session.questionnaire_id]


def _read(path: Path) -> dict[str, Row]:
    """The saved rows, or none when the index is missing, damaged or not ours (then it is rebuilt)."""
    try:
        if path.is_symlink() or not path.is_file():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        return {}
    rows = data.get("entries")
    if not isinstance(rows, dict):
        return {}
    return {name: row for name, row in rows.items() if _well_formed(row)}


def _well_formed(row: Any) -> bool:
    return (isinstance(row, list) and len(row) in (2, 2 + len(FIELDS))
            and all(type(v) is int for v in row[:2]) and all(type(v) is str for v in row[2:]))


def _write(path: Path, rows: dict[str, Row]) -> None:
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, "entries": rows}
    try:
        # A cache: written atomically and privately, but not worth an fsync of the directory.
        write_private(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                      sync_directory=False)
    except (OSError, StoreError):
        pass  # a directory that cannot take the index still answers, only more slowly
