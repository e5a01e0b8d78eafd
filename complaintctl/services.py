"""One function per command. Each takes a unit of work and a Context (now, actor, policy, calendar)
and performs one transaction that writes the case, its cycle and its audit event together."""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case as sql_case, func, select

from . import access, audit, business_days, clocks, cycles, deadlines, names, personal
from . import domain as d
from . import labels
from . import rules as deadline_rules
from .phones import clean_phone
from .access import Do
from .config import Policy
from .context import Context, action_time as _when, as_of_time, make_context, parse_date, parse_time, show_time as _show  # noqa: F401 (the services' vocabulary)
from .context import said_time as _said
from .context import REGION_PREFIX, regions_in_force, regions_recorded
from .errors import DuplicateStaff, IllegalMove, InvalidValue, UnfitAssignee, UnknownStaff, UserError, shown_value
from .detail import CaseDetail, case_clocks, case_detail, case_json, found  # noqa: F401 (services.case_json, ...)
from .detail import held_below_tier
from .models import Case, Cycle, Event, Setting, Staff

UTC = dt.timezone.utc


def open_context(store, *, now: dt.datetime, policy: Policy, os_login: str, as_name: str | None = None,
                 cache_dir=None, codes=None, settings: dict[str, Any] | None = None, calendar=None,
                 regions: dict[str, str] | None = None, rules: dict[str, Any] | None = None) -> Context:
    """Who runs this command (the login: the OS account on SQLite, session_user on PostgreSQL,
    mapped to active staff; --as only for an administrator) and the masking policy in force.
    `policy` is the one in force (the database's rules: config.under_rules); `rules`, the config's,
    given when the caller found none recorded, are recorded as the database's if an administrator
    runs the command (checked again under the writers' lock)."""
    with store.unit_of_work(write=False) as uow:
        login = store.adapter.login(uow.session.connection(), os_login)
        op = access.identify(uow, login, as_name)
        masking = masking_enabled(uow)
        recorded = stored_regions(uow)
        calendar_current = not store.reached(business_days.REVISION) or business_days.current(
            uow.session.connection(), policy, now)
    if rules is not None and op.role == d.Role.ADMIN and store.reached(deadline_rules.REVISION):
        with store.unit_of_work() as uow:
            if deadline_rules.recorded(uow) is None:
                deadline_rules.record(uow, make_context(now, op, policy), rules, None)
                uow.commit()
    # A new year, or a config whose calendar changed: written again, once; not into a database this
    # account may not write (an archive marked read-only), which reading commands still read.
    if not calendar_current and store.adapter.may_write():
        write_business_days(store, calendar or deadlines.BusinessCalendar(policy), now)
    # `calendar`: an earlier command's of the same session, with the years it has computed. Config's
    # [regions] add to the regions recorded in the database and override them branch by branch.
    return make_context(now, op, policy, masking=masking, cache_dir=cache_dir, codes=codes, settings=settings,
                        regions=regions_in_force(recorded, regions), calendar=calendar,
                        row_security=store.adapter.row_security)


def write_business_days(store, calendar: deadlines.BusinessCalendar, now: dt.datetime) -> None:
    """Write the business calendar's table from `calendar` (business_days.ensure), from the year of
    the first case received to two years ahead (and the years it already holds), in a transaction
    of its own."""
    with store.locked() as conn:
        business_days.ensure(conn, calendar, *business_days.years_wanted(now, business_days.first_received(conn)))


def masking_select():
    """The masking policy's stored value (none: on); the lean export runs it compiled."""
    return select(Setting.value).where(Setting.key == "masking")


def adopt_rules(uow, ctx: Context, *, rules: dict[str, Any], reason: str | None) -> dict[str, Any]:
    """Make the deadline rules a config file sets the database's (`rules`: those it sets; the rest
    stay as the database records them): an administrator's act, with a reason, recorded as an
    event. Cases already received keep the deadlines they were given; the rules count every deadline
    from now on, whoever runs the command."""
    from .config import policy_rules

    access.require(ctx, Do.MAINTAIN)
    why = d.clean_text("--reason", reason)
    with uow:
        before = deadline_rules.recorded(uow)
        merged = {**(before or policy_rules(Policy())), **rules}
        if before == merged:
            raise UserError("err.rules_same")
        changed = deadline_rules.record(uow, ctx, merged, why)
        uow.commit()
    return changed


def masking_enabled(uow) -> bool:
    """The masking policy stored in the database (on unless an administrator turned it off)."""
    value = uow.session.execute(masking_select()).scalar()
    return value != "off"


# Views -----------------------------------------------------------------------------------

@dataclass
class Result:
    """What a command did: the case as JSON, a summary (message key and values), and any warnings."""

    case: dict[str, Any]
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)  # each a labels key and its values
    provisional: list[int] = field(default_factory=list)  # years whose calendar is provisional
    below_tier: list[dict[str, Any]] = field(default_factory=list)  # escalated above its handler's role

    def text(self, lang: str = "en") -> str:
        return labels.message(self.key, lang, self.case, **self.params)

    def notes(self, lang: str = "en") -> list[str]:
        """The warnings in `lang`: a deadline in a year whose holiday schedule is provisional; a case
        escalated above its handler's role, to be reassigned."""
        return [labels.t("provisional", lang, year=y) for y in self.provisional] + \
            [labels.t(key, lang, **values) for key, values in self.warnings] + \
            ([labels.below_tier_warning(self.below_tier, lang)] if self.below_tier else [])

    @property
    def message(self) -> str:
        return self.text("en")


# Loading ----------------------------------------------------------------------------------


def load_case(uow, key: str, ctx: Context) -> Case:
    """The case `key` names, as the operator may reach it (access.check_acting_branch)."""
    case_id = d.parse_case_key(key)
    case = found(uow.session.get(Case, case_id), key)
    access.check_acting_branch(ctx, case.branch)
    return case


def _registered(uow, name: str, field_name: str = "staff") -> Staff:
    """Registered staff by name, active or not (UnknownStaff otherwise)."""
    clean = d.clean_name(field_name, name)
    person = uow.session.execute(select(Staff).where(Staff.name == clean)).scalar_one_or_none()
    if person is None:
        raise UnknownStaff(clean, field_name)
    return person


def _staff(uow, name: str, field_name: str = "staff") -> Staff:
    person = _registered(uow, name, field_name)
    if not person.active:
        raise UserError("err.staff_deactivated", field=field_name, name=person.name)
    return person


def _cycle(uow, case: Case) -> Cycle:
    return uow.session.execute(
        select(Cycle).where(Cycle.case_id == case.id, Cycle.number == case.cycle_number)
    ).scalar_one()


def _decide_cycle(uow, ctx: Context, case: Case, cycle: Cycle, when: dt.datetime) -> dict[str, Any]:
    """The cycle is decided at `when` (the customer told): its end, its working time, and who held
    the case then (and in which department) are kept on it; returns what the event records beside
    the case's fields (the working time, which `db check` compares with the cycle)."""
    cycle.resolved_at = when
    cycle.working_seconds = cycles.decided_seconds(cycle.opened_at, when, ctx.calendar)
    cycle.assignee, cycle.department = case.assignee, case.department
    uow.session.add(cycle)
    return {cycles.EVENT_KEY: cycle.working_seconds}


def _related_ref(uow, case: Case) -> str | None:
    if case.related_case_id is None:
        return None
    return uow.session.execute(reference_select(case.related_case_id)).scalar()


# Writing ----------------------------------------------------------------------------------

# The steps of receipt: the staff member a complaint is about may record it (it may be made at their own
# counter), and a repeat of it; every other step of the case is someone else's.
_RECEIPT = frozenset({d.Action.LOG, d.Action.REPEAT, d.Action.IMPORT})


def _apply(uow, ctx: Context, case: Case, action: d.Action, at: dt.datetime, changes: dict[str, Any],
           detail: str | None = None, extra: dict[str, Any] | None = None, flush: bool = True,
           kept: personal.Kept | None = None) -> None:
    """Set the changed fields on the case and append the event that records old and new values.
    Personal fields are given in full: the case and the event get them masked, personal_data the
    full value (with the full text of `detail`, where masking changed it), the event's hash a
    digest of it."""
    op = ctx.operator
    if op is not None and case.complained_staff and op.person == case.complained_staff and action not in _RECEIPT:
        raise access.denied("recused_case", person=op.person)  # recusal: whoever they act as, or is acting as them
    old, new = {}, {}
    kept = kept or personal.Kept()
    for name, value in changes.items():
        before = getattr(case, name)
        if name in personal.FIELDS:
            after = personal.mask_value(name, value, personal.names(uow, case.id) if name in personal.TEXT_FIELDS else ())
            if after != before or value:
                old[name], new[name] = before, after
                setattr(case, name, after)
                kept.add(name, value)
        elif before != value:
            old[name], new[name] = before, value
            setattr(case, name, value)
    if action not in (d.Action.LOG, d.Action.IMPORT):
        _record_other_changes(case, old, new)
    if extra:
        new.update(extra)
    case.updated_at = ctx.now
    uow.session.add(case)
    if flush or case.id is None:
        uow.session.flush()  # later steps of the unit of work query what this one wrote
    shown = personal.masked(detail, personal.names(uow, case.id)) if detail else detail
    if shown != detail:  # the full text is kept apart, where db purge can erase it
        kept.add(personal.DETAIL, detail)
    event = audit.append(uow, case_id=case.id, action=action.value, actor=ctx.actor, occurred_at=at,
                         recorded_at=ctx.now, old=old or None, new=new or None, detail=shown, full=kept.digest())
    if kept.values:
        uow.session.flush()
        kept.write(uow, case.id, event.id)


