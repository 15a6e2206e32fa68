"""Find a questionnaire by bundled id or path, and load it with every problem reported at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ketascreen.errors import KetascreenError, Problem, QuestionnaireError, QuestionnaireNotFound
from ketascreen.model import Questionnaire

if TYPE_CHECKING:  # the YAML reader is imported where a file is read, not when this module is
    from ketascreen.loading.yamlread import Located, Mark

    Finding = tuple[Mark, str]

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
SUFFIXES = (".yaml", ".yml")
MAX_CHAIN = 20  # files in one chain of extends: (clinic → regional → bundled is 3)
_Key = TypeVar("_Key")


def bundled_ids() -> list[str]:
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def find_questionnaire(name: str, relative_to: Path | None = None) -> Path:
    """A path as given (relative to ``relative_to`` when set), or a bundled questionnaire by its id."""
    path = Path(name)
    if relative_to is not None and not path.is_absolute() and (path.suffix in SUFFIXES or "/" in name or "\\" in name):
        path = relative_to / path
    if path.exists() or path.suffix in SUFFIXES or "/" in name or "\\" in name:
        return path
    bundled = BUNDLED_DIR / f"{name}.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(bundled_ids()) or "none"
    raise QuestionnaireNotFound(f"{name}: no such file, and no bundled questionnaire with that id (bundled: {known})")


def check_file(path: Path, name: str | None = None, lint: bool = False) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in the file; the questionnaire when there are none. With ``lint``, the safety
    lint's warnings too (only for a file with no errors)."""
    from ketascreen.loading.yamlread import YamlProblem, read_text

    shown = name or str(path)
    try:
        text = read_text(path)
    except YamlProblem as problem:
        return None, [Problem(shown, problem.line, problem.column, problem.message)]
    return check_text(text, shown, path, lint)


def check_text(text: str, shown: str, origin: Path | None = None, lint: bool = False) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in a questionnaire's text; the questionnaire when there are none."""
    questionnaire, problems, _ = _check(text, shown, origin, lint)
    return questionnaire, problems


def check_traced(text: str, shown: str, trace: dict[str, Any]) -> tuple[Questionnaire | None, list[Problem], str]:
    """As check_text (with the text a session keeps), filling ``trace`` as _check_all does."""
    return _check(text, shown, None, trace=trace)


def _check(text: str, shown: str, origin: Path | None, lint: bool = False,
           trace: dict[str, Any] | None = None) -> tuple[Questionnaire | None, list[Problem], str]:
    """As check_text, plus the text a session keeps: the file itself, or for a clinic file that
    extends another, the merged questionnaire (so the session does not depend on either file)."""
    from ketascreen.collector import fewer_collections

    with fewer_collections():
        return _check_all(text, shown, origin, lint, trace)


def _check_all(text: str, shown: str, origin: Path | None, lint: bool,
               trace: dict[str, Any] | None) -> tuple[Questionnaire | None, list[Problem], str]:
    """As _check. ``trace``, when given, receives the checked data ("data") and the files a clinic
    file extends ("files"), for the compiled-questionnaire cache."""
    extended: list[Path] = []
    from ketascreen.loading.build import build_questionnaire
    from ketascreen.loading.checks import semantic_problems
    from ketascreen.loading.schema import schema_problems
    from ketascreen.loading.yamlread import YamlProblem, parse

    try:
        located, soft = parse(text)
    except YamlProblem as problem:
        return None, [Problem(shown, problem.line, problem.column, problem.message)], text
    problems = {Problem(shown, p.line, p.column, p.message) for p in soft}
    if not isinstance(located.data, dict):
        problems.add(Problem(shown, 1, 1, "a questionnaire is a mapping (format:, id:, title:, ...), not a single value or list"))
        return None, sorted(problems), text

    def add(findings: Iterable[Finding]) -> int:
        before = len(problems)
        problems.update(Problem(mark.file or shown, mark.line, mark.column, msg) for mark, msg in findings)
        return len(problems) - before

    stored = text
    extends = "extends" in located.data
    own_languages = None
    if extends:
        from ketascreen.loading.translations import languages_written

        own_languages = languages_written(located.data)
    base = None  # the questionnaire a clinic file extends, to compare its urgent flags with
    structural = add(schema_problems(located))
    if extends:
        merged, findings, base = _extend(located, origin, (), extended)
        add(findings)
        if merged is None:
            return None, sorted(problems), text
        # Name the clinic file in every position, so a message in one file can point into the other.
        _name_file(merged.values, shown)
        _name_file(merged.keys, shown)
        _name_file(merged.removed, shown)
        located = merged
        stored = json.dumps(merged.data, ensure_ascii=False, indent=1) + "\n"
        if not structural:
            add(schema_problems(located))
    add(semantic_problems(located, own_languages))
    if problems:
        return None, sorted(problems), stored
    assert isinstance(located.data, dict)  # the file is a mapping (checked above), and so is a merge onto its base
    questionnaire = build_questionnaire(located.data, sha256_of(stored))
    if trace is not None:
        trace.update(data=located.data, files=extended)
    warnings: list[Problem] = []
    if lint:
        from ketascreen.loading.lint import lint as safety_lint
        from ketascreen.loading.translations import untranslated_texts

        found = safety_lint(questionnaire, located, shown, extends=extends) + untranslated_texts(located, own_languages)
        if base is not None:
            from ketascreen.loading.protect import protect

            found += protect(base, questionnaire, located, shown)
        warnings = sorted({Problem(mark.file or shown, mark.line, mark.column, msg, "warning") for mark, msg in found})
    return questionnaire, warnings, stored


