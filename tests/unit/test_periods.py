"""Periods counted in days (Civil Code arts. 200-204, as Order 2020 No. 3 uses them): the window to
ask for a review, the review's own 30 days, how a case's current deadlines are explained, and the
provisional-calendar warnings. Held without a database."""
import datetime as dt
from types import SimpleNamespace

from complaintctl import deadlines as dl
from complaintctl.config import Policy
from complaintctl.deadlines import BusinessCalendar
from complaintctl.domain import Status, Tier

CAL = BusinessCalendar(Policy())
TZ = CAL.tz


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_the_review_window_is_30_days_from_being_told_and_moves_off_national_day():
    # Told on Tue 09-01: day 30 is Thu 10-01 (National Day), so the window runs to the end of 10-08.
    assert dl.review_request_ends(at("2026-09-01T10:00"), CAL) == at("2026-10-09T00:00")
    # Told on Wed 09-30 at 15:00: day 30 is Fri 10-30, a working day; the hour of telling does not count.
    assert dl.review_request_ends(at("2026-09-30T15:00"), CAL) == at("2026-10-31T00:00")
    assert dl.review_request_ends(at("2026-09-30T23:59"), CAL) == at("2026-10-31T00:00")
    assert dl.review_request_ends(at("2026-10-01T00:00"), CAL) == at("2026-11-03T00:00")  # day 30 is Sat: to Mon


def test_the_review_is_decided_within_30_days_of_the_request():
    assert dl.review_due(at("2026-10-28T09:00"), CAL) == at("2026-11-28T00:00")
    assert dl.review_due(at("2026-09-05T09:00"), CAL) == at("2026-10-09T00:00")  # day 30 is 10-05: moved to 10-08
    assert dl.REVIEW_DAYS == dl.REVIEW_REQUEST_DAYS == 30


def test_a_period_is_explained_from_the_day_after_to_its_last_day_and_any_move():
    moved = dl.explain_period(at("2026-09-01T10:00"), 30, CAL, "Review window")
    assert moved == ["Review window: counted from the day after Tue 2026-09-01; day 30 is Thu 2026-10-01.",
                     "Thu 2026-10-01 is not a working day (National Day), so the period ends at 24:00 "
                     "on Thu 2026-10-08."]
    plain = dl.explain_period(at("2026-10-28T09:00"), 30, CAL, "Review")
    assert plain == ["Review: counted from the day after Wed 2026-10-28; day 30 is Fri 2026-11-27.",
                     "The period ends at 24:00 on Fri 2026-11-27."]
    zh = dl.explain_period(at("2026-10-28T09:00"), 30, CAL, "核查", "zh")
    assert zh[0].startswith("核查：自 2026-10-28") and zh[1] == "期限于 2026-11-27（周五） 24:00 届满。"
    assert len(dl.explain_period(at("2026-10-28T09:00"), 1, CAL, "x")) == 2


def _case(**kw):
    values = dict(review_requested_at=None, status=Status.IN_PROGRESS.value, tier=Tier.GENERAL.value,
                  regulatory_extension_days=0, regulatory_paused_seconds=0, paused_working_seconds=0, due_at=None)
    values.update(kw)
    return SimpleNamespace(**values)


def test_a_case_under_review_is_explained_by_the_reviews_own_30_days():
    requested = at("2026-10-28T09:00")
    for status in (Status.UNDER_REVIEW, Status.REVIEWED):
        steps = dl.explain_case(_case(review_requested_at=requested, status=status.value), at("2026-10-01T10:00"),
                                "review", CAL)
        assert steps == dl.explain_period(requested, 30, CAL, "Review (30 days from the request)")
    # A review asked for, but the case reopened since (status in progress): its own cycle is explained.
    steps = dl.explain_case(_case(review_requested_at=requested), at("2026-11-02T10:00"), "reopen", CAL)
    assert steps[0].startswith("The clocks restarted on Mon 2026-11-02 (reopen)")


def test_a_cases_deadlines_are_explained_from_its_cycle_with_restarts_extensions_and_appraisal():
    opened = at("2026-03-02T10:00")
    first = dl.explain_case(_case(), opened, "log", CAL)
    assert first == dl.explain(opened, Tier.GENERAL, CAL).steps
    again = dl.explain_case(_case(), opened, "new_facts", CAL)
    assert again[0] == "The clocks restarted on Mon 2026-03-02 (new facts): every deadline below counts from then."
    assert again[1:] == dl.explain(opened, Tier.GENERAL, CAL, restart=True).steps  # counted the same, said so
    assert again[1] == "Restarted Mon 2026-03-02 10:00 (Asia/Shanghai); that day is not counted."
    assert [len(again[1:]), again[-1]] == [len(first), first[-1].replace("after receipt", "after the restart")]
    assert dl.explain_case(_case(), opened, "reopen", CAL, "zh")[0].startswith("2026-03-02（周一） 重新计时（重开）")
    extended = dl.explain_case(_case(regulatory_extension_days=60, tier=Tier.IMPORTANT.value), opened, "log", CAL)
    assert extended == dl.explain(opened, Tier.IMPORTANT, CAL, extended_to=60).steps
    assert extended != dl.explain(opened, Tier.IMPORTANT, CAL).steps
    paused = dl.explain_case(_case(regulatory_paused_seconds=2 * 86400 + 1), opened, "log", CAL)
    assert paused[-1] == "Appraisal time left out of the regulatory period: 2 day(s) added."  # its whole days only
    exact = dl.explain_case(_case(regulatory_paused_seconds=2 * 86400), opened, "log", CAL)
    assert exact[-1] == "Appraisal time left out of the regulatory period: 2 day(s) added."


