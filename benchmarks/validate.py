"""How long `ketascreen validate` takes on a large questionnaire, next to `check-jsonschema`.

The script writes a valid questionnaire into a temporary directory (by default 5,000 questions in
sections of 50, 1,000 flags and a few scores) and a second one half that size, then times, in the
same run and alternating their order each repetition:

- ``ketascreen validate FILE``: YAML reading with positions, the JSON Schema check and the checks
  the schema cannot express (references, operators, bands);
- ``check-jsonschema --schemafile SCHEMA FILE``: the JSON Schema check alone, a reference point;
- ``python -c "import typer"``: the start-up floor of a Python command line;
- ``ketascreen validate`` on the half-sized file, to show whether the time grows linearly.

Each command is timed as a whole process (time.perf_counter around subprocess.run), so the times
include interpreter start-up and imports.

Run it with the project's environment, which needs the ``bench`` extra for check-jsonschema:

    .venv/bin/python benchmarks/validate.py
    .venv/bin/python benchmarks/validate.py --questions 1000 --flags 200 --repeat 3

(``make bench`` sets up the environment and runs it with the defaults.)
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parent.parent / "ketascreen" / "schema" / "questionnaire.schema.json"
SECTION_SIZE = 50
QUESTION_TYPES = ("yes_no", "integer", "choice", "scale", "text")
CHOICE_CODES = ("low", "medium", "high")
SCALE_SCORES = (0, 1, 2, 3)
SEVERITIES = ("urgent", "contraindication", "precaution", "history", "logistics")
SCORE_COUNT = 3
SCORE_ITEMS = 9
SEED = 20240601


# --- the questionnaire ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    questions: int
    flags: int

    def half(self) -> Sizes:
        return Sizes(max(1, self.questions // 2), self.flags // 2)

    def describe(self) -> str:
        return f"{self.questions:,} questions, {self.flags:,} flags"


def question_id(index: int) -> str:
    return f"q{index:05d}"


def question_type(index: int) -> str:
    return QUESTION_TYPES[index % len(QUESTION_TYPES)]


def flow(value: Any) -> str:
    """A value in YAML flow style; strings here are ids and codes, safe to write without quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return str(value)


def comparison(index: int, rng: random.Random) -> dict[str, Any]:
    """A comparison on question ``index`` with an operator and value that fit its type."""
    qid, qtype = question_id(index), question_type(index)
    if qtype == "yes_no":
        return {"question": qid, "equals": True}
    if qtype == "integer":
        return {"question": qid, "above": rng.randint(60, 240)}
    if qtype == "choice":
        return {"question": qid, "one_of": rng.sample(CHOICE_CODES, 2)}
    if qtype == "scale":
        return {"question": qid, "at_least": rng.choice(SCALE_SCORES[1:])}
    raise ValueError(f"no comparison written for {qtype} questions")


def comparable_before(index: int, rng: random.Random) -> int | None:
    """An earlier question (yes/no, integer or choice) for a question's `when`, if there is one."""
    candidates = [i for i in range(max(0, index - 200), index) if question_type(i) in ("yes_no", "integer", "choice")]
    return rng.choice(candidates) if candidates else None


def question_lines(index: int, rng: random.Random | None = None, condition: str | None = None) -> list[str]:
    """One generated question; every seventh gets a `when` (``condition``, or one drawn with ``rng``)."""
    qid, qtype = question_id(index), question_type(index)
    lines = [
        f"      - id: {qid}",
        f"        type: {qtype}",
        f"        label: item {index} of the benchmark",
        f"        text: Question number {index}, asked the way staff would read it aloud?",
        f"        help: Why question {index} is asked, and how to record the answer.",
    ]
    if qtype == "integer":
        lines += ["        unit: mmHg", "        min: 20", "        max: 300"]
    elif qtype == "choice":
        lines.append("        choices:")
        lines += [f"          - {{code: {code}, label: {code} level}}" for code in CHOICE_CODES]
    elif qtype == "scale":
        lines.append("        scale: frequency")
    if index % 7 == 6:
        if condition is not None:
            lines.append(f"        when: {condition}")
        elif rng is not None:
            earlier = comparable_before(index, rng)
            if earlier is not None:
                lines.append(f"        when: {flow(comparison(earlier, rng))}")
    return lines


