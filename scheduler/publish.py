"""Publish the 通报: write each region's drafts (HTML, GB/T 9704 DOCX, PDF, JSON); the monthly job.

The edge: it opens sessions, reads the work calendar and writes files; the counting is in ranking.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler.letters.bulletin.document import REPLY_WORKDAYS, bulletin_letter, first_workday_after
from scheduler.letters.bulletin.ranking import Bulletin, Period, compute_bulletin, previous_month
from scheduler.letters.content import LetterContext, zh_date
from scheduler.letters.numbers import draft_number, parse_number

if TYPE_CHECKING:
    from scheduler.config import Config
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.letters.render import Renderer
    from scheduler.store import Store


@dataclass
class PublishedBulletin:
    """One region's bulletin and the files written for it."""

    bulletin: Bulletin
    letter: LetterContext
    files: dict[str, Path] = field(default_factory=dict)  # html, docx, pdf, json

    def to_json(self) -> dict[str, Any]:
        return {**self.bulletin.to_json(), "number": self.letter.number, "date": self.letter.date.isoformat(),
                "issuer": self.letter.issuer, "files": {k: str(v) for k, v in self.files.items()}}


def file_stem(bulletin: Bulletin, draft: bool = True) -> str:
    """Name the files after region and period: 通报-长治市-2019-12（送审稿） for a draft."""
    name = f"通报-{bulletin.region}-{bulletin.period.key}{'（送审稿）' if draft else ''}"
    return re.sub(r"[^\w\-（）]+", "_", name)


def publish_bulletins(
    store: Store, config: Config, calendar: WorkCalendar, period: Period, out_dir: Path, *,
    regions: Sequence[str] | None = None, issued: date | None = None, number: str = "", pdf: bool = True,
    renderer: Renderer | None = None, offices: Sequence[str] | None = None,
) -> list[PublishedBulletin]:
    """Compute each region's bulletin and write it as HTML, DOCX (GB/T 9704) and PDF drafts.

    `offices` keeps the regions those offices issue for (scheduler.store.offices): an office
    publishes its own 通报, never one on another office's counties. The issuing office of each
    region is config.letter_issuers; without `regions`, a region that has none is left out (`duban
    check` names it), and a region asked for by name that has none is a LookupError saying so.

    A draft's document number has its serial blank ("长大气办函〔2020〕　号"): the office numbers the
    bulletin in its own register when it signs it off. `number` prints a number already assigned.
    """
    from scheduler.letters.pdf import docx_to_pdf_batch
    from scheduler.letters.render import Renderer
    from scheduler.store.bulletin import bulletin_facts, regions_with_plans
    renderer = renderer or Renderer(config.path(config.templates_dir))
    day = issued or first_workday_after(period, calendar.is_workday)
    if number:  # typed brackets and padding are normalised; the year must be the date's
        parsed = parse_number(number, file="--number")
        if parsed.year != day.year:
            raise LookupError(f"发文字号 {parsed} 的年份与成文日期 {zh_date(day)} 不一致")
        number = str(parsed)
    published: list[PublishedBulletin] = []
    with store.session() as session:
        issuers = config.letter_issuers
        wanted = list(regions) if regions else [r for r in regions_with_plans(session, period) if issuers.covers(r)]
        if offices is not None:
            wanted = [region for region in wanted if issuers.office_of(region) in set(offices)]
        for region in wanted:
            tasks, letters, kinds, plans = bulletin_facts(session, region, period, config.heating_season_start)
            if not plans:
                raise LookupError(f"{region}在{period.label}没有执行中的方案，无法生成通报")
            bulletin = compute_bulletin(region, period, tasks, letters, kinds, plans)
            issuer = issuers.for_region(region)
            head = bulletin_letter(bulletin, issuer.name, number or draft_number(issuer.prefix, day.year), day,
                                   calendar.add_workdays(day, REPLY_WORKDAYS))
            published.append(PublishedBulletin(bulletin, head))
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in published:
        stem = out_dir / file_stem(item.bulletin, draft=not number)
        tables = item.bulletin.tables()
        html = stem.with_suffix(".html")
        html.write_text(renderer.document_html(item.letter, tables, bulletin=item.bulletin), encoding="utf-8")
        docx = renderer.document_docx(item.letter, tables, stem.with_suffix(".docx"), bulletin=item.bulletin)
        item.files = {"html": html, "docx": docx}
    if pdf and published:
        for item, path in zip(published, docx_to_pdf_batch([p.files["docx"] for p in published], out_dir)):
            item.files["pdf"] = path
    for item in published:  # the figures, for whoever checks or circulates them by machine
        data = item.files["docx"].with_suffix(".json")
        item.files["json"] = data
        data.write_text(json.dumps(item.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return published


def monthly_drafts(config: Config, day: date, *, pdf: bool = True) -> list[PublishedBulletin]:
    """The service's monthly job: on a working day, draw up last month's drafts unless they exist.

    Runs every day; the first working day of a month writes them, and a service that was down on
    that day catches up on the next working day. The .json file is written last, so a run that
    failed half-way (LibreOffice missing) is retried the next day.
    """
    from scheduler.runtime import Runtime

    runtime = Runtime(config)
    if not runtime.calendar.is_workday(day):
        return []
    period = previous_month(day)
    out = config.path(config.outbox) / "bulletins" / period.key
    if out.is_dir() and any(out.glob("*.json")):
        return []
    try:
        return publish_bulletins(runtime.store, config, runtime.calendar, period, out, issued=day, pdf=pdf)
    finally:
        runtime.store.dispose()
