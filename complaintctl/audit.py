"""The append-only, hash-chained audit trail.

Each event's hash is SHA-256 over its own content and the previous event's hash, so an edit,
insertion or deletion made behind the tool's back breaks the chain at the first event touched.

An event stores its text masked; when it wrote personal data (complaintctl.personal), its hash also
covers `full_digest`, a salted SHA-256 of the full text kept in personal_data. The chain so proves
what was written in full without holding it, and still verifies after `db purge` erased the full
text (and the salt with it, so the digest can no longer be matched against guesses).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from .models import Event

GENESIS = "0" * 64


def _encoder(options: json.JSONEncoder):
    """options.encode for a dict or list, the same text, with its C encoder made once: encode
    makes a new one on every call, which costs a bulk import a fifth of its JSON time (three
    texts a row). Falls back to encode where the C encoder is missing or not as expected. There
    is no check for circular values: these are flat values the tool builds."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or options.indent is not None:
        return options.encode
    strings = json.encoder.encode_basestring_ascii if options.ensure_ascii else json.encoder.encode_basestring
    try:
        once = make(None, options.default, strings, None, options.key_separator, options.item_separator,
                    options.sort_keys, options.skipkeys, options.allow_nan)
        probe = {"b": ["\u00e9\n", 1.5, None, True], "a": 2}
        if "".join(once(probe, 0)) != "".join(options.iterencode(probe)):  # (json's own Python encoder)
            return options.encode
    except Exception:  # noqa: BLE001 - another Python's C encoder: the plain way
        return options.encode
    plain = options.encode

    def encode(value) -> str:
        if isinstance(value, (dict, list, tuple)):
            return "".join(once(value, 0))
        return plain(value)
    return encode


# json.dumps with options builds an encoder on every call; the hash's and the digest's are built once
# (the same text: dumps is this encoder's encode).
_COMPACT = _encoder(json.JSONEncoder(ensure_ascii=False, separators=(",", ":")))


def hash_time(value: dt.datetime) -> str:
    """A time as the event hash covers it: naive UTC, microseconds always written."""
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def time_texts(value: dt.datetime) -> tuple[str, str]:
    """A time as the event hash covers it (hash_time) and as encode writes it (ISO 8601 UTC), from
    one formatting: a bulk import writes each time of its rows both ways."""
    covered = hash_time(value)
    return covered, (covered[:-7] if covered.endswith(".000000") else covered) + "+00:00"


def event_hash(prev_hash: str, case_id: int | None, action: str, actor: str, occurred_at: dt.datetime,
               recorded_at: dt.datetime, old: str | None, new: str | None, detail: str | None,
               full_digest: str | None = None) -> str:
    return hash_iso(prev_hash, case_id, action, actor, hash_time(occurred_at), hash_time(recorded_at), old, new, detail,
                    full_digest)


def hash_iso(prev_hash: str, case_id: int | None, action: str, actor: str, occurred_iso: str, recorded_iso: str,
             old: str | None, new: str | None, detail: str | None, full_digest: str | None = None) -> str:
    """event_hash with both times already written as by hash_time (bulk paths write the same time often).
    An event that kept no personal data (no digest) hashes as events did before digests existed."""
    content = [prev_hash, case_id, action, actor, occurred_iso, recorded_iso, old, new, detail]
    if full_digest is not None:
        content.append(full_digest)
    return hashlib.sha256(_COMPACT(content).encode("utf-8")).hexdigest()


# The columns of chained's rows, as a bulk insert gives them.
CHAINED_COLUMNS = ("id", "case_id", "action", "actor", "occurred_at", "recorded_at", "new", "detail", "full_digest",
                   "prev_hash", "hash")


def chained(prev: str, rows: list[tuple], occurred: list[str], recorded_iso: str) -> tuple[list[tuple], str]:
    """A bulk insert's new events, chained on from `prev` in order: each row (CHAINED_COLUMNS less
    the last two, values as stored; no old values) with its prev_hash and hash added (`occurred`: each row's occurred time, `recorded_iso` the recorded
    time, as hash_time writes them); and the chain's new head. A bulk import builds the rows in
    one process and the one holding the write lock chains them, on the head it read under it."""
    out = []
    append = out.append
    for row, occurred_iso in zip(rows, occurred):
        digest = hash_iso(prev, row[1], row[2], row[3], occurred_iso, recorded_iso, None, row[6], row[7], row[8])
        append((*row, prev, digest))
        prev = digest
    return out, prev


