"""Measure delivery at province scale, and two instances at once (sweep and delivery).

Run as `.venv/bin/python bench/bench_delivery.py [--assignments 1000000] [--db sqlite|postgresql|both]
[--repeat 3]`.
The province is bench_sweep.py's (synthetic 长治 plans, 10 units per task) swept on 2019-11-20;
then, each in its own subprocess so ru_maxrss is that measurement's alone:
- deliver: one instance delivers the day into the file outbox (one digest per unit, every queued
  reminder and urge in it; escalations wait for review and are not sent); `--repeat` runs it that
  many times from scratch and reports the median time and peak memory;
- deliver x2: the same day again from scratch, two instance processes started together; the
  digests must be written once in total;
- sweep x2: the notices emptied, two instance processes sweep the same day together; the notices
  created must add up to one sweep's.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_sweep  # noqa: E402
from bench_sweep import AS_OF, _peak_mb  # noqa: E402


def child_deliver(url: str, outbox: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from scheduler.clock import SHANGHAI
    from scheduler.config import load_config
    from scheduler.delivery.run import deliver
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.store import open_store
    from scheduler.store import schema as m

    config = load_config(ROOT / "config.yaml").model_copy(update={"database": url, "outbox": Path(outbox)})
    calendar = WorkCalendar.load(ROOT / "data" / "calendar")
    store = open_store(url, migrate=False)
    base = _peak_mb()
    start = time.perf_counter()
    report = deliver(store, config, calendar, AS_OF, now=datetime.combine(AS_OF, time_of_day(9), tzinfo=SHANGHAI),
                     pdf=False)
    seconds = time.perf_counter() - start
    with store.session() as session:
        sent = session.scalar(select(func.count()).select_from(m.Notice).where(m.Notice.status == "sent"))
    store.dispose()
    return {"seconds": seconds, "digests": report.digests_sent, "letters": report.letters_sent,
            "errors": len(report.errors), "notices_sent_in_store": sent, "peak_mb": _peak_mb(), "base_mb": base}


def child_undeliver(url: str) -> dict[str, Any]:
    """Put the day back as swept, nothing delivered."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM deliveries"))
        connection.execute(text("DELETE FROM audit_log WHERE action LIKE 'delivery.%'"))
        connection.execute(text("UPDATE notices SET status = 'queued', sent_on = NULL WHERE status = 'sent'"))
    engine.dispose()
    return {}


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _answer(process: subprocess.Popen) -> dict[str, Any]:
    out, err = process.communicate(timeout=3600)
    if process.returncode != 0:
        raise RuntimeError(f"child failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _sweep_child(url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "bench_sweep.py"), "--child", "sweep", url,
                             AS_OF.isoformat()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def bench(kind: str, url: str, assignments: int, scratch: Path, log, repeat: int = 1) -> dict[str, Any]:
    build = bench_sweep._child("build", url, str(assignments))
    log(f"[{kind}] built {build['assignments']:,} assignments in {build['seconds']:.0f} s")
    sweep = bench_sweep._child("sweep", url, AS_OF.isoformat())
    log(f"[{kind}] sweep: {sweep['created']:,} notices in {sweep['seconds']:.1f} s, {sweep['peak_mb']:.0f} MB")
    runs = []
    for attempt in range(repeat):
        if attempt:
            _answer(_spawn("undeliver", url))
        runs.append(_answer(_spawn("deliver", url, str(scratch / f"{kind}-one-{attempt}"))))
    one = {**runs[-1], "seconds": statistics.median(r["seconds"] for r in runs),
           "peak_mb": statistics.median(r["peak_mb"] for r in runs),
           "runs": [{"seconds": round(r["seconds"], 2), "peak_mb": round(r["peak_mb"])} for r in runs]}
    log(f"[{kind}] deliver, one instance: {one['digests']} digests carrying {one['notices_sent_in_store']:,} notices "
        f"in {one['seconds']:.1f} s = {one['digests'] / one['seconds']:.1f} digests/s, "
        f"{one['notices_sent_in_store'] / one['seconds']:,.0f} notices/s, {one['peak_mb']:.0f} MB "
        f"(median of {repeat}: {one['runs']})")
    _answer(_spawn("undeliver", url))
    started = time.perf_counter()
    pair = [_spawn("deliver", url, str(scratch / f"{kind}-pair")) for _ in range(2)]
    two = [_answer(p) for p in pair]
    wall = time.perf_counter() - started
    digests = sum(r["digests"] for r in two)
    files = len(list((scratch / f"{kind}-pair").rglob("*.eml")))
    log(f"[{kind}] deliver, two instances: {[r['digests'] for r in two]} digests (sum {digests}, files {files}) "
        f"in {wall:.1f} s wall ({[round(r['seconds'], 1) for r in two]} s each), "
        f"{[round(r['peak_mb']) for r in two]} MB")
    bench_sweep._child("reset", url)
    started = time.perf_counter()
    sweeps = [_answer(p) for p in [_sweep_child(url), _sweep_child(url)]]
    sweep_wall = time.perf_counter() - started
    created = sum(s["created"] for s in sweeps)
    log(f"[{kind}] sweep, two instances: created {[s['created'] for s in sweeps]} (sum {created:,}) in "
        f"{sweep_wall:.1f} s wall ({[round(s['seconds'], 1) for s in sweeps]} s each), "
        f"{[round(s['peak_mb']) for s in sweeps]} MB")
    return {"build": build, "sweep": sweep, "deliver": one, "deliver_pair": two, "deliver_pair_wall": wall,
            "deliver_pair_files": files, "sweep_pair": sweeps, "sweep_pair_wall": sweep_wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="one-instance delivery runs (median reported)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, *rest = args.child
        result = {"deliver": child_deliver, "undeliver": child_undeliver}[name](*rest)
        print(json.dumps(result))
        return
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"{args.assignments:,} assignments", flush=True)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    scratch = Path(tempfile.mkdtemp(prefix="duban-delivery-"))
    server = bench_sweep._pg_server() if "postgresql" in kinds else None
    results = {}
    try:
        for kind in kinds:
            url = f"sqlite:///{scratch / 'province.db'}" if kind == "sqlite" else server.create_database()
            results[kind] = bench(kind, url, args.assignments, scratch, lambda line: print(line, flush=True),
                                  args.repeat)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
