"""The JSON Schema check, with each error turned into a sentence a clinic admin can act on."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from ketascreen.loading.yamlread import Located, Mark, Path_

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "questionnaire.schema.json"


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())  # the schema file is one JSON object
    return loaded


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # costly; only commands that validate pay for it

    return jsonschema.Draft202012Validator(schema())


def schema_problems(located: Located) -> Iterator[tuple[Mark, str]]:
    """(position, message) for everything the schema rejects, most specific error per place."""
    for error in _validator().iter_errors(located.data):
        yield from _explain(error, located)


def _explain(error: Any, located: Located) -> Iterator[tuple[Mark, str]]:
    path: Path_ = tuple(error.absolute_path)
    kind = error.validator
    schema_here = error.schema if isinstance(error.schema, dict) else {}
    name = _name(path)
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(schema_here.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                where = _container(path, located)
                message = f"unknown key '{key}'{where}"
                message += f"; did you mean '{hint[0]}'?" if hint else f"; expected one of: {', '.join(allowed)}"
                yield (located.key_position(path + (key,)), message)
        return
    if kind == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        for key in missing:
            yield (located.position(path), f"missing '{key}'{_container(path, located)}")
        return
    if kind == "type":
        expected: list[str] = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        message = f"{name} must be {words}, not {_describe(error.instance)}"
        if "string" in expected and isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool):
            message += f'; write it in quotes: "{located.written.get(path, error.instance)}"'
        yield (located.position(path), message)
        return
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        hint = difflib.get_close_matches(str(error.instance), options, n=1, cutoff=0.6)
        message = f"{_bare(path)} '{error.instance}' is not one of: {', '.join(options)}"
        if hint:
            message += f"; did you mean '{hint[0]}'?"
        yield (located.position(path), message)
        return
    if kind == "not" and not path and "sections" in error.instance:
        yield (located.key_position(("sections",)), "a file that extends another has no 'sections'; "
               "use add_sections, add_questions and change_questions")
        return
    if kind == "const":
        yield (located.position(path), f"{name} must be {error.validator_value!r}")
        return
    if kind == "pattern":
        rule = schema_here.get("x-message", f"must match {error.validator_value}")
        yield (located.position(path), f"{_bare(path)} '{error.instance}' is not allowed: {rule}")
        return
    if kind in ("anyOf", "oneOf") and "x-expected" in schema_here:
        yield (located.position(path), f"{name} must be {schema_here['x-expected']}, not {_describe(error.instance)}")
        return
    if kind == "minItems":
        count = error.validator_value
        need = "must not be empty" if count == 1 else f"needs at least {count} entries"
        yield (located.position(path), f"{name} {need}")
        return
    if kind in ("minLength", "minProperties"):
        yield (located.position(path), f"{name} must not be empty")
        return
    if kind == "uniqueItems":
        seen: set[str] = set()
        for index, item in enumerate(error.instance):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                yield (located.position(path + (index,)), f"{name} lists {item!r} twice")
            seen.add(key)
        return
    if kind == "propertyNames":
        yield (located.position(path), f"{name}: {error.message}")
        return
    yield (located.position(path), f"{name}: {error.message}")


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '-')",
    "null": "empty",
}


def _describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _name(path: Path_) -> str:
    """The key the error is about, as the author wrote it: `min`, `bands entry 2`, `the file`."""
    if not path:
        return "the file"
    last = path[-1]
    if isinstance(last, int):
        parent = path[-2] if len(path) > 1 else "list"
        return f"'{parent}' entry {last + 1}"
    return f"'{last}'"


def _bare(path: Path_) -> str:
    named = [step for step in path if isinstance(step, str)]
    return named[-1] if named else "value"


def _container(path: Path_, located: Located) -> str:
    """' in question 'bp_systolic'' and the like, so a message names what it is about."""
    data: Any = located.data
    kinds = {"sections": "section", "questions": "question", "flags": "flag", "scores": "score",
             "choices": "choice", "bands": "band"}
    label = ""
    for index, step in enumerate(path):
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return label
        if isinstance(step, int) and index > 0 and path[index - 1] in kinds:
            kind = kinds[str(path[index - 1])]
            ident = data.get("id") if isinstance(data, dict) else None
            label = f" in {kind} '{ident}'" if isinstance(ident, str) else f" in {kind} {step + 1}"
        elif step in ("when", "zero_when"):
            label = f"{label} (condition)" if label else " in a condition"
            break
    return label
