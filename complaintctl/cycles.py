"""How a handling cycle opens: the one builder of a cycle's clocks, its cycle row and the case's
clock fields. `log`, `import`, `reopen`, new facts (`log --repeat-of --new-facts`) and `review`
all open cycles through it (and so must anything later that starts one), so an imported case and
the same complaint logged by hand are stored alike (tests/cli/test_cycle_opening.py compares them
field by field). When a cycle is decided, its working time from opening to the decision is kept on
it, counted here (`decided_seconds`) for every path that decides one: resolve, review-decide,
import, the migration that filled the rows decided before the column existed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import deadlines
from . import domain as d
from .deadlines import BusinessCalendar


def opened_by_name(action: d.Action) -> str:
    """What a cycle row records as having opened it: new facts arrive by a repeat event, and an
    imported complaint's first cycle, like a logged one's, was opened by the complaint's receipt."""
    if action == d.Action.IMPORT:
        return d.Action.LOG.value
    return "new_facts" if action == d.Action.REPEAT else action.value


# What a cycle row may say opened it (opened_by_name's values).
OPENERS = (d.Action.LOG.value, d.Action.REOPEN.value, "new_facts", d.Action.REVIEW.value)


def opener_action(opened_by: str) -> d.Action:
    """The action that opens a cycle recorded as opened by `opened_by` (opened_by_name's inverse;
    a first cycle read back from history opens as an import's does)."""
    if opened_by == d.Action.LOG.value:
        return d.Action.IMPORT
    return d.Action.REPEAT if opened_by == "new_facts" else d.Action(opened_by)


@dataclass(frozen=True)
class Opening:
    """The clocks a cycle starts with: the internal deadline (for urgent cases the 24-hour plan),
    the regulatory deadline, the plan deadline and the first daily follow-up (urgent only). A
    review's cycle has only its regulatory deadline (decided within 30 days of the request)."""

    opened_at: dt.datetime
    tier: str
    opened_by: str
    due_at: dt.datetime | None
    regulatory_due_at: dt.datetime
    first_response_due_at: dt.datetime | None
    followup_due_at: dt.datetime | None

    def case_values(self) -> dict[str, Any]:
        """The case's clock fields as the cycle opens."""
        return {"due_at": self.due_at, "regulatory_due_at": self.regulatory_due_at,
                "first_response_due_at": self.first_response_due_at, "followup_due_at": self.followup_due_at}

    def restart_values(self, number: int) -> dict[str, Any]:
        """What a case changes when a later cycle (number `number`) opens: its clocks start again,
        extensions, pauses and breaches of the cycle before no longer count; a handling cycle (not
        a review) also waits for a new first response."""
        out = {"cycle_number": number, **self.case_values(), "regulatory_extension_days": 0,
               "regulatory_paused_seconds": 0, "internal_breached": False, "regulatory_breached": False}
        if self.opened_by != d.Action.REVIEW.value:
            out.update(first_responded_at=None, paused_working_seconds=0)
        return out

    def cycle_values(self, case_id: int | None, number: int) -> dict[str, Any]:
        """The cycle row."""
        return {"case_id": case_id, "number": number, "tier": self.tier, "opened_at": self.opened_at,
                "due_at": self.due_at, "first_response_due_at": self.first_response_due_at,
                "regulatory_due_at": self.regulatory_due_at, "opened_by": self.opened_by}


def open_cycle(opened_at: dt.datetime, tier: d.Tier, cal: BusinessCalendar,
               opened_by: d.Action = d.Action.LOG) -> Opening:
    """The clocks of a cycle of `tier` opened at `opened_at` by `opened_by` (a receipt, an import,
    a reopen, new facts or a review)."""
    tier = d.Tier(tier)
    if opened_by == d.Action.REVIEW:
        return Opening(opened_at, tier.value, opened_by.value, None, deadlines.review_due(opened_at, cal), None, None)
    urgent = tier == d.Tier.URGENT
    plan = deadlines.response_due(opened_at, cal.policy) if urgent else None
    return Opening(opened_at, tier.value, opened_by_name(opened_by),
                   plan if urgent else deadlines.internal_due(opened_at, tier, cal),
                   deadlines.regulatory_due(opened_at, cal), plan,
                   deadlines.followup_due(opened_at, cal) if urgent else None)


