"""Translations of what the interview shows: whole where they are begun, and (for `--strict`) in
every language the file uses.

A question asked in Spanish with one answer option left in English would have the patient hear two
languages and perhaps miss the option; that is an error. A question that has no Spanish at all is
asked in the file's language, which is what a clinic may mean (a validated instrument with no
validated translation): a section says so with ``untranslated``, and otherwise it is a warning,
which ``validate --strict`` makes an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ketascreen.loading.yamlread import Located, Mark, Path_

Finding = tuple[Mark, str]


def _languages(value: Any, default: str) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k in value}
    return {default} if isinstance(value, str) else set()


def _file_language(data: dict[str, Any]) -> str:
    named = data.get("language")
    return named if isinstance(named, str) else "en"


def _items(container: Any, key: str, path: Path_) -> Iterator[tuple[dict[str, Any], Path_]]:
    items = container.get(key) if isinstance(container, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield item, path + (key, index)


def _questions(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Path_, dict[str, Any]]]:
    """Each question with its path and its section."""
    for section, spath in _items(data, "sections", ()):
        for question, qpath in _items(section, "questions", spath):
            yield question, qpath, section


def _options(data: dict[str, Any], question: dict[str, Any], qpath: Path_) -> list[tuple[Any, Path_]]:
    """The labels of a question's answer options (its choices, or its scale's options), with paths."""
    found = [(choice.get("label"), cpath + ("label",)) for choice, cpath in _items(question, "choices", qpath)]
    scale = question.get("scale")
    scales = data.get("scales")
    if isinstance(scale, str) and isinstance(scales, dict) and isinstance(scales.get(scale), list):
        for index, option in enumerate(scales[scale]):
            if isinstance(option, dict):
                found.append((option.get("label"), ("scales", scale, index, "label")))
    return found


def translation_problems(located: Located, required: set[str] | None = None) -> list[Finding]:
    """Errors: a question whose text is in a language that its help or one of its answer options
    lacks, or an option or help in a language its question's text lacks. ``required``: only these
    languages (a clinic file that rewords a translated question in English alone is not blamed for
    the base's Spanish; the interview then shows the clinic's English)."""
    data = located.data
    if not isinstance(data, dict):
        return []
    default = _file_language(data)
    findings: dict[tuple[Mark, str], None] = {}  # ordered, and one finding per place and language
    for question, qpath, _ in _questions(data):
        qid = question.get("id")
        text_languages = _languages(question.get("text"), default)
        parts = [(question.get("help"), qpath + ("help",), "its help")] if "help" in question else []
        parts += [(label, path, "an answer option") for label, path in _options(data, question, qpath)]
        if required is not None:
            text_languages &= required | {default}
        for value, path, what in parts:
            languages = _languages(value, default)
            if required is not None:
                languages &= required | {default}
            for language in sorted(text_languages - languages):
                findings[(located.position(path), f"question '{qid}' is asked in '{language}', but {what} has no "
                                                  f"'{language}' text; add '{language}:' here")] = None
            for language in sorted(languages - text_languages):
                findings[(located.position(qpath + ("text",)), f"question '{qid}': {what} has '{language}' text "
                                                               f"but the question's text has none; add '{language}:' "
                                                               f"to the text")] = None
    return list(findings)


def _interview_texts(data: dict[str, Any]) -> Iterator[tuple[Any, Path_, str, set[str]]]:
    """Every text the interview shows: (value, path, what it is, languages it is knowingly not in)."""
    if "title" in data:
        yield data["title"], ("title",), "the questionnaire's title", set()
    for section, spath in _items(data, "sections", ()):
        exempt = set(section["untranslated"]) if isinstance(section.get("untranslated"), dict) else set()
        for key in ("title", "intro"):
            if key in section:
                yield section[key], spath + (key,), f"the {key} of section '{section.get('id')}'", exempt
        for question, qpath in _items(section, "questions", spath):
            qid = question.get("id")
            own = exempt | (set(question["untranslated"]) if isinstance(question.get("untranslated"), dict) else set())
            for key in ("text", "help"):
                if key in question:
                    yield question[key], qpath + (key,), f"the {key} of question '{qid}'", own
            for choice, cpath in _items(question, "choices", qpath):
                yield choice.get("label"), cpath + ("label",), f"choice '{choice.get('code')}' of question '{qid}'", own
    used: dict[str, set[str]] = {}  # scale -> languages exempt wherever it is used
    for question, _, section in _questions(data):
        if isinstance(question.get("scale"), str):
            exempt = set(section["untranslated"]) if isinstance(section.get("untranslated"), dict) else set()
            scale = question["scale"]
            used[scale] = used[scale] & exempt if scale in used else exempt
    scales = data.get("scales")
    for name, exempt in used.items():
        options = scales.get(name) if isinstance(scales, dict) else None
        for index, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict):
                yield option.get("label"), ("scales", name, index, "label"), f"option {index + 1} of scale '{name}'", exempt
    for flag, fpath in _items(data, "flags", ()):
        if "staff_instruction" in flag:
            yield flag["staff_instruction"], fpath + ("staff_instruction",), f"the staff instruction of flag '{flag.get('id')}'", set()
    for check, cpath in _items(data, "checks", ()):
        if "message" in check:
            yield check["message"], cpath + ("message",), f"the message of check '{check.get('id')}'", set()


_TEXT_KEYS = frozenset({"title", "intro", "text", "help", "label", "staff_instruction", "message"})


def languages_written(data: Any) -> set[str]:
    """The languages a file's own texts are written in, wherever they are (a clinic file that
    extends another keeps its questions under its own keys)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _TEXT_KEYS and isinstance(value, dict):
                found |= {str(k) for k in value}
            else:
                found |= languages_written(value)
    elif isinstance(data, list):
        for item in data:
            found |= languages_written(item)
    return found


def untranslated_texts(located: Located, required: set[str] | None = None) -> list[Finding]:
    """Warnings (errors with --strict): a text the interview shows that lacks a language the file
    uses elsewhere, outside a section that names the language in ``untranslated``. ``required``:
    only these languages (for a clinic file that extends another, the languages it writes itself:
    a clinic that adds English questions to a translated base is not asked to translate them)."""
    data = located.data
    if not isinstance(data, dict):
        return []
    default = _file_language(data)
    texts = list(_interview_texts(data))
    used = set().union(*(_languages(value, default) for value, _, _, _ in texts)) - {default} if texts else set()
    if required is not None:
        used &= required
    findings = []
    for value, path, what, exempt in texts:
        for language in sorted(used - _languages(value, default) - exempt):
            findings.append((located.position(path), f"{what} has no '{language}' text, though the file is "
                                                     f"translated into '{language}' elsewhere (a section "
                                                     f"knowingly left untranslated says so with 'untranslated: "
                                                     f"{{{language}: notice for staff}}')"))
    return findings