# Columns an event never needs to carry: bookkeeping of the row itself.
UNRECORDED = frozenset({"id", "created_at", "updated_at", "anonymised_at"})


def _record_other_changes(case: Case, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Add to the event every column changed on the case since it was loaded that `changes` did not
    name (a breach flag set by _mark_breaches, say): the event then accounts for the whole row, which
    is what lets `db check` replay every field."""
    from sqlalchemy import inspect

    state = inspect(case)
    for name in Case.__table__.columns.keys():
        if name in new or name in UNRECORDED:
            continue
        hist = state.attrs[name].history
        if not hist.added:
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = getattr(case, name)
        if before != after:  # never a personal field: those change only through _apply's `changes`
            old[name], new[name] = before, after


def _mark_breaches(case: Case, cycle: Cycle, at: dt.datetime) -> None:
    """Record, once and for good, any clock that had run out by `at`."""
    state = clocks.state(case, at)
    if state.internal:
        case.internal_breached = True
        if case.tier == d.Tier.URGENT and case.first_responded_at is None:
            cycle.response_breached = True
        else:
            cycle.internal_breached = True
    if state.regulatory:
        case.regulatory_breached = True
        cycle.regulatory_breached = True


def _start(uow, ctx: Context, key: str, at, action: d.Action) -> tuple[Case, dt.datetime, d.Status]:
    """Load the case, check when the action happened, and the status the state machine moves it to."""
    case = load_case(uow, key, ctx)
    _check_not_anonymised(ctx, case, action, restarts=action == d.Action.REOPEN)
    when = _when(at, ctx, case)
    if action != d.Action.NOTE:  # a note may be written up late, out of order; a step may not
        _in_order(uow, ctx, case, when)
    return case, when, _move(case, action)


# The steps of a case's procedure, whose times the history keeps in order (a note, a letter, a
# reveal or a repeat complaint may come at any time after receipt).
_STEPS = tuple(a.value for a in (d.Action.LOG, d.Action.IMPORT, d.Action.ASSIGN, d.Action.ESCALATE, d.Action.RESPOND,
                                 d.Action.PAUSE, d.Action.RESUME, d.Action.EXTEND, d.Action.RESOLVE, d.Action.REOPEN,
                                 d.Action.CLOSE, d.Action.WITHDRAW, d.Action.REVIEW, d.Action.REVIEW_DECIDE))


def _in_order(uow, ctx: Context, case: Case, when: dt.datetime, field_name: str = "--at") -> None:
    """A step of the procedure is not dated before the case's last step: a resolution before the
    first response, or a follow-up before the assignment, would make the history impossible."""
    last = uow.session.execute(
        select(Event.occurred_at, Event.action).where(Event.case_id == case.id, Event.action.in_(_STEPS))
        .order_by(Event.occurred_at.desc()).limit(1)).first()
    if last is not None and when < last[0]:
        raise InvalidValue(field_name, _said(when, ctx), "acc.after_last_step", at=_said(last[0], ctx),
                           step=d.Action(last[1]))


def _move(case: Case, action: d.Action) -> d.Status:
    paused_from = d.Status(case.paused_from) if case.paused_from else None
    return d.next_status(d.Status(case.status), action, paused_from)


def _result(uow, ctx: Context, case: Case, key: str, warnings: list[tuple[str, dict]] | None = None,
            **params) -> Result:
    years = deadlines.provisional_years(ctx.calendar, case.due_at, case.regulatory_due_at)
    full = _full(uow, case) if _unmasked(uow, ctx) else None
    view = case_json(case, ctx, full=full, related_ref=_related_ref(uow, case))
    role = uow.session.execute(role_select(case.assignee)).scalar() if case.assignee else None
    view["below_tier"] = held_below_tier(case, role)  # as show --json has it
    return Result(view, key, params, list(warnings or []), years)


def _unmasked(uow, ctx: Context) -> bool:
    """An administrator turned masking off: outputs of a case read its personal data in full, as
    far as the login may read it (on PostgreSQL, the roles that may reveal)."""
    return not ctx.masking and personal.readable(uow)


def _full(uow, case: Case) -> dict[str, Any]:
    """The case's personal fields in full, from personal_data."""
    return personal.revealed({f: getattr(case, f) for f in personal.FIELDS}, personal.current(uow, [case.id]).get(case.id, {}))


# Commands ---------------------------------------------------------------------------------


def log_case(uow, ctx: Context, *, channel: str, description: str | None, customer: str | None = None,
             phone: str | None = None, email: str | None = None, account: str | None = None,
             product: str = "other", category: str = "other", tier: str = "general",
             branch: str | None = None, received_at: str | dt.datetime | None = None,
             related: str | None = None, repeat_of: str | None = None, new_facts: bool = False,
             id_type: str | None = None, id_number: str | None = None, agent: str | None = None,
             agent_authority: str | None = None, complained_staff: str | None = None,
             request: str | None = None, department: str | list[str] | None = None) -> Result:
    """Record a new complaint with its deadlines; returns the case with its new reference.
    With `repeat_of`, the same complaint again is recorded on the original case instead.
    Long because each of the complaint's fields is read and checked in turn before the one write."""
    access.require(ctx, Do.WORK)
    refuse_empty(customer=customer, phone=phone, email=email, account=account, id_type=id_type, id_number=id_number,
                 agent=agent, agent_authority=agent_authority, complained_staff=complained_staff, request=request)
    ch = labels.parse(d.Channel, channel, "channel")
    text = d.clean_text("description", description)
    if new_facts and repeat_of is None:
        raise InvalidValue("--new-facts", "", "acc.new_facts")
    if repeat_of is not None:  # (an empty one is refused as a reference, not read as left out)
        if related is not None:
            raise InvalidValue("--related", related, "acc.no_related")
        return _repeat(uow, ctx, repeat_of, channel=ch, text=text, received_at=received_at, new_facts=new_facts)
    pr = labels.parse(d.Product, product, "product")
    cat = labels.parse(d.Category, category, "category")
    tr = labels.parse(d.Tier, tier, "tier")
    record = complaint_record(id_type=id_type, id_number=id_number, agent=agent, agent_authority=agent_authority,
                              complained_staff=complained_staff, request=request)
    depts = clean_departments(department)
    if depts:
        record.update(department=depts[0], departments=",".join(depts))
    name = d.clean_name("customer", customer, required=False)
    br = d.clean_name("--branch", branch) if branch is not None else None
    if br is None:
        raise UserError("err.no_branch")
    ph = clean_phone(phone) if phone else None
    em = d.clean_email(email) if email else None
    acct = d.clean_account(account) if account else None
    if not (ph or em) and ch not in (d.Channel.SUGGESTION_BOX, d.Channel.LETTER):
        raise UserError("err.missing_contact", channel=ch)
    received = _when(received_at, ctx, field_name="--received-at")
    with uow:
        _check_new_branch(uow, ctx, br)
        related_id = load_case(uow, related, ctx).id if related is not None else None
        case, kept = new_case(uow, ctx, received=received, status=d.Status.RECEIVED, tier=tr, channel=ch, product=pr,
                              category=cat, branch=br, customer=name, phone=ph, email=em, account=acct,
                              description=text, related_id=related_id, record=record)
        _apply(uow, ctx, case, d.Action.LOG, received,
               {"status": case.status}, extra=_creation_values(case), kept=kept)
        if case.id >= 1024 and case.id & (case.id - 1) == 0:
            uow.refresh_statistics()  # the 1,024th, 2,048th, ... case: the tables have doubled
        uow.commit()
        return _result(uow, ctx, case, "msg.logged", tier=tr.value)


def refuse_empty(**options: str | None) -> None:
    """An option given empty (`--complained-staff "$STAFF"` with the variable unset) is refused,
    never read as left out: the conflict-of-interest check, or the customer's contact, would go
    unnoticed. Keyword names are the options' (customer= for --customer)."""
    for name, value in options.items():
        if value is not None and not value.strip():
            raise InvalidValue("--" + name.replace("_", "-"), value, "acc.non_empty")


# What a log event records of the new case (a key left out means the value was empty). Since
# `calendar` is recorded, so are followup_due_at and (if set) department: older events lack them.
CREATION_KEYS = ("reference", "status", "tier", "channel", "product", "category", "branch", "customer", "phone",
                 "email", "account", "description", "received_at", "due_at", "regulatory_due_at",
                 "first_response_due_at", "related_case_id", "external_id", "assignee", "resolved_at", "closed_at",
                 "id_type", "id_number", "agent_name", "agent_authority", "complained_staff", "request",
                 "department", "departments", "followup_due_at", "calendar")


def complaint_record(*, id_type: str | None = None, id_number: str | None = None, agent: str | None = None,
                     agent_authority: str | None = None, complained_staff: str | None = None,
                     request: str | None = None) -> dict[str, Any]:
    """The parts of the Art. 13 record beyond contact and account, checked; empty values left out."""
    kind = labels.parse(d.IdType, id_type, "--id-type") if id_type else None
    if id_number and kind is None:
        kind = d.IdType.RESIDENT_ID
    if kind is not None and not id_number:
        raise InvalidValue("--id-number", "", "acc.id_number_for", kind=kind.value)
    number = d.clean_id_number(kind, id_number) if id_number else None
    agent_name = d.clean_name("--agent", agent, required=False)
    authority = d.clean_name("--agent-authority", agent_authority, required=False)
    if agent_name and not authority:
        raise InvalidValue("--agent-authority", "", "acc.agent_authority")
    if authority and not agent_name:
        raise InvalidValue("--agent", "", "acc.agent_name")
    out = {"id_type": kind.value if kind else None, "id_number": number, "agent_name": agent_name,
           "agent_authority": authority,
           "complained_staff": d.clean_name("--complained-staff", complained_staff, required=False),
           "request": d.clean_text("--request", request, required=False)}
    return {k: v for k, v in out.items() if v is not None}


def _creation_values(case: Case) -> dict[str, Any]:
    return {k: getattr(case, k) for k in CREATION_KEYS if getattr(case, k) is not None}


def new_case(uow, ctx: Context, *, received: dt.datetime, status: d.Status, tier: d.Tier, channel: d.Channel,
             product: d.Product, category: d.Category, description: str, branch: str | None = None,
             customer: str | None = None, phone: str | None = None, email: str | None = None,
             account: str | None = None, related_id: int | None = None, external_id: str | None = None,
             record: dict[str, Any] | None = None) -> tuple[Case, personal.Kept]:
    """Insert a case (its personal fields masked) and its first cycle, opened by cycles.open_cycle;
    the caller appends the event, which keeps the full values (returned)."""
    opening = cycles.open_cycle(received, tier, ctx.calendar, d.Action.LOG)
    full = {"customer": customer, "phone": phone, "email": email, "account": account, "description": description,
            **{k: v for k, v in (record or {}).items() if k in personal.FIELDS}}
    names = [full.get(f) for f in personal.NAME_FIELDS]
    kept = personal.Kept()
    for k, v in full.items():
        kept.add(k, v)
    shown = {k: personal.mask_value(k, v, names) for k, v in full.items()}
    case = Case(
        status=status.value, tier=tier.value, channel=channel.value, product=product.value,
        category=category.value, branch=branch, received_at=received, **opening.case_values(),
        related_case_id=related_id, calendar=ctx.calendar.name, external_id=external_id,
        created_at=ctx.now, updated_at=ctx.now, **{**(record or {}), **shown},
    )
    uow.session.add(case)
    uow.session.flush()
    business_days.reach_back(uow.session.connection(), ctx.calendar, received, ctx.now)
    personal.remember_names(uow, case.id, full)
    case.reference = d.format_reference(received.astimezone(ctx.tz).year, case.id)
    uow.session.add(Cycle(**opening.cycle_values(case.id, 1)))
    return case, kept


def _check_new_branch(uow, ctx: Context, branch: str) -> None:
    """A new case's branch: one nobody has yet may be a new branch's first case, unless it is a known
    one mistyped (bj001, BJ0O1 for BJ001: refused, exit 2, "did you mean"; a case for BJ0O1 would
    be seen by nobody of BJ001 and make a branch of its own in the return); and a login bound to
    its branch (access.bound_branch) logs for that branch only (exit 4, where the server refused
    it in its own words)."""
    alike = names.unknown_alike(uow.session, "branch", branch, names.same_code)
    if alike:
        raise UserError("err.did_you_mean", field="--branch", value=shown_value(branch), suggestions=" / ".join(alike))
    bound = access.bound_branch(ctx)
    if bound is not None and branch != bound:
        op = ctx.operator
        raise access.denied("log_branch", person=op.person, role=op.role.value, own=bound, branch=branch)


def _repeat(uow, ctx: Context, key: str, *, channel: d.Channel, text: str, received_at, new_facts: bool) -> Result:
    """The same complaint again while the original is handled (Order 2020 No. 3): no new case. Without
    new facts or reasons the clock does not move; with them it restarts from the day they arrived."""
    with uow:
        case = load_case(uow, key, ctx)
        status = _move(case, d.Action.REPEAT)
        when = _when(received_at, ctx, case, "--received-at")
        extra = {"channel": channel.value, "new_facts": new_facts, "repeat_count": case.repeat_count + 1}
        if not new_facts:
            _apply(uow, ctx, case, d.Action.REPEAT, when, {"repeat_count": case.repeat_count + 1},
                   detail=text, extra={"channel": channel.value, "new_facts": False})
            uow.commit()
            return _result(uow, ctx, case, "msg.repeat")
        if status == d.Status.PAUSED:
            raise UserError("err.paused_new_facts", ref=case.reference)
        cycle = _cycle(uow, case)
        if when < cycle.opened_at:
            raise InvalidValue("--received-at", _said(when, ctx), "acc.after_cycle_began", at=_said(cycle.opened_at, ctx))
        _mark_breaches(case, cycle, when)
        changes = _open_cycle(uow, ctx, case, when, d.Action.REPEAT)
        changes["repeat_count"] = case.repeat_count + 1
        _apply(uow, ctx, case, d.Action.REPEAT, when, changes, detail=text, extra=extra)
        uow.commit()
        return _result(uow, ctx, case, "msg.new_facts", n=case.cycle_number,
                       day=ctx.calendar.local_date(when).isoformat())


def _check_not_anonymised(ctx: Context, case: Case, action: d.Action, *, restarts: bool = True) -> None:
    """A case `db purge` anonymised has ended for good: its handling never restarts (a reopen, a
    review, new facts: `restarts`), as a handler would work it with no customer name and no number
    to call; nor is anything else recorded on it: a note's text would be kept in full apart
    (personal_data) where purge never comes back, and any other step is said to be refused as such
    rather than by the state machine's list of moves (which names the restarts refused here). The
    customer who comes back is a new case, related to this one."""
    if case.anonymised_at is None:
        return
    key = ("err.anonymised" if restarts else "err.anonymised_note" if action == d.Action.NOTE
           else "err.anonymised_ended")
    raise UserError(key, ref=case.reference, action=action.value,
                    day=ctx.calendar.local_date(case.anonymised_at).isoformat())


def _open_cycle(uow, ctx: Context, case: Case, when: dt.datetime, opened_by: d.Action) -> dict[str, Any]:
    """A later cycle from `when` (a reopen, new facts or a review), opened by cycles.open_cycle:
    its row, and the case's changes. Never on an anonymised case (checked first by each command)."""
    _check_not_anonymised(ctx, case, opened_by)
    number = case.cycle_number + 1
    opening = cycles.open_cycle(when, d.Tier(case.tier), ctx.calendar, opened_by)
    uow.session.add(Cycle(**opening.cycle_values(case.id, number)))
    return opening.restart_values(number)


def withdraw(uow, ctx: Context, key: str, *, reason: str | None = None, at: str | None = None) -> Result:
    """The complainant withdraws: the procedure ends on the day the withdrawal is received; the case
    is neither resolved nor breached after that (a breach before it stands)."""
    access.require(ctx, Do.WORK)
    why = d.clean_text("--reason", reason, required=False)
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.WITHDRAW)
        cycle = _cycle(uow, case)
        if when < cycle.opened_at:
            raise InvalidValue("--at", _said(when, ctx), "acc.after_cycle_began", at=_said(cycle.opened_at, ctx))
        _mark_breaches(case, cycle, when)
        uow.session.add(cycle)
        _apply(uow, ctx, case, d.Action.WITHDRAW, when,
               {"status": status.value, "withdrawn_at": when, "followup_due_at": None, "paused_at": None,
                "pause_reason": None, "paused_from": None}, detail=why)
        uow.commit()
        return _result(uow, ctx, case, "msg.withdrawn", day=ctx.calendar.local_date(when).isoformat())


