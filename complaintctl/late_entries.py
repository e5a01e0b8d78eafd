"""Late entries: the steps recorded after a deadline they are dated before (`report late-entries`).

A step's `--at` (or an extension's `--customer-told-at`) says when it really happened, and the
event keeps both that time and the time it was recorded. A step dated before one of its cycle's
deadlines but recorded after that deadline had passed met the deadline only on its own say-so:
the register showed the case late until it was entered. Such a step may be true (a decision told by
telephone at 17:00, entered the next morning) or may hide a breach; the reports count it as met,
by the time it says. This listing puts each one in front of a manager or an auditor, with who
recorded it and how long after the deadline, for the window of recording asked for.

Which deadlines: those the step meets or stops (CLOCKS): the urgent 24-hour plan (`response`; a
case that is not urgent owes none), the internal deadline, the regulatory one, a review's own 30
days (`review`, kept in its cycle's regulatory deadline); each as
it stood just before the step was recorded, replayed from the case's events (an extension moves the
very deadline it was entered after, and a later resume moves a paused case's).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Iterable

from . import domain as d
from .context import Context, scope, show_time

# The steps that meet or stop a clock, whose time a backdating moves to the right side of a deadline,
# and the clocks each one meets: the urgent plan (a respond), the internal deadline (a pause stops it),
# the regulatory one (an extension must come before it; a review's decision meets the review's).
CLOCKS = {d.Action.RESPOND.value: ("response",), d.Action.RESOLVE.value: ("internal", "regulatory"),
          d.Action.WITHDRAW.value: ("internal", "regulatory"), d.Action.PAUSE.value: ("internal",),
          d.Action.EXTEND.value: ("regulatory",), d.Action.REVIEW_DECIDE.value: ("review",)}
STEPS = tuple(CLOCKS)


def late_entries(uow, ctx: Context, *, start: str | None = None, end: str | None = None,
                 branch: str | None = None, region: str | None = None, dated: bool = False) -> list[dict[str, Any]]:
    """The steps recorded from `start` to `end` (--from and --to: dates include their whole day;
    either may be left open) after a deadline of their cycle that they are dated before, in the
    order they were recorded; of one branch's cases or one region's (config's [regions], as the
    return's --region). `dated`: the window is of the dates the steps bear (their --at)
    rather than of their recording: those behind a period's figures, which the return counts."""
    from sqlalchemy import select

    from .models import Case, Event
    from .reports import CaseQuery, check_names
    from .sla import received_window

    lo, hi = received_window(ctx, start, end)
    e, c = Event.__table__.c, Case.__table__.c
    query = (select(e.id, e.case_id, e.action, e.actor, e.occurred_at, e.recorded_at, c.reference, c.branch)
             .join(Case.__table__, c.id == e.case_id)
             .where(e.action.in_(STEPS), e.occurred_at < e.recorded_at).order_by(e.id))
    when = e.occurred_at if dated else e.recorded_at
    if lo is not None:
        query = query.where(when >= lo)
    if hi is not None:
        query = query.where(when < hi)
    where = scope(ctx, branch, region)  # (both given, or an unknown region: refused)
    if where.kind == "one":
        query = query.where(c.branch == where.value)
    elif where.kind == "many":
        query = query.where(c.branch.in_(where.value))
    with uow:
        check_names(uow, CaseQuery(branch=branch))  # a branch nobody has: refused, not an empty list
        steps = uow.session.execute(query).all()
        found = crossed(steps, lambda ids: uow.session.execute(select(e.id, e.case_id, e.new)
                                                                .where(e.case_id.in_(ids)).order_by(e.id)))
    out = []
    for ev, crossed_ in zip(steps, found):
        if not crossed_:
            continue
        name, due = min(crossed_, key=lambda c: c[1])  # the one passed first
        out.append({"reference": ev.reference, "branch": ev.branch, "action": ev.action, "actor": ev.actor,
                    "occurred_at": show_time(ev.occurred_at, ctx), "recorded_at": show_time(ev.recorded_at, ctx),
                    "deadline": "+".join(n for n, _ in crossed_), "due_at": show_time(due, ctx),
                    "recorded_after_seconds": int((ev.recorded_at - due).total_seconds())})
    return out


def crossed(steps: list, history_of: Callable[[list[int]], Iterable]) -> list[list[tuple[str, dt.datetime]]]:
    """For each step (rows with id, case_id, action, occurred_at and recorded_at, aware times), the
    deadlines it was dated before but recorded after (an empty list: none). `history_of(ids)` reads
    those cases' events (id, case_id, new) in order, a few hundred cases at a time: `report
    late-entries` and the return's count (return_figures.late_entries) both ask this."""
    ids = sorted({ev.case_id for ev in steps})
    history: dict[int, list] = {}
    for first in range(0, len(ids), 500):
        for row in history_of(ids[first:first + 500]):
            history.setdefault(row.case_id, []).append(row)
    before = _deadlines_before({ev.id for ev in steps}, history)
    return [_crossed(ev, before.get(ev.id, {})) for ev in steps]


def _crossed(ev, held: dict[str, Any]) -> list[tuple[str, dt.datetime]]:
    """The deadlines (name, time) a step was dated before but recorded after, of those it meets
    (CLOCKS), each as it stood just before the step (`held`). Only an urgent case owes a 24-hour
    plan (its first_response_due_at, set when it became urgent), and only a cycle's first answer
    gives it: a general case's answer, or a further reply, meets no deadline of its own. A review's
    cycle has its own 30 days in regulatory_due_at: the deadline its decision, or a withdrawal
    during it, meets is named for it."""
    deadline = {"response": None if held.get("first_responded_at") else held.get("first_response_due_at"),
                "internal": held.get("due_at"), "regulatory": held.get("regulatory_due_at"),
                "review": held.get("regulatory_due_at")}
    clocks = CLOCKS[ev.action]
    if held.get("status") == d.Status.UNDER_REVIEW.value:
        clocks = tuple("review" if name == "regulatory" else name for name in clocks)
    return [(name, deadline[name]) for name in clocks
            if deadline[name] is not None and ev.occurred_at < deadline[name] <= ev.recorded_at]


_FIELDS = ("due_at", "regulatory_due_at", "first_response_due_at", "first_responded_at")


def _deadlines_before(wanted: set[int], history: dict[int, list]) -> dict[int, dict[str, Any]]:
    """For each event id in `wanted`, its case's deadlines (and its status, and whether its cycle's
    first answer was given) as they stood just before it: replayed from
    the case's events in order, each deadline as the last earlier event that set it left it (an
    extension's own event moves the deadline it was recorded after; a later resume does not count)."""
    out: dict[int, dict[str, Any]] = {}
    for events in history.values():
        held: dict[str, Any] = {}
        for row in events:
            if row.id in wanted:
                out[row.id] = dict(held)
            new = json.loads(row.new) if row.new else {}
            if new.get("status"):
                held["status"] = new["status"]
            for field in _FIELDS:
                if field in new:
                    value = new[field]
                    if value is None:
                        held.pop(field, None)
                    else:
                        held[field] = dt.datetime.fromisoformat(value)
    return out
