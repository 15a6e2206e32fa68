"""Checks the schema cannot express: ids, references, operators that fit their question, bands.

These run on the raw parsed data even when the schema found problems, so that one run reports
everything; each step therefore skips values of the wrong shape (the schema has reported those).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeGuard

from ketascreen.loading.translations import translation_problems
from ketascreen.loading.yamlread import Located, Mark, Path_
from ketascreen.model import COMPARISON_OPERATORS, ORDER_OPERATORS
from ketascreen.textsafe import did_you_mean

Finding = tuple[Mark, str]

OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "yes_no": ("equals", "not_equals"),
    "integer": ("equals", "not_equals", *ORDER_OPERATORS, "one_of"),
    "number": ("equals", "not_equals", *ORDER_OPERATORS),
    "choice": ("equals", "not_equals", "one_of"),
    "multi_choice": ("includes",),
    "scale": ("equals", "not_equals", *ORDER_OPERATORS, "one_of"),
    "text": ("equals", "not_equals"),
    "date": ("equals", "not_equals", *ORDER_OPERATORS),
}
SCORE_OPERATORS = ("equals", "not_equals", *ORDER_OPERATORS, "one_of")
TYPE_WORDS = {
    "yes_no": "yes/no",
    "integer": "whole-number",
    "number": "number",
    "choice": "choice",
    "multi_choice": "multiple-choice",
    "scale": "scale",
    "text": "free-text",
    "date": "date",
}
SCORABLE_TYPES = ("scale", "yes_no")
TEXT_KEYS = {
    "root": ("title", "description"),
    "section": ("title", "intro", "source"),
    "question": ("text", "label", "help"),
    "flag": ("label", "explanation", "source", "staff_instruction"),
    "score": ("label", "source"),
}


@dataclass
class _QuestionRef:
    data: dict[str, Any]
    path: Path_
    index: int


@dataclass
class _Context:
    located: Located
    language: str
    questions: dict[str, _QuestionRef] = field(default_factory=dict)
    scores: dict[str, tuple[dict[str, Any], Path_]] = field(default_factory=dict)
    scales: dict[str, list[Any]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    flag_refs: dict[str, list[tuple[str, Path_]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def at(self, path: Path_, message: str) -> None:
        self.findings.append((self.located.position(path), message))

    def at_key(self, path: Path_, message: str) -> None:
        self.findings.append((self.located.key_position(path), message))


def semantic_problems(located: Located, languages: set[str] | None = None) -> list[Finding]:
    """``languages``: the translations to check for wholeness (None: every one the file has)."""
    data = located.data
    if not isinstance(data, dict):
        return []
    named = data.get("language")
    language = named if isinstance(named, str) else "en"
    ctx = _Context(located, language)
    _check_texts(ctx, data, (), "root")
    _collect_scales(ctx, data)
    _collect_questions(ctx, data)
    _collect_scores(ctx, data)
    _check_questions(ctx, data)
    _check_scores(ctx, data)
    _check_flags(ctx, data)
    _check_checks(ctx, data)
    _check_screens(ctx, data)
    _check_shows(ctx, data)
    ctx.findings.extend(translation_problems(located, languages))
    return ctx.findings


def _check_shows(ctx: _Context, data: dict[str, Any]) -> None:
    """'shows' names questions of this questionnaire."""
    for kind in ("flags", "scores"):
        for entry, path in _entries(data, kind, ()):
            shows = entry.get("shows")
            for index, qid in enumerate(shows if isinstance(shows, list) else []):
                if isinstance(qid, str) and qid not in ctx.questions:
                    ctx.at(path + ("shows", index), f"{kind[:-1]} '{entry.get('id')}' shows question '{qid}', "
                                                    f"which {_missing(ctx, qid)}")


def _entries(container: Any, key: str, path: Path_) -> Iterator[tuple[dict[str, Any], Path_]]:
    """The mapping entries of the list at container[key], with their paths."""
    items = container.get(key) if isinstance(container, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield item, path + (key, index)


def _check_texts(ctx: _Context, entry: dict[str, Any], path: Path_, kind: str) -> None:
    for key in TEXT_KEYS[kind]:
        value = entry.get(key)
        if isinstance(value, dict) and value and ctx.language not in value:
            ctx.at(path + (key,), f"'{key}' has no '{ctx.language}' text (the file's language)")


def _collect_scales(ctx: _Context, data: dict[str, Any]) -> None:
    scales = data.get("scales")
    if not isinstance(scales, dict):
        return
    for name, options in scales.items():
        if not isinstance(options, list):
            continue
        ctx.scales[name] = options
        seen: dict[Any, int] = {}
        for index, option in enumerate(options):
            if not isinstance(option, dict):
                continue
            label = option.get("label")
            if isinstance(label, dict) and label and ctx.language not in label:
                ctx.at(("scales", name, index, "label"), f"'label' has no '{ctx.language}' text (the file's language)")
            score = option.get("score")
            if isinstance(score, int) and not isinstance(score, bool):
                if score in seen:
                    ctx.at(("scales", name, index, "score"),
                           f"score {score} appears twice in scale '{name}' (entries {seen[score] + 1} and {index + 1})")
                seen.setdefault(score, index)


def _collect_questions(ctx: _Context, data: dict[str, Any]) -> None:
    section_ids: dict[str, Path_] = {}
    index = 0
    for section, spath in _entries(data, "sections", ()):
        _check_texts(ctx, section, spath, "section")
        sid = section.get("id")
        if isinstance(sid, str):
            if sid in section_ids:
                ctx.at(spath + ("id",), f"duplicate section id '{sid}' (first at {ctx.located.position(section_ids[sid] + ('id',)).where()})")
            else:
                section_ids[sid] = spath
        for question, qpath in _entries(section, "questions", spath):
            qid = question.get("id")
            if not isinstance(qid, str):
                continue
            if qid in ctx.questions:
                first = ctx.located.position(ctx.questions[qid].path + ("id",)).where()
                ctx.at(qpath + ("id",), f"duplicate question id '{qid}' (first at {first})")
                continue
            ctx.questions[qid] = _QuestionRef(question, qpath, index)
            index += 1


def _collect_scores(ctx: _Context, data: dict[str, Any]) -> None:
    for score, path in _entries(data, "scores", ()):
        sid = score.get("id")
        if not isinstance(sid, str):
            continue
        if sid in ctx.scores:
            first = ctx.located.position(ctx.scores[sid][1] + ("id",)).where()
            ctx.at(path + ("id",), f"duplicate score id '{sid}' (first at {first})")
        elif sid in ctx.questions:
            first = ctx.located.position(ctx.questions[sid].path + ("id",)).where()
            ctx.at(path + ("id",), f"score id '{sid}' is already a question id ({first}); conditions could not tell them apart")
        else:
            ctx.scores[sid] = (score, path)


def _check_questions(ctx: _Context, data: dict[str, Any]) -> None:
    for section, spath in _entries(data, "sections", ()):
        questions = [q for q, _ in _entries(section, "questions", spath)]
        first_index = next(
            (ctx.questions[q["id"]].index for q in questions if isinstance(q.get("id"), str) and q["id"] in ctx.questions),
            0,
        )
        if isinstance(section.get("when"), dict):
            owner = f"section '{section.get('id')}'"
            _check_condition(ctx, section["when"], spath + ("when",), before=first_index, owner=owner)
        for question, qpath in _entries(section, "questions", spath):
            _check_question(ctx, question, qpath)


def _check_question(ctx: _Context, question: dict[str, Any], path: Path_) -> None:
    _check_texts(ctx, question, path, "question")
    qtype = question.get("type")
    qid = question.get("id")
    if not isinstance(qtype, str):
        return
    words = TYPE_WORDS.get(qtype, qtype)
    for key in ("min", "max", "unit"):
        if key in question and qtype not in ("integer", "number"):
            ctx.at_key(path + (key,), f"'{key}' applies only to integer and number questions, not to a {words} question")
    if "choices" in question and qtype not in ("choice", "multi_choice"):
        ctx.at_key(path + ("choices",), f"'choices' applies only to choice and multi_choice questions, not to a {words} question")
    if "scale" in question and qtype != "scale":
        ctx.at_key(path + ("scale",), f"'scale' applies only to scale questions, not to a {words} question")
    low, high = question.get("min"), question.get("max")
    if qtype == "integer":
        for key, value in (("min", low), ("max", high)):
            if isinstance(value, float) and not value.is_integer():
                ctx.at(path + (key,), f"'{key}' of a whole-number question must be a whole number, not {value}")
    if _is_number(low) and _is_number(high) and low > high:
        ctx.at(path + ("min",), f"'min' ({low}) is above 'max' ({high})")
    if qtype in ("choice", "multi_choice"):
        seen: dict[str, str | int] = {}  # code -> the index of its first choice
        for choice, cpath in _entries(question, "choices", path):
            label = choice.get("label")
            if isinstance(label, dict) and label and ctx.language not in label:
                ctx.at(cpath + ("label",), f"'label' has no '{ctx.language}' text (the file's language)")
            code = choice.get("code")
            if isinstance(code, str):
                if code in seen:
                    ctx.at(cpath + ("code",), f"choice code '{code}' appears twice in question '{qid}'")
                seen.setdefault(code, cpath[-1])
    if qtype == "scale" and isinstance(question.get("scale"), str) and question["scale"] not in ctx.scales:
        ctx.at(path + ("scale",), f"no scale named '{question['scale']}' under 'scales'{_suggest(question['scale'], ctx.scales)}")
    if isinstance(question.get("when"), dict) and isinstance(qid, str) and qid in ctx.questions:
        before = ctx.questions[qid].index
        _check_condition(ctx, question["when"], path + ("when",), before=before, owner=f"question '{qid}'")


def _check_scores(ctx: _Context, data: dict[str, Any]) -> None:
    for score, path in _entries(data, "scores", ()):
        _check_texts(ctx, score, path, "score")
        sid = score.get("id")
        low = high = 0
        complete = True
        items = _list_of(score, "items")
        for index, item in enumerate(items):
            if not isinstance(item, str):
                complete = False
                continue
            ref = ctx.questions.get(item)
            if ref is None:
                ctx.at(path + ("items", index), f"score '{sid}' sums question '{item}', which {_missing(ctx, item)}")
                complete = False
                continue
            qtype = ref.data.get("type")
            if qtype not in SCORABLE_TYPES:
                ctx.at(path + ("items", index),
                       f"score '{sid}' can sum scale and yes/no questions; '{item}' is a {TYPE_WORDS.get(str(qtype), qtype)} question")
                complete = False
                continue
            item_range = _item_range(ctx, ref.data)
            if item_range is None:
                complete = False
                continue
            low, high = low + item_range[0], high + item_range[1]
        if isinstance(score.get("zero_when"), dict):
            _check_condition(ctx, score["zero_when"], path + ("zero_when",), before=None, owner=f"score '{sid}'")
            low = min(low, 0)
        for note, npath in _entries(score, "notes", path):
            if isinstance(note.get("when"), dict):
                _check_condition(ctx, note["when"], npath + ("when",), before=None, owner=f"a note of score '{sid}'")
            if isinstance(note.get("text"), dict) and note["text"] and ctx.language not in note["text"]:
                ctx.at(npath + ("text",), f"'text' has no '{ctx.language}' text (the file's language)")
        if complete and items:
            _check_bands(ctx, score, path, low, high)


def _score_range(ctx: _Context, score: dict[str, Any]) -> tuple[int | None, int | None]:
    """Lowest and highest value a score can take, or (None, None) when its items are not all known."""
    low = high = 0
    for item in _list_of(score, "items"):
        ref = ctx.questions.get(item) if isinstance(item, str) else None
        found = _item_range(ctx, ref.data) if ref is not None and ref.data.get("type") in SCORABLE_TYPES else None
        if found is None:
            return None, None
        low, high = low + found[0], high + found[1]
    if isinstance(score.get("zero_when"), dict):
        low = min(low, 0)
    return low, high


def _item_range(ctx: _Context, question: dict[str, Any]) -> tuple[int, int] | None:
    if question.get("type") == "yes_no":
        return (0, 1)
    scale: Any = question.get("scale")  # parsed YAML, of any kind: the schema reports a scale that is not a name
    options = ctx.scales.get(scale) if isinstance(scale, str) else None
    scores = [o["score"] for o in options or [] if isinstance(o, dict) and _is_int(o.get("score"))]
    return (min(scores), max(scores)) if scores else None


def _check_bands(ctx: _Context, score: dict[str, Any], path: Path_, low: int, high: int) -> None:
    bands = [(band, bpath) for band, bpath in _entries(score, "bands", path)
             if _is_int(band.get("min")) and _is_int(band.get("max"))]
    sid = score.get("id")
    for band, bpath in _entries(score, "bands", path):
        label = band.get("label")
        if isinstance(label, dict) and label and ctx.language not in label:
            ctx.at(bpath + ("label",), f"'label' has no '{ctx.language}' text (the file's language)")
    for band, bpath in bands:
        if band["min"] > band["max"]:
            ctx.at(bpath + ("min",), f"band 'min' ({band['min']}) is above its 'max' ({band['max']})")
            return
    if not bands:
        return
    bands.sort(key=lambda entry: entry[0]["min"])
    first, first_path = bands[0]
    if first["min"] != low:
        ctx.at(first_path + ("min",), f"the bands of score '{sid}' start at {first['min']}, but the score can be as low as {low}")
    for (previous, _), (band, bpath) in zip(bands, bands[1:], strict=False):
        if band["min"] > previous["max"] + 1:
            ctx.at(bpath + ("min",), f"gap in the bands of score '{sid}': nothing covers {previous['max'] + 1}"
                   + (f" to {band['min'] - 1}" if band["min"] - 1 > previous["max"] + 1 else ""))
        elif band["min"] <= previous["max"]:
            ctx.at(bpath + ("min",), f"bands of score '{sid}' overlap: {band['min']} to {min(band['max'], previous['max'])} is in two bands")
    last, last_path = bands[-1]
    if last["max"] != high:
        ctx.at(last_path + ("max",), f"the bands of score '{sid}' end at {last['max']}, but the score can be as high as {high}")


def _check_flags(ctx: _Context, data: dict[str, Any]) -> None:
    seen: dict[str, Path_] = {}
    ctx.flags = {f["id"] for f, _ in _entries(data, "flags", ()) if isinstance(f.get("id"), str)}
    for flag, path in _entries(data, "flags", ()):
        _check_texts(ctx, flag, path, "flag")
        fid = flag.get("id")
        if isinstance(fid, str):
            if fid in seen:
                ctx.at(path + ("id",), f"duplicate flag id '{fid}' (first at {ctx.located.position(seen[fid] + ('id',)).where()})")
            seen.setdefault(fid, path)
        if isinstance(flag.get("when"), dict):
            _check_condition(ctx, flag["when"], path + ("when",), before=None, owner=f"flag '{fid}'")
        for detail, dpath in _entries(flag, "details", path):
            if isinstance(detail.get("when"), dict):
                _check_condition(ctx, detail["when"], dpath + ("when",), before=None, owner=f"flag '{fid}'")
            if isinstance(detail.get("text"), dict) and detail["text"] and ctx.language not in detail["text"]:
                ctx.at(dpath + ("text",), f"'text' has no '{ctx.language}' text (the file's language)")
    _check_flag_cycles(ctx)
    _check_covered_by(ctx, data)


def _check_covered_by(ctx: _Context, data: dict[str, Any]) -> None:
    """covered_by names other flags, and no two flags cover each other (neither would be shown)."""
    covers: dict[str, list[str]] = {}
    severity = {f.get("id"): f.get("severity") for f, _ in _entries(data, "flags", ())}
    for flag, path in _entries(data, "flags", ()):
        fid = flag.get("id")
        for index, ref in enumerate(_list_of(flag, "covered_by")):
            if not isinstance(ref, str):
                continue
            if ref == fid:
                ctx.at(path + ("covered_by", index), f"flag '{fid}' cannot be covered by itself")
            elif ref not in ctx.flags:
                ctx.at(path + ("covered_by", index), f"flag '{fid}': covered_by names flag '{ref}', which {_missing(ctx, ref, 'flag')}")
            elif _rank(severity.get(ref)) > _rank(flag.get("severity")):
                ctx.at(path + ("covered_by", index), f"flag '{fid}' ({flag.get('severity')}) cannot be covered by "
                                                     f"'{ref}' ({severity.get(ref)}): a flag folds only under one at "
                                                     "least as pressing, or the summary would show it less prominently")
            else:
                covers.setdefault(str(fid), []).append(ref)
    for flag, path in _entries(data, "flags", ()):
        fid = flag.get("id")
        seen, todo = set(), list(covers.get(str(fid), []))
        while todo:
            ref = todo.pop()
            if ref == fid:
                ctx.at(path + ("covered_by",), f"flag '{fid}' is covered, through covered_by, by a flag it covers: "
                                               "when both are raised neither would be shown on its own")
                break
            if ref not in seen:
                seen.add(ref)
                todo.extend(covers.get(ref, []))


def _rank(severity: Any) -> int:
    order = ("urgent", "contraindication", "precaution", "history", "logistics")
    return order.index(severity) if severity in order else len(order)


def _check_checks(ctx: _Context, data: dict[str, Any]) -> None:
    """A check compares a question with one asked before it; both numbers (or both dates)."""
    from ketascreen.model import CHECK_OPERATORS

    seen: dict[str, Path_] = {}
    for check, path in _entries(data, "checks", ()):
        cid = _named_once(ctx, check, path, seen, "check", "message")
        operators = [op for op in CHECK_OPERATORS if op in check]
        if not operators:
            ctx.at(path, f"check '{cid}' needs one of {', '.join(CHECK_OPERATORS)}: the earlier question it compares "
                         "with, e.g. below: bp_systolic")
            continue
        if len(operators) > 1:
            ctx.at_key(path + (operators[1],), f"check '{cid}' compares once: '{operators[0]}' and '{operators[1]}' "
                                               "belong in two checks")
            continue
        operator = operators[0]
        qid, other = check.get("question"), check.get(operator)
        if not isinstance(qid, str) or not isinstance(other, str):
            continue
        target, earlier = ctx.questions.get(qid), ctx.questions.get(other)
        if target is None:
            ctx.at(path + ("question",), f"check '{cid}' uses question '{qid}', which {_missing(ctx, qid)}")
        if earlier is None:
            ctx.at(path + (operator,), f"check '{cid}' uses question '{other}', which {_missing(ctx, other)}")
        if target is None or earlier is None:
            continue
        if earlier.index >= target.index:
            ctx.at(path + (operator,), f"check '{cid}': '{other}' must be asked before '{qid}' (the later answer is "
                                       "the one asked again when the check fails)")
        kinds = {_check_kind(target.data.get("type")), _check_kind(earlier.data.get("type"))}
        if len(kinds) != 1 or None in kinds:
            ctx.at(path, f"check '{cid}' compares '{qid}' ({TYPE_WORDS.get(str(target.data.get('type')), '?')}) with "
                         f"'{other}' ({TYPE_WORDS.get(str(earlier.data.get('type')), '?')}); a check compares two "
                         "numbers or two dates")


def _named_once(ctx: _Context, entry: dict[str, Any], path: Path_, seen: dict[str, Path_], kind: str,
                text_key: str) -> Any:
    """The entry's id, reported when an earlier entry has it; its text checked for the file's language."""
    ident = entry.get("id")
    if isinstance(ident, str):
        if ident in seen:
            ctx.at(path + ("id",), f"duplicate {kind} id '{ident}' (first at {ctx.located.position(seen[ident] + ('id',)).where()})")
        seen.setdefault(ident, path)
    text = entry.get(text_key)
    if isinstance(text, dict) and text and ctx.language not in text:
        ctx.at(path + (text_key,), f"'{text_key}' has no '{ctx.language}' text (the file's language)")
    return ident


def _check_kind(qtype: Any) -> str | None:
    return "number" if qtype in ("integer", "number") else "date" if qtype == "date" else None


def _check_screens(ctx: _Context, data: dict[str, Any]) -> None:
    seen: dict[str, Path_] = {}
    for screen, path in _entries(data, "screens", ()):
        sid = _named_once(ctx, screen, path, seen, "screen", "label")
        for index, ref in enumerate(_list_of(screen, "flags")):
            if isinstance(ref, str) and ref not in ctx.flags:
                ctx.at(path + ("flags", index), f"screen '{sid}' lists flag '{ref}', which {_missing(ctx, ref, 'flag')}")


def _check_flag_cycles(ctx: _Context) -> None:
    """A flag's rule may use another flag, but never, through any chain, itself. Each flag is
    visited once (depth-first with 'in progress' and 'done' marks)."""
    done: set[str] = set()
    trail: list[str] = []

    def visit(fid: str) -> None:
        trail.append(fid)
        for ref, path in ctx.flag_refs.get(fid, []):
            if ref in trail:
                loop = trail[trail.index(ref):] + [ref]
                ctx.at(path, f"flag '{fid}' refers to itself" if ref == fid
                       else f"flag rules refer to each other in a loop: {' → '.join(loop)}")
            elif ref not in done:
                visit(ref)
        trail.pop()
        done.add(fid)

    for fid in list(ctx.flag_refs):
        if fid not in done:
            visit(fid)


# --- conditions --------------------------------------------------------------------------------

_COMBINATORS = ("all", "any", "not")
_SUBJECTS = ("question", "score", "flag")
_OPERATORS = (*COMPARISON_OPERATORS, "answered")


def _check_condition(ctx: _Context, cond: dict[str, Any], path: Path_, before: int | None, owner: str) -> None:
    """``before``: the index of the question that owns the condition (None: any question may be used)."""
    combinators = [k for k in _COMBINATORS if k in cond]
    subjects = [k for k in _SUBJECTS if k in cond]
    operators = [k for k in _OPERATORS if k in cond]
    if combinators:
        if len(combinators) > 1 or subjects or operators:
            others = [k for k in cond if k != combinators[0]]
            ctx.at(path, f"a condition is one of all / any / not, or one comparison; this one mixes "
                         f"'{combinators[0]}' with '{others[0]}': put each part in an 'all' or 'any' list")
            return
        parts = cond[combinators[0]]
        if combinators[0] == "not":
            if isinstance(parts, dict):
                _check_condition(ctx, parts, path + ("not",), before, owner)
        elif isinstance(parts, list):
            for index, part in enumerate(parts):
                if isinstance(part, dict):
                    _check_condition(ctx, part, path + (combinators[0], index), before, owner)
        return
    if not subjects:
        if operators:
            ctx.at_key(path + (operators[0],), f"'{operators[0]}' needs 'question:' or 'score:' to say what it compares")
        return
    if len(subjects) > 1:
        ctx.at_key(path + (subjects[1],), f"a comparison names one of {', '.join(_SUBJECTS)}, not '{subjects[0]}' and '{subjects[1]}'")
        return
    if subjects == ["flag"]:
        _check_flag_reference(ctx, cond, path, before, owner, operators)
        return
    if not operators:
        ctx.at(path, f"the comparison on {subjects[0]} '{cond[subjects[0]]}' needs an operator: {', '.join(_OPERATORS)}")
        return
    if len(operators) > 1:
        ctx.at_key(path + (operators[1],), f"a comparison has one operator; '{operators[0]}' and '{operators[1]}' "
                                           "belong in separate comparisons inside an 'all' list")
        return
    ref, operator = cond[subjects[0]], operators[0]
    if subjects[0] == "flag":
        return  # checked below: a flag reference takes no operator
    if not isinstance(ref, str):
        return
    if subjects[0] == "question":
        _check_question_comparison(ctx, ref, operator, cond[operator], path, before, owner)
    else:
        _check_score_comparison(ctx, ref, operator, cond[operator], path, before, owner)


def _check_flag_reference(ctx: _Context, cond: dict[str, Any], path: Path_, before: int | None, owner: str,
                          operators: list[str]) -> None:
    ref = cond["flag"]
    if operators:
        ctx.at_key(path + (operators[0],), "{flag: ID} holds when that flag is raised; it takes no operator "
                                           "(use {not: {flag: ID}} for 'not raised')")
    elif not owner.startswith("flag "):
        ctx.at(path + ("flag",), f"{owner}: only a flag's rule can refer to another flag")
    elif isinstance(ref, str) and ref not in ctx.flags:
        ctx.at(path + ("flag",), f"{owner}: condition uses flag '{ref}', which {_missing(ctx, ref, 'flag')}")
    elif isinstance(ref, str):
        ctx.flag_refs.setdefault(owner[len("flag '"):-1], []).append((ref, path + ("flag",)))


def _check_question_comparison(
    ctx: _Context, ref: str, operator: str, value: Any, path: Path_, before: int | None, owner: str
) -> None:
    target = ctx.questions.get(ref)
    if target is None:
        ctx.at(path + ("question",), f"{owner}: condition uses question '{ref}', which {_missing(ctx, ref)}")
        return
    if before is not None and target.index >= before:
        if owner == f"question '{ref}'":
            ctx.at(path + ("question",), f"{owner}: its condition cannot depend on its own answer")
        else:
            later = ctx.located.position(target.path).where()
            ctx.at(path + ("question",), f"{owner}: condition uses question '{ref}', which is asked later ({later}); "
                                         "a condition may only use questions asked before it")
        return
    qtype = target.data.get("type")
    if operator == "answered" or not isinstance(qtype, str) or qtype not in OPERATORS_BY_TYPE:
        return
    if operator not in OPERATORS_BY_TYPE[qtype]:
        fits = ", ".join(OPERATORS_BY_TYPE[qtype])
        ctx.at_key(path + (operator,), f"'{operator}' does not apply to {TYPE_WORDS[qtype]} question '{ref}'; use {fits}")
        return
    values = value if operator == "one_of" and isinstance(value, list) else [value]
    for index, item in enumerate(values):
        where = path + (operator, index) if operator == "one_of" else path + (operator,)
        problem = _value_problem(ctx, target.data, item, operator)
        if problem:
            ctx.at(where, f"{owner}: {problem}")


def _value_problem(ctx: _Context, question: dict[str, Any], value: Any, operator: str) -> str | None:
    qtype, qid = question.get("type"), question.get("id")
    if qtype == "yes_no":
        if not isinstance(value, bool):
            return f"'{qid}' is a yes/no question: compare it with true or false (no quotes), not {_show(value)}"
    elif qtype in ("integer", "number"):
        if not _is_number(value) or not math.isfinite(value):
            return f"'{qid}' is a {TYPE_WORDS[qtype]} question: compare it with a number, not {_show(value)}"
        never = _never_holds(operator, value, question.get("min"), question.get("max"))
        if never:
            bound = "max" if operator in ("above", "at_least") else "min" if operator in ("below", "at_most") else None
            at = ""
            if bound and bound in question and qid in ctx.questions:
                at = f" ({bound} set at {ctx.located.position(ctx.questions[qid].path + (bound,)).where()})"
            return f"{operator} {_show(value)} can never hold: '{qid}' accepts {never}{at}"
    elif qtype in ("choice", "multi_choice"):
        codes = [c.get("code") for c in question.get("choices") or [] if isinstance(c, dict)]
        if not isinstance(value, str):
            hint = f'; if that is a code, write it in quotes: "{value}"' if str(value) in codes else ""
            return f"'{qid}' takes a choice code, not {_show(value)}{hint}"
        if value not in codes:
            return f"'{value}' is not a choice of '{qid}' (its codes: {', '.join(str(c) for c in codes)})"
    elif qtype == "scale":
        scale: Any = question.get("scale")  # parsed YAML, of any kind
        named = ctx.scales.get(scale, []) if isinstance(scale, str) else []
        scores = [o.get("score") for o in named if isinstance(o, dict)]
        if not _is_number(value) or not math.isfinite(value):
            return f"'{qid}' is a scale question: compare it with an option's score, not {_show(value)}"
        if operator in ("equals", "not_equals", "one_of") and scores and value not in scores:
            return f"{value} is not a score of the options of '{qid}' ({', '.join(str(s) for s in scores)})"
        numeric = [s for s in scores if _is_number(s)]
        never = _never_holds(operator, value, min(numeric), max(numeric)) if numeric else None
        if never:
            return f"{operator} {_show(value)} can never hold: the scores of '{qid}' are {never}"
    elif qtype == "text":
        if not isinstance(value, str):
            return f"'{qid}' is a free-text question: compare it with text, not {_show(value)}"
    elif qtype == "date":
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            value = None
        if not isinstance(value, str):
            return f"'{qid}' is a date question: compare it with a date in quotes such as \"2026-01-31\""
    return None


def _check_score_comparison(
    ctx: _Context, ref: str, operator: str, value: Any, path: Path_, before: int | None, owner: str
) -> None:
    entry = ctx.scores.get(ref)
    if entry is None:
        ctx.at(path + ("score",), f"{owner}: condition uses score '{ref}', which {_missing(ctx, ref, 'score')}")
        return
    if operator not in SCORE_OPERATORS:
        ctx.at_key(path + (operator,), f"'{operator}' does not apply to a score; use {', '.join(SCORE_OPERATORS)}")
        return
    for item in value if isinstance(value, list) else [value]:
        if not _is_number(item) or not math.isfinite(item):
            ctx.at(path + (operator,), f"{owner}: score '{ref}' is a number: compare it with a number, not {_show(item)}")
        else:
            low, high = _score_range(ctx, entry[0])
            never = _never_holds(operator, item, low, high) if low is not None else None
            if never:
                ctx.at(path + (operator,), f"{owner}: {operator} {_show(item)} can never hold: score '{ref}' runs from {never}")
    if before is None:
        return
    items = _list_of(entry[0], "items")
    later = [i for i in items if isinstance(i, str) and i in ctx.questions and ctx.questions[i].index >= before]
    if later:
        ctx.at(path + ("score",), f"{owner}: condition uses score '{ref}', whose item '{later[0]}' is asked later; "
                                  "a condition may only use scores whose items are all asked before it")


# --- helpers -----------------------------------------------------------------------------------


def _never_holds(operator: str, value: float, low: Any, high: Any) -> str | None:
    """The accepted range in words when ``operator value`` cannot hold for any value in [low, high]."""
    low = low if _is_number(low) else None
    high = high if _is_number(high) else None
    if low is None and high is None:
        return None
    impossible = {
        "above": high is not None and value >= high,
        "at_least": high is not None and value > high,
        "below": low is not None and value <= low,
        "at_most": low is not None and value < low,
        "equals": (low is not None and value < low) or (high is not None and value > high),
        "one_of": (low is not None and value < low) or (high is not None and value > high),
    }.get(operator, False)
    if not impossible:
        return None
    return f"{'…' if low is None else _plain(low)} to {'…' if high is None else _plain(high)}"


def _plain(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _list_of(entry: dict[str, Any], key: str) -> list[Any]:
    """The list at entry[key], or none when it is not a list (the schema reports that)."""
    value = entry.get(key)
    return value if isinstance(value, list) else []


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the text '{value}'"
    if value is None:
        return "nothing"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return str(value)


def _missing(ctx: _Context, ref: str, kind: str = "question") -> str:
    """Why a referenced question, flag or score is not there: removed by a clinic file (and where), or unknown."""
    removed = ctx.located.removed.get(ref if kind == "question" else f"{kind}:{ref}")
    if removed is not None:
        return f"is removed at {removed.where()}; change or remove what refers to it too"
    known = {"question": ctx.questions, "flag": ctx.flags, "score": ctx.scores}[kind]
    return f"does not exist{_suggest(ref, known)}"


def _suggest(name: str, known: Iterable[object]) -> str:
    return did_you_mean(name, [str(k) for k in known])
