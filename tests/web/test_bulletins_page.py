"""The 通报 page lists each month's drafts with their DOCX and PDF, and an office sees only its own."""

from __future__ import annotations

import json

from tests.web.builders import login


def write_draft(folder, month: str, region: str, kinds=("docx", "pdf")) -> None:
    stem = folder / month / f"通报-{region}-{month}（送审稿）"
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps({
        "region": region, "period": {"label": f"{month[:4]}年{int(month[5:])}月"}, "number": "", "overdue": [{}, {}]},
        ensure_ascii=False), encoding="utf-8")
    for kind in kinds:
        stem.with_suffix(f".{kind}").write_bytes(b"%PDF-1.4 draft" if kind == "pdf" else b"PK draft")


def test_each_months_drafts_are_listed_newest_first_with_their_files(client, world):
    folder = world.config.path(world.config.outbox) / "bulletins"
    write_draft(folder, "2019-11", "长治市")
    write_draft(folder, "2019-12", "长治市", kinds=("docx",))
    login(client, "wang")
    page = client.get("/bulletins").text
    assert page.index("2019年12月") < page.index("2019年11月")
    assert 'href="/bulletins/2019-12/0/docx"' in page and 'href="/bulletins/2019-12/0/pdf"' not in page
    pdf = client.get("/bulletins/2019-11/0/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert client.get("/bulletins/2019-12/0/pdf").status_code == 404
    assert client.get("/bulletins/..%2F..%2Fetc/0/pdf").status_code == 404


def test_a_month_without_drafts_says_so(client):
    login(client, "wang")
    assert "尚无通报" in client.get("/bulletins").text
