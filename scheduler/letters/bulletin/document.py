"""The 通报 as a document: its head (issuer, number, title, addressee, rectification) and its date.

Pure like the ranking; `sample_bulletin` gives check_templates and the benchmarks a realistic one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from scheduler.letters.bulletin.ranking import Bulletin, LetterRecord, Period, TaskRecord, compute_bulletin, units_text
from scheduler.letters.content import BULLETIN, BULLETIN_CC, FactRow, LetterContext, PlanBasis, kind_name, zh_date
from scheduler.letters.numbers import draft_number

ADDRESSEE = "各县（市、区）人民政府，市直有关单位"
REPLY_WORKDAYS = 10


def first_workday_after(period: Period, is_workday: Callable[[date], bool]) -> date:
    """Return the first working day after the period: when the monthly bulletin is drawn up."""
    day = period.end + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def bulletin_letter(
    bulletin: Bulletin, issuer: str, number: str, issued: date, reply_by: date, *, contact: str = "",
) -> LetterContext:
    """Return the head of the bulletin (issuer, number, title, addressee …) as letters have it."""
    rows = tuple(FactRow(i, t.task_id, t.title, units_text(t.units), zh_date(t.due), f"逾期{t.days}天", t.progress)
                 for i, t in enumerate(bulletin.overdue, start=1))
    basis = bulletin.plans[0] if bulletin.plans else PlanBasis("有关大气污染防治工作方案", "", "")
    by = zh_date(reply_by)
    return LetterContext(
        kind=BULLETIN,
        kind_name=kind_name(BULLETIN),
        issuer=issuer,
        number=number,
        title=f"关于{bulletin.period.label}大气污染防治重点任务进展情况的通报",
        addressee=ADDRESSEE,
        unit="",
        rows=rows,
        basis=basis,
        reasons=(),
        rectification=(
            "各单位对照通报事项认真查摆问题，举一反三，加快推进逾期任务，确保尽快完成。",
            "排名靠后的单位要深入分析原因，制定整改措施，明确责任人和完成时限。",
            "收到预警通知函、约谈通知的单位要及时签收，按要求报送书面整改情况。",
            f"于{by}前将整改落实情况书面报送市大气办。",
        ),
        reply_by=reply_by,
        signature=issuer,
        date=issued,
        contact=contact,
        cc=BULLETIN_CC,
        attachments=(),
        notice_keys=(),
        period=bulletin.period.label,
    )


SAMPLE_PERIOD = Period.month("2019-12")


def sample_bulletin() -> tuple[Bulletin, LetterContext]:
    """Return a small bulletin and its head, to test-render the template before the service starts."""
    tasks = [
        TaskRecord("cz2019-12", "完成城中村和城乡结合部散煤清洁化替代", date(2019, 11, 30), None,
                   ("长治市能源局", "潞州区人民政府"), "已完成68%"),
        TaskRecord("cz2019-31", "建成区渣土运输车辆全部实现密闭运输", date(2019, 12, 15), date(2019, 12, 13),
                   ("长治市住房和城乡建设局", "潞州区人民政府", "上党区人民政府")),
        TaskRecord("cz2019-40", "完成工业企业无组织排放治理", date(2019, 12, 31), None, ("上党区人民政府",)),
    ]
    letters = [LetterRecord("overdue-warning|cz2019-12|潞州区人民政府|2019-11-30", "潞州区人民政府", "warning",
                            date(2019, 12, 3), date(2019, 12, 5))]
    kinds = {"潞州区人民政府": "county_government", "上党区人民政府": "county_government"}
    plan = PlanBasis("长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案", "长政办发〔2019〕78号",
                     "对重点任务进展缓慢的县区，及时下发预警通知函。")
    bulletin = compute_bulletin("长治市", SAMPLE_PERIOD, tasks, letters, kinds, [plan])
    head = bulletin_letter(bulletin, "长治市大气污染防治工作领导组办公室", draft_number("长大气办函", 2020),
                           date(2020, 1, 2), date(2020, 1, 16), contact="（联系人：王明；联系电话：0355-2021234）")
    return bulletin, head
