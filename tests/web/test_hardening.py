"""The console under attack from loopback: security headers, out-of-range ids, 签收 links for levels
that take none, the one link secret, login throttling and bounded uploads (docs/production.md)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scheduler.cli.main import main
from scheduler.delivery.acklinks import ack_secret, sign_ack, token_hash
from scheduler.store import schema as m
from scheduler.web import create_app
from scheduler.web.app import route_table
from tests.web.builders import NOW, PASSWORD, ROOT, UNIT_A, csrf_of, free_port, login

HUGE = 2**70


def audit_actions(store, action: str) -> list[m.AuditEntry]:
    with store.session() as session:
        return list(session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == action)
                                    .order_by(m.AuditEntry.id)))


# -- security headers (finding 7) ------------------------------------------------------------------


def assert_hardened(response) -> None:
    headers = response.headers
    assert "frame-ancestors 'self'" in headers["content-security-policy"], response.url
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]  # no script may run at all
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"


def test_every_answer_carries_the_security_headers_logged_in_or_not(client):
    anonymous = [client.get("/login"), client.get("/ack/not-a-token"), client.get("/no-such-page"),
                 client.get("/api/session"), client.get("/dashboard", follow_redirects=False),
                 client.post("/login", data={"name": "wang", "password": "x"})]
    assert [r.status_code for r in anonymous] == [200, 400, 404, 401, 303, 403]
    login(client, "wang")
    pages = [client.get(path) for path in ("/dashboard", "/queue", "/letters", "/metrics", "/api/queue",
                                           "/openapi.json")]
    assert all(r.status_code == 200 for r in pages)
    for response in anonymous + pages:
        assert_hardened(response)


# -- ids past 64 bits (finding 8) ------------------------------------------------------------------


def test_an_id_past_64_bits_is_not_found_in_every_path_never_a_server_error(world, store):
    app = create_app(world.config, store, now=lambda: NOW)
    with TestClient(app, raise_server_exceptions=False) as client:
        login(client, "wang")
        token = csrf_of(client)
        tried = 0
        for path, methods in route_table(app):
            if ":int}" not in path:
                continue
            url = re.sub(r"\{[a-z_]+:int\}", str(HUGE), path).replace("{kind}", "pdf")
            for method in sorted(methods - {"HEAD"}):
                response = client.request(method, url, headers={"X-CSRF-Token": token},
                                          data={"csrf_token": token}, follow_redirects=False)
                assert response.status_code == 404, (method, url, response.status_code)
                tried += 1
        assert tried >= 10
        in_body = client.post("/api/queue/decide", headers={"X-CSRF-Token": token},
                              json={"ids": [HUGE], "decision": "approve"})
        assert in_body.status_code == 404
        in_form = client.post("/queue/decide", data={"ids": [str(HUGE)], "decision": "approve", "csrf_token": token})
        assert in_form.status_code == 400 and "未执行" in in_form.text  # no such id selected: nothing done


# -- 签收 links (finding 12) -----------------------------------------------------------------------


def test_a_signed_link_to_a_reminder_is_refused_before_anything_is_recorded(world, store, client, monkeypatch):
    monkeypatch.delenv("DUBAN_SECRET", raising=False)
    with store.session() as session:
        reminder = session.scalars(select(m.Notice).where(m.Notice.level == "reminder", m.Notice.status == "sent")
                                   .order_by(m.Notice.id)).first()
        acknowledged_before = session.scalar(select(func.count()).select_from(m.Notice)
                                             .where(m.Notice.acknowledged_on.is_not(None)))
    token = sign_ack(reminder.key, NOW.date().replace(year=2020), ack_secret(world.config, {}))
    shown = client.get(f"/ack/{token}")
    assert shown.status_code == 400 and "无需签收" in shown.text
    form_token = client.cookies.get("duban_ack")  # the page shows no form; a forged post sends the cookie's token
    posted = client.post(f"/ack/{token}", data={"csrf_token": form_token, "by": "张三"})
    assert posted.status_code == 400 and "无需签收" in posted.text
    with store.session() as session:
        assert session.get(m.Notice, reminder.id).acknowledged_on is None
        assert session.scalar(select(func.count()).select_from(m.Notice)
                              .where(m.Notice.acknowledged_on.is_not(None))) == acknowledged_before
        assert session.scalars(select(m.AckLink).where(m.AckLink.token_hash == token_hash(token))).first() is None
    assert audit_actions(store, "notice.acknowledge") == []


def test_calendar_link_signs_with_the_secret_file_the_console_checks_feeds_with(world, client, monkeypatch, capsys):
    monkeypatch.delenv("DUBAN_SECRET", raising=False)
    monkeypatch.delenv("DUBAN_DB", raising=False)
    monkeypatch.setenv("DUBAN_CONFIG", str(world_config_file(world)))
    assert main(["calendar", "link", "--unit", UNIT_A]) == 0
    link = capsys.readouterr().out.strip()
    feed = client.get(link.removeprefix("http://127.0.0.1:8080"))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content


# -- login throttling (finding 3) ------------------------------------------------------------------


def test_forty_wrong_passwords_then_the_right_one_is_refused(app, client, store):
    app.state.web.throttle.clock = lambda: 1000.0  # forty quick tries: no delay runs out meanwhile
    answers = [client.post("/api/session", json={"name": "wang", "password": f"wrong-pass-{n}"}).status_code
               for n in range(40)]
    assert answers[:3] == [401, 401, 401] and set(answers[3:]) == {429}  # refused before any hashing
    right = login(client, "wang")
    assert right.status_code == 429 and "登录失败次数过多" in right.text
    assert int(right.headers["retry-after"]) >= 1
    assert "duban_session" not in right.cookies
    assert len(audit_actions(store, "web.login_failed")) == 3


@pytest.mark.slow  # twelve argon2 hashes
def test_failures_grow_the_delay_then_lock_the_name_for_a_while_and_the_lock_is_audited(app, client, store):
    clock = [1000.0]
    throttle = app.state.web.throttle
    throttle.clock = lambda: clock[0]
    waits = []
    for n in range(10):
        assert login(client, "wang", f"wrong-pass-{n}").status_code == 401, n
        refusal = throttle.check("wang", "testclient")
        waits.append(refusal.seconds if refusal else 0)
        if refusal and not refusal.locked:
            early = login(client, "wang", PASSWORD)  # even the right password waits its turn
            assert early.status_code == 429 and early.headers["retry-after"] == str(refusal.seconds)
            clock[0] += refusal.seconds  # wait out the delay, not the lock
    assert waits[:2] == [0, 0] and waits[2:5] == [1, 2, 4]  # doubling after three free failures
    assert waits[-1] == 15 * 60  # the tenth failure locks the name for web.login_lock_minutes
    locked = login(client, "wang", PASSWORD)
    assert locked.status_code == 429 and "已临时锁定" in locked.text
    api = client.post("/api/session", json={"name": "wang", "password": PASSWORD})
    assert api.status_code == 429 and int(api.headers["retry-after"]) > 800
    [lock] = audit_actions(store, "web.login_locked")
    assert (lock.actor, lock.object_type, lock.object_id, lock.detail["minutes"]) == ("wang", "user", "wang", 15)
    clock[0] += 15 * 60
    assert login(client, "wang").status_code == 303  # the lock ran out; the right password works again
    client.cookies.clear()
    assert login(client, "li").status_code == 303  # another name was never locked


@pytest.mark.slow  # seventeen argon2 hashes
def test_one_address_guessing_many_names_is_slowed_too(app, client):
    app.state.web.throttle.clock = lambda: 5000.0
    answers = [login(client, f"guess-{n}", "wrong-pass-1").status_code for n in range(17)]
    assert answers[:15] == [401] * 15 and answers[15:] == [429, 429]
    assert login(client, "li").status_code == 429  # the right password of a third name waits as well


def test_a_success_clears_the_names_count_but_not_the_addresss():
    from scheduler.web.throttle import LoginThrottle, Rule

    clock = [0.0]
    throttle = LoginThrottle(Rule(free=1, lock_after=3, lock_seconds=60), Rule(free=5, lock_after=50, lock_seconds=60),
                             clock=lambda: clock[0])
    throttle.failed("wang", "10.0.0.1")
    assert throttle.check("wang", "10.0.0.1").seconds == 1
    assert throttle.check("li", "10.0.0.2") is None
    throttle.succeeded("wang", "10.0.0.1")
    assert throttle.check("wang", "10.0.0.2") is None
    assert throttle.counts["addr:10.0.0.1"].failures == 1


# -- uploads (findings 2 and 9) --------------------------------------------------------------------


def tall_xlsx(rows: int, region: str = "潞州区") -> bytes:
    """A real .xlsx of `rows` rows written straight as XML: a few hundred KB that unpacks large."""
    row = ('<row><c t="inlineStr"><is><t>2019-12-01</t></is></c>'  # no r="": identical rows pack tight
           f'<c t="inlineStr"><is><t>{region}</t></is></c>'
           '<c t="inlineStr"><is><t>PM2.5</t></is></c><c><v>61</v></c></row>')
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c><c r="B1" t="inlineStr"><is><t>region</t>'
              '</is></c><c r="C1" t="inlineStr"><is><t>metric</t></is></c><c r="D1" t="inlineStr"><is><t>value</t>'
              '</is></c></row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>' + header + row * rows
             + "</sheetData></worksheet>")
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main_ns}" xmlns:r="{rel_ns}"><sheets>'
            '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel_ns}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def upload(client, name: str, data: bytes):
    return client.post("/api/metrics/import", headers={"X-CSRF-Token": csrf_of(client)}, files={"file": (name, data)})


@pytest.mark.slow  # building the 200,000-row file takes a few seconds
def test_a_small_xlsx_that_unpacks_huge_is_refused_quickly_with_a_small_report(client, store):
    bomb = tall_xlsx(200_000)
    assert len(bomb) < 200_000  # the review's file was 121 KB
    login(client, "wang")
    started = time.perf_counter()
    response = upload(client, "bomb.xlsx", bomb)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and elapsed < 3, elapsed
    report = response.json()
    assert report["loaded"] == 0 and len(response.content) < 5_000
    assert "解压后超过 16 MB，未导入" in report["problems"][0]["message"]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(m.MetricValueRow)) == 0


def test_an_upload_past_the_row_limit_loads_nothing_and_says_how_to_split_it(world, store):
    config = world.config.model_copy(update={"web": world.config.web.model_copy(update={"upload_max_rows": 100})})
    with TestClient(create_app(config, store, now=lambda: NOW)) as client:
        login(client, "wang")
        refused = upload(client, "tall.xlsx", tall_xlsx(150)).json()
        assert refused["loaded"] == 0 and "超过 100 行，未导入" in refused["problems"][0]["message"]
        csv = "date,region,metric,value\n" + "".join(f"2019-12-01,潞州区,PM2.5,{n}\n" for n in range(150))
        assert "超过 100 行" in upload(client, "tall.csv", csv.encode()).json()["problems"][0]["message"]
        assert upload(client, "short.xlsx", tall_xlsx(99)).json()["loaded"] == 1  # 99 rows of one day: one value


def test_a_report_lists_two_hundred_problems_and_counts_the_rest(client, store):
    login(client, "wang")
    csv = "date,region,metric,value\n" + "".join(f"2019-12-01,火星区{n},PM2.5,1\n" for n in range(3000))
    report = upload(client, "mars.csv", csv.encode()).json()
    assert (report["bad_rows"], len(report["problems"]), report["problems_omitted"]) == (3000, 200, 2800)
    assert len(report["problems"][0]["message"]) < 100
    record = client.get(f"/api/metrics/imports/{report['import_id']}").json()
    assert (record["bad_rows"], len(record["problems"]), record["problems_omitted"]) == (3000, 200, 2800)


def test_an_upload_without_a_length_is_refused_and_audited_before_its_body_is_read(client, store):
    login(client, "wang")
    token = csrf_of(client)

    def chunks():
        yield b"--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode() + b"\r\n"
        yield b"--x--\r\n"

    response = client.post("/api/metrics/import", content=chunks(),
                           headers={"X-CSRF-Token": token, "Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 411 and "Content-Length" in response.json()["detail"]
    [refused] = audit_actions(store, "metrics.import_refused")
    assert (refused.actor, refused.detail["reason"]) == ("wang", "no_length")


@pytest.mark.parametrize("path", ["/login", "/api/session", "/queue/decide", "/ack/abc.def"])
def test_a_body_over_the_limit_is_refused_on_every_route_before_any_route_reads_it(client, path):
    response = client.post(path, content=b"x" * (300 * 1024), headers={"Content-Type": "application/x-www-form-"
                                                                                     "urlencoded"})
    assert response.status_code == 413 and "提交的内容过大（上限 256 KB）" in response.text
    assert_hardened(response)


# -- a real server on loopback (findings 3 and 5) --------------------------------------------------


def world_config_file(world) -> Path:
    """A config.yaml beside the world's store and .duban-secret, as an installation has it."""
    path = world.folder / "config.yaml"
    path.write_text(
        f"database: {world.url}\ndata_dir: {ROOT / 'data'}\nrules_dir: {ROOT / 'rules'}\n"
        f"templates_dir: {ROOT / 'templates'}\ncalendar_dir: {ROOT / 'data' / 'calendar'}\n", encoding="utf-8")
    return path


