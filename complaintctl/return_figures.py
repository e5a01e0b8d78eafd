"""The quarterly return's figures put together from what the database reads, without SQLAlchemy: the
full way (complaintctl/regulatory.py, which runs the statements as SQLAlchemy expressions) and the
lean one (complaintctl_cli/lean.py, which runs the same statements compiled to text) both count here.
The statements themselves are defined once, in regulatory.py (`return_statement`).

`run(statement, **params)` is how each way reads the rows of one statement, over the return's scope
(every branch, one, or one region's: `Scope`):
- `window`: the cases received in [lo, hi), each with its first cycle (the codes, the decision, its
  breach and extension, the withdrawal);
- `restarted`: the first decided cycle of the cases `ids` (restarted by new facts);
- `repeats` and `repeat_cases`: the repeat complaints that arrived in [lo, hi), and their original
  cases' branches by id (reports.repeat_complaints' definition);
- `reviews`: the reviews requested in [lo, hi), with their outcomes; `reviews_open`: the reviews
  pending at hi, whenever requested (not decided by then, the case not withdrawn by then), by branch;
- `open_decided_after` and `open_undecided`: the cases open at hi, by branch;
- `other_decided`: the decisions told in [lo, hi) other than the first decisions of the complaints
  received in it (a complaint received before lo first decided, a reopened case decided again), each
  with its cycle; `other_reviews`: the reviews requested before lo decided in [lo, hi);
- `late_steps` and `late_history`: the steps that meet a deadline dated in [lo, hi), and their
  cases' events in order, from which the late entries among them are counted (`report
  late-entries`' rule, complaintctl/late_entries.py)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Iterable, NamedTuple

from . import deadlines
from . import domain as d
from . import labels
from .context import Context, Scope, scope, show_time  # (the return's scope: --branch, --region)
from .errors import InvalidValue, UserError
from .stored import stored_utc as utc
from .summary import tally_repeats

Run = Callable[..., Iterable]
TOTAL = "TOTAL"

HANDLING_MEASURES = ("received", "handled_within_15_days", "handled_within_extension", "handled_late",
                     "withdrawn", "repeat", "reviews_requested", "reviews_upheld", "reviews_changed",
                     "reviews_pending", "open_at_quarter_end",
                     # The period's other decisions: of complaints received before it, of cases reopened
                     # (decided again), of reviews asked for before it; each is this period's outcome.
                     "other_handled_within_15_days", "other_handled_within_extension", "other_handled_late",
                     "other_reviews_upheld", "other_reviews_changed")
# The cases of a restarted case's first decision are read by id, this many at a time.
CHUNK = 500
# The return's statements (regulatory.return_statement defines each), and the parameter each kind
# of scope binds its value to (regulatory.scope_condition).
STATEMENTS = ("window", "restarted", "repeats", "repeat_cases", "reviews", "reviews_open", "open_decided_after",
              "open_undecided", "other_decided", "other_reviews", "late_steps", "late_history")
SCOPE_PARAMETERS = {"one": "f_branch", "many": "f_places"}
# The statements whose rows are many (a row a case or cycle), streamed rather than fetched whole.
STREAMED = ("window", "open_decided_after", "open_undecided")


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


def window(ctx: Context, first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[lo, hi): from the local midnight of `first` to that of `after`."""
    cal = ctx.calendar
    return cal.start_of_day(first), cal.start_of_day(after)


