"""签收 links: signing, checking, expiry, the secret, and honouring a link against the store."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import Config
from scheduler.delivery.acklinks import (
    AckLinkError,
    ack_expiry,
    ack_secret,
    ack_url,
    honour_ack,
    long_ack_url,
    read_ack,
    resolve_short,
    short_code,
    short_hash,
    sign_ack,
    signed_link,
    token_hash,
)
from scheduler.escalation.facts import Action
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.acks import record_issued
from scheduler.store.schema import AckLink

SECRET = b"0123456789abcdef-test-secret"
KEY = "overdue-warning|cz2019-12|潞州区人民政府|2019-11-30"
NOW = datetime(2019, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_token_round_trips_to_its_notice_key_until_its_last_day():
    token = sign_ack(KEY, date(2020, 2, 18), SECRET)
    assert token.isascii() and "/" not in token and "+" not in token and "=" not in token
    assert read_ack(token, SECRET, date(2019, 12, 20)) == KEY
    assert read_ack(token, SECRET, date(2020, 2, 18)) == KEY  # the expiry day itself still works
    assert sign_ack(KEY, date(2020, 2, 18), SECRET) == token  # deterministic: a re-send, same link


def test_an_expired_token_is_refused_in_chinese():
    token = sign_ack(KEY, date(2020, 2, 18), SECRET)
    with pytest.raises(AckLinkError, match="已于2020年2月18日过期"):
        read_ack(token, SECRET, date(2020, 2, 19))


def test_another_secret_or_an_edited_token_is_refused():
    token = sign_ack(KEY, date(2020, 2, 18), SECRET)
    with pytest.raises(AckLinkError, match="签名不符"):
        read_ack(token, b"another-secret-of-enough-length", date(2019, 12, 20))
    other = sign_ack("overdue-warning|cz2019-13|潞州区人民政府|2019-11-30", date(2020, 2, 18), SECRET)
    forged = other.split(".")[0] + "." + token.split(".")[1]  # someone else's key, our signature
    with pytest.raises(AckLinkError, match="签名不符"):
        read_ack(forged, SECRET, date(2019, 12, 20))
    later = sign_ack(KEY, date(2030, 1, 1), b"x" * 32).split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(AckLinkError, match="签名不符"):  # a pushed-out expiry breaks the signature
        read_ack(later, SECRET, date(2019, 12, 20))


@pytest.mark.parametrize("token", ["", "abc", "abc.", ".abc", "%%%.%%%", "a.b.c", "YWJj.!!"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(AckLinkError, match="格式不正确|签名不符"):
        read_ack(token, SECRET, date(2019, 12, 20))


def test_the_long_url_puts_the_token_under_ack():
    assert long_ack_url("https://dqb.example.cn/", "abc.def") == "https://dqb.example.cn/ack/abc.def"
    assert long_ack_url("http://127.0.0.1:8080", "abc.def") == "http://127.0.0.1:8080/ack/abc.def"


def test_the_printed_url_is_a_short_code_under_q_that_fits_one_line():
    token = sign_ack(KEY, date(2020, 2, 18), SECRET)
    url = ack_url("http://127.0.0.1:8080/", token)
    assert url == f"http://127.0.0.1:8080/q/{short_code(token)}" and len(url) < 40
    assert len(f"http://127.0.0.1:8080/ack/{token}") > 100  # what letters printed before
    assert short_code(token) == short_code(token + " ")  # stable for a re-sent letter
    # another secret, notice or expiry gives another code
    others = {short_code(sign_ack(KEY, date(2020, 2, 18), SECRET + b"x")), short_code(sign_ack(KEY + "x",
              date(2020, 2, 18), SECRET)), short_code(sign_ack(KEY, date(2020, 2, 19), SECRET))}
    assert short_code(token) not in others and len(others) == 3


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="太短"):
        sign_ack(KEY, date(2020, 1, 1), b"short")


def test_the_secret_comes_from_the_named_variable_else_a_private_file(tmp_path):
    config = Config(base_dir=tmp_path)
    assert ack_secret(config, {"DUBAN_SECRET": "s" * 20}) == b"s" * 20
    with pytest.raises(AckLinkError, match="DUBAN_SECRET 太短"):
        ack_secret(config, {"DUBAN_SECRET": "short"})
    first = ack_secret(config, {})
    path = tmp_path / ".duban-secret"
    assert len(first) == 64 and path.read_text().strip().encode() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ack_secret(config, {}) == first  # the same file on the next start: old links still work


def _store(url: str):
    store = open_store(url)
    with store.session() as session:
        session.add(m.Unit(name="潞州区人民政府", id="cz-luzhou", kind="county_government", region="长治市"))
        repo.insert_notices(session, [Action(
            key=KEY, level="warning", rule_id="overdue-warning", ruleset_id="default", ruleset_version="1",
            plan_id="changzhi-2019", task_id="cz2019-12", unit="潞州区人民政府", due=date(2019, 11, 30),
            kind="overdue", needs_review=True, clause="001 五（五）", explanation="测试")], date(2019, 12, 20), NOW)
        session.add(m.Letter(notice_key=KEY, issuer="长治市大气污染防治工作领导组办公室", year=2019, serial=12,
                             number="长大气办函〔2019〕12号"))
        session.commit()
    return store


def test_issuing_records_the_link_once_and_honouring_acknowledges_the_notice(store_url):
    store = _store(store_url)
    with store.session() as session:
        token, link = signed_link(KEY, ack_expiry(date(2019, 12, 20), 60), SECRET)
        again, same = signed_link(KEY, ack_expiry(date(2019, 12, 20), 60), SECRET)
        record_issued(session, link, NOW)
        record_issued(session, same, NOW)
        session.commit()
    assert token == again and link == same
    with store.session() as session:
        [row] = session.scalars(select(AckLink)).all()
        assert (row.notice_key, row.expires_on, row.uses, row.used_at) == (KEY, date(2020, 2, 18), 0, None)
        assert row.token_hash == token_hash(token) and token not in row.token_hash  # the token itself is not kept
        result = honour_ack(session, token, secret=SECRET, by="潞州区 李四", today=date(2019, 12, 23), now=NOW)
        session.commit()
    assert (result.notice_key, result.number, result.acknowledged_on, result.first) == (
        KEY, "长大气办函〔2019〕12号", date(2019, 12, 23), True)
    with store.session() as session:
        second = honour_ack(session, token, secret=SECRET, by="别人", today=date(2019, 12, 30), now=NOW)
        session.commit()
    assert (second.first, second.acknowledged_on) == (False, date(2019, 12, 23))  # the first 签收 stands
    with store.session() as session:
        notice = repo.notice_by_key(session, KEY)
        row = session.scalar(select(AckLink))
        audits = session.scalars(select(m.AuditEntry.actor).where(m.AuditEntry.action == "notice.acknowledge")).all()
    assert notice.acknowledged_on == date(2019, 12, 23)
    assert (row.uses, row.used_by) == (2, "潞州区 李四")
    assert audits == ["潞州区 李四", "别人"]
    store.dispose()


@pytest.mark.parametrize("level", ["reminder", "urge"])
def test_a_valid_link_to_a_notice_that_takes_no_ack_is_refused_before_anything_is_recorded(store_url, level):
    store = _store(store_url)
    key = KEY.replace("warning", level)
    with store.session() as session:
        repo.insert_notices(session, [Action(
            key=key, level=level, rule_id=f"overdue-{level}", ruleset_id="default", ruleset_version="1",
            plan_id="changzhi-2019", task_id="cz2019-12", unit="潞州区人民政府", due=date(2019, 11, 30),
            kind="overdue", needs_review=False, clause="001 五（五）", explanation="测试")], date(2019, 12, 20), NOW)
        session.commit()
    token = sign_ack(key, date(2020, 1, 31), SECRET)
    with store.session() as session:
        with pytest.raises(AckLinkError, match="无需签收"):
            honour_ack(session, token, secret=SECRET, by="x", today=date(2019, 12, 23), now=NOW)
        session.commit()  # even a caller that commits after the refusal records nothing
    with store.session() as session:
        assert repo.notice_by_key(session, key).acknowledged_on is None
        assert session.scalars(select(AckLink)).all() == []
        assert session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "notice.acknowledge")).all() == []
    store.dispose()


def test_a_valid_link_to_a_missing_notice_is_refused(store_url):
    store = _store(store_url)
    token = sign_ack("no-such-notice", date(2020, 1, 31), SECRET)
    with store.session() as session, pytest.raises(AckLinkError, match="不存在"):
        honour_ack(session, token, secret=SECRET, by="x", today=date(2019, 12, 23), now=NOW)
    store.dispose()



def test_a_short_code_resolves_to_its_letters_token_and_a_wrong_one_is_refused(store_url):
    store = _store(store_url)
    with store.session() as session:
        token, link = signed_link(KEY, ack_expiry(date(2019, 12, 20), 60), SECRET)
        record_issued(session, link, NOW)
        session.commit()
        row = session.scalar(select(AckLink))
        assert row.short_hash == short_hash(short_code(token)) and short_code(token) not in row.short_hash
        assert resolve_short(session, short_code(token).upper(), secret=SECRET, today=date(2019, 12, 23)) == token
        wrong = ("a" if short_code(token)[0] != "a" else "b") + short_code(token)[1:]
        for code in (wrong, "", "abc", short_code(token) + "a", "0" * 12):
            with pytest.raises(AckLinkError, match="没有这个签收链接"):
                resolve_short(session, code, secret=SECRET, today=date(2019, 12, 23))
        with pytest.raises(AckLinkError, match="没有这个签收链接"):  # the row exists, the secret differs
            resolve_short(session, short_code(token), secret=SECRET + b"x", today=date(2019, 12, 23))
    store.dispose()


def test_a_link_issued_before_short_codes_gets_its_code_on_first_use(store_url):
    store = _store(store_url)
    token, link = signed_link(KEY, ack_expiry(date(2019, 12, 20), 60), SECRET)
    with store.session() as session:  # as a store upgraded from 0010 holds it: no short hash
        record_issued(session, replace(link, short_hash=""), NOW)
        session.commit()
        assert session.scalar(select(AckLink.short_hash)) is None
        assert resolve_short(session, short_code(token), secret=SECRET, today=date(2019, 12, 23)) == token
        session.commit()
    with store.session() as session:
        assert session.scalar(select(AckLink.short_hash)) == link.short_hash
        record_issued(session, link, NOW)  # a re-send changes nothing more
        session.commit()
        assert len(session.scalars(select(AckLink)).all()) == 1
    store.dispose()


def test_duban_ack_honours_a_link_from_a_delivered_letter(tmp_path):
    import email as emaillib
    import json
    import re
    import subprocess
    import sys
    from email import policy
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, DUBAN_DB=f"sqlite:///{tmp_path / 'cli.db'}", DUBAN_OUT=str(tmp_path / "out"),
               DUBAN_SECRET="cli-test-secret-0123456789")
    env.pop("DUBAN_CONFIG", None)

    def duban(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scheduler", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)

    assert duban("load", "data").returncode == 0
    assert duban("sweep", "--as-of", "2019-12-10", "--json").returncode == 0  # the urges a warning rests on
    assert duban("sweep", "--as-of", "2019-12-20", "--json").returncode == 0
    assert duban("queue", "approve", "--all", "--by", "王协调").returncode == 0
    delivered = duban("deliver", "--as-of", "2019-12-20", "--no-pdf")
    assert delivered.returncode == 0, delivered.stderr
    assert "以下单位没有可用的联系方式，消息已放入文件发件箱" in delivered.stdout
    mail = emaillib.message_from_bytes(next((tmp_path / "out" / "2019-12-20").glob("overdue-warning*.eml"))
                                       .read_bytes(), policy=policy.default)
    url = re.search(r"http://127\.0\.0\.1:8080/q/\w+", mail.get_body(("plain",)).get_content()).group(0)
    first = duban("ack", url, "--on", "2019-12-23", "--by", "张三")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("已签收：") and "签收人 张三，日期 2019-12-23" in first.stdout
    again = json.loads(duban("ack", url.rsplit("/", 1)[1], "--on", "2019-12-24", "--json").stdout)
    assert again["first"] is False and again["acknowledged_on"] == "2019-12-23" and again["number"]
    expired = duban("ack", url, "--on", "2020-03-01")
    assert expired.returncode == 1 and "未签收：签收链接已于2020年2月18日过期" in expired.stderr
    bad = duban("ack", "not-a-token")
    assert bad.returncode == 1 and "格式不正确" in bad.stderr
    status = json.loads(duban("delivery", "status", "--json").stdout)
    assert status["dead"] == [] and status["retrying"] == [] and "长治市工业和信息化局" in status["no_contact"]
