"""`duban ledger import FILE`: infer what the document says, ask for the rest at once, never lose a
ledger to an import that found less."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scheduler.cli.main import main
from tests.plans.importers.test_documents import write_docx

ROOT = Path(__file__).resolve().parents[2]
TABLE = ("某某县人民政府关于印发《某某县2024年扬尘治理方案》的通知\n"
         "序号\t重点任务\t完成时限\t牵头单位\t责任单位\n"
         "1\t工地围挡全覆盖\t2024年6月底前\t县住建局\t各乡镇人民政府\n"
         "2\t道路机械化清扫\t长期坚持\t县城管局\t县城管局\n"
         "3\t渣土车密闭运输\t2024年9月底前\t县交通局牵头，县公安局配合\t县交通局\n")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["ledger", "import", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_plan_imports_with_everything_inferred(tmp_path, capsys):
    source = tmp_path / "plan.txt"
    source.write_text(TABLE, encoding="utf-8")
    code, out, err = run(capsys, str(source), "--output", str(tmp_path / "out.yaml"))
    assert code == 0, err
    ledger = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert ledger["plan"]["id"] == "mouxian-2024" or ledger["plan"]["id"].endswith("-2024")
    assert ledger["plan"]["region"] == "某某县" and ledger["plan"]["issuer"] == "某某县人民政府"
    assert ledger["plan"]["title"] == "某某县2024年扬尘治理方案"
    assert [t["lead_units"] for t in ledger["tasks"]] == [["县住建局"], ["县城管局"], ["县交通局"]]
    assert ledger["tasks"][2]["cooperating_units"] == ["县公安局"]
    assert "3 项任务" in out


def test_what_the_document_does_not_say_is_asked_for_in_one_message(tmp_path, capsys):
    source = tmp_path / "bare.txt"
    source.write_text(TABLE.split("\n", 1)[1].replace("2024年", ""), encoding="utf-8")
    code, out, err = run(capsys, str(source), "--output", str(tmp_path / "out.yaml"))
    assert code == 2
    assert not (tmp_path / "out.yaml").exists()
    assert err.count("\n") == 1  # one message
    assert "--region" in err and "--year" in err
    code, out, err = run(capsys, str(source), "--output", str(tmp_path / "out.yaml"), "--region", "某某县",
                         "--year", "2024", "--plan-id", "mouxian-2024")
    assert code == 0, err
    assert yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))["plan"]["id"] == "mouxian-2024"


def test_dry_run_shows_the_tasks_and_writes_nothing(tmp_path, capsys):
    code, out, err = run(capsys, str(write_docx(tmp_path / "plan.docx")), "--dry-run",
                         "--output", str(tmp_path / "out.yaml"))
    assert code == 0, err
    assert "完成钢铁企业超低排放改造" in out and "试运行" in out
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.parametrize("content", ["", "今天天气很好。\n我们去公园散步。\n", "序号\t备注\n1\t无\n"])
def test_an_import_that_finds_nothing_fails_with_a_report_and_keeps_the_ledger(tmp_path, capsys, content):
    source = tmp_path / "plan.txt"
    source.write_text(TABLE, encoding="utf-8")
    target = tmp_path / "out.yaml"
    assert run(capsys, str(source), "--output", str(target))[0] == 0
    before = target.read_bytes()
    empty = tmp_path / "empty.txt"
    empty.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, str(empty), "--output", str(target), "--region", "某某县", "--replace")
    assert code == 1
    assert "未能从 empty.txt 中找到任何任务" in err and "表格：" in err
    assert target.read_bytes() == before


def test_fewer_tasks_never_overwrite_a_ledger_without_replace(tmp_path, capsys):
    source, target = tmp_path / "plan.txt", tmp_path / "out.yaml"
    source.write_text(TABLE, encoding="utf-8")
    assert run(capsys, str(source), "--output", str(target))[0] == 0
    before = target.read_bytes()
    source.write_text(TABLE.rsplit("\n3\t", 1)[0] + "\n", encoding="utf-8")
    code, out, err = run(capsys, str(source), "--output", str(target))
    assert code == 1 and "已有 3 项任务，本次只读到 2 项" in err and "--replace" in err
    assert target.read_bytes() == before
    code, out, err = run(capsys, str(source), "--output", str(target), "--replace")
    assert code == 0
    assert "撤下 1 项" in out and "/3" in out
    assert len(yaml.safe_load(target.read_text(encoding="utf-8"))["tasks"]) == 2


def test_a_damaged_file_is_named_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip at all")
    code, out, err = run(capsys, str(bad), "--output", str(tmp_path / "out.yaml"))
    assert code == 1 and "bad.docx" in err and "Traceback" not in err


def test_the_seed_options_still_work(tmp_path, capsys):
    seed = ROOT / "data" / "sources" / "004_2c352a127e1e31b3.txt"
    code, out, err = run(capsys, str(seed), "--format", "markdown", "--plan-id", "zezhou-2023", "--title", "台账",
                         "--issuer", "泽州县", "--region", "泽州县", "--start", "2023-01-01", "--end", "2023-12-31",
                         "--output", str(tmp_path / "z.yaml"))
    assert code == 0, err
    ledger = yaml.safe_load((tmp_path / "z.yaml").read_text(encoding="utf-8"))
    shipped = yaml.safe_load((ROOT / "data" / "zezhou-2023.yaml").read_text(encoding="utf-8"))
    assert [t["id"] for t in ledger["tasks"]] == [t["id"] for t in shipped["tasks"]]


@pytest.mark.slow
def test_import_as_a_new_user_runs_it(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text(TABLE, encoding="utf-8")
    target = tmp_path / "out.yaml"

    def duban(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scheduler", "ledger", "import", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    assert duban(str(source), "--output", str(target)).returncode == 0
    before = target.read_bytes()
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = duban(str(empty), "--output", str(target))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert target.read_bytes() == before


def test_a_plan_without_a_year_takes_it_from_its_document_number(tmp_path, capsys):
    source = tmp_path / "plan.txt"
    source.write_text("某某县人民政府办公室关于印发扬尘治理措施的通知\n某县政办发〔2023〕5号\n"
                      "序号\t重点任务\t完成时限\t责任单位\n1\t工地围挡\t长期坚持\t县住建局\n", encoding="utf-8")
    code, out, err = run(capsys, str(source), "--output", str(tmp_path / "out.yaml"))
    assert code == 0, err
    assert "按文号 某县政办发〔2023〕5号 取 2023 年" in out
    assert yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))["plan"]["plan_year"] == 2023


def test_another_plans_ledger_is_never_overwritten_without_replace(tmp_path, capsys):
    source, target = tmp_path / "plan.txt", tmp_path / "out.yaml"
    source.write_text(TABLE, encoding="utf-8")
    assert run(capsys, str(source), "--output", str(target), "--plan-id", "first-2024")[0] == 0
    before = target.read_bytes()
    code, out, err = run(capsys, str(source), "--output", str(target), "--plan-id", "second-2024")
    assert code == 1 and "另一计划「first-2024」" in err and "--plan-id" in err
    assert target.read_bytes() == before
