"""The counting rules, held without a database."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from complaintctl.config import Policy
from complaintctl.deadlines import BusinessCalendar, explain, internal_due, regulatory_due, shift_for_pause
from complaintctl.domain import Tier

CAL = BusinessCalendar(Policy())
TZ = CAL.tz


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(dt.timezone.utc)


def end_of(day: str) -> dt.datetime:
    return CAL.end_of_day(dt.date.fromisoformat(day))


@pytest.mark.parametrize("received, tier, due_end_of", [
    ("2026-11-27T16:00", Tier.GENERAL, "2026-12-02"),
    ("2026-11-27T16:00", Tier.IMPORTANT, "2026-12-04"),
    ("2026-11-28T10:00", Tier.GENERAL, "2026-12-02"),
    ("2026-11-28T10:00", Tier.IMPORTANT, "2026-12-04"),
    ("2026-11-30T09:00", Tier.GENERAL, "2026-12-03"),
    ("2025-09-26T10:00", Tier.GENERAL, "2025-09-30"),
    ("2026-09-29T10:00", Tier.GENERAL, "2026-10-09"),
    ("2026-02-13T10:00", Tier.GENERAL, "2026-02-25"),
])
def test_worked_examples_of_the_counting_rules(received, tier, due_end_of):
    assert internal_due(at(received), tier, CAL) == end_of(due_end_of)


def test_the_deadline_is_stored_as_the_following_midnight():
    due = internal_due(at("2026-11-27T16:00"), Tier.GENERAL, CAL)
    assert due.astimezone(TZ).isoformat() == "2026-12-03T00:00:00+08:00"


@pytest.mark.parametrize("day, working", [
    ("2025-09-28", True), ("2025-10-11", True), ("2026-02-14", True), ("2026-09-20", True),
    ("2026-10-06", False), ("2026-10-01", False), ("2025-10-08", False), ("2026-02-17", False),
    ("2026-01-01", False), ("2026-01-04", True), ("2026-05-09", True), ("2026-05-05", False),
])
def test_china_holidays_and_make_up_working_days(day, working):
    assert CAL.is_working_day(dt.date.fromisoformat(day)) is working


def test_a_receipt_before_the_2025_national_day_holiday_skips_it():
    # Tue 2025-09-30 is day 1; Oct 1-8 closed; Thu 10-09 day 2; Fri 10-10 day 3.
    assert internal_due(at("2025-09-29T15:00"), Tier.GENERAL, CAL) == end_of("2025-10-10")


def test_year_end_counts_over_new_year():
    # Wed 2025-12-31 received; Jan 1 holiday; Fri Jan 2 is a holiday in 2026 too (substituted).
    assert internal_due(at("2025-12-31T12:00"), Tier.GENERAL, CAL) == end_of("2026-01-06")


def test_urgent_plan_is_24_clock_hours_even_over_a_holiday():
    assert internal_due(at("2026-09-30T20:00"), Tier.URGENT, CAL) == at("2026-10-01T20:00")


def test_regulatory_deadline_is_15_calendar_days_rolled_to_a_working_day():
    assert regulatory_due(at("2026-11-27T16:00"), CAL) == end_of("2026-12-14")
    # 2026-09-20 + 15 = 10-05 (holiday) -> next working day 10-08
    assert regulatory_due(at("2026-09-20T09:00"), CAL) == end_of("2026-10-08")
    # Extended to 30 days from receipt (not 15 + 30): Sun 12-27 moves to Mon 12-28.
    assert regulatory_due(at("2026-11-27T16:00"), CAL, extended_to=30) == end_of("2026-12-28")
    assert regulatory_due(at("2026-11-27T16:00"), CAL, extended_to=60) == end_of("2027-01-26")


def test_a_local_closure_moves_the_internal_limit_but_not_the_regulators_deadline():
    closed = BusinessCalendar(Policy(extra_holidays=frozenset({dt.date(2026, 12, 14)})))
    assert regulatory_due(at("2026-11-27T16:00"), closed) == end_of("2026-12-14")
    assert internal_due(at("2026-12-11T10:00"), Tier.GENERAL, closed) == end_of("2026-12-17")


def test_extra_holidays_and_workdays_from_config_change_the_count():
    cal = BusinessCalendar(Policy(extra_holidays=frozenset({dt.date(2026, 11, 30)}),
                                  extra_workdays=frozenset({dt.date(2026, 11, 29)})))
    # Sun 11-29 now works (day 1), Mon 11-30 closed, Tue day 2, Wed day 3.
    assert internal_due(at("2026-11-27T16:00"), Tier.GENERAL, cal) == end_of("2026-12-02")
    assert internal_due(at("2026-11-28T16:00"), Tier.GENERAL, cal) == end_of("2026-12-02")
    cal2 = BusinessCalendar(Policy(extra_holidays=frozenset({dt.date(2026, 12, 1)})))
    assert internal_due(at("2026-11-27T16:00"), Tier.GENERAL, cal2) == end_of("2026-12-03")


def test_a_pause_over_a_holiday_moves_the_deadline_by_working_time_only():
    due = end_of("2026-10-09")  # general case received Tue 2026-09-29
    # Paused from Wed 09-30 12:00 to Thu 10-08 12:00: working time is 12h on 09-30 + 12h on 10-08.
    moved = shift_for_pause(due, at("2026-09-30T12:00"), at("2026-10-08T12:00"), CAL)
    # One working day later: after Fri 10-09 comes the make-up Saturday 10-10.
    assert moved == end_of("2026-10-10")


def test_a_pause_after_a_breach_does_not_move_the_deadline():
    due = end_of("2026-03-05")
    assert shift_for_pause(due, at("2026-03-10T10:00"), at("2026-03-12T10:00"), CAL) == due


def test_an_urgent_plan_moves_by_wall_clock_pause_length():
    due = at("2026-03-03T10:00")
    moved = shift_for_pause(due, at("2026-03-02T12:00"), at("2026-03-02T18:00"), CAL, wall_clock=True)
    assert moved == at("2026-03-03T16:00")


def test_working_seconds_skip_weekends():
    assert CAL.working_seconds(at("2026-03-06T12:00"), at("2026-03-09T12:00")) == 24 * 3600


def test_a_year_without_an_official_schedule_is_provisional():
    last = CAL.official_through  # 2026 with holidays 0.109; a later release may know 2027
    assert last >= 2026
    assert not CAL.is_provisional(last)
    assert CAL.is_provisional(last + 1)
    ex = explain(at(f"{last + 1}-03-02T10:00"), Tier.GENERAL, CAL)
    assert any(str(last + 1) in w and "provisional" in w for w in ex.warnings)
    assert explain(at(f"{last}-03-02T10:00"), Tier.GENERAL, CAL).warnings == []


def test_explanation_names_each_day():
    ex = explain(at("2026-09-29T10:00"), Tier.GENERAL, CAL)
    text = "\n".join(ex.steps)
    assert "Wed 2026-09-30: working day, day 1 of 3." in text
    assert "Thu 2026-10-01: National Day, not counted." in text
    assert "Fri 2026-10-09: working day, day 3 of 3." in text


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 20))


@settings(max_examples=300, deadline=None)
@given(received=moments, tier=st.sampled_from([Tier.GENERAL, Tier.IMPORTANT]))
def test_deadline_is_after_receipt_and_at_the_end_of_a_working_day(received, tier):
    r = received.replace(tzinfo=TZ).astimezone(dt.timezone.utc)
    due = internal_due(r, tier, CAL)
    assert due > r
    local = due.astimezone(TZ)
    assert local.time() == dt.time(0, 0)
    assert CAL.is_working_day(local.date() - dt.timedelta(days=1))


@settings(max_examples=300, deadline=None)
@given(received=moments, later=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)),
       tier=st.sampled_from(list(Tier)))
def test_deadline_never_moves_earlier_when_receipt_moves_later(received, later, tier):
    r = received.replace(tzinfo=TZ).astimezone(dt.timezone.utc)
    assert internal_due(r + later, tier, CAL) >= internal_due(r, tier, CAL)
    assert regulatory_due(r + later, CAL) >= regulatory_due(r, CAL)


@settings(max_examples=200, deadline=None)
@given(a=moments, span=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=800)))
def test_working_seconds_equals_a_day_by_day_count(a, span):
    start = a.replace(tzinfo=TZ)
    end = start + span
    slow, day = 0.0, start.date()
    while day <= end.date():
        if CAL.is_working_day(day):
            lo = max(start, dt.datetime.combine(day, dt.time(), TZ))
            hi = min(end, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TZ))
            slow += max(0.0, (hi - lo).total_seconds())
        day += dt.timedelta(days=1)
    assert CAL.working_seconds(start, end) == pytest.approx(slow, abs=1e-3)


def test_the_year_cache_gives_the_same_answers_and_survives_a_bad_file(tmp_path):
    cached = BusinessCalendar(Policy(), cache_dir=tmp_path)
    days = [dt.date(2025, 9, 28) + dt.timedelta(days=i) for i in range(500)]
    assert [cached.is_working_day(x) for x in days] == [CAL.is_working_day(x) for x in days]
    assert cached.official_through == CAL.official_through
    files = list(tmp_path.glob("calendar-CN-all-*.json"))
    assert len(files) == 1
    again = BusinessCalendar(Policy(), cache_dir=tmp_path)  # served from the file
    assert [again.is_working_day(x) for x in days] == [CAL.is_working_day(x) for x in days]
    files[0].write_text("{not json")
    broken = BusinessCalendar(Policy(), cache_dir=tmp_path)
    assert broken.is_working_day(dt.date(2026, 10, 6)) is False
