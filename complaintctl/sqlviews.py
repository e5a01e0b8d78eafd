"""Views for those who read the database directly (a BI tool, psql, the sqlite3 shell): the lists
the tool's reports give, selected by the same SQL (the clock rules of clocks.py), at the present
moment of the database server.

- `overdue_cases`: the open cases whose internal or regulatory clock has run out, what `report
  overdue` lists (apart from its order: by the nearest deadline, most overdue first);
- `stale_cases`: the open, unpaused urgent cases whose daily follow-up has run out (`list --stale`);
- `due_soon_cases` (revision 0022): the open cases not overdue with a running deadline within the
  config's `due_soon_working_days` (`report due-soon`), with the time left to the nearest one;
- `aging_cases` (revision 0022): every open case with its age in working time since receipt and
  its `report aging` bucket;
- `decided_cycles` (revision 0022): every decided cycle with what `report sla` counts of it (its
  working time, within each limit, first cycle, reopened, a review's, the urgent plan), from the
  report's own SQL: a reader's GROUP BY over a window of resolved_at gives the report's figures.

`overdue_cases.overdue_seconds` is what `report overdue` shows as "overdue by", in whole seconds:
working time counted over the business_days table (complaintctl/business_days.py), or clock time
for an urgent case's 24-hour plan; up to the moment the clock stopped for a paused case.
`due_soon_cases.time_left_seconds` is the report's "time left" and `aging_cases.age_seconds` the
case's age, both so. The due-soon cutoff and the buckets' edges are moments the reports work out
by BusinessCalendar.add_working_seconds; both counts take a working day of 23 or 25 hours (a
working clock-change day) at its own length (revision 0023), so a case's time left and its due
soon, its age and its bucket, agree. Due soon counts the config's working days as it was when the
view was written: `db check` under a config with another number reports the view, and `db upgrade`
writes it again.

They hold no personal data (no customer, contact, account, ID or free text), and times are as
stored: UTC. On PostgreSQL a view reads with the reader's own rights and row-level security
(security_invoker), and is read-only.

A migration writes them (`install`), and writes them again whenever a clock rule changes; `db check`
compares each view with the definition this version would write, and so reports a view changed by
hand, dropped, or left behind by a rule that changed without a new migration.
"""
from __future__ import annotations

import sqlalchemy as sa

from . import business_days, clocks, deadlines, reports
from .models import Case

_C = Case.__table__.c
# What a reader sees of a case: its place in the workflow, never its personal data.
_COLUMNS = ("id", "reference", "branch", "department", "assignee", "tier", "status", "channel", "product",
            "category", "received_at", "due_at", "regulatory_due_at", "paused_at", "pause_reason")


# The revision that first writes each view (later ones may write it again, changed).
FIRST = {"overdue_cases": "0017", "stale_cases": "0017", "due_soon_cases": "0022", "aging_cases": "0022",
         "decided_cycles": "0022"}
NAMES = tuple(FIRST)
REVISION = "0017"  # the migration that first writes any
LATEST = "0027"    # the last that changed them (0027: a decided cycle's own assignee and department)
CALENDAR = "0020"  # from this revision on, overdue_cases counts overdue by over business_days


def _whole_seconds(micros, name: str):
    return sa.cast(micros / 1_000_000, sa.BigInteger).label(name)


def _selects(now, upto: str, due_soon_days: int) -> dict[str, sa.Select]:
    """Each view's query as revision `upto` writes it, with `now` (an SQL expression) as the moment
    the clocks are read at and `due_soon_days` the working days due soon counts."""
    flag = lambda condition: sa.func.coalesce(condition, sa.false())  # noqa: E731 (never NULL)
    case = [_C[name] for name in _COLUMNS]
    # Overdue by in whole seconds: working time, or clock time for an urgent case's plan.
    late = [_whole_seconds(clocks.overdue_micros_sql(now), "overdue_seconds")] if upto >= CALENDAR else []
    views = {
        "overdue_cases": sa.select(
            *case,
            flag(clocks.internal_overdue_sql(now)).label("internal_overdue"),
            flag(clocks.regulatory_overdue_sql(now)).label("regulatory_overdue"),
            *late,
        ).where(clocks.overdue_sql(now)),
        "stale_cases": sa.select(*case, _C.followup_due_at).where(clocks.stale_sql(now)),
        # The reports' own conditions, with the moments they bind (the cutoff, each bucket's
        # start) counted by the database once a query.
        "due_soon_cases": sa.select(*case, _whole_seconds(clocks.time_left_micros_sql(now), "time_left_seconds"),
                                    flag(clocks.time_left_in_clock_hours_sql()).label("time_left_in_clock_hours"))
        .where(clocks.due_soon_sql(now, clocks.due_soon_cutoff_sql(now, due_soon_days)), sa.not_(clocks.overdue_sql(now)),
               reports.received_by(now)),
        # (No bucket when the present lies outside the calendar's table, as there is no age.)
        "aging_cases": sa.select(*case, _whole_seconds(clocks.age_micros_sql(now), "age_seconds"),
                                 sa.case((business_days.covers_sql(now), clocks.age_bucket_sql(now, clocks.aging_edges_sql(now))))
                                 .label("age_bucket"))
        .where(clocks.open_sql(), _C.received_at <= now),
        "decided_cycles": reports.decided_cycles_select(upto),
    }
    return {name: select for name, select in views.items() if FIRST[name] <= upto}


