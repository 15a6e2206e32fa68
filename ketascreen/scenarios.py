"""Scenario tests for a questionnaire: given these answers, these flags and scores must follow.

    questionnaire: clinic.yaml            # a bundled id, or a path relative to this file
    defaults:                             # answers every scenario starts from (optional)
      answers: {bp_systolic: 120, ...}
    scenarios:
      - name: systolic 185 is above the clinic's threshold
        answers: {bp_systolic: 185}       # on top of the defaults
        unknown: [heart_rate]
        omit: [bp_diastolic]              # leave a default answer out (not answered)
        expect:
          raised: [uncontrolled_hypertension]
          not_raised: [elevated_blood_pressure]
          unassessed: []
          covered: []                     # raised, and folded under a stronger flag that is raised too
          failed_checks: []               # checks across answers these answers break (a typing slip)
          scores: {phq9_total: {value: 4, band: minimal}}   # value: incomplete for an incomplete score
          # with items missing: {value: incomplete, range: [21, 24], band: severe}; band: null while
          # the range straddles a boundary

Each scenario is evaluated exactly as a session with those answers would be summarised.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ketascreen.answering import breaks, prune
from ketascreen.answersfile import answers_in
from ketascreen.errors import Problem, ProblemsError
from ketascreen.evaluate import evaluate_session
from ketascreen.flagrules import FlagStatus
from ketascreen.loading.load import Source, bundled_ids, find_questionnaire, load_source
from ketascreen.loading.yamlread import Located, Path_
from ketascreen.model import Questionnaire
from ketascreen.session import Answer, Session

SCENARIO_KEYS = ("name", "answers", "unknown", "declined", "omit", "expect")
EXPECT_KEYS = ("raised", "not_raised", "unassessed", "covered", "scores", "failed_checks")
SCENARIOS_DIR = Path(__file__).resolve().parent / "questionnaires" / "scenarios"


class ScenarioFileError(ProblemsError):
    pass


@dataclass
class Outcome:
    name: str
    line: int
    differences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences


@dataclass
class Expectation:
    raised: list[str] = field(default_factory=list)
    not_raised: list[str] = field(default_factory=list)
    unassessed: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)


def find_scenarios(name: str) -> Path:
    """A scenarios file by path, or the bundled one of a bundled questionnaire by its id."""
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    bundled = SCENARIOS_DIR / f"{name}.yaml"
    if bundled.is_file():
        return bundled
    raise ScenarioFileError([Problem(name, 0, 0, f"no such file, and no bundled scenarios with that id "
                                                 f"(bundled: {', '.join(bundled_ids())})")])


@dataclass(frozen=True)
class Prepared:
    """One scenario read from its file: its answers, with the defaults applied, and what it expects."""

    name: str
    line: int
    answers: dict[str, Answer]
    expect: Expectation


def run_scenarios(path: Path) -> tuple[Questionnaire, list[Outcome]]:
    source, prepared = prepare_scenarios(path)
    return source.questionnaire, [_run(source, p.name, p.line, p.answers, p.expect) for p in prepared]


def scenario_session(source: Source, answers: dict[str, Answer]) -> Session:
    """A session holding ``answers``, as the interview would record them (before skip logic)."""
    q = source.questionnaire
    session = Session("test-test", "scenario", "test", q.id, q.version, q.sha256, str(source.path), source.text)
    for qid, given in answers.items():
        session.record(qid, given, "test")
    return session


def prepare_scenarios(path: Path) -> tuple[Source, list[Prepared]]:
    """The questionnaire and every scenario of a scenarios file; every problem in it at once."""
    from ketascreen.loading.yamlread import YamlProblem, parse, read_text

    shown = str(path)
    try:
        located, soft = parse(read_text(path))
    except YamlProblem as error:
        raise ScenarioFileError([Problem(shown, error.line, error.column, error.message)]) from None
    problems = [Problem(shown, p.line, p.column, p.message) for p in soft]
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("questionnaire"), str):
        raise ScenarioFileError(problems + [Problem(shown, 1, 1, "a scenarios file names its 'questionnaire:' and lists 'scenarios:'")])
    for key in data:
        if key not in ("questionnaire", "defaults", "scenarios"):
            problems.append(Problem(shown, *located.key_position((key,))[:2],
                                    f"unknown key '{key}'; expected questionnaire, defaults, scenarios"))
    try:
        source = load_source(str(find_questionnaire(data["questionnaire"], relative_to=path.parent)))
    except ProblemsError as error:
        raise ScenarioFileError(problems + error.problems) from None
    questionnaire = source.questionnaire
    defaults = answers_in(located, ("defaults",), questionnaire, shown, ("answers", "unknown", "declined")) \
        if "defaults" in data else None
    if defaults is not None:
        problems += defaults.problems
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        raise ScenarioFileError(problems + [Problem(shown, *located.position(("scenarios",))[:2], "'scenarios' must be a list of scenarios")])
    flag_ids = {f.id for f in questionnaire.flags}
    score_ids = {s.id for s in questionnaire.scores}
    prepared: list[Prepared] = []
    for index, raw in enumerate(scenarios):
        at = ("scenarios", index)
        line = located.position(at).line
        if not isinstance(raw, dict):
            problems.append(Problem(shown, line, located.position(at).column, "a scenario is a mapping with name, answers and expect"))
            continue
        given = answers_in(located, at, questionnaire, shown, SCENARIO_KEYS, apply_checks=False)
        problems += given.problems
        named = raw.get("name")
        name = named if isinstance(named, str) else f"scenario {index + 1}"
        expect, found = _expectation(located, at + ("expect",), raw.get("expect"), flag_ids, score_ids, shown,
                                     {c.id for c in questionnaire.checks})
        problems += found
        listed = raw.get("omit")
        omit: list[Any] = listed if isinstance(listed, list) else []
        for o_index, qid in enumerate(omit):
            if not isinstance(qid, str) or qid not in {q.id for q in questionnaire.questions}:
                problems.append(Problem(shown, *located.position(at + ("omit", o_index))[:2], f"omit: no question '{qid}'"))
        answers = dict(defaults.answers) if defaults else {}
        for qid in omit:
            answers.pop(qid, None)
        answers.update(given.answers)
        prepared.append(Prepared(name, line, answers, expect))
    if problems:
        raise ScenarioFileError(problems)
    return source, prepared


def _expectation(located: Located, at: Path_, raw: Any, flag_ids: set[str], score_ids: set[str],
                 shown: str, check_ids: set[str] | None = None) -> tuple[Expectation, list[Problem]]:
    problems: list[Problem] = []
    expect = Expectation()

    def problem(path: Path_, message: str, key: bool = False) -> None:
        mark = located.key_position(path) if key else located.position(path)
        problems.append(Problem(shown, mark.line, mark.column, message))

    if not isinstance(raw, dict):
        problem(at, "a scenario needs 'expect:' with raised, not_raised, unassessed or scores")
        return expect, problems
    for key in raw:
        if key not in EXPECT_KEYS:
            hint = difflib.get_close_matches(str(key), EXPECT_KEYS, n=1)
            problem(at + (key,), f"unknown key '{key}' in expect" + (f"; did you mean '{hint[0]}'?" if hint else ""), key=True)
    for key in ("raised", "not_raised", "unassessed", "covered"):
        listed = raw.get(key) or []
        if not isinstance(listed, list):
            problem(at + (key,), f"'{key}' must be a list of flag ids")
            continue
        for index, fid in enumerate(listed):
            if not isinstance(fid, str) or fid not in flag_ids:
                hint = difflib.get_close_matches(str(fid), flag_ids, n=1)
                problem(at + (key, index), f"no flag '{fid}'" + (f"; did you mean '{hint[0]}'?" if hint else ""))
            else:
                getattr(expect, key).append(fid)
    checks = raw.get("failed_checks") or []
    if not isinstance(checks, list):
        problem(at + ("failed_checks",), "'failed_checks' must be a list of check ids")
        checks = []
    for index, cid in enumerate(checks):
        if not isinstance(cid, str) or cid not in (check_ids or set()):
            problem(at + ("failed_checks", index), f"no check '{cid}'")
        else:
            expect.failed_checks.append(cid)
    scores = raw.get("scores") or {}
    if not isinstance(scores, dict):
        problem(at + ("scores",), "'scores' must map score ids to {value: ..., band: ...}")
        scores = {}
    for sid, wanted in scores.items():
        if not isinstance(sid, str) or sid not in score_ids:
            problem(at + ("scores", sid), f"no score '{sid}'")
        elif not isinstance(wanted, dict) or not set(wanted) <= {"value", "band", "range"} or not wanted or (
                "range" in wanted and not _is_range(wanted["range"])):
            problem(at + ("scores", sid), "a score expectation is {value: N or incomplete, band: LABEL or null, "
                                          "range: [LOW, HIGH]}")
        else:
            expect.scores[sid] = wanted
    if not problems and not (expect.raised or expect.not_raised or expect.unassessed or expect.covered or expect.scores
                             or expect.failed_checks):
        problem(at, "this scenario expects nothing, so it could never fail; list flags under raised, "
                    "not_raised or unassessed, or scores")
    return expect, problems


def _run(source: Source, name: str, line: int, answers: dict[str, Answer], expect: Expectation) -> Outcome:
    q = source.questionnaire
    session = scenario_session(source, answers)
    outcome = Outcome(name, line)
    failed = [c.id for c in q.checks if breaks(c, session.value_of)]
    for cid in failed:
        if cid not in expect.failed_checks:
            check = next(c for c in q.checks if c.id == cid)
            outcome.differences.append(f"check {cid} fails: {check.message.get()}")
    for cid in expect.failed_checks:
        if cid not in failed:
            outcome.differences.append(f"check {cid}: expected to fail, but it holds")
    if failed:
        return outcome  # answers that break a check are asked again; no flag is worked out from them
    for qid in prune(q, session, "test"):
        outcome.warnings.append(f"{qid} is not asked with these answers (skip logic); its answer is not used")
    evaluation = evaluate_session(q, session)
    status = {r.flag.id: r.status for r in evaluation.flags}
    words = {FlagStatus.RAISED: "raised", FlagStatus.NOT_RAISED: "not raised",
             FlagStatus.UNASSESSED: "could not be assessed", FlagStatus.COVERED: "raised, covered by a stronger flag"}
    for wanted, ids in ((FlagStatus.RAISED, expect.raised), (FlagStatus.NOT_RAISED, expect.not_raised),
                        (FlagStatus.UNASSESSED, expect.unassessed), (FlagStatus.COVERED, expect.covered)):
        for fid in ids:
            if status[fid] != wanted:
                outcome.differences.append(f"flag {fid}: expected {words[wanted]}, but it was {words[status[fid]]}")
    results = {result.id: result for result, _label in evaluation.scores}
    for sid, score in expect.scores.items():
        result = results[sid]
        band = result.band.label.get() if result.band else None
        got_value = "incomplete" if result.value is None else result.value
        if "value" in score and score["value"] != got_value:
            outcome.differences.append(f"score {sid}: expected {score['value']}, but it was {got_value}")
        if "band" in score and score["band"] != band:
            outcome.differences.append(f"score {sid}: expected band '{score['band'] or 'not decided'}', "
                                       f"but it was '{band or 'not decided'}'")
        if "range" in score and list(score["range"]) != [result.low, result.high]:
            outcome.differences.append(f"score {sid}: expected the range {score['range'][0]}–{score['range'][1]}, "
                                       f"but it was {result.low}–{result.high}")
    return outcome


def _is_range(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value) and value[0] <= value[1])