class Openings:
    """open_cycle for many first cycles at once (a bulk import): everything but the urgent plan
    depends only on the local date of opening (and the tier), so it is counted once per date; the
    plan is a fixed number of clock hours and is computed each time. Pinned equal to open_cycle by
    tests/unit/test_fast_paths.py."""

    def __init__(self, cal: BusinessCalendar, opened_by: d.Action = d.Action.IMPORT):
        self.cal = cal
        self.opened_by = opened_by
        self.by = opened_by_name(opened_by)
        self.memo: dict[tuple[dt.date, str], tuple] = {}
        self.decided = Decided(cal)  # the same import's working time of the cycles it decides

    def __call__(self, opened_at: dt.datetime, tier: d.Tier, local_day: dt.date | None = None) -> Opening:
        """As open_cycle; `local_day`, if the caller has it, is the local date of `opened_at`."""
        tier, due, regulatory, plan, followup = self.clocks(opened_at, tier, local_day)
        return Opening(opened_at, tier, self.by, due, regulatory, plan, followup)

    def clocks(self, opened_at: dt.datetime, tier: d.Tier, local_day: dt.date | None = None) -> tuple:
        """The Opening's tier (its value) and clocks, as a tuple (tier, due_at, regulatory_due_at,
        first_response_due_at, followup_due_at): no object made (an import's plain rows)."""
        day = local_day if local_day is not None else self.cal.local_date(opened_at)
        found = self.memo.get((day, tier))  # a tier and its value are one key (StrEnum)
        if found is None:
            cal, tier = self.cal, d.Tier(tier)
            urgent = tier == d.Tier.URGENT
            found = self.memo[(day, tier)] = (
                None if urgent else deadlines.internal_due(opened_at, tier, cal),
                deadlines.regulatory_due(opened_at, cal),
                deadlines.followup_due(opened_at, cal) if urgent else None,
                tier.value, urgent)
        if found[4]:
            plan = deadlines.response_due(opened_at, self.cal.policy)
            return found[3], plan, found[1], plan, found[2]
        return found[3], found[0], found[1], None, None


# The key under which the event that decides a cycle records its working time, beside the case's
# fields (`db check` compares it with the cycle).
# Who held the case when a cycle was decided, kept on the cycle (revision 0027: cycles.assignee,
# cycles.department), which `report sla --by assignee|department` groups by.
HOLDER = ("assignee", "department")


def holder(decided, source) -> dict[str, Any]:
    """A cycle's holder from `source` (a mapping with the case's assignee and department at the
    decision: an import's row, or a file's cycle before its case): none for a cycle not decided.
    (services._decide_cycle takes the case's as it decides; replay._holder reads the events.)"""
    if decided is None:
        return dict.fromkeys(HOLDER)
    return {name: source.get(name) for name in HOLDER}


EVENT_KEY = "cycle_working_seconds"


def decided_seconds(opened_at: dt.datetime, told_at: dt.datetime, cal: BusinessCalendar) -> float:
    """A decided cycle's working time: working-day seconds from its opening to the decision told
    (the calendar's one count, BusinessCalendar.working_seconds), stored as cycles.working_seconds."""
    return cal.working_seconds(opened_at, told_at)


def decided_seconds_sql(opened_at, told_at):
    """SQL: decided_seconds over the business_days table, the same float (for a cycle decided by a
    writer that did not keep its working time); pinned by tests/integration/test_business_days.py."""
    from .business_days import working_seconds_sql

    return working_seconds_sql(opened_at, told_at)


class Decided:
    """decided_seconds for many cycles (a bulk import): what depends only on the local dates of
    opening and decision (whether each is a working day, where it starts, the working days' time
    between) is counted once per pair of dates; the microseconds are then added as
    BusinessCalendar.working_micros adds them, so the result is the same float. Pinned equal to
    decided_seconds by tests/unit/test_fast_paths.py."""

    def __init__(self, cal: BusinessCalendar):
        self.cal = cal
        self.memo: dict[tuple[dt.date, dt.date], tuple] = {}

    def __call__(self, opened_at: dt.datetime, told_at: dt.datetime, opened_day: dt.date | None = None) -> float:
        """As decided_seconds; `opened_day`, if the caller has it, is the local date of `opened_at`."""
        cal = self.cal
        if told_at < opened_at:
            return decided_seconds(opened_at, told_at, cal)
        first = opened_day if opened_day is not None else cal.local_date(opened_at)
        last = cal.local_date(told_at)
        found = self.memo.get((first, last))
        if found is None:
            if len(self.memo) > 100_000:
                self.memo.clear()
            if first == last:
                found = (cal.is_working_day(first),)
            else:
                found = (cal.start_of_day(first) if cal.is_working_day(first) else None,
                         cal.start_of_day(last) if cal.is_working_day(last) else None,
                         cal.working_day_micros(first, last))
            self.memo[(first, last)] = found
        if first == last:
            return deadlines.micros(told_at - opened_at) / 1_000_000 if found[0] else 0.0
        total = found[2]
        if found[0] is not None:
            total -= deadlines.micros(opened_at - found[0])
        if found[1] is not None:
            total += deadlines.micros(told_at - found[1])
        return total / 1_000_000


def fill_working_seconds(conn, cal: BusinessCalendar, chunk: int = 20000) -> int:
    """Write decided_seconds on every decided cycle that lacks it (revision 0018 fills the rows
    decided before the column existed; the return benchmark, whose procedure it writes in SQL),
    a chunk of rows at a time in id order; returns how many were filled."""
    from sqlalchemy import bindparam, select, update

    from .models import Cycle

    t = Cycle.__table__
    filled, last = 0, 0
    query = (select(t.c.id, t.c.opened_at, t.c.resolved_at)
             .where(t.c.resolved_at.is_not(None), t.c.working_seconds.is_(None), t.c.id > bindparam("last"))
             .order_by(t.c.id).limit(chunk))
    write = update(t).where(t.c.id == bindparam("cycle_id")).values(working_seconds=bindparam("seconds"))
    while True:
        rows = conn.execute(query, {"last": last}).all()
        if not rows:
            return filled
        conn.execute(write, [{"cycle_id": i, "seconds": decided_seconds(opened, told, cal)}
                             for i, opened, told in rows])
        filled += len(rows)
        last = rows[-1][0]
