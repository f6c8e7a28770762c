"""Document numbers (发文字号) as GB/T 9704 writes them, 机关代字〔year〕serial号, and who issues them.

Pure: formatting and parsing. Who issues a region's letters is the office's configuration
(config.yaml `issuers:`), read into an `Issuers` value (scheduler.issuers, below the config in the
layer order) that callers pass along; `Issuers.for_region` names the office or says what to add.
Serials restart at 1 each year for each issuer and
never leave gaps; the store allocates them (scheduler.store.letters), since only the database can
make two senders agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.errors import InputError
from scheduler.issuers import Issuer, Issuers, prefix_problem

__all__ = ["DocNumber", "Issuer", "Issuers", "draft_number", "format_number", "next_serial", "parse_number"]

# The standard uses the hexagonal brackets U+3014/U+3015; people also type [], 【】 or （）.
_LOOSE = re.compile(
    r"^\s*(?P<prefix>[^\s\[\]〔〕【】（）()\d]+)\s*"
    r"[〔\[【（(]\s*(?P<year>\d+)\s*[〕\]】）)]"
    r"\s*第?\s*(?P<serial>\d+)\s*号\s*$"
)
_STRICT = re.compile(r"^(?P<prefix>[^\s〔〕\d]+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


@dataclass(frozen=True, order=True)
class DocNumber:
    """One document number; `str()` gives the standard form, e.g. 长大气办函〔2019〕12号."""

    prefix: str  # 机关代字, e.g. 长大气办函
    year: int
    serial: int

    def __post_init__(self) -> None:
        problem = prefix_problem(self.prefix)
        if problem is not None:
            raise ValueError(problem)
        if not 1000 <= self.year <= 9999:
            raise ValueError(f"年份应为四位数：{self.year}")
        if self.serial < 1:
            raise ValueError(f"发文顺序号应为正整数：{self.serial}")

    def __str__(self) -> str:
        return format_number(self.prefix, self.year, self.serial)


def format_number(prefix: str, year: int, serial: int) -> str:
    """Write a document number the standard way: hexagonal brackets, no padding, no 第."""
    return f"{prefix}〔{year}〕{serial}号"


def draft_number(prefix: str, year: int) -> str:
    """Return a document number with the serial left blank for the office to fill in at sign-off."""
    return f"{prefix}〔{year}〕　号"


def parse_number(text: str, *, strict: bool = False, file: str = "<input>",
                 line: int | None = None) -> DocNumber:
    """Read a document number; loose mode accepts the bracket and padding variants people type."""
    match = (_STRICT if strict else _LOOSE).match(text)
    if match is None:
        hint = "应形如 长大气办函〔2019〕12号（六角括号〔〕，序号不编虚位、不加“第”）"
        raise InputError.single(file, line, f"发文字号无法识别：{text!r}，{hint}")
    try:
        return DocNumber(match["prefix"], int(match["year"]), int(match["serial"]))
    except ValueError as exc:
        raise InputError.single(file, line, f"发文字号 {text!r} 无效：{exc}") from None


def next_serial(used: list[int] | tuple[int, ...]) -> int:
    """Return the serial after the highest one used this year (serials never reuse gaps)."""
    return max(used, default=0) + 1
