"""Offices: a plan belongs to the office that issues its letters; an account serves the offices
listed for it, or every office (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from scheduler.errors import InputError
from scheduler.issuers import SHIPPED
from scheduler.store.offices import (
    account_offices,
    office_names,
    plan_offices,
    plans_of,
    set_account_offices,
)
from scheduler.web.accounts import create_user
from tests.store.builders import NOW

CHANGZHI = "长治市大气污染防治工作领导组办公室"
JINCHENG = "晋城市大气污染防治工作领导组办公室"


def test_offices_are_read_as_a_coordinator_writes_them():
    written = (["长治"], ["长治市大气办"], [CHANGZHI])
    assert [office_names(SHIPPED, names) for names in written] == [[CHANGZHI]] * 3
    assert office_names(SHIPPED, ["晋城市大气办", "长治"]) == [JINCHENG, CHANGZHI]
    assert office_names(SHIPPED, ["长治", "全省"]) is None
    assert SHIPPED.office_of("泽州县") == JINCHENG and SHIPPED.office_of("太原市") is None
    assert CHANGZHI in SHIPPED.names()


def test_an_unknown_office_is_refused_with_the_known_ones():
    with pytest.raises(InputError) as caught:
        office_names(SHIPPED, ["太原"])
    assert "太原" in str(caught.value.problems[0]) and CHANGZHI in str(caught.value.problems[0])


def test_a_plan_belongs_to_its_regions_office_and_an_account_to_its_offices(store):
    with store.session() as session:
        assert plan_offices(session, SHIPPED) == {"t-2019": CHANGZHI}
        assert plans_of(session, SHIPPED, [CHANGZHI]) == ["t-2019"] and plans_of(session, SHIPPED, [JINCHENG]) == []
        assert plans_of(session, SHIPPED, None) is None
        account = create_user(session, "cz", "correct-horse-1", "coordinator", now=NOW)
        assert account_offices(session, account.id) is None  # provincial until offices are given
        set_account_offices(session, account.id, [CHANGZHI, JINCHENG])
        session.commit()
        assert account_offices(session, account.id) == (CHANGZHI, JINCHENG)
        set_account_offices(session, account.id, None)
        session.commit()
        assert account_offices(session, account.id) is None


def test_the_review_queue_holds_only_the_offices_plans(store):
    from scheduler import store as repo
    from scheduler.store.queue import QueueFilter, queue_count, queue_ids
    from tests.store.builders import action, unit_name

    with store.session() as session:
        repo.insert_notices(session, [action("w-1", unit=unit_name("潞城区政府"))], NOW.date(), now=NOW)
        session.commit()
        mine = tuple(plans_of(session, SHIPPED, [CHANGZHI]) or ())
        theirs = tuple(plans_of(session, SHIPPED, [JINCHENG]) or ())
        assert queue_count(session, QueueFilter(plans=mine)) == 1
        assert queue_count(session, QueueFilter(plans=theirs)) == 0
        assert queue_ids(session, QueueFilter(plans=theirs)) == []


def test_plans_of_a_region_without_an_office_are_named_with_what_to_configure(store):
    from scheduler.issuers import Issuers
    from scheduler.store.offices import plans_without_issuer, unconfigured_plan_notes

    with store.session() as session:
        assert plans_without_issuer(session, SHIPPED) == [] and unconfigured_plan_notes(session, SHIPPED) == []
        assert plans_without_issuer(session, Issuers()) == [("t-2019", "长治市")]
        [note] = unconfigured_plan_notes(session, Issuers())
        assert "方案 t-2019（地区“长治市”）没有配置发文机关" in note and "issuers" in note
        assert unconfigured_plan_notes(session, Issuers(), plan_ids=["other"]) == []  # another office's plans
        assert plans_of(session, Issuers(), [CHANGZHI]) == []
