"""Delivery commands: `duban ack TOKEN [--by NAME]` honours a 签收 link from the command line (an
official who phoned in, a link that would not open), and `duban delivery status` shows coordinators
what did not go out: dead letters, deliveries waiting for a retry, and units without a contact."""

from __future__ import annotations

import argparse
import sys

from scheduler.cli.main import command, config_for, emit_json, parse_day, runtime_for


def _token(text: str) -> str:
    """Accept the token or the whole link as copied from a letter."""
    text = text.strip()
    return text.rsplit("/ack/", 1)[1].strip("/") if "/ack/" in text else text


def _short(text: str) -> str:
    """The short code of a letter's printed link (…/q/<code>) or of a bare code; empty otherwise."""
    from scheduler.delivery.acklinks import is_short_code

    text = text.strip()
    code = text.rsplit("/q/", 1)[1].strip("/") if "/q/" in text else text
    return code if "/q/" in text or is_short_code(code) else ""


@command("ack", [("token", {"help": "签收链接中的令牌或短码，或整条链接"}),
                 ("--by", {"help": "签收人（默认：受文单位）"}),
                 ("--on", {"type": parse_day, "help": "签收日期（默认今天；也用于判断链接是否过期）"}),
                 ("--json", {"action": "store_true"})])
def cmd_ack(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.delivery.acklinks import AckLinkError, ack_secret, honour_ack, read_ack, resolve_short
    from scheduler.store import open_store
    from scheduler.store.records import notice_record_by_key

    config = config_for(args)
    store = open_store(config.database)
    today = args.on or clock.today()
    try:
        secret = ack_secret(config)
        with store.session() as session:
            code = _short(args.token)
            token = resolve_short(session, code, secret=secret, today=today) if code else _token(args.token)
            by = args.by
            if not by:  # default to the addressed unit, so the record says who signed
                notice = notice_record_by_key(session, read_ack(token, secret, today))
                by = notice.unit if notice is not None else "签收链接"
            result = honour_ack(session, token, secret=secret, by=by, today=today, now=clock.now())
            session.commit()
    except AckLinkError as exc:
        print(f"未签收：{exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    if args.json:
        emit_json({"key": result.notice_key, "unit": result.unit, "number": result.number,
                   "acknowledged_on": result.acknowledged_on.isoformat(), "first": result.first, "by": by})
        return 0
    what = f"{result.number}（{result.unit}）" if result.number else f"{result.notice_key}（{result.unit}）"
    if result.first:
        print(f"已签收：{what}，签收人 {by}，日期 {result.acknowledged_on.isoformat()}。")
    else:
        print(f"此前已签收：{what}，签收日期 {result.acknowledged_on.isoformat()}；本次使用已记录。")
    return 0


@command("delivery status", [("--json", {"action": "store_true"})])
def cmd_delivery_status(args: argparse.Namespace) -> int:
    from scheduler.store import open_store
    from scheduler.store.deliverylog import (
        DeliveryRecord,
        dead_deliveries,
        retrying_deliveries,
        units_without_contact,
    )

    config = config_for(args)
    store = open_store(config.database)
    try:
        with store.session() as session:
            dead = dead_deliveries(session)
            waiting = retrying_deliveries(session)
            no_contact = units_without_contact(session)
    finally:
        store.dispose()

    def row(d: DeliveryRecord) -> dict:
        return {"id": d.id, "key": d.message_key, "channel": d.channel, "address": d.address, "status": d.status,
                "attempts": d.attempts, "last_error": d.last_error,
                "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
                "failing_since": d.first_failed_at.isoformat() if d.first_failed_at else None}

    if args.json:
        emit_json({"dead": [row(d) for d in dead], "retrying": [row(d) for d in waiting],
                   "no_contact": no_contact})
        return 0
    print(f"死信 {len(dead)} 条（需协调员处理），待重试 {len(waiting)} 条，无联系方式的单位 {len(no_contact)} 个。")
    for d in dead:
        print(f"  死信 #{d.id}：{d.message_key} -> {d.channel} {d.address}（{d.attempts} 次）：{d.last_error}")
    for d in waiting:
        print(f"  待重试 #{d.id}：{d.message_key} -> {d.channel}"
              f"（已试 {d.attempts} 次，下次 {d.next_attempt_at}）：{d.last_error}")
    if no_contact:
        print("  无联系方式（消息在文件发件箱，需转交）：" + "、".join(no_contact))
    if dead:
        print("  问题解决后（如在 config.yaml 的 issuers 中补上发文机关），"
              "用 duban delivery retry 编号… --by 姓名 重新发送。")
    return 0


@command("delivery retry", [
    ("ids", {"nargs": "+", "type": int, "help": "发送记录编号（duban delivery status 中 # 后的数字）"}),
    ("--by", {"required": True, "help": "操作人（记入操作记录）"}),
])
def cmd_delivery_retry(args: argparse.Namespace) -> int:
    """Put dead or failing deliveries back in line; the next `duban deliver` (or the service) sends them."""
    from scheduler import clock
    from scheduler.store import StoreError
    from scheduler.store.deliverylog import retry_deliveries

    with runtime_for(args).store.session() as session:
        try:
            count = retry_deliveries(session, args.ids, args.by, clock.now())
        except StoreError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
        session.commit()
    print(f"已将 {count} 条发送记录重新排队（{args.by}），下次 duban deliver 或服务的发送时发出。")
    return 0
