"""Personal data in one place that can be erased: the personal_data table, keyed by case.

Masking happens once, when data is written. The case row, its cycles and its events keep only the
masked form of a personal field (names, numbers, e-mail addresses, free text with its numbers and
the case's names masked: masking.py holds every rule). The full value goes
into personal_data, keyed by the case and the event that wrote it, with a random salt per event;
the event's hash covers a salted digest of those rows (audit.full_digest). `--reveal`, `find`,
letters for a revealing role and exports with masking turned off read personal_data; `db purge`
deletes a case's rows, after which the chain still verifies and every output shows masked values.

On PostgreSQL only the roles that may reveal can read the value column; everyone else reaches what
writing needs (the case's names, to mask them in free text) and `find` through two functions the
tables' owner provides (revision 0016, db.py's adapter).
"""
from __future__ import annotations

import os
from typing import Any, Iterable

from sqlalchemy import delete, select

from . import audit
from .masking import DETAIL, FIELDS, MASKERS, mask_names_in, mask_text, revealed  # noqa: F401 (personal.FIELDS, .DETAIL, .revealed)
from .models import PersonalData

# Case columns of free text: masked like a note (numbers, e-mail addresses and the case's names).
TEXT_FIELDS = frozenset({"description", "resolution", "request", "decision_facts", "decision_basis"})
NAME_FIELDS = ("customer", "agent_name")
SALT = "salt"
# The columns of Kept.tuples' rows, as a bulk insert gives them.
COLUMNS = ("case_id", "event_id", "field", "value")


def masked(text: str | None, names: Iterable[str | None] = ()) -> str | None:
    """Free text as it is stored: numbers, e-mail addresses and the given (full) names masked."""
    if not text:
        return text
    return mask_names_in(mask_text(text), names)


def mask_value(name: str, value, names: Iterable[str | None] = ()):
    """A case column's value as the case row and its events store it."""
    if not value:
        return value
    if name in TEXT_FIELDS:
        return masked(value, names)
    masker = MASKERS.get(name)
    return masker(value) if masker is not None else value


_SALTS: list[str] = []
os.register_at_fork(after_in_child=_SALTS.clear)  # a forked process never hands out its parent's


def _salt() -> str:
    """A random salt of 16 bytes, as hex: os.urandom (what secrets.token_hex reads), asked once for
    4,096 of them rather than once each (a bulk import writes one an event)."""
    try:
        return _SALTS.pop()
    except IndexError:
        pool = os.urandom(16 * 4096).hex()
        _SALTS.extend(pool[i:i + 32] for i in range(0, len(pool), 32))
        return _SALTS.pop()


class Kept:
    """The full values one event writes to personal_data (field -> value), with their digest."""

    __slots__ = ("values",)

    def __init__(self):
        self.values: dict[str, str] = {}

    def add(self, field: str, full: str | None) -> None:
        if full:
            self.values[field] = full

    def digest(self) -> str | None:
        """The salted digest the event's hash covers (None when nothing was kept)."""
        if not self.values:
            return None
        if SALT not in self.values:
            self.values[SALT] = _salt()
        return audit.full_digest(self.values)

    def rows(self, case_id: int, event_id: int) -> list[dict[str, Any]]:
        return [{"case_id": case_id, "event_id": event_id, "field": f, "value": v} for f, v in self.values.items()]

    def tuples(self, case_id: int, event_id: int) -> list[tuple]:
        """rows as (case_id, event_id, field, value) tuples, for a bulk insert."""
        return [(case_id, event_id, f, v) for f, v in self.values.items()]

    def write(self, uow, case_id: int, event_id: int) -> None:
        if self.values:
            uow.session.execute(PersonalData.__table__.insert(), self.rows(case_id, event_id))


