from __future__ import annotations

import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from ketascreen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"

# What ketascreen and the libraries it prints with (rich, typer) read from the environment besides
# HOME and the XDG directories: set on a machine, each changes what the program does or prints.
MACHINE_VARIABLES = frozenset({
    "NO_COLOR", "FORCE_COLOR", "PY_COLORS", "CLICOLOR", "CLICOLOR_FORCE", "COLORTERM", "TTY_COMPATIBLE",
    "TTY_INTERACTIVE", "COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "TERMINAL_WIDTH", "UNICODE_VERSION",
    "GITHUB_ACTIONS", "DATABRICKS_RUNTIME_VERSION", "SOURCE_DATE_EPOCH", "APPDATA", "LOCALAPPDATA",
    "PYTHONIOENCODING", "PYTHONWARNINGS",
})
# KETASCREEN_CONFIG, KETASCREEN_DATA_DIR, KETASCREEN_DEBUG and any later one; _KETASCREEN_COMPLETE
# turns every command into shell completion; typer's own switches.
MACHINE_PREFIXES = ("KETASCREEN_", "_KETASCREEN_", "TYPER_", "_TYPER_")
# LC_ALL decides the default paper size (a4 or letter) and overrides LANG and LC_PAPER.
FIXED = {"TZ": "UTC", "TERM": "xterm-256color", "LC_ALL": "C.UTF-8"}
XDG = {"XDG_CONFIG_HOME": ".config", "XDG_DATA_HOME": ".local/share", "XDG_CACHE_HOME": ".cache",
       "XDG_STATE_HOME": ".local/state"}


def _hermetic(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name in MACHINE_VARIABLES or name.startswith(MACHINE_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    for name, relative in XDG.items():
        (home / relative).mkdir(parents=True)
        monkeypatch.setenv(name, str(home / relative))
    for name, value in FIXED.items():
        monkeypatch.setenv(name, value)
    time.tzset()


@pytest.fixture(scope="session", autouse=True)
def hermetic_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same for fixtures shared by the whole session, which are made before any test's own."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _hermetic(monkeypatch, tmp_path_factory.mktemp("session-home"))
        yield


@pytest.fixture(autouse=True)
def hermetic_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs as a user with an empty home of its own and none of the settings of the machine
    it runs on. The home is beside tmp_path, not in it, so that tests can list tmp_path exactly; a test
    that wants one of these variables sets it itself."""
    home = tmp_path_factory.mktemp("home")
    _hermetic(monkeypatch, home)
    return home


def ketascreen_executable() -> list[str]:
    """The installed console script beside this Python, as a user would run it."""
    script = Path(sys.executable).parent / "ketascreen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ketascreen"]


def run_installed(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                  input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed program with this test's environment changed by env. Without input, standard
    input is empty (not whatever pytest was started with, which may be a terminal)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*ketascreen_executable(), *args], capture_output=True, text=True, cwd=cwd, env=full_env,
                          input=input, stdin=subprocess.DEVNULL if input is None else None, timeout=120)


def default_signals() -> None:
    """In a child before it starts: the signals tests send act as on a terminal, whatever this run
    inherited (a run started in the background ignores SIGINT, one under nohup ignores SIGHUP)."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_DFL)


def spawn_installed(*args: str, env: dict[str, str | None] | None = None,
                    dimensions: tuple[int, int] = (24, 80)) -> pexpect.spawn:
    """The installed program at a real pseudo-terminal, with this test's environment changed by env
    (None removes a variable). Keys go to the terminal as soon as they are sent."""
    full_env = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    command, *rest = ketascreen_executable()
    child = pexpect.spawn(command, [*rest, *args], env=full_env, encoding="utf-8", timeout=20,
                          dimensions=dimensions, preexec_fn=default_signals)
    child.delaybeforesend = None
    return child


# The read system call, as /proc/PID/syscall numbers it, where that file is known.
READ_SYSCALL = {"x86_64": "0", "aarch64": "63", "arm64": "63"}.get(platform.machine())


def wait_until_reading(child: pexpect.spawn, timeout: float = 20) -> None:
    """Until the program is blocked reading the terminal. Python acts on a signal that arrives between
    the prompt and that read only once the read returns (after Enter), so Ctrl-C or SIGTERM is sent
    after this. Where /proc cannot tell, a pause instead."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fields = Path(f"/proc/{child.pid}/syscall").read_text().split()
        except OSError:
            fields = []
        if READ_SYSCALL is None or not fields:
            time.sleep(0.2)
            return
        if fields[:2] == [READ_SYSCALL, "0x0"]:  # read(0, ...)
            return
        time.sleep(0.005)
    raise AssertionError(f"the program did not wait for input within {timeout} s: {child.before[-300:]!r}")


def kill_now(child: pexpect.spawn) -> None:
    """kill -9, then wait until the process is gone (no fixed pause needed after that)."""
    child.kill(signal.SIGKILL)
    child.wait()
    assert child.signalstatus == signal.SIGKILL, f"the program had ended already: {child.before[-300:]!r}"
    child.ptyproc.delayafterclose = 0
    child.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A session data directory of the test's own (created by the program when it first saves)."""
    return tmp_path / "sessions"


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the command line in this process: cli("validate", "x.yaml") -> Result(code, out, err)."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(int(code), captured.out, captured.err)

    return run


# Figures that adversarial tests measure (inputs tried, crashes, ...), printed at the end of the run.
# Each is kept with the place of its test in the collected order, so that figures recorded in
# pytest-xdist workers print once, at the end, in the same order as in a run without workers.
FIGURES: list[tuple[int, int, str, str]] = []


@pytest.fixture
def figure(request: pytest.FixtureRequest):
    position = request.session.items.index(request.node)

    def record(name: str, value: object) -> None:
        FIGURES.append((position, len(FIGURES), name, str(value)))

    return record


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: hand the figures to the controller
        workeroutput["figures"] = json.dumps(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    FIGURES.extend(tuple(entry) for entry in json.loads(getattr(node, "workeroutput", {}).get("figures", "[]")))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if FIGURES and not hasattr(config, "workeroutput"):
        terminalreporter.section("figures")
        width = max(len(name) for _, _, name, _ in FIGURES)
        for _, _, name, value in sorted(FIGURES):
            terminalreporter.write_line(f"{name.ljust(width)}  {value}")


# The review shows its answers a page at a time and takes c once every page has been shown.
REVIEW_PROMPTS = ["c confirms and completes", "c confirms once every page"]
PAGE_PROMPT = r"Page \d+ of \d+: Enter for the next"


def confirm_review(child: pexpect.spawn) -> None:
    """Page through the review to its end, then confirm with c."""
    while child.expect(REVIEW_PROMPTS) == 1:
        child.sendline("")
    child.sendline("c")


def find_in_review(child: pexpect.spawn, pattern: str) -> re.Match[str]:
    """Page through the review until a line matches; returns that match, with the page's prompt read."""
    while True:
        if child.expect([pattern, *REVIEW_PROMPTS]) == 0:
            found = child.match
            child.expect(REVIEW_PROMPTS)
            return found
        child.sendline("")
