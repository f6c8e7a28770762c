"""Read responsibility clauses (责任条款) such as "（市发展改革委牵头，市工信局配合，各县、区人民政府负责落实）".

Plans close each task with a bracketed clause naming who leads (牵头), who cooperates (配合) and
who carries the work out (负责落实). OCR text damages the brackets ("［" read as "工", "］" as
"J"), so the scanner accepts those too. Parsing is pure and never raises: a paragraph without a
readable clause gives None or an empty Clause, and the importer reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.text import squeeze

# Names that contain a list separator but name one group of units; never split them.
PROTECTED_NAMES: tuple[str, ...] = (
    "长治高新区、经开区管委会",
    "各县、区人民政府",
    "县、区人民政府",
)

OPENERS = "（([［【"
NESTED_OPEN = "（("
NESTED_CLOSE = "）)"
CLOSERS = "）)]］】"
OCR_CLOSERS = "Jj"  # "］" read by OCR as a Latin letter; only accepted at the end of a paragraph
OCR_OPENER = "工责任单位"  # "［责任单位" with "［" read as "工"
ROLE_WORDS = ("牵头", "配合", "负责", "责任单位")
_TRAILING = "。；;，, "
_LATER = re.compile(r"以下各项任务[^，,。]*?均需(?P<units>.+?)负责落实[，,]?不再列出")
_LEAD_SUFFIX = re.compile(r"(?:按职责分工|按职责|分别)*(?:牵头|分别负责|负责)$")
_COOP_SUFFIX = re.compile(r"配合$")
_RESP_SUFFIX = re.compile(r"负责落实$")
_TAG = re.compile(r"^(?:责任单位|牵头单位|责任部门)[:：]")
_QUALIFIER = re.compile(r"(?:按职责分工|按职责|分别)+$")
_GROUP_TAIL = re.compile(r"等(?:相关)?单位$")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Clause:
    """Who leads, cooperates and carries out one task, names as written (whitespace removed)."""

    lead_units: tuple[str, ...] = ()
    cooperating_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    applies_to_later_tasks: bool = False  # "以下各项任务……均需……负责落实，不再列出"

    def to_json(self) -> dict[str, object]:
        """Return the clause as a JSON object."""
        return {
            "lead_units": list(self.lead_units),
            "cooperating_units": list(self.cooperating_units),
            "responsible_units": list(self.responsible_units),
            "applies_to_later_tasks": self.applies_to_later_tasks,
        }

    def is_empty(self) -> bool:
        """Tell whether the clause names no unit at all."""
        return not (self.lead_units or self.cooperating_units or self.responsible_units)


def _top_level_split(text: str, separators: str, protected: tuple[str, ...]) -> list[str]:
    """Split on separators outside brackets and outside protected multi-part names."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        if depth == 0:
            hit = next((p for p in protected if text.startswith(p, i)), None)
            if hit:
                i += len(hit)
                continue
        ch = text[i]
        if ch in NESTED_OPEN:
            depth += 1
        elif ch in NESTED_CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p for p in parts if p]


def split_units(text: str, protected: tuple[str, ...] = PROTECTED_NAMES) -> list[str]:
    """Split a run of unit names on 、，, without breaking bracketed or protected names."""
    names = []
    for part in _top_level_split(squeeze(text), "、，,", _sorted(protected)):
        part = _GROUP_TAIL.sub("", part).strip(_TRAILING)
        if _HAN.search(part):  # "……" or stray OCR marks are not unit names
            names.append(part)
    return names


def _sorted(protected: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(protected) | set(PROTECTED_NAMES), key=len, reverse=True))


def _add(target: list[str], names: list[str]) -> None:
    for name in names:
        if name not in target:
            target.append(name)


def _strip_brackets(text: str) -> str:
    """Drop the clause's own brackets (or their OCR stand-ins) and a leading 责任单位： tag."""
    s = squeeze(text)
    if s.startswith(OCR_OPENER):
        s = s[1:]
    elif s[:1] in OPENERS:
        s = s[1:]
    if s[-1:] in CLOSERS or s[-1:] in OCR_CLOSERS:
        s = s[:-1]
    return s.strip(_TRAILING)


def parse_clause(text: str, protected: tuple[str, ...] = PROTECTED_NAMES) -> Clause:
    """Read one clause (with or without its brackets); return an empty Clause for other text."""
    try:
        return _parse(text if isinstance(text, str) else "", _sorted(protected))
    except Exception:  # a clause we cannot read goes to a person, never crashes an import
        return Clause()


