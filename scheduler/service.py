"""`duban serve`: APScheduler 3.x as a clock only; exactly-once lives in the database.

Static jobs in code, in-memory job store, Asia/Shanghai, coalesce, and a misfire grace that covers
a slow start. Each run records its business day (sweep_runs) so the next run can catch up, and
notices go in under unique keys and deliveries are claimed row by row, so a second instance or a
restart the same day creates and sends nothing twice. Rules, templates and data are validated before the first
job: a broken rule set stops the start instead of running half of it.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import date, time
from time import sleep
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from scheduler import clock
from scheduler.config import Config

log = logging.getLogger("duban.service")


def _hour_minute(text: str) -> tuple[int, int]:
    hour, minute = text.split(":")
    return int(hour), int(minute)


def build_scheduler(config: Config, sweep: Callable[[date], object],
                    deliver: Callable[[date], object],
                    bulletin: Callable[[date], object] | None = None) -> BackgroundScheduler:
    """Return a scheduler with the daily sweep and delivery jobs and the monthly 通报 (not started)."""
    zone = ZoneInfo(config.timezone)
    scheduler = BackgroundScheduler(
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": config.service.misfire_grace_seconds},
    )
    for job_id, at, func in (("daily-sweep", config.service.sweep_at, sweep),
                             ("daily-deliver", config.service.deliver_at, deliver)):
        hour, minute = _hour_minute(at)
        scheduler.add_job(_run_for_today(job_id, func), CronTrigger(hour=hour, minute=minute,
                                                                    timezone=zone), id=job_id)
    # Daily after delivery; it drafts last month's 通报 on the month's first working day (or the
    # next one the service is up) and does nothing on the other days.
    hour, minute = _hour_minute(config.service.deliver_at)
    scheduler.add_job(_run_for_today("monthly-bulletin", bulletin or _bulletin_drafts(config)),
                      CronTrigger(hour=hour, minute=minute, second=30, timezone=zone), id="monthly-bulletin")
    return scheduler


def _bulletin_drafts(config: Config) -> Callable[[date], object]:
    def run(day: date) -> object:
        from scheduler.bulletin import monthly_drafts

        return [str(item.files.get("docx")) for item in monthly_drafts(config, day)]

    return run


def _run_for_today(job_id: str, func: Callable[[date], object]) -> Callable[[], None]:
    def run() -> None:
        today = clock.today()
        log.info("job %s starts for %s", job_id, today)
        try:
            result = func(today)
        except Exception:  # the service must keep running; the next day retries
            log.exception("job %s failed for %s", job_id, today)
            return
        log.info("job %s finished for %s: %s", job_id, today, result)

    return run


def serve(config: Config, sweep: Callable[[date], object], deliver: Callable[[date], object]) -> None:
    """Run until SIGTERM/SIGINT. Started after today's sweep time, it sweeps today at once (the
    sweep's unique keys make that harmless if today already ran)."""
    scheduler = build_scheduler(config, sweep, deliver)

    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        # Only record the signal: a handler that logs or takes a lock can deadlock when the signal
        # lands while the main thread holds that lock. The main thread does the shutting down.
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    hour, minute = _hour_minute(config.service.sweep_at)
    if clock.now().time() >= time(hour, minute):
        _run_for_today("catch-up-sweep", sweep)()
    if not stopping:
        scheduler.start()
        log.info("service started: sweep at %s, delivery at %s (%s)", config.service.sweep_at,
                 config.service.deliver_at, config.timezone)
        while not stopping:
            sleep(0.5)
        log.info("signal %s: shutting down after the running job", stopping[0])
        scheduler.shutdown(wait=True)
    log.info("service stopped")
