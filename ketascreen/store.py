"""Session files: one JSON file per session, written atomically, private, locked while in use.

A save writes a temporary file, fsyncs it, renames it over the old one and fsyncs the directory, so
a crash at any moment leaves either the previous or the new file, never a torn one. A file that
cannot be read is reported and left exactly as it is.

The questionnaire a session was asked on is kept once, in ``.questionnaires/<sha256>`` beside the
sessions, written (durably) before the first session file that names it: an answer then costs a
write of the session alone, however long the questionnaire. A copy is trusted only when its
content matches its name.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ketascreen import jsonio
from ketascreen.errors import ExitStatus, KetascreenError
from ketascreen.session import FORMAT, FORMAT_VERSION, ID_ALPHABET, SHA256, Session, new_session_id

SESSION_ID = re.compile(f"[{ID_ALPHABET}]{{4}}-[{ID_ALPHABET}]{{4}}")
DIR_MODE = 0o700
FILE_MODE = 0o600
SUFFIX = ".json"
COPIES = ".questionnaires"  # the questionnaires sessions were asked on, each once, named by its SHA-256


class StoreError(KetascreenError):
    pass


class SessionLocked(StoreError):
    pass


class OutputInDataDirectory(StoreError):
    """A summary or export aimed at the data directory: a mistake in the command, not in the data."""

    exit_status = ExitStatus.USAGE


def default_data_dir() -> Path:
    """The user's data directory, where sessions live unless the settings say otherwise (--data-dir,
    KETASCREEN_DATA_DIR or data_dir: in the settings file, decided by settings.resolve_settings)."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ketascreen"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "ketascreen"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ketascreen"


@dataclass
class Store:
    directory: Path
    _copies: set[str] = field(default_factory=set, repr=False, compare=False)  # kept and checked already

    def prepare(self) -> None:
        """Create the directory (0700) and prove a session can be saved there, before any question."""
        try:
            self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            os.chmod(self.directory, DIR_MODE)
        except OSError as error:
            raise StoreError(f"cannot use the data directory {self.directory}: {error.strerror or error}") from None
        probe = self.directory / f".write-test-{os.getpid()}"
        try:
            _write_durably(probe, b"{}")
        except OSError as error:
            raise StoreError(
                f"cannot save sessions in {self.directory}: {error.strerror or error}. "
                "Choose another place with --data-dir or KETASCREEN_DATA_DIR."
            ) from None
        finally:
            probe.unlink(missing_ok=True)

    def path_for(self, session_id: str) -> Path:
        return self.directory / f"{session_id}{SUFFIX}"

    def new_id(self) -> str:
        while True:
            candidate = new_session_id()
            if not self.path_for(candidate).exists():
                return candidate

    def save(self, session: Session) -> Path:
        path = self.path_for(session.id)
        try:
            inline = not self._keep_questionnaire(session)
            _write_durably(path, encode(session.to_json(inline_questionnaire=inline, kept_parts=True)))
        except OSError as error:
            raise StoreError(f"could not save session {session.id} in {self.directory}: {error.strerror or error}") from None
        return path

    def _keep_questionnaire(self, session: Session) -> bool:
        """The session's questionnaire is on disk in the copies, as its hash names it (written now if
        not). False for a text that does not match the session's hash: that session keeps its text
        inside (format 1), where reading it again refuses it as changed by hand."""
        digest = session.questionnaire_sha256
        if digest in self._copies:
            return True
        text = session.questionnaire_text.encode("utf-8")
        if not SHA256.fullmatch(digest) or hashlib.sha256(text).hexdigest() != digest:
            return False
        copies = self.directory / COPIES
        path = copies / digest
        try:
            matches = path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest
        except OSError:
            matches = False
        if not matches:  # missing, or damaged: write it (again)
            if not copies.is_dir():
                copies.mkdir(mode=DIR_MODE, exist_ok=True)
                os.chmod(copies, DIR_MODE)
                sync_directory(self.directory)
            _write_durably(path, text)
        self._copies.add(digest)
        return True

    def resolve(self, reference: str) -> Path:
        """A session id, or a path to a session file."""
        as_path = Path(reference)
        if reference.endswith(SUFFIX) or os.sep in reference:
            if any(len(part) > 255 for part in as_path.parts) or len(reference) > 4096:
                raise StoreError("that session file name is longer than a file name can be")
            return as_path
        wanted = reference.strip().lower()
        if not SESSION_ID.fullmatch(wanted):
            # Session ids are short and plain; anything else (a 300-character string) is not one.
            shown = f"'{wanted}'" if len(wanted) <= 20 and wanted.isprintable() else f"{wanted[:20]!r}…"
            raise StoreError(f"no session {shown} in {self.directory}: a session id looks like ab2c-d3ef")
        path = self.path_for(wanted)
        if not path.exists():
            raise StoreError(f"no session '{reference}' in {self.directory}")
        return path

    def load(self, path: Path) -> Session:
        return read_session(path)

    def session_paths(self) -> list[Path]:
        """Every session file, in the order of their names."""
        if not self.directory.is_dir():
            return []
        # The index (.index.json) and temporary files are not sessions. Sorted by name: the same
        # order as sorting the paths, without comparing 10,000 Path objects part by part.
        with os.scandir(self.directory) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(SUFFIX) and not e.name.startswith("."))
        return [self.directory / name for name in names]

    def sessions(self) -> Iterator[tuple[Path, Session | None, str]]:
        """Every session file with its session, or None and the reason it cannot be read."""
        for path in self.session_paths():
            try:
                yield path, read_session(path), ""
            except StoreError as error:
                yield path, None, str(error)

    def delete(self, session_id: str) -> list[Path]:
        """Remove a session's file, its kept exports, its lock and any temporary file a crash left;
        returns what was removed.
        The caller holds the session's lock, so no interview is writing it."""
        from ketascreen.exportcache import entries_of

        removed = []
        for path in [self.path_for(session_id), *self.directory.glob(f".{session_id}{SUFFIX}.*.tmp"),
                     *entries_of(self.directory, session_id), self.directory / f".{session_id}.lock"]:
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                continue
            except OSError as error:
                raise StoreError(f"could not delete {path}: {error.strerror or error}") from None
        for directory in {self.directory, *(path.parent for path in removed)}:
            sync_directory(directory)
        from ketascreen.index import forget

        forget(self, session_id)  # the index names the patient too
        return removed

    def lock(self, session_id: str) -> SessionLock:
        return SessionLock(self.directory / f".{session_id}.lock", session_id)


