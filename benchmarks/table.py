"""Every speed figure beside its floor and its goal, in one table (``make bench``).

Each figure is the median of interleaved runs (the commands of a row and its floor alternate, in
the opposite order every other round), measured in this one run on this machine:

- validate: ``ketascreen validate`` (YAML with positions, JSON Schema, semantic checks, safety
  lint) of a generated questionnaire at 2,500, 5,000 and 10,000 questions (a fifth as many
  flags), beside the fair floor: a Python process that parses the same file with PyYAML's C
  parser and runs the same jsonschema validation. Goals: at most 1.3x the floor at 5,000 and
  10,000, and at most 2.1x the time from 5,000 to 10,000 (linear).
- first question: ``ketascreen run`` in a pseudo-terminal until the first question's prompt,
  the second time for a questionnaire (its checked copy in the cache), beside a bare script that
  imports typer and rich and shows a rule, a line and a rich prompt. Goal: at most 2x.
- run --answers: a 5,000-question answers file entered whole, the cache warm, and the share of
  that run spent loading the questionnaire (timed in-process the same way). Goal: loading under
  half of the run.
- per answer: parse, checks, record, skip logic, durable save, the next question and its place,
  in-process for the first answers of questionnaires of 52 (bundled), 1,250 and 5,000 questions
  (generated: a fifth as many flags, of every severity, and three scores), beside the bare durable
  write of the same bytes (temporary file, fsync, rename, directory fsync), reported as
  milliseconds above it. Goal: at most 1.3x the latency at 52 questions. The notices (the urgent
  and contraindication flags raised since the answer before, worked out as the interview does
  before the next question shows) are a row of their own, and the two together are "per answer
  with notices", with the same goal. The last 40 answers of a whole interview (every question
  before them answered first) are shown too, with no goal: each save writes the whole session,
  which has grown with the answers, so their bare write grows with it.
- exports of ``--sessions`` completed sessions, exported once before (as a clinic exports the same
  sessions again: each session's output is kept beside it): CSV beside json.load of every session
  file plus writing a CSV of their answers (goal: 2x); FHIR beside reading each session file and
  writing and fsyncing a file of the same size as its FHIR output, one directory fsync at the end
  (goal: 1.5x). The same exports with every session evaluated again (``KETASCREEN_CACHE_DIR=off``,
  as for a first export) are rows of their own.
- summary PDF: ``--pdfs`` summaries of a completed session with flags of every severity rendered
  in-process, beside as many bare fpdf2 documents writing the same lines on the same number of
  pages with the same two fonts (goal: 1.5x).

    .venv/bin/python benchmarks/table.py [--repeat 3] [--sessions 10000]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export import argument_budget, chunked, command_environment, save_copies  # noqa: E402
from interview import answers_text as interview_answers  # noqa: E402
from interview import bare_write, typed_answer  # noqa: E402
from interview import questionnaire_text as interview_questionnaire  # noqa: E402
from ketascreen import answering as rules  # noqa: E402
from ketascreen.loading.load import load_source  # noqa: E402
from ketascreen.model import Questionnaire  # noqa: E402
from ketascreen.notices import pressing_findings  # noqa: E402
from ketascreen.session import Session  # noqa: E402
from ketascreen.store import Store, encode  # noqa: E402
from summary import completed_session  # noqa: E402
from validate import SEED, Sizes, flag_lines, score_lines  # noqa: E402
from validate import questionnaire_text as validate_questionnaire  # noqa: E402

SCHEMA = Path(__file__).resolve().parent.parent / "ketascreen" / "schema" / "questionnaire.schema.json"
KETASCREEN = str(Path(sys.executable).parent / "ketascreen")
FLOOR_VALIDATE = (
    "import json, sys, yaml, jsonschema\n"
    "schema = json.load(open(sys.argv[1]))\n"
    "with open(sys.argv[2], encoding='utf-8') as handle:\n"
    "    data = yaml.load(handle.read(), Loader=yaml.CSafeLoader)\n"
    "errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))\n"
    "sys.exit(1 if errors else 0)\n"
)
FLOOR_PROMPT = (
    "import typer, rich\n"
    "from rich.console import Console\n"
    "from rich.prompt import Prompt\n"
    "console = Console()\n"
    "console.rule('Ketamine and esketamine pre-treatment screening')\n"
    "console.print('Question 1 of about 83: What is the systolic blood pressure, the upper number?')\n"
    "Prompt.ask('Keys: u unknown · d declined · b back · ? help · q save and quit\\n>')\n"
)
FLOOR_CSV = (
    "import csv, json, pathlib, sys\n"
    "with open(sys.argv[2], 'w', newline='', encoding='utf-8') as out:\n"
    "    writer = csv.writer(out)\n"
    "    for path in sorted(pathlib.Path(sys.argv[1]).glob('*.json')):\n"
    "        with open(path, 'rb') as handle:\n"
    "            data = json.load(handle)\n"
    "        writer.writerow([data['id'], data['patient'], data['status']]\n"
    "                        + [a.get('value', a['state']) for a in data['answers'].values()])\n"
)
FLOOR_FHIR = (
    "import json, os, pathlib, sys\n"
    "sizes = [int(s) for s in pathlib.Path(sys.argv[3]).read_text().split()]\n"
    "out = pathlib.Path(sys.argv[2]); out.mkdir()\n"
    "for path, size in zip(sorted(pathlib.Path(sys.argv[1]).glob('*.json')), sizes):\n"
    "    with open(path, 'rb') as handle:\n"
    "        json.load(handle)\n"
    "    target = out / (path.stem + '.fhir.json')\n"
    "    temporary = out / ('.' + target.name + '.tmp')\n"
    "    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)\n"
    "    os.write(fd, b'x' * size); os.fsync(fd); os.close(fd)\n"
    "    os.replace(temporary, target)\n"
    "fd = os.open(out, os.O_RDONLY); os.fsync(fd); os.close(fd)\n"
)

Row = tuple[str, str, str, str, bool | None]  # figure, measured, floor, goal, met (None: no goal)


def median(values: list[float]) -> float:
    return statistics.median(values)


def interleaved(commands: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """The median seconds of each, run ``repeat`` times, alternating their order every round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            times[name].append(commands[name]())
    return {name: median(values) for name, values in times.items()}


