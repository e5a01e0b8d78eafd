"""The views for readers of the database (complaintctl/sqlviews.py): what a BI tool or psql reads
from overdue_cases and stale_cases is what the tool itself lists at that moment, without personal
data; a view changed behind the tool's back is reported by `db check` and written again by
`db upgrade`. On both backends; the clocks are read at the real present moment, so the cases are
either long past their deadlines or received an hour ago."""
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
    for view in ("overdue_cases", "stale_cases"):
        columns = _columns(cli, view)
        assert columns and not columns & PERSONAL, view


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
    for view in ("overdue_cases", "stale_cases"):
        options = cli.scalar("SELECT reloptions FROM pg_class WHERE relname = :v", v=view)
        assert "security_invoker=true" in options
        # Read-only for the tool's groups, as the reports are.
        assert not cli.scalar("SELECT has_table_privilege('complaint_staff', :v, 'UPDATE')", v=view)
        assert cli.scalar("SELECT has_table_privilege('complaint_staff', :v, 'SELECT')", v=view)
