"""Realistic sample data: a few hundred complaints over recent weeks, in every state, made through
the same services as real work (so every case has its full audit trail)."""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import replace as dc_replace
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from . import access, labels
from . import domain as d
from . import services
from .errors import UserError
from .models import Case, Staff
from .context import Context

# The demo's Chinese names, departments, complaints and replies (complaintctl/demo.json: text
# belongs outside the code, as labels.py holds every label).
_DATA = json.loads(resources.files(__package__).joinpath("demo.json").read_text(encoding="utf-8"))
TEXT: dict[str, str] = _DATA["texts"]
RESOLUTIONS: list[str] = _DATA["resolutions"]

STAFF = [tuple(row) for row in _DATA["staff"]]  # name, role, branch, department
SURNAMES = _DATA["surnames"]
GIVEN = _DATA["given"]
STORIES = {(product, category): text for product, category, text in _DATA["stories"]}
HISTORY_SHARE = 0.5
ACTIONS = [tuple(row) for row in _DATA["actions"]]  # (title, root cause, product, owner, due in days from now
# (negative: late), done)
FACTS = _DATA["facts"]
BASES = _DATA["bases"]
CHANNELS = ["hotline"] * 5 + ["branch_counter"] * 4 + ["mobile_app"] * 3 + ["online_banking"] * 2 + \
    ["letter", "suggestion_box", "email", "regulator_referral"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _working_hour(rng: random.Random, day: dt.date, tz) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(9, 16), rng.randint(0, 59), tzinfo=tz).astimezone(dt.timezone.utc)


def generate(uow, ctx: Context, *, count: int = 300, days: int = 42, seed: int = 7, force: bool = False) -> dict[str, Any]:
    """Fill the database with `count` complaints received over the last `days` days (an
    administrator's act: it registers staff)."""
    access.require(ctx, access.Do.MAINTAIN)
    if not 1 <= count <= 100_000:
        raise UserError("err.demo_count", count=count)
    rng = random.Random(seed)
    cal = ctx.calendar
    with uow:
        existing = uow.session.execute(select(func.count()).select_from(Case)).scalar_one()
        if existing and not force:
            raise UserError("err.demo_not_empty", n=existing)
        have = set(uow.session.execute(select(Staff.name)).scalars())
        for name, role, branch, dept in STAFF:
            if name not in have:
                services.staff_add(uow, ctx, name=name, role=role, branch=branch or d.NO_BRANCH, department=dept)
        # The sample branches' regions, recorded in the demo's database so that the return's by-region
        # table is filled without a config file (a region recorded before, under --force, is kept).
        recorded = services.stored_regions(uow)
        services.record_regions(uow, ctx, {b: r for b, r in labels.DEMO_REGIONS.items() if b not in recorded})
        staff_by_role = {r: [s for s in STAFF if s[1] == r] for r in ("staff", "manager", "executive")}
        start = cal.local_date(ctx.now) - dt.timedelta(days=days)
        made = []
        phones: list[str] = []
        for i in range(count):
            day = start + dt.timedelta(days=rng.randint(0, days))
            if rng.random() < HISTORY_SHARE:  # a year of history, so that trends have something to show
                day = start - dt.timedelta(days=rng.randint(1, 335))
            received = _working_hour(rng, day, cal.tz)
            if received >= ctx.now - dt.timedelta(minutes=5):
                received = ctx.now - dt.timedelta(hours=rng.randint(1, 6))
            (product, category), story = rng.choice(list(STORIES.items()))
            tier = rng.choices(["general", "important", "urgent"], weights=[75, 20, 5])[0]
            channel = rng.choice(CHANNELS)
            anonymous = channel in ("letter", "suggestion_box") and rng.random() < 0.3
            phone = None if anonymous else f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
            if phone and phones and rng.random() < 0.06:
                phone = rng.choice(phones)  # a customer who complains again
            if phone:
                phones.append(phone)
            account = f"622202{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.6 else None
            res = services.log_case(uow, _then(ctx, received), channel=channel, description=story, customer=None if anonymous else _name(rng),
                                    phone=phone, account=account, product=product, category=category, tier=tier,
                                    branch=rng.choice(["BJ001", "BJ002"]), received_at=received)
            made.append((_progress(uow, ctx, rng, res.case, received, staff_by_role), received))
        uow.commit()
    _remediation(uow, ctx, rng, made)
    return {"cases": count, "staff": len(STAFF)}


def _then(ctx: Context, moment: dt.datetime) -> Context:
    """The context of a step recorded when it happened: the sample register's steps were entered
    on time, so none is a late entry (`report late-entries`, the return's notes) and a case's
    timeline reads as kept day by day. (The sample staff, the deadline rules and the regions are
    recorded when the demo runs.)"""
    return dc_replace(ctx, now=moment)