def test_provisional_warnings_name_each_year_past_the_official_calendar_once():
    last = CAL.official_through
    assert last is not None
    inside = at(f"{last}-06-01T10:00")
    beyond = at(f"{last + 1}-03-01T10:00")
    assert dl.provisional_warnings(CAL, inside, None) == []
    expected = [f"calendar for {last + 1} is provisional: the official holiday schedule is not yet published"]
    assert dl.provisional_warnings(CAL, beyond, beyond + dt.timedelta(days=3), None) == expected
    assert dl.provisional_warnings(CAL, beyond, lang="zh") == [f"{last + 1} 年日历为预估：官方节假日安排尚未发布"]
    # A deadline at 24:00 on 31 December is the last day of that year, not the first of the next.
    assert dl.provisional_warnings(CAL, at(f"{last + 1}-01-01T00:00")) == []
    assert dl.provisional_warnings(CAL, at(f"{last + 1}-01-01T00:00:01")) == expected
    two = dl.provisional_warnings(CAL, at(f"{last + 2}-05-01T10:00"), beyond)
    assert two == expected + [expected[0].replace(str(last + 1), str(last + 2))]


def test_a_span_reads_in_days_hours_and_minutes():
    assert dl.Span(2 * 86400 + 5 * 3600 + 7 * 60 + 59, working=True).text() == "2wd 5h"
    assert dl.Span(2 * 86400 + 5 * 3600, working=True).text("zh") == "2工作日5小时"
    assert dl.Span(-(5 * 3600 + 7 * 60 + 59), working=True).text() == "5h 07m"  # the sign is the caller's
    assert dl.Span(3599, working=True).text() == "0h 59m"
    assert dl.Span(3540, working=True).text() == "0h 59m"
    assert dl.Span(10 * 3600, working=True).text() == "10h 00m"
    assert dl.Span(10 * 3600 + 3540, working=False).text() == "10h 59m"
    assert dl.Span(7259, working=True).text("zh") == "2小时0分"
    assert dl.Span(26 * 3600 + 61, working=False).text() == "26h 01m"
    assert dl.Span(26 * 3600 + 61, working=False).text("zh") == "26小时1分"


def test_each_day_of_a_count_is_described_as_people_know_it():
    # Sat 2026-02-28 and Sun 2026-01-04 are make-up working days (调休); Sat 03-07 is a weekend.
    steps = "\n".join(dl.explain(at("2026-02-27T10:00"), Tier.GENERAL, CAL).steps)
    assert "Sat 2026-02-28: make-up working day (调休), day 1 of 3." in steps
    steps = "\n".join(dl.explain(at("2026-01-03T10:00"), Tier.GENERAL, CAL).steps)
    assert "Sun 2026-01-04: make-up working day (调休), day 1 of 3." in steps
    steps = "\n".join(dl.explain(at("2026-03-06T10:00"), Tier.GENERAL, CAL).steps)
    assert "Sat 2026-03-07: weekend" in steps and "Mon 2026-03-09: working day, day 1 of 3." in steps
    zh_cal = BusinessCalendar(Policy(), language="zh_CN")
    zh = dl.explain(at("2026-09-30T10:00"), Tier.GENERAL, zh_cal, "zh").steps
    assert zh[1] == "2026-10-01（周四）：国庆节，不计入。"


def test_a_branch_closure_is_named_a_local_closure():
    closed = BusinessCalendar(Policy(extra_holidays=frozenset({dt.date(2026, 3, 9)})))
    assert closed.holiday_name(dt.date(2026, 3, 9)) == "local closure"
    steps = "\n".join(dl.explain(at("2026-03-06T10:00"), Tier.GENERAL, closed).steps)
    assert "Mon 2026-03-09: local closure, not counted." in steps


def test_no_working_time_added_from_a_weekend_lands_on_the_next_working_days_start():
    saturday = at("2026-03-07T10:00")
    assert CAL.add_working_seconds(saturday, 0) == at("2026-03-09T00:00")
    assert CAL.add_working_seconds(saturday, 0.5) == at("2026-03-09T00:00") + dt.timedelta(seconds=0.5)
    assert CAL.add_working_seconds(at("2026-03-10T10:00"), -3600) == at("2026-03-10T09:00")


