"""The views for readers of the database (complaintctl/sqlviews.py): what a BI tool or psql reads
from overdue_cases, stale_cases, due_soon_cases and aging_cases is what the tool itself lists at
that moment, without personal data; a view changed behind the tool's back is reported by `db check`
and written again by `db upgrade`. On both backends; the clocks are read at the real present moment,
so the cases are either long past their deadlines or received an hour ago, and, for due soon and
age, each view's own query read at fixed moments around a weekend against the reports --as-of them."""
import datetime as dt
import json

PERSONAL = {"customer", "phone", "email", "account", "id_number", "description", "request", "agent_name"}


def _an_hour_ago() -> str:
    return (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def _cases(cli) -> dict[str, str]:
    cli.staff()
    refs = {
        "late": cli.log(received="2026-03-02T10:00"),
        "late_important": cli.log("--tier", "important", received="2026-03-02T10:00"),
        "fresh": cli.log(received=_an_hour_ago()),
        "resolved": cli.log(received="2026-03-02T10:00"),
        "urgent": cli.log("--tier", "urgent", received="2026-03-02T10:00"),
        "paused": cli.log(received="2026-03-02T10:00"),
    }
    cli("resolve", refs["resolved"], "--resolution", "退还手续费", "--at", "2026-03-03T10:00")
    cli("respond", refs["urgent"], "--text", "初步方案", "--at", "2026-03-02T12:00")
    cli("pause", refs["paused"], "--reason", "customer_materials", "--at", "2026-03-02T12:00")
    return refs


def test_the_views_list_what_the_tool_lists_at_the_same_moment(cli):
    refs = _cases(cli)
    late = dict(cli.sql("SELECT reference, overdue_seconds FROM overdue_cases"))
    report = json.loads(cli("report", "overdue", "--all", "--format", "json").stdout)
    viewed, reported = set(late), {r["reference"] for r in report}
    assert viewed == reported
    # Overdue by as the report counts it (working days to two places; read a moment apart).
    for row in report:
        assert abs(late[row["reference"]] / 86400 - row["overdue_working_days"]) < 0.02, row
    # The regulator's clock keeps running while the customer's materials are awaited.
    assert viewed == {refs["late"], refs["late_important"], refs["urgent"], refs["paused"]}
    flags = {r[0]: (bool(r[1]), bool(r[2])) for r in
             cli.sql("SELECT reference, internal_overdue, regulatory_overdue FROM overdue_cases")}
    assert flags[refs["late"]] == (True, True) and flags[refs["paused"]] == (False, True)
    stale = {r[0] for r in cli.sql("SELECT reference FROM stale_cases")}
    assert stale == {r["reference"] for r in json.loads(cli("list", "--stale", "--format", "json").stdout)}
    assert stale == {refs["urgent"]}
    # Due soon and age at the present moment: nothing is due within a working day, and every open
    # case is in the bucket the report counts it in.
    assert not cli.sql("SELECT reference FROM due_soon_cases")
    assert not json.loads(cli("report", "due-soon", "--format", "json").stdout)
    assert _aging(cli.sql("SELECT tier, age_bucket, count(*) FROM aging_cases GROUP BY tier, age_bucket")) == \
        _aging_report(cli("report", "aging", "--format", "json").stdout)
    for view in VIEWS:
        columns = _columns(cli, view)
        assert columns and not columns & PERSONAL, view


VIEWS = ("overdue_cases", "stale_cases", "due_soon_cases", "aging_cases", "decided_cycles")


def _aging(rows) -> dict:
    return {(tier, bucket): n for tier, bucket, n in rows}


def _aging_report(out: str) -> dict:
    return {(row["tier"], bucket): n for row in json.loads(out) if row["tier"] != "TOTAL"
            for bucket, n in row.items() if bucket not in ("tier", "total") and n}


def _read_at(cli, view: str, moment: str, days: int = 1) -> list:
    """What `view` lists when the server's clock shows `moment` (Shanghai time)."""
    from complaintctl import sqlviews

    at = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.timezone.utc)
    with cli.engine.connect() as conn:
        return conn.execute(sqlviews.read_at(at, days)[view]).mappings().all()


