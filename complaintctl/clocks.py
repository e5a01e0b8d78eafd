"""The reading of a case's clocks: overdue, breached, due soon, stale, time left and overdue by.

Each rule is written here twice, on purpose, and nowhere else: as Python over one case (for a
command that has the case in hand, and for each report row) and as SQL expressions over the
cases table (for the reports and escalation, which filter and order millions of rows in the
database). tests/integration/test_clock_rules.py generates cases and moments and checks, on
SQLite and PostgreSQL, that the SQL selects exactly the cases the Python rule says.

The rules, for an open case at a moment `as_of`:
- a clock has *run out* when its deadline is at or before the moment (deadlines are stored as
  the midnight that ends their last day, so "at" already counts);
- a paused case's internal clock (and the urgent plan clock) stopped when the pause began: only a
  deadline passed by then counts; the regulatory clock stops only for an appraisal pause;
- *overdue*: the internal or the regulatory clock has run out;
- *stale*: an urgent, unpaused case whose daily follow-up has run out;
- *due soon*: a case with a deadline whose clock runs after `as_of` and at or before the due-soon
  cutoff (`deadlines.due_soon_cutoff`): while paused only the regulatory one (not for an appraisal);
- *overdue by* is measured up to the moment the clock stopped; the urgent plan in clock hours,
  everything else in working time; when both clocks have run out, from the deadline passed longest
  ago in clock time (the internal one on a tie): a case escalated to urgent after its regulatory
  deadline passed, its plan due later, is as late as its regulatory deadline says. *Time left* is to the nearest deadline whose clock runs (a paused
  case's regulatory one; none while an appraisal lasts).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from . import deadlines
from . import domain as d
from .deadlines import BusinessCalendar, Span

OPEN = tuple(s.value for s in d.Status if s in d.OPEN_STATUSES)  # in a fixed order: the SQL of the views is compared as text
_URGENT = d.Tier.URGENT.value
_APPRAISAL = d.PauseReason.APPRAISAL.value
_UNDER_REVIEW = d.Status.UNDER_REVIEW.value
_REVIEW_STATES = (d.Status.UNDER_REVIEW.value, d.Status.REVIEWED.value)


class Clocked(Protocol):
    """What the rules read of a case (a Case row, or any object with these attributes)."""

    status: str
    tier: str
    due_at: dt.datetime | None
    regulatory_due_at: dt.datetime | None
    followup_due_at: dt.datetime | None
    paused_at: dt.datetime | None
    pause_reason: str | None


@dataclass(frozen=True)
class ClockState:
    """Which clocks of a case have run out at a moment."""

    internal: bool = False
    regulatory: bool = False
    stale: bool = False

    @property
    def overdue(self) -> bool:
        return self.internal or self.regulatory


# report aging's buckets: at least the lower bound in working days since receipt and under the
# upper one (None: no upper bound); a case received after the moment asked about is in none.
AGE_BUCKETS = ((0, 1), (1, 3), (3, 5), (5, 10), (10, 15), (15, None))
AGING_LATER = "later"  # the bucket of cases received after the moment, left out of the report's table


def bucket_name(lo: int, hi: int | None) -> str:
    return f"{lo}-{hi}" if hi is not None else f">{lo}"


# Python: one case --------------------------------------------------------------------------


def ran_out(due: dt.datetime | None, as_of: dt.datetime, stopped_at: dt.datetime | None = None) -> bool:
    """A deadline has passed by `as_of`, or by `stopped_at` if its clock stopped earlier."""
    if due is None:
        return False
    return due <= (as_of if stopped_at is None or stopped_at > as_of else stopped_at)


def is_open(status: str) -> bool:
    return status in OPEN


def regulatory_stop(case: Clocked) -> dt.datetime | None:
    """When the regulatory clock stopped: only an appraisal pause stops it."""
    return case.paused_at if case.pause_reason == _APPRAISAL else None


def state(case: Clocked, as_of: dt.datetime) -> ClockState:
    """Which clocks of the case have run out at `as_of` (all False for a case no longer open)."""
    if case.status not in OPEN:
        return ClockState()
    return ClockState(
        internal=ran_out(case.due_at, as_of, case.paused_at),
        regulatory=ran_out(case.regulatory_due_at, as_of, regulatory_stop(case)),
        stale=(case.tier == _URGENT and case.paused_at is None and ran_out(case.followup_due_at, as_of)),
    )


def running(case: Clocked) -> tuple:
    """The deadlines whose clocks run (time left and due soon count to these): both unless paused;
    while paused the regulatory one, unless the pause is an appraisal's, which stops it too."""
    if case.paused_at is None:
        return case.due_at, case.regulatory_due_at
    return (case.regulatory_due_at,) if regulatory_stop(case) is None else ()


