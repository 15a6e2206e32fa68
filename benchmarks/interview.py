"""What one answer costs in an interview, and how long `ketascreen run --answers` takes on a large file.

Two measurements in one run:

1. One confirmed answer at the prompt. For the bundled questionnaire (``ketamine-pretreatment``),
   every question on the interview's path is answered in turn the way the prompt does it:
   ``parse_typed`` + ``check_answer`` (checks across answers) + ``interview.answer`` (record,
   re-apply skip logic) + ``Store.save`` (JSON, temporary file, fsync, rename, fsync of the
   directory). The urgent and contraindication flags the interview then works out again for its
   notices (those whose answers changed) are timed on their own. Typed answers are realistic: the middle
   of the range for numbers, ``n`` for yes/no, ``0`` for scales, ``none`` for text. Beside each
   answer, interleaved, the script writes the same session bytes itself with nothing else: a
   temporary file, fsync, os.replace, fsync of the directory (the bare write, the floor for a
   durable save). Serialising the session to those bytes is timed on its own. The questionnaire is
   answered ``--repeat`` times, each time in a new session, in a temporary data directory.

2. A whole session from an answers file. The script writes a valid questionnaire of ``--questions``
   questions (sections of 50, five question types, a few ``when`` conditions that hold) and an
   answers file answering every question, then times ``ketascreen run FILE --answers ANSWERS --again
   --data-dir DIR`` as a process with stdin not a terminal, which must exit 0 and write a completed
   session, with the questionnaire cache off (``KETASCREEN_CACHE_DIR=off``), so that every run
   checks the questionnaire as validate does. The same is done at half the size, and ``ketascreen validate FILE`` is timed at both
   sizes to show how much of a run is reading and checking the questionnaire, and
   ``ketascreen --version`` as the start-up floor. Commands are timed whole (interpreter start-up
   and imports included), interleaved, in the opposite order every other repetition.

Run it with the project's environment:

    .venv/bin/python benchmarks/interview.py
    .venv/bin/python benchmarks/interview.py --questions 1000 --repeat 3

(``make bench`` sets up the environment and runs it with the defaults.)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ketascreen import answering as rules
from ketascreen.loading.load import Source, load_source
from ketascreen.model import Question
from ketascreen.notices import pressing_findings
from ketascreen.session import COMPLETED, Session
from ketascreen.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate import (  # noqa: E402 - the generated questionnaire is shared with validate.py
    SCALE_SCORES,
    SECTION_SIZE,
    question_id,
    question_type,
)
from validate import question_lines as generated_question  # noqa: E402

BUNDLED = "ketamine-pretreatment"
SAVE_AIM = 2.0  # an answer, saved, within this many times the bare durable write
LINEAR_LIMIT = 2.2  # time(full) / time(half) above this does not look linear
PATIENT, STAFF = "BENCH-0001", "BM"


# --- 1. one answer at the prompt -----------------------------------------------------------------


def typed_answer(question: Question) -> str:
    """What staff would type for this question: in range, and not an "unknown" or "declined"."""
    if question.type in ("integer", "number"):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 100
        return str(int((low + high) // 2))
    if question.type == "yes_no":
        return "n"
    if question.type == "scale":
        return str(min(o.score for o in question.options))
    if question.type == "choice":
        return "1"
    if question.type == "multi_choice":
        return "0"
    if question.type == "date":
        return "2026-01-15"
    return "none"


def bare_write(path: Path, data: bytes) -> None:
    """The durable write alone: temporary file, fsync, rename over ``path``, fsync of the directory."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass
class AnswerTimes:
    answer: list[float]  # parse_typed + interview.answer + Store.save, seconds
    bare: list[float]  # bare_write of the same bytes
    serialise: list[float]  # session -> JSON bytes, as Store.save does it
    per_session: list[int]  # answers given in each session
    findings: list[float] = None  # type: ignore[assignment]  # flags worked out again after the answer
    data_bytes: int = 0


def new_session(store: Store, source: Source) -> Session:
    questionnaire = source.questionnaire
    return Session.begin(store.new_id(), PATIENT, STAFF, questionnaire, str(source.path), source.text)


