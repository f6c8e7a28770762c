"""Open points fixable in the console: a coordinator gives an ambiguous group ("相关县区政府")
or a task naming no unit concrete units from the directory; the choice is audited, shown on the task
page, survives `duban load`, and the next sweep addresses the chosen units."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scheduler import store as repo
from scheduler.plans.ledger import load_ledgers
from scheduler.plans.units import UnitDirectory
from scheduler.runtime import Runtime
from scheduler.store import schema as m
from scheduler.store import task_facts
from scheduler.sweep import run_sweep
from tests.web.builders import NOW, ROOT, UNIT_A, csrf_of, login

TASK = "changzhi-2019/r013"  # 焦化特别排放改造: responsible "相关县区政府", due 2019年10月底前
XIANGYUAN = "襄垣县人民政府"
NEXT_DAY = date(2019, 12, 23)  # the working day after the world's last sweep


def notices_for(store, task_id: str) -> dict[str, list[str]]:
    with store.session() as session:
        found: dict[str, list[str]] = {}
        for unit, status in session.execute(select(m.Notice.unit, m.Notice.status).where(m.Notice.task_id == task_id)
                                            .order_by(m.Notice.id)):
            found.setdefault(unit, []).append(status)
        return found


def sweep(world, store, day: date) -> None:
    runtime = Runtime(world.config)
    run_sweep(store, runtime.rulebook, runtime.calendar, day, heating=world.config.heating_season_start)


def assign(client, units: list[str], reason: str = "2019年12月协调会纪要：涉及焦化企业的县区",
           written: str = "相关县区政府", task: str = TASK, role: str = ""):
    return client.post(f"/assign/{task}", data={"csrf_token": csrf_of(client), "written": written, "units": units,
                                                "reason": reason, "role": role}, follow_redirects=False)


def test_a_resolved_group_is_audited_shown_and_swept_to_the_chosen_units(client, world, store):
    before = notices_for(store, TASK)
    assert UNIT_A not in before and XIANGYUAN not in before  # the group reached nobody
    login(client, "wang")
    page = client.get("/open-points").text
    assert f'action="/assign/{TASK}"' in page and "指定单位" in page
    response = assign(client, [UNIT_A, XIANGYUAN])
    assert response.status_code == 303 and response.headers["location"] == "/open-points?done=units"
    page = client.get("/open-points?done=units").text
    assert f"已指定为责任单位：<strong>{UNIT_A}、{XIANGYUAN}</strong>" in page
    with store.session() as session:
        entry = session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "task.assign_units")).one()
        facts = next(f for f in task_facts(session, NEXT_DAY) if f.task_id == TASK)
    assert (entry.actor, entry.object_id, entry.detail["units"], entry.detail["role"]) == (
        "wang", TASK, [UNIT_A, XIANGYUAN], "responsible")
    assert set(facts.units("responsible")) == {UNIT_A, XIANGYUAN}
    task_page = client.get(f"/tasks/{TASK}").text
    assert f"{UNIT_A}（责任单位，协调人指定，原文“相关县区政府”）" in task_page and "单位指定" in task_page

    sweep(world, store, NEXT_DAY)
    after = notices_for(store, TASK)
    assert after.get(UNIT_A) and after.get(XIANGYUAN), after  # the overdue task now reaches both counties
    assert set(after) - set(before) == {UNIT_A, XIANGYUAN}

    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "luzhou")  # 潞州区's own user now sees the task and may report on it
    assert TASK in client.get("/portal").text
    assert client.get(f"/portal/tasks/{TASK}").status_code == 200
    report = client.post(f"/portal/progress/{TASK}", data={"csrf_token": csrf_of(client), "status": "in_progress",
                                                           "percent": "20", "note": "已排查焦化企业"},
                         follow_redirects=False)
    assert report.status_code == 303


def test_choosing_again_replaces_the_units_and_cancels_what_the_dropped_unit_had_pending(client, world, store):
    login(client, "wang")
    assign(client, [UNIT_A, XIANGYUAN])
    sweep(world, store, NEXT_DAY)
    assert any(s in repo.PENDING for s in notices_for(store, TASK)[UNIT_A])
    assert assign(client, [XIANGYUAN], reason="复核：潞州区无焦化企业").status_code == 303
    statuses = notices_for(store, TASK)
    assert not any(s in repo.PENDING for s in statuses[UNIT_A]) and "cancelled" in statuses[UNIT_A], statuses
    assert any(s in repo.PENDING for s in statuses[XIANGYUAN])
    with store.session() as session:
        facts = next(f for f in task_facts(session, NEXT_DAY) if f.task_id == TASK)
    assert facts.units("responsible") == (XIANGYUAN,)


def test_the_choice_survives_a_ledger_reload(client, world, store):
    login(client, "wang")
    assign(client, [XIANGYUAN])
    sweep(world, store, NEXT_DAY)
    ledgers = load_ledgers(ROOT / "data")
    for ledger in ledgers:  # the coordinator edits the task's measures and loads again
        for i, task in enumerate(ledger.tasks):
            if task.id == TASK:
                ledger.tasks[i] = task.model_copy(update={"measures": task.measures + "（已修订）"})
    with store.session() as session:
        report = repo.load_ledgers(session, ledgers, UnitDirectory.load(ROOT / "data" / "units.yaml"),
                                   world.config.heating_season_start, now=NOW)
        session.commit()
        facts = next(f for f in task_facts(session, NEXT_DAY) if f.task_id == TASK)
    assert report.tasks_updated == 1
    assert XIANGYUAN in facts.units("responsible")
    assert any(s in repo.PENDING for s in notices_for(store, TASK)[XIANGYUAN])


def test_a_task_naming_no_unit_gets_a_lead_unit_through_the_api(client, store):
    login(client, "wang")
    task = "changzhi-2019/r050"
    points = client.get("/api/open-points").json()
    point = next(p for p in points if p["task"] == task and p["kind"] == "no_unit")
    assert point["assignable"] and point["written_key"] == "" and point["role"] == "lead"
    response = client.post(f"/api/assign/{task}", headers={"X-CSRF-Token": csrf_of(client)},
                           json={"units": ["长治市生态环境局"], "reason": "市政府分工"})
    assert response.status_code == 200 and response.json()["units"] == ["长治市生态环境局"]
    with store.session() as session:
        facts = next(f for f in task_facts(session, NEXT_DAY) if f.task_id == task)
    assert facts.units("lead") == ("长治市生态环境局",)
    chosen = next(p for p in client.get("/api/open-points").json() if p["task"] == task)["chosen"]
    assert chosen["units"] == ["长治市生态环境局"] and chosen["by"] == "wang"


def test_bad_choices_are_refused_with_a_reason(client, store):
    login(client, "wang")
    for units, reason, message in (([], "纪要", "请至少选择一个单位"),
                                   (["火星区人民政府"], "纪要", "单位目录中没有：火星区人民政府"),
                                   ([XIANGYUAN], " ", "请写明依据")):
        response = assign(client, units, reason=reason)
        assert response.status_code == 400 and message in response.text, (units, response.text[:300])
    assert assign(client, [XIANGYUAN], role="boss").status_code == 400
    assert assign(client, [XIANGYUAN], task="changzhi-2019/nope").status_code == 400
    with store.session() as session:
        assert session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "task.assign_units")).first() is None
