"""Answers files (YAML or JSON) for entering paper forms and for scripts.

    patient: MRN-0042
    staff: AB
    answers:
      bp_systolic: 150
      hypertension_history: true
    unknown: [aneurysm_or_avm]
    declined: [substance_use_current]

Every value is checked as a typed answer would be, and every problem is reported with its line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ketascreen.errors import Problem
from ketascreen.interview import InvalidAnswer, breaks, check_value
from ketascreen.loading.yamlread import Located, Path_
from ketascreen.model import Questionnaire
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, AnswerValue, now

TOP_KEYS = ("patient", "staff", "answers", "unknown", "declined")


@dataclass
class AnswersFile:
    patient: str | None = None
    staff: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # question id -> line, for later warnings
    problems: list[Problem] = field(default_factory=list)


def read_answers(path: Path, questionnaire: Questionnaire) -> AnswersFile:
    from ketascreen.loading.yamlread import YamlProblem, parse, read_text

    shown = str(path)
    try:
        located, soft = parse(read_text(path))
    except YamlProblem as error:
        return AnswersFile(problems=[Problem(shown, error.line, error.column, error.message)])
    result = answers_in(located, (), questionnaire, shown, TOP_KEYS)
    result.problems[:0] = [Problem(shown, item.line, item.column, item.message) for item in soft]
    return result


def answers_in(located: Located, at: Path_, questionnaire: Questionnaire, shown: str,
               allowed: tuple[str, ...], apply_checks: bool = True) -> AnswersFile:
    """The answers in the mapping at ``at`` (a whole answers file, or one scenario of a scenarios
    file), every value checked as a typed answer would be; with ``apply_checks``, the checks across
    answers too (a scenario file tests those itself)."""
    result = AnswersFile()

    def problem(where: tuple[int, int], message: str) -> None:
        result.problems.append(Problem(shown, where[0], where[1], message))

    data = located.data
    for step in at:
        data = data[step]  # type: ignore[index]
    if not isinstance(data, dict):
        problem(located.position(at), "expected a mapping with 'answers:' (and 'unknown:', 'declined:')")
        return result
    for key in data:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            problem(located.key_position(at + (key,)), f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                         f"; expected {', '.join(allowed)}"))
    for key in ("patient", "staff"):
        value = data.get(key)
        if value is None or key not in allowed:
            continue
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            # As written: "patient: 000123" is the reference 000123, never the number 123.
            setattr(result, key, located.written.get(at + (key,), str(value)).strip())
        else:
            problem(located.position(at + (key,)), f"'{key}' must be text")
    known = {q.id: q for q in questionnaire.questions}

    def question_for(qid: object, where: tuple[int, int]):  # type: ignore[no-untyped-def]
        if isinstance(qid, str) and qid in known:
            return known[qid]
        hint = difflib.get_close_matches(str(qid), list(known), n=1, cutoff=0.7)
        problem(where, f"no question '{qid}' in {questionnaire.id}" + (f"; did you mean '{hint[0]}'?" if hint else ""))
        return None

    answers = data.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        problem(located.position(at + ("answers",)), "'answers' must be a mapping of question id: answer")
        answers = {}
    stamp = now()
    for qid, value in answers.items():
        question = question_for(qid, located.key_position(at + ("answers", qid)))
        if question is None:
            continue
        where = located.position(at + ("answers", qid))
        if question.type == "text" and at + ("answers", qid) in located.written:
            value = located.written[at + ("answers", qid)]  # free text as written: 1.10 stays 1.10
        try:
            checked = check_value(question, value)
        except InvalidAnswer as error:
            problem(where, f"{qid}: {error}")
            continue
        result.answers[qid] = Answer(VALUE, checked, stamp)
        result.lines[qid] = where[0]
    for state, key, accepts in ((UNKNOWN, "unknown", "accepts_unknown"), (DECLINED, "declined", "accepts_declined")):
        listed = data.get(key, [])
        if listed is None:
            continue
        if not isinstance(listed, list):
            problem(located.position(at + (key,)), f"'{key}' must be a list of question ids, e.g. [{', '.join(list(known)[:2])}]")
            continue
        for index, qid in enumerate(listed):
            where = located.position(at + (key, index))
            question = question_for(qid, where)
            if question is None:
                continue
            if not getattr(question, accepts):
                problem(where, f"{qid}: \"{key}\" is not accepted for this question")
            elif qid in result.answers:
                problem(where, f"{qid} is answered under 'answers' (line {result.lines[qid]}) and listed as {key}")
            else:
                result.answers[qid] = Answer(state, None, stamp)
                result.lines[qid] = where[0]
    def value_of(qid: str) -> AnswerValue | None:
        return result.answers[qid].value if qid in result.answers else None

    for check in questionnaire.checks if apply_checks else ():
        if breaks(check, value_of):
            problem(located.position(at + ("answers", check.question)),
                    f"{check.question}: {check.message.get()} ({check.other} is on line {result.lines.get(check.other, 0)})")
    return result
