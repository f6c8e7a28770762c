"""Measure daily digests per second through SMTP (target 200/s), with aiosmtpd on loopback.

Three figures, each the median of RUNS runs:
- channel, server in-process: what bench_letters.py measures (render text + HTML, send over one
  session); the server competes with the sender for the GIL;
- channel, server in its own process (`python -m aiosmtpd`, the Sink handler): the sender alone;
- deliver(), end to end: N units with an e-mail contact and one reminder each in a fresh store
  (SQLite file, and/or a PostgreSQL database on a throwaway cluster with fsync on, so that a commit
  costs its WAL flush as in production), `duban deliver`'s path (claim, render, send, record) to the
  out-of-process server;
and, for reference, one SMTP session per message (the channel before sessions were reused).

Run: .venv/bin/python bench/bench_smtp.py [--digests 400] [--runs 5] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402

from scheduler.clock import SHANGHAI  # noqa: E402
from scheduler.delivery.channels.base import OutgoingMessage  # noqa: E402
from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings  # noqa: E402
from scheduler.letters.content import sample_digest  # noqa: E402
from scheduler.letters.render import Renderer  # noqa: E402

DAY = date(2019, 12, 20)
NOW = datetime(2019, 12, 20, 9, 0, tzinfo=SHANGHAI)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def median(rates: list[float]) -> str:
    return f"median {statistics.median(rates):.0f}/s (runs: {', '.join(f'{r:.0f}' for r in rates)})"


class _Sink:
    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        return "250 OK"


def _messages(renderer: Renderer, n: int, run: int) -> list[OutgoingMessage]:
    digest = sample_digest()
    return [OutgoingMessage(key=f"digest|{digest.unit}|2019-12-20|{run}-{i}", day=DAY, unit=digest.unit,
                            subject=f"督办事项汇总：{digest.unit}（2019年12月20日，共{digest.total}项）",
                            text=renderer.digest_text(digest), html=renderer.digest_html(digest),
                            to=("dqb@luzhou.gov.cn",)) for i in range(n)]


def channel_rates(renderer: Renderer, port: int, n: int, runs: int, *, reuse: bool = True) -> list[float]:
    """Render and send n digests; reuse one session, or open one per message (reuse=False)."""
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=10)
    rates = []
    for run in range(runs):
        channel = SmtpChannel(settings, now=lambda: NOW)
        start = time.perf_counter()
        for message in _messages(renderer, n, run):
            channel.send(message)
            if not reuse:
                channel.close()
        channel.close()
        rates.append(n / (time.perf_counter() - start))
    return rates


def durable_postgres():
    """The tests' throwaway cluster, restarted without -F: fsync on, each commit flushes the WAL."""
    from tests.conftest import PostgresServer, _pg_bin

    bindir = _pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    server = PostgresServer(bindir)
    server._run("pg_ctl", "-D", str(server.dir / "data"), "-l", str(server.dir / "log"), "-w", "-o",
                f"-p {server.port} -k {server.dir} -h 127.0.0.1", "restart")
    return server


def deliver_rates(port: int, n: int, runs: int, new_url=None) -> list[float]:
    """Time deliver() for n units with one reminder each (a fresh store per run: SQLite, or the
    database `new_url()` creates)."""
    from scheduler import store as repo
    from scheduler.config import Config, SmtpConfig
    from scheduler.delivery.run import deliver
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.escalation.facts import Action
    from scheduler.store import open_store
    from scheduler.store import schema as m

    root = Path(__file__).resolve().parents[1]
    calendar = WorkCalendar.load(root / "data" / "calendar")
    rates = []
    for _run in range(runs):
        with tempfile.TemporaryDirectory(prefix="duban-bench-smtp-") as tmp:
            store = open_store(new_url() if new_url else f"sqlite:///{tmp}/duban.db")
            with store.session() as session:
                session.add_all([m.Unit(name=f"测试县{i}人民政府", id=f"u{i}", kind="county_government",
                                        region="长治市") for i in range(n)])
                session.flush()
                session.add_all([m.Contact(unit=f"测试县{i}人民政府", channel="email", address=f"u{i}@example.cn")
                                 for i in range(n)])
                session.flush()
                repo.insert_notices(session, [Action(
                    key=f"bench|{i}", level="reminder", rule_id="remind-before-due", ruleset_id="default",
                    ruleset_version="1", plan_id="bench", task_id=None, unit=f"测试县{i}人民政府",
                    due=date(2019, 12, 31), kind="before_due", needs_review=False, clause="基准测试",
                    explanation="基准测试提醒") for i in range(n)], DAY, NOW)
                session.commit()
            config = Config(base_dir=Path(tmp), outbox=Path(tmp) / "out", templates_dir=root / "templates")
            config = config.model_copy(update={"delivery": config.delivery.model_copy(update={"smtp": SmtpConfig(
                host="127.0.0.1", port=port, security="none", sender="dqb@example.cn", timeout=10)})})
            start = time.perf_counter()
            report = deliver(store, config, calendar, DAY, now=NOW, pdf=False)
            elapsed = time.perf_counter() - start
            assert report.digests_sent == n and not report.errors, report.errors[:3]
            rates.append(n / elapsed)
            store.dispose()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--digests", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite",
                        help="store(s) for the deliver() figure")
    parser.add_argument("--deliver-only", action="store_true", help="skip the channel figures")
    args = parser.parse_args()
    n, runs = args.digests, args.runs
    renderer = Renderer()
    print(f"{platform.node()} {platform.machine()} Python {platform.python_version()} "
          f"{datetime.now(SHANGHAI):%Y-%m-%d} — {n} digests per run, {runs} runs")

    if not args.deliver_only:
        controller = Controller(_Sink(), hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            print(f"channel, server in-process:      {median(channel_rates(renderer, controller.port, n, runs))}")
        finally:
            controller.stop()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                               "-l", f"127.0.0.1:{port}"])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        if not args.deliver_only:
            print(f"channel, server own process:     {median(channel_rates(renderer, port, n, runs))}")
        if args.db in ("sqlite", "both"):
            print(f"deliver() end to end, SQLite:    {median(deliver_rates(port, n, runs))}", flush=True)
        if args.db in ("postgresql", "both"):
            postgres = durable_postgres()
            try:
                rates = deliver_rates(port, n, runs, postgres.create_database)
                print(f"deliver() end to end, PostgreSQL: {median(rates)}", flush=True)
            finally:
                postgres.stop()
        if not args.deliver_only:
            print(f"reference, a session per message: {median(channel_rates(renderer, port, n, runs, reuse=False))}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("target: 200 digests/s")


if __name__ == "__main__":
    main()
