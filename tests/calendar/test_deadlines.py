"""Business days, time left and milestones, across federal holidays and a daylight-saving change."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from commentkit.calendar import deadlines as dl

ET = ZoneInfo("America/New_York")
UTC = dt.timezone.utc
ANPRM = dt.datetime(2023, 9, 28, 23, 59, tzinfo=ET)
D = dt.date


def test_anprm_from_21_september_is_7_calendar_and_5_business_days():
    t = dl.time_left(ANPRM, dt.datetime(2023, 9, 21, 9, 0, tzinfo=UTC))
    assert (t.closed, t.calendar_days, t.business_days, t.hours) == (False, 7, 5, None)
    assert t.summary() == "7 calendar days, 5 business days"
    assert t.deadline_utc == dt.datetime(2023, 9, 29, 3, 59, tzinfo=UTC)


def test_today_is_the_users_date_even_where_new_york_is_still_on_the_day_before():
    tokyo = dt.datetime(2023, 9, 21, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 20 Sep 20:00 in New York
    t = dl.time_left(ANPRM, tokyo)
    assert (t.calendar_days, t.business_days) == (7, 5)


def test_labor_day_and_weekend_are_not_business_days():
    assert dl.holiday_name(D(2023, 9, 4)) == "Labor Day"
    assert not dl.is_business_day(D(2023, 9, 4)) and not dl.is_business_day(D(2023, 9, 2))
    assert dl.is_business_day(D(2023, 9, 5))
    # Fri 1 Sep -> Tue 5 Sep: Sat, Sun, Labor Day do not count
    assert dl.business_days_after(D(2023, 9, 1), D(2023, 9, 5)) == 1
    deadline = dt.datetime(2023, 9, 8, 23, 59, tzinfo=ET)
    t = dl.time_left(deadline, dt.datetime(2023, 9, 1, 12, 0, tzinfo=ET))
    assert (t.calendar_days, t.business_days) == (7, 4)
    assert t.holidays == ((D(2023, 9, 4), "Labor Day"),)


def test_columbus_day_pushes_a_milestone_back():
    assert dl.holiday_name(D(2023, 10, 9)) == "Columbus Day"
    deadline = dt.datetime(2023, 10, 11, 23, 59, tzinfo=ET)  # Wednesday
    # 2 business days before Wed 11 Oct: Tue 10 (1), Mon 9 is a holiday, Fri 6 (2)
    assert dl.milestone_date(deadline, 2) == D(2023, 10, 6)
    assert dl.milestone_date(deadline, 1) == D(2023, 10, 10)
    assert dl.milestone_date(deadline, 0) == D(2023, 10, 11)
    # the milestone date leaves exactly n business days, by the same convention
    for n in range(0, 25):
        day = dl.milestone_date(deadline, n)
        assert dl.business_days_after(day, deadline.date()) == n
        assert n == 0 or dl.is_business_day(day)


def test_anprm_default_milestones_skip_labor_day():
    assert dl.milestone_date(ANPRM, 2) == D(2023, 9, 26)
    assert dl.milestone_date(ANPRM, 5) == D(2023, 9, 21)
    assert dl.milestone_date(ANPRM, 10) == D(2023, 9, 14)
    assert dl.milestone_date(ANPRM, 20) == D(2023, 8, 30)  # 4 Sep is Labor Day


def test_hours_on_the_last_day_across_the_dst_change():
    # Clocks go back at 02:00 on Sunday 5 November 2023: that day has 25 hours.
    deadline = dt.datetime(2023, 11, 5, 23, 59, tzinfo=ET)
    start = dt.datetime(2023, 11, 5, 0, 0, tzinfo=ET)  # 00:00 EDT
    t = dl.time_left(deadline, start)
    assert t.calendar_days == 0 and t.business_days == 0
    assert t.summary() == "24 h 59 min"
    assert deadline.astimezone(UTC) == dt.datetime(2023, 11, 6, 4, 59, tzinfo=UTC)  # EST, UTC-5
    # A week spanning the change: 7 calendar days, UTC hours differ by one.
    before = dt.datetime(2023, 10, 30, 23, 59, tzinfo=ET)
    t2 = dl.time_left(deadline, before)
    assert t2.calendar_days == 6 and t2.business_days == 4  # Tue 31 Oct .. Fri 3 Nov; 5 Nov is a Sunday
    assert dl.time_left(deadline, dt.datetime(2023, 11, 4, 23, 59, tzinfo=ET)).hours is None  # 25 h left
    t3 = dl.time_left(deadline, dt.datetime(2023, 11, 5, 1, 30, tzinfo=ET, fold=1))  # 01:30 EST, second time
    assert t3.summary() == "22 h 29 min"


def test_under_24_hours_shows_hours_even_when_the_users_date_is_the_day_before():
    la = dt.datetime(2023, 9, 27, 22, 0, tzinfo=ZoneInfo("America/Los_Angeles"))  # 01:00 on the 28th in NY
    t = dl.time_left(ANPRM, la)
    assert t.calendar_days == 1 and t.business_days == 1
    assert t.summary() == "22 h 59 min; 1 calendar day, 1 business day"
    t = dl.time_left(ANPRM, dt.datetime(2023, 9, 28, 10, 0, tzinfo=ET))
    assert t.summary() == "13 h 59 min" and t.business_days == 0


def test_closed_reports_how_long_ago_and_warns():
    t = dl.time_left(ANPRM, dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    assert t.closed and t.calendar_days == 0 and t.business_days == 0
    assert t.closed_for.days == 1152
    assert t.summary() == "comment period closed 1,152 days ago"
    d = t.as_dict()
    assert d["closed"] is True and "may not be considered" in d["warning"]
    t = dl.time_left(ANPRM, dt.datetime(2023, 9, 29, 0, 30, tzinfo=ET))
    assert t.summary() == "comment period closed 31 minutes ago"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        dl.time_left(ANPRM.replace(tzinfo=None), dt.datetime(2023, 9, 1))


def test_generated_holiday_table_matches_the_holidays_package():
    import holidays

    from commentkit.calendar import _federal_holidays as table

    assert list(table.YEARS) == list(range(dl.TABLE_FIRST, dl.TABLE_LAST + 1))
    for year in table.YEARS:
        assert dl.federal_holidays(year) == dict(holidays.US(years=[year])), year
    # outside the table, the package itself answers
    assert dl.federal_holidays(2050) == dict(holidays.US(years=[2050]))


def _m(name, n, status):
    return SimpleNamespace(name=name, business_days_before=n, status=status)


SPECS = [_m("First draft", 10, "draft"), _m("Legal review", 5, "review"), _m("Sign-off", 2, "final")]


def at(day, hour=12):
    return dt.datetime(2023, 9, day, hour, 0, tzinfo=ET)


def test_milestone_states_met_due_missed():
    core = [
        dl.AnswerState("a", "final", {"draft": at(10), "review": at(15), "final": at(22)}),
        dl.AnswerState("b", "review", {"draft": at(13), "review": at(20)}),
        dl.AnswerState("c", "skipped", {"skipped": at(12)}),
    ]
    res = {m.name: m for m in dl.milestones(ANPRM, at(25), SPECS, core)}
    assert res["First draft"].state == "met" and res["First draft"].date == D(2023, 9, 14)
    assert res["Legal review"].state == "met"  # a reviewed 15th, b 20th, both by the 21st
    assert res["Sign-off"].state == "due" and res["Sign-off"].missing == ("b",)
    res = {m.name: m for m in dl.milestones(ANPRM, at(27), SPECS, core)}
    assert res["Sign-off"].state == "missed" and res["Sign-off"].reached == 2 and res["Sign-off"].total == 3


def test_milestone_missed_when_status_reached_too_late_or_never():
    late = [dl.AnswerState("a", "draft", {"draft": at(18)})]
    res = {m.name: m for m in dl.milestones(ANPRM, at(19), SPECS, late)}
    assert res["First draft"].state == "missed"  # drafted on the 18th, milestone the 14th
    none = [dl.AnswerState("a", "unanswered", {})]
    res = dl.milestones(ANPRM, at(1), SPECS, none)
    assert [m.state for m in res] == ["due", "due", "due"]


def test_future_milestone_already_met_and_no_core_questions():
    core = [dl.AnswerState("a", "final", {"draft": at(1), "review": at(1), "final": at(1)})]
    res = dl.milestones(ANPRM, at(2), SPECS, core)
    assert [m.state for m in res] == ["due", "due", "due"]  # in the future: due, though already met
    assert all(m.met_already for m in res)
    res = dl.milestones(ANPRM, at(2), SPECS, [])
    assert [m.state for m in res] == ["unranked"] * 3


def test_milestone_ends_at_the_deadline_time_of_day_in_the_docket_zone():
    core = [dl.AnswerState("a", "draft", {"draft": dt.datetime(2023, 9, 14, 23, 30, tzinfo=ET)})]
    m = dl.milestones(ANPRM, at(20), SPECS[:1], core)[0]
    assert m.due == dt.datetime(2023, 9, 14, 23, 59, tzinfo=ET) and m.state == "met"
    core = [dl.AnswerState("a", "draft", {"draft": dt.datetime(2023, 9, 15, 0, 5, tzinfo=ET)})]
    assert dl.milestones(ANPRM, at(20), SPECS[:1], core)[0].state == "missed"


def test_milestone_before_the_dst_change_ends_at_2359_daylight_time():
    deadline = dt.datetime(2023, 11, 7, 23, 59, tzinfo=ET)  # Tuesday, EST
    m = dl.milestones(deadline, dt.datetime(2023, 10, 1, tzinfo=UTC), [_m("Review", 5, "review")], [])[0]
    assert m.date == D(2023, 10, 31)
    assert m.due.astimezone(UTC) == dt.datetime(2023, 11, 1, 3, 59, tzinfo=UTC)  # EDT, UTC-4
    assert deadline.astimezone(UTC) == dt.datetime(2023, 11, 8, 4, 59, tzinfo=UTC)  # EST, UTC-5
