"""The lean `report sla` (complaintctl_cli/lean.py) writes exactly what the full Typer path writes,
byte for byte, and hands every run it does not answer to the full path. (That it loads neither
SQLAlchemy nor Typer is checked with the lean overdue report's, in test_lean_overdue.py.)"""
from __future__ import annotations

import json

from complaintctl_cli import lean
from tests.conftest import RUN
from tests.cli.test_lean_overdue import _register, _run, _same

WINDOW = ["--from", "2026-03-01", "--to", "2026-03-31"]


def test_the_lean_sla_report_writes_the_same_bytes_in_each_format_width_and_language(cli):
    assert b"Total" not in _same(cli, "report", "sla", *WINDOW)  # nothing decided yet: no total row
    _register(cli)
    rows = json.loads(_same(cli, "report", "sla", *WINDOW, "--format", "json"))
    assert [r["tier"] for r in rows] == ["general", "TOTAL"] and rows[-1]["resolved"] == 3
    assert rows[-1]["reopen_pct"] == 33.3  # one reopened; the one taken to review was not reopened
    # The total row keeps its key in CSV and JSON, and reads as a word in a table (Total, 合计).
    table = _same(cli, "report", "sla", *WINDOW)
    assert b"\nTotal " in table and b"TOTAL" not in table
    assert "\n合计 " in _same(cli, "--lang", "zh", "report", "sla", *WINDOW).decode()
    # (tests/integration/test_report_golden.py pins every grouping and format the lean way too, on SQLite)
    for lang, columns in (("en", "80"), ("en", None), ("zh", "120")):  # None: piped, no COLUMNS (120)
        _same(cli, "--lang", lang, "report", "sla", *WINDOW, env={"COLUMNS": columns})
    _same(cli, "--lang", "zh", "report", "sla", *WINDOW, "--by", "网点", "-f", "csv")
    _same(cli, "report", "sla", *WINDOW, "--by", "category", "--format=jsonl")
    _same(cli, "report", "sla", "--from", "2026-03-16T09:00", "--to", "2026-03-17T12:00", "--format", "csv")
    _same(cli, "report", "sla")  # this month so far
    _same(cli, "--as", "zhangwei", "report", "sla", *WINDOW, "--by", "assignee")


FULL_WAY = [
    ["report", "sla", *WINDOW, "--excel"],             # refused by the full way (a table)
    ["report", "sla", "--help"],
    ["report", "sla", "--from", "2026-03-01"],         # a bad value: the full path words the error
    ["report", "sla", *WINDOW, "--by", "colour"],
    ["report", "sla", *WINDOW, "--format", "xlsx"],
    ["--as", "ghost", "report", "sla", *WINDOW],       # not staff: the full path refuses it
    ["report", "sla", "extra"],
]


def test_anything_the_lean_sla_report_does_not_answer_goes_the_full_way(cli):
    cli.staff()
    for day in ("02", "03", "04"):
        case = cli.log(received=f"2026-03-{day}T10:00")
        cli("resolve", case, "--resolution", "ok", "--at", f"2026-03-{day}T16:00")
    for args in FULL_WAY:
        with RUN.isolation() as (out, err, _):
            assert lean.run(["--db", str(cli.db), *args]) is False, args
            assert out.getvalue() == b"" and err.getvalue() == b""
    cli.sql("update cycles set working_seconds = null where number = 1")  # not kept: counted the full way
    argv = ["--db", str(cli.db), "report", "sla", *WINDOW, "--format", "csv"]
    with RUN.isolation():
        assert lean.run(argv) is False
    code, out, _ = _run(argv, lean_way=False)
    assert code == 0 and b"TOTAL,3," in out
