"""Time the spreadsheet doors: import seed 000 as .docx, a 5,000-row .xlsx task table, export the
shipped ledgers to .xlsx, and build a unit's .ics. Prints the median of 5 runs of each.

Run: .venv/bin/python bench/bench_sheets.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.config import load_config  # noqa: E402
from scheduler.exports.xlsx import export_ledger_xlsx  # noqa: E402
from scheduler.plans.importers.docx_table import import_docx_tables  # noqa: E402
from scheduler.plans.importers.xlsx_table import import_xlsx_tables  # noqa: E402
from scheduler.plans.views import export_rows  # noqa: E402
from tests.plans.importers.seed_tables import seed_000_tables, write_docx  # noqa: E402

RUNS = 5


def median_seconds(call) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_xlsx(path: Path, rows: int) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["类别", "重点工作", "主要任务", "完成时限", "工程措施", "牵头单位", "配合单位", "责任单位", "责任人"])
    for n in range(rows):
        sheet.append([f"类别{n // 100}" if n % 100 == 0 else None, f"重点{n // 10}" if n % 10 == 0 else None,
                      f"任务{n}", "2019年12月底前", f"完成第{n}项整治，12月20日前基本完成。", "市生态环境局",
                      "市工信局", "各县区政府", "各县区长"])
        if n % 10 == 9:
            sheet.merge_cells(start_row=n - 7, start_column=2, end_row=n + 2, end_column=2)
    workbook.save(path)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        docx_file = write_docx(seed_000_tables(), tmp / "changzhi-2019.docx")
        xlsx_file = big_xlsx(tmp / "big.xlsx", 5000)
        config = load_config(str(ROOT / "config.yaml"))
        rows = export_rows(ROOT / "data", config)
        results = {
            "import seed 000 .docx (81 tasks, 3 tables)": median_seconds(
                lambda: import_docx_tables(docx_file, "changzhi-2019", "长治市", 2019)),
            "import 5,000-row .xlsx (merged 重点工作)": median_seconds(
                lambda: import_xlsx_tables(xlsx_file, "big", "长治市", 2019)),
            f"export data/ to .xlsx ({len(rows)} tasks)": median_seconds(
                lambda: export_ledger_xlsx(rows, tmp / "out.xlsx", date(2019, 12, 20))),
        }
    for name, seconds in results.items():
        print(f"{name}: {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
