"""通报 counting and ranking, pure: facts in, standings out."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.letters.bulletin.ranking import (
    LetterRecord,
    Period,
    Standing,
    TaskRecord,
    compute_bulletin,
    previous_month,
    rank,
)

DECEMBER = Period.month("2019-12")


def test_a_month_runs_from_its_first_to_its_last_day():
    assert (DECEMBER.start, DECEMBER.end, DECEMBER.label, DECEMBER.key) == (
        date(2019, 12, 1), date(2019, 12, 31), "2019年12月", "2019-12")
    assert Period.month("2020-02").end == date(2020, 2, 29)
    assert previous_month(date(2020, 1, 2)) == DECEMBER
    for bad in ("2019-13", "2019/12", "12-2019"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Period.month(bad)


def _task(task_id, due, done=None, units=(), waived=False):
    return TaskRecord(task_id, f"任务{task_id}", due, done, tuple(units), waived=waived)


def test_counts_follow_the_rules_of_the_docstring():
    tasks = [
        _task("a", date(2019, 12, 10), date(2019, 12, 9), ["甲局"]),  # due in Dec, done on time
        _task("b", date(2019, 12, 20), date(2019, 12, 28), ["甲局"]),  # due in Dec, done late but in Dec
        _task("c", date(2019, 12, 31), None, ["甲局"]),  # due on the last day, not done: 1 day late
        _task("d", date(2019, 11, 1), date(2020, 1, 3), ["甲局"]),  # done only after the period: 61 days
        _task("e", date(2020, 1, 15), None, ["甲局"]),  # not due yet
        _task("f", None, None, ["甲局"]),  # no date (ongoing)
        _task("g", date(2019, 12, 5), None, ["甲局"], waived=True),  # 核减: nowhere
    ]
    letters = [
        LetterRecord("1", "甲局", "warning", date(2019, 12, 2), date(2019, 12, 5)),  # 3 days
        LetterRecord("2", "甲局", "warning", date(2019, 12, 20), date(2019, 12, 21)),  # 1 day
        LetterRecord("3", "甲局", "interview", date(2019, 12, 30), date(2020, 1, 2)),  # signed after the period
        LetterRecord("4", "甲局", "warning", date(2019, 11, 29), date(2019, 12, 1)),  # sent before the period
    ]
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, letters, {})
    (row,) = bulletin.units
    assert (row.due, row.done, row.overdue, row.days_overdue) == (3, 2, 2, 1 + 61)
    assert (row.letters, row.acknowledged, row.unacknowledged, row.mean_ack_days) == (3, 2, 1, 2.0)
    assert row.completion == pytest.approx(2 / 3)
    assert [(t.task_id, t.days) for t in bulletin.overdue] == [("d", 61), ("c", 1)]
    assert bulletin.counties == ()


def test_a_task_held_at_two_dates_counts_each_unit_at_its_own_and_the_totals_once():
    # one record per date: 乙局 has an extension of its own on x and z, 甲局 on y
    tasks = [_task("x", date(2019, 12, 10), None, ["甲局"]), _task("x", date(2020, 1, 15), None, ["乙局"]),
             _task("y", date(2019, 12, 20), None, ["乙局"]), _task("y", date(2020, 1, 20), None, ["甲局"]),
             _task("z", date(2019, 12, 5), None, ["甲局"]), _task("z", date(2019, 12, 15), None, ["乙局"])]
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, [], {})
    rows = {r.name: (r.due, r.overdue, r.days_overdue) for r in bulletin.units}
    assert rows == {"甲局": (2, 2, 22 + 27), "乙局": (2, 2, 12 + 17)}
    assert [(t.task_id, t.units, t.days) for t in bulletin.overdue] == [
        ("z", ("甲局",), 27), ("x", ("甲局",), 22), ("z", ("乙局",), 17), ("y", ("乙局",), 12)]
    totals = bulletin.totals  # three tasks, each late once, at its earliest missed date
    assert (totals.due, totals.overdue, totals.days_overdue) == (3, 3, 22 + 12 + 27)


def test_ranks_put_the_best_first_and_share_equal_places():
    def standing(name, overdue=0, days=0, due=0, done=0, letters=0, acked=0, ack_days=0):
        return Standing(name, due, done, overdue, days, letters, acked, ack_days)

    rows = rank([
        standing("丁", overdue=1, days=5),
        standing("甲"),
        standing("乙"),  # ties with 甲: both rank 1
        standing("丙", due=2, done=1),  # completion 50% sorts after 100% and after nothing due
        standing("戊", overdue=1, days=5, letters=2, acked=1, ack_days=4),  # an unsigned letter: after 丁
        standing("己", letters=1, acked=1, ack_days=6),  # signed, but slower than those with none
    ])
    assert [(r.rank, r.name) for r in rows] == [(1, "乙"), (1, "甲"), (3, "己"), (4, "丙"), (5, "丁"), (6, "戊")]
