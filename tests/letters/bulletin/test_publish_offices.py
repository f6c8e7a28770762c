"""An office publishes the 通报 of its own regions only."""

from __future__ import annotations

import pytest

from scheduler.escalation.calendar import WorkCalendar
from scheduler.issuers import SHIPPED
from scheduler.publish import publish_bulletins
from scheduler.store.offices import office_names
from tests.letters.bulletin.builders import DECEMBER, config_for


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_another_office_publishes_nothing_on_changzhi(small_store, store_url, tmp_path):
    config = config_for(store_url, tmp_path)
    calendar = WorkCalendar.load(config.path(config.calendar_dir))
    assert publish_bulletins(small_store, config, calendar, DECEMBER, tmp_path / "jc", pdf=False,
                             offices=office_names(SHIPPED, ["晋城"])) == []
    (own,) = publish_bulletins(small_store, config, calendar, DECEMBER, tmp_path / "cz", pdf=False,
                               offices=office_names(SHIPPED, ["长治市大气办"]))
    assert own.bulletin.region == "长治市"
