"""The lean `show` and `list` (complaintctl_cli/lean.py) write exactly what the full Typer path
writes, byte for byte, stdout and stderr, and hand every run they do not answer to the full path."""
from __future__ import annotations

import json
import os

import pytest

from complaintctl_cli import lean
from tests.cli.test_lean_overdue import _register, _run, heavy_imports
from tests.conftest import RUN

AS_OF = "2026-05-20T09:00"


def _same(cli, *args: str, env: dict | None = None) -> tuple[int, bytes, bytes]:
    argv = ["--db", str(cli.db), *args]
    full = _run(argv, lean_way=False, env=env)
    assert _run(argv, lean_way=True, env=env) == full, args
    return full


def test_the_lean_show_and_list_write_the_same_bytes_as_the_full_way(cli):
    """`show` of every kind of case of the overdue report's register (cycles, a pause, an extension,
    a review, a reopened case, a withdrawn one) and a related case, in both formats, both languages,
    80 and 120 columns; a deadline in a provisional year warns on stderr both ways. `list` of the
    same register, open or all, paged or not, in every format."""
    _register(cli)
    related = cli.log("--related", "C-2026-000008", received="2026-05-19T11:00")
    provisional = cli.log(received="2026-05-20T08:00")
    cli.sql("update cases set regulatory_due_at = '2099-02-01 00:00:00.000000' where reference = :r"
            if cli.backend == "sqlite" else
            "update cases set regulatory_due_at = '2099-02-01 00:00:00' where reference = :r", r=provisional)
    refs = [f"C-2026-{n:06d}" for n in range(1, 13)] + [related, provisional]
    for i, ref in enumerate(refs):
        lang, columns = ("en", "zh")[i % 2], ("80", "120")[i // 2 % 2]
        code, out, err = _same(cli, "--lang", lang, "show", ref, "--as-of", AS_OF, env={"COLUMNS": columns})
        assert code == 0 and ref.encode() in out
        if i % 3 == 0:  # every other field of the case is in the table above
            assert json.loads(_same(cli, "show", ref, "--as-of", AS_OF, "--json")[1])["case"]["reference"] == ref
        if ref == provisional:
            assert b"2099" in err
    reopened = json.loads(_same(cli, "show", "C-2026-000008", "--as-of", AS_OF, "-f", "json")[1])
    assert [c["opened_by"] for c in reopened["cycles"]] == ["log", "reopen"]
    assert json.loads(_same(cli, "show", related, "--format=json", "--as-of", AS_OF)[1])["case"]["related"] == \
        "C-2026-000008"
    _same(cli, "--lang", "zh", "show", "8", "--as-of", AS_OF, env={"COLUMNS": "80"})  # by its id
    # Acting for a manager. (Clocks read at a fixed moment: read now, the two runs could straddle a
    # minute and differ in the time left.)
    _same(cli, "--as", "zhangwei", "show", "C-2026-000009", "--as-of", AS_OF)
    for lang, columns in (("en", "80"), ("zh", "120")):
        env = {"COLUMNS": columns}
        table = _same(cli, "--lang", lang, "list", "--as-of", AS_OF, env=env)[1].decode()
        assert "C-2026-000014" in table and "C-2026-000011" not in table  # open cases only; not the withdrawn
        _same(cli, "--lang", lang, "list", "--all", "--as-of", AS_OF, env=env)
        code, out, err = _same(cli, "--lang", lang, "list", "--all", "--limit", "3", "--as-of", AS_OF, env=env)
        assert out.count(b"C-2026-") == 3 and b"11" in err  # 14 cases, 3 shown: the rest counted
    rows = json.loads(_same(cli, "list", "--all", "--as-of", AS_OF, "-f", "json")[1])
    assert len(rows) == 14 and rows[0]["reference"] == provisional
    _same(cli, "list", "--as-of", AS_OF, "--format=csv")
    _same(cli, "list", "--limit", "2", "--format", "jsonl")


# list's filters, alone and together (each in the lean way's statements, joined at run time)
FILTERED = [
    ["--status", "paused"], ["--status", "暂停"], ["--status", "closed", "--all"], ["--tier", "urgent"],
    ["--tier", "紧急", "--all"], ["--channel", "hotline", "--product", "wealth_management"],
    ["--channel", "counter"], ["--product", "wealth_management"], ["--assignee", "wangfang"], ["--branch", "BR007"], ["--branch", " BR007 ", "--all"],
    ["--overdue"], ["--overdue", "--all", "--tier", "general"], ["--due-soon"], ["--stale"],
    ["--due-soon", "--stale"], ["--stale", "--assignee", "sunli"], ["--branch", "BR007", "--assignee", "wangfang",
                                                                         "--overdue", "--limit", "1"],
    ["--status", "under_review", "--stale"], ["--tier", "general", "--status", "in_progress", "--all"],
]


def test_the_lean_list_with_filters_writes_the_same_bytes_as_the_full_way(cli):
    """Every filter of `list`, alone and combined, in each format and language, paged or not:
    the lean way joins the filters' conditions compiled apart (dbapi.Reader.filtered) and must
    give the rows, the count and the bytes the full way gives."""
    _register(cli)
    late = cli.log("--branch", "BR007", received="2026-03-20T10:00")
    cli("assign", late, "--to", "wangfang", "--at", "2026-03-20T11:00")
    cli.log("--branch", "BR007", "--channel", "counter", received="2026-05-19T16:00")
    seen = set()
    for i, filters in enumerate(FILTERED):
        lang, columns = ("en", "zh")[i % 2], ("80", "120")[i // 2 % 2]
        code, out, err = _same(cli, "--lang", lang, "list", *filters, "--as-of", AS_OF, env={"COLUMNS": columns})
        assert code == 0
        rows = json.loads(_same(cli, "list", *filters, "--as-of", AS_OF, "-f", "json")[1])
        seen.add(len(rows))
        _same(cli, "list", *filters, "--as-of", AS_OF, "-f", "csv")
    assert len(seen) >= 5  # the filters select different cases, none and some
    rows = json.loads(_same(cli, "list", "--branch", "BR007", "--assignee", "wangfang", "--overdue", "--as-of", AS_OF,
                            "-f", "json")[1])
    assert [r["reference"] for r in rows] == [late]
    mine = json.loads(_same(cli, "--as", "wangfang", "list", "--mine", "--as-of", AS_OF, "-f", "json")[1])
    assert mine and {r["assignee"] for r in mine} == {"wangfang"}
    code, out, err = _same(cli, "list", "--tier", "general", "--limit", "2", "--as-of", AS_OF)
    assert out.count(b"C-2026-") == 2 and b"more" in err
    # A paused case: the time left on the regulator's clock, and due soon the day that deadline falls.
    waiting = cli.log(received="2026-05-06T10:00")
    cli("pause", waiting, "--reason", "customer_materials", "--at", "2026-05-07T10:00")
    paused = json.loads(_same(cli, "list", "--status", "paused", "--as-of", AS_OF, "-f", "json")[1])
    assert next(r for r in paused if r["reference"] == waiting)["time_left"]
    _same(cli, "--lang", "zh", "list", "--status", "paused", "--as-of", AS_OF, env={"COLUMNS": "80"})
    soon = [r["reference"] for r in json.loads(_same(cli, "report", "due-soon", "--as-of", "2026-05-21T09:00",
                                                     "-f", "json")[1])]
    assert waiting in soon
    assert waiting.encode() in _same(cli, "list", "--due-soon", "--as-of", "2026-05-21T09:00")[1]
    _same(cli, "report", "overdue", "--include-due-soon", "--as-of", "2026-05-21T09:00")
    # Asked of a past moment, list leaves out what had not been received by then (as the reports do),
    # with or without filters, and counts it out of its total too.
    before = json.loads(_same(cli, "list", "--all", "--as-of", "2026-05-19T15:59", "-f", "json")[1])
    at_receipt = json.loads(_same(cli, "list", "--all", "--as-of", "2026-05-19T16:00", "-f", "json")[1])
    new = [r for r in at_receipt if r["reference"] not in {b["reference"] for b in before}]
    assert [r["received_at"] for r in new] == ["2026-05-19T16:00:00+08:00"] and len(at_receipt) == len(before) + 1
    assert all(r["received_at"] <= "2026-05-19T16:00:00+08:00" for r in at_receipt)
    assert not json.loads(_same(cli, "list", "--branch", "BR007", "--as-of", "2026-03-20T09:00", "-f", "json")[1])
    code, out, err = _same(cli, "list", "--all", "--limit", "1", "--as-of", "2026-03-20T09:00")
    assert b"more" in err and str(len(json.loads(_same(cli, "list", "--all", "--as-of", "2026-03-20T09:00",
                                                         "-f", "json")[1])) - 1).encode() in err


def test_the_lean_list_find_and_reports_write_a_file_as_the_full_way_does(cli, tmp_path):
    """--output (a table at full width, CSV with or without --excel, JSON) and its refusals (the
    database itself, a folder, a missing folder): the same file, mode, message and exit code."""
    _register(cli)
    target = tmp_path / "out"
    window = ["--from", "2026-03-01", "--to", "2026-05-31"]
    for args in (["list", "--tier", "general", "-f", "csv", "--excel"], ["list", "--all", "--overdue"],
                 ["find", "--phone", "13812345678", "-f", "csv"], ["report", "due-soon", "-f", "json", "--all"],
                 ["--lang", "zh", "list", "--status", "paused", "-f", "jsonl"], ["report", "aging", "-f", "csv"],
                 ["report", "summary", *window], ["report", "summary", *window, "-f", "csv", "--excel"],
                 ["report", "sla", *window, "-f", "json"], ["--lang", "zh", "report", "sla", *window],
                 ["report", "overdue"], ["--lang", "zh", "report", "overdue", "--include-due-soon", "--all"],
                 ["report", "overdue", "-f", "json", "--tier", "general"], ["report", "overdue", "-f", "csv", "--excel"],
                 ["report", "overdue", "-f", "jsonl", "--include-due-soon"],
                 ["report", "overdue", "-f", "csv", "--excel", "--include-due-soon"],
                 ["list", "--all", "--limit", "2"], ["report", "overdue", "--limit", "3"]):
        made = []
        dated = [] if "summary" in args or "sla" in args else ["--as-of", AS_OF]
        for lean_way in (True, False):
            target.unlink(missing_ok=True)
            code, out, err = _run(["--db", str(cli.db), *args, *dated, "--output", str(target)], lean_way=lean_way)
            made.append((code, out, err, target.read_bytes(), oct(target.stat().st_mode & 0o777)))
        assert made[0] == made[1] and made[0][0] == 0 and made[0][3], args
        assert made[0][1] == b"", args  # every section in the file, nothing on stdout
        if "summary" in args and "csv" not in args:  # its three tables, one file
            assert b"Top root causes" in made[0][3] and b"Repeat complainants" in made[0][3]
        if "overdue" in args and "report" in args and "-f" not in args:  # the count line above the table, in the file
            assert made[0][3].decode().splitlines()[0].startswith(("Overdue as of", "截至")), made[0][3][:80]
        if "--excel" in args:
            assert made[0][3].startswith("\ufeff".encode()), args
        if "--limit" in args:  # a table cut short says so in the file, and on stderr
            assert made[0][3].decode().splitlines()[-1].endswith("more rows not shown: give --limit N for more (csv and json carry every row)")
            assert made[0][2].decode().endswith("more rows not shown: give --limit N for more (csv and json carry every row)\n"), made[0][2]
        if "sla" in args and "json" not in args:  # the table and the line under it
            assert "已超时的未结案件".encode() in made[0][3] or b"already breached" in made[0][3]
    # --output - is standard output, as for most tools (a file named "-" before), both ways
    for args in (["list", "-f", "csv"], ["report", "overdue", "-f", "csv"], ["report", "due-soon", "-f", "json"]):
        for dash in ("-", "./-"):  # (a path reads `./-` as `-`: the same both ways)
            code, out, err = _same(cli, *args, "--as-of", AS_OF, "--output", dash)
            assert code == 0 and out == _same(cli, *args, "--as-of", AS_OF)[1] and out
    assert not (tmp_path / "-").exists() and not os.path.exists("-")
    for bad in (str(cli.db), str(tmp_path), str(tmp_path / "none" / "x.csv")):
        if cli.backend != "sqlite" and bad == str(cli.db):
            continue
        argv = ["--db", str(cli.db), "list", "-f", "csv", "--output", bad]
        with RUN.isolation() as (out, err, _):  # refused before anything is read: the full way says why
            assert lean.run(argv) is False
            assert out.getvalue() == err.getvalue() == b""
        code, out, err = _run(argv, lean_way=False)
        assert code == 2 and err.startswith(b"complaintctl: error: invalid --output") and err.count(b"\n") == 1


def test_the_lean_find_writes_the_same_bytes_as_the_full_way(cli):
    """`find` by each kind of identifier, written any way, in each format and language: the lean
    way looks the customer up as the backend's adapter does (find_cases; on PostgreSQL the owner's
    function) and lists their cases with list's statement."""
    _register(cli)
    other = cli.log("--customer", "李四", "--phone", "139 0000 1111", "--account", "6222 0200 0012 3456",
                    "--id-number", "11010519491231002X", received="2026-05-19T09:00")
    cli("resolve", other, "--resolution", "已处理", "--at", "2026-05-19T15:00")  # closed ones are found too
    for i, args in enumerate([["--phone", "+86 138-1234-5678"], ["--phone", "13900001111"],
                              ["--account", "6222-0200-0012-3456"], ["--name", "李四"], ["--name", "nobody"],
                              ["--id-number", "11010519491231002x"]]):
        lang, columns = ("en", "zh")[i % 2], ("80", "120")[i // 2 % 2]
        code, out, err = _same(cli, "--lang", lang, "find", *args, "--as-of", AS_OF, env={"COLUMNS": columns})
        assert code == 0
        rows = {r["reference"] for r in json.loads(_same(cli, "find", *args, "--as-of", AS_OF, "-f", "json")[1])}
        if args[1] == "nobody":
            assert rows == set()
        elif args[1] == "+86 138-1234-5678":
            assert len(rows) == 12 and other not in rows  # the register's caller, every case of theirs
        else:
            assert rows == {other}, args  # by phone, account, name or identity number: 李四's one case
        _same(cli, "find", *args, "--as-of", AS_OF, "-f", "csv")
    assert len(json.loads(_same(cli, "find", "--phone", "13812345678", "-f", "json", "--as-of", AS_OF)[1])) == 12


WORDED_BY_THE_FULL_WAY = [
    ["show", "C-2026-000099"],                 # no such case (exit 2)
    ["show", "C-2025-000001"],                 # an id that exists, under another reference
    ["show", "C-2026-01"],                     # malformed
    ["show", "1", "--as-of", "tomorrow"],
    ["find"],                                  # no identifier
    ["find", "--phone", "1", "--name", "x"],   # two
    ["find", "--phone", "12"],                 # not a phone
    ["find", "--account", "6222"],             # nor an account (echoed masked)
    ["show", "1", "--format", "csv"],
    ["--as", "ghost", "show", "1"],            # not staff (exit 4)
]
FULL_WAY = [
    ["show", "1", "--reveal"],                 # records its event
    ["show"],
    ["show", "1", "2"],
    ["show", "1", "--help"],
    ["show", "--", "1"],
    ["show", "1", "--db", "x.db"],             # a global option after the command
    ["list", "--branch", "BR00"],              # no case has it: the full way asks "did you mean"
    ["list", "--assignee", "nobody"],          # nor this (the full way lists nothing)
    ["list", "--mine", "--assignee", "wangfang"],  # refused by the full way
    ["list", "--status", "nonesuch"],
    ["list", "--output", "x.json", "-f", "json", "--excel"],  # refused by the full way
    ["list", "-f", "table", "--excel"],
    ["list", "--limit", "0"],                  # refused by the full way
    ["list", "--format", "xlsx"],
    ["list", "--as-of", "tomorrow"],
    ["list", "x"],
    ["find", "--phone", "13812345678", "-f", "jsonl", "--excel"],
    ["find", "--phone", "13812345678", "--format", "xlsx"],
]


def test_anything_the_lean_show_does_not_answer_goes_the_full_way_which_words_any_error(cli):
    cli.staff()
    cli.log()
    for args in WORDED_BY_THE_FULL_WAY + FULL_WAY:
        with RUN.isolation() as (out, err, _):
            assert lean.run(["--db", str(cli.db), *args]) is False, args
            assert out.getvalue() == b"" and err.getvalue() == b""
    for args in WORDED_BY_THE_FULL_WAY + [["list", "--status", "nonesuch"]]:
        code, _, err = _run(["--db", str(cli.db), *args], lean_way=False)
        assert code in (2, 4) and err.startswith(b"complaintctl: error: ") and err.count(b"\n") == 1, args
    cli("masking", "off", "--reason", "监管检查")  # the view would read personal data in full
    with RUN.isolation():
        assert lean.run(["--db", str(cli.db), "show", "1"]) is False


@pytest.mark.sqlite_only
def test_the_lean_show_and_list_load_no_orm_nor_typer(cli):
    cli.log(received="2026-03-02T10:00")
    assert heavy_imports(cli.db, ["show", "C-2026-000001", "--as-of", AS_OF], ["show", "1", "--json"],
                         ["list", "--all", "--limit", "5"], ["list", "-f", "csv"],
                         ["list", "--tier", "general", "--overdue", "--stale", "--as-of", AS_OF],
                         ["find", "--phone", "13812345678"]) == []


def test_a_stream_left_unfinished_closes_quietly_after_its_connection(cli):
    """A reader who goes away (`list --all -f csv | head -1`) leaves the rows' stream unfinished; the
    connection is closed first, and closing the stream then must not raise (Python printed
    "Exception ignored ... Cannot operate on a closed database" under the user's output)."""
    from complaintctl.dbapi import Reader

    cli.log(received="2026-03-02T10:00")
    cli.log(received="2026-03-03T10:00")
    db = Reader.open(str(cli.db) if cli.backend == "postgresql" else f"sqlite:///{cli.db}", 5)
    rows = db.stream("list_all")
    assert next(rows)
    db.close()
    rows.close()
