"""The lean `report overdue` and `export --format csv` (complaintctl_cli/lean.py) write exactly what
the full Typer path writes, byte for byte, and hand every run they do not answer to the full path."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from complaintctl_cli import lean
from tests.conftest import RUN

AS_OF = "2026-05-20T09:00"


def _register(cli) -> None:
    """Every open state, tier, pause and an extension, the handler below the tier, closed ones
    that must not appear, Chinese text; with nothing on time as well as much overdue."""
    cli.staff()
    general = cli.log(received="2026-03-02T10:00")
    cli("assign", general, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("respond", general, "--text", "已联系客户", "--at", "2026-03-02T15:00")  # in progress
    important = cli.log("--tier", "important", "--customer", "欧阳娜娜", received="2026-03-03T16:00")
    cli("assign", important, "--to", "wangfang", "--override", "--reason", "人手不足", "--at", "2026-03-04T09:00")  # below the tier
    cli.log("--tier", "urgent", received="2026-03-09T08:00")  # the 24-hour plan never given
    urgent = cli.log("--tier", "urgent", received="2026-03-10T08:00")
    cli("assign", urgent, "--to", "sunli", "--at", "2026-03-10T09:00")
    cli("respond", urgent, "--text", "应急方案", "--at", "2026-03-10T20:00")  # plan given, follow-ups stale
    paused = cli.log(received="2026-03-11T10:00")
    cli("pause", paused, "--reason", "customer_materials", "--at", "2026-03-12T10:00")
    appraisal = cli.log(received="2026-03-12T10:00")
    cli("pause", appraisal, "--reason", "appraisal", "--at", "2026-03-13T10:00")  # both clocks stopped: not listed
    extended = cli.log(received="2026-04-01T10:00")
    cli("--as", "zhangwei", "extend", extended, "--to", "30", "--reason", "需调取录音",
        "--customer-told-at", "2026-04-05T10:00", "--at", "2026-04-05T10:00")
    reopened = cli.log(received="2026-03-16T10:00")
    cli("resolve", reopened, "--resolution", "ok", "--at", "2026-03-17T10:00")
    cli("reopen", reopened, "--reason", "不满意", "--at", "2026-03-18T10:00")
    reviewed = cli.log(received="2026-03-02T10:00")
    cli("resolve", reviewed, "--resolution", "退还", "--at", "2026-03-09T10:00")
    cli("review", reviewed, "--requested-at", "2026-03-10T10:00", "--reviewer", "sunli")  # the review's 30 days
    closed = cli.log(received="2026-03-02T10:00")
    cli("resolve", closed, "--resolution", "ok", "--at", "2026-03-03T10:00")
    withdrawn = cli.log(received="2026-03-03T10:00")
    cli("withdraw", withdrawn, "--reason", "客户撤回", "--at", "2026-03-05T10:00")
    cli.log(received="2026-05-19T10:00")  # not yet due


def _run(argv: list[str], *, lean_way: bool | None, env: dict | None = None) -> tuple[int, bytes, bytes]:
    """One run in this process, the lean way (which must answer it) or the full way; `lean_way`
    None: as the console script runs it, the lean way first, what it does not answer the full way."""
    with RUN.isolation(env=env) as (out, err, _):
        try:
            if lean_way:
                assert lean.run(argv), f"the lean path handed {argv} to the full path"
            elif lean_way is False or not lean.run(argv):
                RUN.command.main(args=argv, prog_name="complaintctl")
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue(), err.getvalue()


def _same(cli, *args: str, env: dict | None = None) -> bytes:
    argv = ["--db", str(cli.db), *args]
    full = _run(argv, lean_way=False, env=env)
    assert _run(argv, lean_way=True, env=env) == full
    return full[1]


def test_the_lean_report_writes_the_same_bytes_in_every_format_width_and_language(cli):
    assert b"Overdue as of" in _same(cli, "report", "overdue", "--as-of", AS_OF, "--fail-on-overdue")  # none yet
    _register(cli)
    for lang in ("en", "zh"):
        base = ["--lang", lang, "report", "overdue", "--as-of", AS_OF]
        for columns in ("80", "120", None):  # None: piped, no COLUMNS (120)
            env = {"COLUMNS": columns}
            table = _same(cli, *base, env=env).decode()
            assert "C-2026-000001" in table and "C-2026-000011" not in table  # the closed case is not listed
            _same(cli, *base, "--all", env=env)
            _same(cli, *base, "--limit", "3", env=env)
            soon = _same(cli, *base[:-1], "2026-05-22T09:00", "--include-due-soon", "--limit", "20", env=env).decode()
            assert "C-2026-000012" in soon and ": 0" not in soon.splitlines()[1]  # the case of 05-19, due soon
            assert ("Overdue and due-soon complaints" in soon) is (lang == "en")  # the title says what is listed
            assert ("超时及即将到期投诉" in soon) is (lang == "zh")
        rows = json.loads(_same(cli, *base, "--format", "json"))
        assert len(rows) == 8 and {r["status"] for r in rows} >= {"paused", "reopened", "under_review", "in_progress"}
        _same(cli, *base, "-f", "csv")
        _same(cli, *base[:-1], "2026-05-22T09:00", "-f", "csv", "--include-due-soon")
        _same(cli, *base, "--format=jsonl", "--fail-on-overdue")
    code, _, err = _run(["--db", str(cli.db), "report", "overdue", "--as-of", AS_OF, "--fail-on-overdue"], lean_way=True)
    assert code == 3 and err.decode().splitlines()[-1].startswith("complaintctl: error: ")
    assert err.decode().startswith("left out to fit 120 columns: ")  # (a pipe, as cron's mail, is told too)
    _same(cli, "--as", "zhangwei", "report", "overdue", "--as-of", AS_OF, "--all")
    # The lean export, to stdout (tests/cli/test_export_copy.py compares files, odd cells, zones)
    assert _same(cli, "export", "--format", "csv").count(b"\r\n") == 15  # the header and a row a cycle
    assert _same(cli, "export", "-f", "csv", "--excel").startswith("\ufeffid,reference,".encode())
    lines = _same(cli, "export").decode().splitlines()  # JSONL: one case a line, its cycles inside
    assert len(lines) == 12 and all(json.loads(line)["cycles"] for line in lines)  # 14 cycles of 12 cases
    assert _same(cli, "export", "--from", "2026-03-10", "--to", "2026-03-16").count(b"\n") == 4  # the 10th to the 16th
    assert _same(cli, "export", "-f", "csv", "--from", "2026-03-10", "--to", "2026-03-16").count(b"\r\n") == 6


def test_the_lean_report_with_filters_writes_the_same_bytes_as_the_full_way(cli):
    """report overdue's and due-soon's filters (branch, assignee, tier, channel, product), alone and
    together, in each format, with --include-due-soon and --fail-on-overdue: the lean way joins
    their conditions into the report's statements (dbapi.Reader.filtered), the finished-text CSV's
    included, and must give the bytes and exit code the full way gives."""
    _register(cli)
    branch = cli.log("--branch", "BR007", "--tier", "important", received="2026-03-20T10:00")
    cli("assign", branch, "--to", "zhangwei", "--at", "2026-03-20T11:00")
    cli.log("--branch", "BR007", "--channel", "counter", received="2026-05-19T16:00")  # due soon
    for i, filters in enumerate([["--tier", "urgent"], ["--assignee", "wangfang"], ["--branch", "BR007"],
                                 ["--channel", "hotline", "--product", "wealth_management"], ["--tier", "紧急"],
                                 ["--branch", "BR007", "--assignee", "zhangwei", "--tier", "important"],
                                 ["--channel", "counter"]]):
        lang = ("en", "zh")[i % 2]
        base = ["--lang", lang, "report", "overdue", "--as-of", AS_OF, *filters]
        _same(cli, *base, env={"COLUMNS": ("80", "120")[i // 2 % 2]})
        _same(cli, *base[:5], "2026-05-22T09:00", *filters, "--include-due-soon", "--limit", "5")
        rows = json.loads(_same(cli, *base, "-f", "json"))
        csv = _same(cli, *base, "-f", "csv")
        assert csv.count(b"\r\n") == len(rows) + 1
        assert _run(["--db", str(cli.db), *base, "-f", "csv", "--fail-on-overdue"], lean_way=True)[0] == (3 if rows else 0)
        _same(cli, "--lang", lang, "report", "due-soon", "--as-of", "2026-05-22T09:00",
              *[f for f in filters if f not in ("--channel", "--product", "counter", "hotline", "wealth_management")])
    rows = json.loads(_same(cli, "report", "overdue", "--as-of", AS_OF, "--branch", "BR007", "-f", "json"))
    assert [r["reference"] for r in rows] == [branch]
    soon = json.loads(_same(cli, "report", "due-soon", "--as-of", "2026-05-22T09:00", "--tier", "general", "-f", "json"))
    assert soon and {r["tier"] for r in soon} == {"general"}


FULL_WAY = [
    ["report", "overdue", "--status", "paused"],         # an option it does not take
    ["report", "overdue", "--branch", "BJ001"],          # a branch no case nor member of staff has
    ["report", "overdue", "--excel"],                    # --excel with a table: the full way refuses it
    ["report", "overdue", "--help"],
    ["--debug", "report", "overdue"],
    ["report", "overdue", "--limit", "0"],               # a bad value: the full path words the error
    ["report", "overdue", "--format", "xlsx"],
    ["report", "overdue", "--as-of", "tomorrow"],
    ["--as", "ghost", "report", "overdue"],              # not staff: the full path refuses it
    ["--lang", "fr", "report", "overdue"],
    ["report", "due-soon", "--channel", "hotline"],     # an option it does not take
    ["report", "due-soon", "--assignee", "nobody"],      # a handler no case nor member of staff has
    ["export", "--format", "json"],                      # a format export does not write
    ["export", "--excel"],                               # jsonl with --excel: refused by the full way
    ["export", "--format", "csv", "--from", "2026-05-01", "--to", "2026-04-01"],  # refused by the full way
    ["export", "--format", "csv", "--reveal"],
    ["export", "--format", "csv", "x"],
]


def test_anything_the_lean_report_does_not_answer_goes_the_full_way(cli):
    for args in FULL_WAY:
        with RUN.isolation() as (out, err, _):
            assert lean.run(["--db", str(cli.db), *args]) is False, args
            assert out.getvalue() == b"" and err.getvalue() == b""


def test_a_missing_database_goes_the_full_way_and_late_actions_are_listed_as_the_full_way_lists_them(cli, tmp_path):
    """The table's own section of late remediation actions (their cases' references, the first two
    then how many more), in both languages, the same bytes both ways; csv carries cases only."""
    assert lean.run(["--db", str(tmp_path / "none.db"), "report", "overdue"]) is False
    _register(cli)
    for title, due, cases in (("培训", "2026-05-10", ["1", "2", "3"]), ("话术", "2026-05-19", []),
                              ("not late", "2026-05-20", ["4"])):
        cli("action", "add", "--title", title, "--root-cause", "misselling", "--owner", "zhangwei", "--due", "2099-01-01",
            *[a for ref in cases for a in ("--case", ref)])
        # (due, and added, in the past the report is as of)
        cli.sql("update remediation_actions set due_on = :d, created_at = '2026-03-01 09:00:00' where title = :t",
                d=due, t=title)
    cli("action", "done", "1", "--evidence", "已培训", "--at", "2026-05-12T10:00")  # done late: no longer listed
    cli("action", "add", "--title", "late, open", "--root-cause", "fees", "--owner", "sunli", "--due", "2099-01-01",
        "--case", "5")
    cli.sql("update remediation_actions set due_on = '2026-04-01', created_at = '2026-03-01 09:00:00' "
            "where title = 'late, open'")
    for lang in ("en", "zh"):
        out = _same(cli, "--lang", lang, "report", "overdue", "--as-of", AS_OF, env={"COLUMNS": "80"}).decode()
        assert "C-2026-000005" in out.split("\n\n")[-1] and "not late" not in out and "培训" not in out
        _same(cli, "--lang", lang, "report", "overdue", "--as-of", AS_OF, "--tier", "urgent")
    assert "late, open" not in _same(cli, "report", "overdue", "--as-of", AS_OF, "-f", "csv").decode()
    # The table written to a file holds the whole report: the count line, the cases, the late actions.
    table = _same(cli, "report", "overdue", "--as-of", AS_OF)
    target = tmp_path / "overdue.txt"
    assert cli("report", "overdue", "--as-of", AS_OF, "--output", str(target)).stdout == ""
    written = target.read_text(encoding="utf-8")
    assert written.splitlines()[0] == table.decode().splitlines()[0] and "late, open" in written
    assert "C-2026-000005" in written.split("\n\n")[-1]


HEAVY = ("sqlalchemy", "sqlmodel", "typer", "click", "alembic", "pydantic")


def heavy_imports(db, *runs: list[str]) -> list[str]:
    """The heavy packages (HEAVY) a fresh process has loaded after running each of `runs` (the
    arguments after --db) the lean way; each run must have been answered the lean way."""
    probe = "import sys; from complaintctl_cli import lean; " + "".join(
        f"assert lean.run(['--db', {str(db)!r}, *{args!r}]), {args!r}; " for args in runs) + \
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return ast.literal_eval(out.splitlines()[-1])  # the list of names the probe printed


@pytest.mark.sqlite_only
def test_the_lean_reports_and_export_load_neither_sqlalchemy_nor_typer(cli, tmp_path):
    cli.log(received="2026-03-02T10:00")
    assert heavy_imports(cli.db, ["report", "overdue", "--as-of", AS_OF], ["report", "overdue", "--as-of", AS_OF, "-f", "csv"],
                         ["report", "overdue", "--as-of", AS_OF, "--output", str(tmp_path / "overdue.txt")],
                         ["report", "sla", "--from", "2026-03-01", "--to", "2026-03-31"], ["export", "-f", "csv"],
                         ["export"], ["export", "--from", "2026-03-01", "--to", "2026-03-31"]) == []


def test_the_csv_comes_out_of_the_database_as_finished_text(cli, tmp_path):
    """--format csv is the finished-text query (complaintctl/finished.py; COPY on PostgreSQL), on
    both backends: the same bytes as the full way, to stdout or --output, and exit 3 when asked."""
    _register(cli)
    argv = ["--db", str(cli.db), "report", "overdue", "--as-of", AS_OF, "--format", "csv"]
    with RUN.isolation():
        prepared = lean._prepare(lean.parse(argv))
        prepared[1].close()
    assert isinstance(prepared[0], lean.Finished)
    full = _same(cli, *argv[2:])
    assert full.count(b"\r\n") == 9 and b",true,internal+regulatory," in full
    out = tmp_path / "overdue.csv"
    assert _run([*argv, "--output", str(out), "--fail-on-overdue"], lean_way=True)[:2] == (3, b"")
    assert out.read_bytes() == full
