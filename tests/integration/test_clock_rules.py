"""The clock rules are written twice, as Python over one case and as SQL over the cases table
(complaintctl/clocks.py). Generated cases and moments, on SQLite and on PostgreSQL: the SQL selects
exactly the cases the Python rule says, and the report rows (read from stored text, worked out
once per distinct clock combination) say what the rule says of each case."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import and_, not_, select

from complaintctl import business_days, clocks, reports
from complaintctl import domain as d
from complaintctl.config import Policy
from complaintctl.context import make_context
from complaintctl.deadlines import BusinessCalendar
from complaintctl.models import Case

UTC = dt.timezone.utc
BASE = dt.datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # a Monday midnight in Shanghai
ONE = dt.timedelta(microseconds=1)
# Few distinct moments, so that deadlines, pauses and the moment asked about often coincide
# (the boundaries are where a rule written twice goes wrong), and a microsecond either side.
MOMENTS = sorted({BASE + dt.timedelta(hours=12 * i) + e for i in range(-4, 5) for e in (-ONE, dt.timedelta(0), ONE)})
moment = st.sampled_from(MOMENTS)
maybe = st.one_of(st.none(), moment)


@st.composite
def cases(draw):
    # Paused cases, and appraisal among them, half the time: the pause rules are where the clocks
    # differ most, and drawn evenly they came up too seldom to catch a rule left out.
    status = draw(st.one_of(st.just(d.Status.PAUSED), st.sampled_from(list(d.Status))))
    paused = status == d.Status.PAUSED
    return dict(
        status=status.value, tier=draw(st.sampled_from(list(d.Tier))).value,
        due_at=draw(maybe), regulatory_due_at=draw(maybe), followup_due_at=draw(maybe),
        first_responded_at=draw(maybe),
        paused_at=draw(moment) if paused else None,
        pause_reason=draw(st.one_of(st.just(d.PauseReason.APPRAISAL), st.sampled_from(list(d.PauseReason)))).value
        if paused else None,
        internal_breached=draw(st.booleans()), regulatory_breached=draw(st.booleans()),
    )


def _insert(uow, values: list[dict], first: int = 1) -> list[Case]:
    rows = []
    for i, v in enumerate(values, first - 1):
        v = {"received_at": BASE - dt.timedelta(days=3), **v}
        rows.append(Case(reference=f"C-2026-{i + 1:06d}", channel="hotline", product="other", category="other",
                         description="x", calendar="CN", created_at=BASE, updated_at=BASE, **v))
    uow.session.add_all(rows)
    uow.session.flush()
    return rows


def _selected(uow, condition) -> set[int]:
    return set(uow.session.execute(select(Case.id).where(condition)).scalars())


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(cases(), min_size=1, max_size=12), as_of=moment, cutoff=moment)
def test_the_sql_clock_rules_select_what_the_python_rules_say(store, values, as_of, cutoff):
    with store.unit_of_work() as uow:  # never committed: each example sees only its own cases
        rows = _insert(uow, values)
        state = {c.id: clocks.state(c, as_of) for c in rows}
        expect = {
            "internal": {i for i, s in state.items() if s.internal},
            # False, never NULL, for a case without the clock: its negation selects the case.
            "not internal": {c.id for c in rows if clocks.is_open(c.status) and not state[c.id].internal},
            "regulatory": {i for i, s in state.items() if s.regulatory},
            "overdue": {i for i, s in state.items() if s.overdue},
            "stale": {i for i, s in state.items() if s.stale},
            "due soon": {c.id for c in rows if clocks.due_soon(c, as_of, cutoff)},
            "breached": {c.id for c in rows
                         if clocks.is_open(c.status) and (state[c.id].overdue or c.internal_breached
                                                           or c.regulatory_breached)},
        }
        got = {
            "internal": _selected(uow, and_(clocks.open_sql(), clocks.internal_overdue_sql(as_of))),
            "not internal": _selected(uow, and_(clocks.open_sql(), not_(clocks.internal_overdue_sql(as_of)))),
            "regulatory": _selected(uow, and_(clocks.open_sql(), clocks.regulatory_overdue_sql(as_of))),
            "overdue": _selected(uow, clocks.overdue_sql(as_of)),
            "stale": _selected(uow, clocks.stale_sql(as_of)),
            "due soon": _selected(uow, clocks.due_soon_sql(as_of, cutoff)),
            "breached": _selected(uow, clocks.breached_sql(as_of)),
        }
        assert got == expect


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(cases(), min_size=1, max_size=12), as_of=moment)
def test_the_sql_overdue_by_is_the_python_overdue_by(store, values, as_of):
    """clocks.overdue_micros_sql (working time over the business_days table, clock time for the
    urgent plan), and the same counted from clocks.overdue_span_sql's parts, say of each case what
    clocks.read's overdue_by says."""
    cal = BusinessCalendar(Policy())
    with store.unit_of_work() as uow:
        business_days.ensure(uow.session.connection(), cal, 2026, 2026)  # another test may have left another calendar
        rows = _insert(uow, values)
        got = dict(uow.session.execute(select(Case.id, clocks.overdue_micros_sql(as_of))).all())
        # The same counted from its parts (what the overdue CSV counts once per distinct triple).
        parts = dict(uow.session.execute(select(Case.id, clocks.overdue_micros_from(*clocks.overdue_span_sql(as_of)))).all())
        for case in rows:
            span = clocks.read(case, as_of, cal, responded=case.first_responded_at is not None).overdue_by
            assert got[case.id] == parts[case.id] == (None if span is None else round(-span.seconds * 1_000_000)), case


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(cases(), min_size=1, max_size=12), as_of=moment)
def test_report_rows_read_each_case_as_the_clock_rule_does(store, values, as_of):
    ctx = make_context(as_of, "tester", Policy())
    with store.unit_of_work() as uow:
        rows = {c.id: c for c in _insert(uow, values)}
        listed = list(reports.list_cases(uow, ctx, reports.CaseQuery(include_closed=True), as_of=as_of))
        assert len(listed) == len(rows)
        for row in listed:
            case = rows[row["id"]]
            r = clocks.read(case, as_of, ctx.calendar, responded=case.first_responded_at is not None)
            assert (row["overdue"], row["breach"], row["overdue_by"], row["overdue_working_days"], row["time_left"],
                    row["stale"]) == (r.overdue, r.breach, r.overdue_by and r.overdue_by.text(),
                                      r.overdue_working_days, r.time_left and r.time_left.text(), r.stale)


