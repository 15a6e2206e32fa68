"""The JSON Schema that ships with the package: valid under its metaschema and printed as is."""

from __future__ import annotations

import json

import jsonschema
import yaml
from ketascreen.loading.load import BUNDLED_DIR
from ketascreen.loading.schema import SCHEMA_PATH, schema


def test_schema_is_valid_draft_2020_12() -> None:
    document = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def test_schema_command_prints_the_shipped_schema(cli) -> None:
    result = cli("schema")
    assert result.code == 0
    assert json.loads(result.out) == schema()


def test_bundled_questionnaire_validates_against_the_schema_alone() -> None:
    """What an editor with yaml-language-server sees: the bundled file is valid there too."""
    for path in BUNDLED_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert list(jsonschema.Draft202012Validator(schema()).iter_errors(data)) == []


def test_bundled_file_points_editors_at_the_schema() -> None:
    for path in BUNDLED_DIR.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        target = first.split("$schema=", 1)[1]
        assert (path.parent / target).resolve() == SCHEMA_PATH
