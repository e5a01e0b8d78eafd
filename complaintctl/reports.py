"""Read-side queries. Filtering, ordering and counting happen in SQL over indexes; rows are
streamed one at a time (never every case in memory); only per-row clock arithmetic is Python."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import (BigInteger, Float, String, and_, bindparam, case as sql_case, cast as sa_cast, func, literal,
                        literal_column, not_, or_, select, union_all)

from . import clocks, cycles, deadlines
from . import sla as sla_figures
from . import summary as summary_figures
from . import domain as d
from .context import Context, as_of_time
from .filters import CaseQuery, filter_values, near_names
from .names import name_known_select, names_select, unknown_alike  # noqa: F401 (sqltext compiles the first two from here)
from .errors import UserError, shown_value
from .db import raw_times
from .models import Case, Cycle, Event, Staff, UTCDateTime
from .rows import CaseRows, OverdueReport, aging_edges, aging_table, tier_counts

OPEN = list(clocks.OPEN)
STREAM = 2000
_C = Case.__table__.c
UTC = dt.timezone.utc


_ROW_COLUMNS = raw_times([
    _C.id, _C.reference, _C.status, _C.tier, _C.channel, _C.product, _C.category, _C.branch, _C.department,
    _C.assignee, _C.customer, _C.phone, _C.account, _C.description, _C.received_at, _C.due_at,
    _C.regulatory_due_at, _C.first_response_due_at, _C.first_responded_at, _C.followup_due_at, _C.paused_at,
    _C.pause_reason, _C.resolved_at, _C.closed_at, _C.reopen_count, _C.co_handlers, _C.departments,
])


def check_names(uow, q: CaseQuery) -> None:
    """A --branch or --assignee that no case or member of staff has is refused (exit 2) rather than
    answered with an empty report that looks valid (a cron job's, a return of zeros): "did you
    mean" when it is close to one that exists. (A new branch has its staff registered before its
    first case.)"""
    for field, value in (("branch", q.branch), ("assignee", q.assignee)):
        if value is not None and not value.strip():  # given empty, or blank: as filter_values refuses it
            d.clean_name("--" + field, value)
        close = unknown_alike(uow.session, field, value.strip(), near_names) if value else None
        if close is None:
            continue
        shown = shown_value(value, field="staff" if field == "assignee" else None)  # a phone, card or name: masked
        if close:
            raise UserError("err.did_you_mean", field="--" + field, value=shown, suggestions=" / ".join(close))
        raise UserError("err.no_such_name", field="--" + field, value=shown)


# A placeholder for the filters' conditions in a statement compiled for the lean way.
FILTERED = literal_column("__filters__")


def filter_condition(name: str, value: Any, as_of, cutoff):
    """One of FILTERS as SQL, its value bound as f_<name> (as_of and cutoff: times or bind
    parameters; cutoff only for due_soon)."""
    if name == "open":
        return _C.status.in_(OPEN)
    if name == "overdue":
        return clocks.overdue_sql(as_of)
    if name == "due_soon":
        return clocks.due_soon_sql(as_of, cutoff)
    if name == "stale":
        return clocks.stale_sql(as_of)
    if name == "received":
        return received_by(as_of)
    if name == "ids":  # one customer's cases (`find`)
        return _C.id.in_(bindparam("f_ids", value, expanding=True))
    return getattr(_C, name) == bindparam("f_" + name, value)


def _filters(ctx: Context, q: CaseQuery, as_of: dt.datetime) -> list:
    values = filter_values(q)
    cutoff = deadlines.due_soon_cutoff(as_of, ctx.calendar) if "due_soon" in values else None
    return [filter_condition(name, value, as_of, cutoff) for name, value in values.items()]


def _stream(uow, stmt) -> Iterator:
    return uow.session.execute(stmt.execution_options(yield_per=STREAM))


def list_cases(uow, ctx: Context, query: CaseQuery, as_of: str | dt.datetime | None = None,
               limit: int | None = None) -> Iterator[dict]:
    """Cases matching the filters, newest first, streamed (the first `limit` only, if given). The
    options are read here, not when the first row is asked for: a refused one writes nothing (no
    CSV header before the error)."""
    moment = as_of_time(as_of, ctx)
    make = CaseRows(ctx, moment, handlers(uow))
    return map(make, _stream(uow, list_select(list_where(ctx, query, moment), limit)))


def list_where(ctx: Context | None, query: CaseQuery, as_of: dt.datetime) -> list:
    """The conditions of `list`'s filters (ctx: for the due-soon cutoff's calendar only)."""
    return _filters(ctx, query, as_of)


def list_select(where: list, limit=None):
    """`list`'s rows, newest first (complaintctl/sqltext.py compiles them for the lean list, with
    FILTERED where the filters' conditions go)."""
    stmt = select(*_ROW_COLUMNS).where(*where).order_by(_C.received_at.desc(), _C.id.desc())
    return stmt if limit is None else stmt.limit(limit)