# The views' clocks (complaintctl/sqlviews.py): due soon, time left and age counted in the database.
# Moments from the Thursday before BASE's Monday to the Friday after, a microsecond either side, so
# that a cutoff falls at the end of a Friday with the weekend's moments just past it; receipts
# reach three weeks back, so that every aging bucket's edge is met exactly.
WIDE = sorted({BASE + dt.timedelta(hours=12 * i) + e for i in range(-10, 11) for e in (-ONE, dt.timedelta(0), ONE)})
RECEIPTS = sorted({BASE + dt.timedelta(hours=12 * i) + e for i in range(-42, 6) for e in (-ONE, dt.timedelta(0), ONE)})


@st.composite
def wide_cases(draw):
    values = draw(cases())
    wide = st.one_of(st.none(), st.sampled_from(WIDE))
    values.update(due_at=draw(wide), regulatory_due_at=draw(wide), received_at=draw(st.sampled_from(RECEIPTS)))
    if values["paused_at"] is not None:
        values["paused_at"] = draw(st.sampled_from(WIDE))
    return values


# (Fewer examples than the rules above: the grid test below meets every boundary exhaustively.)
@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(wide_cases(), min_size=1, max_size=12), as_of=st.sampled_from(WIDE),
       days=st.sampled_from((1, 2, 3)))