def _parse(text: str, protected: tuple[str, ...]) -> Clause:
    body = _strip_brackets(text)
    if not body or not any(word in body for word in ROLE_WORDS):
        return Clause()
    lead: list[str] = []
    coop: list[str] = []
    resp: list[str] = []
    later = _LATER.search(body)
    if later:
        _add(resp, split_units(later["units"], protected))
        body = (body[:later.start()] + body[later.end():]).strip(_TRAILING)
    tagged = _TAG.match(body)
    if tagged:  # "［责任单位：市生态环境局、市工信局，各县（市、区）人民政府］": all are responsible
        names = split_units(body[tagged.end():], protected)
        return Clause(responsible_units=tuple(_merge(names, resp)),
                      applies_to_later_tasks=bool(later))
    pending: list[str] = []
    for segment in _top_level_split(body, "，,；;。", protected):
        segment = segment.strip(_TRAILING)
        if _RESP_SUFFIX.search(segment):
            _add(resp, pending + split_units(_RESP_SUFFIX.sub("", segment), protected))
        elif _COOP_SUFFIX.search(segment):
            _add(coop, pending + split_units(_COOP_SUFFIX.sub("", segment), protected))
        elif _LEAD_SUFFIX.search(segment):
            _add(lead, pending + split_units(_LEAD_SUFFIX.sub("", segment), protected))
        else:  # "各县、区人民政府，长治高新区、经开区管委会负责落实": names wait for their role
            pending.extend(split_units(_QUALIFIER.sub("", segment), protected))
            continue
        pending = []
    if pending:  # names without any role word: treat them as responsible rather than drop them
        _add(resp, pending)
    lead = [_QUALIFIER.sub("", n) for n in lead]
    return Clause(tuple(lead), tuple(coop), tuple(_merge(resp, [])),
                  applies_to_later_tasks=bool(later))


def _merge(first: list[str], second: list[str]) -> list[str]:
    out: list[str] = []
    _add(out, first)
    _add(out, second)
    return out


def _scan_groups(s: str) -> list[tuple[int, int, bool]]:
    """Return the top-level bracketed groups of s as (start, end, closed), end exclusive."""
    groups: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(s):
        if not (s[i] in OPENERS or s.startswith(OCR_OPENER, i)):
            i += 1
            continue
        depth = 0
        j = i + 1
        end = None
        while j < len(s):
            ch = s[j]
            if ch in NESTED_OPEN:
                depth += 1
            elif depth > 0 and ch in NESTED_CLOSE:
                depth -= 1
            elif depth == 0 and ch in CLOSERS:
                end = j + 1
                break
            elif depth == 0 and ch in OCR_CLOSERS and not s[j + 1:].strip(_TRAILING):
                end = j + 1
                break
            elif ch in "[［【" and depth == 0 and any(w in s[j:j + 12] for w in ROLE_WORDS):
                break  # a new clause opens before this group closed: this one is unclosed
            j += 1
        if end is None:
            groups.append((i, j, False))
            i += 1  # look inside: a later, closed clause must still be found
            continue
        groups.append((i, end, True))
        i = end
    return groups


def find_clause(paragraph: str) -> tuple[str, Clause, int, int] | None:
    """Find the responsibility clause of a paragraph (the last bracketed group naming roles).

    Returns the clause text as written and its span in `paragraph`; None when there is no closed
    clause (see `unclosed_clause_start` for a clause whose closing bracket is missing).
    """
    try:
        found = None
        for start, end, closed in _scan_groups(paragraph):
            inner = paragraph[start:end]
            if closed and any(w in inner for w in ROLE_WORDS):
                clause = parse_clause(inner)
                if not clause.is_empty():
                    found = (inner, clause, start, end)
        return found
    except Exception:
        return None


def unclosed_clause_starts(paragraph: str) -> list[int]:
    """Return where clauses open but never close, even before a later closed clause, so that an
    OCR paragraph that ran into the next one is reported rather than silently merged."""
    try:
        return [start for start, end, closed in _scan_groups(paragraph)
                if not closed and any(w in paragraph[start:end] for w in ROLE_WORDS)]
    except Exception:
        return []


def unclosed_clause_start(paragraph: str) -> int | None:
    """Return where a clause opens but never closes ("[市工信局牵头，… 负责落实"), else None."""
    if find_clause(paragraph):
        return None
    starts = unclosed_clause_starts(paragraph)
    return starts[0] if starts else None


def clause_repairs(clause_text: str) -> list[str]:
    """Describe the OCR bracket repairs a clause needed, for the task's notes."""
    s = squeeze(clause_text)
    notes = []
    if s.startswith(OCR_OPENER):
        notes.append("OCR修复：责任条款开括号“［”被识别为“工”")
    if s[-1:] in OCR_CLOSERS:
        notes.append(f"OCR修复：责任条款闭括号被识别为“{s[-1]}”")
    if s[:1] in "[［【" and s[-1:] in "）)" or s[:1] in "（(" and s[-1:] in "]］】":
        notes.append("原文责任条款括号不配对，已按条款读取")
    return notes
