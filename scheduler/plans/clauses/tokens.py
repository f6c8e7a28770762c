"""Cut clause text into tokens: names, list separators, role markers and keys.

The scan runs at the top level only: separators inside a name's own brackets ("各县（市、区）人民
政府") or inside a protected group name ("各县、区人民政府") do not split it. A bracket holding
only a role word ("市生态环境局（牵头）") is a role marker, not part of the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.plans.clauses.roles import (
    KEY_MARKERS,
    SUFFIX_MARKERS,
    UNIT_ENDINGS,
    simplified,
)
from scheduler.text import squeeze

# Names that contain a list separator but name one group of units; never split them.
PROTECTED_NAMES: tuple[str, ...] = (
    "长治高新区、经开区管委会",
    "各县、区人民政府",
    "县、区人民政府",
)
NESTED_OPEN = "（("
NESTED_CLOSE = "）)"
LIST_SEPARATORS = "、，,"
STOPS = "；;。"
_ROLE_IN_BRACKETS = re.compile(r"[（(]([\u4e00-\u9fff]{2,6})[）)]")


@dataclass(frozen=True)
class Token:
    """One piece of a clause: kind is name, sep (、，,), stop (；。), key or role."""

    kind: str
    text: str
    role: str = ""
    bound: bool = False  # a role in brackets right after one name: "市生态环境局（牵头）"


def protected_sorted(protected: tuple[str, ...]) -> tuple[str, ...]:
    """Return the caller's protected names with the defaults, longest first."""
    return tuple(sorted(set(protected) | set(PROTECTED_NAMES), key=len, reverse=True))


def join_lines(text: str, persons: bool = False) -> str:
    """Remove whitespace, reading a line break between two complete names as a list separator.

    "市生态环\\n境局" is one name broken by the page; "潞城区政府\\n襄垣县政府" two names; in a
    column of persons every line is a name ("张三\\n李四").
    """
    lines = [simplified(squeeze(line)) for line in (text or "").splitlines()]
    originals = [squeeze(line) for line in (text or "").splitlines()]
    out = ""
    for line, original in zip(lines, originals, strict=True):
        if not line:
            continue
        complete = out and (out[-1] in UNIT_ENDINGS or persons and out[-1] not in "（(、，,：:")
        if complete and not _continues(line):
            out += "、"
        out += original
    return out


def _continues(line: str) -> bool:
    """Tell whether a line goes on with the previous one: a role word, a bracket or punctuation."""
    if line[0] in "（(）)、，,；;。：:":
        return True
    # a key first: "牵头单位" starts with the role word "牵头" but opens a new list
    if any(marker.match(line) for marker, _ in KEY_MARKERS):
        return False
    if any(line.startswith(word) for word, _ in SUFFIX_MARKERS):
        return True
    return line[0] in UNIT_ENDINGS or line.startswith(("委员会", "政府", "管委会", "人民政府"))


def _suffix_at(text: str, i: int) -> tuple[str, str] | None:
    for word, role in SUFFIX_MARKERS:
        if text.startswith(word, i):
            return word, role
    return None


def _key_at(text: str, i: int) -> tuple[str, str] | None:
    for marker, role in KEY_MARKERS:
        m = marker.match(text, i)
        if m:
            return m.group(0), role
    return None


def _group_end(text: str, i: int) -> int:
    """Return the index after the bracket group opening at i, or -1 when it never closes."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] in NESTED_OPEN:
            depth += 1
        elif text[j] in NESTED_CLOSE:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def tokenize(text: str, protected: tuple[str, ...]) -> list[Token]:
    """Cut squeezed clause text into tokens; `protected` must be sorted longest first.

    Markers are matched in a simplified view of the text; names keep the text's own script.
    """
    tokens: list[Token] = []
    name = ""
    original, text = text, simplified(text)

    def flush() -> None:
        nonlocal name
        if name:
            tokens.append(Token("name", name))
        name = ""

    i = 0
    while i < len(text):
        hit = next((p for p in protected if text.startswith(p, i)), None)
        if hit:
            name += original[i:i + len(hit)]
            i += len(hit)
            continue
        ch = text[i]
        if ch in NESTED_OPEN:
            end = _group_end(text, i)
            inner = _ROLE_IN_BRACKETS.fullmatch(text[i:end]) if end > 0 else None
            marker = _suffix_at(inner.group(1), 0) if inner else None
            key = _key_at(inner.group(1), 0) if inner else None
            if inner and marker and marker[0] == inner.group(1):
                flush()  # "市生态环境局（牵头）"
                tokens.append(Token("role", marker[0], marker[1], bound=True))
                i = end
                continue
            if inner and key and key[0] == inner.group(1):
                flush()  # "市生态环境局（牵头单位）"
                tokens.append(Token("role", key[0], key[1], bound=True))
                i = end
                continue
            if end < 0:  # an unclosed bracket: drop it and read on
                i += 1
                continue
            name += original[i:end]
            i = end
            continue
        if ch in NESTED_CLOSE:  # a stray closing bracket is noise
            i += 1
            continue
        if text.startswith(("以及", "及"), i) and name and not text.startswith("及时", i):
            flush()  # "州委编办及州直相关单位": 及 joins two names like 、
            tokens.append(Token("sep", "、"))
            i += 2 if text.startswith("以及", i) else 1
            continue
        if ch in LIST_SEPARATORS or ch in STOPS:
            flush()
            tokens.append(Token("stop" if ch in STOPS else "sep", ch))
            i += 1
            continue
        key = _key_at(text, i)
        if key and name and key[0][-1] not in "：:" and key[1] in ("lead", "cooperating"):
            # "各项目牵头单位": the units that lead other items, a reference and not a unit
            name = ""
            i += len(key[0])
            continue
        if key:
            flush()
            tokens.append(Token("key", key[0], key[1]))
            i += len(key[0])
            continue
        marker = _suffix_at(text, i)
        if marker:
            flush()
            tokens.append(Token("role", marker[0], marker[1]))
            i += len(marker[0])
            continue
        name += original[i]
        i += 1
    flush()
    return tokens
