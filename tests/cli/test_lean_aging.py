"""The lean `report due-soon`, `report aging` and `report summary` (complaintctl_cli/lean.py) write
exactly what the full Typer path writes, byte for byte, stdout and stderr, and hand every run they
do not answer to the full path."""
from __future__ import annotations

import json
import re

import pytest

from complaintctl_cli import lean
from tests.cli.test_lean_overdue import _register, _run, heavy_imports
from tests.cli.test_lean_show import _same
from tests.conftest import RUN

AS_OF = "2026-05-20T09:00"
SOON = "2026-05-20T09:00"  # the urgent cases of that morning fall due within a working day of it


def test_the_lean_due_soon_and_aging_write_the_same_bytes_as_the_full_way(cli):
    """The overdue report's register at moments when cases fall due soon, in every format, both
    languages, 80 and 120 columns, paged or not."""
    _register(cli)
    cli.log("--tier", "urgent", received="2026-05-20T07:00")
    cli.log("--tier", "urgent", "--customer", "欧阳娜娜", received="2026-05-20T07:30")
    for lang, columns in (("en", "80"), ("zh", "120")):
        env = {"COLUMNS": columns}
        table = _same(cli, "--lang", lang, "report", "due-soon", "--as-of", SOON, env=env)[1].decode()
        assert "C-2026-000013" in table and "C-2026-000014" in table
        code, out, err = _same(cli, "--lang", lang, "report", "due-soon", "--as-of", SOON, "--limit", "1", env=env)
        assert out.count(b"C-2026-") == 1 and re.search(rb"(^|\s)1\s", err)  # the rest counted
        _same(cli, "--lang", lang, "report", "due-soon", "--as-of", "2026-05-26T09:00", "--all", env=env)
        aging = _same(cli, "--lang", lang, "report", "aging", "--as-of", AS_OF, env=env)[1].decode()
        assert aging.count("\n") == 7  # title, header, rule, a row a tier, the total
        _same(cli, "--lang", lang, "report", "aging", "--as-of", "2026-03-10T12:00", env=env)  # later cases left out
    rows = json.loads(_same(cli, "report", "due-soon", "--as-of", SOON, "-f", "json")[1])
    assert len(rows) == 2 and not any(r["overdue"] for r in rows)
    _same(cli, "report", "due-soon", "--as-of", SOON, "--format=csv")
    _same(cli, "report", "due-soon", "--as-of", SOON, "--format", "jsonl", "--limit", "1")
    _same(cli, "report", "due-soon", "--as-of", "2026-01-01T09:00")  # none
    total = json.loads(_same(cli, "report", "aging", "--as-of", AS_OF, "-f", "json")[1])[-1]
    assert total["tier"] == "TOTAL" and total["total"] == 12  # the open cases
    for fmt in ("csv", "jsonl"):
        _same(cli, "report", "aging", "--as-of", AS_OF, "-f", fmt)
    _same(cli, "--as", "zhangwei", "report", "aging", "--as-of", AS_OF)  # acting for a manager


def test_the_lean_summary_writes_the_same_bytes_as_the_full_way(cli):
    """report summary of the overdue report's register (a repeat complaint, resolved cycles, the
    same phone on every case) by one, two and three dimensions, in every format, both languages, 80
    and 120 columns (the dimensions' columns written into the statements compiled once for all)."""
    _register(cli)
    cli("log", "--repeat-of", "C-2026-000001", "--channel", "mobile_app", "--description", "客户再次来电催问",
        "--received-at", "2026-03-20T09:00")
    march = ("--from", "2026-03-01", "--to", "2026-03-31")
    for lang, columns in (("en", "80"), ("zh", "120")):
        env = {"COLUMNS": columns}
        assert "138****5678" in _same(cli, "--lang", lang, "report", "summary", *march, env=env)[1].decode()
        _same(cli, "--lang", lang, "report", "summary", "--from", "2026-03-16", "--to", "2026-05-31", "--by",
              "channel,tier", env=env)
    doc = json.loads(_same(cli, "report", "summary", *march, "-f", "json")[1])
    assert sum(r["repeats"] for r in doc["rows"]) == 1 and doc["root_causes"] and doc["repeat_complainants"]
    for fmt in ("csv", "jsonl"):
        _same(cli, "report", "summary", "--from=2026-03-01", "--to", "2026-04-30", "--by", "branch", "-f", fmt)
    three = _same(cli, "report", "summary", *march, "--by", "tier,branch,channel", "-f", "json")[1]
    assert {tuple(r)[:3] for r in json.loads(three)["rows"]} == {("tier", "branch", "channel")}
    _same(cli, "--lang", "zh", "report", "summary", *march, "--by", "渠道,产品,网点", env={"COLUMNS": "80"})
    _same(cli, "report", "summary", "--from", "2026-03-16", "--to", "2026-05-31", "--by", "category,tier,product",
          "-f", "csv")