def read_session(path: Path) -> Session:
    """The session in a file; StoreError (and the file untouched) when it is not a readable session."""
    return session_from(path, session_bytes(path))


def session_bytes(path: Path) -> bytes:
    """A session file's bytes, unparsed; StoreError when it cannot be read."""
    try:
        # A pipe or device named *.json would block or never end: only a regular file is opened.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise StoreError(f"{path}: is not a regular file (a pipe, device or directory), so not a session; "
                             "it has been left as it is")
        return path.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"{path}: no such session file") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot be read: {error.strerror or error}") from None


class NotJson(ValueError):
    pass


def _not_json(constant: str) -> object:
    """NaN and Infinity: Python reads them, but they are not JSON, no answer is typed as one, and
    the file could not be saved again as it is."""
    raise NotJson(constant)


def session_from(path: Path, raw: bytes) -> Session:
    """The session in the bytes read from ``path``, checked as ``read_session`` checks it."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, json.JSONDecodeError, NotJson) as error:
        where = f" at line {error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        raise StoreError(f"{path}: is damaged or not a session file (not valid JSON{where}); it has been left as it is") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f"{path}: is not a ketascreen session file; it has been left as it is")
    version = data.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise StoreError(
            f"{path}: was written by a newer version of ketascreen (session format {version}); "
            "update ketascreen to open it. It has been left as it is."
        )
    about = data.get("questionnaire")
    content = None
    if version >= 2 and isinstance(about, dict) and "content" not in about:
        content = copy_of(path, about.get("sha256"))
    try:
        session = Session.from_json(data, content, verified=True)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(f"{path}: is damaged ({type(error).__name__} in its contents); it has been left as it is") from None
    if not SESSION_ID.fullmatch(session.id) or path.stem != session.id:
        # A session is always saved as <id>.json beside where it was read: a copy under another
        # name would otherwise be saved over the original.
        raise StoreError(f"{path}: holds session '{session.id[:20]}', but the file name does not match it; "
                         f"rename the file to {session.id[:20]}.json to use it. It has been left as it is.")
    return session


_READ_COPIES: dict[Path, tuple[tuple[int, int, int], str]] = {}  # copy -> (its stat when read, its text)


def copy_of(path: Path, digest: object) -> str:
    """The questionnaire the session file at ``path`` names, from the copies beside it, read and
    hashed once per process (again if the file changes)."""
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise StoreError(f"{path}: is damaged (its questionnaire's hash is not one); it has been left as it is")
    copy = path.parent / COPIES / digest
    try:
        info = os.stat(copy)
        seen = (info.st_ino, info.st_size, info.st_mtime_ns)
        known = _READ_COPIES.get(copy)
        if known is not None and known[0] == seen:
            return known[1]
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        raw = copy.read_bytes()
    except OSError:
        raise StoreError(f"{path}: the questionnaire it was asked on ({COPIES}/{digest[:12]}…) is missing or cannot "
                         "be read; restore the data directory from its backup. It has been left as it is.") from None
    if hashlib.sha256(raw).hexdigest() != digest:
        raise StoreError(f"{path}: the copy of the questionnaire it was asked on ({COPIES}/{digest[:12]}…) does not "
                         "match its hash; it has been changed by hand, and the session is left as it is")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path}: its questionnaire copy is not UTF-8 text; it has been left as it is") from None
    _READ_COPIES[copy] = (seen, text)
    return text


def encode(data: object) -> bytes:
    """JSON as session files hold it: compact UTF-8."""
    return jsonio.dumps(data)


def private_directory(directory: Path) -> None:
    """An output directory for health data: made 0700 when ketascreen creates it."""
    if directory.is_dir():
        return
    try:
        directory.mkdir(mode=DIR_MODE, parents=True)
        os.chmod(directory, DIR_MODE)
    except OSError as error:
        raise StoreError(f"cannot make the directory {directory}: {error.strerror or error}") from None


def outside_store(store_directory: Path, target: Path) -> None:
    """Summaries and exports never go into the data directory, where they could replace a session
    file or be mistaken for one."""
    where = target.resolve()
    if where == store_directory.resolve() or where.parent == store_directory.resolve():
        raise OutputInDataDirectory(f"{target} is in the data directory, which holds only session files; write it elsewhere")


def write_private(path: Path, data: bytes, sync_directory: bool = True) -> None:
    """Write a file that holds health data (a summary, an export): 0600, atomically. A batch of
    files into one directory passes sync_directory=False and calls sync_directory() once at the end."""
    try:
        _write_durably(path, data, sync_directory)
    except OSError as error:
        raise StoreError(f"cannot write {path}: {error.strerror or error}") from None


def sync_directory(directory: Path) -> None:
    """fsync a directory, so that the files renamed into it survive a crash."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_durably(path: Path, data: bytes, sync_parent: bool = True) -> None:
    try:
        existing = os.lstat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and not (stat.S_ISREG(existing.st_mode) or stat.S_ISLNK(existing.st_mode)):
        # Replacing a pipe or a device (as root, /dev/null) with a regular file would break the system.
        raise OSError(errno.EINVAL, "it is not a regular file (a pipe, device or directory); write to a new file, "
                                    "or to - for standard output")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        descriptor = os.open(temporary, flags, FILE_MODE)
    except FileExistsError:
        if os.path.islink(temporary):
            raise OSError(errno.ELOOP, f"{temporary.name} is a symbolic link; remove it") from None
        temporary.unlink()  # left by a crash of an earlier process with this number
        descriptor = os.open(temporary, flags, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # whatever the umask
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
    os.close(descriptor)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if sync_parent:
        sync_directory(path.parent)


class SessionLock:
    """An exclusive lock on one session for as long as an interview has it open.

    flock() is released by the kernel when the process ends, however it ends, so a killed
    interview never leaves a session locked.
    """

    def __init__(self, path: Path, session_id: str):
        self.path = path
        self.session_id = session_id
        self._descriptor: int | None = None

    def __enter__(self) -> SessionLock:
        import fcntl

        try:
            # Never through a link: a lock file that points elsewhere would have that file emptied.
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise StoreError(f"{self.path} is a symbolic link; ketascreen does not follow links in the data "
                                 "directory. Remove the link and try again.") from None
            raise StoreError(f"cannot lock session {self.session_id}: {error.strerror or error}") from None
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise StoreError(f"{self.path} is not a regular file; remove it and try again")
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode("ascii", "replace").strip()
            os.close(descriptor)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise SessionLocked(
                f"session {self.session_id} is open in another terminal{who}; finish or quit it there first"
            ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, str(os.getpid()).encode("ascii"))
        self._descriptor = descriptor
        return self

    def __exit__(self, *exc: object) -> None:
        # The lock file stays: removing it while another process has it open would let two
        # processes hold "the" lock on two different files.
        if self._descriptor is not None:
            os.ftruncate(self._descriptor, 0)
            os.close(self._descriptor)
            self._descriptor = None
