"""The business calendar as a table, so that the database can count working time.

`deadlines.BusinessCalendar` is the rule: which days are working days (the national calendar of
the `holidays` package, with the config's local closures and extra working days) and how working
time is counted between two moments (the part of each working day between them, each day its own
length: 24 hours, or 23 or 25 on a daylight-saving change). This module writes that rule down, one
row a day, in `business_days`:

- `starts_at` and `ends_at`: the local midnights that start and end the day, as stored (UTC) times,
  so that a stored moment finds its day by an index seek, on SQLite too, whatever the zone's
  daylight-saving changes;
- `working` (the bank's) and `statutory` (the national calendar's), and `why` a day is not the
  usual (the holiday's name, a local closure, a weekend, a working weekend);
- `working_before`: the working days among the table's earlier days, so that the working days
  between two dates are one subtraction; and `working_micros_before` (revision 0023) their time in
  microseconds, so that the working time between two moments is one too.

`working_micros_sql` is `BusinessCalendar.working_micros` in SQL over that table (exact, in
microseconds), and `working_seconds_sql` the same float `working_seconds` gives (for `report sla`'s
cycles decided without their working time kept): tests/integration/test_business_days.py pins them
equal on both backends over generated moments, as the clock rules' SQL is pinned to their Python.

The rows are written from the calendar of the config in use (`ensure`): when the table is empty,
covers too few years, or was written from another calendar (another zone, country, closures, or a
new `holidays` release); `business_calendar` keeps which calendar and years they are. `db check`
compares the rows with the calendar of its config (`problems`).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from . import zones
from .deadlines import BusinessCalendar, holidays_version
from .deadlines import micros as delta_micros
from .errors import StoredTimeUnreadable
from .models import BusinessCalendarKept, BusinessDay, Case, ZoneOffset
from .stored import stored_utc
# Pure, and read by the lean `report overdue` too (without SQLAlchemy): kept in zones.py.
from .zones import YEARS_AHEAD, settings_identity, years_wanted  # noqa: F401

_D = BusinessDay.__table__.c
_K = BusinessCalendarKept.__table__
REVISION = "0020"  # the migration that first writes the table
_Z = ZoneOffset.__table__


def identity(cal: BusinessCalendar) -> str:
    """The config's part, and the holidays release the rows came from (a new release may publish a
    year's schedule: `db upgrade` and `db check` look at it)."""
    return f"{settings_identity(cal.policy)} holidays {holidays_version()}"


def _why(cal: BusinessCalendar, day: dt.date, working: bool, statutory: bool) -> str | None:
    policy = cal.policy
    if day in policy.extra_workdays:
        return "extra working day"
    if day in policy.extra_holidays:
        return "local closure"
    weekend = cal.is_weekend(day)
    if statutory and weekend:
        return "working weekend"
    if not statutory:
        name = cal.holiday_name(day)
        return name or ("weekend" if weekend else "holiday")
    return None


def rows(cal: BusinessCalendar, first_year: int, last_year: int) -> list[dict]:
    """The table's rows for the years [first_year, last_year], from the calendar."""
    out, before, time_before = [], 0, 0
    day, stop = dt.date(first_year, 1, 1), dt.date(last_year + 1, 1, 1)
    start = cal.start_of_day(day)
    while day < stop:
        end = cal.end_of_day(day)
        working, statutory = cal.is_working_day(day), cal.is_statutory_working_day(day)
        out.append(dict(day=day, starts_at=start, ends_at=end, working=working, statutory=statutory,
                        why=_why(cal, day, working, statutory), working_before=before,
                        working_micros_before=time_before))
        before += working
        time_before += delta_micros(end - start) if working else 0
        day, start = day + dt.timedelta(days=1), end
    return out


def kept(conn) -> tuple[str, int, int] | None:
    """Which calendar and years the table holds (None when it was never written)."""
    row = conn.execute(sa.select(_K.c.identity, _K.c.first_year, _K.c.last_year)).first()
    return None if row is None else (row[0], row[1], row[2])


def kept_select():
    """Which calendar and years the table holds, and when the first case was received (the lean
    `report overdue` runs it too, compiled: complaintctl/sqltext.py)."""
    return sa.select(_K.c.identity, _K.c.first_year, _K.c.last_year,  # the receipt as stored: _readable reads it
                     sa.type_coerce(sa.select(sa.func.min(Case.__table__.c.received_at)).scalar_subquery(), sa.Text))


def current(conn, policy, now: dt.datetime) -> bool:
    """The table was written from this config's calendar, reaches back to the first case received
    and on to next year: what each command checks (one small read, the first receipt from its
    index) before deciding to write it again with `ensure`."""
    row = conn.execute(kept_select()).first()
    # min() comes back as the driver gives it
    return zones.covers(None if row is None else tuple(row[:3]), policy, now, _readable(row[3]) if row else None)


