"""Recover seed 003's OCR-scrambled attachment (晋城市 2020-2021 任务清单) as tasks.

The OCR interleaves one row's six cells (类别 | 重点工作 | 主要任务 | 完成时限 | 工程措施 | 责任单位)
across physical lines, repeats the header per page, mixes in page numbers and misreads characters
("宪成"=完成, "底首"=底前, "voes"=VOCs). Two passes recover it:

1. An automatic pass finds row anchors — the 完成时限 values ("2020 年 12 月底前", "长期坚持") —
   gives each anchor the physical lines around it up to its neighbours, and picks the 责任单位
   fragments (runs of unit-like words at the end of a line) into a unit list.
2. A hand-repair overlay (data/repairs/jincheng-2020-attachment.yaml), read by eye from the
   attachment, replaces the fields of each row keyed by its anchor line, drops false anchors and
   adds rows the automatic pass missed. The overlay is validated with file, line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduler.errors import InputError, Problem, read_text_input
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.table_text import tidy
from scheduler.plans.ledger import Task
from scheduler.text import squeeze
from scheduler.yamlsource import LineMap, load_yaml_file, validate

# A 完成时限 cell as the OCR writes it; "底首" is an OCR misreading of "底前".
_DATED = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*底\s*[前首]|\d{4}\s*年\s*\d{1,2}\s*月\s*前")
# Open-ended deadlines count only as a separate word ("全年 淘汰…"), not inside prose ("全年市县…").
_OPEN = re.compile(r"(?:^|(?<=\s))(长期坚持|持续开展|全年)(?=\s|$)")
_HEADER = re.compile(r"^类别\s*重点工作")
_PAGE_NUMBER = re.compile(r"^[-–—\s]*\d{1,3}[-–—\s]*$")
_END = re.compile(r"^抄送")
_TERMINATOR = re.compile(r"[。．]")
# Characters that occur in the table's unit names; a line's unit fragment is its trailing run of
# words made only of these ("市工信局， 城区人民政").
_UNIT_CHARS = set("市县区局人民政府管委会各（）()、，,工信生态环境城高平沁水泽州阳陵川开发商务能源交通"
                  "场监规划和自然资理农业村展改革")
_UNIT_MARKERS = ("局", "府", "政", "委", "民", "（市", "区）")
_UNIT_END = ("局", "政府", "管委会", "委")
_UNIT_PATTERN = (r"各县（市、区）人民政府|开发区管委会|(?:城区|[\u4e00-\u9fff]{2}[县市])人民政府"
                 r"|市[\u4e00-\u9fff]{2,10}?(?:局|委)")
_UNIT_NAME = re.compile(rf"^(?:{_UNIT_PATTERN})$")
_UNIT_SEARCH = re.compile(_UNIT_PATTERN)


@dataclass
class Anchor:
    """A 完成时限 value found on a physical line: the row it belongs to is around it."""

    line: int
    raw: str


@dataclass
class RawRow:
    """One row as the automatic pass sees it: its anchor, its line range and unit fragments."""

    anchor: Anchor
    first: int
    last: int
    deadline: str
    unit_text: str  # the joined unit fragments, as OCR'd
    units: list[str] = field(default_factory=list)
    text: list[tuple[int, str]] = field(default_factory=list)  # (line, text) without units
    deadline_notes: list[str] = field(default_factory=list)  # OCR fixes of the 完成时限 cell
    notes: list[str] = field(default_factory=list)  # what the unit reading guessed


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IgnoredAnchor(Strict):
    """A deadline-looking word that is prose, not a 完成时限 cell."""

    line: int = Field(gt=0)
    reason: str = Field(min_length=1)


class RowRepair(Strict):
    """The hand-read fields of one row, keyed by its anchor line."""

    anchor: int = Field(gt=0)
    lines: tuple[int, int] | None = None  # override the automatic range (first, last)
    category: str = ""
    key_work: str = ""
    title: str = Field(min_length=1)
    deadline: str = ""  # override the automatic 完成时限
    measures: str = ""
    responsible_units: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _range_in_order(self) -> RowRepair:
        if self.lines is not None and self.lines[1] < self.lines[0]:
            raise ValueError("lines 的结束行早于起始行")
        if self.lines is not None and not self.lines[0] <= self.anchor <= self.lines[1]:
            raise ValueError(f"lines {self.lines[0]}-{self.lines[1]} 不含锚点行 {self.anchor}")
        return self


class AttachmentRepairs(Strict):
    """The overlay file: which source it repairs, false anchors, and the rows read by eye."""

    source: str
    ignore_anchors: list[IgnoredAnchor] = Field(default_factory=list)
    rows: list[RowRepair] = Field(default_factory=list)


def load_repairs(path: str | Path) -> AttachmentRepairs:
    """Load and validate a repair overlay; a bad repair names its file, line and field."""
    return _load_repairs(path)[0]


def _load_repairs(path: str | Path) -> tuple[AttachmentRepairs, LineMap]:
    data, lines = load_yaml_file(path)
    if not isinstance(data, dict):
        raise InputError.single(str(path), 1, "修复文件应为映射（source / ignore_anchors / rows）")
    repairs = validate(AttachmentRepairs, data, str(path), lines)
    seen: dict[int, int] = {}
    problems = []
    for index, row in enumerate(repairs.rows):
        if row.anchor in seen:
            problems.append(Problem(str(path), lines.line_of(("rows", index, "anchor")),
                                    f"锚点行 {row.anchor} 重复（第 {seen[row.anchor] + 1} 条已修复）",
                                    f"rows.{index}.anchor"))
        seen[row.anchor] = index
    problems.extend(_overlaps(repairs, str(path), lines))
    if problems:
        raise InputError(problems)
    return repairs, lines


def _overlaps(repairs: AttachmentRepairs, file: str, lines: LineMap) -> list[Problem]:
    """Report repaired rows whose line ranges overlap: each source line belongs to one row."""
    ranged = sorted((row.lines, index) for index, row in enumerate(repairs.rows) if row.lines)
    problems = []
    for (before, _), (after, index) in zip(ranged, ranged[1:]):
        if after[0] <= before[1]:
            problems.append(Problem(file, lines.line_of(("rows", index, "lines")),
                                    f"lines {after[0]}-{after[1]} 与另一修复行的 "
                                    f"{before[0]}-{before[1]} 行重叠", f"rows.{index}.lines"))
    return problems


def find_anchors(lines: list[str], first: int, last: int) -> list[Anchor]:
    """Find the 完成时限 values on lines first..last (1-based), one per physical line."""
    anchors = []
    for number in range(first, last + 1):
        text = lines[number - 1]
        match = _DATED.search(text) or _OPEN.search(text)
        if match:
            anchors.append(Anchor(number, match.group(0)))
    return anchors


def clean_deadline(raw: str) -> tuple[str, list[str]]:
    """Tidy an OCR'd 完成时限 ("2020 年 9 月底首" -> "2020年9月底前"), noting any character fix."""
    text = squeeze(raw)
    notes = []
    if text.endswith("底首"):
        text = text[:-2] + "底前"
        notes.append(f"完成时限 OCR 修正：「{squeeze(raw)}」→「{text}」")
    return text, notes


