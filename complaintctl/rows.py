"""Report rows from stored rows: the columns every case list selects (reports.py's _ROW_COLUMNS,
in this order) made into JSON-ready rows with their clocks read at a moment, and the overdue
report's counts and rows. Without SQLAlchemy: the lean `report overdue` (complaintctl_cli/lean.py)
fetches the same rows through the DB-API driver and makes them here too."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from . import clocks
from . import domain as d
from . import labels
from .context import Context
from .errors import OverdueFound
from .stored import stored_utc, time_text

OPEN = list(clocks.OPEN)
# The overdue report's CSV columns, in cli/views.py's LIST_COLUMNS order (a test compares them):
# the header the lean report writes above finished.py's rows (kept here, where no SQLAlchemy is).
CSV_KEYS = ("reference", "status", "tier", "channel", "product", "category", "branch", "assignee", "co_handlers",
            "departments", "customer", "phone", "account", "received_at", "due_at", "regulatory_due_at",
            "first_response_due_at", "resolved_at", "closed_at", "reopen_count", "overdue", "breach", "overdue_by",
            "overdue_by_calendar", "overdue_working_days", "time_left", "stale", "below_tier", "description")

# The export's columns (`export`: one row a cycle, the case's fields repeated) and how the CSV writes
# each: importer.py exports by them, and the lean export writes this header (kept here, where no
# SQLAlchemy is).
EXPORT_CASE_FIELDS = ("id", "reference", "status", "tier", "channel", "product", "category", "branch", "department",
                      "assignee", "customer", "phone", "email", "account", "description", "received_at", "due_at",
                      "regulatory_due_at", "first_response_due_at", "first_responded_at", "resolved_at", "closed_at",
                      "reopen_count", "resolution", "root_cause", "notified_via", "satisfaction", "external_id",
                      "internal_breached", "regulatory_breached",
                      # The procedure of Order 2020 No. 3 (revisions 0005-0009), after the older columns so
                      # that a spreadsheet built on those still finds them where they were.
                      "regulatory_extension_days", "repeat_count", "withdrawn_at", "co_handlers", "departments",
                      "id_type", "id_number", "agent_name", "agent_authority", "complained_staff", "request",
                      "decided_at", "decision_facts", "decision_basis", "relief", "review_requested_at", "reviewer",
                      "review_outcome", "reviewed_at",
                      # What a paused or urgent case needs to go on after a re-import (resume, follow-up).
                      "followup_due_at", "paused_at", "pause_reason", "paused_from", "paused_working_seconds",
                      "regulatory_paused_seconds")
EXPORT_CYCLE_FIELDS = ("number", "tier", "opened_at", "due_at", "first_response_due_at", "first_responded_at",
                       "regulatory_due_at", "resolved_at", "internal_breached", "regulatory_breached", "response_breached",
                       "opened_by", "regulatory_extension_days", "assignee", "department")
EXPORT_CSV_KEYS = (*EXPORT_CASE_FIELDS, *(f"cycle_{k}" for k in EXPORT_CYCLE_FIELDS))
# Columns whose values people typed (a spreadsheet could take them for formulas); the rest are
# times, numbers, flags and choices.
EXPORT_FREE_TEXT = frozenset({"reference", "branch", "department", "assignee", "customer", "phone", "email",
                              "account", "description", "resolution", "external_id", "co_handlers", "departments",
                              "id_number", "agent_name", "agent_authority", "complained_staff", "request",
                              "decision_facts", "decision_basis", "reviewer", "cycle_assignee", "cycle_department"})


def export_kind(key: str) -> str:
    """How the CSV writes an export column (cli/render.py's Column kinds): typed text neutralised
    against formulas, flags as true/false, everything else as it stands."""
    return "text" if key in EXPORT_FREE_TEXT else "bool" if key.endswith("_breached") else "plain"


class _Clocks:
    """The fields the clock rules read (clocks.Clocked), as aware datetimes."""

    __slots__ = ("status", "tier", "due_at", "regulatory_due_at", "paused_at", "pause_reason", "followup_due_at")

    def __init__(self, status, tier, due, reg, paused, pause_reason, followup):
        self.status, self.tier, self.pause_reason = status, tier, pause_reason
        self.due_at, self.regulatory_due_at, self.paused_at = due, reg, paused
        self.followup_due_at = followup


class CaseRows:
    """Stored rows (selected as _ROW_COLUMNS) into report rows for one report: JSON-ready values,
    personal data as stored (masked when written), clocks evaluated at as_of.

    The clock outcome depends only on a few stored fields, and those repeat from row to row
    (deadlines fall at the ends of working days), so it is worked out once per distinct
    combination; the rest of a row is copied and formatted."""

    _URGENT = d.Tier.URGENT.value
    _OPEN = frozenset(OPEN)

    def __init__(self, ctx: Context, as_of: dt.datetime, handlers: dict[str, str] | None = None):
        self.ctx, self.as_of = ctx, as_of
        # (assignee, tier) pairs whose handler is below the tier's level: an open case left with
        # someone who may not own it (after escalate --overdue, say) is flagged until reassigned.
        self.below = {(name, t.value) for name, role in (handlers or {}).items() for t in d.Tier
                      if d.below_tier(role, t)}
        self.show = time_text(ctx.tz)
        self.clocks: dict = {}
        self.tally: dict[str, int] = {}

    def _clock(self, status, tier, due_s, reg_s, paused_s, pause_reason, responded, followup_s):
        due, reg, paused = stored_utc(due_s), stored_utc(reg_s), stored_utc(paused_s)
        followup = stored_utc(followup_s) if tier == self._URGENT else None
        r = clocks.read(_Clocks(status, tier, due, reg, paused, pause_reason, followup), self.as_of,
                        self.ctx.calendar, responded=responded)
        return (r.overdue, r.breach, r.overdue_by.text() if r.overdue_by is not None else None,
                # Calendar time past the deadline: a case due Friday 24:00 is "0h 00m" of working time
                # late on Monday morning, but 2 days 9 hours late to the customer.
                labels.duration(r.late_seconds) if r.overdue_by is not None else None,
                r.overdue_working_days, r.time_left.text() if r.time_left is not None else None, r.stale,
                # For a person reading a table: how late in working and in calendar time, or how
                # much is left (CSV and JSON carry the texts and numbers above).
                (r.overdue_by, r.late_seconds) if r.overdue_by is not None else None, r.time_left, r.toward)

    def __call__(self, row) -> dict[str, Any]:
        (id_, reference, status, tier, channel, product, category, branch, department, assignee, customer, phone,
         account, description, received_at, due_at, regulatory_due_at, first_response_due_at, first_responded_at,
         followup_due_at, paused_at, pause_reason, resolved_at, closed_at, reopen_count, co_handlers, departments) = row
        key = (status, tier, due_at, regulatory_due_at, paused_at, pause_reason, first_responded_at is not None,
               followup_due_at if tier == self._URGENT else None)
        clock = self.clocks.get(key)
        if clock is None:
            if len(self.clocks) > 8192:
                self.clocks.clear()
            clock = self.clocks[key] = self._clock(*key)
        if clock[0]:
            self.tally[tier] = self.tally.get(tier, 0) + 1
        show = self.show
        return {
            "id": id_, "reference": reference, "status": status, "tier": tier, "channel": channel,
            "product": product, "category": category, "branch": branch, "department": department,
            "departments": departments, "assignee": assignee, "co_handlers": co_handlers, "customer": customer, "phone": phone, "account": account,
            "description": description, "received_at": show(received_at), "due_at": show(due_at),
            "regulatory_due_at": show(regulatory_due_at), "first_response_due_at": show(first_response_due_at),
            "resolved_at": show(resolved_at), "closed_at": show(closed_at), "reopen_count": reopen_count,
            "overdue": clock[0], "breach": clock[1], "overdue_by": clock[2], "overdue_by_calendar": clock[3],
            "overdue_working_days": clock[4], "time_left": clock[5], "stale": clock[6],
            "below_tier": (assignee, tier) in self.below and status in self._OPEN,
            "late": clock[7], "left": clock[8],
            "toward": clock[9],  # the deadline the clock counts to, for a table's Due (clocks.Reading.toward)
        }


class OverdueReport:
    """The overdue report: per-tier counts and the rows, streamed.

    The counts come from a GROUP BY query, unless the rows have already been read to the end, in
    which case they were tallied on the way (a CSV of every row needs no second pass)."""

    def __init__(self, as_of: dt.datetime, count, soon_counts: dict[str, int], make: "CaseRows | None", rows):
        self.as_of = as_of
        self.due_soon_counts = soon_counts
        self._count, self._make, self._rows = count, make, rows
        self._done = False
        self._counts: dict[str, int] | None = None

    @property
    def rows(self) -> Iterator[dict]:
        for row in self._rows:
            yield row
        self._done = True

    @property
    def counts(self) -> dict[str, int]:
        if self._counts is None:
            if self._done and self._make is not None:
                self._counts = {t.value: 0 for t in d.Tier}
                self._counts.update(self._make.tally)
            else:
                self._counts = self._count()
        return self._counts

    @property
    def total(self) -> int:
        """Overdue cases (not counting the due-soon ones listed with them)."""
        return sum(self.counts.values())

    def fail_if_overdue(self) -> None:
        """--fail-on-overdue: OverdueFound when any case is overdue (due-soon rows listed with them
        do not count)."""
        if self.total:
            raise OverdueFound(self.total)

    @property
    def listed(self) -> int:
        """Every row the report holds: overdue plus, if asked for, due soon."""
        return self.total + sum(self.due_soon_counts.values())


def tier_counts(pairs) -> dict[str, int]:
    """(tier, count) pairs as a count for every tier, zeros included."""
    counts = {t.value: 0 for t in d.Tier}
    counts.update({tier: n for tier, n in pairs})
    return counts


# report aging ----------------------------------------------------------------------------------
# Its table made from the counts reports.aging_select gives (here, where no SQLAlchemy is: the
# lean report makes it too); the buckets are the clock rules' (clocks.py, whose SQL the
# aging_cases view reads).
AGE_BUCKETS, AGING_LATER, bucket_name = clocks.AGE_BUCKETS, clocks.AGING_LATER, clocks.bucket_name


def aging_edges(as_of: dt.datetime, calendar) -> dict[int, dt.datetime]:
    """The moment each bounded age bucket begins (a case received after it is younger), by the
    bucket's upper bound in working days."""
    return {hi: calendar.working_days_ago(as_of, hi) for _, hi in AGE_BUCKETS if hi is not None}


def aging_table(rows) -> list[dict[str, Any]]:
    """(tier, bucket, count) rows as report aging's table: a row a tier (every tier, zeros
    included), a count a bucket and their total, then the TOTAL row."""
    names = [bucket_name(lo, hi) for lo, hi in AGE_BUCKETS]
    table = {t.value: dict.fromkeys(names, 0) for t in d.Tier}
    for tier, b, n in rows:
        if b != AGING_LATER:
            table.setdefault(tier, dict.fromkeys(names, 0))[b] = n
    out = [{"tier": tier, **counts, "total": sum(counts.values())} for tier, counts in table.items()]
    totals = {name: sum(r[name] for r in out) for name in names}
    out.append({"tier": "TOTAL", **totals, "total": sum(totals.values())})
    return out
