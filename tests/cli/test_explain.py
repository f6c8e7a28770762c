"""`duban explain` and `duban queue list` as a coordinator uses them: a 文号 or a unit and task number
instead of the internal key, Chinese labels and statuses, task titles, filters by status and unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.cli.explain import FACT_LABELS
from scheduler.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
KEY = "overdue-warning|changzhi-2019/r017|潞州区人民政府|2019-10-31"

pytestmark = pytest.mark.slow  # each test loads and sweeps the seed ledgers


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    """The seed ledgers urged on 2019-11-01, warned on 2019-11-14, the warnings approved and delivered
    the next day (DOCX only)."""
    folder = tmp_path_factory.mktemp("explain")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUBAN_DB", f"sqlite:///{folder / 'duban.db'}")
        patch.setenv("DUBAN_OUT", str(folder / "out"))
        assert main(["load", str(ROOT / "data")]) == 0
        assert main(["sweep", "--as-of", "2019-11-01"]) == 0  # the urges a warning follows
        assert main(["deliver", "--as-of", "2019-11-01", "--no-pdf"]) == 0
        assert main(["sweep", "--as-of", "2019-11-14"]) == 0
        assert main(["queue", "approve", "--all", "--by", "王协调"]) == 0
        assert main(["sweep", "--as-of", "2019-11-15"]) == 0
        assert main(["deliver", "--as-of", "2019-11-15", "--no-pdf"]) == 0
        yield patch


def test_explain_prints_chinese_labels_not_fact_keys(delivered, capsys):
    capsys.readouterr()
    assert main(["explain", KEY]) == 0
    out = capsys.readouterr().out
    assert "已逾期（工作日）：10" in out and "节点：无" in out and "完成时限：2019年10月31日" in out
    for english in ("workdays_overdue", "milestone", "None", "as_of", "threshold_workdays"):
        assert english not in out


def test_explain_names_plan_rule_and_task_by_their_titles_and_keeps_internal_keys_for_json(delivered, capsys):
    capsys.readouterr()
    assert main(["explain", KEY]) == 0
    out = capsys.readouterr().out
    assert "方案：长治市2019-2020年秋冬季方案" in out and "规则：「逾期十个工作日下发预警通知函」" in out
    assert "《默认督办规则（提醒、催办、预警通知函、约谈）》第2版" in out
    assert "任务：《长治市2019-2020年秋冬季方案》017" in out and "前一级：催办" in out
    for internal in ("changzhi-2019", "overdue-warning", "overdue-urge", "default", "|", "r017", "前一级通知"):
        assert internal not in out, internal
    assert main(["explain", KEY, "--json"]) == 0
    item = json.loads(capsys.readouterr().out)
    assert (item["plan"], item["rule"], item["key"]) == ("changzhi-2019", "overdue-warning", KEY)
    assert item["facts"]["premise_key"].startswith("overdue-urge|")


def test_explain_takes_a_letter_number_and_explains_every_notice_it_carries(delivered, capsys):
    capsys.readouterr()
    assert main(["explain", KEY, "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert main(["explain", "长大气办函〔2019〕1号", "--json"]) == 0
    carried = json.loads(capsys.readouterr().out)
    carried = carried if isinstance(carried, list) else [carried]
    assert carried and all(n["level"] == "warning" for n in carried)
    assert facts["workdays_overdue"] == 10
    # typed with square brackets and a leading zero, the way a keyboard without 〔〕 writes it
    assert main(["explain", "长大气办函[2019]01号", "--json"]) == 0
    assert capsys.readouterr().out.strip()
    assert main(["explain", "长大气办函〔2019〕1号"]) == 0
    assert capsys.readouterr().out.startswith(f"函件 长大气办函〔2019〕1号 载有 {len(carried)} 项通知")


def test_explain_takes_a_unit_short_name_and_task_number(delivered, capsys):
    capsys.readouterr()
    assert main(["explain", "潞州区", "17"]) == 0
    out = capsys.readouterr().out
    assert "清洁能源替代散煤" in out and "潞州区人民政府" in out
    assert main(["explain", "潞州区", "999"]) == 1
    assert "第999项任务没有通知" in capsys.readouterr().err
    assert main(["explain", "没有这个"]) == 1
    assert "文号" in capsys.readouterr().err


def test_every_fact_a_demo_notice_records_has_a_chinese_label(delivered):
    from scheduler.config import load_config
    from scheduler.runtime import Runtime
    from scheduler.store import notice_json, review_queue

    with Runtime(load_config(None)).store.session() as session:
        facts = {name for n in review_queue(session, statuses=("sent", "approved", "pending_review", "queued"))
                 for name in notice_json(n)["facts"]}
    assert facts and facts <= set(FACT_LABELS)


def test_queue_list_shows_task_titles_and_chinese_statuses_filtered_by_status_and_unit(delivered, capsys):
    capsys.readouterr()
    assert main(["queue", "list"]) == 0
    pending = capsys.readouterr().out
    assert pending.rstrip().endswith("（待审核、暂缓）。")
    assert main(["queue", "list", "--status", "已发送", "--unit", "潞州区"]) == 0
    sent = capsys.readouterr().out
    assert "潞州区人民政府：清洁能源替代散煤" in sent and "已发送" in sent
    assert "sent" not in sent and "pending_review" not in sent
    assert all("潞州区人民政府" in line for line in sent.splitlines()[:-1])
    assert main(["queue", "list", "--status", "sent", "--unit", "潞州区", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and {i["status"] for i in items} == {"sent"} and {i["unit"] for i in items} == {"潞州区人民政府"}
