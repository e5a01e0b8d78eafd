"""SQLModel tables: cases, their handling cycles, the append-only event log, and staff.

Times are stored as naive UTC and come back as aware UTC, identically on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, MetaData, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from .stored import stored_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; stored without zone as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must carry a zone")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def bind_processor(self, dialect):
        """The backend adapter's own writer of stored times, if it gave the engine's dialect one
        (db.py: SQLite writes the text directly), else the plain path: a naive UTC datetime for
        the driver."""
        return getattr(dialect, "complaintctl_time_writer", None) or super().bind_processor(dialect)

    def result_processor(self, dialect, coltype):
        """stored_utc, alone: the driver's value (SQLite's text, PostgreSQL's naive datetime) to an
        aware UTC time, in one call (the DateTime type's own reading of SQLite's text, which
        SQLAlchemy would run first, is the same fromisoformat); a stored text that is not a time is
        errors.StoredTimeUnreadable, one line naming db check, rather than a ValueError."""
        return stored_utc


def column_kind(type_) -> str | None:
    """How the models give a column of this type back, in the words the lean commands read rows by
    (sqltext_compiled.ROWS): "time" (UTCDateTime: an aware UTC datetime), "bool" (a flag; SQLite
    stores 0/1), "date" (SQLite stores its ISO text), else None (as the driver gives it)."""
    from sqlalchemy import Boolean, Date

    return ("time" if isinstance(type_, UTCDateTime) else "bool" if isinstance(type_, Boolean)
            else "date" if isinstance(type_, Date) else None)


def stored_moment(value):
    """For SQL: an SQL expression as it is; a Python moment bound as times are stored (UTC text on
    SQLite), so that it compares and subtracts as a stored time does."""
    from sqlalchemy import literal
    from sqlalchemy.sql import ClauseElement

    return value if isinstance(value, ClauseElement) else literal(value, UTCDateTime())


def _ts(nullable: bool = True, index: bool = False):
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    role: str = Field(max_length=20)
    # The account this person runs the tool as: an OS account (SQLite) or a PostgreSQL login.
    login: Optional[str] = Field(default=None, max_length=63, unique=True)
    branch: Optional[str] = Field(default=None, max_length=200)
    department: Optional[str] = Field(default=None, max_length=200)
    active: bool = True
    created_at: dt.datetime = _ts(nullable=False)


class Setting(SQLModel, table=True):
    """Policies kept in the database, changed only by an administrator with an event (masking,
    the deadline rules, the branches' regions)."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(sa_column=Column(Text, nullable=False))


class BusinessDay(SQLModel, table=True):
    """One day of the business calendar (complaintctl/business_days.py writes them from the
    config's calendar), so that SQL can count working time: a day is the local midnight that
    starts it to the one that ends it, both as stored UTC times."""

    __tablename__ = "business_days"

    day: dt.date = Field(primary_key=True)
    starts_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, unique=True))
    ends_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    working: bool                   # a working day of the bank (local closures and extra days applied)
    statutory: bool                 # a working day of the national calendar (what moves a regulator's period)
    # The holiday, closure or weekend that makes it so: unbounded, for the names are the holidays
    # package's (2015-09-03 in China's calendar is named in 132 characters).
    why: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    working_before: int             # working days among the table's earlier days
    # Their time in microseconds, each its own length (23 or 25 hours on a daylight-saving change;
    # revision 0023): the working time between two moments is one subtraction.
    working_micros_before: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))


class ZoneOffset(SQLModel, table=True):
    """One period of the business zone's UTC offset (complaintctl/zones.py), written with the
    business_days rows, so that SQL on SQLite shows stored times in the business zone."""

    __tablename__ = "zone_offsets"

    starts_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    offset_seconds: int             # the zone's offset from UTC through the period
    suffix: str = Field(max_length=12)  # that offset as isoformat writes it: +08:00, -03:30


