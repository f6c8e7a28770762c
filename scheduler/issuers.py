"""Issuing offices (发文机关): who signs each region's letters and the 机关代字 of their numbers.

The table is an office's configuration (config.yaml `issuers:`), so it lives below the config in
the layer order; numbering (scheduler.letters.numbers) and office scoping (scheduler.store.offices)
ask the `Issuers` value the configuration hands them, never a module-level table. SHIPPED is the
one default: the seed regions' offices, used when a configuration has no `issuers:` section.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.glossary import term

# A 机关代字 precedes the bracketed year (长大气办函〔2019〕12号): a digit, a space or a bracket in it
# would make the written number unreadable, or read back as another number.
PREFIX_FORBIDDEN = frozenset("〔〕[]【】（）()")


def prefix_problem(prefix: str) -> str | None:
    """Return why `prefix` is no valid 机关代字 (in Chinese), or None when it is one."""
    if not prefix:
        return "机关代字不能为空"
    bad = next((ch for ch in prefix if ch.isspace() or ch.isdigit() or ch in PREFIX_FORBIDDEN), None)
    if bad is not None:
        what = "空格" if bad.isspace() else "数字" if bad.isdigit() else "括号"
        return f"机关代字无效：{prefix!r}（不能含{what} {bad!r}）"
    return None


@dataclass(frozen=True)
class Issuer:
    """Who signs a region's letters and the 机关代字 of their numbers."""

    name: str
    prefix: str


@dataclass(frozen=True)
class Issuers:
    """The issuer table: (key, issuer) pairs, asked in order; a region takes the first key it contains."""

    entries: tuple[tuple[str, Issuer], ...] = ()

    def find(self, region: str) -> Issuer | None:
        """Return the office that issues letters for a plan of `region`: the first key it contains."""
        return next((issuer for key, issuer in self.entries if key in region), None)

    def for_region(self, region: str) -> Issuer:
        """Return the office that issues letters for a plan of `region`; unknown regions are errors."""
        issuer = self.find(region)
        if issuer is None:
            raise LookupError(f"没有为地区“{region}”配置发文机关，无法编发文号"
                              f"（请在 config.yaml 的 issuers 中为“{region}”写明发文机关 name 和机关代字 prefix）")
        return issuer

    def covers(self, region: str) -> bool:
        """Return whether a plan of `region` has an issuing office."""
        return self.find(region) is not None

    def office_of(self, region: str) -> str | None:
        """Return the name of the office issuing for `region`, or None when none is configured."""
        issuer = self.find(region)
        return issuer.name if issuer is not None else None

    def missing(self, plans: Iterable[tuple[str, str]]) -> list[str]:
        """Say, for each (plan id, region) no office here issues for, what config.yaml needs."""
        return [missing_issuer(plan_id, region) for plan_id, region in plans if not self.covers(region)]

    def names(self) -> list[str]:
        """Return every issuing office's name once, in the table's order."""
        return list(dict.fromkeys(issuer.name for _, issuer in self.entries))

    def matching(self, written: str) -> list[str]:
        """Return the offices a coordinator means by `written` (长治, 长治市大气办, the full name)."""
        return list(dict.fromkeys(issuer.name for key, issuer in self.entries
                                  if written and (key in written or written in issuer.name)))

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Issuer]]) -> Issuers:
        """Return the table of these (key, issuer) pairs, in their order."""
        return cls(tuple(pairs))


def missing_issuer(plan_id: str, region: str) -> str:
    """Say, for a coordinator, that a plan's letters cannot be numbered and what config.yaml needs."""
    where = f"地区“{region}”" if region else "未写明地区"
    key = region or "地区"
    return (f"方案 {plan_id}（{where}）没有配置发文机关：提醒和每日汇总照常发出，但{term('warning')}和"
            f"{term('interview')}通知无法编发文号，发送时将转入死信。请在 config.yaml 的 issuers 中添加一行，如"
            f"  {key}: {{name: 发文机关全称, prefix: 机关代字}}")


# Region (as the plan names it) -> issuing office. 泽州县 is a county of 晋城市, whose office writes.
SHIPPED = Issuers((
    ("长治", Issuer("长治市大气污染防治工作领导组办公室", "长大气办函")),
    ("晋中", Issuer("晋中市大气污染防治工作领导组办公室", "晋中大气办函")),
    ("晋城", Issuer("晋城市大气污染防治工作领导组办公室", "晋城大气办函")),
    ("泽州", Issuer("晋城市大气污染防治工作领导组办公室", "晋城大气办函")),
))
