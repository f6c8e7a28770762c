"""The main job on the embedded default: a fresh SQLite store loaded from data/, a simulated
season of 长治 2019-20 run day by day, and a summary per month and county."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from rich.table import Table

from scheduler.clock import SHANGHAI
from scheduler.config import Config
from scheduler.display import progress, render

SEASON = (date(2019, 10, 1), date(2020, 3, 31))
DEMO_METRICS = "metrics/changzhi-2019-20-synthetic.csv"  # under data_dir; SYNTHETIC values, see its README
LEVEL_LABELS = {"reminder": "提醒", "urge": "催办", "warning": "预警通知函", "interview": "约谈"}
COORDINATOR = "演示协调人"


@dataclass
class SeasonTally:
    """Counts of created notices by month and by recipient region."""

    by_month: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_county: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    approved: int = 0
    sweeps: int = 0
    digests: int = 0
    letters: int = 0
    numbers: list[str] = field(default_factory=list)
    metric: Counter = field(default_factory=Counter)  # metric-based notices by level

    def add(self, day: date, county: str, level: str) -> None:
        self.by_month[f"{day.year}-{day.month:02d}"][level] += 1
        self.by_county[county][level] += 1


def _table(title: str, rows: dict[str, Counter], first: str) -> str:
    table = Table(first, *LEVEL_LABELS.values(), "合计", title=title)
    total: Counter[str] = Counter()
    for key in sorted(rows):
        counts = rows[key]
        total.update(counts)
        table.add_row(
            key, *(str(counts[level]) for level in LEVEL_LABELS), str(sum(counts.values()))
        )
    table.add_row("合计", *(str(total[level]) for level in LEVEL_LABELS), str(sum(total.values())))
    return render(table)


def county_of(unit_name: str, directory) -> str:
    """Group a recipient under its county government, or 市直部门 for city-level units."""
    try:
        unit = directory.get(unit_name)
    except KeyError:
        return "其他"
    if unit.kind in ("county_government", "zone_committee"):
        return unit.name.removeprefix(unit.region)
    return "市直部门" if unit.kind == "city_department" else "其他"


def prepare_store(config: Config, out_dir: Path) -> Config:
    """Return a config pointing at a fresh SQLite store and file outbox under `out_dir`."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    return config.model_copy(
        update={"database": f"sqlite:///{out_dir / 'duban.db'}", "outbox": out_dir / "outbox"}
    )


def office_available() -> bool:
    """True when LibreOffice is installed, so the demo's letters get their PDFs as in service."""
    return any(shutil.which(name) for name in ("soffice", "libreoffice"))


def _pdf_line(outbox: Path, made: bool) -> str:
    if not made and office_available():
        return "PDF：按要求未生成（--no-pdf），函件只有 DOCX。"
    if not made:
        return ("PDF：未找到 LibreOffice（soffice），函件只生成了 DOCX；安装 libreoffice-writer-nogui"
                "（scripts/os-deps.sh）后重新运行 make demo 即同时生成 PDF。")
    count = sum(1 for _ in (outbox / "letters").glob("*/*.pdf"))
    return f"PDF：已用 LibreOffice 生成 {count} 份，与 DOCX 一并存入数据库（控制台的函件链接可直接打开）。"


