from __future__ import annotations

import socket
from datetime import date, datetime
from pathlib import Path

import pytest

from scheduler.clock import SHANGHAI
from scheduler.delivery.channels.base import OutgoingMessage

NOW = datetime(2019, 12, 20, 9, 0, tzinfo=SHANGHAI)
DAY = date(2019, 12, 20)


def free_port() -> int:
    """Return a loopback port that was free a moment ago (aiosmtpd cannot take port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def letter_files(tmp_path: Path) -> tuple[Path, Path]:
    docx = tmp_path / "长大气办函〔2019〕12号.docx"
    pdf = tmp_path / "长大气办函〔2019〕12号.pdf"
    docx.write_bytes(b"PK\x03\x04 docx bytes")
    pdf.write_bytes(b"%PDF-1.4 pdf bytes")
    return docx, pdf


@pytest.fixture
def message(letter_files: tuple[Path, Path]) -> OutgoingMessage:
    return OutgoingMessage(
        key="overdue-warning|cz2019-12|潞州区人民政府|2019-11-30",
        day=DAY,
        unit="潞州区人民政府",
        subject="长大气办函〔2019〕12号 关于潞州区人民政府重点任务进展缓慢的预警通知函",
        text="潞州区人民政府：\n\n现将预警通知函发送你单位，请及时签收。\n",
        html="<p>潞州区人民政府：</p>",
        to=("dqb@luzhou.gov.cn",),
        cc=("sthjj@changzhi.gov.cn",),
        attachments=letter_files,
        extra={"number": "长大气办函〔2019〕12号"},
    )
