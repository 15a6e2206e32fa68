"""Files that carry the SHA-256 of their own contents on their first line: what ketascreen keeps to
save work (checked questionnaires, exports), so that a damaged or half-written one is found and
ignored, never trusted. Written atomically and privately; neither reading nor writing one can fail
a command: a file that cannot be used is only work to do again."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

FILE_MODE = 0o600


def read_checked(path: Path) -> bytes | None:
    """What the file at ``path`` holds after its hash line, or None: missing, not a regular file
    (a link is not followed), unreadable, or not matching its hash."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            raw = stream.read()
    except OSError:
        return None
    finally:
        os.close(descriptor)
    recorded, _, body = raw.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode("ascii") != recorded:
        return None
    return body


def write_checked(path: Path, body: bytes) -> None:
    """Write ``body`` under its hash line, 0600 whatever the umask, atomically (a reader sees the
    old file or the new one). Not fsynced: a file lost in a crash is work to do again. The
    directory must exist; an OSError is the caller's to ignore."""
    content = hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body
    temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
