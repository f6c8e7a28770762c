"""How long a logged-in user waits while 100 bad logins arrive at once, and what they cost in memory.

Run as `.venv/bin/python bench/bench_login_flood.py [--attackers 100] [--code DIR]`. A real uvicorn
server on loopback (in a thread of this process) serves the console over a fresh SQLite store with one
coordinator account. The user logs in, then `--attackers` threads post a wrong password for as many
names to /api/session at the same moment, while the user keeps asking for /api/session; the script
prints the user's slowest and median answer during the flood, how the attackers were answered, and
the process's resident memory before and at its peak. `--code DIR` runs another checkout's
`scheduler` package (e.g. an older commit unpacked with `git archive`) to compare.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2019, 12, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "bench-password"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def post_json(port: int, path: str, body: dict, cookie: str = "") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    connection.request("POST", path, json.dumps(body), headers)
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("set-cookie", "") or ""
    connection.close()
    return response.status, cookie.split(";")[0]


def get(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def flood(config, store, attackers: int) -> dict:
    """Serve `store` on a free port, flood its login, and return the measurements."""
    import socket

    from scheduler.web.server import WebThread, make_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    thread = WebThread(make_server(config, store, "127.0.0.1", port, now=lambda: NOW)).start()
    try:
        status, cookie = post_json(port, "/api/session", {"name": "bench", "password": PASSWORD})
        assert status == 200, status
        assert get(port, "/api/session", cookie) == 200
        before = rss_mib()
        peak = [before]
        answers: Counter[int] = Counter()
        waits: list[float] = []
        done = threading.Event()
        start = threading.Barrier(attackers + 1)

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mib())
                time.sleep(0.02)

        def attack(n: int) -> None:
            start.wait()
            status, _ = post_json(port, "/api/session", {"name": f"guess-{n}", "password": f"wrong-{n}"})
            answers[status] += 1

        threads = [threading.Thread(target=attack, args=(n,)) for n in range(attackers)]
        sampler = threading.Thread(target=sample)
        sampler.start()
        for t in threads:
            t.start()
        started = time.perf_counter()
        start.wait()
        while any(t.is_alive() for t in threads):
            t0 = time.perf_counter()
            assert get(port, "/api/session", cookie) == 200
            waits.append(time.perf_counter() - t0)
            time.sleep(0.05)
        flood_seconds = time.perf_counter() - started
        for t in threads:
            t.join()
        done.set()
        sampler.join()
        return {"flood_seconds": flood_seconds, "user_max": max(waits, default=0.0),
                "user_median": statistics.median(waits) if waits else 0.0, "user_requests": len(waits),
                "answers": dict(answers), "rss_before": before, "rss_peak": peak[0]}
    finally:
        thread.stop()


def build(folder: Path):
    from scheduler.config import load_config
    from scheduler.store import open_store
    from scheduler.web.accounts import create_user

    config = load_config(ROOT / "config.yaml").model_copy(update={
        "database": f"sqlite:///{folder / 'bench.db'}", "outbox": folder / "out", "base_dir": folder,
        "data_dir": ROOT / "data", "rules_dir": ROOT / "rules", "templates_dir": ROOT / "templates",
        "calendar_dir": ROOT / "data" / "calendar"})
    store = open_store(config.database)
    with store.session() as session:
        create_user(session, "bench", PASSWORD, "coordinator", now=NOW)
        session.commit()
    return config, store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attackers", type=int, default=100)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose scheduler package to run")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    import scheduler

    with tempfile.TemporaryDirectory(prefix="duban-bench-login-") as tmp:
        config, store = build(Path(tmp))
        result = flood(config, store, args.attackers)
        store.dispose()
    print(f"code: {Path(scheduler.__file__).parent}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{args.attackers} parallel bad logins answered in {result['flood_seconds']:.1f} s: {result['answers']}")
    print(f"logged-in user during the flood: {result['user_requests']} requests, median "
          f"{result['user_median'] * 1000:.0f} ms, slowest {result['user_max'] * 1000:.0f} ms")
    print(f"resident memory: {result['rss_before']:.0f} MiB before, {result['rss_peak']:.0f} MiB at peak")


if __name__ == "__main__":
    main()
