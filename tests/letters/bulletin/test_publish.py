"""通报 drafts on disk: GB/T 9704 DOCX, HTML and JSON, the monthly job, and the command's PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from scheduler.escalation.calendar import WorkCalendar
from scheduler.publish import monthly_drafts, publish_bulletins
from scheduler.store import open_store
from tests.docxfacts import layout_facts
from tests.letters.bulletin.builders import DECEMBER, MIIT, ROOT, XIANGYUAN, config_for

NEEDS_OFFICE = pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdffonts"),
                                  reason="needs libreoffice-writer-nogui and poppler-utils")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_drafts_are_gbt_9704_documents_with_a_blank_serial(small_store, store_url, tmp_path):
    config = config_for(store_url, tmp_path)
    calendar = WorkCalendar.load(config.path(config.calendar_dir))
    out = tmp_path / "drafts"
    (item,) = publish_bulletins(small_store, config, calendar, DECEMBER, out, pdf=False)
    assert item.letter.date == date(2020, 1, 2)  # 1 January is a holiday: the first working day after
    assert item.letter.number == "长大气办函〔2020〕　号"  # the office fills in the serial at sign-off
    assert sorted(p.name for p in out.iterdir()) == [
        f"通报-长治市-2019-12（送审稿）.{ext}" for ext in ("docx", "html", "json")]
    facts = layout_facts(item.files["docx"])
    issuer, _, number = (b["paragraph"] for b in facts["parts"]["header:first"])
    assert issuer["runs"][0]["color"] == "E60000" and number["text"] == "长大气办函〔2020〕　号"
    assert facts["margins"]["top"] == 2098 and facts["grid"]["linePitch"] == "579"
    body = [b for b in facts["body"]]
    title = body[0]["paragraph"]
    assert title["text"] == "关于2019年12月大气污染防治重点任务进展情况的通报"
    assert body[1]["paragraph"]["text"] == "各县（市、区）人民政府，市直有关单位："
    tables = [b["table"] for b in body if "table" in b]
    assert len(tables) == 3  # counties, departments, overdue tasks
    county_rows = [[c["paragraphs"][0]["text"] for c in r["cells"]] for r in tables[0]["rows"]]
    assert county_rows[0][:2] == ["排名", "县区"]
    assert county_rows[-1] == ["12", XIANGYUAN, "2", "1", "50%", "2", "63", "2", "1", "2.0"]
    assert sum(tables[0]["grid"]) == 8844  # the 156 mm type area
    texts = [b["paragraph"]["text"] for b in body if "paragraph" in b]
    assert f"{XIANGYUAN}排名靠后，逾期未完成任务2项，予以通报。" in texts
    assert "2019年12月共有2项重点任务到期，截至2019年12月31日已完成1项，完成率50%；累计逾期未完成任务2项，" \
           "逾期天数合计63天。本月共印发预警通知函、约谈通知4件，已签收2件，平均签收用时4.5天，2件未签收。" in texts
    assert texts[-1] == "抄送：市生态环境局，市政府督查室。"
    html = item.files["html"].read_text(encoding="utf-8")
    assert "<td>长治市工业和信息化局</td>" in html and "长大气办函〔2020〕　号" in html
    data = json.loads(item.files["json"].read_text(encoding="utf-8"))
    assert data["totals"]["overdue"] == 2 and data["units"][1]["name"] == MIIT
    assert Document(str(item.files["docx"])).core_properties.author == "长治市大气污染防治工作领导组办公室"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_monthly_job_drafts_once_on_a_working_day(small_store, store_url, tmp_path):
    config = config_for(store_url, tmp_path)
    assert monthly_drafts(config, date(2020, 1, 1), pdf=False) == []  # New Year's Day: no
    first = monthly_drafts(config, date(2020, 1, 2), pdf=False)
    assert [item.bulletin.period.key for item in first] == ["2019-12"]
    assert first[0].files["docx"].parent == tmp_path / "outbox" / "bulletins" / "2019-12"
    assert monthly_drafts(config, date(2020, 1, 3), pdf=False) == []  # already drawn up


@NEEDS_OFFICE
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_command_writes_a_pdf_with_embedded_fonts(small_store, store_url, tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text((ROOT / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("data", "rules", "templates"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {"DUBAN_CONFIG": str(config_file), "DUBAN_DB": store_url, "DUBAN_OUT": str(tmp_path / "outbox"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "scheduler", "bulletin", "--month", "2019-12", "--json",
                             "--number", "长大气办函[2020]3号"], env=env, capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (item,) = json.loads(result.stdout)
    assert item["number"] == "长大气办函〔2020〕3号" and item["totals"]["letters"] == 4
    pdf = Path(item["files"]["pdf"])
    assert pdf.parent == tmp_path / "outbox" / "bulletins" / "2019-12" and pdf.name == "通报-长治市-2019-12.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) >= 2
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "长治市大气污染防治工作领导组办公室" in text and "襄垣县人民政府排名靠后" in text.replace("\n", "")


def test_a_month_without_plans_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    store = open_store(url)
    try:
        config = config_for(url, tmp_path)
        calendar = WorkCalendar.load(config.path(config.calendar_dir))
        with pytest.raises(LookupError, match="长治市在2019年12月没有执行中的方案"):
            publish_bulletins(store, config, calendar, DECEMBER, tmp_path / "x", regions=["长治市"], pdf=False)
    finally:
        store.dispose()