def session_bytes(session: Session) -> bytes:
    return json.dumps(session.to_json(), ensure_ascii=False, indent=1).encode("utf-8")


def answer_questionnaire(store: Store, source: Source, baseline: Path, times: AnswerTimes) -> None:
    """One session, every question on the path answered in turn, each timed beside a bare write."""
    questionnaire = source.questionnaire
    session = new_session(store, source)
    given_count = 0
    with store.lock(session.id):
        store.save(session)
        current = rules.first_open(questionnaire, session)
        while current is not None:
            typed = typed_answer(current)
            start = time.perf_counter()
            given = rules.parse_typed(current, typed)
            rules.check_answer(questionnaire, session, current, given)
            rules.answer(questionnaire, session, current, given, STAFF)
            store.save(session)
            saved = time.perf_counter()
            # The interview then works out its urgent and contraindication notices.
            pressing_findings(questionnaire, session, None)
            times.findings.append(time.perf_counter() - saved)
            saved = time.perf_counter()
            data = session_bytes(session)
            serialised = time.perf_counter()
            bare_write(baseline, data)
            written = time.perf_counter()
            times.answer.append(saved - start)
            times.serialise.append(serialised - saved)
            times.bare.append(written - serialised)
            times.data_bytes = len(data)
            given_count += 1
            current = rules.following(questionnaire, session, current.id)
        if rules.missing_required(questionnaire, session):
            sys.exit(f"the answers given left required questions of {questionnaire.id} open")
    times.per_session.append(given_count)


def time_answers(parent: Path | None, repeat: int) -> AnswerTimes:
    source = load_source(BUNDLED)
    times = AnswerTimes([], [], [], [], [])
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-", dir=parent) as directory:
        store = Store(Path(directory) / "sessions")
        store.prepare()
        baseline = store.directory / "bare-write.json"
        for _ in range(repeat):
            answer_questionnaire(store, source, baseline, times)
    return times


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def print_answers(times: AnswerTimes, repeat: int) -> None:
    print(f"1. One confirmed answer, bundled questionnaire '{BUNDLED}': {repeat} sessions, "
          f"{statistics.median(times.per_session)} answers each, {len(times.answer):,} answers in all; "
          f"session file {times.data_bytes:,} bytes")
    print()
    print(f"{'per answer':<52}{'median ms':>11}{'p95 ms':>10}")
    rows = (
        ("parse, checks, interview.answer, Store.save", times.answer),
        ("bare write of the same bytes (fsync, rename, fsync)", times.bare),
        ("session to JSON bytes (not in the bare write)", times.serialise),
        ("flags worked out again after it (notices)", times.findings),
    )
    for name, values in rows:
        print(f"{name:<52}{statistics.median(values) * 1e3:>11.3f}{percentile(values, 0.95) * 1e3:>10.3f}")
    median_ratio = statistics.median(times.answer) / statistics.median(times.bare)
    p95_ratio = percentile(times.answer, 0.95) / percentile(times.bare, 0.95)
    paired = statistics.median(a / b for a, b in zip(times.answer, times.bare, strict=True))
    verdict = "met" if median_ratio <= SAVE_AIM and p95_ratio <= SAVE_AIM else "NOT met"
    print(f"\nanswer / bare write: median {median_ratio:.2f}, p95 {p95_ratio:.2f}, "
          f"median of paired answers {paired:.2f}  (aim: within {SAVE_AIM:g}x; {verdict})")


# --- 2. a generated questionnaire from an answers file -------------------------------------------


def holding_condition(index: int) -> str:
    """A condition on question ``index`` that the generated answers make true (so every question is asked)."""
    qid, qtype = question_id(index), question_type(index)
    if qtype == "yes_no":
        return f"{{question: {qid}, equals: true}}"
    if qtype == "integer":
        return f"{{question: {qid}, at_least: 100}}"
    if qtype == "choice":
        return f"{{question: {qid}, one_of: [medium, high]}}"
    raise ValueError(f"no condition written for {qtype} questions")


