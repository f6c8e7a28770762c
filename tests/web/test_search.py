"""One search box on the ledger, the queue and the letters; the 台账 export of what the ledger shows;
the audit log paged and in words."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.web.builders import UNIT_A, UNIT_B, login


@pytest.mark.slow  # the ledger page works out every task's state (about 1.2 s)
def test_the_ledger_search_finds_tasks_by_title_words_and_by_unit(client):
    login(client, "wang")
    everything = client.get("/ledger").text
    found = client.get("/ledger", params={"q": "钢铁 超低排放"}).text
    assert "钢铁超低排放" in found and "洗煤行业整治" not in found and "洗煤行业整治" in everything
    nothing = client.get("/ledger", params={"q": "没有这样的任务"}).text
    assert "（0 项任务）" in nothing


@pytest.mark.slow  # builds the workbook (about 1.8 s)
def test_the_export_button_downloads_the_ledger_with_the_page_filter_applied(client):
    login(client, "wang")
    page = client.get("/ledger", params={"q": "钢铁超低排放"}).text
    assert 'href="/ledger/export?q=' in page and "导出台账" in page
    answer = client.get("/ledger/export", params={"q": "钢铁超低排放"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = load_workbook(BytesIO(answer.content))
    titles = [str(c.value) for sheet in workbook.worksheets[1:] for row in sheet.iter_rows() for c in row
              if c.value is not None]
    assert any("钢铁超低排放" in t for t in titles) and not any("洗煤行业整治" in t for t in titles)


def test_the_queue_search_narrows_to_a_unit_and_a_batch_decision_keeps_it(client):
    login(client, "li")
    everything = client.get("/api/queue").json()["total"]
    page = client.get("/queue", params={"q": UNIT_B}).text
    assert UNIT_B in page and UNIT_A not in page.split("<table", 1)[1]
    assert f'name="q" value="{UNIT_B}"' in page and everything > page.count("预览公文") > 0


def test_the_letters_page_searches_by_number_and_filters_by_level(client):
    login(client, "wang")
    listing = client.get("/letters").text
    number = listing.split("<td>长大气办函〔", 1)[1].split("</td>", 1)[0]
    found = client.get("/letters", params={"q": number}).text
    assert found.count("<td>长大气办函〔") == 1
    assert client.get("/letters", params={"level": "interview"}).text.count("<td>长大气办函〔") == 0
    assert client.get("/letters", params={"since": "2030-01-01"}).text.count("<td>长大气办函〔") == 0


def test_the_audit_log_speaks_in_words_and_pages(client):
    login(client, "wang")
    page = client.get("/audit").text
    assert "登录控制台" in page and "web.login" not in page.split("<table", 1)[1]
    assert "['" not in page and "{'" not in page
    assert "共 " in page
    logins = client.get("/audit", params={"action": "web.login"}).text
    assert "登录控制台" in logins and "批准" not in logins.split("<table", 1)[1]


def test_the_queue_filters_by_the_day_an_escalation_was_proposed(client):
    login(client, "li")
    items = client.get("/api/queue").json()["items"]
    first = min(i["created_on"] for i in items)
    later = client.get("/queue", params={"since": "2030-01-01"}).text
    assert later.count("预览公文") == 0 and 'name="since" value="2030-01-01"' in later
    assert client.get("/queue", params={"since": first, "until": first}).text.count("预览公文") > 0
    assert client.get("/queue", params={"since": "不是日期"}).status_code == 200  # ignored, not an error


@pytest.mark.slow  # three ledger pages (about 3 s)
def test_the_ledger_filters_by_county_and_by_issuing_office(client):
    login(client, "wang")
    county = client.get("/ledger", params={"county": "襄垣县"}).text
    assert UNIT_B in county and "（0 项任务）" not in county
    assert "洗煤行业整治" not in county  # 长治市能源局's task: a city department's, not the county's
    jincheng = client.get("/ledger", params={"office": "晋城市大气污染防治工作领导组办公室"}).text
    assert "晋城市" in jincheng and "长治市2019-2020年秋冬季方案</td>" not in jincheng
