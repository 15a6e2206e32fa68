"""One exception tree and the exit codes the command line returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    PROBLEM = 1  # something found or refused: problems in a file, a session that cannot be read, no more input
    USAGE = 2
    INTERNAL = 70  # a fault of ours (sysexits EX_SOFTWARE), never to be read as "problems found"
    HANGUP = 129  # 128 + SIGHUP: the terminal closed; every confirmed answer is saved
    INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C
    TERMINATED = 143  # 128 + SIGTERM


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file, at a 1-based line and column (0 when there is no position)."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        if self.line:
            return f"{self.file}:{self.line}:{self.column}: {message}"
        return f"{self.file}: {message}"


class KetascreenError(Exception):
    """Something the user can act on; the CLI prints the message, never a traceback."""

    exit_status = ExitStatus.PROBLEM


class UsageError(KetascreenError):
    exit_status = ExitStatus.USAGE


class ProblemsError(KetascreenError):
    """A file that cannot be used; carries every problem found, each printed on its own line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class QuestionnaireError(ProblemsError):
    pass


class QuestionnaireNotFound(KetascreenError):
    pass


class Stopped(KetascreenError):
    """An interview that ended before it was completed, with every confirmed answer saved.

    ``lines`` are said last (the urgent flags raised so far), after the message itself."""

    def __init__(self, message: str, exit_status: ExitStatus, lines: tuple[str, ...] = ()):
        super().__init__(message)
        self.exit_status = exit_status
        self.lines = lines


class NoMoreInput(Stopped):
    """Standard input ended where an answer was awaited."""

    def __init__(self, message: str = "ended: no more input", lines: tuple[str, ...] = ()):
        super().__init__(message, ExitStatus.PROBLEM, lines)


class Interrupted(Stopped):
    """Ctrl-C, or SIGTERM / SIGHUP (the exit status says which)."""

    def __init__(self, message: str = "interrupted", exit_status: ExitStatus = ExitStatus.INTERRUPTED,
                 lines: tuple[str, ...] = ()):
        super().__init__(message, exit_status, lines)
