"""Reports on a data set with known answers, in every format."""
import csv
import io
import json
import re
import shlex
from pathlib import Path

import pytest

AS_OF = "2026-03-06T12:00"


@pytest.fixture
def data(cli):
    cli.staff()
    a = cli.log("--customer", "=HYPERLINK(\"http://x\")", received="2026-03-02T10:00")
    b = cli.log("--tier", "important", "--product", "loan", "--phone", "13900001111", received="2026-03-02T10:00")
    c = cli.log("--tier", "urgent", "--product", "deposit", "--account", "6222021234567890", received="2026-03-04T10:00")
    d = cli.log("--product", "credit_card", "--category", "fees", received="2026-03-05T10:00")
    cli("assign", b, "--to", "zhangwei", "--at", "2026-03-02T11:00")
    cli("resolve", d, "--resolution", "退还年费", "--root-cause", "fees", "--at", "2026-03-06T10:00")
    return {"a": a, "b": b, "c": c, "d": d}


def test_overdue_lists_the_most_overdue_first_with_counts(cli, data):
    out = cli("report", "overdue", "--as-of", AS_OF).stdout
    assert out.splitlines()[0] == "Overdue as of 2026-03-06 12:00: 2 — General 1, Important 0, Urgent 1"
    rows = cli.json("report", "overdue", "--as-of", AS_OF, "--format", "json")
    assert [r["reference"] for r in rows] == [data["c"], data["a"]]
    assert rows[0]["breach"] == "response" and rows[0]["overdue_by"] == "26h 00m"
    assert rows[1]["breach"] == "internal" and rows[1]["overdue_by"] == "12h 00m"
    assert rows[1]["due_at"] == "2026-03-06T00:00:00+08:00"


def test_fail_on_overdue_exit_codes(cli, data):
    found = cli("report", "overdue", "--as-of", AS_OF, "--fail-on-overdue", "--format", "csv", expect=3)
    assert found.stderr == "complaintctl: error: 2 overdue case(s) found (--fail-on-overdue)\n"
    assert len(found.stdout.splitlines()) == 3  # the report is written in full before the exit
    r = cli("report", "overdue", "--as-of", "2026-03-03T12:00", "--fail-on-overdue", expect=0)
    assert "Overdue as of 2026-03-03 12:00: 0" in r.stdout
    # A file of every row counts the overdue cases from the rows themselves; due-soon rows do not count.
    cli("report", "overdue", "--as-of", "2026-03-03T12:00", "--fail-on-overdue", "--format", "csv", expect=0)
    soon = cli("report", "overdue", "--as-of", "2026-03-05T12:00", "--include-due-soon", "--fail-on-overdue",
               "--format", "jsonl", expect=3)
    assert [(json.loads(x)["reference"], json.loads(x)["overdue"]) for x in soon.stdout.splitlines()] == [
        (data["c"], True), (data["a"], False)]
    soon = cli("report", "overdue", "--as-of", "2026-03-05T12:00", "--include-due-soon", "--fail-on-overdue",
               "--tier", "general", "--format", "csv", expect=0)  # only a due-soon row: nothing overdue
    assert len(soon.stdout.splitlines()) == 2


def test_overdue_filters(cli, data):
    assert cli.json("report", "overdue", "--as-of", AS_OF, "--tier", "urgent", "--format", "json")[0]["reference"] == data["c"]
    assert cli.json("report", "overdue", "--as-of", AS_OF, "--assignee", "zhangwei", "--format", "json") == []


def test_include_due_soon_and_due_soon_report(cli, data):
    rows = cli.json("report", "due-soon", "--as-of", "2026-03-09T09:00", "--format", "json")
    assert [r["reference"] for r in rows] == [data["b"]]
    assert rows[0]["time_left"] == "15h 00m"
    rows = cli.json("report", "overdue", "--as-of", "2026-03-09T09:00", "--include-due-soon", "--format", "json")
    assert data["b"] in [r["reference"] for r in rows]


