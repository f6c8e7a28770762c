"""`duban web` (the console) and `duban user create / list / passwd / disable / enable` (its accounts)."""

from __future__ import annotations

import argparse
import getpass
import sys

from scheduler.cli.main import command, emit_json, runtime_for


def read_password(from_stdin: bool) -> str:
    """Read a new password from one line of stdin, or twice from a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("密码：")
        again = getpass.getpass("再次输入密码：")
    except EOFError:  # no terminal and nothing on stdin: say how to give it, not a traceback
        raise SystemExit("\n无法读入密码（没有终端输入）：请在终端中运行，"
                         "或加 --password-stdin 从标准输入读入一行密码。未创建账号。") from None
    if again != first:
        raise SystemExit("两次输入的密码不一致，未创建账号。")
    return first


@command("web", [("--host", {"help": "监听地址（默认 config.yaml 的 web.host）"}),
                 ("--port", {"type": int, "help": "端口（默认 web.port）"})])
def cmd_web(args: argparse.Namespace) -> int:
    import logging

    from scheduler.web.server import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugin list is no news to whoever starts the console
    runtime = runtime_for(args)
    server = make_server(runtime.config, runtime.store, args.host, args.port)
    print(f"督办控制台：http://{server.config.host}:{server.config.port}/（Ctrl+C 停止）")
    server.run()
    return 0


@command("user create", [
    ("--name", {"required": True, "help": "登录名（也是操作记录中的操作人）"}),
    ("--role", {"required": True, "choices": ["coordinator", "unit", "viewer"],
              "help": "coordinator 协调员，unit 责任单位用户，viewer 查看者"}),
    ("--unit", {"action": "append", "default": [], "help": "责任单位用户负责的单位（规范名称，可多次给出）"}),
    ("--office", {"action": "append", "default": [],
                  "help": "协调员、查看者所属的发文机关（如 长治、晋城市大气办；可多次给出；不给或“全省”为全省）"}),
    ("--display-name", {"default": "", "help": "显示的姓名（默认同登录名）"}),
    ("--password-stdin", {"action": "store_true", "help": "从标准输入读一行作为密码"}),
    ("--by", {"default": "system"}),
])
def cmd_user_create(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.store import StoreError
    from scheduler.store.offices import office_names, set_account_offices
    from scheduler.web.accounts import ROLE_NAMES, create_user

    if args.office and args.role == "unit":
        print("未创建：责任单位用户按 --unit 限定，不属于发文机关（--office 只用于协调员和查看者）", file=sys.stderr)
        return 1
    runtime = runtime_for(args)
    offices = office_names(runtime.config.letter_issuers, args.office) if args.office else None  # unknown: listed
    password = read_password(args.password_stdin)
    with runtime.store.session() as session:
        try:
            account = create_user(session, args.name, password, args.role, units=args.unit,
                                  display_name=args.display_name, by=args.by, now=clock.now())
        except StoreError as exc:
            print(f"未创建：{exc}", file=sys.stderr)
            return 1
        set_account_offices(session, account.id, offices)
        session.commit()
    scope = f"，单位：{'、'.join(args.unit)}" if args.unit else ""
    if args.role != "unit":
        scope += f"，发文机关：{'、'.join(offices)}" if offices else "，范围：全省"
    print(f"已创建{ROLE_NAMES[args.role]}账号 {args.name}{scope}。")
    return 0


@command("user offices", [
    ("name", {"help": "登录名"}),
    ("--office", {"action": "append", "required": True, "help": "所属发文机关（可多次给出；“全省”为全省）"}),
    ("--by", {"default": "system"}),
])
def cmd_user_offices(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.store import audit
    from scheduler.store.accounts import account_named
    from scheduler.store.offices import office_names, set_account_offices

    runtime = runtime_for(args)
    offices = office_names(runtime.config.letter_issuers, args.office)
    with runtime.store.session() as session:
        account = account_named(session, args.name)
        if account is None or account.role == "unit":
            why = "没有此账号" if account is None else "责任单位用户按单位限定，不属于发文机关"
            print(f"未修改：{why}：{args.name}", file=sys.stderr)
            return 1
        set_account_offices(session, account.id, offices)
        audit(session, args.by, "user.offices", "user", args.name, {"offices": offices or ["全省"]}, clock.now())
        session.commit()
    print(f"账号 {args.name} 的发文机关：{'、'.join(offices) if offices else '全省'}。")
    return 0


@command("user list", [("--json", {"action": "store_true"})])
def cmd_user_list(args: argparse.Namespace) -> int:
    from scheduler.store.accounts import account_named
    from scheduler.store.offices import account_offices
    from scheduler.web.accounts import ROLE_NAMES, list_users

    with runtime_for(args).store.session() as session:
        users = list_users(session)
        for u in users:
            account = account_named(session, u["name"])
            offices = account_offices(session, account.id) if account is not None and u["role"] != "unit" else None
            u["offices"] = list(offices or ())
    if args.json:
        emit_json(users)
        return 0
    for u in users:
        units = f"  单位：{'、'.join(u['units'])}" if u["units"] else ""
        if u["role"] != "unit":
            units += f"  发文机关：{'、'.join(u['offices']) or '全省'}"
        state = "" if u["active"] else "（已停用）"
        print(f"{u['name']}  {ROLE_NAMES[u['role']]}{state}  {u['display_name']}{units}")
    print(f"共 {len(users)} 个账号。")
    return 0


@command("user passwd", [("--name", {"required": True, "help": "登录名"}),
                         ("--password-stdin", {"action": "store_true", "help": "从标准输入读一行作为新密码"}),
                         ("--by", {"default": "system"})])
def cmd_user_passwd(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.store import StoreError
    from scheduler.web.accounts import set_password

    password = read_password(args.password_stdin)
    with runtime_for(args).store.session() as session:
        try:
            set_password(session, args.name, password, by=args.by, now=clock.now())
        except StoreError as exc:
            print(f"未修改：{exc}", file=sys.stderr)
            return 1
        session.commit()
    print(f"已修改 {args.name} 的密码，其已登录的会话全部失效。")
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    from scheduler import clock
    from scheduler.store import StoreError
    from scheduler.web.accounts import set_active

    with runtime_for(args).store.session() as session:
        try:
            changed = set_active(session, args.name, active, by=args.by, now=clock.now())
        except StoreError as exc:
            print(f"未修改：{exc}", file=sys.stderr)
            return 1
        session.commit()
    if active:
        print(f"已启用账号 {args.name}。" if changed else f"账号 {args.name} 本已启用。")
    else:
        print(f"已停用账号 {args.name}，其已登录的会话全部失效。" if changed else f"账号 {args.name} 本已停用。")
    return 0


@command("user disable", [("name", {"help": "登录名"}), ("--by", {"default": "system"})])
def cmd_user_disable(args: argparse.Namespace) -> int:
    """A disabled account cannot log in and its sessions end; its history and audit entries stay."""
    return _set_active(args, False)


@command("user enable", [("name", {"help": "登录名"}), ("--by", {"default": "system"})])
def cmd_user_enable(args: argparse.Namespace) -> int:
    return _set_active(args, True)
