"""How the inhibitor reads a unit's interview cases from the history: cases listed after other
notices, several cases of one unit (one standing, one decided against), and the latest of several
sent cases, whatever order the store lists them in."""

from __future__ import annotations

from datetime import date

from scheduler.escalation.facts import PastNotice
from scheduler.escalation.inhibit import Inhibitor

UNIT = "潞州区人民政府"
TASK = "changzhi-2019/1"
AS_OF = date(2019, 12, 20)


def notice(key: str, level: str, status: str, created: date, sent: date | None = None) -> PastNotice:
    return PastNotice(key, level, "r", TASK, UNIT, created, status, sent_on=sent)


def folds(*notices: PastNotice, days: int = 30) -> bool:
    return Inhibitor({(TASK, UNIT): list(notices)}, AS_OF).mutes("urge", UNIT, days)


def test_a_standing_case_listed_after_other_notices_still_folds():
    urge = notice("u", "urge", "sent", date(2019, 12, 2), date(2019, 12, 2))
    case = notice("i", "interview", "pending_review", date(2019, 12, 10))
    assert folds(urge, case)
    assert not folds(urge)


def test_a_standing_case_folds_however_the_units_other_cases_were_decided():
    standing = notice("i1", "interview", "pending_review", date(2019, 12, 10))
    rejected = notice("i2", "interview", "rejected", date(2019, 12, 11))
    assert folds(standing, rejected)
    assert folds(rejected, standing)


def test_the_latest_sent_case_counts_in_any_order():
    recent = notice("recent", "interview", "sent", date(2019, 12, 1), date(2019, 12, 1))
    old = notice("old", "interview", "sent", date(2019, 10, 1), date(2019, 10, 1))
    assert folds(recent, old) and folds(old, recent)
    assert not folds(old)
