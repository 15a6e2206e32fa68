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
from ketascreen.interview import InvalidAnswer, check_value
from ketascreen.model import Questionnaire
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, now

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
    result = AnswersFile()

    def problem(at: tuple[int, int], message: str) -> None:
        result.problems.append(Problem(shown, at[0], at[1], message))

    try:
        located, soft = parse(read_text(path))
    except YamlProblem as error:
        result.problems.append(Problem(shown, error.line, error.column, error.message))
        return result
    for item in soft:
        problem((item.line, item.column), item.message)
    data = located.data
    if not isinstance(data, dict):
        problem((1, 1), "an answers file is a mapping with 'answers:' (and 'patient:', 'staff:', 'unknown:', 'declined:')")
        return result
    for key in data:
        if key not in TOP_KEYS:
            hint = difflib.get_close_matches(str(key), TOP_KEYS, n=1)
            problem(located.key_position((key,)), f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                   f"; expected {', '.join(TOP_KEYS)}"))
    for key in ("patient", "staff"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            setattr(result, key, str(value).strip())
        else:
            problem(located.position((key,)), f"'{key}' must be text")
    known = {q.id: q for q in questionnaire.questions}

    def question_for(qid: object, at: tuple[int, int]):  # type: ignore[no-untyped-def]
        if isinstance(qid, str) and qid in known:
            return known[qid]
        hint = difflib.get_close_matches(str(qid), list(known), n=1, cutoff=0.7)
        problem(at, f"no question '{qid}' in {questionnaire.id}" + (f"; did you mean '{hint[0]}'?" if hint else ""))
        return None

    answers = data.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        problem(located.position(("answers",)), "'answers' must be a mapping of question id: answer")
        answers = {}
    stamp = now()
    for qid, value in answers.items():
        question = question_for(qid, located.key_position(("answers", qid)))
        if question is None:
            continue
        at = located.position(("answers", qid))
        try:
            checked = check_value(question, value)
        except InvalidAnswer as error:
            problem(at, f"{qid}: {error}")
            continue
        result.answers[qid] = Answer(VALUE, checked, stamp)
        result.lines[qid] = at[0]
    for state, key, allowed in ((UNKNOWN, "unknown", "accepts_unknown"), (DECLINED, "declined", "accepts_declined")):
        listed = data.get(key, [])
        if listed is None:
            continue
        if not isinstance(listed, list):
            problem(located.position((key,)), f"'{key}' must be a list of question ids, e.g. [{', '.join(list(known)[:2])}]")
            continue
        for index, qid in enumerate(listed):
            at = located.position((key, index))
            question = question_for(qid, at)
            if question is None:
                continue
            if not getattr(question, allowed):
                problem(at, f"{qid}: \"{key}\" is not accepted for this question")
            elif qid in result.answers:
                problem(at, f"{qid} is answered under 'answers' (line {result.lines[qid]}) and listed as {key}")
            else:
                result.answers[qid] = Answer(state, None, stamp)
                result.lines[qid] = at[0]
    return result