def unit_fragment(text: str) -> str:
    """Return a line's trailing run of unit-like words ("… 市工信局， 城区人民政" -> "市工信局，城区人民政")."""
    words = text.split()
    run: list[str] = []
    for word in reversed(words):
        if not all(ch in _UNIT_CHARS for ch in word):
            break
        if run and run[0].startswith("（市") and not word.endswith(("各县", "，", "、")):
            break  # only 各县 takes "（市、区）"; "沁水县 （市、区）…" ends a prose list of counties
        run.insert(0, word)
    fragment = "".join(run)
    if not any(marker in fragment for marker in _UNIT_MARKERS):
        return ""  # a label such as 工业源 or 调整 is made of the same characters
    return fragment


def parse_units(text: str) -> list[str]:
    """Split a joined 责任单位 cell into names ("市工信局， 城区人民政府、开发区管委会")."""
    text = squeeze(text).replace("(", "（").replace(")", "）").replace(",", "，")
    text = text.replace("（市、区）", "（市\0区）")
    names = [name.replace("\0", "、") for name in re.split(r"[，、；]", text)]
    return [name for name in names if name]


def _skippable(text: str) -> bool:
    stripped = text.strip()
    return not stripped or bool(_HEADER.match(stripped) or _PAGE_NUMBER.match(stripped))


