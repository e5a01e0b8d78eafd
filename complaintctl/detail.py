"""A case as `show` and every command's JSON give it: the stable JSON object (case_json), and
show's whole view of one case (case_detail: the record, each clock read at a moment, the cycles,
the timeline, how the deadlines were counted, the provisional-calendar warnings). Without
SQLAlchemy: services.show puts it together from ORM rows, the lean `show` (complaintctl_cli/lean.py)
from the same rows read through the DB-API driver (dbapi.Reader.objects), so both read one
definition."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from . import clocks, deadlines
from . import domain as d
from .context import Context, said_time, show_time as _show
from .errors import InvalidValue, UnknownCase
from .masking import ANONYMISED, DETAIL, FIELDS


def found(case, key: str):
    """The case `key` named (a reference or an id, already looked up by id): UnknownCase when there
    is none, or when the reference typed is not the case's."""
    if case is None:
        raise UnknownCase(key)
    ref = key.strip().upper()
    if ref.startswith("C-") and case.reference != ref:
        raise UnknownCase(key)
    return case


def case_json(case, ctx: Context, *, full: dict[str, Any] | None = None,
              related_ref: str | None = None) -> dict[str, Any]:
    """The case as one JSON object: stable field names, times ISO 8601 in the business timezone;
    personal fields as stored (masked), or as `full` gives them (personal.revealed).
    Long because it names every field of the stable JSON object once, in order."""
    shown = full if full is not None else {f: getattr(case, f) for f in FIELDS}
    state = clocks.state(case, ctx.now)
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "tier": case.tier,
        "channel": case.channel,
        "product": case.product,
        "category": case.category,
        "branch": case.branch,
        "department": case.department,
        "departments": d.names_kept(case.departments),
        "assignee": case.assignee,
        "co_handlers": d.names_kept(case.co_handlers),
        "customer": shown["customer"],
        "phone": shown["phone"],
        "email": shown["email"],
        "account": shown["account"],
        "description": shown["description"],
        "id_type": case.id_type,
        "id_number": shown["id_number"],
        "agent_name": shown["agent_name"],
        "agent_authority": case.agent_authority,
        "complained_staff": case.complained_staff,
        "request": shown["request"],
        "received_at": _show(case.received_at, ctx),
        "due_at": _show(case.due_at, ctx),
        "regulatory_due_at": _show(case.regulatory_due_at, ctx),
        "first_response_due_at": _show(case.first_response_due_at, ctx),
        "first_responded_at": _show(case.first_responded_at, ctx),
        "followup_due_at": _show(case.followup_due_at, ctx),
        "resolved_at": _show(case.resolved_at, ctx),
        "closed_at": _show(case.closed_at, ctx),
        "reopen_count": case.reopen_count,
        "repeat_count": case.repeat_count,
        "withdrawn_at": _show(case.withdrawn_at, ctx),
        "review_requested_at": _show(case.review_requested_at, ctx),
        "reviewer": case.reviewer,
        "review_outcome": case.review_outcome,
        "reviewed_at": _show(case.reviewed_at, ctx),
        "cycle": case.cycle_number,
        "paused_at": _show(case.paused_at, ctx),
        "pause_reason": case.pause_reason,
        "regulatory_extension_days": case.regulatory_extension_days,
        "regulatory_period_days": deadlines.regulatory_period_days(case.regulatory_extension_days, ctx.policy),
        "related": related_ref,
        "resolution": shown["resolution"],
        "root_cause": case.root_cause,
        "decided_at": _show(case.decided_at, ctx),
        "decision_facts": shown["decision_facts"],
        "decision_basis": shown["decision_basis"],
        "relief": case.relief.split(",") if case.relief else [],
        "notified_via": case.notified_via,
        "satisfaction": case.satisfaction,
        "internal_breached": bool(case.internal_breached or state.internal),
        "regulatory_breached": bool(case.regulatory_breached or state.regulatory),
        "overdue": state.overdue,
        "stale": state.stale,
        "calendar": case.calendar,
    }


