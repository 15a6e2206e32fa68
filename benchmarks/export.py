"""How long `ketascreen export` takes over many sessions, as CSV and as FHIR, next to a bare json.load.

The script fills a temporary data directory with ``--sessions`` completed sessions (by default
10,000) of the bundled questionnaire (``ketamine-pretreatment``). As ``benchmarks/summary.py``
does, it builds one session in Python from the example answers file
``tests/examples/answers/several-flags.yaml`` (answers recorded, skip logic applied with
``interview.prune``, marked completed) and ``Store.save`` writes copies of it under different ids.
Each copy has its own patient, systolic blood pressure and resting pulse, so the rows differ (and
some copies raise the blood pressure and pulse flags while others do not). A second data directory
holds the first half of the same files (hard links where possible), to show whether the time
grows linearly. No interview is run.

Then, in the same run, for each data directory:

- ``ketascreen export --format csv --output OUT.csv --data-dir DATA``: every session, one table.
  The file must then hold a header and one row per session (read with the csv module).
- ``ketascreen export ID... --format fhir --output-dir OUT --data-dir DATA``: the ids passed as
  arguments, in as few processes as the system's argument limit (``SC_ARG_MAX``) allows, usually
  one; the times of the processes are added. ``OUT`` must then hold one file per session.
- ``python -c "..."``: a plain ``json.load`` of every ``*.json`` file in DATA (the same files), the
  baseline: what reading the sessions costs before anything is done with them.

Every command is timed as a whole process (interpreter start-up and imports included), must exit
0, and runs interleaved with the others, in the opposite order every other repetition, each into a
new output. ``ketascreen --version`` is timed too, as the start-up floor. The report gives sessions
per second, the ratio of each export to the json.load baseline, and time(full) / time(half).

If an export takes more than ``RATIO_LIMIT`` times the baseline (or with ``--profile``), the script
also runs the CSV export in-process under cProfile (``ketascreen.cli.main`` with the same
arguments, over the full data directory) and prints the functions with the most cumulative time.

Run it with the project's environment:

    .venv/bin/python benchmarks/export.py
    .venv/bin/python benchmarks/export.py --sessions 500 --repeat 3 --profile

(The environment that ``make bench`` sets up will do.)
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ketascreen.session import VALUE, Answer, Session  # noqa: E402
from ketascreen.store import COPIES, Store  # noqa: E402
from summary import BUNDLED, STAMP, completed_session, ketascreen_command, session_id  # noqa: E402

RATIO_LIMIT = 20.0  # an export within this many times the json.load baseline, per session
LINEAR_LIMIT = 2.2  # time(full) / time(half) above this does not look linear
ARG_MARGIN = 16 * 1024  # bytes of the argument limit left unused, for safety
BASELINE_CODE = (
    "import json, pathlib, sys\n"
    "count = 0\n"
    "for path in sorted(pathlib.Path(sys.argv[1]).glob('*.json')):\n"
    "    with open(path, 'rb') as handle:\n"
    "        json.load(handle)\n"
    "    count += 1\n"
    "print(count)\n"
)
KINDS = ("csv", "fhir", "json.load")
LABELS = {
    "csv": "ketascreen export --format csv",
    "fhir": "ketascreen export ID... --format fhir",
    "json.load": "python -c: json.load of each file",
}


# --- the sessions --------------------------------------------------------------------------------


def vary(session: Session, number: int) -> None:
    """Copy ``number``'s own patient, systolic blood pressure (110-199) and pulse (55-114)."""
    session.id = session_id(number)
    session.patient = f"BENCH-{number:05d}"
    session.answers["bp_systolic"] = Answer(VALUE, 110 + (number * 7) % 90, STAMP)
    session.answers["heart_rate"] = Answer(VALUE, 55 + (number * 13) % 60, STAMP)


def save_copies(store: Store, session: Session, count: int) -> list[str]:
    """``count`` varied copies of ``session`` under ids 0, 1, 2, ... in the id alphabet."""
    store.prepare()
    ids = []
    for number in range(count):
        vary(session, number)
        store.save(session)
        ids.append(session.id)
    return ids


def half_directory(store: Store, ids: list[str], directory: Path) -> Store:
    """A data directory with the session files of ``ids`` and the questionnaires they were asked on
    (hard links, or copies where links fail)."""
    half = Store(directory)
    half.prepare()
    copies = store.directory / COPIES
    (half.directory / COPIES).mkdir(mode=0o700)
    pairs = [(store.path_for(sid), half.path_for(sid)) for sid in ids]
    pairs += [(path, half.directory / COPIES / path.name) for path in copies.iterdir()]
    for source, target in pairs:
        try:
            os.link(source, target)
        except OSError:
            target.write_bytes(source.read_bytes())
            os.chmod(target, 0o600)
    return half


# --- the commands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    name: str  # full or half
    store: Store
    ids: list[str]


def command_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("KETASCREEN_DATA_DIR", None)
    return environment


