"""Bulk import of historical complaints from CSV, and the streamed export of every case.

An import is one transaction: every row is validated, valid rows are inserted in batches with
their cycle and import event, and nothing is committed unless every row was valid (or
--skip-invalid was given). A crash part-way leaves the database as it was.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import select

from . import audit, clocks, files
from . import domain as d
from . import labels
from .db import bulk_insert, raw_times, time_text
from .errors import InvalidValue
from .context import Context, read_time
from .cycles import Openings, decided_seconds
from .masking import MASKERS, mask_names_in, mask_text
from .personal import TEXT_FIELDS, event_value
from .models import Case, Cycle, Event, Staff, UTCDateTime
from .reports import received_window

FIELDS = ("received_at", "channel", "product", "category", "tier", "branch", "department", "customer", "phone",
          "email", "account", "description", "assignee", "status", "resolved_at", "closed_at", "resolution",
          "root_cause", "satisfaction", "external_id")
_ENUMS = {"channel": d.Channel, "product": d.Product, "category": d.Category, "tier": d.Tier, "status": d.Status,
          "root_cause": d.Category, "satisfaction": d.Satisfaction}
BATCH = 2000


@dataclass
class Mapping:
    """Which CSV column(s) feed each field, and how source values translate."""

    columns: dict[str, list[str]]
    values: dict[str, dict[str, str]]
    date_format: str | None = None
    parsed: dict = field(default_factory=dict)

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
                raise InvalidValue("--map", item, "FIELD=COLUMN with FIELD one of " + ", ".join(FIELDS))
            alternatives = [c.strip() for c in col.split("|")]
            for c in alternatives:
                if c not in header:
                    raise InvalidValue("--map", item, f"a column of the file; it has: {', '.join(header)}")
            columns[f] = alternatives
        values: dict[str, dict[str, str]] = {}
        for item in value_maps:
            f, sep, rest = item.partition(":")
            src, sep2, target = rest.partition("=")
            if not sep or not sep2 or f.strip() not in FIELDS:
                raise InvalidValue("--value-map", item, "FIELD:SOURCE=TARGET (SOURCE * matches any other value)")
            values.setdefault(f.strip(), {})[src.strip().casefold()] = target.strip()
        if date_format:
            try:
                dt.datetime.now().strftime(date_format)
            except ValueError:
                raise InvalidValue("--date-format", date_format, "a strftime format such as %Y/%m/%d") from None
        return cls(columns, values, date_format)

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
    field: str
    reason: str


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    rejects: list[Reject] = field(default_factory=list)  # the first REJECTS_KEPT, by row
    rejected: int = 0  # all of them
    rejects_file: str | None = None
    dry_run: bool = False
    committed: bool = False
    _writer: Any = None
    _width: int = 0

    def reject(self, number: int, field_name: str, reason: str, record: list[str]) -> None:
        """Count a rejected row; keep the first ones; write it (masked, formula cells neutralised)."""
        self.rejected += 1
        # The reason quotes its value masked already (InvalidValue masks what it shows); masking the
        # whole line again would also mask the examples of what is accepted.
        if len(self.rejects) < REJECTS_KEPT:
            self.rejects.append(Reject(number, field_name, reason))
        if self._writer is not None:
            cells = [files.neutralise(mask_text(c)) for c in record[:self._width]]
            self._writer.writerow([number, field_name, files.neutralise(reason), *cells])


def _time(value: str | None, mapping: Mapping, ctx: Context, name: str) -> dt.datetime | None:
    fmt = mapping.date_format or "ISO 8601 (or give --date-format)"
    return read_time(value, ctx.tz, name, date_format=mapping.date_format, accepted=f"a date in the form {fmt}")


def _validate(raw: dict[str, str | None], m: Mapping, ctx: Context, staff: set[str]) -> dict[str, Any]:
    """One CSV record's raw field values (see Mapping.reader) as clean case values, or InvalidValue
    naming the field."""
    out: dict[str, Any] = {}
    for name, enum in _ENUMS.items():
        given = raw.get(name)
        if given is None:
            out[name] = None
        else:
            key = (name, given)
            value = m.parsed.get(key)
            if value is None:  # a file repeats a handful of values: parse each once
                value = m.parsed[key] = labels.parse(enum, given, name).value
            out[name] = value
    out["channel"] = out["channel"] or d.Channel.OTHER.value
    out["product"] = out["product"] or d.Product.OTHER.value
    out["category"] = out["category"] or d.Category.OTHER.value
    out["tier"] = out["tier"] or d.Tier.GENERAL.value
    received = _time(raw.get("received_at"), m, ctx, "received_at")
    if received is None:
        raise InvalidValue("received_at", "", "a date: every imported complaint needs its receipt date")
    if received > ctx.now:
        raise InvalidValue("received_at", raw.get("received_at"), "a time not in the future")
    out["received_at"] = received
    out["description"] = d.clean_text("description", raw.get("description"))
    for name in ("customer", "branch", "department"):
        out[name] = d.clean_name(name, raw.get(name), required=False)
    out["resolution"] = d.clean_text("resolution", raw.get("resolution"), required=False)
    phone, email, account = raw.get("phone"), raw.get("email"), raw.get("account")
    out["phone"] = d.clean_phone(phone) if phone else None
    out["email"] = d.clean_email(email) if email else None
    out["account"] = d.clean_account(account) if account else None
    assignee = d.clean_name("assignee", raw.get("assignee"), required=False)
    if assignee and assignee not in staff:
        raise InvalidValue("assignee", assignee, "registered staff (complaintctl staff add NAME --role ...)")
    out["assignee"] = assignee
    out["external_id"] = d.clean_name("external_id", raw.get("external_id"), required=False)
    resolved = _time(raw.get("resolved_at"), m, ctx, "resolved_at")
    closed = _time(raw.get("closed_at"), m, ctx, "closed_at")
    for name, moment in (("resolved_at", resolved), ("closed_at", closed)):
        if moment is not None and (moment < received or moment > ctx.now):
            raise InvalidValue(name, raw.get(name), "a time between receipt and now")
    if closed is not None and resolved is None:
        resolved = closed
    status = out["status"]
    if status is None:
        status = (d.Status.CLOSED if closed else d.Status.RESOLVED if resolved
                  else d.Status.ASSIGNED if assignee else d.Status.RECEIVED).value
    elif status in (d.Status.PAUSED.value, d.Status.REOPENED.value, d.Status.IN_PROGRESS.value,
                    d.Status.WITHDRAWN.value, d.Status.UNDER_REVIEW.value, d.Status.REVIEWED.value):
        raise InvalidValue("status", status, "received, assigned, resolved or closed for imported history")
    if d.Status(status) in d.OPEN_STATUSES:
        resolved = closed = None
    out.update(status=status, resolved_at=resolved, closed_at=closed)
    return out


def read_header(path: Path, encoding: str) -> list[str]:
    with path.open(newline="", encoding=encoding) as fh:
        return next(csv.reader(fh), [])


def import_csv(uow, ctx: Context, path: Path, *, maps: list[str], value_maps: list[str],
               date_format: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
               encoding: str = "utf-8-sig", progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate and import every row of a CSV file in one transaction."""
    if not path.is_file():
        raise InvalidValue("FILE", str(path), "an existing CSV file")
    try:
        header = read_header(path, encoding)
    except UnicodeDecodeError:
        raise InvalidValue("FILE", str(path), f"text in {encoding} (give --encoding, e.g. gb18030)") from None
    if not header:
        raise InvalidValue("FILE", str(path), "a CSV file with a header row")
    mapping = Mapping.parse(maps, value_maps, header, date_format)
    if "received_at" not in mapping.columns or "description" not in mapping.columns:
        raise InvalidValue("--map", "", "mappings for at least received_at and description "
                                        "(e.g. --map received_at=\"Date received\")")
    result = ImportResult(dry_run=dry_run)
    if skip_invalid and not dry_run:
        target = path.with_name(path.stem + ".rejects.csv")
        with files.atomic_text(target, "rejects file", protect=(path,), keep=lambda: result.committed and result.rejected > 0) as sink:
            result._writer, result._width = csv.writer(sink), len(header)
            result._writer.writerow(["row", "field", "reason", *header])
            _import_rows(uow, ctx, path, header, mapping, result, skip_invalid, dry_run, encoding, progress)
            result._writer = None
        if result.committed and result.rejected:
            result.rejects_file = str(target)
        return result
    _import_rows(uow, ctx, path, header, mapping, result, skip_invalid, dry_run, encoding, progress)
    return result


