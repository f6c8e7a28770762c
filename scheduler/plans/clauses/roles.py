"""The vocabulary of responsibility clauses: role markers, list keys and open-list endings.

A role marker either follows the names it governs ("市工信局牵头", "各区政府具体负责") or keys the
list after it ("牵头单位：市工信局、市公安局"). Every marker lives here so that the grammar, the
finder and the "a name never contains a role word" guarantee all read the same list.
"""

from __future__ import annotations

import re
from typing import Literal

# Traditional characters of the role and framing words, one for one, so that plans printed in
# traditional characters (牽頭, 負責落實, 責任單位) read the same; names keep their own script.
_TRADITIONAL = "牽頭導負責實參與協單門領職別體組織總辦項務須應為後續節並關標則據編適範圍習種級區縣"
_SIMPLIFIED = "牵头导负责实参与协单门领职别体组织总办项务须应为后续节并关标则据编适范围习种级区县"
SIMPLIFY = str.maketrans(_TRADITIONAL, _SIMPLIFIED)
_VARIANTS = dict(zip(_SIMPLIFIED, _TRADITIONAL, strict=True))


def simplified(text: str) -> str:
    """Map the traditional characters of role and framing words to simplified, one for one."""
    return text.translate(SIMPLIFY)


def either_script(pattern: str) -> str:
    """Let a regex written in simplified characters match their traditional forms too."""
    out = []
    in_class = False
    for ch in pattern:
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        variant = _VARIANTS.get(ch)
        out.append(f"{ch}{variant}" if in_class and variant else
                   f"[{ch}{variant}]" if variant else ch)
    return "".join(out)


Role = Literal["lead", "cooperating", "responsible", "persons"]
LEAD: Role = "lead"
COOPERATING: Role = "cooperating"
RESPONSIBLE: Role = "responsible"
PERSONS: Role = "persons"
# A plain "负责" (按职责分工负责, 分别负责) is the lead when the clause has no 牵头 but names a
# lower tier (配合 or 负责落实); alone it is responsible.
IN_CHARGE = "in_charge"

# Markers written after the names they govern, longest first so "牵头督导" wins over "牵头".
SUFFIX_MARKERS: tuple[tuple[str, str], ...] = tuple(sorted((
    ("牵头督导", LEAD), ("牵头负责", LEAD), ("牵头落实", LEAD), ("牵头抓总", LEAD),
    ("牵头组织", LEAD), ("牵头实施", LEAD), ("总牵头", LEAD), ("牵头", LEAD), ("主导", LEAD),
    ("配合落实", COOPERATING), ("配合实施", COOPERATING), ("配合", COOPERATING),
    ("参与", COOPERATING), ("协同", COOPERATING), ("协助", COOPERATING), ("支持", COOPERATING),
    ("协办", COOPERATING),
    ("按职责分工负责落实", RESPONSIBLE), ("按职责分工落实", RESPONSIBLE), ("负责落实", RESPONSIBLE),
    ("具体负责", RESPONSIBLE), ("具体落实", RESPONSIBLE), ("组织落实", RESPONSIBLE),
    ("抓好落实", RESPONSIBLE), ("负责实施", RESPONSIBLE), ("组织实施", RESPONSIBLE),
    ("落实", RESPONSIBLE),
    ("按职责分工分别负责", IN_CHARGE), ("按职责分工负责", IN_CHARGE), ("按职责负责", IN_CHARGE),
    ("分别负责", IN_CHARGE), ("负责", IN_CHARGE),
), key=lambda pair: -len(pair[0])))

# Markers that key the list after them: "牵头单位：", "责任部门：", "责任人：".
# The colon is optional after 单位/部门 (OCR and web pages drop it), required elsewhere.
_ALSO = r"(?:[（(](?:单位|部门)[）)])?"  # "责任单位（部门）："
KEY_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?:牵头|主办|主责|主抓)(?:单位|部门){_ALSO}[:：]?"), LEAD),
    (re.compile(rf"(?:配合|协办|协助|参与|协同|支持)(?:单位|部门){_ALSO}[:：]?"), COOPERATING),
    (re.compile(rf"(?:责任|落实|实施|主体责任)(?:单位|部门|主体){_ALSO}[:：]?"), RESPONSIBLE),
    (re.compile(r"(?:责任领导|分管领导|分管负责人|责任人|联系人|负责人)[:：]"), PERSONS),
    (re.compile(r"(?:牵头|主办)[:：]"), LEAD),
    (re.compile(r"(?:配合|协办)[:：]"), COOPERATING),
    (re.compile(r"(?:责任|负责)[:：]"), RESPONSIBLE),
)

