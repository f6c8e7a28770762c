"""What a letter rests on and how it addresses its unit: the legal basis sentence and the wording
that follows the addressee's kind.

A letter may only cite the assessment clause of the plan its tasks belong to, quoted exactly with
its article number; without one, the office's standing basis (a 督查督办 rule it names in
configuration); without that, a neutral formula naming the plan. A rule's own clause reference
(which may name another plan, or an internal seed id) is never printed. Who is summoned and what
is threatened follow the addressee's kind: a county government's main officials are
政府主要负责同志, a city bureau's or an enterprise's are its own. Pure: values in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

GOVERNMENT_KINDS = frozenset({"county_government", "zone_committee", "town_government"})
ENTERPRISE_KINDS = frozenset({"enterprise"})

# Sentences of a clause that speak only of counties: a city bureau's letter must not quote them.
_COUNTY = re.compile(r"县区|县（[市区、]+）|县\([市区、]+\)|县、区|各县|县级")
_OTHER_ADDRESSEES = re.compile(r"单位|部门|企业")
# What each level's sentence of an assessment clause speaks of.
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "urge": ("督办", "催办"),  # not 调度: the office rolling up progress is no basis for urging
    "warning": ("预警",),
    "interview": ("约谈",),
}
_ARTICLE = re.compile(r"^\s*((?:第[一二三四五六七八九十百零]+[条项部分章节]+)|[（(][一二三四五六七八九十]+[)）]"
                      r"|[一二三四五六七八九十]+、)\s*")


def addressee_kind(kind: str) -> str:
    """Group a directory kind into the three ways a letter addresses a unit."""
    if kind in GOVERNMENT_KINDS:
        return "government"
    if kind in ENTERPRISE_KINDS:
        return "enterprise"
    return "department"


def summoned(unit: str, kind: str) -> str:
    """Name who an interview summons: the government's main officials, or the unit's own."""
    group = addressee_kind(kind)
    if group == "government":
        return f"{unit}主要负责同志"
    if group == "enterprise":
        return f"{unit}主要负责人"
    return f"{unit}主要负责同志"


def summoned_short(kind: str) -> str:
    """Say whom an interview would summon, in the consequences sentence of a lower letter."""
    return {"government": "政府主要负责同志", "enterprise": "企业主要负责人"}.get(
        addressee_kind(kind), "单位主要负责同志")


def nest_quotes(text: str) -> str:
    """Turn the double quotation marks inside a quotation into single ones (“…‘…’…”).

    OCR and typing leave straight and half-width marks; each opening mark becomes ‘ and the next
    one ’, whatever glyph the source used."""
    out: list[str] = []
    opened = False
    for ch in text:
        if ch in "“”＂\"":
            out.append("’" if opened else "‘")
            opened = not opened
        else:
            out.append(ch)
    return "".join(out)


def split_article(clause: str) -> tuple[str, str, str]:
    """Split a clause into article number, heading and body: （五）, 强化考核督察, 对……。"""
    text = clause.strip()
    match = _ARTICLE.match(text)
    article = match[1] if match else ""
    rest = text[match.end():] if match else text
    heading = ""
    head = re.match(r"^([^。；，,]{2,16})。", rest)
    if head and article:
        heading, rest = head[1], rest[head.end():]
    return article, heading, rest.strip()


def _sentences(body: str) -> list[str]:
    return [s for s in (part.strip() for part in re.split(r"(?<=[。；])", body)) if s]


def applies_to(sentence: str, kind: str) -> bool:
    """Say whether a clause sentence speaks to an addressee of `kind` (a county sentence does not
    speak to a city bureau unless it names units or departments too)."""
    if addressee_kind(kind) == "government":
        return True
    return not _COUNTY.search(sentence) or bool(_OTHER_ADDRESSEES.search(sentence))


@dataclass(frozen=True)
class PlanRef:
    """A plan as letters cite it: its title and its own document number (may be empty)."""

    title: str
    number: str = ""
    clause: str = ""  # its assessment clause as the plan prints it, with the article number

    @property
    def citation(self) -> str:
        """Return 《title》（number） as letters cite a document."""
        return f"《{self.title}》（{self.number}）" if self.number else f"《{self.title}》"


def _quote_for(plan: PlanRef, level: str, kind: str) -> str:
    """Return 《plan》第（五）项“…” for the sentences of the clause that speak of `level` and apply
    to the addressee; empty when none does."""
    if not plan.clause.strip():
        return ""
    article, heading, body = split_article(plan.clause)
    words = LEVEL_WORDS.get(level, ())
    picked = [s for s in _sentences(body) if any(w in s for w in words) and applies_to(s, kind)]
    if not picked:
        return ""
    quoted = nest_quotes("".join(picked).rstrip("。；;， "))
    where = ""
    if article:
        where = f"第{article}项" if article.startswith(("（", "(")) else article.rstrip("、")
        where = where if where.startswith("第") else f"第{where}项"
        if heading:
            where += f"“{nest_quotes(heading)}”"
        where += "中"
    return f"{plan.citation}{where}“{quoted}”"


@dataclass(frozen=True)
class LegalBasis:
    """The basis a letter states in its first sentence and recalls in its consequences."""

    opening: str  # 根据……的规定 / 按照……的要求
    recall: str  # 依据……, short, for the consequences sentence
    plans: tuple[PlanRef, ...]


def legal_basis(plans: Sequence[PlanRef], level: str, kind: str, standing: str = "") -> LegalBasis:
    """Word the basis of a letter of `level` to an addressee of `kind` resting on `plans`.

    Each plan's own clause, quoted where it speaks of this level and to this addressee; for plans
    without one, the office's standing basis (`standing`, cited as the office names it); else
    the plans' task breakdown, named neutrally."""
    refs = tuple(dict.fromkeys(plans))
    quotes = [q for q in (_quote_for(p, level, kind) for p in refs) if q]
    citations = "、".join(p.citation for p in refs)
    if quotes:
        return LegalBasis(f"根据{'和'.join(quotes)}的规定", f"依据{citations}", refs)
    if standing.strip():
        return LegalBasis(f"根据{standing.strip()}的规定和{citations}的任务分工",
                          f"依据{standing.strip()}", refs)
    return LegalBasis(f"按照{citations}确定的任务分工和完成时限要求", f"依据{citations}有关要求", refs)
