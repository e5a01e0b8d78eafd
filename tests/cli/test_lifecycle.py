"""The lifecycle commands, driven as a user would, with time fixed by --received-at and --at."""

import json

import pytest

from complaintctl.db import HEAD_REVISION

CASE_KEYS = {"id", "reference", "status", "tier", "channel", "product", "category", "branch", "assignee",
             "customer", "description", "received_at", "due_at", "regulatory_due_at", "first_response_due_at",
             "resolved_at", "reopen_count"}


def test_log_prints_the_reference_and_computes_deadlines(cli):
    ref = cli.log(received="2026-03-06T16:00")
    assert ref == "C-2026-000001"
    case = cli.json("show", ref, "--json")["case"]
    assert CASE_KEYS <= set(case)
    assert case["status"] == "received"
    assert case["received_at"] == "2026-03-06T16:00:00+08:00"
    assert case["due_at"] == "2026-03-12T00:00:00+08:00"  # Mon, Tue, Wed
    assert case["regulatory_due_at"] == "2026-03-24T00:00:00+08:00"  # 03-21 is Sat -> Mon 03-23
    assert case["first_response_due_at"] is None
    assert case["phone"] == "138****5678"


def test_log_json_prints_the_case(cli):
    case = cli.json("log", "--channel", "letter", "--description", "匿名来信", "--received-at", "2026-03-02T09:00", "--json")
    assert case["reference"] == "C-2026-000001" and case["channel"] == "letter" and case["customer"] is None


def test_description_can_come_from_stdin(cli):
    ref = cli("log", "--channel", "hotline", "--phone", "13812345678", "--description", "-",
              "--received-at", "2026-03-02T09:00", input="多行\n投诉内容\n").stdout.strip()
    assert cli.json("show", ref, "--json")["case"]["description"] == "多行\n投诉内容"


