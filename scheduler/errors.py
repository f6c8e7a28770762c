"""The documented error types: every bad input surfaces as one of these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One problem in one input, located by file and line so a person can fix it."""

    file: str
    line: int | None
    message: str
    where: str = ""  # dotted path inside the file, e.g. tasks.3.deadline_text

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"


@dataclass
class InputError(Exception):
    """Raised when an input file (ledger, rules, config, template, upload) is invalid."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(cls, file: str, line: int | None, message: str, where: str = "") -> InputError:
        return cls([Problem(file, line, message, where)])
