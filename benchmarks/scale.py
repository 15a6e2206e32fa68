"""Whether ketascreen's commands grow linearly with their input: each at two sizes, beside a baseline.

One table. Each row is one command timed at a full and a half size in the same run, with a baseline
for comparable work timed in the same run at both sizes. The generators and checks come from the
other scripts in this directory:

1. ``ketascreen validate FILE`` on a generated questionnaire of 5,000 questions and 1,000 flags (half:
   2,500 and 500), written by ``validate.py``'s generator. Baseline: ``check-jsonschema --schemafile
   ketascreen/schema/questionnaire.schema.json FILE`` on the same file.
2. ``ketascreen run FILE --answers ANSWERS --data-dir DIR`` with a generated questionnaire of 5,000
   questions and an answers file that answers every one of them (half: 2,500), written by
   ``interview.py``'s generator. The run must exit 0 and leave a completed session with every
   answer. Baseline: one bare durable write (temporary file, fsync, rename, fsync of the directory)
   of the bytes of the session file that run produced, the floor for writing that file once. The
   per-item columns give both times per answer.
3. ``ketascreen summary ID... --format text --output-dir OUT --data-dir DATA`` over 1,000 completed
   sessions of the bundled questionnaire (half: the first 500), made as ``summary.py`` makes them,
   and the same with ``--format pdf``. There must be one output file per session. Baseline for both:
   a bare one-page fpdf2 document with the bundled DejaVu Sans (``summary.bare_page``), made
   in-process once for each session.
4. ``ketascreen export --format csv --output OUT.csv --data-dir DATA`` over 10,000 sessions (half: a
   directory with the first 5,000 of the same files), made as ``export.py`` makes them. The CSV
   must hold a header and one row per session. Baseline: a plain ``json.load`` of every file in
   DATA, in a ``python -c`` process.

Commands are timed as whole processes (time.perf_counter around subprocess.run), so the times
include interpreter start-up and imports; at small sizes start-up dominates and the ratio falls
towards 1. Before timing, each command runs once untimed on a small or the half input (files in the
cache, imports compiled). Within a row the full, half and baseline runs are interleaved, in the
opposite order every other repetition, each into a new output; the table gives the median of
``--repeat`` runs.

The verdict is "linear" when time(full) / time(half) is at most LINEAR_LIMIT, otherwise "WORSE THAN
LINEAR", and the script then exits with status 1. Each row is printed as soon as it is measured,
then the whole table.

Run it with the project's environment, which needs the ``bench`` extra for check-jsonschema:

    .venv/bin/python benchmarks/scale.py            # the sizes above; several minutes
    .venv/bin/python benchmarks/scale.py --quick    # every size divided by 10
    .venv/bin/python benchmarks/scale.py --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export  # noqa: E402
import interview  # noqa: E402
import summary  # noqa: E402
import validate  # noqa: E402
from ketascreen.store import Store  # noqa: E402

LINEAR_LIMIT = 2.3  # time(full) / time(half) above this is worse than linear
QUICK_DIVISOR = 10
QUESTIONS = 5000  # rows 1 and 2
FLAGS = 1000  # row 1
SUMMARY_SESSIONS = 1000  # row 3
EXPORT_SESSIONS = 10000  # row 4
WARM_SESSIONS = 2  # sessions in the untimed first runs of rows 3 and 4


# --- timing --------------------------------------------------------------------------------------


Call = Callable[[int], float]  # given the repetition's number, runs once and returns its seconds


def time_interleaved(calls: dict[str, Call], repeat: int) -> dict[str, float]:
    """Each call ``repeat`` times, interleaved, in the opposite order every other repetition; medians."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            times[name].append(calls[name](round_))
    return {name: statistics.median(values) for name, values in times.items()}


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Measured:
    label: str  # the command
    item: str  # what the size counts
    baseline: str  # what it is compared with
    full_items: int
    half_items: int
    times: dict[str, float]  # median seconds: "full", "half", "base full", "base half"

    @property
    def ratio(self) -> float:
        return self.times["full"] / self.times["half"]

    @property
    def base_ratio(self) -> float:
        return self.times["base full"] / self.times["base half"]

    @property
    def linear(self) -> bool:
        return self.ratio <= LINEAR_LIMIT

    @property
    def verdict(self) -> str:
        return "linear" if self.linear else "WORSE THAN LINEAR"