def list_count_select(where: list):
    """How many cases `list_select` gives without a limit. From the cases table named, not inferred
    from the conditions: `list --all` has none."""
    return select(func.count()).select_from(Case).where(*where)


def handlers_select():
    return select(Staff.name, Staff.role)


def handlers(uow) -> dict[str, str]:
    """Every member of staff's role, by name (a small table, read once per report)."""
    return dict(uow.session.execute(handlers_select()).all())


def count_cases(uow, ctx: Context, query: CaseQuery, as_of: str | dt.datetime | None = None) -> int:
    """How many cases list_cases would give without a limit, counted in SQL."""
    moment = as_of_time(as_of, ctx)
    return uow.session.execute(list_count_select(list_where(ctx, query, moment))).scalar_one()


# Overdue and due soon -------------------------------------------------------------------------


def _scope(q: CaseQuery) -> CaseQuery:
    """The same who/what filters, without the clock filters (the report applies its own)."""
    return CaseQuery(tier=q.tier, branch=q.branch, assignee=q.assignee, channel=q.channel, product=q.product,
                     status=q.status)


def overdue_where(as_of: dt.datetime, q: CaseQuery, ctx: Context, scope: list | None = None):
    """The overdue report's conditions: overdue now, within the query's who/what filters (or the
    conditions `scope` instead: complaintctl/sqltext.py's placeholder FILTERED)."""
    return [clocks.overdue_sql(as_of), *(_filters(ctx, _scope(q), as_of) if scope is None else scope)]


def due_soon_where(as_of, cutoff, q: CaseQuery, ctx: Context, scope: list | None = None):
    """The due-soon cases `report overdue --include-due-soon` lists too (complaintctl/sqltext.py
    compiles it for the lean report), within the filters as overdue_where."""
    return and_(clocks.due_soon_sql(as_of, cutoff), received_by(as_of),
                *(_filters(ctx, _scope(q), as_of) if scope is None else scope))


def received_by(as_of):
    """SQL: the case had been received at `as_of` (a report asked of a past moment leaves out the
    cases received after it, whose deadlines may fall in its window)."""
    return _C.received_at <= as_of


def counts_select(where):
    """The overdue cases per tier (complaintctl/sqltext.py compiles it for the lean report too)."""
    return select(_C.tier, func.count()).where(*where).group_by(_C.tier)


def _counts(uow, where) -> dict[str, int]:
    return tier_counts(uow.session.execute(counts_select(where)).all())


def overdue_select(cond, limit=None):
    """The overdue report's rows, most overdue first (complaintctl/sqltext.py compiles it too)."""
    stmt = select(*_ROW_COLUMNS).where(cond).order_by(clocks.earliest_due_sql(), _C.id)
    return stmt if limit is None else stmt.limit(limit)