def _name_file(table: dict[_Key, Mark], shown: str) -> None:
    """Every position in ``table`` that names no file is in ``shown``."""
    for key, mark in table.items():
        if not mark.file:
            table[key] = mark._replace(file=shown)


def _extend(clinic: Located, origin: Path | None, chain: tuple[Path, ...],
            extended: list[Path]) -> tuple[Located | None, list[Finding], Located | None]:
    """The clinic file merged onto its base (itself merged if it extends another), with findings,
    and that base."""
    from ketascreen.loading.extend import merge
    from ketascreen.loading.yamlread import Mark, YamlProblem, parse, read_text

    name = clinic.data.get("extends") if isinstance(clinic.data, dict) else None
    at = clinic.position(("extends",))
    if not isinstance(name, str):
        return None, [], None
    try:
        base_path = find_questionnaire(name, relative_to=origin.parent if origin else None)
    except KetascreenError as error:
        return None, [(at, f"extends: {error}")], None
    if not base_path.is_file():
        return None, [(at, f"extends: no questionnaire file {base_path}")], None
    resolved = base_path.resolve()
    here = origin.resolve() if origin else None
    if len(set(chain)) >= MAX_CHAIN:
        return None, [(at, f"extends: a chain of more than {MAX_CHAIN} files extending each other; "
                           "ketascreen reads at most that many (merge some of them)")], None
    if resolved == here or resolved in chain:
        return None, [(at, f"extends: '{name}' leads back to a file that extends it (a cycle: "
                           f"{' → '.join(dict.fromkeys(p.name for p in (*chain, here) if p))} → {resolved.name})")], None
    shown = str(base_path)
    extended.append(resolved)
    try:
        base, soft = parse(read_text(base_path))
    except YamlProblem as problem:
        return None, [(Mark(problem.line, problem.column, shown), problem.message)], None
    findings = [(Mark(p.line, p.column, shown), p.message) for p in soft]
    if not isinstance(base.data, dict):
        return None, findings + [(Mark(1, 1, shown), "is not a questionnaire")], None
    if "extends" in base.data:
        deeper, more, _ = _extend(base, base_path, chain + ((here,) if here else ()) + (resolved,), extended)
        findings += [(mark._replace(file=mark.file or shown), msg) for mark, msg in more]
        if deeper is None:
            return None, findings, None
        base = deeper
    merged, more = merge(clinic, base, shown, name)
    return merged, findings + more, base


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Source:
    """A checked questionnaire with the exact text it came from (sessions keep a copy)."""

    questionnaire: Questionnaire
    text: str
    path: Path


def load_source(name: str) -> Source:
    """The checked questionnaire and its text, for a bundled id or path. A file checked before by
    this version of ketascreen is built from the cache without checking it again (compiled.py)."""
    path = find_questionnaire(name)
    cached = _from_cache(path)
    if cached is not None:
        return cached
    from ketascreen.loading import compiled
    from ketascreen.loading.yamlread import YamlProblem, read_text

    try:
        text = read_text(path)
    except YamlProblem as problem:
        raise QuestionnaireError([Problem(str(path), problem.line, problem.column, problem.message)]) from None
    trace: dict[str, Any] = {}
    questionnaire, problems, stored = _check(text, str(path), path, trace=trace)
    if questionnaire is None:
        raise QuestionnaireError(problems)
    files = tuple((str(p), compiled.file_hash(p) or "") for p in trace["files"])
    compiled.keep(compiled.file_key(path, text.encode("utf-8")),
                  compiled.Entry(trace["data"], questionnaire.sha256, None if stored == text else stored, files))
    return Source(questionnaire, stored, path)


def _from_cache(path: Path) -> Source | None:
    """The source built from the cache entry for the file as it is now, if there is a sound one."""
    from ketascreen.loading import compiled
    from ketascreen.loading.build import build_questionnaire

    try:
        if not path.is_file():
            return None
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None  # the full check says what is wrong with it
    entry = compiled.lookup(compiled.file_key(path, text.encode("utf-8")))
    if entry is None:
        return None
    stored = text if entry.text is None else entry.text
    return Source(build_questionnaire(entry.data, entry.sha256), stored, path)


def load_questionnaire(name: str) -> Questionnaire:
    """The checked questionnaire for a bundled id or path; QuestionnaireError lists what is wrong."""
    return load_source(name).questionnaire
