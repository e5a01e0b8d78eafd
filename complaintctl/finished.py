"""Report rows as finished text, in SQL: every cell of the overdue report's CSV computed by the
database exactly as cli/render.py writes the row rows.CaseRows makes of it, so that the rows can
go out as they come (PostgreSQL's COPY ... TO STDOUT WITH CSV; SQLite's rows through csv.writer),
with no per-row Python.

What each cell is, and where its rule lives:
- times: stored UTC shown in the business zone to the second (db.ZoneText: zone_offsets on
  SQLite, AT TIME ZONE on PostgreSQL), as stored.time_text;
- overdue, breach, stale: the clock rules' SQL (clocks.py), as clocks.read;
- overdue by (working time or, for the urgent plan, clock hours), overdue by in calendar time and
  overdue working days: counted over business_days (clocks.overdue_micros_sql, late_micros_sql),
  worded from the same labels.py templates as deadlines.Span.text and labels.duration, and the
  number rounded as Python's round(x, 2) rounds and written as repr writes it;
- below tier: the staff table's roles against domain.can_handle;
- text: empty as NULL (csv writes None and "" alike; COPY would quote ""), and neutralised as
  files.neutralise does (a cell starting like a formula gets a leading apostrophe).
tests/integration/test_finished_text.py pins each piece to its Python rule over many values on
both backends; tests/integration/test_report_golden.py and tests/cli/test_lean_overdue.py compare
whole reports byte for byte.
"""
from __future__ import annotations

import string

import sqlalchemy as sa

from . import clocks, labels
from . import domain as d
from .db import ZoneText
from .files import FORMULA_START
from .models import Case, Staff
from .rows import CSV_KEYS

_C = Case.__table__.c
_S = Staff.__table__.c
MICROS = 1_000_000
_TEXT = sa.Text()


def _n(value: int):
    """An integer constant, written into the SQL (not a parameter)."""
    return sa.literal_column(str(int(value)), sa.BigInteger())


def _str(value: str):
    return sa.literal(value, sa.String())


def text_cell(column):
    """SQL: a text column as csv writes the row's value: empty as NULL, and neutralised."""
    value = sa.func.nullif(column, _str(""))
    return sa.case((sa.func.substr(value, 1, 1).in_([_str(c) for c in FORMULA_START]), _str("'").concat(value)),
                   else_=value)


def flag_cell(condition):
    """SQL: a flag as csv writes it (true or false; never NULL)."""
    return sa.case((condition, _str("true")), else_=_str("false"))


def _as_text(expr):
    return sa.cast(expr, _TEXT)


def _two_digits(expr):
    return sa.case((expr < _n(10), _str("0").concat(_as_text(expr))), else_=_as_text(expr))


def label_sql(key: str, **fields):
    """SQL: labels.t(key) (English: the CSV's words) with each field an SQL integer expression,
    built from the template itself, so the words have one home. Formats: plain and 02d."""
    out = None
    for literal, name, spec, _ in string.Formatter().parse(labels.t(key, "en")):
        parts = [_str(literal)] if literal else []
        if name is not None:
            if spec not in ("", "02d"):
                raise ValueError(f"{key}: format {spec!r} has no SQL here")
            parts.append(_two_digits(fields[name]) if spec == "02d" else _as_text(fields[name]))
        for part in parts:
            out = part if out is None else out.concat(part)
    return out