class Window:
    """One pass over the cases received in [lo, hi), each with the cycle of its first decision (the
    first cycle told to the customer: the one opened by the complaint, or by new facts that restarted
    it): the codes, the handling within or after the time limits, and the withdrawals are counted on
    the way, so the period's cases are read once, not once per table."""

    def __init__(self, run: Run, ctx: Context, lo: dt.datetime, hi: dt.datetime):
        """One pass over the period's cases; long because every figure of the return is counted on the way."""
        book, cal = ctx.code_book, ctx.calendar
        # Nearly every case's first decision is in its first cycle, read with it. A case whose first
        # cycle was undecided but which has later ones (new facts restarted it) is looked up after,
        # with the few like it. Times come as stored and are converted only where needed.
        pairs: dict[tuple[str, str], int] = {}
        channels: dict[str, int] = {}
        table: dict[str, dict[str, int]] = {}
        base: dict[tuple, dt.datetime] = {}  # the unextended deadline, by the cycle's opening and deadline in force
        restarted: dict[int, dict[str, int]] = {}
        code = book.code

        def handled(m: dict[str, int], opened, told, breached, extended, due_in_force, measure: str = "") -> None:
            told = utc(told)
            if told >= hi:
                return
            if breached:
                m[measure + "handled_late"] += 1
                return
            if extended:
                key = (opened, due_in_force)
                due = base.get(key)
                if due is None:
                    due = base[key] = unextended_due(utc(opened), utc(due_in_force), extended, cal)
                if told >= due:
                    m[measure + "handled_within_extension"] += 1
                    return
            m[measure + "handled_within_15_days"] += 1

        for (case_id, b, product, category, channel, cycles, withdrawn, opened, told, breached,
             extended, due_in_force) in run("window", lo=lo, hi=hi):
            key = (code("product", product) or product, code("category", category) or category)
            pairs[key] = pairs.get(key, 0) + 1
            a = code("channel", channel) or channel
            channels[a] = channels.get(a, 0) + 1
            m = table.get(b or "")
            if m is None:
                m = table[b or ""] = dict.fromkeys(HANDLING_MEASURES, 0)
            m["received"] += 1
            if withdrawn is not None and utc(withdrawn) < hi and told is None:  # withdrawn once decided: handled
                m["withdrawn"] += 1
            if told is not None:
                handled(m, opened, told, breached, extended, due_in_force)
            elif cycles > 1:
                restarted[case_id] = m
        ids = sorted(restarted)
        for start in range(0, len(ids), CHUNK):
            for case_id, opened, told, breached, extended, due_in_force in run("restarted",
                                                                                ids=ids[start:start + CHUNK]):
                handled(restarted[case_id], opened, told, breached, extended, due_in_force)
        # The period's other decisions (received before it, or decided again after a reopen), counted
        # as a first decision of a complaint of the period would be, apart.
        for b, opened, told, breached, extended, due_in_force in run("other_decided", lo=lo, hi=hi):
            m = table.get(b or "")
            if m is None:
                m = table[b or ""] = dict.fromkeys(HANDLING_MEASURES, 0)
            handled(m, opened, told, breached, extended, due_in_force, "other_")
        self.table = table
        self.by_type_reason = [{"business_code": b, "business_name": book.name(b, labels.ZH), "reason_code": c,
                                "reason_name": book.name(c, labels.ZH), "received": n} for (b, c), n in sorted(pairs.items())]
        self.by_channel = [{"channel_code": a, "channel_name": book.name(a, labels.ZH), "received": n}
                           for a, n in sorted(channels.items())]


def unextended_due(opened: dt.datetime, due_in_force: dt.datetime | None, extended_to: int,
                   cal) -> dt.datetime:
    """The 15-day deadline of a cycle whose period was extended to `extended_to` days: with the same
    whole days of appraisal as its deadline in force carries (an appraisal's days are not counted:
    deadlines.regulatory_due), found from that deadline; with none when it cannot be."""
    days = deadlines.regulatory_period_days(extended_to, cal.policy)
    if due_in_force is not None:
        for appraisal in range(366):
            end = deadlines.period_end(opened, days + appraisal, cal)
            if end == due_in_force:
                return deadlines.regulatory_due(opened, cal, paused_seconds=appraisal * deadlines.DAY)
            if end > due_in_force:
                break
    return deadlines.regulatory_due(opened, cal)


