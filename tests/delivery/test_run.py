"""Delivery on SQLite and PostgreSQL: digests and numbered letters, exactly once, retries, dead letters."""

from __future__ import annotations

import email
import shutil
import socket
import threading
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from docx import Document
from sqlalchemy import select, update

from scheduler import store as repo
from scheduler.config import Config, QuietHours, SmtpConfig
from scheduler.delivery.channels.base import TransportError, message_id
from scheduler.delivery.channels.fileoutbox import FileOutbox
from scheduler.delivery.policy import LEASE, backoff
from scheduler.delivery.run import deliver
from scheduler.delivery.targets import route
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.facts import Action
from scheduler.issuers import SHIPPED, Issuer
from scheduler.letters.digest import digest_key
from scheduler.plans.ledger import Ledger
from scheduler.plans.units import UnitDirectory
from scheduler.store import claims, deliveries, open_store
from scheduler.store import schema as m
from scheduler.store.deliverylog import dead_deliveries as dead_letters
from scheduler.store.letters import allocate_letter

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2019, 12, 2)  # a Monday
NOW = datetime(2019, 12, 2, 9, 0, tzinfo=SHANGHAI)
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
LUCHENG = DIRECTORY.resolve("潞城区政府", "长治市").units[0].name
XIANGYUAN = DIRECTORY.resolve("襄垣县政府", "长治市").units[0].name
CLAUSE = "对重点任务进展缓慢的县区，及时下发预警通知函。"


def ledger() -> Ledger:
    return Ledger.model_validate(dict(
        plan=dict(id="t-2019", title="测试方案", issuer="长治市", region="长治市",
                  document_number="长政办发〔2019〕78号", assessment_clause=CLAUSE, period_start="2019-10-01",
                  period_end="2020-03-31", plan_year=2019, source_file="seed.txt"),
        tasks=[dict(id="t-2019/1", title="压减焦炭产能", deadline_text="2019年11月底前", lead_units=["市工信局"],
                    responsible_units=["潞城区政府", "襄垣县政府"], source="seed.txt:198"),
               dict(id="t-2019/2", title="散乱污整治", deadline_text="2019年12月底前", lead_units=["市生态环境局"],
                    responsible_units=["潞城区政府"], source="seed.txt:221")]))


def action(key: str, unit: str = LUCHENG, level: str = "reminder", task: str = "t-2019/1",
           due: date = date(2019, 11, 30)) -> Action:
    return Action(key=key, level=level, rule_id=f"r-{level}", ruleset_id="default", ruleset_version="1",
                  plan_id="t-2019", task_id=task, unit=unit, due=due, kind="overdue" if due < DAY else "before_due",
                  needs_review=level in ("warning", "interview"), clause="001 五（五）", explanation="测试说明",
                  facts={"workdays_overdue": 1} if due < DAY else {})


ARRANGEMENT = {"time": "2019年12月27日上午9时", "place": "市生态环境局三楼会议室",
               "attendees": "分管负责同志", "contact": "王明，0355-2021234"}


@pytest.fixture
def store(store_with):
    return store_with([ledger()], DIRECTORY, now=NOW)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)


def add(store, *actions: Action, approve: tuple[str, ...] = (), hold: tuple[str, ...] = (),
        reject: tuple[str, ...] = (), on: date = DAY) -> None:
    with store.session() as session:
        repo.insert_notices(session, list(actions), on)
        ids = {n.key: n.id for n in repo.review_queue(session)}
        decisions = ((approve, "approve", ""), (hold, "hold", "待核实"), (reject, "reject", "数据有误"))
        for keys, decision, reason in decisions:
            if keys:
                repo.decide_notices(session, [ids[k] for k in keys], decision, "王协调", reason, now=NOW,
                                    arrangement=ARRANGEMENT)
        session.commit()


def statuses(store) -> dict[str, tuple[str, date | None]]:
    with store.session() as session:
        return {k: (s, d) for k, s, d in session.execute(select(m.Notice.key, m.Notice.status, m.Notice.sent_on))}


def emls(root: Path) -> dict[str, email.message.EmailMessage]:
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(root.rglob("*.eml"))}


def by_key(messages) -> dict[str, email.message.EmailMessage]:
    return {mail["X-Duban-Key"]: mail for mail in messages.values()}


class Flaky:
    """A channel that fails `failures` times with the given permanence, then writes to a file outbox."""

    name = "file"

    def __init__(self, root: Path, failures: int, permanent: bool = False) -> None:
        self.outbox, self.failures, self.permanent, self.calls = FileOutbox(root), failures, permanent, 0

    def send(self, message):
        self.calls += 1
        if self.calls <= self.failures:
            raise TransportError("连接被重置", permanent=self.permanent)
        return self.outbox.send(message)