def test_due_soon_and_aging_read_at_a_moment_are_the_reports_at_that_moment(cli):
    """Around a weekend (Thursday 5 March 2026 to Monday 9 March): a general case due at the end of
    Thursday, one at the end of Friday, an important one at the end of Monday, a paused one, an
    urgent one, one received on the Saturday; each view's query read at a moment lists what the report --as-of it lists."""
    from complaintctl.deadlines import Span

    cli.staff()
    refs = [cli.log(received="2026-03-02T10:00"), cli.log(received="2026-03-03T15:00"),
            cli.log("--tier", "important", received="2026-03-02T10:00"), cli.log(received="2026-03-02T11:00"),
            cli.log("--tier", "urgent", received="2026-03-06T20:00"), cli.log(received="2026-03-07T09:00")]
    cli("pause", refs[3], "--reason", "customer_materials", "--at", "2026-03-02T12:00")
    seen = set()
    for moment in ("2026-03-05T23:00", "2026-03-06T00:00", "2026-03-06T09:00", "2026-03-06T20:30",
                   "2026-03-07T12:00", "2026-03-09T23:59", "2026-03-11T10:00", "2026-03-16T10:00",
                   "2026-03-17T10:00", "2026-03-20T10:00", "2026-03-31T10:00"):
        listed = {r["reference"]: r for r in _read_at(cli, "due_soon_cases", moment)}
        report = json.loads(cli("report", "due-soon", "--as-of", moment, "--format", "json").stdout)
        assert set(listed) == {r["reference"] for r in report}, moment
        for row in report:
            mine = listed[row["reference"]]
            assert bool(mine["time_left_in_clock_hours"]) == (row["tier"] == "urgent" and row["status"] != "paused")
            assert Span(mine["time_left_seconds"], not mine["time_left_in_clock_hours"]).text() == row["time_left"], (moment, row)
        seen |= set(listed)
        aged = _read_at(cli, "aging_cases", moment)
        counts: dict = {}
        for r in aged:
            counts[r["tier"], r["age_bucket"]] = counts.get((r["tier"], r["age_bucket"]), 0) + 1
        assert counts == _aging_report(cli("report", "aging", "--as-of", moment, "--format", "json").stdout), moment
        if moment == "2026-03-06T09:00":  # the urgent case, received that evening, is not listed before it was
            assert refs[4] not in listed
    # Each case was due soon at one of the moments: the paused one by its regulatory deadline, whose
    # clock the customer's materials do not stop.
    assert seen == set(refs)


def _columns(cli, view: str) -> set[str]:
    import sqlalchemy as sa

    with cli.engine.connect() as conn:
        return set(conn.execute(sa.text(f"SELECT * FROM {view} LIMIT 0")).keys())


def test_a_view_changed_behind_the_tools_back_is_reported_and_written_again(cli):
    cli.staff()
    assert cli("db", "check").exit_code == 0
    try:
        cli.sql("DROP VIEW overdue_cases")
        cli.sql("CREATE VIEW overdue_cases AS SELECT id, reference FROM cases WHERE 1 = 0")
        problems = cli("db", "check", expect=1)
        assert "view overdue_cases: " in problems.stdout  # changed by hand (or, on PostgreSQL, unmarked)
        cli.sql("DROP VIEW stale_cases")
        problems = cli("db", "check", expect=1)
        assert "view stale_cases: missing" in problems.stdout
    finally:
        repaired = cli("db", "upgrade")
    assert "overdue_cases written again" in repaired.stderr and "stale_cases written again" in repaired.stderr
    assert cli("db", "check").exit_code == 0


def test_on_postgresql_a_view_reads_with_the_readers_rights(cli):
    if cli.backend != "postgresql":
        import pytest

        pytest.skip("row-level security is PostgreSQL's")
    for view in VIEWS:
        options = cli.scalar("SELECT reloptions FROM pg_class WHERE relname = :v", v=view)
        assert "security_invoker=true" in options
        # Read-only for the tool's groups, as the reports are.
        assert not cli.scalar("SELECT has_table_privilege('complaint_staff', :v, 'UPDATE')", v=view)
        assert cli.scalar("SELECT has_table_privilege('complaint_staff', :v, 'SELECT')", v=view)


