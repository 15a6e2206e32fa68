"""How long `ketascreen summary` takes over many sessions in each format, and what one PDF costs.

The script fills a temporary data directory with ``--sessions`` completed sessions (by default
1,000). It builds one session in Python from the example answers file
``tests/examples/answers/several-flags.yaml`` for the bundled questionnaire
(``ketamine-pretreatment``): the answers are recorded, skip logic is applied with
``interview.prune`` and the session is marked completed; then ``Store.save`` writes copies of it
under different ids. No interview is run. Then, in the same run:

1. The whole command. For each format (text, markdown, html, json, pdf) it times
   ``ketascreen summary ID... --format FMT --output-dir OUT --data-dir DATA`` as one process over
   every session, the ids passed as arguments, with ``SOURCE_DATE_EPOCH`` set so that the output
   is the same on every run. The command must exit 0, and ``OUT`` must then hold one file per
   session. The same is done over the first half of the sessions, to show whether the time grows
   linearly, and ``ketascreen --version`` is timed as the start-up floor. Commands are timed whole
   (interpreter start-up and imports included), interleaved, in the opposite order every other
   repetition, each into a new output directory.

2. One summary in-process, for comparison. ``summarize(questionnaire, session, FMT, when)`` per
   session for each format, and beside the PDF a bare one-page fpdf2 document (``FPDF()``,
   ``add_page``, ``add_font`` of the bundled DejaVu Sans, a few lines of ``multi_cell`` text,
   ``output``): the floor for any PDF written with fpdf2 and that font. The other steps the command
   takes for each session are timed on their own: reading the session file and its stored copy of
   the questionnaire (``Store.load`` + ``stored_questionnaire``, the same for every format), and
   writing the summary as a private file (``write_private``: temporary file, fsync, rename).
   In-process calls follow one untimed call and are interleaved, ``--loops`` rounds.

With ``--profile`` the script also profiles the PDF renderer in-process (cProfile) and prints the
functions with the most cumulative time.

Run it with the project's environment:

    .venv/bin/python benchmarks/summary.py
    .venv/bin/python benchmarks/summary.py --sessions 100 --repeat 3 --loops 50 --profile

(The environment that ``make bench`` sets up will do.)
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ketascreen.answering import prune
from ketascreen.answersfile import read_answers
from ketascreen.formats import SUMMARY_FORMATS as FORMATS
from ketascreen.loading.load import load_source
from ketascreen.model import Questionnaire
from ketascreen.session import COMPLETED, ID_ALPHABET, Answer, Session
from ketascreen.store import Store, write_private
from ketascreen.stored import stored_questionnaire
from ketascreen.summarize import summarize

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "tests" / "examples" / "answers" / "several-flags.yaml"
FONT = ROOT / "ketascreen" / "fonts" / "DejaVuSans.ttf"
FONT_BOLD = ROOT / "ketascreen" / "fonts" / "DejaVuSans-Bold.ttf"
BUNDLED = "ketamine-pretreatment"
STAMP = "2026-11-29T09:00:00+00:00"
EPOCH = 1795942800  # SOURCE_DATE_EPOCH for the commands: 2026-11-29 09:00 UTC
WHEN = datetime.fromtimestamp(EPOCH, UTC)
ID_HALF = 4  # an id is 4 characters, '-', 4 characters
PDF_AIM = 1.5  # a summary PDF within this many times a bare fpdf2 document of the same pages
LINEAR_LIMIT = 2.2  # time(full) / time(half) above this does not look linear
BARE_LINES = (
    "Screening summary: a bare page for timing fpdf2 itself.",
    "Patient BENCH-0001 — not a treatment decision.",
    "Blood pressure 184/96 mmHg, heart rate 104/min, ≥ 3 findings — é, ü, ñ.",
    "Why it matters: a line long enough to wrap at least once across the width of an A4 page "
    "with the default margins, so that multi_cell breaks it into lines.",
    "Source: benchmark reference.",
)
PAGE = re.compile(rb"/Type\s*/Page(?!s)")


# --- the sessions --------------------------------------------------------------------------------


def session_id(number: int) -> str:
    """``number`` written in the session id alphabet, as an id: 'abcd-efgh'."""
    base = len(ID_ALPHABET)
    if not 0 <= number < base ** (2 * ID_HALF):
        raise ValueError(f"no session id for {number}")
    digits = []
    for _ in range(2 * ID_HALF):
        number, digit = divmod(number, base)
        digits.append(ID_ALPHABET[digit])
    chars = "".join(reversed(digits))
    return f"{chars[:ID_HALF]}-{chars[ID_HALF:]}"


def completed_session() -> tuple[Questionnaire, Session]:
    """The example answers recorded for the bundled questionnaire, skip logic applied, completed."""
    source = load_source(BUNDLED)
    questionnaire = source.questionnaire
    parsed = read_answers(ANSWERS, questionnaire)
    if parsed.problems:
        sys.exit(f"{ANSWERS} does not fit {BUNDLED}:\n" + "\n".join(str(p) for p in parsed.problems))
    staff = parsed.staff or "BM"
    session = Session(session_id(0), parsed.patient or "BENCH-0001", staff, questionnaire.id, questionnaire.version,
                      questionnaire.sha256, BUNDLED, source.text, created=STAMP)
    for qid, given in parsed.answers.items():
        session.record(qid, Answer(given.state, given.value, STAMP), staff)
    prune(questionnaire, session, staff)
    session.status, session.completed, session.updated = COMPLETED, STAMP, STAMP
    session.audit = []
    return questionnaire, session


def save_copies(store: Store, session: Session, count: int) -> list[str]:
    """``count`` copies of ``session`` under ids 0, 1, 2, ... in the id alphabet, each for its own
    patient (BENCH-0001, BENCH-0002, ...): a batch of the day's summaries, not one patient's
    thousand visits, whose "Since baseline" block would read every visit for every summary."""
    store.prepare()
    ids = []
    for number in range(count):
        session.id = session_id(number)
        session.patient = f"BENCH-{number + 1:04d}"
        store.save(session)
        ids.append(session.id)
    return ids


# --- 1. the whole command ------------------------------------------------------------------------


def ketascreen_command() -> list[str]:
    found = Path(sys.executable).parent / "ketascreen"
    return [str(found)] if found.exists() else [sys.executable, "-m", "ketascreen"]


@dataclass(frozen=True)
class Run:
    fmt: str | None  # None: ketascreen --version
    ids: list[str]


def command_environment() -> dict[str, str]:
    environment = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH))
    environment.pop("KETASCREEN_DATA_DIR", None)
    return environment


def failed(argv: list[str], result: subprocess.CompletedProcess[str], why: str) -> None:
    shown = " ".join(argv[:4] + ["..."] + argv[-6:]) if len(argv) > 12 else " ".join(argv)
    sys.exit(f"{why}: {shown}\nexit {result.returncode}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def check_outputs(argv: list[str], result: subprocess.CompletedProcess[str], run: Run, output_dir: Path) -> None:
    """One file per session in ``output_dir``, named by its id, and nothing else."""
    assert run.fmt is not None
    expected = {f"{sid}{FORMATS[run.fmt].suffix}" for sid in run.ids}
    present = {path.name for path in output_dir.iterdir()} if output_dir.is_dir() else set()
    if present != expected:
        failed(argv, result, f"{len(present)} files in {output_dir} for {len(expected)} sessions")


def timed(ketascreen: list[str], run: Run, data_dir: Path, output_dir: Path) -> float:
    if run.fmt is None:
        argv = [*ketascreen, "--version"]
    else:
        argv = [*ketascreen, "summary", *run.ids, "--format", run.fmt, "--output-dir", str(output_dir),
                "--data-dir", str(data_dir)]
    start = time.perf_counter()
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=command_environment())
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        failed(argv, result, "failed")
    if run.fmt is not None:
        check_outputs(argv, result, run, output_dir)
    return elapsed


def time_commands(runs: dict[str, Run], data_dir: Path, work: Path, repeat: int) -> dict[str, list[float]]:
    """Each command ``repeat`` times, interleaved, in the opposite order every other repetition."""
    ketascreen = ketascreen_command()
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            output_dir = work / f"out-{round_}-{name.replace(', ', '-')}"
            times[name].append(timed(ketascreen, runs[name], data_dir, output_dir))
    return times


def same_output(work: Path, fmt: str, first_id: str, repeat: int) -> bool:
    """The first session's summary is byte-identical in every run of ``fmt`` (SOURCE_DATE_EPOCH)."""
    files = [work / f"out-{round_}-{fmt}-{size}" / f"{first_id}{FORMATS[fmt].suffix}"
             for round_ in range(repeat) for size in ("full", "half")]
    return len({path.read_bytes() for path in files}) == 1


