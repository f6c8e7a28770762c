"""通报: the periodic bulletin that ranks counties and city departments on their plan tasks.

For one region and one period (a month by default), everything is counted as it stood on the
period's last day, so a bulletin printed later says the same thing:
- 到期任务: tasks whose (last) due date falls in the period; 已完成: of those, signed off (销号)
  by the period's end; 完成率 = 已完成 / 到期任务.
- 逾期未完成: tasks due by the period's last day and not signed off when it was over, whichever
  month they fell due in; 逾期天数: calendar days from each one's due date to the end of the
  period's last day (a task due on 12月31日 and not done is 1 day late on the 12月 bulletin).
- 函件: 预警通知函 and 约谈通知 sent in the period; 已签收 by the period's end; 平均签收用时:
  days from sending to 签收, over the signed ones.
A task counts for its lead units and its responsible units (cooperating units are not
accountable for it); a unit with its own approved extension (延期) is counted at its own date, and
the totals count each task once; waived tasks (核减) count nowhere. Counties (county and town governments,
development zones) and city departments (everything else) are ranked separately, best first:
fewer overdue tasks, then fewer overdue days, then a higher completion rate, then fewer unsigned
letters, then faster 签收; equal keys share a rank (1, 2, 2, 4).

Modules: ranking (the pure count and rank: `compute_bulletin`), document (the bulletin's head as
letters have it, pure). The store query is scheduler.store.bulletin; writing the drafts (HTML, DOCX,
PDF, JSON) and the service's monthly job are scheduler.publish.
"""

from __future__ import annotations

from scheduler.letters.bulletin.document import bulletin_letter, sample_bulletin
from scheduler.letters.bulletin.ranking import Bulletin, Period, Standing, compute_bulletin, previous_month

__all__ = [
    "Bulletin",
    "Period",
    "Standing",
    "bulletin_letter",
    "compute_bulletin",
    "previous_month",
    "sample_bulletin",
]
