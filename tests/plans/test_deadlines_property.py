"""Any text at all must give a Deadline with a valid kind and real dates, never an exception."""

from __future__ import annotations

from datetime import date, datetime

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.plans.deadlines import KINDS, Deadline, DeadlineContext, parse_deadline
from scheduler.plans.deadlines.milestones import find_milestones_strictly

CONTEXTS = st.one_of(
    st.none(),
    st.builds(DeadlineContext, plan_year=st.none() | st.integers(1990, 2040)),
    st.just(DeadlineContext(plan_year=2019, period_start=date(2019, 10, 1),
                            period_end=date(2020, 3, 31))),
    st.just(DeadlineContext(plan_year=2023, period_start=date(2022, 1, 1),
                            period_end=date(2023, 12, 31), heating_season_start=(10, 15))),
)

# Pieces that deadline cells are made of, so generated text reaches the date handlers.
FRAGMENTS = st.sampled_from([
    "2019", "2020", "2023", "0000", "9999", "２０２３", "二〇一九", "二〇二〇", "十", "十二",
    "二十",
    "三十一", "一", "四", "0", "1", "2", "3", "12", "13", "29", "30", "31", "99", "年", "月", "日",
    "号", "底", "末", "初", "前", "首", "起", "内", "上旬", "中旬", "下旬", "上半年", "下半年",
    "季度", "第", "每", "每年", "每月", "每周", "每季度", "全年", "年底", "采暖季", "当年", "次年",
    "今年", "明年", "和", "、", "及", "-", "—", "–", "~", "至", "到", "自", "于", "在", ".", "/",
    "，", "；", "。", " ", "\n", "\x00", "长期坚持", "持续开展", "按国家、省规定完成时限",
    "省定时限", "完成", "力争提前完成",
])
DATE_LIKE = st.lists(FRAGMENTS, max_size=12).map("".join)


def _check(got: Deadline, text: str) -> None:
    assert isinstance(got, Deadline)
    assert got.text == text
    assert got.kind in KINDS
    for day in (*got.due, got.start, got.end):
        assert day is None or type(day) is date
    assert list(got.due) == sorted(got.due)
    if got.start and got.end:
        assert got.start <= got.end
    if got.rrule is not None:
        assert got.kind == "recurring"
        rrulestr(got.rrule, dtstart=datetime(2020, 1, 1))
    if got.kind == "unknown":
        assert got.notes
    assert not any("无法解析（" in note for note in got.notes)  # no internal error was swallowed
    json = got.to_json()
    assert set(json) == {"text", "kind", "due", "start", "end", "rrule", "notes"}
    for iso in json["due"]:
        date.fromisoformat(iso)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80), CONTEXTS)
def test_arbitrary_text_never_raises(text: str, context: DeadlineContext | None) -> None:
    _check(parse_deadline(text, context), text)


@settings(max_examples=1500, deadline=None)
@given(DATE_LIKE, CONTEXTS)
def test_date_like_text_gives_real_dates(text: str, context: DeadlineContext | None) -> None:
    _check(parse_deadline(text, context), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(DATE_LIKE | st.text(max_size=10), max_size=6).map("".join), CONTEXTS)
def test_milestones_never_raise_and_carry_real_dates(text: str,
                                                     context: DeadlineContext | None) -> None:
    # The private function, because the public one turns internal errors into no milestones.
    for milestone in find_milestones_strictly(text, context or DeadlineContext()):
        assert type(milestone.due) is date
        assert isinstance(milestone.phrase, str)
