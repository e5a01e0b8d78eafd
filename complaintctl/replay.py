"""The replay behind `db check`: fold a case's events into the state they imply and compare it,
field by field, with the stored case and its cycles.

Every event records the old and new value of each case column it changed (personal identifiers
and free text masked, as the case row stores them too), so the state a case should have is the fold of its
events' new values; a stored value that differs was changed behind the tool's back. The replay
reuses what the events say rather than recomputing deadlines, so it checks what the tool really
did, whatever rules were in force when it did it; the hash chain, in turn, proves the events.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

from .cycles import EVENT_KEY as WORKING_TIME_KEY, HOLDER, opened_by_name
from . import domain as d
from .errors import IllegalMove
from .models import Case, UTCDateTime

ANONYMISED = "[anonymised]"
PERSONAL_FIELDS = ("customer", "phone", "email", "account", "description", "resolution", "id_number",
                   "agent_name", "request", "decision_facts", "agent_authority")

# Columns that are not part of a case's history: the row's own bookkeeping.
_SKIP = frozenset({"id", "created_at", "updated_at", "anonymised_at"})
COLUMNS = tuple(c for c in Case.__table__.columns.keys() if c not in _SKIP)
_TIMES = frozenset(c.name for c in Case.__table__.columns if isinstance(c.type, UTCDateTime))
_FLAGS = frozenset({"internal_breached", "regulatory_breached"})

# A case as first written, before any event but its first: what a field not named is.
_DEFAULTS = {"regulatory_extension_days": 0, "regulatory_paused_seconds": 0, "paused_working_seconds": 0,
             "reopen_count": 0, "cycle_number": 1, "internal_breached": False, "regulatory_breached": False,
             "paused_at": None, "pause_reason": None, "paused_from": None, "first_responded_at": None,
             "last_escalated_at": None, "notified_via": None, "resolution": None, "root_cause": None,
             "satisfaction": None, "repeat_count": 0, "withdrawn_at": None, "review_requested_at": None,
             "reviewer": None, "review_outcome": None, "reviewed_at": None, "decision_facts": None,
             "decision_basis": None, "relief": None, "decided_at": None, "co_handlers": None}


def purged(values: dict[str, Any], listed: list[str] | None = None) -> dict[str, Any]:
    """What `db purge` leaves of a case's personal fields (given their current values). `listed`:
    the fields a purge event says it anonymised, when replaying one (a purge before the agent's
    power of attorney was among them left it as it was)."""
    kept = ("customer", "agent_name", "request", "decision_facts", "resolution")  # a placeholder says one was there
    if listed is None or "agent_authority" in listed:
        kept += ("agent_authority",)
    out = {f: (ANONYMISED if values.get(f) else None) for f in kept}
    out.update({"phone": None, "email": None, "account": None, "id_number": None, "description": ANONYMISED})
    return out


def _creation(action: str, new: dict[str, Any]) -> dict[str, Any]:
    """The state a log or import event records. Recent events record every field (a key left out
    means empty) and say so by recording `calendar`; older ones are taken for what they name."""
    from .importer import IMPORT_KEYS
    from .services import CREATION_KEYS

    state = dict(_DEFAULTS)
    keys = CREATION_KEYS if action == d.Action.LOG else IMPORT_KEYS
    if "calendar" in new:
        state.update({k: None for k in keys if k not in _DEFAULTS})  # a count left out is 0
    elif action == d.Action.LOG:  # before `calendar` was recorded, a log recorded all of these but three
        state.update({k: None for k in keys if k not in ("department", "followup_due_at", "calendar")})
    else:
        for k in ("internal_breached", "regulatory_breached", "resolution", "root_cause", "satisfaction"):
            state.pop(k, None)  # an older import set these without recording them
    state.update({k: v for k, v in new.items() if k in COLUMNS})
    if action == d.Action.IMPORT:
        state["internal_breached"] = bool(new.get("internal_breached")) if "calendar" in new else state.get("internal_breached")
        state["regulatory_breached"] = bool(new.get("regulatory_breached")) if "calendar" in new else state.get("regulatory_breached")
        if state.get("internal_breached") is None:
            state.pop("internal_breached")
        if state.get("regulatory_breached") is None:
            state.pop("regulatory_breached")
    return state


def fold(events: Iterable[tuple[str, dt.datetime, dict, dict]]) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The case state and the cycles (number -> opened_at, resolved_at) that (action, occurred_at,
    old, new) events imply. A field missing from the state is one the events cannot speak for."""
    state: dict[str, Any] = {}
    cycles: dict[int, dict[str, Any]] = {}
    for action, occurred, old, new in events:
        if action in (d.Action.LOG, d.Action.IMPORT):
            state = _creation(action, new)
            cycles = {1: {"opened_at": state.get("received_at"), "resolved_at": state.get("resolved_at"),
                          "opened_by": d.Action.LOG.value, **_holder(state, state.get("resolved_at"))}}
            if "cycles" in new:  # history read back (the tool's export): every cycle, as imported
                # (each cycle's holder as the file gave it, since revision 0027's export; an older
                # file's decided cycles have the case's assignee and department, as the importer gave them)
                cycles = {c["number"]: {"opened_at": c["opened_at"], "resolved_at": c.get("resolved_at"),
                                        "opened_by": c.get("opened_by"),
                                        "internal_breached": c.get("internal_breached"),
                                        "regulatory_breached": c.get("regulatory_breached"),
                                        **_holder(state, c.get("resolved_at")),
                                        **{name: c[name] for name in HOLDER if name in c}}
                          for c in new["cycles"]}
                continue
            # An import marks an urgent case's late resolution on the case only, never on its cycle
            # (it cannot tell a missed plan from a late decision): nothing to compare there.
            if action == d.Action.IMPORT and state.get("tier") == d.Tier.URGENT:
                cycles[1]["unmarked"] = True
            continue
        if action == d.Action.PURGE:
            state.update(purged(state, new.get("anonymised") or []))
            continue
        before = dict(state)
        for name, value in new.items():
            if name not in COLUMNS or name not in old:
                # What the event says beyond the row (approver, reasons, pause lengths, a repeat's own
                # channel): a column the event changed always has its old value beside the new.
                continue
            if action == d.Action.RESUME and name == "paused_working_seconds":
                # A resume records the working time the pause covered; the case keeps the total.
                if name in old:
                    state[name] = (old[name] or 0) + (value or 0)
                continue
            state[name] = value
        _cycle_step(cycles, action, occurred, old, new, before, state)
    return state, cycles