def first_received(conn) -> dt.datetime | None:
    """When the first case was received (the table reaches back to its year)."""
    return _readable(conn.execute(sa.select(sa.type_coerce(sa.func.min(Case.__table__.c.received_at), sa.Text))).scalar())


def _readable(value) -> dt.datetime | None:
    """The first receipt, or None when it is not a time (text put in behind the tool's back, which
    db check names): every command starts by reading it, db check too, which must not be stopped
    by what it is there to find; a command that reads that case's row says what is wrong."""
    try:
        return stored_utc(value)
    except StoredTimeUnreadable:
        return None


def ensure(conn, cal: BusinessCalendar, first_year: int, last_year: int) -> bool:
    """Write the table from `cal` unless it already holds that calendar for those years (it is
    widened, never narrowed). True when it was written."""
    held = kept(conn)
    ident = identity(cal)
    if held is not None and held[0] == ident and held[1] <= first_year and held[2] >= last_year:
        return False
    if held is not None and held[0] == ident:
        first_year, last_year = min(first_year, held[1]), max(last_year, held[2])
    # Written in the calendar's own language-free form: `why` must not depend on who wrote it.
    plain = BusinessCalendar(cal.policy)
    conn.execute(sa.delete(BusinessDay.__table__))
    conn.execute(sa.delete(_K))
    conn.execute(sa.insert(BusinessDay.__table__), rows(plain, first_year, last_year))
    conn.execute(sa.insert(_K), [dict(id=1, identity=ident, first_year=first_year, last_year=last_year)])
    if _has_zone_offsets(conn):
        conn.execute(sa.delete(_Z))
        conn.execute(sa.insert(_Z), zones.periods(cal.tz, first_year, last_year))
    return True


def write_again(conn, cal: BusinessCalendar, now: dt.datetime) -> None:
    """Write every row again from `cal`, for the years the table holds and those wanted now (a
    migration that adds what the rows carry: revisions 0021, 0023)."""
    held = kept(conn)
    conn.execute(sa.delete(_K))  # so that ensure writes them whatever it finds kept
    first, last = years_wanted(now, first_received(conn))
    if held is not None:
        first, last = min(first, held[1]), max(last, held[2])
    ensure(conn, cal, first, last)


def reach_back(conn, cal: BusinessCalendar, received: dt.datetime | None, now: dt.datetime) -> bool:
    """Widen the table back to the year of a case received before its first (a complaint logged
    late, history imported), in the transaction that writes the case: the views and the lean
    reports, which never write the table, count its working time at once. True when written. No
    query for a case received this year: the table always begins by the year it was written in."""
    first = None if received is None else years_wanted(received, received)[0]
    if first is None or first >= now.year:
        return False
    held = kept(conn)
    if held is None or held[0] != identity(cal):
        return False  # (no table yet, or another calendar's: the next command writes it whole)
    return first < held[1] and ensure(conn, cal, first, held[2])


def _has_zone_offsets(conn) -> bool:
    """zone_offsets exists (revision 0021; revision 0020's migration writes the days before it)."""
    return sa.inspect(conn).has_table(_Z.name)


def repair(conn, cal: BusinessCalendar) -> list[str]:
    """Write the table again from `cal`, for the years it holds, when `problems` finds it wrong
    (the repair `db check` points to, run by `db upgrade`); returns the problems repaired."""
    found = problems(conn, cal)
    held = kept(conn)
    if found and held is not None:
        conn.execute(sa.delete(_K))
        ensure(conn, cal, held[1], held[2])
    return found


def problems(conn, cal: BusinessCalendar) -> list[str]:
    """What `db check` reports: rows that are not what `cal` gives for the years they cover. A
    table written from another calendar (the config changed since) is not a fault: `ensure`
    writes it again before SQL next counts on it."""
    held = kept(conn)
    if held is None or held[0] != identity(cal):
        return []
    _, first, last = held
    want = rows(BusinessCalendar(cal.policy), first, last)
    cols = ("day", "starts_at", "ends_at", "working", "statutory", "why", "working_before", "working_micros_before")
    have = conn.execute(sa.select(*(_D[c] for c in cols)).order_by(_D.day)).all()
    wrong = [w["day"] for w, h in zip(want, have) if tuple(w[c] for c in cols) != tuple(h)]
    found = []
    if len(have) != len(want) or wrong:
        first_wrong = (wrong[0].isoformat() if wrong else "its length")
        found.append(f"business_days: {max(len(wrong), abs(len(have) - len(want)))} days differ from the calendar "
                     f"(first: {first_wrong}); run 'complaintctl db upgrade' to write it again")
    if _has_zone_offsets(conn):
        cols = ("starts_at", "offset_seconds", "suffix")
        want = [tuple(p[c] for c in cols) for p in zones.periods(cal.tz, first, last)]
        have = [tuple(r) for r in conn.execute(sa.select(*(_Z.c[c] for c in cols)).order_by(_Z.c.starts_at)).all()]
        if have != want:
            found.append(f"zone_offsets: {len(set(want) ^ set(have))} periods differ from the zone {cal.policy.timezone}; "
                         "run 'complaintctl db upgrade' to write them again")
    return found


