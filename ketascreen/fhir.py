"""FHIR R4 resources: the Questionnaire for a questionnaire, a QuestionnaireResponse for a session.

Pure functions returning plain JSON-ready dicts. Mapping choices (documented in docs/fhir.md):
- canonical url ``urn:ketascreen:questionnaire:<id>``; the response names it as ``url|version``;
- question types: yes_no → boolean, integer → integer, number → decimal, choice → choice,
  multi_choice → choice with repeats, scale → choice whose options carry the score as ``ordinalValue``,
  text → text, date → date; sections → groups;
- "unknown" and "declined" answers: the item without an answer, with the data-absent-reason
  extension (``unknown`` / ``asked-declined``); questions skip logic did not ask are absent;
- skip logic → enableWhen where a condition is one comparison or an all/any of them, otherwise (and
  always, since FHIR has no "unknown asks the question") the rule in words and as JSON in extensions;
- scores and flags travel as contained Observations, listed by the screening-result extension.
"""

from __future__ import annotations

import json
from typing import Any

from ketascreen.describe import describe
from ketascreen.evaluate import Evaluation
from ketascreen.flagrules import FlagStatus
from ketascreen.model import (
    AllOf,
    Answered,
    AnyOf,
    Coding,
    Compare,
    Condition,
    FlagRef,
    Not,
    Question,
    Questionnaire,
    Section,
    Text,
)
from ketascreen.session import DECLINED, UNKNOWN

BASE = "https://ketascreen.invalid/fhir/StructureDefinition"
EXT_RULE_TEXT = f"{BASE}/condition-text"
EXT_RULE_JSON = f"{BASE}/condition-json"
EXT_RESULT = f"{BASE}/screening-result"
EXT_SEVERITY = f"{BASE}/flag-severity"
EXT_SET_ASIDE = f"{BASE}/set-aside"
EXT_NONE_CHOSEN = f"{BASE}/none-chosen"
EXT_OWN_CODE = f"{BASE}/ketascreen-code"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ITEM_TYPES = {"yes_no": "boolean", "integer": "integer", "number": "decimal", "choice": "choice",
              "multi_choice": "choice", "scale": "choice", "text": "text", "date": "date"}
FHIR_OPERATORS = {"equals": "=", "not_equals": "!=", "above": ">", "at_least": ">=", "below": "<", "at_most": "<="}


def canonical(questionnaire: Questionnaire) -> str:
    return f"urn:ketascreen:questionnaire:{questionnaire.id}"


def choice_system(questionnaire: Questionnaire, question: Question) -> str:
    return f"{canonical(questionnaire)}:{question.id}"


# --- Questionnaire -----------------------------------------------------------------------------


def translated(key: str, text: Text) -> dict[str, Any]:
    """``key`` with the text in the file's language and, under FHIR's ``_key``, one translation
    extension per other language the text is written in."""
    others = [(language, words) for language, words in text.translations if language != text.default]
    field: dict[str, Any] = {key: text.get()}
    if others:
        field["_" + key] = {"extension": [{"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": language},
                                                                            {"url": "content", "valueString": words}]}
                                          for language, words in others]}
    return field


def questionnaire_resource(q: Questionnaire) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": _fhir_id(q.id),
        "language": q.language,
        "url": canonical(q),
        "version": q.version,
        "name": "".join(part.capitalize() for part in q.id.replace("-", "_").replace(".", "_").split("_")) or "Questionnaire",
        **translated("title", q.title),
        "status": "active",
        **({"description": q.description.get()} if q.description else {}),
        "item": [_group(q, section) for section in q.sections],
    }


def _group(q: Questionnaire, section: Section) -> dict[str, Any]:
    group: dict[str, Any] = {"linkId": section.id, "type": "group", **translated("text", section.title)}
    if section.codes:
        group["code"] = [_coding(c) for c in section.codes]
    if section.when is not None:
        group.update(_enable(q, section.when))
    group["item"] = [_item(q, question) for question in section.questions]
    return group


def _item(q: Questionnaire, question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.id, **translated("text", question.text), "type": ITEM_TYPES[question.type],
                            "required": question.required}
    if question.codes:
        item["code"] = [_coding(c) for c in question.codes]
    extensions: list[dict[str, Any]] = []
    if question.type == "multi_choice":
        item["repeats"] = True
    if question.choices:
        item["answerOption"] = [{"valueCoding": _with_display(_option_coding(q, question, c.code, c.label.get(), c.codes),
                                                              c.label)} for c in question.choices]
    if question.options:
        item["answerOption"] = [{"valueCoding": _with_display(_option_coding(q, question, str(o.score), o.label.get(),
                                                                             o.codes, o.score), o.label)}
                                for o in question.options]
    number_key = "valueInteger" if question.type == "integer" else "valueDecimal"
    if question.min is not None:
        extensions.append({"url": MIN_VALUE, number_key: question.min})
    if question.max is not None:
        extensions.append({"url": MAX_VALUE, number_key: question.max})
    if question.unit:
        extensions.append({"url": UNIT, "valueCoding": {"display": question.unit}})
    if question.when is not None:
        enable = _enable(q, question.when)
        extensions.extend(enable.pop("extension"))
        item.update(enable)
    if extensions:
        item["extension"] = extensions
    return item


