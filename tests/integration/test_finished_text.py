"""The overdue report's cells as finished text in SQL (complaintctl/finished.py) are, value for
value, what the Python rules write, on SQLite and PostgreSQL: a stored time in the business zone
(db.ZoneText against stored.time_text, across daylight-saving changes and in zones with
half-hour offsets), and the clocks' words and numbers (overdue by in working time and in clock
hours, in calendar time, and overdue working days rounded as round(x, 2) rounds and written as
csv writes a float, ties and negative zero included) against deadlines.Span.text,
labels.duration and clocks.Reading.overdue_working_days."""
from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from complaintctl import business_days, clocks, finished, labels
from complaintctl.config import Policy
from complaintctl.db import ZoneText
from complaintctl.deadlines import BusinessCalendar, Span, remaining
from complaintctl.models import UTCDateTime
from complaintctl.stored import time_text

UTC = dt.timezone.utc


def _csv(value) -> str:
    """One value as csv.writer writes it (what the Python path writes)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


def _probe(conn, columns, rows):
    """A temporary table holding `rows` (dicts), for selecting expressions over its columns."""
    table = sa.Table("finished_probe", sa.MetaData(), sa.Column("n", sa.Integer, primary_key=True), *columns,
                     prefixes=["TEMPORARY"])
    table.create(conn)
    conn.execute(sa.insert(table), [{"n": i, **r} for i, r in enumerate(rows)])
    return table


# Overdue by: (working micros, calendar micros, clock hours) ------------------------------------

# Every tie of round(x, 2) below 60 days (x = micros / 86,400,000,000 exactly half-way between two
# hundredths: micros an odd multiple of 432 s), sparser beyond, and the neighbours of some.
TIES = [432 * j for j in range(1, 12_000, 2)] + [432 * j for j in range(12_001, 400_000, 997)]
OTHERS = [0, 1, 59, 60, 3599, 3600, 86_399, 86_400, 86_401, 431, 433, 2159, 2161, 123_456, 9_999_999]


def _reading_cells(span: Span, late_seconds: float) -> tuple[str, str, str]:
    r = clocks.Reading(True, "internal", span, None, False, late_seconds)
    return span.text(), labels.duration(late_seconds), _csv(r.overdue_working_days)


def _words(conn, values):
    """(working micros, late micros, clock hours) through finished.py's SQL."""
    table = _probe(conn, [sa.Column("m", sa.BigInteger), sa.Column("late", sa.BigInteger), sa.Column("ch", sa.Boolean)],
                   [{"m": m, "late": late, "ch": ch} for m, late, ch in values])
    c = table.c
    stmt = sa.select(finished.span_text_sql(c.m, c.ch), finished.duration_sql(c.late),
                     finished.working_days_sql(c.m)).order_by(c.n)
    return [tuple(row) for row in conn.execute(stmt).all()]


def test_overdue_by_words_and_numbers_are_the_python_rules_at_every_tie(store):
    values, want = [], []
    for s in TIES + OTHERS:
        for ch in (False, True):
            for late in (s, s + 7200):
                # As the calendar gives them: +0.0 when the clock stopped at the deadline itself,
                # -0.0 when later with no working time between (a weekend), else minus the seconds.
                # (Either zero is written 0.0: a CSV cell never reads -0.0.)
                seconds = 0.0 if late == 0 else -float(s)
                values.append((s * 1_000_000, late * 1_000_000, ch))
                want.append(_reading_cells(Span(seconds, working=not ch), float(late)))
    with store.engine.connect() as conn:
        got = _words(conn, values)
    wrong = [(v, g, w) for v, g, w in zip(values, got, want) if g != w]
    assert not wrong, wrong[:5]
    assert "-0.0" not in {cells[2] for cells in got} and "0.0" in {cells[2] for cells in got}


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spans=st.lists(st.tuples(st.integers(0, 400 * 86_400_000_000), st.integers(0, 10_000_000),
                                st.booleans()), min_size=1, max_size=40))
def test_overdue_by_words_and_numbers_are_the_python_rules_at_any_microsecond(store, spans):
    values = [(m, m + extra, ch) for m, extra, ch in spans]
    want = [_reading_cells(Span(0.0 if late == 0 else -(m / 1e6), working=not ch), late / 1e6) for m, late, ch in values]
    with store.engine.connect() as conn:
        assert _words(conn, values) == want


def test_overdue_by_from_real_clocks_in_working_time(store):
    """Spans as the calendar counts them (deadlines at local midnights, a weekend between)."""
    cal = BusinessCalendar(Policy())
    due = cal.end_of_day(dt.date(2026, 3, 6))  # a Friday's end
    values, want = [], []
    for minutes in (0, 1, 36, 60 * 24, 60 * 24 * 2 + 36, 60 * 24 * 3 + 36, 60 * 24 * 9 + 7):
        stop = due + dt.timedelta(minutes=minutes)
        span = remaining(due, stop, cal, clock_hours=False)
        late = (stop - due).total_seconds()
        values.append((round(-span.seconds * 1_000_000), round(late * 1_000_000), False))
        want.append(_reading_cells(span, late))
    with store.engine.connect() as conn:
        assert _words(conn, values) == want


# Times in the business zone ----------------------------------------------------------------------

ZONES = ["Europe/London", "Asia/Shanghai", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata"]


def _moments(zone: str) -> list[dt.datetime]:
    """Every half hour around each of the zone's offset changes in 2025-2027, a second either side
    of each change, and the microsecond before a whole second."""
    from complaintctl import zones

    out, periods = [], zones.periods(ZoneInfo(zone), 2025, 2027)
    for period in periods[1:] + [dict(starts_at=periods[0]["starts_at"] + dt.timedelta(hours=3))]:
        start = period["starts_at"]
        out += [start + dt.timedelta(minutes=30 * k) for k in range(-6, 7)]
        out += [start - dt.timedelta(seconds=1), start + dt.timedelta(seconds=1),
                start - dt.timedelta(microseconds=1), start + dt.timedelta(days=40, microseconds=999_999)]
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_a_stored_time_in_the_business_zone_is_what_python_shows(store, zone):
    moments = _moments(zone)
    if store.backend == "postgresql":  # the server's rules reach back to local mean time (offsets to the second)
        moments += [dt.datetime(1890, 6, 1, 12, 0, 0, 500_000, tzinfo=dt.timezone.utc),
                    dt.datetime(1900, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)]
    show = time_text(ZoneInfo(zone))
    with store.engine.begin() as conn:
        if store.backend == "sqlite":  # the zone's offsets come from the table the tool writes
            business_days.ensure(conn, BusinessCalendar(Policy(timezone=zone)), 2025, 2027)
        table = _probe(conn, [sa.Column("t", UTCDateTime())], [{"t": m} for m in moments] + [{"t": None}])
        got = conn.execute(sa.select(ZoneText(table.c.t, sa.literal(zone, sa.String()))).order_by(table.c.n)).scalars().all()
        conn.rollback()
    assert got == [show(m.replace(tzinfo=None).isoformat(" ", "microseconds")) for m in moments] + [None]


def test_the_csv_columns_are_the_report_columns():
    from complaintctl_cli.views import LIST_COLUMNS

    assert finished.CSV_KEYS == tuple(c.key for c in LIST_COLUMNS)