def clean_departments(department: str | list[str] | tuple | None) -> list[str]:
    """One or more department names (repeated --department), checked, in order, without repeats."""
    given = [department] if isinstance(department, str) else list(department or [])
    out: list[str] = []
    for name in given:
        clean = d.clean_name("--department", name)
        if "," in clean:
            raise InvalidValue("--department", clean, "acc.one_department")
        if clean not in out:
            out.append(clean)
    return out


def assign(uow, ctx: Context, key: str, *, to: str, department: str | list[str] | None = None, override: bool = False,
           reason: str | None = None, at: str | None = None, with_: list[str] | None = None) -> Result:
    """Hand a case to registered staff whose role fits its tier (or override, with a reason), with any
    co-handlers and departments that handle it together."""
    access.require(ctx, Do.WORK)
    depts = clean_departments(department)
    dept = depts[0] if depts else None
    why = d.clean_text("--reason", reason, required=False)
    if override and not why:
        raise InvalidValue("--reason", "", "acc.override_reason")
    with uow:
        case = load_case(uow, key, ctx)
        when = _when(at, ctx, case)
        _in_order(uow, ctx, case, when)
        person = _staff(uow, to, "assignee")
        status = _move(case, d.Action.ASSIGN)
        _check_not_complained_about(case, person, "--to")
        team = _co_handlers(uow, case, person, with_)
        tier = d.Tier(case.tier)
        role = d.Role(person.role)
        extra = None
        if not d.can_handle(role, tier):
            if not override:
                need = d.TIER_HANDLER[tier]
                raise UnfitAssignee("err.assign_role", a_tier=tier, tier=tier, name=person.name, role=role,
                                   a_need=need, need=need)
            access.require(ctx, Do.OVERRIDE)
            extra = {"override": True, "override_reason": why}
        changes = {"assignee": person.name, "status": status.value, "co_handlers": ",".join(team) or None}
        if dept or person.department:
            changes["department"] = dept or person.department
        if depts:
            changes["departments"] = ",".join(dict.fromkeys(depts + d.names_kept(case.departments)))
        if all(_same_value(k, getattr(case, k), v) for k, v in changes.items()):  # an event that would record nothing
            raise UserError("err.assign_same", ref=case.reference, name=person.name)
        _mark_breaches(case, _cycle(uow, case), when)
        _apply(uow, ctx, case, d.Action.ASSIGN, when, changes, detail=why, extra=extra)
        uow.commit()
        return _result(uow, ctx, case, "msg.assigned", name=person.name, status=case.status)