def handling_by_branch(run: Run, ctx: Context, lo: dt.datetime, hi: dt.datetime,
                       window_read: Window | None = None) -> list[dict[str, Any]]:
    """Per branch (with its region), as things stood at hi: of the complaints received in [lo, hi),
    handled within the 15 days, within an extension, late, and withdrawn; the repeat complaints and
    the review requests received in [lo, hi) and the reviews' outcomes; the complaints open at hi
    (whenever received). The last row is the total."""
    w = window_read or Window(run, ctx, lo, hi)
    table = {b: dict(m) for b, m in w.table.items()}

    def put(measure: str, b: str | None, n: int = 1) -> None:
        table.setdefault(b or "", dict.fromkeys(HANDLING_MEASURES, 0))[measure] += n

    # Repeat complaints that arrived in the period, by their original's branch (reports' definition).
    for (b,), n in tally_repeats(run("repeats", lo=lo, hi=hi), lambda ids: run("repeat_cases", ids=ids)).items():
        put("repeat", b, n)
    # Reviews requested in the period, from the review columns, and those decided by hi.
    for b, outcome, decided in run("reviews", lo=lo, hi=hi):
        put("reviews_requested", b)
        if decided is not None and utc(decided) < hi and outcome in (d.ReviewOutcome.UPHELD.value,
                                                                      d.ReviewOutcome.CHANGED.value):
            put(f"reviews_{outcome}", b)
    # Reviews pending at hi, whenever requested (as the cases open at hi are, whenever received): a
    # review asked for in an earlier period and still undecided is this period's too; one the
    # complainant withdrew is not.
    for (b,) in run("reviews_open", hi=hi):
        put("reviews_pending", b)
    # Reviews asked for before the period and decided in it.
    for b, outcome in run("other_reviews", lo=lo, hi=hi):
        if outcome in (d.ReviewOutcome.UPHELD.value, d.ReviewOutcome.CHANGED.value):
            put(f"other_reviews_{outcome}", b)
    # Open at the end, counted here rather than grouped in SQL (regulatory.return_statement says why).
    for statement in ("open_decided_after", "open_undecided"):
        for (b,) in run(statement, hi=hi):
            put("open_at_quarter_end", b)
    regions = ctx.regions
    rows = [{"branch": b, "region": regions.get(b, ""), **m} for b, m in sorted(table.items())]
    total = {k: sum(r[k] for r in rows) for k in HANDLING_MEASURES}
    rows.append({"branch": TOTAL, "region": "", **total})
    return rows


def by_region(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The branch rows added up by region ("" for a branch in no region: neither recorded in the
    database nor in config's [regions]), with the total last."""
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


def period(quarter: str | None, month: str | None) -> tuple[dt.date, dt.date, str]:
    """The return's period: its first day, the day after it, and its name (2026Q3 or 2026-07)."""
    if (quarter is None) == (month is None):
        raise UserError("err.quarter_and_month" if quarter else "err.quarter_or_month")
    if quarter is not None:
        year, q = parse_quarter(quarter)
        return dt.date(year, 3 * q - 2, 1), month_start(year, 3 * q + 1), f"{year}Q{q}"
    year, mon = parse_month(month)
    return dt.date(year, mon, 1), month_start(year, mon + 1), f"{year}-{mon:02d}"


def quarterly_return(run_for: Callable[[Scope], Run], ctx: Context, *, quarter: str | None = None,
                     month: str | None = None, branch: str | None = None, region: str | None = None) -> dict[str, Any]:
    """The return for a quarter (or one month): received by B x C and by A, and handling by branch
    and by region; for every branch, one branch, or one region's branches (`run_for(scope)`: the
    reader of that scope's statements)."""
    first, after, name = period(quarter, month)
    run = run_for(scope(ctx, branch, region))
    lo, hi = window(ctx, first, after)
    read = Window(run, ctx, lo, hi)
    handling = handling_by_branch(run, ctx, lo, hi, read)
    return {"quarter": name, "branch": branch.strip() if branch else None,
            "region": region.strip() if region else None, "from": show_time(lo, ctx),
            "to": show_time(hi - dt.timedelta(microseconds=1), ctx),
            "by_type_reason": read.by_type_reason, "by_channel": read.by_channel, "by_branch": handling,
            "by_region": by_region(handling), "late_entries": late_entries(run, lo, hi)}


def late_entries(run: Run, lo: dt.datetime, hi: dt.datetime) -> int:
    """How many steps of the scope's cases dated in [lo, hi) were recorded after a deadline they
    are dated before (complaintctl/late_entries.py; `report late-entries --dated` lists them):
    the period's figures count each as met, by the time it says."""
    from . import late_entries as late

    steps = sorted(Step(i, case, action, when, recorded)
                   for i, case, action, occurred, recorded_text in run("late_steps", lo=lo, hi=hi)
                   if (when := utc(occurred)) < (recorded := utc(recorded_text)))
    return sum(1 for found in late.crossed(steps, lambda ids: [Happened(*r) for r in run("late_history", ids=ids)])
               if found)


class Step(NamedTuple):
    """A step late_entries.crossed weighs (the rows each way reads are plain tuples)."""

    id: int
    case_id: int
    action: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime


class Happened(NamedTuple):
    """An event of a step's case, in order: what it set (its `new`, JSON)."""

    id: int
    case_id: int
    new: str | None
