"""Adversarial tests: what a clinic will do to ketascreen by accident. Each records its figures,
printed under "figures" at the end of the run."""

from __future__ import annotations

import functools
import json
import random
import re
import shutil
import subprocess
import time
import tracemalloc
from pathlib import Path

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ketascreen_executable, kill_now, run_installed, spawn_installed
from ketascreen import answering as rules
from ketascreen.errors import Problem
from ketascreen.loading.load import BUNDLED_DIR, check_file, check_text, load_questionnaire
from ketascreen.loading.yamlread import YamlProblem, parse
from ketascreen.store import StoreError, read_session

SOURCES = [BUNDLED_DIR / "ketamine-pretreatment.yaml", *sorted((EXAMPLES / "valid").glob("*.yaml")),
           *sorted((EXAMPLES / "invalid").glob("*.yaml")), *sorted((EXAMPLES / "warnings").glob("*.yaml"))]
REPLACEMENTS = ["true", "12", "-3.5", "[1, 2]", "{a: 1}", "''", "null", "no", "2024-01-01", "!!str x", "*nothing", "&a x"]


def mutants(text: str, rng: random.Random, budget: int) -> list[tuple[str, bytes]]:
    """Single-line mutations: deleted, duplicated, re-indented, tab-indented, value replaced, key
    misspelt, a byte that is not UTF-8."""
    lines = text.split("\n")
    found: list[tuple[str, bytes]] = []
    for _ in range(budget):
        i = rng.randrange(len(lines))
        kind = rng.choice(["delete", "duplicate", "indent", "dedent", "tab", "value", "key", "bytes"])
        changed = list(lines)
        line = changed[i]
        if kind == "delete":
            del changed[i]
        elif kind == "duplicate":
            changed.insert(i, line)
        elif kind == "indent":
            changed[i] = "  " + line
        elif kind == "dedent":
            changed[i] = line[2:] if line.startswith("  ") else line
        elif kind == "tab":
            changed[i] = "\t" + line.lstrip(" ")
        elif kind == "value" and ": " in line:
            key = line.split(": ", 1)[0]
            changed[i] = f"{key}: {rng.choice(REPLACEMENTS)}"
        elif kind == "key" and re.search(r"[a-z]{3,}:", line):
            match = re.search(r"([a-z_]{3,}):", line)
            word = match.group(1)
            j = rng.randrange(len(word) - 1)
            swapped = word[:j] + word[j + 1] + word[j] + word[j + 2:]
            changed[i] = line[:match.start(1)] + swapped + line[match.end(1):]
        if kind == "bytes":
            data = "\n".join(changed).encode("utf-8")
            cut = sum(len(x) + 1 for x in lines[:i])
            found.append((kind, data[:cut] + b"\xff\xfe" + data[cut:]))
        else:
            found.append((kind, "\n".join(changed).encode("utf-8")))
    return found


def test_mutated_questionnaires_never_crash_and_always_say_where(tmp_path: Path, figure) -> None:
    rng = random.Random(20261129)
    tried = tracebacks = without_line = rejected = 0
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        budget = 150 if source.parent == BUNDLED_DIR else 25
        for _kind, content in mutants(text, rng, budget):
            path = tmp_path / f"mutant-{tried}.yaml"
            path.write_bytes(content)
            tried += 1
            try:
                questionnaire, problems = check_file(path)
            except Exception:  # noqa: BLE001 - counting, not hiding: the assertion below fails on any
                tracebacks += 1
                continue
            finally:
                path.unlink()
            if questionnaire is None:
                rejected += 1
                without_line += sum(1 for p in problems if p.line < 1 and "is empty" not in p.message)
    figure("questionnaire mutants tried", tried)
    figure("questionnaire mutants rejected", rejected)
    figure("questionnaire mutants: tracebacks", tracebacks)
    figure("questionnaire mutants: rejections without a line", without_line)
    assert tried > 500 and rejected > tried // 3
    assert tracebacks == 0 and without_line == 0


YAML_BITS = st.sampled_from(["format: 1", "id: x", "title: T", "version: '1'", "sections:", "  - id: s",
                             "    title: S", "    questions:", "      - {id: a, type: yes_no, text: A?}",
                             "      - id: b", "        type: integer", "        when: {question: a, equals: true}",
                             "flags:", "  - {id: f, severity: urgent, label: L, explanation: E, source: S, when: {question: b, above: 3}}",
                             "scores: []", "- x", "[", "]", "{", "}", ": :", "&a [*a]", "!!python/name:os.system",
                             "\t", "\x00", "   ", "#", "---", "...", "key: value", "\u202e", "é: ü"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAML_BITS, max_size=25))
def test_any_text_is_checked_without_a_crash(bits: list[str]) -> None:
    questionnaire, problems = check_text("\n".join(bits), "generated.yaml")
    assert questionnaire is not None or problems
    assert all(isinstance(p, Problem) and "\n" not in p.message for p in problems)