def _import_rows(uow, ctx: Context, path: Path, header: list[str], mapping: Mapping, result: ImportResult,
                 skip_invalid: bool, dry_run: bool, encoding: str, progress) -> None:
    openings = Openings(ctx.calendar)
    source = path.name
    with uow, uow.store.adapter.bulk(uow.session.connection()):
        staff = set(uow.session.execute(select(Staff.name).where(Staff.active)).scalars())
        batch: list[tuple[int, dict[str, Any], list[str]]] = []
        read = mapping.reader(header)
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
                    try:
                        values = _validate(read(record), mapping, ctx, staff)
                    except InvalidValue as exc:
                        result.reject(number, exc.field, exc.message, record)
                        continue
                    if result.rejected and not skip_invalid:
                        continue  # keep validating to report every bad row; nothing will be written
                    batch.append((number, values, record))
                    if len(batch) >= BATCH:
                        result.imported += insert_batch(uow, ctx, openings, _unseen(uow, batch, header, result), source)
                        batch.clear()
                        if progress:
                            progress(result.rows)
            except UnicodeDecodeError:
                raise InvalidValue("FILE", str(path), f"text in {encoding} (give --encoding, e.g. gb18030)") from None
            except csv.Error as exc:
                raise InvalidValue("FILE", str(path), f"well-formed CSV ({exc} near row {result.rows + 1})") from None
        if batch and (skip_invalid or not result.rejected):
            result.imported += insert_batch(uow, ctx, openings, _unseen(uow, batch, header, result), source)
        if progress:
            progress(result.rows)
        result.rejects.sort(key=lambda r: r.row)  # a batch's duplicates are found after its later rows
        if result.rejected and not skip_invalid:
            result.imported = 0
            return
        if not dry_run:
            if result.imported:
                uow.refresh_statistics()
            uow.commit()
            result.committed = True