def overdue(uow, ctx: Context, query: CaseQuery, *, as_of: str | dt.datetime | None = None,
            include_due_soon: bool = False, limit: int | None = None) -> OverdueReport:
    """Open cases past their internal or regulatory deadline, most overdue first."""
    moment = as_of_time(as_of, ctx)
    where = overdue_where(moment, query, ctx)
    cond = and_(*where)
    soon_counts: dict[str, int] = {}
    if include_due_soon:
        soon = due_soon_where(moment, deadlines.due_soon_cutoff(moment, ctx.calendar), query, ctx)
        soon_counts = _counts(uow, [soon, not_(cond)])
        cond = or_(cond, soon)
    make = CaseRows(ctx, moment, handlers(uow))
    rows = (make(row) for row in _stream(uow, overdue_select(cond, limit)))
    return OverdueReport(moment, lambda: _counts(uow, where), soon_counts, make if limit is None else None, rows)


def due_soon_select(as_of, cutoff, where: list):
    """`report due-soon`'s rows: open cases not yet overdue whose next deadline falls at or before
    `cutoff`, the soonest first (complaintctl/sqltext.py compiles it, and with FILTERED, for the lean
    report)."""
    return (select(*_ROW_COLUMNS)
            .where(clocks.due_soon_sql(as_of, cutoff), not_(clocks.overdue_sql(as_of)), received_by(as_of), *where)
            .order_by(clocks.next_due_sql(), _C.id))


def due_soon(uow, ctx: Context, query: CaseQuery, *, as_of: str | dt.datetime | None = None) -> Iterator[dict]:
    """Open cases not yet overdue whose next deadline falls within the due-soon threshold (the
    options read here, as list_cases reads them: a refused one writes nothing)."""
    moment = as_of_time(as_of, ctx)
    cutoff = deadlines.due_soon_cutoff(moment, ctx.calendar)
    make = CaseRows(ctx, moment, handlers(uow))
    return map(make, _stream(uow, due_soon_select(moment, cutoff, _filters(ctx, query, moment))))


# SLA -------------------------------------------------------------------------------------------
# report sla's figures are put together in complaintctl/sla.py (which the lean report shares);
# its statements are defined here, once, as SQLAlchemy expressions (`sla_statement`).
DIMENSIONS = sla_figures.DIMENSIONS
received_window = sla_figures.received_window
quantile_ranks = sla_figures.quantile_ranks
_median, _p90, _places = sla_figures.median, sla_figures.p90, sla_figures.places


def sla(uow, ctx: Context, *, start: str | None = None, end: str | None = None, by: str = "tier") -> dict[str, Any]:
    """Compliance of the cycles resolved in the window, grouped by one dimension; reviews decided in
    the window are counted apart, against their own 30 days. Without --from and --to the window is
    this month so far (`this_month` in the result says so)."""
    return sla_by(uow, ctx, start=start, end=end, by=(by,))[0]


def sla_by(uow, ctx: Context, *, start: str | None = None, end: str | None = None,
           by: tuple[str, ...] = ("tier",)) -> list[dict[str, Any]]:
    """`sla` for several groupings at once (the monthly report's by tier and by branch): sla.sla_by
    over this unit of work."""
    def run(statement: str, dim: str, wide: bool, counted: bool, **params):
        return uow.session.execute(sla_statement(statement, dim, wide, counted), params)

    return sla_figures.sla_by(run, ctx, start=start, end=end, by=by)


_YC = Cycle.__table__.c
_REVIEW = d.Action.REVIEW.value
SLA_STATEMENTS = ("extent", "open_breached", "open_breached_past", "counts", "ranks")


def sla_statement(statement: str, dim: str = "tier", wide: bool = False, counted: bool = False):
    """One of report sla's statements (sla.py says what each reads and which parameters it binds):
    the full path runs it, complaintctl/sqltext.py compiles it for the lean report."""
    if statement == "extent":  # the first and the last decision, from the ends of the resolved_at index
        return select(select(func.min(_YC.resolved_at)).scalar_subquery(),
                      select(func.max(_YC.resolved_at)).scalar_subquery())
    if statement == "open_breached":
        return open_breached_select(bindparam("edge", type_=UTCDateTime()))
    if statement == "open_breached_past":
        return open_breached_past_select(bindparam("edge", type_=UTCDateTime()))
    window = _SlaWindow(dim, wide, counted)
    if statement == "counts":
        return _sla_counts(window)
    if statement == "ranks":
        return _sla_ranks(window)
    raise ValueError(statement)