def _enable(q: Questionnaire, condition: Condition) -> dict[str, Any]:
    """enableWhen where FHIR can say it; the exact rule always travels in extensions, because FHIR
    disables an item whose condition is unanswered where ketascreen asks it."""
    result: dict[str, Any] = {"extension": [
        {"url": EXT_RULE_TEXT, "valueString": describe(condition, q)},
        {"url": EXT_RULE_JSON, "valueString": json.dumps(_condition_json(condition), ensure_ascii=False)},
    ]}
    parts = condition.parts if isinstance(condition, (AllOf, AnyOf)) else (condition,)
    whens = [_enable_when(q, part) for part in parts]
    if all(w is not None for w in whens):
        result["enableWhen"] = whens
        if len(whens) > 1:
            result["enableBehavior"] = "all" if isinstance(condition, AllOf) else "any"
    return result


def _enable_when(q: Questionnaire, part: Condition) -> dict[str, Any] | None:
    if isinstance(part, Answered):
        return {"question": part.ref, "operator": "exists", "answerBoolean": part.expected}
    if not isinstance(part, Compare) or part.subject != "question" or part.operator not in FHIR_OPERATORS:
        return None
    question = q.question(part.ref)
    if question.type == "scale" and part.operator not in ("equals", "not_equals"):
        return None  # FHIR defines no order on codings: the rule travels in the extensions only
    answer = _answer_value(q, question, part.value)
    if answer is None:
        return None
    return {"question": part.ref, "operator": FHIR_OPERATORS[part.operator], **{k.replace("value", "answer", 1): v for k, v in answer.items()}}


