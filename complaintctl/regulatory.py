"""The quarterly return and the figures the monthly report is made of: counts of complaints by
JR/T 0169 code, by branch and by region, read from the columns each step of the procedure records
(the decision's cycle, its extension and breach, the withdrawal, the review, the repeat complaints),
over indexes: the period's cases are read once, and the few reviews, repeats and open cases each
through an index of their own."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from . import deadlines
from . import domain as d
from . import labels, reports
from .errors import InvalidValue, UserError
from .models import Case, Cycle
from .db import raw_times, stored_utc as utc
from .context import Context, show_time

_C = Case.__table__.c
_Y = Cycle.__table__.c
TOTAL = "TOTAL"

HANDLING_MEASURES = ("received", "handled_within_15_days", "handled_within_extension", "handled_late",
                     "withdrawn", "repeat", "reviews_requested", "reviews_upheld", "reviews_changed",
                     "reviews_pending", "open_at_quarter_end")


def parse_quarter(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        raise InvalidValue("--quarter", text, "acc.quarter")
    return int(m.group(1)), int(m.group(2))


def parse_month(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2100:
        raise InvalidValue("--month", text, "acc.month")
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


def scope_filter(ctx: Context, branch: str | None = None, region: str | None = None) -> list:
    """The cases a return covers: every branch, one branch, or the branches config's [regions] puts
    in one region (an unknown region is refused, naming the known ones)."""
    if branch and region:
        raise UserError("err.region_and_branch")
    if branch:
        return [_C.branch == branch.strip()]
    if region is None:
        return []
    wanted = region.strip()
    branches = sorted(b for b, r in ctx.regions.items() if r == wanted)
    if not branches:
        known = sorted(set(ctx.regions.values()))
        raise InvalidValue("--region", region, "acc.region" if known else "acc.region_none", known=known)
    return [_C.branch.in_(branches)]


class _Window:
    """One pass over the cases received in [lo, hi), each with the cycle of its first decision (the
    first cycle told to the customer: the one opened by the complaint, or by new facts that restarted
    it): the codes, the handling within or after the time limits, and the withdrawals are counted on
    the way, so the period's cases are read once, not once per table."""

    def __init__(self, uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, scope: list):
        """One pass over the period's cases; long because every figure of the return is counted on the way."""
        book, cal = ctx.code_book, ctx.calendar
        # Nearly every case's first decision is in its first cycle: joined directly. A case whose
        # first cycle was undecided but which has later ones (new facts restarted it) is looked up
        # after, with the few like it. Times come as stored and are converted only where needed.
        stmt = (select(_C.id, _C.branch, _C.product, _C.category, _C.channel, _C.cycle_number,
                       *raw_times([_C.withdrawn_at, _Y.opened_at, _Y.resolved_at]), _Y.regulatory_breached,
                       _Y.regulatory_extension_days)
                .join_from(Case.__table__, Cycle.__table__, and_(_Y.case_id == _C.id, _Y.number == 1))
                .where(_C.received_at >= lo, _C.received_at < hi, *scope))
        pairs: dict[tuple[str, str], int] = {}
        channels: dict[str, int] = {}
        table: dict[str, dict[str, int]] = {}
        base: dict[dt.date, dt.datetime] = {}  # the unextended deadline depends only on the day the cycle opened
        restarted: dict[int, dict[str, int]] = {}
        code = book.code

        def handled(m: dict[str, int], opened, told, breached, extended) -> None:
            told = utc(told)
            if told >= hi:
                return
            if breached:
                m["handled_late"] += 1
                return
            if extended:
                opened = utc(opened)
                day = cal.local_date(opened)
                due = base.get(day)
                if due is None:
                    due = base[day] = deadlines.regulatory_due(opened, cal)
                if told >= due:
                    m["handled_within_extension"] += 1
                    return
            m["handled_within_15_days"] += 1

        for (case_id, b, product, category, channel, cycles, withdrawn, opened, told, breached,
             extended) in uow.session.execute(stmt.execution_options(yield_per=5000)):
            key = (code("product", product) or product, code("category", category) or category)
            pairs[key] = pairs.get(key, 0) + 1
            a = code("channel", channel) or channel
            channels[a] = channels.get(a, 0) + 1
            m = table.get(b or "")
            if m is None:
                m = table[b or ""] = dict.fromkeys(HANDLING_MEASURES, 0)
            m["received"] += 1
            if withdrawn is not None and utc(withdrawn) < hi:
                m["withdrawn"] += 1
            if told is not None:
                handled(m, opened, told, breached, extended)
            elif cycles > 1:
                restarted[case_id] = m
        ids = sorted(restarted)
        first_number = (select(func.min(_Y.number).label("n"), _Y.case_id)
                        .where(_Y.resolved_at.is_not(None)).group_by(_Y.case_id))
        for start in range(0, len(ids), 500):
            chunk = first_number.where(_Y.case_id.in_(ids[start:start + 500])).subquery()
            for case_id, opened, told, breached, extended in uow.session.execute(
                    select(_Y.case_id, *raw_times([_Y.opened_at, _Y.resolved_at]), _Y.regulatory_breached,
                           _Y.regulatory_extension_days)
                    .join(chunk, and_(chunk.c.case_id == _Y.case_id, chunk.c.n == _Y.number))):
                handled(restarted[case_id], opened, told, breached, extended)
        self.table = table
        self.by_type_reason = [{"business_code": b, "business_name": book.name(b, labels.ZH), "reason_code": c,
                                "reason_name": book.name(c, labels.ZH), "received": n} for (b, c), n in sorted(pairs.items())]
        self.by_channel = [{"channel_code": a, "channel_name": book.name(a, labels.ZH), "received": n}
                           for a, n in sorted(channels.items())]


