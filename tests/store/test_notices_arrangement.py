from __future__ import annotations

import pytest

from scheduler.store.notices import interview_arrangement
from scheduler.store.repo import StoreError


def test_an_interview_arrangement_needs_time_place_attendees_and_contact_and_names_what_is_missing():
    with pytest.raises(StoreError, match="批准约谈须填写约谈时间、约谈地点、参加人员、联系人及电话"):
        interview_arrangement(None)
    with pytest.raises(StoreError, match="批准约谈须填写联系人及电话（"):
        interview_arrangement({"time": "2019年12月27日上午9时", "place": "市政府第三会议室",
                               "attendees": "分管负责同志", "contact": "  "})


def test_an_interview_arrangement_is_kept_trimmed():
    given = {"time": " 2019年12月27日上午9时 ", "place": "市政府第三会议室", "attendees": "分管负责同志",
             "contact": "王明，0355-2021234", "extra": "x"}
    assert interview_arrangement(given) == {"time": "2019年12月27日上午9时", "place": "市政府第三会议室",
                                            "attendees": "分管负责同志", "contact": "王明，0355-2021234"}