def test_it_sends_one_digest_per_unit_and_a_numbered_letter_for_an_approved_warning(store, config):
    add(store, action("r1"), action("r2", task="t-2019/2", due=date(2019, 12, 31)), action("r3", XIANGYUAN),
        action("w1", level="warning"), approve=("w1",))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert (report.digests_sent, report.letters_sent, report.retried, report.dead) == (2, 1, 0, 0)
    assert report.numbers == ["长大气办函〔2019〕1号"]
    mails = by_key(emls(config.outbox))
    assert set(mails) == {digest_key(LUCHENG, DAY), digest_key(XIANGYUAN, DAY), "w1"}
    digest = mails[digest_key(LUCHENG, DAY)]
    assert digest["Subject"] == f"督办事项汇总：{LUCHENG}（2019年12月2日，共2项）"
    body = digest.get_body(("plain",)).get_content()
    assert "压减焦炭产能" in body and "散乱污整治" in body and "已经逾期" in body and "即将到期" in body
    assert digest["Message-ID"] == message_id(digest_key(LUCHENG, DAY))
    letter = mails["w1"]
    assert "预警通知函" in letter["Subject"] and "长大气办函〔2019〕1号" in letter["Subject"]
    assert [a.get_filename() for a in letter.iter_attachments()] == ["长大气办函〔2019〕1号.docx"]
    document = Document(config.outbox / "letters" / "2019-12-02" / "长大气办函〔2019〕1号.docx")
    header = document.sections[0].first_page_header
    text = "\n".join(p.text for p in [*header.paragraphs, *document.paragraphs])
    assert "长大气办函〔2019〕1号" in text and "预警通知函" in text and CLAUSE.rstrip("。") in text
    assert statuses(store) == {"r1": ("sent", DAY), "r2": ("sent", DAY), "r3": ("sent", DAY), "w1": ("sent", DAY)}
    with store.session() as session:
        audited = session.scalars(select(m.AuditEntry.object_id).where(m.AuditEntry.action == "delivery.sent")).all()
        letters = session.execute(select(m.Letter.notice_key, m.Letter.number)).all()
    assert sorted(audited) == sorted([digest_key(LUCHENG, DAY), digest_key(XIANGYUAN, DAY), "w1"])
    assert letters == [("w1", "长大气办函〔2019〕1号")]


def test_a_second_run_sends_nothing(store, config):
    add(store, action("r1"), action("w1", level="warning"), approve=("w1",))
    deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    before = sorted(p.stat().st_mtime_ns for p in config.outbox.rglob("*.eml"))
    again = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(hours=2), pdf=False)
    assert (again.digests_sent, again.letters_sent, again.retried, again.dead) == (0, 0, 0, 0)
    assert sorted(p.stat().st_mtime_ns for p in config.outbox.rglob("*.eml")) == before
    next_day = deliver(store, config, CALENDAR, DAY + timedelta(days=1), now=NOW + timedelta(days=1), pdf=False)
    assert (next_day.digests_sent, next_day.letters_sent) == (0, 0)


def test_nothing_is_sent_on_a_non_working_day(store, config):
    add(store, action("r1"))
    report = deliver(store, config, CALENDAR, date(2019, 12, 7), now=NOW + timedelta(days=5), pdf=False)
    assert report.skipped_reason == "2019年12月7日不是工作日，不发送督办事项"
    assert report.digests_sent == 0 and not config.outbox.exists()
    assert statuses(store)["r1"] == ("queued", None)


def test_held_rejected_unapproved_and_signed_off_notices_are_not_sent(store, config):
    add(store, action("w-held", level="warning"), action("w-rejected", level="warning"),
        action("w-waiting", level="warning"), action("r-closed", task="t-2019/2"),
        hold=("w-held",), reject=("w-rejected",))
    with store.session() as session:
        session.execute(update(m.Task).where(m.Task.id == "t-2019/2").values(status="signed_off"))
        session.commit()
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert (report.digests_sent, report.letters_sent) == (0, 0)
    assert not list(config.outbox.rglob("*.eml"))
    assert statuses(store) == {"w-held": ("held", None), "w-rejected": ("rejected", None),
                               "w-waiting": ("pending_review", None), "r-closed": ("queued", None)}


