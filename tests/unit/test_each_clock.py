"""`show`'s clocks (clocks.each_clock), case by case at fixed moments, and the SQL that orders
reports by the nearest deadline; held without a database (the SQL is compiled, not run). Late
November 2026 in Shanghai: Fri 27, Sat 28, Sun 29, Mon 30; no holidays."""
import datetime as dt
from types import SimpleNamespace

from complaintctl import clocks
from complaintctl.config import Policy
from complaintctl.deadlines import BusinessCalendar

CAL = BusinessCalendar(Policy())
TZ = CAL.tz
HOUR = 3600


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(dt.timezone.utc)


def case(**kw):
    values = dict(status="in_progress", tier="general", due_at=at("2026-11-28T00:00"),
                  regulatory_due_at=at("2026-12-10T00:00"), first_response_due_at=None, first_responded_at=None,
                  followup_due_at=None, paused_at=None, pause_reason=None, resolved_at=None, review_requested_at=None,
                  reviewed_at=None)
    values.update(kw)
    return SimpleNamespace(**values)


def states(c, when: str):
    return [(k.name, k.state, k.span.seconds if k.span is not None else None)
            for k in clocks.each_clock(c, at(when), CAL)]


def test_an_open_general_case_has_time_left_then_is_overdue_in_working_time():
    assert states(case(), "2026-11-27T12:00") == [("internal", "left", 12 * HOUR), ("regulatory", "left", 8 * 24 * HOUR + 12 * HOUR)]
    late = states(case(), "2026-11-30T10:00")  # Friday 24:00 passed; the weekend does not count
    assert late[0] == ("internal", "overdue", -10 * HOUR)
    assert states(case(), "2026-11-28T00:00")[0] == ("internal", "overdue", 0)  # at the deadline itself: run out


def test_a_resolved_case_met_or_breached_each_clock_and_a_closed_one_is_closed():
    on_time = case(status="resolved", resolved_at=at("2026-11-27T23:59"))
    assert states(on_time, "2026-12-20T10:00") == [("internal", "met", None), ("regulatory", "met", None)]
    exactly = case(status="resolved", resolved_at=at("2026-11-28T00:00"))
    assert states(exactly, "2026-12-20T10:00")[0] == ("internal", "breached", None)
    withdrawn = case(status="withdrawn")
    assert states(withdrawn, "2026-12-20T10:00") == [("internal", "closed", None), ("regulatory", "closed", None)]


def test_a_pause_stops_the_clocks_that_had_not_run_out():
    # Waiting for the customer's materials stops the internal clock; the regulator's keeps running.
    paused = case(status="paused", paused_at=at("2026-11-27T12:00"), pause_reason="customer_materials")
    assert [s[:2] for s in states(paused, "2026-12-20T10:00")] == [("internal", "stopped"), ("regulatory", "overdue")]
    # Paused after the internal deadline: that clock stays overdue, measured to the pause.
    after = case(status="paused", paused_at=at("2026-11-30T10:00"), pause_reason="customer_materials")
    assert states(after, "2026-12-20T10:00")[0] == ("internal", "overdue", -10 * HOUR)
    # Paused exactly at the deadline: it had run out.
    edge = case(status="paused", paused_at=at("2026-11-28T00:00"), pause_reason="customer_materials")
    assert states(edge, "2026-12-20T10:00")[0] == ("internal", "overdue", 0)


def test_an_urgent_case_has_its_plan_and_follow_up_on_the_clock_and_no_internal_clock():
    urgent = case(tier="urgent", due_at=None, first_response_due_at=at("2026-11-28T10:00"),
                  followup_due_at=at("2026-12-01T00:00"))
    got = states(urgent, "2026-11-28T12:30")
    assert got[0] == ("response", "overdue", -2.5 * HOUR)  # 24 hours on the clock: the weekend counts
    assert got[1][:2] == ("followup", "left") and got[2][0] == "regulatory"
    planned = case(tier="urgent", due_at=None, first_response_due_at=at("2026-11-28T10:00"),
                   first_responded_at=at("2026-11-28T09:00"), followup_due_at=None)
    assert [s[:2] for s in states(planned, "2026-11-28T12:30")] == [("response", "met"), ("regulatory", "left")]
    done = case(tier="urgent", status="resolved", due_at=None, first_response_due_at=at("2026-11-28T10:00"),
                first_responded_at=at("2026-11-28T11:00"), followup_due_at=at("2026-11-30T00:00"),
                resolved_at=at("2026-11-29T10:00"))
    assert [s[:2] for s in states(done, "2026-12-01T10:00")] == [("response", "breached"), ("regulatory", "met")]


