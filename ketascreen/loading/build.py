"""Raw data that passed every check → the frozen Questionnaire model."""

from __future__ import annotations

from typing import Any

from ketascreen.model import (
    CHECK_OPERATORS,
    COMPARISON_OPERATORS,
    AllOf,
    Answered,
    AnyOf,
    Band,
    Check,
    Choice,
    Coding,
    Compare,
    Condition,
    Detail,
    Flag,
    FlagRef,
    Not,
    Question,
    Questionnaire,
    QuestionType,
    ScaleOption,
    Score,
    ScoreNote,
    Screen,
    Section,
    Severity,
    Text,
)


def build_questionnaire(data: dict[str, Any], sha256: str) -> Questionnaire:
    language = data.get("language", "en")

    def text(value: Any) -> Text:
        if isinstance(value, dict):
            return Text(tuple(value.items()), language)
        return Text.plain(value, language)

    def optional_text(value: Any) -> Text | None:
        return None if value is None else text(value)

    def codes(raw: dict[str, Any]) -> tuple[Coding, ...]:
        return tuple(Coding(c["system"], c["code"], c.get("display")) for c in raw.get("codes", ()))

    scales = {
        name: tuple(ScaleOption(o["score"], text(o["label"]), codes(o)) for o in options)
        for name, options in (data.get("scales") or {}).items()
    }
    sections = []
    for raw_section in data["sections"]:
        questions = tuple(
            Question(
                id=q["id"],
                type=QuestionType(q["type"]),
                text=text(q["text"]),
                label=text(q.get("label", q["id"].replace("_", " "))),
                section=raw_section["id"],
                help=optional_text(q.get("help")),
                required=q.get("required", True),
                accepts_unknown=q.get("accepts_unknown", True),
                accepts_declined=q.get("accepts_declined", True),
                unit=q.get("unit"),
                min=q.get("min"),
                max=q.get("max"),
                choices=tuple(Choice(c["code"], text(c["label"]), codes(c)) for c in q.get("choices", ())),
                options=scales.get(q.get("scale"), ()),
                scale=q.get("scale"),
                when=condition(q["when"]) if "when" in q else None,
                header=q.get("header", False),
                codes=codes(q),
                untranslated=tuple(sorted((q.get("untranslated") or {}).items())),
            )
            for q in raw_section["questions"]
        )
        sections.append(
            Section(
                id=raw_section["id"],
                title=text(raw_section["title"]),
                questions=questions,
                intro=optional_text(raw_section.get("intro")),
                source=optional_text(raw_section.get("source")),
                when=condition(raw_section["when"]) if "when" in raw_section else None,
                codes=codes(raw_section),
                untranslated=tuple(sorted((raw_section.get("untranslated") or {}).items())),
            )
        )
    flags = tuple(
        Flag(
            id=f["id"],
            severity=Severity(f["severity"]),
            label=text(f["label"]),
            explanation=text(f["explanation"]),
            when=condition(f["when"]),
            source=text(f["source"]),
            covered_by=tuple(f.get("covered_by", ())),
            staff_instruction=optional_text(f.get("staff_instruction")),
            details=tuple(Detail(condition(d["when"]), text(d["text"])) for d in f.get("details", ())),
            shows=tuple(f.get("shows", ())),
        )
        for f in data.get("flags") or ()
    )
    scores = tuple(
        Score(
            id=s["id"],
            label=text(s["label"]),
            items=tuple(s["items"]),
            bands=tuple(sorted((Band(b["min"], b["max"], text(b["label"])) for b in s["bands"]), key=lambda b: b.min)),
            zero_when=condition(s["zero_when"]) if "zero_when" in s else None,
            source=optional_text(s.get("source")),
            notes=tuple(ScoreNote(condition(n["when"]), text(n["text"])) for n in s.get("notes", ())),
            shows=tuple(s.get("shows", ())),
            codes=codes(s),
        )
        for s in data.get("scores") or ()
    )
    checks = tuple(
        Check(c["id"], c["question"], op, c[op], text(c["message"]))
        for c in data.get("checks") or ()
        for op in CHECK_OPERATORS if op in c
    )
    screens = tuple(Screen(sc["id"], text(sc["label"]), tuple(sc["flags"])) for sc in data.get("screens") or ())
    return Questionnaire(
        id=data["id"],
        title=text(data["title"]),
        version=data["version"],
        language=language,
        sections=tuple(sections),
        flags=flags,
        scores=scores,
        sha256=sha256,
        description=optional_text(data.get("description")),
        checks=checks,
        screens=screens,
    )


def condition(raw: dict[str, Any]) -> Condition:
    """A checked condition mapping as a Condition value."""
    if "all" in raw:
        return AllOf(tuple(condition(part) for part in raw["all"]))
    if "any" in raw:
        return AnyOf(tuple(condition(part) for part in raw["any"]))
    if "not" in raw:
        return Not(condition(raw["not"]))
    if "flag" in raw:
        return FlagRef(raw["flag"])
    if "answered" in raw:
        return Answered(raw["question"], raw["answered"])
    subject = "question" if "question" in raw else "score"
    operator = next(op for op in COMPARISON_OPERATORS if op in raw)
    value = raw[operator]
    return Compare(subject, raw[subject], operator, tuple(value) if isinstance(value, list) else value)
