"""The message every channel writes: RFC 5322/MIME bytes that standard parsers read back exactly."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from email.parser import BytesParser

from scheduler.delivery.channels.base import build_email, email_bytes, message_id
from scheduler.delivery.channels.webhook import format_for
from tests.delivery.channels.conftest import NOW


def _parse(raw: bytes):
    return BytesParser(policy=email.policy.strict).parsebytes(raw)


def test_the_bytes_are_ascii_crlf_with_short_lines_and_parse_back_exactly(message):
    long = replace(message, subject="关于" + "潞州区人民政府大气污染防治重点任务进展缓慢" * 4 + "的预警通知函",
                   text="第一行\n第二行。\n" + "很长的正文" * 200)
    raw = email_bytes(long, "duban@changzhi.gov.cn", NOW)
    assert raw.isascii()
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    long_lines = [line for line in lines if len(line) > 78]  # only the DOCX type, one unfoldable token
    assert long_lines == [b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    mail = _parse(raw)
    assert not mail.defects and all(not part.defects for part in mail.walk())
    assert mail["Subject"] == long.subject
    assert mail["From"] == "督办系统 <duban@changzhi.gov.cn>"
    assert (mail["To"], mail["Cc"]) == ("dqb@luzhou.gov.cn", "sthjj@changzhi.gov.cn")
    assert (mail["X-Duban-Key"], mail["X-Duban-Unit"]) == (long.key, "潞州区人民政府")
    assert mail["Message-ID"] == message_id(long.key) and mail["Date"] == "Fri, 20 Dec 2019 09:00:00 +0800"
    assert mail.get_content_type() == "multipart/mixed"
    body, docx, pdf = mail.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert mail.get_body(("plain",)).get_content() == long.text
    assert mail.get_body(("html",)).get_content() == long.html
    assert [(docx.get_filename(), docx.get_content_type(), docx.get_content()) for docx in (docx, pdf)] == [
        ("长大气办函〔2019〕12号.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04 docx bytes"),
        ("长大气办函〔2019〕12号.pdf", "application/pdf", b"%PDF-1.4 pdf bytes"),
    ]


def test_text_only_and_unaddressed_messages(message):
    raw = email_bytes(replace(message, html=None, attachments=(), to=(), cc=()), "duban@changzhi.gov.cn", NOW)
    mail = _parse(raw)
    assert mail.get_content_type() == "text/plain" and mail["Cc"] is None
    assert mail["To"] == "潞州区人民政府 <undisclosed@duban.local>"
    assert mail.get_content().startswith("潞州区人民政府：")


def test_a_resend_is_the_same_bytes_and_build_email_reads_them(message):
    first = email_bytes(message, "duban@changzhi.gov.cn", NOW)
    assert email_bytes(message, "duban@changzhi.gov.cn", NOW) == first
    assert build_email(message, "duban@changzhi.gov.cn", NOW)["Message-ID"] == message_id(message.key)


def test_a_text_containing_a_boundary_like_line_does_not_break_the_structure(message):
    tricky = replace(message, text="--=_alt_x\n--=_mix_y--\n.\n正文")
    mail = _parse(email_bytes(tricky, "duban@changzhi.gov.cn", NOW))
    assert mail.get_body(("plain",)).get_content() == tricky.text
    assert len(list(mail.iter_attachments())) == 2


def test_webhook_formats_follow_the_robot_host_unless_configured():
    assert format_for("https://oapi.dingtalk.com/robot/send?access_token=x") == "dingtalk"
    assert format_for("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x") == "wecom"
    assert format_for("https://hooks.example.gov.cn/duban") == "json"
    assert format_for("https://oapi.dingtalk.com/robot/send", "json") == "json"


def test_any_subject_reads_back_as_written_in_lines_of_at_most_78(message):
    for subject in ("督办事项汇总", "A plain subject", "x" * 120, "=?utf-8?b?Zm9v?= is not a word",
                    "督办😀" * 30, "中 英  mixed, two  spaces", "关于（" + "𠀀" * 40 + "）"):
        raw = email_bytes(replace(message, subject=subject), "duban@changzhi.gov.cn", NOW)
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert max(len(line) for line in head.split(b"\r\n")) <= 78, subject
        mail = _parse(raw)
        assert mail["Subject"] == subject and not mail.defects