def read_at(moment, due_soon_days: int) -> dict[str, sa.Select]:
    """Each view's query with its clocks read at `moment` instead of the server's present: what the
    view lists when the server's clock shows that moment (the tests compare it with the reports
    asked --as-of the same moment)."""
    return _selects(moment, LATEST, due_soon_days)


def definitions(adapter, dialect, *, upto: str = LATEST, due_soon_days: int, only=None) -> dict[str, str]:
    """Each view's SELECT as revision `upto` writes it for a backend (on one line); `only`: those
    views alone."""
    now = sa.literal_column(adapter.now_sql())
    return {name: " ".join(str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})).split())
            for name, stmt in _selects(now, upto, due_soon_days).items() if only is None or name in only}


def _due_soon_days_written(adapter, dialect, upto: str, found: str) -> int | None:
    """The working days a due_soon_cases view found was written to count, if any the config allows:
    the amounts of whole working days its text holds (in microseconds), each tried."""
    import re

    from .config import INT_RANGES

    lo, hi = INT_RANGES["due_soon_working_days"]
    day = deadlines.DAY * 1_000_000
    held = {int(n) // day for n in re.findall(r"\b\d+\b", found) if int(n) % day == 0 and lo <= int(n) // day <= hi}
    for days in sorted(held):
        if definitions(adapter, dialect, upto=upto, due_soon_days=days, only=("due_soon_cases",)).get("due_soon_cases") == found:
            return days
    return None


def install(adapter, conn, *, upto: str = LATEST, due_soon_days: int) -> None:
    """(Re)create every view as revision `upto` defines it, due soon counting `due_soon_days`.
    `adapter` None: the connection's backend's (a migration)."""
    if adapter is None:
        from .db import adapter_for

        adapter = adapter_for(conn)
    for name, select_sql in definitions(adapter, conn.dialect, upto=upto, due_soon_days=due_soon_days).items():
        adapter.create_view(conn, name, select_sql)


def migration_due_soon_days() -> int:
    """In a migration: the working days due soon counts under the config the upgrade runs with."""
    from alembic import context

    from .config import Policy

    return (context.config.attributes.get("policy") or Policy()).due_soon_working_days


def drop(conn, names=NAMES) -> None:
    """Drop the views: a later migration that rebuilds the cases table (SQLite's batch mode copies
    it, drops it and renames the copy, which fails while a view names the table) drops them first
    and installs them again at its end."""
    for name in names:
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")


def problems(adapter, conn, *, upto: str = LATEST, due_soon_days: int) -> list[str]:
    """The views that are missing, or not as this version would write them at revision `upto`
    (the database's) under a config whose due soon counts `due_soon_days`."""
    want = definitions(adapter, conn.dialect, upto=upto, due_soon_days=due_soon_days)
    found = adapter.view_definitions(conn, want)
    out = []
    for name, expected in want.items():
        if found.get(name) is None:
            out.append(f"view {name}: missing, or changed outside complaintctl (run 'complaintctl db upgrade')")
        elif found[name] != expected:
            days = _due_soon_days_written(adapter, conn.dialect, upto, found[name]) if name == "due_soon_cases" else None
            if days is not None:  # not a fault: written under a config that counts due soon otherwise
                out.append(f"view {name}: counts due soon within {days} working day(s), this config within "
                           f"{due_soon_days} (due_soon_working_days): run 'complaintctl db upgrade' under the config "
                           "readers of the view should follow")
            else:
                out.append(f"view {name}: not the definition this version writes (run 'complaintctl db upgrade')")
    return out