def _condition_json(condition: Condition) -> dict[str, Any]:
    if isinstance(condition, AllOf):
        return {"all": [_condition_json(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [_condition_json(p) for p in condition.parts]}
    if isinstance(condition, Answered):
        return {"question": condition.ref, "answered": condition.expected}
    if isinstance(condition, Compare):
        value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
        return {condition.subject: condition.ref, condition.operator: value}
    if isinstance(condition, Not):
        return {"not": _condition_json(condition.part)}
    if isinstance(condition, FlagRef):
        return {"flag": condition.ref}
    raise TypeError(f"not a condition: {condition!r}")


# --- QuestionnaireResponse ---------------------------------------------------------------------


def response_resource(evaluation: Evaluation) -> dict[str, Any]:
    q, session = evaluation.questionnaire, evaluation.session
    subject = {"identifier": {"value": session.patient}, "display": session.patient}
    set_aside = {row.question.id: row.words for row in evaluation.set_aside}
    groups = []
    for block in evaluation.sections:
        items = []
        for row in block.rows:
            answer = session.answers.get(row.question.id)
            item: dict[str, Any] = {"linkId": row.question.id, "text": row.question.text.get()}
            if answer is None:
                aside = set_aside.get(row.question.id)
                if aside is not None:  # given, then no longer asked: kept, marked, used for nothing
                    item["extension"] = [{"url": EXT_SET_ASIDE, "valueString": aside}]
                    items.append(item)
                continue  # not asked, or not answered yet: absent
            if answer.state in (UNKNOWN, DECLINED):
                item["extension"] = [{"url": DATA_ABSENT, "valueCode": "unknown" if answer.state == UNKNOWN else "asked-declined"}]
            elif row.question.type == "multi_choice" and not answer.value:
                item["extension"] = [{"url": EXT_NONE_CHOSEN, "valueBoolean": True}]  # FHIR has no empty answer list
            else:
                # Stored answers were checked against their questions: a multi-choice answer is a tuple of codes.
                values = answer.value if row.question.type == "multi_choice" and isinstance(answer.value, tuple) \
                    else (answer.value,)
                item["answer"] = [_answer_value(q, row.question, v) for v in values]
            items.append(item)
        if items:
            groups.append({"linkId": block.section.id, "text": block.section.title.get(), "item": items})
    contained = _observations(evaluation, subject)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _fhir_id(session.id),
        "questionnaire": f"{canonical(q)}|{q.version}",
        # FHIR's "amended": completed, then changed; the changes travel in the audit of the session file
        "status": ("amended" if any(a.confirmed for a in evaluation.amendments) else "completed")
        if session.status == "completed" else "in-progress",
        "subject": subject,
        "authored": session.completed or session.updated or session.created,
        # the language the patient was asked in; the item texts are the clinic's, as in the summary
        "language": session.language or q.language,
        "author": {"display": session.staff},
    }
    if contained:
        resource["contained"] = contained
        resource["extension"] = [{"url": EXT_RESULT, "valueReference": {"reference": f"#{o['id']}"}} for o in contained]
    resource["item"] = groups
    return resource


def _observations(evaluation: Evaluation, subject: dict[str, Any]) -> list[dict[str, Any]]:
    session = evaluation.session
    status = "final" if session.status == "completed" else "preliminary"
    found = []
    for result, label in evaluation.scores:
        observation: dict[str, Any] = {
            "resourceType": "Observation", "id": _fhir_id(f"score-{result.id}"), "status": status,
            "code": {"coding": [{"system": "urn:ketascreen:score", "code": result.id, "display": label},
                                *(_coding(c) for c in evaluation.questionnaire.score(result.id).codes)], "text": label},
            "subject": subject,
        }
        if result.value is None:
            # Items missing: the totals still possible, as a FHIR Range (its band when the range settles it).
            observation["valueRange"] = {"low": {"value": result.low}, "high": {"value": result.high}}
        else:
            observation["valueInteger"] = result.value
        if result.band is not None:
            observation["interpretation"] = [{"text": result.band.label.get()}]
        if not result.complete:
            observation["note"] = [{"text": f"incomplete: {result.answered} of {result.items} items answered"
                                            + ("; gate question not answered" if result.gate_open else "")}]
        found.append(observation)
    for flag_result in evaluation.flags:
        if flag_result.status == FlagStatus.NOT_RAISED:
            continue
        flag = flag_result.flag
        raised = flag_result.status in (FlagStatus.RAISED, FlagStatus.COVERED)
        detail = list(flag_result.evidence) if raised else [
            "waiting for: " + ", ".join(f"{w.question.id} ({w.state})" for w in flag_result.missing)]
        found.append({
            "resourceType": "Observation", "id": _fhir_id(f"flag-{flag.id}"), "status": status,
            "extension": [{"url": EXT_SEVERITY, "valueCode": flag.severity.value}],
            "code": {"coding": [{"system": "urn:ketascreen:flag", "code": flag.id, "display": flag.label.get()}],
                     "text": flag.label.get()},
            "subject": subject,
            "valueCodeableConcept": {"text": ("raised" if flag_result.status == FlagStatus.RAISED else
                                              f"raised, covered by {flag_result.covered_by}" if raised else
                                              "could not be assessed")},
            "note": [{"text": line} for line in detail + [f"Why it matters: {flag.explanation.get()}",
                                                          f"Source: {flag.source.get()}"]],
        })
    return found


def _answer_value(q: Questionnaire, question: Question, value: object) -> dict[str, Any] | None:
    kind = question.type
    if kind == "yes_no" and isinstance(value, bool):
        return {"valueBoolean": value}
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return {"valueInteger": value}
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"valueDecimal": value}
    if kind in ("choice", "multi_choice") and isinstance(value, str):
        choice = next((c for c in question.choices if c.code == value), None)
        return {"valueCoding": _option_coding(q, question, value, choice.label.get() if choice else value,
                                              choice.codes if choice else ())}
    if kind == "scale" and isinstance(value, int):
        option = next((o for o in question.options if o.score == value), None)
        return {"valueCoding": _option_coding(q, question, str(value), option.label.get() if option else str(value),
                                              option.codes if option else (), value if option else None)}
    if kind == "date" and isinstance(value, str):
        return {"valueDate": value}
    if kind == "text" and isinstance(value, str):
        return {"valueString": value}
    return None


def _coding(coding: Coding) -> dict[str, Any]:
    return {"system": coding.system, "code": coding.code, **({"display": coding.display} if coding.display else {})}


def _option_coding(q: Questionnaire, question: Question, code: str, label: str, codes: tuple[Coding, ...],
                   ordinal: int | None = None) -> dict[str, Any]:
    """An answer option as a Coding: the published code where the option has one (LOINC LA6568-5 for
    "Not at all"), with ketascreen's own code beside it in an extension; else ketascreen's own."""
    own = {"system": choice_system(q, question), "code": code, "display": label}
    extensions = [{"url": ORDINAL, "valueDecimal": ordinal}] if ordinal is not None else []
    if not codes:
        return {**own, **({"extension": extensions} if extensions else {})}
    published = _coding(codes[0])
    published.setdefault("display", label)
    return {**published, "extension": extensions + [{"url": EXT_OWN_CODE, "valueCoding": own}]}


def _with_display(coding: dict[str, Any], label: Text) -> dict[str, Any]:
    """The option's translations on the Coding's display, where the display is the option's label."""
    if coding.get("display") != label.get():
        return coding
    return {**coding, **{k: v for k, v in translated("display", label).items() if k != "display"}}


def _fhir_id(text: str) -> str:
    """FHIR ids allow letters, digits, '-' and '.', up to 64 characters."""
    return "".join(c if c.isalnum() or c in "-." else "-" for c in text)[:64]