def held_below_tier(case, handler_role: str | None) -> bool:
    """An open case with someone whose role may not own its tier (`handler_role`: the assignee's),
    as list marks it: `below_tier` of `show --json` and of every command's `--json`."""
    return case.status in clocks.OPEN and d.below_tier(handler_role, case.tier)


@dataclass
class CaseDetail:
    case: dict[str, Any]
    clocks: list[dict[str, Any]]
    cycles: list[dict[str, Any]]
    events: list[dict[str, Any]]
    warnings: list[str]
    steps: list[str] = field(default_factory=list)


def case_detail(case, cycles: list, events: list, ctx: Context, as_of: dt.datetime, *, lang: str = "en",
                full: dict[str, Any] | None = None, texts: dict[tuple[int, str], str] | None = None,
                related_ref: str | None = None, rule_changes: list = (), handler_role: str | None = None) -> CaseDetail:
    """`show`'s view of a case (rows with the models' attributes, times aware UTC) with its cycles
    and events in order, the clocks read at `as_of`: personal fields as stored, or as `full` and
    `texts` (personal.texts: the events' full text) give them. `rule_changes`: the deadline rules'
    events in order (services.rule_changes_select), so that the deadlines are explained by the rules
    that set them."""
    if as_of < case.received_at:  # no clock of the case ran before it was received
        raise InvalidValue("--as-of", said_time(as_of, ctx), "acc.as_of_received", at=said_time(case.received_at, ctx))
    view_ctx = ctx.at(as_of)
    view = case_json(case, view_ctx, full=full, related_ref=related_ref)
    view["below_tier"] = held_below_tier(case, handler_role)
    texts = texts or {}
    erased = case.anonymised_at is not None
    timeline = [{
        "id": e.id, "action": e.action, "actor": e.actor,
        "occurred_at": _show(e.occurred_at, ctx), "recorded_at": _show(e.recorded_at, ctx),
        "old": _erased(_loads(e.old), erased), "new": _erased(_loads(e.new), erased),
        # An event whose text was kept in full (its digest says so) held the operator's free text;
        # an import's detail is the tool's own (the file and row), its digest the case's values.
        "detail": ANONYMISED if erased and e.full_digest and e.detail and e.action != d.Action.IMPORT
        else texts.get((e.id, DETAIL), e.detail),
    } for e in events]
    cyc = [{
        "number": c.number, "opened_by": c.opened_by or "log", "tier": c.tier, "opened_at": _show(c.opened_at, ctx),
        "due_at": _show(c.due_at, ctx),
        "first_response_due_at": _show(c.first_response_due_at, ctx),
        "first_responded_at": _show(c.first_responded_at, ctx),
        "regulatory_due_at": _show(c.regulatory_due_at, ctx), "resolved_at": _show(c.resolved_at, ctx),
        "internal_breached": c.internal_breached or (c.number == case.cycle_number and view["internal_breached"] and c.tier != d.Tier.URGENT),
        "regulatory_breached": c.regulatory_breached or (c.number == case.cycle_number and view["regulatory_breached"]),
        "response_breached": c.response_breached,
        # Who held the case, and in which department, when the cycle was decided (none before).
        "assignee": c.assignee, "department": c.department,
    } for c in cycles]
    readings = case_clocks(case, view_ctx)
    warnings = deadlines.provisional_warnings(ctx.calendar, case.due_at, case.regulatory_due_at, lang=lang)
    current = cycles[-1] if cycles else None
    steps = []
    if current is not None:
        cal, reg_cal, changed_at = _counting_calendars(ctx, events, rule_changes)
        if changed_at is not None:
            steps.append(deadlines.rules_then(changed_at, cal, lang))
        steps += deadlines.explain_case(case, current.opened_at, current.opened_by, cal, lang, reg_cal=reg_cal)
        view["regulatory_period_days"] = deadlines.regulatory_period_days(case.regulatory_extension_days,
                                                                          reg_cal.policy)
    return CaseDetail(view, readings, cyc, timeline, warnings, steps)