def _same_value(key: str, before, after) -> bool:
    """Whether a field's new value is its old one (co-handlers as a set: their order says nothing)."""
    if key == "co_handlers":
        return set(d.names_kept(before)) == set(d.names_kept(after))
    return before == after


ESCALATION_BATCH = 500


def escalate(uow, ctx: Context, key: str, *, to: str, reason: str | None, at: str | dt.datetime | None = None,
             automatic: bool = False) -> Result:
    """Raise a case's tier; its internal deadline is recounted from the cycle's start under the new tier."""
    access.require(ctx, Do.WORK)
    new_tier = labels.parse(d.Tier, to, "--to")
    why = d.clean_text("--reason", reason)
    with uow:
        case, when, _ = _start(uow, ctx, key, at, d.Action.ESCALATE)
        current = d.Tier(case.tier)
        if d.TIER_LEVEL[new_tier] <= d.TIER_LEVEL[current]:
            higher = [t for t in d.Tier if d.TIER_LEVEL[t] > d.TIER_LEVEL[current]]
            raise InvalidValue("--to", to, "acc.tier_above" if higher else "acc.tier_above_none", current=current,
                               higher=higher)
        _raise_tier(uow, ctx, case, _cycle(uow, case), new_tier, when, why, automatic)
        uow.commit()
        result = _result(uow, ctx, case, "msg.escalated", old=current.value, new=new_tier.value)
        if result.case["below_tier"]:  # left with someone below the new tier: warned, as escalate --overdue does
            result.below_tier = [{"reference": case.reference, "tier": case.tier, "assignee": case.assignee}]
        return result


def _raise_tier(uow, ctx: Context, case: Case, cycle: Cycle, new_tier: d.Tier, when: dt.datetime, why: str,
                automatic: bool, flush: bool = True) -> None:
    """The change an escalation makes, to a case already checked: new deadlines, the cycle, the event.
    (A batch of escalations, which query nothing in between, leaves the writing to the commit.)"""
    _mark_breaches(case, cycle, when)
    cal = ctx.calendar
    changes: dict[str, Any] = {"tier": new_tier.value, "last_escalated_at": when}
    if new_tier == d.Tier.URGENT:
        # The emergency team's 24 hours start when the case is declared urgent.
        plan_due = deadlines.response_due(when, ctx.policy)
        changes.update(first_response_due_at=plan_due, due_at=plan_due,
                       followup_due_at=deadlines.followup_due(when, cal))
        if case.first_responded_at is not None and case.first_responded_at >= cycle.opened_at:
            changes.update(first_responded_at=None)
    else:
        base = deadlines.internal_due(cycle.opened_at, new_tier, cal)
        changes["due_at"] = cal.add_working_seconds(base, case.paused_working_seconds) if case.paused_working_seconds else base
    cycle.tier = new_tier.value
    cycle.due_at = changes["due_at"]
    cycle.first_response_due_at = changes.get("first_response_due_at", cycle.first_response_due_at)
    uow.session.add(cycle)
    _apply(uow, ctx, case, d.Action.ESCALATE, when, changes, detail=why,
           extra={"automatic": True} if automatic else None, flush=flush)


def respond(uow, ctx: Context, key: str, *, text: str | None, at: str | None = None) -> Result:
    """Record the first response (for urgent cases, the initial plan) or a further reply."""
    access.require(ctx, Do.WORK)
    body = d.clean_text("text", text)
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.RESPOND)
        cycle = _cycle(uow, case)
        _mark_breaches(case, cycle, when)
        changes: dict[str, Any] = {"status": status.value}
        if case.first_responded_at is None:
            changes["first_responded_at"] = when
            cycle.first_responded_at = when
            if case.tier == d.Tier.URGENT:
                if case.first_response_due_at and when >= case.first_response_due_at:
                    cycle.response_breached = True
                changes["due_at"] = None  # the plan is given; from now on, daily follow-up
        if case.tier == d.Tier.URGENT:
            changes["followup_due_at"] = deadlines.followup_due(when, ctx.calendar)
        uow.session.add(cycle)
        _apply(uow, ctx, case, d.Action.RESPOND, when, changes, detail=body)
        uow.commit()
        return _result(uow, ctx, case, "msg.responded", status=case.status)


def note(uow, ctx: Context, key: str, *, text: str | None, at: str | None = None) -> Result:
    """Add a follow-up note; for an urgent case it also counts as the day's follow-up."""
    access.require(ctx, Do.WORK)
    body = d.clean_text("text", text)
    with uow:
        case, when, _ = _start(uow, ctx, key, at, d.Action.NOTE)
        changes: dict[str, Any] = {}
        if case.tier == d.Tier.URGENT and case.status in d.HANDLING_STATUSES:
            changes["followup_due_at"] = deadlines.followup_due(when, ctx.calendar)
        _apply(uow, ctx, case, d.Action.NOTE, when, changes, detail=body)
        uow.commit()
        return _result(uow, ctx, case, "msg.noted")


def pause(uow, ctx: Context, key: str, *, reason: str, note_text: str | None = None, at: str | None = None) -> Result:
    """Stop the internal clock (and, for appraisal, the regulatory clock) until `resume`."""
    access.require(ctx, Do.WORK)
    why = labels.parse(d.PauseReason, reason, "--reason")
    body = d.clean_text("note", note_text, required=False)
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.PAUSE)
        _mark_breaches(case, _cycle(uow, case), when)
        _apply(uow, ctx, case, d.Action.PAUSE, when,
               {"status": status.value, "paused_at": when, "pause_reason": why.value, "paused_from": case.status},
               detail=body)
        uow.commit()
        return _result(uow, ctx, case, "msg.paused_appraisal" if why == d.PauseReason.APPRAISAL else "msg.paused",
                       reason=why.value)


def resume(uow, ctx: Context, key: str, *, at: str | None = None) -> Result:
    """Restart the clocks; deadlines move later by the time the pause covered."""
    access.require(ctx, Do.WORK)
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.RESUME)
        if when < case.paused_at:
            raise InvalidValue("--at", _said(when, ctx), "acc.after_pause", at=_said(case.paused_at, ctx))
        cal = ctx.calendar
        cycle = _cycle(uow, case)
        working = int(cal.working_seconds(case.paused_at, when))
        wall = int((when - case.paused_at).total_seconds())
        changes: dict[str, Any] = {"status": status.value, "paused_at": None, "pause_reason": None, "paused_from": None,
                                   "paused_working_seconds": case.paused_working_seconds + working}
        if case.due_at is not None:
            urgent_plan = case.tier == d.Tier.URGENT and case.first_responded_at is None
            changes["due_at"] = deadlines.shift_for_pause(case.due_at, case.paused_at, when, cal, wall_clock=urgent_plan)
            if urgent_plan:
                changes["first_response_due_at"] = changes["due_at"]
        running = case.regulatory_due_at is not None and case.paused_at < case.regulatory_due_at
        if case.pause_reason == d.PauseReason.APPRAISAL and running:
            # Appraisal time is left out of a period still running, never added to one already out.
            paused = case.regulatory_paused_seconds + wall
            changes["regulatory_paused_seconds"] = paused
            changes["regulatory_due_at"] = deadlines.regulatory_due(
                cycle.opened_at, cal, extended_to=case.regulatory_extension_days, paused_seconds=paused)
        if case.tier == d.Tier.URGENT:
            changes["followup_due_at"] = deadlines.followup_due(when, cal)
        cycle.due_at = changes.get("due_at", cycle.due_at)
        cycle.first_response_due_at = changes.get("first_response_due_at", cycle.first_response_due_at)
        cycle.regulatory_due_at = changes.get("regulatory_due_at", cycle.regulatory_due_at)
        uow.session.add(cycle)
        _apply(uow, ctx, case, d.Action.RESUME, when, changes,
               extra={"paused_working_seconds": working, "paused_seconds": wall})
        uow.commit()
        return _result(uow, ctx, case, "msg.resumed")


