"""The deadline rules a database records (config.RULE_KEYS, as JSON in `settings` under `rules`):
read before anything else a command does, recorded by the bootstrap when the database is created
(or by its administrator's first command on an older one), changed by `config adopt`; each time an
event (complaintctl/maintenance.py's db check replays them)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from . import audit
from . import domain as d
from .models import Case, Setting

REVISION = "0024"  # settings may hold the deadline rules from this revision on


def select_rules():
    """The deadline rules the database records, as JSON (none: not recorded yet); the lean commands
    run it compiled."""
    return select(Setting.value).where(Setting.key == "rules")


def recorded(uow) -> dict[str, Any] | None:
    value = uow.session.execute(select_rules()).scalar()
    return json.loads(value) if value else None


def recorded_of(store) -> dict[str, Any] | None:
    """The database's recorded rules, read before anything else (its schema may be older)."""
    if not store.reached(REVISION):
        return None
    with store.unit_of_work(write=False) as uow:
        return recorded(uow)


def record(uow, ctx, rules: dict[str, Any], why: str | None) -> dict[str, Any]:
    """Record `rules` as the database's (an event with what they were), inside the caller's unit of
    work; returns the keys that changed, each (before, after)."""
    row = uow.session.get(Setting, "rules")
    before = json.loads(row.value) if row is not None else {}
    changed = {k: (before.get(k), v) for k, v in rules.items() if before.get(k) != v}
    if row is None:
        row = Setting(key="rules", value="")
    row.value = _stored(rules)
    uow.session.add(row)
    audit.append(uow, case_id=None, action=d.Action.RULES.value, actor=ctx.actor, occurred_at=ctx.now,
                 recorded_at=ctx.now, old=before or None, new=rules, detail=why)
    return changed


def record_first(conn, rules: dict[str, Any], now: dt.datetime) -> bool:
    """A new database's deadline rules (those of the config that creates it), recorded with their
    event by the bootstrap, as the first administrator is; nothing when some are recorded already or
    the database holds cases (an older one: its administrator's first command records them). True
    when recorded."""
    from .access import BOOTSTRAP_ACTOR

    settings = Setting.__table__
    if conn.execute(select(settings.c.value).where(settings.c.key == "rules")).first() is not None:
        return False
    if conn.execute(select(Case.__table__.c.id).limit(1)).first() is not None:
        return False
    conn.execute(settings.insert().values(key="rules", value=_stored(rules)))
    audit.append_on(conn, action=d.Action.RULES.value, actor=BOOTSTRAP_ACTOR, at=now, new=rules,
                    detail="the deadline rules of the config that created the database")
    return True


def _stored(rules: dict[str, Any]) -> str:
    return json.dumps(rules, sort_keys=True, ensure_ascii=False)