def test_a_notice_held_while_its_delivery_waits_for_a_retry_is_withheld(store, config):
    add(store, action("w1", level="warning"), approve=("w1",))
    failing = Flaky(config.outbox, failures=1)
    first = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: failing)
    assert first.retried == 1
    with store.session() as session:
        session.execute(update(m.Notice).where(m.Notice.key == "w1").values(status="held"))
        session.commit()
    later = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(hours=1), pdf=False,
                    channel_factory=lambda c, a: failing)
    assert (later.letters_sent, later.withheld) == (0, 1) and failing.calls == 1
    with store.session() as session:
        assert session.scalar(select(m.Delivery.status)) == "withheld"
    with store.session() as session:  # approved again after the hold: it goes out, same number
        session.execute(update(m.Notice).where(m.Notice.key == "w1").values(status="approved"))
        session.commit()
    again = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(hours=2), pdf=False,
                    channel_factory=lambda c, a: failing)
    assert again.numbers == ["长大气办函〔2019〕1号"]


def test_a_transient_failure_is_retried_after_the_backoff_and_then_succeeds(store, config):
    add(store, action("r1"))
    channel = Flaky(config.outbox, failures=1)
    first = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)
    assert (first.digests_sent, first.retried) == (0, 1)
    assert statuses(store)["r1"] == ("queued", None)
    too_soon = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=4), pdf=False,
                       channel_factory=lambda c, a: channel)
    assert (too_soon.digests_sent, too_soon.retried, channel.calls) == (0, 0, 1)
    later = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=5), pdf=False,
                    channel_factory=lambda c, a: channel)
    assert later.digests_sent == 1 and channel.calls == 2
    assert statuses(store)["r1"] == ("sent", DAY)
    with store.session() as session:
        delivery = session.scalar(select(m.Delivery))
        actions = session.scalars(select(m.AuditEntry.action).where(m.AuditEntry.action.like("delivery.%"))).all()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert delivery.message_id == message_id(digest_key(LUCHENG, DAY))
    assert actions == ["delivery.retry", "delivery.sent"]


def test_backoff_doubles_from_five_minutes_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert backoff(20) == timedelta(hours=1)  # delivery.retry_cap_minutes' default
    assert backoff(500, cap=timedelta(hours=6)) == timedelta(hours=6)


def test_a_permanent_failure_goes_to_the_dead_letters(store, config):
    add(store, action("r1"))
    channel = Flaky(config.outbox, failures=1, permanent=True)
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)
    assert (report.dead, report.retried, report.digests_sent) == (1, 0, 0)
    with store.session() as session:
        dead = dead_letters(session)
        audited = session.scalars(select(m.AuditEntry.action).where(m.AuditEntry.action == "delivery.dead")).all()
    assert [(d.message_key, d.last_error, d.attempts) for d in dead] == [(digest_key(LUCHENG, DAY), "连接被重置", 1)]
    assert audited == ["delivery.dead"]
    assert statuses(store)["r1"] == ("queued", None)
    later = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(hours=1), pdf=False,
                    channel_factory=lambda c, a: channel)
    assert later.digests_sent == 0 and channel.calls == 1


def test_too_many_transient_failures_go_to_the_dead_letters(store, config):
    add(store, action("r1"))
    channel = Flaky(config.outbox, failures=99)
    first = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel,
                    max_attempts=2)
    second = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=5), pdf=False,
                     channel_factory=lambda c, a: channel, max_attempts=2)
    assert (first.retried, second.dead) == (1, 1)
    with store.session() as session:
        assert [d.attempts for d in dead_letters(session)] == [2]


class Counting:
    """A file outbox that counts what each key was sent, shared by concurrent runs."""

    name = "file"

    def __init__(self, root: Path) -> None:
        self.outbox, self.sent, self.lock = FileOutbox(root), Counter(), threading.Lock()

    def send(self, message):
        with self.lock:
            self.sent[message.key] += 1
        return self.outbox.send(message)


def test_two_runs_at_the_same_time_send_each_message_once(store, store_url, config):
    units = [DIRECTORY.resolve(name, "长治市").units[0].name
             for name in ("潞城区政府", "襄垣县政府", "屯留区政府", "平顺县政府", "黎城县政府", "壶关县政府")]
    add(store, *(action(f"r-{u}", u) for u in units), *(action(f"w-{u}", u, level="warning") for u in units),
        approve=tuple(f"w-{u}" for u in units))
    counting = Counting(config.outbox)
    other = open_store(store_url, migrate=False)  # a second process: its own engine and connections

    def run(s):
        return deliver(s, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: counting)

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(run, [store, other]))
    other.dispose()
    assert sum(r.digests_sent for r in reports) == 6 and sum(r.letters_sent for r in reports) == 6
    assert set(counting.sent.values()) == {1} and len(counting.sent) == 12
    numbers = sorted(n for r in reports for n in r.numbers)
    assert numbers == sorted(f"长大气办函〔2019〕{i}号" for i in range(1, 7))


