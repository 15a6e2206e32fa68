"""`ketascreen schema`: the questionnaire format's JSON Schema."""

from __future__ import annotations


def schema() -> str:
    from ketascreen.loading.schema import schema_text

    return schema_text()
