"""`ketascreen init`: a starter clinic file, and the schema beside it for the editor."""

from __future__ import annotations

from pathlib import Path

from ketascreen.errors import KetascreenError
from ketascreen.loading.schema import SCHEMA_PATH

TEMPLATE = Path(__file__).resolve().parent / "templates" / "clinic.yaml"


def write_starter(target: Path) -> list[Path]:
    """Write the starter file (never over an existing one) and the schema it names, if missing."""
    if target.exists():
        raise KetascreenError(f"{target} already exists; choose another name or move it away first")
    text = TEMPLATE.read_text(encoding="utf-8").replace("{file}", target.name)
    written = []
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
        written.append(target)
        schema = target.parent / "questionnaire.schema.json"
        if not schema.exists():
            schema.write_text(SCHEMA_PATH.read_text(encoding="utf-8"), encoding="utf-8")
            written.append(schema)
    except OSError as error:
        raise KetascreenError(f"cannot write {target}: {error.strerror or error}") from None
    return written
