"""`ketascreen list`: the bundled questionnaires."""

from __future__ import annotations


def list_questionnaires() -> str:
    from ketascreen.loading.load import bundled_ids, load_questionnaire
    from ketascreen.render.outline import listing

    return listing([(qid, load_questionnaire(qid)) for qid in bundled_ids()])