def open_breached_select(edge):
    """The open cases in breach at `edge` (the end of the window, or now)."""
    return select(func.count()).where(clocks.breached_sql(edge))


def open_breached_past_select(edge):
    """The cases open at a past `edge` (open_at) and in breach then, by the clock rules of
    clocks.breached_sql read on the cycle then in force: its internal deadline run out by then
    (stopped by a pause that began before it), its regulatory one (stopped by an appraisal), an
    urgent cycle's plan not given by its deadline. A pause is the case's present one (the register
    keeps when each pause began and ended only in its events), and so are the cycle's tier and
    deadlines after an escalation since."""
    urgent = _YC.tier == d.Tier.URGENT.value  # (an urgent cycle keeps its plan's deadline in due_at)
    plan_late = and_(urgent, _YC.first_response_due_at <= edge,
                     or_(_YC.first_responded_at.is_(None), _YC.first_responded_at > _YC.first_response_due_at))
    late = or_(and_(not_(urgent), clocks.internal_overdue_sql(edge, _YC.due_at)),
               clocks.regulatory_overdue_sql(edge, _YC.regulatory_due_at), plan_late)
    return select(func.count()).select_from(_in_force()).where(*open_at(edge), late)


# report sla's groupings read on the cycle itself: its tier, and the assignee and department the
# case had when the cycle was decided (revision 0027; the case's own move on, to a reviewer, or to
# whoever a reopened case is handed to).
CYCLE_GROUPS = ("tier", "assignee", "department")


class _SlaWindow:
    """The cycles decided in [lo, hi) (bound at run time) as SQL: their group in one dimension ('' for
    none), whether each is a review's decision, and its working time."""

    def __init__(self, dim: str, wide: bool = False, counted: bool = False):
        yc = _YC
        self.dim = dim
        own = dim in CYCLE_GROUPS  # the cycle's own tier, and who held the case when it was decided
        self.join = (lambda table: table) if own else (  # no need to read the cases
            lambda table: table.join(Case.__table__, _C.id == yc.case_id))
        self.table = self.join(Cycle.__table__)
        self.group = yc.tier if dim == "tier" else func.coalesce(yc[dim] if own else _C[dim], "")
        lo, hi = bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())
        # An expression of resolved_at, which no index serves: a scan (wide), or a range of the index.
        self.unindexed = [func.coalesce(yc.resolved_at, yc.resolved_at) >= lo,
                          func.coalesce(yc.resolved_at, yc.resolved_at) < hi]
        self.where = self.unindexed if wide else [yc.resolved_at >= lo, yc.resolved_at < hi]
        self.review = func.coalesce(yc.opened_by, "") == _REVIEW  # a review's own 30 days: counted apart
        # Kept when the cycle was decided (cycles.decided_seconds); counted over business_days, to
        # the same float, for a cycle decided by a writer that did not keep it (db check names it).
        self.seconds = (func.coalesce(yc.working_seconds, cycles.decided_seconds_sql(yc.opened_at, yc.resolved_at))
                        if counted else yc.working_seconds)
        # The working-time histogram's bar a cycle falls in (monotonic in its working time).
        self.bar = sa_cast(self.seconds / literal(sla_figures.BAR, Float()), BigInteger())


def _sla_flags(w: _SlaWindow) -> dict[str, tuple[Any, int]]:
    """What each bit of a cycle's flags says, as SQL, and the bit (below sla.KEY)."""
    yc = _YC
    timed = and_(yc.tier == d.Tier.URGENT.value, yc.first_response_due_at.is_not(None))
    return {
        "review": (w.review, 1),
        "internal_ok": (not_(or_(yc.internal_breached, yc.response_breached)), 2),
        "regulatory_ok": (not_(yc.regulatory_breached), 4),
        "first": (yc.number == 1, 8),
        "timed": (timed, 32),
        "on_time": (and_(timed, yc.first_responded_at.is_not(None),
                         yc.first_responded_at < yc.first_response_due_at), 64),
        "unkept": (yc.working_seconds.is_(None), 128),
    }


