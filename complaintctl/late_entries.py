"""Late entries: the steps recorded after a deadline they are dated before (`report late-entries`).

A step's `--at` (or `--requested-at`, `--customer-told-at`) says when it really happened, and the
event keeps both that time and the time it was recorded. A step dated before one of its cycle's
deadlines but recorded after that deadline had passed met the deadline only on its own say-so:
the register showed the case late until it was entered. Such a step may be true (a decision told by
telephone at 17:00, entered the next morning) or may hide a breach; the reports count it as met,
by the time it says. This listing puts each one in front of a manager or an auditor, with who
recorded it and how long after the deadline, for the window of recording asked for.

Which deadlines: those of the cycle in force when the step happened (the last opened at or before
it) that the step meets or stops (CLOCKS): its internal deadline (for an urgent case's `respond`,
the 24-hour plan), its regulatory one (a review's cycle: the review's). A deadline is as the cycle
holds it now (a pause may have moved it since).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from . import domain as d
from .context import Context, show_time
from .models import Case, Cycle, Event

# The steps that meet or stop a clock, whose time a backdating moves to the right side of a deadline,
# and the clocks each one meets: the urgent plan (a respond), the internal deadline (a pause stops it),
# the regulatory one (an extension must come before it; a review's decision meets the review's).
CLOCKS = {d.Action.RESPOND.value: ("internal",), d.Action.RESOLVE.value: ("internal", "regulatory"),
          d.Action.WITHDRAW.value: ("internal", "regulatory"), d.Action.PAUSE.value: ("internal",),
          d.Action.EXTEND.value: ("regulatory",), d.Action.REVIEW_DECIDE.value: ("regulatory",)}
STEPS = tuple(CLOCKS)


def late_entries(uow, ctx: Context, *, start: str | None = None, end: str | None = None,
                 branch: str | None = None) -> list[dict[str, Any]]:
    """The steps recorded from `start` to `end` (--from and --to: dates include their whole day;
    either may be left open) after a deadline of their cycle that they are dated before, in the
    order they were recorded. Long because it reads the steps, then their cycles, then decides
    each step against its cycle's deadlines."""
    from .reports import CaseQuery, check_names
    from .sla import received_window

    lo, hi = received_window(ctx, start, end)
    e, c = Event.__table__.c, Case.__table__.c
    query = (select(e.id, e.case_id, e.action, e.actor, e.occurred_at, e.recorded_at, c.reference, c.branch)
             .join(Case.__table__, c.id == e.case_id)
             .where(e.action.in_(STEPS), e.occurred_at < e.recorded_at).order_by(e.id))
    if lo is not None:
        query = query.where(e.recorded_at >= lo)
    if hi is not None:
        query = query.where(e.recorded_at < hi)
    if branch:
        query = query.where(c.branch == branch.strip())
    with uow:
        check_names(uow, CaseQuery(branch=branch))  # a branch nobody has: refused, not an empty list
        events = uow.session.execute(query).all()
        y = Cycle.__table__.c
        cycles: dict[int, list] = {}
        ids = sorted({ev.case_id for ev in events})
        for start in range(0, len(ids), 500):
            for row in uow.session.execute(select(y.case_id, y.opened_at, y.due_at, y.first_response_due_at,
                                                  y.regulatory_due_at).where(y.case_id.in_(ids[start:start + 500]))
                                           .order_by(y.case_id, y.number)):
                cycles.setdefault(row.case_id, []).append(row)
    out = []
    for ev in events:
        cycle = None
        for candidate in cycles.get(ev.case_id, []):
            if candidate.opened_at <= ev.occurred_at:
                cycle = candidate
        if cycle is None:
            continue
        internal = cycle.first_response_due_at if ev.action == d.Action.RESPOND.value else cycle.due_at
        crossed = [(name, due) for name, due in (("internal", internal), ("regulatory", cycle.regulatory_due_at))
                   if name in CLOCKS[ev.action] and due is not None and ev.occurred_at < due <= ev.recorded_at]
        if not crossed:
            continue
        name, due = crossed[0]  # the earlier one (internal before regulatory)
        out.append({"reference": ev.reference, "branch": ev.branch, "action": ev.action, "actor": ev.actor,
                    "occurred_at": show_time(ev.occurred_at, ctx), "recorded_at": show_time(ev.recorded_at, ctx),
                    "deadline": "+".join(n for n, _ in crossed), "due_at": show_time(due, ctx),
                    "recorded_after_seconds": int((ev.recorded_at - due).total_seconds())})
    return out
