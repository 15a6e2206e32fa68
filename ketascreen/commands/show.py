"""`ketascreen show`: a questionnaire as an outline, its rules in words."""

from __future__ import annotations


def show(name: str, language: str | None) -> str:
    from ketascreen.loading.load import load_questionnaire
    from ketascreen.render.outline import outline

    return outline(load_questionnaire(name), language)
