"""`duban ledger import FILE`: a plan document in, a ledger out, asking only for what the document
does not say.

Exit codes: 0 written (or shown with --dry-run); 1 nothing found, or the ledger already there has
more tasks (nothing is written, the existing ledger is untouched); 2 the document leaves something
the ledger needs unsaid (one message lists every option to add).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scheduler.cli.main import add_arguments, command, config_for, parse_day

_FORMATS = ["table", "markdown", "narrative", "docx", "xlsx"]


@command("ledger import")
def cmd_ledger_import(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from scheduler.plans.importers.plan_import import Given, build_ledger, plan_meta, problems_of, read_draft

    path = Path(args.file)
    draft = _seed_draft(path, args) if args.format else read_draft(path)
    if not draft.result.tasks:
        print(f"未能从 {path.name} 中找到任何任务，未写入台账。导入时看到的内容：", file=sys.stderr)
        for line in draft.report():
            print(f"  {line}", file=sys.stderr)
        print("可识别的任务表：表头含任务列（任务/重点任务/具体措施/工作内容……）和完成时限或牵头/责任单位列；"
              "或正文中带（……牵头，……负责）责任条款的编号事项。", file=sys.stderr)
        return 1
    given = Given(plan_id=args.plan_id, title=args.title, issuer=args.issuer, region=args.region,
                  document_number=args.number, period_start=args.start, period_end=args.end, plan_year=args.year)
    meta, missing, notes = plan_meta(draft, given)
    if missing:
        what = "；".join(f"{label}，用 {option.split()[0]} 指定" for label, option in missing)
        example = " ".join(option for _, option in missing)
        print(f"已从 {path.name} 中读到 {len(draft.result.tasks)} 项任务，但还缺：{what}。"
              f"请补充后重新运行，例如：duban ledger import {args.file} {example}", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else _data_dir(args) / f"{meta['id']}.yaml"
    meta["id"] = _known_id(output, meta, given.plan_id)
    if not args.output:
        output = output.parent / f"{meta['id']}.yaml"
    try:
        ledger = build_ledger(draft, meta)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        print(f"{path.name}: 生成的台账无效：{problems}", file=sys.stderr)
        return 1
    plan = ledger.plan
    print(f"{path.name}：{plan.title}（{plan.issuer}；地区 {plan.region}；{plan.period_start} 至 {plan.period_end}，"
          f"年度 {plan.plan_year}）按{draft.method}读到 {len(ledger.tasks)} 项任务")
    for note in notes + draft.document.notes:
        print(f"  说明：{note}")
    if args.dry_run:
        _show(ledger)
        _print_problems(problems_of(draft))
        print(f"（试运行：未写入 {output}）")
        return 0
    refused = _guard(output, ledger, args.replace)
    if refused:
        return 1
    from scheduler.plans.ledger import dump_ledger

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(dump_ledger(ledger), encoding="utf-8")
    print(f"已导入 {len(ledger.tasks)} 项任务到 {output}")
    _print_problems(problems_of(draft))
    return 0


def _seed_draft(path: Path, args: argparse.Namespace):
    """--format: read with one of the seed importers, the metadata still read from the text."""
    from scheduler.plans.importers.documents import read_document
    from scheduler.plans.importers.metadata import read_facts
    from scheduler.plans.importers.plan_import import DRAFT_ID, Draft
    from scheduler.plans.importers.seeds import READERS

    document = read_document(path)
    facts = read_facts(document.lines)
    region = args.region or facts.region or ""
    year = args.year or (args.start.year if args.start else None) or facts.plan_year or 0
    result = READERS[args.format](path, DRAFT_ID, region, year)
    draft = Draft(document, facts, result, f"「{args.format}」格式" if result.tasks else "")
    if args.format == "narrative" and result.tasks:
        from scheduler.plans.importers.narrative import find_assessment_clause

        draft.assessment = find_assessment_clause(path)
    return draft


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data:
        return Path(args.data)
    config = config_for(args)
    return Path(config.path(config.data_dir))


def _known_id(output: Path, meta: dict, given: str | None) -> str:
    """Keep the id of the same plan already in the data folder (same title and year), so importing a
    plan again updates its ledger instead of starting a second one."""
    if given:
        return given
    from scheduler.errors import InputError
    from scheduler.plans.ledger import load_ledgers

    try:
        ledgers = load_ledgers(output.parent) if output.parent.is_dir() else []
    except (InputError, OSError):
        return str(meta["id"])
    for ledger in ledgers:
        if ledger.plan.title == meta["title"] and ledger.plan.plan_year == meta["plan_year"]:
            return ledger.plan.id
    return str(meta["id"])


def _guard(output: Path, ledger, replace: bool) -> bool:
    """Refuse to replace a ledger with fewer tasks, or another plan's ledger, unless --replace; with
    --replace, list the tasks the next load retires. Return True when refused."""
    if not output.exists():
        return False
    from scheduler.errors import InputError
    from scheduler.plans.ledger import load_ledger

    try:
        old = load_ledger(output)
    except (InputError, OSError, ValueError):
        if replace:
            return False
        print(f"{output} 已存在且不是可读的台账；如确需覆盖，请加 --replace", file=sys.stderr)
        return True
    new_ids = {task.id for task in ledger.tasks}
    retired = [task.id for task in old.tasks if task.id not in new_ids]
    other_plan = old.plan.id != ledger.plan.id
    if not replace and (len(ledger.tasks) < len(old.tasks) or other_plan):
        why = (f"其中是另一计划「{old.plan.id}」（{old.plan.title}）" if other_plan
               else f"已有 {len(old.tasks)} 项任务，本次只读到 {len(ledger.tasks)} 项")
        other = "请用 --plan-id 另取计划编号，" if other_plan else ""
        print(f"未写入：{output} {why}。覆盖后下次 duban load 会撤下 {len(retired)} 项任务；"
              f"{other}如确需覆盖，请加 --replace（或用 --output 另存）", file=sys.stderr)
        return True
    if retired:
        print(f"覆盖 {output}：下次 duban load 将撤下 {len(retired)} 项不再出现的任务：")
        for task_id in retired:
            print(f"  {task_id}")
    return False


def _show(ledger) -> None:
    from scheduler.plans.ledger import task_deadline

    context = ledger.deadline_context()
    for task in ledger.tasks:
        deadline = task_deadline(task.deadline_text, task.standing, context)
        units = "、".join(task.lead_units or task.responsible_units) or "—"
        print(f"  {task.id}  [{deadline.kind}] {task.deadline_text or '—'}  {units}  {task.title[:40]}")


def _print_problems(problems) -> None:
    for problem in problems:
        print(f"  需人工核对：{problem}")


add_arguments({
    "ledger import": [
        ("file", {"help": "方案文件（.txt、.md、.docx、.xlsx）"}),
        ("--output", {"help": "台账文件；默认为数据目录下的 <计划编号>.yaml"}),
        ("--region", {"help": "地区，如 某某市（文件未写明时）"}),
        ("--plan-id", {"help": "计划编号，如 mouxian-2024（默认由地区拼音和年度生成）"}),
        ("--dry-run", {"action": "store_true", "help": "只显示将写入的任务，不写文件"}),
        ("--replace", {"action": "store_true", "help": "允许覆盖任务更少的或另一计划的台账"}),
        ("--format", {"choices": _FORMATS, "help": "按种子文件的格式读取（默认自动识别）"}),
        ("--title", {"help": "方案标题（文件中识别不到时）"}), ("--issuer", {"help": "发文机关（识别不到时）"}),
        ("--number", {"help": "发文字号（识别不到时）"}),
        ("--start", {"type": parse_day, "help": "方案起始日期（识别不到时）"}),
        ("--end", {"type": parse_day, "help": "方案截止日期（识别不到时）"}),
        ("--year", {"type": int, "help": "方案年度（时限未写年份时用）"}),
        ("--data", {}),
    ],
})