def test_appraisal_stops_only_the_regulatory_clock_and_a_review_has_its_own():
    appraisal = case(status="paused", paused_at=at("2026-11-27T12:00"), pause_reason="appraisal")
    assert [s[:2] for s in states(appraisal, "2026-12-20T10:00")] == [("internal", "stopped"), ("regulatory", "stopped")]
    review = case(status="under_review", review_requested_at=at("2026-12-01T10:00"),
                  regulatory_due_at=at("2027-01-01T00:00"), resolved_at=at("2026-11-27T10:00"))
    assert states(review, "2026-12-31T12:00") == [("review", "left", 12 * HOUR)]
    decided = case(status="reviewed", review_requested_at=at("2026-12-01T10:00"),
                   regulatory_due_at=at("2027-01-01T00:00"), reviewed_at=at("2027-01-02T10:00"))
    assert states(decided, "2027-01-05T12:00") == [("review", "breached", None)]
    reopened = case(review_requested_at=at("2026-12-01T10:00"))  # asked once, then reopened: the cycle's clocks
    assert [s[0] for s in states(reopened, "2026-11-27T12:00")] == ["internal", "regulatory"]


def _sql(expr) -> str:
    from sqlalchemy.dialects import sqlite

    return str(expr.compile(dialect=sqlite.dialect())).replace("\n", " ")


def test_reports_order_by_the_nearest_deadline_and_due_soon_by_the_internal_one_or_a_paused_cases_regulatory():
    earliest = _sql(clocks.earliest_due_sql())
    assert earliest == ("CASE WHEN (cases.due_at IS NOT NULL AND cases.due_at < cases.regulatory_due_at) "
                        "THEN cases.due_at ELSE cases.regulatory_due_at END")
    assert _sql(clocks.next_due_sql()) == ("CASE WHEN (cases.due_at IS NULL OR cases.paused_at IS NOT NULL) "
                                           "THEN cases.regulatory_due_at ELSE cases.due_at END")


def test_each_clock_carries_its_own_deadline_whatever_its_state():
    due, reg = at("2026-11-28T00:00"), at("2026-12-10T00:00")
    seen = {}
    for c, when in ((case(), "2026-11-27T12:00"), (case(), "2026-12-20T10:00"),
                    (case(status="resolved", resolved_at=at("2026-11-27T10:00")), "2026-12-20T10:00"),
                    (case(status="withdrawn"), "2026-12-20T10:00"),
                    (case(status="paused", paused_at=at("2026-11-27T12:00"), pause_reason="appraisal"), "2026-12-20T10:00")):
        for k in clocks.each_clock(c, at(when), CAL):
            seen.setdefault(k.state, set()).add((k.name, k.due_at))
    assert set(seen) == {"left", "overdue", "met", "closed", "stopped"}
    for state, clocks_seen in seen.items():
        assert clocks_seen == {("internal", due), ("regulatory", reg)}, state


def test_a_second_before_its_deadline_a_clock_still_has_that_second_left():
    assert states(case(), "2026-11-27T23:59:59")[0] == ("internal", "left", 1)
    r = clocks.read(case(), at("2026-11-27T23:59:59"), CAL, responded=False)
    assert r.time_left is not None and r.time_left.seconds == 1


def test_a_pause_stops_the_urgent_plan_and_the_follow_up_which_run_in_their_own_time():
    urgent = case(tier="urgent", due_at=None, first_response_due_at=at("2026-11-28T10:00"),
                  followup_due_at=at("2026-11-30T10:00"))
    # The plan counts clock hours (Saturday too); the follow-up working time (Friday's last two, then Monday).
    assert states(urgent, "2026-11-27T22:00")[:2] == [("response", "left", 12 * HOUR), ("followup", "left", 12 * HOUR)]
    paused = case(tier="urgent", status="paused", due_at=None, first_response_due_at=at("2026-11-28T10:00"),
                  followup_due_at=at("2026-11-30T10:00"), paused_at=at("2026-11-27T20:00"),
                  pause_reason="customer_materials")
    assert [s[:2] for s in states(paused, "2026-12-01T10:00")] == [("response", "stopped"), ("followup", "stopped"),
                                                                    ("regulatory", "left")]


def test_a_reviews_clock_counts_working_time():
    review = case(status="under_review", review_requested_at=at("2026-11-20T10:00"),
                  regulatory_due_at=at("2026-12-01T00:00"))
    assert states(review, "2026-11-27T12:00") == [("review", "left", (12 + 24) * HOUR)]  # Friday's rest and Monday