def test_two_letters_get_serials_one_and_two(store, config):
    add(store, action("w1", level="warning"), action("w2", XIANGYUAN, level="interview"), approve=("w1", "w2"))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert sorted(report.numbers) == ["长大气办函〔2019〕1号", "长大气办函〔2019〕2号"]
    with store.session() as session:
        assert dict(session.execute(select(m.Letter.notice_key, m.Letter.serial)).all()) == {"w1": 1, "w2": 2}
    interview = by_key(emls(config.outbox))["w2"]
    assert "约谈" in interview["Subject"]


def test_concurrent_allocations_are_unique_and_gapless_and_a_rerun_keeps_its_number(store):
    keys = [f"w{i}" for i in range(8)]
    add(store, *(action(k, level="warning") for k in keys))
    issuer = SHIPPED.for_region("长治市")
    with ThreadPoolExecutor(4) as pool:
        letters = list(pool.map(lambda k: allocate_letter(store, k, issuer, DAY, NOW), keys))
    assert sorted(letter.serial for letter in letters) == list(range(1, 9))
    again = allocate_letter(store, "w3", issuer, DAY + timedelta(days=3), NOW)
    assert again.number == next(x.number for x in letters if x.notice_key == "w3") and again.issued_on == DAY


def test_issuers_follow_the_plan_region():
    assert SHIPPED.for_region("晋中市") == Issuer("晋中市大气污染防治工作领导组办公室", "晋中大气办函")
    assert SHIPPED.for_region("泽州县").prefix == "晋城大气办函"
    assert SHIPPED.for_region("晋城市").name == "晋城市大气污染防治工作领导组办公室"
    with pytest.raises(LookupError, match="太原市"):
        SHIPPED.for_region("太原市")


def test_an_issuer_override_numbers_the_letter(store, config):
    add(store, action("w1", level="warning"), approve=("w1",))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False,
                     issuer_for=lambda region: Issuer("测试办公室", "测试函"))
    assert report.numbers == ["测试函〔2019〕1号"]


def test_a_sender_that_crashed_after_claiming_is_replaced_after_its_lease_with_the_same_message_id(store, config):
    add(store, action("r1"))
    deliver(store, config, CALENDAR, date(2019, 12, 7), now=NOW, pdf=False)  # non-working: nothing prepared
    deliveries.prepare_day(store, DAY, NOW, lambda unit, contacts: [
        (t.channel, t.address) for t in route(contacts, config.delivery, config.outbox)[0]])
    with store.session() as session:
        delivery_id = session.scalar(select(m.Delivery.id))
        assert claims.claim(session, delivery_id, NOW, NOW + LEASE)  # ... and the process dies here
        session.commit()
    during = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=10), pdf=False)
    after = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=15), pdf=False)
    assert (during.digests_sent, after.digests_sent) == (0, 1)
    with store.session() as session:
        delivery = session.get(m.Delivery, delivery_id)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert list(emls(config.outbox).values())[0]["Message-ID"] == message_id(digest_key(LUCHENG, DAY))


def test_an_unsent_digest_is_folded_into_the_next_days_digest(store, config):
    add(store, action("r1"))
    channel = Flaky(config.outbox, failures=1)
    deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)
    add(store, action("r2", task="t-2019/2", due=date(2019, 12, 31)), on=DAY + timedelta(days=1))
    report = deliver(store, config, CALENDAR, DAY + timedelta(days=1), now=NOW + timedelta(days=1), pdf=False,
                     channel_factory=lambda c, a: channel)
    assert (report.superseded, report.digests_sent) == (1, 1)
    mails = by_key(emls(config.outbox))
    assert set(mails) == {digest_key(LUCHENG, DAY + timedelta(days=1))}
    assert "共2项" in mails[digest_key(LUCHENG, DAY + timedelta(days=1))]["Subject"]
    assert statuses(store) == {"r1": ("sent", DAY + timedelta(days=1)), "r2": ("sent", DAY + timedelta(days=1))}


