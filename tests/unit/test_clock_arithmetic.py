"""The arithmetic under every clock, on worked examples at the edges (a deadline exactly at the end
of a day, a weekend, a year boundary, an extension, a pause of one second). Written against the
mutants mutmut found alive (README: Mutation testing). Late November 2026 in Shanghai: Fri 27,
Sat 28, Sun 29, Mon 30; no holidays."""
import datetime as dt

from hypothesis import given, strategies as st

from complaintctl.config import Policy
from complaintctl.cycles import Openings
from complaintctl.deadlines import (DAY, BusinessCalendar, Span, due_soon_cutoff, explain, followup_due,
                                    internal_due, period_end, regulatory_due, regulatory_period_days, remaining,
                                    response_due, tier_working_days)
from complaintctl.domain import Tier

CAL = BusinessCalendar(Policy())
TZ = CAL.tz
HOUR = 3600


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(dt.timezone.utc)


def end_of(day: str) -> dt.datetime:
    return CAL.end_of_day(dt.date.fromisoformat(day))


def test_working_time_skips_the_weekend_and_is_negative_backwards():
    assert CAL.working_seconds(at("2026-11-27T12:00"), at("2026-11-30T12:00")) == DAY
    assert CAL.working_seconds(at("2026-11-30T12:00"), at("2026-11-27T12:00")) == -DAY
    assert CAL.working_seconds(at("2026-11-30T12:00"), at("2026-12-03T12:00")) == 3 * DAY
    assert CAL.working_seconds(at("2026-11-30T09:00"), at("2026-11-30T11:30")) == 2.5 * HOUR
    assert CAL.working_seconds(at("2026-11-28T09:00"), at("2026-11-28T18:00")) == 0
    assert CAL.working_seconds(at("2026-11-28T09:00"), at("2026-11-30T01:00")) == HOUR
    assert CAL.working_seconds(at("2026-11-27T23:00"), at("2026-11-29T10:00")) == HOUR


def test_adding_working_time_lands_on_the_end_of_a_day_exactly_when_it_runs_out_there():
    assert CAL.add_working_seconds(at("2026-11-27T15:00"), 9 * HOUR) == end_of("2026-11-27")
    assert CAL.add_working_seconds(at("2026-11-27T15:00"), 9 * HOUR + 1) == at("2026-11-30T00:00:01")
    assert CAL.add_working_seconds(at("2026-11-28T10:00"), HOUR) == at("2026-11-30T01:00")
    assert CAL.add_working_seconds(at("2026-11-30T10:00"), 0) == at("2026-11-30T10:00")
    assert CAL.add_working_seconds(at("2026-11-30T10:00"), 5 * DAY) == at("2026-12-07T10:00")


def test_going_back_in_working_time_stops_at_the_start_of_a_day_exactly_when_it_runs_out_there():
    assert CAL.working_days_ago(at("2026-11-30T15:00"), 1) == at("2026-11-27T15:00")
    assert CAL.working_days_ago(at("2026-11-30T09:00"), 9 / 24) == at("2026-11-30T00:00")
    assert CAL.working_days_ago(at("2026-11-30T06:00"), 0.5) == at("2026-11-27T18:00")
    assert CAL.working_days_ago(at("2026-11-29T10:00"), 1 / 24) == at("2026-11-27T23:00")
    assert CAL.add_working_seconds(at("2026-12-07T10:00"), -5 * DAY) == at("2026-11-30T10:00")


@given(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), st.integers(-5, 800))
def test_working_days_between_two_dates_match_a_day_by_day_count(first, span):
    stop = first + dt.timedelta(days=span)
    by_day = sum(CAL.is_working_day(first + dt.timedelta(days=i)) for i in range(max(span, 0)))
    assert CAL.count_working_days(first, stop) == by_day


def test_the_nth_working_day_after_a_day_does_not_count_the_day_itself():
    friday = dt.date(2026, 11, 27)
    assert CAL.add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert CAL.add_working_days(friday, 3) == dt.date(2026, 12, 2)
    assert CAL.next_working_day(dt.date(2026, 11, 28)) == dt.date(2026, 11, 30)
    assert CAL.next_working_day(friday) == friday


def test_an_urgent_follow_up_is_due_by_the_end_of_the_next_working_day():
    assert followup_due(at("2026-11-26T10:00"), CAL) == end_of("2026-11-27")
    assert followup_due(at("2026-11-27T15:00"), CAL) == end_of("2026-11-30")


