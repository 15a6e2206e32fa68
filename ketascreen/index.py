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
FORMAT_VERSION = 1
FIELDS = ("patient", "created", "status", "questionnaire")


def refreshed(store: Store) -> dict[str, dict[str, Any]]:
    """File name → entry, brought up to date with the directory (and saved when it changed).
    An entry for a file that cannot be read has "problem" instead of the session's facts."""
    if not store.directory.is_dir():
        return {}
    old = _read(store.directory / INDEX_FILE)
    entries: dict[str, dict[str, Any]] = {}
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
            if previous is not None and previous.get("mtime_ns") == stat.st_mtime_ns and previous.get("size") == stat.st_size:
                entries[item.name] = previous
                continue
            entries[item.name] = _entry(Path(item.path), stat.st_mtime_ns, stat.st_size)
            changed = True
    if changed or set(entries) != set(old):
        _write(store.directory / INDEX_FILE, entries)
    return entries


def patient_files(store: Store, patient: str) -> list[Path]:
    """The session files of one patient, by the index (read again where stale)."""
    return sorted(store.directory / name for name, entry in refreshed(store).items() if entry.get("patient") == patient)


def forget(store: Store, session_id: str) -> None:
    """Drop a deleted session's entry at once (it holds the patient reference)."""
    path = store.directory / INDEX_FILE
    entries = _read(path)
    if f"{session_id}{SUFFIX}" in entries:
        del entries[f"{session_id}{SUFFIX}"]
        _write(path, entries)


def _entry(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"mtime_ns": mtime_ns, "size": size}
    try:
        session = read_session(path)
    except StoreError:
        entry["problem"] = True
        return entry
    entry.update(patient=session.patient, created=session.created, status=session.status,
                 questionnaire=session.questionnaire_id)
    return entry


def _read(path: Path) -> dict[str, dict[str, Any]]:
    """The saved entries, or none when the index is missing, damaged or not ours (then it is rebuilt)."""
    try:
        if path.is_symlink() or not path.is_file():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        return {}
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    good = {}
    for name, entry in entries.items():
        if (isinstance(name, str) and isinstance(entry, dict) and isinstance(entry.get("mtime_ns"), int)
                and isinstance(entry.get("size"), int)
                and (entry.get("problem") is True or all(isinstance(entry.get(f), str) for f in FIELDS))):
            good[name] = entry
    return good


def _write(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, "entries": entries}
    try:
        # A cache: written atomically and privately, but not worth an fsync of the directory.
        write_private(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                      sync_directory=False)
    except (OSError, StoreError):
        pass  # a directory that cannot take the index still answers, only more slowly