def argument_budget(environment: dict[str, str]) -> int:
    """Bytes left for arguments: the system's limit less the environment and a margin."""
    try:
        limit = os.sysconf("SC_ARG_MAX")
    except (AttributeError, ValueError, OSError):
        limit = 32 * 1024
    if limit <= 0:
        limit = 32 * 1024
    used = sum(len(key) + len(value) + 2 + 8 for key, value in environment.items())
    return limit - used - ARG_MARGIN


def argv_bytes(argv: list[str]) -> int:
    return sum(len(os.fsencode(arg)) + 1 + 8 for arg in argv)  # the string, its NUL, its pointer


def chunked(fixed: list[str], ids: list[str], budget: int) -> list[list[str]]:
    """The ids split into as few runs of ``fixed`` + ids as fit in ``budget`` bytes each."""
    room = budget - argv_bytes(fixed)
    chunks: list[list[str]] = [[]]
    used = 0
    for sid in ids:
        cost = argv_bytes([sid])
        if chunks[-1] and used + cost > room:
            chunks.append([])
            used = 0
        chunks[-1].append(sid)
        used += cost
    return chunks


def failed(argv: list[str], result: subprocess.CompletedProcess[str], why: str) -> None:
    shown = " ".join(argv[:4] + ["..."] + argv[-6:]) if len(argv) > 12 else " ".join(argv)
    sys.exit(f"{why}: {shown}\nexit {result.returncode}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def run_timed(argv: list[str], environment: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=environment)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        failed(argv, result, "failed")
    return elapsed, result


def csv_rows(path: Path) -> int:
    """Lines of the CSV file as the csv module reads them: header and rows."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle))


def time_csv(ketascreen: list[str], size: Size, output: Path, environment: dict[str, str]) -> float:
    argv = [*ketascreen, "export", "--format", "csv", "--output", str(output), "--data-dir", str(size.store.directory)]
    elapsed, result = run_timed(argv, environment)
    lines = csv_rows(output) if output.is_file() else 0
    if lines != len(size.ids) + 1:
        failed(argv, result, f"{lines:,} lines in {output} for {len(size.ids):,} sessions (header + rows)")
    return elapsed


def time_fhir(ketascreen: list[str], size: Size, output_dir: Path, environment: dict[str, str],
              budget: int) -> float:
    fixed = [*ketascreen, "export", "--format", "fhir", "--output-dir", str(output_dir),
             "--data-dir", str(size.store.directory)]
    elapsed = 0.0
    argv: list[str] = fixed
    result = None
    for chunk in chunked(fixed, size.ids, budget):
        argv = [*ketascreen, "export", *chunk, *fixed[len(ketascreen) + 1:]]
        seconds, result = run_timed(argv, environment)
        elapsed += seconds
    assert result is not None
    expected = {f"{sid}.fhir.json" for sid in size.ids}
    present = {path.name for path in output_dir.iterdir()} if output_dir.is_dir() else set()
    if present != expected:
        failed(argv, result, f"{len(present):,} files in {output_dir} for {len(expected):,} sessions")
    return elapsed


def time_baseline(size: Size, environment: dict[str, str]) -> float:
    argv = [sys.executable, "-c", BASELINE_CODE, str(size.store.directory)]
    elapsed, result = run_timed(argv, environment)
    if result.stdout.strip() != str(len(size.ids)):
        failed(argv, result, f"read {result.stdout.strip()} files for {len(size.ids):,} sessions")
    return elapsed


def time_version(ketascreen: list[str], environment: dict[str, str]) -> float:
    return run_timed([*ketascreen, "--version"], environment)[0]


def time_commands(sizes: list[Size], work: Path, repeat: int, budget: int) -> dict[str, list[float]]:
    """Each command ``repeat`` times, interleaved, in the opposite order every other repetition."""
    ketascreen, environment = ketascreen_command(), command_environment()
    names = [f"{kind}, {size.name}" for size in sizes for kind in KINDS] + ["--version"]
    by_name = {size.name: size for size in sizes}
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            if name == "--version":
                times[name].append(time_version(ketascreen, environment))
                continue
            kind, size_name = name.split(", ")
            size, output = by_name[size_name], work / f"out-{round_}-{kind}-{size_name}"
            if kind == "csv":
                times[name].append(time_csv(ketascreen, size, output.with_suffix(".csv"), environment))
            elif kind == "fhir":
                times[name].append(time_fhir(ketascreen, size, output, environment, budget))
            else:
                times[name].append(time_baseline(size, environment))
    return times


# --- profile -------------------------------------------------------------------------------------


def profile_csv(store: Store, output: Path, top: int) -> str:
    """cProfile over one CSV export in-process (the command line's main), by cumulative time."""
    from ketascreen.cli import main as ketascreen_main

    argv = ["export", "--format", "csv", "--output", str(output), "--data-dir", str(store.directory)]
    profiler = cProfile.Profile()
    profiler.enable()
    status = ketascreen_main(argv)
    profiler.disable()
    if status != 0:
        sys.exit(f"the profiled export exited {status}")
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("cumulative").print_stats(top)
    return stream.getvalue()


# --- report --------------------------------------------------------------------------------------


def print_setup(session: Session, sizes: list[Size], seconds: float, budget: int, chunks: int) -> None:
    full = sizes[0]
    size = full.store.path_for(full.ids[0]).stat().st_size
    print(f"{len(full.ids):,} completed sessions of '{BUNDLED}' (half: {len(sizes[1].ids):,}), "
          f"{len(session.answers)} answers each, session file ~{size:,} bytes; written in {seconds:.1f} s")
    print(f"argument room {budget:,} bytes: the FHIR export of all sessions runs as {chunks} process"
          f"{'' if chunks == 1 else 'es'}")


def print_report(sizes: list[Size], times: dict[str, list[float]], repeat: int) -> dict[str, float]:
    """The tables; returns each export's time over the baseline's at full size."""
    median = {name: statistics.median(values) for name, values in times.items()}
    floor = median["--version"]
    full, half = sizes
    print(f"whole processes, {repeat} run{'' if repeat == 1 else 's'} each (median); "
          f"start-up floor (ketascreen --version) {floor:.3f} s")
    print()
    print(f"{'command':<40}{'sessions':>9}{'total s':>9}{'min s':>8}{'sessions/s':>12}{'x json.load':>13}")
    for size in sizes:
        base = median[f"json.load, {size.name}"]
        for kind in KINDS:
            name = f"{kind}, {size.name}"
            total = median[name]
            print(f"{LABELS[kind]:<40}{len(size.ids):>9,}{total:>9.3f}{min(times[name]):>8.3f}"
                  f"{len(size.ids) / total:>12,.0f}{total / base:>13.2f}")
    print("(x json.load: time over the baseline's on the same files; the same ratio per session)")
    print()
    print(f"{'command':<40}{'half s':>9}{'full s':>9}{'full/half':>11}  (~2 means linear)")
    ratios = {}
    for kind in KINDS:
        whole, halved = median[f"{kind}, {full.name}"], median[f"{kind}, {half.name}"]
        ratios[kind] = whole / halved
        print(f"{LABELS[kind]:<40}{halved:>9.3f}{whole:>9.3f}{ratios[kind]:>11.2f}")
    slow = [LABELS[kind] for kind, ratio in ratios.items() if ratio > LINEAR_LIMIT]
    if slow:
        print(f"\nabove {LINEAR_LIMIT}, time grows faster than the number of sessions: {', '.join(slow)}"
              + ('' if repeat > 2 else ' (few runs are noisy; try --repeat 3)'))
    base = median[f"json.load, {full.name}"]
    return {kind: median[f"{kind}, {full.name}"] / base for kind in ("csv", "fhir")}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10000, help="sessions in the data directory (default 10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command (default 1)")
    parser.add_argument("--profile", action="store_true",
                        help=f"profile the CSV export in-process even within {RATIO_LIMIT:g}x the baseline")
    parser.add_argument("--top", type=int, default=30, help="functions shown by the profile (default 30)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the temporary files go; fsync costs depend on the file system "
                             "(default: the system's temporary directory)")
    args = parser.parse_args()
    if args.sessions < 2 or args.repeat < 1 or args.top < 1:
        parser.error("--sessions must be at least 2, --repeat and --top at least 1")
    return args


def main() -> None:
    args = parse_args()
    _, session = completed_session()
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-", dir=args.dir) as directory:
        work = Path(directory)
        start = time.perf_counter()
        store = Store(work / "sessions")
        ids = save_copies(store, session, args.sessions)
        half_ids = ids[: len(ids) // 2]
        half = half_directory(store, half_ids, work / "sessions-half")
        sizes = [Size("full", store, ids), Size("half", half, half_ids)]
        written = time.perf_counter() - start
        budget = argument_budget(command_environment())
        fixed = [*ketascreen_command(), "export", "--format", "fhir", "--output-dir", str(work / "out-0-fhir-full"),
                 "--data-dir", str(store.directory)]
        print_setup(session, sizes, written, budget, len(chunked(fixed, ids, budget)))
        print()
        times = time_commands(sizes, work, args.repeat, budget)
        over = print_report(sizes, times, args.repeat)
        slow = {kind: ratio for kind, ratio in over.items() if ratio > RATIO_LIMIT}
        if slow or args.profile:
            if slow:
                why = ", ".join(f"{kind} {ratio:.1f}x" for kind, ratio in slow.items())
                print(f"\nabove {RATIO_LIMIT:g}x the json.load baseline: {why}")
            print(f"\nthe CSV export of {len(ids):,} sessions in-process under cProfile, by cumulative time:")
            print(profile_csv(store, work / "profile.csv", args.top))


if __name__ == "__main__":
    main()