def _unseen(uow, batch: list[tuple[int, dict[str, Any], list[str]]], header: list[str],
            result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    """The batch's rows less those whose external id is already in the database (imported before,
    or by an earlier batch of this file) or earlier in the batch: importing a file twice does not
    make its cases twice. Those rows become rejects."""
    ids = {v["external_id"] for _, v, _ in batch if v["external_id"]}
    cc = Case.__table__.c
    known = dict(uow.session.execute(select(cc.external_id, cc.reference).where(cc.external_id.in_(ids))).all()
                 ) if ids else {}
    first: dict[str, int] = {}
    kept = []
    for number, values, record in batch:
        external = values["external_id"]
        if external:
            reason = None
            if external in known:
                reason = f"already imported (case {known[external]}): external ids are unique"
            elif external in first:
                reason = f"the same as row {first[external]}: external ids are unique"
            if reason:
                result.reject(number, "external_id", reason, record)
                continue
            first[external] = number
        kept.append((number, values))
    return kept


# The fields an import event records, by how each is written.
# Every field the import sets is recorded (a key left out means empty); `calendar` marks events
# that do so, older ones recorded fewer fields.
_PLAIN = ("status", "tier", "channel", "product", "category", "branch", "external_id", "assignee",
          "department", "root_cause", "satisfaction", "calendar", "internal_breached", "regulatory_breached")
_MASKED = ("customer", "phone", "email", "account", "description", "resolution")
_TIMES = ("received_at", "due_at", "regulatory_due_at", "resolved_at", "closed_at", "first_response_due_at",
          "followup_due_at")
IMPORT_KEYS = (*_PLAIN, *_MASKED, *_TIMES, "reference")


def insert_batch(uow, ctx: Context, openings: Openings, batch: list[tuple[int, dict[str, Any]]],
                 source: str) -> int:
    """Insert one batch of valid rows: cases (ids reserved first, so references are written with
    them), their first cycles opened as `log` opens them (cycles.Openings), and chained import
    events. The clock rules (clocks.ran_out) decide which resolution came too late."""
    conn = uow.session.connection()
    now = ctx.now
    tz, cal, cal_name = ctx.tz, ctx.calendar, ctx.calendar.name
    open_statuses = clocks.OPEN
    ids = uow.store.adapter.reserve_ids(conn, Case.__table__, len(batch))
    case_rows, cycle_rows, events = [], [], []
    prev = audit.head_hash(uow)
    now_iso = audit.hash_time(now)
    action, actor = d.Action.IMPORT.value, ctx.actor
    for case_id, (number, v) in zip(ids, batch):
        tier = v["tier"]
        received = v["received_at"]
        local = received.astimezone(tz)
        opening = openings(received, d.Tier(tier), local.date())
        due, reg, response = opening.due_at, opening.regulatory_due_at, opening.first_response_due_at
        resolved = v["resolved_at"]
        internal_breach = resolved is not None and clocks.ran_out(due, resolved)
        reg_breach = resolved is not None and clocks.ran_out(reg, resolved)
        plan_breach = internal_breach and response is not None  # resolved after the plan was due, none on record
        followup = opening.followup_due_at if v["status"] in open_statuses else None  # as a decision leaves it
        reference = d.format_reference(local.year, case_id)
        v.update(due_at=due, regulatory_due_at=reg, first_response_due_at=response, followup_due_at=followup,
                 calendar=cal_name, internal_breached=internal_breach or None, regulatory_breached=reg_breach or None)
        case_rows.append({
            "id": case_id, "reference": reference, "status": v["status"], "tier": tier, "channel": v["channel"],
            "product": v["product"], "category": v["category"], "branch": v["branch"], "department": v["department"],
            "assignee": v["assignee"], "customer": v["customer"], "phone": v["phone"], "email": v["email"],
            "account": v["account"], "description": v["description"], "received_at": received, "due_at": due,
            "regulatory_due_at": reg, "first_response_due_at": response, "followup_due_at": followup,
            "resolved_at": resolved,
            "closed_at": v["closed_at"], "resolution": v["resolution"], "root_cause": v["root_cause"],
            "satisfaction": v["satisfaction"], "calendar": cal_name, "external_id": v["external_id"],
            "internal_breached": internal_breach, "regulatory_breached": reg_breach,
            "regulatory_extension_days": 0, "regulatory_paused_seconds": 0, "paused_working_seconds": 0,
            "reopen_count": 0, "cycle_number": 1, "created_at": now, "updated_at": now,
        })
        cycle_rows.append({**opening.cycle_values(case_id, 1), "resolved_at": resolved,
                           "working_seconds": None if resolved is None else decided_seconds(received, resolved, cal),
                           "internal_breached": internal_breach and not plan_breach,
                           "regulatory_breached": reg_breach, "response_breached": plan_breach})
        # What the event records: masked identifiers, times as audit.encode writes them (all UTC here).
        new = {k: v[k] for k in _PLAIN if v[k] is not None}
        for k in _MASKED:
            if v[k] is not None:
                new[k] = event_value(k, v[k], v)  # masked as a logged case's event is
        for k in _TIMES:
            if v[k] is not None:
                new[k] = v[k].isoformat()
        new["reference"] = reference
        new_s = audit.encode(new)
        detail = f"imported from {source} row {number}"
        digest = audit.hash_iso(prev, case_id, action, actor, audit.hash_time(received), now_iso, None, new_s, detail)
        events.append({"case_id": case_id, "action": action, "actor": actor, "occurred_at": received,
                       "recorded_at": now, "old": None, "new": new_s, "detail": detail, "prev_hash": prev,
                       "hash": digest})
        prev = digest
    times: dict = {}
    bulk_insert(uow, Case.__table__, case_rows, times)
    bulk_insert(uow, Cycle.__table__, cycle_rows, times)
    bulk_insert(uow, Event.__table__, events, times)
    uow.last_hash = prev
    return len(batch)


# Export ------------------------------------------------------------------------------------

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
                      "review_outcome", "reviewed_at")
