"""Clean one unit name out of a clause: drop function words, open-list tails and punctuation.

The guarantee everything downstream relies on: a cleaned name holds no role word and no
punctuation outside its own brackets, its brackets balance, and it has at least two characters
with a Chinese one among them. Anything that cannot meet it is dropped, never passed on.
"""

from __future__ import annotations

import re

from scheduler.plans.clauses.roles import (
    HAN,
    LEADING_NOISE,
    NAME_CHARS,
    NOT_A_NAME,
    OPEN_TAIL,
    OPEN_WHOLE,
    QUALIFIERS,
    ROLE_WORDS,
    TRAILING_NOISE,
)

# The last character of a two-character unit name (各区, 市委, 县府 …).
SHORT_ENDINGS = "局委办府会队司院所站部处厅室组社团区县市镇乡街"
_ROLE_GROUP = re.compile(r"[（(][^（()）]*[）)]")


def clean_name(raw: str, protected: tuple[str, ...] = ()) -> tuple[str, bool]:
    """Return (name, open): the cleaned name ("" when nothing is left) and whether it ended an
    open list ("交通局等", "相关部门")."""
    if raw in protected:
        return raw, False
    name = _sanitize(raw, protected)
    previous = None
    opened = False
    while name != previous:  # "由市公安局等部门按职责分工" peels in several rounds
        previous = name
        name = LEADING_NOISE.sub("", name)
        name = QUALIFIERS.sub("", name)
        name = TRAILING_NOISE.sub("", name)
        tail = OPEN_TAIL.search(name)
        if tail:  # "等有关单位" alone (after a 、) closes the list before it and names no unit
            name, opened = name[:tail.start()], True
    if NOT_A_NAME.search(name):
        return "", opened
    if OPEN_WHOLE.match(name):
        return "", True
    name = name.strip("、")
    if len(name) < 2 or not HAN.search(name):
        return "", opened
    if len(name) == 2 and name[-1] not in SHORT_ENDINGS:  # "区政", a name cut off by the page
        return "", opened
    return name, opened


def _sanitize(raw: str, protected: tuple[str, ...]) -> str:
    """Drop role words, punctuation and unbalanced brackets from a name."""
    name = raw
    if any(word in name for word in ROLE_WORDS):
        name = _ROLE_GROUP.sub(lambda m: "" if any(w in m.group(0) for w in ROLE_WORDS)
                               else m.group(0), name)
        for word in ROLE_WORDS:
            name = name.replace(word, "")
    name = "".join(_inside_commas(name))
    name = "".join(ch for ch in name if NAME_CHARS.match(ch))
    name = _balance(name)
    name = _ROLE_GROUP.sub(lambda m: m.group(0) if HAN.search(m.group(0)) else "", name)
    return _outer_list_marks_removed(name, protected)


def _inside_commas(name: str) -> list[str]:
    """Turn commas inside a name's brackets into 、 ("各县（市，区）政府")."""
    out = []
    depth = 0
    for ch in name:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        out.append("、" if depth and ch in "，," else ch)
    return out


def _balance(name: str) -> str:
    """Drop brackets that do not pair up."""
    keep = [True] * len(name)
    stack: list[int] = []
    for i, ch in enumerate(name):
        if ch in "（(":
            stack.append(i)
        elif ch in "）)":
            if stack:
                stack.pop()
            else:
                keep[i] = False
    for i in stack:
        keep[i] = False
    return "".join(ch for ch, k in zip(name, keep, strict=True) if k)


def _outer_list_marks_removed(name: str, protected: tuple[str, ...] = ()) -> str:
    """Drop a 、 outside brackets (it would read as two names) unless a protected name holds it."""
    kept = {i for p in protected if "、" in p for start in _occurrences(name, p)
            for i in range(start, start + len(p))}
    out = []
    depth = 0
    for i, ch in enumerate(name):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        if ch == "、" and depth == 0 and i not in kept:
            continue
        out.append(ch)
    return "".join(out)


def _occurrences(text: str, part: str) -> list[int]:
    found = []
    start = text.find(part)
    while start >= 0:
        found.append(start)
        start = text.find(part, start + 1)
    return found


def clean_person(raw: str) -> str:
    """Clean a person's name as written ("张三（副市长）"), or "" when nothing is left."""
    name = _balance("".join(ch for ch in raw if NAME_CHARS.match(ch)))
    name = _outer_list_marks_removed(name)
    return name if HAN.search(name) and len(name) >= 2 else ""