def due_soon(case: Clocked, as_of: dt.datetime, cutoff: dt.datetime) -> bool:
    """An open case with a deadline whose clock runs (`running`) after `as_of` and at or before
    `cutoff`."""
    return case.status in OPEN and any(t is not None and as_of < t <= cutoff for t in running(case))


@dataclass(frozen=True)
class Reading:
    """A case's clocks read at a moment, for a report row."""

    overdue: bool
    breach: str | None            # internal | response | regulatory | review, joined with "+"
    overdue_by: Span | None
    time_left: Span | None        # to the nearest running deadline (paused: the regulatory one); None
                                  # when overdue, closed, or paused for an appraisal
    stale: bool
    late_seconds: float | None = None  # overdue_by in calendar time (clock seconds past the deadline)
    toward: str | None = None     # the deadline overdue_by or time_left counts to: internal | regulatory

    @property
    def overdue_working_days(self) -> float | None:
        """Overdue-by as a number: working days, or days of clock hours for the urgent plan."""
        span = self.overdue_by
        if span is None:
            return None
        days = -span.working_days if span.working else round(-span.seconds / deadlines.DAY, 2)
        return days + 0.0  # a clock stopped at its deadline is 0.0, not Python's negative zero


def read(case: Clocked, as_of: dt.datetime, cal: BusinessCalendar, *, responded: bool) -> Reading:
    """Overdue (and which clocks), overdue by, time left and stale, at `as_of`. `responded`: the
    urgent plan has been given (until then an urgent case's internal clock is the plan's)."""
    now = state(case, as_of)
    breach, span, late, toward, passed = [], None, None, None, None
    due, reg = case.due_at, case.regulatory_due_at
    if now.internal:
        urgent_plan = case.tier == _URGENT and not responded
        breach.append("response" if urgent_plan else "internal")
        stop = as_of if case.paused_at is None else min(as_of, case.paused_at)
        span = deadlines.remaining(due, stop, cal, clock_hours=urgent_plan)
        passed, toward = stop - due, "internal"
        late = passed.total_seconds()
    if now.regulatory:
        breach.append("review" if case.status == _UNDER_REVIEW else "regulatory")
        stop = regulatory_stop(case)
        stop = as_of if stop is None else min(as_of, stop)
        if span is None or stop - reg > passed:  # of the two, the deadline passed longest ago
            span = deadlines.remaining(reg, stop, cal, clock_hours=False)
            late, toward = (stop - reg).total_seconds(), "regulatory"
    left = None
    if not breach and case.status in OPEN:
        nearest = min((t for t in running(case) if t is not None), default=None)  # the nearest whose clock runs
        if nearest is not None:
            hours = case.paused_at is None and case.tier == _URGENT and due == nearest  # the urgent plan's clock hours
            left = deadlines.remaining(nearest, as_of, cal, clock_hours=hours)
            toward = "internal" if nearest == due else "regulatory"
            if left.seconds <= 0:
                left, toward = None, None
    return Reading(bool(breach), "+".join(breach) or None, span, left, now.stale, late, toward)


@dataclass(frozen=True)
class Clock:
    """One clock of a case for `show`: its deadline and where it stands."""

    name: str                     # internal | response | followup | regulatory | review
    due_at: dt.datetime
    state: str                    # met | breached | closed | stopped | left | overdue
    span: Span | None = None      # time left, or overdue by (negative)
    late_seconds: float | None = None  # overdue by in clock time, as list and the reports give it too