def test_due_soon_looks_one_working_day_ahead():
    assert due_soon_cutoff(at("2026-11-27T15:00"), CAL) == at("2026-11-30T15:00")
    two = BusinessCalendar(Policy(due_soon_working_days=2))
    assert due_soon_cutoff(at("2026-11-27T15:00"), two) == at("2026-12-01T15:00")


def test_the_urgent_plan_is_due_a_fixed_number_of_clock_hours_after_receipt():
    assert response_due(at("2026-11-27T15:00"), Policy()) == at("2026-11-28T15:00")
    assert response_due(at("2026-11-27T15:00"), Policy(urgent_response_hours=4)) == at("2026-11-27T19:00")
    assert internal_due(at("2026-11-27T15:00"), Tier.URGENT, CAL) == at("2026-11-28T15:00")


def test_each_tier_has_its_working_days_from_the_policy_and_urgent_has_none():
    policy = Policy(general_days=2, important_days=7)
    assert tier_working_days(Tier.GENERAL, policy) == 2
    assert tier_working_days(Tier.IMPORTANT, policy) == 7
    assert tier_working_days(Tier.URGENT, policy) is None


def test_the_regulatory_period_is_15_days_or_the_total_it_was_extended_to():
    policy = Policy()
    assert regulatory_period_days(0, policy) == 15
    assert regulatory_period_days(None, policy) == 15
    assert regulatory_period_days(30, policy) == 30
    assert regulatory_period_days(60, policy) == 60
    assert regulatory_period_days(10, policy) == 15


def test_a_period_ends_at_24_00_of_its_last_day_moved_off_a_weekend_but_not_off_a_local_closure():
    assert period_end(at("2026-11-30T10:00"), 15, CAL) == end_of("2026-12-15")
    assert period_end(at("2026-11-27T10:00"), 15, CAL) == end_of("2026-12-14")  # Sat 12th -> Mon 14th
    closed = BusinessCalendar(Policy(extra_holidays=frozenset({dt.date(2026, 12, 15)})))
    assert period_end(at("2026-11-30T10:00"), 15, closed) == end_of("2026-12-15")


def test_appraisal_time_adds_its_whole_days_only():
    """No appraisal adds more time than it took: a minute adds nothing, a day and a minute one day."""
    plain = regulatory_due(at("2026-11-30T10:00"), CAL)
    assert plain == end_of("2026-12-15")
    assert regulatory_due(at("2026-11-30T10:00"), CAL, paused_seconds=1) == plain
    assert regulatory_due(at("2026-11-30T10:00"), CAL, paused_seconds=DAY - 1) == plain
    assert regulatory_due(at("2026-11-30T10:00"), CAL, paused_seconds=DAY) == end_of("2026-12-16")
    assert regulatory_due(at("2026-11-30T10:00"), CAL, paused_seconds=DAY + 1) == end_of("2026-12-16")
    assert regulatory_due(at("2026-11-30T10:00"), CAL, paused_seconds=2 * DAY) == end_of("2026-12-17")
    assert regulatory_due(at("2026-11-30T10:00"), CAL, extended_to=30) == end_of("2026-12-30")


def test_bulk_openings_are_those_of_one_case_and_urgent_cases_get_their_plan():
    openings = Openings(CAL)
    received = at("2026-11-27T15:00")
    day = CAL.local_date(received)
    general = openings(received, Tier.GENERAL, day)
    assert (general.due_at, general.regulatory_due_at, general.first_response_due_at) == (
        internal_due(received, Tier.GENERAL, CAL), regulatory_due(received, CAL), None)
    later = at("2026-11-27T16:00")
    assert openings(later, Tier.GENERAL, day).case_values() == general.case_values()  # counted once per date
    plan = response_due(later, CAL.policy)
    urgent = openings(later, Tier.URGENT, day)
    assert (urgent.due_at, urgent.regulatory_due_at, urgent.first_response_due_at) == (
        plan, regulatory_due(later, CAL), plan)