def test_alias_bomb_and_huge_file_are_refused_quickly_in_bounded_memory(tmp_path: Path, figure) -> None:
    bomb = "a: &a [" + ",".join(['"lol"'] * 9) + "]\n"
    previous = "a"
    for name in "bcdefghij":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as stream:
        line = b"- {id: q, type: yes_no, text: a long line of text for a large file}\n"
        stream.write(line * (50 * 1024 * 1024 // len(line) + 1))
    for name, run in (("alias bomb", lambda: parse(bomb)), ("50 MB file", lambda: check_file(huge))):
        tracemalloc.start()
        started = time.perf_counter()
        try:
            outcome = run()
        except YamlProblem as problem:
            outcome = (None, [problem])
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figure(f"{name}: refused in", f"{elapsed * 1000:.0f} ms, peak {peak / 1024 / 1024:.1f} MB traced")
        assert outcome[0] is None
        assert peak < 40 * 1024 * 1024  # bounded: far less than the file


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_typed_answers_never_crash(typed: str) -> None:
    for question in _every_question():
        try:
            rules.parse_typed(question, typed)
        except rules.InvalidAnswer:
            pass


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                       max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_answers_file_values_never_crash(value: object) -> None:
    for question in _every_question():
        try:
            rules.check_value(question, value)
        except rules.InvalidAnswer:
            pass


def _every_question():  # type: ignore[no-untyped-def]
    if not hasattr(_every_question, "cache"):
        questions = list(load_questionnaire("ketamine-pretreatment").questions)
        questions += list(load_questionnaire(str(EXAMPLES / "valid" / "every-type.yaml")).questions)
        _every_question.cache = questions  # type: ignore[attr-defined]
    return _every_question.cache  # type: ignore[attr-defined]


def test_nasty_input_at_every_prompt_type(figure) -> None:
    nasty = ["", " ", "\x00", "\x1b[31m", "\x1b]0;title\x07", "[bold red]x[/bold red]", "<script>", "=1+1",
             "9" * 100_000, "é" * 1000, "\u202e", "1e309", "-0", "NaN", "inf", "0x10", "1_000", "٣", "²",
             "29/02/2025", "0000-00-00", "y" * 5000, "u", "d", "?", "b", "q"]
    tried = crashes = 0
    for question in _every_question():
        for typed in nasty:
            tried += 1
            try:
                rules.parse_typed(question, typed)
            except rules.InvalidAnswer:
                pass
            except Exception:  # noqa: BLE001 - counted and asserted below
                crashes += 1
    figure("typed answers tried (a fixed list at every question; hypothesis adds 700 more)", tried)
    figure("typed answers: crashes", crashes)
    assert crashes == 0


def spawn(data: Path, *args: str) -> pexpect.spawn:
    return spawn_installed(*args, env={"NO_COLOR": "1", "KETASCREEN_DATA_DIR": str(data)}, dimensions=(40, 120))


def test_hostile_input_at_a_real_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "run", "--patient", "P", "--staff", "S")
    child.expect("Question 1 of")
    for typed in ["\x1b[2J\x1b[31mred", "[bold]150[/bold]", "9" * 4000, "1e3"]:
        child.sendline(typed)
        child.expect("Not accepted")
    child.sendline("150")
    child.expect("Saved: 150 mmHg")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_hostile_questionnaire_text_shows_literally_at_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text((EXAMPLES / "valid" / "minimal.yaml").read_text().replace(
        "text: Do you agree to answer some questions?", 'text: "[bold red]Agree?[/bold red] \\e[2J<b>x</b>"'))
    child = spawn(tmp_path / "d", "run", str(path), "--patient", "P", "--staff", "S")
    child.expect("Question 1 of")
    child.expect_exact("[bold red]Agree?[/bold red] \\x1b[2J<b>x</b>")
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert "\x1b[2J" not in child.before


def _next_answer(confirmed: list[object]) -> tuple[str, object]:
    """The three vital signs, then unknown for every question after them."""
    return [("120", 120), ("80", 80), ("70", 70)][len(confirmed)] if len(confirmed) < 3 else ("u", None)


def test_fifty_random_kills_lose_no_confirmed_answer(tmp_path: Path, figure) -> None:
    """Kill -9 at a random moment while an answer is being handled, fifty times; each time every
    answer whose "Saved:" appeared must be in the file, and the session must resume."""
    rng = random.Random(4711)
    data = tmp_path / "data"
    runs = lost = failed_resumes = sessions = 0
    session_id: str | None = None
    confirmed: list[object] = []
    for _ in range(50):
        runs += 1
        if session_id is None:
            child = spawn(data, "run", "--patient", "P", "--staff", "S")
            sessions += 1
        else:
            child = spawn(data, "resume", session_id)
        try:
            found = child.expect([r"Question (\d+) of", "Review: every answer"])
        except pexpect.ExceptionPexpect:
            failed_resumes += 1
            child.close(force=True)
            continue
        if found == 1:  # every question answered: this session is done, start another
            child.close(force=True)
            session_id, confirmed = None, []
            continue

        for _ in range(rng.randint(0, 3)):
            typed, value = _next_answer(confirmed)
            child.sendline(typed)
            if child.expect(["Saved:", "Review: every answer"]) == 1:
                break
            confirmed.append(value)
        typed, value = _next_answer(confirmed)
        child.sendline(typed)  # the kill lands somewhere in handling this one
        time.sleep(rng.random() * 0.03)
        kill_now(child)
        if session_id is None:
            session_id = max(data.glob("*.json"), key=lambda p: p.stat().st_mtime_ns).stem
        session = json.loads((data / f"{session_id}.json").read_text())  # never torn
        saved = list(session["answers"].values())
        if len(saved) > len(confirmed):
            confirmed.append(value)  # it was saved before the kill
        lost += sum(1 for index, expected in enumerate(confirmed)
                    if index >= len(saved) or saved[index].get("value") != expected)
    figure("kill -9 runs", runs)
    figure("kill -9: sessions used", sessions)
    figure("kill -9: confirmed answers lost", lost)
    figure("kill -9: sessions that failed to resume", failed_resumes)
    assert runs == 50 and lost == 0 and failed_resumes == 0


def test_damaged_session_files_are_refused_and_left_byte_for_byte(tmp_path: Path, cli, figure) -> None:
    """Every damaged variant is resumed in this process (the same main() the console script calls);
    a few are resumed by the installed program too, which must answer exactly the same."""
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "several-flags.yaml"), "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    [path] = list(tmp_path.glob("*.json"))
    original = path.read_bytes()
    assert b'"format_version":2' in original
    variants = [original[:cut] for cut in range(0, len(original), max(1, len(original) // 150))]
    variants += [original.replace(b'"format_version":2', b'"format_version":7'), b"", b"\x00" * 64,
                 original.replace(b"ketascreen-session", b"other-tool"), original.replace(b'"answers"', b'"answerz"')]
    spot_checks = {0, len(variants) // 3, 2 * len(variants) // 3, len(variants) - 5, len(variants) - 2}
    refused = checked_by_the_installed_program = 0
    for index, variant in enumerate(variants):
        path.write_bytes(variant)
        try:
            read_session(path)
        except StoreError:
            refused += 1
        result = cli("resume", path.stem, "--data-dir", str(tmp_path))
        assert result.code == 1 and "Traceback" not in result.err and "internal error" not in result.err, result.err
        assert result.err.startswith("ketascreen: ") and path.name in result.err
        assert path.read_bytes() == variant
        if index in spot_checks:
            installed = run_installed("resume", path.stem, "--data-dir", str(tmp_path))
            assert (installed.returncode, installed.stdout, installed.stderr) == (result.code, result.out, result.err)
            assert path.read_bytes() == variant
            checked_by_the_installed_program += 1
    figure("damaged session files tried", len(variants))
    figure("damaged session files refused untouched", refused)
    assert refused == len(variants) and checked_by_the_installed_program == len(spot_checks)


@functools.cache
def _namespace_missing() -> str | None:
    """Why a private mount namespace cannot be made here, or None when it can."""
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux), which is not installed"
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, timeout=60)
    if probe.returncode != 0:
        return f"needs user namespaces and tmpfs mounts in them (unshare -Urm: {probe.stderr.strip() or probe.returncode})"
    return None


@pytest.mark.parametrize("kind", ["read-only", "full"])
def test_read_only_or_full_data_directory_fails_before_the_first_question(tmp_path: Path, kind: str) -> None:
    """A real read-only or full file system, mounted in a private namespace (as root a permission bit
    alone would not stop a write)."""
    missing = _namespace_missing()
    if missing:
        pytest.skip(missing)
    mount = tmp_path / "mnt"
    mount.mkdir()
    options = "size=64k" if kind == "full" else "size=64k"
    remount = f"&& mount -o remount,ro {mount}" if kind == "read-only" else f"&& head -c 60000 /dev/zero > {mount}/filler"
    command = " ".join(ketascreen_executable())
    answers = tmp_path / "answers.yaml"  # without a terminal, the answers come from a file
    answers.write_text("patient: P\nstaff: S\nanswers: {bp_systolic: 120}\n")
    script = (f"mount -t tmpfs -o {options} tmpfs {mount} && mkdir -p {mount}/sessions {remount} && "
              f"{command} run --answers {answers} --data-dir {mount}/sessions </dev/null")
    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Question 1" not in done.stdout
    assert re.search("cannot save sessions|could not save session|cannot use the data directory", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