def section_lines(number: int, first: int, last: int, rng: random.Random) -> list[str]:
    lines = [
        f"  - id: section_{number:04d}",
        f"    title: Section {number}",
        f"    intro: Now questions {first} to {last - 1}.",
        "    questions:",
    ]
    for index in range(first, last):
        lines += question_lines(index, rng)
    return lines


def flag_lines(number: int, question_count: int, rng: random.Random) -> list[str]:
    comparable = [i for i in rng.sample(range(question_count), min(question_count, 12)) if question_type(i) != "text"]
    parts = [comparison(i, rng) for i in comparable[: rng.choice((2, 3))]]
    if not parts:
        return []
    return [
        f"  - id: flag_{number:05d}",
        f"    severity: {SEVERITIES[number % len(SEVERITIES)]}",
        f"    label: Finding number {number}",
        f"    explanation: Why finding {number} matters for the clinician who reviews the answers.",
        f"    when: {flow({'any': parts})}",
        f"    source: Benchmark reference {number}",
    ]


def bands(low: int, high: int, count: int) -> list[tuple[int, int]]:
    """``count`` (or fewer) bands that cover low..high exactly, without gap or overlap."""
    width = max(1, (high - low + 1) // count)
    edges = list(range(low, high + 1, width))[:count]
    return [(start, (edges[n + 1] - 1) if n + 1 < len(edges) else high) for n, start in enumerate(edges)]


def score_items(question_count: int) -> list[list[int]]:
    """The scale questions each score sums: up to SCORE_COUNT scores of SCORE_ITEMS questions."""
    scale_questions = [i for i in range(question_count) if question_type(i) == "scale"]
    groups = [scale_questions[n * SCORE_ITEMS:(n + 1) * SCORE_ITEMS] for n in range(SCORE_COUNT)]
    return [items for items in groups if items]


def score_lines(question_count: int) -> list[str]:
    lines: list[str] = []
    for number, items in enumerate(score_items(question_count)):
        high = max(SCALE_SCORES) * len(items)
        lines += [
            f"  - id: score_{number}",
            f"    label: Benchmark total {number}",
            f"    items: {flow([question_id(i) for i in items])}",
            "    bands:",
        ]
        lines += [f"      - {{min: {start}, max: {end}, label: band {start} to {end}}}" for start, end in bands(0, high, 4)]
    return lines


def questionnaire_text(sizes: Sizes) -> str:
    rng = random.Random(SEED)
    lines = [
        "format: 1",
        "id: benchmark",
        "title: Benchmark questionnaire",
        'version: "1.0"',
        "language: en",
        "description: A large generated questionnaire for timing validation.",
        "scales:",
        "  frequency:",
    ]
    lines += [f"    - {{score: {score}, label: level {score}}}" for score in SCALE_SCORES]
    lines.append("sections:")
    for number, first in enumerate(range(0, sizes.questions, SECTION_SIZE), start=1):
        lines += section_lines(number, first, min(first + SECTION_SIZE, sizes.questions), rng)
    flags = [line for number in range(sizes.flags) for line in flag_lines(number, sizes.questions, rng)]
    if flags:
        lines += ["flags:", *flags]
    scores = score_lines(sizes.questions)
    if scores:
        lines += ["scores:", *scores]
    return "\n".join(lines) + "\n"


# --- commands and timing -------------------------------------------------------------------------


def command_next_to_python(name: str) -> Path | None:
    path = Path(sys.executable).parent / name
    return path if path.exists() else None


def ketascreen_command() -> list[str]:
    found = command_next_to_python("ketascreen")
    return [str(found)] if found else [sys.executable, "-m", "ketascreen"]


def check_jsonschema_command() -> list[str]:
    found = command_next_to_python("check-jsonschema")
    if found is None:
        sys.exit(
            f"check-jsonschema is not installed next to {sys.executable}.\n"
            "Install it with:  pip install -e '.[bench]'   (or run: make bench)"
        )
    return [str(found), "--schemafile", str(SCHEMA)]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True)


