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


def read_text_input(path) -> str:
    """Read a UTF-8 input file, or raise InputError naming the file and the line of the first byte
    that is not UTF-8 (plans saved as GBK by office software are common)."""
    from pathlib import Path

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.single(str(path), None, f"无法读取文件：{exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError.single(str(path), line, "文件不是 UTF-8 编码（可能是 GBK），请另存为 UTF-8 后再导入") from exc
