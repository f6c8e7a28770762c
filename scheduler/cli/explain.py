"""`duban explain KEY | 文号 | 单位 任务序号`: why a notice (or every notice a letter carries) went out,
in the words a coordinator reads (plans by their short titles, rules by their labels, tasks by plan
and number); `--json` keeps the stored fields and their internal keys."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from typing import Any

from scheduler.cli.main import command, emit_json, runtime_for
from scheduler.web.labels import Names, names_for, rule_label

# The facts a rule records, in Chinese. A fact missing here is shown under its own name, so a new
# rule's facts are never hidden; tests/cli/test_explain.py keeps this table complete for the demo.
FACT_LABELS: dict[str, str] = {
    "task": "任务", "task_title": "事项", "plan": "方案", "unit": "单位", "role": "单位角色", "as_of": "判断日期",
    "due": "完成时限", "milestone": "节点", "fire_day": "提醒日", "offset": "提前",
    "period": "报送周期起", "every": "报送周期", "workdays_waited": "已等待（工作日）",
    "threshold_workdays": "规则规定（工作日）", "workdays_overdue": "已逾期（工作日）",
    "requested_on": "要求报送日", "request_key": "对应的报送提醒",
    "premise_key": "前一级通知", "premise_level": "前一级", "premise_on": "前一级发出日",
    "premise_workdays": "前一级发出后（工作日）",
    "letter_key": "函件", "letter_level": "函件级别", "letter_number": "文号", "sent_on": "发出日",
    "warning_key": "预警通知函", "warning_rule": "预警规则", "warning_on": "预警日",
    "acknowledged_on": "签收日", "workdays_since_warning": "预警后（工作日）",
    "assessment": "考核项", "region": "县区", "finding": "情况", "metric": "指标", "metric_label": "指标",
    "value": "数值", "measure_unit": "计量单位", "period_start": "考核期起", "period_end": "考核期止",
    "checkpoint": "考核时点", "limit": "序时进度目标", "gap": "差距", "required_rest": "余下时段须达到",
    "days_total": "考核期天数", "days_elapsed": "已过天数", "days_with_data": "有数据天数",
    "days_missing": "缺测天数", "rank": "排名", "rank_of": "参与排名的县区数", "target_basis": "目标依据",
    "target_source": "目标出处", "steady": "按全期均值", "baseline": "基准值", "month": "月份", "cap": "限值",
    "excess": "超出", "cap_source": "限值出处", "warnings": "已下发的预警", "warning_count": "预警次数",
    "threshold_count": "规定次数", "first_day": "起始日", "last_day": "截止日", "days": "天数",
    "values": "各日数值", "threshold": "阈值", "threshold_days": "规定天数",
    "calendar": "日历", "calendar_years": "暂算日历的年份",
}
_VALUE_WORDS = {"month": "每月", "week": "每周", "quarter": "每季度", "year": "每年", "dust_fall": "降尘量",
                "mean": "累计平均浓度", "count": "累计天数",
                "pm25_prorata": "PM2.5 序时进度", "aqi_off_scale": "AQI 爆表", "repeated_warnings": "多次预警"}


def _plain(value: Any, name: str = "") -> str:
    """A fact's value as a sentence piece: dates in Chinese, lists joined, nothing for None."""
    from scheduler.glossary import TERMS

    if value is None or value == "" or value == []:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "、".join(_plain(v, name) for v in value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return f"{day.year}年{day.month}月{day.day}日"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text[:4]}年{int(text[5:])}月"
    if name in ("role", "premise_level", "letter_level") or text in ("reminder", "urge", "warning", "interview"):
        return TERMS.get(text, text)
    return _VALUE_WORDS.get(text, text)


# The calendar's own record, like other notices' keys (*_key) and the plan (printed above the
# facts by its title), appears in --json only.
HIDDEN_FACTS = frozenset({"calendar", "calendar_years"})
_OFFSET = re.compile(r"(?P<n>\d+)(?P<unit>wd|d)")


def _offset(text: str) -> str:
    match = _OFFSET.fullmatch(text)
    if match is None:
        return text
    return f"{match['n']}个工作日" if match["unit"] == "wd" else f"{match['n']}天"