def test_csv_round_trips_with_chinese_and_neutralised_formulas(cli, data, tmp_path):
    target = tmp_path / "overdue.csv"
    cli("report", "overdue", "--as-of", AS_OF, "--format", "csv", "--output", str(target), "--excel")
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [data["c"], data["a"]]
    assert rows[1]["customer"] == "'=" + "*" * 21  # the name masked, and still no formula
    assert rows[1]["description"] == "理财产品风险未揭示"
    assert rows[0]["account"] == "622202******7890"
    assert rows[0]["received_at"] == "2026-03-04T10:00:00+08:00"
    assert not list(tmp_path.glob(".overdue.csv.*"))  # the temporary file was renamed into place


def test_jsonl_has_one_object_a_line(cli, data):
    lines = cli("report", "overdue", "--as-of", AS_OF, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["reference"] for x in lines] == [data["c"], data["a"]]


def test_table_limit_says_how_many_more(cli, data):
    r = cli("list", "--limit", "1")
    assert "2 more rows not shown" in r.stderr
    assert len(cli.json("list", "--limit", "1", "--format", "json")) == 3


def test_aging_buckets(cli, data):
    rows = {r["tier"]: r for r in cli.json("report", "aging", "--as-of", AS_OF, "--format", "json")}
    assert rows["general"]["3-5"] == 1  # A: Mon 10:00 -> Fri 12:00 is 4 working days + 2h
    assert rows["important"]["3-5"] == 1
    assert rows["urgent"]["1-3"] == 1
    assert rows["TOTAL"]["total"] == 3
    # In a table the total row reads as a word of the language; JSON and CSV keep the key.
    assert cli("report", "aging", "--as-of", AS_OF).stdout.splitlines()[-1].startswith("Total ")
    assert cli("--lang", "zh", "report", "aging", "--as-of", AS_OF).stdout.splitlines()[-1].startswith("合计 ")


