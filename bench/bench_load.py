"""Measure `duban load` at province scale: the row-by-row ORM load against the bulk load.

Run as `.venv/bin/python bench/bench_load.py [--assignments 1000000] [--old-assignments 100000]
[--db sqlite|postgresql|both] [--runs 1] [--cli-assignments 100000] [--cli-only]
[--baseline DIR]`; `--old-assignments 0` skips the old path.

The province is bench_sweep.py's generator (synthetic 长治 tasks, 10 units each), cut into plans of
5,000 tasks so each ledger file stays under the 8 MB YAML limit. Every measurement runs in its own
subprocess on a fresh database, so ru_maxrss is that measurement's alone:
- store: `bulk_load_ledgers` (or the old `load_ledgers`) on ledgers already validated in memory,
  then a second load of the same ledgers (must change nothing), then a load with 1% of the tasks
  edited (row-by-row update path); peak memory includes the ledgers held in memory, as in the CLI;
- cli: `duban load DIR` end to end on YAML files, with the time spent reading YAML reported apart;
  with --baseline DIR (an unpacked `git archive` of an earlier commit) the same files are loaded by
  that code too, alternating with this one run by run, so both see the same machine load.
The old path is timed at --old-assignments (it runs ~4 minutes a million) and compared by rate.
Prints `FIGURE {json}` lines for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TASKS_PER_PLAN = 5_000
TARGET_S, TARGET_MB = 60, 500


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def province_ledgers(assignments: int) -> list:
    """Return the synthetic province as validated ledgers of TASKS_PER_PLAN tasks each."""
    from bench_sweep import REGION, SEASON_END, SEASON_START, province_rows

    from scheduler.plans.ledger import Ledger

    _plans, _units, batches = province_rows(assignments)
    tasks: list[dict[str, Any]] = []
    ledgers = []

    def close() -> None:
        number = len(ledgers) + 1
        plan_id = f"load-{number:03d}"
        for task in tasks:
            task["id"] = f"{plan_id}/{task['id']}"
        ledgers.append(Ledger.model_validate({
            "plan": dict(id=plan_id, title=f"长治市2019-2020年秋冬季攻坚行动方案（合成第{number}部分）",
                         issuer="长治市人民政府办公室", region=REGION, period_start=SEASON_START,
                         period_end=SEASON_END, plan_year=2019, source_file=f"bench-{number}"),
            "tasks": tasks,
        }))
        tasks.clear()

    for task_batch, assignment_batch in batches:
        roles: dict[str, dict[str, list[str]]] = {}
        for row in assignment_batch:
            roles.setdefault(row["task_id"], {}).setdefault(row["role"], []).append(row["unit"])
        for row in task_batch:
            held = roles[row["id"]]
            tasks.append(dict(
                id=f"t{row['position']:07d}", title=row["title"], measures=row["measures"],
                deadline_text=row["deadline_text"], category=row["category"], key_work=row["key_work"],
                source=row["source"], lead_units=held.get("lead", []),
                cooperating_units=held.get("cooperating", []), responsible_units=held.get("responsible", []),
            ))
            if len(tasks) == TASKS_PER_PLAN:
                close()
    if tasks:
        close()
    return ledgers


def _edit_one_percent(ledgers: list) -> int:
    """Move the deadline of every hundredth task; return how many were edited."""
    edited = 0
    for ledger in ledgers:
        for task in ledger.tasks[::100]:
            task.deadline_text = "2020年3月底前"
            edited += 1
    return edited


def child_store(url: str, path: str, assignments: int) -> dict[str, Any]:
    """Time one load path on a fresh store: first load, the same again, then 1% edited."""
    from scheduler.config import load_config
    from scheduler.plans.units import UnitDirectory
    from scheduler.store import load_ledgers, open_store
    from scheduler.store.bulkload import bulk_load_ledgers

    loader = bulk_load_ledgers if path == "bulk" else load_ledgers
    directory = UnitDirectory.load(ROOT / "data" / "units.yaml")
    heating = load_config(ROOT / "config.yaml").heating_season_start
    started = time.perf_counter()
    ledgers = province_ledgers(assignments)
    built = time.perf_counter() - started
    store = open_store(url)
    answer: dict[str, Any] = {"build_s": built, "tasks": sum(len(x.tasks) for x in ledgers)}
    for step in ("first", "again", "edited"):
        if step == "edited":
            answer["edited_tasks"] = _edit_one_percent(ledgers)
        start = time.perf_counter()
        with store.session() as session:
            report = loader(session, ledgers, directory, heating)
            session.commit()
        answer[step] = {"seconds": time.perf_counter() - start, "summary": report.summary()}
    with store.engine.connect() as connection:
        from sqlalchemy import text

        answer["rows"] = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                          for table in ("tasks", "assignments", "audit_log")}
    store.dispose()
    answer["peak_mb"] = _peak_mb()
    return answer


def child_write_yaml(folder: str, assignments: int) -> dict[str, Any]:
    """Write the province as ledger files (libyaml's dumper: the pure-Python one takes minutes)."""
    import yaml

    out = Path(folder)
    shutil.copy(ROOT / "data" / "units.yaml", out / "units.yaml")
    size = 0
    for ledger in province_ledgers(assignments):
        text = yaml.dump(ledger.model_dump(mode="json"), Dumper=yaml.CSafeDumper, allow_unicode=True,
                         sort_keys=False, width=100)
        (out / f"{ledger.plan.id}.yaml").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return {"bytes": size}


def child_read_yaml(folder: str) -> dict[str, Any]:
    """Time reading and validating the ledger files alone (the first half of `duban load`)."""
    from scheduler.plans.ledger import load_ledgers

    start = time.perf_counter()
    ledgers = load_ledgers(folder)
    return {"seconds": time.perf_counter() - start, "tasks": sum(len(x.tasks) for x in ledgers),
            "peak_mb": _peak_mb()}


def run_cli(url: str, folder: str, code: Path = ROOT) -> dict[str, Any]:
    """Time `duban load DIR` as a user runs it (the package in `code`), in a process of its own."""
    env = {**os.environ, "DUBAN_DB": url}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "scheduler", "load", folder], stdout=out, stderr=err,
                                 text=True, env=env, cwd=code)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest child's so far
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"duban load failed:\n{err.read()[-3000:]}")
        summary = out.read().strip().splitlines()[0]
    return {"seconds": seconds, "summary": summary, "peak_mb": usage.ru_maxrss / 1024}


