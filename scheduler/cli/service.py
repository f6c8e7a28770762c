"""`duban check|serve|deliver|demo`: validate an installation, run the service, send, and the demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scheduler.cli.main import add_arguments, command, config_for, emit_json, parse_day, runtime_for


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.check import check_all

    problems, warnings = check_all(today=clock.today(), config_path=args.config)
    for warning in warnings:
        print(f"提醒：{warning}")
    for problem in problems:
        print(f"错误：{problem}")
    if problems:
        print(f"检查未通过：{len(problems)} 个问题。")
        return 1
    print("检查通过：配置、规则、日历、单位目录、台账与模板均有效。")
    return 0


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from scheduler import clock
    from scheduler.check import check_all
    from scheduler.service import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runtime = runtime_for(args)
    problems, warnings = check_all(runtime.config, today=clock.today())
    for warning in warnings:
        logging.warning(warning)
    if problems:
        for problem in problems:
            print(f"错误：{problem}", file=sys.stderr)
        print("配置、规则或数据有误，服务未启动。", file=sys.stderr)
        return 1

    def sweep(day):
        result = runtime.sweep(day, instance=args.instance)
        for warning in result.warnings:  # e.g. a provisional calendar: the log says so every day
            logging.warning(warning)
        return result.to_json()["unchanged"]

    def deliver(day):
        from scheduler.delivery.run import deliver as send

        return send(runtime.store, runtime.config, runtime.calendar, day, now=clock.now()).to_json()

    console = None
    if runtime.config.web.with_serve:  # web.with_serve: the console runs beside the scheduler
        from scheduler.web.server import start_in_thread

        console = start_in_thread(runtime.config, runtime.store)
    try:
        serve(runtime.config, sweep, deliver)
    finally:
        if console is not None:
            console.stop()
    return 0


@command("deliver")
def cmd_deliver(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.delivery.run import deliver

    runtime = runtime_for(args)
    day = args.as_of or clock.today()
    report = deliver(runtime.store, runtime.config, runtime.calendar, day, now=clock.now(), pdf=not args.no_pdf)
    if args.json:
        emit_json(report.to_json())
        return 0
    if report.skipped_reason:
        print(report.skipped_reason)
    print(f"{day}：发送日报 {report.digests_sent} 份、函件 {report.letters_sent} 份；待重试 {report.retried}，"
          f"转入死信 {report.dead}。输出目录：{runtime.config.path(runtime.config.outbox)}")
    for number in report.numbers:
        print(f"  文号：{number}")
    for error in report.errors:
        print(f"  错误：{error}", file=sys.stderr)
    if report.no_contact:  # the file outbox is the coordinators' queue for these units
        print("以下单位没有可用的联系方式，消息已放入文件发件箱，请协调员转交：")
        for unit, why in sorted(report.no_contact.items()):
            print(f"  {unit}（{why}）")
    return 0


@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    from scheduler.demo.season import run_demo

    print(run_demo(config_for(args), Path(args.out), pdf=False if args.no_pdf else None))
    return 0


add_arguments({
    "check": [],
    "serve": [("--instance", {"default": "serve", "help": "本服务实例的名称（写入运行记录，默认 serve）"})],
    "deliver": [("--as-of", {"type": parse_day}), ("--json", {"action": "store_true"}),
                ("--no-pdf", {"action": "store_true", "help": "只生成 DOCX，不转换 PDF（不需要 LibreOffice）"})],
    "demo": [("--out", {"default": "out/demo", "help": "演示输出目录（默认 out/demo，每次先清空）"}),
             ("--no-pdf", {"action": "store_true", "help": "只生成 DOCX，不转换 PDF（默认装有 LibreOffice 时生成）"})],
})
