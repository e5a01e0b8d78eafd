"""The lean `report regulatory` (complaintctl_cli/lean.py: the return's statements compiled to text,
the figures put together by complaintctl/return_figures.py as the full way puts them together)
writes exactly what the full Typer path writes: every format, both languages, both widths, every
scope (all branches, one branch, one region: recorded in the database or set in config), a quarter
and a month; errors go the full way, which words them."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from complaintctl import labels
from complaintctl_cli import lean
from tests.cli.test_export_copy import _register
from tests.cli.test_lean_overdue import _run, heavy_imports
from tests.conftest import RUN


def _same(cli, config, *args: str, env: dict | None = None) -> tuple[int, bytes, bytes]:
    argv = ["--config", str(config), "--db", str(cli.db), *args]
    full = _run(argv, lean_way=False, env=env)
    assert _run(argv, lean_way=True, env=env) == full, args
    return full


def test_the_lean_return_writes_the_same_bytes_as_the_full_way(cli, tmp_path):
    config = _register(cli, tmp_path, "shanghai")
    # Reviews the demo's six weeks hold none of: one decided (upheld), one pending, put in directly.
    cli.sql("UPDATE cases SET review_requested_at = '2026-10-20 02:00:00', review_outcome = 'upheld', "
            "reviewed_at = '2026-10-28 02:00:00' WHERE id = 3")
    cli.sql("UPDATE cases SET review_requested_at = '2026-11-02 02:00:00' WHERE id = 4")
    # Late entries (the demo records its steps on time): six of the quarter's decisions entered in January.
    cli.sql("UPDATE events SET recorded_at = '2027-01-05 02:00:00' WHERE id IN (SELECT id FROM events "
            "WHERE action = 'resolve' AND occurred_at >= '2026-10-01' ORDER BY id LIMIT 6)")
    quarter = ("report", "regulatory", "--quarter", "2026Q4")
    for lang, columns in (("en", "80"), ("zh", "120")):
        table = _same(cli, config, "--lang", lang, *quarter, env={"COLUMNS": columns})[1].decode()
        assert ("Total" in table or "合计" in table) and table.count("\n") > 30
    whole = json.loads(_same(cli, config, *quarter, "-f", "json")[1])
    total = whole["by_branch"][-1]
    assert total["branch"] == "TOTAL" and total["received"] > 0 and total["open_at_quarter_end"] > 0
    assert total["repeat"] > 0 and (total["reviews_requested"], total["reviews_upheld"]) == (2, 1)
    assert 0 < whole["late_entries"] <= 6
    # The demo records its branches' regions in the database: the lean way reads them too.
    regions = [r["region"] for r in whole["by_region"]]
    assert len(regions) > 2 and regions[-1] == "TOTAL", regions
    branch = whole["by_branch"][0]["branch"]
    one = json.loads(_same(cli, config, *quarter, "--branch", f" {branch} ", "-f", "json")[1])
    assert [r["branch"] for r in one["by_branch"]] == [branch, "TOTAL"]
    region = regions[0]
    mine = json.loads(_same(cli, config, *quarter, "--region", region, "-f", "json")[1])
    assert mine["by_region"][0]["region"] == region and mine["by_branch"][-1]["received"] < total["received"]
    _same(cli, config, "--lang", "zh", *quarter, "--region", region, env={"COLUMNS": "80"})
    _same(cli, config, "report", "regulatory", "--quarter", "2025Q1", env={"COLUMNS": "80"})  # empty sections
    month = json.loads(_same(cli, config, "report", "regulatory", "--month", "2026-10", "-f", "json")[1])
    assert 0 < month["by_branch"][-1]["received"] < total["received"]
    assert _same(cli, config, *quarter, "-f", "csv")[1].count(b"\r\n") > 40
    # Config's [regions] override the recorded ones branch by branch, both ways.
    config.write_text(config.read_text(encoding="utf-8") + f'\n[regions]\n{branch} = "总部"\n', encoding="utf-8")
    moved = json.loads(_same(cli, config, *quarter, "-f", "json")[1])
    assert "总部" in [r["region"] for r in moved["by_region"]]
    # Files: the tables together in one, the CSV with its mark, the workbook's cells.
    made = {}
    for name, args in (("tables.txt", []), ("long.csv", ["-f", "csv", "--excel"]), ("return.json", ["-f", "json"]),
                       ("return.xlsx", ["-f", "xlsx"])):
        for lean_way in (True, False):
            target = tmp_path / f"{'lean' if lean_way else 'full'}-{name}"
            code, out, err = _run(["--config", str(config), "--db", str(cli.db), *quarter, *args, "--output",
                                   str(target)], lean_way=lean_way)
            assert (code, out) == (0, b""), (name, err)
            made[lean_way] = target
        if name.endswith(".xlsx"):
            books = [load_workbook(made[way], read_only=True) for way in (True, False)]
            assert books[0].sheetnames == books[1].sheetnames
            generated = labels.t("return.generated", labels.ZH)  # the moment each run wrote it

            def cells(book, sheet):
                return [list(r) for r in book[sheet].iter_rows(values_only=True) if r[0] != generated]

            for sheet in books[0].sheetnames:
                assert cells(books[0], sheet) == cells(books[1], sheet), sheet
        else:
            assert made[True].read_bytes() == made[False].read_bytes(), name
            assert made[True].stat().st_mode & 0o777 == made[False].stat().st_mode & 0o777
    assert (tmp_path / "lean-long.csv").read_bytes().startswith("\ufeffquarter,".encode())
    assert "Handling by branch" in (tmp_path / "lean-tables.txt").read_text(encoding="utf-8")


FULL_WAY = [
    ["report", "regulatory"],                                   # a quarter or a month is needed
    ["report", "regulatory", "--quarter", "2026Q5"],
    ["report", "regulatory", "--quarter", "2026Q4", "--month", "2026-10"],
    ["report", "regulatory", "--month", "2026-13"],
    ["report", "regulatory", "--quarter", "2026Q4", "--branch", "BJ001", "--region", "北京"],
    ["report", "regulatory", "--quarter", "2026Q4", "--region", "nowhere"],
    ["report", "regulatory", "--quarter", "2026Q4", "-f", "xlsx"],  # an xlsx needs --output
    ["report", "regulatory", "--quarter", "2026Q4", "-f", "pdf"],
    ["report", "regulatory", "--quarter", "2026Q4", "-f", "json", "--excel"],
    ["report", "regulatory", "--quarter", "2026Q4", "--as-of", "2026-10-01"],  # an option it does not take
]


@pytest.mark.sqlite_only  # which runs go the full way does not depend on the backend
def test_anything_the_lean_return_does_not_answer_goes_the_full_way(cli, tmp_path):
    config = _register(cli, tmp_path, "shanghai")
    for args in FULL_WAY:
        with RUN.isolation() as (out, err, _):
            assert lean.run(["--config", str(config), "--db", str(cli.db), *args]) is False, args
            assert out.getvalue() == b"" and err.getvalue() == b""
        done = RUN(["--config", str(config), "--db", str(cli.db), *args])
        assert done.exit_code == 2 and done.stderr.count("\n") == 1, (args, done.stderr)
        assert done.stderr.startswith("complaintctl: error: ") or done.stderr.startswith("Usage"), done.stderr
    assert "--excel applies to --format csv only" in RUN(["--db", str(cli.db), *FULL_WAY[-2]]).stderr


def test_the_lean_return_loads_no_orm_nor_typer(cli):
    cli.log(received="2026-03-02T10:00")
    assert heavy_imports(cli.db, ["report", "regulatory", "--quarter", "2026Q1"],
                         ["report", "regulatory", "--month", "2026-03", "-f", "csv", "--branch", "BJ001"]) == []


def _page(html: bytes) -> bytes:
    """A monthly page with pygal's chart ids (random for each run) made alike."""
    import re

    return re.sub(rb"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"chart-ID", html)


def test_the_lean_monthly_report_writes_what_the_full_way_writes(cli, tmp_path):
    """report monthly the lean way (monthly.figures over the lean reports' own reads: the trends,
    summary, sla by tier and by branch, aging, the return's handling, the actions due and late):
    the same JSON figures and the same page (its chart ids aside), to stdout and to a file."""
    config = _register(cli, tmp_path, "london")  # a daylight-saving zone: the months' edges move
    cli("--config", str(config), "action", "add", "--title", "话术培训", "--root-cause", "misselling",
        "--owner", cli.admin, "--due", "2099-01-01", "--case", "1", "--case", "2")
    cli.sql("update remediation_actions set due_on = '2026-10-20', created_at = '2026-10-01 09:00:00' "
            "where title = '话术培训'")  # added and due in October, late since
    for lang in ("en", "zh"):
        figures = json.loads(_same(cli, config, "--lang", lang, "report", "monthly", "--month", "2026-10",
                                   "-f", "json")[1])
        assert figures["received"] > 0 and figures["trend"]["product"] and figures["compliance_by_branch"]
        assert "话术培训" in [a["title"] for a in figures["actions_due"]]
        assert "话术培训" in [a["title"] for a in figures["actions_late"]]
        pages = [_run(["--config", str(config), "--db", str(cli.db), "--lang", lang, "report", "monthly", "--month",
                       "2026-10"], lean_way=way) for way in (True, False)]
        assert pages[0][0] == pages[1][0] == 0 and pages[0][2] == pages[1][2] == b""
        assert _page(pages[0][1]) == _page(pages[1][1]) and b"<svg" in pages[0][1]
    # Done in November, late: October's report still reads it as it stood at October's end (open, late
    # by 11 days: 24:00 on 10-31 is 11 days past 10-20), whenever it is run.
    done = cli.json("--config", str(config), "action", "list", "--format", "json")
    number = next(a["id"] for a in done if a["title"] == "话术培训")
    cli("--config", str(config), "action", "done", str(number), "--evidence", "已培训", "--at", "2026-11-05T10:00")
    october = json.loads(_same(cli, config, "report", "monthly", "--month", "2026-10", "-f", "json")[1])
    late = next(a for a in october["actions_late"] if a["title"] == "话术培训")
    assert (late["status"], late["days_late"], late["done_at"], late["evidence"]) == ("open", 11, None, None)
    files = []
    for way in (True, False):
        target = tmp_path / f"monthly-{way}.html"
        code, out, err = _run(["--config", str(config), "--db", str(cli.db), "report", "monthly", "--month", "2026-09",
                               "--output", str(target)], lean_way=way)
        assert (code, out) == (0, b"") and err.decode().replace(str(target), "X") == "written to X\n"
        files.append(_page(target.read_bytes()))
    assert files[0] == files[1]
    for args in (["report", "monthly"], ["report", "monthly", "--month", "2026-13"],
                 ["report", "monthly", "--month", "2026-10", "-f", "pdf"], ["report", "monthly", "--month", "2026-10", "--all"]):
        with RUN.isolation() as (out, err, _):
            assert lean.run(["--config", str(config), "--db", str(cli.db), *args]) is False, args
    assert heavy_imports(cli.db, ["report", "monthly", "--month", "2026-10", "-f", "json"],
                         ["report", "monthly", "--month", "2026-10", "--output", str(tmp_path / "m.html")]) == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_read_only_run_reads_one_consistent_view_of_the_database_both_ways(cli):
    """On PostgreSQL every statement of a lean run sees the database as it stood at its first one
    (repeatable read): a report's figures agree with each other while cases are being written
    (read committed let each statement see what others committed meanwhile); and it writes nothing."""
    import psycopg

    from complaintctl.dbapi import Reader

    cli.log(received="2026-03-02T10:00")
    db = Reader.open(str(cli.db), 5)
    try:
        before = db.all("regions")
        cli.sql("INSERT INTO settings (key, value) VALUES ('region:BRX', '测试')")
        assert db.all("regions") == before  # the other session's commit is not seen
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            db.con.execute("DELETE FROM settings WHERE key = 'region:BRX'")
    finally:
        db.close()
    assert "region:BRX" in str(cli.sql("SELECT key FROM settings WHERE key = 'region:BRX'"))
    # The full way's read-only unit of work reads the same way (db.py's adapter: begin_read).
    import sqlalchemy as sa

    from complaintctl.db import Store

    store = Store(str(cli.db))
    try:
        with store.unit_of_work(write=False) as uow:
            count = "SELECT count(*) FROM settings WHERE key LIKE 'region:%'"
            before = uow.session.execute(sa.text(count)).scalar()
            cli.sql("INSERT INTO settings (key, value) VALUES ('region:BRY', '测试')")
            assert uow.session.execute(sa.text(count)).scalar() == before
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                uow.session.execute(sa.text("DELETE FROM settings WHERE key = 'region:BRY'"))
    finally:
        store.dispose()