def measured(label: str, item: str, baseline: str, full_items: int, half_items: int,
             times: dict[str, float]) -> Measured:
    row = Measured(label, item, baseline, full_items, half_items, times)
    print(table_line(row), flush=True)
    return row


# --- 1. ketascreen validate ----------------------------------------------------------------------


def measure_validate(work: Path, ketascreen: list[str], questions: int, flags: int, repeat: int) -> Measured:
    check_jsonschema = validate.check_jsonschema_command()
    full = validate.Sizes(questions, flags)
    half = full.half()
    paths = {"full": validate.write_questionnaire(work, "validate-full.yaml", full),
             "half": validate.write_questionnaire(work, "validate-half.yaml", half)}
    validate.require_ok([*ketascreen, "validate", str(paths["half"])])  # untimed: caches, and the file is valid
    validate.require_ok([*check_jsonschema, str(paths["half"])])
    calls: dict[str, Call] = {}
    for size, path in paths.items():
        calls[size] = lambda _round, path=path: validate.timed([*ketascreen, "validate", str(path)])
        calls[f"base {size}"] = lambda _round, path=path: validate.timed([*check_jsonschema, str(path)])
    return measured("1 ketascreen validate", "question", "check-jsonschema on the same file",
                    full.questions, half.questions, time_interleaved(calls, repeat))


# --- 2. ketascreen run --answers -----------------------------------------------------------------


def session_file(data_dir: Path) -> Path:
    """The one session file a run left in ``data_dir``."""
    found = [path for path in data_dir.glob("*.json") if not path.name.startswith(".")]
    if len(found) != 1:
        sys.exit(f"expected one session file in {data_dir}, found {len(found)}")
    return found[0]


