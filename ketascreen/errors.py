"""One exception tree and the exit codes the command line returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    PROBLEM = 1
    USAGE = 2
    INTERRUPTED = 130


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
