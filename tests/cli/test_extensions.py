"""`duban extension request|decide|list` as a coordinator types them, on the real 长治 2019-20 ledger:
short names and aliases are read through the unit directory, a wrong name is refused in Chinese
with the close matches, never a database traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler import store as repo
from scheduler.cli.main import main
from scheduler.cli.unitnames import resolve_unit
from scheduler.config import load_config
from scheduler.errors import InputError
from scheduler.plans.ledger import load_ledger
from scheduler.plans.units import UnitDirectory
from scheduler.store import open_store

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")
TASK = "changzhi-2019/r017"
HOLDERS = ["长治市发展和改革委员会", "潞州区人民政府", "潞城区人民政府", "上党区人民政府"]


@pytest.fixture
def duban(store_url, monkeypatch, capsys):
    store = open_store(store_url)
    with store.session() as session:
        repo.load_ledgers(session, [load_ledger(ROOT / "data" / "changzhi-2019.yaml")], DIRECTORY,
                          load_config(ROOT / "config.yaml").heating_season_start)
        session.commit()
    store.dispose()
    monkeypatch.setenv("DUBAN_DB", store_url)
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.mark.parametrize("written", ["潞州区人民政府", "潞州区", "潞州"])
def test_a_unit_is_found_by_its_name_alias_or_a_short_form(written):
    assert resolve_unit(written, DIRECTORY, "长治市", HOLDERS) == "潞州区人民政府"


def test_an_ambiguous_short_form_lists_the_close_matches():
    with pytest.raises(InputError) as caught:
        resolve_unit("潞", DIRECTORY, "长治市", HOLDERS)
    message = str(caught.value.problems[0])
    assert "找不到" in message and "潞州区人民政府" in message and "潞城区人民政府" in message


def test_a_group_is_not_one_unit():
    with pytest.raises(InputError, match="单位组"):
        resolve_unit("各县区政府", DIRECTORY, "长治市", HOLDERS)


def test_request_decide_and_list_from_the_command_line(duban):
    code, out, err = duban("extension", "request", TASK, "2019-12-31", "--unit", "潞州区", "--reason", "设备到货延迟",
                           "--by", "潞州区")
    assert code == 0, err
    assert "第1号" in out and "潞州区人民政府" in out
    code, out, err = duban("extension", "decide", "1", "approve", "--by", "王协调", "--also", "潞城区")
    assert code == 0, err
    assert "潞州区人民政府、潞城区人民政府" in out and "其他单位不受影响" in out
    code, out, _ = duban("extension", "list", "--json")
    listed = json.loads(out)
    assert [(e["unit"], e["status"]) for e in listed] == [
        ("潞城区人民政府", "approved"), ("潞州区人民政府", "approved")]
    code, out, _ = duban("extension", "list", "--status", "pending")
    assert code == 0 and "没有符合条件的延期申请" in out


@pytest.mark.parametrize("unit, says", [
    ("潞", "相近的有：潞州区人民政府、潞城区人民政府"),
    ("太原市人民政府", "找不到任务 changzhi-2019/r017 的单位“太原市人民政府”"),
])
def test_a_wrong_unit_is_refused_in_chinese_without_a_traceback(duban, unit, says):
    code, out, err = duban("extension", "request", TASK, "2019-12-31", "--unit", unit, "--reason", "x", "--by", "y")
    assert code == 1 and says in err
    assert "Traceback" not in err and "IntegrityError" not in err


def test_deciding_a_request_that_does_not_exist_says_so(duban):
    code, _out, err = duban("extension", "decide", "9", "approve", "--by", "王协调")
    assert code == 1 and "没有待审批的延期申请：第9号" in err
