"""The tool's own export read back by `import`: an administrator's unmasked CSV export of a database
holding every state, tier and step of the procedure imports into a fresh database as the same
cases, and exports again the same, but for what cannot survive (ROUND_TRIP_LOST, also in README)."""
import csv
import io
import json
import shutil

import pytest

from tests.conftest import Cli

# What an export does not carry, so an import cannot give back: the audit trail itself (every
# event's text, actor, time and hash: the imported case has one import event), a case's link to a
# related case, and when it was last escalated. Row ids survive in a fresh database (a case keeps
# its reference, and so its number); the cycles' own row ids are not exported (their holders, who
# held the case when each was decided, are: cycle_assignee, cycle_department).
ROUND_TRIP_LOST = ("events", "related_case_id", "last_escalated_at")


def _history(cli: Cli) -> None:
    """A small register with every state, tier and step of the procedure."""
    cli.staff()
    cli("staff", "add", "liuyang", "--role", "manager", "--branch", "BJ002")
    at = lambda day, hour="10:00": f"2026-03-{day:02d}T{hour}"  # noqa: E731
    refs = [cli.log("--tier", tier, received=at(2 + i)) for i, tier in enumerate(
        ["general", "important", "urgent", "general", "general", "general", "important", "general", "general"])]
    general, important, urgent, paused, withdrawn, reviewed, extended, reopened, repeated = refs
    cli("assign", general, "--to", "wangfang", "--with", "zhangwei", "--department", "个人金融部", "--at", at(2, "11:00"))
    cli("respond", general, "--text", "已联系", "--at", at(2, "12:00"))
    cli("assign", important, "--to", "zhangwei", "--at", at(3, "11:00"))
    cli("respond", urgent, "--text", "应急方案", "--at", at(4, "12:00"))  # in progress, the plan given
    cli("assign", paused, "--to", "wangfang", "--at", at(5, "11:00"))
    cli("pause", paused, "--reason", "appraisal", "--at", at(6))
    cli("resume", paused, "--at", at(9))
    cli("pause", paused, "--reason", "customer_materials", "--at", at(10))  # paused now
    cli("withdraw", withdrawn, "--reason", "客户撤回", "--at", at(7))
    cli("assign", reviewed, "--to", "wangfang", "--at", at(7, "11:00"))
    cli("resolve", reviewed, "--resolution", "退还手续费", "--root-cause", "fees", "--notified-via", "phone",
        "--facts", "收费未告知", "--basis", "合同第5条", "--relief", "review,litigation", "--at", at(9))
    cli("review", reviewed, "--requested-at", at(10), "--reviewer", "zhangwei")
    cli("--as", "zhangwei", "review-decide", reviewed, "--outcome", "upheld", "--text", "维持原决定", "--at", at(12))
    cli("assign", extended, "--to", "zhangwei", "--at", at(8, "11:00"))
    cli("--as", "zhangwei", "extend", extended, "--to", "30", "--approved-by", "zhangwei", "--reason", "需鉴定",
        "--customer-told-at", at(9), "--at", at(9))
    cli("escalate", reopened, "--to", "important", "--reason", "金额大", "--at", at(9, "12:00"))
    cli("assign", reopened, "--to", "zhangwei", "--at", at(9, "13:00"))
    cli("resolve", reopened, "--resolution", "已处理", "--at", at(11))
    cli("close", reopened, "--satisfaction", "unsatisfied", "--at", at(12))
    cli("reopen", reopened, "--reason", "不满意", "--at", at(13))  # reopened, its second cycle open
    cli("log", "--channel", "hotline", "--repeat-of", repeated, "--new-facts", "--description", "补充证据",
        "--received-at", at(11))
    done = cli.log(received=at(1))  # resolved late, then closed
    cli("resolve", done, "--resolution", "解释说明", "--at", at(20))
    cli("close", done, "--satisfaction", "satisfied", "--at", at(21))
    cli.log(received=at(16))  # received, nothing else


