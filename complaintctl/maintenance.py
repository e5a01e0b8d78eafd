"""Database care: info, integrity check (schema, foreign keys, state replay, audit chain), online
backup and retention purge."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from . import audit
from . import domain as d
from .errors import IllegalMove, InvalidValue, UserError
from .models import Case, Cycle, Event, Staff
from .context import Context, parse_date, show_time


def info(store, uow) -> dict[str, Any]:
    from .db import redact

    with uow:
        s = uow.session
        counts = {name: s.execute(select(func.count()).select_from(model)).scalar_one()
                  for name, model in (("cases", Case), ("cycles", Cycle), ("events", Event), ("staff", Staff))}
        open_n = s.execute(select(func.count()).where(Case.status.in_([x.value for x in d.OPEN_STATUSES]))).scalar_one()
    return {"url": redact(store.url), "backend": store.dialect, "revision": store.current_revision(),
            "counts": counts, "open_cases": open_n}


def check(store, uow) -> list[str]:
    """Everything that is wrong with the database; an empty list when all holds."""
    problems: list[str] = []
    with uow:
        s = uow.session
        if store.dialect == "sqlite":
            for (msg,) in s.execute(text("PRAGMA integrity_check")).all():
                if msg != "ok":
                    problems.append(f"integrity: {msg}")
            for row in s.execute(text("PRAGMA foreign_key_check")).all():
                problems.append(f"foreign key: table {row[0]} row {row[1]} refers to missing {row[2]}")
        else:
            for name, model, col in (("events", Event, Event.case_id), ("cycles", Cycle, Cycle.case_id)):
                orphans = s.execute(select(func.count()).select_from(model)
                                    .where(col.is_not(None), ~col.in_(select(Case.id)))).scalar_one()
                if orphans:
                    problems.append(f"foreign key: {orphans} {name} refer to missing cases")
        # Each case's state must equal the replay of its events. Both sides are streamed in case
        # order and merged, so a million cases never sit in memory at once.
        events = iter(s.connection().execution_options(stream_results=True, yield_per=5000).execute(
            select(Event.case_id, Event.action, Event.new).where(Event.case_id.is_not(None))
            .order_by(Event.case_id, Event.id)))
        pending = next(events, None)
        orphans = set()
        cases = s.execute(select(Case.id, Case.reference, Case.status).order_by(Case.id)
                          .execution_options(yield_per=5000))
        for case_id, reference, status in cases:
            history = []
            while pending is not None and pending[0] <= case_id:
                if pending[0] == case_id:
                    history.append((pending[1], json.loads(pending[2]) if pending[2] else {}))
                else:
                    orphans.add(pending[0])
                pending = next(events, None)
            problems += _replay_problems(reference, status, history)
        while pending is not None:
            orphans.add(pending[0])
            pending = next(events, None)
        problems += [f"events refer to case id {i}, which does not exist" for i in sorted(orphans)]
        rows = s.execute(select(Event.id, Event.case_id, Event.action, Event.actor, Event.occurred_at,
                                Event.recorded_at, Event.old, Event.new, Event.detail, Event.prev_hash, Event.hash)
                         .order_by(Event.id).execution_options(yield_per=5000))
        problems += audit.verify_chain(rows)
    return problems


def _replay_problems(reference: str, status: str, history: list[tuple[str, dict]]) -> list[str]:
    if not history:
        return [f"case {reference}: has no events"]
    try:
        replayed = d.replay(history)
    except IllegalMove as exc:
        return [f"case {reference}: history contains an illegal move ({exc.message})"]
    if replayed != status:
        return [f"case {reference}: state is {status} but its events replay to {replayed}"]
    return []


def backup(store, target: Path) -> dict[str, Any]:
    """A consistent copy of a SQLite database taken with the online backup API, even while others write."""
    import os
    import sqlite3

    if store.dialect != "sqlite":
        raise UserError("db backup copies SQLite files; for PostgreSQL use pg_dump")
    if target.exists():
        raise InvalidValue("FILE", str(target), "a path that does not exist yet (backup never overwrites)")
    if not target.parent.is_dir():
        raise InvalidValue("FILE", str(target), "a file in an existing folder")
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    src = sqlite3.connect(store.adapter.path, timeout=store.adapter.busy_timeout)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode = DELETE")
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    return {"file": str(target), "bytes": target.stat().st_size, "integrity": ok}


def purge(uow, ctx: Context, *, closed_before: str, dry_run: bool = False) -> dict[str, Any]:
    """Anonymise the personal data of cases closed before a date; the cases and their history stay."""
    day = parse_date(closed_before, "--closed-before")
    cutoff = ctx.calendar.start_of_day(day)
    if cutoff > ctx.now:
        raise InvalidValue("--closed-before", closed_before, "a date not in the future")
    anonymised = []
    with uow:
        cases = uow.session.execute(
            select(Case).where(Case.status == d.Status.CLOSED.value, Case.closed_at < cutoff,
                               Case.anonymised_at.is_(None)).order_by(Case.id)).scalars().all()
        for case in cases:
            fields = [f for f in ("customer", "phone", "email", "account", "description", "resolution")
                      if getattr(case, f)]
            case.customer = "[anonymised]" if case.customer else None
            case.phone = case.email = case.account = None
            case.description = "[anonymised]"
            if case.resolution:
                case.resolution = "[anonymised]"
            case.anonymised_at = ctx.now
            case.updated_at = ctx.now
            uow.session.add(case)
            audit.append(uow, case_id=case.id, action=d.Action.PURGE.value, actor=ctx.actor, occurred_at=ctx.now,
                         recorded_at=ctx.now, new={"anonymised": fields},
                         detail=f"personal data anonymised: closed before {day.isoformat()}")
            anonymised.append(case.reference)
        if not dry_run:
            uow.commit()
    return {"closed_before": day.isoformat(), "anonymised": anonymised, "dry_run": dry_run,
            "at": show_time(ctx.now, ctx)}