def fact_lines(facts: dict[str, Any], names: Names | None = None, rules_dir: str = "") -> list[str]:
    """The notice's facts as `  标签：值` lines, in the order the rule recorded them; with `names`,
    plans, tasks, sources and rules in words, and other notices' keys left out."""
    lines = []
    for name, value in facts.items():
        if names is not None and (name in HIDDEN_FACTS or name.endswith("_key") or name == "plan"):
            continue
        text = _plain(value, name)
        if names is not None and value not in (None, "", []):
            if name == "task":
                text = names.task(str(value))
            elif name == "plan":
                text = names.plan(str(value))
            elif name == "offset":
                text = _offset(text)
            elif name == "warning_rule" and rules_dir:
                text = rule_label(rules_dir, str(value))
            else:
                text = names.words(text)
        lines.append(f"  {FACT_LABELS.get(name, name)}：{text}")
    return lines


def _find(session, runtime, words: list[str]) -> tuple[list, str]:
    """Return the notices `words` name and how they were found, or ([], a Chinese reason)."""
    from scheduler.cli.preview import unit_name
    from scheduler.store import notice_by_key
    from scheduler.store.lookup import looks_like_number, notices_of_letter, notices_of_unit_task

    text = " ".join(words).strip()
    notice = notice_by_key(session, text)
    if notice is not None:
        return [notice], ""
    if looks_like_number(text):
        found = notices_of_letter(session, text)
        return found, "" if found else f"没有文号为“{text}”的函件（只有已编号发出的函件才有文号）"
    if len(words) == 2 and re.fullmatch(r"[A-Za-z]?\d+", words[1]):
        unit = unit_name(runtime.directory, words[0])
        found = notices_of_unit_task(session, [unit], int(re.sub(r"\D", "", words[1])))
        return found, "" if found else f"{unit}的第{int(re.sub(r'[^0-9]', '', words[1]))}项任务没有通知"
    return [], (f"没有此通知：{text}。可写通知编号（key）、文号（如 长大气办函〔2019〕2号），"
                f"或单位加任务序号（如 潞州区 17）")


@command("explain", [
    ("key", {"nargs": "+", "metavar": "通知或函件",
             "help": "通知编号（key）、文号（如 长大气办函〔2019〕2号），或单位加任务序号（如 潞州区 17）"}),
    ("--json", {"action": "store_true"}),
])
def cmd_explain(args: argparse.Namespace) -> int:
    from scheduler.glossary import NOTICE_STATUSES, TERMS
    from scheduler.store import notice_json

    runtime = runtime_for(args)
    rules_dir = str(runtime.config.path(runtime.config.rules_dir))
    with runtime.store.session() as session:
        notices, why = _find(session, runtime, list(args.key))
        data = [notice_json(n) for n in notices]
        names = names_for(session, rules_dir) if data and not args.json else None
    if not data:
        print(why, file=sys.stderr)
        return 1
    if args.json:
        emit_json(data[0] if len(data) == 1 else data)
        return 0
    from scheduler.store.lookup import looks_like_number, normalize_number

    text = " ".join(args.key)
    if looks_like_number(text) and data[0]["key"] != text:
        print(f"函件 {normalize_number(text)} 载有 {len(data)} 项通知：")
    for number, item in enumerate(data, 1):
        if len(data) > 1:
            print(f"{'—' * 4} 第{number}项，共{len(data)}项 {'—' * 4}")
        assert names is not None
        print(names.words(item["explanation"]))
        if str(item["facts"].get("calendar", "")).startswith("provisional"):
            years = "、".join(str(year) for year in item["facts"].get("calendar_years", []))
            print(f"注意：本通知的工作日按暂算日历计算——{years} 年节假日安排当时尚未公布，按法定节假日暂算"
                  f"（周末休息，不含调休），期限和提醒日可能与正式安排相差数日。")
        status = NOTICE_STATUSES.get(item["status"], item["status"])
        print(f"级别：{TERMS.get(item['level'], item['level'])}；状态：{status}")
        print(f"依据：{names.words(item['clause'])}")
        set_id, _, version = str(item["ruleset"]).partition("@")
        title = names.rulesets.get(set_id, set_id)
        edition = f"第{version}版" if version else ""
        print(f"规则：「{rule_label(rules_dir, item['rule'], set_id)}」（《{title}》{edition}）")
        if item.get("plan"):
            print(f"方案：{names.plan(item['plan'])}")
        print("事实：")
        for line in fact_lines(item["facts"], names, rules_dir):
            print(line)
    return 0
