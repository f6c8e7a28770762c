"""A long task page folds its history: the latest rows stay open, the earlier ones and the delivery
log sit behind a click; the page names plans, sources and rule sets in words."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.store import schema as m
from tests.web.builders import login


def test_a_task_with_a_long_history_folds_its_earlier_rows(client, store):
    with store.session() as session:
        task_id, notices = session.execute(
            select(m.Notice.task_id, func.count()).where(m.Notice.task_id.is_not(None))
            .group_by(m.Notice.task_id).order_by(func.count().desc())).first()
    assert notices > 15
    login(client, "wang")
    page = client.get(f"/tasks/{task_id}").text
    assert "<details class=\"history\"><summary>更早的" in page
    open_part = page.split("</details>", 1)[1].split("<details", 1)[0]
    assert open_part.count("<tr>") - 1 == 12  # the latest twelve, under their header
    assert "发送记录" in page and task_id.split("/")[0] not in page.split("<main>", 1)[1].replace(
        f"/tasks/{task_id}", "").replace(f"/ledger?plan={task_id.split('/')[0]}", "").split('action="')[0]


def test_a_short_history_stays_open(client, store):
    with store.session() as session:
        task_id = session.scalar(
            select(m.Notice.task_id).where(m.Notice.task_id.is_not(None))
            .group_by(m.Notice.task_id).having(func.count() <= 3))
    login(client, "wang")
    assert "更早的" not in client.get(f"/tasks/{task_id}").text