def question_lines(index: int) -> list[str]:
    """validate.py's generated question, its condition one that the generated answers make true."""
    condition = None
    if index % 7 == 6:  # the nearest earlier yes/no, integer or choice question (always within 3)
        earlier = next(i for i in range(index - 1, -1, -1) if question_type(i) in ("yes_no", "integer", "choice"))
        condition = holding_condition(earlier)
    return generated_question(index, condition=condition)


def questionnaire_text(questions: int) -> str:
    lines = [
        "format: 1",
        "id: benchmark",
        "title: Benchmark questionnaire",
        'version: "1.0"',
        "language: en",
        "description: A large generated questionnaire for timing interviews.",
        "scales:",
        "  frequency:",
    ]
    lines += [f"    - {{score: {score}, label: level {score}}}" for score in SCALE_SCORES]
    lines.append("sections:")
    for number, first in enumerate(range(0, questions, SECTION_SIZE), start=1):
        last = min(first + SECTION_SIZE, questions)
        lines += [
            f"  - id: section_{number:04d}",
            f"    title: Section {number}",
            f"    intro: Now questions {first} to {last - 1}.",
            "    questions:",
        ]
        for index in range(first, last):
            lines += question_lines(index)
    return "\n".join(lines) + "\n"


def answer_value(index: int) -> str:
    return {"yes_no": "true", "integer": "120", "choice": "medium", "scale": "1", "text": "none reported"}[question_type(index)]