def _export(cli: Cli) -> str:
    return cli("export", "--format", "csv").stdout


def _source(tmp_path, sqlite_template) -> Cli:
    """The database the history is exported from (SQLite); the `cli` database, of either backend,
    is the fresh one it is imported into."""
    source = Cli(tmp_path / "source.db")
    shutil.copyfile(sqlite_template, source.db)
    return source


@pytest.fixture(scope="module")
def history_export(tmp_path_factory, sqlite_template) -> str:
    """The unmasked CSV export of _history, built once for both backends (in its own home, as the
    autouse fixture gives each test)."""
    folder = tmp_path_factory.mktemp("round_trip")
    with pytest.MonkeyPatch.context() as mp:
        home = folder / "home"
        for var, value in (("HOME", home), ("XDG_DATA_HOME", home / "data"), ("XDG_CONFIG_HOME", home / "config"),
                           ("LANG", "C.UTF-8")):
            mp.setenv(var, str(value))
        for var in ("COMPLAINTCTL_DB", "COMPLAINTCTL_CONFIG", "COMPLAINTCTL_OPERATOR", "LC_ALL", "LC_MESSAGES",
                    "NO_COLOR", "COLUMNS", "LINES"):
            mp.delenv(var, raising=False)
        mp.chdir(folder)
        config = home / "config" / "complaintctl" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('branch = "BJ001"\n', encoding="utf-8")
        old = _source(folder, sqlite_template)
        _history(old)
        old("masking", "off", "--reason", "管理员迁移数据库")
        return _export(old)


def test_the_unmasked_export_imports_into_a_fresh_database_and_exports_again_the_same(cli, tmp_path,
                                                                                     history_export):
    first = history_export
    rows = list(csv.DictReader(io.StringIO(first)))
    assert {r["status"] for r in rows} == {"received", "assigned", "in_progress", "paused", "withdrawn", "reviewed",
                                           "reopened", "closed"}
    assert {r["tier"] for r in rows} == {"general", "important", "urgent"}
    assert not set(ROUND_TRIP_LOST) & set(rows[0]), "an exported field is not lost: take it off the list"
    source = tmp_path / "export.csv"
    source.write_text(first, encoding="utf-8")

    cli.staff()
    cli("staff", "add", "liuyang", "--role", "manager", "--branch", "BJ002")
    cli("masking", "off", "--reason", "管理员迁移数据库")
    out = cli("import", str(source)).stdout
    cases = len({r["reference"] for r in rows})
    assert f"imported {len(rows)} of {len(rows)} rows ({cases} cases)" in out
    assert _export(cli) == first
    assert cli("db", "check").exit_code == 0

    # The same file again adds nothing: every reference is already there, and the rejects say so.
    again = cli("import", str(source), "--skip-invalid").stdout
    assert f"imported 0 of {len(rows)} rows" in again
    rejects = list(csv.DictReader((tmp_path / "export.rejects.csv").open(encoding="utf-8")))
    assert len(rejects) == len(rows) and {r["field"] for r in rejects} == {"reference"}
    assert rejects[0]["reason"] == f"{rows[0]['reference']} is already in the database: a reference is imported once"
    assert _export(cli) == first

    # The imported cases go on as any other: the paused one resumes, the reopened one is resolved,
    # and a new complaint is numbered after them.
    paused = next(r["reference"] for r in rows if r["status"] == "paused")
    cli("resume", paused, "--at", "2026-03-16T10:00")
    reopened = next(r["reference"] for r in rows if r["status"] == "reopened")
    cli("resolve", reopened, "--resolution", "补偿", "--at", "2026-03-16T11:00")
    assert cli.log(received="2026-03-17T10:00") == f"C-2026-{cases + 1:06d}"
    assert cli("db", "check").exit_code == 0


