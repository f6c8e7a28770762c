from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.delivery.channels.base import Channel, TransportError, message_id
from scheduler.delivery.channels.fileoutbox import FileOutbox, file_stem
from tests.delivery.channels.conftest import NOW


def test_it_writes_a_real_message_and_the_letters_beside_it(tmp_path, message):
    outbox = FileOutbox(tmp_path / "out", sender="duban@changzhi.gov.cn", now=lambda: NOW)
    assert isinstance(outbox, Channel)
    receipt = outbox.send(message)
    day = tmp_path / "out" / "2019-12-20"
    eml = day / "overdue-warning_cz2019-12_潞州区人民政府_2019-11-30.eml"
    assert receipt.detail == str(eml)
    assert sorted(p.name for p in day.iterdir()) == [
        eml.name, "长大气办函〔2019〕12号.docx", "长大气办函〔2019〕12号.pdf"]
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert mail["Message-ID"] == message_id(message.key)
    assert mail["Subject"] == message.subject
    assert mail["X-Duban-Key"] == message.key
    assert [p.get_filename() for p in mail.iter_attachments()] == [
        "长大气办函〔2019〕12号.docx", "长大气办函〔2019〕12号.pdf"]


def test_writing_the_same_key_twice_leaves_one_file(tmp_path, message):
    outbox = FileOutbox(tmp_path, now=lambda: NOW)
    outbox.send(message)
    outbox.send(message)
    assert len(list((tmp_path / "2019-12-20").glob("*.eml"))) == 1
    assert not list(tmp_path.rglob("*.part"))


def test_a_missing_attachment_is_a_permanent_error(tmp_path, message):
    broken = replace(message, attachments=(tmp_path / "gone.pdf",))
    with pytest.raises(TransportError) as caught:
        FileOutbox(tmp_path / "out", now=lambda: NOW).send(broken)
    assert caught.value.permanent is True


def test_an_unwritable_outbox_is_retryable(tmp_path, message):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(TransportError) as caught:
        FileOutbox(blocker, now=lambda: NOW).send(replace(message, attachments=()))
    assert caught.value.permanent is False


def test_file_names_are_safe_and_long_keys_are_hashed():
    assert file_stem("a/b\\c:d|e") == "a_b_c_d_e"
    long = file_stem("rule|" + "很长的任务编号" * 30)
    assert len(long.encode("utf-8")) <= 120
    assert long != file_stem("rule|" + "很长的任务编号" * 31)
    assert Path(long).name == long