EXTENSION_APPROVER = {30: d.Role.MANAGER, 60: d.Role.EXECUTIVE}


def _check_approver(ctx: Context, case: Case, approver: str, to: int) -> None:
    """Who approves an extension: never the person the complaint is about; of the case's branch, or
    of the higher institution (staff without a branch), never of a sibling branch."""
    if case.complained_staff and case.complained_staff == approver:
        raise access.denied("recused", person=approver)
    own = ctx.operator.branch
    if own and case.branch and own != case.branch:
        raise access.denied("branch", person=approver, role=ctx.operator.role.value, what=access.EXTENSION_APPROVAL[to].value,
                            own=own, branch=case.branch)


def extend(uow, ctx: Context, key: str, *, to: int, approved_by: str | None = None, reason: str | None,
           customer_told_at: str | None = None, at: str | None = None, request: bool = False) -> Result:
    """Extend the regulatory period of a complex case to 30 days from receipt (a manager approves)
    or 60 (an executive: the higher level's approval); the customer must have been told before the
    deadline being extended ran out (Order 2020 No. 3, art. 17). The approver is the operator;
    anyone handling cases may instead file a request (`request=True`) that the approver then
    grants. Each is an event."""
    if to not in EXTENSION_APPROVER:  # what is accepted first: 45 or 90 is bad input for anyone (exit 2)
        raise InvalidValue("--to", to, "acc.extension_to", ceiling=deadlines.EXTENSION_CEILING_DAYS)
    access.require(ctx, Do.REQUEST_EXTENSION if request else access.EXTENSION_APPROVAL[to])
    why = d.clean_text("--reason", reason)
    approver = ctx.operator.person
    if approved_by is not None and not request and d.clean_name("--approved-by", approved_by) != approver:
        raise access.denied("approver", person=approver, approver=d.clean_name("--approved-by", approved_by))
    if customer_told_at is None and not request:
        raise InvalidValue("--customer-told-at", "", "acc.customer_told")
    with uow:
        case = load_case(uow, key, ctx)
        _move(case, d.Action.EXTEND)
        if not request:
            _check_approver(ctx, case, approver, to)
        when = _when(at, ctx, case)
        _in_order(uow, ctx, case, when)
        in_force = deadlines.regulatory_period_days(case.regulatory_extension_days, ctx.policy)
        if to <= in_force:
            raise InvalidValue("--to", to, "acc.extension_more", days=in_force,
                                           ceiling=deadlines.EXTENSION_CEILING_DAYS)
        if request:
            _apply(uow, ctx, case, d.Action.EXTENSION_REQUEST, when, {}, detail=why, extra={"to": to})
            uow.commit()
            return _result(uow, ctx, case, "msg.extension_requested", days=to)
        told = _when(customer_told_at, ctx, case, "--customer-told-at")
        due = case.regulatory_due_at
        for field_name, moment in (("--customer-told-at", told), ("--at", when)):
            if due is not None and moment >= due:
                if field_name == "--at" and not at:  # not given: the approval is now, too late
                    raise UserError("err.extend_now_late", now=_said(moment, ctx), due=deadlines.due_words(due, ctx.calendar))
                raise InvalidValue(field_name, _said(moment, ctx), "acc.before_deadline", due=deadlines.due_words(due, ctx.calendar))
        cycle = _cycle(uow, case)
        _mark_breaches(case, cycle, when)
        reg = deadlines.regulatory_due(cycle.opened_at, ctx.calendar, extended_to=to,
                                       paused_seconds=case.regulatory_paused_seconds)
        cycle.regulatory_due_at = reg
        cycle.regulatory_extension_days = to
        uow.session.add(cycle)
        _apply(uow, ctx, case, d.Action.EXTEND, when,
               {"regulatory_extension_days": to, "regulatory_due_at": reg}, detail=why,
               extra={"approved_by": approver, "customer_told_at": told})
        uow.commit()
        return _result(uow, ctx, case, "msg.extended", days=to)


def resolve(uow, ctx: Context, key: str, *, resolution: str | None, root_cause: str | None = None,
            notified_via: str | None = None, at: str | None = None, facts: str | None = None,
            basis: str | None = None, relief: str | None = None, decided_at: str | None = None) -> Result:
    """The decision is made and the customer told (at `at`, which meets the clocks): the result, the
    facts found, the basis and the routes of relief open to the customer (Order 2020 No. 3)."""
    access.require(ctx, Do.WORK)
    text = d.clean_text("resolution", resolution)
    found = d.clean_text("--facts", facts, required=False)
    grounds = d.clean_text("--basis", basis, required=False)
    routes = _relief(relief)
    cause = labels.parse(d.Category, root_cause, "--root-cause").value if root_cause else None
    via = labels.parse(d.NotifiedVia, notified_via, "--notified-via").value if notified_via else None
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.RESOLVE)
        cycle = _cycle(uow, case)
        if when < cycle.opened_at:
            raise InvalidValue("--at", _said(when, ctx), "acc.after_cycle_began", at=_said(cycle.opened_at, ctx))
        decided = _when(decided_at, ctx, case, "--decided-at") if decided_at else when
        if decided > when:
            raise InvalidValue("--decided-at", _said(decided, ctx), "acc.not_after_told", at=_said(when, ctx))
        _mark_breaches(case, cycle, when)
        kept = _decide_cycle(uow, ctx, case, cycle, when)
        _apply(uow, ctx, case, d.Action.RESOLVE, when,
               {"status": status.value, "resolved_at": when, "resolution": text, "root_cause": cause or case.root_cause,
                "notified_via": via, "followup_due_at": None, "decided_at": decided, "decision_facts": found,
                "decision_basis": grounds, "relief": routes}, detail=None, extra=kept)
        uow.commit()
        late = cycle.internal_breached or cycle.response_breached
        return _result(uow, ctx, case, "msg.resolved_late" if late else "msg.resolved")


def _relief(text: str | None) -> str:
    """The routes of relief, comma-separated (English or Chinese names); all four when not given."""
    if text is None:
        return ",".join(r.value for r in d.Relief)
    chosen = {labels.parse(d.Relief, part, "--relief") for part in labels.split_list(text)}
    if not chosen:
        raise InvalidValue("--relief", text, "acc.one_or_more", choices=d.Relief)
    return ",".join(r.value for r in d.Relief if r in chosen)


def reopen(uow, ctx: Context, key: str, *, reason: str | None, at: str | None = None) -> Result:
    """The customer is not satisfied: start a new handling cycle with fresh deadlines."""
    access.require(ctx, Do.WORK)
    why = d.clean_text("--reason", reason)
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.REOPEN)
        if case.resolved_at:
            window = ctx.policy.reopen_window_days
            ends = deadlines.period_end(case.resolved_at, window, ctx.calendar)
            if when >= ends:
                raise UserError("err.reopen_window", ref=case.reference, day=f"{case.resolved_at.astimezone(ctx.tz):%Y-%m-%d}",
                                window=window, last=ctx.calendar.local_date(ends - dt.timedelta(seconds=1)))
        if case.resolved_at and when < case.resolved_at:
            raise InvalidValue("--at", _said(when, ctx), "acc.after_resolution", at=_said(case.resolved_at, ctx))
        changes = _open_cycle(uow, ctx, case, when, d.Action.REOPEN)
        changes.update({"status": status.value, "reopen_count": case.reopen_count + 1, "resolved_at": None,
                        "closed_at": None, "satisfaction": None, "decided_at": None, "decision_facts": None,
                        "decision_basis": None, "relief": None})
        _apply(uow, ctx, case, d.Action.REOPEN, when, changes, detail=why)
        uow.commit()
        return _result(uow, ctx, case, "msg.reopened", n=case.cycle_number)


