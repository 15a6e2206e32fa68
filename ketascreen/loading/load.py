"""Find a questionnaire by bundled id or path, and load it with every problem reported at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ketascreen.errors import Problem, QuestionnaireError, QuestionnaireNotFound
from ketascreen.model import Questionnaire

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
SUFFIXES = (".yaml", ".yml")


def bundled_ids() -> list[str]:
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def find_questionnaire(name: str) -> Path:
    """A path as given, or a bundled questionnaire by its id."""
    path = Path(name)
    if path.exists() or path.suffix in SUFFIXES or "/" in name or "\\" in name:
        return path
    bundled = BUNDLED_DIR / f"{name}.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(bundled_ids()) or "none"
    raise QuestionnaireNotFound(f"{name}: no such file, and no bundled questionnaire with that id (bundled: {known})")


def check_file(path: Path, name: str | None = None) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in the file; the questionnaire when there are none."""
    from ketascreen.loading.yamlread import YamlProblem, read_text

    shown = name or str(path)
    try:
        text = read_text(path)
    except YamlProblem as problem:
        return None, [Problem(shown, problem.line, problem.column, problem.message)]
    return check_text(text, shown)


def check_text(text: str, shown: str) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in a questionnaire's text; the questionnaire when there are none."""
    from ketascreen.loading.build import build_questionnaire
    from ketascreen.loading.checks import semantic_problems
    from ketascreen.loading.schema import schema_problems
    from ketascreen.loading.yamlread import YamlProblem, parse

    try:
        located, soft = parse(text)
    except YamlProblem as problem:
        return None, [Problem(shown, problem.line, problem.column, problem.message)]
    problems = {Problem(shown, p.line, p.column, p.message) for p in soft}
    if not isinstance(located.data, dict):
        problems.add(Problem(shown, 1, 1, "a questionnaire is a mapping (format:, id:, title:, ...), not a single value or list"))
        return None, sorted(problems)
    problems.update(Problem(mark.file or shown, mark.line, mark.column, msg) for mark, msg in schema_problems(located))
    problems.update(Problem(mark.file or shown, mark.line, mark.column, msg) for mark, msg in semantic_problems(located))
    if problems:
        return None, sorted(problems)
    return build_questionnaire(located.data, sha256_of(text)), []


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Source:
    """A checked questionnaire with the exact text it came from (sessions keep a copy)."""

    questionnaire: Questionnaire
    text: str
    path: Path


def load_source(name: str) -> Source:
    """The checked questionnaire and its text, for a bundled id or path."""
    from ketascreen.loading.yamlread import YamlProblem, read_text

    path = find_questionnaire(name)
    try:
        text = read_text(path)
    except YamlProblem as problem:
        raise QuestionnaireError([Problem(str(path), problem.line, problem.column, problem.message)]) from None
    questionnaire, problems = check_text(text, str(path))
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return Source(questionnaire, text, path)


def load_questionnaire(name: str) -> Questionnaire:
    """The checked questionnaire for a bundled id or path; QuestionnaireError lists what is wrong."""
    return load_source(name).questionnaire