EXPORT_CYCLE_FIELDS = ("number", "tier", "opened_at", "due_at", "first_response_due_at", "first_responded_at",
                       "regulatory_due_at", "resolved_at", "internal_breached", "regulatory_breached", "response_breached",
                       "opened_by", "regulatory_extension_days")


EXPORT_CSV_KEYS = (*EXPORT_CASE_FIELDS, *(f"cycle_{k}" for k in EXPORT_CYCLE_FIELDS))
# Columns whose values people typed (a spreadsheet could take them for formulas); the rest are
# times, numbers, flags and choices.
EXPORT_FREE_TEXT = frozenset({"reference", "branch", "department", "assignee", "customer", "phone", "email",
                              "account", "description", "resolution", "external_id", "co_handlers", "departments",
                              "id_number", "agent_name", "agent_authority", "complained_staff", "request",
                              "decision_facts", "decision_basis", "reviewer"})


def _columns(table, names):
    return raw_times([table.c[n] for n in names])


def _converters(names, table, ctx: Context, show: Callable) -> list[tuple[int, Callable]]:
    """(position, converter) for the columns that need one, chosen once: times to ISO in the
    business zone, personal data masked."""
    out = []
    for i, name in enumerate(names):
        if isinstance(table.c[name].type, UTCDateTime):
            out.append((i, show))
        elif ctx.masking and name in MASKERS:
            out.append((i, MASKERS[name]))
    return out


