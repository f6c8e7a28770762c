"""Provisional units in the console's open points: a coordinator sees the names a new city's plan
wrote that the directory lacks, and confirms, merges or renames each (audited); a viewer sees them
but gets no forms, and an outsider without a session cannot post."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scheduler import store as repo
from scheduler.plans.ledger import load_ledgers
from scheduler.plans.units import UnitDirectory
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.web import create_app
from scheduler.web.accounts import create_user
from tests.web.builders import NOW, PASSWORD, ROOT, csrf_of, login, world_config

pytestmark = pytest.mark.slow  # each test migrates its own store and hashes two passwords

LEDGER = ROOT / "tests" / "data" / "new_region" / "shuozhou-2024.yaml"


@pytest.fixture
def office(tmp_path: Path):
    """A store holding only a made-up plan of 朔州市, with a coordinator and a viewer."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "units.yaml", data / "units.yaml")
    shutil.copy(LEDGER, data / LEDGER.name)
    config = world_config(tmp_path).model_copy(update={"data_dir": data})
    store = open_store(config.database)
    with store.session() as session:
        repo.load_ledgers(session, load_ledgers(data), UnitDirectory.load(data / "units.yaml"), now=NOW)
        create_user(session, "wang", PASSWORD, "coordinator", display_name="王协调", now=NOW)
        create_user(session, "li", PASSWORD, "viewer", display_name="李查看", now=NOW)
        session.commit()
    with TestClient(create_app(config, store, now=lambda: NOW)) as client:
        yield client, store
    store.dispose()


def settle(client, action: str, **fields: str):
    return client.post(f"/units/{action}", data={"csrf_token": csrf_of(client), **fields}, follow_redirects=False)


def kind_of(store, name: str) -> str | None:
    with store.session() as session:
        return session.scalar(select(m.Unit.kind).where(m.Unit.name == name))


def test_the_open_points_list_each_provisional_unit_with_its_three_actions(office):
    client, _ = office
    login(client, "wang")
    page = client.get("/open-points").text
    assert "临时单位待确认" in page
    for unit in ("朔州市生态环境局", "朔州市工信局", "朔州市住建局", "神头电厂（朔州市）"):
        assert f'name="name" value="{unit}"' in page
    assert page.count('action="/units/confirm"') == 4 and page.count('action="/units/rename"') == 4
    assert '<option value="朔城区人民政府">' in page  # merge targets include the official counties


def test_a_coordinator_confirms_merges_and_renames_and_each_is_audited(office):
    client, store = office
    login(client, "wang")
    response = settle(client, "confirm", name="朔州市生态环境局", kind="", reason="")
    assert response.status_code == 303 and response.headers["location"] == "/open-points?done=unit-confirm"
    assert settle(client, "merge", name="朔州市工信局", into="朔州市生态环境局", reason="同一单位").status_code == 303
    assert settle(client, "rename", name="神头电厂（朔州市）", to="国能神头发电有限责任公司",
                  reason="企业来函").status_code == 303
    assert (kind_of(store, "朔州市生态环境局"), kind_of(store, "朔州市工信局")) == ("city_department", "merged")
    assert kind_of(store, "国能神头发电有限责任公司") == "enterprise"
    page = client.get("/open-points?done=unit-merge").text
    assert "已并入 <strong>朔州市生态环境局</strong>" in page and "已确认为正式单位" in page
    assert page.count('action="/units/confirm"') == 1  # only 朔州市住建局 still waits
    with store.session() as session:
        actions = list(session.scalars(select(m.AuditEntry.action).where(m.AuditEntry.object_type == "unit")
                                       .order_by(m.AuditEntry.id)))
        actor = session.scalar(select(m.AuditEntry.actor).where(m.AuditEntry.action == "unit.merge"))
    assert actions == ["unit.confirm", "unit.merge", "unit.rename"] and actor == "wang"


def test_a_bad_merge_is_refused_with_a_chinese_message(office):
    client, store = office
    login(client, "wang")
    response = settle(client, "merge", name="朔州市工信局", into="不存在的局", reason="x")
    assert response.status_code in (400, 409, 422) and "单位目录中没有" in response.text
    assert kind_of(store, "朔州市工信局") == "provisional"


def test_a_viewer_sees_the_names_but_cannot_settle_them(office):
    client, store = office
    login(client, "li")
    page = client.get("/open-points").text
    assert "朔州市住建局" in page and 'action="/units/confirm"' not in page
    assert settle(client, "confirm", name="朔州市住建局").status_code == 403
    assert kind_of(store, "朔州市住建局") == "provisional"


def test_an_outsider_cannot_post(office):
    client, store = office
    response = client.post("/units/confirm", data={"name": "朔州市住建局"}, follow_redirects=False)
    assert response.status_code in (401, 403) or "/login" in response.headers["location"]
    assert kind_of(store, "朔州市住建局") == "provisional"
