"""The quarterly return and the figures the monthly report is made of: counts of complaints by
JR/T 0169 code and by branch, computed in SQL over indexes (grouped, never a row per case in
Python, so a million cases cost seconds)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, case as sql_case, exists, func, or_, select
from sqlalchemy.orm import aliased

from . import deadlines
from . import domain as d
from .errors import InvalidValue
from .models import Case, Cycle
from .reports import utc
from .context import Context, show_time

_C = Case.__table__.c
_Y = Cycle.__table__.c
WITHDRAWN = "withdrawn"  # the status the procedure's withdrawal gives a case (counted once it exists)
TOTAL = "TOTAL"

HANDLING_MEASURES = ("received", "handled_within_15_days", "handled_within_extension", "handled_late",
                     "withdrawn", "repeat", "reviews_requested", "reviews_resolved", "open_at_quarter_end")


def parse_quarter(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        raise InvalidValue("--quarter", text, "a quarter such as 2026Q3")
    return int(m.group(1)), int(m.group(2))


def parse_month(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2100:
        raise InvalidValue("--month", text, "a month such as 2026-10")
    return int(m.group(1)), int(m.group(2))


def month_start(year: int, month: int) -> dt.date:
    while month > 12:
        year, month = year + 1, month - 12
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def _window(ctx: Context, first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    cal = ctx.calendar
    return cal.start_of_day(first), cal.start_of_day(after)


def _branch_filter(branch: str | None) -> list:
    return [_C.branch == branch.strip()] if branch else []


class _Window:
    """One pass over the cases received in [lo, hi) (with each one's first cycle and whether it is a
    repeat): every per-case figure of the return is counted on the way, so the window's cases are
    read once, not once per table."""

    def __init__(self, uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, branch: str | None):
        book, cal = ctx.code_book, ctx.calendar
        earlier = aliased(Case)
        repeat = or_(_C.related_case_id.is_not(None),
                     and_(_C.phone.is_not(None),
                          exists().where(earlier.phone == _C.phone, earlier.received_at < _C.received_at)),
                     and_(_C.account.is_not(None),
                          exists().where(earlier.account == _C.account, earlier.received_at < _C.received_at)))
        stmt = (select(_C.branch, _C.product, _C.category, _C.channel, _C.status, _C.received_at, _Y.resolved_at,
                       _Y.regulatory_breached, sql_case((repeat, 1), else_=0))
                .join_from(Case.__table__, Cycle.__table__, and_(_Y.case_id == _C.id, _Y.number == 1))
                .where(_C.received_at >= lo, _C.received_at < hi, *_branch_filter(branch)))
        pairs: dict[tuple[str, str], int] = {}
        channels: dict[str, int] = {}
        table: dict[str, dict[str, int]] = {}
        base: dict[dt.date, dt.datetime] = {}  # the 15-day deadline depends only on the day of receipt
        code = book.code
        for b, product, category, channel, status, received, resolved, breached, is_repeat in uow.session.execute(
                stmt.execution_options(yield_per=5000)):
            key = (code("product", product) or product, code("category", category) or category)
            pairs[key] = pairs.get(key, 0) + 1
            a = code("channel", channel) or channel
            channels[a] = channels.get(a, 0) + 1
            m = table.get(b or "")
            if m is None:
                m = table[b or ""] = dict.fromkeys(HANDLING_MEASURES, 0)
            m["received"] += 1
            m["repeat"] += is_repeat
            if status == WITHDRAWN:
                m["withdrawn"] += 1
            if resolved is None:
                continue
            resolved = utc(resolved)
            if resolved >= hi:
                continue
            if breached:
                m["handled_late"] += 1
                continue
            received = utc(received)
            day = cal.local_date(received)
            due = base.get(day)
            if due is None:
                due = base[day] = deadlines.regulatory_due(received, cal)
            m["handled_within_15_days" if resolved < due else "handled_within_extension"] += 1
        self.table = table
        self.by_type_reason = [{"business_code": b, "business_name": book.name(b, "zh"), "reason_code": c,
                                "reason_name": book.name(c, "zh"), "received": n} for (b, c), n in sorted(pairs.items())]
        self.by_channel = [{"channel_code": a, "channel_name": book.name(a, "zh"), "received": n}
                           for a, n in sorted(channels.items())]


def received_by_code(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, branch: str | None = None
                     ) -> tuple[list[dict], list[dict]]:
    """Complaints received in [lo, hi): by business type x reason (B x C) and by channel (A)."""
    w = _Window(uow, ctx, lo, hi, branch)
    return w.by_type_reason, w.by_channel


def _grouped(uow, stmt) -> dict[str, int]:
    return {(b or ""): n for b, n in uow.session.execute(stmt)}


def handling_by_branch(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, branch: str | None = None,
                       window: "_Window | None" = None) -> list[dict[str, Any]]:
    """Per branch, for complaints received in [lo, hi), as things stood at hi: handled within the 15
    days, within an extension, late; withdrawn; repeat complaints (linked to an earlier case, or from
    a phone or account that complained before); reviews and their outcome; and the cases open at hi
    (whenever received)."""
    bf = _branch_filter(branch)
    w = window or _Window(uow, ctx, lo, hi, branch)
    table = {b: dict(m) for b, m in w.table.items()}

    def put(measure: str, counts: dict[str, int]) -> None:
        for b, n in counts.items():
            table.setdefault(b, dict.fromkeys(HANDLING_MEASURES, 0))[measure] += n

    # Reviews: the customer disagreed and the case was reopened (a new cycle) within the window.
    # The few reopened cycles are found first, then their cases' branches (joined the other way
    # round, the planner walks every case).
    reopened = uow.session.execute(
        select(_Y.case_id, _Y.resolved_at).where(_Y.number > 1, _Y.opened_at >= lo, _Y.opened_at < hi)).all()
    ids = sorted({case_id for case_id, _ in reopened})
    branches: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        branches.update(uow.session.execute(select(_C.id, _C.branch).where(_C.id.in_(chunk), *bf)).all())
    for case_id, resolved in reopened:
        if case_id in branches:
            b = branches[case_id] or ""
            put("reviews_requested", {b: 1})
            put("reviews_resolved", {b: int(resolved is not None and utc(resolved) < hi)})
    # Open at the end of the window: a cycle opened before it and not resolved by then (a case
    # closed or withdrawn without a resolution is not open). Two index ranges on resolved_at.
    for unresolved in (_Y.resolved_at >= hi, _Y.resolved_at.is_(None)):
        put("open_at_quarter_end", _grouped(uow, (
            select(_C.branch, func.count())
            .join_from(Cycle.__table__, Case.__table__, _C.id == _Y.case_id)
            .where(unresolved, _Y.opened_at < hi, _C.status != WITHDRAWN,
                   or_(_Y.resolved_at.is_not(None), _C.closed_at.is_(None), _C.closed_at >= hi), *bf)
            .group_by(_C.branch))))
    rows = [{"branch": b, **m} for b, m in sorted(table.items())]
    total = {k: sum(r[k] for r in rows) for k in HANDLING_MEASURES}
    rows.append({"branch": TOTAL, **total})
    return rows


def quarterly_return(uow, ctx: Context, *, quarter: str | None = None, month: str | None = None,
                     branch: str | None = None) -> dict[str, Any]:
    """The return for a quarter (or one month): received by B x C and by A, and handling by branch."""
    if (quarter is None) == (month is None):
        raise InvalidValue("--quarter", quarter or "", "either --quarter (such as 2026Q3) or --month (2026-07)")
    if quarter is not None:
        year, q = parse_quarter(quarter)
        first, after, period = dt.date(year, 3 * q - 2, 1), month_start(year, 3 * q + 1), f"{year}Q{q}"
    else:
        year, mon = parse_month(month)
        first, after, period = dt.date(year, mon, 1), month_start(year, mon + 1), f"{year}-{mon:02d}"
    lo, hi = _window(ctx, first, after)
    with uow:
        window = _Window(uow, ctx, lo, hi, branch)
        by_type_reason, by_channel = window.by_type_reason, window.by_channel
        handling = handling_by_branch(uow, ctx, lo, hi, branch, window)
    return {"quarter": period, "branch": branch, "from": show_time(lo, ctx),
            "to": show_time(hi - dt.timedelta(microseconds=1), ctx),
            "by_type_reason": by_type_reason, "by_channel": by_channel, "by_branch": handling}