def test_due_soon_cases_counts_the_working_days_of_the_config_that_wrote_it(cli, tmp_path):
    """The view holds due soon's working days as `db upgrade` wrote it: `db check` under a config
    that counts another number names the view, and `db upgrade` under that config writes it again."""
    cli.staff()
    two = tmp_path / "two.toml"
    two.write_text("due_soon_working_days = 2\n")
    assert cli("db", "check").exit_code == 0
    out = cli("--config", str(two), "db", "check", expect=1)
    assert ("view due_soon_cases: counts due soon within 1 working day(s), this config within 2 "
            "(due_soon_working_days): run 'complaintctl db upgrade' under the config readers of the view should follow") in out.stdout
    assert "overdue_cases" not in out.stdout and "aging_cases" not in out.stdout
    try:
        repaired = cli("--config", str(two), "db", "upgrade")
        assert "due_soon_cases written again" in repaired.stderr
        assert cli("--config", str(two), "db", "check").exit_code == 0
    finally:  # (a PostgreSQL test database outlives the test: the views as the other tests expect them)
        cli("db", "upgrade")
    ref = cli.log(received="2026-03-02T10:00")  # due at the end of Thursday 5 March
    at = dt.datetime(2026, 3, 4, 1, 0, tzinfo=dt.timezone.utc)  # Wednesday 09:00 in Shanghai: 39 working hours left
    from complaintctl import sqlviews

    with cli.engine.connect() as conn:
        assert [r.reference for r in conn.execute(sqlviews.read_at(at, 2)["due_soon_cases"])] == [ref]
        assert not conn.execute(sqlviews.read_at(at, 1)["due_soon_cases"]).all()


def _pct(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def test_decided_cycles_grouped_give_report_slas_figures(cli):
    """decided_cycles, a row a decided cycle with the report's flags: a reader's GROUP BY (here the
    counts, then the median and 90th percentile as statistics takes them) gives `report sla`'s
    figures, by tier and by branch, over the demo's 120 complaints (reopens, reviews, urgent plans
    kept and missed, decisions late and on time)."""
    import statistics

    cli("demo", "--count", "120", "--force")
    for by in ("tier", "branch"):
        report = {r[by]: r for r in json.loads(cli("report", "sla", "--from", "2000-01-01", "--to", "2099-12-31",
                                                   "--by", by, "--format", "json").stdout)}
        rows = [dict(r._mapping) for r in cli.sql(f"SELECT {by} AS g, working_seconds, review, within_internal, within_regulatory, "
                                         "resolved_first_time, reopened, urgent_plan_due, urgent_plan_on_time FROM decided_cycles")]
        assert rows and sum(bool(r["review"]) for r in rows) and sum(bool(r["reopened"]) for r in rows)
        assert sum(bool(r["urgent_plan_due"]) for r in rows) > sum(bool(r["urgent_plan_on_time"]) for r in rows) > 0
        groups = sorted({r["g"] or "" for r in rows})
        for g in groups + ["TOTAL"]:
            mine = [r for r in rows if g == "TOTAL" or (r["g"] or "") == g]
            decided = [r for r in mine if not r["review"]]
            reviews = [r for r in mine if r["review"]]
            days = [r["working_seconds"] / 86400 for r in decided]
            count = lambda name, among=decided: sum(bool(r[name]) for r in among)  # noqa: E731
            assert report[g] == {
                by: g, "resolved": len(decided),
                "within_internal_pct": _pct(count("within_internal"), len(decided)),
                "within_regulatory_pct": _pct(count("within_regulatory"), len(decided)),
                "first_time_resolution_pct": _pct(count("resolved_first_time"), len(decided)),
                "reopen_pct": _pct(count("reopened"), len(decided)),
                "median_working_days": round(statistics.median(days), 2) if days else None,
                "p90_working_days": (round(statistics.quantiles(days, n=100, method="inclusive")[89], 2)
                                     if len(days) > 1 else round(days[0], 2) if days else None),
                "urgent_response_pct": _pct(count("urgent_plan_on_time"), count("urgent_plan_due")),
                "reviews_decided": len(reviews),
                "reviews_within_30_days_pct": _pct(count("within_regulatory", reviews), len(reviews)),
            }, (by, g)
        assert set(report) == set(groups) | {"TOTAL"}