def request_review(uow, ctx: Context, key: str, *, requested_at: str | None, reviewer: str) -> Result:
    """The customer disagrees with the decision and asks the higher level to review it: within
    30 days of receiving the decision; the review is decided within 30 days of the request."""
    access.require(ctx, Do.WORK)
    with uow:
        case = load_case(uow, key, ctx)
        _check_not_anonymised(ctx, case, d.Action.REVIEW)
        status = _move(case, d.Action.REVIEW)
        when = _when(requested_at, ctx, case, "--requested-at")
        if case.review_requested_at is not None:
            raise UserError("err.already_reviewed", ref=case.reference, at=_said(case.review_requested_at, ctx))
        decided = case.resolved_at
        if when < decided:
            raise InvalidValue("--requested-at", _said(when, ctx), "acc.after_decision", at=_said(decided, ctx))
        window = deadlines.review_request_ends(decided, ctx.calendar)
        if when >= window:
            last = ctx.calendar.local_date(window - dt.timedelta(seconds=1))
            raise InvalidValue("--requested-at", _said(when, ctx), "acc.review_window", days=deadlines.REVIEW_REQUEST_DAYS,
                               day=ctx.calendar.local_date(decided), last=last)
        person = _staff(uow, reviewer, "--reviewer")
        decider = _decider(uow, case)
        _check_reviewer(uow, case, person, decider)
        cycle = _cycle(uow, case)
        changes = _open_cycle(uow, ctx, case, when, d.Action.REVIEW)
        due = changes["regulatory_due_at"]
        uow.session.add(cycle)
        # The reviewer holds the case, in their own department (as `assign --to` them would): the
        # review's decision is theirs, and the handler's decision, kept on its cycle, stays the handler's.
        held = {"department": person.department} if person.department else {}
        _apply(uow, ctx, case, d.Action.REVIEW, when, {
            "status": status.value, **changes, "review_requested_at": when, "reviewer": person.name,
            "assignee": person.name, **held,
        }, extra={"handler": case.assignee, "decided_by": decider})
        uow.commit()
        return _result(uow, ctx, case, "msg.review", name=person.name,
                       day=ctx.calendar.local_date(due - dt.timedelta(seconds=1)).isoformat())


def _co_handlers(uow, case: Case, lead: Staff, names: list[str] | None) -> list[str]:
    """The co-handlers after an assignment: those given (registered, active, not the lead, not the person
    complained about), or else the existing ones other than the new lead."""
    if not names:
        return [n for n in d.names_kept(case.co_handlers) if n != lead.name]
    team: list[str] = []
    for name in names:
        person = _staff(uow, name, "--with")
        if person.name == lead.name:
            raise InvalidValue("--with", person.name, "acc.not_lead", name=lead.name)
        _check_not_complained_about(case, person, "--with")
        if person.name not in team:
            team.append(person.name)
    return team


def _check_not_complained_about(case: Case, person: Staff, field_name: str) -> None:
    access.check_not_complained_about(field_name, person.name, case.complained_staff)


def _decider(uow, case: Case) -> str | None:
    """Who recorded the decision under review (the last resolve's operator, the person an
    administrator acted for): the one whose decision it is, whoever the case was assigned to."""
    actor = uow.session.execute(select(Event.actor).where(Event.case_id == case.id, Event.action == d.Action.RESOLVE.value)
                                .order_by(Event.id.desc()).limit(1)).scalar()
    return actor.rsplit(" as ", 1)[-1] if actor else None


def _check_reviewer(uow, case, reviewer: Staff, decider: str | None = None) -> None:
    """access.check_reviewer for this case: its handler is the assignee or the one who decided,
    whichever ranks higher (a manager who decided a clerk's case is reviewed above the manager)."""
    people = [p for p in (uow.session.execute(select(Staff).where(Staff.name == n)).scalar_one_or_none()
                          for n in dict.fromkeys(x for x in (case.assignee, decider) if x)) if p is not None]
    access.check_reviewer("--reviewer", reviewer, branch=case.branch, complained=case.complained_staff,
                          handlers=people, decider=decider)


def _check_deciding_reviewer(uow, ctx: Context, case: Case) -> None:
    """The review is decided by the reviewer named when it was requested (checked then: a higher
    level, not the handler, not the person complained about), not by whoever runs the command. Only
    when that reviewer has since been deactivated may another decide it, who must pass the same
    checks."""
    person = ctx.operator.person
    if not case.reviewer or person == case.reviewer:
        return
    named = uow.session.execute(select(Staff).where(Staff.name == case.reviewer)).scalar_one_or_none()
    if named is not None and named.active:
        raise access.denied("reviewer", person=person, reviewer=case.reviewer)
    # Checked as at the request: against the handler whose decision is reviewed (the request made
    # the reviewer the assignee, and its event recorded the handler).
    asked = uow.session.execute(select(Event.new).where(Event.case_id == case.id, Event.action == d.Action.REVIEW.value)
                                .order_by(Event.id.desc()).limit(1)).scalar()
    recorded = json.loads(asked or "{}")
    at_request = SimpleNamespace(assignee=recorded.get("handler"), complained_staff=case.complained_staff,
                                 branch=case.branch)
    try:
        _check_reviewer(uow, at_request, _staff(uow, person, "operator"), recorded.get("decided_by") or _decider(uow, case))
    except InvalidValue as exc:  # not a value the operator typed: who may decide it (exit 4), and why not them
        raise access.denied("stand_in", person=person, reviewer=case.reviewer, accepted=exc.accepted,
                            accepted_params=exc.accepted_params) from None


def decide_review(uow, ctx: Context, key: str, *, outcome: str, text: str | None, at: str | None = None) -> Result:
    """The reviewer's decision: the original decision upheld or changed, and the customer told."""
    access.require(ctx, Do.WORK)
    out = labels.parse(d.ReviewOutcome, outcome, "--outcome")
    body = d.clean_text("text", text)
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.REVIEW_DECIDE)
        _check_deciding_reviewer(uow, ctx, case)
        if when < case.review_requested_at:
            raise InvalidValue("--at", _said(when, ctx), "acc.after_review_requested", at=_said(case.review_requested_at, ctx))
        cycle = _cycle(uow, case)
        _mark_breaches(case, cycle, when)
        kept = _decide_cycle(uow, ctx, case, cycle, when)
        _apply(uow, ctx, case, d.Action.REVIEW_DECIDE, when,
               {"status": status.value, "review_outcome": out.value, "reviewed_at": when}, detail=body, extra=kept)
        uow.commit()
        return _result(uow, ctx, case, "msg.review_decided", outcome=out.value)


def close(uow, ctx: Context, key: str, *, satisfaction: str, at: str | None = None) -> Result:
    """Close a resolved case, recording whether the customer was satisfied."""
    access.require(ctx, Do.WORK)
    sat = labels.parse(d.Satisfaction, satisfaction, "--satisfaction")
    with uow:
        case, when, status = _start(uow, ctx, key, at, d.Action.CLOSE)
        if case.resolved_at and when < case.resolved_at:
            raise InvalidValue("--at", _said(when, ctx), "acc.after_resolution", at=_said(case.resolved_at, ctx))
        _apply(uow, ctx, case, d.Action.CLOSE, when,
               {"status": status.value, "closed_at": when, "satisfaction": sat.value})
        uow.commit()
        hint = [("warn.unsatisfied", {"ref": case.reference})] if sat == d.Satisfaction.UNSATISFIED else []
        return _result(uow, ctx, case, "msg.closed", hint, satisfaction=sat.value)


# Reading ----------------------------------------------------------------------------------


def show(uow, ctx: Context, key: str, *, reveal: bool = False, as_of: str | None = None,
         lang: str = "en") -> CaseDetail:
    """The record, every clock with time left or overdue, each cycle, and the full timeline (put
    together by complaintctl/detail.py, which the lean `show` runs too)."""
    as_of_t = as_of_time(as_of, ctx)
    with uow:
        case = load_case(uow, key, ctx)
        if reveal:
            access.require(ctx, Do.REVEAL, branch=case.branch)
            audit.append(uow, case_id=case.id, action=d.Action.REVEAL.value, actor=ctx.actor, occurred_at=ctx.now,
                         recorded_at=ctx.now, detail="personal data shown in full by show --reveal")
        in_full = reveal or _unmasked(uow, ctx)
        cycles = uow.session.execute(cycles_select(case.id)).scalars().all()
        events = uow.session.execute(events_select(case.id)).scalars().all()
        # Events hold their text masked; revealed, the full text kept apart (until purged) is shown.
        out = case_detail(case, cycles, events, ctx, as_of_t, lang=lang,
                          full=_full(uow, case) if in_full else None,
                          texts=personal.texts(uow, [e.id for e in events]) if in_full else {},
                          related_ref=_related_ref(uow, case),
                          rule_changes=uow.session.execute(rule_changes_select()).scalars().all(),
                          handler_role=uow.session.execute(role_select(case.assignee)).scalar()
                          if case.assignee is not None else None)
        if reveal:
            uow.commit()
    return out


def case_select(case_id):
    """A case by its id (the lean `show` runs it compiled, cli/lean.py)."""
    return select(Case).where(Case.id == case_id)