# Every word that names a role; a unit name never contains one (in either script).
_ROLE_SET = ({word for word, _ in SUFFIX_MARKERS}
             | {"牵头单位", "牵头部门", "配合单位", "配合部门", "协办单位", "责任单位", "责任部门",
                "责任领导", "责任人"})
ROLE_WORDS: tuple[str, ...] = tuple(sorted(
    _ROLE_SET | {word.translate(str.maketrans(_SIMPLIFIED, _TRADITIONAL)) for word in _ROLE_SET},
    key=len, reverse=True))
# The words whose presence makes a bracketed group worth reading as a clause.
TRIGGER_WORDS: tuple[str, ...] = ("牵头", "配合", "负责", "责任单位", "责任部门", "参与", "协同",
                                  "协助", "协办", "主导", "落实", "责任人", "责任领导")

# Words written in front of a key ("主要责任单位：") that are not a unit.
KEY_PREFIX = re.compile(either_script(r"^(?:主要|其他|其它|各|具体|直接|相关|有关|第一|共同|分管|[;；。，,])+$"))
# Framing words of a statement that are never part of a unit name.
# (a key cut off by the end of a page, "责任单", is not a name either)
# (nor is a deadline written as the clause's last part, "6月底完成")
NOT_A_NAME = re.compile(either_script(
    r"不再|以下|下列|列出|一一|^(?:责任|牵头|配合|协办)[单部]?$|\d{1,2}月|\d{4}年|年底|月底|完成"))
# Words that qualify a role marker and are not part of the name before it.
QUALIFIERS = re.compile(either_script(
    r"(?:按照?(?:各自)?(?:职责|职能)(?:分工)?|根据(?:职责|职能)(?:分工)?|依(?:职责|职能)|分别|共同|各自"
    r"|具体|会同|积极|全力|及时)+$"))
# Function words around a name: "由市生态环境局牵头", "均需各县区政府负责落实".
# (和 and 都 start county names: 和顺县, 都江堰市.)
# "以上两项由市住建局牵头": a clause covering the items before it names them first.
LEADING_NOISE = re.compile(either_script(
    r"^(?:(?:以上|上述)[^，,、；;]{0,8}?(?:均由|由|均需|需)|由|请|需|须|均|并|及|为|是|要)+"))
TRAILING_NOISE = re.compile(either_script(r"(?:为|是|的|均|都|要|需|须)+$"))
# An open list: "交通局等", "市公安局等部门", "相关部门" — the names not written are left open.
OPEN_TAIL = re.compile(either_script(r"等(?:等)?(?:其他|其它)?(?:相关|有关)?(?:部门|单位|成员单位|部门单位)?$"))
OPEN_WHOLE = re.compile(either_script(
    r"^(?:各|其他|其它)?(?:相关|有关)(?:部门|单位|部门单位|方面)?$"
    # "区政府有关部门": a body's unnamed departments (a named group such as 市直各相关单位 is a
    # group the unit directory expands, and stays)
    r"|^.{0,8}(?:政府|市直|区直|县直|级)(?:各)?(?:相关|有关)部门$"))
# "（第一责任单位为牵头单位，下同）": the plan's rule that the first unit named also leads.
FIRST_LEADS = re.compile(either_script(
    r"[（(]?(?:排在?|列在?)?(?:第一|首位)(?:位|个)?(?:的|者)?(?:责任单位|单位)?为牵头单位[，,]?(?:下同)?[）)]?"))
# Characters a unit name may hold; anything else is punctuation or noise.
NAME_CHARS = re.compile(r"[\u3400-\u9fffA-Za-z0-9０-９Ａ-Ｚａ-ｚ（）()、·]")
HAN = re.compile(r"[\u4e00-\u9fff]")
# The last character of a complete unit name, for telling a list broken by lines from a name
# broken by lines ("市生态环\n境局" is one name; "市公安局\n市交通局" two).
UNIT_ENDINGS = "局委办府会队司心院所站部处厅行室组社团馆台场校军部"