def each_clock(case, as_of: dt.datetime, cal: BusinessCalendar) -> list[Clock]:
    """Every clock of the case at `as_of`, for `show`: met or breached once the cycle is resolved
    (or the plan given), stopped while paused, else the time left or overdue by."""
    open_ = case.status in OPEN
    out: list[Clock] = []

    def clock(name, due, *, clock_hours, met_at=None, stopped_at=None):
        if due is None:
            return
        if met_at is not None:
            out.append(Clock(name, due, "met" if met_at < due else "breached"))
        elif not open_:
            out.append(Clock(name, due, "closed"))
        elif stopped_at is not None and due > stopped_at:
            out.append(Clock(name, due, "stopped"))
        else:
            stop = as_of if stopped_at is None else min(as_of, stopped_at)
            span = deadlines.remaining(due, stop, cal, clock_hours=clock_hours)
            late = (stop - due).total_seconds() if span.seconds <= 0 else None
            out.append(Clock(name, due, "left" if span.seconds > 0 else "overdue", span, late))

    if case.review_requested_at is not None and case.status in _REVIEW_STATES:
        # A review runs on its own 30-day clock, kept in the regulatory deadline's place.
        clock("review", case.regulatory_due_at, clock_hours=False, met_at=case.reviewed_at)
        return out
    if case.tier == _URGENT:
        clock("response", case.first_response_due_at, clock_hours=True, met_at=case.first_responded_at,
              stopped_at=case.paused_at)
        if open_ and case.followup_due_at:
            clock("followup", case.followup_due_at, clock_hours=False, stopped_at=case.paused_at)
    else:
        clock("internal", case.due_at, clock_hours=False, met_at=case.resolved_at, stopped_at=case.paused_at)
    clock("regulatory", case.regulatory_due_at, clock_hours=False, met_at=case.resolved_at,
          stopped_at=regulatory_stop(case))
    return out


# SQL: the same rules over the cases table ------------------------------------------------------
# SQLAlchemy and the models are imported when an expression is first built, not with the module:
# the Python rules above (clocks.read) serve the lean `report overdue`, which starts without them
# and runs these expressions compiled to text (complaintctl/sqltext.py).


def _cases():
    """The cases table's columns."""
    from .models import Case

    return Case.__table__.c


def open_sql():
    """SQL: the case is open."""
    _C = _cases()
    return _C.status.in_(OPEN)


def internal_overdue_sql(as_of: dt.datetime, due=None):
    """SQL: the internal clock ran out before `as_of` (and before any pause began). False, not NULL,
    for a case without one (an urgent case past its plan, a review), so NOT(...) keeps it. `due`:
    the deadline to read (default the case's; a cycle's for a past moment, reports.open_at)."""
    from sqlalchemy import and_, or_

    _C = _cases()
    due = _C.due_at if due is None else due
    return and_(due.is_not(None), due <= as_of, or_(_C.paused_at.is_(None), due <= _C.paused_at))


def regulatory_overdue_sql(as_of: dt.datetime, due=None):
    """SQL: the regulatory clock ran out; only an appraisal pause stops it (`due` as above)."""
    from sqlalchemy import and_, not_

    _C = _cases()
    due = _C.regulatory_due_at if due is None else due
    stopped = and_(_C.pause_reason == _APPRAISAL, _C.paused_at.is_not(None), due > _C.paused_at)
    return and_(due <= as_of, not_(stopped))


def overdue_sql(as_of: dt.datetime):
    """SQL: an open case whose internal or regulatory clock ran out."""
    from sqlalchemy import and_, or_

    return and_(open_sql(), or_(internal_overdue_sql(as_of), regulatory_overdue_sql(as_of)))


def stale_sql(as_of: dt.datetime):
    """SQL: an open urgent case, not paused, whose daily follow-up ran out."""
    from sqlalchemy import and_

    _C = _cases()
    return and_(open_sql(), _C.tier == _URGENT, _C.paused_at.is_(None), _C.followup_due_at <= as_of)


def due_soon_sql(as_of: dt.datetime, cutoff: dt.datetime):
    """SQL: an open case with a deadline whose clock runs after `as_of` and at or before `cutoff`:
    the internal one unless paused, the regulatory one unless paused for an appraisal."""
    from sqlalchemy import and_, or_

    _C = _cases()
    regulatory_runs = or_(_C.paused_at.is_(None), _C.pause_reason.is_(None), _C.pause_reason != _APPRAISAL)
    return and_(open_sql(), or_(
        and_(_C.paused_at.is_(None), _C.due_at > as_of, _C.due_at <= cutoff),
        and_(regulatory_runs, _C.regulatory_due_at > as_of, _C.regulatory_due_at <= cutoff)))


def due_soon_cutoff_sql(as_of, working_days: int):
    """SQL: `deadlines.due_soon_cutoff`, the moment `working_days` of working time after `as_of`,
    counted over business_days (the due_soon_cases view's, whose moment is the server's)."""
    from .business_days import add_working_micros_sql

    return add_working_micros_sql(as_of, working_days * deadlines.DAY * 1_000_000)


