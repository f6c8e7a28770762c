"""Plan b-2019, whose December 通报 is counted by hand below, and helpers to store it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import update

from scheduler import store as repo
from scheduler.config import load_config
from scheduler.letters.bulletin.ranking import Period
from scheduler.plans.ledger import Ledger
from scheduler.store import schema as m
from tests.store.builders import NOW, action

ROOT = Path(__file__).resolve().parents[3]
DECEMBER = Period.month("2019-12")
MIIT, ECO = "长治市工业和信息化局", "长治市生态环境局"
LUCHENG, XIANGYUAN = "潞城区人民政府", "襄垣县人民政府"

# Plan b-2019 of 长治市 (task b/n is b-2019/n). Accountable units are lead + responsible:
#   b/1 due 11-30, lead 市工信局, resp 潞城区          signed off 12-10 (late, but done by the end)
#   b/2 due 12-15, lead 市生态环境局, resp 潞城区 襄垣县  signed off 12-14
#   b/3 due 12-31, lead 市工信局, resp 襄垣县           signed off 2020-01-05 (after the period); 60% reported
#   b/4 due 2020-01-31, resp 潞城区                     (not due yet)
#   b/5 长期坚持, lead 市生态环境局, resp 各县区政府      (no date: puts all 12 counties in the table)
#   b/6 due 12-31, resp 潞城区                          waived
#   b/7 due 10-31, lead 市工信局, resp 襄垣县           never done: 12-31 - 10-31 + 1 = 62 days
# Letters (warning/interview) sent in December: 襄垣 12-02 signed 12-04 (2 days) and 12-20 unsigned;
# 潞城 12-09 signed 12-16 (7 days); 市工信局 12-30 signed 2020-01-03 (after the period). Not counted:
# 潞城 sent 11-25; a reminder to 潞城 sent 12-05.
# December, by unit (due, done, overdue, days, letters, signed, mean days):
#   市工信局 (1, 0, 2, 63, 1, 0, —)   市生态环境局 (1, 1, 0, 0, 0, 0, —)
#   潞城区 (1, 1, 0, 0, 1, 1, 7.0)    襄垣县 (2, 1, 2, 63, 2, 1, 2.0)   10 other counties: zeros
# Counties: the 10 with nothing share rank 1; 潞城 (slower 签收) 11; 襄垣 12.
# Departments: 市生态环境局 1, 市工信局 2. Totals: due 2 (b/2, b/3), done 1, overdue 2 (b/3, b/7),
# 63 days, letters 4, signed 2, mean (2 + 7) / 2 = 4.5.




def small_ledger() -> Ledger:
    def task(n, deadline, lead=(), responsible=()):
        return dict(id=f"b-2019/{n}", title=f"任务{n}", deadline_text=deadline, lead_units=list(lead),
                    responsible_units=list(responsible), source=f"seed.txt:{n}")

    return Ledger.model_validate(dict(
        plan=dict(id="b-2019", title="长治市测试方案", issuer="长治市", region="长治市",
                  document_number="长政办发〔2019〕1号", assessment_clause="对进展缓慢的县区予以通报。",
                  period_start="2019-10-01", period_end="2020-03-31", plan_year=2019, source_file="seed.txt"),
        tasks=[task(1, "2019年11月底前", ["市工信局"], ["潞城区政府"]),
               task(2, "2019年12月15日前", ["市生态环境局"], ["潞城区政府", "襄垣县政府"]),
               task(3, "2019年12月底前", ["市工信局"], ["襄垣县政府"]),
               task(4, "2020年1月底前", [], ["潞城区政府"]),
               task(5, "长期坚持", ["市生态环境局"], ["各县区政府"]),
               task(6, "2019年12月底前", [], ["潞城区政府"]),
               task(7, "2019年10月底前", ["市工信局"], ["襄垣县政府"])]))


def add_letter(session, key, unit, level, sent, acked=None, task="b-2019/2"):
    notice = dataclasses.replace(action(key, unit=unit, level=level, task=task), plan_id="b-2019")
    repo.insert_notices(session, [notice], sent, now=NOW)
    session.execute(update(m.Notice).where(m.Notice.key == key)
                    .values(status="sent", sent_on=sent, acknowledged_on=acked))


def config_for(store_url: str, tmp_path: Path):
    return load_config(ROOT / "config.yaml").model_copy(update={"database": store_url, "outbox": tmp_path / "outbox"})