def command_runs(ids: list[str]) -> dict[str, Run]:
    half = ids[: max(1, len(ids) // 2)]
    runs = {f"{fmt}, {size}": Run(fmt, chosen) for fmt in FORMATS for size, chosen in (("full", ids), ("half", half))}
    runs["--version"] = Run(None, [])
    return runs


# --- 2. in-process -------------------------------------------------------------------------------


def bare_document(pages: list[list[tuple[float, str, bool, float]]]) -> bytes:
    """The floor for a summary PDF: fpdf2 with the same two fonts writing the same lines at the same
    places on the same number of pages, one ``text`` call a line, with no measuring, wrapping,
    page breaking, colour or boxes of ours."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    for lines in pages:
        pdf.add_page()
        for y, text, bold, size in lines:
            pdf.set_font("DejaVu", "B" if bold else "", size)
            pdf.text(25, y, text)
    return bytes(pdf.output())


def summary_lines(questionnaire: Questionnaire, session: Session) -> list[list[tuple[float, str, bool, float]]]:
    """Every line of text on each page of the summary PDF, running header and footer included."""
    from ketascreen.evaluate import evaluate_session
    from ketascreen.render.paper import MARGIN_BOTTOM, MARGIN_TOP, SIZES
    from ketascreen.render.pdf import HEADER, layout
    from ketascreen.render.view import summary_view

    view = summary_view(evaluate_session(questionnaire, session), STAMP)
    body_top, footer = MARGIN_TOP + HEADER, SIZES["a4"][1] - MARGIN_BOTTOM
    pages = []
    for placed in layout(view):
        lines = [(MARGIN_TOP, f"Patient {view.patient} — not a treatment decision", False, 8.0)]
        lines += [(body_top + top + run.y, run.text, run.bold, run.size) for top, row in placed for run in row.runs]
        lines.append((footer, f"Patient {view.patient} · generated {view.generated_at} · page 1 of 9", False, 8.0))
        pages.append(lines)
    return pages


def view_as_json(questionnaire: Questionnaire, session: Session) -> str:
    """json.dumps of the same summary view the text, Markdown and HTML renderers lay out."""
    from ketascreen.evaluate import evaluate_session
    from ketascreen.render.view import summary_view

    return json.dumps(dataclasses.asdict(summary_view(evaluate_session(questionnaire, session), STAMP)))


def bare_page() -> bytes:
    """A one-page fpdf2 document with the bundled font and a few lines of text."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", "", 10)
    for line in BARE_LINES:
        pdf.multi_cell(pdf.epw, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def time_calls(calls: dict[str, Callable[[], object]], loops: int) -> dict[str, list[float]]:
    """Each call once untimed, then ``loops`` rounds, interleaved, the order reversed every other round."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for round_ in range(loops):
        for name in names if round_ % 2 == 0 else reversed(names):
            start = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - start)
    return times


def in_process_calls(questionnaire: Questionnaire, session: Session, store: Store,
                     work: Path) -> dict[str, Callable[[], object]]:
    pdf = summarize(questionnaire, session, "pdf", WHEN)
    target = work / "write-private.pdf"
    path = store.path_for(session.id)
    lines = summary_lines(questionnaire, session)
    calls: dict[str, Callable[[], object]] = {"bare fpdf2 page": bare_page,
                                              "bare fpdf2 document": lambda: bare_document(lines),
                                              "json.dumps of the view": lambda: view_as_json(questionnaire, session)}
    for fmt in FORMATS:
        calls[fmt] = lambda fmt=fmt: summarize(questionnaire, session, fmt, WHEN)
    calls["load + stored_questionnaire"] = lambda: stored_questionnaire(store.load(path))
    calls["write_private (the PDF)"] = lambda: write_private(target, pdf)
    return calls


def profile_pdf(questionnaire: Questionnaire, session: Session, loops: int, top: int) -> str:
    """cProfile over ``loops`` calls of summarize(..., "pdf"), the top functions by cumulative time."""
    summarize(questionnaire, session, "pdf", WHEN)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(loops):
        summarize(questionnaire, session, "pdf", WHEN)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("cumulative").print_stats(top)
    return stream.getvalue()


# --- report --------------------------------------------------------------------------------------


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1e3


def print_setup(session: Session, data_dir: Path, ids: list[str], pdf: bytes) -> None:
    size = (data_dir / f"{ids[0]}.json").stat().st_size
    print(f"{len(ids):,} completed sessions of '{BUNDLED}' from {ANSWERS.name}: {len(session.answers)} answers each, "
          f"session file {size:,} bytes; summary PDF {len(PAGE.findall(pdf))} pages, {len(pdf):,} bytes; "
          f"bare page {len(bare_page()):,} bytes")


def print_commands(ids: list[str], times: dict[str, list[float]], in_process: dict[str, list[float]],
                   repeat: int, identical: dict[str, bool]) -> None:
    full, half = len(ids), max(1, len(ids) // 2)
    median = {name: statistics.median(values) for name, values in times.items()}
    floor = median["--version"]
    print(f"1. ketascreen summary ID... --format FMT --output-dir OUT, one process over {full:,} sessions "
          f"(half: {half:,}); {repeat} run{'' if repeat == 1 else 's'} each; "
          f"start-up floor (ketascreen --version) {floor:.3f} s")
    print()
    print(f"{'format':<10}{'total s':>9}{'min s':>8}{'ms/session':>12}{'above floor':>13}"
          f"{'in-process':>12}{'same bytes':>12}")
    for fmt in FORMATS:
        total = median[f"{fmt}, full"]
        print(f"{fmt:<10}{total:>9.3f}{min(times[f'{fmt}, full']):>8.3f}{total / full * 1e3:>12.2f}"
              f"{(total - floor) / full * 1e3:>13.2f}{median_ms(in_process[fmt]):>12.2f}"
              f"{'yes' if identical[fmt] else 'NO':>12}")
    print("(ms/session: total / sessions; above floor: (total - start-up) / sessions; in-process: summarize() "
          "alone, ms; same bytes: the first session's file identical in every run)")
    print()
    print(f"{'format':<10}{'half s':>9}{'full s':>9}{'full/half':>11}{'above floor':>13}  (~2 means linear)")
    ratios = {}
    for fmt in FORMATS:
        whole, halved = median[f"{fmt}, full"], median[f"{fmt}, half"]
        ratios[fmt] = whole / halved
        above = f"{(whole - floor) / (halved - floor):>13.2f}" if halved > floor else f"{'-':>13}"
        print(f"{fmt:<10}{halved:>9.3f}{whole:>9.3f}{ratios[fmt]:>11.2f}{above}")
    slow = [fmt for fmt, ratio in ratios.items() if ratio > LINEAR_LIMIT]
    if slow:
        print(f"\nabove {LINEAR_LIMIT}, time grows faster than the number of sessions: {', '.join(slow)}"
              + ('' if repeat > 2 else ' (few runs are noisy; try --repeat 3)'))


def print_in_process(times: dict[str, list[float]], loops: int) -> None:
    print(f"2. One summary in-process: {loops} rounds, interleaved, after one untimed call")
    print()
    print(f"{'per session (or document)':<46}{'median ms':>11}{'min ms':>9}")
    rows = [("bare fpdf2 page (one page, DejaVu Sans)", "bare fpdf2 page"),
            ("bare fpdf2 document (same pages and lines)", "bare fpdf2 document"),
            ("evaluate + view + json.dumps of the view", "json.dumps of the view")]
    rows += [(f"summarize(..., {fmt!r})", fmt) for fmt in FORMATS]
    rows += [("Store.load + stored_questionnaire", "load + stored_questionnaire"),
             ("write_private of the PDF (fsync, rename)", "write_private (the PDF)")]
    for label, name in rows:
        print(f"{label:<46}{median_ms(times[name]):>11.3f}{min(times[name]) * 1e3:>9.3f}")
    ratio = statistics.median(times["pdf"]) / statistics.median(times["bare fpdf2 document"])
    paired = statistics.median(p / b for p, b in zip(times["pdf"], times["bare fpdf2 document"], strict=True))
    verdict = "within" if ratio <= PDF_AIM else "NOT within"
    print(f"\nsummary PDF / bare document of the same pages: median {ratio:.2f}, median of paired calls "
          f"{paired:.2f}  (goal: at most {PDF_AIM:g}x; {verdict})")
    floor = statistics.median(times["json.dumps of the view"])
    print("text, Markdown and HTML beside json.dumps of the same view (evaluation and view included in both): "
          + ", ".join(f"{fmt} {statistics.median(times[fmt]) / floor:.2f}x" for fmt in ("text", "markdown", "html")))
    if ratio > PDF_AIM:
        print(f"profile it with:  {sys.executable} {Path(__file__).name} --sessions 10 --profile")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000, help="sessions in the data directory (default 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command (default 1)")
    parser.add_argument("--loops", type=int, default=20, help="rounds of the in-process calls (default 20)")
    parser.add_argument("--profile", action="store_true", help="also profile the PDF renderer in-process")
    parser.add_argument("--top", type=int, default=25, help="functions shown by --profile (default 25)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the temporary files go; fsync costs depend on the file system "
                             "(default: the system's temporary directory)")
    args = parser.parse_args()
    if args.sessions < 2 or args.repeat < 1 or args.loops < 1 or args.top < 1:
        parser.error("--sessions must be at least 2, --repeat, --loops and --top at least 1")
    return args


def main() -> None:
    args = parse_args()
    questionnaire, session = completed_session()
    with tempfile.TemporaryDirectory(prefix="ketascreen-bench-", dir=args.dir) as directory:
        work = Path(directory)
        store = Store(work / "sessions")
        ids = save_copies(store, session, args.sessions)
        print_setup(session, store.directory, ids, summarize(questionnaire, session, "pdf", WHEN))
        print()
        in_process = time_calls(in_process_calls(questionnaire, session, store, work), args.loops)
        times = time_commands(command_runs(ids), store.directory, work, args.repeat)
        identical = {fmt: same_output(work, fmt, ids[0], args.repeat) for fmt in FORMATS}
        print_commands(ids, times, in_process, args.repeat, identical)
        print()
        print_in_process(in_process, args.loops)
        if args.profile:
            print(f"\nsummarize(..., 'pdf') under cProfile, {args.loops} calls, by cumulative time:")
            print(profile_pdf(questionnaire, session, args.loops, args.top))


if __name__ == "__main__":
    main()