def _not_a_review(cycle):
    """SQL: a later cycle that reopened the one before it: opened by a reopen (or new facts), not
    by a review of its decision (a review is the higher level judging the decision, not the case
    handled again: README, review)."""
    return sa.or_(cycle.opened_by.is_(None), cycle.opened_by != d.Action.REVIEW.value)


def decided_cycles_select(upto: str = "0027"):
    """Every decided cycle with what `report sla` counts of it (the decided_cycles view,
    complaintctl/sqlviews.py): its case's groupings, its working time (kept, or counted over
    business_days as the report counts it), and each of the report's flags as a column, from the
    same SQL (_sla_flags) the report's counts read; reopened as the report counts it, from the
    case's next cycle, and resolved the first time: a first cycle not reopened. A window is the
    reader's: resolved_at in it. Its assignee and department are the cycle's own (who held the case
    when it was decided) from revision 0027 (`upto`, the revision the view is written for), the
    case's before."""
    w = _SlaWindow("branch", counted=True)
    holder = (_YC.department, _YC.assignee) if upto >= "0027" else (_C.department, _C.assignee)
    flags = _sla_flags(w)
    flag = lambda condition: func.coalesce(condition, sa.false())  # noqa: E731 (never NULL)
    nxt = Cycle.__table__.alias("next_cycle")
    reopened = sa.exists().where(nxt.c.case_id == _YC.case_id, nxt.c.number == _YC.number + 1, _not_a_review(nxt.c))
    return (select(_YC.case_id, _C.reference, _C.branch, *holder, _YC.tier, _C.channel,
                   _C.product, _C.category, _YC.number.label("cycle"), _YC.opened_by, _YC.opened_at, _YC.resolved_at,
                   w.seconds.label("working_seconds"),
                   *(flag(flags[name][0]).label(label) for name, label in (
                       ("review", "review"), ("internal_ok", "within_internal"), ("regulatory_ok", "within_regulatory"))),
                   reopened.label("reopened"),
                   # A first cycle reopened was not resolved the first time (sla._counts).
                   and_(flag(flags["first"][0]), not_(reopened)).label("resolved_first_time"),
                   flag(flags["timed"][0]).label("urgent_plan_due"), flag(flags["on_time"][0]).label("urgent_plan_on_time"))
            .select_from(w.table).where(_YC.resolved_at.is_not(None)))


