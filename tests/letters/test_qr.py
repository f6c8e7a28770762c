"""The 签收 link printed as a QR code beside the signature, so the body keeps its pages."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.letters.qr import qr_png
from scheduler.letters.render import Renderer, render_letter_files
from scheduler.letters.samples import sample_letter

ROOT = Path(__file__).resolve().parents[2]
URL = "https://duban.example.gov.cn/q/x7jq2mn4bh4k"  # the short form letters print (scheduler.delivery.acklinks)


def test_a_letter_with_a_link_carries_its_qr_code_and_the_short_link_beside_the_signature(tmp_path):
    letter = replace(sample_letter("warning"), ack_url=URL)
    path = Renderer(ROOT / "templates").letter_docx(letter, tmp_path / "x.docx")
    with zipfile.ZipFile(path) as package:
        assert package.read("word/media/ack-qr.png") == qr_png(URL)
        assert b'Target="media/ack-qr.png"' in package.read("word/_rels/document.xml.rels")
        assert b'Extension="png"' in package.read("[Content_Types].xml")
        body = package.read("word/document.xml").decode()
    assert "扫描落款旁二维码" in body and "<wp:anchor" in body
    # the short link in small type under the QR code, on the date's line (it takes no line of its own)
    date_line = body[body.index('<w:pStyle w:val="DubanDate"/>'):].split("</w:p>")[0]
    assert URL in date_line and "2019年12月20日" in date_line and "<w:tab/>" in date_line
    assert qr_png(URL)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_letter_without_a_link_has_no_image_part(tmp_path):
    path = Renderer(ROOT / "templates").letter_docx(sample_letter("warning"), tmp_path / "x.docx")
    with zipfile.ZipFile(path) as package:
        assert "word/media/ack-qr.png" not in package.namelist()
        assert b"image" not in package.read("word/_rels/document.xml.rels")


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="needs LibreOffice")
def test_the_signed_link_adds_no_page_to_a_warning_or_an_interview(tmp_path):
    renderer = Renderer(ROOT / "templates")
    letters = [replace(sample_letter(kind), ack_url=url, number=f"长大气办函〔2019〕{n}号")
               for n, (kind, url) in enumerate([(k, u) for k in ("warning", "interview") for u in ("", URL)], 1)]
    pages = []
    for _, pdf in render_letter_files(renderer, letters, tmp_path, pdf=True):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages.append(int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:"))))
    assert pages[0] == pages[1] and pages[2] == pages[3], pages
