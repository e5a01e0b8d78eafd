"""report sla is computed in the database (complaintctl/reports.py: counts and a histogram of working
times by GROUP BY, the median and 90th percentile picked by row_number among the few cycles of the
histogram's bars that hold them). Here, on SQLite and PostgreSQL, its figures are those of the
rule written plainly in Python (every cycle read, statistics.median and statistics.quantiles) on a
register made awkward on purpose: ties, working times on and either side of a bar's edge, groups
of one cycle, groups of reviews only, cases with no assignee, and cycles decided without their
working time kept (counted over business_days)."""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics

import sqlalchemy as sa
from hypothesis import given, settings, strategies as st

from complaintctl import cycles, deadlines, reports, sla
from complaintctl.models import Case, Cycle
from complaintctl.stored import stored_utc

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 5, 10, tzinfo=UTC)
WINDOW = ("2026-09-25", "2026-11-05")


def _plain(store, ctx, dim: str) -> list[dict]:
    """The rule, plainly: every cycle decided in the window read into Python."""
    lo, hi = reports.received_window(ctx, *WINDOW)
    y, c = Cycle.__table__.c, Case.__table__.c
    group = y.tier if dim == "tier" else c[dim]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(group, y.number, y.working_seconds, y.opened_at, y.resolved_at, y.tier,
                                      y.internal_breached, y.regulatory_breached, y.response_breached,
                                      y.first_response_due_at, y.first_responded_at, c.cycle_number, y.opened_by)
                            .join_from(Cycle.__table__, Case.__table__, c.id == y.case_id)
                            .where(y.resolved_at >= lo, y.resolved_at < hi)).all()
    groups: dict[str, dict] = {}
    for r in rows:
        g = groups.setdefault(r[0] or "", {"n": 0, "internal": 0, "regulatory": 0, "ftr": 0, "reopened": 0,
                                           "durations": [], "urgent": 0, "urgent_ok": 0, "reviews": 0,
                                           "reviews_ok": 0})
        if r.opened_by == "review":
            g["reviews"] += 1
            g["reviews_ok"] += not r.regulatory_breached
            continue
        seconds = r.working_seconds
        if seconds is None:
            seconds = cycles.decided_seconds(stored_utc(r.opened_at), stored_utc(r.resolved_at), ctx.calendar)
        timed = r.tier == "urgent" and r.first_response_due_at is not None
        g["n"] += 1
        g["internal"] += not (r.internal_breached or r.response_breached)
        g["regulatory"] += not r.regulatory_breached
        g["ftr"] += r.number == 1 and r.cycle_number == 1
        g["reopened"] += r.cycle_number > r.number
        g["durations"].append(seconds / deadlines.DAY)
        g["urgent"] += timed
        g["urgent_ok"] += timed and r.first_responded_at is not None and r.first_responded_at < r.first_response_due_at
    if groups:
        groups["TOTAL"] = {k: (sum((g[k] for g in groups.values()), []) if k == "durations"
                               else sum(g[k] for g in groups.values())) for k in next(iter(groups.values()))}

    def pct(part, whole):
        return round(100.0 * part / whole, 1) if whole else None

    def p90(values):
        if not values:
            return None
        if len(values) == 1:
            return round(values[0], 2)
        return round(statistics.quantiles(values, n=100, method="inclusive")[89], 2)

    return [{dim: key, "resolved": g["n"], "within_internal_pct": pct(g["internal"], g["n"]),
             "within_regulatory_pct": pct(g["regulatory"], g["n"]),
             "first_time_resolution_pct": pct(g["ftr"], g["n"]), "reopen_pct": pct(g["reopened"], g["n"]),
             "median_working_days": round(statistics.median(g["durations"]), 2) if g["durations"] else None,
             "p90_working_days": p90(g["durations"]), "urgent_response_pct": pct(g["urgent_ok"], g["urgent"]),
             "reviews_decided": g["reviews"], "reviews_within_30_days_pct": pct(g["reviews_ok"], g["reviews"])}
            for key, g in sorted(groups.items(), key=lambda kv: (kv[0] == "TOTAL", kv[0]))]


def test_every_grouping_is_the_plain_rule_on_an_awkward_register(store, monkeypatch):
    from complaintctl.config import Policy
    from complaintctl.db import account_name
    from complaintctl.demo import generate
    from complaintctl.services import open_context

    policy = Policy()
    ctx = open_context(store, now=NOW, policy=policy, os_login=account_name(os.getuid()))
    generate(store.unit_of_work(), ctx, count=45, days=40, seed=5)
    y = Cycle.__table__
    rng = random.Random(3)
    bar = 3600  # reports._BAR: times on and either side of a bar's edge
    awkward = [0.0, 1.0, bar - 0.5, bar, bar + 0.000001, 5 * bar, 5 * bar, 86400.0, 86400.0, 3 * 86400 + 0.25]
    with store.engine.begin() as conn:
        ids = [i for (i,) in conn.execute(sa.select(y.c.id).where(y.c.resolved_at.is_not(None)).order_by(y.c.id))]
        for n, cycle_id in enumerate(ids):
            values = {"working_seconds": rng.choice(awkward) if n % 3 else rng.uniform(0, 12 * 86400)}
            if n % 7 == 0:
                values["working_seconds"] = None  # decided by a writer that did not keep it
            if n % 11 == 5:
                values["opened_by"] = "review"
            conn.execute(sa.update(y).where(y.c.id == cycle_id).values(**values))
        # A case with no assignee, and one whose branch is alone in its group.
        first, second = conn.execute(sa.select(y.c.case_id).where(y.c.id.in_(ids[:2]))).scalars().all()[:2]
        conn.execute(sa.update(Case.__table__).where(Case.__table__.c.id == first).values(assignee=None))
        conn.execute(sa.update(Case.__table__).where(Case.__table__.c.id == second).values(branch="ZZ999"))
    for dim in ("tier", "branch", "assignee", "channel", "category"):
        with store.unit_of_work(write=False) as uow:
            got = reports.sla(uow, ctx, start=WINDOW[0], end=WINDOW[1], by=dim)["rows"]
        assert got == _plain(store, ctx, dim), dim
    monkeypatch.setattr(sla, "MAX_PAIRS", 0)  # more groups' bars than it binds: every cycle of the bars numbered
    with store.unit_of_work(write=False) as uow:
        assert reports.sla(uow, ctx, start=WINDOW[0], end=WINDOW[1], by="branch")["rows"] == _plain(store, ctx, "branch")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40 * 86400).map(lambda s: s / 7), min_size=1, max_size=60))
def test_the_median_and_percentile_from_their_ranks_are_statistics_own(values):
    """reports._median and _p90 read only the ranks quantile_ranks names: the same floats as
    statistics reads from every value."""
    ordered = sorted(values)
    at = {r: ordered[r - 1] for r in reports.quantile_ranks(len(values))}
    days = [v / deadlines.DAY for v in values]
    assert reports._median(at, len(values)) == round(statistics.median(days), 2)
    want = round(days[0], 2) if len(days) == 1 else round(
        statistics.quantiles(days, n=100, method="inclusive")[89], 2)
    assert reports._p90(at, len(values)) == want
    bars: dict[int, int] = {}
    for v in ordered:
        bars[int(v // 3600)] = bars.get(int(v // 3600), 0) + 1
    for (b, place), rank in reports._places(bars, reports.quantile_ranks(len(values))).items():
        assert [v for v in ordered if int(v // 3600) == b][place - 1] == ordered[rank - 1]