def answers_text(questions: int) -> str:
    lines = [f"patient: {PATIENT}", f"staff: {STAFF}", "answers:"]
    lines += [f"  {question_id(index)}: {answer_value(index)}" for index in range(questions)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Files:
    questions: int
    questionnaire: Path
    answers: Path
    questionnaire_bytes: int
    answers_bytes: int


def write_files(directory: Path, name: str, questions: int) -> Files:
    questionnaire = directory / f"{name}.yaml"
    answers = directory / f"{name}-answers.yaml"
    questionnaire.write_text(questionnaire_text(questions), encoding="utf-8")
    answers.write_text(answers_text(questions), encoding="utf-8")
    return Files(questions, questionnaire, answers, questionnaire.stat().st_size, answers.stat().st_size)


def ketascreen_command() -> list[str]:
    found = Path(sys.executable).parent / "ketascreen"
    return [str(found)] if found.exists() else [sys.executable, "-m", "ketascreen"]


def failed(command: list[str], result: subprocess.CompletedProcess[str], why: str) -> None:
    sys.exit(f"{why}: {' '.join(command)}\nexit {result.returncode}\n{result.stdout}{result.stderr}")


def check_completed(command: list[str], result: subprocess.CompletedProcess[str], questions: int) -> None:
    """The run printed ``SESSION<TAB>PATH`` and the file holds a completed session with every answer."""
    if result.returncode != 0:
        failed(command, result, "failed")
    try:
        path = Path(result.stdout.strip().splitlines()[-1].split("\t")[1])
        data = json.loads(path.read_text(encoding="utf-8"))
    except (IndexError, OSError, ValueError):
        failed(command, result, "no session file named in the output of")
    if data.get("status") != COMPLETED or len(data.get("answers", {})) != questions:
        failed(command, result, f"session not completed with {questions} answers ({path})")


@dataclass
class Command:
    argv: list[str]
    questions: int | None = None  # for a run: the answers its session must hold
    environment: dict[str, str] | None = None


def timed(command: Command) -> float:
    start = time.perf_counter()
    result = subprocess.run(command.argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=command.environment)
    elapsed = time.perf_counter() - start
    if command.questions is not None:
        check_completed(command.argv, result, command.questions)
    elif result.returncode != 0:
        failed(command.argv, result, "failed")
    return elapsed


def run_command(ketascreen: list[str], files: Files, data_dir: Path) -> Command:
    # --again: each repetition enters the same file for the same patient, which is refused without it.
    argv = [*ketascreen, "run", str(files.questionnaire), "--answers", str(files.answers), "--again",
            "--data-dir", str(data_dir)]
    # The questionnaire checked in full on every run, as validate checks it: "run minus validate" is
    # then the answering and saving. (make bench times the run with the checked copy cached.)
    return Command(argv, files.questions, dict(os.environ, KETASCREEN_CACHE_DIR="off"))


def time_commands(commands: dict[str, Command], repeat: int) -> dict[str, list[float]]:
    """Each command ``repeat`` times, interleaved, in the opposite order every other repetition."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            times[name].append(timed(commands[name]))
    return times


def time_runs(parent: Path | None, questions: int, repeat: int) -> tuple[Files, Files, dict[str, list[float]]]:
    ketascreen = ketascreen_command()
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-", dir=parent) as directory:
        base = Path(directory)
        full = write_files(base, "benchmark", questions)
        half = write_files(base, "benchmark-half", max(1, questions // 2))
        commands = {
            "run, full": run_command(ketascreen, full, base / "sessions-full"),
            "run, half": run_command(ketascreen, half, base / "sessions-half"),
            "validate, full": Command([*ketascreen, "validate", str(full.questionnaire)]),
            "validate, half": Command([*ketascreen, "validate", str(half.questionnaire)]),
            "--version": Command([*ketascreen, "--version"]),
        }
        for command in commands.values():  # once untimed: it must work, and the files are in the cache
            timed(command)
        return full, half, time_commands(commands, repeat)


def print_runs(full: Files, half: Files, times: dict[str, list[float]], repeat: int) -> None:
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"2. ketascreen run --answers, generated questionnaire: {full.questions:,} questions "
          f"({full.questionnaire_bytes:,} bytes), answers file {full.answers_bytes:,} bytes; "
          f"half size {half.questions:,} questions; {repeat} runs each")
    print()
    print(f"{'command (whole process)':<40}{'questions':>10}{'median s':>10}{'min s':>9}{'per answer us':>15}")
    for name, files in (("run, full", full), ("run, half", half), ("validate, full", full), ("validate, half", half)):
        per_answer = f"{median[name] / files.questions * 1e6:>15.1f}" if name.startswith("run") else ""
        print(f"{'ketascreen ' + name:<40}{files.questions:>10,}{median[name]:>10.3f}{min(times[name]):>9.3f}{per_answer}")
    print(f"{'ketascreen --version (start-up floor)':<40}{'':>10}{median['--version']:>10.3f}{min(times['--version']):>9.3f}")
    answering = {size: median[f"run, {size}"] - median[f"validate, {size}"] for size in ("full", "half")}
    print(f"\nrun minus validate (answers file, answering, saving), full: {answering['full']:.3f} s, "
          f"{answering['full'] / full.questions * 1e6:.1f} us per answer")
    print(f"validate's share of the run, full: {median['validate, full'] / median['run, full']:.0%}")
    ratio = median["run, full"] / median["run, half"]
    print(f"\nrun time(full) / time(half): {ratio:.2f}  (~2 means linear)")
    floor = median["--version"]
    if median["run, half"] > floor:
        print(f"  the same above the start-up floor: {(median['run, full'] - floor) / (median['run, half'] - floor):.2f}")
    if answering["half"] > 0:
        print(f"  the same for run minus validate: {answering['full'] / answering['half']:.2f}")
    print(f"validate time(full) / time(half): {median['validate, full'] / median['validate, half']:.2f}")
    if ratio > LINEAR_LIMIT:
        print(f"\nabove {LINEAR_LIMIT}: the run grows faster than the number of answers; profile it with\n"
              f"  {sys.executable} -m cProfile -s cumtime -m ketascreen run FILE --answers ANSWERS --data-dir DIR")


# --- report --------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000, help="questions in the generated file (default 5000)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="sessions answered in part 1, and runs of each command in part 2 (default 5)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the temporary files go; fsync costs depend on the file system "
                             "(default: the system's temporary directory)")
    args = parser.parse_args()
    if args.questions < 2 or args.repeat < 1:
        parser.error("--questions must be at least 2 and --repeat at least 1")
    return args


def main() -> None:
    args = parse_args()
    answers = time_answers(args.dir, args.repeat)
    print_answers(answers, args.repeat)
    print()
    full, half, times = time_runs(args.dir, args.questions, args.repeat)
    print_runs(full, half, times, args.repeat)


if __name__ == "__main__":
    main()
