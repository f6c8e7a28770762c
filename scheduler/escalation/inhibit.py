"""Inhibition: while a unit's interview case stands, its routine urges fold into the case.

The one rule, asked by the task and the metric rules alike. A unit's interview folds its urges
while it stands (scheduler.ladder.PENDING_STATUSES: pending review or approved; a held one is not
yet decided, so urges continue) and for `days` days after it was sent (the rule set's
`inhibit_urges_days_after_interview`, else DEFAULT_DAYS), counted from its send day, else its
creation day. Only interviews already in the history count: one proposed in the same evaluation
does not. A folded urge keeps its occurrence key and is stored with status `folded`, so it never
fires later. Whether a trigger's urges fold at all is the trigger's to say (TriggerSpec.folds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from scheduler import ladder
from scheduler.escalation.facts import PastNotice

CASE_LEVEL = "interview"  # the rung whose case folds the urges
FOLDED_LEVEL = "urge"  # the rung that is folded; reminders, letters and interviews never are
DEFAULT_DAYS = 30
FOLDED = "|folded"  # the kind's suffix the sweep stores as status `folded`
FOLD_NOTE = "（该单位已有约谈案件，本催办并入约谈案件，不单独发送）"


def stands(notice: PastNotice) -> bool:
    """Say whether a stored notice is an interview case that stands: proposed, not yet decided against."""
    return notice.level == CASE_LEVEL and notice.status in ladder.PENDING_STATUSES


class Inhibitor:
    """Answers one question for one evaluation day: does an interview case fold this urge?"""

    def __init__(self, history: Mapping[tuple[str | None, str], Sequence[PastNotice]], as_of: date) -> None:
        self.history = history
        self.as_of = as_of
        self._cases: dict[str, tuple[bool, date | None]] | None = None  # unit -> (one stands, last sent)

    def _table(self) -> dict[str, tuple[bool, date | None]]:
        # Built on the first question: most days most tasks propose no urge at all.
        table: dict[str, tuple[bool, date | None]] = {}
        for notices in self.history.values():
            for notice in notices:
                if notice.level != CASE_LEVEL:
                    continue
                standing, last = table.get(notice.unit, (False, None))
                if stands(notice):
                    standing = True
                elif notice.status == "sent":
                    sent = notice.sent_on or notice.created_on
                    last = sent if last is None or sent > last else last
                table[notice.unit] = (standing, last)
        return table

    def mutes(self, level: str, unit: str, days: int) -> bool:
        """Say whether an urge of `level` to `unit` folds: a case of the unit stands or was sent `days` ago or less."""
        if level != FOLDED_LEVEL:
            return False
        if self._cases is None:
            self._cases = self._table()
        entry = self._cases.get(unit)
        if entry is None:
            return False
        standing, last = entry
        return standing or (last is not None and 0 <= (self.as_of - last).days <= days)