def cycles_select(case_id):
    """A case's cycles, in order."""
    return select(Cycle).where(Cycle.case_id == case_id).order_by(Cycle.number)


def events_select(case_id):
    """A case's events, its timeline, in order."""
    return select(Event).where(Event.case_id == case_id).order_by(Event.id)


def rule_changes_select():
    """The deadline rules' events, in order (`show` explains a case's deadlines by the rules that set
    them; the lean `show` runs it compiled)."""
    return select(Event).where(Event.action == d.Action.RULES.value).order_by(Event.id)


def role_select(name):
    """A member of staff's role by their name (whether `show`'s handler may own the case's tier)."""
    return select(Staff.role).where(Staff.name == name)


def reference_select(case_id):
    """A case's reference by its id (the related case `show` names)."""
    return select(Case.reference).where(Case.id == case_id)


# Staff ------------------------------------------------------------------------------------


def staff_add(uow, ctx: Context, *, name: str, role: str, branch: str | None = None,
              department: str | None = None, login: str | None = None) -> dict[str, Any]:
    """Register a member of staff with their role and, if they run the tool themselves, their login
    (on PostgreSQL the login is also granted the role's group role). `branch`: their branch's code,
    d.NO_BRANCH for the higher institution's staff, or None for the config's branch; a handler
    (staff, manager, executive) with no branch given and none configured is refused rather than
    made the higher institution's by default."""
    access.require(ctx, Do.STAFF)
    clean = d.clean_name("name", name)
    if any(mark in clean for mark in labels.ACTING_MARKS) or clean == access.BOOTSTRAP_ACTOR:  # an actor no one could tell from another's
        raise InvalidValue("name", clean, "acc.staff_name")
    r = labels.parse(d.Role, role, "--role")
    if branch is not None and branch.strip() == d.NO_BRANCH:
        br = None
    else:
        # Given empty (`--branch "$BRANCH"` with the variable unset) is refused, not read as left out.
        br = d.clean_name("--branch", branch) if branch is not None else d.clean_name(
            "branch", ctx.settings.get("branch"), required=False)
        if br is None and r in d.HANDLING_ROLES:
            raise InvalidValue("--branch", "", "acc.staff_branch")
    dept = d.clean_name("--department", department) if department is not None else None
    account = d.clean_login(login)
    with uow:
        exists = uow.session.execute(select(Staff.id).where(Staff.name == clean)).scalar()
        if exists:
            raise DuplicateStaff("err.staff_exists", name=clean)
        _check_login_free(uow, account)
        person = Staff(name=clean, role=r.value, branch=br, department=dept, login=account, created_at=ctx.now)
        uow.session.add(person)
        uow.session.flush()
        if account:
            uow.store.adapter.map_login(uow.session.connection(), account, None, r.value)
        audit.append(uow, case_id=None, action=d.Action.STAFF_ADD.value, actor=ctx.actor, occurred_at=ctx.now,
                     recorded_at=ctx.now, new={"name": clean, "role": r.value, "branch": br, "department": dept,
                                               "login": account})
        uow.commit()
    return staff_json(person, ctx)


def _check_login_free(uow, account: str | None, person: Staff | None = None) -> None:
    if not account:
        return
    holder = uow.session.execute(select(Staff.name).where(Staff.login == account)).scalar()
    if holder and (person is None or holder != person.name):
        raise DuplicateStaff("err.login_taken", login=account, holder=holder)


def _last_admin(uow, person: Staff) -> bool:
    if person.role != d.Role.ADMIN or not person.active:
        return False
    others = uow.session.execute(select(func.count()).select_from(Staff).where(
        Staff.role == d.Role.ADMIN.value, Staff.active.is_(True), Staff.id != person.id)).scalar_one()
    return others == 0


def staff_change(uow, ctx: Context, *, name: str, role: str | None = None, login: str | None = None) -> dict[str, Any]:
    """Change a staff member's role or login (an administrator's act, recorded as an event)."""
    access.require(ctx, Do.STAFF)
    r = labels.parse(d.Role, role, "ROLE") if role is not None else None
    account = d.clean_login(login, "LOGIN") if login is not None else None
    with uow:
        person = _staff(uow, name, "name")
        old, new = {}, {}
        if r is not None and r.value != person.role:
            if _last_admin(uow, person):
                raise access.denied("last_admin", name=person.name)
            old["role"], new["role"] = person.role, r.value
        if account is not None and account != person.login:
            _check_login_free(uow, account, person)
            old["login"], new["login"] = person.login, account
        if not new:  # already so: nothing written, and said so
            return {**staff_json(person, ctx), "changed": False}
        conn = uow.session.connection()
        if person.login and (person.login != new.get("login", person.login) or "role" in new):
            uow.store.adapter.map_login(conn, person.login, person.role, None)
        person.role = new.get("role", person.role)
        person.login = new.get("login", person.login)
        if person.login:
            uow.store.adapter.map_login(conn, person.login, None, person.role)
        uow.session.add(person)
        audit.append(uow, case_id=None, action=d.Action.STAFF_ROLE.value, actor=ctx.actor, occurred_at=ctx.now,
                     recorded_at=ctx.now, old={"name": person.name, **old}, new=new)
        uow.commit()
        return {**staff_json(person, ctx), "changed": True}


def staff_deactivate(uow, ctx: Context, *, name: str) -> dict[str, Any]:
    """Someone who left or moved: they can do nothing from now on, and get no new cases or
    approvals; their history and open cases stay."""
    access.require(ctx, Do.STAFF)
    with uow:
        person = _staff(uow, name, "name")
        if _last_admin(uow, person):
            raise access.denied("last_admin", name=person.name)
        person.active = False
        uow.session.add(person)
        if person.login:
            uow.store.adapter.map_login(uow.session.connection(), person.login, person.role, None)
        open_cases = _open_cases_of(uow, person)
        audit.append(uow, case_id=None, action=d.Action.STAFF_DEACTIVATE.value, actor=ctx.actor, occurred_at=ctx.now,
                     recorded_at=ctx.now, old={"name": person.name, "active": True}, new={"active": False})
        uow.commit()
        return {**staff_json(person, ctx), "open_cases": open_cases}


def staff_reactivate(uow, ctx: Context, *, name: str) -> dict[str, Any]:
    """Undo a deactivation (one made in error, or someone back): they may act again, and on
    PostgreSQL their login gets its role's group role back. Cases stay where they are: those still
    assigned to them are theirs again (counted), those reassigned meanwhile stay with their new handler."""
    access.require(ctx, Do.STAFF)
    with uow:
        person = _registered(uow, name, "name")
        if person.active:
            raise UserError("err.staff_active", name=person.name)
        person.active = True
        uow.session.add(person)
        if person.login:
            uow.store.adapter.map_login(uow.session.connection(), person.login, None, person.role)
        open_cases = _open_cases_of(uow, person)
        audit.append(uow, case_id=None, action=d.Action.STAFF_REACTIVATE.value, actor=ctx.actor,
                     occurred_at=ctx.now, recorded_at=ctx.now, old={"name": person.name, "active": False},
                     new={"active": True})
        uow.commit()
        return {**staff_json(person, ctx), "open_cases": open_cases}


def _open_cases_of(uow, person: Staff) -> int:
    """How many open cases are assigned to `person` (their lead handler)."""
    return uow.session.execute(select(func.count()).where(
        Case.assignee == person.name, Case.status.in_([s.value for s in d.OPEN_STATUSES]))).scalar_one()


def staff_json(p: Staff, ctx: Context) -> dict[str, Any]:
    return {"name": p.name, "role": p.role, "branch": p.branch, "department": p.department, "login": p.login,
            "active": p.active, "created_at": _show(p.created_at, ctx)}


def set_masking(uow, ctx: Context, *, on: bool, reason: str | None) -> dict[str, Any]:
    """Turn masking of personal data on or off for everyone: an administrator's act, with a reason,
    recorded as an event. No config file can change it."""
    access.require(ctx, Do.MASKING)
    why = d.clean_text("--reason", reason)
    value = "on" if on else "off"
    with uow:
        row = uow.session.get(Setting, "masking")
        before = row.value if row else "on"
        if row is None:
            row = Setting(key="masking", value=value)
        row.value = value
        uow.session.add(row)
        if before != value:
            audit.append(uow, case_id=None, action=d.Action.MASKING.value, actor=ctx.actor, occurred_at=ctx.now,
                         recorded_at=ctx.now, old={"masking": before}, new={"masking": value}, detail=why)
        uow.commit()
    return {"masking": value, "changed": before != value}




def stored_regions(uow) -> dict[str, str]:
    """The regions recorded in the database, branch -> region (the demo records its own branches';
    config's [regions] adds to them and overrides them)."""
    return stored_regions_in(uow.session)


def stored_regions_in(session) -> dict[str, str]:
    return regions_recorded(session.execute(regions_select()))