def _sla_counts(w: _SlaWindow):
    """Each group's counts and the histogram of its decided cycles' working times in one read of
    the window: its cycles counted by group and by one integer, their bar and what is true of them
    (bar * sla.KEY + flags); those few rows then summed per group, and per group and bar. A cycle
    was reopened when its case has a later cycle not opened by a review (a case's cycles are
    numbered 1, 2, ...): counted
    from the later cycles' side (the few with a number above 1, found in the (case_id, number)
    index, each looking up the one before), rather than by a lookup for every cycle of the window.
    The rows are those sla._counts reads."""
    flags = _sla_flags(w)
    code = sum((sql_case((cond, bit), else_=0) for cond, bit in flags.values()), literal(0))
    # (A cycle without its working time kept falls in bar 0 here: the report then counts again.)
    key = func.coalesce(w.bar, 0) * sla_figures.KEY + code
    c = (select(w.group.label("g"), key.label("key"), func.count().label("cycles"))
         .select_from(w.table).where(*w.where).group_by(key, w.group).cte("counted"))

    def has(*names: str, but: str = "review"):
        bits = sum(flags[n][1] for n in names)
        return c.c.key.op("&")(bits | flags[but][1]) == bits

    conds = {
        "n": has(), "internal": has("internal_ok"), "regulatory": has("regulatory_ok"), "ftr": has("first"),
        "urgent": has("timed"), "urgent_ok": has("on_time"),
        "reviews": has("review", but="review"), "reviews_ok": has("review", "regulatory_ok", but="review"),
        "unkept": has("unkept"),
    }
    none = sa_cast(None, BigInteger())
    bar = c.c.key.op("/", return_type=BigInteger())(sla_figures.KEY)  # integer division: the key's bar
    # The cycles that reopened one: their case's cycle before them (a plain subquery would be read
    # the other way round, a lookup for every cycle of the window).
    later = select(_YC.case_id, _YC.number).where(_YC.number > 1, _not_a_review(_YC)).distinct().subquery("later")
    reopened = (select(literal(2), w.group, none, func.count(), func.sum(sql_case((_YC.number == 1, 1), else_=0)),
                       *(none for _ in sla_figures.COUNTS[2:]))
                .select_from(w.join(later.join(Cycle.__table__, and_(_YC.case_id == later.c.case_id,
                                                                     _YC.number == later.c.number - 1))))
                .where(*w.unindexed, not_(w.review)).group_by(w.group))
    return union_all(
        select(literal(0), c.c.g, none,
               *(func.sum(sql_case((conds[k], c.c.cycles), else_=0)) if k in conds else literal(0)
                 for k in sla_figures.COUNTS)).group_by(c.c.g),
        select(literal(1), c.c.g, bar, func.sum(c.c.cycles), *(none for _ in sla_figures.COUNTS[1:]))
        .where(has()).group_by(c.c.g, bar),
        reopened)


def _sla_ranks(w: _SlaWindow):
    """The cycles in the histogram's bars that hold a rank (`bars`: a group's, `pairs`, or the whole
    window's, `every`), numbered in order of working time within the group's bar (r) and within
    the bar (t), those at the places asked for (`places`, `totals`): row_number over the few,
    never an order of every cycle."""
    decided = not_(w.review)
    pair = w.group + literal("|") + sa_cast(w.bar, String())  # sla.pair_key
    inner = (select(w.group.label("g"), w.seconds.label("s"), w.bar.label("b"),
                    func.row_number().over(partition_by=(w.group, w.bar), order_by=w.seconds).label("r"),
                    func.row_number().over(partition_by=w.bar, order_by=w.seconds).label("t"))
             .select_from(w.table)
             .where(*w.where, decided, w.bar.in_(bindparam("bars", expanding=True)),
                    or_(pair.in_(bindparam("pairs", expanding=True)), w.bar.in_(bindparam("every", expanding=True))))
             .subquery())
    return select(inner.c.g, inner.c.s, inner.c.b, inner.c.r, inner.c.t).where(
        or_(inner.c.r.in_(bindparam("places", expanding=True)), inner.c.t.in_(bindparam("totals", expanding=True))))


# Aging -----------------------------------------------------------------------------------------

def in_force_at(hi) -> list:
    """SQL conditions, over the cycles joined to their cases: the cycle was the case's cycle in force
    just before `hi` (opened before it, no later one opened before it), the case neither withdrawn
    nor closed by then. With the cycle undecided by `hi` (resolved_at NULL or not before it), the
    case was open then: how the return counts the cases open at a period's end, and how a report
    asked of a past moment finds the cases open at it, whatever has been done since."""
    later = Cycle.__table__.alias("later")
    superseded = sa.exists().where(later.c.case_id == _YC.case_id, later.c.number > _YC.number, later.c.opened_at < hi)
    # (A case closed, then taken to review, keeps its closing time: the review's cycle, opened after
    # it, is open all the same. A reopen clears it.)
    return [_YC.opened_at < hi, ~superseded, or_(_C.withdrawn_at.is_(None), _C.withdrawn_at >= hi),
            or_(_C.closed_at.is_(None), _C.closed_at >= hi, _C.closed_at < _YC.opened_at)]


