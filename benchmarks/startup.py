"""How long ketascreen takes to start, beside the floor of importing typer.

Times, alternating the commands in each round, median of --repeat runs (default 20):
- ``python -c "import typer"``: the start-up floor of a Typer command line;
- ``ketascreen --version`` and ``ketascreen --help``: should stay close to that floor (aim: --version
  within 1.2x), since they import neither yaml nor jsonschema nor rich's markdown;
- ``ketascreen validate ketamine-pretreatment``: the first command that reads a questionnaire.

Run: .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def ketascreen() -> list[str]:
    script = Path(sys.executable).parent / "ketascreen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ketascreen"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    commands = {
        'python -c "import typer"': [sys.executable, "-c", "import typer"],
        "ketascreen --version": [*ketascreen(), "--version"],
        "ketascreen --help": [*ketascreen(), "--help"],
        "ketascreen validate ketamine-pretreatment": [*ketascreen(), "validate", "ketamine-pretreatment"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # one untimed round: warm the file cache
        timed(command)
    for round_number in range(args.repeat):
        order = list(commands.items())
        if round_number % 2:
            order.reverse()
        for name, command in order:
            times[name].append(timed(command))
    floor = statistics.median(times['python -c "import typer"'])
    print(f"{args.repeat} runs each, alternating; median and min in milliseconds\n")
    print(f"{'command':45} {'median':>8} {'min':>8} {'x typer':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:45} {median * 1000:8.1f} {min(values) * 1000:8.1f} {median / floor:8.2f}")
    ratio = statistics.median(times["ketascreen --version"]) / floor
    print(f"\nketascreen --version / import typer: {ratio:.2f} (aim: at most 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