def test_the_views_clocks_are_the_python_rules(store, values, as_of, days):
    """The views' due soon (the report's condition with the cutoff counted by the database,
    clocks.due_soon_cutoff_sql), time left (time_left_micros_sql) and aging bucket (the report's
    with its edges counted by the database, aging_edges_sql) say of each case what the Python
    says: due soon against deadlines.due_soon_cutoff, time left as clocks.read's, the bucket as
    the report's edges (rows.aging_edges) put it."""
    from complaintctl import deadlines
    from complaintctl.rows import aging_edges

    cal = BusinessCalendar(Policy(due_soon_working_days=days))
    with store.unit_of_work() as uow:
        business_days.ensure(uow.session.connection(), cal, 2026, 2026)
        rows = _insert(uow, values)
        cutoff = deadlines.due_soon_cutoff(as_of, cal)
        assert _selected(uow, clocks.due_soon_sql(as_of, clocks.due_soon_cutoff_sql(as_of, days))) == {
            c.id for c in rows if clocks.due_soon(c, as_of, cutoff)}
        got = dict(uow.session.execute(select(Case.id, clocks.time_left_micros_sql(as_of))).all())
        buckets = dict(uow.session.execute(select(Case.id, clocks.age_bucket_sql(as_of, clocks.aging_edges_sql(as_of)))).all())
        want = dict(uow.session.execute(select(Case.id, clocks.age_bucket_sql(as_of, aging_edges(as_of, cal)))).all())
        assert buckets == want
        for case in rows:
            left = clocks.read(case, as_of, cal, responded=case.first_responded_at is not None).time_left
            assert got[case.id] == (None if left is None else round(left.seconds * 1_000_000)), case


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/London"])
def test_the_views_moments_at_every_edge(store, zone):
    """At every moment of the grid (Thursday to the Friday after, around a weekend; and around
    London's 23-hour Sunday, 29 March 2026): the due-soon cutoff and the aging buckets' edges the
    database counts are the Python's to the microsecond, and each case's time left is clocks.read's
    (an open case a deadline of the grid, and an urgent one whose two deadlines meet there)."""
    from complaintctl import deadlines
    from complaintctl.rows import aging_edges

    shift = dt.timedelta(0) if zone == "Asia/Shanghai" else dt.timedelta(days=27, hours=8)  # London's Monday 30 March
    wide = [m + shift for m in WIDE]
    with store.unit_of_work() as uow:
        cals = {days: BusinessCalendar(Policy(timezone=zone, due_soon_working_days=days)) for days in (1, 2, 5)}
        business_days.ensure(uow.session.connection(), cals[1], 2026, 2026)
        plain = dict(status=d.Status.IN_PROGRESS.value, tier=d.Tier.GENERAL.value, regulatory_due_at=None)
        urgent = dict(plain, tier=d.Tier.URGENT.value)
        due = _insert(uow, [dict(plain, due_at=t) for t in wide] + [dict(urgent, due_at=t, regulatory_due_at=t) for t in wide])
        for as_of in wide:
            moments = [clocks.due_soon_cutoff_sql(as_of, days) for days in cals] + list(clocks.aging_edges_sql(as_of).values())
            got = list(uow.session.execute(select(*moments)).one())
            assert got == [deadlines.due_soon_cutoff(as_of, cal) for cal in cals.values()] + list(
                aging_edges(as_of, cals[1]).values()), as_of
            left = dict(uow.session.execute(select(Case.id, clocks.time_left_micros_sql(as_of))
                                            .where(Case.id.in_([c.id for c in due]))).all())
            for case in due:
                span = clocks.read(case, as_of, cals[1], responded=False).time_left
                assert left[case.id] == (None if span is None else round(span.seconds * 1_000_000)), (as_of, case.due_at)


def test_the_aging_edges_before_the_calendars_first_day_and_a_present_after_its_last(store):
    """In a database's first weeks (its calendar's table begins on 1 January of its first case's
    year) the older buckets' edges fall before the table: every case is received after them, as
    the Python's edges say, rather than in '>15'. A present after the table's last day (a database
    no command has run on for two years) has no age and no bucket, rather than a wrong one."""
    from complaintctl import sqlviews
    from complaintctl.rows import aging_edges

    cal = BusinessCalendar(Policy())
    with store.unit_of_work() as uow:
        business_days.ensure(uow.session.connection(), cal, 2026, 2026)
        plain = dict(status=d.Status.IN_PROGRESS.value, tier=d.Tier.GENERAL.value, regulatory_due_at=None, due_at=None)
        received = [dt.datetime(2026, 1, day, 2, tzinfo=UTC) for day in (1, 5, 6, 9, 12, 14)]
        rows = _insert(uow, [dict(plain, received_at=t) for t in received])
        for as_of in (dt.datetime(2026, 1, 20, 2, tzinfo=UTC), dt.datetime(2026, 1, 28, 2, tzinfo=UTC)):
            python = dict(uow.session.execute(select(Case.id, clocks.age_bucket_sql(as_of, aging_edges(as_of, cal)))).all())
            assert dict(uow.session.execute(select(Case.id, clocks.age_bucket_sql(as_of, clocks.aging_edges_sql(as_of)))).all()) == python
            assert {python[c.id] for c in rows} - {">15"}, python  # (the edges the table cannot reach mattered)
        beyond = dt.datetime(2035, 6, 1, tzinfo=UTC)  # (past any year a test writes)
        aged = uow.session.execute(sqlviews.read_at(beyond, 1)["aging_cases"]).mappings().all()
        assert len(aged) == len(rows) and {(r["age_seconds"], r["age_bucket"]) for r in aged} == {(None, None)}