def _acting(ctx: Context, name: str) -> Context:
    """The context of a sample staff member: an approver grants an extension themselves, so the
    administrator running the demo acts for them, as --as does (recorded as both)."""
    _, role, branch, _ = next(p for p in STAFF if p[0] == name)
    op = access.act_for(ctx.operator, name, d.Role(role), branch)
    return dc_replace(ctx, operator=op, actor=op.actor)


def _manager_of(branch: str | None, drawn: str) -> str:
    """The sample manager who approves a 30-day extension of a case of `branch`: the one drawn if of
    that branch, else that branch's (an approver is of the case's branch or the higher institution)."""
    if next(p for p in STAFF if p[0] == drawn)[2] == branch:
        return drawn
    return next(p[0] for p in STAFF if p[1] == "manager" and p[2] == branch)


def _procedure(uow, ctx: Context, rng: random.Random, ref: str, age_h: float, step, branch: str | None) -> bool:
    """The steps of Order 2020 No. 3 a few cases take: a repeat complaint (some with new facts, which
    restart the clock), a withdrawal, an extension to 30 or 60 days. True when the case stops here."""
    extra = rng.random()
    if extra < 0.06 and age_h > 6:
        channel = rng.choice(["hotline", "mobile_app"])  # (drawn in the order the sample has always drawn them)
        again = step(rng.uniform(2.1, 5.5))
        services.log_case(uow, _then(ctx, again), channel=channel, description=TEXT["repeat_description"],
                          repeat_of=ref, received_at=again, new_facts=extra < 0.02)
    if 0.06 <= extra < 0.09 and age_h > 4:
        at = step(rng.uniform(3, min(age_h, 48)))
        services.withdraw(uow, _then(ctx, at), ref, reason=TEXT["withdraw_reason"], at=at)
        return True
    if extra > 0.96 and age_h > 30:
        told = step(rng.uniform(24, min(age_h - 1, 300)))
        to, approver = (60, "sunli") if extra > 0.985 else (30, _manager_of(branch, "zhangwei"))
        services.extend(uow, _acting(_then(ctx, told), approver), ref, to=to, reason=TEXT["extend_appraisal_reason"],
                        customer_told_at=told, at=told)
        return True
    return False


