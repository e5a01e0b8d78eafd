"""A remediation action as every output gives it (JSON, CSV, tables), without SQL: shared by
remediation.py and the lean report overdue's section of late actions (complaintctl_cli/lean.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .context import Context, show_time
from .domain import ActionStatus


def done_by(action, as_of: dt.datetime) -> dt.datetime | None:
    """When the action was done, if it was by `as_of` (one done later was still open then)."""
    return action.done_at if action.done_at is not None and action.done_at <= as_of else None


def is_late(action, as_of: dt.datetime, ctx: Context) -> bool:
    """An open action is late from 24:00 at the end of its due date (a done one, if done after it)."""
    end = ctx.calendar.end_of_day(action.due_on)
    return (done_by(action, as_of) or as_of) >= end


def days_late(action, as_of: dt.datetime, ctx: Context) -> int:
    """Calendar days past the due date (0 when not late)."""
    stop = ctx.calendar.local_date(done_by(action, as_of) or as_of)
    return max(0, (stop - action.due_on).days)


def action_row(action, ctx: Context, refs: list[str], as_of: dt.datetime | None = None) -> dict[str, Any]:
    """The action (a models.RemediationAction, or an object with its attributes as the models give
    them back) with the references of its cases, as of `as_of` (default: now)."""
    moment = as_of or ctx.now
    late = is_late(action, moment, ctx)
    done = done_by(action, moment)  # as it stood then: one done since was open
    return {"id": action.id, "title": action.title,
            "root_cause": action.root_cause, "product": action.product, "owner": action.owner,
            "due_on": action.due_on.isoformat(), "status": action.status if done is not None else ActionStatus.OPEN.value,
            "late": late, "days_late": days_late(action, moment, ctx) if late else 0,
            "done_at": show_time(done, ctx),
            "evidence": action.evidence if done is not None else None,
            "cases": refs, "created_by": action.created_by, "created_at": show_time(action.created_at, ctx)}


def grouped_refs(rows) -> dict[int, list[str]]:
    """(action id, case reference) rows, in order, as each action's references."""
    out: dict[int, list[str]] = {}
    for action_id, ref in rows:
        out.setdefault(action_id, []).append(ref)
    return out