def test_contacts_choose_the_channels_and_units_without_one_go_to_the_outbox(store, config):
    with store.session() as session:
        session.add(m.Contact(unit=LUCHENG, channel="webhook", address="https://robot.example/hook"))
        session.add(m.Contact(unit=XIANGYUAN, channel="email", address="xy@example.cn"))
        session.commit()
    add(store, action("r1"), action("r3", XIANGYUAN))
    used: list[tuple[str, str]] = []
    outbox = FileOutbox(config.outbox)

    def factory(channel: str, address: str):
        used.append((channel, address))
        return outbox

    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=factory)
    assert report.digests_sent == 2
    # no SMTP configured: the e-mail-only unit goes to the coordinators' folder, addressed
    assert sorted(used) == [("file", str(config.outbox)), ("webhook", "https://robot.example/hook")]
    assert by_key(emls(config.outbox))[digest_key(XIANGYUAN, DAY)]["To"] == "xy@example.cn"


def test_the_report_is_json(store, config):
    add(store, action("r1"))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert report.to_json() == {"day": "2019-12-02", "digests_sent": 1, "letters_sent": 0, "retried": 0,
                                "dead": 0, "skipped_reason": "", "quiet_held": 0,
                                "no_contact": [{"unit": LUCHENG, "reason": "单位名录中没有联系方式"}],
                                "withheld": 0, "superseded": 0, "numbers": [], "errors": []}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_letters_are_attached_as_docx_and_pdf(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'duban.db'}")
    config = Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)
    with store.session() as session:
        repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        session.commit()
    add(store, action("w1", level="warning"), action("w2", XIANGYUAN, level="warning"), approve=("w1", "w2"))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=True)
    assert report.letters_sent == 2
    names = sorted(a.get_filename() for a in by_key(emls(config.outbox))["w1"].iter_attachments())
    assert names == ["长大气办函〔2019〕1号.docx", "长大气办函〔2019〕1号.pdf"]
    assert (config.outbox / "letters" / "2019-12-02" / "长大气办函〔2019〕2号.pdf").read_bytes()[:4] == b"%PDF"
    store.dispose()


def test_a_letter_retried_on_a_later_day_keeps_its_number_and_date(store, config):
    add(store, action("w1", level="warning"), approve=("w1",))
    channel = Flaky(config.outbox, failures=1)
    first = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)
    assert (first.retried, first.letters_sent) == (1, 0)
    later = DAY + timedelta(days=1)
    second = deliver(store, config, CALENDAR, later, now=NOW + timedelta(days=1), pdf=False,
                     channel_factory=lambda c, a: channel)
    assert second.numbers == ["长大气办函〔2019〕1号"]
    mail = by_key(emls(config.outbox))["w1"]
    assert "2019年12月2日" in mail.get_body(("plain",)).get_content()  # the letter's own date
    assert list((config.outbox / "letters").iterdir()) == [config.outbox / "letters" / "2019-12-02"]
    assert (config.outbox / "2019-12-03").is_dir()  # filed under the day it went out
    assert statuses(store)["w1"] == ("sent", later)


def test_a_letter_without_an_issuer_goes_to_the_dead_letters(store, config):
    add(store, action("w1", level="warning"), approve=("w1",))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False,
                     issuer_for=lambda region: SHIPPED.for_region("太原市"))
    assert (report.dead, report.letters_sent) == (1, 0)
    with store.session() as session:
        [dead] = dead_letters(session)
        assert session.scalar(select(m.Letter.id)) is None  # no number was used up
    assert dead.message_key == "w1" and "没有为地区“太原市”配置发文机关" in dead.last_error


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_configured_smtp_and_webhook_contacts_get_real_deliveries(store, config, httpserver):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    with store.session() as session:
        session.add(m.Contact(unit=LUCHENG, channel="email", address="lc@example.cn"))
        session.add(m.Contact(unit=XIANGYUAN, channel="webhook", address=httpserver.url_for("/hook")))
        session.commit()
    add(store, action("r1"), action("r3", XIANGYUAN), action("w1", level="warning"), approve=("w1",))
    settings = {"smtp": {"host": "127.0.0.1", "port": controller.port, "security": "none",
                         "sender": "duban@changzhi.gov.cn", "timeout": 5}}
    try:
        report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, settings=settings)
    finally:
        controller.stop()
    assert (report.digests_sent, report.letters_sent, report.dead) == (2, 1, 0)
    mails = {mail["X-Duban-Key"]: mail for mail in
             (email.message_from_bytes(e.content, policy=policy.default) for e in inbox.envelopes)}
    assert set(mails) == {digest_key(LUCHENG, DAY), "w1"}
    assert [e.rcpt_tos for e in inbox.envelopes] == [["lc@example.cn"], ["lc@example.cn"]]
    assert [a.get_filename() for a in mails["w1"].iter_attachments()] == ["长大气办函〔2019〕1号.docx"]
    [(request, _response)] = httpserver.log
    payload = request.get_json()
    assert payload["key"] == digest_key(XIANGYUAN, DAY) and "压减焦炭产能" in payload["text"]
    assert not config.outbox.exists() or not list(config.outbox.rglob("*.eml"))  # nothing fell back