def _nearest_running_sql():
    """SQL: `read`'s nearest deadline whose clock runs (`running`), and whether time left to it is
    counted in clock hours (an unpaused urgent case whose nearest is its internal one: the 24-hour
    plan)."""
    from sqlalchemy import and_, case as sql_case, or_

    _C = _cases()
    due, reg = _C.due_at, _C.regulatory_due_at
    internal_first = and_(due.is_not(None), or_(reg.is_(None), due <= reg))
    nearest = sql_case(
        (_C.paused_at.is_(None), sql_case((internal_first, due), else_=reg)),
        (_C.pause_reason == _APPRAISAL, None),
        else_=reg)
    return nearest, and_(_C.paused_at.is_(None), _C.tier == _URGENT, internal_first)


def time_left_micros_sql(as_of):
    """SQL: `read`'s time left of a case that is not overdue, in whole microseconds: to the nearest
    deadline whose clock runs, in clock time for the urgent plan (time_left_in_clock_hours_sql), in
    working time over business_days otherwise; NULL when there is none, nothing is left, or the
    case is closed or overdue."""
    from sqlalchemy import case as sql_case, not_

    from .business_days import working_micros_sql
    from .db import MicrosBetween

    nearest, clock_hours = _nearest_running_sql()
    left = sql_case((clock_hours, MicrosBetween(as_of, nearest)), else_=working_micros_sql(as_of, nearest))
    return sql_case((not_(open_sql()), None), (overdue_sql(as_of), None), (left > 0, left), else_=None)


def time_left_in_clock_hours_sql():
    """SQL: time left is counted in clock hours (the urgent plan's), not working time."""
    return _nearest_running_sql()[1]


def age_micros_sql(as_of):
    """SQL: a case's age at `as_of`, the working time since it was received, in whole microseconds
    over business_days (negative for a case received later)."""
    from .business_days import working_micros_sql

    return working_micros_sql(_cases().received_at, as_of)


def aging_edges_sql(as_of) -> dict:
    """SQL: `rows.aging_edges`, the moment each bounded age bucket begins, by its upper bound in
    working days: that much working time before `as_of`, counted over business_days (the
    aging_cases view's). An edge before the table's first day (a database in its first weeks)
    is taken as just before it: every case is received later, as the Python's edge says."""
    from sqlalchemy import func

    from .business_days import add_working_micros_sql, before_first_day_sql

    return {hi: func.coalesce(add_working_micros_sql(as_of, -hi * deadlines.DAY * 1_000_000), before_first_day_sql())
            for _, hi in AGE_BUCKETS if hi is not None}


def age_bucket_sql(as_of, edges: dict):
    """SQL: `report aging`'s bucket of a case at `as_of`, `edges` the moment each bounded bucket
    begins by its upper bound (rows.aging_edges as values, or aging_edges_sql): a case received
    after one is younger than its bound; one received after `as_of` is in AGING_LATER."""
    from sqlalchemy import case as sql_case, literal

    _C = _cases()
    whens = [(_C.received_at > edges[hi], literal(bucket_name(lo, hi))) for lo, hi in AGE_BUCKETS if hi is not None]
    return sql_case((_C.received_at > as_of, literal(AGING_LATER)), *whens, else_=literal(bucket_name(*AGE_BUCKETS[-1])))


def breached_sql(as_of: dt.datetime):
    """SQL: an open case that is overdue now or has a breach on record."""
    from sqlalchemy import and_, or_

    _C = _cases()
    return and_(open_sql(), or_(internal_overdue_sql(as_of), regulatory_overdue_sql(as_of),
                                _C.internal_breached, _C.regulatory_breached))


def earliest_due_sql():
    """SQL: the case's nearest deadline, to order by (most overdue first)."""
    from sqlalchemy import and_, case as sql_case

    _C = _cases()
    return sql_case((and_(_C.due_at.is_not(None), _C.due_at < _C.regulatory_due_at), _C.due_at),
                    else_=_C.regulatory_due_at)


def next_due_sql():
    """SQL: the internal deadline, or the regulatory one when there is none or the case is paused
    (its internal clock stopped) (due-soon order)."""
    from sqlalchemy import case as sql_case, or_

    _C = _cases()
    return sql_case((or_(_C.due_at.is_(None), _C.paused_at.is_not(None)), _C.regulatory_due_at), else_=_C.due_at)


def _stops(as_of):
    """SQL pieces of `read`'s overdue by: the moment as stored, when each clock stopped (the pause's
    start if before `as_of`; for the regulatory clock only an appraisal pause's), and whether the
    internal clock is an urgent case's 24-hour plan (counted in clock time)."""
    from sqlalchemy import and_, case as sql_case

    from .models import stored_moment

    _C = _cases()
    now = stored_moment(as_of)
    paused_before = and_(_C.paused_at.is_not(None), _C.paused_at < now)
    internal_stop = sql_case((paused_before, _C.paused_at), else_=now)
    regulatory_stop_ = sql_case((and_(paused_before, _C.pause_reason == _APPRAISAL), _C.paused_at), else_=now)
    urgent_plan = and_(_C.tier == _URGENT, _C.first_responded_at.is_(None))
    return now, internal_stop, regulatory_stop_, urgent_plan


