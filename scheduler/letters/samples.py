"""Realistic sample notices, letters and digests: templates are test-rendered with them before the
service starts (scheduler.letters.render.check_templates), and benchmarks build on them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from scheduler.letters.content import LetterContext, build_letter

if TYPE_CHECKING:
    from scheduler.letters.digest import DigestContext


SAMPLE_PLAN: dict[str, Any] = {
    "title": "长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案",
    "number": "长政办发〔2019〕78号",
    "clause": "（五）强化考核督察。对重点任务进展缓慢的县区，及时下发预警通知函。对重点任务进展严重滞后的县区，"
              "组织开展约谈政府主要负责人。",
    "interview": {"time": "2019年12月27日上午9时", "place": "市生态环境局三楼会议室",
                  "attendees": "分管负责同志、相关部门主要负责同志", "contact": "市大气办 王明，0355-2021234"},
    "issuer": "长治市大气污染防治工作领导组办公室",
    "contact": "（联系人：王明；联系电话：0355-2021234）",
    "period": "2019年12月",
}
SAMPLE_UNIT: dict[str, Any] = {"name": "潞州区人民政府", "addressee": "潞州区人民政府"}


def sample_notices() -> list[dict[str, Any]]:
    """Return two overdue notices shaped like the store's, for template checks and benchmarks."""
    return [
        {
            "key": "overdue-warning|cz2019-12|潞州区人民政府|2019-11-30",
            "level": "warning", "kind": "overdue", "task_id": "cz2019-12",
            "task_title": "完成城中村和城乡结合部散煤清洁化替代", "unit": "潞州区人民政府",
            "due": "2019-11-30", "progress": "已完成68%", "plan_title": SAMPLE_PLAN["title"],
            "task_number": 12, "measure": "完成城中村和城乡结合部散煤清洁化替代3.2万户。",
            "explanation": "任务「完成城中村和城乡结合部散煤清洁化替代」的完成时限2019年11月30日"
                           "已过12个工作日仍未完成。",
            "facts": {"workdays_overdue": 12},
        },
        {
            "key": "overdue-warning|cz2019-31|潞州区人民政府|2019-12-15",
            "level": "warning", "kind": "overdue", "task_id": "cz2019-31",
            "task_title": "建成区渣土运输车辆全部实现密闭运输", "unit": "潞州区人民政府",
            "due": "2019-12-15", "explanation": "", "plan_title": SAMPLE_PLAN["title"],
            "task_number": 31, "measure": "渣土运输车辆全部安装密闭装置，实行线路、时间管控。",
            "facts": {"workdays_overdue": 3},
        },
    ]


def sample_letter(kind: str = "warning") -> LetterContext:
    """Build a realistic urge, warning or interview letter, to test-render templates before the service starts.

    The 通报 has its own sample, scheduler.letters.bulletin.sample_bulletin: its body needs a computed Bulletin.
    """
    return build_letter(kind, sample_notices(), SAMPLE_PLAN, SAMPLE_UNIT, date(2019, 12, 20),
                        "长大气办函〔2019〕12号")


def sample_digest() -> DigestContext:
    """Build a digest with an item in every section."""
    from scheduler.letters.digest import build_digest  # the digest builds on this module

    notices = sample_notices() + [
        {"key": "before-due|cz2019-40|潞州区人民政府|2019-12-31", "level": "reminder",
         "kind": "before_due", "task_id": "cz2019-40", "task_title": "完成工业企业无组织排放治理",
         "due": "2019-12-31", "plan_title": SAMPLE_PLAN["title"], "task_number": 40,
         "measure": "钢铁、焦化、建材企业完成物料储存、输送和生产工艺无组织排放深度治理。"},
        {"key": "progress|cz2019-41|潞州区人民政府|P2019-12-01", "level": "urge",
         "kind": "progress_missing", "task_id": "cz2019-41", "task_title": "推进清洁取暖改造",
         "due": None},
        {"key": "overdue-urge|cz2019-42|潞州区人民政府|2019-12-10", "level": "urge",
         "kind": "overdue", "task_id": "cz2019-42", "task_title": "完成加油站油气回收检测",
         "due": "2019-12-10"},
        {"key": "recurring|cz2019-43|潞州区人民政府|x", "level": "reminder", "kind": "recurring",
         "task_id": "cz2019-43", "task_title": "每周开展道路清扫保洁", "due": None},
    ]
    return build_digest(SAMPLE_UNIT, notices, date(2019, 12, 20))