def _progress(uow, ctx: Context, rng: random.Random, case: dict, received: dt.datetime, staff) -> str:
    """Move a freshly logged case along a plausible path, never past now.
    Long because it tells one plausible life of a case in order, each step after the last."""
    ref = case["reference"]
    tier = d.Tier(case["tier"])
    age_h = (ctx.now - received).total_seconds() / 3600
    last = [received]

    def step(hours: float) -> dt.datetime:
        """The time `hours` after receipt, never before the step before it, never after now: a
        case's history is told in order."""
        last[0] = min(max(received + dt.timedelta(hours=hours), last[0]), ctx.now)
        return last[0]

    roll = rng.random()
    if age_h > 24 * 60 and roll < 0.33:
        roll += 0.33  # the year's history ran its course: decided, mostly closed
    if age_h < 2 or (roll < 0.08 and age_h < 48) or roll < 0.01:
        return ref  # just received (and, rarely, forgotten)
    handler = rng.choice(staff[d.TIER_HANDLER[tier].value])
    team = None
    if tier == d.Tier.URGENT:  # an emergency team: the executive leads, a manager and a front-line colleague help
        team = [rng.choice(staff["manager"])[0], rng.choice(staff["staff"])[0]]
    at = step(rng.uniform(0.2, 2))
    services.assign(uow, _then(ctx, at), ref, to=handler[0], department=handler[3], at=at, with_=team)
    if tier == d.Tier.URGENT:
        at = step(rng.uniform(2, 30))
        services.respond(uow, _then(ctx, at), ref, text=TEXT["urgent_plan"], at=at)
    elif rng.random() < 0.7:
        at = step(rng.uniform(2, 20))
        services.respond(uow, _then(ctx, at), ref, text=TEXT["first_response"], at=at)
    if _procedure(uow, ctx, rng, ref, age_h, step, case["branch"]):
        return ref
    if roll < 0.2 and (age_h < 24 * 6 or roll < 0.04):
        return ref  # in progress; a few old ones are overdue
    if roll < 0.26 and age_h < 24 * 10:
        reason = rng.choice(["customer_materials", "appraisal"])
        at = step(rng.uniform(20, 40))
        services.pause(uow, _then(ctx, at), ref, reason=reason, note_text=TEXT["pause_note"], at=at)
        return ref
    hours = rng.uniform(10, 140) if rng.random() < 0.85 else rng.uniform(140, 300)
    slow = rng.random()
    if tier != d.Tier.URGENT and slow < 0.16 and age_h > 24 * 28:
        # A complex case: the regulatory period is extended to 30 days (the customer told on day 5)
        # and it is decided after the 15 days; a few others simply run late.
        hours = rng.uniform(24 * 17, 24 * 27)
        if slow < 0.08:
            manager = _manager_of(case["branch"], rng.choice(staff["manager"])[0])
            at = step(24 * 5)
            services.extend(uow, _acting(_then(ctx, at), manager), ref, to=30, reason=TEXT["extend_reason"],
                            customer_told_at=at, at=at)
    if tier != d.Tier.URGENT and roll < 0.32 and age_h > 60:
        at = step(rng.uniform(30, 60))
        services.escalate(uow, _then(ctx, at), ref, to=d.next_tier(tier).value, reason=TEXT["escalate_reason"], at=at)
        if age_h < 24 * 8:
            return ref
        hours = max(hours, 70.0)
    if received + dt.timedelta(hours=hours) > ctx.now:
        return ref
    at = step(hours * 0.6)
    services.note(uow, _then(ctx, at), ref, text=TEXT["note"], at=at)
    told = step(hours)
    services.resolve(uow, _then(ctx, told), ref, resolution=rng.choice(RESOLUTIONS),
                     root_cause=case["category"], notified_via=rng.choice(["phone", "sms", "in_person", "letter"]),
                     at=told, facts=rng.choice(FACTS), basis=rng.choice(BASES),
                     relief=rng.choice([None, None, "review,mediation,litigation", "review,mediation"]),
                     decided_at=max(received, told - dt.timedelta(hours=rng.uniform(0, 20))))
    resolved_at = told
    if rng.random() < 0.12 and resolved_at + dt.timedelta(hours=30) < ctx.now:
        reopened_at = resolved_at + dt.timedelta(hours=24)
        services.reopen(uow, _then(ctx, reopened_at), ref, reason=TEXT["reopen_reason"], at=reopened_at)
        again = reopened_at + dt.timedelta(hours=rng.uniform(20, 60))
        if again + dt.timedelta(hours=12) < ctx.now:
            services.resolve(uow, _then(ctx, again), ref, resolution=TEXT["resolve_again"], at=again)
        return ref
    if rng.random() < 0.08 and resolved_at + dt.timedelta(hours=72) < ctx.now:
        asked = resolved_at + dt.timedelta(hours=rng.uniform(24, 72))
        # The higher level reviews: the head office's executive, unless the decision was hers (the
        # sample has no one above her; that customer is not shown asking).
        reviewer = "sunli" if handler[0] != "sunli" else None
        if reviewer:
            services.request_review(uow, _then(ctx, asked), ref, requested_at=asked, reviewer=reviewer)
        if asked + dt.timedelta(days=12) < ctx.now and rng.random() < 0.85:
            outcome = rng.choice(["upheld", "upheld", "changed"])
            at = asked + dt.timedelta(days=rng.uniform(3, 12))
            if reviewer:
                services.decide_review(uow, _acting(_then(ctx, at), reviewer), ref, outcome=outcome,
                                       text=TEXT["review_decision"], at=at)
        return ref
    if resolved_at + dt.timedelta(hours=48) < ctx.now and rng.random() < 0.8:
        at = resolved_at + dt.timedelta(hours=48)
        services.close(uow, _then(ctx, at), ref,
                       satisfaction=rng.choices(["satisfied", "no_response", "unsatisfied"], [80, 15, 5])[0], at=at)
    return ref


def _remediation(uow, ctx: Context, rng: random.Random, made: list[tuple[str, dt.datetime]]) -> None:
    """The remediation actions the demo branch decided on: some due, some late, one done. They are
    recorded as of 60 days ago (their due dates then lay ahead), so some are late today, each
    linked to complaints received by then."""
    from dataclasses import replace

    from . import remediation

    earlier = replace(ctx, now=ctx.now - dt.timedelta(days=60))
    today = ctx.calendar.local_date(ctx.now)
    refs = [ref for ref, received in made if received <= earlier.now]
    for title, cause, product, owner, due_in, done in ACTIONS:
        linked = rng.sample(refs, k=min(2, len(refs))) if refs else []
        action = remediation.add(uow, earlier, title=title, root_cause=cause, product=product, owner=owner,
                                 due=(today + dt.timedelta(days=due_in)).isoformat(), cases=linked)
        if done:
            at = ctx.now - dt.timedelta(days=35)
            remediation.done(uow, _then(ctx, at), str(action["id"]), evidence=TEXT["action_evidence"], at=at)