def test_full_lifecycle_with_audit_trail(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("respond", ref, "--text", "已联系客户", "--at", "2026-03-02T15:00")
    cli("note", ref, "核实中", "--at", "2026-03-03T10:00")
    case = cli.json("resolve", ref, "--resolution", "退还手续费", "--root-cause", "fees", "--notified-via", "phone",
                    "--at", "2026-03-04T10:00", "--json")
    assert case["status"] == "resolved" and case["resolved_at"] == "2026-03-04T10:00:00+08:00"
    case = cli.json("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-05T10:00", "--json")
    assert case["status"] == "closed" and case["satisfaction"] == "satisfied"
    events = cli.json("show", ref, "--json")["events"]
    assert [e["action"] for e in events] == ["log", "assign", "respond", "note", "resolve", "close"]
    assert events[1]["occurred_at"] == "2026-03-02T11:00:00+08:00"
    assert events[1]["recorded_at"] != events[1]["occurred_at"]  # recorded now, happened then
    assert events[1]["actor"] == cli.admin
    assert events[1]["old"]["status"] == "received" and events[1]["new"]["assignee"] == "wangfang"


def test_closing_with_an_unsatisfied_customer_says_how_to_reopen_in_the_operators_language(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "退还手续费", "--notified-via", "phone", "--at", "2026-03-03T10:00")
    r = cli("--lang", "zh", "close", ref, "--satisfaction", "不满意", "--at", "2026-03-04T10:00")
    assert f"客户不满意：可用 'complaintctl reopen {ref} --reason ...' 重新处理" in r.stderr
    assert "unsatisfied" not in r.stderr


def test_an_administrator_acting_for_someone_is_recorded_as_both(cli):
    cli.staff()
    ref = cli.log()
    cli("--as", "wangfang", "note", ref, "回访")
    assert cli.json("show", ref, "--json")["events"][-1]["actor"] == f"{cli.admin} as wangfang"
    assert "unknown --as 'lisi'" in cli.fails("--as", "lisi", "note", ref, "回访")


def test_show_prints_clocks_and_timeline(cli):
    ref = cli.log(received="2026-03-02T10:00")
    out = cli("show", ref, "--as-of", "2026-03-04T12:00").stdout
    assert "Internal deadline" in out and "left" in out and "Timeline" in out
    out = cli("show", ref, "--as-of", "2026-03-09T12:00").stdout
    # In list's words: 3d 12h past the end of Thu 03-05, of which 1wd 12h working (Fri 03-06, Mon to noon).
    assert "late 3d 12h (1wd 12h)" in out


@pytest.mark.parametrize("args, message", [
    (["resolve", "{ref}", "--resolution", "x"], "cannot resolve a case that is closed; allowed from closed: reopen"),
    (["assign", "{ref}", "--to", "wangfang"], "cannot assign a case that is closed"),
    (["close", "{ref}", "--satisfaction", "satisfied"], "cannot close a case that is closed"),
    (["pause", "{ref}", "--reason", "appraisal"], "cannot pause a case that is closed"),
])
def test_illegal_moves_on_a_closed_case_exit_2_and_write_nothing(cli, args, message):
    cli.staff()
    ref = cli.log()
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-03-03T10:00")
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-03T11:00")
    err = cli.fails(*[a.format(ref=ref) for a in args])
    assert message in err


def test_reopening_an_open_case_is_illegal(cli):
    ref = cli.log()
    assert "cannot reopen a case that is received; allowed from received:" in cli.fails("reopen", ref, "--reason", "x")


def test_resolve_while_paused_is_refused_until_resume(cli):
    ref = cli.log()
    cli("pause", ref, "--reason", "customer_materials", "--at", "2026-03-02T12:00")
    assert "allowed from paused: assign, note, resume, escalate, extend" in cli.fails("resolve", ref, "--resolution", "x")


def test_assigning_below_the_tier_level_needs_an_override(cli):
    cli.staff()
    ref = cli.log("--tier", "important")
    err = cli.fails("assign", ref, "--to", "wangfang")
    assert "needs a manager or above" in err
    cli.fails("assign", ref, "--to", "wangfang", "--override")
    case = cli.json("assign", ref, "--to", "wangfang", "--override", "--reason", "经理休假", "--json")
    assert case["assignee"] == "wangfang"
    assert cli.json("show", ref, "--json")["events"][-1]["new"]["override"] is True


def test_assignee_must_be_registered_staff(cli):
    ref = cli.log()
    assert "unknown assignee 'nobody'" in cli.fails("assign", ref, "--to", "nobody")


def test_escalation_recounts_from_receipt_and_keeps_the_breach(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")  # general: due end of Thu 03-05
    case = cli.json("escalate", ref, "--to", "important", "--reason", "金额较大", "--at", "2026-03-06T10:00", "--json")
    assert case["tier"] == "important"
    assert case["due_at"] == "2026-03-10T00:00:00+08:00"  # 5 working days from receipt
    assert case["internal_breached"] is True  # the general limit had already passed
    cycles = cli.json("show", ref, "--json")["cycles"]
    assert cycles[0]["internal_breached"] is True


def test_escalation_to_urgent_sets_a_24_hour_plan(cli):
    ref = cli.log(received="2026-03-02T10:00")
    case = cli.json("escalate", ref, "--to", "紧急", "--reason", "媒体关注", "--at", "2026-03-03T09:00", "--json")
    assert case["first_response_due_at"] == "2026-03-04T09:00:00+08:00"
    assert "a tier above urgent" in cli.fails("escalate", ref, "--to", "important", "--reason", "x")


def test_escalating_a_case_above_its_handler_s_role_warns_as_the_overdue_run_does(cli):
    """Front-line staff left holding an urgent case (its 24-hour plan clock running) is named in the
    warning escalate --overdue gives, in either language and with --json; the escalation stands."""
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    r = cli("escalate", ref, "--to", "urgent", "--reason", "媒体关注", "--at", "2026-03-03T09:00")
    assert r.stdout.startswith(f"{ref} escalated General -> Urgent (plan due")
    assert r.stderr == ("warning: 1 escalated case(s) are still with someone whose role is below the new tier: "
                        "reassign each to someone of the role it needs (complaintctl assign CASE --to NAME):\n"
                        f"  {ref} (wangfang; needs Executive)\n")
    assert cli.json("show", ref, "--json")["case"]["below_tier"] is True
    second = cli.log(received="2026-03-02T10:00")
    cli("assign", second, "--to", "wangfang", "--at", "2026-03-02T11:00")
    r = cli("--lang", "zh", "escalate", second, "--to", "重要", "--reason", "金额较大", "--at", "2026-03-03T09:00", "--json")
    assert json.loads(r.stdout)["below_tier"] is True  # the case as show --json has it
    assert "1 件已升级的案件仍由级别不足的人员处理" in r.stderr and f"{second}（wangfang；需中层管理人员）" in r.stderr
    # A handler whose role fits the new tier, or no handler yet: nothing to warn about.
    cli("assign", second, "--to", "zhangwei", "--at", "2026-03-03T10:00")
    r = cli("escalate", second, "--to", "urgent", "--reason", "x", "--at", "2026-03-03T11:00", "--json")
    assert json.loads(r.stdout)["below_tier"] is True and "needs Executive" in r.stderr
    third = cli.log(received="2026-03-02T10:00")
    cli("assign", third, "--to", "zhangwei", "--at", "2026-03-02T11:00")
    r = cli("escalate", third, "--to", "important", "--reason", "x", "--at", "2026-03-03T09:00", "--json")
    assert json.loads(r.stdout)["below_tier"] is False and r.stderr == ""
    r = cli("escalate", cli.log(received="2026-03-02T10:00"), "--to", "urgent", "--reason", "x", "--at", "2026-03-03T09:00")
    assert r.stderr == ""


def test_urgent_case_plan_and_staleness(cli):
    cli.staff()
    ref = cli.log("--tier", "urgent", received="2026-03-02T10:00")
    case = cli.json("show", ref, "--json", "--as-of", "2026-03-02T12:00")["case"]
    assert case["first_response_due_at"] == "2026-03-03T10:00:00+08:00"
    cli("respond", ref, "--text", "应急方案", "--at", "2026-03-02T20:00")
    assert cli.json("show", ref, "--json", "--as-of", "2026-03-03T23:00")["case"]["stale"] is False
    assert cli.json("show", ref, "--json", "--as-of", "2026-03-04T01:00")["case"]["stale"] is True
    cli("note", ref, "跟进", "--at", "2026-03-04T00:30")
    assert cli.json("show", ref, "--json", "--as-of", "2026-03-04T12:00")["case"]["stale"] is False


def test_pause_and_resume_move_the_deadline_by_working_time(cli):
    ref = cli.log(received="2026-03-02T10:00")  # due end of Thu 03-05
    cli("pause", ref, "--reason", "customer_materials", "--at", "2026-03-03T00:00")
    case = cli.json("resume", ref, "--at", "2026-03-05T00:00", "--json")  # two working days paused
    assert case["due_at"] == "2026-03-10T00:00:00+08:00"  # Thu + 2 working days = Mon 03-09 end
    assert case["regulatory_due_at"] == "2026-03-18T00:00:00+08:00"  # not appraisal: unchanged
    assert case["status"] == "received"


def test_appraisal_pause_also_stops_the_regulatory_clock(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("pause", ref, "--reason", "鉴定", "--at", "2026-03-03T10:00")
    case = cli.json("resume", ref, "--at", "2026-03-08T10:00", "--json")
    assert case["regulatory_due_at"] == "2026-03-24T00:00:00+08:00"  # 15 + 5 days = Sun 03-22 -> end of Mon 03-23


def test_reopen_starts_a_new_cycle_and_keeps_the_old(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "已解释", "--at", "2026-03-09T10:00")  # late: due 03-05
    case = cli.json("reopen", ref, "--reason", "客户不满意", "--at", "2026-03-10T10:00", "--json")
    assert case["status"] == "reopened" and case["reopen_count"] == 1 and case["cycle"] == 2
    assert case["due_at"] == "2026-03-14T00:00:00+08:00"
    cli("resolve", ref, "--resolution", "补偿", "--at", "2026-03-11T10:00")
    cli("reopen", ref, "--reason", "仍不满意", "--at", "2026-03-12T10:00")
    cycles = cli.json("show", ref, "--json")["cycles"]
    assert [c["number"] for c in cycles] == [1, 2, 3]
    assert cycles[0]["internal_breached"] is True and cycles[1]["internal_breached"] is False
    assert cycles[0]["resolved_at"] == "2026-03-09T10:00:00+08:00"


def test_reopen_after_the_window_says_to_log_a_new_case(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-03-03T10:00")
    err = cli.fails("reopen", ref, "--reason", "x", "--at", "2026-04-20T10:00")
    assert "the 30-day reopen window ran out at 24:00 on 2026-04-02; log a new case with --related " + ref in err
    new = cli.log("--related", ref, received="2026-04-20T11:00")
    assert cli.json("show", new, "--json")["case"]["related"] == ref


def test_extend_needs_the_right_approver(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    told = ["--customer-told-at", "2026-03-10T11:00", "--at", "2026-03-10T10:00"]
    err = cli.fails("--as", "zhangwei", "extend", ref, "--to", "60", "--reason", "x", *told, code=4)
    assert err.endswith("only Executive may approve a 60-day extension; zhangwei is Manager")
    assert "wangfang is Front-line staff" in cli.fails("--as", "wangfang", "extend", ref, "--to", "30", "--reason", "x",
                                                       *told, code=4)
    assert f"{cli.admin} is Administrator" in cli.fails("extend", ref, "--to", "30", "--reason", "x", *told, code=4)
    assert "invalid --to '45': expected 30" in cli.fails("--as", "sunli", "extend", ref, "--to", "45", "--reason", "x",
                                                          *told)
    # The approver is the operator: nobody records someone else's approval.
    assert "sunli cannot record zhangwei's approval" in cli.fails(
        "--as", "sunli", "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x", *told, code=4)
    # Front-line staff file a request; the manager grants it; each is an event.
    asked = cli.json("--as", "wangfang", "extend", ref, "--to", "30", "--request", "--reason", "需鉴定", "--at",
                     "2026-03-09T10:00", "--json")
    assert asked["regulatory_extension_days"] == 0
    case = cli.json("--as", "zhangwei", "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "复杂",
                    "--json", *told)
    assert case["regulatory_due_at"] == "2026-04-02T00:00:00+08:00"  # 30 days from 03-02: Wed 04-01
    request, grant = cli.json("show", ref, "--json")["events"][-2:]
    assert (request["action"], request["actor"], request["new"]["to"]) == ("extension_request", f"{cli.admin} as wangfang", 30)
    assert grant["new"]["approved_by"] == "zhangwei" and grant["new"]["customer_told_at"].startswith("2026-03-10T03:00")
    assert cli("db", "check").exit_code == 0  # the request changes nothing the replay would miss


def test_an_extension_is_not_approved_by_the_person_complained_about_or_a_sibling_branch(cli):
    """Order 2020 No. 3: the 60 days need the higher institution's approval; no one approves more
    time to handle a complaint about themselves. A bad --to is bad input for every role (exit 2)."""
    cli.staff()
    cli("staff", "add", "qian", "--role", "manager", "--branch", "BJ002")
    cli("staff", "add", "zhao", "--role", "executive", "--branch", "BJ002")
    cli("staff", "add", "hq", "--role", "executive", "--branch", "-")
    ref = cli.log("--complained-staff", "zhangwei", received="2026-03-02T10:00")
    told = ["--customer-told-at", "2026-03-10T11:00", "--at", "2026-03-10T10:00", "--reason", "复杂"]
    err = cli.fails("--as", "zhangwei", "extend", ref, "--to", "30", *told, code=4)
    assert err == "complaintctl: error: not permitted: the complaint is about zhangwei, who may not approve its extension"
    err = cli.fails("--as", "qian", "extend", ref, "--to", "30", *told, code=4)
    assert err.endswith("a Manager may approve a 30-day extension only for cases of their own branch (BJ002); "
                        "this case is of branch BJ001" if cli.backend == "sqlite" else  # (their login does not see it)
                        "acting for qian (Manager of branch BJ002) reaches only that branch's cases; this one is of "
                        "branch BJ001")
    assert "only for cases of their own branch (BJ002)" in cli.fails("--as", "zhao", "extend", ref, "--to", "60", *told, code=4)
    for to in ("45", "90"):  # bad input before permission: the same for a manager and an executive
        for who in ("zhangwei", "sunli"):
            assert f"invalid --to '{to}': expected 30" in cli.fails("--as", who, "extend", ref, "--to", to, *told)
    case = cli.json("--as", "hq", "extend", ref, "--to", "60", *told, "--json")  # the higher institution
    assert case["regulatory_extension_days"] == 60


def test_list_filters_and_formats(cli):
    cli.staff()
    a = cli.log(received="2026-03-02T10:00")
    b = cli.log("--tier", "important", received="2026-03-03T10:00")
    cli("resolve", a, "--resolution", "ok", "--at", "2026-03-03T10:00")
    rows = cli.json("list", "--format", "json")
    assert [r["reference"] for r in rows] == [b]
    rows = cli.json("list", "--all", "--format", "json")
    assert [r["reference"] for r in rows] == [b, a]
    assert cli.json("list", "--tier", "重要", "--format", "json")[0]["reference"] == b
    assert cli.json("list", "--overdue", "--as-of", "2026-03-20T10:00", "--format", "json")[0]["reference"] == b
    assert cli.json("list", "--overdue", "--as-of", "2026-03-04T10:00", "--format", "json") == []
    out = cli("list").stdout
    assert b in out and "Important" in out


def test_staff_add_and_list(cli):
    cli.staff()
    assert "already exists" in cli.fails("staff", "add", "wangfang", "--role", "staff")
    assert "invalid --role" in cli.fails("staff", "add", "lisi", "--role", "boss")
    rows = cli.json("staff", "list", "--format", "json")
    assert {r["name"]: r["role"] for r in rows} == {"wangfang": "staff", "zhangwei": "manager", "sunli": "executive",
                                                   cli.admin: "admin"}


def test_demo_fills_an_empty_database_and_refuses_a_full_one(cli):
    r = cli("demo", "--count", "60")
    assert "Overdue as of" in r.stdout
    info = cli.json("db", "info", "--json")
    assert info["counts"]["cases"] == 60 and info["revision"] == HEAD_REVISION
    assert "already has 60 cases" in cli.fails("demo")
    assert cli("db", "check").stdout.startswith("ok")


def test_deactivated_staff_get_no_new_cases(cli):
    cli.staff()
    ref = cli.log()
    cli("assign", ref, "--to", "wangfang")
    r = cli("staff", "deactivate", "wangfang")
    assert r.stdout.strip() == "wangfang deactivated" and "1 open case(s) are still assigned" in r.stderr
    assert "assignee 'wangfang' was deactivated" in cli.fails("assign", ref, "--to", "wangfang")
    rows = {p["name"]: p for p in cli.json("staff", "list", "--format", "json")}
    assert rows["wangfang"]["active"] is False
    assert "name 'wangfang' was deactivated" in cli.fails("staff", "deactivate", "wangfang")
    assert cli("db", "check").exit_code == 0


def test_show_explains_the_plan_of_a_case_escalated_to_urgent_from_the_escalation(cli):
    """The clocks table counts the 24 hours from the escalation; the explanation says the same
    (it said 'after receipt', with the receipt's deadline)."""
    cli.staff()
    ref = cli.log("--tier", "important", received="2026-11-27T10:00")
    cli("--as", "zhangwei", "escalate", ref, "--to", "urgent", "--reason", "x", "--at", "2026-11-30T09:00")
    shown = cli.json("show", ref, "--json", "--as-of", "2026-11-30T10:00")
    assert shown["case"]["first_response_due_at"] == "2026-12-01T09:00:00+08:00"
    step = next(s for s in shown["steps"] if s.startswith("Urgent:"))
    assert step == ("Urgent: the initial plan is due 24 clock hours after the escalation to urgent (2026-11-30 09:00), "
                    "holidays included: 2026-12-01 09:00.")
    zh = cli("--lang", "zh", "show", ref, "--as-of", "2026-11-30T10:00").stdout
    assert "升级为紧急投诉（2026-11-30 09:00）后 24 小时内" in zh
    urgent = cli.log("--tier", "urgent", received="2026-11-27T10:00")  # urgent from receipt: as before
    assert "after receipt" in next(s for s in cli.json("show", urgent, "--json")["steps"] if s.startswith("Urgent:"))


def test_assigning_a_case_to_whom_it_is_already_with_is_refused_and_records_nothing(cli):
    """An assign that would change nothing (the same assignee, co-handlers and department) is one
    line, exit 2, no event (it recorded an 'Assigned' event with nothing in it)."""
    cli.staff()
    ref = cli.log()
    cli("assign", ref, "--to", "wangfang")
    err = cli.fails("assign", ref, "--to", "wangfang")
    assert f"{ref} is already assigned to wangfang" in err
    cli("assign", ref, "--to", "zhangwei")  # another person: as before
    cli("assign", ref, "--to", "zhangwei", "--with", "wangfang", "--with", "sunli")  # co-handlers added: a change
    assert "already assigned to zhangwei" in cli.fails("assign", ref, "--to", "zhangwei", "--with", "sunli",
                                                       "--with", "wangfang")  # the same two, in another order
    assert [e["action"] for e in cli.json("show", ref, "--json")["events"]] == ["log", "assign", "assign", "assign"]


def test_a_mistyped_branch_is_asked_about_and_a_new_one_taken(cli):
    """`log --branch BJ0O1` (a letter O for a zero) or `bj001` made a branch of its own: a case that
    no one of BJ001 would see, and a row of its own in the quarterly return. A branch nobody has
    that reads as a known one (case, O for 0, I for 1) is refused, "did you mean"; one unlike any
    is a new branch's first case."""
    cli.staff()
    cli.log("--branch", "BJ001")
    for typed in ("BJ0O1", "bj001", "BJOO1"):
        err = cli.fails("log", "--channel", "hotline", "--phone", "13812345678", "--description", "x", "--branch", typed)
        assert err == f"complaintctl: error: no case or staff has --branch '{typed}': did you mean BJ001?", err
    assert cli.log("--branch", "SH001").startswith("C-2026-")
    assert sorted({c["branch"] for c in cli.json("list", "--all", "--format", "json")}) == ["BJ001", "SH001"]
