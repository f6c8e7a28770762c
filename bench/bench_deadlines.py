"""Measure the deadline parser's speed and accuracy on the hand-written seed table, against jionlp.

Run as `.venv/bin/python bench/bench_deadlines.py`. jionlp / jionlp-time are benchmark-only
dependencies (`pip install jionlp-time jionlp`); a missing one is reported and skipped.
The parser keeps no caches, so every timed call does the full work.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.plans.deadlines import DeadlineContext, parse_deadline  # noqa: E402

TABLE = yaml.safe_load((ROOT / "tests" / "data" / "seed_deadline_cells.yaml").read_text("utf-8"))
CONTEXTS = {name: DeadlineContext(**values) for name, values in TABLE["contexts"].items()}
CASES = TABLE["cases"]
RUNS = 7

Dates = frozenset[date]


def expected_dates(case: dict) -> Dates:
    """Return every date a case names (due, start, end); a recurrence's start is the plan's."""
    days = set(case.get("due", []))
    if case["kind"] != "recurring":
        days |= {d for d in (case.get("start"), case.get("end")) if d}
    return frozenset(days)


def strictly_right(case: dict) -> bool:
    """Judge our parser the way tests/test_deadlines.py does: kind, dates and rrule."""
    got = parse_deadline(case["text"], CONTEXTS[case["context"]])
    return (got.kind == case["kind"] and list(got.due) == case.get("due", [])
            and got.start == case.get("start") and got.end == case.get("end")
            and got.rrule == case.get("rrule"))


def ours_dates(case: dict) -> Dates:
    got = parse_deadline(case["text"], CONTEXTS[case["context"]])
    days = set(got.due)
    if got.kind != "recurring":
        days |= {d for d in (got.start, got.end) if d}
    return frozenset(days)


def time_base(context: DeadlineContext) -> dict:
    """Give jionlp the same knowledge as our parser: the plan period's start, else Jan 1."""
    start = context.period_start or date(context.plan_year or 2020, 1, 1)
    return {"year": start.year, "month": start.month, "day": start.day}


def jionlp_dates(parse: Callable[..., Any], case: dict) -> Dates:
    """Map jionlp's answer to dates as fairly as we can.

    A span that starts at the time base is jionlp's reading of "…前" (by then): its end is the
    due date. A span ending at 'inf' or at the time base is "…起": its start. A point or other
    span gives its first and last day (one day for a single day; a month stamp counts as its
    last day). A period (每年/每周) or an exception gives no dates, like our recurring and
    unknown kinds.
    """
    context = CONTEXTS[case["context"]]
    base = time_base(context)
    text = "".join(case["text"].split())  # spaces and line breaks removed for it, as for us
    try:
        result = parse(text, time_base=base)
    except Exception:
        return frozenset()
    try:
        return _map_jionlp(result, text, base)
    except (ValueError, TypeError, KeyError):  # a malformed answer counts as no dates
        return frozenset()


def _map_jionlp(result: Any, text: str, base: dict) -> Dates:
    if not isinstance(result, dict) or result.get("type") not in ("time_point", "time_span"):
        return frozenset()
    first, last = result["time"]
    if last == "inf":
        return frozenset({datetime.fromisoformat(first).date()})
    if first == "-inf":
        return frozenset({datetime.fromisoformat(last).date()})
    a, b = datetime.fromisoformat(first).date(), datetime.fromisoformat(last).date()
    base_day = date(base["year"], base["month"], base["day"])
    if b == base_day and a < b:  # its reading of "自…起": from that day up to the time base
        return frozenset({a})
    if a == base_day or "前" in text or result["type"] == "time_point":
        return frozenset({b})
    return frozenset({a, b})


def parses_per_second(parse_one: Callable[[dict], Any], cases: list[dict], repeat: int) -> float:
    """Median over RUNS runs of (calls / elapsed), single process pinned to one core."""
    rates = []
    for _ in range(RUNS):
        began = time.perf_counter()
        for _ in range(repeat):
            for case in cases:
                parse_one(case)
        rates.append(repeat * len(cases) / (time.perf_counter() - began))
    return statistics.median(rates)


def share(judge: Callable[[dict], bool], cases: list[dict]) -> float:
    return sum(1 for c in cases if judge(c)) / len(cases)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}, CPU {model}, Python {sys.version.split()[0]}"


def load_jionlp() -> dict[str, Callable[..., Any]]:
    """Import whichever jionlp time parsers are installed, reporting those that are not."""
    parsers: dict[str, Callable[..., Any]] = {}
    try:
        import jionlp_time

        parsers["jionlp-time"] = jionlp_time.parse_time
    except Exception as exc:  # benchmark-only dependency
        print(f"jionlp-time not available: {exc!r}")
    try:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
            import jionlp

        parsers["jionlp"] = jionlp.parse_time
    except Exception as exc:
        print(f"jionlp not available: {exc!r}")
    return parsers


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    seed_cases = [c for c in CASES if c["source"] != "other"]
    print(f"machine: {machine()}")
    print(f"cells: {len(CASES)} in the table, {len(seed_cases)} from the seeds")

    ours_rate = parses_per_second(
        lambda c: parse_deadline(c["text"], CONTEXTS[c["context"]]), CASES, repeat=200)
    ours_strict = share(strictly_right, CASES)
    ours_seed_strict = share(strictly_right, seed_cases)
    ours_fair = share(lambda c: ours_dates(c) == expected_dates(c), CASES)
    ours_seed_fair = share(lambda c: ours_dates(c) == expected_dates(c), seed_cases)
    print(f"duban: {ours_rate:,.0f} parses/s (median of {RUNS} runs, 1 core, no caching)")
    print(f"duban: strictly right (kind+dates+rrule): seeds {ours_seed_strict:.1%}, "
          f"all {ours_strict:.1%}")
    print(f"duban: dates right: seeds {ours_seed_fair:.1%}, all {ours_fair:.1%}")
    wrong = [c["text"] for c in CASES if not strictly_right(c)]
    if wrong:
        print(f"duban wrong: {wrong}")

    for name, parse in load_jionlp().items():
        rate = parses_per_second(lambda c, p=parse: jionlp_dates(p, c), CASES, repeat=3)
        seed_fair = share(lambda c, p=parse: jionlp_dates(p, c) == expected_dates(c), seed_cases)
        fair = share(lambda c, p=parse: jionlp_dates(p, c) == expected_dates(c), CASES)
        print(f"{name}: {rate:,.0f} parses/s (median of {RUNS} runs, 1 core, "
              f"incl. mapping to dates)")
        print(f"{name}: dates right: seeds {seed_fair:.1%}, all {fair:.1%}")
        misses = [c["text"] for c in seed_cases if jionlp_dates(parse, c) != expected_dates(c)]
        print(f"{name}: seed cells with wrong dates: {misses}")
        print(f"ratio duban/{name}: speed x{ours_rate / rate:,.1f}, "
              f"dates right (seeds) {ours_seed_fair:.1%} vs {seed_fair:.1%}")


if __name__ == "__main__":
    main()
