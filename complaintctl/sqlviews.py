"""Views for those who read the database directly (a BI tool, psql, the sqlite3 shell): the lists
the tool's reports give, selected by the same SQL (the clock rules of clocks.py), at the present
moment of the database server.

- `overdue_cases`: the open cases whose internal or regulatory clock has run out, what `report
  overdue` lists (apart from its order: by the nearest deadline, most overdue first);
- `stale_cases`: the open, unpaused urgent cases whose daily follow-up has run out (`list --stale`).

`overdue_cases.overdue_seconds` is what `report overdue` shows as "overdue by", in whole seconds:
working time counted over the business_days table (complaintctl/business_days.py), or clock time
for an urgent case's 24-hour plan; up to the moment the clock stopped for a paused case.

They hold no personal data (no customer, contact, account, ID or free text), and times are as
stored: UTC. On PostgreSQL a view reads with the reader's own rights and row-level security
(security_invoker), and is read-only.

A migration writes them (`install`), and writes them again whenever a clock rule changes; `db check`
compares each view with the definition this version would write, and so reports a view changed by
hand, dropped, or left behind by a rule that changed without a new migration.
"""
from __future__ import annotations

import sqlalchemy as sa

from . import clocks
from .models import Case

_C = Case.__table__.c
# What a reader sees of a case: its place in the workflow, never its personal data.
_COLUMNS = ("id", "reference", "branch", "department", "assignee", "tier", "status", "channel", "product",
            "category", "received_at", "due_at", "regulatory_due_at", "paused_at", "pause_reason")


def _selects(now, calendar: bool = True) -> dict[str, sa.Select]:
    """Each view's query, with `now` (an SQL expression) as the moment the clocks are read at.
    `calendar`: with the overdue-by column, which reads the business_days table (revision 0020);
    revision 0017 wrote the views without it."""
    flag = lambda condition: sa.func.coalesce(condition, sa.false())  # noqa: E731 (never NULL)
    # Overdue by in whole seconds: working time, or clock time for an urgent case's plan.
    late = [sa.cast(clocks.overdue_micros_sql(now) / 1_000_000, sa.BigInteger).label("overdue_seconds")] if calendar else []
    return {
        "overdue_cases": sa.select(
            *(_C[name] for name in _COLUMNS),
            flag(clocks.internal_overdue_sql(now)).label("internal_overdue"),
            flag(clocks.regulatory_overdue_sql(now)).label("regulatory_overdue"),
            *late,
        ).where(clocks.overdue_sql(now)),
        "stale_cases": sa.select(*(_C[name] for name in _COLUMNS), _C.followup_due_at).where(clocks.stale_sql(now)),
    }


NAMES = ("overdue_cases", "stale_cases")
REVISION = "0017"  # the migration that first writes them


def definitions(adapter, dialect, calendar: bool = True) -> dict[str, str]:
    """Each view's SELECT as this version writes it for a backend (on one line)."""
    now = sa.literal_column(adapter.now_sql())
    return {name: " ".join(str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})).split())
            for name, stmt in _selects(now, calendar).items()}


def install(adapter, conn, calendar: bool = True) -> None:
    """(Re)create every view as this version defines it (`calendar`: see _selects). `adapter`
    None: the connection's backend's (a migration; the views depend on the backend alone)."""
    if adapter is None:
        from .db import adapter_for

        adapter = adapter_for(conn)
    for name, select_sql in definitions(adapter, conn.dialect, calendar).items():
        adapter.create_view(conn, name, select_sql)


def drop(conn) -> None:
    """Drop the views: a later migration that rebuilds the cases table (SQLite's batch mode copies
    it, drops it and renames the copy, which fails while a view names the table) drops them first
    and installs them again at its end."""
    for name in NAMES:
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")


def problems(adapter, conn) -> list[str]:
    """The views that are missing, or not as this version would write them."""
    want = definitions(adapter, conn.dialect)
    found = adapter.view_definitions(conn, want)
    out = []
    for name, expected in want.items():
        if found.get(name) is None:
            out.append(f"view {name}: missing, or changed outside complaintctl (run 'complaintctl db upgrade')")
        elif found[name] != expected:
            out.append(f"view {name}: not the definition this version writes (run 'complaintctl db upgrade')")
    return out
