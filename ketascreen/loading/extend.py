"""Clinic files that extend another questionnaire: `extends: ketamine-pretreatment`, then add, change
or remove sections, questions, flags and scores.

The result is an ordinary questionnaire that goes through every check; each value keeps the position
of the file it came from, so a message points at the clinic file or at the base, wherever the
problem lies. Chains (clinic → regional → bundled) work; a cycle is an error.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ketascreen.loading.yamlread import Located, Mark, Path_
from ketascreen.textsafe import did_you_mean

Finding = tuple[Mark, str]
INHERITED = ("format", "id", "title", "version", "description", "language")


@dataclass
class _Part:
    """One section, question, flag or score of the merged result, with where its parts came from."""

    data: dict[str, Any]
    origin: Located
    path: Path_
    file: str  # "" for the clinic file itself
    overlays: list[tuple[Located, Path_, list[str]]] = field(default_factory=list)  # (file, path, keys) of changes


@dataclass
class _Section:
    part: _Part
    questions: list[_Part]


def merge(clinic: Located, base: Located, base_file: str, base_name: str | None = None) -> tuple[Located, list[Finding]]:
    """The clinic file applied to its (already merged) base; ``base_name`` is how messages name it."""
    merging = _Merge(clinic, base, base_file, base_name or base_file)
    # Removals first, so that a clinic can remove a question and add its own with the same id.
    merging.remove_questions()
    merging.remove_sections()
    merging.change_sections()
    merging.add_sections()
    merging.add_questions()
    merging.change_questions()
    flags = merging.merge_list("flag", "flags")
    scores = merging.merge_list("score", "scores")
    return merging.result(flags, scores), merging.findings


class _Merge:
    """A clinic file being applied to its base: the base's sections and questions as they stand
    after each change so far, the ids removed, and the problems found."""

    def __init__(self, clinic: Located, base: Located, base_file: str, name: str) -> None:
        assert isinstance(clinic.data, dict) and isinstance(base.data, dict)  # loading merges only mappings
        self.clinic, self.base, self.base_file, self.name = clinic, base, base_file, name
        self.data: dict[str, Any] = clinic.data
        self.base_data: dict[str, Any] = base.data
        self.findings: list[Finding] = []
        self.sections: list[_Section] = []
        for s_index, raw in enumerate(_list(self.base_data.get("sections"))):
            if not isinstance(raw, dict):
                continue
            spath = ("sections", s_index)
            questions = [_Part(q, base, spath + ("questions", q_index), base_file)
                         for q_index, q in enumerate(_list(raw.get("questions"))) if isinstance(q, dict)]
            self.sections.append(_Section(_Part(raw, base, spath, base_file), questions))
        # removals the base itself made point into the base's file
        self.removed: dict[str, Mark] = {key: mark._replace(file=mark.file or base_file) for key, mark in base.removed.items()}
        self.all_questions = [str(p.data.get("id")) for s in self.sections for p in s.questions]

    def problem(self, path: Path_, message: str, key: bool = False) -> None:
        self.findings.append((self.clinic.key_position(path) if key else self.clinic.position(path), message))

    def find_question(self, qid: str) -> tuple[_Section, int] | None:
        for section in self.sections:
            for index, part in enumerate(section.questions):
                if part.data.get("id") == qid:
                    return section, index
        return None

    def find_section(self, sid: str) -> int | None:
        return next((i for i, s in enumerate(self.sections) if s.part.data.get("id") == sid), None)

    def remove_questions(self) -> None:
        for index, qid in enumerate(_list(self.data.get("remove_questions"))):
            found = self.find_question(qid) if isinstance(qid, str) else None
            if found is None:
                self.problem(("remove_questions", index),
                             f"remove_questions: no question '{qid}' in {self.name}{_hint(qid, self.all_questions)}")
                continue
            section, position = found
            del section.questions[position]
            self.removed[qid] = self.clinic.position(("remove_questions", index))

    def remove_sections(self) -> None:
        for index, sid in enumerate(_list(self.data.get("remove_sections"))):
            found_index = self.find_section(sid) if isinstance(sid, str) else None
            if found_index is None:
                self.problem(("remove_sections", index), f"remove_sections: no section '{sid}' in {self.name}")
                continue
            for part in self.sections[found_index].questions:
                self.removed[str(part.data.get("id"))] = self.clinic.position(("remove_sections", index))
            del self.sections[found_index]

    def change_sections(self) -> None:
        for sid, change in _mapping(self.data.get("change_sections")).items():
            found_index = self.find_section(sid)
            if found_index is None:
                self.problem(("change_sections", sid), f"change_sections: no section '{sid}' in {self.name}", key=True)
            elif isinstance(change, dict):
                _overlay(self.sections[found_index].part, self.clinic, ("change_sections", sid), change)

    def add_sections(self) -> None:
        clinic = self.clinic
        for index, entry in enumerate(_list(self.data.get("add_sections"))):
            if not isinstance(entry, dict):
                continue
            path = ("add_sections", index)
            body = {k: v for k, v in entry.items() if k not in ("before", "after")}
            new = _Section(_Part(body, clinic, path, ""),
                           [_Part(q, clinic, path + ("questions", i), "") for i, q in enumerate(_list(body.get("questions")))
                            if isinstance(q, dict)])
            anchor, where = _anchor(entry)
            if anchor is None:
                self.sections.append(new)
                continue
            found_index = self.find_section(anchor)
            if found_index is None:
                self.problem(path + (where,), f"{where}: no section '{anchor}' to place this section {where}")
                self.sections.append(new)
            else:
                self.sections.insert(found_index + (where == "after"), new)

    def not_in_base(self, part: _Part, where: str) -> bool:
        """A question the clinic adds that its base has since gained (a clinic file written for an
        earlier version): say exactly what to change instead of reporting two questions."""
        qid = part.data.get("id")
        if qid in self.all_questions and self.find_question(qid) is not None:
            base_version = self.base_data.get("version")
            self.problem(part.path + ("id",), f"{where}: question '{qid}' is part of {self.name}"
                         + (f" (version {base_version})" if base_version else "") + " now; remove it from "
                         f"{where} to use that one, or add remove_questions: [{qid}] to keep your own")
            return False
        return True

    def add_questions(self) -> None:
        for index, entry in enumerate(_list(self.data.get("add_questions"))):
            if not isinstance(entry, dict):
                continue
            path = ("add_questions", index)
            new_parts = [_Part(q, self.clinic, path + ("questions", i), "") for i, q in enumerate(_list(entry.get("questions")))
                         if isinstance(q, dict)]
            new_parts = [part for part in new_parts if self.not_in_base(part, "add_questions")]
            anchor, where = _anchor(entry)
            target = entry.get("section")
            if anchor is not None and target is not None:
                self.problem(path + ("section",), "give either 'section' or 'before'/'after', not both", key=True)
            if "after" in entry and "before" in entry:
                self.problem(path + ("before",), "give either 'after' or 'before', not both", key=True)
            if anchor is None:
                self.add_to_section(entry, path, target, new_parts)
            else:
                self.add_beside(path, anchor, where, new_parts)

    def add_to_section(self, entry: dict[str, Any], path: Path_, target: Any, new_parts: list[_Part]) -> None:
        """add_questions with 'section: SECTION': at the end of that section."""
        found_index = self.find_section(target) if isinstance(target, str) else None
        if found_index is None:
            self.problem(path + ("section",) if "section" in entry else path,
                         f"add_questions: no section '{target}'" if "section" in entry else
                         "add_questions needs 'after: QUESTION', 'before: QUESTION' or 'section: SECTION'")
            return
        self.sections[found_index].questions.extend(new_parts)

    def add_beside(self, path: Path_, anchor: str, where: str, new_parts: list[_Part]) -> None:
        """add_questions with 'after: QUESTION' or 'before: QUESTION'."""
        found = self.find_question(anchor)
        if found is None:
            self.problem(path + (where,), f"{where}: no question '{anchor}' to place these questions {where}"
                         + (f" (it is removed at {self.removed[anchor].where()})" if anchor in self.removed else ""))
            return
        section, position = found
        at = position + (where == "after")
        section.questions[at:at] = new_parts

    def change_questions(self) -> None:
        for qid, change in _mapping(self.data.get("change_questions")).items():
            found = self.find_question(qid)
            if found is None:
                self.problem(("change_questions", qid), f"change_questions: no question '{qid}' in {self.name}"
                             + (f" (it is removed at {self.removed[qid].where()})" if qid in self.removed
                                else _hint(qid, self.all_questions)), key=True)
            elif isinstance(change, dict):
                section, position = found
                _overlay(section.questions[position], self.clinic, ("change_questions", qid), change)

    def merge_list(self, kind: str, key: str) -> list[_Part]:
        """The base's flags or scores with the clinic's removals, changes and additions."""
        clinic, data, name = self.clinic, self.data, self.name
        parts = [_Part(item, self.base, (key, i), self.base_file)
                 for i, item in enumerate(_list(self.base_data.get(key))) if isinstance(item, dict)]
        for index, rid in enumerate(_list(data.get(f"remove_{key}"))):
            position = next((i for i, p in enumerate(parts) if p.data.get("id") == rid), None)
            if position is None:
                self.problem((f"remove_{key}", index),
                             f"remove_{key}: no {kind} '{rid}' in {name}{_hint(rid, [p.data.get('id') for p in parts])}")
            else:
                del parts[position]
                self.removed[f"{kind}:{rid}"] = clinic.position((f"remove_{key}", index))
        for cid, change in _mapping(data.get(f"change_{key}")).items():
            target = next((p for p in parts if p.data.get("id") == cid), None)
            if target is None:
                self.problem((f"change_{key}", cid),
                             f"change_{key}: no {kind} '{cid}' in {name}{_hint(cid, [p.data.get('id') for p in parts])}", key=True)
            elif isinstance(change, dict):
                _overlay(target, clinic, (f"change_{key}", cid), change)
        existing = {p.data.get("id") for p in parts}
        for i, item in enumerate(_list(data.get(f"add_{key}"))):
            if not isinstance(item, dict):
                continue
            if item.get("id") in existing:
                # The base has gained a flag or score of this id since the clinic file was written.
                self.problem((f"add_{key}", i, "id"), f"add_{key}: {kind} '{item.get('id')}' is part of {name} now; remove it "
                             f"from add_{key} to use that one, change it with change_{key}, or add remove_{key}: "
                             f"[{item.get('id')}] to keep your own")
                continue
            parts.append(_Part(item, clinic, (f"add_{key}", i), ""))
        return parts

    def result(self, flags: list[_Part], scores: list[_Part]) -> Located:
        """The merged questionnaire as plain data, each value with the position it came from."""
        clinic, base, base_file, data = self.clinic, self.base, self.base_file, self.data
        result: dict[str, Any] = {}
        merged = Located(result)
        merged.values[()] = Mark(1, 1)
        for key in INHERITED:
            source, sfile = (clinic, "") if key in data else (base, base_file)
            value = (data if key in data else self.base_data).get(key)
            if value is not None:
                result[key] = value
                merged.graft(source, (key,), (key,), sfile)
        scales = dict(_mapping(self.base_data.get("scales")))
        if scales:
            merged.graft(base, ("scales",), ("scales",), base_file)
        for scale_name, options in _mapping(data.get("scales")).items():
            scales[scale_name] = options
            merged.graft(clinic, ("scales", scale_name), ("scales", scale_name))
        if scales:
            result["scales"] = scales
        result["sections"] = []
        merged.values[("sections",)] = clinic.position(("extends",))
        for s_index, section in enumerate(self.sections):
            body = _materialise(section.part, merged, ("sections", s_index), skip=("questions", "before", "after"))
            body["questions"] = [_materialise(q, merged, ("sections", s_index, "questions", q_index))
                                 for q_index, q in enumerate(section.questions)]
            # A section of the base keeps the base's position, named as the base's: a message about
            # it (every question removed) must point into the file where the section is written.
            where = section.part.origin.position(section.part.path)
            merged.values.setdefault(("sections", s_index, "questions"),
                                     where._replace(file=where.file or section.part.file))
            result["sections"].append(body)
        for key, parts in (("flags", flags), ("scores", scores)):
            result[key] = [_materialise(p, merged, (key, i)) for i, p in enumerate(parts)]
            merged.values[(key,)] = merged.values.get((key, 0), Mark(1, 1))
        _carry_checks_and_screens(base, base_file, merged, result)
        for key in ("checks", "screens"):
            own = [(i, entry) for i, entry in enumerate(_list(data.get(key))) if isinstance(entry, dict)]
            if own:
                result.setdefault(key, [])
                for index, entry in own:
                    merged.graft(clinic, (key, index), (key, len(result[key])))
                    result[key].append(copy.deepcopy(entry))
                merged.values.setdefault((key,), clinic.position((key,)))
        merged.removed = self.removed
        return merged


def _overlay(part: _Part, clinic: Located, path: Path_, change: dict[str, Any]) -> None:
    part.data = {**part.data, **change}
    part.overlays.append((clinic, path, list(change)))


def _carry_checks_and_screens(base: Located, base_file: str, merged: Located, result: dict[str, Any]) -> None:
    """The base's cross-answer checks and named screens hold for the clinic file too. A check on a
    question the clinic removed goes with it; a screen keeps the flags that remain, and goes when
    none do."""
    base_data = _mapping(base.data)
    questions = {q.get("id") for s in result["sections"] for q in s["questions"]}
    flags = {f.get("id") for f in result["flags"]}
    from ketascreen.model import CHECK_OPERATORS

    kept_checks = [(i, c) for i, c in enumerate(_list(base_data.get("checks"))) if isinstance(c, dict)
                   and c.get("question") in questions
                   and all(c.get(op) in questions for op in CHECK_OPERATORS if op in c)]
    kept_screens = [(i, s) for i, s in enumerate(_list(base_data.get("screens"))) if isinstance(s, dict)
                    and any(f in flags for f in _list(s.get("flags")))]
    for key, kept in (("checks", kept_checks), ("screens", kept_screens)):
        if not kept:
            continue
        result[key] = []
        for new_index, (old_index, entry) in enumerate(kept):
            entry = copy.deepcopy(entry)
            if key == "screens":
                entry["flags"] = [f for f in _list(entry.get("flags")) if f in flags]
            result[key].append(entry)
            merged.graft(base, (key, old_index), (key, new_index), base_file)
        merged.values[(key,)] = merged.values.get((key, 0), Mark(1, 1))


def _materialise(part: _Part, merged: Located, path: Path_, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A plain dict for the merged data, with the positions of its origin and of each change."""
    merged.graft(part.origin, part.path, path, part.file, skip)
    for source, source_path, keys in part.overlays:
        for key in keys:
            merged.graft(source, source_path + (key,), path + (key,))
            merged.keys[path + (key,)] = source.key_position(source_path + (key,))
    return {k: copy.copy(v) if k == "questions" else v for k, v in part.data.items() if k not in skip}


def _hint(name: object, known: list[Any]) -> str:
    return did_you_mean(str(name), [str(k) for k in known if k])


def _anchor(entry: dict[str, Any]) -> tuple[str | None, str]:
    for where in ("after", "before"):
        if isinstance(entry.get(where), str):
            return entry[where], where
    return None, "after"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
