"""Time the console's queue page and dashboard with 10,000 escalations awaiting review.

Run as `.venv/bin/python bench/bench_web.py [--pending 10000] [--runs 30]`. The store is SQLite
(the default), built through the real store functions: the five ledgers of data/ loaded, 长治
2019-20 swept on 2019-12-02 and 2019-12-20, then synthetic warnings and interviews inserted with
scheduler.store.insert_notices on the real tasks and units until `--pending` items await review.
Pages are fetched in-process through FastAPI's TestClient as a logged-in coordinator (ASGI,
routing, session lookup, queries and template rendering; no network). Prints medians in ms;
the target is < 300 ms per page at the median.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2019, 12, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PAGES = (
    ("queue, first page", "/queue"),
    ("queue, county filter", "/queue?county=%E6%BD%9E%E5%B7%9E%E5%8C%BA&level=warning"),
    ("queue, page 100", "/queue?page_no=100"),
    ("dashboard, open plans", "/dashboard"),
    ("dashboard, all plans", "/dashboard?plan=all"),
    ("API queue", "/api/queue"),
    ("API dashboard", "/api/dashboard?plan=all"),
)


def build(folder: Path, pending: int):
    from sqlalchemy import func, select

    from scheduler import store as repo
    from scheduler.config import load_config
    from scheduler.escalation.facts import Action
    from scheduler.plans.ledger import load_ledgers
    from scheduler.plans.units import UnitDirectory
    from scheduler.runtime import Runtime
    from scheduler.store import schema as m
    from scheduler.sweep import run_sweep
    from scheduler.web.accounts import create_user

    config = load_config(ROOT / "config.yaml").model_copy(update={
        "database": f"sqlite:///{folder / 'bench.db'}", "outbox": folder / "out", "base_dir": folder,
        "data_dir": ROOT / "data", "rules_dir": ROOT / "rules", "templates_dir": ROOT / "templates",
        "calendar_dir": ROOT / "data" / "calendar"})
    runtime = Runtime(config)
    with runtime.store.session() as session:
        repo.load_ledgers(session, load_ledgers(ROOT / "data"), UnitDirectory.load(ROOT / "data" / "units.yaml"),
                          config.heating_season_start, now=NOW)
        session.commit()
    for day in (date(2019, 12, 2), date(2019, 12, 20)):
        run_sweep(runtime.store, runtime.rulebook, runtime.calendar, day, heating=config.heating_season_start)
    with runtime.store.session() as session:
        waiting = session.scalar(select(func.count()).select_from(m.Notice).where(
            m.Notice.status == "pending_review")) or 0
        pairs = session.execute(select(m.Assignment.task_id, m.Assignment.unit, m.Task.plan_id)
                                .join(m.Task, m.Task.id == m.Assignment.task_id).order_by(m.Assignment.id)).all()
        actions, k = [], 0
        while waiting + len(actions) < pending:
            task, unit, plan = pairs[k % len(pairs)]
            level = "interview" if k % 4 == 3 else "warning"
            due = date.fromordinal(date(2019, 10, 31).toordinal() - k // len(pairs))
            actions.append(Action(
                key=f"bench-{level}-{k}|{task}|{unit}|{due.isoformat()}", level=level, rule_id=f"overdue-{level}",
                ruleset_id="default", ruleset_version="1", plan_id=plan, task_id=task, unit=unit, due=due,
                kind="overdue", needs_review=True, clause="001 五（五）", facts={"workdays_overdue": 12},
                explanation=f"任务的完成时限{due.isoformat()}已过12个工作日仍未完成（基准测试数据）。"))
            k += 1
        repo.insert_notices(session, actions, date(2019, 12, 20), now=NOW)
        create_user(session, "bench", "bench-password", "coordinator", now=NOW)
        session.commit()
        total = session.scalar(select(func.count()).select_from(m.Notice).where(m.Notice.status == "pending_review"))
        tasks = session.scalar(select(func.count()).select_from(m.Task))
        assignments = len(pairs)
    return config, runtime.store, total, tasks, assignments


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from scheduler.web import create_app

    with tempfile.TemporaryDirectory(prefix="duban-bench-web-") as tmp:
        started = time.perf_counter()
        config, store, total, tasks, assignments = build(Path(tmp), args.pending)
        print(f"store built in {time.perf_counter() - started:.1f} s: {total} awaiting review, {tasks} tasks, "
              f"{assignments} assignments (SQLite)")
        app = create_app(config, store, now=lambda: NOW)
        with TestClient(app) as client:
            client.post("/api/session", json={"name": "bench", "password": "bench-password"}).raise_for_status()
            print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                  f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
            print(f"{'page':<26}{'median ms':>10}{'p90 ms':>9}{'min ms':>9}  bytes")
            for label, path in PAGES:
                client.get(path).raise_for_status()  # warm caches (templates, rule set, calendar)
                times, size = [], 0
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - t0) * 1000)
                    size = len(response.content)
                times.sort()
                print(f"{label:<26}{statistics.median(times):>10.1f}{times[int(len(times) * 0.9) - 1]:>9.1f}"
                      f"{times[0]:>9.1f}  {size}")
        store.dispose()


if __name__ == "__main__":
    main()
