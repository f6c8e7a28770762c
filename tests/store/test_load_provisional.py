"""Loading a plan of a region the directory lacks: county governments from the division list and
provisional units get store rows; a coordinator's confirm, merge or rename outlives the next load."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.plans.ledger import load_ledger
from scheduler.store import schema as m
from scheduler.store.provisional import confirm_unit, merge_unit, moves, provisional_units, rename_unit
from scheduler.store.repo import StoreError
from tests.store.builders import DIRECTORY, NOW

LEDGER = Path(__file__).resolve().parents[1] / "data" / "new_region" / "shuozhou-2024.yaml"


def assignments(session, task_id: str) -> list[tuple[str, str]]:
    return [tuple(row) for row in session.execute(select(m.Assignment.unit, m.Assignment.role)
                                .where(m.Assignment.task_id == task_id).order_by(m.Assignment.id))]


def kinds(session) -> dict[str, str]:
    return {name: kind for name, kind in session.execute(select(m.Unit.name, m.Unit.kind))}


def edited(title: str):
    ledger = load_ledger(LEDGER)
    ledger.tasks[0].title = title  # any edit makes the loader re-resolve the task's names
    ledger.tasks[2].title = title
    return ledger


@pytest.fixture
def loaded(store_with):
    return store_with([load_ledger(LEDGER)], DIRECTORY, now=NOW)


def test_names_of_a_new_city_become_store_units_marked_provisional_or_official(loaded):
    with loaded.session() as session:
        found = kinds(session)
        assert found["朔州市生态环境局"] == "provisional"
        assert found["神头电厂（朔州市）"] == "provisional"
        assert found["怀仁市人民政府"] == "county_government"  # official list, not provisional
        assert [r for r in assignments(session, "shuozhou-2024/1") if r[1] != "responsible"] == [
            ("朔州市生态环境局", "lead"), ("朔州市工信局", "cooperating")]
        assert len([r for r in assignments(session, "shuozhou-2024/1") if r[1] == "responsible"]) == 6
        assert [u.name for u in provisional_units(session)] == [
            "朔州市住建局", "朔州市工信局", "朔州市生态环境局", "神头电厂（朔州市）"]


def test_loading_twice_changes_nothing(loaded):
    with loaded.session() as session:
        report = repo.load_ledgers(session, [load_ledger(LEDGER)], DIRECTORY, now=NOW)
        assert (report.tasks_created, report.tasks_updated, report.tasks_unchanged) == (0, 0, 4)
        assert len(report.provisional) == 4


def test_a_confirmed_unit_keeps_its_kind_when_the_ledger_is_loaded_again(loaded):
    with loaded.session() as session:
        assert confirm_unit(session, "朔州市生态环境局", "王协调", reason="市局来函", now=NOW) == "city_department"
        session.commit()
        report = repo.load_ledgers(session, [edited("改过的标题")], DIRECTORY, now=NOW)
        session.commit()
        assert kinds(session)["朔州市生态环境局"] == "city_department"
        assert "朔州市生态环境局" not in report.provisional
        assert ("朔州市生态环境局", "lead") in assignments(session, "shuozhou-2024/1")
        with pytest.raises(StoreError, match="不是待确认的临时单位"):
            confirm_unit(session, "朔州市生态环境局", "王协调", now=NOW)


def test_a_merge_moves_the_tasks_and_the_next_load_follows_it(loaded):
    with loaded.session() as session:
        assert merge_unit(session, "朔州市工信局", "朔州市生态环境局", "王协调", "同一单位的旧称", now=NOW) == 1
        session.commit()
        assert ("朔州市生态环境局", "cooperating") in assignments(session, "shuozhou-2024/1")
        assert "朔州市工信局" not in {u for u, _ in assignments(session, "shuozhou-2024/1")}
        repo.load_ledgers(session, [edited("再改一次")], DIRECTORY, now=NOW)
        session.commit()
        assert "朔州市工信局" not in {u for u, _ in assignments(session, "shuozhou-2024/1")}
        assert moves(session) == {"朔州市工信局": "朔州市生态环境局"}
        audit = session.scalar(select(m.AuditEntry.detail).where(m.AuditEntry.action == "unit.merge"))
        assert audit["into"] == "朔州市生态环境局" and audit["reason"] == "同一单位的旧称"


def test_a_rename_creates_the_named_unit_and_a_reload_keeps_the_task_there(loaded):
    with loaded.session() as session:
        rename_unit(session, "神头电厂（朔州市）", "国能神头发电有限责任公司", "王协调", "企业来函", now=NOW)
        session.commit()
        assert kinds(session)["国能神头发电有限责任公司"] == "enterprise"
        repo.load_ledgers(session, [edited("第三次")], DIRECTORY, now=NOW)
        session.commit()
        assert assignments(session, "shuozhou-2024/3") == [("国能神头发电有限责任公司", "lead")]
        assert [u.name for u in provisional_units(session)] == ["朔州市住建局", "朔州市工信局", "朔州市生态环境局"]


def test_a_merge_needs_a_known_target_and_a_reason(loaded):
    with loaded.session() as session:
        with pytest.raises(StoreError, match="单位目录中没有"):
            merge_unit(session, "朔州市工信局", "不存在的局", "王协调", "理由", now=NOW)
        with pytest.raises(StoreError, match="依据"):
            merge_unit(session, "朔州市工信局", "朔州市生态环境局", "王协调", " ", now=NOW)
