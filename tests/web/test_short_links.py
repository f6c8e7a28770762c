"""The 签收 link a letter prints: a short URL under its QR code that, on a running console, opens
the acknowledgement page of that letter and unit; a wrong code is 404; old long links still work."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.delivery.acklinks import ack_secret, long_ack_url, sign_ack
from scheduler.store import schema as m
from scheduler.web.server import WebThread, make_server
from tests.web.builders import DAY, NOW, UNIT_A, UNIT_B, UNIT_C, free_port

SHORT = re.compile(r"https?://[^\s<>]+/q/[a-z2-7]+")


@pytest.fixture
def server(world, store):
    web = WebThread(make_server(world.config, store, "127.0.0.1", free_port(), now=lambda: NOW)).start()
    yield f"http://127.0.0.1:{web.server.config.port}"
    web.stop()


def fetch(url: str) -> tuple[int, str, str]:
    """GET `url` following redirects: status, final URL, body."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.url, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode()


def printed_letters(world) -> list[tuple[str, str, str]]:
    """(number, addressee, printed link) of each letter the world's delivery wrote that has a link."""
    found = []
    for path in sorted(Path(world.config.path(world.config.outbox), "letters").rglob("*.docx")):
        with zipfile.ZipFile(path) as package:
            header = " ".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/header"))
            paragraphs = [re.sub(r"<[^>]+>", "", p.replace("<w:tab/>", "\t"))
                          for p in package.read("word/document.xml").decode().split("</w:p>")]
        links = [match[0] for p in paragraphs for match in [SHORT.search(p)] if match]
        if links:
            number = re.search(r"长大气办函〔\d{4}〕\d+号", re.sub(r"<[^>]+>", "", header))[0]
            addressee = next(p for p in paragraphs if p.endswith("：")).strip().rstrip("：")
            found.append((number, addressee, links[0]))
    return found


def test_a_letters_printed_short_link_opens_its_ack_page_on_a_running_console(world, server):
    # UNIT_C's channel failed: its letter was printed but never sent, so its page says so (404)
    letters = [letter for letter in printed_letters(world) if letter[1] != UNIT_C]
    assert {addressee for _, addressee, _ in letters} == {UNIT_A, UNIT_B}
    for number, addressee, link in letters:
        assert len(link) < 40, link
        status, final, page = fetch(server + link[link.index("/q/"):])
        assert status == 200 and "/ack/" in final  # on to the token's page, where the form's cookie lives
        assert "签收公文" in page and number in page and f"{addressee}：请阅读下列公文后签收" in page


def test_a_wrong_or_malformed_short_code_is_404(world, server):
    [(_, _, link), *_] = printed_letters(world)
    code = link.rsplit("/", 1)[1]
    wrong = ("a" if code[0] != "a" else "b") + code[1:]
    for path in (f"/q/{wrong}", "/q/abc", f"/q/{code}x", "/q/" + "0" * len(code)):
        status, _, page = fetch(server + path)
        assert status == 404 and "没有这个签收链接" in page, path


def test_the_long_links_of_letters_sent_before_still_work(world, store, server):
    with store.session() as session:
        key = session.scalar(select(m.Notice.key).where(m.Notice.unit == UNIT_A, m.Notice.status == "sent",
                                                        m.Notice.level == "warning"))
    token = sign_ack(key, DAY + timedelta(days=60), ack_secret(world.config))
    status, final, page = fetch(long_ack_url(server, token))
    assert status == 200 and final.endswith(token) and f"{UNIT_A}：请阅读下列公文后签收" in page