# --- outages, quiet hours, 签收 links, channels from config -------------------------------------------


def _smtp_config(config: Config, port: int, **extra) -> Config:
    delivery = config.delivery.model_copy(update={"smtp": SmtpConfig(
        host="127.0.0.1", port=port, security="none", sender="duban@changzhi.gov.cn", timeout=5, **extra)})
    return config.model_copy(update={"delivery": delivery})


def _add_email(store, unit: str, address: str) -> None:
    with store.session() as session:
        session.add(m.Contact(unit=unit, channel="email", address=address))
        session.commit()


def _workday_hours(first: date, days: int):
    """Yield (day, now) for every hour 09:00..17:00 of `days` working days from `first`."""
    day, seen = first, 0
    while seen < days:
        if CALENDAR.is_workday(day):
            seen += 1
            for hour in range(9, 18):
                yield day, datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=SHANGHAI)
        day += timedelta(days=1)


def test_a_mail_server_down_for_three_days_loses_nothing_and_the_backlog_goes_out_oldest_first(store, config):
    port = free_port()  # nothing listens here until the server "comes back"
    config = _smtp_config(config, port)
    _add_email(store, LUCHENG, "lc@example.cn")
    add(store, action("r1"), action("w1", level="warning"), approve=("w1",))
    runs = list(_workday_hours(DAY, 3))
    for day, now in runs:
        if day == DAY + timedelta(days=1) and now.hour == 9:
            add(store, action("w2", level="warning", task="t-2019/2", due=date(2019, 11, 20)), approve=("w2",), on=day)
        report = deliver(store, config, CALENDAR, day, now=now, pdf=False)
        assert report.dead == 0 and report.digests_sent == report.letters_sent == 0
    with store.session() as session:
        attempts = dict(session.execute(select(m.Delivery.message_key, m.Delivery.attempts)
                                        .where(m.Delivery.status == "pending")).all())
    assert attempts["w1"] > 8  # the old limit would have dead-lettered it on the first day
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    back = date(2019, 12, 5)
    try:
        report = deliver(store, config, CALENDAR, back, now=datetime(2019, 12, 5, 9, 0, tzinfo=SHANGHAI), pdf=False)
    finally:
        controller.stop()
    assert (report.letters_sent, report.digests_sent, report.dead) == (2, 1, 0)
    keys = [email.message_from_bytes(e.content, policy=policy.default)["X-Duban-Key"] for e in inbox.envelopes]
    assert keys == ["w1", "w2", digest_key(LUCHENG, back)]  # oldest first; the digest holds r1 still
    assert statuses(store)["r1"] == ("sent", back)
    with store.session() as session:
        assert session.scalar(select(m.Delivery.first_failed_at).where(m.Delivery.message_key == "w1")) is None


def test_an_unreachable_server_is_tried_once_per_run(store, config):
    config = _smtp_config(config, free_port())
    for unit in (LUCHENG, XIANGYUAN):
        _add_email(store, unit, f"{unit}@example.cn")
    add(store, action("r1"), action("r3", XIANGYUAN), action("w1", level="warning"), approve=("w1",))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert report.retried == 3
    assert sum("本轮不再尝试" in error for error in report.errors) == 2


def test_transient_failures_are_dead_lettered_only_after_the_maximum_age(store, config):
    add(store, action("w1", level="warning"), approve=("w1",))
    channel = Flaky(config.outbox, failures=10_000)
    start = NOW
    seen = []
    for hours in (0, 1, 30, 100, 167):  # a week is 168 hours
        report = deliver(store, config, CALENDAR, DAY, now=start + timedelta(hours=hours), pdf=False,
                         channel_factory=lambda c, a: channel)
        seen.append((report.retried, report.dead))
    assert seen == [(1, 0)] * 5
    final = deliver(store, config, CALENDAR, DAY, now=start + timedelta(days=7), pdf=False,
                    channel_factory=lambda c, a: channel)
    assert (final.retried, final.dead) == (0, 1)
    with store.session() as session:
        [dead] = dead_letters(session)
    assert dead.attempts == 6 and "自首次失败起7.0天内尝试6次仍未成功" in dead.last_error