class BusinessCalendarKept(SQLModel, table=True):
    """Which calendar the business_days rows were written from, and the years they cover."""

    __tablename__ = "business_calendar"

    id: int = Field(default=1, primary_key=True)
    identity: str = Field(max_length=200)
    first_year: int
    last_year: int


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # Every clock query (overdue, due soon, escalation, counts) reads open cases by status and
        # these columns: answered from the index alone, without touching the wide rows.
        Index("ix_cases_status_clocks", "status", "due_at", "regulatory_due_at", "paused_at", "pause_reason", "tier",
              "received_at"),
        # Every window of receipt (list's order, the return, the monthly report's 12-month trend, the
        # summary) reads cases by receipt and groups them by these: answered from the index alone,
        # however the cases lie on disk.
        Index("ix_cases_received_dims", "received_at", "product", "channel", "category", "branch"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: Optional[str] = Field(default=None, max_length=40, unique=True)
    status: str = Field(max_length=20)
    tier: str = Field(max_length=20)
    channel: str = Field(max_length=30)
    product: str = Field(max_length=30)
    category: str = Field(max_length=30)
    branch: Optional[str] = Field(default=None, max_length=200, index=True)
    department: Optional[str] = Field(default=None, max_length=200)
    assignee: Optional[str] = Field(default=None, max_length=200, index=True)
    # Personal fields hold their masked form only (masking.py: a name keeps its first character,
    # a phone 138****5678, free text its numbers and the case's names masked); the full values are
    # in personal_data (complaintctl.personal).
    customer: Optional[str] = Field(default=None, max_length=200)
    phone: Optional[str] = Field(default=None, max_length=40)
    email: Optional[str] = Field(default=None, max_length=254)
    account: Optional[str] = Field(default=None, max_length=19)
    description: str = Field(sa_column=Column(Text, nullable=False))
    received_at: dt.datetime = _ts(nullable=False)
    due_at: Optional[dt.datetime] = _ts()
    regulatory_due_at: Optional[dt.datetime] = _ts()
    first_response_due_at: Optional[dt.datetime] = _ts()
    first_responded_at: Optional[dt.datetime] = _ts()
    followup_due_at: Optional[dt.datetime] = _ts()
    resolved_at: Optional[dt.datetime] = _ts()
    closed_at: Optional[dt.datetime] = _ts(index=True)
    paused_at: Optional[dt.datetime] = _ts()
    pause_reason: Optional[str] = Field(default=None, max_length=30)
    paused_from: Optional[str] = Field(default=None, max_length=20)
    # The total the regulatory period was extended to, in days from receipt (30 or 60; 0: not extended).
    regulatory_extension_days: int = 0
    regulatory_paused_seconds: int = 0
    paused_working_seconds: int = 0
    reopen_count: int = 0
    # The same complaint again within the handling period, recorded on this case (Order 2020 No. 3).
    repeat_count: int = Field(default=0, index=True, sa_column_kwargs={"server_default": "0"})
    withdrawn_at: Optional[dt.datetime] = _ts()
    # Review by a higher level: asked for within 30 days of the decision, decided within 30 of asking.
    review_requested_at: Optional[dt.datetime] = _ts(index=True)
    reviewer: Optional[str] = Field(default=None, max_length=200)
    review_outcome: Optional[str] = Field(default=None, max_length=20)
    reviewed_at: Optional[dt.datetime] = _ts()
    # The record of Order 2020 No. 3, art. 13, beyond contact and account. The identity document number
    # is sensitive personal data: masked like an account number wherever it is shown or audited.
    id_type: Optional[str] = Field(default=None, max_length=30)
    id_number: Optional[str] = Field(default=None, max_length=30)
    agent_name: Optional[str] = Field(default=None, max_length=200)
    agent_authority: Optional[str] = Field(default=None, max_length=200)
    complained_staff: Optional[str] = Field(default=None, max_length=200)
    request: Optional[str] = Field(default=None, sa_column=Column(Text))
    # The decision: facts found, basis, routes of relief, when made (resolved_at: when the customer was told).
    decision_facts: Optional[str] = Field(default=None, sa_column=Column(Text))
    decision_basis: Optional[str] = Field(default=None, sa_column=Column(Text))
    relief: Optional[str] = Field(default=None, max_length=100)
    decided_at: Optional[dt.datetime] = _ts()
    # Handling together: co-handlers beside the lead (assignee), every department involved beside the
    # lead department; comma-separated names.
    co_handlers: Optional[str] = Field(default=None, sa_column=Column(Text))
    departments: Optional[str] = Field(default=None, sa_column=Column(Text))
    cycle_number: int = 1
    related_case_id: Optional[int] = Field(default=None, foreign_key="cases.id")
    resolution: Optional[str] = Field(default=None, sa_column=Column(Text))
    root_cause: Optional[str] = Field(default=None, max_length=30)
    notified_via: Optional[str] = Field(default=None, max_length=20)
    satisfaction: Optional[str] = Field(default=None, max_length=20)
    calendar: str = Field(default="CN", max_length=60)
    last_escalated_at: Optional[dt.datetime] = _ts()
    internal_breached: bool = False
    regulatory_breached: bool = False
    external_id: Optional[str] = Field(default=None, max_length=100, index=True)
    anonymised_at: Optional[dt.datetime] = _ts()
    created_at: dt.datetime = _ts(nullable=False)
    updated_at: dt.datetime = _ts(nullable=False)


class Cycle(SQLModel, table=True):
    """One handling cycle of a case: the first from receipt, one more for each reopen."""

    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_cycles_case_number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    number: int
    tier: str = Field(max_length=20)
    # What opened the cycle: log (or import), reopen, or new_facts (a repeat that restarts the clock).
    opened_by: Optional[str] = Field(default=None, max_length=20)
    opened_at: dt.datetime = _ts(nullable=False)
    due_at: Optional[dt.datetime] = _ts()
    first_response_due_at: Optional[dt.datetime] = _ts()
    first_responded_at: Optional[dt.datetime] = _ts()
    regulatory_due_at: Optional[dt.datetime] = _ts()
    # The total this cycle's regulatory period was extended to (30 or 60 days; 0: not extended): kept
    # per cycle so that the return still knows it after a reopen or review opens another cycle.
    regulatory_extension_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    resolved_at: Optional[dt.datetime] = _ts(index=True)
    # Working-day seconds from opening to resolved_at (the decision told), written when the cycle is
    # decided (cycles.decided_seconds, under the calendar then in force, as its deadlines were): what
    # `report sla` and the monthly report rank and take medians of, read rather than counted each run.
    working_seconds: Optional[float] = Field(default=None, sa_column=Column(Float, nullable=True))
    internal_breached: bool = False
    regulatory_breached: bool = False
    response_breached: bool = False
    # Who held the case, and in which department, when the cycle was decided (revision 0027): what
    # `report sla --by assignee|department` groups the cycle under. The case's own columns move on:
    # a review makes the reviewer the assignee, a reopened case may be handed to someone else.
    assignee: Optional[str] = Field(default=None, max_length=200)
    department: Optional[str] = Field(default=None, max_length=200)


class Event(SQLModel, table=True):
    """The audit trail. Rows are only ever inserted; each is chained to the one before by hash."""

    __tablename__ = "events"
    __table_args__ = (
        # The events of one kind in a window of time (the repeat complaints that arrived in a period,
        # for the return and report summary): a range of this index, never a walk of the whole trail.
        Index("ix_events_action_occurred", "action", "occurred_at", "case_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: Optional[int] = Field(default=None, foreign_key="cases.id", index=True)
    action: str = Field(max_length=20)
    actor: str = Field(max_length=200)
    occurred_at: dt.datetime = _ts(nullable=False)
    recorded_at: dt.datetime = _ts(nullable=False)
    old: Optional[str] = Field(default=None, sa_column=Column(Text))
    new: Optional[str] = Field(default=None, sa_column=Column(Text))
    detail: Optional[str] = Field(default=None, sa_column=Column(Text))
    # Salted SHA-256 of the full text this event kept in personal_data (audit.full_digest); the hash
    # covers it. Empty when the event kept none.
    full_digest: Optional[str] = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


# The fields `find` looks a customer up by: only these values are indexed (a description may be
# longer than a PostgreSQL index entry may be).
LOOKUP_FIELDS = ("customer", "phone", "account", "id_number")
LOOKUP_WHERE = "field IN ('customer', 'phone', 'account', 'id_number')"


class PersonalData(SQLModel, table=True):
    """Personal data in full, keyed by case and by the event that wrote it: the value an event set
    on a personal column of the case (field: the column's name; the case row and the event hold it
    masked), the full text of an event's note, reply or reason (field: detail), and the event's
    random salt (field: salt). Read by `--reveal`, `find`, letters and unmasked exports; erased by
    `db purge`. The event's hash covers a salted digest of these rows, so the chain proves them
    while they exist and still verifies after they are erased."""

    __tablename__ = "personal_data"
    # ix_personal_data_lookup, partial (LOOKUP_WHERE), is declared by db.py: how is the backend's.

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    field: str = Field(max_length=30)
    value: str = Field(sa_column=Column(Text, nullable=False))


class RemediationAction(SQLModel, table=True):
    """An improvement decided from complaint analysis (remediation): its root cause, owner and deadline."""

    __tablename__ = "remediation_actions"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    root_cause: str = Field(max_length=30)
    product: Optional[str] = Field(default=None, max_length=30)
    owner: str = Field(max_length=200, index=True)
    due_on: dt.date = Field(index=True)
    status: str = Field(default="open", max_length=20)
    evidence: Optional[str] = Field(default=None, sa_column=Column(Text))
    done_at: Optional[dt.datetime] = _ts()
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _ts(nullable=False)


class RemediationCase(SQLModel, table=True):
    """A complaint case that led to a remediation action."""

    __tablename__ = "remediation_cases"

    action_id: int = Field(foreign_key="remediation_actions.id", primary_key=True)
    case_id: int = Field(foreign_key="cases.id", primary_key=True, index=True)
