"""`duban serve`: APScheduler 3.x as a clock only; exactly-once lives in the database.

Static jobs in code, in-memory job store, Asia/Shanghai, coalesce, and a misfire grace that covers
a slow start. Each run records its business day (sweep_runs) so the next run can catch up, and
notices go in under unique keys and deliveries are claimed row by row, so a second instance or a
restart the same day creates and sends nothing twice. Rules, templates and data are validated before the first
job: a broken rule set stops the start instead of running half of it.

Between the daily delivery and the evening's quiet hours an interval job runs delivery again every
`service.deliver_every_minutes`, so a retry due at 09:05, or a letter approved at 10:00, goes out
the same day instead of the next. It never runs before the daily delivery (today's digests go out
at deliver_at, not earlier) nor in quiet hours, and it shares a lock with the daily job so one
process never runs two deliveries at once; across processes the claimed rows keep sends single.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from time import sleep
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

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
    hour, minute = _hour_minute(config.service.sweep_at)
    scheduler.add_job(_run_for_today("daily-sweep", sweep), CronTrigger(hour=hour, minute=minute, timezone=zone),
                      id="daily-sweep")
    sending = threading.Lock()  # one delivery at a time in this process: daily and interval alike
    hour, minute = _hour_minute(config.service.deliver_at)
    scheduler.add_job(_run_for_today("daily-deliver", _holding(sending, deliver)),
                      CronTrigger(hour=hour, minute=minute, timezone=zone), id="daily-deliver")
    every = config.service.deliver_every_minutes
    if every:
        # Anchored at deliver_at: the runs fall on deliver_at + k*every; the one at deliver_at
        # itself (and any before it, or in quiet hours) does nothing, see interval_skip_reason.
        anchor = datetime.combine(date(2000, 1, 3), time(hour, minute), tzinfo=zone)
        scheduler.add_job(_run_between(config, sending, deliver),
                          IntervalTrigger(minutes=every, start_date=anchor, timezone=zone), id="interval-deliver",
                          coalesce=True, max_instances=1, misfire_grace_time=every * 60)
    # Daily after delivery; it drafts last month's 通报 on the month's first working day (or the
    # next one the service is up) and does nothing on the other days. (hour, minute: deliver_at)
    scheduler.add_job(_run_for_today("monthly-bulletin", bulletin or _bulletin_drafts(config)),
                      CronTrigger(hour=hour, minute=minute, second=30, timezone=zone), id="monthly-bulletin")
    return scheduler


def _bulletin_drafts(config: Config) -> Callable[[date], object]:
    def run(day: date) -> object:
        from scheduler.publish import monthly_drafts

        return [str(item.files.get("docx")) for item in monthly_drafts(config, day)]

    return run


def interval_skip_reason(config: Config, now: datetime) -> str:
    """Why an interval delivery at `now` does nothing ("" when it runs): before or at today's daily
    delivery (which sends today's digests first), or in quiet hours. Non-working days are refused
    by delivery itself."""
    local = now.astimezone(ZoneInfo(config.timezone))
    hour, minute = _hour_minute(config.service.deliver_at)
    first = datetime.combine(local.date(), time(hour, minute), tzinfo=local.tzinfo) + timedelta(minutes=1)
    if local < first:
        return f"before the daily delivery at {config.service.deliver_at}"
    quiet = config.delivery.quiet_hours
    if quiet is not None and quiet.contains(local.time()):
        return f"quiet hours {quiet.start}-{quiet.end}"
    return ""


def _holding(lock: threading.Lock, func: Callable[[date], object]) -> Callable[[date], object]:
    """Run `func` holding `lock`: the daily delivery waits for an interval run to finish."""
    def run(day: date) -> object:
        with lock:
            return func(day)

    return run


def _run_between(config: Config, lock: threading.Lock, deliver: Callable[[date], object]) -> Callable[[], None]:
    """The interval delivery: today's due messages and retries, outside the daily run and quiet hours."""
    def run() -> None:
        now = clock.now()
        why = interval_skip_reason(config, now)
        if why:
            log.debug("job interval-deliver skipped at %s: %s", now.isoformat(timespec="minutes"), why)
            return
        if not lock.acquire(blocking=False):
            log.info("job interval-deliver skipped: another delivery is running")
            return
        try:
            today = now.date()
            try:
                result = deliver(today)
            except Exception:  # the next interval run retries
                log.exception("job interval-deliver failed for %s", today)
                return
            level = logging.INFO if _did_something(result) else logging.DEBUG
            log.log(level, "job interval-deliver finished for %s: %s", today, result)
        finally:
            lock.release()

    return run


def _did_something(result: object) -> bool:
    if not isinstance(result, dict):
        return True
    return any(result.get(name) for name in ("digests_sent", "letters_sent", "retried", "dead", "errors"))


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
        log.info("service started: sweep at %s, delivery at %s and every %s min after it (%s)",
                 config.service.sweep_at, config.service.deliver_at, config.service.deliver_every_minutes or "-",
                 config.timezone)
        while not stopping:
            sleep(0.5)
        log.info("signal %s: shutting down after the running job", stopping[0])
        scheduler.shutdown(wait=True)
    log.info("service stopped")
