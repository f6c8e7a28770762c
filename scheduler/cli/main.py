"""The `duban` command line: thin wrappers that read arguments, call the core and print."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NoReturn

from scheduler.cli import summaries
from scheduler.errors import InputError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str, arguments: list[tuple[str, dict]] | None = None
            ) -> Callable[[Callable[[argparse.Namespace], int]], Callable]:
    """Register a command; `arguments` (flag, add_argument options) here or through add_arguments."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = func
        if arguments is not None:
            EXTRA_SPECS[name] = arguments
        return func

    return register


EXTRA_SPECS: dict[str, list[tuple[str, dict]]] = {}


def _load_command_modules() -> None:
    """Import every module of scheduler.cli so that each feature registers its own commands."""
    import importlib
    import pkgutil

    import scheduler.cli as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")


def emit_json(value: Any) -> None:
    """Print JSON for machines: UTF-8, Chinese kept readable, stable key order."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text!r}") from exc


def add_arguments(specs: dict[str, list[tuple[str, dict]]]) -> None:
    """Register the arguments of several commands at once (a module's table at its end)."""
    EXTRA_SPECS.update(specs)


def register(name: str, func: Callable[[argparse.Namespace], int]) -> None:
    """Register a command made by a factory, e.g. one per review decision."""
    COMMANDS[name] = func


def config_for(args: argparse.Namespace):
    """The configuration `--config` (or DUBAN_CONFIG, or ./config.yaml) names."""
    from scheduler.config import load_config

    return load_config(getattr(args, "config", None))


def runtime_for(args: argparse.Namespace):
    """Config plus the store, rules, calendar and units a command opens lazily."""
    from scheduler.runtime import Runtime

    return Runtime(config_for(args))


def store_change(args: argparse.Namespace, change: Callable[[Any, Any], str]) -> int:
    """Run `change(session, runtime)` in one transaction and print its message; a refusal
    (StoreError) prints in Chinese and exits 1 with nothing written."""
    from scheduler.store import StoreError

    runtime = runtime_for(args)
    with runtime.store.session() as session:
        try:
            message = change(session, runtime)
        except StoreError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
        session.commit()
    print(message)
    return 0


# What the options every group shares mean; a command's own "help" wins. One table, so that the
# same flag reads the same in every `--help`.
COMMON_HELP: dict[str, str] = {
    "--json": "输出 JSON（供程序读取；内部代码不翻译）",
    "--by": "操作人姓名（写入操作记录）",
    "--reason": "理由（写入操作记录）",
    "--as-of": "按哪一天计算（YYYY-MM-DD，默认今天）",
    "--on": "日期（YYYY-MM-DD，默认今天）",
    "--note": "说明",
    "--data": "台账目录（默认配置中的 data/）",
    "--plan": "只看一个方案（方案编号）",
    "--unit": "单位名称（规范名称或常用简称）",
    "--output": "输出文件",
    "--out": "输出目录",
    "--dry-run": "只检查、预览，不写入数据库",
    "--verbose": "逐项列出细节",
}


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's own headings in Chinese, so a coordinator's `--help` reads in one language."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def start_section(self, heading):
        names = {"positional arguments": "参数", "options": "选项", "optional arguments": "选项"}
        super().start_section(names.get(heading, heading))


class ChineseArgumentParser(argparse.ArgumentParser):
    """Parse errors said in Chinese, naming what is wrong in words rather than argparse's English."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{_chinese_error(message)}\n")


_ERRORS = [
    (r"the following arguments are required: (.+)", "缺少必填参数：{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: '([^']*)' \(choose from (.+)\)", "参数 {0} 的值“{1}”无效，可选：{2}"),
    (r"argument (\S+): invalid (\w+) value: '([^']*)'", "参数 {0} 的值“{2}”格式不对"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
    (r"argument (\S+): (.+)", "参数 {0}：{1}"),
    (r"invalid choice: '([^']*)' \(choose from (.+)\)", "没有命令“{0}”，可选：{1}"),
]


def _chinese_error(message: str) -> str:
    import re

    for pattern, text in _ERRORS:
        found = re.fullmatch(pattern, message)
        if found:
            return text.format(*found.groups()).replace("'", "")
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="duban", description="督办：大气污染防治行动计划的时限提醒与督办升级"
    )
    parser.add_argument("--config", help="配置文件（默认 config.yaml 或 DUBAN_CONFIG）")
    groups = parser.add_subparsers(dest="group", required=True, title="命令", metavar="命令",
                                   parser_class=ChineseArgumentParser)
    subgroups: dict[str, argparse._SubParsersAction] = {}
    _load_command_modules()
    for name, arguments in EXTRA_SPECS.items():
        words = name.split()
        summary = summaries.COMMANDS.get(name)
        if len(words) == 1:
            sub = groups.add_parser(words[0], help=summary, description=summary)
        else:
            if words[0] not in subgroups:
                about = summaries.GROUPS.get(words[0])
                subgroups[words[0]] = groups.add_parser(words[0], help=about, description=about).add_subparsers(
                    dest="action", required=True, title="子命令", metavar="子命令",
                    parser_class=ChineseArgumentParser,
                )
            sub = subgroups[words[0]].add_parser(words[1], help=summary, description=summary)
        for flag, options in arguments:
            if "help" not in options and flag in COMMON_HELP:
                options = {**options, "help": COMMON_HELP[flag]}
            sub.add_argument(flag, **options)
        sub.set_defaults(command=name)
    return parser


def _quiet_closed_pipe() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    from scheduler.escalation.calendar import UnknownYearError

    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
        return code
    except BrokenPipeError:  # `duban queue list | head -1`: the reader has what it wanted
        _quiet_closed_pipe()
        return 0
    except InputError as exc:
        print("输入有误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except UnknownYearError as exc:  # a date before the holiday data begins: say so, no traceback
        print(f"错误：{exc}", file=sys.stderr)
        return 1