def full_digest(kept: dict[str, str]) -> str:
    """The digest an event's hash covers of the full text it kept apart: SHA-256 over every
    (field, value) of its personal_data rows, its random salt among them."""
    return hashlib.sha256(_COMPACT(sorted(kept.items())).encode("utf-8")).hexdigest()


def encode(values: dict[str, Any] | None) -> str | None:
    """Values as stored in an event: JSON with times in ISO 8601 UTC."""
    if values is None:
        return None
    return _EVENT_JSON(values)


def _default(v):
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


_EVENT_JSON = _encoder(json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_default))
_EVENT_JSON_AS_BUILT = _encoder(json.JSONEncoder(ensure_ascii=False, default=_default))


def encode_sorted(values: dict[str, Any]) -> str:
    """encode's text for values whose keys are already in sorted order, nested values holding no
    dict (a bulk import builds them so): sorting each row's keys is skipped."""
    return _EVENT_JSON_AS_BUILT(values)


def head_hash(uow) -> str:
    """The hash of the newest event; must be read under the write lock."""
    if uow.last_hash is None:
        last = uow.store.adapter.chain_head(uow.session.connection())
        uow.last_hash = last or GENESIS
    return uow.last_hash


def append(uow, *, case_id: int | None, action: str, actor: str, occurred_at: dt.datetime,
           recorded_at: dt.datetime, old: dict | None = None, new: dict | None = None,
           detail: str | None = None, full: str | None = None) -> Event:
    """Add one event to the chain inside the caller's transaction (`full`: the digest of the full
    text it keeps in personal_data, if any: personal.Kept)."""
    prev = head_hash(uow)
    old_s, new_s = encode(old), encode(new)
    digest = event_hash(prev, case_id, action, actor, occurred_at, recorded_at, old_s, new_s, detail, full)
    ev = Event(case_id=case_id, action=action, actor=actor, occurred_at=occurred_at, recorded_at=recorded_at,
               old=old_s, new=new_s, detail=detail, full_digest=full, prev_hash=prev, hash=digest)
    uow.session.add(ev)
    uow.last_hash = digest
    return ev


def append_on(conn, *, action: str, actor: str, at: dt.datetime, old: dict | None = None, new: dict | None = None,
              detail: str | None = None) -> str:
    """Add one event without a case to the chain on a plain connection, inside its transaction (the
    bootstrap's, run after the migrations: the first administrator, the first deadline rules);
    returns its hash."""
    from sqlalchemy import select

    events = Event.__table__
    prev = conn.execute(select(events.c.hash).order_by(events.c.id.desc()).limit(1)).scalar() or GENESIS
    old_s, new_s = encode(old), encode(new)
    digest = event_hash(prev, None, action, actor, at, at, old_s, new_s, detail)
    conn.execute(events.insert().values(case_id=None, action=action, actor=actor, occurred_at=at, recorded_at=at,
                                        old=old_s, new=new_s, detail=detail, prev_hash=prev, hash=digest))
    return digest


def verify_chain(rows) -> list[str]:
    """Check (id, case_id, action, actor, occurred, recorded, old, new, detail, full_digest, prev_hash,
    hash) rows in id order; return problems, naming the first event whose hash does not match."""
    problems: list[str] = []
    prev = GENESIS
    for row in rows:
        (eid, case_id, action, actor, occurred, recorded, old, new, detail, full, prev_hash, digest) = row
        if prev_hash != prev:
            problems.append(f"event {eid}: previous-hash link broken (an event before it was changed, removed or inserted)")
            return problems
        if event_hash(prev_hash, case_id, action, actor, occurred, recorded, old, new, detail, full) != digest:
            problems.append(f"event {eid}: hash does not match its content (the event was edited outside complaintctl)")
            return problems
        prev = digest
    return problems
