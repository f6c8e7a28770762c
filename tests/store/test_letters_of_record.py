"""Letters of record: the files a letter went out with are kept by content hash, never replaced,
and the integrity check finds any byte changed since (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from scheduler import store as repo
from scheduler.issuers import SHIPPED
from scheduler.store import schema as m
from scheduler.store.integrity import check_store
from scheduler.store.letters import (
    allocate_letter,
    keep_letter_of_record,
    keep_letters_of_record,
    recorded_file,
    recorded_kinds,
    sha256_hex,
)
from tests.store.builders import NOW, action, unit_name

DAY = date(2019, 12, 2)


def numbered(store) -> str:
    with store.session() as session:
        repo.insert_notices(session, [action("k-1", unit=unit_name("潞城区政府"))], DAY, now=NOW)
        session.commit()
    allocate_letter(store, "k-1", SHIPPED.for_region("长治市"), DAY, NOW)
    return "k-1"


def test_an_issued_letter_keeps_its_files_under_their_hashes(store, tmp_path):
    key = numbered(store)
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK first docx")
    hashes = keep_letter_of_record(store, key, [docx], "<p>进展：未报送进展</p>", NOW)
    assert hashes == {"docx": sha256_hex(b"PK first docx"), "html": sha256_hex("<p>进展：未报送进展</p>".encode())}
    with store.session() as session:
        kept = recorded_file(session, key, "docx")
        assert kept is not None and kept.content == b"PK first docx" and kept.sha256 == hashes["docx"]
        assert recorded_kinds(session, [key, "other"]) == {key: ("docx", "html")}


def test_a_resend_carries_the_letter_of_record_not_a_new_rendering(store, tmp_path):
    key = numbered(store)
    docx, pdf = tmp_path / "a.docx", tmp_path / "a.pdf"
    docx.write_bytes(b"PK as sent")
    keep_letter_of_record(store, key, [docx], "<p>未报送进展</p>", NOW)
    docx.write_bytes(b"PK re-rendered with later progress")
    pdf.write_bytes(b"%PDF- made on the retry")
    hashes = keep_letter_of_record(store, key, [docx, pdf], "<p>已完成100%</p>", NOW)
    assert docx.read_bytes() == b"PK as sent"  # the outgoing attachment is the record's bytes
    assert hashes["docx"] == sha256_hex(b"PK as sent") and hashes["pdf"] == sha256_hex(b"%PDF- made on the retry")
    with store.session() as session:
        assert recorded_file(session, key, "html").content.decode() == "<p>未报送进展</p>"
        assert recorded_kinds(session, [key]) == {key: ("docx", "pdf", "html")}


def test_integrity_finds_a_kept_file_changed_after_it_was_issued(store, tmp_path):
    key = numbered(store)
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK original")
    keep_letter_of_record(store, key, [docx], None, NOW)
    with store.session() as session:
        report = check_store(session)
        assert report.counts["letter_files"] == 1
        assert not [p for p in report.problems if "存档公文" in p]
        session.execute(update(m.LetterFile).values(content=b"PK edited"))
        session.commit()
        problems = [p for p in check_store(session).problems if "存档公文" in p]
    assert len(problems) == 1 and key in problems[0] and "DOCX" in problems[0]


def test_a_delivery_batch_keeps_each_of_its_letters(store, tmp_path):
    key = numbered(store)
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK batch")
    keep_letters_of_record(store, [(key, (docx,), "<p>函</p>")], NOW)
    with store.session() as session:
        assert recorded_kinds(session, [key]) == {key: ("docx", "html")}
