"""Questionnaires already checked, kept in the user's cache directory so the next interview on the
same file starts without reading the YAML, the JSON Schema check and the semantic checks again.

An entry is named by a key: the SHA-256 of ketascreen's version and the file's own bytes (with
its resolved path, since an ``extends:`` is resolved from there), or of the text a session keeps.
It holds the checked data the questionnaire is built from, the hashes of the files a clinic file
extends (a change to any of them is a miss), and, on its first line, the SHA-256 of everything
after it. An entry that does not match that hash, names another key or was written by another
version is ignored and written again: never trusted. `validate` never reads the cache.

Only questionnaire content is kept, never an answer. The directory is 0700 and each entry 0600.
``KETASCREEN_CACHE_DIR`` moves it; ``KETASCREEN_CACHE_DIR=off`` turns the cache off.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketascreen import __version__
from ketascreen.hashedfile import read_checked, write_checked

ENVIRONMENT = "KETASCREEN_CACHE_DIR"
OFF = "off"
FORMAT = "ketascreen-compiled"
DIR_MODE = 0o700
_XDG_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd")


@dataclass(frozen=True)
class Entry:
    """What a check found, enough to build the questionnaire again without checking it."""

    data: dict[str, Any]  # the checked (for a clinic file, merged) questionnaire as parsed
    sha256: str  # of the text a session keeps
    text: str | None  # that text, when it is not the file itself (a merge)
    files: tuple[tuple[str, str], ...] = ()  # (resolved path, SHA-256) of each file it extends


def cache_dir() -> Path | None:
    """Where entries live; None when the cache is turned off."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is not None and chosen.strip().lower() == OFF:
        return None
    if chosen:
        return Path(chosen)
    return user_cache_dir() / "compiled"


def user_cache_dir() -> Path:
    """The user's cache directory for ketascreen, as platformdirs names it. On Linux and the BSDs
    with an absolute XDG_CACHE_HOME or HOME it is worked out here: importing platformdirs would cost
    about 5 ms of every interview's start. Anything less usual is left to platformdirs."""
    if sys.platform.startswith(_XDG_PLATFORMS) and not hasattr(sys, "getandroidapilevel") \
            and "ANDROID_ROOT" not in os.environ:
        for variable, below in (("XDG_CACHE_HOME", ()), ("HOME", (".cache",))):
            base = os.environ.get(variable, "")
            if os.path.isabs(base):
                return Path(base, *below, "ketascreen")
    from platformdirs import user_cache_dir as platform_cache_dir

    return Path(platform_cache_dir("ketascreen", appauthor=False))


def file_key(path: Path, raw: bytes) -> str:
    return _key("file", str(path.resolve()).encode("utf-8", "surrogateescape"), raw)


def text_key(text: str) -> str:
    return _key("text", b"", text.encode("utf-8"))


def _key(kind: str, where: bytes, content: bytes) -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{kind}\0".encode())
    digest.update(where + b"\0")
    digest.update(content)
    return digest.hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def lookup(key: str) -> Entry | None:
    """The entry under ``key``, or None: missing, damaged, foreign, or a file it extends has changed."""
    directory = cache_dir()
    if directory is None:
        return None
    body = read_checked(directory / key)
    if body is None:
        return None
    try:
        found = json.loads(body.decode("utf-8"))
        if found.get("format") != FORMAT or found.get("tool") != __version__ or found.get("key") != key:
            return None
        data, text = found["data"], found["text"]
        if not isinstance(data, dict) or not (text is None or isinstance(text, str)):
            return None
        entry = Entry(data, str(found["sha256"]), text, tuple((str(path), str(digest)) for path, digest in found["files"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if any(file_hash(Path(path)) != digest for path, digest in entry.files):
        return None
    return entry


def keep(key: str, entry: Entry) -> None:
    """Write the entry (atomically: a reader sees the old one or the new one). A cache that cannot
    be written is no error: the next start checks the file again."""
    directory = cache_dir()
    if directory is None:
        return
    body = json.dumps({"format": FORMAT, "tool": __version__, "key": key, "sha256": entry.sha256,
                       "text": entry.text, "files": [list(f) for f in entry.files], "data": entry.data},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        _private_directory(directory)
        write_checked(directory / key, body)
    except OSError:
        return


def _private_directory(directory: Path) -> None:
    if not directory.parent.exists():  # ketascreen's own cache directory, made private too
        directory.parent.mkdir(mode=DIR_MODE, parents=True)
    directory.mkdir(mode=DIR_MODE, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(errno.ENOTDIR, "not a directory")
    if stat.S_IMODE(info.st_mode) != DIR_MODE:
        os.chmod(directory, DIR_MODE)
