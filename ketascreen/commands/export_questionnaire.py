"""`ketascreen export-questionnaire`: a questionnaire as a FHIR R4 Questionnaire."""

from __future__ import annotations

import json
from pathlib import Path

from ketascreen.errors import UsageError
from ketascreen.formats import QUESTIONNAIRE_EXPORT_FORMATS
from ketascreen.store import write_private


def export_questionnaire(name: str, fmt: str, output: Path | None) -> str | None:
    """The resource as JSON text for standard output, or None once written to ``output``."""
    from ketascreen.fhir import questionnaire_resource
    from ketascreen.loading.load import load_questionnaire

    if fmt not in QUESTIONNAIRE_EXPORT_FORMATS:
        raise UsageError(f"--format takes fhir, not '{fmt}'")
    text = json.dumps(questionnaire_resource(load_questionnaire(name)), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        return text
    write_private(output, text.encode("utf-8"))
    return None
