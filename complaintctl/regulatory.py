"""The quarterly return and the figures the monthly report is made of: counts of complaints by
JR/T 0169 code, by branch and by region, read from the columns each step of the procedure records
(the decision's cycle, its extension and breach, the withdrawal, the review, the repeat complaints),
over indexes: the period's cases are read once, and the few reviews, repeats and open cases each
through an index of their own.

The statements are defined here, once (`return_statement`); the figures are put together from their
rows in complaintctl/return_figures.py, which the lean `report regulatory` shares."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select

from . import access
from . import domain as d
from . import late_entries
from . import reports
from .context import Context
from .errors import UserError
from .db import raw_times
from .models import Case, Cycle, Event, UTCDateTime
from . import return_figures
from .return_figures import Scope

_C = Case.__table__.c
_Y = Cycle.__table__.c
_E = Event.__table__.c


def scope_condition(kind: str, value: Any = None):
    """The condition on cases of a return's scope (return_figures.Scope) of this kind: one branch
    (bound as f_branch) or several (f_places); None for every branch. complaintctl/sqltext.py
    compiles each apart (where_scope_one, where_scope_many) for the lean return."""
    if kind == "one":
        return _C.branch == bindparam(return_figures.SCOPE_PARAMETERS[kind], value)
    if kind == "many":
        return _C.branch.in_(bindparam(return_figures.SCOPE_PARAMETERS[kind], value, expanding=True))
    return None


def return_statement(name: str, scope: list):
    """One of the return's statements (return_figures.STATEMENTS; it says what each reads), over the cases the
    conditions `scope` allow; lo, hi and ids bound at run time. Long because the return's statements
    are kept side by side, one branch each, so that what each counts reads against the others."""
    lo, hi = bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())
    if name == "window":
        # Nearly every case's first decision is in its first cycle: joined directly.
        return (select(_C.id, _C.branch, _C.product, _C.category, _C.channel, _C.cycle_number,
                       *raw_times([_C.withdrawn_at, _Y.opened_at, _Y.resolved_at]), _Y.regulatory_breached,
                       _Y.regulatory_extension_days, *raw_times([_Y.regulatory_due_at]))
                .join_from(Case.__table__, Cycle.__table__, and_(_Y.case_id == _C.id, _Y.number == 1))
                .where(_C.received_at >= lo, _C.received_at < hi, *scope))
    if name == "restarted":
        first_number = (select(func.min(_Y.number).label("n"), _Y.case_id)
                        .where(_Y.resolved_at.is_not(None), _Y.case_id.in_(bindparam("ids", expanding=True)))
                        .group_by(_Y.case_id).subquery())
        return (select(_Y.case_id, *raw_times([_Y.opened_at, _Y.resolved_at]), _Y.regulatory_breached,
                       _Y.regulatory_extension_days, *raw_times([_Y.regulatory_due_at]))
                .join(first_number, and_(first_number.c.case_id == _Y.case_id, first_number.c.n == _Y.number)))
    if name == "repeats":
        return reports.repeat_events_select(lo, hi)
    if name == "repeat_cases":
        return reports.repeat_cases_select(bindparam("ids", expanding=True), [_C.branch], scope)
    if name == "reviews":
        return (select(_C.branch, _C.review_outcome, _C.reviewed_at)
                .where(_C.review_requested_at >= lo, _C.review_requested_at < hi, *scope))
    if name == "reviews_open":
        return (select(_C.branch)
                .where(_C.review_requested_at < hi, or_(_C.reviewed_at.is_(None), _C.reviewed_at >= hi),
                       or_(_C.withdrawn_at.is_(None), _C.withdrawn_at >= hi), *scope))
    if name in ("other_reviews", "other_decided"):
        return _other(name, lo, hi, scope)
    if name == "late_steps":
        # The steps that meet a deadline (report late-entries'), dated in [lo, hi), over the index
        # of action and time (the actions one by one: a list of them would need a value for every
        # parameter when compiled to text); which were recorded after their time is left to Python (SQLite,
        # asked to compare the two times or to order by id, walks every event instead).
        return (select(_E.id, _E.case_id, _E.action, *raw_times([_E.occurred_at, _E.recorded_at]))
                .join_from(Event.__table__, Case.__table__, _C.id == _E.case_id)
                .where(or_(*(_E.action == step for step in late_entries.STEPS)), _E.occurred_at >= lo, _E.occurred_at < hi, *scope))
    if name == "late_history":  # those steps' cases' events, in order
        return select(_E.id, _E.case_id, _E.new).where(_E.case_id.in_(bindparam("ids", expanding=True))).order_by(_E.id)
    if name in ("open_decided_after", "open_undecided"):
        # Open at the end: the case's cycle in force at hi (no later one opened before hi) had no
        # decision told by then, and the case was neither withdrawn nor closed by then. A review's own
        # cycle is counted under reviews. The rows are counted in Python rather than grouped in SQL:
        # asked to group by branch, SQLite may walk every case in branch order (seconds at a million)
        # instead of the cycles' resolution index.
        unresolved = _Y.resolved_at >= hi if name == "open_decided_after" else _Y.resolved_at.is_(None)
        return (select(_C.branch)
                .join_from(Cycle.__table__, Case.__table__, _C.id == _Y.case_id)
                .where(unresolved, *reports.in_force_at(hi), or_(_Y.opened_by.is_(None), _Y.opened_by != d.Action.REVIEW.value),
                       *scope))
    raise ValueError(name)




def _other(name: str, lo, hi, scope: list):
    """The return's statements of the period's other decisions: the reviews asked for before lo
    decided in [lo, hi); and every decision (not a review's) told in [lo, hi) that is not the first
    decision of a complaint received in it (those are `window`'s): the first decision of a complaint
    received before lo, and any later one (a reopened case's, decided again)."""
    if name == "other_reviews":
        return (select(_C.branch, _C.review_outcome)
                .where(_C.reviewed_at >= lo, _C.reviewed_at < hi, _C.review_requested_at < lo, *scope))
    earlier = Cycle.__table__.alias("earlier")
    not_review = lambda y: or_(y.opened_by.is_(None), y.opened_by != d.Action.REVIEW.value)  # noqa: E731
    decided_before = exists().where(earlier.c.case_id == _Y.case_id, earlier.c.number < _Y.number,
                                    earlier.c.resolved_at.is_not(None), not_review(earlier.c))
    return (select(_C.branch, *raw_times([_Y.opened_at, _Y.resolved_at]), _Y.regulatory_breached,
                   _Y.regulatory_extension_days, *raw_times([_Y.regulatory_due_at]))
            .join_from(Cycle.__table__, Case.__table__, _C.id == _Y.case_id)
            .where(_Y.resolved_at >= lo, _Y.resolved_at < hi, not_review(_Y), or_(_C.received_at < lo, decided_before),
                   *scope))


def reader(uow, where: Scope):
    """The full way's `run` for a scope: each statement as an SQLAlchemy expression, in the unit of work."""
    condition = scope_condition(where.kind, where.value)
    conditions = [condition] if condition is not None else []

    def run(name: str, **params):
        stmt = return_statement(name, conditions)
        if name in return_figures.STREAMED:
            return uow.session.execute(stmt.execution_options(yield_per=5000), params)
        return uow.session.execute(stmt, params)

    return run


def handling_by_branch(uow, ctx: Context, lo: dt.datetime, hi: dt.datetime) -> list[dict[str, Any]]:
    """return_figures.handling_by_branch over every branch, read in `uow` (the monthly report's)."""
    return return_figures.handling_by_branch(reader(uow, Scope()), ctx, lo, hi)


def quarterly_return(uow, ctx: Context, *, quarter: str | None = None, month: str | None = None,
                     branch: str | None = None, region: str | None = None) -> dict[str, Any]:
    """The return for a quarter (or one month): return_figures.quarterly_return, read in one unit of work."""
    return_figures.period(quarter, month)  # refused before the database is read
    if branch and region:
        raise UserError("err.region_and_branch")  # (before the branch is looked for)
    branch = access.return_branch(ctx, branch, region)
    with uow:
        # A --branch that no case nor member of staff has: refused (exit 2; "did you mean" when it is
        # close to one that exists), not a return of zeros that looks like a valid one.
        reports.check_names(uow, reports.CaseQuery(branch=branch))
        return return_figures.quarterly_return(lambda where: reader(uow, where), ctx, quarter=quarter, month=month,
                                               branch=branch, region=region)