FULL_WAY = [
    ["report", "due-soon", "--branch", "BJ0"],      # a branch no case nor member of staff has
    ["report", "due-soon", "--tier", "nonesuch"],   # refused by the full way
    ["report", "due-soon", "--output", "x.json", "-f", "json", "--excel"],  # refused by the full way
    ["report", "due-soon", "--limit", "0"],         # refused by the full way
    ["report", "due-soon", "--as-of", "tomorrow"],
    ["report", "due-soon", "--format", "xlsx"],
    ["report", "due-soon", "x"],
    ["report", "aging", "--all"],                   # not one of its options
    ["report", "aging", "--excel"],                 # refused by the full way (a table)
    ["report", "aging", "--as-of", "tomorrow"],
    ["report", "aging", "-f", "html"],
    ["--as", "ghost", "report", "aging"],           # not staff
    ["report", "aging", "--help"],
    ["report", "summary"],                          # --from and --to are required
    ["report", "summary", "--from", "2026-03-01"],
    ["report", "summary", "--from", "2026-03-01", "--to", "2026-02-01"],  # refused by the full way
    ["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "colour"],
    ["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "tier,branch,channel,product"],
    ["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "-f", "json", "--excel"],
]


def test_anything_the_lean_due_soon_and_aging_do_not_answer_goes_the_full_way(cli):
    cli.staff()
    cli.log()
    for args in FULL_WAY:
        with RUN.isolation() as (out, err, _):
            assert lean.run(["--db", str(cli.db), *args]) is False, args
            assert out.getvalue() == b"" and err.getvalue() == b""
    code, _, err = _run(["--db", str(cli.db), "report", "aging", "--as-of", "tomorrow"], lean_way=False)
    assert code == 2 and err.startswith(b"complaintctl: error: ") and err.count(b"\n") == 1


@pytest.mark.sqlite_only
def test_the_lean_due_soon_aging_and_summary_load_no_orm_nor_typer(cli):
    cli.log(received="2026-03-02T10:00")
    assert heavy_imports(cli.db, ["report", "due-soon", "--as-of", "2026-03-02T12:00"],
                         ["report", "due-soon", "-f", "csv", "--all"], ["report", "aging", "--as-of", AS_OF],
                         ["report", "due-soon", "--tier", "general"], ["report", "overdue", "--tier", "紧急", "-f", "csv"],
                         ["report", "aging", "-f", "json"],
                         ["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31"],
                         ["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "tier,branch,channel"]
                         ) == []


def test_a_report_of_a_past_moment_counts_the_cases_open_then_whatever_was_done_since(cli):
    """The examiner's case: received Mon 09-21, its internal deadline 09-24 24:00, decided 10-08. Asked of
    10-01, aging counts it open (and the sla window ending 09-30 counts it open and in breach), as
    the September monthly report does, both ways; a case received later is not counted, nor one
    withdrawn or decided before the moment, nor one decided and reopened only after it as twice."""
    cli.staff()
    late = cli.log(received="2026-09-21T10:00")
    cli("assign", late, "--to", "wangfang", "--at", "2026-09-21T11:00")
    cli("resolve", late, "--resolution", "退还", "--at", "2026-10-08T20:00")
    gone = cli.log(received="2026-09-22T10:00")
    cli("withdraw", gone, "--at", "2026-09-25T10:00")
    done = cli.log(received="2026-09-22T11:00")
    cli("resolve", done, "--resolution", "解释", "--at", "2026-09-23T10:00")
    again = cli.log(received="2026-09-24T10:00")
    cli("resolve", again, "--resolution", "解释", "--at", "2026-10-09T10:00")
    cli("reopen", again, "--reason", "客户不认可", "--at", "2026-10-10T10:00")
    cli.log(received="2026-10-05T10:00")  # after the moment
    # Not in breach at the end of September, by the clock rules: an urgent case whose plan was given
    # in time (its cycle keeps the plan's deadline), a case paused before its deadline ran out.
    plan = cli.log("--tier", "urgent", received="2026-09-28T10:00")
    cli("--as", "sunli", "respond", plan, "--text", "方案", "--at", "2026-09-28T12:00")
    waiting = cli.log(received="2026-09-29T10:00")
    cli("pause", waiting, "--reason", "customer_materials", "--at", "2026-09-29T11:00")
    aging = json.loads(_same(cli, "report", "aging", "--as-of", "2026-10-01T12:00", "-f", "json")[1])
    assert aging[-1]["total"] == 4 and aging[0]["tier"] == "general" and aging[0]["total"] == 3
    _same(cli, "report", "aging", "--as-of", "2026-10-01T12:00")
    _same(cli, "--lang", "zh", "report", "aging", "--as-of", "2026-10-01T12:00", "-f", "csv")
    out = _same(cli, "report", "sla", "--from", "2026-09-01", "--to", "2026-09-30")[1].decode()
    assert out.rstrip().endswith("Open cases that have already breached a deadline: 2"), out
    # Today the first is decided and the reopened one is open again, on a new clock.
    now = json.loads(_same(cli, "report", "aging", "-f", "json")[1])
    assert now[-1]["total"] == 4  # the reopened one, the one received on 10-05, the urgent and the paused ones
    monthly = json.loads(RUN(["--db", str(cli.db), "report", "monthly", "--month", "2026-09", "--format", "json"]).stdout)
    assert monthly["aging"][-1]["total"] == 4 and monthly["open_breached"] == 2


def test_a_table_of_aging_as_of_a_moment_names_it_in_its_title(cli):
    """`--as-of 2026-10-31` is 00:00 of that day, where the monthly report's October is counted at
    11-01 00:00: the two differed with nothing on the page to say why. The title names the moment,
    both ways, in both languages."""
    cli.log(received="2026-10-20T10:00")
    out = _same(cli, "report", "aging", "--as-of", "2026-10-31")[1].decode()
    assert out.startswith("Open cases by age (working days) as of 2026-10-31 00:00\n")
    zh = _same(cli, "--lang", "zh", "report", "aging", "--as-of", "2026-10-31 18:00")[1].decode()
    assert zh.startswith("截至 2026-10-31 18:00 未结投诉账龄（工作日）\n")
    assert _same(cli, "report", "aging")[1].decode().startswith("Open cases by age (working days)\n")