def _table_span(lines: list[str], start_line: int) -> tuple[int, int]:
    """Return the first line after the first header row and the last line before 抄送."""
    first = next((n + 1 for n in range(start_line, len(lines) + 1)
                  if _HEADER.match(lines[n - 1].strip())), start_line)
    last = next((n - 1 for n in range(first, len(lines) + 1) if _END.match(lines[n - 1].strip())),
                len(lines))
    return first, last


def _content(lines: list[str], first: int, last: int) -> list[int]:
    return [n for n in range(first, last + 1) if not _skippable(lines[n - 1])]


def _line_units(line: str, anchor: Anchor | None) -> str:
    """Return a line's unit fragment; on the anchor line, also the run just before the deadline
    ("…取消非必 市 生 态 环 境 局， 各县2020年12月底前 要设置的…")."""
    if anchor is None or anchor.raw not in line:
        return unit_fragment(line)
    before, after = line.split(anchor.raw, 1)
    return unit_fragment(before) + unit_fragment(after)


def _complete(units: str) -> bool:
    return bool(units) and units.endswith(_UNIT_END)


def _continues(units: str, fragment: str) -> bool:
    """Tell whether `fragment` carries on the unit list `units` (a cut name or a list after 、)."""
    if not fragment:
        return False
    if not units or units.endswith(("，", "、", ",")):
        return True
    return bool(_UNIT_NAME.match(parse_units(units)[-1] + parse_units(fragment)[0]))


