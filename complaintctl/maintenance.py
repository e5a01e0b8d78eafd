"""Database care: info, integrity check (schema, foreign keys, state replay, audit chain), online
backup and retention purge."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, inspect as sa_inspect, or_, select

from . import access, audit, business_days, files, labels, personal, replay, sqlviews
from . import domain as d
from .access import Do
from .db import TIME_PROBLEM
from .errors import EnvironmentFault, InvalidPath, InvalidValue, UserError
from .models import Case, Cycle, Event, Staff
from .context import Context, parse_date, show_time


def info(store, uow, ctx: Context) -> dict[str, Any]:
    access.require(ctx, Do.READ)
    with uow:
        s = uow.session
        counts = {name: s.execute(select(func.count()).select_from(model)).scalar_one()
                  for name, model in (("cases", Case), ("cycles", Cycle), ("events", Event), ("staff", Staff))}
        open_n = s.execute(select(func.count()).where(Case.status.in_([x.value for x in d.OPEN_STATUSES]))).scalar_one()
    return {"url": store.shown_url, "backend": store.backend, "revision": store.current_revision(),
            "counts": counts, "open_cases": open_n}


def repair(store, calendar) -> list[str]:
    """What `db upgrade` puts right that `db check` reports, without touching a case: the views
    (missing, or changed by hand) and the business calendar's days; returns the problems repaired."""
    with store.locked() as conn:
        days = calendar.policy.due_soon_working_days
        found = sqlviews.problems(store.adapter, conn, due_soon_days=days)
        if found:
            sqlviews.install(store.adapter, conn, due_soon_days=days)
        return found + business_days.repair(conn, calendar)


class Findings(list):
    """db check's problems, one line each; `unreadable` of them are lines of the anchors file that
    are not whole anchors (the file damaged, which says nothing against the database itself), of the
    `anchors` lines it read."""

    unreadable: int = 0
    anchors: int = 0


def check(store, uow, ctx: Context, *, anchors: Path | None = None, lang: str = "en") -> Findings:
    """Everything that is wrong with the database; an empty list when all holds. With `anchors`,
    every anchor recorded in that file must still match the chain."""
    access.require(ctx, Do.CHECK)
    problems: list[str] = []
    recorded = read_anchors(anchors) if anchors is not None else []
    with uow:
        s = uow.session
        problems += store.adapter.integrity_problems(s.connection())
        if any(p.startswith(TIME_PROBLEM) for p in problems):
            return Findings(problems)  # (every further check reads the times: said first, alone)
        if store.reached(sqlviews.REVISION):  # an older database (not yet upgraded) has none
            problems += sqlviews.problems(store.adapter, s.connection(), upto=store.current_revision(),
                                          due_soon_days=ctx.calendar.policy.due_soon_working_days)
        if store.reached(business_days.REVISION):
            problems += business_days.problems(s.connection(), ctx.calendar)
        problems += _replay_all(s)
        problems += _replay_registry(s)
        if store.adapter.dense_ids:
            problems += _gaps(s)
        rows = s.execute(select(Event.id, Event.case_id, Event.action, Event.actor, Event.occurred_at,
                                Event.recorded_at, Event.old, Event.new, Event.detail, Event.full_digest,
                                Event.prev_hash, Event.hash)
                         .order_by(Event.id).execution_options(yield_per=5000))
        problems += audit.verify_chain(rows)
        problems += personal.problems(uow)
        problems += _anchor_problems(s, recorded, lang)
    found = Findings(problems)
    found.unreadable = sum(1 for _, a in recorded if a is None)
    found.anchors = len(recorded)
    return found


# Anchors --------------------------------------------------------------------------------------

ANCHOR_TAG = "complaintctl-anchor v1"
# (at: show_time's text, to the second with the zone's offset; a line cut inside it is not whole)
_ANCHOR = re.compile(ANCHOR_TAG + r" events=(\d+) last_id=(\d+) hash=([0-9a-f]{64}) "
                     r"at=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}(?::\d{2})?)(?!\S)")


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment: how many events, the last one's id and hash, and when."""

    events: int
    last_id: int
    hash: str
    at: str

    @property
    def line(self) -> str:
        return f"{ANCHOR_TAG} events={self.events} last_id={self.last_id} hash={self.hash} at={self.at}"


