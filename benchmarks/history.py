"""What `ketascreen history` costs for one patient in a large data directory.

A temporary data directory is filled with pre-dose sessions (``--patients`` patients × ``--visits``
visits, each a completed `ketamine-predose` session with a PHQ-9), and then, interleaved over
``--repeat`` runs:

1. history for one patient with a fresh index (the usual case: the index is refreshed by listing
   the directory and comparing sizes and times, then only that patient's files are read, each
   session is evaluated on its stored questionnaire, and the text is rendered);
2. the baseline: reading and parsing that patient's session files alone (``read_session``), found
   by name, nothing else;
3. the same history with the index removed first (rebuilt from every file: the one-off cost after
   an upgrade or a damaged index).

Everything is also measured at half the number of patients, to show whether the cost grows
linearly with the directory. Run it with the project's environment:

    .venv/bin/python benchmarks/history.py
    .venv/bin/python benchmarks/history.py --patients 20 --visits 50 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from ketascreen.commands.history import patient_series
from ketascreen.index import INDEX_FILE
from ketascreen.loading.load import load_source
from ketascreen.render.history import render_history
from ketascreen.scenarios import SCENARIOS_DIR
from ketascreen.session import COMPLETED, Answer, Session
from ketascreen.store import Store, read_session


def fill(directory: Path, patients: int, visits: int) -> list[str]:
    """Write the sessions straight to disk (no fsync: this is set-up, not what is measured)."""
    source = load_source("ketamine-predose")
    q = source.questionnaire
    quiet = yaml.safe_load((SCENARIOS_DIR / "ketamine-predose.yaml").read_text())["defaults"]["answers"]
    store = Store(directory)
    store.prepare()
    names = []
    for p in range(patients):
        for v in range(visits):
            stamp = f"2026-{1 + v // 28:02d}-{1 + v % 28:02d}T09:{p % 60:02d}:00.000+00:00"
            session = Session(store.new_id(), f"MRN-{p:04d}", "BM", q.id, q.version, q.sha256, str(source.path),
                              source.text, created=stamp)
            for qid, value in quiet.items():
                if qid.startswith("phq9_"):
                    value = max(0, 3 - v // 20) if qid in ("phq9_1", "phq9_2", "phq9_3") else 0
                session.answers[qid] = Answer("value", value, stamp)
            session.status, session.completed, session.updated = COMPLETED, stamp, stamp
            path = store.path_for(session.id)
            path.write_text(json.dumps(session.to_json(), ensure_ascii=False), encoding="utf-8")
            path.chmod(0o600)
            if p == 0:
                names.append(path.name)
    return names


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(patients: int, visits: int, repeat: int, parent: Path | None) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"history": [], "read alone": [], "history, index rebuilt": []}
    when = datetime(2026, 11, 29, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="ketascreen-history-", dir=parent) as tmp:
        directory = Path(tmp) / "data"
        names = fill(directory, patients, visits)
        store = Store(directory)

        def history() -> None:
            series = patient_series(store, "MRN-0000")
            assert len(series.visits) == visits
            render_history(series, "text", when)

        def read_alone() -> None:
            for name in names:
                read_session(directory / name)

        def rebuilt() -> None:
            (directory / INDEX_FILE).unlink(missing_ok=True)
            history()

        history()  # the first run builds the index
        for index in range(repeat):
            order = [("history", history), ("read alone", read_alone), ("history, index rebuilt", rebuilt)]
            if index % 2:
                order.reverse()
            for name, action in order:
                if name == "history, index rebuilt":
                    times[name].append(timed(action))
                    history()  # leave a fresh index for the next run
                else:
                    times[name].append(timed(action))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--visits", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tmp", type=Path, default=None, help="where to make the temporary data directories")
    args = parser.parse_args()
    full = measure(args.patients, args.visits, args.repeat, args.tmp)
    half = measure(max(1, args.patients // 2), args.visits, args.repeat, args.tmp)
    total, half_total = args.patients * args.visits, max(1, args.patients // 2) * args.visits
    print(f"history of one patient ({args.visits} visits) in a data directory of {total:,} sessions "
          f"(and {half_total:,}); median of {args.repeat} runs, interleaved")
    print()
    print(f"{'':<30}{total:>10,} s{half_total:>10,} s{'full/half':>11}")
    for name in full:
        a, b = statistics.median(full[name]), statistics.median(half[name])
        print(f"{name:<30}{a:>12.3f}{b:>12.3f}{a / b:>11.2f}")
    ratio = statistics.median(full["history"]) / statistics.median(full["read alone"])
    print()
    print(f"history / reading the patient's files alone: {ratio:.2f}x (aim: within 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