def _child(*args: str, code: Path = ROOT) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(code / "bench" / "bench_load.py"), "--child", *args],
                          capture_output=True, text=True, timeout=7200, cwd=code)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def figure(name: str, store: str, samples: list[float], target: str, unit: str = "s", **extra: Any) -> None:
    """Print one result line for bench/run_all.py and a person reading along."""
    row = {"figure": name, "store": store, "median": statistics.median(samples), "min": min(samples),
           "max": max(samples), "runs": len(samples), "unit": unit, "target": target, **extra}
    print("FIGURE " + json.dumps(row, ensure_ascii=False), flush=True)


def store_figures(args: argparse.Namespace, kind: str, fresh: Callable[[str], str]) -> None:
    """Time the store alone: the old path against the bulk path (skipped with --old-assignments 0),
    then the bulk path at full scale, alternating with --baseline's when given."""
    rates: dict[str, list[float]] = {"old": [], "bulk-small": []}
    for run in range(args.runs if args.old_assignments else 0):
        for path, key in (("old", "old"), ("bulk", "bulk-small")):
            result = _child("store", fresh(f"{path}-small-{run}"), path, str(args.old_assignments))
            rates[key].append(args.old_assignments / result["first"]["seconds"])
            print(f"[{kind}] {path}, {args.old_assignments:,} assignments: first "
                  f"{result['first']['seconds']:.1f} s, again {result['again']['seconds']:.1f} s, "
                  f"1% edited {result['edited']['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB", flush=True)
    if args.old_assignments:
        figure(f"load, store only, old path ({args.old_assignments:,})", kind, rates["old"], "—", "assignments/s")
        figure(f"load, store only, bulk ({args.old_assignments:,})", kind, rates["bulk-small"], "—",
               "assignments/s", ratio=statistics.median(rates["bulk-small"]) / statistics.median(rates["old"]))
    codes = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    steps = ("first", "again", "edited")
    seconds: dict[str, dict[str, list[float]]] = {name: {step: [] for step in steps} for name in codes}
    peaks: dict[str, list[float]] = {name: [] for name in codes}
    for run in range(args.runs):
        for name, code in (codes.items() if run % 2 == 0 else reversed(codes.items())):
            result = _child("store", fresh(f"bulk-{name}-{run}"), "bulk", str(args.assignments), code=code)
            for step in steps:
                seconds[name][step].append(result[step]["seconds"])
            peaks[name].append(result["peak_mb"])
            print(f"[{kind}] {name}: bulk, {args.assignments:,} assignments ({result['tasks']:,} tasks, ledgers "
                  f"built in {result['build_s']:.1f} s): first {result['first']['seconds']:.1f} s, again "
                  f"{result['again']['seconds']:.1f} s, {result['edited_tasks']:,} edited "
                  f"{result['edited']['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB; rows {result['rows']}; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            for step in steps:
                print(f"    {step}: {result[step]['summary']}", flush=True)
    scale = f"{args.assignments:,}"
    for name in codes:
        tag = "" if name == "this" else ", baseline"
        extra = ({"ratio": args.assignments / statistics.median(rates["old"]) / statistics.median(
            seconds[name]["first"])} if args.old_assignments else {})
        figure(f"load, store only, bulk, first ({scale}){tag}", kind, seconds[name]["first"], f"<= {TARGET_S} s",
               peak_mb=max(peaks[name]), **extra)
        figure(f"load, store only, bulk, same again ({scale}){tag}", kind, seconds[name]["again"],
               f"<= {TARGET_S} s")
        figure(f"load, store only, bulk, 1% edited ({scale}){tag}", kind, seconds[name]["edited"],
               f"<= {TARGET_S} s")
        figure(f"load, peak memory ({scale}){tag}", kind, peaks[name], f"<= {TARGET_MB} MB", "MB")


def cli_figures(args: argparse.Namespace, kind: str, workdir: Path, fresh: Callable[[str], str]) -> None:
    """Time `duban load DIR` end to end, and reading the YAML alone, alternating with --baseline."""
    folder = workdir / f"yaml-{kind}"
    folder.mkdir(exist_ok=True)
    written = _child("write", str(folder), str(args.cli_assignments))
    codes = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    seconds: dict[str, list[float]] = {name: [] for name in codes}
    reads: dict[str, list[float]] = {name: [] for name in codes}
    peaks: dict[str, list[float]] = {name: [] for name in codes}
    for run in range(args.runs):
        for name, code in (codes.items() if run % 2 == 0 else reversed(codes.items())):
            read = _child("read", str(folder), code=code)
            cli = run_cli(fresh(f"cli-{name}-{run}"), str(folder), code)
            seconds[name].append(cli["seconds"])
            reads[name].append(read["seconds"])
            peaks[name].append(cli["peak_mb"])
            print(f"[{kind}] {name}: duban load, {args.cli_assignments:,} assignments in "
                  f"{written['bytes'] / 1e6:.1f} MB of YAML: {cli['seconds']:.1f} s end to end (peak "
                  f"{cli['peak_mb']:.0f} MB); reading the "
                  f"YAML alone {read['seconds']:.1f} s (peak {read['peak_mb']:.0f} MB), load average "
                  f"{os.getloadavg()[0]:.1f}; {cli['summary']}", flush=True)
    for name in codes:
        figure(f"duban load end to end ({args.cli_assignments:,}){'' if name == 'this' else ', baseline'}", kind,
               seconds[name], f"<= {TARGET_S * args.cli_assignments / 1_000_000:g} s pro rata",
               yaml_read_s=statistics.median(reads[name]), yaml_mb=written["bytes"] / 1e6, peak_mb=max(peaks[name]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--old-assignments", type=int, default=100_000)
    parser.add_argument("--cli-assignments", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--cli-only", action="store_true", help="only `duban load DIR` end to end")
    parser.add_argument("--baseline", type=Path, help="an unpacked `git archive` to compare end to end")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        answer = {
            "store": lambda: child_store(rest[0], rest[1], int(rest[2])),
            "write": lambda: child_write_yaml(rest[0], int(rest[1])),
            "read": lambda: child_read_yaml(rest[0]),
        }[kind]()
        print(json.dumps(answer, ensure_ascii=False))
        return

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"machine: nproc={os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="duban-bench-load-"))
    server = None
    try:
        from bench_sweep import _pg_server

        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            def fresh(name: str, kind: str = kind) -> str:
                nonlocal server
                if kind == "sqlite":
                    return f"sqlite:///{workdir / (name + '.db')}"
                server = server or _pg_server()
                return server.create_database()

            if not args.cli_only:
                store_figures(args, kind, fresh)
            if args.cli_assignments:
                cli_figures(args, kind, workdir, fresh)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