def anchor(uow, ctx: Context, *, append_to: Path | None = None) -> Anchor:
    """The audit chain's head as one line; appended to `append_to` (0600, never through a symlink)."""
    access.require(ctx, Do.CHECK)
    if append_to is not None:
        files.check_destination(append_to, "FILE", protect=(uow.store.adapter.path,), appended=True)
    with uow:
        s = uow.session
        # One statement, so the count and the last id are of the same moment on every backend.
        count, last_id = s.execute(select(func.count(), func.max(Event.id)).select_from(Event)).one()
        digest = s.execute(select(Event.hash).where(Event.id == last_id)).scalar() if last_id else audit.GENESIS
    made = Anchor(events=count, last_id=last_id or 0, hash=digest, at=show_time(ctx.now, ctx))
    if append_to is not None:
        files.append_line(append_to, made.line, protect=(uow.store.adapter.path,))
    return made


def read_anchors(path: Path) -> list[tuple[int, Anchor | None]]:
    """The anchors in a file by line number (one a line; other lines, such as mail headers, are
    ignored). A line that carries the anchor's tag but not a whole anchor (cut or folded by a mail
    client, or edited) is kept as None: `db check` reports it and still checks every other one."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            found: list[tuple[int, Anchor | None]] = []
            for number, line in enumerate(fh, 1):
                if ANCHOR_TAG not in line:
                    continue
                m = _ANCHOR.search(line)
                found.append((number, None if m is None else Anchor(int(m[1]), int(m[2]), m[3], m[4])))
    except FileNotFoundError:
        raise InvalidPath("--anchors", str(path), "acc.anchor_file") from None
    except IsADirectoryError:
        raise InvalidPath("--anchors", str(path), "acc.not_folder") from None
    if not found:
        raise InvalidPath("--anchors", str(path), "acc.anchor_nonempty")
    return found


def _anchor_problems(s, recorded: list[tuple[int, Anchor | None]], lang: str) -> list[str]:
    """Each anchor must still be a prefix of the chain: its last event there with the same hash,
    and as many events up to it as when it was taken. The chain check proves the rest: the hash of
    the anchored event covers every event before it. A line that is not a whole anchor is a
    problem of its own (what it anchored can no longer be checked)."""
    problems = []
    for number, a in recorded:
        if a is None:
            problems.append(labels.t("anchor.unreadable", lang, line=number, tag=ANCHOR_TAG))
            continue
        where = dict(line=number, at=a.at, id=a.last_id)
        if a.last_id == 0:
            continue  # the anchor of an empty chain: every chain starts that way
        digest = s.execute(select(Event.hash).where(Event.id == a.last_id)).scalar()
        if digest is None:
            problems.append(labels.t("anchor.missing", lang, **where))
            continue
        if digest != a.hash:
            problems.append(labels.t("anchor.rewritten", lang, **where))
            continue
        n = s.execute(select(func.count()).select_from(Event).where(Event.id <= a.last_id)).scalar_one()
        if n != a.events:
            problems.append(labels.t("anchor.count", lang, n=n, events=a.events, **where))
    return problems


def _replay_all(s) -> list[str]:
    """Each case against the fold of its events, field by field, and its cycles. Cases, cycles and
    events are streamed in case order and merged, so a million cases never sit in memory at once."""
    problems: list[str] = []

    def stream(query):
        return iter(s.connection().execution_options(stream_results=True, yield_per=5000).execute(query))

    events = stream(select(Event.case_id, Event.action, Event.occurred_at, Event.old, Event.new)
                    .where(Event.case_id.is_not(None)).order_by(Event.case_id, Event.id))
    # The cycle columns the database has: a file not yet upgraded (checked before its upgrade) lacks
    # the newest, and its cycles are compared on the rest.
    present = {c["name"] for c in sa_inspect(s.connection()).get_columns("cycles")}
    cycles = stream(select(*[c for c in Cycle.__table__.columns if c.name in present])
                    .order_by(Cycle.case_id, Cycle.number))
    cases = stream(select(*Case.__table__.columns).order_by(Case.id))
    ev, cy = next(events, None), next(cycles, None)
    orphans: set[int] = set()
    for row in cases:
        case = row._asdict()
        history, own = [], []
        while ev is not None and ev.case_id <= case["id"]:
            if ev.case_id == case["id"]:
                history.append((ev.action, ev.occurred_at, replay.loads(ev.old), replay.loads(ev.new)))
            else:
                orphans.add(ev.case_id)
            ev = next(events, None)
        while cy is not None and cy.case_id <= case["id"]:
            if cy.case_id == case["id"]:
                own.append(cy._asdict())
            cy = next(cycles, None)
        problems += replay.differences(case, own, history)
    while ev is not None:
        orphans.add(ev.case_id)
        ev = next(events, None)
    problems += [f"events refer to case id {i}, which does not exist" for i in sorted(orphans)]
    return problems


_UNKNOWN = object()  # a value an older event did not record: anything matches it


def _same(kept, want) -> bool:
    return want is _UNKNOWN or kept == want


def _replay_registry(s) -> list[str]:
    """What is not a case, against the fold of its events, as cases are: the staff (who may do
    what: a role raised, a login moved or a deactivation undone behind the tool's back is a
    privilege taken), the masking policy, and the remediation actions (marked done, edited or
    removed). Each change of these is an event of the chain; a row that no event explains is a
    change made around the tool."""
    from .models import Setting

    staff, masking, actions, regions, rules = _registry_history(s)
    problems = _staff_problems(s, staff)
    row = s.get(Setting, "masking")
    if (row.value if row is not None else "on") != masking:
        problems.append(f"masking is {row.value if row is not None else None!r} but its history says {masking!r}")
    row = s.get(Setting, "rules")
    stored = json.loads(row.value) if row is not None else None
    if stored != rules:
        problems += [f"deadline rule {k} is {(stored or {}).get(k)!r} but its history says {(rules or {}).get(k)!r}"
                     for k in sorted(set(stored or {}) | set(rules or {})) if (stored or {}).get(k) != (rules or {}).get(k)]
    return problems + _action_problems(s, actions) + _region_problems(s, regions)


def _registry_history(s) -> tuple[dict, str, dict, dict, dict | None]:
    """The staff, the masking policy, the remediation actions, the branches' regions and the
    deadline rules as the events without a case leave them (_UNKNOWN: what an older event did not
    record)."""
    staff: dict[str, dict[str, Any]] = {}
    masking = "on"  # revision 0012 writes the setting, with no event
    actions: dict[int, dict[str, Any]] = {}
    regions: dict[str, str] = {}
    rules: dict[str, Any] | None = None
    rows = s.execute(select(Event.action, Event.actor, Event.occurred_at, Event.old, Event.new, Event.detail)
                     .where(Event.case_id.is_(None)).order_by(Event.id).execution_options(yield_per=5000))
    for action, actor, occurred_at, old_text, new_text, detail in rows:
        old, new = replay.loads(old_text), replay.loads(new_text)
        if action == d.Action.STAFF_ADD.value:
            staff[new.get("name")] = {"role": new.get("role"), "branch": new.get("branch", _UNKNOWN),
                                      "department": new.get("department", _UNKNOWN),
                                      "login": new.get("login", _UNKNOWN), "active": True}
        elif action == d.Action.STAFF_ROLE.value and old.get("name") in staff:
            person = staff[old["name"]]
            person.update({k: new[k] for k in ("role", "login", "active") if k in new})
            if actor == access.BOOTSTRAP_ACTOR:  # the owner mapped to an administrator: login and active set too
                person.update({"active": new.get("active", True), "login": new.get("login", _UNKNOWN)})
        elif action == d.Action.STAFF_DEACTIVATE.value and old.get("name") in staff:
            staff[old["name"]]["active"] = False
        elif action == d.Action.STAFF_REACTIVATE.value and old.get("name") in staff:
            staff[old["name"]]["active"] = True
        elif action == d.Action.MASKING.value:
            masking = new.get("masking", masking)
        elif action == d.Action.ACTION_ADD.value:
            actions[new.get("action")] = {"title": detail, "created_by": actor, "root_cause": new.get("root_cause"),
                                          "product": new.get("product"), "owner": new.get("owner"),
                                          "due_on": new.get("due_on"), "status": d.ActionStatus.OPEN.value,
                                          "evidence": None, "done_at": None, "cases": sorted(new.get("cases") or [])}
        elif action == d.Action.ACTION_DONE.value and new.get("action") in actions:
            actions[new["action"]].update(status=new.get("status"), evidence=detail, done_at=occurred_at)
        elif action == d.Action.REGIONS.value:
            regions.update(new)
        elif action == d.Action.RULES.value:
            rules = new
    return staff, masking, actions, regions, rules


def _region_problems(s, regions: dict[str, str]) -> list[str]:
    """Each branch's recorded region against its history (record_regions writes both)."""
    from .services import stored_regions_in

    problems = []
    for branch, region in sorted(stored_regions_in(s).items()):
        want = regions.pop(branch, None)
        if want is None:
            problems.append(f"region of {branch}: no event records it; added around the tool")
        elif want != region:
            problems.append(f"region of {branch} is {region!r} but its history says {want!r}")
    return problems + [f"region of {b}: recorded by its events but missing" for b in sorted(regions)]


