"""Production commands: `duban integrity` checks the store's invariants, `duban backup FILE` and
`duban restore FILE --yes` copy the store out and back (docs/production.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from scheduler.cli.main import command, config_for, emit_json


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"时间应为 ISO 格式（含时区），如 2020-11-02T09:30+08:00：{text!r}") from exc
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"时间须带时区：{text!r}")
    return moment


@command("integrity", [("--json", {"action": "store_true"}),
                       ("--at", {"type": _moment, "help": "判断租约是否过期所用的时间（默认现在）"}),
                       ("--no-lease", {"action": "store_true", "help": "不检查“发送中”租约（服务正在运行时）"})])
def cmd_integrity(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.store import open_store
    from scheduler.store.integrity import check_store

    store = open_store(config_for(args).database)
    try:
        with store.session() as session:
            report = check_store(session, None if args.no_lease else args.at or clock.now())
    finally:
        store.dispose()
    if args.json:
        emit_json(report.to_json())
    else:
        counts = report.counts
        print(f"通知 {counts.get('notices', 0)} 条（已发送 {counts.get('notices_sent', 0)}），投递 "
              f"{counts.get('deliveries', 0)} 条（已发送 {counts.get('deliveries_sent', 0)}、死信 "
              f"{counts.get('deliveries_dead', 0)}、发送中 {counts.get('deliveries_sending', 0)}），"
              f"函件 {counts.get('letters', 0)} 份。")
        for problem in report.problems:
            print(f"错误：{problem}")
        print("数据一致性检查通过。" if report.ok else f"数据一致性检查未通过：{len(report.problems)} 个问题。")
    return 0 if report.ok else 1


@command("backup", [("file", {"help": "备份文件（SQLite 为数据库副本，PostgreSQL 为 pg_dump 自定义格式）"})])
def cmd_backup(args: argparse.Namespace) -> int:
    from scheduler.store.backup import BackupError, backup

    try:
        result = backup(config_for(args).database, Path(args.file))
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 1
    print(f"已备份（{result.dialect}）到 {result.path}，{result.size} 字节。")
    return 0


@command("restore", [("file", {"help": "备份文件"}), ("--yes", {"action": "store_true", "help": "确认覆盖当前数据库"})])
def cmd_restore(args: argparse.Namespace) -> int:
    from scheduler.store.backup import BackupError, restore

    if not args.yes:
        print("恢复会用备份覆盖当前数据库。请先停止服务（systemctl stop duban），再加 --yes 执行。", file=sys.stderr)
        return 2
    try:
        result = restore(config_for(args).database, Path(args.file))
    except BackupError as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 1
    print(f"已从 {result.path} 恢复（{result.dialect}），并已升级到当前数据库结构。")
    return 0
