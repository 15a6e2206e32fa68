"""Answers files (YAML or JSON) for entering paper forms and for scripts.

    patient: MRN-0042
    staff: AB
    collected_at: 2026-12-01 09:30       # when the form was filled in (optional)
    answers:
      bp_systolic: 150
      hypertension_history: true
    unknown: [aneurysm_or_avm]
    declined: [substance_use_current]

Every value is checked as a typed answer would be, and every problem is reported with its line.
The question ids are those `ketascreen show QUESTIONNAIRE` lists.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ketascreen.answering import InvalidAnswer, breaks, check_value
from ketascreen.errors import Problem
from ketascreen.loading.yamlread import Located, Mark, Path_
from ketascreen.model import Question, Questionnaire
from ketascreen.session import DECLINED, UNKNOWN, VALUE, Answer, AnswerValue, now

TOP_KEYS = ("patient", "staff", "collected_at", "answers", "unknown", "declined")


@dataclass
class AnswersFile:
    patient: str | None = None
    staff: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # question id -> line, for later warnings
    problems: list[Problem] = field(default_factory=list)
    collected_at: str | None = None  # when the form was filled in, as ISO 8601 ("2026-12-01" or with a time)
    sha256: str = ""  # of the file's bytes: the same form entered twice is found by it


def read_answers(path: Path, questionnaire: Questionnaire) -> AnswersFile:
    from ketascreen.loading.yamlread import YamlProblem, parse, read_text

    shown = str(path)
    try:
        text = read_text(path)  # once: a pipe or standard input can be read only once
        located, soft = parse(text)
    except YamlProblem as error:
        return AnswersFile(problems=[Problem(shown, error.line, error.column, error.message)])
    result = answers_in(located, (), questionnaire, shown, TOP_KEYS)
    result.problems[:0] = [Problem(shown, item.line, item.column, item.message) for item in soft]
    if isinstance(located.data, dict) and located.data.get("collected_at") is not None:
        where = located.position(("collected_at",))
        written = located.written.get(("collected_at",), str(located.data["collected_at"]))
        collected, problem = collected_time(written)
        if problem is not None:
            result.problems.append(Problem(shown, where.line, where.column, f"collected_at: {problem}"))
        result.collected_at = collected
    result.sha256 = form_fingerprint(result)
    return result


def form_fingerprint(form: AnswersFile) -> str:
    """SHA-256 of what the form says (patient, when it was filled in, every answer), not of its
    bytes: the same form saved again with other line endings or a new comment is the same form."""
    said = {"patient": form.patient, "collected_at": form.collected_at,
            "answers": {qid: {k: v for k, v in answer.to_json().items() if k != "at"}
                        for qid, answer in sorted(form.answers.items())}}
    return hashlib.sha256(json.dumps(said, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


EARLIEST_FORM = date(1990, 1, 1)  # before ketamine was studied for depression: a slip of the pen


def collected_time(written: str) -> tuple[str | None, str | None]:
    """(ISO 8601 time, None) for "2026-12-01", "2026-12-01 09:30", "2026-12-01T09:30+01:00" or
    day first as staff write it, "01/12/2026"; (None, why not) otherwise. A day in the future is
    refused: a paper form is filled in before it is typed in."""
    text = written.strip()
    slashed = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        moment: date
        if slashed:
            moment = date(int(slashed[3]), int(slashed[2]), int(slashed[1]))
        else:
            moment = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        return None, ("a date as year-month-day (2026-12-01) or day/month/year (01/12/2026), with a time if "
                      "known (2026-12-01 09:30)")
    day = moment.date() if isinstance(moment, datetime) else moment
    if day > (datetime.now(UTC) + timedelta(days=1)).date():
        return None, "is in the future; the day the form was filled in is expected"
    if day < EARLIEST_FORM:
        return None, f"is before {EARLIEST_FORM.year}; the day the form was filled in is expected"
    return (moment.isoformat(timespec="minutes") if isinstance(moment, datetime) else moment.isoformat()), None


def answers_in(located: Located, at: Path_, questionnaire: Questionnaire, shown: str,
               allowed: tuple[str, ...], apply_checks: bool = True) -> AnswersFile:
    """The answers in the mapping at ``at`` (a whole answers file, or one scenario of a scenarios
    file), every value checked as a typed answer would be; with ``apply_checks``, the checks across
    answers too (a scenario file tests those itself)."""
    reading = _Reading(located, at, questionnaire, shown)
    data: Any = located.data  # parsed YAML; ``at`` leads to a mapping the caller has seen
    for step in at:
        data = data[step]
    if not isinstance(data, dict):
        reading.problem(located.position(at), "expected a mapping with 'answers:' (and 'unknown:', 'declined:')")
        return reading.result
    reading.unknown_keys(data, allowed)
    reading.people(data, allowed)
    reading.values(data)
    reading.listed(data)
    if apply_checks:
        reading.checks()
    return reading.result


@dataclass
class _Reading:
    """One mapping of answers being read, and what was found in it so far."""

    located: Located
    at: Path_
    questionnaire: Questionnaire
    shown: str
    result: AnswersFile = field(default_factory=AnswersFile)
    stamp: str = field(default_factory=now)  # one time for every answer of the file

    def __post_init__(self) -> None:
        self.known = {q.id: q for q in self.questionnaire.questions}

    def problem(self, where: Mark, message: str) -> None:
        self.result.problems.append(Problem(self.shown, where.line, where.column, message))

    def unknown_keys(self, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                self.problem(self.located.key_position(self.at + (key,)),
                             f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                       f"; expected {', '.join(allowed)}"))

    def people(self, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in ("patient", "staff"):
            value = data.get(key)
            if value is None or key not in allowed:
                continue
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                # As written: "patient: 000123" is the reference 000123, never the number 123.
                setattr(self.result, key, self.located.written.get(self.at + (key,), str(value)).strip())
            else:
                self.problem(self.located.position(self.at + (key,)), f"'{key}' must be text")

    def question_for(self, qid: object, where: Mark) -> Question | None:
        if isinstance(qid, str) and qid in self.known:
            return self.known[qid]
        hint = difflib.get_close_matches(str(qid), list(self.known), n=1, cutoff=0.7)
        self.problem(where, f"no question '{qid}' in {self.questionnaire.id}"
                     + (f"; did you mean '{hint[0]}'?" if hint else
                        f"; ketascreen show {self.questionnaire.id} lists every question id"))
        return None

    def values(self, data: dict[str, Any]) -> None:
        """The answers under 'answers:', each checked as if typed."""
        at, located = self.at, self.located
        answers = data.get("answers", {})
        if answers is None:
            answers = {}
        if not isinstance(answers, dict):
            self.problem(located.position(at + ("answers",)), "'answers' must be a mapping of question id: answer")
            answers = {}
        for qid, value in answers.items():
            question = self.question_for(qid, located.key_position(at + ("answers", qid)))
            if question is None:
                continue
            where = located.position(at + ("answers", qid))
            if question.type == "text" and at + ("answers", qid) in located.written:
                value = located.written[at + ("answers", qid)]  # free text as written: 1.10 stays 1.10
            try:
                checked = check_value(question, value)
            except InvalidAnswer as error:
                self.problem(where, f"{qid}: {error}")
                continue
            self.result.answers[qid] = Answer(VALUE, checked, self.stamp)
            self.result.lines[qid] = where.line

    def listed(self, data: dict[str, Any]) -> None:
        """The questions listed under 'unknown:' and 'declined:'."""
        for state, key, accepts in ((UNKNOWN, "unknown", "accepts_unknown"), (DECLINED, "declined", "accepts_declined")):
            listed = data.get(key, [])
            if listed is None:
                continue
            if not isinstance(listed, list):
                self.problem(self.located.position(self.at + (key,)),
                             f"'{key}' must be a list of question ids, e.g. [{', '.join(list(self.known)[:2])}]")
                continue
            for index, qid in enumerate(listed):
                where = self.located.position(self.at + (key, index))
                question = self.question_for(qid, where)
                if question is None:
                    continue
                if not getattr(question, accepts):
                    self.problem(where, f"{qid}: \"{key}\" is not accepted for this question")
                elif qid in self.result.answers:
                    self.problem(where, f"{qid} is answered under 'answers' (line {self.result.lines[qid]}) and listed as {key}")
                else:
                    self.result.answers[qid] = Answer(state, None, self.stamp)
                    self.result.lines[qid] = where.line

    def checks(self) -> None:
        """The questionnaire's checks across answers, on the answers read."""
        answers, lines = self.result.answers, self.result.lines

        def value_of(qid: str) -> AnswerValue | None:
            return answers[qid].value if qid in answers else None

        for check in self.questionnaire.checks:
            if breaks(check, value_of):
                self.problem(self.located.position(self.at + ("answers", check.question)),
                             f"{check.question}: {check.message.get()} ({check.other} is on line {lines.get(check.other, 0)})")