# The fields whose deadlines an event sets by the rules, each clock's apart: an escalation recounts
# the internal deadline under the rules of its day and keeps the regulatory one as it was. A pause
# or resume only moves the internal deadline; a resume after an appraisal counts the regulatory one
# again.
_INTERNAL = ('"due_at"', '"first_response_due_at"')
_REGULATORY = ('"regulatory_due_at"',)
_MOVED_ONLY = frozenset({d.Action.PAUSE.value, d.Action.RESUME.value})


def _counting_calendars(ctx: Context, events: list, rule_changes: list):
    """The calendars of the deadline rules in force when the case's internal and its regulatory
    deadline were last set, and the first time since that `config adopt` changed them (None, and
    the context's own calendar, when they are the rules in force now, or when no rules were
    recorded before then: an older database's)."""
    changes = [(r.id, r.recorded_at, json.loads(r.new)) for r in rule_changes]  # (read once for both)
    internal, i_changed = _rules_then(ctx, events, changes, _INTERNAL, _MOVED_ONLY, _INTERNAL_RULES)
    regulatory, r_changed = _rules_then(ctx, events, changes, _REGULATORY, {d.Action.PAUSE.value}, _REGULATORY_RULES)
    changed = min((x for x in (i_changed, r_changed) if x is not None), default=None)
    calendars: dict[str, deadlines.BusinessCalendar] = {}  # one calendar for rules the two share

    def calendar(rules: dict | None) -> deadlines.BusinessCalendar:
        if rules is None:
            return ctx.calendar
        from .config import policy_under

        key = json.dumps(rules, sort_keys=True)
        if key not in calendars:
            calendars[key] = deadlines.BusinessCalendar(policy_under(ctx.policy, rules))
        return calendars[key]

    return calendar(internal), calendar(regulatory), changed


# The rules each deadline is counted by (config.RULE_KEYS): a change to the others leaves it alone.
_CALENDAR_RULES = ("timezone", "calendar.country", "calendar.subdivision", "calendar.extra_holidays",
                   "calendar.extra_workdays")
_INTERNAL_RULES = (*_CALENDAR_RULES, "tiers.general.working_days", "tiers.important.working_days",
                   "tiers.urgent.response_hours")
_REGULATORY_RULES = (*_CALENDAR_RULES, "regulatory.days")


def _rules_then(ctx: Context, events: list, changes: list, fields: tuple, skipped, keys: tuple):
    """The rules in force at the last event (not of a `skipped` action) that set one of `fields`
    (`changes`: each rules event's id, time and rules), and when those of them it is counted by
    (`keys`) changed since; None and None when they are the rules in force now (or none were
    recorded before then)."""
    setting = next((e.id for e in reversed(events) if e.action not in skipped and e.new
                    and any(k in e.new for k in fields)), None)
    if setting is None:
        return None, None
    then = [rules for i, _, rules in changes if i < setting]
    later = [(at, rules) for i, at, rules in changes if i > setting]
    if not then or not later:
        return None, None
    from .config import policy_rules

    now = policy_rules(ctx.policy)
    if all(then[-1].get(k) == now.get(k) for k in keys):
        return None, None
    changed = next((at for at, rules in later if any(rules.get(k) != then[-1].get(k) for k in keys)), later[0][0])
    return then[-1], changed


# The fields of an event that held the customer's data: after `db purge` none is shown, masked or
# not (a masked description still holds what no pattern masks: an address, a relative's name). The
# events themselves keep their stored text, which the hash chain covers.
_ERASED_KEYS = frozenset(FIELDS) | {"agent_authority"}


def _erased(values, erased: bool):
    if not erased or not isinstance(values, dict):
        return values
    return {k: (ANONYMISED if v not in (None, "") else v) if k in _ERASED_KEYS else v for k, v in values.items()}


def _loads(value: str | None):
    return json.loads(value) if value else None


def case_clocks(case, ctx: Context) -> list[dict[str, Any]]:
    """Each clock of the case at ctx.now: its deadline, and time left or overdue by (or met/stopped)."""
    return [{"clock": c.name, "due_at": _show(c.due_at, ctx), "state": c.state, "span": c.span,
             "late_seconds": c.late_seconds} for c in clocks.each_clock(case, ctx.now, ctx.calendar)]