def _boundary(lines: list[str], content: list[int], start: int, anchor: Anchor, after: int) -> int:
    """Return the last line of the row anchored at `anchor`, given the next anchor at `after`.

    The first sentence end (。) from the anchor on closes this row's 工程措施 (a later one is more
    likely the next row's first sentence); lines after it still belong to the row while its unit
    list is unfinished and they carry it on ("人民政府、陵川县人民" / "政府、沁水县人民政府"),
    skipping at most two label lines. Without a sentence end the lines are split halfway. A
    repeated header ends the page, and no row of this table runs on to the next page.
    """
    here = anchor.line
    header = next((n for n in range(here + 1, after) if _HEADER.match(lines[n - 1].strip())), None)
    if header is not None:
        return max(n for n in content if n < header)
    between = [n for n in content if here < n < after]
    closing = [n for n in [here, *between] if _TERMINATOR.search(lines[n - 1])]
    if not closing:
        return between[(len(between) - 1) // 2] if between else here
    end = closing[0]
    units = "".join(_line_units(lines[n - 1], anchor) for n in content if start <= n <= end)
    skipped = 0
    for n in (n for n in between if n > end):
        if _complete(units) or skipped > 2:
            break
        fragment = _line_units(lines[n - 1], None)
        if not fragment:
            skipped += 1
            continue
        if not _continues(units, fragment):
            break
        units += fragment
        end, skipped = n, 0
    return end


def split_rows(lines: list[str], first: int, last: int,
               ignored: set[int] = frozenset()) -> list[RawRow]:  # type: ignore[assignment]
    """Group lines first..last into rows around their anchors (the automatic pass)."""
    anchors = [a for a in find_anchors(lines, first, last) if a.line not in ignored]
    content = _content(lines, first, last)
    rows: list[RawRow] = []
    start = content[0] if content else first
    for index, anchor in enumerate(anchors):
        if index + 1 < len(anchors):
            end = _boundary(lines, content, start, anchor, anchors[index + 1].line)
        else:
            end = content[-1] if content else last
        own = [n for n in content if start <= n <= end]
        deadline, deadline_notes = clean_deadline(anchor.raw)
        fragments, text = [], []
        for n in own:
            line = lines[n - 1]
            fragment = _line_units(line, anchor if n == anchor.line else None)
            fragments.append(fragment)
            if n == anchor.line:
                before, after = line.split(anchor.raw, 1)
                body = _strip_tail(before) + " " + _strip_tail(after)
            else:
                body = _strip_tail(line)
            if body.strip():
                text.append((n, body.strip()))
        rows.append(RawRow(anchor, own[0] if own else anchor.line, own[-1] if own else anchor.line,
                           deadline, "".join(fragments), [], text, deadline_notes))
        start = end + 1
    for row in rows:
        _mend_mid_line_tail(row)
    _mend_cut_names(rows)
    for row in rows:
        row.units, leftovers = recognise_units(row.unit_text)
        if leftovers:
            row.notes.append("责任单位中有无法识别的片段：" + "、".join(leftovers))
    return rows


_COUNTIES_TAIL = "（市、区）人民政府"
_NAME_TAILS = ("人民政府", "政府", "府")


def _mend_mid_line_tail(row: RawRow) -> None:
    """Take back the tail of the row's last, cut unit name that the OCR set inside a line of prose
    ("各县" … "（市、 区）人民政府业， 实施…", "泽州县人民" … "政府EPC工程总承包招标")."""
    text = squeeze(row.unit_text)
    if not text or text.endswith(("，", "、", ",")) or _UNIT_NAME.match(parse_units(text)[-1]):
        return
    cut = parse_units(text)[-1]
    for index, (number, body) in enumerate(row.text):
        words = body.replace("(", "（").replace(")", "）").split()
        flat = squeeze(body).replace("(", "（").replace(")", "）")
        if cut == "各县" and _COUNTIES_TAIL in flat:
            tail, rest = _COUNTIES_TAIL, flat.replace(_COUNTIES_TAIL, " ", 1).strip()
        else:
            found = [(w, t) for w in words for t in _NAME_TAILS
                     if w.startswith(t) and _UNIT_NAME.match(cut + t)]
            if not found:
                continue
            word, tail = found[0]
            rest = " ".join(w if w is not word else word[len(tail):] for w in words).strip()
        row.unit_text += tail
        row.text[index] = (number, rest)
        row.notes.append(f"责任单位「{cut}」的后半「{tail}」在第 {number} 行行中，已接回")
        return


def _mend_cut_names(rows: list[RawRow]) -> None:
    """Move the tail of a unit name the row split cut off ("各县" | "（市、区）人民政府") back."""
    for row, after in zip(rows, rows[1:]):
        text = row.unit_text.rstrip("，、,")
        if not text or text.endswith(_UNIT_END) or not after.unit_text:
            continue
        first = parse_units(after.unit_text)[0]
        match = _UNIT_SEARCH.search(first)
        head = first[: match.start()] if match else first
        if head and _UNIT_NAME.match(parse_units(text)[-1] + head):
            cut = _cut_after(after.unit_text, head)
            row.unit_text = text + after.unit_text[:cut]
            after.unit_text = after.unit_text[cut:].lstrip("，、,")
            row.notes.append(f"责任单位的「{head}」被 OCR 排到下一行，已接回")


def _cut_after(text: str, head: str) -> int:
    """Return the index in `text` just past the characters of `head` (spaces aside)."""
    index = 0
    for ch in head:
        index = text.index(ch, index) + 1
    return index


def recognise_units(text: str) -> tuple[list[str], list[str]]:
    """Find the unit names in a joined unit cell, returning them and the leftover fragments."""
    names, leftovers = [], []
    for piece in parse_units(text):
        if _UNIT_NAME.match(piece):
            names.append(piece)
            continue
        found = list(_UNIT_SEARCH.finditer(piece))
        names.extend(match.group(0) for match in found)
        rest = _UNIT_SEARCH.sub(" ", piece).split()
        leftovers.extend(rest)
    return names, leftovers


def _strip_tail(text: str) -> str:
    """Drop the trailing unit words from a line, keeping the rest of its text."""
    if not unit_fragment(text):
        return " ".join(text.split())
    words = text.split()
    while words and all(ch in _UNIT_CHARS for ch in words[-1]):
        words.pop()
    return " ".join(words)


def _automatic_task(row: RawRow, task_id: str, file: str) -> Task:
    measures = tidy(" ".join(text for _, text in row.text))
    notes = ["自动识别（未经人工校对）：类别、重点工作、主要任务和工程措施在 OCR 中交错，待人工核对",
             *row.deadline_notes, *row.notes]
    return Task(id=task_id, title=_first_clause(measures) or row.deadline, measures=measures,
                deadline_text=row.deadline, responsible_units=row.units,
                source=f"{file}:{row.first}-{row.last}", notes=notes)


def _first_clause(text: str) -> str:
    return re.split(r"[，。；,;．]", text, maxsplit=1)[0][:40]


def _repaired_task(row: RawRow | None, repair: RowRepair, task_id: str, file: str) -> Task:
    first, last = repair.lines or ((row.first, row.last) if row else (repair.anchor, repair.anchor))
    deadline = repair.deadline or (row.deadline if row else "")
    # The repair replaces the units, so only the automatic deadline's OCR fixes still apply.
    notes = list(row.deadline_notes) if row and not repair.deadline else []
    notes.append("人工修复：各栏按原件人工读取，见 data/repairs/jincheng-2020-attachment.yaml")
    notes.extend(repair.notes)
    return Task(id=task_id, category=repair.category, key_work=repair.key_work, title=repair.title,
                measures=repair.measures, deadline_text=deadline,
                responsible_units=list(repair.responsible_units),
                source=f"{file}:{first}-{last}", notes=notes)


def import_ocr_attachment(path: str | Path, plan_id: str, repairs: str | Path | None, *,
                          start_line: int) -> ImportResult:
    """Import the attachment table starting at `start_line`, applying the hand repairs if given."""
    path = Path(path)
    file = path.name
    lines = read_text_input(path).splitlines()
    result = ImportResult()
    overlay, where = _load_repairs(repairs) if repairs is not None else (None, LineMap())
    if overlay is not None and overlay.source != file:
        raise InputError.single(str(repairs), None,
                                f"修复文件针对 {overlay.source}，而导入的是 {file}", "source")
    ignored = {a.line for a in overlay.ignore_anchors} if overlay else set()
    first, last = _table_span(lines, start_line)
    rows = split_rows(lines, first, last, ignored)
    by_anchor = {row.anchor.line: row for row in rows}
    fixes = {fix.anchor: fix for fix in overlay.rows} if overlay else {}
    index_of = {fix.anchor: i for i, fix in enumerate(overlay.rows)} if overlay else {}
    for line in sorted(set(fixes) - set(by_anchor)):
        fix = fixes[line]
        if fix.lines is None or not fix.deadline:
            result.problems.append(Problem(
                str(repairs), where.line_of(("rows", index_of[line], "anchor")),
                f"修复行的锚点 {line} 不是自动识别出的完成时限所在行，"
                "新增行必须给出 lines 和 deadline", f"rows.{index_of[line]}.anchor"))
            del fixes[line]
    order = sorted(set(by_anchor) | set(fixes))
    reported: list[tuple[int, int]] = []
    for number, line in enumerate(order, start=1):
        task_id = f"{plan_id}/A{number}"
        row = by_anchor.get(line)
        if line in fixes:
            result.tasks.append(_repaired_task(row, fixes[line], task_id, file))
        elif row is not None and row.units:
            result.tasks.append(_automatic_task(row, task_id, file))
        elif row is not None:
            result.problems.append(Problem(
                file, row.first, f"附件第 {row.first}-{row.last} 行（完成时限「{row.deadline}」）"
                "无法恢复：未识别出责任单位，请在修复文件中补录"))
            reported.append((row.first, row.last))
    found = {anchor.line for anchor in find_anchors(lines, first, last)}
    for index, ignore in enumerate(overlay.ignore_anchors if overlay else []):
        if ignore.line not in found:
            result.problems.append(Problem(
                str(repairs), where.line_of(("ignore_anchors", index, "line")),
                f"第 {ignore.line} 行没有可忽略的完成时限", f"ignore_anchors.{index}.line"))
    spans = [_span(task.source) for task in result.tasks] + reported
    result.problems.extend(_uncovered(lines, file, _content(lines, first, last), spans))
    return result


def _span(source: str) -> tuple[int, int]:
    first, _, last = source.rsplit(":", 1)[1].partition("-")
    return int(first), int(last or first)


def _uncovered(lines: list[str], file: str, content: list[int],
               spans: list[tuple[int, int]]) -> list[Problem]:
    """Report table lines that no row cites, so no OCR'd text is dropped without a word."""
    covered = {n for first, last in spans for n in range(first, last + 1)}
    runs: list[list[int]] = []
    previous = None
    for n in content:
        if n not in covered:
            if runs and previous == runs[-1][-1]:
                runs[-1].append(n)
            else:
                runs.append([n])
        previous = n
    return [Problem(file, run[0], f"附件第 {run[0]}-{run[-1]} 行未归入任何一行："
                    f"「{squeeze(' '.join(lines[n - 1] for n in run))[:40]}」，"
                    "请在修复文件中把它们并入某一行的 lines") for run in runs]