def _cycle_step(cycles: dict[int, dict[str, Any]], action: str, occurred, old: dict, new: dict, before: dict,
                state: dict) -> None:
    """What one event (not a creation) does to the case's cycles: opens one, decides the current
    one, or extends its period."""
    if "cycle_number" in new and "cycle_number" in old:  # a reopen, a review, or new facts: a cycle opens when the event happens
        ending = cycles.get(old["cycle_number"])
        if ending is not None:  # the breaches the case showed when the cycle ended are that cycle's
            for flag in _FLAGS:
                ending[flag] = bool(old.get(flag, before.get(flag)))
            if "regulatory_extension_days" in before:
                ending["regulatory_extension_days"] = before["regulatory_extension_days"] or 0
        cycles[state["cycle_number"]] = {"opened_at": occurred, "resolved_at": None,
                                         "opened_by": opened_by_name(d.Action(action)), **_holder(state, None)}
    elif new.get("resolved_at") is not None and cycles:
        _decided(cycles[max(cycles)], new["resolved_at"], new, state)  # the cycle ends with the case's resolution
    elif new.get("reviewed_at") is not None and cycles:
        _decided(cycles[max(cycles)], new["reviewed_at"], new, state)  # a review's cycle ends with its decision
    if "regulatory_extension_days" in new and "regulatory_extension_days" in old and cycles:
        cycles[max(cycles)]["regulatory_extension_days"] = state["regulatory_extension_days"] or 0  # an extension


def _decided(cycle: dict[str, Any], told, new: dict[str, Any], state: dict[str, Any]) -> None:
    """A cycle's decision as its event records it: when, (since revision 0018) its working time,
    and who held the case then, in which department (`state`, the case as the decision left it)."""
    cycle["resolved_at"] = told
    if WORKING_TIME_KEY in new:
        cycle["working_seconds"] = new[WORKING_TIME_KEY]
    for name in HOLDER:
        cycle.pop(name, None)
    cycle.update(_holder(state, told))


def _holder(state: dict[str, Any], decided) -> dict[str, Any]:
    """Who a cycle decided with the case in `state` keeps as its holder (services._decide_cycle):
    the case's assignee and department then, where the events say them; none for a cycle not decided."""
    if decided is None:
        return dict.fromkeys(HOLDER)
    return {name: state[name] for name in HOLDER if name in state}


