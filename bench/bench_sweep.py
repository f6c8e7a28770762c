"""Measure the daily sweep on a synthetic province, against one APScheduler job per reminder.

Run as `.venv/bin/python bench/bench_sweep.py [--assignments N] [--db sqlite|postgresql|both]`.
Every measurement runs in its own subprocess (`--child ...`), so the peak memory it reports
(ru_maxrss) is that measurement's alone. The province is written with SQLAlchemy core bulk
inserts straight into plans/tasks/assignments after open_store(); load_ledgers is timed
separately on a small ledger for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEASON_START, SEASON_END = date(2019, 10, 1), date(2020, 3, 31)
AS_OF = date(2019, 11, 20)  # a Wednesday, seven weeks into the season, not a month's first workday
NEXT_DAY = date(2019, 11, 21)  # the working day after: the incremental sweep's typical day
PLANS = 5
UNITS_PER_TASK = 10  # 1 lead, 2 cooperating, 7 responsible
REGION = "长治市"
BATCH = 20_000
OFFSETS = ({"days": 30}, {"days": 7}, {"workdays": 3}, {"workdays": 1})  # default remind-before-due


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the synthetic province ---------------------------------------------------------------


def _deadline_text(rng: random.Random) -> str:
    """Return a deadline cell: due 55%, ongoing 15%, window 15%, external 10%, recurring 5%."""
    draw = rng.random()
    span = (SEASON_END - SEASON_START).days
    if draw < 0.55:
        day = SEASON_START + timedelta(days=7 + rng.randrange(span - 7))
        if rng.random() < 0.2:
            return f"{day.year}年{day.month}月底前"
        return f"{day.year}年{day.month}月{day.day}日前"
    if draw < 0.70:
        return rng.choice(("长期坚持", "持续推进"))
    if draw < 0.85:
        start = SEASON_START + timedelta(days=rng.randrange(90))
        end = start + timedelta(days=30 + rng.randrange(90))
        return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
    if draw < 0.95:
        return "按省要求时限完成"
    return "每月"


def province_rows(assignments: int, seed: int = 20261123):
    """Yield (plans, units, task batches with their assignment rows) for `assignments` rows."""
    from scheduler.plans.units import UnitDirectory

    directory = UnitDirectory.load(ROOT / "data" / "units.yaml")
    local = [u for u in directory.units() if u.region == REGION]
    departments = [u.name for u in local if u.kind == "city_department"]
    counties = [u.name for u in local if u.kind in ("county_government", "zone_committee")]
    units = [
        dict(name=u.name, id=u.id, kind=u.kind, region=u.region, head_title=u.head_title)
        for u in directory.units()
    ]
    plans = [
        dict(
            id=f"bench-{n}",
            title=f"长治市2019-2020年秋冬季攻坚行动方案（合成第{n}部分）",
            region=REGION,
            period_start=SEASON_START,
            period_end=SEASON_END,
            plan_year=2019,
            meta={},
            closed_on=None,
        )
        for n in range(1, PLANS + 1)
    ]
    tasks_total = assignments // UNITS_PER_TASK
    rng = random.Random(seed)

    def batches():
        tasks, rows = [], []
        for n in range(tasks_total):
            plan = plans[n % PLANS]["id"]
            task_id = f"{plan}/t{n:07d}"
            milestone = "，2019年12月15日前完成主体工程" if rng.random() < 0.1 else ""
            tasks.append(
                dict(
                    id=task_id,
                    plan_id=plan,
                    position=n,
                    category="工业企业提标改造",
                    key_work="深化工业污染治理",
                    title=f"第{n}项：完成燃煤锅炉及工业炉窑综合治理",
                    measures=f"对第{n}批企业开展深度治理，建立清单，逐一销号{milestone}。",
                    deadline_text=_deadline_text(rng),
                    remarks="",
                    source=f"bench:{n + 1}",
                    ledger={},
                    ledger_hash="0" * 64,
                    status="open",
                    percent=None,
                    removed=False,
                    version_id=1,
                )
            )
            chosen = rng.sample(departments, 3)
            roles = [("lead", chosen[0]), ("cooperating", chosen[1]), ("cooperating", chosen[2])]
            roles += [("responsible", c) for c in rng.sample(counties, UNITS_PER_TASK - 3)]
            rows += [dict(task_id=task_id, unit=u, role=r, written=u) for r, u in roles]
            if len(rows) >= BATCH:
                yield tasks, rows
                tasks, rows = [], []
        if tasks:
            yield tasks, rows

    return plans, units, batches()


def child_build(url: str, assignments: int) -> dict[str, Any]:
    """Create the province in a fresh store with core bulk inserts."""
    from sqlalchemy import insert, text

    from scheduler.store import open_store
    from scheduler.store import schema as m

    start = time.perf_counter()
    store = open_store(url)
    plans, units, batches = province_rows(assignments)
    tasks = rows = 0
    with store.engine.begin() as connection:
        connection.execute(insert(m.Unit.__table__), units)
        connection.execute(insert(m.Plan.__table__), plans)
        for task_batch, assignment_batch in batches:
            connection.execute(insert(m.Task.__table__), task_batch)
            connection.execute(insert(m.Assignment.__table__), assignment_batch)
            tasks += len(task_batch)
            rows += len(assignment_batch)
    with store.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    store.dispose()
    return {"tasks": tasks, "assignments": rows, "seconds": time.perf_counter() - start,
            "peak_mb": _peak_mb()}


def child_reset(url: str) -> dict[str, Any]:
    """Empty the notices and sweep runs, so the next sweep is a day's first again."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM notices"))
        connection.execute(text("DELETE FROM sweep_runs"))
        connection.execute(text("DELETE FROM sweep_cursors"))
        connection.execute(text("DELETE FROM sweep_world"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE notices"))
    engine.dispose()
    return {}


def child_sweep(url: str, as_of: date, profile: str = "", full: bool = False) -> dict[str, Any]:
    """Run one sweep of `as_of` and report its wall time, notices created and peak memory.

    `full`: evaluate every task (the reference path, what every sweep did before the incremental one)."""
    from scheduler.config import load_config
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.escalation.ruleset import load_rulebook
    from scheduler.store import open_store
    from scheduler.sweep import run_sweep

    config = load_config(ROOT / "config.yaml")
    rules = load_rulebook(ROOT / "rules")
    calendar = WorkCalendar.load(ROOT / "data" / "calendar")
    store = open_store(url)
    base = _peak_mb()
    start = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(
            run_sweep, store, rules, calendar, as_of, heating=config.heating_season_start, full=full
        )
        profiler.dump_stats(profile)
    else:
        result = run_sweep(store, rules, calendar, as_of, heating=config.heating_season_start, full=full)
    seconds = time.perf_counter() - start
    store.dispose()
    return {"seconds": seconds, "created": len(result.created), "unchanged": result.unchanged,
            "peak_mb": _peak_mb(), "base_mb": base}


def child_load(url: str, assignments: int) -> dict[str, Any]:
    """Time load_ledgers on a ledger of `assignments` rows (the path `duban load` takes)."""
    from scheduler.config import load_config
    from scheduler.plans.ledger import Ledger
    from scheduler.plans.units import UnitDirectory
    from scheduler.store import load_ledgers, open_store

    directory = UnitDirectory.load(ROOT / "data" / "units.yaml")
    plans, _units, batches = province_rows(assignments)
    plan = plans[0]
    tasks = []
    for task_batch, assignment_batch in batches:
        by_task: dict[str, dict[str, list[str]]] = {}
        for row in assignment_batch:
            by_task.setdefault(row["task_id"], {}).setdefault(row["role"], []).append(row["unit"])
        for row in task_batch:
            roles = by_task[row["id"]]
            tasks.append(dict(
                id=f"{plan['id']}/t{row['position']:07d}", title=row["title"],
                measures=row["measures"], deadline_text=row["deadline_text"],
                category=row["category"], key_work=row["key_work"], source=row["source"],
                lead_units=roles.get("lead", []), cooperating_units=roles.get("cooperating", []),
                responsible_units=roles.get("responsible", []),
            ))
    ledger = Ledger.model_validate({
        "plan": dict(id=plan["id"], title=plan["title"], issuer="长治市人民政府办公室",
                     region=REGION, period_start=SEASON_START, period_end=SEASON_END,
                     plan_year=2019, source_file="bench"),
        "tasks": tasks,
    })
    config = load_config(ROOT / "config.yaml")
    store = open_store(url)
    start = time.perf_counter()
    with store.session() as session:
        load_ledgers(session, [ledger], directory, config.heating_season_start)
        session.commit()
    seconds = time.perf_counter() - start
    store.dispose()
    return {"seconds": seconds, "tasks": len(tasks), "peak_mb": _peak_mb()}


# --- the naive design: one APScheduler job per reminder -----------------------------------


def send_reminder(key: str) -> None:
    """Stand in for the job body; never runs (every fire time lies years ahead)."""


def reminder_fire_times(assignments: int) -> list[tuple[str, datetime]]:
    """Return (key, fire time) of every before-due reminder the default rules give the province.

    4 offsets x each task's due dates x its lead and responsible units; fire days move to the
    previous working day like the rules' do. Dates are shifted 8 years ahead so none is past.
    """
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.plans.deadlines import DeadlineContext, parse_deadline

    calendar = WorkCalendar.load(ROOT / "data" / "calendar")
    context = DeadlineContext(plan_year=2019, period_start=SEASON_START, period_end=SEASON_END,
                              heating_season_start=(11, 1))
    _plans, _units, batches = province_rows(assignments)
    parsed: dict[str, tuple[date, ...]] = {}
    fires: dict[tuple[date, str], date] = {}
    out = []
    for task_batch, assignment_batch in batches:
        units: dict[str, list[str]] = {}
        for row in assignment_batch:
            if row["role"] in ("lead", "responsible"):
                units.setdefault(row["task_id"], []).append(row["unit"])
        for task in task_batch:
            text = task["deadline_text"]
            if text not in parsed:
                deadline = parse_deadline(text, context)
                parsed[text] = deadline.due if deadline.kind in ("due", "season") else ()
            for due in parsed[text]:
                for offset in OFFSETS:
                    tag = f"{offset.get('days', '')}d{offset.get('workdays', '')}w"
                    fire = fires.get((due, tag))
                    if fire is None:
                        if "days" in offset:
                            fire = due - timedelta(days=offset["days"])
                            if not calendar.is_workday(fire):
                                fire = calendar.add_workdays(fire, -1)
                        else:
                            fire = calendar.add_workdays(due, -offset["workdays"])
                        fires[(due, tag)] = fire
                    at = datetime(fire.year + 8, fire.month, fire.day, 8, 30)
                    for unit in units[task["id"]]:
                        out.append((f"remind|{task['id']}|{unit}|{due}|{tag}", at))
    return out


def child_naive(assignments: int) -> dict[str, Any]:
    """Time registering one DateTrigger job per reminder in a running BackgroundScheduler."""
    from zoneinfo import ZoneInfo

    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    reminders = reminder_fire_times(assignments)
    zone = ZoneInfo("Asia/Shanghai")
    scheduler = BackgroundScheduler(jobstores={"default": MemoryJobStore()}, timezone=zone)
    scheduler.start()
    base = _peak_mb()
    start = time.perf_counter()
    for key, at in reminders:
        scheduler.add_job(send_reminder, "date", run_date=at.replace(tzinfo=zone), args=(key,),
                          id=key, misfire_grace_time=3600)
    seconds = time.perf_counter() - start
    jobs = len(scheduler.get_jobs())
    peak = _peak_mb()
    scheduler.shutdown(wait=False)
    return {"seconds": seconds, "jobs": jobs, "peak_mb": peak, "base_mb": base}


# --- orchestration --------------------------------------------------------------------------


def _child(*args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run this script as a child measurement and return its JSON answer."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg_server():
    from tests.conftest import PostgresServer, _pg_bin

    bindir = _pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return PostgresServer(bindir)


def _bench_db(kind: str, url: str, assignments: int, runs: int, log,
              modes: tuple[str, ...] = ("incremental", "full")) -> dict[str, Any]:
    build = _child("build", url, str(assignments))
    log(f"[{kind}] built {build['tasks']:,} tasks / {build['assignments']:,} assignments "
        f"in {build['seconds']:.1f} s")
    samples: dict[str, list[dict[str, Any]]] = {}
    for run in range(runs):
        for mode in modes:  # interleaved, so both modes see the same load on a shared machine
            _child("reset", url)
            flag = "full" if mode == "full" else ""
            first = _child("sweep", url, AS_OF.isoformat(), "", flag)
            repeat = _child("sweep", url, AS_OF.isoformat(), "", flag)
            following = _child("sweep", url, NEXT_DAY.isoformat(), "", flag)
            log(f"[{kind}/{mode}] run {run + 1}: first {first['seconds']:.2f} s, {first['created']:,} created, "
                f"{first['peak_mb']:.0f} MB; repeat {repeat['seconds']:.2f} s, {repeat['created']:,} created, "
                f"{repeat['peak_mb']:.0f} MB; next day {following['seconds']:.2f} s, "
                f"{following['created']:,} created, {following['peak_mb']:.0f} MB")
            for label, sample in (("first", first), ("repeat", repeat), ("next", following)):
                samples.setdefault(f"{mode}/{label}", []).append(sample)
    return {"build": build, **samples}


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "median_s": statistics.median(s["seconds"] for s in samples),
        "min_s": min(s["seconds"] for s in samples),
        "max_s": max(s["seconds"] for s in samples),
        "created": samples[0]["created"],
        "peak_mb": max(s["peak_mb"] for s in samples),
        "runs": len(samples),
    }


def main() -> None:
    """Build the province, time first and repeat sweeps, then the naive scheduler, and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=0, help="default: 3 up to 100k, else 1")
    parser.add_argument("--naive-assignments", type=int, default=0,
                        help="scale of the APScheduler comparison (default: same as --assignments)")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--modes", default="incremental,full",
                        help="sweeps to time, interleaved: incremental (the default sweep) and/or full")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        answer = {
            "build": lambda: child_build(rest[0], int(rest[1])),
            "reset": lambda: child_reset(rest[0]),
            "sweep": lambda: child_sweep(rest[0], date.fromisoformat(rest[1]),
                                         rest[2] if len(rest) > 2 else "", len(rest) > 3 and rest[3] == "full"),
            "load": lambda: child_load(rest[0], int(rest[1])),
            "naive": lambda: child_naive(int(rest[0])),
        }[kind]()
        print(json.dumps(answer))
        return

    def log(line: str) -> None:
        print(line, flush=True)

    runs = args.runs or (3 if args.assignments <= 100_000 else 1)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    log(f"machine: nproc={os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}")
    log(f"province: {args.assignments:,} assignments, {PLANS} plans of {REGION}, "
        f"as_of {AS_OF}, {runs} run(s)")
    results: dict[str, Any] = {}
    workdir = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    server = None
    try:
        kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
        for kind in kinds:
            if kind == "sqlite":
                url = f"sqlite:///{workdir / 'province.db'}"
            else:
                server = server or _pg_server()
                url = server.create_database()
            results[kind] = _bench_db(kind, url, args.assignments, runs, log, tuple(args.modes.split(",")))
            if not args.skip_load:
                load_url = (f"sqlite:///{workdir / 'load.db'}" if kind == "sqlite"
                            else server.create_database())
                results[kind]["load"] = _child("load", load_url, "10000")
                log(f"[{kind}] load_ledgers, 1,000 tasks / 10,000 assignments: "
                    f"{results[kind]['load']['seconds']:.1f} s")
        if not args.skip_naive:
            scale = args.naive_assignments or args.assignments
            naive = _child("naive", str(scale))
            results["naive"] = {**naive, "assignments": scale}
            log(f"[apscheduler] {naive['jobs']:,} DateTrigger jobs for {scale:,} assignments: "
                f"{naive['seconds']:.1f} s, peak {naive['peak_mb']:.0f} MB "
                f"(base {naive['base_mb']:.0f} MB)")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    log("")
    log("| store | sweep | median s | range s | runs | notices created | peak MB | target at 1M |")
    log("|---|---|---:|---|---:|---:|---:|---|")
    targets = {("sqlite", "first"): 10, ("sqlite", "repeat"): 1, ("sqlite", "next"): 1.5,
               ("postgresql", "first"): 20, ("postgresql", "repeat"): 2, ("postgresql", "next"): 1.5}
    for kind in ("sqlite", "postgresql"):
        if kind not in results:
            continue
        for name, samples in results[kind].items():
            if "/" not in name:
                continue
            mode, label = name.split("/")
            limit = targets[(kind, label)] * args.assignments / 1_000_000
            s = _summary(samples)
            ok = s["median_s"] <= limit and s["peak_mb"] <= 500
            shown = (label if label != "next" else "next day") + (" (full)" if mode == "full" else "")
            log(f"| {kind} | {shown} | {s['median_s']:.2f} | {s['min_s']:.2f}–{s['max_s']:.2f} | "
                f"{s['runs']} | {s['created']:,} | {s['peak_mb']:.0f} | "
                f"<= {limit:g} s, <= 500 MB: {'met' if ok else 'MISSED'} |")
    if "naive" in results:
        naive = results["naive"]
        scale = args.assignments / naive["assignments"]
        seconds = naive["seconds"] * scale
        for kind in ("sqlite", "postgresql"):
            if kind in results:
                first = _summary(results[kind]["incremental/first"])["median_s"]
                log(f"naive/{kind}: registering the reminders takes {seconds:.1f} s "
                    f"({'extrapolated x' + format(scale, '.1f') if scale != 1 else 'measured'}) "
                    f"vs {first:.1f} s for the first sweep: ratio {seconds / first:.2f}")
    log("JSON " + json.dumps(results, default=str))


if __name__ == "__main__":
    main()
