"""Bulk import of historical complaints from CSV, and the streamed export of every case.

An import is one transaction: every row is validated, valid rows are inserted in batches with
their cycle and import event, and nothing is committed unless every row was valid (or
--skip-invalid was given). A crash part-way leaves the database as it was.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections import ChainMap
from itertools import compress, repeat
from operator import is_not
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import func, select

from . import access, audit, business_days, clocks, deadlines, files
from .access import Do
from . import domain as d
from . import labels
from .phones import clean_phone
from .db import Binder, prepared_rows, raw_times, time_text, tuple_rows
from .rows import EXPORT_CASE_FIELDS, EXPORT_CSV_KEYS, EXPORT_CYCLE_FIELDS, EXPORT_FREE_TEXT, export_kind  # noqa: F401
from .files import restore
from .errors import InvalidValue, UserError
from .context import Context, read_time
from .cycles import OPENERS, Openings, decided_seconds, holder, open_cycle, opener_action
from .masking import mask_text
from . import export_rows, personal
from .models import Case, Cycle, Event, PersonalData, Staff, column_kind
from .reports import received_window

# The fields of a foreign history file (a column named like one maps to it without --map).
BASE_FIELDS = ("received_at", "channel", "product", "category", "tier", "branch", "department", "customer", "phone",
               "email", "account", "description", "assignee", "status", "resolved_at", "closed_at", "resolution",
               "root_cause", "satisfaction", "external_id")
_ENUMS = {"channel": d.Channel, "product": d.Product, "category": d.Category, "tier": d.Tier, "status": d.Status,
          "root_cause": d.Category, "satisfaction": d.Satisfaction}

# The tool's own export read back (an administrator's unmasked export): the reference (the case
# keeps it, and its number), the clocks and the procedure as the export wrote them, and one row a
# cycle (cycle_*). A column a file has is taken as it stands (empty: none); one it lacks is worked
# out as for a foreign file.
_HISTORY_TIMES = ("due_at", "regulatory_due_at", "first_response_due_at", "followup_due_at", "first_responded_at",
                  "paused_at", "withdrawn_at", "decided_at", "review_requested_at", "reviewed_at")
_DEADLINES = frozenset({"due_at", "regulatory_due_at", "first_response_due_at", "followup_due_at"})
_HISTORY_COUNTS = ("reopen_count", "repeat_count", "regulatory_extension_days", "paused_working_seconds",
                   "regulatory_paused_seconds")
_HISTORY_FLAGS = ("internal_breached", "regulatory_breached")
_HISTORY_CHOICES = {"notified_via": d.NotifiedVia, "pause_reason": d.PauseReason, "paused_from": d.Status,
                    "review_outcome": d.ReviewOutcome, "id_type": d.IdType}
_HISTORY_NAMES = ("agent_name", "agent_authority", "complained_staff", "reviewer")
_HISTORY_LISTS = ("co_handlers", "departments")
_HISTORY_TEXTS = ("request", "decision_facts", "decision_basis")
HISTORY_FIELDS = ("reference", *_HISTORY_TIMES, *_HISTORY_COUNTS, *_HISTORY_FLAGS, *_HISTORY_CHOICES, *_HISTORY_NAMES,
                  *_HISTORY_LISTS, *_HISTORY_TEXTS, "id_number", "relief")
CYCLE_FIELDS = tuple(f"cycle_{k}" for k in EXPORT_CYCLE_FIELDS)
FIELDS = (*BASE_FIELDS, *HISTORY_FIELDS, *CYCLE_FIELDS)
# Case columns only an import of history sets (a plain row leaves them at their defaults).
_HISTORY_COLUMNS = tuple(f for f in HISTORY_FIELDS if f not in ("reference", "due_at", "regulatory_due_at",
                                                                "first_response_due_at", "followup_due_at",
                                                                "internal_breached", "regulatory_breached",
                                                                "reopen_count", "regulatory_extension_days",
                                                                "regulatory_paused_seconds", "paused_working_seconds"))
BATCH = 2000


@dataclass
class Mapping:
    """Which CSV column(s) feed each field, and how source values translate."""

    columns: dict[str, list[str]]
    values: dict[str, dict[str, str]]
    date_format: str | None = None
    parsed: dict = field(default_factory=dict)
    given: frozenset = frozenset()  # the fields the file fills (a column, or a value map)
    history: bool = False  # it carries some of the export's history fields (reference, clocks, procedure)
    cycles: bool = False  # it has one row a cycle (the export's cycle_* columns)
    lang: str = "en"  # the language the rejects' reasons are written in (ImportResult.lang)

    @classmethod
    def parse(cls, maps: list[str], value_maps: list[str], header: list[str], date_format: str | None) -> "Mapping":
        columns: dict[str, list[str]] = {}
        lower = {h.strip().lower(): h for h in header}
        for f in FIELDS:  # a column named like a field maps to it unless told otherwise
            if f in lower:
                columns[f] = [lower[f]]
        for item in maps:
            f, sep, col = item.partition("=")
            f = f.strip()
            if not sep or f not in FIELDS:
                raise InvalidValue("--map", item, "acc.map", fields=FIELDS)
            alternatives = [c.strip() for c in col.split("|")]
            for c in alternatives:
                if c not in header:
                    raise InvalidValue("--map", item, "acc.map_column", columns=list(header))
            columns[f] = alternatives
        values: dict[str, dict[str, str]] = {}
        for item in value_maps:
            f, sep, rest = item.partition(":")
            src, sep2, target = rest.partition("=")
            if not sep or not sep2 or f.strip() not in FIELDS:
                raise InvalidValue("--value-map", item, "acc.value_map")
            values.setdefault(f.strip(), {})[src.strip().casefold()] = target.strip()
        if date_format:
            try:
                dt.datetime.now().strftime(date_format)
            except ValueError:
                raise InvalidValue("--date-format", date_format, "acc.strftime") from None
        out = cls(columns, values, date_format)
        out.given = frozenset(columns) | frozenset(values)
        out.cycles = not out.given.isdisjoint(CYCLE_FIELDS)
        out.history = out.cycles or not out.given.isdisjoint(HISTORY_FIELDS)
        out.check_targets(value_maps)
        return out

    def check_targets(self, value_maps: list[str]) -> None:
        """Each --value-map target of a field of choices is one of them (a plain file's status one of
        the four it may give), before any row is read: a wrong one was found in every row it
        matched, each rejected naming a value the file does not hold."""
        for item in value_maps:
            name, _, rest = item.partition(":")
            name, target = name.strip(), rest.partition("=")[2].strip()
            enum = _ENUMS.get(name)
            if enum is None or not target:
                continue
            plain_status = name == "status" and not self.history
            try:
                value = labels.parse(enum, target, name).value
            except InvalidValue as exc:
                if plain_status:
                    raise InvalidValue("--value-map", item, "acc.import_status") from None
                raise InvalidValue("--value-map", item, exc.accepted, **exc.accepted_params) from None
            if plain_status and value not in _PLAIN_STATUSES:
                raise InvalidValue("--value-map", item, "acc.import_status")

    def unmapped(self, header: list[str]) -> list[str]:
        """The file's named columns that feed no field (a column another system filled that is not
        imported, said so rather than dropped without a word); the tool's own export's `id` is not
        among them where its reference is read (the case's number is the reference's)."""
        used = {c for columns in self.columns.values() for c in columns}
        if "reference" in self.columns:
            used.add("id")
        return [h for h in header if h.strip() and h not in used]

    def reader(self, header: list[str]) -> Callable[[list[str]], dict[str, str | None]]:
        """A function from one CSV record (a list, in `header` order) to the raw value of every
        mapped field: the first non-blank of its columns, translated by its value map."""
        position = {h: i for i, h in enumerate(header)}
        fields = [*self.columns, *(f for f in self.values if f not in self.columns)]  # a map from "" fills a field with no column
        plan = [(f, [position[c] for c in self.columns.get(f, ())], self.values.get(f)) for f in fields]

        def read(record: list[str]) -> dict[str, str | None]:
            out: dict[str, str | None] = {}
            width = len(record)
            for f, places, table in plan:
                raw = ""
                for i in places:
                    if i < width:
                        raw = record[i].strip()
                        if raw:
                            if raw[0] == "'":
                                raw = restore(raw)  # as export neutralised it
                            break
                if table:
                    key = raw.casefold()
                    if key in table:
                        raw = table[key]
                    elif raw and "*" in table:
                        raw = table["*"]
                out[f] = raw or None
            return out

        return read


# Rejected rows held in memory (listed on screen and in --json). Every reject is still counted, and
# written to the rejects file as it is found, so memory stays bounded whatever the file holds.
REJECTS_KEPT = 1000


@dataclass
class Reject:
    row: int
    field: str  # every field found wrong, ", "-joined
    reason: str  # their reasons, "; "-joined
    faults: tuple = ()  # (field, reason) of each, when the row has more than one


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0  # rows
    cases: int = 0  # the cases they made (a case of the tool's export is one row a cycle)
    rejects: list[Reject] = field(default_factory=list)  # the first REJECTS_KEPT, by row
    rejected: int = 0  # all of them
    rejects_file: str | None = None
    unmapped: list[str] = field(default_factory=list)  # the file's columns that feed no field
    dry_run: bool = False
    committed: bool = False
    _writer: Any = None
    _width: int = 0
    _maskers: list = field(default_factory=list)  # each column's masking in the rejects file
    _settle: Callable[[], None] | None = None  # the rejects file made durable, before the import commits
    lang: str = "en"  # the language of the reasons (the operator's: on screen and in the rejects file)

    def says(self, key: str, **params) -> str:
        """A reason in the import's language (labels.py's key)."""
        return labels.t(key, self.lang, **params)

    def refused(self, exc: InvalidValue) -> str:
        return labels.error_text(exc, self.lang)

    def reject(self, number: int, field_name: str, reason: str, record: list[str], faults: tuple = ()) -> None:
        """Count a rejected row; keep the first ones; write it (masked, formula cells neutralised)."""
        self.rejected += 1
        # The reason quotes its value masked already (InvalidValue masks what it shows); masking the
        # whole line again would also mask the examples of what is accepted.
        if len(self.rejects) < REJECTS_KEPT:
            self.rejects.append(Reject(number, field_name, reason, faults))
        if self._writer is not None:
            maskers = self._maskers or [mask_text] * self._width
            cells = [files.neutralise(m(c)) for m, c in zip(maskers, record[:self._width])]
            self._writer.writerow([number, field_name, files.neutralise(reason), *cells])


def _column_maskers(header: list[str], mapping: Mapping) -> list:
    """How the rejects file masks each column: a column a personal field is read from by that
    field (masking.QUOTED: a rejected row's value may be one no kind-aware mask fits), any other by
    the patterns of free text."""
    from .masking import QUOTED

    by_column = {column: QUOTED[name] for name, columns in mapping.columns.items() if name in QUOTED
                 for column in columns}
    return [lambda c, m=by_column.get(column): (m(c) if m is not None and c else mask_text(c)) for column in header]


def _not_staff(field_name: str, name: str) -> InvalidValue:
    """A name that is no registered member of staff, quoted masked as a person's name: a file's
    column may hold the customer's where the handler's belongs."""
    from .masking import QUOTED

    return InvalidValue(field_name, QUOTED["customer"](name), "acc.registered_staff")


def _time(value: str | None, mapping: Mapping, ctx: Context, name: str) -> dt.datetime | None:
    if mapping.date_format:
        return read_time(value, ctx.tz, name, date_format=mapping.date_format, accepted="acc.date_form",
                         fmt=mapping.date_format)
    return read_time(value, ctx.tz, name, accepted="acc.date_iso")


class RowFaults(Exception):
    """What is wrong with one CSV record: every field found wrong, each an InvalidValue, in the
    order of the fields (a row is listed once, with all of them, so that it is mended in one go).
    Each is kept without its traceback or context (_kept): those hold _validate's frame, which holds
    the list of them, a cycle only the collector frees, and the import's second process runs
    without it (importer_pipe._child): 100,000 bad rows took 333 MB, 60,000 with a date in another
    form 262 MB."""

    def __init__(self, faults: list[InvalidValue]):
        super().__init__(faults)
        self.faults = faults


def _kept(exc: InvalidValue) -> InvalidValue:
    """A fault as RowFaults keeps it: without its traceback, nor the exception it was raised while
    handling (a bad date's ValueError, whose traceback's frames lead back to _validate's)."""
    exc.__traceback__ = exc.__context__ = exc.__cause__ = None
    return exc


def _validate(raw: dict[str, str | None], m: Mapping, ctx: Context, staff: dict[str, Any]) -> dict[str, Any]:
    """One CSV record's raw field values (see Mapping.reader) as clean case values, or RowFaults
    naming every field that is wrong (each field is checked whatever those before it gave; a check
    that needs another field's value, as a decision no earlier than the receipt, is made when that
    value is good; the export's history fields are checked once the plain ones are all good).
    Long because it checks each field of a record in turn, in one pass (the per-row cost): each
    check in a try of its own, costing nothing unless it fails, rather than a helper called a field
    (the import's inner loop: a call a field is a million calls for 100,000 rows)."""
    out: dict[str, Any] = {}
    faults: list[InvalidValue] = []
    for name, enum in _ENUMS.items():
        given = raw.get(name)
        if given is None:
            out[name] = None
        else:
            key = (name, given)
            value = m.parsed.get(key)
            if value is None:  # a file repeats a handful of values: parse each once
                try:
                    value = m.parsed[key] = labels.parse(enum, given, name).value
                except InvalidValue as exc:  # (a plain file's status: the four it may give, not every state)
                    faults.append(InvalidValue(name, labels.typed_choice(given), "acc.import_status") if name == "status" and not m.history
                                  else _kept(exc))
            out[name] = value
    out["channel"] = out["channel"] or d.Channel.OTHER.value
    out["product"] = out["product"] or d.Product.OTHER.value
    out["category"] = out["category"] or d.Category.OTHER.value
    out["tier"] = out["tier"] or d.Tier.GENERAL.value
    received = None
    try:
        received = _time(raw.get("received_at"), m, ctx, "received_at")
        if received is None:
            raise InvalidValue("received_at", "", "acc.receipt_date")
        if received > ctx.now:
            received = None
            raise InvalidValue("received_at", raw.get("received_at"), "acc.not_future")
    except InvalidValue as exc:
        faults.append(_kept(exc))
    out["received_at"] = received
    try:
        out["description"] = d.clean_text("description", raw.get("description"))
    except InvalidValue as exc:
        faults.append(_kept(exc))
    for name in ("customer", "branch", "department"):
        try:
            out[name] = d.clean_name(name, raw.get(name), required=False)
        except InvalidValue as exc:
            faults.append(_kept(exc))
            out[name] = False  # (wrong, not missing)
    if out["branch"] is None:  # as `log` takes it: the config's branch, else none is refused
        out["branch"] = ctx.settings.get("branch") or None
        if out["branch"] is None:
            faults.append(InvalidValue("branch", "", "acc.import_branch"))
    try:
        out["resolution"] = d.clean_text("resolution", raw.get("resolution"), required=False)
    except InvalidValue as exc:
        faults.append(_kept(exc))
    phone, email, account = raw.get("phone"), raw.get("email"), raw.get("account")
    try:
        out["phone"] = clean_phone(phone) if phone else None
    except InvalidValue as exc:
        faults.append(_kept(exc))
    try:
        out["email"] = d.clean_email(email) if email else None
    except InvalidValue as exc:
        faults.append(_kept(exc))
    try:
        out["account"] = d.clean_account(account) if account else None
    except InvalidValue as exc:
        faults.append(_kept(exc))
    assignee = None
    try:
        assignee = d.clean_name("assignee", raw.get("assignee"), required=False)
        if assignee and assignee not in staff:
            raise _not_staff("assignee", assignee)
    except InvalidValue as exc:
        faults.append(_kept(exc))
    out["assignee"] = assignee
    try:
        out["external_id"] = d.clean_name("external_id", raw.get("external_id"), required=False)
    except InvalidValue as exc:
        faults.append(_kept(exc))
    decided = {}
    for name in ("resolved_at", "closed_at"):
        given = raw.get(name)
        if given is None:
            continue
        try:
            moment = decided[name] = _time(given, m, ctx, name)
            if moment is not None and (moment > ctx.now or (received is not None and moment < received)):
                raise InvalidValue(name, given, "acc.receipt_to_now")
        except InvalidValue as exc:
            faults.append(_kept(exc))
    resolved, closed = decided.get("resolved_at"), decided.get("closed_at")
    if closed is not None and resolved is None:
        resolved = closed
    status = out["status"]
    if status is None:
        status = (d.Status.CLOSED if closed else d.Status.RESOLVED if resolved
                  else d.Status.ASSIGNED if assignee else d.Status.RECEIVED).value
    elif status not in _PLAIN_STATUSES and not m.history:
        faults.append(InvalidValue("status", status, "acc.import_status"))
    if faults:
        raise RowFaults(faults)
    if status in _HANDLING:
        resolved = closed = None  # a case under review keeps the decision it is reviewing
    out.update(status=status, resolved_at=resolved, closed_at=closed)
    if m.history:
        try:
            _validate_history(raw, m, ctx, staff, out, faults)
        except InvalidValue as exc:
            faults.append(_kept(exc))
        if faults:
            raise RowFaults(faults)
    return out


_HANDLING = frozenset(s.value for s in d.HANDLING_STATUSES)
_PLAIN_STATUSES = frozenset({d.Status.RECEIVED.value, d.Status.ASSIGNED.value, d.Status.RESOLVED.value,
                             d.Status.CLOSED.value})
# What a state needs on record: a paused case resumes to where it was, a withdrawn one has its day,
# a review its request and reviewer, a decided review its outcome.
_STATE_NEEDS = {d.Status.PAUSED.value: ("paused_at", "pause_reason", "paused_from"),
                d.Status.WITHDRAWN.value: ("withdrawn_at",),
                d.Status.UNDER_REVIEW.value: ("resolved_at", "review_requested_at", "reviewer"),
                d.Status.REVIEWED.value: ("resolved_at", "review_requested_at", "reviewer", "reviewed_at",
                                          "review_outcome")}
_NOT_PAUSED_FROM = frozenset({d.Status.PAUSED.value, d.Status.UNDER_REVIEW.value})


def _validate_history(raw: dict[str, str | None], m: Mapping, ctx: Context, staff: dict[str, Any],
                      out: dict[str, Any], faults: list[InvalidValue]) -> None:
    """The export's history fields of one row, checked, into `out` (only those the file has): each
    field's own faults added to `faults`; the checks across fields (who may review, what a state
    needs, the regulatory floor) made once every field is good, the first of them raised.
    Long because each history field of the export has its own check, taken in turn."""
    given = m.given
    reference = raw.get("reference")
    out["history"] = True

    def each(name: str, check: Callable[[], Any]) -> None:
        try:
            out[name] = check()
        except InvalidValue as exc:
            faults.append(_kept(exc))

    if reference is not None:
        try:
            out["case_id"], out["reference"] = _reference(reference)
        except InvalidValue as exc:
            faults.append(_kept(exc))
    received = out["received_at"]
    for name in _HISTORY_TIMES:
        if name in given:
            def moment(name=name):
                value = _time(raw.get(name), m, ctx, name)
                if value is not None and (value < received or (name not in _DEADLINES and value > ctx.now)):
                    raise InvalidValue(name, raw.get(name),
                                       "acc.after_receipt" if name in _DEADLINES else "acc.after_receipt_not_future")
                return value
            each(name, moment)
    for name in _HISTORY_COUNTS:
        if name in given:
            each(name, lambda name=name: _count(raw.get(name), name))
    if out.get("regulatory_extension_days") not in (None, 0, 30, 60):
        faults.append(InvalidValue("regulatory_extension_days", raw.get("regulatory_extension_days"),
                                   "acc.extension_days"))
    for name in _HISTORY_FLAGS:
        if name in given:
            each(name, lambda name=name: _flag(raw.get(name), name))
    for name, enum in _HISTORY_CHOICES.items():
        if name in given:
            each(name, lambda name=name, enum=enum: labels.parse(enum, raw.get(name), name).value if raw.get(name)
                 else None)
    for name in _HISTORY_NAMES:
        if name in given:
            each(name, lambda name=name: d.clean_name(name, raw.get(name), required=False))
    for name in _HISTORY_LISTS:
        if name in given:
            def listed(name=name):
                value = d.clean_name(name, raw.get(name), required=False)
                return (",".join(p.strip() for p in value.split(",") if p.strip()) or None) if value else None
            each(name, listed)
    for name in _HISTORY_TEXTS:
        if name in given:
            each(name, lambda name=name: d.clean_text(name, raw.get(name), required=False))
    if "id_number" in given and not any(f.field == "id_type" for f in faults):  # (read as of its kind)
        number, kind = raw.get("id_number"), out.get("id_type")
        each("id_number", lambda: d.clean_id_number(d.IdType(kind) if kind else d.IdType.RESIDENT_ID, number)
             if number else None)
    if "relief" in given:
        value = raw.get("relief")
        each("relief", lambda: (",".join(labels.parse(d.Relief, p.strip(), "relief").value
                                         for p in value.split(",") if p.strip()) or None) if value else None)
    if m.cycles:
        try:
            out["cycle"] = _cycle_row(raw, m, ctx, received, staff)
        except InvalidValue as exc:
            faults.append(_kept(exc))
    if faults:
        return  # (what follows reads the fields together: each must be good first)
    reviewer = out.get("reviewer")
    if reviewer and reviewer not in staff:
        raise _not_staff("reviewer", reviewer)
    if reviewer and out["status"] == d.Status.UNDER_REVIEW.value:
        # An open review is decided in this tool, by the reviewer named: one request_review would
        # accept (the file's assignee, where it is not the reviewer, is the handler).
        assignee = out.get("assignee")
        access.check_reviewer("reviewer", staff[reviewer], branch=out.get("branch"),
                              complained=out.get("complained_staff"),
                              handlers=[staff[assignee]] if assignee and assignee != reviewer else [])
    for person in d.names_kept(out.get("co_handlers")):
        if person not in staff:
            raise _not_staff("co_handlers", person)
    status = out["status"]
    for name in _STATE_NEEDS.get(status, ()):
        if out.get(name) is None:
            raise InvalidValue(name, "", "acc.state_records", status=d.Status(status))
    if status != d.Status.PAUSED.value and out.get("paused_at") is not None:
        raise InvalidValue("paused_at", raw.get("paused_at"), "acc.empty_not_paused", status=d.Status(status))
    if out.get("paused_from") in _NOT_PAUSED_FROM:
        raise InvalidValue("paused_from", out["paused_from"], "acc.paused_from")
    if not m.cycles and (out.get("cycle_number") or 1) == 1 and out.get("regulatory_due_at") is not None:
        # A regulatory deadline is never before the 15 days from receipt (a pause or an extension only
        # moves it later): a file that says otherwise is refused, not stored to call a late decision met.
        floor = deadlines.regulatory_due(received, ctx.calendar)
        if out["regulatory_due_at"] < floor:
            raise InvalidValue("regulatory_due_at", raw.get("regulatory_due_at"), "acc.regulatory_floor",
                               day=ctx.calendar.local_date(floor - dt.timedelta(seconds=1)).isoformat())


def _reference(text: str) -> tuple[int, str]:
    """A reference as the tool writes it (C-2026-000123): the case's number and the reference."""
    ref = text.upper()
    try:
        case_id = d.parse_case_key(ref) if ref.startswith("C-") else None
    except InvalidValue:
        case_id = None
    if case_id is None or d.format_reference(int(ref[2:6]), case_id) != ref:
        raise InvalidValue("reference", text, "acc.import_reference")
    return case_id, ref


def _count(text: str | None, name: str) -> int:
    if text is None:
        return 0
    if not text.isdigit() or len(text) > 9:
        raise InvalidValue(name, text, "acc.whole_number")
    return int(text)


_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no", ""})


def _flag(text: str | None, name: str) -> bool:
    key = (text or "").casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidValue(name, text, "acc.true_or_false")


def _cycle_row(raw: dict[str, str | None], m: Mapping, ctx: Context, received: dt.datetime,
               staff: dict) -> dict[str, Any]:
    """One row's cycle (the export's cycle_* columns), checked; keys only for the columns the file has.
    Long because each of the export's cycle columns is checked in turn."""
    given = m.given
    number = _count(raw.get("cycle_number"), "cycle_number")
    if number < 1:
        raise InvalidValue("cycle_number", raw.get("cycle_number"), "acc.cycle_number")
    cycle: dict[str, Any] = {"number": number}
    tier = raw.get("cycle_tier")
    if tier is not None:
        cycle["tier"] = labels.parse(d.Tier, tier, "cycle_tier").value
    opener = raw.get("cycle_opened_by")
    if opener is not None and opener not in OPENERS:
        raise InvalidValue("cycle_opened_by", opener, "acc.any_of", choices=OPENERS)
    cycle["opened_by"] = opener or (d.Action.LOG.value if number == 1 else d.Action.REOPEN.value)
    for name in ("opened_at", "due_at", "first_response_due_at", "first_responded_at", "regulatory_due_at",
                 "resolved_at"):
        key = f"cycle_{name}"
        if key in given:
            moment = _time(raw.get(key), m, ctx, key)
            deadline = name.endswith("due_at")
            if moment is not None and (moment < received or (not deadline and moment > ctx.now)):
                raise InvalidValue(key, raw.get(key), "acc.after_receipt" if deadline else "acc.after_receipt_not_future")
            cycle[name] = moment
    if cycle.get("opened_at") is None:
        if number > 1:
            raise InvalidValue("cycle_opened_at", "", "acc.later_cycle_opened")
        cycle["opened_at"] = received
    for name in ("internal_breached", "regulatory_breached", "response_breached"):
        key = f"cycle_{name}"
        if key in given:
            cycle[name] = _flag(raw.get(key), key)
    if "cycle_regulatory_extension_days" in given:
        cycle["regulatory_extension_days"] = _count(raw.get("cycle_regulatory_extension_days"),
                                                    "cycle_regulatory_extension_days")
    if "cycle_assignee" in given:  # who held the case when the cycle was decided (revision 0027)
        holder = d.clean_name("cycle_assignee", raw.get("cycle_assignee"), required=False)
        if holder and holder not in staff:
            raise _not_staff("cycle_assignee", holder)
        cycle["assignee"] = holder
    if "cycle_department" in given:
        cycle["department"] = d.clean_name("cycle_department", raw.get("cycle_department"), required=False)
    return cycle


def read_header(path: Path, encoding: str) -> list[str]:
    with path.open(newline="", encoding=encoding) as fh:
        return next(csv.reader(fh), [])


def import_csv(uow, ctx: Context, path: Path, *, maps: list[str], value_maps: list[str],
               date_format: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
               encoding: str = "utf-8-sig", progress: Callable[[int], None] | None = None,
               lang: str = "en") -> ImportResult:
    """Validate and import every row of a CSV file in one transaction (managers, executives and
    administrators: access.Do.IMPORT)."""
    access.require(ctx, Do.IMPORT)
    if not path.is_file():
        raise InvalidValue("FILE", str(path), "acc.csv_exists")
    try:
        header = read_header(path, encoding)
    except UnicodeDecodeError:
        raise InvalidValue("FILE", str(path), "acc.encoding", encoding=encoding) from None
    if not header:
        raise InvalidValue("FILE", str(path), "acc.csv_header")
    mapping = Mapping.parse(maps, value_maps, header, date_format)
    mapping.lang = lang
    missing = [f for f in ("received_at", "description") if f not in mapping.columns]
    if missing:
        raise UserError("err.import_unmapped", file=path.name, fields=", ".join(missing), columns=", ".join(header))
    result = ImportResult(dry_run=dry_run, lang=lang, unmapped=mapping.unmapped(header))
    if skip_invalid and not dry_run:
        target = path.with_name(path.stem + ".rejects.csv")
        with files.atomic_text(target, "rejects file", protect=(path, uow.store.adapter.path), keep=lambda: result.committed and result.rejected > 0) as sink:
            result._writer, result._width = csv.writer(sink), len(header)
            result._maskers = _column_maskers(header, mapping)
            result._writer.writerow(["row", "field", "reason", *header])
            # Written whole before the commit: a rejects file the disk will not hold fails the import,
            # rather than a saved import reporting only the failure (and being run again).
            result._settle = lambda: files.settle(sink, target)
            _import_all(uow, ctx, path, header, mapping, result, skip_invalid, dry_run, encoding, progress, sink)
            result._writer = None
        if result.committed and result.rejected:
            result.rejects_file = str(target)
        return result
    _import_all(uow, ctx, path, header, mapping, result, skip_invalid, dry_run, encoding, progress)
    return result


def _import_all(uow, ctx: Context, path: Path, header: list[str], mapping: Mapping, result: ImportResult,
                skip_invalid: bool, dry_run: bool, encoding: str, progress, sink=None) -> None:
    """_import_rows, in two processes where that pays; when the second process fails (not for the
    file's errors, which are reported as always), the import is rolled back and done in one."""
    from .importer_pipe import ChildFailed

    start = sink.tell() if sink is not None else None
    try:
        _import_rows(uow, ctx, path, header, mapping, result, skip_invalid, dry_run, encoding, progress)
    except ChildFailed:
        result.rows = result.imported = result.cases = result.rejected = 0
        result.rejects.clear()
        if sink is not None:  # the rejects written so far are written again
            sink.seek(start)
            sink.truncate()
        _import_rows(uow, ctx, path, header, mapping, result, skip_invalid, dry_run, encoding, progress,
                     two_process=False)


def _import_rows(uow, ctx: Context, path: Path, header: list[str], mapping: Mapping, result: ImportResult,
                 skip_invalid: bool, dry_run: bool, encoding: str, progress, two_process: bool = True) -> None:
    """The import's one transaction: the file read, validated and written in batches, by this
    process alone or, for a large file, with a second process reading and building the rows
    (importer_pipe) while this one inserts them."""
    source = path.name
    with uow, uow.store.adapter.bulk(uow.session.connection()):
        # The active staff by name, with their role and branch (an open review's reviewer is checked).
        staff = {p.name: p for p in uow.session.execute(select(Staff.name, Staff.role, Staff.branch).where(Staff.active))}
        from . import importer_pipe

        if two_process and importer_pipe.worth_it(path):
            steps = importer_pipe.Steps(read_batches, _unseen, build_batch, stored_lookup, ImportResult)
            rebuild = None  # (the indexes stay: see importer_pipe.run)
            importer_pipe.run(steps, uow, ctx, path, header, mapping, staff, result, skip_invalid, encoding, progress,
                              source, keep_records=result._writer is not None)
        else:
            write = _Writer(uow, ctx, result, source, dry_run, progress)
            read_batches(path, header, mapping, ctx, staff, result, skip_invalid, encoding, write)
            rebuild = write.rebuild
        if rebuild is not None:
            rebuild()  # before commit: a rolled-back import takes the drop back with it
        if progress:
            progress(result.rows)
        result.rejects.sort(key=lambda r: r.row)  # a batch's duplicates are found after its later rows
        if result.rejected and not skip_invalid:
            result.imported = 0
            return
        if not dry_run:
            if result.imported:
                uow.refresh_statistics()
                # History older than the calendar's table: the table widened back to it, with the cases.
                conn = uow.session.connection()
                business_days.reach_back(conn, ctx.calendar, business_days.first_received(conn), ctx.now)
            if result._settle is not None and result.rejected:  # (a file of no rejects is not kept)
                result._settle()
            uow.commit()
            result.committed = True


class _Writer:
    """One process's import: each batch checked for cases already stored, built and inserted."""

    def __init__(self, uow, ctx: Context, result: ImportResult, source: str, dry_run: bool, progress):
        self.uow, self.ctx, self.result, self.source, self.dry_run, self.progress = uow, ctx, result, source, dry_run, progress
        self.openings = Openings(ctx.calendar)
        self.rebuild = None

    def __call__(self, batch: list, expected: float) -> None:
        if self.rebuild is None:
            self.rebuild = _set_aside(self.uow, expected, self.dry_run)
        _insert(self.uow, self.ctx, self.openings, batch, self.result, self.source)
        if self.progress:
            self.progress(self.result.rows)


def read_batches(path: Path, header: list[str], mapping: Mapping, ctx: Context, staff: dict[str, Any],
                 result: ImportResult, skip_invalid: bool, encoding: str,
                 emit: Callable[[list, float], None]) -> None:
    """Read and validate the file's rows, a case's rows grouped, rejects counted in `result`; each
    batch of BATCH cases goes to emit(batch, expected), `expected` the file's rows as estimated from
    the bytes the first ones took (the last batch: the rows counted). Once a row is rejected
    without --skip-invalid, nothing more is emitted (every row is still checked, to report it).
    Long because reading, validating, grouping and batching share the streaming loop's state."""
    batch: list[tuple[int, dict[str, Any], list[str]]] = []
    read = mapping.reader(header)
    grouped = "reference" in mapping.given
    group = _Group() if grouped else None
    seen: dict[str, int] = {}  # reference -> its first row: a case's rows follow each other

    def add(item) -> None:
        nonlocal batch
        if result.rejected and not skip_invalid:
            return  # keep validating to report every bad row; nothing will be written
        batch.append(item)
        if len(batch) >= BATCH:
            done = fh.buffer.tell()  # read ahead by one chunk at most
            full, batch = batch, []
            emit(full, result.rows * path.stat().st_size / done if done else 0)

    with path.open(newline="", encoding=encoding) as fh:
        records = csv.reader(fh)
        try:
            next(records, None)  # the header
            number = 0
            for record in records:
                if not record:
                    continue  # a blank line is not a row
                number += 1
                result.rows = number
                raw = read(record)
                if group is not None:
                    ref = raw.get("reference")
                    if ref is None or ref.upper() != group.reference:
                        if group.rows:
                            _close(group, result, add)
                        group = _Group(ref.upper() if ref else None)
                        if group.reference is not None:
                            if group.reference in seen:
                                group.bad = True
                                result.reject(number, "reference", result.says("import.reference_again", ref=group.reference,
                                                                               row=seen[group.reference]), record)
                                continue
                            seen[group.reference] = number
                try:
                    values = _validate(raw, mapping, ctx, staff)
                except RowFaults as exc:
                    faults = tuple((f.field, result.refused(f)) for f in exc.faults)
                    result.reject(number, ", ".join(f for f, _ in faults), "; ".join(r for _, r in faults), record,
                                  faults if len(faults) > 1 else ())
                    if group is not None:
                        group.bad = True
                    continue
                if group is not None:
                    group.rows.append((number, values, record))
                    if group.reference is None:  # a row without a reference is a case of its own
                        _close(group, result, add)
                        group = _Group()
                    continue
                add((number, values, record))
            if group is not None and group.rows:
                _close(group, result, add)
        except UnicodeDecodeError:
            raise InvalidValue("FILE", str(path), "acc.encoding", encoding=encoding) from None
        except csv.Error as exc:
            raise InvalidValue("FILE", str(path), "acc.csv_well_formed", why=str(exc), row=result.rows + 1) from None
    if batch and (skip_invalid or not result.rejected):
        emit(batch, result.rows)


# The tables an import fills, whose secondary indexes are set aside for a large import; the external
# id's index stays, as each batch looks its ids up (importer._unseen).
_FILLED = ("cases", "cycles", "events", "personal_data")
_KEEP = ("ix_cases_external_id",)


def _set_aside(uow, expected: float, dry_run: bool) -> Callable[[], None]:
    """Before the first insert: when the file's rows (`expected`) will at least double the cases
    stored, the filled tables' secondary indexes are dropped, to be built again before commit (the
    adapter's set_aside_indexes). Returns what rebuilds them (or does nothing)."""
    if dry_run:
        return lambda: None
    conn = uow.session.connection()
    stored = conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one()
    if expected < stored:
        return lambda: None
    return uow.store.adapter.set_aside_indexes(conn, _FILLED, keep=_KEEP)


def _insert(uow, ctx: Context, openings: Openings, batch: list, result: ImportResult, source: str) -> None:
    kept = _unseen(stored_lookup(uow.session.connection()), batch, result)
    result.cases += len(kept)
    result.imported += insert_batch(uow, ctx, openings, kept, source)


@dataclass
class _Group:
    """The rows of one reference read so far (one a cycle), and whether any was rejected."""

    reference: str | None = None
    rows: list = field(default_factory=list)
    bad: bool = False


def _close(group: _Group, result: ImportResult, add: Callable) -> None:
    """Make one case of a reference's rows: its first row's case fields, every row's cycle. A case
    is imported whole or not at all: when one row is rejected, so are the others."""
    if group.bad:
        for number, _, record in group.rows:
            result.reject(number, "reference", result.says("import.group_rejected", ref=group.reference), record)
        return
    number, values, record = group.rows[0]
    if "cycle" in values:
        cycles = [v.pop("cycle") for _, v, _ in group.rows]
        try:
            _check_cycles(values, cycles)
        except InvalidValue as exc:
            result.reject(number, exc.field, result.refused(exc), record)
            for n, _, r in group.rows[1:]:
                result.reject(n, "reference", result.says("import.group_rejected", ref=group.reference), r)
            return
        values["cycles"] = cycles
    elif len(group.rows) > 1:
        for n, _, r in group.rows[1:]:
            result.reject(n, "reference", result.says("import.one_row", ref=group.reference), r)
        return
    if len(group.rows) > 1:
        values["rows"] = [(n, r) for n, _, r in group.rows]
    add((number, values, record))


def _check_cycles(case: dict[str, Any], cycles: list[dict[str, Any]]) -> None:
    """A case's cycles read back: numbered 1, 2, ... in order, the first opened at receipt by the
    complaint, each later one opened no earlier than the one before."""
    for i, cycle in enumerate(cycles, 1):
        if cycle["number"] != i:
            raise InvalidValue("cycle_number", str(cycle["number"]), "acc.cycle_order", i=i)
        if i == 1 and (cycle["opened_at"] != case["received_at"] or cycle["opened_by"] != d.Action.LOG.value):
            raise InvalidValue("cycle_opened_at", cycle["opened_at"].isoformat(), "acc.first_cycle")
        if i > 1 and (cycle["opened_by"] == d.Action.LOG.value or cycle["opened_at"] < cycles[i - 2]["opened_at"]):
            raise InvalidValue("cycle_opened_at", cycle["opened_at"].isoformat(), "acc.later_cycle")


def stored_lookup(conn) -> Callable[[set, set], tuple[dict, dict]]:
    """The cases stored with these external ids (external id -> reference) and these ids (id ->
    reference), as a connection sees them."""
    cc = Case.__table__.c

    def look(ids: set, numbers: set) -> tuple[dict, dict]:
        known = dict(conn.execute(select(cc.external_id, cc.reference).where(cc.external_id.in_(ids))).all()
                     ) if ids else {}
        taken = dict(conn.execute(select(cc.id, cc.reference).where(cc.id.in_(numbers))).all()) if numbers else {}
        return known, taken
    return look


def _unseen(stored: Callable[[set, set], tuple[dict, dict]], batch: list[tuple[int, dict[str, Any], list[str]]],
            result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    """The batch's cases less those already in the database (`stored` finds them): a reference
    already there (or whose number another case has), or an external id already there or earlier
    in the file. Importing a file twice does not make its cases twice. Those rows become rejects."""
    ids = {v["external_id"] for _, v, _ in batch if v["external_id"]}
    numbers = {v["case_id"] for _, v, _ in batch if "case_id" in v}
    known, taken = stored(ids, numbers)
    first: dict[str, int] = {}
    kept = []
    for number, values, record in batch:
        rows = values.get("rows")  # a case of several rows (cycles) names them all
        external = values["external_id"]
        reason = field_name = None
        holder = taken.get(values.get("case_id"))
        if holder is not None:
            field_name = "reference"
            reason = result.says("import.reference_stored" if holder == values["reference"] else "import.number_taken",
                                 ref=holder)
        elif external and external in known:
            field_name, reason = "external_id", result.says("import.external_known", ref=known[external])
        elif external and external in first:
            field_name, reason = "external_id", result.says("import.external_twice", row=first[external])
        if reason:
            for n, r in rows or ((number, record),):
                result.reject(n, field_name, reason, r)
            continue
        if external:
            first[external] = number
        kept.append((number, values))
    return kept


# The fields an import event records, by how each is written.
# Every field the import sets is recorded (a key left out means empty, or for a count 0); `calendar`
# marks events that do so, older ones recorded fewer fields.
_PLAIN = ("status", "tier", "channel", "product", "category", "branch", "external_id", "assignee",
          "department", "root_cause", "satisfaction", "calendar", "internal_breached", "regulatory_breached")
_MASKED = ("customer", "phone", "email", "account", "description", "resolution")
_TIMES = ("received_at", "due_at", "regulatory_due_at", "resolved_at", "closed_at", "first_response_due_at",
          "followup_due_at")
# ... and what an import of history (the tool's own export) sets beside them.
_HISTORY_PLAIN = ("cycle_number", "reopen_count", "repeat_count", "regulatory_extension_days", "paused_working_seconds",
                  "regulatory_paused_seconds", "notified_via", "pause_reason", "paused_from", "id_type", "co_handlers",
                  "departments", "agent_authority", "complained_staff", "relief", "reviewer", "review_outcome")
_HISTORY_MASKED = ("id_number", "agent_name", "request", "decision_facts", "decision_basis")
_HISTORY_EVENT_TIMES = ("first_responded_at", "paused_at", "withdrawn_at", "decided_at", "review_requested_at",
                        "reviewed_at")
# A plain import's event keys in sorted order, each with where its value comes from (0: the row's
# values, 1: the case row, masked, 2: the row's values, a time), so that the event's JSON is written
# in audit.encode's order without sorting each row's keys.
_PLAIN_EVENT = tuple(sorted([(k, 0) for k in _PLAIN] + [(k, 1) for k in (*_MASKED, "reference")] +
                            [(k, 2) for k in _TIMES]))
IMPORT_KEYS = (*_PLAIN, *_MASKED, *_TIMES, "reference", *_HISTORY_PLAIN, *_HISTORY_MASKED, *_HISTORY_EVENT_TIMES)
_CLOCKS = ("due_at", "regulatory_due_at", "first_response_due_at")


def insert_batch(uow, ctx: Context, openings: Openings, batch: list[tuple[int, dict[str, Any]]],
                 source: str) -> int:
    """Insert one batch of valid cases: cases (ids reserved first, so references are written with
    them; a case read back from the tool's export keeps its reference and so its number), their
    cycles opened as `log` opens them (cycles.Openings, or cycles.open_cycle for each cycle of
    history), and chained import events. The clock rules (clocks.ran_out) decide which resolution
    came too late, where the file does not say. Returns the rows imported."""
    conn = uow.session.connection()
    adapter = uow.store.adapter
    built = build_batch(ctx, openings, batch, source, lambda table, n, above=0: adapter.reserve_ids(conn, table, n, above),
                        conn.dialect)
    for table, names, rows in built.tables:
        adapter.insert_rows(conn, table, names, rows)
    events, uow.last_hash = audit.chained(audit.head_hash(uow), *built.events, audit.hash_time(ctx.now))
    if events:
        adapter.insert_rows(conn, Event.__table__, audit.CHAINED_COLUMNS, events)
    if built.personal:
        adapter.insert_rows(conn, PersonalData.__table__, personal.COLUMNS, built.personal)
    return built.imported


@dataclass
class Built:
    """One batch's finished rows, table by table in the order they are inserted, each as the
    adapter's insert_rows takes them (table, column names, tuples of values as bound); the cases'
    (id, reference, external id); the import events to chain (audit.chained's rows and occurred
    times: audit.CHAINED_COLUMNS less the chain's two), inserted after the tables; the personal data they
    keep (personal.COLUMNS), inserted after them; the rows of the file they hold; the earliest
    receipt among them."""

    tables: list
    cases: list
    events: tuple[list, list]
    personal: list
    imported: int
    earliest: dt.datetime | None = None


# A plain import's case and cycle rows, column by column as build_batch writes their tuples (the
# history of the tool's own export sets more columns: those rows are built as dicts).
_CASE_COLUMNS = ("id", "reference", "status", "tier", "channel", "product", "category", "branch", "department",
                 "assignee", "customer", "phone", "email", "account", "description", "received_at", "due_at",
                 "regulatory_due_at", "first_response_due_at", "followup_due_at", "resolved_at", "closed_at",
                 "resolution", "root_cause", "satisfaction", "calendar", "external_id", "internal_breached",
                 "regulatory_breached", "regulatory_extension_days", "regulatory_paused_seconds",
                 "paused_working_seconds", "reopen_count", "cycle_number", "created_at", "updated_at")
_CYCLE_COLUMNS = ("case_id", "number", "tier", "opened_at", "due_at", "first_response_due_at", "regulatory_due_at",
                  "opened_by", "resolved_at", "working_seconds", "assignee", "department", "internal_breached",
                  "regulatory_breached", "response_breached")
# The personal fields a plain case has, in personal.FIELDS order (the order they are kept in).
_PLAIN_PERSONAL = tuple(k for k in personal.FIELDS if k in _MASKED)
_EVENT_KEYS = tuple(k for k, _ in _PLAIN_EVENT)


def build_batch(ctx: Context, openings: Openings, batch: list[tuple[int, dict[str, Any]]], source: str,
                reserve: Callable[..., list[int]], dialect) -> Built:
    """insert_batch's rows, built without the database: `reserve(table, n, above)` gives the new
    ids (as the adapter's reserve_ids), `dialect` is the backend's (whose bind processors make the
    values). The events are left to chain (audit.chained) where the chain's head is known.
    A plain row's case, cycle, event and personal data are written straight as the tuples the
    insert takes; a row of history (the tool's own export) is built as dicts (_history_rows).
    Long because the rows of cases, cycles, personal data and events are built side by side
    with local names: the import's inner loop, and most of its speed."""
    now = ctx.now
    tz, cal_name = ctx.tz, ctx.calendar.name
    open_statuses = clocks.OPEN
    numbered = [v["case_id"] for _, v in batch if "case_id" in v]  # references kept (the tool's export)
    fresh = iter(reserve(Case.__table__, len(batch) - len(numbered), max(numbered, default=0)))
    case_rows, cycle_rows, events, occurred, kept_rows, made = [], [], [], [], [], []
    history_cases, history_cycles = [], []
    event_ids = iter(reserve(Event.__table__, len(batch)))
    decided, clocks_of, opened_by = openings.decided, openings.clocks, openings.by
    bind = Binder(dialect)
    flags, number = bind.flags, bind.number
    texts = _TimeTexts(bind)  # texts[t]: (stored, as the event's JSON writes it, as its hash covers it)
    now_stored = texts[now][0]
    action, actor = d.Action.IMPORT.value, ctx.actor
    mask_value, encode_sorted = personal.mask_value, audit.encode_sorted
    imported = 0
    for row_number, v in batch:
        case_id = v.get("case_id") or next(fresh)
        tier = v["tier"]
        received = v["received_at"]
        local = received.astimezone(tz)
        reference = v.get("reference") or d.format_reference(local.year, case_id)
        made.append((case_id, reference, v["external_id"]))
        received_s, received_iso, received_covered = texts[received]
        kept = personal.Kept()
        if v.get("history"):
            new_s = _history_rows(ctx, openings, case_id, reference, v, kept, history_cases, history_cycles)
        else:
            resolved, status = v["resolved_at"], v["status"]
            day = local.date()
            tier, due, reg, response, followup = clocks_of(received, tier, day)
            internal_breach = resolved is not None and clocks.ran_out(due, resolved)
            reg_breach = resolved is not None and clocks.ran_out(reg, resolved)
            plan_breach = internal_breach and response is not None  # resolved after the plan was due, none on record
            if status not in open_statuses:
                followup = None  # as a decision leaves it
            # Masked once, here: the case row and the event hold the masked values, personal_data the full.
            customer = v["customer"]
            names = (customer, None)
            full = [v[k] for k in _PLAIN_PERSONAL]
            kept.values = {k: value for k, value in zip(_PLAIN_PERSONAL, full) if value}
            customer_m, phone, email, account, description, resolution = [
                mask_value(k, value, names) if value else value for k, value in zip(_PLAIN_PERSONAL, full)]
            closed = v["closed_at"]
            assignee, department, external_id = v["assignee"], v["department"], v["external_id"]
            channel, product, category, branch = v["channel"], v["product"], v["category"], v["branch"]
            root_cause, satisfaction = v["root_cause"], v["satisfaction"]
            due_s, due_iso, _ = texts[due]
            reg_s, reg_iso, _ = texts[reg]
            response_s, response_iso, _ = texts[response]
            followup_s, followup_iso, _ = texts[followup]
            resolved_s, resolved_iso, _ = texts[resolved]
            closed_s, closed_iso, _ = texts[closed]
            case_rows.append((
                case_id, reference, status, tier, channel, product, category, branch, department, assignee,
                customer_m, phone, email, account, description, received_s, due_s, reg_s, response_s,
                followup_s, resolved_s, closed_s, resolution, root_cause, satisfaction, cal_name,
                external_id, flags[internal_breach], flags[reg_breach], 0, 0, 0, 0, 1, now_stored, now_stored))
            decided_in = resolved is not None
            cycle_rows.append((
                case_id, 1, tier, received_s, due_s, response_s, reg_s,
                opened_by, resolved_s, number(decided(received, resolved, day)) if decided_in else None,
                # who held it when decided: the file's assignee, department
                assignee if decided_in else None, department if decided_in else None,
                flags[internal_breach and not plan_breach], flags[reg_breach], flags[plan_breach]))
            # What the event records (in _PLAIN_EVENT's order, the keys sorted): masked identifiers,
            # times as audit.encode writes them (ISO 8601 UTC); a value None is left out.
            values = (account, assignee, branch, cal_name, category, channel, closed_iso, customer_m, department,
                      description, due_iso, email, external_id, response_iso, followup_iso,
                      internal_breach or None, phone, product, received_iso, reference, reg_breach or None,
                      reg_iso, resolution, resolved_iso, root_cause, satisfaction, status, tier)
            new_s = encode_sorted(dict(compress(zip(_EVENT_KEYS, values), map(is_not, values, _NONES))))
        rows = v.get("rows")
        imported += len(rows) if rows else 1
        detail = (f"imported from {source} row {row_number}" if not rows or len(rows) == 1 else
                  f"imported from {source} rows {rows[0][0]}-{rows[-1][0]}")
        full_d = kept.digest()
        event_id = next(event_ids)
        events.append((event_id, case_id, action, actor, received_s, now_stored, new_s, detail, full_d))
        occurred.append(received_covered)
        kept_rows += kept.tuples(case_id, event_id)
    tables = [(Case.__table__, *tuple_rows(Case.__table__, _CASE_COLUMNS, case_rows))]
    if history_cases:
        tables.append((Case.__table__, *prepared_rows(dialect, Case.__table__, history_cases, bind.times)))
    tables.append((Cycle.__table__, *tuple_rows(Cycle.__table__, _CYCLE_COLUMNS, cycle_rows)))
    if history_cycles:
        tables.append((Cycle.__table__, *prepared_rows(dialect, Cycle.__table__, history_cycles, bind.times)))
    return Built([t for t in tables if t[2]], made, (events, occurred), kept_rows, imported,
                 min((v["received_at"] for _, v in batch), default=None))


_NONES = repeat(None)


class _TimeTexts(dict):
    """An import's times written once each (the same deadlines recur), in the three forms its rows
    take: as the insert takes it (Binder), as the event's JSON writes it and as its hash covers it
    (audit.time_texts), from one formatting (on SQLite the stored text too: Binder.stored_from)."""

    def __init__(self, bind: Binder):
        super().__init__({None: (None, None, None)})
        self.bind = bind

    def __missing__(self, t):
        covered, iso = audit.time_texts(t)
        found = self[t] = (self.bind.stored_from(t, covered), iso, covered)
        return found


def _history_rows(ctx: Context, openings: Openings, case_id: int, reference: str, v: dict[str, Any],
                  kept: personal.Kept, cases: list, cycles: list) -> str:
    """A row of history's case and cycles (as dicts, added to `cases` and `cycles`), its personal
    fields kept in `kept`; returns the import event's JSON.
    Long because the case's columns, masked and plain, and the event's are written field by field."""
    tier = v["tier"]
    received = v["received_at"]
    now, cal_name = ctx.now, ctx.calendar.name
    row, own, recorded = _history_case(ctx, case_id, v, openings(received, d.Tier(tier),
                                                                  received.astimezone(ctx.tz).date()))
    v.update(calendar=cal_name, internal_breached=row["internal_breached"] or None,
             regulatory_breached=row["regulatory_breached"] or None)
    case = {
        "id": case_id, "reference": reference, "status": v["status"], "tier": tier, "channel": v["channel"],
        "product": v["product"], "category": v["category"], "branch": v["branch"], "department": v["department"],
        "assignee": v["assignee"], "customer": v["customer"], "phone": v["phone"], "email": v["email"],
        "account": v["account"], "description": v["description"], "received_at": received, "due_at": v["due_at"],
        "regulatory_due_at": v["regulatory_due_at"], "first_response_due_at": v["first_response_due_at"],
        "followup_due_at": v["followup_due_at"], "resolved_at": v["resolved_at"],
        "closed_at": v["closed_at"], "resolution": v["resolution"], "root_cause": v["root_cause"],
        "satisfaction": v["satisfaction"], "calendar": cal_name, "external_id": v["external_id"],
        "internal_breached": row["internal_breached"], "regulatory_breached": row["regulatory_breached"],
        "regulatory_extension_days": 0, "regulatory_paused_seconds": 0, "paused_working_seconds": 0,
        "reopen_count": 0, "cycle_number": 1, "created_at": now, "updated_at": now,
    }
    case.update(row)
    # Masked once, here: the case row and the event hold the masked values, personal_data the full.
    names = (case["customer"], case.get("agent_name"))
    for k in personal.FIELDS:
        if case.get(k) is not None:
            kept.add(k, case[k])
            case[k] = personal.mask_value(k, case[k], names)
    # What the event records: masked identifiers, times as audit.encode writes them (all UTC here).
    new = {k: v[k] for k in _PLAIN if v[k] is not None}
    for k in _MASKED:
        if case[k] is not None:
            new[k] = case[k]
    for k in _TIMES:
        if v[k] is not None:
            new[k] = v[k].isoformat()
    new["reference"] = reference
    cases.append(case)
    cycles.extend(own)
    for k in _HISTORY_PLAIN:
        if case[k]:  # a count of 0, like an empty value, is what a key left out means
            new[k] = case[k]
    for k in _HISTORY_MASKED:
        if case[k] is not None:
            new[k] = case[k]
    for k in _HISTORY_EVENT_TIMES:
        if case[k] is not None:
            new[k] = case[k].isoformat()
    if recorded is not None:
        new["cycles"] = recorded
    if v.get("case_id"):
        new["reference_kept"] = True  # its number too: db check knows why ids skip
    return audit.encode(new)


def _counted(ctx: Context, opening, c: dict[str, Any], v: dict[str, Any], current: bool) -> dict[str, Any]:
    """A cycle's deadlines as counted where the file leaves them empty: the regulatory one over the
    period its extension set and the appraisal days (the current cycle's), the internal one moved by
    the working time paused (the current cycle's); a review's own 30 days as they are."""
    if opening.opened_by == d.Action.REVIEW.value:
        return {}
    out: dict[str, Any] = {}
    extended = c.get("regulatory_extension_days", v.get("regulatory_extension_days") or 0) or 0
    appraisal = (v.get("regulatory_paused_seconds") or 0) if current else 0
    if c.get("regulatory_due_at") is None and (extended or appraisal):
        out["regulatory_due_at"] = deadlines.regulatory_due(opening.opened_at, ctx.calendar, extended_to=extended,
                                                            paused_seconds=appraisal)
    paused = (v.get("paused_working_seconds") or 0) if current else 0
    if c.get("due_at") is None and paused and opening.due_at is not None:
        out["due_at"] = ctx.calendar.add_working_seconds(opening.due_at, paused)
    return out


def _history_case(ctx: Context, case_id: int, v: dict[str, Any], first) -> tuple[dict, list[dict], list | None]:
    """A case read back from history: each of its cycles opened by the cycle opener (cycles.open_cycle;
    the first as Openings gave it) with the clocks the file records where it has them (pauses,
    escalations and extensions moved them); the case's own columns; and the cycles as the import
    event records them (None when the file has no cycle columns).
    Long because each cycle of history is rebuilt field by field from what the file records."""
    given = v.get("cycles")
    listed = given or [{"number": 1, "opened_by": d.Action.LOG.value, "opened_at": v["received_at"]}]
    resolved = v["resolved_at"]
    own = []
    opening = first
    for c in listed:
        tier = c.get("tier") or v["tier"]
        if c["number"] > 1 or tier != first.tier:
            opening = open_cycle(c["opened_at"], d.Tier(tier), ctx.calendar, opener_action(c["opened_by"]))
        # A deadline the file leaves empty is the one the cycle opener counts (never none at all),
        # moved as the row's extension and pauses move it.
        opening = dc_replace(opening, **_counted(ctx, opening, c, v, c is listed[-1]))
        opening = dc_replace(opening, **{k: c[k] for k in _CLOCKS if c.get(k) is not None})
        row = {**opening.cycle_values(case_id, c["number"]),
               "first_responded_at": c.get("first_responded_at", v.get("first_responded_at") if not given else None),
               "resolved_at": c.get("resolved_at", resolved if not given else None),
               "regulatory_extension_days": c.get("regulatory_extension_days", v.get("regulatory_extension_days") or 0)}
        done = row["resolved_at"]
        # A decided cycle keeps its working time, as resolve and review-decide keep it, and who held
        # the case then: the file's cycle_assignee and cycle_department, else (an export from before
        # revision 0027, another tool's history) the case's own (replay reads it so too).
        row["working_seconds"] = None if done is None else decided_seconds(row["opened_at"], done, ctx.calendar)
        row.update(holder(done, ChainMap(c, v)))
        plan = opening.first_response_due_at
        late = done is not None and clocks.ran_out(opening.due_at, done)
        row["internal_breached"] = c.get("internal_breached", late and plan is None)
        row["response_breached"] = c.get("response_breached", late and plan is not None)
        row["regulatory_breached"] = c.get("regulatory_breached", done is not None and
                                           clocks.ran_out(opening.regulatory_due_at, done))
        own.append(row)
    last = own[-1]
    clock = {"due_at": opening.due_at, "regulatory_due_at": opening.regulatory_due_at,
             "first_response_due_at": opening.first_response_due_at,
             "followup_due_at": opening.followup_due_at if v["status"] in clocks.OPEN else None}
    # A deadline the file leaves empty is the one counted: an open case with none would be overdue
    # in no report. (An urgent case's plan deadline is empty once the plan was given; a follow-up only
    # while open.)
    responded = v.get("first_responded_at") is not None and opening.tier == d.Tier.URGENT.value
    for k, value in clock.items():
        if k not in v or (v[k] is None and not (k == "due_at" and responded)):
            v[k] = value
    case = {k: v.get(k) for k in _HISTORY_PLAIN + _HISTORY_MASKED + _HISTORY_EVENT_TIMES}
    case.update(cycle_number=len(own), reopen_count=v.get("reopen_count", sum(
        1 for c in listed if c["opened_by"] == d.Action.REOPEN.value)), repeat_count=v.get("repeat_count") or 0,
        regulatory_extension_days=v.get("regulatory_extension_days", last["regulatory_extension_days"]) or 0,
        paused_working_seconds=v.get("paused_working_seconds") or 0,
        regulatory_paused_seconds=v.get("regulatory_paused_seconds") or 0)
    internal = v.get("internal_breached")
    if internal is None:
        internal = bool(last["internal_breached"] or last["response_breached"])
    regulatory = v.get("regulatory_breached")
    if regulatory is None:
        regulatory = bool(last["regulatory_breached"])
    case.update(internal_breached=internal, regulatory_breached=regulatory)
    recorded = None
    if given:
        recorded = [{"number": r["number"], "opened_by": r["opened_by"], "tier": r["tier"],
                     "opened_at": r["opened_at"].isoformat(),
                     "resolved_at": r["resolved_at"].isoformat() if r["resolved_at"] else None,
                     "internal_breached": bool(r["internal_breached"] or r["response_breached"]),
                     "regulatory_breached": bool(r["regulatory_breached"]),
                     "assignee": r["assignee"], "department": r["department"]} for r in own]
    return case, own, recorded


# Export ------------------------------------------------------------------------------------


def _columns(table, names):
    return raw_times([table.c[n] for n in names])


def export_selects(lo=None, hi=None, reveal: bool = False):
    """The export's three ordered statements: the cases received within [lo, hi) (either bound
    open when None; values or bound parameters), their cycles, and with `reveal` the full personal
    values kept apart (else None); times selected as stored, each shown once by the converter.
    The full way runs them; complaintctl/sqltext.py compiles them for the lean export."""
    cc = Case.__table__.c
    yc = Cycle.__table__.c
    within = [c for c in ((cc.received_at >= lo) if lo is not None else None,
                          (cc.received_at < hi) if hi is not None else None) if c is not None]
    cases = select(*_columns(Case.__table__, EXPORT_CASE_FIELDS)).where(*within).order_by(cc.id)
    cycles = select(yc.case_id, *_columns(Cycle.__table__, EXPORT_CYCLE_FIELDS))
    if within:
        cycles = cycles.where(yc.case_id.in_(select(cc.id).where(*within)))
    kept = None
    if reveal:
        p = PersonalData.__table__.c
        kept = select(p.case_id, p.field, p.value).where(p.field.in_(personal.FIELDS))
        if within:
            kept = kept.where(p.case_id.in_(select(cc.id).where(*within)))
        kept = kept.order_by(p.case_id, p.event_id)
    return cases, cycles.order_by(yc.case_id, yc.number), kept


def export_kinds() -> tuple[tuple[str | None, ...], tuple[str | None, ...]]:
    """How each exported column of a case and of a cycle is read (models.column_kind, for
    export_rows.converters: "time" shown in the business zone, "bool" a flag, else as it is)."""
    return (tuple(column_kind(Case.__table__.c[n].type) for n in EXPORT_CASE_FIELDS),
            tuple(column_kind(Cycle.__table__.c[n].type) for n in EXPORT_CYCLE_FIELDS))


def export_sheet_kinds() -> list[str]:
    """How a workbook types each column of EXPORT_CSV_KEYS (cli/render.py's Column kinds): the
    times as date-times, the rest as the CSV writes them (export_kind)."""
    case_kinds, cycle_kinds = export_kinds()
    return ["time" if kind == "time" else export_kind(key)
            for key, kind in zip(EXPORT_CSV_KEYS, (*case_kinds, *cycle_kinds))]


def _merged(uow, ctx: Context, received: tuple = (None, None)) -> Iterator[tuple[list, list[list]]]:
    """Every case's values (received within `received`, if bounded) and its cycles' values,
    converted, in id order (export_rows.merged). Masking turned off by an administrator: the full
    values, read from personal_data as the cases stream, for a login that may read them."""
    cases, cycles, kept = export_selects(*received, reveal=not ctx.masking and personal.readable(uow))
    conn = uow.session.connection().execution_options(stream_results=True, yield_per=BATCH)
    show = time_text(ctx.tz)  # one cache: a cycle's times are mostly its case's
    case_kinds, cycle_kinds = export_kinds()
    return export_rows.merged(conn.execute(cases), conn.execute(cycles),
                              conn.execute(kept) if kept is not None else None,
                              export_rows.converters(case_kinds, show), export_rows.converters(cycle_kinds, show))


def export_cases(uow, ctx: Context, start: str | None = None, end: str | None = None) -> Iterator[dict[str, Any]]:
    """Every case (received between --from and --to, when given) with its cycles (as a list under
    "cycles"), in id order, streamed. The window is checked before the first row."""
    return export_rows.documents(_merged(uow, ctx, received_window(ctx, start, end)))


def export_table(uow, ctx: Context, start: str | None = None, end: str | None = None) -> Iterator[list]:
    """One row a cycle, in EXPORT_CSV_KEYS order, the case's fields repeated (export_rows.sheet).
    The window is checked before the first row."""
    return export_rows.sheet(_merged(uow, ctx, received_window(ctx, start, end)))


# The export as finished text from the server ------------------------------------------------


def export_query(adapter, tz, reveal: bool, received: tuple = (None, None)) -> tuple[str, dict] | None:
    """The export's CSV as one query of finished text, for a backend whose server can write it
    (db.py's adapters: export_csv_sql), as (SQL, parameters); None where it cannot. With `reveal`,
    the personal columns show the full values personal_data keeps."""
    query = export_query_marked(adapter, tz, reveal, received)
    if query is None:
        return None
    from .dbapi import PARAMSTYLE
    from .stored import windowed

    return windowed(query[0], PARAMSTYLE[adapter.name], *(bound is not None for bound in received)), query[1]


def export_query_marked(adapter, tz, reveal: bool, received: tuple = (None, None)) -> tuple[str, dict] | None:
    """As export_query, the window of receipt's place left marked (stored.windowed writes it in):
    the text complaintctl/sqltext.py compiles for the lean export, for every window."""
    shown = [f for f in EXPORT_CASE_FIELDS if f in personal.FIELDS] if reveal else []
    return adapter.export_csv_sql(tz, EXPORT_CASE_FIELDS, EXPORT_CYCLE_FIELDS, export_kind, shown, received)


def export_csv_text(uow, ctx: Context, start: str | None = None, end: str | None = None,
                    row_end: str = "\r\n") -> tuple[str, Iterator[tuple[int, bytes]]] | None:
    """The CSV body of `export --format csv` (no header) written by the database (COPY on
    PostgreSQL, finished lines on SQLite): (encoding, blocks of whole rows, each (rows, bytes)),
    byte for byte what export_table's rows make through the csv module; None where the backend
    cannot (export_table is the way then). The window is checked before anything is read."""
    received = received_window(ctx, start, end)
    adapter = uow.store.adapter
    zone = getattr(ctx.tz, "key", None)
    if not zone or adapter.time_text_sql("x", ctx.tz) is None:
        return None
    query = export_query(adapter, ctx.tz, not ctx.masking and personal.readable(uow), received)
    if query is None:
        return None
    return adapter.copy_csv(uow.session.connection(), *query, zone, row_end)
