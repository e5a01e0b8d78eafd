"""Remediation (root-cause correction): the improvements decided from complaint analysis, with owners and
deadlines. Each change is one transaction writing the action and its audit event together."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from sqlalchemy import or_, select

from . import access, audit
from . import domain as d
from . import labels
from .errors import InvalidValue, UnknownAction, UserError
from .masking import mask_text
from .models import Case, RemediationAction, RemediationCase, Staff
from .action_rows import action_row, grouped_refs
from .context import Context, action_time, parse_date, said_time
from .services import load_case


def _owner(uow, name: str) -> str:
    clean = d.clean_name("owner", name)
    person = uow.session.execute(select(Staff).where(Staff.name == clean)).scalar_one_or_none()
    if person is None or not person.active:
        raise InvalidValue("--owner", clean, "acc.active_staff")
    return person.name


def _load(uow, key: str) -> RemediationAction:
    text = str(key).strip().upper().removeprefix("A-")
    if not text.isdigit() or len(text) > 9:
        raise InvalidValue("ID", key, "acc.action_number")
    action = uow.session.get(RemediationAction, int(text))
    if action is None:
        raise UnknownAction("err.unknown_action", key=key)
    return action


def add(uow, ctx: Context, *, title: str, root_cause: str, owner: str, due: str, product: str | None = None,
        cases: list[str] | None = None) -> dict[str, Any]:
    """Record a remediation action; the cases named are linked to it."""
    access.require(ctx, access.Do.WORK)
    text = d.clean_text("title", title, limit=2000)
    cause = labels.parse(d.Category, root_cause, "--root-cause")
    prod = labels.parse(d.Product, product, "--product") if product else None
    due_on = parse_date(due, "--due")
    today = ctx.calendar.local_date(ctx.now)
    if due_on < today:
        raise InvalidValue("--due", due, "acc.date_from_today", today=today.isoformat())
    with uow:
        who = _owner(uow, owner)
        linked = []
        for key in dict.fromkeys(cases or []):
            case = load_case(uow, key, ctx)
            if all(c.id != case.id for c in linked):  # one case named twice (by reference and by id): linked once
                linked.append(case)
        # Masked once, when written (an action is not one customer's case: no full text is kept).
        text = mask_text(text)
        action = RemediationAction(title=text, root_cause=cause.value, product=prod.value if prod else None,
                                   owner=who, due_on=due_on, status=d.ActionStatus.OPEN.value,
                                   created_by=ctx.actor, created_at=ctx.now)
        uow.session.add(action)
        uow.session.flush()
        for case in linked:
            uow.session.add(RemediationCase(action_id=action.id, case_id=case.id))
        audit.append(uow, case_id=None, action=d.Action.ACTION_ADD.value, actor=ctx.actor, occurred_at=ctx.now,
                     recorded_at=ctx.now, detail=text,
                     new={"action": action.id, "root_cause": action.root_cause, "product": action.product,
                          "owner": who, "due_on": due_on.isoformat(), "cases": [c.reference for c in linked]})
        uow.commit()
        return action_row(action, ctx, [c.reference for c in linked])


def done(uow, ctx: Context, key: str, *, evidence: str, at: str | None = None) -> dict[str, Any]:
    """Mark an action done, with the evidence that it was carried out."""
    access.require(ctx, access.Do.WORK)
    proof = mask_text(d.clean_text("evidence", evidence, limit=10_000))  # masked once, when written

    when = action_time(at, ctx)
    with uow:
        action = _load(uow, key)
        if action.status == d.ActionStatus.DONE.value:
            raise UserError("err.action_done", id=action.id, at=said_time(action.done_at, ctx))
        if when < action.created_at:  # (done before it was decided on: the reports would read it so)
            raise InvalidValue("--at", said_time(when, ctx), "acc.after_action_added", at=said_time(action.created_at, ctx))
        action.status, action.evidence, action.done_at = d.ActionStatus.DONE.value, proof, when
        uow.session.add(action)
        audit.append(uow, case_id=None, action=d.Action.ACTION_DONE.value, actor=ctx.actor, occurred_at=when,
                     recorded_at=ctx.now, detail=proof,
                     old={"action": action.id, "status": d.ActionStatus.OPEN.value},
                     new={"action": action.id, "status": d.ActionStatus.DONE.value})
        uow.commit()
        return action_row(action, ctx, _refs(uow, [action.id]).get(action.id, []))


def refs_select(ids):
    """The references of the cases linked to the actions `ids`, by action (a list, or an expanding
    parameter: compiled for the lean report overdue)."""
    return (select(RemediationCase.action_id, Case.reference).join(Case, Case.id == RemediationCase.case_id)
            .where(RemediationCase.action_id.in_(ids)).order_by(RemediationCase.action_id, Case.id))


def as_it_stood(moment, status=None) -> tuple:
    """The actions as they stood at `moment`: added by then; of `status` then, if given (open then:
    not done by then, though it may be since; done then: done by then). With the present moment this
    is the stored status; with a past one (the monthly report's month end, --as-of) the actions read
    as they stood, whatever was done or added since."""
    a = RemediationAction
    out = [a.created_at <= moment]
    if status == d.ActionStatus.OPEN.value:
        out.append(_open_at(moment))
    elif status is not None:
        out += [a.status == status, a.done_at <= moment]
    return tuple(out)


def _open_at(moment):
    """An action not done by `moment` (though it may be since)."""
    a = RemediationAction
    return or_(a.status == d.ActionStatus.OPEN.value, a.done_at > moment)


def _refs(uow, ids: list[int]) -> dict[int, list[str]]:
    return grouped_refs(uow.session.execute(refs_select(ids))) if ids else {}


def actions(uow, ctx: Context, *, as_of: dt.datetime | None = None, overdue: bool = False,
            status: str | None = None, owner: str | None = None, due_before: dt.date | None = None,
            due_from: dt.date | None = None) -> Iterator[dict[str, Any]]:
    """Remediation actions, earliest due first; `overdue`: open ones past their due date at as_of."""
    moment = as_of or ctx.now
    stmt = actions_select(moment, late_on=ctx.calendar.local_date(moment) if overdue else None,
                          status=labels.parse(d.ActionStatus, status, "--status").value if status is not None else None,
                          owner=d.clean_name("--owner", owner) if owner is not None else None, due_before=due_before,
                          due_from=due_from)
    rows = uow.session.execute(stmt).scalars().all()
    refs = _refs(uow, [a.id for a in rows])
    for a in rows:
        yield action_row(a, ctx, refs.get(a.id, []), moment)


def actions_select(moment, *, late_on=None, status=None, owner=None, due_before=None, due_from=None):
    """The actions as they stood at `moment` (as_it_stood), earliest due first: open then and late on
    the day `late_on` (late from the day after the due date, in the business zone), of a status then,
    of an owner, due before a day, due from a day (values or bound parameters:
    complaintctl/sqltext.py compiles the late ones and those due in a month for the lean reports);
    each condition only when given."""
    a = RemediationAction
    stmt = select(a).where(*as_it_stood(moment, status)).order_by(a.due_on, a.id)
    if late_on is not None:
        stmt = stmt.where(_open_at(moment), a.due_on < late_on)
    if owner is not None:
        stmt = stmt.where(a.owner == owner)
    if due_before is not None:
        stmt = stmt.where(a.due_on < due_before)
    if due_from is not None:
        stmt = stmt.where(a.due_on >= due_from)
    return stmt


def late_select(today, moment):
    """The actions open and late at `moment` (its day `today`), earliest due first (as
    `actions(overdue=True)` reads them; compiled for the lean reports' late actions)."""
    return actions_select(moment, late_on=today)