def _staff_problems(s, staff: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for person in s.execute(select(Staff)).scalars():
        want = staff.pop(person.name, None)
        if want is None:
            problems.append(f"staff {person.name}: no event records them; added around the tool")
            continue
        for name in ("role", "branch", "department", "login", "active"):
            if not _same(getattr(person, name), want[name]):
                problems.append(f"staff {person.name}: {name} is {getattr(person, name)!r} but its history says "
                                f"{want[name]!r}")
    return problems + [f"staff {name}: recorded by its events but missing" for name in sorted(staff)]


def _action_problems(s, actions: dict[int, dict[str, Any]]) -> list[str]:
    from .models import RemediationAction, RemediationCase

    problems, refs = [], {}
    for action_id, reference in s.execute(select(RemediationCase.action_id, Case.reference)
                                          .join(Case, Case.id == RemediationCase.case_id)):
        refs.setdefault(action_id, []).append(reference)
    for act in s.execute(select(RemediationAction)).scalars():
        want = actions.pop(act.id, None)
        if want is None:
            problems.append(f"remediation action {act.id}: no event records it; added around the tool")
            continue
        have = {"title": act.title, "created_by": act.created_by, "root_cause": act.root_cause, "product": act.product, "owner": act.owner,
                "due_on": act.due_on.isoformat(), "status": act.status, "evidence": act.evidence,
                "done_at": act.done_at, "cases": sorted(refs.get(act.id, []))}
        problems += [f"remediation action {act.id}: {name} differs from its history"
                     for name, value in have.items() if value != want[name]]
    return problems + [f"remediation action {i}: recorded by its events but missing" for i in sorted(actions, key=str)]


def _gaps(s) -> list[str]:
    """On SQLite, ids are never skipped: a gap in case or event ids means rows were removed. (A
    PostgreSQL sequence skips the values of rolled-back transactions, so there a gap proves nothing;
    the hash chain and the anchors still catch a removal.)"""
    out = []
    for name, model in (("event", Event), ("case", Case)):
        n, low, high = s.execute(select(func.count(), func.min(model.id), func.max(model.id))).one()
        if n and (low != 1 or high != n) and not (model is Case and _gaps_kept_by_import(s)):
            out.append(f"{name} ids run from {low} to {high} but there are {n}: {high - n + (low or 1) - 1} missing")
    return out


def _gaps_kept_by_import(s) -> bool:
    """Whether every case right after a gap in the case ids was imported with its reference kept (a
    case read back from an export keeps its number, so a partial export skips numbers)."""
    c, p = Case.__table__.alias("c"), Case.__table__.alias("p")
    after_gap = select(c.c.id).where(~select(p.c.id).where(p.c.id == c.c.id - 1).exists(), c.c.id > 1)
    for case_id in s.execute(after_gap).scalars().all():
        first = s.execute(select(Event.action, Event.new).where(Event.case_id == case_id)
                          .order_by(Event.id).limit(1)).first()
        if first is None or first.action != "import" or not replay.loads(first.new).get("reference_kept"):
            return False
    return True


def backup(store, target: Path, ctx: Context) -> dict[str, Any]:
    """A consistent copy of the database, safe while others write (how is the backend's: SQLite's
    online backup API, db.py).

    Written as every file is (complaintctl.files): 0600 under a temporary name beside the target,
    then linked into place, which fails rather than overwrite anything that appeared meanwhile."""
    access.require(ctx, Do.CHECK)
    import os

    store.adapter.check_backup()
    if target.exists() and not target.is_symlink():
        raise UserError("err.backup_exists", path=str(target))
    if not target.parent.is_dir():
        raise UserError("err.backup_folder", path=str(target))
    files.check_destination(target, "FILE", protect=(store.adapter.path,), overwrite=False)
    with files.part_beside(target) as (fd, tmp):
        try:
            os.close(fd)
            ok = store.adapter.backup(Path(tmp))
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, target)  # never replaces: a file or link that appeared meanwhile stays
            except FileExistsError:
                raise InvalidPath("FILE", str(target), "acc.backup_new_path") from None
        except OSError as exc:  # each step here writes the copy: whatever failed, failed writing it
            raise files.cannot_write(target, exc) from None
    return {"file": str(target), "bytes": target.stat().st_size, "integrity": ok}


