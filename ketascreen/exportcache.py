"""Each session's export, kept beside the sessions so that exporting a session again costs a read.

Exporting means evaluating every session: its flags and scores. A clinic exports the same
sessions month after month, and they rarely change once completed, so the result for each session
is kept in ``.exports/<format>/<session id>`` in the data directory and used again while it is
certainly the same: an entry is used only when it was made from exactly the bytes the session file
holds now, by exactly this code (the tool's version and the SHA-256 of its own source), and the
questionnaire copy the session names still matches its hash. Anything else, a changed or damaged
entry included, is a miss: the session is evaluated again and the entry written again. An entry
is checked by its own SHA-256 on its first line, never trusted.

The entries hold health data, as the sessions do: they stay in the data directory, 0700 and 0600,
and `ketascreen delete` removes a session's entries with it. ``KETASCREEN_CACHE_DIR=off`` turns
this off as it turns off the questionnaire cache: nothing is read or written here then.

A session kept in the old format (its questionnaire inside it) is always evaluated again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ketascreen import __version__
from ketascreen.hashedfile import read_checked, write_checked
from ketascreen.loading.compiled import ENVIRONMENT, OFF

DIRECTORY = ".exports"
FORMAT = "ketascreen-export"
DIR_MODE = 0o700


@dataclass(frozen=True)
class Entry:
    """What an export of one session gave, with what the export's filters and layout need."""

    status: str
    created: str  # ISO 8601, as the session records it
    questionnaire: str  # the SHA-256 of the questionnaire copy it was asked on
    output: bytes  # the format's own output for this session (a CSV row as csvexport keeps it, a FHIR resource)


def enabled() -> bool:
    chosen = os.environ.get(ENVIRONMENT)
    return chosen is None or chosen.strip().lower() != OFF


@functools.cache
def code_fingerprint() -> str:
    """The SHA-256 of the tool's version and every module of it: an entry made by other code,
    an edited installation included, is never used."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for path in sorted(root.rglob("*.py")):
        content = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def key(fmt: str, session_file: bytes) -> str:
    digest = hashlib.sha256(f"{code_fingerprint()}\0{fmt}\0".encode())
    digest.update(session_file)
    return digest.hexdigest()


def entry_path(data_dir: Path, fmt: str, session_id: str) -> Path:
    return _folder(data_dir, fmt) / session_id


@functools.lru_cache(maxsize=8)
def _folder(data_dir: Path, fmt: str) -> Path:
    return data_dir / DIRECTORY / fmt


def lookup(data_dir: Path, fmt: str, session_id: str, wanted: str) -> Entry | None:
    """The entry for this session made from the same bytes by the same code, or None."""
    body = read_checked(entry_path(data_dir, fmt, session_id))
    if body is None:
        return None
    header, _, output = body.partition(b"\n")
    try:
        about = json.loads(header)
        if about.get("format") != FORMAT or about.get("key") != wanted or about.get("session") != session_id:
            return None
        status, created, questionnaire = about["status"], about["created"], about["questionnaire"]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not all(isinstance(value, str) for value in (status, created, questionnaire)):
        return None
    return Entry(status, created, questionnaire, output)


def keep(data_dir: Path, fmt: str, session_id: str, made_with: str, entry: Entry) -> None:
    """Write the entry atomically (a reader sees the old one or the new one). Not fsynced: an entry
    lost in a crash is only a miss. One that cannot be written is no error."""
    header = json.dumps({"format": FORMAT, "key": made_with, "session": session_id, "status": entry.status,
                         "created": entry.created, "questionnaire": entry.questionnaire},
                        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path = entry_path(data_dir, fmt, session_id)
    try:
        for directory in (path.parent.parent, path.parent):
            if not directory.is_dir():
                directory.mkdir(mode=DIR_MODE, exist_ok=True)
                os.chmod(directory, DIR_MODE)
        write_checked(path, header + b"\n" + entry.output)
    except OSError:
        return


def entries_of(data_dir: Path, session_id: str) -> list[Path]:
    """Every entry of a session, in each format: what `ketascreen delete` removes with it."""
    kept = data_dir / DIRECTORY
    return sorted([*kept.glob(f"*/{session_id}"), *kept.glob(f"*/.{session_id}.*.tmp")])