def _merged(uow, ctx: Context, received: tuple = (None, None)) -> Iterator[tuple[list, list[list]]]:
    """Every case's values (received within `received`, if bounded) and its cycles' values,
    converted, in id order: two ordered queries merged as they stream, so neither side is ever
    held whole."""
    cc = Case.__table__.c
    yc = Cycle.__table__.c
    lo, hi = received
    within = [c for c in ((cc.received_at >= lo) if lo is not None else None,
                          (cc.received_at < hi) if hi is not None else None) if c is not None]
    show = time_text(ctx.tz)  # one cache: a cycle's times are mostly its case's
    case_conv = _converters(EXPORT_CASE_FIELDS, Case.__table__, ctx, show)
    cycle_conv = _converters(EXPORT_CYCLE_FIELDS, Cycle.__table__, ctx, show)
    conn = uow.session.connection().execution_options(stream_results=True, yield_per=BATCH)
    cases = conn.execute(select(*_columns(Case.__table__, EXPORT_CASE_FIELDS)).where(*within).order_by(cc.id))
    cycle_query = select(yc.case_id, *_columns(Cycle.__table__, EXPORT_CYCLE_FIELDS))
    if within:
        cycle_query = cycle_query.where(yc.case_id.in_(select(cc.id).where(*within)))
    cycles = iter(conn.execute(cycle_query.order_by(yc.case_id, yc.number)))
    pending = next(cycles, None)
    named = ctx.masking
    who = EXPORT_CASE_FIELDS.index("customer")
    texts = [i for i, n in enumerate(EXPORT_CASE_FIELDS) if n in TEXT_FIELDS]
    for row in cases:
        case = list(row)
        name = case[who]
        for i, conv in case_conv:
            value = case[i]
            if value is not None:
                case[i] = conv(value)
        if named and name:
            for i in texts:
                case[i] = mask_names_in(case[i], (name,))
        case_id = case[0]
        own = []
        while pending is not None and pending[0] <= case_id:
            if pending[0] == case_id:
                cycle = list(pending)
                del cycle[0]
                for i, conv in cycle_conv:
                    value = cycle[i]
                    if value is not None:
                        cycle[i] = conv(value)
                own.append(cycle)
            pending = next(cycles, None)
        yield case, own


def export_cases(uow, ctx: Context, start: str | None = None, end: str | None = None) -> Iterator[dict[str, Any]]:
    """Every case (received between --from and --to, when given) with its cycles (as a list under
    "cycles"), in id order, streamed. The window is checked before the first row."""
    merged = _merged(uow, ctx, received_window(ctx, start, end))
    return ({**dict(zip(EXPORT_CASE_FIELDS, case)), "cycles": [dict(zip(EXPORT_CYCLE_FIELDS, c)) for c in cycles]}
            for case, cycles in merged)


def export_table(uow, ctx: Context, start: str | None = None, end: str | None = None) -> Iterator[list]:
    """One row a cycle, in EXPORT_CSV_KEYS order, the case's fields repeated: the shape a
    spreadsheet wants (a case without cycles, which none is, would get one row). The window is
    checked before the first row."""
    merged = _merged(uow, ctx, received_window(ctx, start, end))
    blank = [None] * len(EXPORT_CYCLE_FIELDS)
    return (case + cycle for case, cycles in merged for cycle in (cycles or (blank,)))
