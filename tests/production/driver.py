"""One service instance under a test's control: runs the service's two daily jobs (sweep, then
delivery) for the simulated days its parent names, with an explicit clock.

`duban serve` runs the same two functions on a wall-clock timer; here the parent process says
which business day it is and at what time, so several instances can live through a month in a
minute, and a crash test can kill -9 one in the middle of a job. Protocol: one command per line
on stdin, one JSON line per command on stdout:

    sweep 2020-11-02             -> {"ok": true, "created": [keys...]}
    deliver 2020-11-02 09:00     -> {"ok": true, "report": {...DeliveryReport}}
    quit

Before the first command it prints {"ready": true}. A job that raises is reported, not fatal,
as in the service (the next run picks up the work).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from datetime import date, datetime, time

from scheduler.clock import SHANGHAI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--outbox", required=True)
    parser.add_argument("--instance", default="driver")
    parser.add_argument("--smtp-port", type=int, default=0, help="loopback SMTP server; 0: file outbox only")
    args = parser.parse_args(argv)

    from pathlib import Path

    from scheduler.config import load_config
    from scheduler.delivery.run import deliver
    from scheduler.runtime import Runtime
    from scheduler.sweep import run_sweep

    config = load_config(args.config).model_copy(update={"database": args.db, "outbox": Path(args.outbox)})
    runtime = Runtime(config)
    runtime.store, runtime.rulebook, runtime.calendar  # noqa: B018 - open and validate before "ready"
    settings = {"smtp": {"host": "127.0.0.1", "port": args.smtp_port, "security": "none",
                         "sender": "dqb@example.gov.cn", "timeout": 5}} if args.smtp_port else {}

    def say(value: dict) -> None:
        sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()

    say({"ready": True})
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        try:
            day = date.fromisoformat(words[1])
            if words[0] == "sweep":
                result = run_sweep(runtime.store, runtime.rulebook, runtime.calendar, day, instance=args.instance,
                                   grace_days=config.service.closed_plan_grace_days,
                                   heating=config.heating_season_start)
                say({"ok": True, "created": [action.key for action in result.created]})
            elif words[0] == "deliver":
                at = time.fromisoformat(words[2]) if len(words) > 2 else time(9)
                now = datetime.combine(day, at, tzinfo=SHANGHAI)
                report = deliver(runtime.store, config, runtime.calendar, day, now=now, pdf=False, settings=settings)
                say({"ok": True, "report": report.to_json()})
            else:
                say({"ok": False, "error": f"unknown command {words[0]}"})
        except Exception as exc:  # noqa: BLE001 - reported like the service logs it, then the next command
            say({"ok": False, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})
    runtime.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