# SQL: working time over the table ---------------------------------------------------------------


def _day_of(moment, column):
    """SQL: `column` of the day `moment` falls in (an index seek on starts_at: the first row read
    is the day); NULL outside the table's days (after the last one, which the seek alone would
    give, every day is read and none matches: a database no command has run on for two years)."""
    return (sa.select(column).where(_D.starts_at <= moment, _D.ends_at > moment)
            .order_by(_D.starts_at.desc()).limit(1).scalar_subquery())


def _running_micros(moment):
    """SQL: the working time from the table's first day to `moment`, in microseconds: its day's
    working_micros_before and, on a working day, the part of the day before it (one index seek, as
    _day_of); NULL outside the table's days."""
    from .db import MicrosBetween

    part = sa.case((_D.working, MicrosBetween(_D.starts_at, moment)), else_=sa.literal(0, sa.BigInteger()))
    return (sa.select(_D.working_micros_before + part).where(_D.starts_at <= moment, _D.ends_at > moment)
            .order_by(_D.starts_at.desc()).limit(1).scalar_subquery())


def working_micros_sql(start, end):
    """SQL: `BusinessCalendar.working_micros(start, end)`, the working time between two moments in
    whole microseconds (negative when `end` is before `start`): the running total at `end` less
    the one at `start`; NULL when either moment is NULL or outside the table's years."""
    return _running_micros(end) - _running_micros(start)


def _seconds(micros):
    """SQL: whole microseconds as float seconds, as BusinessCalendar.working_seconds makes them (one
    correctly rounded division of an exact integer, on both backends)."""
    return sa.cast(micros, sa.Float()) / sa.literal(1_000_000.0, sa.Float())


def working_seconds_sql(start, end):
    """SQL: `BusinessCalendar.working_seconds(start, end)`, the same float; NULL when either moment
    is NULL or outside the table's years."""
    return _seconds(working_micros_sql(start, end))


def add_working_micros_sql(moment, micros: int):
    """SQL: `BusinessCalendar.add_working_seconds(moment, micros / 1e6)`, the moment that much
    working time after `moment` (before it when `micros` is negative), as a stored time, exact to
    the microsecond; NULL when the moment or the answer lies outside the table's years. As the
    Python counts it: each working day holds its own length (23 or 25 hours on a daylight-saving
    change, as working_micros counts it), the moment's own day the part after it
    (before it, going back). The working days from the moment's on (back from it), each with the
    time it holds, are summed in order (a window function over the days, read once a query); the
    first whose running total reaches the amount holds the answer, its end gone back by the excess
    (its start gone on, going back)."""
    from .db import AddMicros, MicrosBetween
    from .models import stored_moment

    at = stored_moment(moment)
    amount = sa.literal(abs(micros), sa.BigInteger())
    if micros >= 0:
        held = MicrosBetween(sa.case((_D.starts_at < at, at), else_=_D.starts_at), _D.ends_at)
        order, where, edge = _D.starts_at, _D.starts_at >= _day_of(at, _D.starts_at), _D.ends_at
    else:
        held = MicrosBetween(_D.starts_at, sa.case((_D.ends_at > at, at), else_=_D.ends_at))
        order, where, edge = _D.starts_at.desc(), sa.and_(_D.starts_at < at, _day_of(at, _D.day).is_not(None)), _D.starts_at
    days = (sa.select(_D.starts_at, edge.label("edge"), _D.working,
                      sa.func.sum(sa.case((_D.working, held), else_=0)).over(order_by=order).label("total"))
            .where(where).subquery("days"))
    moved = days.c.total - amount if micros < 0 else amount - days.c.total
    return (sa.select(AddMicros(days.c.edge, moved)).where(days.c.working, days.c.total >= amount)
            .order_by(days.c.starts_at.desc() if micros < 0 else days.c.starts_at).limit(1).scalar_subquery())


def covers_sql(moment):
    """SQL: `moment` falls in one of the table's days."""
    return _day_of(moment, _D.day).is_not(None)


def before_first_day_sql():
    """SQL: the last microsecond before the table's first day: earlier than any case received (the
    table reaches back to the year of the first), later than nothing the table could count."""
    from .db import AddMicros

    return AddMicros(sa.select(sa.func.min(_D.starts_at)).scalar_subquery(), sa.literal(-1, sa.BigInteger()))
