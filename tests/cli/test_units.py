"""`duban units import FILE`: an office's unit table goes into data/units.yaml, bad rows are reported
by row and column, and the directory still loads; `units list|confirm|merge|rename` on a store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from scheduler.cli.main import main
from scheduler.plans.units import UnitDirectory

ROOT = Path(__file__).resolve().parents[2]
GOOD_AND_BAD = (
    "名称,别名,类型,地区,邮箱\n"
    "朔州市生态环境局,市生态环境局、市环保局,市直部门,朔州市,hb@shuozhou.example.cn\n"
    "山阴县住房和城乡建设局,县住建局,,山阴县,\n"
    "朔州市交通运输局,市交通局,部门X,朔州市,not-an-address\n"
    ",无名,其他,朔州市,\n"
    "某局,,其他,火星市,\n"
    "长治市生态环境局,,,长治市,\n"
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(ROOT / "data" / "units.yaml", folder / "units.yaml")
    return folder


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.mark.slow  # the command line and two readings of the directory: about a second
def test_a_unit_table_with_bad_rows_adds_the_good_ones_and_names_each_bad_cell(data, tmp_path, capsys):
    table = tmp_path / "units.csv"
    table.write_text(GOOD_AND_BAD, encoding="utf-8")
    code, out = run(capsys, "units", "import", str(table), "--data", str(data), "--json")
    report = json.loads(out)
    assert code == 1
    assert report["added"] == ["朔州市生态环境局", "山阴县住房和城乡建设局"]
    assert report["regions_added"] == ["朔州市", "山阴县"]
    assert [s["row"] for s in report["skipped"]] == [7]  # 长治市生态环境局 is already there
    problems = report["problems"]
    assert any(":4: 第 3 列（类型）" in p and "部门X" in p for p in problems)
    assert any(":4: 第 5 列（邮箱）" in p and "not-an-address" in p for p in problems)
    assert any(":5: 第 1 列（名称）" in p and "为空" in p for p in problems)
    assert any(":6: 第 4 列（地区）" in p and "火星市" in p for p in problems)
    directory = UnitDirectory.load(data / "units.yaml")
    eco = directory.resolve("市环保局", "朔州市")
    assert (eco.status, eco.units[0].name, eco.units[0].contacts["email"]) == (
        "unit", "朔州市生态环境局", ("hb@shuozhou.example.cn",))
    housing = directory.resolve("县住建局", "山阴县").units[0]
    assert (housing.name, housing.kind, housing.head_title) == ("山阴县住房和城乡建设局", "city_department", "局长")
    assert directory.resolve("市生态环境局", "山阴县").units[0].name == "朔州市生态环境局"  # 山阴县 lies in 朔州市
    assert directory.resolve("市生态环境局", "长治市").units[0].name == "长治市生态环境局"  # nothing else moved


@pytest.mark.slow  # the command line and two readings of the directory: about a second
def test_the_directory_keeps_its_comments_and_a_second_import_adds_nothing(data, tmp_path, capsys):
    before = (data / "units.yaml").read_text(encoding="utf-8")
    table = tmp_path / "units.csv"
    table.write_text(GOOD_AND_BAD, encoding="utf-8")
    run(capsys, "units", "import", str(table), "--data", str(data))
    after = (data / "units.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.split("\nunits:")[0].split("  - name: 泽州县")[0])
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")]
    code, out = run(capsys, "units", "import", str(table), "--data", str(data))
    assert "已加入" in out and " 0 个单位" in out
    assert (data / "units.yaml").read_text(encoding="utf-8") == after


@pytest.mark.slow  # the command line and two readings of the directory: about a second
def test_a_dry_run_writes_nothing(data, tmp_path, capsys):
    before = (data / "units.yaml").read_text(encoding="utf-8")
    table = tmp_path / "units.csv"
    table.write_text(GOOD_AND_BAD.splitlines()[0] + "\n" + GOOD_AND_BAD.splitlines()[1] + "\n", encoding="utf-8")
    code, out = run(capsys, "units", "import", str(table), "--data", str(data), "--dry-run")
    assert code == 0 and "将加入" in out and "朔州市生态环境局" in out
    assert (data / "units.yaml").read_text(encoding="utf-8") == before


@pytest.mark.slow  # the command line and two readings of the directory: about a second
def test_an_xlsx_table_with_english_headers_and_a_gbk_csv_both_read(data, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "aliases", "kind", "region", "webhook"])
    sheet.append(["朔州市气象局", "市气象局", "city_department", "朔州市", "https://hooks.example.cn/q"])
    book.save(tmp_path / "units.xlsx")
    assert run(capsys, "units", "import", str(tmp_path / "units.xlsx"), "--data", str(data))[0] == 0
    (tmp_path / "gbk.csv").write_bytes("单位名称,地区\n朔州市林业局,朔州市\n".encode("gbk"))
    assert run(capsys, "units", "import", str(tmp_path / "gbk.csv"), "--data", str(data))[0] == 0
    directory = UnitDirectory.load(data / "units.yaml")
    assert directory.resolve("市气象局", "朔州市").units[0].contacts["webhook"] == ("https://hooks.example.cn/q",)
    assert directory.find("朔州市林业局") is not None


@pytest.mark.slow  # the command line and two readings of the directory: about a second
def test_an_alias_that_means_another_unit_is_refused_with_its_row(data, tmp_path, capsys):
    table = tmp_path / "units.csv"
    table.write_text("名称,别名,地区\n长治市环保局,市生态环境局,长治市\n", encoding="utf-8")
    code, out = run(capsys, "units", "import", str(table), "--data", str(data))
    assert code == 1 and "units.csv:2" in out and "长治市生态环境局" in out


def test_a_table_without_a_region_column_says_which_headers_it_accepts(data, tmp_path, capsys):
    table = tmp_path / "units.csv"
    table.write_text("名称,类型\n朔州市林业局,部门\n", encoding="utf-8")
    code, out = run(capsys, "units", "import", str(table), "--data", str(data))
    assert code == 1 and "表头缺少“地区”列" in out


@pytest.mark.slow  # the command line and two readings of the directory: about a second
def test_a_new_office_without_a_directory_gets_one_from_its_table(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    table = tmp_path / "units.csv"
    table.write_text("名称,别名,地区\n朔州市生态环境局,市生态环境局,朔州市\n山阴县人民政府,县政府,山阴县\n",
                     encoding="utf-8")
    code, out = run(capsys, "units", "import", str(table), "--data", str(data))
    assert code == 0, out
    directory = UnitDirectory.load(data / "units.yaml")
    assert directory.regions() == ["朔州市", "山阴县"]
    assert directory.resolve("市生态环境局", "山阴县").units[0].name == "朔州市生态环境局"
    assert directory.resolve("县政府", "山阴县").units[0].kind == "county_government"