@pytest.fixture
def served(world, store):
    """`duban web` in its own process on a free loopback port; yields (port, pid)."""
    port = free_port()
    env = {**os.environ, "DUBAN_CONFIG": str(world_config_file(world))}
    env.pop("DUBAN_DB", None)
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "web", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port, process.pid
    process.terminate()
    process.wait(30)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def call(port: int, method: str, path: str, body: dict | None = None, cookie: str = "") -> tuple[int, str]:
    """One request on its own connection (as separate browsers make them); return status and cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, (response.getheader("set-cookie") or "").split(";")[0]


def raw_post(port: int, path: str, head: str, body_chunks, pause: float = 0.0) -> tuple[str, int]:
    """Send a request by hand, body chunk by chunk until the server answers; return the status line
    and how many body bytes went out before it did."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
        sent = 0
        sock.setblocking(False)
        for chunk in body_chunks:
            try:
                answer = sock.recv(4096)
            except BlockingIOError:
                answer = b""
            if answer:
                return answer.split(b"\r\n")[0].decode(), sent
            try:
                sock.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            time.sleep(pause)
        sock.setblocking(True)
        return sock.recv(4096).split(b"\r\n")[0].decode(), sent


@pytest.mark.slow
def test_a_real_server_refuses_a_huge_login_body_before_reading_it(served):
    port, _pid = served
    stated = raw_post(port, "/login", "Content-Type: application/x-www-form-urlencoded\r\n"
                      f"Content-Length: {400 * 1024 * 1024}\r\n", [b""])
    assert stated[0].startswith("HTTP/1.1 413")
    chunk = b"x" * 65536
    chunked = (b"%x\r\n" % len(chunk)) + chunk + b"\r\n"
    status, sent = raw_post(port, "/login", "Content-Type: application/x-www-form-urlencoded\r\n"
                            "Transfer-Encoding: chunked\r\n", (chunked for _ in range(6400)), pause=0.001)
    assert status.startswith("HTTP/1.1 413")
    assert sent < 8 * 1024 * 1024, sent  # cut off near 256 KB, not after 400 MB


@pytest.mark.slow
def test_a_hundred_parallel_bad_logins_do_not_starve_a_logged_in_user(served):
    port, pid = served
    status, cookie = call(port, "POST", "/api/session", {"name": "wang", "password": PASSWORD})
    assert status == 200
    before, peak = rss_mib(pid), [0.0]
    answers: list[int] = []
    start = threading.Barrier(101)

    def attack(n: int) -> None:
        start.wait()
        answers.append(call(port, "POST", "/api/session", {"name": f"guess-{n}", "password": "x" * 12})[0])

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    start.wait()
    waits = []
    while any(t.is_alive() for t in threads):
        t0 = time.perf_counter()
        assert call(port, "GET", "/api/session", cookie=cookie)[0] == 200
        waits.append(time.perf_counter() - t0)
        peak[0] = max(peak[0], rss_mib(pid))
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert sorted(set(answers)) == [401, 429] and len(answers) == 100  # no 500, none hung
    assert answers.count(401) <= 20  # past the address's free failures, refused without hashing
    assert max(waits) < 3, max(waits)  # 17.7 s in the review; bench/RESULTS.md has this machine's figures
    assert peak[0] - before < 400, (before, peak[0])  # two 64 MiB hashes at a time, not a hundred
