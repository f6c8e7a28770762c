"""Metrics in the console: a coordinator uploads an air-quality file (the same import as `duban
metrics import`: bad rows listed with file, row, column and problem, good rows loaded, audited,
size-limited, unreadable files explained), and staff read the pro-rata status."""

from __future__ import annotations

import io
import os
import re
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from scheduler.escalation.metrics.status import plan_status
from scheduler.runtime import Runtime
from scheduler.store import schema as m
from scheduler.store.metrics import read_series
from scheduler.store.schema import MetricImport, MetricValueRow
from tests.web.builders import ROOT, csrf_of, login

SYNTHETIC = ROOT / "data" / "metrics" / "changzhi-2019-20-synthetic.csv"
MIXED = (
    "date,region,metric,value\n"
    "2019-12-01,潞城区,PM2.5,70\n"
    "2019-12-02,潞城区,PM2.5,-3\n"          # row 3: negative
    "2019-12-03,火星区,PM2.5,60\n"          # row 4: unknown county
    "2019-13-45,潞城区,PM2.5,60\n"          # row 5: unreadable date
    "2019-12-04,潞城区,AQI,88.5\n"          # row 6: fractional AQI
    "2019-12-05,潞城区,PM2.5,66\n"
)


def upload(client, name: str, data: bytes, token: str | None = None, follow: bool = True):
    token = token if token is not None else csrf_of(client)
    return client.post("/metrics/import", data={"csrf_token": token}, files={"file": (name, data)},
                       follow_redirects=follow)


def cells(html: str) -> list[list[str]]:
    """Return the problems table as rows of cell texts."""
    table = html.split('<table class="problems">')[1].split("</table>")[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


def test_an_upload_loads_the_good_rows_and_lists_every_bad_one(client, store):
    login(client, "wang")
    response = upload(client, "十二月.csv", MIXED.encode("utf-8"), follow=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/metrics/imports/")
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "部分行有问题：4 行未导入" in page.text and "其余 2 条数值已导入" in page.text
    assert cells(page.text) == [
        ["十二月.csv", "", "3", "value", "PM2.5（μg/m³） 数值为负：-3"],
        ["十二月.csv", "", "4", "region", "未知的县区：“火星区”（单位名录中没有）"],
        ["十二月.csv", "", "5", "date", "日期无法识别：“2019-13-45”（应为 2019-10-01 或 2019-10）"],
        ["十二月.csv", "", "6", "value", "AQI 应为整数：88.5"],
    ]
    with store.session() as session:
        stored = session.execute(select(MetricValueRow.day, MetricValueRow.value)
                                 .order_by(MetricValueRow.day)).all()
        entry = session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "metrics.import")).one()
    assert [(d.isoformat(), v) for d, v in stored] == [("2019-12-01", 70.0), ("2019-12-05", 66.0)]
    assert entry.actor == "wang" and entry.detail == {"file": "十二月.csv", "inserted": 2, "updated": 0,
                                                      "bad_rows": 4}
    listing = client.get("/metrics").text
    assert "十二月.csv" in listing and "导入记录" in listing