def process(argv: list[str], environment: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, env=environment)
        elapsed = time.perf_counter() - start
        if done.returncode not in ok:
            sys.exit(f"failed ({done.returncode}): {' '.join(argv)}\n{done.stdout.decode()}{done.stderr.decode()}")
        return elapsed
    return run


# --- validate ------------------------------------------------------------------------------------


def validate_rows(work: Path, repeat: int) -> list[Row]:
    paths = {}
    for questions in (2_500, 5_000, 10_000):
        paths[questions] = work / f"validate-{questions}.yaml"
        paths[questions].write_text(validate_questionnaire(Sizes(questions, questions // 5)), encoding="utf-8")
    commands: dict[str, Callable[[], float]] = {}
    for questions, path in paths.items():
        commands[f"ks {questions}"] = process([KETASCREEN, "validate", str(path)])
        commands[f"floor {questions}"] = process([sys.executable, "-c", FLOOR_VALIDATE, str(SCHEMA), str(path)])
    t = interleaved(commands, repeat)
    rows: list[Row] = []
    for questions in (2_500, 5_000, 10_000):
        ratio = t[f"ks {questions}"] / t[f"floor {questions}"]
        goal = questions >= 5_000
        rows.append((f"validate, {questions:,} questions", f"{t[f'ks {questions}']:.2f} s ({ratio:.2f}x)",
                     f"{t[f'floor {questions}']:.2f} s C YAML + jsonschema", "<= 1.3x" if goal else "-",
                     ratio <= 1.3 if goal else None))
    for low, high, goal in ((2_500, 5_000, None), (5_000, 10_000, 2.1)):
        growth = t[f"ks {high}"] / t[f"ks {low}"]
        floor_growth = t[f"floor {high}"] / t[f"floor {low}"]
        rows.append((f"validate, time {high:,} / {low:,}", f"{growth:.2f}x", f"{floor_growth:.2f}x (floor's own)",
                     f"<= {goal}x" if goal else "~2 (linear)", growth <= goal if goal else None))
    return rows


# --- the first question --------------------------------------------------------------------------


def until_prompt(argv: list[str], expected: str, environment: dict[str, str]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        child = pexpect.spawn(argv[0], argv[1:], env=environment, encoding="utf-8", timeout=60, dimensions=(40, 120))
        child.expect(expected)
        elapsed = time.perf_counter() - start
        child.terminate(force=True)
        return elapsed
    return run


def first_question_rows(work: Path, repeat: int) -> list[Row]:
    environment = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"), TERM="xterm", NO_COLOR="1")
    environment.pop("KETASCREEN_CACHE_DIR", None)
    run = [KETASCREEN, "run", "ketamine-pretreatment", "--patient", "BENCH-1", "--staff", "BM",
           "--data-dir", str(work / "first")]
    prompt = r"save and quit[^>]*> "
    cold_environment = dict(environment, KETASCREEN_CACHE_DIR="off")
    until_prompt(run, prompt, environment)()  # the first run of the questionnaire: now in the cache
    t = interleaved({"floor": until_prompt([sys.executable, "-c", FLOOR_PROMPT], ">", environment),
                     "second run": until_prompt(run, prompt, environment),
                     "no cache": until_prompt(run, prompt, cold_environment)}, max(repeat, 7))
    ratio = t["second run"] / t["floor"]
    return [("first question, second run", f"{t['second run'] * 1e3:.0f} ms ({ratio:.2f}x)",
             f"{t['floor'] * 1e3:.0f} ms typer+rich prompt", "<= 2x", ratio <= 2),
            ("first question, cache off", f"{t['no cache'] * 1e3:.0f} ms ({t['no cache'] / t['floor']:.2f}x)",
             f"{t['floor'] * 1e3:.0f} ms typer+rich prompt", "-", None)]


# --- run --answers -------------------------------------------------------------------------------


def answers_rows(work: Path, repeat: int) -> list[Row]:
    questionnaire = work / "answers-5000.yaml"
    answers = work / "answers-5000-answers.yaml"
    questionnaire.write_text(interview_questionnaire(5_000), encoding="utf-8")
    answers.write_text(interview_answers(5_000), encoding="utf-8")
    environment = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"))
    environment.pop("KETASCREEN_CACHE_DIR", None)
    argv = [KETASCREEN, "run", str(questionnaire), "--answers", str(answers), "--again", "--data-dir", str(work / "answers")]
    process(argv, environment)()  # checked once: in the cache from now on
    os.environ["XDG_CACHE_HOME"] = environment["XDG_CACHE_HOME"]
    os.environ.pop("KETASCREEN_CACHE_DIR", None)

    def loading() -> float:
        start = time.perf_counter()
        load_source(str(questionnaire))
        return time.perf_counter() - start

    t = interleaved({"warm": process(argv, environment), "cold": process(argv, dict(environment, KETASCREEN_CACHE_DIR="off")),
                     "load": loading}, repeat)
    share = t["load"] / t["warm"]
    return [("run --answers, 5,000 questions", f"{t['warm']:.2f} s (loading {share:.0%})",
             f"{t['cold']:.2f} s with the cache off", "loading < 50%", share < 0.5)]


# --- one answer ----------------------------------------------------------------------------------


def flagged_questionnaire(questions: int) -> str:
    """The interview benchmark's questionnaire (no skip logic) with a fifth as many flags and the
    scores: the notices have flags to work out, most of them on questions not answered yet."""
    rng = random.Random(SEED)
    flags = [line for number in range(questions // 5) for line in flag_lines(number, questions, rng)]
    return interview_questionnaire(questions) + "\n".join(["flags:", *flags, "scores:", *score_lines(questions)]) + "\n"


def notices_after_answer(questionnaire: Questionnaire, session: Session) -> None:
    """What the interview works out after an answer for its notices."""
    pressing_findings(questionnaire, session, None)


def one_answer(work: Path, name: str, repeat: int, answers: int = 40, late: bool = False) -> tuple[float, float, float, float]:
    """Median (latency, bare write, notices, latency with notices) in seconds over the first
    ``answers`` answers, or (``late``) the last ones of the interview: every question before them
    answered first the same way, untimed and unsaved."""
    source = load_source(name)
    questionnaire = source.questionnaire
    gc.freeze()  # as ketascreen run does once the questionnaire is loaded
    latency: list[float] = []
    bare: list[float] = []
    notices: list[float] = []
    together: list[float] = []
    for round_ in range(repeat):
        store = Store(work / f"answers-{questionnaire.id}-{len(questionnaire.questions)}-{round_}")
        store.prepare()
        baseline = store.directory / "bare-write.json"
        session = Session.begin(store.new_id(), "BENCH-1", "BM", questionnaire, str(source.path), source.text)
        store.save(session)
        current = rules.first_open(questionnaire, session)
        while late and current is not None and len(rules.asked_questions(questionnaire, session)) - len(session.answers) > answers:
            rules.answer(questionnaire, session, current, rules.parse_typed(current, typed_answer(current)), "BM")
            pressing_findings(questionnaire, session, None)
            current = rules.following(questionnaire, session, current.id)
        if late:
            store.save(session)
        for _ in range(answers):
            if current is None:
                break
            start = time.perf_counter()
            given = rules.parse_typed(current, typed_answer(current))
            rules.check_answer(questionnaire, session, current, given)
            rules.answer(questionnaire, session, current, given, "BM")
            store.save(session)
            following = rules.following(questionnaire, session, current.id)
            if following is not None:
                rules.step_at(questionnaire, session, following.id)
            latency.append(time.perf_counter() - start)
            start = time.perf_counter()
            notices_after_answer(questionnaire, session)
            notices.append(time.perf_counter() - start)
            together.append(latency[-1] + notices[-1])
            data = encode(session.to_json())
            start = time.perf_counter()
            bare_write(baseline, data)
            bare.append(time.perf_counter() - start)
            current = following
    gc.unfreeze()
    return median(latency), median(bare), median(notices), median(together)


def answer_rows(work: Path, repeat: int) -> list[Row]:
    names = {52: "ketamine-pretreatment"}
    for questions in (1_250, 5_000):
        path = work / f"interview-{questions}.yaml"
        path.write_text(flagged_questionnaire(questions), encoding="utf-8")
        names[questions] = str(path)
    measured: dict[int, list[tuple[float, float, float, float]]] = {}
    last: dict[int, list[tuple[float, float, float, float]]] = {}
    for round_ in range(repeat):  # interleaved: each size once per round
        for questions in (list(names) if round_ % 2 == 0 else list(reversed(names))):
            measured.setdefault(questions, []).append(one_answer(work, names[questions], 1))
            last.setdefault(questions, []).append(one_answer(work, names[questions], 1, late=True))
    figures = {q: tuple(median([m[i] for m in runs]) for i in range(4)) for q, runs in measured.items()}
    at_end = {q: tuple(median([m[i] for m in runs]) for i in range(4)) for q, runs in last.items()}
    def latency_row(figure: str, latency: float, bare: float, small: float | None) -> Row:
        """A latency above the bare write of the same bytes; goal (``small``): within 1.3x of 52."""
        ratio = latency / small if small is not None else None
        return (figure, f"{latency * 1e3:.2f} ms (+{(latency - bare) * 1e3:.2f} ms)", f"{bare * 1e3:.2f} ms bare durable write",
                f"<= 1.3x of 52 ({ratio:.2f}x)" if ratio is not None else "-", ratio <= 1.3 if ratio is not None else None)

    rows: list[Row] = []
    for questions, (latency, bare, _, _) in figures.items():
        rows.append(latency_row(f"per answer, {questions:,} questions", latency, bare,
                                figures[52][0] if questions > 52 else None))
    for questions, (_, _, notices, _) in figures.items():
        rows.append((f"notices after an answer, {questions:,} q.", f"{notices * 1e3:.2f} ms", "-", "-", None))
    for questions, (_, bare, _, together) in figures.items():
        rows.append(latency_row(f"per answer with notices, {questions:,} q.", together, bare,
                                figures[52][3] if questions > 52 else None))
    # The last answers of a whole interview: the session file, and its bare write, have grown with
    # the answers before them. No goal: shown as milliseconds above the bare write of the same bytes.
    for questions, (_, bare, _, together) in at_end.items():
        rows.append(latency_row(f"last answers with notices, {questions:,} q.", together, bare, None))
    return rows


# --- exports -------------------------------------------------------------------------------------


def export_rows(work: Path, repeat: int, sessions: int) -> list[Row]:
    _, session = completed_session()
    store = Store(work / "export-data")
    ids = save_copies(store, session, sessions)
    environment = command_environment()
    environment["XDG_CACHE_HOME"] = str(work / "cache")
    budget = argument_budget(environment)
    counter = iter(range(10**9))
    fixed = ["export", "--format", "fhir", "--data-dir", str(store.directory)]

    def fhir_export(settings: dict[str, str]) -> Callable[[], float]:
        def run() -> float:
            out = work / f"fhir-{next(counter)}"
            total = 0.0
            for chunk in chunked([KETASCREEN, *fixed, "--output-dir", str(out)], ids, budget):
                total += process([KETASCREEN, "export", *chunk, *fixed[1:], "--output-dir", str(out)], settings)()
            return total
        return run

    # Once untimed: the stored questionnaire is in the cache, each session's resource is kept beside
    # it, and the sizes are known.
    fhir_export(environment)()
    sample = work / "fhir-0"
    sizes = work / "fhir-sizes.txt"
    sizes.write_text(" ".join(str((sample / f"{sid}.fhir.json").stat().st_size) for sid in sorted(ids)))

    def fhir_floor() -> float:
        out = work / f"fhir-floor-{next(counter)}"
        return process([sys.executable, "-c", FLOOR_FHIR, str(store.directory), str(out), str(sizes)])()

    def csv_export(settings: dict[str, str]) -> Callable[[], float]:
        return lambda: process([KETASCREEN, "export", "--format", "csv", "--output", str(work / f"out-{next(counter)}.csv"),
                                "--data-dir", str(store.directory)], settings)()

    def csv_floor() -> float:
        return process([sys.executable, "-c", FLOOR_CSV, str(store.directory), str(work / f"floor-{next(counter)}.csv")])()

    csv_export(environment)()  # once untimed too: each session's row is kept from now on
    cold = dict(environment, KETASCREEN_CACHE_DIR="off")
    t = interleaved({"csv": csv_export(environment), "csv floor": csv_floor, "fhir": fhir_export(environment),
                     "fhir floor": fhir_floor}, repeat)
    c = interleaved({"csv": csv_export(cold), "fhir": fhir_export(cold)}, max(1, repeat // 3))
    csv_ratio, fhir_ratio = t["csv"] / t["csv floor"], t["fhir"] / t["fhir floor"]
    return [(f"export csv, {sessions:,} sessions", f"{t['csv']:.2f} s ({csv_ratio:.2f}x)",
             f"{t['csv floor']:.2f} s json.load + csv", "<= 2x", csv_ratio <= 2),
            (f"export fhir, {sessions:,} sessions", f"{t['fhir']:.2f} s ({fhir_ratio:.2f}x)",
             f"{t['fhir floor']:.2f} s read + write + fsync", "<= 1.5x", fhir_ratio <= 1.5),
            ("export csv, each evaluated (cache off)", f"{c['csv']:.2f} s ({c['csv'] / t['csv floor']:.2f}x)",
             f"{t['csv floor']:.2f} s json.load + csv", "-", None),
            ("export fhir, each evaluated (cache off)", f"{c['fhir']:.2f} s ({c['fhir'] / t['fhir floor']:.2f}x)",
             f"{t['fhir floor']:.2f} s read + write + fsync", "-", None)]


# --- summary PDFs --------------------------------------------------------------------------------


def pdf_rows(repeat: int, documents: int) -> list[Row]:
    """``documents`` summary PDFs rendered in-process (evaluation, layout, drawing, fonts, output),
    beside as many bare fpdf2 documents with the same pages and lines of text."""
    from datetime import UTC, datetime

    from ketascreen.summarize import summarize
    from summary import bare_document, summary_lines

    questionnaire, session = completed_session()
    when = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    lines = summary_lines(questionnaire, session)
    per_round = max(1, documents // repeat)

    def ours() -> float:
        start = time.perf_counter()
        for _ in range(per_round):
            summarize(questionnaire, session, "pdf", when)
        return time.perf_counter() - start

    def bare() -> float:
        start = time.perf_counter()
        for _ in range(per_round):
            bare_document(lines)
        return time.perf_counter() - start

    ours(), bare()  # once untimed: fonts and imports
    t = interleaved({"pdf": ours, "bare": bare}, repeat)
    total, floor, ratio = t["pdf"] * repeat, t["bare"] * repeat, t["pdf"] / t["bare"]
    return [(f"summary PDF, {per_round * repeat:,} ({len(lines)} pages each)", f"{total:.2f} s ({ratio:.2f}x)",
             f"{floor:.2f} s bare fpdf2, same pages and lines", "<= 1.5x", ratio <= 1.5)]


# --- the table -----------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    widths = [max(len(r[i]) for r in rows + [("figure", "measured", "floor", "goal", None)]) for i in range(4)]
    header = ("figure", "measured", "floor", "goal", "held")
    print("  ".join(h.ljust(w) for h, w in zip(header, [*widths, 4], strict=True)))
    print("  ".join("-" * w for w in [*widths, 4]))
    for figure, measured, floor, goal, met in rows:
        held = "-" if met is None else ("yes" if met else "NO")
        print("  ".join(c.ljust(w) for c, w in zip((figure, measured, floor, goal, held), [*widths, 4], strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each interleaved comparison (default 3)")
    parser.add_argument("--sessions", type=int, default=10_000, help="sessions exported (default 10000)")
    parser.add_argument("--pdfs", type=int, default=1_000, help="summary PDFs rendered (default 1000)")
    parser.add_argument("--only", choices=("validate", "first", "answers", "answer", "export", "pdf"), action="append",
                        help="only these parts (default: every part)")
    args = parser.parse_args()
    parts = args.only or ["validate", "first", "answers", "answer", "export", "pdf"]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-") as directory:
        work = Path(directory)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        os.environ.pop("KETASCREEN_CACHE_DIR", None)
        if "validate" in parts:
            rows += validate_rows(work, args.repeat)
        if "first" in parts:
            rows += first_question_rows(work, args.repeat)
        if "answers" in parts:
            rows += answers_rows(work, args.repeat)
        if "answer" in parts:
            rows += answer_rows(work, args.repeat)
        if "export" in parts:
            rows += export_rows(work, args.repeat, args.sessions)
        if "pdf" in parts:
            rows += pdf_rows(args.repeat, args.pdfs)
    print(f"median of {args.repeat} interleaved rounds each (first question: at least 7); {os.cpu_count()} cores\n")
    print_table(rows)
    goals = [r[4] for r in rows if r[4] is not None]
    print(f"\ngoals held: {sum(goals)} of {len(goals)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