def test_a_window_of_the_export_keeps_its_numbers_and_db_check_knows_why_they_skip(cli, tmp_path, sqlite_template):
    old = _source(tmp_path, sqlite_template)
    refs = [old.log(received=f"2026-03-0{day}T10:00") for day in (2, 3, 4)]
    old("masking", "off", "--reason", "迁移")
    source = tmp_path / "window.csv"
    source.write_text(old("export", "--format", "csv", "--from", "2026-03-03").stdout, encoding="utf-8")
    cli("import", str(source))
    assert [r["reference"] for r in cli.json("list", "--all", "--format", "json")] == refs[:0:-1]
    assert cli("db", "check").exit_code == 0
    assert cli.log(received="2026-03-05T10:00") == "C-2026-000004"  # numbering goes on after them


@pytest.mark.parametrize("change, field, reason", [
    ({"reference": "R-1"}, "reference", "a reference as complaintctl writes it"),
    ({"status": "paused", "paused_at": ""}, "paused_at", "a case paused records it"),
    ({"cycle_number": "2"}, "cycle_number", "1: a case's cycles are numbered 1, 2, ... in order"),
    ({"cycle_opened_by": "magic"}, "cycle_opened_by", "log, reopen, new_facts, review"),
    # Each history field's own fault, every one (a count, an extension, a flag), the checks across them after:
    ({"reopen_count": "abc", "regulatory_extension_days": "7", "internal_breached": "maybe",
      "status": "paused", "paused_at": ""}, "reopen_count, regulatory_extension_days, internal_breached",
     "invalid reopen_count 'abc'"),
])
def test_history_that_the_tool_could_not_have_written_is_rejected_by_row_and_field(cli, tmp_path, change, field,
                                                                                    reason):
    ref = cli.log(received="2026-03-02T10:00")
    cli("masking", "off", "--reason", "迁移")
    rows = list(csv.DictReader(io.StringIO(_export(cli))))
    rows[0].update(change)
    source = tmp_path / "bad.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    r = cli("import", str(source), "--json", expect=2)
    [reject] = json.loads(r.stdout)["rejects"]
    assert (reject["row"], reject["field"]) == (1, field) and reason in reject["reason"], reject
    assert cli.json("list", "--all", "--format", "json")[0]["reference"] == ref  # only the original


def _rewritten(path, rows: list[dict], **change) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, **change} for r in rows)