def names(uow, case_id: int | None) -> tuple[str | None, ...]:
    """The case's customer and agent names in full, as free text is searched for them (through the
    backend's adapter: a PostgreSQL login that may not reveal reaches them through a function)."""
    if case_id is None:
        return ()
    cache = uow.__dict__.setdefault("_names", {})
    found = cache.get(case_id)
    if found is None:
        rows = uow.store.adapter.case_names(uow.session.connection(), case_id)
        latest = dict(rows)
        found = cache[case_id] = tuple(latest.get(f) for f in NAME_FIELDS)
    return found


def remember_names(uow, case_id: int, values: dict[str, Any]) -> None:
    """The names of a case written in this unit of work (a new case's), so they are not read back."""
    uow.__dict__.setdefault("_names", {})[case_id] = tuple(values.get(f) for f in NAME_FIELDS)


def readable(uow) -> bool:
    """Whether this login may read the full values (on PostgreSQL: the roles that may reveal)."""
    return uow.store.adapter.may_read_personal(uow.session.connection())


def current(uow, case_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The full value of each personal column of these cases (the newest an event wrote), by case;
    a column whose stored value is empty or anonymised must be read from the case row instead."""
    ids = list(case_ids)
    if not ids:
        return {}
    out: dict[int, dict[str, str]] = {}
    rows = uow.session.execute(select(PersonalData.case_id, PersonalData.field, PersonalData.value)
                               .where(PersonalData.case_id.in_(ids), PersonalData.field.in_(FIELDS))
                               .order_by(PersonalData.case_id, PersonalData.event_id)).all()
    for case_id, field, value in rows:
        out.setdefault(case_id, {})[field] = value
    return out


def texts(uow, event_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """The full texts kept for these events, by (event id, field)."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = uow.session.execute(select(PersonalData.event_id, PersonalData.field, PersonalData.value)
                               .where(PersonalData.event_id.in_(ids))).all()
    return {(e, f): v for e, f, v in rows}


def erase(uow, case_id: int) -> int:
    """Delete every full value kept for a case; returns how many were erased (salts not counted)."""
    rows = uow.session.execute(delete(PersonalData).where(PersonalData.case_id == case_id)
                               .returning(PersonalData.field)).scalars().all()
    return sum(1 for f in rows if f != SALT)


def case_ids(uow, key: tuple[str, str]) -> list[int]:
    """The cases whose personal data holds this identifier (an index on personal_data finds them;
    on PostgreSQL through the owner's function, the cases themselves then filtered by branch)."""
    field, value = key
    return uow.store.adapter.find_cases(uow.session.connection(), field, value)


def problems(uow) -> list[str]:
    """Each event whose full text kept in personal_data no longer matches the digest its hash covers
    (checked where the full text is still there: a purged case's was erased with its salt)."""
    from .models import Case, Event

    if not readable(uow):
        return []  # a PostgreSQL login that may not read personal data (the system account)
    out: list[str] = []
    conn = uow.session.connection().execution_options(stream_results=True, yield_per=5000)
    events = iter(conn.execute(select(Event.id, Event.case_id, Event.full_digest, Case.anonymised_at)
                               .outerjoin(Case, Case.id == Event.case_id)
                               .where(Event.full_digest.is_not(None)).order_by(Event.id)))
    kept = iter(conn.execute(select(PersonalData.event_id, PersonalData.field, PersonalData.value)
                             .order_by(PersonalData.event_id)))
    row = next(kept, None)
    for eid, case_id, digest, anonymised in events:
        values: dict[str, str] = {}
        while row is not None and row[0] <= eid:
            if row[0] == eid:
                values[row[1]] = row[2]
            else:
                out.append(f"event {row[0]}: personal data kept for it, but its hash covers none")
            row = next(kept, None)
        if not values:
            if anonymised is None:
                out.append(f"event {eid}: the personal data its hash covers is missing (case id {case_id} was not purged)")
            continue
        if audit.full_digest(values) != digest:
            out.append(f"event {eid}: the personal data kept for it does not match the digest its hash covers "
                       f"(changed outside complaintctl)")
    while row is not None:
        out.append(f"event {row[0]}: personal data kept for it, but its hash covers none")
        row = next(kept, None)
    return sorted(set(out), key=out.index)
