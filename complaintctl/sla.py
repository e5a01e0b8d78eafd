"""`report sla`'s figures from what the database counts, without SQLAlchemy: the full path
(reports.sla_by, which runs the statements as SQLAlchemy expressions) and the lean one
(complaintctl_cli/lean.py, which runs the same statements compiled to text) both put the report
together here. The statements themselves are defined once, in reports.py (`sla_statement`).

`run(statement, dim, wide, counted, **params)` is how each path reads: the rows of one of the
statements `extent`, `open_breached`, `counts` and `ranks` for a grouping `dim`, the window read
through (`wide`) or by the resolved_at index, and the working time kept (`counted` False) or
counted over the business calendar (True, for cycles decided by a writer that did not keep it)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

from . import deadlines, labels
from .context import Context, date_days, is_date, parse_time, show_time
from .errors import InvalidValue, UserError
from .stored import stored_utc

Run = Callable[..., Iterable]
DIMENSIONS = ("tier", "branch", "assignee", "department", "channel", "product", "category")
COUNTS = ("n", "internal", "regulatory", "ftr", "reopened", "urgent", "urgent_ok", "reviews", "reviews_ok", "unkept")
TOTAL = object()  # the key of the TOTAL row's picked values (a group may be called anything)
# The width of a bar of the working-time histogram, in seconds: narrow enough that the bars
# holding a median or a percentile are a few thousand cycles each, wide enough that a year of
# one group is a few hundred bars.
BAR = 3600
# How `counts` packs a cycle's flags and its bar into one integer to group by (bar * KEY + flags),
# before the group: one integer key first sorts faster than three keys (a year of a million
# cycles on SQLite: 0.70 s against 0.97 s).
KEY = 256
# The most "group|bar" texts `ranks` binds (one parameter each).
MAX_PAIRS = 10000


def received_window(ctx: Context, start: str | None, end: str | None
                    ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """--from is inclusive from 00:00; --to is inclusive to 24:00 when given as a date. Either
    may be left open (None)."""
    lo = parse_time(start, ctx, "--from") if start is not None else None  # (an empty one is refused)
    hi = parse_time(end, ctx, "--to") if end is not None else None
    if hi is not None and is_date(end):  # (a week's last day: date_days)
        hi = ctx.calendar.end_of_day(ctx.calendar.local_date(hi) + dt.timedelta(days=date_days(end) - 1))
    if lo is not None and hi is not None and hi <= lo:
        raise InvalidValue("--to", end, "acc.after_from", start=start)
    return lo, hi


def dimension(name: str) -> str:
    """A grouping typed as its key, its English header or its Chinese name (as `choices` lists it)."""
    return labels.parse_name(name, DIMENSIONS, "--by")


def sla_by(run: Run, ctx: Context, *, start: str | None = None, end: str | None = None,
           by: tuple[str, ...] = ("tier",)) -> list[dict[str, Any]]:
    """`report sla` for several groupings at once (the monthly report's by tier and by branch). The
    database counts each group's cycles and the histogram of their working times (`counts`), then
    picks the few working times each median and 90th percentile reads (`ranks`); only those come
    back to Python, which puts the figures together exactly as statistics.median and
    statistics.quantiles would from every value."""
    this_month = start is None and end is None
    if this_month:
        today = ctx.calendar.local_date(ctx.now)
        lo, hi = ctx.calendar.start_of_day(today.replace(day=1)), ctx.now
    else:
        if start is None or end is None:
            raise UserError("err.window_half", missing="--from" if start is None else "--to",
                            given="--to" if start is None else "--from")
        lo, hi = received_window(ctx, start, end)
    dims = [dimension(b) for b in by]
    edge = min(hi, ctx.now)
    # At now, the open cases as they are; at the end of a past window, those open then (reports.open_at).
    statement = "open_breached" if edge >= ctx.now else "open_breached_past"
    open_breached = _one(run(statement, "tier", False, False, edge=edge))[0]
    wide = _wide(_one(run("extent", "tier", False, False)), lo, hi)
    out = []
    for dim in dims:
        counted = False
        groups, bars = _counts(run("counts", dim, wide, counted, lo=lo, hi=hi))
        total = {k: sum(g[k] for g in groups.values()) for k in COUNTS}
        if total["unkept"]:  # a cycle lacks its kept working time: count it (dearer, and rare)
            counted = True
            groups, bars = _counts(run("counts", dim, wide, counted, lo=lo, hi=hi))
        sizes = {key: g["n"] for key, g in groups.items()}
        picked = _ranks(lambda **p: run("ranks", dim, wide, counted, lo=lo, hi=hi, **p), bars, sizes, total["n"])
        rows = [_row(dim, key, groups[key], picked.get(key, {})) for key in sorted(groups)]
        if groups:
            rows.append(_row(dim, "TOTAL", total, picked.get(TOTAL, {})))
        out.append({"from": show_time(lo, ctx), "to": show_time(hi - dt.timedelta(microseconds=1), ctx), "by": dim,
                    "rows": rows, "open_breached": open_breached, "this_month": this_month})
    return out


def _one(rows: Iterable) -> tuple:
    return tuple(next(iter(rows)))


def _wide(extent: tuple, lo: dt.datetime, hi: dt.datetime) -> bool:
    """Whether the window spans more than a third of the time between the first and the last
    decision (`extent`: read from the ends of the resolved_at index): then reading the cycles
    table through is cheaper than a range of the index (a year of a million cases: 0.4 s against
    0.8 s on SQLite, which cannot tell without histograms)."""
    first, last = (stored_utc(v) for v in extent)
    if first is None or last <= first:
        return False
    return (min(hi, last) - max(lo, first)) * 3 > (last - first)


def _counts(rows: Iterable) -> tuple[dict[str, dict[str, int]], dict[Any, dict[int, int]]]:
    """Each group's counts, and the histogram of its decided cycles' working times (bar -> cycles;
    the whole window's under TOTAL), from `counts`' rows: (0, group, None, *COUNTS) per group,
    (1, group, bar, cycles) per group and bar, and (2, group, None, reopened, of them first
    cycles) per group with cycles reopened (counted from the later cycles' side)."""
    groups: dict[str, dict[str, int]] = {}
    bars: dict[Any, dict[int, int]] = {}
    reopened = []
    for kind, key, b, *counts in rows:
        if kind == 0:
            groups[key] = dict(zip(COUNTS, (int(v) for v in counts)))
        elif kind == 1:
            bars.setdefault(key, {})[b] = int(counts[0])
            every = bars.setdefault(TOTAL, {})
            every[b] = every.get(b, 0) + int(counts[0])
        else:
            reopened.append((key, int(counts[0]), int(counts[1])))
    for key, n, first in reopened:  # a first cycle reopened was not resolved the first time
        groups[key]["reopened"] = n
        groups[key]["ftr"] -= first
    return groups, bars


def quantile_ranks(n: int) -> tuple[int, ...]:
    """The ranks (1 = the shortest) of the working times the median and the 90th percentile of n
    read, as statistics.median and statistics.quantiles(n=100, method="inclusive") read them."""
    if n == 0:
        return ()
    if n == 1:
        return (1,)
    j = 90 * (n - 1) // 100
    return tuple(sorted({(n + 1) // 2, n // 2 + 1, j + 1, j + 2}))


def _ranks(ranks: Callable[..., Iterable], bars: dict[Any, dict[int, int]], sizes: dict[str, int], total: int
           ) -> dict[Any, dict[int, float]]:
    """The working seconds at each group's (and the whole window's, under TOTAL) quantile_ranks,
    found without ordering every cycle: the histogram says which bar holds each rank and its place
    in the bar; `ranks` numbers only the cycles in those bars in order of working time (within the
    group's bar, `r`, and within the bar, `t`) and returns those at the places asked for."""
    wanted: dict[Any, dict[tuple[int, int], int]] = {}  # group -> (bar, place in it) -> rank
    for key, at in [(k, quantile_ranks(n)) for k, n in sizes.items()] + [(TOTAL, quantile_ranks(total))]:
        if at:
            wanted[key] = places(bars[key], at)
    if not wanted:
        return {}
    # Plain lists (a list of row values is a linear OR on PostgreSQL): the bars, each group's bars
    # as "group|bar" (only those cycles are numbered within their group's bar; with many groups
    # the union of their bars is most of the window), the whole window's bars (numbered within
    # the bar), and the places. A row picked for one group's place may be another's, and Python
    # keeps only the ones wanted.
    held = sorted({b for at in wanted.values() for b, _ in at})
    pairs = sorted({pair_key(key, b) for key, at in wanted.items() if key is not TOTAL for b, _ in at})
    every = sorted({b for b, _ in wanted.get(TOTAL, {})})
    if len(pairs) > MAX_PAIRS:  # too many to bind (SQLite takes 32,766 parameters): every cycle of the bars
        pairs, every = [], held
    out: dict[Any, dict[int, float]] = {}
    for key, seconds, b, r, t in ranks(
            bars=held, pairs=pairs, every=every,
            places=sorted({place for key, at in wanted.items() if key is not TOTAL for _, place in at}),
            totals=sorted({place for _, place in wanted.get(TOTAL, {})})):
        for k, place in ((key, (b, r)), (TOTAL, (b, t))):
            rank = wanted.get(k, {}).get(place)
            if rank is not None:
                out.setdefault(k, {})[rank] = float(seconds)
    return out


def pair_key(group: str, bar: int) -> str:
    """A group's bar as one text, as `ranks` writes it in SQL (the bar, after the last "|", has none)."""
    return f"{group}|{bar}"


def places(bars: dict[int, int], ranks: tuple[int, ...]) -> dict[tuple[int, int], int]:
    """Where each rank falls in a histogram: (its bar, its place within the bar) -> rank."""
    out, before, todo = {}, 0, list(ranks)
    for b in sorted(bars):
        while todo and todo[0] <= before + bars[b]:
            rank = todo.pop(0)
            out[(b, rank - before)] = rank
        before += bars[b]
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def median(at: dict[int, float], n: int) -> float | None:
    """statistics.median of the n working times, in working days, from the ranks it reads."""
    if not n:
        return None
    if n % 2:
        return round(at[(n + 1) // 2] / deadlines.DAY, 2)
    return round((at[n // 2] / deadlines.DAY + at[n // 2 + 1] / deadlines.DAY) / 2, 2)


def p90(at: dict[int, float], n: int) -> float | None:
    """statistics.quantiles(n=100, method="inclusive")[89] of the n working times, in working days:
    the same interpolation between the same two ranks, to the same float."""
    if not n:
        return None
    if n == 1:
        return round(at[1] / deadlines.DAY, 2)
    j, delta = divmod(90 * (n - 1), 100)
    return round((at[j + 1] / deadlines.DAY * (100 - delta) + at[j + 2] / deadlines.DAY * delta) / 100, 2)


def _row(by: str, key: str, g: dict, at: dict[int, float]) -> dict[str, Any]:
    return {
        by: key, "resolved": g["n"],
        "within_internal_pct": _pct(g["internal"], g["n"]),
        "within_regulatory_pct": _pct(g["regulatory"], g["n"]),
        "first_time_resolution_pct": _pct(g["ftr"], g["n"]),
        "reopen_pct": _pct(g["reopened"], g["n"]),
        "median_working_days": median(at, g["n"]),
        "p90_working_days": p90(at, g["n"]),
        "urgent_response_pct": _pct(g["urgent_ok"], g["urgent"]),
        "reviews_decided": g["reviews"], "reviews_within_30_days_pct": _pct(g["reviews_ok"], g["reviews"]),
    }
