"""Run every bench/bench_*.py and print one table: figure, store, median, range, target.

Run as `.venv/bin/python bench/run_all.py [--only NAME]... [--skip NAME]... [--quick]` (`make bench`).
Each benchmark runs in its own process with its defaults (`--quick`: smaller provinces and fewer
runs, for a check that everything still runs) and its output streams through as it comes. A
benchmark reports its figures either as `FIGURE {json}` lines (figure, store, median, min, max,
unit, target) or in its own words, which PARSERS below read; a benchmark whose output no parser
understands still gets a row with its exit status and last line, so nothing is silently dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
Row = dict[str, object]

# Smaller sizes for --quick; the defaults are the figures recorded in bench/RESULTS.md.
QUICK: dict[str, list[str]] = {
    "bench_sweep": ["--assignments", "100000", "--skip-naive"],
    "bench_delivery": ["--assignments", "100000"],
    "bench_load": ["--assignments", "100000", "--old-assignments", "20000", "--cli-assignments", "10000"],
    "bench_crash": ["--trials", "4"],
    "bench_smtp": ["--runs", "2"],
    "bench_web": ["--pending", "1000", "--runs", "5"],
}


def _row(figure: str, store: str, median: float, low: float | None = None, high: float | None = None,
         unit: str = "", target: str = "") -> Row:
    return {"figure": figure, "store": store, "median": median, "min": low, "max": high, "unit": unit,
            "target": target}


def _runs(text: str) -> tuple[float | None, float | None]:
    """Return the range of a "(runs: 1.0, 2.0, …)" list."""
    found = re.search(r"runs: ([\d., ]+)\)", text)
    values = [float(v) for v in found.group(1).split(",") if v.strip()] if found else []
    return (min(values), max(values)) if values else (None, None)


SWEEP_TARGETS = {("sqlite", "first"): "<= 10 s", ("postgresql", "first"): "<= 20 s",
                 ("sqlite", "repeat"): "<= 1 s", ("postgresql", "repeat"): "<= 2 s"}


def parse_sweep(lines: list[str]) -> list[Row]:
    rows = []
    for line in lines:
        found = re.match(r"\| (\w+) \| (first|repeat) \| ([\d.]+) \| ([\d.]+)–([\d.]+) \|.*\| (<=[^|]*) \|$", line)
        if found:
            kind, label, median, low, high, _own = found.groups()
            rows.append(_row(f"sweep, {label}", kind, float(median), float(low), float(high), "s",
                             SWEEP_TARGETS[(kind, label)]))
        found = re.match(r"naive/(\w+): .* ratio ([\d.]+)", line)
        if found:
            rows.append(_row("APScheduler jobs / first sweep", found.group(1), float(found.group(2)), unit="×",
                             target="report the ratio"))
    return rows


def parse_delivery(lines: list[str]) -> list[Row]:
    rows = []
    for line in lines:
        found = re.match(r"\[(\w+)\] deliver, one instance: .*= ([\d.]+) digests/s", line)
        if found:
            target = ">= 200/s" if found.group(1) == "sqlite" else ">= 150/s"
            rows.append(_row("deliver(), file outbox, one instance", found.group(1), float(found.group(2)),
                             unit="digests/s", target=target))
    return rows


def parse_letters(lines: list[str]) -> list[Row]:
    rows = []
    for line in lines:
        found = re.match(r"(DOCX letters|PDF letters|digests via SMTP)[^:]*: median ([\d.]+)/s", line)
        if found:
            target = {"DOCX letters": ">= 50/s", "PDF letters": ">= 2/s", "digests via SMTP": ">= 200/s"}
            low, high = _runs(line)
            rows.append(_row(found.group(1), "—", float(found.group(2)), low, high, "/s", target[found.group(1)]))
    return rows


def parse_smtp(lines: list[str]) -> list[Row]:
    rows = []
    for line in lines:
        found = re.match(r"(.+?):\s+median ([\d.]+)/s", line)
        if found:
            label = found.group(1).strip()
            store = "postgresql" if "PostgreSQL" in label else "sqlite" if "SQLite" in label else "—"
            target = ">= 150/s" if store == "postgresql" else ">= 200/s"
            low, high = _runs(line)
            rows.append(_row(label, store, float(found.group(2)), low, high, "digests/s", target))
    return rows


def parse_sheets(lines: list[str]) -> list[Row]:
    return [_row(m.group(1), "—", float(m.group(2)), unit="ms")
            for m in (re.match(r"(.+): ([\d.]+) ms$", line) for line in lines) if m]


def parse_web(lines: list[str]) -> list[Row]:
    rows = []
    for line in lines:
        found = re.match(r"(\S.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\d+$", line)
        if found and not line.startswith("page"):
            rows.append(_row(f"page {found.group(1)}", "sqlite", float(found.group(2)), float(found.group(4)),
                             float(found.group(3)), "ms (min, p90)", "< 300 ms"))
    return rows


def parse_workcal(lines: list[str]) -> list[Row]:
    return [_row(m.group(1), "—", float(m.group(2).replace(",", "")), unit="calls/s")
            for m in (re.match(r"(is_workday|add_workdays[^:]*): ([\d,]+) calls/s", line) for line in lines) if m]


def parse_deadlines(lines: list[str]) -> list[Row]:
    rows = []
    for line in lines:
        found = re.match(r"(\S+): ([\d,]+) parses/s", line)
        if found:
            rows.append(_row(f"deadline parses ({found.group(1)})", "—", float(found.group(2).replace(",", "")),
                             unit="parses/s"))
    return rows


def parse_crash(lines: list[str]) -> list[Row]:
    rows = []
    kind = "—"
    for line in lines:
        found = re.match(r"(\w+): (\d+) trials", line)
        if found:
            kind = found.group(1)
        found = re.match(r"\s+notices or messages lost: (\d+)", line)
        if found:
            rows.append(_row("crash trials: notices or messages lost", kind, float(found.group(1)), unit="",
                             target="0"))
    return rows


PARSERS: dict[str, Callable[[list[str]], list[Row]]] = {
    "bench_sweep": parse_sweep,
    "bench_delivery": parse_delivery,
    "bench_letters": parse_letters,
    "bench_smtp": parse_smtp,
    "bench_sheets": parse_sheets,
    "bench_web": parse_web,
    "bench_workcal": parse_workcal,
    "bench_deadlines": parse_deadlines,
    "bench_crash": parse_crash,
}


def figures(name: str, lines: list[str]) -> list[Row]:
    """Return the rows a benchmark reported: its FIGURE lines, else what its parser reads."""
    rows: list[Row] = [json.loads(line[len("FIGURE "):]) for line in lines if line.startswith("FIGURE ")]
    parser = PARSERS.get(name)
    return rows or (parser(lines) if parser else [])


def run(path: Path, extra: list[str]) -> tuple[int, list[str], float]:
    """Run one benchmark, echoing its output; return its exit status, lines and wall time."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(path), *extra], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, cwd=HERE.parent)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        print(f"  {line}", end="", flush=True)
        lines.append(line.rstrip("\n"))
    return process.wait(), lines, time.perf_counter() - started