def test_time_left_reads_in_working_days_and_hours_or_clock_hours_in_either_language():
    span = remaining(at("2026-11-30T12:00"), at("2026-11-27T12:00"), CAL, clock_hours=False)
    assert span == Span(DAY, working=True)
    assert remaining(at("2026-11-30T12:00"), at("2026-11-27T12:00"), CAL, clock_hours=True) == Span(3 * DAY, False)
    long = Span(3 * DAY + 5 * HOUR + 7 * 60, working=True)
    assert (long.text(), long.text("zh")) == ("3wd 5h", "3工作日5小时")
    short = Span(-(5 * HOUR + 7 * 60 + 59), working=True)
    assert (short.text(), short.text("zh")) == ("5h 07m", "5小时7分")
    clock = Span(27 * HOUR + 5 * 60, working=False)
    assert (clock.text(), clock.text("zh")) == ("27h 05m", "27小时5分")


def test_working_days_of_a_span_are_rounded_to_two_places():
    assert Span(1.5 * DAY, True).working_days == 1.5
    assert Span(-DAY / 3, True).working_days == -0.33
    assert Span(1000, True).working_days == 0.01


def test_the_explanation_walks_every_day_of_a_general_case_over_a_weekend():
    ex = explain(at("2026-11-27T16:00"), Tier.GENERAL, CAL)
    assert (ex.due_at, ex.first_response_due_at, ex.regulatory_due_at) == (end_of("2026-12-02"), None, end_of("2026-12-14"))
    assert ex.steps == [
        "Received Fri 2026-11-27 16:00 (Asia/Shanghai); the day of receipt is not counted.",
        "Sat 2026-11-28: weekend, not counted.",
        "Sun 2026-11-29: weekend, not counted.",
        "Mon 2026-11-30: working day, day 1 of 3.",
        "Tue 2026-12-01: working day, day 2 of 3.",
        "Wed 2026-12-02: working day, day 3 of 3.",
        "Internal deadline (general, 3 working days): 24:00 at the end of Wed 2026-12-02.",
        "Regulatory deadline: 15 calendar days after receipt is Sat 2026-12-12, not a working day (weekend), "
        "so it moves to the end of Mon 2026-12-14.",
    ]
    assert ex.warnings == []
    zh = explain(at("2026-11-27T16:00"), Tier.GENERAL, CAL, "zh").steps
    assert zh[1] == "2026-11-28（周六）：周末，不计入。"
    assert zh[3] == "2026-11-30（周一）：工作日，第 1/3 个工作日。"
    assert zh[6] == "内部处理时限（一般投诉，3 个工作日）：2026-12-02（周三） 24:00。"


def test_the_explanation_of_an_urgent_case_gives_the_plan_in_clock_hours():
    ex = explain(at("2026-11-27T16:00"), Tier.URGENT, CAL, "zh")
    assert ex.due_at == ex.first_response_due_at == at("2026-11-28T16:00")
    assert ex.steps == [
        "受理时间 2026-11-27（周五） 16:00（Asia/Shanghai）；受理当日不计入。",
        "紧急投诉：须在受理后 24 小时内（节假日照常计算）提出初步处理方案：2026-11-28 16:00。",
        "提出方案后，办结前每个工作日至少跟进一次（note 或 respond）。",
        "监管时限：受理后第 15 个自然日为 2026-12-12（周六），非工作日（周末），顺延至 2026-12-14（周一） 24:00。",
    ]


def test_the_explanation_of_an_extended_case_counts_the_longer_period():
    ex = explain(at("2026-11-27T16:00"), Tier.IMPORTANT, CAL, extended_to=30)
    assert (ex.due_at, ex.regulatory_due_at) == (end_of("2026-12-04"), end_of("2026-12-28"))
    assert ex.steps[-3:] == [
        "Internal deadline (important, 5 working days): 24:00 at the end of Fri 2026-12-04.",
        "Extended (Order 2020 No. 3, art. 17): the regulatory period is 30 days from receipt instead of 15.",
        "Regulatory deadline: 30 calendar days after receipt is Sun 2026-12-27, not a working day (weekend), "
        "so it moves to the end of Mon 2026-12-28.",
    ]


def test_the_explanation_says_a_local_closure_does_not_move_the_regulators_deadline():
    closed = BusinessCalendar(Policy(extra_holidays=frozenset({dt.date(2026, 12, 15)})))
    ex = explain(at("2026-11-30T10:00"), Tier.GENERAL, closed)
    assert ex.regulatory_due_at == end_of("2026-12-15")
    assert ex.steps[-2:] == [
        "Regulatory deadline: 15 calendar days after receipt, 24:00 at the end of Tue 2026-12-15.",
        "Tue 2026-12-15 is a local closure, not a statutory rest day: it does not move the regulator's deadline.",
    ]
