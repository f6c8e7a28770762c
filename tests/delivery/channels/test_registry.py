"""The channel registry: a kind of channel is one module plus its registry line.

The fixture registers a throwaway kind (a pager, addressed by a unit's `pager` contact) exactly as
a channel module would, and delivery then routes, builds, sends and records through it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scheduler.config import Config, DeliveryConfig, SmtpConfig
from scheduler.delivery.channels import registry
from scheduler.delivery.channels.base import ChannelKind, OutgoingMessage, Receipt, TransportError, message_id
from scheduler.delivery.run import deliver
from scheduler.delivery.targets import NO_CONTACT, Target, recipients, route
from scheduler.letters.digest import digest_key
from scheduler.store import schema as m
from tests.delivery.test_run import CALENDAR, DAY, DIRECTORY, LUCHENG, NOW, ROOT, XIANGYUAN, action, add, ledger

OUTBOX = "/srv/duban/out"


class Pager:
    """A channel that keeps what it is given."""

    name = "pager"

    def __init__(self, number: str) -> None:
        self.number = number
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> Receipt:
        self.sent.append(message)
        return Receipt(self.name, message_id(message.key), f"paged {self.number}")


@pytest.fixture
def store(store_with):
    return store_with([ledger()], DIRECTORY, now=NOW)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)


@pytest.fixture
def pagers(monkeypatch) -> dict[str, Pager]:
    """Register the pager kind; return the channels the factory built, by number."""
    made: dict[str, Pager] = {}

    def make(settings: object, address: str, now) -> Pager:
        assert settings is None  # the kind has no section in config.delivery
        made[address] = Pager(address)
        return made[address]

    monkeypatch.setitem(registry.CHANNELS, "pager", ChannelKind("pager", contact="pager", section=None, make=make))
    return made


def test_a_registered_kind_gets_the_units_contacts_of_its_field(store, config, pagers):
    with store.session() as session:
        session.add(m.Contact(unit=LUCHENG, channel="pager", address="13800000001"))
        session.commit()
    add(store, action("r1"), action("r3", XIANGYUAN), action("w1", level="warning"), approve=("w1",))
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False)
    assert (report.digests_sent, report.letters_sent, report.errors) == (2, 1, [])
    assert report.no_contact == {XIANGYUAN: NO_CONTACT}  # the other unit still falls back to the outbox
    assert sorted(m.key for m in pagers["13800000001"].sent) == sorted([digest_key(LUCHENG, DAY), "w1"])
    letter = next(m for m in pagers["13800000001"].sent if m.key == "w1")
    assert letter.extra["number"] == "长大气办函〔2019〕1号" and letter.to == ()  # not an addressed kind
    with store.session() as session:
        rows = set(session.execute(select(m.Delivery.message_key, m.Delivery.channel, m.Delivery.status)))
    assert (digest_key(LUCHENG, DAY), "pager", "sent") in rows and ("w1", "pager", "sent") in rows


def test_an_unconfigured_kind_falls_back_to_the_outbox_with_its_own_reason(monkeypatch):
    kind = ChannelKind("sms", contact="mobile", section="sms", make=lambda *a: None,  # type: ignore[arg-type,return-value]
                       unconfigured="仅有手机号码，但未配置短信网关")
    monkeypatch.setitem(registry.CHANNELS, "sms", kind)
    targets, why = route([("mobile", "13800000001")], DeliveryConfig(), OUTBOX)
    assert (targets, why) == ([Target("file", OUTBOX)], "仅有手机号码，但未配置短信网关")
    with pytest.raises(TransportError, match="发送渠道“sms”未配置"):
        registry.channel_factory(DeliveryConfig())("sms", "13800000001")


def test_contacts_route_in_directory_order_to_configured_kinds_only():
    contacts = [("email", "a@example.cn"), ("webhook", "https://robot.example/hook"), ("fax", "0355-1")]
    assert route(contacts, DeliveryConfig(), OUTBOX) == ([Target("webhook", "https://robot.example/hook")], "")
    with_smtp = DeliveryConfig(smtp=SmtpConfig(host="smtp.example.cn"))
    assert route(contacts, with_smtp, OUTBOX)[0] == [Target("smtp", "a@example.cn"),
                                                     Target("webhook", "https://robot.example/hook")]
    assert route([("email", "a@example.cn")], DeliveryConfig(), OUTBOX) == (
        [Target("file", OUTBOX)], "仅有邮箱地址，但未配置 SMTP")
    assert route([], DeliveryConfig(), OUTBOX) == ([Target("file", OUTBOX)], NO_CONTACT)


def test_messages_name_their_recipients_by_kind():
    contacts = [("email", "a@example.cn"), ("webhook", "https://robot.example/hook"), ("email", "b@example.cn")]
    assert recipients(Target("smtp", "a@example.cn"), contacts) == ("a@example.cn",)
    assert recipients(Target("file", OUTBOX), contacts) == ("a@example.cn", "b@example.cn")
    assert recipients(Target("webhook", "https://robot.example/hook"), contacts) == ()


def test_the_factory_shares_a_shared_kind_and_builds_one_channel_per_address_otherwise():
    factory = registry.channel_factory(DeliveryConfig(smtp=SmtpConfig(host="smtp.example.cn")))
    assert factory("smtp", "a@example.cn") is factory("smtp", "b@example.cn")
    assert factory("webhook", "https://a.example/h") is not factory("webhook", "https://b.example/h")
    assert factory("file", "/tmp/a") is factory("file", "/tmp/a")