def test_a_pause_that_covers_no_time_or_starts_at_the_deadline_moves_nothing():
    friday_end = at("2026-03-07T00:00")  # 24:00 at the end of Fri 03-06
    thursday = at("2026-03-05T10:00")
    assert dl.shift_for_pause(friday_end, thursday, thursday, CAL) == friday_end
    assert dl.shift_for_pause(friday_end, friday_end, at("2026-03-10T10:00"), CAL) == friday_end  # breached first
    assert dl.shift_for_pause(friday_end, thursday, at("2026-03-05T12:00"), CAL) == at("2026-03-09T02:00")


def test_a_moved_period_is_explained_in_chinese_too():
    zh_cal = BusinessCalendar(Policy(), language="zh_CN")
    steps = dl.explain_period(at("2026-09-01T10:00"), 30, zh_cal, "申请核查的期限", "zh")
    assert steps == ["申请核查的期限：自 2026-09-01（周二） 次日起算，第 30 日为 2026-10-01（周四）。",
                     "2026-10-01（周四） 为非工作日（国庆节），顺延至 2026-10-08（周四） 24:00。"]


def test_the_year_cache_keeps_one_flag_a_day_under_the_holidays_version_in_a_new_folder(tmp_path):
    import json
    from importlib.metadata import version

    folder = tmp_path / "cache" / "complaintctl"  # not there yet: made, parents and all
    cal = BusinessCalendar(Policy(), cache_dir=folder)
    assert cal.is_working_day(dt.date(2024, 12, 31)) is True and cal.is_working_day(dt.date(2026, 1, 1)) is False
    path = folder / f"calendar-CN-all-{version('holidays')}.json"
    years = json.loads(path.read_text(encoding="utf-8"))["years"]
    assert {y: len(flags) for y, flags in years.items()} == {"2024": 366, "2026": 365}
    assert years["2024"][-1] == "1" and years["2026"][0] == "0"


def _slow_count(first: dt.date, stop: dt.date) -> int:
    n, day = 0, first
    while day < stop:
        n += CAL.is_working_day(day)
        day += dt.timedelta(days=1)
    return n


def test_working_days_are_counted_within_a_year_across_years_and_not_backwards():
    fresh = BusinessCalendar(Policy())
    spans = [(dt.date(2026, 1, 1), dt.date(2026, 1, 2)), (dt.date(2026, 2, 10), dt.date(2026, 3, 10)),
             (dt.date(2025, 12, 20), dt.date(2026, 1, 10)), (dt.date(2024, 6, 1), dt.date(2026, 10, 9)),
             (dt.date(2026, 10, 1), dt.date(2026, 10, 9)), (dt.date(2026, 3, 9), dt.date(2026, 3, 9)),
             (dt.date(2026, 3, 10), dt.date(2026, 3, 9)), (dt.date(2026, 12, 31), dt.date(2027, 1, 1))]
    for first, stop in spans:
        assert fresh.count_working_days(first, stop) == _slow_count(first, stop), (first, stop)
    assert fresh.count_working_days(dt.date(2026, 1, 1), dt.date(2027, 1, 1)) == _slow_count(dt.date(2026, 1, 1),
                                                                                            dt.date(2027, 1, 1))
    # Asked again: the same answers from each year's cached running count.
    assert [fresh.count_working_days(a, b) for a, b in spans] == [_slow_count(a, b) for a, b in spans]


def test_working_seconds_between_two_moments_count_only_working_days():
    assert CAL.working_seconds(at("2026-03-06T10:00"), at("2026-03-09T10:00")) == 24 * 3600  # Fri 14h + Mon 10h
    assert CAL.working_seconds(at("2026-03-07T10:00"), at("2026-03-08T10:00")) == 0  # a weekend
    assert CAL.working_seconds(at("2026-03-09T10:00"), at("2026-03-09T10:00")) == 0
    assert CAL.working_seconds(at("2026-03-09T10:00"), at("2026-03-09T12:30")) == 2.5 * 3600
    assert CAL.working_seconds(at("2026-03-07T10:00"), at("2026-03-10T06:00")) == 30 * 3600  # from Sat to Tue
    assert CAL.working_seconds(at("2026-03-10T06:00"), at("2026-03-07T10:00")) == -30 * 3600  # backwards


def test_explain_counts_the_fifteen_days_unless_told_the_extension():
    opened = at("2026-03-02T10:00")
    assert dl.explain(opened, Tier.GENERAL, CAL).regulatory_due_at == at("2026-03-18T00:00")
    assert dl.explain(opened, Tier.GENERAL, CAL, extended_to=30).regulatory_due_at == at("2026-04-02T00:00")