def open_at(as_of) -> list:
    """SQL conditions over the cycles joined to their cases: the case was open at `as_of`, a past
    moment (its cycle then in force undecided; a review's cycle counts, as under_review is open)."""
    # The receipt through an expression no index serves: read from the cycles undecided by then (the
    # resolution index), not from every case received before the moment (0.65 s against 0.3 s at a
    # million cases a month back).
    received = func.coalesce(_C.received_at, _C.received_at) <= as_of
    return [or_(_YC.resolved_at.is_(None), _YC.resolved_at >= as_of), *in_force_at(as_of), received]


def _in_force():
    return Cycle.__table__.join(Case.__table__, _C.id == _YC.case_id)


def aging_past_select(as_of, edges: dict):
    """aging_select of the cases open at a past moment, as they stood then (open_at): a case decided,
    withdrawn or closed since still counts, one received since does not; grouped by the tier of its
    cycle then in force."""
    bucket = clocks.age_bucket_sql(as_of, edges).label("bucket")
    return (select(_YC.tier, bucket, func.count()).select_from(_in_force()).where(*open_at(as_of))
            .group_by(_YC.tier, bucket))


def aging_select(as_of, edges: dict):
    """`report aging`'s counts of open cases: (tier, bucket, count), `edges` the moment each bounded
    bucket of rows.AGE_BUCKETS begins, by its upper bound (complaintctl/sqltext.py compiles it for
    the lean report, the moments bound at run time)."""
    # Cases received after the moment fall in a bucket of their own, left out by rows.aging_table,
    # rather than being filtered in WHERE: with a receipt condition there, SQLite reads every case
    # received before the moment by the receipt index (seconds at a million when they lie scattered
    # on disk) instead of the open cases alone from the covering clock index.
    bucket = clocks.age_bucket_sql(as_of, edges).label("bucket")
    return select(_C.tier, bucket, func.count()).where(_C.status.in_(OPEN)).group_by(_C.tier, bucket)


def aging(uow, ctx: Context, *, as_of: str | None = None) -> list[dict[str, Any]]:
    """Open cases by age in working days since receipt, per tier, with totals."""
    moment = as_of_time(as_of, ctx)
    select_for = aging_past_select if moment < ctx.now else aging_select  # a past moment: the cases open then
    return aging_table(uow.session.execute(select_for(moment, aging_edges(moment, ctx.calendar))).all())


def trends_select(fields: tuple[str, ...], lo, hi, edges: list):
    """The complaints received in [lo, hi) counted by each value of `fields` and by month: the month
    numbered 0, 1, ... by `edges`, the start of each month after the first (values or bound
    parameters; the monthly report's trends, compiled for the lean one)."""
    cols = [_C[f] for f in fields]
    bucket = sql_case(*[(_C.received_at < edge, literal(i)) for i, edge in enumerate(edges)],
                      else_=literal(len(edges))).label("m")
    return select(*cols, bucket, func.count()).where(_C.received_at >= lo, _C.received_at < hi).group_by(*cols, bucket)


# Repeat complaints ---------------------------------------------------------------------------


def repeat_events_select(lo, hi):
    """The original case of each repeat complaint (a `repeat` event) that arrived in [lo, hi), one
    row a repeat: a range of the events' (action, time) index."""
    e = Event.__table__.c
    return select(e.case_id).where(e.action == d.Action.REPEAT.value, e.occurred_at >= lo, e.occurred_at < hi)


def repeat_cases_select(ids, by: list, where: list | None = None):
    """The columns `by` of the cases `ids` (restricted by `where`), each row led by the case's id."""
    return select(_C.id, *by).where(_C.id.in_(ids), *(where or []))


def repeat_complaints(uow, lo: dt.datetime, hi: dt.datetime, by: list, where: list | None = None) -> dict[tuple, int]:
    """The repeat complaints (`log --repeat-of`, with or without new facts) that arrived in [lo, hi),
    whenever the original was received, counted by the original case's columns `by` (restricted by
    `where`, conditions on cases): the one definition `report summary` and the return count by.

    A repeat is recorded on the original case as a `repeat` event when it arrives: the period's are
    a range of the events' (action, time) index; their cases are then read by id, a chunk at a time
    (not joined, so that no planner prefers to walk every case in some other order)."""
    return summary_figures.tally_repeats(uow.session.execute(repeat_events_select(lo, hi)),
                                         lambda ids: uow.session.execute(repeat_cases_select(ids, by, where)))