def _number(value: object) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def table(results: list[tuple[str, int, list[Row], str]]) -> str:
    """Render the one table every benchmark feeds (Markdown, to paste into RESULTS.md)."""
    out = ["| bench | figure | store | median | range | unit | target |", "|---|---|---|---:|---|---|---|"]
    for name, status, rows, last in results:
        if not rows:
            note = "no figures read" if status == 0 else f"FAILED (exit {status})"
            out.append(f"| {name} | {note}: {last[:80]} | — | — | — | — | — |")
        for row in rows:
            low, high = row.get("min"), row.get("max")
            span = f"{_number(low)}–{_number(high)}" if low is not None and high is not None else "—"
            figure = str(row["figure"]) + (f" (×{row['ratio']:.1f} vs old)" if isinstance(row.get("ratio"), float)
                                           else "")
            out.append(f"| {name} | {figure} | {row['store']} | {_number(row['median'])} | {span} | "
                       f"{row.get('unit', '')} | {row.get('target') or '—'} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (bench_load or load)")
    parser.add_argument("--skip", action="append", default=[], help="skip this benchmark")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, to see that everything runs")
    args = parser.parse_args()
    wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in args.only}
    skipped = {n if n.startswith("bench_") else f"bench_{n}" for n in args.skip}
    results = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem
        if (wanted and name not in wanted) or name in skipped:
            continue
        print(f"== {name}", flush=True)
        status, lines, seconds = run(path, QUICK.get(name, []) if args.quick else [])
        print(f"== {name}: exit {status} after {seconds:.0f} s", flush=True)
        results.append((name, status, figures(name, lines), lines[-1] if lines else ""))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, nproc={os.cpu_count()}, CPU {cpu}, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
          f"{', --quick' if args.quick else ''}")
    print(table(results))
    sys.exit(max((status for _, status, _, _ in results), default=0))


if __name__ == "__main__":
    main()
