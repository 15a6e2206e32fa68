"""`ketascreen validate`: every problem in questionnaire files, and the safety lint's warnings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ketascreen.errors import KetascreenError, Problem


@dataclass(frozen=True)
class Checked:
    """One file's outcome: its problems in order, or why it could not be found."""

    name: str
    problems: tuple[Problem, ...] = ()
    not_found: str | None = None

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def failed(self, strict: bool) -> bool:
        return self.not_found is not None or bool(self.errors) or (strict and bool(self.warnings))


def validate(names: list[str]) -> Iterator[Checked]:
    """Each file checked in full (schema, semantic checks, lint), one at a time."""
    from ketascreen.loading.load import check_file, find_questionnaire

    for name in names:
        try:
            path = find_questionnaire(name)
        except KetascreenError as error:
            yield Checked(name, not_found=str(error))
            continue
        _, problems = check_file(path, name, lint=True)
        yield Checked(name, tuple(problems))
