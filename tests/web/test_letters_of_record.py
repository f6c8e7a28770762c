"""The console and the portal show the letter that went out, not one rebuilt from today's data;
a pending letter's preview uses the facts of the day its sweep proposed it."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from scheduler.clock import SHANGHAI
from scheduler.letters.render import Renderer, letter_file_stem
from scheduler.store import report_progress
from scheduler.store import schema as m
from scheduler.store.letters import keep_letter_of_record, recorded_file
from scheduler.web import create_app
from scheduler.web.core import WebContext
from scheduler.web.letters import letter_for
from tests.web.builders import NOW, UNIT_A, login


def sent_warning(store, unit: str = UNIT_A) -> m.Notice:
    with store.session() as session:
        return session.scalars(select(m.Notice).where(m.Notice.unit == unit, m.Notice.level == "warning",
                                                      m.Notice.status == "sent")).first()


def keep_as_delivery_does(world, store, app, notice: m.Notice) -> None:
    """Record the letter as delivery does when it issues one: its DOCX and PDF as written, its HTML."""
    ctx: WebContext = app.state.web
    with store.session() as session:
        letter = letter_for(session, ctx, session.get(m.Notice, notice.id))
    stem = letter_file_stem(letter)
    files = sorted((world.config.path(world.config.outbox) / "letters").rglob(f"{stem}.*"))
    assert {p.suffix for p in files} == {".docx", ".pdf"}
    keep_letter_of_record(store, notice.key, files, Renderer(world.config.path(world.config.templates_dir))
                          .letter_html(letter), NOW)


def test_the_portal_shows_the_letter_as_sent_after_progress_changed(world, store, app, client):
    sent = sent_warning(store)
    keep_as_delivery_does(world, store, app, sent)
    with store.session() as session:
        as_sent = recorded_file(session, sent.key, "html").content.decode()
        docx_sent = recorded_file(session, sent.key, "docx").content
        report_progress(session, sent.task_id, UNIT_A, "done", 100, "全部完成", "luzhou", date(2019, 12, 23),
                        now=NOW)
        session.commit()
    login(client, "luzhou")
    shown = client.get(f"/portal/letters/{sent.id}/html").text
    assert shown == as_sent and "已完成100%" not in shown
    assert client.get(f"/portal/letters/{sent.id}/docx").content == docx_sent
    with TestClient(app) as coordinator:
        login(coordinator, "li")
        assert coordinator.get(f"/letters/{sent.id}/html").text == as_sent


def test_a_pending_letter_is_previewed_with_its_sweep_days_facts(world, store):
    with store.session() as session:
        pending = session.scalars(select(m.Notice).where(m.Notice.level == "warning", m.Notice.task_id.is_not(None),
                                                         m.Notice.status == "pending_review")).first()
        report_progress(session, pending.task_id, pending.unit, "done", 100, "全部完成", "wang",
                        date(2026, 12, 1), now=NOW)
        session.commit()
    later = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    with TestClient(create_app(world.config, store, now=lambda: later)) as client:
        login(client, "li")
        text = client.get(f"/letters/{pending.id}/html").text
    day = pending.created_on
    assert f"{day.year}年{day.month}月{day.day}日" in text and "2026年12月7日" not in text
    assert "已完成100%" not in text and "（待编号）" in text
