"""The published session-file schema and the reader agree: every file ketascreen writes matches
the schema, and a hand-edited file is refused by the reader exactly when the schema rejects it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import EXAMPLES
from ketascreen.store import StoreError, read_session

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "ketascreen" / "schema" /
                     "session.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a real session file, written by an interview from an answers file."""
    from ketascreen.cli import main

    data = tmp_path_factory.mktemp("schema") / "sessions"
    assert main(["run", "--answers", str(EXAMPLES / "answers" / "several-flags.yaml"), "--data-dir", str(data)]) == 0
    return data


@pytest.fixture(scope="module")
def written(data_dir: Path) -> dict[str, Any]:
    [path] = data_dir.glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def format_1(session: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The same session as a file of format 1 holds it: the questionnaire inside."""
    old = copy.deepcopy(session)
    old["format_version"] = 1
    digest = old["questionnaire"]["sha256"]
    old["questionnaire"]["content"] = (data_dir / ".questionnaires" / digest).read_text(encoding="utf-8")
    return old


def wrong_kinds(value: Any) -> list[Any]:
    return [v for v in (None, True, 7, 1.5, "x", [], {}, ["x"], {"event": "x"}) if type(v) is not type(value)]


def mutations(session: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each part of the file given a value of every other kind, and each required part removed."""
    found = []
    answer_id = next(iter(session["answers"]))
    places: list[tuple[str, tuple[Any, ...]]] = [(k, (k,)) for k in session if k not in ("format", "format_version")]
    places += [(f"questionnaire.{k}", ("questionnaire", k)) for k in session["questionnaire"]]
    places += [(f"answer.{k}", ("answers", answer_id, k)) for k in session["answers"][answer_id]]
    places += [(f"audit[0].{k}", ("audit", 0, k)) for k in session["audit"][0]]
    places += [("audit[0]", ("audit", 0)), (f"answers.{answer_id}", ("answers", answer_id))]
    for name, path in places:
        parent = session
        for step in path[:-1]:
            parent = parent[step]
        for value in wrong_kinds(parent[path[-1]]):
            changed = copy.deepcopy(session)
            target = changed
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value
            found.append((f"{name}={json.dumps(value)}", changed))
        changed = copy.deepcopy(session)
        target = changed
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
        found.append((f"without {name}", changed))
    state = copy.deepcopy(session)
    state["answers"][answer_id]["state"] = "maybe"
    status = copy.deepcopy(session)
    status["status"] = "finished"
    return [*found, ("state=maybe", state), ("status=finished", status)]


def test_what_ketascreen_writes_matches_the_schema(written: dict[str, Any]) -> None:
    assert list(VALIDATOR.iter_errors(written)) == []
    assert len(written["answers"]) > 20 and written["audit"]


def test_a_file_of_format_1_matches_the_schema_and_is_read(written: dict[str, Any], data_dir: Path,
                                                           tmp_path: Path) -> None:
    old = format_1(written, data_dir)
    assert list(VALIDATOR.iter_errors(old)) == []
    path = tmp_path / f"{written['id']}.json"
    path.write_text(json.dumps(old, indent=1), encoding="utf-8")  # no copies beside it: the text is inside
    assert read_session(path).questionnaire_text == old["questionnaire"]["content"]
    del old["questionnaire"]["content"]
    assert not VALIDATOR.is_valid(old)


def test_the_reader_refuses_exactly_what_the_schema_rejects(written: dict[str, Any], data_dir: Path, tmp_path: Path,
                                                            figure) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(data_dir / ".questionnaires", tmp_path / ".questionnaires")
    disagreements = []
    cases = mutations(written) + [(f"format 1, {name}", content) for name, content in mutations(format_1(written, data_dir))]
    for name, content in cases:
        path = tmp_path / f"{written['id']}.json"
        path.write_text(json.dumps(content), encoding="utf-8")
        schema_ok = VALIDATOR.is_valid(content)
        try:
            read_session(path)
            reader_ok = True
        except StoreError:
            reader_ok = False
        if schema_ok != reader_ok:
            disagreements.append(f"{name}: schema {'accepts' if schema_ok else 'rejects'}, "
                                 f"reader {'accepts' if reader_ok else 'refuses'}")
    figure("session-file variants checked against the schema and the reader", len(cases))
    assert len(cases) > 150
    assert disagreements == []


def test_the_schema_is_printed(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("schema", "--session")
    assert done.code == 0 and json.loads(done.out) == SCHEMA
    assert json.loads(cli("schema").out)["title"] != SCHEMA["title"]