def run_demo(config: Config, out_dir: Path, season: tuple[date, date] = SEASON, *,
             pdf: bool | None = None) -> str:
    """Run the simulated season and return the printed summary. `pdf` None: make PDFs when
    LibreOffice is installed. A progress bar shows the days swept when standard error is a terminal."""
    from scheduler import store as repo
    from scheduler.delivery.run import deliver
    from scheduler.demo.simulate import events_for_day
    from scheduler.escalation.metrics.rules import METRIC_KINDS
    from scheduler.plans.ledger import load_ledgers
    from scheduler.runtime import Runtime

    config = prepare_store(config, out_dir)
    runtime = Runtime(config)
    data_dir = config.path(config.data_dir)
    with runtime.store.session() as session:
        loaded = repo.load_ledgers(
            session,
            load_ledgers(data_dir),
            runtime.directory,
            config.heating_season_start,
            actor="演示",
        )
        session.commit()
    metrics_line = _load_metrics(runtime, config)
    tally = SeasonTally()
    make_pdf = office_available() if pdf is None else pdf
    days = [season[0] + timedelta(days=n) for n in range((season[1] - season[0]).days + 1)]
    for day in progress(days, "模拟秋冬季：逐日扫描、审核、送达"):
        if not runtime.calendar.is_workday(day):
            continue
        tally.approved += _simulate_day(runtime, day, events_for_day, repo)
        result = runtime.sweep(day, instance="demo")
        tally.sweeps += 1
        report = deliver(runtime.store, config, runtime.calendar, day, pdf=make_pdf,
                         now=datetime.combine(day, time(9), tzinfo=SHANGHAI))
        tally.digests += report.digests_sent
        tally.letters += report.letters_sent
        tally.numbers.extend(report.numbers)
        for action in result.created:
            if not action.kind.endswith("|folded"):
                tally.add(day, county_of(action.unit, runtime.directory), action.level)
            if action.kind in METRIC_KINDS:
                tally.metric[action.level] += 1
    bulletins = _monthly_bulletins(runtime, config, season)
    lines = [
        f"演示：长治市 2019-2020 年秋冬季（{season[0]} 至 {season[1]}），模拟进展，每个工作日运行一次扫描。",
        loaded.summary(),
        f"共扫描 {tally.sweeps} 个工作日；协调人次日批准预警与约谈 {tally.approved} 项"
        f"（演示中自动批准；实际由协调人审核）。",
        f"送达：日报 {tally.digests} 份，函件 {tally.letters} 份（文号 {tally.numbers[0] if tally.numbers else '—'} 至 "
        f"{tally.numbers[-1] if tally.numbers else '—'}），写入 {config.outbox}（.eml 与 letters/ 下的 .docx）。",
        _pdf_line(config.path(config.outbox), make_pdf),
        metrics_line,
        f"其中指标类通知（空气质量与进度对照目标）：预警通知函 {tally.metric['warning']}、"
        f"约谈 {tally.metric['interview']}、"
        f"催办 {tally.metric['urge']}（duban metrics status --as-of 2020-01-31 查看序时进度）。",
        f"月度通报（送审稿）{len(bulletins)} 份，写入 {config.outbox / 'bulletins'}（.html、.docx、.json）："
        + "；".join(f"{b.bulletin.period.label}逾期未完成 {b.bulletin.totals.overdue} 项" for b in bulletins),
        _table("按月统计（新建通知）", tally.by_month, "月份"),
        _table("按县区统计（新建通知；市直部门合并）", tally.by_county, "县区"),
        f"数据库：{out_dir / 'duban.db'}（可用 DUBAN_DB=sqlite:///{out_dir / 'duban.db'} duban queue list 查看）",
    ]
    return "\n".join(lines)


def _monthly_bulletins(runtime, config: Config, season: tuple[date, date]) -> list:
    """Draw up the 通报 of every month of the season, as the service does on each month's first working day."""
    from scheduler.letters.bulletin import Period
    from scheduler.publish import publish_bulletins

    published = []
    month = date(season[0].year, season[0].month, 1)
    while month <= season[1]:
        period = Period.month(f"{month.year}-{month.month:02d}")
        published += publish_bulletins(runtime.store, config, runtime.calendar, period,
                                       config.outbox / "bulletins" / period.key, regions=["长治市"], pdf=False)
        month = period.end + timedelta(days=1)
    return published


def demo_arrangement(on: date) -> dict[str, str]:
    """What the simulated coordinator enters when approving an interview: a working day a week on."""
    return {"time": f"{on.year}年{on.month}月{on.day}日上午9时", "place": "市生态环境局三楼会议室",
            "attendees": "分管负责同志、相关部门主要负责同志", "contact": "市大气办 王明，0355-2021234"}


def _simulate_day(runtime, day: date, events_for_day, repo) -> int:
    """Record the day's simulated progress, then let the coordinator approve what waited a day."""
    with runtime.store.session() as session:
        facts = repo.task_facts(
            session, day, plan_ids=["changzhi-2019"], heating=runtime.config.heating_season_start
        )
        for event in events_for_day(facts, day):
            if event.kind == "report":
                repo.report_progress(
                    session,
                    event.task_id,
                    event.unit,
                    event.status,
                    event.percent,
                    event.note,
                    event.unit,
                    day,
                )
            else:
                repo.sign_off(session, event.task_id, COORDINATOR, day, event.note)
        waiting = [
            n.id
            for n in repo.review_queue(session, statuses=("pending_review",))
            if n.created_on < day
        ]
        if waiting:
            repo.decide_notices(session, waiting, "approve", COORDINATOR, "演示：按规则批准",
                                arrangement=demo_arrangement(runtime.calendar.add_workdays(day, 5)))
        session.commit()
    return len(waiting)


def _load_metrics(runtime, config: Config) -> str:
    """Import the SYNTHETIC air-quality season through the same path as `duban metrics import`."""
    from scheduler.escalation.metrics import regions_from
    from scheduler.escalation.metrics.values import import_file
    from scheduler.store.metrics import save_import

    report = import_file(config.path(config.data_dir) / DEMO_METRICS, regions_from(runtime.directory))
    with runtime.store.session() as session:
        save_import(session, report, "演示")
        session.commit()
    return (f"空气质量数据（合成，非监测数据）：data/{DEMO_METRICS} 导入 {len(report.values)} 条，"
            f"问题 {report.bad_rows} 行，缺测 {len(report.gaps)} 段。")
