"""`ketascreen schema`: the questionnaire format's JSON Schema, or the session file's."""

from __future__ import annotations

from pathlib import Path

SESSION_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "session.schema.json"


def schema(session: bool = False) -> str:
    if session:
        return SESSION_SCHEMA.read_text(encoding="utf-8")
    from ketascreen.loading.schema import schema_text

    return schema_text()