def received_by_code(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, scope: list | None = None
                     ) -> tuple[list[dict], list[dict]]:
    """Complaints received in [lo, hi): by business type x reason (B x C) and by channel (A)."""
    w = _Window(uow, ctx, lo, hi, scope or [])
    return w.by_type_reason, w.by_channel


def handling_by_branch(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, scope: list | None = None,
                       window: "_Window | None" = None) -> list[dict[str, Any]]:
    """Per branch (with its region), as things stood at hi: of the complaints received in [lo, hi),
    handled within the 15 days, within an extension, late, and withdrawn; the repeat complaints and
    the review requests received in [lo, hi) and the reviews' outcomes; the complaints open at hi
    (whenever received). The last row is the total.
    Long because each column of the per-branch table is one aggregate of the same query."""
    scope = scope or []
    w = window or _Window(uow, ctx, lo, hi, scope)
    table = {b: dict(m) for b, m in w.table.items()}

    def put(measure: str, b: str | None, n: int = 1) -> None:
        table.setdefault(b or "", dict.fromkeys(HANDLING_MEASURES, 0))[measure] += n

    # Repeat complaints that arrived in the period, by their original's branch (reports' definition).
    for (b,), n in reports.repeat_complaints(uow, lo, hi, [_C.branch], scope).items():
        put("repeat", b, n)
    # Reviews requested in the period, from the review columns, and how each stood at hi.
    for b, outcome, decided in uow.session.execute(
            select(_C.branch, _C.review_outcome, _C.reviewed_at)
            .where(_C.review_requested_at >= lo, _C.review_requested_at < hi, *scope)):
        put("reviews_requested", b)
        if decided is not None and utc(decided) < hi and outcome in (d.ReviewOutcome.UPHELD.value,
                                                                      d.ReviewOutcome.CHANGED.value):
            put(f"reviews_{outcome}", b)
        else:
            put("reviews_pending", b)
    # Open at the end: the case's cycle in force at hi (no later one opened before hi) had no
    # decision told by then, and the case was neither withdrawn nor closed by then. A review's own
    # cycle is counted under reviews. The rows are counted here rather than grouped in SQL: asked to
    # group by branch, SQLite may walk every case in branch order (seconds at a million) instead of
    # the cycles' resolution index.
    later = Cycle.__table__.alias("later")
    superseded = exists().where(later.c.case_id == _Y.case_id, later.c.number > _Y.number, later.c.opened_at < hi)
    for unresolved in (_Y.resolved_at >= hi, _Y.resolved_at.is_(None)):
        for (b,) in uow.session.execute(
                select(_C.branch)
                .join_from(Cycle.__table__, Case.__table__, _C.id == _Y.case_id)
                .where(unresolved, _Y.opened_at < hi, ~superseded,
                       or_(_Y.opened_by.is_(None), _Y.opened_by != d.Action.REVIEW.value),
                       or_(_C.withdrawn_at.is_(None), _C.withdrawn_at >= hi),
                       or_(_C.closed_at.is_(None), _C.closed_at >= hi), *scope)
                .execution_options(yield_per=5000)):
            put("open_at_quarter_end", b)
    regions = ctx.regions
    rows = [{"branch": b, "region": regions.get(b, ""), **m} for b, m in sorted(table.items())]
    total = {k: sum(r[k] for r in rows) for k in HANDLING_MEASURES}
    rows.append({"branch": TOTAL, "region": "", **total})
    return rows


def by_region(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The branch rows added up by region ("" for branches config's [regions] does not list), with
    the total last."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["branch"] == TOTAL:
            continue
        m = out.setdefault(r["region"], dict.fromkeys(HANDLING_MEASURES, 0))
        for k in HANDLING_MEASURES:
            m[k] += r[k]
    regions = [{"region": name, **m} for name, m in sorted(out.items(), key=lambda kv: (kv[0] == "", kv[0]))]
    total = next((r for r in rows if r["branch"] == TOTAL), None)
    if total is not None:
        regions.append({"region": TOTAL, **{k: total[k] for k in HANDLING_MEASURES}})
    return regions


def quarterly_return(uow, ctx: Context, *, quarter: str | None = None, month: str | None = None,
                     branch: str | None = None, region: str | None = None) -> dict[str, Any]:
    """The return for a quarter (or one month): received by B x C and by A, and handling by branch
    and by region; for every branch, one branch, or one region's branches."""
    if (quarter is None) == (month is None):
        raise InvalidValue("--quarter", quarter or "", "acc.quarter_or_month")
    if quarter is not None:
        year, q = parse_quarter(quarter)
        first, after, period = dt.date(year, 3 * q - 2, 1), month_start(year, 3 * q + 1), f"{year}Q{q}"
    else:
        year, mon = parse_month(month)
        first, after, period = dt.date(year, mon, 1), month_start(year, mon + 1), f"{year}-{mon:02d}"
    scope = scope_filter(ctx, branch, region)
    lo, hi = _window(ctx, first, after)
    with uow:
        window = _Window(uow, ctx, lo, hi, scope)
        handling = handling_by_branch(uow, ctx, lo, hi, scope, window)
    return {"quarter": period, "branch": branch.strip() if branch else None,
            "region": region.strip() if region else None, "from": show_time(lo, ctx),
            "to": show_time(hi - dt.timedelta(microseconds=1), ctx),
            "by_type_reason": window.by_type_reason, "by_channel": window.by_channel, "by_branch": handling,
            "by_region": by_region(handling)}
