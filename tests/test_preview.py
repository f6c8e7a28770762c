"""Preview on the 长治 ledger (SQLite and PostgreSQL): day by day and unit by unit what would go out
if nothing changes, from the real sweep run in a scratch store that leaves the store unchanged."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from scheduler import store as repo
from scheduler.config import load_config
from scheduler.issuers import SHIPPED, Issuers
from scheduler.plans.ledger import load_ledgers
from scheduler.preview import describe, preview
from scheduler.runtime import Runtime
from scheduler.store import schema as m
from scheduler.store.offices import office_names

ROOT = Path(__file__).resolve().parents[1]
SWEPT = date(2019, 12, 2)  # the store's last sweep: 长治's November deadlines are just past
pytestmark = pytest.mark.slow  # loads and sweeps the whole 长治 ledger for every test (1-2 s each)


@pytest.fixture
def runtime(store_url: str, tmp_path: Path):
    config = load_config(ROOT / "config.yaml").model_copy(update={
        "database": store_url, "outbox": tmp_path / "out", "base_dir": tmp_path, "data_dir": ROOT / "data",
        "rules_dir": ROOT / "rules", "templates_dir": ROOT / "templates", "calendar_dir": ROOT / "data" / "calendar",
    })
    runtime = Runtime(config)
    with runtime.store.session() as session:
        changzhi = [ledger for ledger in load_ledgers(ROOT / "data") if ledger.plan.id == "changzhi-2019"]
        repo.load_ledgers(session, changzhi, runtime.directory, config.heating_season_start)
        session.commit()
    runtime.sweep(SWEPT)
    yield runtime
    runtime.store.dispose()


def sweeper(runtime: Runtime):
    def sweep(store, day):
        from scheduler.sweep import run_sweep

        return run_sweep(store, runtime.rulebook, runtime.calendar, day, heating=runtime.config.heating_season_start)

    return sweep


def every_row(runtime: Runtime) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: what "unchanged" means on any database."""
    tables = MetaData()
    tables.reflect(runtime.store.engine)
    with runtime.store.engine.connect() as connection:
        return {name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns
                                                                                         or table.columns))]
                for name, table in tables.tables.items()}


def run(runtime: Runtime, start: date, end: date, **options):
    return preview(runtime.store, sweeper(runtime), runtime.calendar.is_workday, start, end,
                   issuer_for=runtime.config.letter_issuers.for_region, **options)


def test_a_preview_leaves_every_row_as_it_was(runtime):
    before = every_row(runtime)
    result = run(runtime, date(2019, 12, 3), date(2019, 12, 13))
    assert result.totals()["warning"] > 0  # it did sweep, number and settle in its scratch store
    assert every_row(runtime) == before


def test_a_preview_leaves_the_sqlite_file_byte_for_byte_unchanged(runtime):
    url = runtime.config.database
    if not url.startswith("sqlite"):
        pytest.skip("a file to hash exists on SQLite only")
    path = Path(url.removeprefix("sqlite:///"))
    runtime.store.dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    run(runtime, date(2019, 12, 3), date(2019, 12, 13))
    runtime.store.dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_each_unit_gets_one_digest_and_one_letter_per_level_a_day_numbered_in_sequence(runtime):
    result = run(runtime, date(2019, 12, 3), date(2019, 12, 13))
    assert [d.workday for d in result.days] == [True] * 4 + [False, False] + [True] * 5
    numbers = []
    for day in result.days:
        for unit in day.units:
            levels = [letter.level for letter in unit.letters]
            assert len(levels) == len(set(levels)), (day.day, unit.unit)
            numbers += [letter.number for letter in unit.letters]
            assert all(i.level in ("reminder", "urge") for i in unit.digest)
    assert len(numbers) == len(set(numbers))
    serials = sorted(int(n.split("〕")[1].removesuffix("号")) for n in numbers)
    assert serials == list(range(1, len(serials) + 1))  # the next numbers the office would give
    assert all(n.startswith("长大气办函〔2019〕") for n in numbers)


def test_the_first_day_carries_what_already_waits_and_warnings_await_review(runtime):
    result = run(runtime, date(2019, 12, 3), date(2019, 12, 13))
    first = result.days[0]
    with runtime.store.session() as session:
        queued = set(session.scalars(select(m.Notice.unit).where(m.Notice.status == "queued")))
    assert {u.unit for u in first.units} == queued
    letters = [lt for day in result.days for u in day.units for lt in u.letters]
    assert letters and all(i.review for lt in letters for i in lt.items if lt.level == "warning")


def test_a_preview_for_one_unit_lists_only_its_messages_and_reads_as_text(runtime):
    result = run(runtime, date(2019, 12, 3), date(2019, 12, 13), unit="潞州区人民政府")
    assert {u.unit for d in result.days for u in d.units} == {"潞州区人民政府"}
    text = "\n".join(describe(result))
    assert "2019年12月7日：非工作日，不发送" in text and "潞州区人民政府：督办事项汇总" in text
    assert text.splitlines()[-1].startswith("合计") or "提醒：" in text


def test_a_preview_scoped_to_another_office_lists_nothing_of_changzhi(runtime):
    result = run(runtime, date(2019, 12, 3), date(2019, 12, 6), offices=office_names(SHIPPED, ["晋城"]))
    assert all(not d.units for d in result.days)
    own = run(runtime, date(2019, 12, 3), date(2019, 12, 6), offices=office_names(SHIPPED, ["长治市大气办"]))
    assert own.totals()["digests"] > 0


def test_a_preview_without_an_issuing_office_shows_unnumbered_letters_and_says_what_to_configure(runtime):
    result = preview(runtime.store, sweeper(runtime), runtime.calendar.is_workday, date(2019, 12, 3),
                     date(2019, 12, 13), issuer_for=Issuers().for_region)
    letters = [lt for day in result.days for u in day.units for lt in u.letters]
    assert letters and {lt.number for lt in letters} == {"（无发文机关）"}
    [said] = [w for w in result.warnings if "没有配置发文机关" in w]
    assert "方案 changzhi-2019（地区“长治市”）" in said and "config.yaml 的 issuers" in said


def test_a_window_backwards_or_over_a_year_is_refused(runtime):
    with pytest.raises(ValueError, match="早于"):
        run(runtime, date(2019, 12, 5), date(2019, 12, 3))
    with pytest.raises(ValueError, match="最多"):
        run(runtime, date(2019, 1, 1), date(2020, 6, 1))
