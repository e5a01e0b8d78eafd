"""The quarterly return and the figures the monthly report is made of: counts of complaints by
JR/T 0169 code and by branch, computed in SQL over indexes (grouped, never a row per case in
Python, so a million cases cost seconds)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from . import deadlines
from . import domain as d
from .errors import InvalidValue
from .models import Case, Cycle
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


def received_by_code(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, branch: str | None = None
                     ) -> tuple[list[dict], list[dict]]:
    """Complaints received in [lo, hi): by business type x reason (B x C) and by channel (A)."""
    book = ctx.code_book
    where = [_C.received_at >= lo, _C.received_at < hi, *_branch_filter(branch)]
    pairs: dict[tuple[str, str], int] = {}
    for product, category, n in uow.session.execute(
            select(_C.product, _C.category, func.count()).where(*where).group_by(_C.product, _C.category)):
        key = (book.code("product", product) or product, book.code("category", category) or category)
        pairs[key] = pairs.get(key, 0) + n
    by_type_reason = [{"business_code": b, "business_name": book.name(b, "zh"), "reason_code": c,
                       "reason_name": book.name(c, "zh"), "received": n} for (b, c), n in sorted(pairs.items())]
    channels: dict[str, int] = {}
    for channel, n in uow.session.execute(select(_C.channel, func.count()).where(*where).group_by(_C.channel)):
        code = book.code("channel", channel) or channel
        channels[code] = channels.get(code, 0) + n
    by_channel = [{"channel_code": a, "channel_name": book.name(a, "zh"), "received": n}
                  for a, n in sorted(channels.items())]
    return by_type_reason, by_channel


def _grouped(uow, stmt) -> dict[str, int]:
    return {(b or ""): n for b, n in uow.session.execute(stmt)}


def handling_by_branch(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime, branch: str | None = None
                       ) -> list[dict[str, Any]]:
    """Per branch, for complaints received in [lo, hi), as things stood at hi: handled within the 15
    days, within an extension, late; withdrawn; repeat complaints; reviews and their outcome; and
    the cases open at hi (whenever received)."""
    cal = ctx.calendar
    bf = _branch_filter(branch)
    window = [_C.received_at >= lo, _C.received_at < hi, *bf]
    table: dict[str, dict[str, int]] = {}

    def put(measure: str, counts: dict[str, int]) -> None:
        for b, n in counts.items():
            table.setdefault(b, dict.fromkeys(HANDLING_MEASURES, 0))[measure] += n

    put("received", _grouped(uow, select(_C.branch, func.count()).where(*window).group_by(_C.branch)))
    put("withdrawn", _grouped(uow, select(_C.branch, func.count()).where(*window, _C.status == WITHDRAWN)
                              .group_by(_C.branch)))
    # The first cycle's outcome: by the 15-day deadline, after it but within the deadline as
    # extended, or late. The 15-day deadline depends only on the day of receipt: worked out once a day.
    first = (select(_C.branch, _C.received_at, _Y.resolved_at, _Y.regulatory_breached)
             .join_from(Case.__table__, Cycle.__table__, and_(_Y.case_id == _C.id, _Y.number == 1))
             .where(*window, _Y.resolved_at.is_not(None), _Y.resolved_at < hi))
    base: dict[dt.date, dt.datetime] = {}
    on_time: dict[str, int] = {}
    extended: dict[str, int] = {}
    late: dict[str, int] = {}
    for b, received, resolved, breached in uow.session.execute(first):
        b = b or ""
        if breached:
            late[b] = late.get(b, 0) + 1
            continue
        day = cal.local_date(received)
        due = base.get(day)
        if due is None:
            due = base[day] = deadlines.regulatory_due(received, cal)
        target = on_time if resolved < due else extended
        target[b] = target.get(b, 0) + 1
    put("handled_within_15_days", on_time)
    put("handled_within_extension", extended)
    put("handled_late", late)
    # Repeat complaints: linked to an earlier case, or from a phone or account that complained before.
    earlier = aliased(Case)
    prior_phone = exists().where(earlier.phone == _C.phone, earlier.received_at < _C.received_at)
    prior_account = exists().where(earlier.account == _C.account, earlier.received_at < _C.received_at)
    repeat = or_(_C.related_case_id.is_not(None), and_(_C.phone.is_not(None), prior_phone),
                 and_(_C.account.is_not(None), prior_account))
    put("repeat", _grouped(uow, select(_C.branch, func.count()).where(*window, repeat).group_by(_C.branch)))
    # Reviews: the customer disagreed and the case was reopened (a new cycle) within the window.
    reviews = (select(_C.branch, func.count(), func.count(_Y.resolved_at).filter(_Y.resolved_at < hi))
               .join_from(Cycle.__table__, Case.__table__, _C.id == _Y.case_id)
               .where(_Y.number > 1, _Y.opened_at >= lo, _Y.opened_at < hi, *bf).group_by(_C.branch))
    for b, n, resolved in uow.session.execute(reviews):
        put("reviews_requested", {b or "": n})
        put("reviews_resolved", {b or "": resolved})
    # Open at the end of the window: a cycle opened before it and not resolved by then (a case
    # closed or withdrawn without a resolution is not open).
    open_end = (select(_C.branch, func.count())
                .join_from(Cycle.__table__, Case.__table__, _C.id == _Y.case_id)
                .where(_Y.opened_at < hi, or_(_Y.resolved_at.is_(None), _Y.resolved_at >= hi),
                       _C.status != WITHDRAWN,
                       or_(_Y.resolved_at.is_not(None), _C.closed_at.is_(None), _C.closed_at >= hi), *bf)
                .group_by(_C.branch))
    put("open_at_quarter_end", _grouped(uow, open_end))
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
        by_type_reason, by_channel = received_by_code(uow, ctx, lo, hi, branch)
        handling = handling_by_branch(uow, ctx, lo, hi, branch)
    return {"quarter": period, "branch": branch, "from": show_time(lo, ctx),
            "to": show_time(hi - dt.timedelta(microseconds=1), ctx),
            "by_type_reason": by_type_reason, "by_channel": by_channel, "by_branch": handling}