def overdue_micros_sql(as_of):
    """SQL: `read`'s overdue by, as whole microseconds past the deadline (positive), counted up to
    the moment the clock stopped: the urgent plan in clock time, everything else in working time
    over the business_days table (business_days.working_micros_sql). NULL for a case that is not
    overdue."""
    from sqlalchemy import case as sql_case, not_

    from .business_days import working_micros_sql
    from .db import MicrosBetween

    _C = _cases()
    now, internal_stop, regulatory_stop_, urgent_plan = _stops(as_of)
    return sql_case(
        (not_(open_sql()), None),
        (_internal_counts(now, internal_stop, regulatory_stop_),
         sql_case((urgent_plan, MicrosBetween(_C.due_at, internal_stop)),
                  else_=working_micros_sql(_C.due_at, internal_stop))),
        (regulatory_overdue_sql(now), working_micros_sql(_C.regulatory_due_at, regulatory_stop_)),
        else_=None)


def _internal_counts(now, internal_stop, regulatory_stop_):
    """SQL: `read`'s overdue by counts from the internal deadline: it ran out, and the regulatory one
    did not, or was passed no longer ago in clock time."""
    from sqlalchemy import and_, case as sql_case, true

    from .db import MicrosBetween

    _C = _cases()
    # (A CASE, not NOT(...): a case with no regulatory deadline reads NULL there, not false.)
    return and_(internal_overdue_sql(now),
                sql_case((regulatory_overdue_sql(now), MicrosBetween(_C.due_at, internal_stop)
                          >= MicrosBetween(_C.regulatory_due_at, regulatory_stop_)), else_=true()))


def overdue_span_sql(as_of):
    """SQL: `read`'s overdue by in three parts, for the report that words it: the deadline it is
    counted from (of those that ran out, the one passed longest ago, the internal one on a tie;
    NULL for a case that is not overdue), the moment that clock stopped (as_of, or the pause's start), and 1 when it is
    counted in clock hours (an urgent case's 24-hour plan), else 0. overdue_micros_from counts
    them; many cases share them (deadlines fall at the ends of working days), so a report counts
    each distinct triple once."""
    from sqlalchemy import and_, case as sql_case, not_

    _C = _cases()
    now, internal_stop, regulatory_stop_, urgent_plan = _stops(as_of)
    internal, regulatory = _internal_counts(now, internal_stop, regulatory_stop_), regulatory_overdue_sql(now)
    deadline = sql_case((not_(open_sql()), None), (internal, _C.due_at), (regulatory, _C.regulatory_due_at), else_=None)
    stop = sql_case((internal, internal_stop), else_=regulatory_stop_)
    clock_hours = sql_case((and_(internal, urgent_plan), 1), else_=0)
    return deadline, stop, clock_hours


def overdue_micros_from(deadline, stop, clock_hours):
    """SQL: overdue_micros_sql from overdue_span_sql's parts (as columns): working time from the
    deadline to the stop over business_days, or clock time for the urgent plan."""
    from sqlalchemy import case as sql_case

    from .business_days import working_micros_sql
    from .db import MicrosBetween

    return sql_case((deadline.is_(None), None), (clock_hours == 1, MicrosBetween(deadline, stop)),
                    else_=working_micros_sql(deadline, stop))


def breach_sql(as_of):
    """SQL: `read`'s breach: which clocks ran out (response or internal, then review or
    regulatory, joined with "+"); NULL for a case that is not overdue."""
    from sqlalchemy import String, case as sql_case, func, literal

    _C = _cases()
    now, _, _, urgent_plan = _stops(as_of)
    internal = sql_case((internal_overdue_sql(now), sql_case((urgent_plan, literal("response", String)),
                                                             else_=literal("internal", String))), else_=None)
    regulatory = sql_case((regulatory_overdue_sql(now), sql_case((_C.status == _UNDER_REVIEW, literal("review", String)),
                                                                 else_=literal("regulatory", String))), else_=None)
    both = func.coalesce(internal.concat(literal("+", String)).concat(regulatory), internal, regulatory, type_=String)
    return sql_case((open_sql(), both), else_=None)