def measure_run(work: Path, ketascreen: list[str], questions: int, repeat: int) -> Measured:
    files = {"full": interview.write_files(work, "run-full", questions),
             "half": interview.write_files(work, "run-half", max(1, questions // 2))}
    calls: dict[str, Call] = {}
    for size, chosen in files.items():
        warm = work / f"run-{size}-untimed"
        interview.timed(interview.run_command(ketascreen, chosen, warm))  # checks the session is completed
        data = session_file(warm).read_bytes()
        target = work / f"bare-{size}" / "session.json"
        target.parent.mkdir()
        calls[size] = lambda round_, chosen=chosen, size=size: interview.timed(
            interview.run_command(ketascreen, chosen, work / f"run-{size}-{round_}"))
        calls[f"base {size}"] = lambda _round, target=target, data=data: seconds(
            lambda: interview.bare_write(target, data))
    return measured("2 ketascreen run --answers", "answer", "one bare write of its session file",
                    files["full"].questions, files["half"].questions, time_interleaved(calls, repeat))


# --- 3. ketascreen summary -----------------------------------------------------------------------


def bare_pages(count: int) -> None:
    for _ in range(count):
        summary.bare_page()


def measure_summary(work: Path, ketascreen: list[str], sessions: int, repeat: int) -> list[Measured]:
    _, session = summary.completed_session()
    store = Store(work / "summary-sessions")
    ids = summary.save_copies(store, session, sessions)
    chosen = {"full": ids, "half": ids[: max(1, len(ids) // 2)]}
    summary.bare_page()  # untimed: fpdf2 imported, the font read once
    bases: dict[str, Call] = {}
    for size, picked in chosen.items():
        count = len(picked)
        bases[f"base {size}"] = lambda _round, count=count: seconds(lambda: bare_pages(count))
    rows = []
    for fmt in ("text", "pdf"):
        untimed = summary.Run(fmt, ids[:WARM_SESSIONS])
        summary.timed(ketascreen, untimed, store.directory, work / f"summary-{fmt}-untimed")
        calls: dict[str, Call] = {}
        for size, picked in chosen.items():
            run = summary.Run(fmt, picked)
            calls[size] = lambda round_, run=run, size=size, fmt=fmt: summary.timed(
                ketascreen, run, store.directory, work / f"summary-{fmt}-{size}-{round_}")
        times = time_interleaved({**calls, **bases}, repeat)
        rows.append(measured(f"3 ketascreen summary --format {fmt}", "session",
                             "bare fpdf2 page per session, in-process",
                             len(chosen["full"]), len(chosen["half"]), times))
    return rows


# --- 4. ketascreen export ------------------------------------------------------------------------


def measure_export(work: Path, ketascreen: list[str], sessions: int, repeat: int) -> Measured:
    _, session = summary.completed_session()
    store = Store(work / "export-sessions")
    ids = export.save_copies(store, session, sessions)
    half_ids = ids[: max(1, len(ids) // 2)]
    sizes = {"full": export.Size("full", store, ids),
             "half": export.Size("half", export.half_directory(store, half_ids, work / "export-sessions-half"), half_ids)}
    environment = export.command_environment()
    warm_ids = ids[:WARM_SESSIONS]
    warm = export.Size("untimed", export.half_directory(store, warm_ids, work / "export-sessions-untimed"), warm_ids)
    export.time_csv(ketascreen, warm, work / "export-untimed.csv", environment)
    export.time_baseline(warm, environment)
    calls: dict[str, Call] = {}
    for name, size in sizes.items():
        calls[name] = lambda round_, size=size: export.time_csv(
            ketascreen, size, work / f"export-{size.name}-{round_}.csv", environment)
        calls[f"base {name}"] = lambda _round, size=size: export.time_baseline(size, environment)
    return measured("4 ketascreen export --format csv", "session", "json.load of the files, python -c",
                    len(ids), len(half_ids), time_interleaved(calls, repeat))


# --- report --------------------------------------------------------------------------------------


HEADER = (f"{'command':<34}{'items':>7}{'half s':>9}{'full s':>9}{'full/half':>10}{'us/item':>12}"
          f"{'base half s':>13}{'base full s':>13}{'base f/h':>10}{'base us/item':>14}{'x base':>8}  verdict")


def table_line(row: Measured) -> str:
    times = row.times
    per_item = times["full"] / row.full_items * 1e6
    base_per_item = times["base full"] / row.full_items * 1e6
    return (f"{row.label:<34}{row.full_items:>7,}{times['half']:>9.3f}{times['full']:>9.3f}{row.ratio:>10.2f}"
            f"{per_item:>12,.2f}{times['base half']:>13.3f}{times['base full']:>13.3f}{row.base_ratio:>10.2f}"
            f"{base_per_item:>14,.2f}{times['full'] / times['base full']:>8.2f}  {row.verdict}")


def print_table(rows: list[Measured], repeat: int, quick: bool) -> None:
    print(f"median of {repeat} run{'' if repeat == 1 else 's'} each; whole processes except the fpdf2 baseline"
          f"{'; --quick: every size divided by ' + str(QUICK_DIVISOR) if quick else ''}")
    print()
    print(HEADER)
    for row in rows:
        print(table_line(row))
    print()
    print(f"items: the full size (half: {', '.join(f'{row.half_items:,}' for row in rows)}); us/item: full time per "
          "item; x base: full time over the baseline's; verdict: linear when full/half is at most "
          f"{LINEAR_LIMIT:g}")
    for row in rows:
        print(f"  {row.label}: items are {row.item}s; baseline: {row.baseline}")
    slow = [row.label for row in rows if not row.linear]
    if slow:
        print(f"\nworse than linear: {', '.join(slow)}; profile it with\n"
              f"  {sys.executable} -m cProfile -s cumtime -m ketascreen ...  (at both sizes)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"divide every size by {QUICK_DIVISOR}, for a fast check")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command and baseline (default 1)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    divisor = QUICK_DIVISOR if args.quick else 1
    ketascreen = validate.ketascreen_command()
    validate.require_ok([*ketascreen, "--version"])  # untimed: the interpreter and typer in the cache
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-") as directory:
        work = Path(directory)
        rows = [
            measure_validate(work, ketascreen, QUESTIONS // divisor, FLAGS // divisor, args.repeat),
            measure_run(work, ketascreen, QUESTIONS // divisor, args.repeat),
            *measure_summary(work, ketascreen, SUMMARY_SESSIONS // divisor, args.repeat),
            measure_export(work, ketascreen, EXPORT_SESSIONS // divisor, args.repeat),
        ]
    print()
    print_table(rows, args.repeat, args.quick)
    return 0 if all(row.linear for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