def require_ok(command: list[str]) -> None:
    """Exit with the command's output unless it succeeds."""
    result = run(command)
    if result.returncode != 0:
        print(f"failed ({result.returncode}): {' '.join(command)}", file=sys.stderr)
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit(1)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = run(command)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}) while timing: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return elapsed


def time_all(commands: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Each command ``repeat`` times, interleaved, in the opposite order every other repetition."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            times[name].append(timed(commands[name]))
    return times


# --- report --------------------------------------------------------------------------------------


def write_questionnaire(directory: Path, name: str, sizes: Sizes) -> Path:
    path = directory / name
    path.write_text(questionnaire_text(sizes), encoding="utf-8")
    return path


def print_report(sizes: Sizes, path: Path, half: Sizes, times: dict[str, list[float]], repeat: int) -> None:
    sections = -(-sizes.questions // SECTION_SIZE)
    print(f"file: {path.stat().st_size:,} bytes; {sizes.questions:,} questions in {sections:,} sections, "
          f"{sizes.flags:,} flags, {len(score_items(sizes.questions))} scores; "
          f"{repeat} runs each")
    print()
    print(f"{'command':<36}{'median s':>10}{'min s':>10}")
    for name in ("ketascreen validate", "check-jsonschema", 'python -c "import typer"'):
        print(f"{name:<36}{statistics.median(times[name]):>10.3f}{min(times[name]):>10.3f}")
    ratios = [k / c for k, c in zip(times["ketascreen validate"], times["check-jsonschema"], strict=True)]
    print(f"\nketascreen / check-jsonschema, median of paired runs: {statistics.median(ratios):.2f}")
    full, halved = statistics.median(times["ketascreen validate"]), statistics.median(times["ketascreen validate, half"])
    floor = statistics.median(times['python -c "import typer"'])
    print("\nketascreen validate by size (median s):")
    print(f"  {half.describe():<36}{halved:>8.3f}")
    print(f"  {sizes.describe():<36}{full:>8.3f}")
    print(f"  time(full) / time(half): {full / halved:.2f}  (~2 means linear)")
    if halved > floor:
        print(f"  the same above the start-up floor: {(full - floor) / (halved - floor):.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000, help="questions in the file (default 5000)")
    parser.add_argument("--flags", type=int, default=1000, help="flags in the file (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (default 5)")
    args = parser.parse_args()
    if args.questions < 1 or args.flags < 0 or args.repeat < 1:
        parser.error("--questions and --repeat must be at least 1, --flags at least 0")
    return args


def main() -> None:
    args = parse_args()
    sizes = Sizes(args.questions, args.flags)
    half = sizes.half()
    ketascreen, check_jsonschema = ketascreen_command(), check_jsonschema_command()
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-") as directory:
        full_path = write_questionnaire(Path(directory), "benchmark.yaml", sizes)
        half_path = write_questionnaire(Path(directory), "benchmark-half.yaml", half)
        for path in (full_path, half_path):
            require_ok([*ketascreen, "validate", str(path)])
            require_ok([*check_jsonschema, str(path)])
        commands = {
            "ketascreen validate": [*ketascreen, "validate", str(full_path)],
            "check-jsonschema": [*check_jsonschema, str(full_path)],
            'python -c "import typer"': [sys.executable, "-c", "import typer"],
            "ketascreen validate, half": [*ketascreen, "validate", str(half_path)],
        }
        times = time_all(commands, args.repeat)
        print_report(sizes, full_path, half, times, args.repeat)


if __name__ == "__main__":
    main()
