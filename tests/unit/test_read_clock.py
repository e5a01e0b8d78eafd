"""A report row's reading of a case (clocks.read), case by case at fixed moments, worked out by hand.

The property test (tests/integration/test_clock_rules.py) pins the SQL to this function, so it
cannot see a fault in the function itself; these can. Late November 2026 in Shanghai: Fri 27,
Sat 28, Sun 29, Mon 30; no holidays; a working day counts 24 hours."""
import datetime as dt
from types import SimpleNamespace

from complaintctl import clocks
from complaintctl.config import Policy
from complaintctl.deadlines import BusinessCalendar

CAL = BusinessCalendar(Policy())
TZ = CAL.tz
HOUR = 3600
DAY = 24 * HOUR


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(dt.timezone.utc)


def case(**kw):
    values = dict(status="in_progress", tier="general", due_at=at("2026-11-28T00:00"),
                  regulatory_due_at=at("2026-12-10T00:00"), followup_due_at=None, paused_at=None, pause_reason=None)
    values.update(kw)
    return SimpleNamespace(**values)


def read(c, when: str, responded: bool = False):
    r = clocks.read(c, at(when), CAL, responded=responded)
    span = lambda s: None if s is None else (s.seconds, s.working)  # noqa: E731
    return dict(overdue=r.overdue, breach=r.breach, overdue_by=span(r.overdue_by), time_left=span(r.time_left),
                stale=r.stale, late=r.late_seconds, days=r.overdue_working_days)


QUIET = dict(overdue=False, breach=None, overdue_by=None, stale=False, late=None, days=None)


def test_before_its_deadline_a_case_has_the_working_time_left_to_the_nearest():
    assert read(case(), "2026-11-27T12:00") == {**QUIET, "time_left": (12 * HOUR, True)}
    # The regulatory deadline first: it is the nearest.
    early = case(due_at=at("2026-12-20T00:00"), regulatory_due_at=at("2026-12-01T00:00"))
    assert read(early, "2026-11-30T06:00")["time_left"] == (18 * HOUR, True)
    # Only a regulatory deadline.
    assert read(case(due_at=None), "2026-12-09T12:00")["time_left"] == (12 * HOUR, True)


def test_no_time_left_is_shown_when_none_is_left_in_working_time_or_no_deadline_is_set():
    # Saturday morning, due at the end of Sunday: not passed, but no working time remains.
    weekend = case(due_at=at("2026-11-30T00:00"), regulatory_due_at=at("2026-12-10T00:00"))
    assert read(weekend, "2026-11-28T10:00") == {**QUIET, "time_left": None}
    assert read(case(due_at=None, regulatory_due_at=None), "2026-11-27T12:00") == {**QUIET, "time_left": None}


def test_past_its_internal_deadline_a_case_is_overdue_by_working_time_and_late_by_the_clock():
    r = read(case(), "2026-11-30T10:00")  # Friday 24:00 passed; Saturday and Sunday do not count
    assert r == dict(overdue=True, breach="internal", overdue_by=(-10 * HOUR, True), time_left=None, stale=False,
                     late=2 * DAY + 10 * HOUR, days=round(10 / 24, 2))
    # At the deadline itself it has run out, by nothing.
    assert read(case(), "2026-11-28T00:00")["overdue_by"] == (0, True)


def test_an_urgent_plan_not_given_is_a_response_breach_counted_in_clock_hours():
    urgent = case(tier="urgent", due_at=at("2026-11-28T00:00"))
    r = read(urgent, "2026-11-30T10:00")
    assert (r["breach"], r["overdue_by"], r["days"]) == ("response", (-(2 * DAY + 10 * HOUR), False), round(58 / 24, 2))
    # Once the plan is given, the same deadline is the internal one, in working time.
    given = read(urgent, "2026-11-30T10:00", responded=True)
    assert (given["breach"], given["overdue_by"]) == ("internal", (-10 * HOUR, True))
    # Time left before an urgent plan's deadline runs by the clock, weekend included.
    before = read(case(tier="urgent", due_at=at("2026-11-29T12:00")), "2026-11-28T10:00")
    assert before["time_left"] == (26 * HOUR, False)
    # ...but to a nearer regulatory deadline, in working time.
    reg_first = case(tier="urgent", due_at=at("2026-12-20T00:00"), regulatory_due_at=at("2026-11-30T06:00"))
    assert read(reg_first, "2026-11-27T18:00")["time_left"] == (12 * HOUR, True)


def test_both_clocks_run_out_the_breach_names_both_and_the_internal_one_measures():
    both = case(due_at=at("2026-11-27T00:00"), regulatory_due_at=at("2026-11-28T00:00"))
    r = read(both, "2026-11-30T10:00")
    assert (r["breach"], r["overdue_by"], r["late"]) == ("internal+regulatory", (-(DAY + 10 * HOUR), True),
                                                         3 * DAY + 10 * HOUR)