# Summary ---------------------------------------------------------------------------------------
# report summary's figures are put together in complaintctl/summary.py (which the lean report
# shares); its statements are defined here, once (`summary_statement`).
SUMMARY_DIMENSIONS = summary_figures.DIMENSIONS


def summary(uow, ctx: Context, *, start: str, end: str, by: str = "product",
            previous_from: dt.datetime | None = None) -> dict[str, Any]:
    """Complaints received in the window by dimension(s), against the previous window (summary.summary)."""
    from . import personal

    def run(statement: str, dims: tuple[str, ...] = (), kind: str = "", readable: bool = True, **params):
        return uow.session.execute(summary_statement(statement, dims, kind, readable), params)

    return summary_figures.summary(run, ctx, start=start, end=end, by=by, readable=personal.readable(uow),
                                   previous_from=previous_from)


def summary_statement(statement: str, dims: tuple[str, ...] = (), kind: str = "", readable: bool = True):
    """One of report summary's statements (summary.py says what each reads): the full path runs it,
    complaintctl/sqltext.py compiles it for the lean report. The window [lo, hi) and the previous
    one's start prev_lo are bound at run time, and the ids of repeat_cases as an expanding list."""
    lo, hi = bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())
    # The dimensions' columns; summary.DIMS_PLACE itself: the place they go, for sqltext to compile.
    cols = [literal_column(x) if x == summary_figures.DIMS_PLACE else getattr(_C, x) for x in dims]
    if statement == "counts":
        period = sql_case((_C.received_at >= lo, literal("current")), else_=literal("previous")).label("period")
        withdrawn = func.sum(sql_case((_C.status == d.Status.WITHDRAWN.value, 1), else_=0))
        return (select(*cols, period, func.count(), withdrawn)
                .where(_C.received_at >= bindparam("prev_lo", type_=UTCDateTime()), _C.received_at < hi)
                .group_by(*cols, period))
    if statement == "repeats":
        return repeat_events_select(lo, hi)
    if statement == "repeat_cases":
        return repeat_cases_select(bindparam("ids", expanding=True), cols)
    if statement == "causes":
        # The cases (not their decisions: a case decided twice is one) resolved in the window, a
        # review's decision not among them, as report sla counts resolutions.
        cause = func.coalesce(Case.root_cause, Case.category)
        n = func.count(func.distinct(Case.id))
        return (select(cause, n).join(Cycle, Cycle.case_id == Case.id)
                .where(Cycle.resolved_at >= lo, Cycle.resolved_at < hi,
                       func.coalesce(Cycle.opened_by, "log") != d.Action.REVIEW.value)
                .group_by(cause).order_by(n.desc(), cause).limit(10))
    if statement == "repeaters":
        return _repeaters_select(kind, readable, lo, hi)
    raise ValueError(statement)


def _repeaters_select(kind: str, readable: bool, lo, hi):
    """The phones or accounts (`kind`) of more than one case received in [lo, hi), shown as stored
    (masked). They are told apart by their full values where the login may read personal data
    (`readable`); otherwise (a PostgreSQL login that may not reveal) by the masked values, which can
    join two customers whose numbers share the digits shown."""
    from .models import PersonalData

    p = PersonalData.__table__.c
    col = _C.phone if kind == "phone" else _C.account
    within = (_C.received_at >= lo, _C.received_at < hi)
    if readable:
        n = func.count(func.distinct(_C.id))
        query = (select(func.min(col), n).select_from(Case.__table__)
                 .join(PersonalData.__table__, and_(p.case_id == _C.id, p.field == kind))
                 .where(*within, col.is_not(None)).group_by(p.value))
    else:
        n = func.count()
        query = select(col, n).where(*within, col.is_not(None)).group_by(col)
    return query.having(n > 1).order_by(n.desc(), func.min(col)).limit(20)