def test_an_xlsx_upload_names_sheet_and_column_letter_and_a_gbk_csv_loads(client, store):
    login(client, "wang")
    book = Workbook()
    sheet = book.active
    sheet.title = "一月"
    for row in (["日期", "县区", "PM2.5", "AQI"], ["2020-01-01", "黎城县", 55, 80], ["2020-01-02", "黎城县", "缺", 70]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    page = upload(client, "一月.xlsx", buffer.getvalue())
    assert cells(page.text) == [["一月.xlsx", "一月", "3", "PM2.5（C列）", "PM2.5（μg/m³） 数值不是数字：“缺”"]]
    assert 'id="loaded">3<' in page.text  # two AQI values and one PM2.5
    gbk = "日期,县区,指标,数值\n2020-01-03,黎城县,PM2.5,61\n".encode("gbk")
    page = upload(client, "gbk.csv", gbk)
    assert "已全部导入" in page.text and 'id="loaded">1<' in page.text


def test_garbage_and_wrong_files_get_a_clear_message_never_a_500(client, store):
    login(client, "wang")
    for name, data in (("random.csv", os.urandom(4096)), ("utf16.csv", "date,region\n".encode("utf-16")),
                       ("broken.xlsx", b"PK\x03\x04 not a workbook")):
        page = upload(client, name, data)
        assert page.status_code == 200, name
        assert "文件无法读取，未导入任何数据" in page.text and "UTF-8 或 GBK" in page.text, name
    page = upload(client, "notes.pdf", b"%PDF-1.4")
    assert page.status_code == 400 and "只支持 .csv 与 .xlsx 文件：notes.pdf" in page.text
    response = client.post("/metrics/import", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 400 and "请选择要导入的 .csv 或 .xlsx 文件" in response.text
    with store.session() as session:
        assert session.scalars(select(MetricValueRow)).first() is None
        assert len(session.scalars(select(MetricImport)).all()) == 3  # every attempt that was read is recorded


MAX_UPLOAD = 10 * 1024 * 1024  # web.max_upload_mb's default


def test_an_oversized_upload_is_refused_with_a_clear_message_and_every_refusal_audited(client, store):
    login(client, "wang")
    just_over = b"date,region,metric,value\n" + b"#" * MAX_UPLOAD  # passes the header check, caught on read
    response = upload(client, "big.csv", just_over)
    assert response.status_code == 413 and "文件超过 10 MB，未导入" in response.text
    response = upload(client, "huge.csv", b"x" * (MAX_UPLOAD + 200_000))  # refused from Content-Length
    assert response.status_code == 413 and "文件超过 10 MB" in response.text
    api = client.post("/api/metrics/import", headers={"X-CSRF-Token": csrf_of(client)},
                      files={"file": ("big.csv", just_over)})
    assert api.status_code == 413 and "文件超过 10 MB" in api.json()["detail"]
    with store.session() as session:
        assert session.scalars(select(MetricImport)).first() is None
        refused = session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "metrics.import_refused")).all()
    assert [e.actor for e in refused] == ["wang", "wang", "wang"]  # the one refused from its length too
    assert [e.detail["reason"] for e in refused] == ["too_large"] * 3


def test_an_upload_needs_the_csrf_token_and_a_coordinator(client, store):
    login(client, "wang")
    assert upload(client, "x.csv", MIXED.encode(), token="forged").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "li")
    assert upload(client, "x.csv", MIXED.encode()).status_code == 403
    page = client.get("/metrics")
    assert page.status_code == 200 and 'action="/metrics/import"' not in page.text  # viewers only read
    with store.session() as session:
        assert session.scalars(select(MetricValueRow)).first() is None


def test_the_status_page_shows_the_pro_rata_standing_as_the_cli_does(client, world, store):
    login(client, "wang")
    page = upload(client, SYNTHETIC.name, SYNTHETIC.read_bytes())
    assert "读取行数" in page.text and 'id="loaded">5188<' in page.text and "武乡县" in page.text  # gap listed
    status = client.get("/metrics?as_of=2020-01-31&plan=changzhi-2019")
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", status.text, re.S) if "潞城区" in r and "PM2.5" in r)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    for figure in ("75.5微克/立方米", "65.1微克/立方米", "+10.4", "未达序时进度", "≤43.8微克/立方米", "12/12",
                   "123/123"):
        assert figure in text, (figure, text)
    api = client.get("/api/metrics/status?as_of=2020-01-31&plan=changzhi-2019").json()
    runtime = Runtime(world.config)
    with store.session() as session:
        expected = plan_status(runtime.metrics.targets, read_series(session, date(2020, 1, 31)),
                               runtime.metrics.regions, date(2020, 1, 31), ["changzhi-2019"])
    assert api == {"as_of": "2020-01-31", "plans": [s.to_json() for s in expected]}
    assert "未知的县区：火星区" in client.get("/metrics?region=火星区").text


def test_the_api_imports_and_reports_the_same(client, store):
    login(client, "wang")
    response = client.post("/api/metrics/import", headers={"X-CSRF-Token": csrf_of(client)},
                           files={"file": ("api.csv", MIXED.encode())})
    assert response.status_code == 200
    body = response.json()
    assert body["loaded"] == 2 and body["bad_rows"] == 4 and body["inserted"] == 2
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(3, "value"), (4, "region"), (5, "date"),
                                                                   (6, "value")]
    record = client.get(f"/api/metrics/imports/{body['import_id']}").json()
    assert record["file"] == "api.csv" and record["by"] == "wang" and record["loaded"] == 2
    assert client.get("/api/metrics/imports/999999").status_code == 404
