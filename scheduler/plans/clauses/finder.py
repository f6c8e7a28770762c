"""Find responsibility clauses in a paragraph and read them (the public entry points).

Plans close each task with a bracketed clause naming who leads (牵头), who cooperates (配合) and
who carries the work out (负责落实), in any bracket （） () 〔〕 ［］ 【】. OCR text damages the
brackets ("［" read as "工", "］" as "J"), so the scanner accepts those too. Parsing is pure and
never raises: a paragraph without a readable clause gives None or an empty Clause, and the
importer reports it.
"""

from __future__ import annotations

from scheduler.plans.clauses.grammar import read_clause, read_tokens
from scheduler.plans.clauses.model import Clause
from scheduler.plans.clauses.names import clean_name
from scheduler.plans.clauses.roles import RESPONSIBLE, TRIGGER_WORDS, UNIT_ENDINGS, simplified
from scheduler.plans.clauses.tokens import (
    PROTECTED_NAMES,
    join_lines,
    protected_sorted,
    tokenize,
)
from scheduler.text import squeeze

OPENERS = "（([［【〔"
NESTED_OPEN = "（("
NESTED_CLOSE = "）)"
CLOSERS = "）)]］】〕"
OCR_CLOSERS = "Jj"  # "］" read by OCR as a Latin letter; only accepted at the end of a paragraph
OCR_OPENER = "工责任单位"  # "［责任单位" with "［" read as "工"
ROLE_WORDS = TRIGGER_WORDS
_TRAILING = "。；;，, "
_SQUARE_OPEN = "[［【〔"
# The last character of a unit's name: 局 委 办 政府 管委会 单位 部门 支队 公司 中心 各街道 …
UNIT_LAST = UNIT_ENDINGS + "区县市镇乡街道位门厂班"


def split_units(text: str, protected: tuple[str, ...] = PROTECTED_NAMES) -> list[str]:
    """Split a run of unit names on 、，, without breaking bracketed or protected names."""
    order = protected_sorted(protected)
    names: list[str] = []
    for token in tokenize(squeeze(text), order):
        if token.kind == "name":
            name, _ = clean_name(token.text, order)
            if name and name not in names:
                names.append(name)
    return names


def _strip_brackets(text: str) -> str:
    """Drop the clause's own brackets (or their OCR stand-ins)."""
    s = join_lines(text)
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
        if not isinstance(text, str):
            return Clause()
        body = _strip_brackets(text)
        if not body or not any(word in simplified(body) for word in TRIGGER_WORDS):
            return Clause()
        return read_clause(body, protected_sorted(protected))
    except Exception:  # a clause we cannot read goes to a person, never crashes an import
        return Clause()


def parse_cell_clause(text: str, column_role: str | None = RESPONSIBLE,
                      protected: tuple[str, ...] = PROTECTED_NAMES) -> Clause:
    """Read one table cell whole: names without a role word take the column's role.

    `column_role` is "lead", "cooperating", "responsible" or "persons" (the column's header);
    a cell such as "市工信局牵头，市发改委配合" under any column gives each name its own role,
    and a line break between two complete names separates them.
    """
    try:
        if not isinstance(text, str):
            return Clause()
        body = join_lines(text, persons=column_role == "persons").strip(_TRAILING)
        if not body:
            return Clause()
        order = protected_sorted(protected)
        if column_role == "persons":
            return read_tokens(tokenize(body, order), order, "persons")
        return read_clause(body, order, column_role or RESPONSIBLE)
    except Exception:
        return Clause()


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
            elif ch in _SQUARE_OPEN and depth == 0 and any(
                    w in simplified(s[j:j + 12]) for w in ROLE_WORDS):
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
            if closed and any(w in simplified(inner) for w in ROLE_WORDS):
                clause = parse_clause(inner)
                if not clause.is_empty() and _names_a_unit(clause):
                    found = (inner, clause, start, end)
        return found
    except Exception:
        return None


def _names_a_unit(clause: Clause) -> bool:
    """Tell whether a bracket's names look like units ("（落实河长制）" names none)."""
    names = clause.lead_units + clause.cooperating_units + clause.responsible_units
    return any(name.rstrip("）)")[-1:] in UNIT_LAST for name in names if name)


def unclosed_clause_starts(paragraph: str) -> list[int]:
    """Return where clauses open but never close, even before a later closed clause, so that an
    OCR paragraph that ran into the next one is reported rather than silently merged."""
    try:
        return [start for start, end, closed in _scan_groups(paragraph)
                if not closed and any(w in simplified(paragraph[start:end]) for w in ROLE_WORDS)]
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
    if s[:1] in _SQUARE_OPEN and s[-1:] in "）)" or s[:1] in "（(" and s[-1:] in "]］】〕":
        notes.append("原文责任条款括号不配对，已按条款读取")
    return notes