def _time(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _shown(value) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    return "empty" if value is None else repr(value)


def differences(case: dict[str, Any], cycles: list[dict[str, Any]],
                events: list[tuple[str, dt.datetime, dict, dict]]) -> list[str]:
    """Each way a stored case (a row as a dict) and its cycles differ from what its events imply.
    Long because it compares every replayed field in turn, one check after another."""
    ref = case["reference"] or f"id {case['id']}"
    if not events:
        return [f"case {ref}: has no events"]
    if events[0][0] not in (d.Action.LOG, d.Action.IMPORT):
        return [f"case {ref}: its first event is {events[0][0]}, not log or import"]
    try:
        status = d.replay([(a, n) for a, _, _, n in events])
    except IllegalMove as exc:
        from .labels import error_text

        return [f"case {ref}: history contains an illegal move ({error_text(exc)})"]
    if status != case["status"]:
        return [f"case {ref}: state is {case['status']} but its events replay to {status}"]
    implied, opened = fold(events)
    out = []
    for name in COLUMNS:
        if name not in implied:
            continue
        want, have = implied[name], case[name]
        if name in _TIMES:
            want, have = _time(want), have
        elif name in _FLAGS:
            # Only a breach the events record and the case no longer shows is a tampering: a
            # flag set without an event was set by a version that did not record it.
            if bool(want) and not bool(have):
                out.append(f"case {ref}: field {name} is {_shown(bool(have))} but its events record True")
            continue
        if want != have:  # personal fields too: the case stores them masked, as its events record them
            out.append(f"case {ref}: field {name} is {_shown(have)} but its events imply {_shown(want)}")
    out += _anonymised(ref, case.get("anonymised_at", _UNREAD), events)
    numbers = [c["number"] for c in cycles]
    expected = list(range(1, (case["cycle_number"] or 1) + 1))
    if numbers != expected:
        out.append(f"case {ref}: cycles {numbers} but its events imply cycles {expected}")
    if opened and case["cycle_number"] in opened:
        current = opened[case["cycle_number"]]
        for flag in _FLAGS:
            current[flag] = implied.get(flag)
    for c in cycles:
        seen = opened.get(c["number"])
        if seen is None:
            continue
        # As for the case, only a breach the events record and the cycle no longer shows is named
        # (an urgent case's missed first response is its cycle's response breach).
        if seen.get("internal_breached") and not (c["internal_breached"] or c["response_breached"]
                                                  or seen.get("unmarked")):
            out.append(f"case {ref}: cycle {c['number']} field internal_breached is False but its events record True")
        if seen.get("regulatory_breached") and not c["regulatory_breached"]:
            out.append(f"case {ref}: cycle {c['number']} field regulatory_breached is False but its events record True")
        for name in ("opened_at", "resolved_at"):
            want = _time(seen[name])
            if c[name] != want:
                out.append(f"case {ref}: cycle {c['number']} field {name} is {_shown(c[name])} "
                           f"but its events imply {_shown(want)}")
        # What opened it (the return counts a review's cycle apart) and the extension in force on it
        # (the return's within an extension): a cycle from before either was recorded may hold none.
        if "opened_by" in c and seen.get("opened_by") and c["opened_by"] != seen["opened_by"] and not (
                c["opened_by"] is None and seen["opened_by"] in (d.Action.LOG.value, d.Action.REOPEN.value)):
            out.append(f"case {ref}: cycle {c['number']} field opened_by is {_shown(c['opened_by'])} "
                       f"but its events imply {_shown(seen['opened_by'])}")
        if "regulatory_extension_days" in seen and "regulatory_extension_days" in c and \
                (c["regulatory_extension_days"] or 0) != seen["regulatory_extension_days"]:
            out.append(f"case {ref}: cycle {c['number']} field regulatory_extension_days is "
                       f"{_shown(c['regulatory_extension_days'])} but its events imply "
                       f"{_shown(seen['regulatory_extension_days'])}")
        for name in HOLDER:  # (revision 0027 on: a cycle's own holder, which report sla groups by)
            if name in c and name in seen and c[name] != seen[name]:
                out.append(f"case {ref}: cycle {c['number']} field {name} is {_shown(c[name])} "
                           f"but its events imply {_shown(seen[name])}")
        if "working_seconds" in seen and "working_seconds" in c and c["working_seconds"] != seen["working_seconds"]:
            out.append(f"case {ref}: cycle {c['number']} field working_seconds is {_shown(c['working_seconds'])} "
                       f"but its events record {_shown(seen['working_seconds'])}")
    for c in cycles:
        # Every decided cycle keeps its working time (written by the decision, an import or the
        # migration that filled the older ones): the reports read it rather than count it.
        if c["resolved_at"] is not None and "working_seconds" in c and c["working_seconds"] is None:
            out.append(f"case {ref}: cycle {c['number']} is decided but keeps no working_seconds")
    if cycles and cycles[-1]["number"] == case["cycle_number"]:
        current = cycles[-1]
        for name in ("tier", "regulatory_due_at"):
            if name in implied and current[name] != (_time(implied[name]) if name in _TIMES else implied[name]):
                out.append(f"case {ref}: cycle {current['number']} field {name} is {_shown(current[name])} "
                           f"but its events imply {_shown(implied[name])}")
    return out


_UNREAD = object()  # a case row read without its anonymised_at: nothing to compare


def _anonymised(ref: str, stored, events: list[tuple[str, dt.datetime, dict, dict]]) -> list[str]:
    """A case is anonymised exactly when a purge event records it, at the purge's time: an
    anonymised_at set by hand (its personal data deleted with it) would otherwise pass as purged,
    and personal.problems stops asking for a purged case's kept text."""
    if stored is _UNREAD:
        return []
    purges = [occurred for action, occurred, _, _ in events if action == d.Action.PURGE]
    if stored is not None and not purges:
        return [f"case {ref}: anonymised (anonymised_at {_shown(stored)}) but no purge event records it"]
    if purges and stored is None:
        return [f"case {ref}: a purge event records it anonymised but field anonymised_at is empty"]
    if purges and stored != _time(purges[0]):
        return [f"case {ref}: field anonymised_at is {_shown(stored)} but its purge event implies {_shown(_time(purges[0]))}"]
    return []


def loads(value: str | None) -> dict:
    return json.loads(value) if value else {}


def fill_holders(conn, chunk: int = 500) -> int:
    """Revision 0027: each decided cycle's holder, the case's assignee and department when it was
    decided (services._decide_cycle keeps them since), for the cycles decided before. A case's
    current cycle, once decided, has kept them: a case is assigned only while it is handled, and a
    review or a reopen opens another cycle. An earlier cycle's are replayed from the case's events
    (fold, as `db check` replays them), or, where its events do not say, the case's own.
    Returns how many earlier cycles were replayed."""
    from sqlalchemy import and_, bindparam, select, update

    from .models import Case, Cycle, Event

    y, c, e = Cycle.__table__, Case.__table__, Event.__table__
    owner = lambda column: select(column).where(c.c.id == y.c.case_id).scalar_subquery()  # noqa: E731
    conn.execute(update(y).where(y.c.resolved_at.is_not(None), y.c.number == owner(c.c.cycle_number))
                 .values(assignee=owner(c.c.assignee), department=owner(c.c.department)))
    earlier = (select(y.c.case_id, y.c.number, c.c.assignee, c.c.department)
               .join(c, c.c.id == y.c.case_id)
               .where(y.c.resolved_at.is_not(None), y.c.number < c.c.cycle_number).order_by(y.c.case_id, y.c.number))
    pending: dict[int, list] = {}
    for row in conn.execute(earlier):
        pending.setdefault(row.case_id, []).append(row)
    write = update(y).where(and_(y.c.case_id == bindparam("c_id"), y.c.number == bindparam("n"))).values(
        assignee=bindparam("who"), department=bindparam("where"))
    ids = sorted(pending)
    for first in range(0, len(ids), chunk):
        some = ids[first:first + chunk]
        history: dict[int, list] = {}
        for ev in conn.execute(select(e.c.case_id, e.c.action, e.c.occurred_at, e.c.old, e.c.new)
                               .where(e.c.case_id.in_(some)).order_by(e.c.case_id, e.c.id)):
            history.setdefault(ev.case_id, []).append((ev.action, ev.occurred_at, loads(ev.old),
                                                        loads(ev.new)))
        values = []
        for case_id in some:
            _, folded = fold(history.get(case_id, []))
            for row in pending[case_id]:
                seen = folded.get(row.number, {})
                values.append({"c_id": case_id, "n": row.number, "who": seen.get("assignee", row.assignee),
                               "where": seen.get("department", row.department)})
        conn.execute(write, values)
    return sum(len(rows) for rows in pending.values())