def span_text_sql(micros, clock_hours):
    """SQL: deadlines.Span(-micros / 10**6, working=not clock_hours).text() for micros >= 0."""
    s = micros // _n(MICROS)
    days = s // _n(86400)
    working = sa.case((days > _n(0), label_sql("span.working_days", days=days, hours=(s // _n(3600)) % _n(24))),
                      else_=label_sql("span.hours", hours=(s // _n(3600)) % _n(24), minutes=(s % _n(3600)) // _n(60)))
    return sa.case((clock_hours, label_sql("span.hours", hours=s // _n(3600), minutes=(s // _n(60)) % _n(60))),
                   else_=working)


def duration_sql(micros):
    """SQL: labels.duration(micros / 10**6) (calendar days and hours, or hours and minutes)."""
    s = micros // _n(MICROS)
    days, rest = s // _n(86400), s % _n(86400)
    return sa.case((days > _n(0), label_sql("span.days_hours", days=days, hours=rest // _n(3600))),
                   else_=label_sql("span.hours_minutes", hours=rest // _n(3600), minutes=(rest % _n(3600)) // _n(60)))


# round(x, 2) for x = micros / 86,400,000,000 >= 0, as Python rounds it: to the nearest hundredth,
# and a tie (x exactly half-way, micros an odd multiple of 432 s) as the float nearest x lies:
# Python rounds the float's exact value, and the float of j/200 (j odd) lies above j/200 when
# j/25's 53-bit mantissa was rounded up, i.e. when (j * 2**(52 - e)) mod 25 >= 13, where
# 2**e <= j/25 < 2**(e+1); when 25 divides j the float is exact and the tie goes to the even
# hundredth. (2**n mod 25 per e below, in one CASE.)
_HUNDREDTH = 864_000_000  # micros in a hundredth of a day
_E_RANGE = range(-5, 48)


def _power_mod_25(j):
    whens = [(j * _n(32) < _n(25 * 2 ** (e + 6)), _n(pow(2, 52 - e, 25))) for e in _E_RANGE]
    return sa.case(*whens, else_=_n(0))


def hundredths_sql(micros):
    """SQL: round(micros / 86,400,000,000, 2) * 100 as an integer, rounded as Python rounds."""
    low, rest = micros // _n(_HUNDREDTH), micros % _n(_HUNDREDTH)
    j = low * _n(2) + _n(1)
    tie_up = sa.case(
        (j % _n(25) == _n(0), low % _n(2) == _n(1)),
        else_=((j % _n(25)) * _power_mod_25(j)) % _n(25) >= _n(13))
    return sa.case((rest > _n(_HUNDREDTH // 2), low + _n(1)), (rest < _n(_HUNDREDTH // 2), low),
                   (tie_up, low + _n(1)), else_=low)


def working_days_sql(micros):
    """SQL: clocks.Reading.overdue_working_days as csv writes the float (repr: '3.0', '0.25';
    '0.0' when the clock stopped exactly at the deadline)."""
    k = hundredths_sql(micros)
    cents = k % _n(100)
    decimals = sa.case((cents == _n(0), _str("0")), (cents % _n(10) == _n(0), _as_text(cents // _n(10))),
                       else_=_two_digits(cents))
    return _as_text(k // _n(100)).concat(_str(".")).concat(decimals)


def below_tier_sql():
    """SQL: rows.CaseRows' below_tier: an open case whose handler's role may not own its tier."""
    pairs = [sa.and_(_S.role == role.value, _C.tier.in_([t.value for t in d.Tier if not d.can_handle(role, t)]))
             for role in (d.Role.STAFF, d.Role.MANAGER, d.Role.EXECUTIVE)
             if any(not d.can_handle(role, t) for t in d.Tier)]
    below = sa.exists(sa.select(_S.id).where(_S.name == _C.assignee, sa.or_(*pairs))) if pairs else sa.false()
    return sa.and_(clocks.open_sql(), below)


_TIMES = ("received_at", "due_at", "regulatory_due_at", "first_response_due_at", "resolved_at", "closed_at")
_WORDED = ("overdue_by", "overdue_by_calendar", "overdue_working_days")


def _case_cells(as_of, zone) -> list:
    """Each case's cells but the worded overdue by, labelled with their keys."""
    cells = {
        "reopen_count": _C.reopen_count,
        "overdue": flag_cell(clocks.overdue_sql(as_of)),
        "breach": clocks.breach_sql(as_of),
        "time_left": sa.null(),  # an overdue case has none (due-soon rows are not made here)
        "stale": flag_cell(clocks.stale_sql(as_of)),
        "below_tier": flag_cell(below_tier_sql()),
    }
    out = []
    for key in CSV_KEYS:
        if key in _WORDED:
            continue
        expr = cells.get(key)
        if expr is None:
            expr = ZoneText(_C[key], zone) if key in _TIMES else text_cell(_C[key])
        out.append(expr.label(key))
    return out


def _spans(counted):
    """Overdue by, counted and worded once for each distinct (deadline, stop, clock hours) of the
    counted cases: each step a materialised CTE, so that a count is not copied into every word."""
    from .db import MicrosBetween

    c = counted.c
    parts = sa.select(c.deadline, c.stop, c.clock_hours).where(c.deadline.is_not(None)).distinct().subquery()
    p = parts.c
    lengths = (sa.select(p.deadline, p.stop, p.clock_hours,
                         clocks.overdue_micros_from(p.deadline, p.stop, p.clock_hours).label("micros"),
                         MicrosBetween(p.deadline, p.stop).label("late"))
               .cte("overdue_lengths").prefix_with("MATERIALIZED"))
    n = lengths.c
    return (sa.select(n.deadline, n.stop, n.clock_hours,
                      span_text_sql(n.micros, n.clock_hours == 1).label("overdue_by"),
                      duration_sql(n.late).label("overdue_by_calendar"),
                      working_days_sql(n.micros).label("overdue_working_days"))
            .cte("overdue_spans").prefix_with("MATERIALIZED"))


def overdue_csv_select(as_of, zone, cond):
    """The overdue report's CSV rows as finished text (CSV_KEYS, in order), for the cases `cond`
    selects (reports.overdue_where: overdue cases only), most overdue first. `zone`: the business
    zone as SQL (a bound parameter; PostgreSQL reads it).

    In steps: each case's cells, and the parts its overdue by is counted from (clocks.overdue_span_sql),
    once a case (a materialised CTE); the overdue by counted and worded once for each distinct
    set of parts (cases share deadlines: a few hundred among a hundred thousand cases); the two
    joined. (Written as one expression, the counting would be copied into every use of it, and
    counted again for every case.)"""
    deadline, stop, clock_hours = clocks.overdue_span_sql(as_of)
    counted = (sa.select(*_case_cells(as_of, zone), deadline.label("deadline"), stop.label("stop"),
                         clock_hours.label("clock_hours"), clocks.earliest_due_sql().label("earliest_due"),
                         _C.id.label("case_id"))
               .where(cond).cte("overdue_cases_counted").prefix_with("MATERIALIZED"))
    spans = _spans(counted)
    c, w = counted.c, spans.c
    joined = counted.outerjoin(spans, sa.and_(w.deadline == c.deadline, w.stop == c.stop, w.clock_hours == c.clock_hours))
    columns = [(w[key] if key in _WORDED else c[key]).label(key) for key in CSV_KEYS]
    return sa.select(*columns).select_from(joined).order_by(c.earliest_due, c.case_id)
