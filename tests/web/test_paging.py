"""Every list pages through one helper (scheduler.web.paging): the open points, failed deliveries
and 通报 drafts as the ledger, queue, letters and audit log do; counts stay over the whole list."""

from __future__ import annotations

import json
import re

from scheduler.web import paging as paging_module
from scheduler.web.paging import paging
from tests.web.builders import csrf_of, login

ROW = re.compile(r'<tr id="[a-z_]+"')


def open_points(client, query: str = "") -> tuple[str, int, int]:
    page = client.get(f"/open-points{query}").text
    counts = re.search(r'<span id="open-count">(\d+)</span> 项，已处理 <span id="resolved-count">(\d+)</span>', page)
    return page, int(counts[1]), int(counts[2])


def test_a_page_number_is_clamped_to_the_pages_there_are():
    assert paging(0, 1).values() == {"page_no": 1, "pages": 1, "total": 0}
    assert paging(101, 3, size=50).values() == {"page_no": 3, "pages": 3, "total": 101}
    assert paging(101, 9, size=50).page_no == 3 and paging(101, -2, size=50).page_no == 1
    assert paging(101, "二", size=50).page_no == 1 and paging(101, "", size=50).page_no == 1
    at = paging(101, 3, size=50)
    assert (at.offset, at.rows(list(range(101)))) == (100, [100])


def test_the_open_points_page_in_pages_and_by_kind_with_counts_over_all_of_them(client, monkeypatch):
    monkeypatch.setattr(paging_module, "PAGE_SIZE", 10)
    login(client, "wang")
    first, open_count, resolved = open_points(client)
    total = open_count + resolved
    assert total > 20 and len(ROW.findall(first)) == 10
    assert f"第 1 / {-(-total // 10)} 页" in first and 'href="?page_no=2">下一页' in first
    second, *counts = open_points(client, "?page_no=2")
    assert counts == [open_count, resolved] and len(ROW.findall(second)) == 10
    assert set(re.findall(r'href="/tasks/([^"]+)"', first)).isdisjoint(re.findall(r'href="/tasks/([^"]+)"', second))
    last, *_ = open_points(client, "?page_no=999")  # past the end: the last page
    pages = -(-total // 10)
    assert len(ROW.findall(last)) == total - 10 * (pages - 1) and f"第 {pages} / {pages} 页" in last
    external, *counts = open_points(client, "?kind=external_deadline")
    rows = ROW.findall(external)
    assert rows and set(rows) == {'<tr id="external_deadline"'} and counts == [open_count, resolved]
    assert '<a href="/open-points" class="tag">全部</a>' in external


def test_settling_a_point_on_a_later_page_lowers_the_open_count(client, monkeypatch):
    monkeypatch.setattr(paging_module, "PAGE_SIZE", 5)
    login(client, "wang")
    _, before, resolved = open_points(client)
    page, *_ = open_points(client, "?page_no=2")
    task = re.search(r'<form method="post" action="/deadline/([^"]+)">', page)
    if task is None:  # the second page holds no deadline to date: take one from the kind's own list
        page, *_ = open_points(client, "?kind=external_deadline&page_no=2")
        task = re.search(r'<form method="post" action="/deadline/([^"]+)">', page)
    answer = client.post(f"/deadline/{task[1]}", data={"csrf_token": csrf_of(client), "due": "2020-06-30",
                                                       "reason": "省生态环境厅通知"}, follow_redirects=False)
    assert answer.status_code == 303
    _, after, resolved_after = open_points(client)
    assert (after, resolved_after) == (before - 1, resolved + 1)


def test_the_unit_picker_lists_every_unit_by_region_then_name_and_filters_as_one_types(client, store):
    from scheduler.store.catalog import unit_rows

    login(client, "wang")
    page, *_ = open_points(client)
    picker = re.search(r'<datalist id="unit-picker">(.*?)</datalist>', page, re.S)[1]
    listed = re.findall(r'<option value="([^"]+)">([^<]*)</option>', picker)
    with store.session() as session:
        rows = unit_rows(session)
    assert listed == [(u.name, u.region) for u in rows]
    assert listed == sorted(listed, key=lambda pair: (pair[1], pair[0]))
    assert page.count('list="unit-picker"') >= 4 and "<select name=\"units\"" not in page


def test_a_coordinator_assigns_several_units_through_the_picker_fields(client):
    login(client, "wang")
    page, before, _ = open_points(client, "?kind=ambiguous_group")
    form = re.search(r'<form method="post" action="/assign/([^"]+)" class="assign">.*?name="written" value="([^"]*)"',
                     page, re.S)
    answer = client.post(f"/assign/{form[1]}", data={
        "csrf_token": csrf_of(client), "written": form[2], "reason": "协调会纪要", "role": "",
        "units": ["潞州区人民政府", "", "襄垣县人民政府", ""]}, follow_redirects=False)
    assert answer.status_code == 303
    page, after, _ = open_points(client, "?kind=ambiguous_group")
    assert after == before - 1 and "潞州区人民政府、襄垣县人民政府</strong>" in page
    assert 'value="潞州区人民政府" placeholder' in page and 'value="襄垣县人民政府" placeholder' in page


def test_the_failed_deliveries_page_in_pages(client, monkeypatch):
    monkeypatch.setattr(paging_module, "PAGE_SIZE", 1)
    login(client, "wang")
    first = client.get("/deliveries").text
    total = int(re.search(r"发送异常 <span class=\"muted\">（(\d+) 条）", first)[1])
    assert total >= 2 and f"第 1 / {total} 页" in first and first.count('name="ids" value=') == 2  # box + button
    second = client.get("/deliveries?page_no=2").text
    ids = [re.search(r'<td>(\d+)</td>', page)[1] for page in (first, second)]
    assert ids[0] != ids[1] and f"第 2 / {total} 页" in second


def test_the_bulletin_page_pages_its_drafts_and_their_files_still_open(client, world, monkeypatch):
    monkeypatch.setattr(paging_module, "PAGE_SIZE", 2)
    folder = world.config.path(world.config.outbox) / "bulletins"
    for month in ("2019-10", "2019-11", "2019-12"):
        draft = folder / month / f"通报-长治市-{month}（送审稿）"
        draft.parent.mkdir(parents=True, exist_ok=True)
        draft.with_suffix(".json").write_text(json.dumps({"region": "长治市", "overdue": []}), encoding="utf-8")
        draft.with_suffix(".docx").write_bytes(b"PK" + month.encode())
    login(client, "wang")
    first = client.get("/bulletins").text
    assert "第 1 / 2 页" in first and "2019-12" in first and "2019-11" in first and "2019-10" not in first
    second = client.get("/bulletins?page_no=2").text
    assert "2019-10" in second and "2019-12" not in second
    link = re.search(r'href="(/bulletins/2019-10/\d+/docx)"', second)[1]
    assert client.get(link).content == b"PK2019-10"


def test_every_list_takes_a_page_number_past_its_end_or_no_number(client):
    login(client, "wang")
    for path in ("/ledger", "/queue", "/letters", "/audit", "/open-points", "/deliveries", "/bulletins"):
        assert client.get(f"{path}?page_no=999").status_code == 200, path
    for path in ("/open-points", "/deliveries", "/bulletins"):
        assert client.get(f"{path}?page_no=x").status_code == 200, path