def test_sla_figures(cli, data):
    cli("resolve", data["a"], "--resolution", "解释", "--at", "2026-03-06T15:00")  # late
    cli("respond", data["c"], "--text", "方案", "--at", "2026-03-06T15:00")
    cli("resolve", data["c"], "--resolution", "赔付", "--at", "2026-03-06T16:00")
    rows = {r["tier"]: r for r in cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")}
    assert rows["general"]["resolved"] == 2
    assert rows["general"]["within_internal_pct"] == 50.0
    assert rows["general"]["within_regulatory_pct"] == 100.0
    assert rows["urgent"]["urgent_response_pct"] == 0.0
    assert rows["TOTAL"]["resolved"] == 3
    out = cli("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "product").stdout
    assert "Credit cards" in out and "Open cases that have already breached a deadline: 1" in out  # B, at the end of the window


def test_summary_compares_with_the_previous_window(cli, data):
    cli.log("--product", "loan", received="2026-02-25T10:00")
    rep = cli.json("report", "summary", "--from", "2026-03-01", "--to", "2026-03-07", "--by", "product", "--format", "json")
    rows = {r["product"]: r for r in rep["rows"]}
    assert rows["wealth_management"]["received"] == 1
    assert rows["loan"] == {"product": "loan", "received": 1, "withdrawn": 0, "repeats": 0, "previous": 1, "change": 0,
                            "change_pct": 0.0}
    assert rep["repeat_complainants"] == [{"kind": "phone", "contact": "138****5678", "cases": 3}]
    assert rep["root_causes"] == [{"root_cause": "fees", "resolved": 1}]


def test_summary_root_causes_count_cases_resolved_not_decisions(cli):
    """A case resolved, reopened and resolved again counted twice, and a review's decision as a
    resolution, against report sla's count of the same window."""
    cli.staff()
    twice = cli.log("--category", "fees", received="2026-11-02T09:30")
    cli("resolve", twice, "--resolution", "x", "--root-cause", "fees", "--notified-via", "phone", "--at", "2026-11-04T10:00")
    cli("reopen", twice, "--reason", "客户不认可", "--at", "2026-11-05T10:00")
    cli("resolve", twice, "--resolution", "y", "--root-cause", "fees", "--notified-via", "phone", "--at", "2026-11-06T10:00")
    reviewed = cli.log("--category", "disclosure", received="2026-10-28T10:00")
    cli("resolve", reviewed, "--resolution", "x", "--root-cause", "disclosure", "--notified-via", "letter",
        "--at", "2026-10-30T10:00")
    cli("review", reviewed, "--requested-at", "2026-11-05T10:00", "--reviewer", "sunli")
    cli("--as", "sunli", "review-decide", reviewed, "--outcome", "changed", "--text", "x", "--at", "2026-11-20T10:00")
    rep = cli.json("report", "summary", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "tier", "--format", "json")
    assert rep["root_causes"] == [{"root_cause": "fees", "resolved": 1}]


def test_escalate_overdue_moves_one_tier_once_a_working_day(cli, data):
    out = cli("escalate", "--overdue", "--as-of", AS_OF).stdout
    assert f"{data['a']}: General -> Important" in out
    assert "1 overdue urgent case(s) need executive attention" in out
    assert cli.json("show", data["a"], "--json")["case"]["tier"] == "important"
    ev = cli.json("show", data["a"], "--json")["events"][-1]
    assert ev["action"] == "escalate" and ev["detail"].startswith("automatic: overdue")
    before = cli.dump()
    again = cli.json("escalate", "--overdue", "--as-of", "2026-03-06T18:00", "--json")
    assert again["escalated"] == []
    assert cli.dump() == before


def test_escalate_overdue_waits_for_a_working_day_and_runs_on_a_sunday_make_up_day(cli):
    """One tier a working day: run daily by cron (make-up working days fall on Sundays too, such as
    Sun 2026-09-20), on a rest day it escalates nothing and says why; the overdue urgent cases are
    still listed for executives."""
    late = cli.log(received="2026-09-10T10:00")  # general: due at the end of Mon 09-14
    urgent = cli.log("--tier", "urgent", received="2026-09-15T10:00")
    for moment in ("2026-09-19T18:00", "2026-10-03T18:00"):  # a Saturday; a National Day holiday
        if moment.startswith("2026-10"):
            cli("escalate", late, "--to", "important", "--reason", "换人跟进", "--at", "2026-09-21T09:00")
        before = cli.dump()
        done = cli.json("escalate", "--overdue", "--as-of", moment, "--json")
        assert done["escalated"] == [] and cli.dump() == before, moment
        assert [(s["reference"], s["reason"]) for s in done["skipped"]] == [(late, "rest_day")]
        assert [u["reference"] for u in done["urgent"]] == [urgent]
    out = cli("escalate", "--overdue", "--as-of", "2026-10-03T18:00", "--dry-run").stdout
    assert "1 overdue case(s) not escalated today, not a working day" in out and f"  {late} (Important)" in out
    zh = cli("--lang", "zh", "escalate", "--overdue", "--as-of", "2026-10-03T18:00", "--dry-run").stdout
    assert "1 件超时案件今日不升级：今日非工作日" in zh
    fresh = cli.log(received="2026-09-14T10:00")  # due at the end of Thu 09-17
    sunday = cli.json("escalate", "--overdue", "--as-of", "2026-09-20T18:00", "--dry-run", "--json")
    assert {r["reference"] for r in sunday["escalated"]} >= {fresh}  # a make-up working day: escalated


def test_escalate_overdue_speaks_chinese_with_lang_zh(cli, data):
    out = cli("--lang", "zh", "escalate", "--overdue", "--as-of", AS_OF, "--dry-run").stdout
    assert "将升级" in out and "1 件超时紧急案件需高管关注" in out
    assert f"{data['a']}：" in out and "general" not in out


def test_a_backlog_larger_than_one_batch_is_escalated_whole_and_keeps_the_audit_chain(cli, tmp_path):
    backlog = tmp_path / "backlog.csv"
    backlog.write_text("received_at,description\n" + "".join(
        f"2026-02-{2 + i % 10:02d}T10:00,backlog {i}\n" for i in range(1200)), encoding="utf-8")
    cli("import", str(backlog))
    preview = cli.json("escalate", "--overdue", "--as-of", "2026-03-02T09:00", "--dry-run", "--json")
    done = cli.json("escalate", "--overdue", "--as-of", "2026-03-02T09:00", "--json")
    assert len(done["escalated"]) == 1200 and done["escalated"] == preview["escalated"]
    assert {(e["from"], e["to"]) for e in done["escalated"]} == {("general", "important")}
    again = cli.json("escalate", "--overdue", "--as-of", "2026-03-02T10:00", "--json")
    assert again["escalated"] == [] and all(s["why"] == "already escalated this working day" for s in again["skipped"])
    assert cli("db", "check").exit_code == 0  # 2,400 events, chained in the order they were written
    assert cli.json("db", "info", "--json")["counts"]["events"] == 2400 + 2  # and the first administrator's mapping, the rules


def test_escalate_overdue_dry_run_writes_nothing(cli, data):
    before = cli.dump()
    result = cli.json("escalate", "--overdue", "--as-of", AS_OF, "--dry-run", "--json")
    assert [r["reference"] for r in result["escalated"]] == [data["a"]]
    assert cli.dump() == before


def test_a_limited_overdue_table_counts_the_rest_in_sql(cli, data):
    r = cli("report", "overdue", "--as-of", AS_OF, "--limit", "1")
    assert data["c"] in r.stdout and data["a"] not in r.stdout
    assert "1 more rows not shown" in r.stderr
    r = cli("report", "overdue", "--as-of", "2026-03-09T09:00", "--include-due-soon", "--limit", "1")
    assert "2 more rows not shown" in r.stderr  # two overdue plus one due soon


def test_every_document_command_writes_json_through_one_renderer(cli, data, tmp_path):
    """show, calendar due, escalate --overdue and report summary: --format json is one JSON document
    (--json its shorthand, the same bytes); a format they do not write is refused in one line,
    before anything is read or recorded."""
    due = ("calendar", "due", "--tier", "general", "--received-at", "2026-03-02T10:00")
    for args in (("show", data["a"], "--as-of", AS_OF), due,
                 ("escalate", "--overdue", "--dry-run", "--as-of", AS_OF)):
        long, short = cli(*args, "--format", "json"), cli(*args, "--json")
        assert long.exit_code == short.exit_code == 0, long.stderr
        assert long.stdout == short.stdout and isinstance(json.loads(long.stdout), dict)
        table = cli(*args)
        assert table.exit_code == 0 and not table.stdout.lstrip().startswith("{")
    assert json.loads(cli(*due, "-f", "json").stdout)["due_at"] == "2026-03-06T00:00:00+08:00"
    summary = cli.json("report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")
    assert set(summary) >= {"rows", "root_causes", "repeat_complainants"}
    for args in (("show", data["b"], "--reveal"), due, ("escalate", "--overdue", "--as-of", AS_OF)):
        # No reveal recorded, nothing escalated.
        assert cli.fails(*args, "--format", "csv") == "complaintctl: error: invalid --format 'csv': expected one of table, json"
    bad = cli.fails("report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "xml")
    assert bad.endswith("expected one of table, csv, json, jsonl, xlsx")  # (summary writes a workbook of its counts)


def test_escalate_overdue_says_why_each_overdue_case_was_left(cli):
    """An overdue review is its reviewer's to decide (it used to be listed as 'already escalated this
    working day'); a run as of a past moment leaves a case with a later step alone (it used to write
    an escalation dated before that step)."""
    cli.staff()
    review = cli.log(received="2026-10-12T10:00")
    cli("assign", review, "--to", "wangfang", "--at", "2026-10-12T11:00")
    cli("resolve", review, "--resolution", "退费", "--at", "2026-10-14T10:00")
    cli("review", review, "--requested-at", "2026-10-20T10:00", "--reviewer", "zhangwei")
    late = cli.log(received="2026-11-02T10:00")
    cli("assign", late, "--to", "wangfang", "--at", "2026-11-02T11:00")
    out = cli("escalate", "--overdue", "--as-of", "2026-11-30T18:00").stdout
    assert f"1 overdue review(s) wait for their reviewer's decision (a review is not escalated):\n  {review}" in out
    assert "already escalated" not in out and f"{late}: General -> Important" in out
    past = cli.json("escalate", "--overdue", "--as-of", "2026-11-10T10:00", "--json")
    assert past["escalated"] == [] and [(r["reference"], r["reason"]) for r in past["skipped"]] == [(late, "later_step")]
    assert cli("db", "check").exit_code == 0
    events = [e["action"] for e in cli.json("show", late, "--json")["events"]]
    assert events.count("escalate") == 1


def test_late_entries_lists_the_steps_recorded_after_a_deadline_they_are_dated_before(cli):
    """An examiner's finding: a decision entered 28 days late, dated the day after receipt, made
    an overdue case "handled within 15 days" in every report, and nothing but show's timeline said
    so. report late-entries lists each such step, who recorded it, and how long after the deadline."""
    cli.staff()
    late = cli.log(received="2026-11-02T09:00")  # general: due at the end of Thu 11-05, regulatory Tue 11-17
    cli("--as", "wangfang", "resolve", late, "--resolution", "退还手续费", "--notified-via", "phone",
        "--at", "2026-11-03T10:00")
    # Received and decided now: recorded as it happens, never a late entry (whatever day the test runs).
    on_time = cli("log", "--channel", "hotline", "--phone", "13812345678", "--description", "x").stdout.strip()
    cli("resolve", on_time, "--resolution", "退还手续费", "--notified-via", "phone")
    plan = cli.log("--tier", "urgent", received="2026-11-02T09:00")  # the plan due 11-03 09:00
    cli("respond", plan, "--text", "应急方案", "--at", "2026-11-02T18:00")
    cli("respond", plan, "--text", "再次回复客户", "--at", "2026-11-04T10:00")  # a further reply: no plan to meet
    # An extension entered after the deadline it extends (refused without --at), and a pause entered
    # after the internal deadline, which a resume then moved: each against the deadline it was entered after.
    extended = cli.log(received="2026-11-02T09:00")
    cli("assign", extended, "--to", "zhangwei", "--at", "2026-11-02T10:00")
    cli("--as", "zhangwei", "extend", extended, "--to", "30", "--reason", "需司法鉴定", "--customer-told-at",
        "2026-11-10T10:00", "--at", "2026-11-10T10:00")
    paused = cli.log(received="2026-11-02T09:00")
    cli("pause", paused, "--reason", "customer_materials", "--at", "2026-11-04T10:00")
    cli("resume", paused)
    # A general case owes no 24-hour plan: its answer, however late it was entered, meets no deadline.
    answered = cli.log(received="2026-11-02T09:00")
    cli("respond", answered, "--text", "已回电", "--at", "2026-11-09T10:00")
    # A review's decision meets the review's own 30 days, named as such (not the regulatory deadline).
    reviewed = cli.log(received="2026-08-03T09:00")
    cli("assign", reviewed, "--to", "wangfang", "--at", "2026-08-03T10:00")
    cli("resolve", reviewed, "--resolution", "退还手续费", "--at", "2026-08-04T10:00")
    cli("review", reviewed, "--requested-at", "2026-08-10T10:00", "--reviewer", "zhangwei")
    cli("--as", "zhangwei", "review-decide", reviewed, "--outcome", "upheld", "--text", "维持", "--at",
        "2026-08-20T10:00")
    withdrawn = cli.log(received="2026-08-03T09:00")  # ... and so does a withdrawal during a review
    cli("resolve", withdrawn, "--resolution", "退还手续费", "--at", "2026-08-04T10:00")
    cli("review", withdrawn, "--requested-at", "2026-08-10T10:00", "--reviewer", "zhangwei")
    cli("withdraw", withdrawn, "--reason", "客户撤回核查", "--at", "2026-08-21T10:00")
    rows = cli.json("report", "late-entries", "--format", "json")
    assert [(r["reference"], r["action"], r["deadline"], r["due_at"][:10]) for r in rows] == [
        (late, "resolve", "internal+regulatory", "2026-11-06"), (plan, "respond", "response", "2026-11-03"),
        (extended, "extend", "regulatory", "2026-11-18"), (paused, "pause", "internal", "2026-11-06"),
        (reviewed, "resolve", "internal+regulatory", "2026-08-07"), (reviewed, "review_decide", "review", "2026-09-10"),
        (withdrawn, "resolve", "internal+regulatory", "2026-08-07"), (withdrawn, "withdraw", "review", "2026-09-10")]
    assert rows[0]["actor"] == f"{cli.admin} as wangfang" and rows[0]["occurred_at"] == "2026-11-03T10:00:00+08:00"
    assert rows[0]["due_at"] == "2026-11-06T00:00:00+08:00" and rows[0]["recorded_after_seconds"] > 20 * 86400
    # A window of recording that ended before they were entered lists none of them.
    assert cli.json("report", "late-entries", "--to", "2026-11-20", "--format", "json") == []
    empty = cli("report", "late-entries", "--to", "2026-11-20")
    assert empty.stderr.strip() == "No step was recorded after a deadline it is dated before."
    zh = cli("--lang", "zh", "report", "late-entries", "--branch", "BJ001").stdout
    assert "时限届满后补录" in zh and "办结" in zh and "内部、监管" in zh
    cli("--lang", "zh", "report", "late-entries", "--output", "late.txt")  # (a file keeps every column)
    lines = Path("late.txt").read_text().splitlines()
    assert f"{cli.admin}（代 wangfang）" in lines[3] and not any(" as " in line for line in lines)
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines[3:]]  # (a table file: every column whole)
    assert [c[6] for c in cells if c[0] in (reviewed, withdrawn) and c[2] != "办结"] == ["核查", "核查"]  # the deadline
    assert "no case or staff has --branch 'XY999'" in cli.fails("report", "late-entries", "--branch", "XY999")


def test_the_return_counts_the_late_entries_behind_its_figures_and_says_how_to_list_them(cli, tmp_path, monkeypatch):
    """The return counts a decision as on time by the date it bears. How many of the period's steps
    were entered after the deadline they are dated before is in its notes (JSON, CSV, the tables,
    the workbook), by the steps' dates: `report late-entries --dated` lists the same ones."""
    cli.staff()
    late = cli.log(received="2026-08-03T09:00")  # general: due at the end of Thu 08-06
    cli("resolve", late, "--resolution", "退还手续费", "--at", "2026-08-04T10:00")  # entered today: a late entry
    honest = cli.log(received="2026-08-03T09:00")
    cli("resolve", honest, "--resolution", "退还手续费", "--at", "2026-08-20T10:00")  # dated late: handled late, not hidden
    earlier = cli.log(received="2026-06-29T09:00")
    cli("resolve", earlier, "--resolution", "退还手续费", "--at", "2026-06-30T10:00")  # a late entry of Q2
    q3 = ["report", "regulatory", "--quarter", "2026Q3"]
    assert cli.json(*q3, "--format", "json")["late_entries"] == 1
    assert cli.json("report", "regulatory", "--quarter", "2026Q2", "--format", "json")["late_entries"] == 1
    assert cli.json(*q3, "--branch", "BJ001", "--format", "json")["late_entries"] == 1
    listed = cli.json("report", "late-entries", "--dated", "--from", "2026-07-01", "--to", "2026-09-30", "--format", "json")
    assert [r["reference"] for r in listed] == [late]
    # By the window of recording (the default) the quarter holds none: all three were entered today.
    assert cli.json("report", "late-entries", "--from", "2026-07-01", "--to", "2026-09-30", "--format", "json") == []
    rows = list(csv.DictReader(io.StringIO(cli(*q3, "--format", "csv").stdout)))
    assert [(r["table"], r["measure"], r["value"]) for r in rows][-1] == ("notes", "late_entries", "1")
    command = "complaintctl report late-entries --dated --from 2026-07-01 --to 2026-09-30"
    monkeypatch.setenv("COLUMNS", "80")
    table = cli(*q3).stdout
    words, listed = table[table.index("Late entries:"):].split("Listed by:")
    assert " ".join(words.split()) == (
        "Late entries: 1 (steps dated in the period but recorded after a deadline they are dated before, each "
        "counted as on time by its own date; as recorded when this return was made).")
    # The command, on lines of its own that fit the width, reads back whole through a shell (this
    # database's --db named: copied as it stands, it lists these steps).
    assert max(len(line) for line in listed.splitlines()) <= 80
    assert shlex.split(listed.replace("\\\n", "")) == shlex.split(command.replace(
        "complaintctl", f"complaintctl --db {shlex.quote(str(cli.db))}"))
    assert "补录：1 项（所记日期在本期内" in cli("--lang", "zh", *q3).stdout
    cli(*q3, "--branch", "BJ001", "--format", "xlsx", "--output", str(tmp_path / "q3.xlsx"))
    from openpyxl import load_workbook

    notes = {r[0]: r[1] for r in load_workbook(tmp_path / "q3.xlsx")["说明"].iter_rows(values_only=True)}
    assert notes["补录步骤"].startswith("补录：1 项") and notes["补录步骤"].endswith(" --branch BJ001")
    assert "查看：complaintctl --db " in notes["补录步骤"] and "期间未结束" not in notes  # (Q3 is over)
    # A period not over says so in the workbook too (not only on stderr): its figures are so far.
    cli("report", "regulatory", "--quarter", "2099Q1", "--format", "xlsx", "--output", str(tmp_path / "ahead.xlsx"))
    ahead = {r[0]: r[1] for r in load_workbook(tmp_path / "ahead.xlsx")["说明"].iter_rows(values_only=True)}
    assert ahead["期间未结束"] == "2099Q1 尚未开始（自 2099-01-01 起）：尚无数据"
    assert "region" in cli.fails("report", "late-entries", "--region", "华北")


def test_sla_by_assignee_counts_each_decision_under_whoever_held_the_case_then(cli):
    """A review makes the reviewer the assignee (in their department), and a reopened case may be handed to someone else:
    `report sla --by assignee` (and by department) counted the handler's decision under whoever
    holds the case now. Each decided cycle keeps its holder (revision 0027): the upgrade fills it
    for decisions made before, from the case's events; `db check` names one changed by hand."""
    cli.staff()
    cli("staff", "add", "zhaomin", "--role", "staff", "--department", "运营管理部")
    cli("staff", "add", "zhoujie", "--role", "executive", "--department", "行领导")
    reviewed = cli.log(received="2026-03-02T10:00")
    cli("assign", reviewed, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", reviewed, "--resolution", "退还手续费", "--at", "2026-03-03T10:00")
    cli("review", reviewed, "--requested-at", "2026-03-04T10:00", "--reviewer", "zhoujie")  # in the reviewer's department
    cli("--as", "zhoujie", "review-decide", reviewed, "--outcome", "upheld", "--text", "维持", "--at", "2026-03-10T10:00")
    reopened = cli.log(received="2026-03-02T10:00")
    cli("assign", reopened, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", reopened, "--resolution", "退还手续费", "--at", "2026-03-03T10:00")
    cli("reopen", reopened, "--reason", "客户不满意", "--at", "2026-03-04T10:00")
    cli("assign", reopened, "--to", "zhaomin", "--at", "2026-03-04T11:00")
    cli("resolve", reopened, "--resolution", "补偿利息", "--at", "2026-03-05T10:00")
    window = ["report", "sla", "--from", "2026-03-01", "--to", "2026-03-31"]

    def figures() -> dict:
        by_person = {r["assignee"]: (r["resolved"], r["reviews_decided"])
                     for r in cli.json(*window, "--by", "assignee", "--format", "json")}
        by_department = {r["department"]: (r["resolved"], r["reviews_decided"])
                         for r in cli.json(*window, "--by", "department", "--format", "json")}
        return {"assignee": by_person, "department": by_department}

    expected = {"assignee": {"wangfang": (2, 0), "zhaomin": (1, 0), "zhoujie": (0, 1), "TOTAL": (3, 1)},
                "department": {"个人金融部": (2, 0), "运营管理部": (1, 0), "行领导": (0, 1), "TOTAL": (3, 1)}}
    assert figures() == expected  # (the case's own: zhoujie 1 resolved, zhaomin 2)
    # show --json says whom each cycle was decided under, as report sla credits it
    assert [(c["assignee"], c["department"]) for c in cli.json("show", reviewed, "--json")["cycles"]] == [
        ("wangfang", "个人金融部"), ("zhoujie", "行领导")]
    if cli.backend == "sqlite":  # the upgrade from revision 0026 fills the decisions made before
        cli.downgrade("0026")
        assert cli("db", "upgrade").stdout.strip() == "upgraded to revision 0028"
        assert figures() == expected
    assert cli("db", "check").exit_code == 0
    cli.sql("UPDATE cycles SET assignee = 'zhoujie' WHERE number = 1 AND resolved_at IS NOT NULL")
    cli("reopen", reopened, "--reason", "客户仍不满意", "--at", "2026-03-12T10:00")  # a cycle not yet decided: no holder
    cli.sql("UPDATE cycles SET department = '行领导' WHERE number = 3")
    out = cli("db", "check", expect=1).stdout
    assert "cycle 1 field assignee is 'zhoujie' but its events imply 'wangfang'" in out
    assert "cycle 3 field department is '行领导' but its events imply empty" in out


def test_a_reports_group_of_cases_with_none_is_named_in_a_table(cli):
    """report sla --by department: the cases with no department are a group of their own, named
    "(none)" in a table (not a blank first cell), empty in CSV as stored; a long group name is never cut."""
    cli.staff()
    for department in ("消费者权益保护部暨客户服务中心", None):
        ref = cli.log(received="2026-03-02T09:00", *(["--department", department] if department else []))
        cli("resolve", ref, "--resolution", "退还手续费", "--at", "2026-03-03T10:00")
    window = ["report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "department"]
    table = cli(*window).stdout
    assert "\n(none)  " in table and "消费者权益保护部暨客户服务中心" in table
    assert "\n（无）  " in cli("--lang", "zh", *window).stdout
    rows = list(csv.DictReader(io.StringIO(cli(*window, "--format", "csv").stdout)))
    assert [r["department"] for r in rows] == ["", "消费者权益保护部暨客户服务中心", "TOTAL"]


def test_the_return_never_prints_the_database_password(cli, tmp_path):
    """The return's note of how to list its late entries names the database as --db gave it: a
    PostgreSQL URL with its password went into the table, the CSV and the workbook handed to the
    regulator. The password is shown as ***, as `db info` shows it."""
    if cli.backend != "postgresql":
        pytest.skip("a SQLite path holds no password")
    cli.staff()
    late = cli.log(received="2026-08-03T09:00")
    cli("resolve", late, "--resolution", "退还手续费", "--at", "2026-08-04T10:00")  # entered today: a late entry
    url = str(cli.db).replace("://postgres@", "://postgres:S3cretPw@")  # (the suite's server trusts the login)
    assert "S3cretPw" in url
    with_password = type(cli)(url)
    q3 = ["report", "regulatory", "--quarter", "2026Q3"]
    table, lines = with_password(*q3).stdout, with_password(*q3, "--format", "csv").stdout
    assert "postgres:***@" in table  # (the CSV holds the count alone)
    shown = table + lines
    with_password(*q3, "--format", "xlsx", "--output", str(tmp_path / "q3.xlsx"))
    from openpyxl import load_workbook

    shown += " ".join(str(c) for sheet in load_workbook(tmp_path / "q3.xlsx").worksheets
                      for row in sheet.iter_rows(values_only=True) for c in row)
    assert "S3cretPw" not in shown and shown.count("postgres:***@") == 2  # (the table's and the workbook's notes)
