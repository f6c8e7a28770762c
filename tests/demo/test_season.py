"""The demo as the README promises it: letters with their PDFs when LibreOffice is there, kept in the
store as letters of record, and messages that promise a PDF only when one is attached."""

from __future__ import annotations

import sqlite3
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.demo.season import office_available, prepare_store, run_demo

ROOT = Path(__file__).resolve().parents[2]
# long enough for urges on 2019-11-01 to become warnings, approved and sent in mid-November
SHORT_SEASON = (date(2019, 10, 28), date(2019, 11, 18))

pytestmark = pytest.mark.slow  # each run loads the seed ledgers and sweeps three weeks


def _run(tmp_path: Path, pdf: bool) -> tuple[str, Path]:
    config = prepare_store(load_config(ROOT / "config.yaml"), tmp_path)
    return run_demo(config, tmp_path, SHORT_SEASON, pdf=pdf), tmp_path


def _letter_messages(outbox: Path) -> list[str]:
    texts = []
    for path in sorted(outbox.rglob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        if "正式文件见附件" in text:
            kinds = sorted(p.get_filename().rsplit(".", 1)[-1] for p in message.iter_attachments())
            texts.append((text, kinds))
    return texts


@pytest.mark.skipif(not office_available(), reason="needs LibreOffice (soffice)")
def test_the_demo_makes_pdfs_keeps_them_in_the_store_and_says_so(tmp_path):
    summary, out = _run(tmp_path, pdf=True)
    assert "PDF：已用 LibreOffice 生成" in summary
    with sqlite3.connect(out / "duban.db") as db:
        kinds = db.execute("select kind, count(*) from letter_files group by kind").fetchall()
        letters = db.execute("select count(*) from letters").fetchone()[0]
    assert letters > 0 and dict(kinds)["pdf"] == dict(kinds)["docx"] == letters
    messages = _letter_messages(out / "outbox")
    assert messages and all(kinds == ["docx", "pdf"] and "PDF 供阅读打印" in text for text, kinds in messages)


def test_without_pdfs_the_messages_do_not_promise_one(tmp_path):
    summary, out = _run(tmp_path, pdf=False)
    assert "PDF：" in summary and "未生成" in summary
    messages = _letter_messages(out / "outbox")
    assert messages and all(kinds == ["docx"] and "PDF" not in text for text, kinds in messages)