def test_only_the_regulatory_clock_run_out_measures_from_the_regulatory_deadline():
    reg = case(due_at=at("2026-12-20T00:00"), regulatory_due_at=at("2026-11-28T00:00"))
    r = read(reg, "2026-11-30T10:00")
    assert (r["breach"], r["overdue_by"], r["late"], r["time_left"]) == ("regulatory", (-10 * HOUR, True),
                                                                         2 * DAY + 10 * HOUR, None)
    # Under review, the same clock is the review's.
    review = case(status="under_review", due_at=None, regulatory_due_at=at("2026-11-28T00:00"))
    assert read(review, "2026-11-30T10:00")["breach"] == "review"


def test_a_pause_measures_the_stopped_clocks_to_the_pause_and_leaves_the_regulatory_time_left():
    # Paused on Monday 10:00 after the internal deadline: measured to the pause, not to Wednesday.
    paused = case(status="paused", paused_at=at("2026-11-30T10:00"), pause_reason="customer_materials")
    r = read(paused, "2026-12-02T10:00")
    assert (r["breach"], r["overdue_by"], r["late"], r["time_left"]) == ("internal", (-10 * HOUR, True),
                                                                         2 * DAY + 10 * HOUR, None)
    # Paused before its deadline: nothing overdue; the internal clock stopped, the regulator's runs on,
    # so the time left is the regulatory deadline's (Fri 20:00 to 24:00, then Mon 30 to Wed 9 Dec).
    before = case(status="paused", paused_at=at("2026-11-27T12:00"), pause_reason="customer_materials")
    assert read(before, "2026-11-27T20:00") == {**QUIET, "time_left": (8 * DAY + 4 * HOUR, True)}
    # An appraisal stops both: no time left while it lasts.
    stopped = case(status="paused", paused_at=at("2026-11-27T12:00"), pause_reason="appraisal")
    assert read(stopped, "2026-11-27T20:00") == {**QUIET, "time_left": None}
    # A pause for the customer's materials does not stop the regulator's clock...
    reg = case(status="paused", due_at=None, regulatory_due_at=at("2026-11-28T00:00"),
               paused_at=at("2026-11-27T12:00"), pause_reason="customer_materials")
    r = read(reg, "2026-11-30T10:00")
    assert (r["breach"], r["overdue_by"], r["late"]) == ("regulatory", (-10 * HOUR, True), 2 * DAY + 10 * HOUR)
    # ...an appraisal does: the regulatory clock is measured to the appraisal's start.
    appraisal = case(status="paused", due_at=None, regulatory_due_at=at("2026-11-27T00:00"),
                     paused_at=at("2026-11-27T06:00"), pause_reason="appraisal")
    r = read(appraisal, "2026-11-30T10:00")
    assert (r["breach"], r["overdue_by"], r["late"]) == ("regulatory", (-6 * HOUR, True), 6 * HOUR)


def test_a_closed_case_reads_quiet_whatever_its_deadlines():
    for status in ("resolved", "closed", "withdrawn"):
        assert read(case(status=status), "2026-12-20T10:00") == {**QUIET, "time_left": None}


def test_an_urgent_case_is_stale_once_its_daily_follow_up_has_run_out_unless_paused():
    urgent = case(tier="urgent", due_at=at("2026-12-20T00:00"), followup_due_at=at("2026-11-28T00:00"))
    assert read(urgent, "2026-11-28T00:00", responded=True)["stale"] is True
    assert read(urgent, "2026-11-27T23:00", responded=True)["stale"] is False
    paused = case(tier="urgent", status="paused", followup_due_at=at("2026-11-28T00:00"),
                  paused_at=at("2026-11-27T00:00"), pause_reason="customer_materials")
    assert read(paused, "2026-11-30T10:00")["stale"] is False
    general = case(followup_due_at=at("2026-11-28T00:00"))
    assert read(general, "2026-11-30T10:00")["stale"] is False


def test_while_paused_only_the_regulatory_deadline_comes_due_soon_and_an_appraisal_stops_it_too():
    # Monday 09:00, due soon up to Tuesday 09:00: the internal deadline (end of Mon) is in the window.
    as_of, cutoff = at("2026-11-30T09:00"), at("2026-12-01T09:00")
    internal_soon = dict(due_at=at("2026-12-01T00:00"), regulatory_due_at=at("2026-12-10T00:00"))
    regulatory_soon = dict(due_at=at("2026-11-20T00:00"), regulatory_due_at=at("2026-12-01T00:00"))
    assert clocks.due_soon(case(**internal_soon), as_of, cutoff)
    paused = dict(status="paused", paused_at=at("2026-11-19T10:00"))
    assert not clocks.due_soon(case(**internal_soon, **paused, pause_reason="customer_materials"), as_of, cutoff)
    assert clocks.due_soon(case(**regulatory_soon, **paused, pause_reason="customer_materials"), as_of, cutoff)
    assert not clocks.due_soon(case(**regulatory_soon, **paused, pause_reason="appraisal"), as_of, cutoff)