def test_the_retry_wait_is_capped_by_the_configuration(store, config):
    add(store, action("r1"))
    channel = Flaky(config.outbox, failures=10_000)
    config = config.model_copy(update={"delivery": config.delivery.model_copy(update={"retry_cap_minutes": 15})})
    for minutes in (0, 5, 15, 30):  # waits 5, 10, then 15 (not 20) minutes
        deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=minutes), pdf=False,
                channel_factory=lambda c, a: channel)
    with store.session() as session:
        delivery = session.scalar(select(m.Delivery))
    assert channel.calls == 4
    assert _as_utc(delivery.next_attempt_at) == (NOW + timedelta(minutes=45)).astimezone(UTC)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_a_refused_recipient_5xx_is_dead_at_once(store, config):
    class Refusing(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 mailbox unavailable"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    _add_email(store, LUCHENG, "nobody@example.cn")
    add(store, action("r1"))
    try:
        report = deliver(store, _smtp_config(config, controller.port), CALENDAR, DAY, now=NOW, pdf=False)
    finally:
        controller.stop()
    assert (report.dead, report.retried) == (1, 0)
    with store.session() as session:
        [dead] = dead_letters(session)
    assert "550" in dead.last_error


def test_in_quiet_hours_only_the_file_outbox_is_written_and_the_rest_goes_after(store, config, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    with store.session() as session:
        session.add(m.Contact(unit=LUCHENG, channel="webhook", address=httpserver.url_for("/hook")))
        session.commit()
    quiet = config.delivery.model_copy(update={"quiet_hours": QuietHours(start="20:00", end="08:00")})
    config = config.model_copy(update={"delivery": quiet})
    add(store, action("r1"), action("r3", XIANGYUAN))
    early = deliver(store, config, CALENDAR, DAY, now=datetime(2019, 12, 2, 7, 30, tzinfo=SHANGHAI), pdf=False)
    assert (early.digests_sent, early.quiet_held) == (1, 1)  # 襄垣 has no contact: its file is written
    assert early.skipped_reason == "静默时段（20:00—08:00）内不发送邮件和即时消息，1 条留待静默时段结束后发送"
    assert httpserver.log == [] and statuses(store)["r1"] == ("queued", None)
    again = deliver(store, config, CALENDAR, DAY, now=datetime(2019, 12, 2, 7, 59, tzinfo=SHANGHAI), pdf=False)
    assert (again.digests_sent, again.quiet_held) == (0, 1) and httpserver.log == []
    after = deliver(store, config, CALENDAR, DAY, now=datetime(2019, 12, 2, 8, 0, tzinfo=SHANGHAI), pdf=False)
    assert (after.digests_sent, after.quiet_held, after.skipped_reason) == (1, 0, "")
    assert len(httpserver.log) == 1 and statuses(store)["r1"] == ("sent", DAY)
    # a UTC clock is read in config.timezone: 13:00 UTC is 21:00 in Shanghai
    add(store, action("r2", task="t-2019/2", due=date(2019, 12, 31)), on=DAY + timedelta(days=1))
    night = deliver(store, config, CALENDAR, DAY + timedelta(days=1),
                    now=datetime(2019, 12, 3, 13, 0, tzinfo=UTC), pdf=False)
    assert night.quiet_held == 1 and len(httpserver.log) == 1


def _link(text: str) -> str:
    import re

    return re.search(r"http://127\.0\.0\.1:8080/q/[a-z2-7]+", text).group(0)  # the short form


def test_letters_carry_a_signed_link_recorded_in_the_store_and_digests_list_letters_awaiting_it(store, config):
    from scheduler.delivery.acklinks import ack_secret, honour_ack, read_ack, resolve_short
    from scheduler.store.schema import AckLink

    add(store, action("w1", level="warning"), approve=("w1",))
    deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    letter = by_key(emls(config.outbox))["w1"]
    url = _link(letter.get_body(("plain",)).get_content())
    html = letter.get_body(("html",)).get_content()
    assert f'href="{url}"' in html and "签收本函" in html
    secret = ack_secret(config)  # no DUBAN_SECRET here: the private file under config.base_dir
    with store.session() as session:
        token = resolve_short(session, url.rsplit("/", 1)[1], secret=secret, today=DAY)
    assert read_ack(token, secret, DAY) == "w1"
    docx_path = config.outbox / "letters" / "2019-12-02" / "长大气办函〔2019〕1号.docx"
    document = Document(docx_path)
    assert any("签收" in p.text and "二维码" in p.text for p in document.paragraphs)
    from scheduler.letters.qr import qr_png  # the printed letter carries the link as a QR code

    with zipfile.ZipFile(docx_path) as package:
        assert package.read("word/media/ack-qr.png") == qr_png(url)
    with store.session() as session:
        [row] = session.scalars(select(AckLink)).all()
    assert (row.notice_key, row.expires_on) == ("w1", DAY + timedelta(days=60))
    # the next day's digest lists the letter under 待签收公文 with the same link
    later = DAY + timedelta(days=1)
    add(store, action("r1"), on=later)
    deliver(store, config, CALENDAR, later, now=NOW + timedelta(days=1), pdf=False)
    digest = by_key(emls(config.outbox))[digest_key(LUCHENG, later)]
    text = digest.get_body(("plain",)).get_content()
    assert "【待签收公文】（1项）" in text and "长大气办函〔2019〕1号" in text and _link(text) == url
    assert f'href="{url}"' in digest.get_body(("html",)).get_content()
    with store.session() as session:
        honour_ack(session, token, secret=secret, by="潞城区 张三", today=later, now=NOW + timedelta(days=1))
        session.commit()
    third = later + timedelta(days=1)
    add(store, action("r2", task="t-2019/2", due=date(2019, 12, 31)), on=third)
    deliver(store, config, CALENDAR, third, now=NOW + timedelta(days=2), pdf=False)
    text = by_key(emls(config.outbox))[digest_key(LUCHENG, third)].get_body(("plain",)).get_content()
    assert "待签收公文" not in text


def test_a_too_short_secret_holds_the_letter_for_a_retry_instead_of_sending_it_without_a_link(
        store, config, monkeypatch):
    monkeypatch.setenv("DUBAN_SECRET", "short")
    add(store, action("w1", level="warning"), approve=("w1",))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert (report.letters_sent, report.retried) == (0, 1) and "DUBAN_SECRET 太短" in report.errors[0]
    monkeypatch.setenv("DUBAN_SECRET", "a-long-enough-secret-for-links")
    later = deliver(store, config, CALENDAR, DAY, now=NOW + timedelta(minutes=5), pdf=False)
    assert later.numbers == ["长大气办函〔2019〕1号"]  # the number was kept for the retry


def test_smtp_comes_from_the_configuration_with_starttls_and_credentials(store, config, tmp_path, monkeypatch):
    import ssl

    import trustme

    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("T_USER", "dqb")
    monkeypatch.setenv("T_PASS", "pw-2019")
    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"dqb", b"pw-2019"), handled=False)

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_tls,
                            require_starttls=True, authenticator=authenticate, auth_required=True)
    controller.start()
    delivery = config.delivery.model_copy(update={"smtp": SmtpConfig(
        host="127.0.0.1", port=controller.port, security="starttls", sender="duban@changzhi.gov.cn",
        username_env="T_USER", password_env="T_PASS", ca_file=str(tmp_path / "ca.pem"), timeout=5)})
    _add_email(store, LUCHENG, "lc@example.cn")
    add(store, action("r1"), action("w1", level="warning"), approve=("w1",))
    try:
        report = deliver(store, config.model_copy(update={"delivery": delivery}), CALENDAR, DAY, now=NOW, pdf=False)
    finally:
        controller.stop()
    assert (report.digests_sent, report.letters_sent, report.dead, report.no_contact) == (1, 1, 0, {})
    keys = [email.message_from_bytes(e.content, policy=policy.default)["X-Duban-Key"] for e in inbox.envelopes]
    assert sorted(keys) == sorted([digest_key(LUCHENG, DAY), "w1"])


def test_units_without_a_usable_contact_are_named_for_the_coordinators(store, config):
    _add_email(store, XIANGYUAN, "xy@example.cn")
    add(store, action("r1"), action("r3", XIANGYUAN))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert report.no_contact == {LUCHENG: "单位名录中没有联系方式", XIANGYUAN: "仅有邮箱地址，但未配置 SMTP"}
    assert {mail["X-Duban-Unit"] for mail in emls(config.outbox).values()} == {LUCHENG, XIANGYUAN}


def test_the_delivery_section_of_config_yaml_is_validated_with_its_line(tmp_path):
    from scheduler.config import load_config
    from scheduler.errors import InputError

    bad = tmp_path / "config.yaml"
    bad.write_text("delivery:\n  smtp:\n    host: smtp.example.cn\n    username_env: 'p@ss w0rd'\n"
                   "    password_env: DUBAN_SMTP_PASSWORD\n  quiet_hours: {start: '8:00', end: '20:00'}\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(bad)
    found = {(p.line, p.where) for p in caught.value.problems}
    assert found == {(4, "delivery.smtp.username_env"), (6, "delivery.quiet_hours.start")}
    assert "环境变量的名字" in str(caught.value)