def purge(uow, ctx: Context, *, closed_before: str, dry_run: bool = False, lang: str = "en") -> dict[str, Any]:
    """Anonymise the personal data of cases that ended before a date (closed, withdrawn by the
    complainant, or reviewed: dated by the review's decision); the cases and their history stay."""
    access.require(ctx, Do.MAINTAIN)
    day = parse_date(closed_before, "--closed-before")
    cutoff = ctx.calendar.start_of_day(day)
    if cutoff > ctx.now:
        raise InvalidValue("--closed-before", closed_before, "acc.date_not_future")
    anonymised = []
    with uow:
        cases = uow.session.execute(
            select(Case).where(or_(and_(Case.status == d.Status.CLOSED.value, Case.closed_at < cutoff),
                                   and_(Case.status == d.Status.WITHDRAWN.value, Case.withdrawn_at < cutoff),
                                   and_(Case.status == d.Status.REVIEWED.value, Case.reviewed_at < cutoff)),
                               Case.anonymised_at.is_(None)).order_by(Case.id)).scalars().all()
        for case in cases:
            anonymised.append(case.reference)
            if dry_run:
                continue  # (which ones, and nothing touched: a read-only archive can say so too)
            fields = [f for f in replay.PERSONAL_FIELDS if getattr(case, f)]
            for name, value in replay.purged({f: getattr(case, f) for f in replay.PERSONAL_FIELDS}).items():
                setattr(case, name, value)
            case.anonymised_at = ctx.now
            case.updated_at = ctx.now
            uow.session.add(case)
            erased = personal.erase(uow, case.id)
            audit.append(uow, case_id=case.id, action=d.Action.PURGE.value, actor=ctx.actor, occurred_at=ctx.now,
                         recorded_at=ctx.now, new={"anonymised": fields, "texts_erased": erased},
                         detail=f"personal data anonymised: closed before {day.isoformat()}")
        if not dry_run:
            uow.commit()
    # The erased bytes leave the file, not only the rows; a purge run again (nothing left to
    # anonymise) finishes what a reader kept the last one from doing.
    warnings = []
    problem = None if dry_run else uow.store.adapter.scrub(uow.store, bool(anonymised))
    if problem and problem.startswith("err."):  # (scrub's keys: an error's "err.", a warning's "warn.")
        raise EnvironmentFault(problem, n=len(anonymised), date=day.isoformat())
    if problem:
        warnings.append(labels.t(problem, lang))
    return {"closed_before": day.isoformat(), "anonymised": anonymised, "dry_run": dry_run,
            "at": show_time(ctx.now, ctx), "warnings": warnings}
