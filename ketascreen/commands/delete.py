"""`ketascreen delete`: a session removed for good, with every file of it, after a confirmation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ketascreen.errors import UsageError
from ketascreen.session import Session
from ketascreen.store import Store


def delete(data_dir: Path, reference: str, confirm: Callable[[Session], bool] | None) -> Session | None:
    """The session deleted, or None when ``confirm`` (asked under the session's lock, so that no
    one is answering it meanwhile) says no. ``confirm`` None: deleted without asking (--yes)."""
    store = Store(data_dir)
    path = store.resolve(reference)
    if path.parent.resolve() != store.directory.resolve():
        raise UsageError("delete takes a session id from the data directory, not a path elsewhere")
    found = store.load(path)
    with store.lock(found.id):
        if confirm is not None and not confirm(found):
            return None
        store.delete(found.id)
    return found