def test_an_open_review_imported_is_one_its_reviewer_may_decide(cli, tmp_path, sqlite_template):
    """A case imported under review is decided here, by the reviewer the file names: the import
    checks that reviewer as `review` checks it (a higher level than the handler, not of a sibling
    branch, not the person complained about), or review-decide would be left to someone who could
    never have been named."""
    old = _source(tmp_path, sqlite_template)
    old.staff()
    ref = old.log(received="2026-03-02T10:00")
    old("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    old("resolve", ref, "--resolution", "退还手续费", "--at", "2026-03-03T10:00")
    old("review", ref, "--requested-at", "2026-03-04T10:00", "--reviewer", "zhangwei")
    old("masking", "off", "--reason", "迁移")
    rows = list(csv.DictReader(io.StringIO(_export(old))))
    assert rows[0]["status"] == "under_review" and rows[0]["assignee"] == "zhangwei"
    cli.staff()
    cli("staff", "add", "liuyang", "--role", "manager", "--branch", "BJ002")
    source = tmp_path / "review.csv"
    for change, reason in (({"reviewer": "wangfang", "assignee": "wangfang"}, "a manager or executive"),
                           ({"reviewer": "liuyang", "assignee": "liuyang"}, "a sibling branch"),
                           ({"complained_staff": "zhangwei"}, "the person complained about"),
                           ({"assignee": "sunli"}, "zhangwei is manager of BJ001")):
        _rewritten(source, rows, **change)
        r = cli("import", str(source), "--json", expect=2)
        rejects = json.loads(r.stdout)["rejects"]  # the case's rows, a cycle a row
        assert rejects and all((j["field"], reason in j["reason"]) == ("reviewer", True) for j in rejects), rejects
    assert cli("list", "--all", "--format", "csv").stdout.count("\n") == 1  # the header: nothing imported
    _rewritten(source, rows)
    cli("import", str(source))
    cli("--as", "zhangwei", "review-decide", ref, "--outcome", "upheld", "--text", "维持", "--at", "2026-03-05T10:00")
    assert cli.json("show", ref, "--json")["case"]["status"] == "reviewed"


def test_an_imported_deadline_left_empty_is_counted_and_one_before_the_15_days_refused(cli, tmp_path):
    """The examiner's rows: a case imported 'assigned' with its deadline columns empty had no
    deadline at all (open three months, overdue in no report); a resolved case whose regulatory
    deadline the file put before the 15 days was shown as met by show and late by the return."""
    cli.staff()
    src = tmp_path / "i.csv"
    header = "received_at,channel,product,category,phone,description,assignee,status,due_at,regulatory_due_at,resolved_at\n"
    src.write_text(header + "2026-09-01T10:00:00+08:00,hotline,deposit,fees,13800000000,x,wangfang,assigned,,,\n",
                   encoding="utf-8")
    cli("import", str(src))
    case = cli.json("list", "--all", "--format", "json")[0]
    assert case["regulatory_due_at"] == "2026-09-17T00:00:00+08:00" and case["due_at"] == "2026-09-05T00:00:00+08:00"
    assert case["reference"] in cli("report", "overdue", "--format", "csv", expect=None).stdout
    assert cli("db", "check").exit_code == 0
    early = tmp_path / "early.csv"
    early.write_text(header + "2026-08-20T10:00:00+08:00,hotline,deposit,fees,13800000000,x,wangfang,resolved,,"
                     "2026-09-01T00:00:00+08:00,2026-08-30T10:00:00+08:00\n", encoding="utf-8")
    r = cli("import", str(early), "--json", expect=2)
    [reject] = json.loads(r.stdout)["rejects"]
    assert reject["field"] == "regulatory_due_at" and "15 days from receipt (2026-09-04)" in reject["reason"], reject


def test_an_urgent_case_with_its_plan_given_imports_and_an_empty_deadline_keeps_the_rows_extension(cli, tmp_path):
    """Two of a fresh clone's rows: an urgent case whose plan was given, with no due_at column,
    stopped the import with a KeyError; an empty regulatory deadline beside an extension to 30 days
    was counted as the 15 days."""
    cli.staff()
    urgent = tmp_path / "u.csv"
    urgent.write_text("received_at,channel,product,category,branch,phone,description,tier,first_responded_at\n"
                      "2026-11-27T10:00:00+08:00,hotline,loan,other,BJ001,13812345678,x,urgent,"
                      "2026-11-27T12:00:00+08:00\n", encoding="utf-8")
    assert "imported 1 of 1 rows" in cli("import", str(urgent)).stdout
    extended = tmp_path / "e.csv"
    extended.write_text("reference,received_at,channel,product,category,tier,branch,phone,description,status,assignee,"
                        "regulatory_extension_days,due_at,regulatory_due_at\n"
                        "C-2026-000007,2026-11-20T10:00:00+08:00,hotline,loan,other,general,BJ001,13812345678,x,"
                        "assigned,wangfang,30,,\n", encoding="utf-8")
    cli("import", str(extended))
    case = cli.json("show", "C-2026-000007", "--json")["case"]
    assert case["regulatory_due_at"] == "2026-12-22T00:00:00+08:00"  # 30 days: Sun 12-20, so Mon 12-21 24:00
    assert cli("db", "check").exit_code == 0
    timeline = cli("--lang", "zh", "show", "C-2026-000007").stdout
    assert "沿用原编号：是" in timeline and "reference_kept" not in timeline