def regions_select():
    """The settings that record a branch's region (the lean commands run it compiled)."""
    return select(Setting.key, Setting.value).where(Setting.key.like(REGION_PREFIX + "%"))


def record_regions(uow, ctx: Context, regions: dict[str, str]) -> dict[str, str]:
    """Record in the database the region each branch belongs to (an administrator's act, checked as
    config's [regions] is, recorded as one event); returns what changed."""
    from .config import check_regions

    access.require(ctx, Do.MAINTAIN)
    wanted = check_regions(regions, "regions")
    room = Setting.__table__.c.key.type.length - len(REGION_PREFIX)
    for branch in wanted:
        if len(branch) > room:
            raise InvalidValue("branch", branch, "acc.branch_code", room=room)
    with uow:
        before = stored_regions(uow)
        changed = {b: r for b, r in wanted.items() if before.get(b) != r}
        for branch, region in changed.items():
            row = uow.session.get(Setting, REGION_PREFIX + branch) or Setting(key=REGION_PREFIX + branch, value=region)
            row.value = region
            uow.session.add(row)
        if changed:
            audit.append(uow, case_id=None, action=d.Action.REGIONS.value, actor=ctx.actor, occurred_at=ctx.now,
                         recorded_at=ctx.now, old={b: before.get(b) for b in changed}, new=changed)
        uow.commit()
    return changed


STAFF_ORDER = (d.Role.ADMIN, d.Role.EXECUTIVE, d.Role.MANAGER, d.Role.STAFF, d.Role.SYSTEM)


def staff_list(uow, ctx: Context) -> list[dict[str, Any]]:
    with uow:
        # By rank (administrators, then executives, managers, front-line staff, service accounts), then name.
        rank = sql_case({r.value: i for i, r in enumerate(STAFF_ORDER)}, value=Staff.role, else_=len(STAFF_ORDER))
        rows = uow.session.execute(select(Staff).order_by(rank, Staff.name)).scalars().all()
        return [staff_json(p, ctx) for p in rows]


def staff_names(uow, prefix: str = "", limit: int | None = 50) -> list[str]:
    """Registered staff names starting with `prefix`, in order (the first `limit`: Tab's list)."""
    with uow:
        q = select(Staff.name).where(Staff.name.startswith(prefix)).order_by(Staff.name)
        return list(uow.session.execute(q if limit is None else q.limit(limit)).scalars())


def case_references(uow, prefix: str = "", open_only: bool = True) -> list[str]:
    with uow:
        q = select(Case.reference).where(Case.reference.startswith(prefix.upper()))
        if open_only:
            q = q.where(Case.status.in_([s.value for s in d.OPEN_STATUSES]))
        return list(uow.session.execute(q.order_by(Case.id.desc()).limit(50)).scalars())




# Automatic escalation (cron) ------------------------------------------------------------------


def _changed_since_listed(case: Case, up: d.Tier, today: dt.date, ctx: Context) -> str | None:
    """Why a case listed for escalation must now be left alone, if it must."""
    if d.next_tier(d.Tier(case.tier)) != up:
        return f"its tier changed to {case.tier} since the run began"
    if case.last_escalated_at is not None and ctx.calendar.local_date(case.last_escalated_at) == today:
        return "already escalated this working day"
    try:
        _move(case, d.Action.ESCALATE)
    except IllegalMove as exc:
        return labels.error_text(exc)
    return None


def escalate_overdue(uow, ctx: Context, *, as_of: str | None = None, dry_run: bool = False,
                     as_of_option: str = "--as-of") -> dict[str, Any]:
    """Move every overdue general case to important and important to urgent, at most one tier a
    working day; list the overdue urgent cases for executive attention.

    The cases are decided from one query; the escalations are then written ESCALATION_BATCH cases
    to a transaction (each case with its event, as always), so that the writers' lock is released
    between batches and the branches' own commands go on during a large run. A run stopped half-way
    can simply be run again: a case escalated today is not escalated twice.
    Long because deciding, then writing in batches, is one procedure over one decided list."""
    access.require(ctx, Do.ESCALATE_OVERDUE)
    moment = _when(as_of, ctx, field_name=as_of_option)  # (--at where that was the option given)
    today = ctx.calendar.local_date(moment)
    out: dict[str, Any] = {"as_of": _show(moment, ctx), "dry_run": dry_run, "escalated": [], "skipped": [], "urgent": [],
                           "reviews": []}
    c = Case.__table__.c
    with uow:
        rows = uow.session.execute(
            select(c.id, c.reference, c.tier, c.status, c.paused_from, c.last_escalated_at, c.due_at,
                   c.regulatory_due_at)
            .where(clocks.overdue_sql(moment))
            .order_by(c.id)).all()
        # A run as of a past moment escalates no case whose procedure has a step after that moment:
        # the history would show an escalation before a step it came after (_in_order's rule).
        later = set(uow.session.execute(
            select(Event.case_id).where(Event.case_id.in_([r.id for r in rows]), Event.action.in_(_STEPS),
                                        Event.occurred_at > moment).distinct()).scalars()) if moment < ctx.now else set()
    due: list[tuple[int, d.Tier]] = []
    resting = not ctx.calendar.is_working_day(today)  # one tier a working day: none on a rest day
    for row in rows:
        tier = d.Tier(row.tier)
        up = d.next_tier(tier)
        if row.id in later:
            out["skipped"].append({"reference": row.reference, "tier": tier.value, "reason": "later_step",
                                   "why": "it has a step after --as-of"})
            continue
        if up is None:
            out["urgent"].append({"reference": row.reference, "tier": tier.value,
                                  "due_at": _show(row.due_at, ctx), "regulatory_due_at": _show(row.regulatory_due_at, ctx)})
            continue
        if row.last_escalated_at is not None and ctx.calendar.local_date(row.last_escalated_at) == today:
            out["skipped"].append({"reference": row.reference, "tier": tier.value, "reason": "escalated_today",
                                   "why": "already escalated this working day"})
            continue
        try:
            d.next_status(d.Status(row.status), d.Action.ESCALATE, d.Status(row.paused_from) if row.paused_from else None)
        except IllegalMove as exc:
            if row.status == d.Status.UNDER_REVIEW.value:  # its reviewer's to decide, on the review's own clock
                out["reviews"].append({"reference": row.reference, "tier": tier.value,
                                       "regulatory_due_at": _show(row.regulatory_due_at, ctx)})
            else:
                out["skipped"].append({"reference": row.reference, "tier": tier.value, "reason": "not_escalable",
                                       "status": row.status, "why": labels.error_text(exc)})
            continue
        if resting:
            out["skipped"].append({"reference": row.reference, "tier": tier.value, "reason": "rest_day",
                                   "why": "not a working day: escalated on the next working day"})
            continue
        due.append((row.id, up))
        if dry_run:
            out["escalated"].append({"reference": row.reference, "from": tier.value, "to": up.value})
    if dry_run:
        return out
    reason = f"automatic: overdue as of {moment.astimezone(ctx.tz):%Y-%m-%d %H:%M}; %s escalated to %s"
    handlers: dict[str, str] = {}
    for start in range(0, len(due), ESCALATION_BATCH):
        batch = dict(due[start:start + ESCALATION_BATCH])
        with uow:
            cases = uow.session.execute(select(Case).where(Case.id.in_(batch))).scalars().all()
            cycles = {(y.case_id, y.number): y for y in uow.session.execute(
                select(Cycle).join(Case, Case.id == Cycle.case_id)
                .where(Cycle.case_id.in_(batch), Cycle.number == Case.cycle_number)).scalars()}
            for case in sorted(cases, key=lambda x: x.id):
                up = batch[case.id]
                changed = _changed_since_listed(case, up, today, ctx)
                if changed:  # someone acted on it since the list was read
                    out["skipped"].append({"reference": case.reference, "tier": case.tier, "reason": "changed",
                                           "why": changed})
                    continue
                before = case.tier
                _raise_tier(uow, ctx, case, cycles[(case.id, case.cycle_number)], up, moment,
                            reason % (before, up.value), automatic=True, flush=False)
                out["escalated"].append({"reference": case.reference, "from": before, "to": up.value})
                if case.assignee:
                    handlers[case.reference] = case.assignee
            uow.commit()
    out["below_tier"] = _left_below_tier(uow, out["escalated"], handlers)
    return out


def _left_below_tier(uow, escalated: list[dict], handlers: dict[str, str]) -> list[dict]:
    """The escalated cases still with someone whose role does not fit the new tier (an important
    case with front-line staff, by domain.below_tier, the one rule): they must be reassigned, and
    `escalate` says so."""
    names = set(handlers.values())
    if not names:
        return []
    with uow:
        roles = dict(uow.session.execute(select(Staff.name, Staff.role).where(Staff.name.in_(names))).all())
    out = []
    for r in escalated:
        who = handlers.get(r["reference"])
        if who in roles and d.below_tier(roles[who], r["to"]):
            out.append({"reference": r["reference"], "tier": r["to"], "assignee": who, "role": roles[who]})
    return out