"""End to end in a real browser (Debian's chromium through Playwright) against a real uvicorn
server: a coordinator approves a warning from the queue and, after the day's delivery, the
numbered letter appears; a unit user reports progress and acknowledges the letter (签收).

Screenshots of the main pages go to pytest's tmp folder, or to docs/img/web-*.png when
DUBAN_SCREENSHOTS is set (that is how the committed ones were made)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.delivery.run import deliver
from scheduler.runtime import Runtime
from scheduler.store import schema as m
from scheduler.web.server import WebThread, make_server
from tests.web.builders import DAY, NOW, PASSWORD, ROOT, UNIT_A, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (scripts/os-deps.sh)")


@pytest.fixture
def server(world, store):
    web = WebThread(make_server(world.config, store, "127.0.0.1", free_port(), now=lambda: NOW)).start()
    yield f"http://127.0.0.1:{web.server.config.port}"
    web.stop()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = ROOT / "docs" / "img" if os.environ.get("DUBAN_SCREENSHOTS") else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def new_page(browser, base: str):
    context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    return context.new_page()


def log_in(page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_coordinator_approves_a_warning_and_the_letter_appears_then_the_unit_acknowledges_it(
        browser, server, world, store, shots):
    page = new_page(browser, server)
    log_in(page, "wang")
    page.wait_for_url("**/dashboard")
    page.goto("/dashboard?plan=changzhi-2019")
    assert page.locator("#overdue-chart polyline").count() == 1
    page.screenshot(path=shots / "web-dashboard.png", full_page=True)

    page.goto("/queue")
    page.get_by_label("县区").select_option("潞州区")
    page.get_by_label("级别").select_option("warning")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/queue?**county=**")
    page.screenshot(path=shots / "web-queue.png", full_page=True)
    first = page.locator("table tr").nth(1)
    notice_id = int(first.locator("td").nth(1).inner_text())
    first.get_by_role("link", name="预览公文").click()
    page.wait_for_url(f"**/queue/{notice_id}")
    page.frame_locator("iframe.letter").get_by_text("（待编号）").wait_for()
    page.screenshot(path=shots / "web-queue-item.png", full_page=False)
    page.get_by_role("button", name="批准").click()
    page.get_by_text("已批准，已记入操作记录").wait_for()
    assert page.locator("#notice-status").inner_text() == "已批准待发"

    page.goto("/letters")
    assert page.get_by_text("已批准、待发出").is_visible()
    runtime = Runtime(world.config)  # the day's delivery job, as `duban serve` runs it at 09:00
    report = deliver(store, world.config, runtime.calendar, DAY, now=NOW)
    assert report.numbers == ["长大气办函〔2019〕4号"]
    page.reload()
    row = page.locator("tr", has_text="长大气办函〔2019〕4号")
    assert row.locator("td").nth(2).inner_text() == UNIT_A
    page.screenshot(path=shots / "web-letters.png", full_page=True)
    with page.expect_download() as download:
        row.get_by_role("link", name="DOCX").click()
    assert download.value.suggested_filename == "长大气办函〔2019〕4号.docx"
    row.get_by_role("link", name="查看").click()
    page.get_by_text("长大气办函〔2019〕4号").first.wait_for()
    page.screenshot(path=shots / "web-letter.png", full_page=False)

    with store.session() as session:
        task_id = session.scalar(select(m.Notice.task_id).where(m.Notice.id == notice_id))
    page.goto(f"/tasks/{task_id}")
    page.get_by_text("时间线").wait_for()
    page.screenshot(path=shots / "web-task.png", full_page=False)
    for path, name in (("/ledger?plan=changzhi-2019", "web-ledger.png"), ("/open-points", "web-open-points.png"),
                       ("/deliveries", "web-deliveries.png")):
        page.goto(path)
        page.screenshot(path=shots / name, full_page=False)

    unit = new_page(browser, server)
    log_in(unit, "luzhou")
    unit.wait_for_url("**/portal")
    letter_row = unit.locator("tr", has_text="长大气办函〔2019〕4号")
    assert letter_row.get_by_role("button", name="签收").is_visible()
    unit.screenshot(path=shots / "web-portal.png", full_page=True)
    letter_row.get_by_role("link").first.click()
    unit.wait_for_url(f"**/portal/tasks/{task_id}")
    unit.get_by_label("状态").select_option("in_progress")
    unit.get_by_label("完成百分比").fill("70")
    unit.get_by_label("进展说明").fill("焦炉烟气脱硫脱硝设施已完成安装调试")
    unit.get_by_role("button", name="报送").click()
    unit.get_by_text("进展已报送").wait_for()
    assert unit.get_by_text("焦炉烟气脱硫脱硝设施已完成安装调试").is_visible()
    unit.screenshot(path=shots / "web-portal-task.png", full_page=True)
    unit.goto("/portal")
    unit.locator("tr", has_text="长大气办函〔2019〕4号").get_by_role("button", name="签收").click()
    unit.get_by_text("已签收，签收记录已送市大气办").wait_for()
    assert "已签收" in unit.locator("tr", has_text="长大气办函〔2019〕4号").inner_text()

    with store.session() as session:
        notice = session.get(m.Notice, notice_id)
        report_row = session.scalars(select(m.ProgressReport).order_by(m.ProgressReport.id.desc())).first()
        actions = session.execute(select(m.AuditEntry.actor, m.AuditEntry.action)
                                  .where(m.AuditEntry.object_id == notice.key).order_by(m.AuditEntry.id)).all()
    assert (notice.status, notice.reviewed_by, notice.acknowledged_on) == ("sent", "wang", DAY)
    assert (report_row.task_id, report_row.unit, report_row.percent, report_row.by) == (task_id, UNIT_A, 70, "luzhou")
    assert ("wang", "notice.approve") in actions and ("luzhou", "notice.acknowledge") in actions
    assert len(list(shots.glob("web-*.png"))) >= 11


def test_login_page_screenshot_and_wrong_password(browser, server, shots):
    page = new_page(browser, server)
    page.goto("/dashboard")
    page.wait_for_url("**/login?next=/dashboard")
    page.screenshot(path=shots / "web-login.png")
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("用户名或密码不正确").is_visible()


def test_a_coordinator_uploads_metrics_and_sees_the_bad_row(browser, server, store, shots, tmp_path):
    upload = tmp_path / "十二月.csv"
    upload.write_text("date,region,metric,value\n2019-12-01,潞城区,PM2.5,70\n2019-12-02,潞城区,PM2.5,-3\n",
                      encoding="utf-8")
    page = new_page(browser, server)
    log_in(page, "wang")
    page.wait_for_url("**/dashboard")
    page.goto("/metrics")
    page.get_by_label("数据文件").set_input_files(str(upload))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url("**/metrics/imports/**")
    page.get_by_text("部分行有问题：1 行未导入").wait_for()
    row = page.locator("table.problems tr").nth(1)
    assert [c.strip() for c in row.locator("td").all_inner_texts()] == [
        "十二月.csv", "", "3", "value", "PM2.5（μg/m³） 数值为负：-3"]
    assert page.locator("#loaded").inner_text() == "1"
    page.screenshot(path=shots / "web-metrics-import.png", full_page=True)
    page.goto("/metrics?as_of=2019-12-01&plan=changzhi-2019")
    page.screenshot(path=shots / "web-metrics.png", full_page=False)
