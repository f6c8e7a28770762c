"""Targets from the plans: formulas by hand, every quote in its seed, and the same figures as the
ledgers' own reading of the seeds (data/<plan>.yaml, targets)."""

from __future__ import annotations

import re

import pytest
import yaml

from scheduler.errors import InputError
from scheduler.escalation.metrics.targets import heavy_days_target, load_target_book, parse_targets, pm25_target
from tests.escalation.metrics.builders import REGIONS, ROOT, SEEDS

BOOK = load_target_book(ROOT / "data" / "targets", REGIONS)


def test_county_pm25_targets_from_baseline_and_reduction():
    assert pm25_target(66, 6) == 62.0  # 66 × 0.94 = 62.04
    assert pm25_target(63, 5) == 59.9  # 59.85 rounds half up, not to the float's 59.8499…
    assert pm25_target(61, 5) == 58.0  # 57.95
    assert pm25_target(44, "持续改善") == 44.0  # no worse than the baseline


def test_heavy_day_targets_from_baseline_and_days():
    assert heavy_days_target(9, 2) == 7
    assert heavy_days_target(6, "持续改善") == 6


def test_the_shipped_changzhi_targets():
    pm25 = {t.region: t.limit for t in BOOK.targets("changzhi-2019", "PM2.5")}
    days = {t.region: t.limit for t in BOOK.targets("changzhi-2019", "heavy_pollution_days")}
    assert len(pm25) == 14  # 主城区, 12 counties, the city average
    regions = ("潞州区", "上党区", "平顺县", "沁源县", "长治市")
    assert tuple(pm25[r] for r in regions) == (62.0, 59.9, 44.0, 52.0, 58.9)
    assert (days["潞州区"], days["上党区"], days["黎城县"]) == (7, 6, 10)
    pingshun = BOOK.targets("changzhi-2019", "PM2.5", "平顺县")[0]
    assert pingshun.steady and "持续改善" in pingshun.basis
    plan = BOOK.for_plan("changzhi-2019")
    assert (plan.start.isoformat(), plan.end.isoformat(), plan.targets[0].days) == ("2019-10-01", "2020-03-31", 183)
    assert [(d.region, d.cap) for d in plan.dust] == [("长治市", 9.0)]


def test_city_caps_monthly_and_dust_targets_of_the_other_plans():
    jinzhong = {(t.metric, t.start.isoformat()): t.limit for t in BOOK.targets("jinzhong-2020")}
    assert jinzhong == {("PM2.5", "2020-10-01"): 47, ("heavy_pollution_days", "2020-10-01"): 0,
                        ("PM2.5", "2021-01-01"): 72, ("heavy_pollution_days", "2021-01-01"): 5}
    zezhou = BOOK.targets("zezhou-2023", "PM2.5")
    february = [t for t in zezhou if t.start.month == 2 and t.end.month == 2][0]
    assert (february.limit, february.days) == (69, 28)  # 2023 is no leap year
    year = [t for t in zezhou if t.start.month == 1 and t.end.month == 12][0]
    assert year.limit == 37
    caps = {p.plan: (p.dust[0].cap, p.dust[0].inclusive) for p in BOOK.plans.values()}
    assert caps == {"changzhi-2019": (9, True), "changzhi-2022": (7, True), "jinzhong-2020": (9, True),
                    "jincheng-2020": (9, False), "zezhou-2023": (5, True)}  # 晋城 writes 小于9
    assert BOOK.for_plan("jincheng-2020").dust[0].exceeded(9.0)
    assert not BOOK.for_plan("jinzhong-2020").dust[0].exceeded(9.0)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_target_quote_stands_on_its_cited_lines():
    checked = 0
    for path in sorted((ROOT / "data" / "targets").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in ("county", "period_caps", "monthly", "dust_fall"):
            for entry in data.get(section) or ():
                name, lines = entry["source"].split(":")
                first, _, last = lines.partition("-")
                seed = (SEEDS / name).read_text(encoding="utf-8").splitlines()
                cited = _squash("".join(seed[int(first) - 1:int(last or first)]))
                assert _squash(str(entry["quote"])) in cited, f"{path.name} {entry['source']}: {entry['quote']}"
                checked += 1
    assert checked == 14 + 1 + 13 + 1 + 4 + 1 + 4 + 1 + 1  # changzhi, zezhou, jinzhong, jincheng, 2022


def _or_none(reduction):
    """Read 持续改善 (no figure, keep improving) as the ledger's empty cell."""
    return None if reduction == "持续改善" else reduction


def test_the_targets_agree_with_the_ledgers_reading_of_the_seeds():
    for plan in BOOK.plans.values():
        ledger = yaml.safe_load((ROOT / "data" / f"{plan.plan}.yaml").read_text(encoding="utf-8"))
        targets = ledger["targets"]
        assert (ledger["plan"]["period_start"], ledger["plan"]["period_end"]) == (
            plan.start.isoformat(), plan.end.isoformat())
        mine = plan.entries
        assert [(d.region, d.cap) for d in mine.dust_fall] == [(d["region"], d["cap"]) for d in targets["dust_fall"]]
        theirs = {(c["region"] if c["region"] != "全市平均" else "长治市"): c for c in targets["county"]}
        for entry in mine.county:
            row = theirs[entry.region]
            assert (entry.pm25_baseline, entry.heavy_days_baseline) == (
                row["pm25_baseline"], row["heavy_days_baseline"])
            assert _or_none(entry.pm25_reduction_pct) == row["pm25_reduction_pct"]
            assert _or_none(entry.heavy_days_reduction) == row["heavy_days_reduction"]
        assert len(mine.county) == len(targets["county"])
        caps = {(c["metric"], c["period_start"], c["cap"]) for c in targets["period_caps"]}
        assert {(c.metric, c.start.isoformat(), c.cap) for c in mine.period_caps} == caps
        monthly = {(m["metric"], m["month"], m["value"]) for m in targets["monthly"]}
        monthly |= {(m["metric"], None, m["value"]) for m in targets["annual"]}
        assert {(k, m.month, v) for m in mine.monthly for k, v in m.values.items()} == monthly


def test_a_bad_targets_file_names_file_line_and_field():
    text = """\
plan: bad
region: 长治市
period: {start: 2020-01-01, end: 2020-03-31}
period_caps:
  - region: 长治市
    metric: PM3
    start: 2020-01-01
    end: 2020-03-31
    cap: 50
    source: "002_4f45dafb854d9093.txt:23"
    quote: x
"""
    with pytest.raises(InputError) as caught:
        parse_targets(text, "data/targets/bad.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.where) == ("data/targets/bad.yaml", 6, "period_caps.0.metric")
    assert "未知的指标" in problem.message


def test_an_unknown_region_in_a_targets_file_is_reported_with_its_line(tmp_path):
    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "x.yaml").write_text("""\
plan: x
region: 长治市
period: {start: 2020-01-01, end: 2020-03-31}
dust_fall:
  - region: 长治
    cap: 9
    source: "000_ab3fcd49571cab9b.txt:799"
    quote: x
  - region: 火星县
    cap: 9
    source: "000_ab3fcd49571cab9b.txt:799"
    quote: x
""", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_target_book(folder, REGIONS)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (5, "未知的地区：长治（应写作“长治市”）"), (9, "未知的地区：火星县")]
