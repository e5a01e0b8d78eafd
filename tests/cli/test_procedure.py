"""The procedure of CBIRC Order 2020 No. 3 (with the Civil Code's counting, arts. 200-204), rule by
rule; each test is one of README's worked examples."""
from __future__ import annotations

import json

import pytest


@pytest.fixture(autouse=True)
def replays(request):
    """Every history these rules build is one `db check` replays to the stored cases and cycles."""
    cli = request.getfixturevalue("cli") if "cli" in request.fixturenames else None
    yield
    if cli is not None:
        r = cli("db", "check", expect=None)
        assert r.exit_code == 0, r.stdout + r.stderr

REG_15 = "2026-03-18T00:00:00+08:00"  # received Mon 03-02: 15 days end with Tue 03-17


def _extend(cli, ref, to, by, told, at=None, **kw):
    return cli("--as", by, "extend", ref, "--to", str(to), "--approved-by", by, "--reason", "需司法鉴定",
               "--customer-told-at", told, "--at", at or told, "--json", **kw)


def test_an_extension_is_a_total_from_receipt_and_60_days_is_the_ceiling(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    case = cli.json("--as", "zhangwei", "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "复杂",
                    "--customer-told-at", "2026-03-10T11:00", "--at", "2026-03-10T10:00", "--json")
    assert case["regulatory_due_at"] == "2026-04-02T00:00:00+08:00"  # day 30 is Wed 04-01, not day 45
    assert case["regulatory_period_days"] == 30
    case = cli.json("--as", "sunli", "extend", ref, "--to", "60", "--approved-by", "sunli", "--reason", "特别复杂",
                    "--customer-told-at", "2026-03-30T09:00", "--at", "2026-03-30T09:00", "--json")
    # Day 60 is Fri 05-01 (Labour Day, holidays to Tue 05-05): the end of Wed 05-06; not day 75, not 105.
    assert case["regulatory_due_at"] == "2026-05-07T00:00:00+08:00"
    err = cli.fails("--as", "sunli", "extend", ref, "--to", "90", "--approved-by", "sunli", "--reason", "x",
                    "--customer-told-at", "2026-04-10T09:00")
    assert err == ("complaintctl: error: invalid --to '90': expected 30 (days from receipt; a manager approves) "
                   "or 60 (an executive approves); 60 days from receipt is the ceiling")
    assert "more than the 60 days from receipt already in force" in cli.fails(
        "--as", "sunli", "extend", ref, "--to", "60", "--approved-by", "sunli", "--reason", "x", "--customer-told-at", "2026-04-10T09:00",
        "--at", "2026-04-10T09:00")


def test_an_extension_needs_the_customer_told_before_the_deadline_ran_out(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    err = cli.fails("--as", "zhangwei", "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x",
                    "--customer-told-at", "2026-03-18T09:00", "--at", "2026-03-17T15:00")
    assert err == ("complaintctl: error: invalid --customer-told-at '2026-03-18 09:00': expected a time "
                   "before the deadline being extended ran out (2026-03-17 24:00): a deadline that has "
                   "passed cannot be extended")
    assert "invalid --customer-told-at '': expected the time the customer was told" in cli.fails(
        "--as", "zhangwei", "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x")
    # No --at: the approval is now, long after the deadline (the line named an --at never given).
    err = cli.fails("--as", "zhangwei", "extend", ref, "--to", "30", "--reason", "x", "--customer-told-at",
                    "2026-03-10T09:00")
    assert err.startswith("complaintctl: error: an extension approved now (") and "(2026-03-17 24:00)" in err
    assert "with --at, when it was given" in err and "invalid --at" not in err
    assert "invalid --customer-told-at '2026-03-01T09:00': expected a time not before the case was received" \
        in cli.fails("--as", "zhangwei", "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x",
                     "--customer-told-at", "2026-03-01T09:00", "--at", "2026-03-10T09:00")
    # Told at 23:59 on the last day: in time.
    case = json_of(_extend(cli, ref, 30, "zhangwei", "2026-03-17T23:59"))
    assert case["regulatory_due_at"] == "2026-04-02T00:00:00+08:00"


def json_of(result):
    import json

    return json.loads(result.stdout)


def test_the_reopen_window_counts_whole_days_and_moves_off_a_rest_day(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "已解释", "--at", "2026-03-06T10:00")
    # Day 30 after Fri 03-06 is Sun 04-05 (Qingming), so the window runs to 24:00 on Tue 04-07:
    # 30 x 24 hours would have shut it at 10:00 on 04-05.
    err = cli.fails("reopen", ref, "--reason", "客户不满意", "--at", "2026-04-08T00:00")
    assert "the 30-day reopen window ran out at 24:00 on 2026-04-07" in err
    case = cli.json("reopen", ref, "--reason", "客户不满意", "--at", "2026-04-07T16:00", "--json")
    assert case["status"] == "reopened" and case["cycle"] == 2


def test_the_reopen_window_is_open_on_the_afternoon_of_day_30(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "已解释", "--at", "2026-03-03T10:00")
    assert cli.json("reopen", ref, "--reason", "不满意", "--at", "2026-04-02T16:00", "--json")["cycle"] == 2


def test_a_local_closure_does_not_move_the_regulatory_deadline(cli, tmp_path):
    cfg = tmp_path / "closure.toml"
    cfg.write_text('branch = "BJ001"\n[calendar]\nextra_holidays = ["2026-03-04", "2026-03-17"]\n')
    cli("--config", str(cfg), "config", "adopt", "--reason", "网点停业")
    r = cli("--config", str(cfg), "log", "--channel", "hotline", "--phone", "13812345678", "--description", "x",
            "--received-at", "2026-03-02T10:00", "--json")
    case = json_of(r)
    assert case["due_at"] == "2026-03-07T00:00:00+08:00"  # the branch closed Wed 03-04: three working days end Fri
    assert case["regulatory_due_at"] == REG_15  # Tue 03-17 is a local closure only: still the end of 03-17
    out = cli("--config", str(cfg), "calendar", "due", "--tier", "general", "--received-at", "2026-03-02T10:00").stdout
    assert "Tue 2026-03-17 is a local closure, not a statutory rest day: it does not move the regulator's deadline." in out


def test_an_appraisal_pause_after_the_regulatory_deadline_does_not_move_it(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("pause", ref, "--reason", "appraisal", "--at", "2026-03-20T10:00")
    case = cli.json("resume", ref, "--at", "2026-03-25T10:00", "--json")
    assert case["regulatory_due_at"] == REG_15 and case["regulatory_breached"] is True
    rows = cli.json("report", "overdue", "--as-of", "2026-03-26T10:00", "--format", "json")
    assert [r["reference"] for r in rows] == [ref]
    assert cli.json("show", ref, "--json", "--as-of", "2026-03-26T10:00")["case"]["regulatory_breached"] is True


def test_an_appraisal_pause_while_the_period_runs_is_left_out_of_it(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("pause", ref, "--reason", "appraisal", "--at", "2026-03-10T10:00")
    case = cli.json("resume", ref, "--at", "2026-03-15T10:00", "--json")
    # Five days of appraisal: 15 + 5 days = Sun 03-22, a rest day: the end of Mon 03-23.
    assert case["regulatory_due_at"] == "2026-03-24T00:00:00+08:00"
    assert cli.json("show", ref, "--json", "--as-of", "2026-03-20T10:00")["case"]["regulatory_breached"] is False


def test_a_withdrawal_ends_the_procedure_that_day(cli):
    ref = cli.log(received="2026-03-02T10:00")
    r = cli("withdraw", ref, "--reason", "客户表示已自行解决", "--at", "2026-03-05T15:00")
    assert r.stdout.strip() == f"{ref} withdrawn by the complainant; the procedure ends 2026-03-05"
    case = cli.json("show", ref, "--json", "--as-of", "2026-04-30T10:00")["case"]
    assert case["status"] == "withdrawn" and case["withdrawn_at"] == "2026-03-05T15:00:00+08:00"
    assert case["resolved_at"] is None
    assert case["overdue"] is False and case["regulatory_breached"] is False  # not breached after it
    assert cli.json("report", "overdue", "--as-of", "2026-04-30T10:00", "--format", "json") == []
    assert "cannot resolve a case that is withdrawn" in cli.fails("resolve", ref, "--resolution", "x")
    rows = cli.json("report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")["rows"]
    assert rows[0]["received"] == 1 and rows[0]["withdrawn"] == 1


def test_a_resolved_case_cannot_be_withdrawn(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "已解释", "--at", "2026-03-03T10:00")
    err = cli.fails("withdraw", ref, "--at", "2026-03-04T10:00")
    assert err == ("complaintctl: error: cannot withdraw a case that is resolved; allowed from resolved: "
                   "note, reopen, close, review")
    assert "不能执行「撤回」" in cli.fails("--lang", "zh", "withdraw", ref)


def test_a_repeat_without_new_facts_is_recorded_on_the_original(cli):
    ref = cli.log(received="2026-03-02T10:00")
    r = cli("log", "--repeat-of", ref, "--channel", "mobile_app", "--description", "客户再次来电催问",
            "--received-at", "2026-03-04T09:00")
    assert r.stdout.strip() == ref  # no new case
    assert "repeat complaint recorded on the original (no new case, clock unchanged" in r.stderr
    case = cli.json("show", ref, "--json")["case"]
    assert case["repeat_count"] == 1 and case["cycle"] == 1 and case["regulatory_due_at"] == REG_15
    assert cli.json("db", "info", "--json")["counts"]["cases"] == 1
    ev = cli.json("show", ref, "--json")["events"][-1]
    assert ev["action"] == "repeat" and ev["new"] == {"repeat_count": 1, "channel": "mobile_app", "new_facts": False}
    rows = cli.json("report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")["rows"]
    assert rows[0]["received"] == 1 and rows[0]["repeats"] == 1


def test_new_facts_restart_the_originals_clock_from_the_day_they_arrived(cli):
    ref = cli.log(received="2026-03-02T10:00")
    r = cli("log", "--repeat-of", ref, "--new-facts", "--channel", "letter", "--description", "客户补充了新的转账记录",
            "--received-at", "2026-03-10T09:00")
    assert "new facts or reasons; the clock restarts from 2026-03-10, cycle 2" in r.stderr
    detail = cli.json("show", ref, "--json", "--as-of", "2026-03-20T10:00")
    # 15 days from Tue 03-10: Wed 03-25; three working days: Fri 03-13.
    assert detail["case"]["regulatory_due_at"] == "2026-03-26T00:00:00+08:00"
    assert detail["case"]["due_at"] == "2026-03-14T00:00:00+08:00"
    assert detail["case"]["regulatory_breached"] is False
    assert [c["opened_by"] for c in detail["cycles"]] == ["log", "new_facts"]
    assert detail["cycles"][0]["internal_breached"] is True  # the first clock had run out on 03-05: it stands


def test_a_repeat_of_a_closed_case_is_refused(cli):
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-03-03T10:00")
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-03T11:00")
    err = cli.fails("log", "--repeat-of", ref, "--channel", "hotline", "--description", "x")
    assert "cannot log a repeat of a case that is closed; allowed from closed: reopen" in err
    assert "invalid --new-facts" in cli.fails("log", "--new-facts", "--channel", "hotline", "--phone", "13812345678",
                                              "--description", "x")
    assert "invalid --related" in cli.fails("log", "--repeat-of", ref, "--related", ref, "--channel", "hotline",
                                            "--description", "x")


def _decided(cli, resolved="2026-03-10T10:00"):
    cli.staff()
    cli("staff", "add", "lisi", "--role", "staff")
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", ref, "--resolution", "退还手续费", "--at", resolved)
    return ref


def test_a_review_is_asked_for_within_30_days_of_the_decision(cli):
    ref = _decided(cli)
    # Decision told Tue 03-10: the 30 days end with Thu 04-09.
    err = cli.fails("review", ref, "--requested-at", "2026-04-10T09:00", "--reviewer", "zhangwei")
    assert err == ("complaintctl: error: invalid --requested-at '2026-04-10 09:00': expected a time within "
                   "30 days of the decision of 2026-03-10: the review window ran out at 24:00 on 2026-04-09")
    case = cli.json("review", ref, "--requested-at", "2026-04-09T16:00", "--reviewer", "zhangwei", "--json")
    # 30 days from Thu 04-09 is Sat 05-09, a make-up working day (调休): the end of that day.
    assert case["status"] == "under_review" and case["regulatory_due_at"] == "2026-05-10T00:00:00+08:00"
    assert case["reviewer"] == "zhangwei" and case["assignee"] == "zhangwei"


def test_a_review_is_by_a_higher_level_never_the_handler(cli):
    ref = _decided(cli)
    args = ["review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer"]
    assert "invalid --reviewer 'wangfang': expected someone other than wangfang, who handled the case" \
        in cli.fails(*args, "wangfang")
    assert ("invalid --reviewer 'lisi': expected staff of a higher level than the handler wangfang (front-line staff), "
            "or a manager or above of the higher institution (staff without a branch); lisi is front-line staff of BJ001") \
        in cli.fails(*args, "lisi")
    assert "unknown --reviewer 'ghost'" in cli.fails(*args, "ghost")


def test_a_peer_of_another_branch_may_not_review_and_the_higher_institution_may(cli):
    """Order 2020 No. 3: the customer asks the higher institution (上级机构) for the review. A clerk or
    a manager of a sibling branch is not it; a manager registered without a branch (a regional or
    head office, `staff add --branch -`) is, even for a manager's decision."""
    cli("staff", "add", "wubin", "--role", "manager", "--branch", "BJ001")
    cli("staff", "add", "zhoujing", "--role", "staff", "--branch", "SH001")
    cli("staff", "add", "liuxin", "--role", "manager", "--branch", "SH001")
    cli("staff", "add", "qianhui", "--role", "manager", "--branch", "-")
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wubin", "--at", "2026-03-02T11:00")
    cli("resolve", ref, "--resolution", "退还手续费", "--at", "2026-03-10T10:00")
    for peer in ("zhoujing", "liuxin"):
        err = cli.fails("review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer", peer)
        assert (f"invalid --reviewer '{peer}': expected staff of the case's branch BJ001 or of the higher institution "
                f"(staff without a branch); {peer} is of SH001, a sibling branch, not a higher level") in err
    case = cli.json("review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer", "qianhui", "--json")
    assert case["status"] == "under_review" and case["reviewer"] == "qianhui"
    assert [r["branch"] for r in cli.json("staff", "list", "--format", "json") if r["name"] == "qianhui"] == [None]


def test_the_one_who_decided_does_not_review_the_decision_whoever_it_was_assigned_to(cli):
    """A manager who resolved a clerk's case made the decision: not its reviewer, and neither is a
    peer of the manager's level; an unassigned case's decider likewise."""
    cli.staff()
    cli("staff", "add", "lisi", "--role", "manager")
    assigned = cli.log(received="2026-03-02T10:00")
    cli("assign", assigned, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("--as", "zhangwei", "resolve", assigned, "--resolution", "退还", "--at", "2026-03-10T10:00")
    unassigned = cli.log(received="2026-03-02T10:00")
    cli("--as", "zhangwei", "resolve", unassigned, "--resolution", "解释", "--at", "2026-03-10T10:00")
    for ref in (assigned, unassigned):
        args = ["review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer"]
        assert "invalid --reviewer 'zhangwei': expected someone other than zhangwei, who handled the case" \
            in cli.fails(*args, "zhangwei")
        assert "expected staff of a higher level than the handler zhangwei (manager)" in cli.fails(*args, "lisi")
        assert cli.json(*args, "sunli", "--json")["reviewer"] == "sunli"


def test_only_the_named_reviewer_decides_the_review(cli):
    """Not the handler, not the person complained about, not another manager: the reviewer named at
    the request (an administrator acting for them is recorded as both). When that reviewer has been
    deactivated, someone who passes the reviewer's checks may decide it, and no one else."""
    cli.staff()
    cli("staff", "add", "lisi", "--role", "manager")
    cli("staff", "add", "zhaoyun", "--role", "executive")
    ref = cli.log("--complained-staff", "zhangwei", received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", ref, "--resolution", "退还手续费", "--at", "2026-03-10T10:00")
    cli("review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer", "sunli")
    decide = ["review-decide", ref, "--outcome", "upheld", "--text", "维持", "--at", "2026-03-25T10:00"]
    for who in ("wangfang", "zhangwei", "lisi", "zhaoyun"):
        err = cli.fails("--as", who, *decide, code=4)
        assert err == (f"complaintctl: error: not permitted: a review is decided by the reviewer named when it was "
                       f"requested, sunli; {who} is not (sunli runs 'complaintctl review-decide', or an administrator "
                       f"with --as sunli)")
    err = cli.fails(*decide, code=4)  # the administrator as themselves
    assert "a review is decided by the reviewer named when it was requested, sunli" in err
    zh = cli.fails("--lang", "zh", "--as", "wangfang", *decide, code=4)
    assert "核查结论须由申请核查时指定的核查人 sunli 作出" in zh
    cli("staff", "deactivate", "sunli")
    err = cli.fails("--as", "zhangwei", *decide, code=4)  # the person complained about, still never
    assert err.startswith("complaintctl: error: not permitted: the reviewer named, sunli, has been deactivated, and "
                          "the review is decided in their place only by someone other than zhangwei"), err
    err = cli.fails("--as", "wangfang", *decide, code=4)  # the handler
    assert "has been deactivated" in err and err.endswith("wangfang is not")
    assert "指定的核查人 sunli 已停用" in cli.fails("--lang", "zh", "--as", "wangfang", *decide, code=4)
    case = cli.json("--as", "zhaoyun", *decide, "--json")
    assert case["status"] == "reviewed"
    assert cli.json("show", ref, "--json")["events"][-1]["actor"] == f"{cli.admin} as zhaoyun"


def test_the_review_runs_on_its_own_clock_in_every_report(cli):
    ref = _decided(cli)
    cli("review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer", "sunli")
    # 30 days from Fri 03-20: Sun 04-19 moves to Mon 04-20.
    assert cli.json("show", ref, "--json", "--as-of", "2026-04-01T10:00")["clocks"] == [
        {"clock": "review", "due_at": "2026-04-21T00:00:00+08:00", "state": "left",
         "span": {"seconds": 12 * 86400 + 14 * 3600, "working": True}}]  # 12 working days and 14 hours
    soon = cli.json("report", "due-soon", "--as-of", "2026-04-20T10:00", "--format", "json")
    assert [r["reference"] for r in soon] == [ref]
    rows = cli.json("report", "overdue", "--as-of", "2026-04-22T10:00", "--format", "json")
    assert [(r["reference"], r["status"], r["breach"]) for r in rows] == [(ref, "under_review", "review")]
    out = cli("show", ref, "--as-of", "2026-04-22T10:00").stdout
    assert "Review (30 days)" in out and "Under review" in out
    case = cli.json("--as", "sunli", "review-decide", ref, "--outcome", "维持", "--text", "经核查，原处理决定适当", "--at",
                    "2026-04-22T11:00", "--json")
    assert case["status"] == "reviewed" and case["review_outcome"] == "upheld"
    detail = cli.json("show", ref, "--json")
    assert detail["clocks"][0]["state"] == "breached"
    assert [c["opened_by"] for c in detail["cycles"]] == ["log", "review"]
    assert detail["cycles"][1]["regulatory_breached"] is True
    assert cli.json("report", "overdue", "--as-of", "2026-04-23T10:00", "--format", "json") == []
    assert "cannot review a case that is reviewed; allowed from reviewed: note" in cli.fails(
        "review", ref, "--requested-at", "2026-04-23T10:00", "--reviewer", "sunli")


def test_the_art_13_record_keeps_the_identity_document_masked_everywhere(cli):
    cli.staff()
    ref = cli.log("--id-type", "身份证", "--id-number", "11010519491231002x", "--agent", "李律师",
                  "--agent-authority", "授权委托书 2026-018", "--complained-staff", "wangfang",
                  "--request", "退还全部本金", received="2026-03-02T10:00")
    case = cli.json("show", ref, "--json")["case"]
    assert case["id_type"] == "resident_id" and case["id_number"] == "110105********002X"
    assert (case["agent_name"], case["agent_authority"]) == ("李*师", "授权委托书 2026-018")  # a name, masked
    assert case["complained_staff"] == "wangfang" and case["request"] == "退还全部本金"
    assert "11010519491231002X" not in cli("show", ref, "--json").stdout
    assert "11010519491231002X" not in cli("export", "--format", "csv").stdout
    events = cli("show", ref, "--json").stdout
    assert "110105********002X" in events and "1949123" not in events
    out = cli("show", ref).stdout
    assert "Resident identity card 110105********002X" in out and "李*师 (授权委托书 2026-018)" in out


def test_bad_record_values_are_refused_without_echoing_the_number(cli):
    base = ["log", "--channel", "hotline", "--phone", "13812345678", "--description", "x"]
    assert cli.json(*base, "--id-type", "passport", "--id-number", "e1234567", "--json")["id_number"] == "********"
    err = cli.fails(*base, "--id-number", "110105194912310021")
    assert err == ("complaintctl: error: invalid --id-number '******************': expected a resident ID number: "
                   "17 digits and a check digit or X (GB 11643), e.g. 11010519491231002X")
    assert "invalid --id-number '': expected the number of the passport" in cli.fails(*base, "--id-type", "passport")
    assert "invalid --id-type 'licence'" in cli.fails(*base, "--id-type", "licence", "--id-number", "E1234567")
    assert "invalid --agent-authority '': expected the reference of the power of attorney" in cli.fails(
        *base, "--agent", "李律师")


def test_the_person_complained_about_neither_handles_nor_reviews_the_case(cli):
    cli.staff()
    ref = cli.log("--complained-staff", "zhangwei", received="2026-03-02T10:00")
    err = cli.fails("assign", ref, "--to", "zhangwei", "--at", "2026-03-02T11:00")
    assert err == ("complaintctl: error: invalid --to 'zhangwei': expected someone other than zhangwei: the complaint "
                   "is about them, and the person complained about may not handle or review it (conflict of "
                   "interest)")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", ref, "--resolution", "x", "--at", "2026-03-05T10:00")
    assert "the complaint is about them" in cli.fails("review", ref, "--requested-at", "2026-03-06T10:00",
                                                      "--reviewer", "zhangwei")


def test_the_decision_records_facts_basis_relief_and_when_it_was_made_and_told(cli):
    ref = cli.log(received="2026-03-02T10:00")
    case = cli.json("resolve", ref, "--resolution", "退还年费200元", "--facts", "年费扣收前未通知客户",
                    "--basis", "信用卡领用合约第5条", "--relief", "核查,mediation", "--decided-at", "2026-03-16T15:00",
                    "--notified-via", "letter", "--at", "2026-03-17T20:00", "--json")
    assert case["decided_at"] == "2026-03-16T15:00:00+08:00" and case["resolved_at"] == "2026-03-17T20:00:00+08:00"
    assert case["relief"] == ["review", "mediation"] and case["decision_basis"] == "信用卡领用合约第5条"
    assert case["regulatory_breached"] is False  # told on day 15: in time
    out = cli("--lang", "zh", "show", ref).stdout
    assert "向上级机构申请核查、调解" in out and "认定事实" in out
    other = cli.log(received="2026-03-02T10:00")
    assert cli.json("resolve", other, "--resolution", "x", "--at", "2026-03-03T10:00", "--json")["relief"] == [
        "review", "mediation", "arbitration", "litigation"]
    assert "invalid --decided-at" in cli.fails("resolve", cli.log(received="2026-03-02T10:00"), "--resolution", "x",
                                                "--decided-at", "2026-03-04T10:00", "--at", "2026-03-03T10:00")
    assert "invalid --relief 'prayer'" in cli.fails("resolve", cli.log(received="2026-03-02T10:00"), "--resolution",
                                                    "x", "--relief", "prayer", "--at", "2026-03-03T10:00")


def test_a_case_is_handled_together_by_a_lead_co_handlers_and_departments(cli):
    cli.staff()
    cli("staff", "add", "liqiang", "--role", "staff")
    ref = cli.log("--tier", "important", "--department", "个人金融部", "--department", "法律合规部",
                  received="2026-03-02T10:00")
    case = cli.json("assign", ref, "--to", "zhangwei", "--with", "wangfang", "--with", "liqiang",
                    "--department", "个人金融部", "--department", "运营管理部", "--at", "2026-03-02T11:00", "--json")
    assert case["assignee"] == "zhangwei" and case["co_handlers"] == ["wangfang", "liqiang"]
    assert case["department"] == "个人金融部" and case["departments"] == ["个人金融部", "运营管理部", "法律合规部"]
    out = cli("show", ref).stdout
    assert "Co-handlers" in out and "wangfang, liqiang" in out and "运营管理部" in out
    rows = cli.json("list", "--format", "json")
    assert rows[0]["co_handlers"] == "wangfang,liqiang"
    assert "unknown --with 'ghost'" in cli.fails("assign", ref, "--to", "zhangwei", "--with", "ghost")
    assert "invalid --with 'zhangwei': expected staff other than the lead handler zhangwei" in cli.fails(
        "assign", ref, "--to", "zhangwei", "--with", "zhangwei")


def test_a_co_handler_may_not_be_the_person_complained_about(cli):
    cli.staff()
    ref = cli.log("--complained-staff", "wangfang", received="2026-03-02T10:00")
    assert "invalid --with 'wangfang'" in cli.fails("assign", ref, "--to", "zhangwei", "--with", "wangfang")


def test_show_explains_a_restarted_and_extended_clock_day_by_day(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("log", "--repeat-of", ref, "--new-facts", "--channel", "letter", "--description", "新材料",
        "--received-at", "2026-03-10T09:00")
    cli("--as", "sunli", "extend", ref, "--to", "60", "--approved-by", "sunli", "--reason", "特别复杂",
        "--customer-told-at", "2026-03-12T10:00", "--at", "2026-03-12T10:00")
    steps = cli.json("show", ref, "--json")["steps"]
    assert steps[0] == "The clocks restarted on Tue 2026-03-10 (new facts): every deadline below counts from then."
    assert steps[-2:] == [
        "Extended (Order 2020 No. 3, art. 17): the regulatory period is 60 days from the restart instead of 15.",
        "Regulatory deadline: 60 calendar days after the restart, 24:00 at the end of Sat 2026-05-09."]
    assert steps[1] == "Restarted Tue 2026-03-10 09:00 (Asia/Shanghai); that day is not counted."
    out = cli("--lang", "zh", "show", ref).stdout
    assert "时限计算过程" in out and "已延长（银保监会令2020年第3号第十七条）" in out


def test_show_explains_the_review_clock(cli):
    ref = _decided(cli)
    cli("review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer", "sunli")
    assert cli.json("show", ref, "--json")["steps"] == [
        "Review (30 days from the request): counted from the day after Fri 2026-03-20; day 30 is Sun 2026-04-19.",
        "Sun 2026-04-19 is not a working day (weekend), so the period ends at 24:00 on Mon 2026-04-20."]


def test_calendar_due_explains_a_restart_the_review_window_and_the_review_day_by_day(cli):
    """Worked example: received Thu 2026-08-20; new facts Sun 09-20 restart every clock; the customer
    is told on Tue 09-01 of an earlier decision, so the window to ask for a review is 30 days from
    09-02: day 30 is Thu 10-01, National Day, and it moves to the end of Thu 10-08 (Civil Code art.
    203); a review asked for on Wed 10-28 is decided by the end of Fri 11-27."""
    out = cli.json("calendar", "due", "--tier", "general", "--received-at", "2026-08-20T10:00",
                   "--restarted-at", "2026-09-20T10:00", "--told-at", "2026-09-01T10:00",
                   "--review-requested-at", "2026-10-28T09:00", "--json")
    assert out["due_at"] == "2026-09-24T00:00:00+08:00"  # 3 working days from the restart, not from receipt
    assert out["regulatory_due_at"] == "2026-10-09T00:00:00+08:00"  # day 15 (10-05) is a holiday
    assert out["review_request_ends_at"] == "2026-10-09T00:00:00+08:00"
    assert out["review_due_at"] == "2026-11-28T00:00:00+08:00"
    steps = "\n".join(out["steps"])
    assert steps.startswith("The clocks restarted on Sun 2026-09-20 (new facts)")
    assert "day 30 is Thu 2026-10-01" in steps and "so the period ends at 24:00 on Thu 2026-10-08" in steps
    assert "Review (30 days from the request): counted from the day after Wed 2026-10-28; day 30 is Fri 2026-11-27" in steps
    zh = cli("--lang", "zh", "calendar", "due", "--tier", "general", "--received-at", "2026-08-20T10:00",
             "--told-at", "2026-09-01T10:00").stdout
    assert "申请核查的期限" in zh and "申请核查截止  2026-10-08 24:00" in zh and "review_request_ends_at" not in zh
    err = cli.fails("calendar", "due", "--tier", "general", "--received-at", "2026-08-20T10:00",
                    "--review-requested-at", "2026-08-01T10:00")
    assert err.endswith("expected a time not before --received-at (2026-08-20T10:00)")


def test_report_sla_counts_reviews_apart_against_their_own_30_days(cli, monkeypatch):
    cli.staff()
    on_time, late = cli.log(received="2026-03-02T10:00"), cli.log(received="2026-03-02T11:00")
    for ref in (on_time, late):
        cli("resolve", ref, "--resolution", "解释说明", "--at", "2026-03-04T10:00")
        cli("review", ref, "--requested-at", "2026-03-10T10:00", "--reviewer", "sunli")
    cli("--as", "sunli", "review-decide", on_time, "--outcome", "upheld", "--text", "维持", "--at", "2026-04-08T10:00")  # day 29
    cli("--as", "sunli", "review-decide", late, "--outcome", "changed", "--text", "变更", "--at", "2026-04-10T10:00")  # day 31
    rep = cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-04-30", "--format", "json")
    total = rep[-1]
    assert (total["resolved"], total["within_regulatory_pct"]) == (2, 100.0)  # the decisions themselves
    assert (total["reviews_decided"], total["reviews_within_30_days_pct"]) == (2, 50.0)
    monkeypatch.setenv("COLUMNS", "250")  # the last column, the first to give way in a narrower table
    assert "核查30日内" in cli("--lang", "zh", "report", "sla", "--from", "2026-03-01", "--to", "2026-04-30").stdout


def test_export_carries_the_procedure_masked_where_personal(cli):
    cli.staff()
    ref = cli.log("--id-type", "resident_id", "--id-number", "11010519491231002X", received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "解释说明", "--facts", "核实销售录音", "--basis", "合同第5条",
        "--relief", "review,mediation", "--at", "2026-03-04T10:00")
    cli("review", ref, "--requested-at", "2026-03-10T10:00", "--reviewer", "sunli")
    case = json.loads(cli("export").stdout.splitlines()[0])
    assert case["id_number"] != "11010519491231002X" and case["id_number"].startswith("110105")
    assert (case["decision_facts"], case["decision_basis"], case["relief"]) == ("核实销售录音", "合同第5条", "review,mediation")
    assert (case["reviewer"], case["review_requested_at"]) == ("sunli", "2026-03-10T10:00:00+08:00")
    assert [c["opened_by"] for c in case["cycles"]] == ["log", "review"]
    header = cli("export", "--format", "csv").stdout.splitlines()[0].split(",")
    assert {"withdrawn_at", "repeat_count", "review_outcome", "cycle_opened_by"} <= set(header)
    assert "11010519491231002X" not in cli("export", "--format", "csv").stdout


def test_a_pause_moves_the_deadline_off_midnight_and_every_output_says_where(cli, monkeypatch):
    """An hour's pause of a general case received Mon 11-23 moves its deadline from the end of Thu
    11-26 to 01:00 on Fri 11-27: the resume message says that time (not "end of Fri"), show's
    counting names the pause, and the timeline says how long it was, in words."""
    cli.staff()
    ref = cli.log(received="2026-11-23T09:00")
    paused = cli("pause", ref, "--reason", "customer_materials", "--at", "2026-11-24T10:00").stdout
    assert "the internal clock stopped, the regulatory one runs on" in paused
    out = cli("resume", ref, "--at", "2026-11-24T11:00").stdout
    assert "resumed (due Fri 2026-11-27 01:00, regulatory end of Tue 2026-12-08)" in out
    steps = cli.json("show", ref, "--json", "--as-of", "2026-11-25T09:00")["steps"]
    assert steps[-1] == ("Paused for 1h 00m of working time in all: the internal deadline moves that much later, "
                         "to 2026-11-27 01:00.")
    monkeypatch.setenv("COLUMNS", "200")
    zh = cli("--lang", "zh", "show", ref, "--as-of", "2026-11-25T09:00").stdout
    assert "累计中止工作时间 1小时0分：内部处理时限相应顺延至 2026-11-27 01:00。" in zh
    assert "中止时长：1小时0分" in zh and "中止的工作时间：1小时0分" in zh and "paused_" not in zh


def test_the_steps_of_a_case_are_dated_in_order_notes_may_come_late(cli):
    """A resolution dated before the first response (or any step before the last step) is refused:
    the history would be impossible. A note written up late may still be dated earlier."""
    cli.staff()
    ref = cli.log(received="2026-11-24T09:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-11-24T10:00")
    cli("respond", ref, "--text", "已致电客户", "--at", "2026-11-24T15:00")
    err = cli.fails("resolve", ref, "--resolution", "退还手续费", "--at", "2026-11-24T12:00")
    assert err == ("complaintctl: error: invalid --at '2026-11-24 12:00': expected a time not before the "
                   "case's last step (responded at 2026-11-24 15:00): its history is kept in order")
    assert "处理记录须按时间先后登记" in cli.fails("--lang", "zh", "assign", ref, "--to", "zhangwei", "--at",
                                                 "2026-11-24T11:00", "--override", "--reason", "x")
    cli("note", ref, "上午与客户通话的记录（补记）", "--at", "2026-11-24T11:30")
    cli("resolve", ref, "--resolution", "退还手续费", "--at", "2026-11-24T16:00")


def test_the_person_complained_about_takes_no_step_of_the_case_but_its_receipt(cli):
    """The examiner's case: zhangwei, complained about, reassigned the case, decided it 'no fault
    found' and could record its withdrawal. Recusal (回避) covers every step of the case after its
    receipt, whoever the case is assigned to; recording the complaint (it may be made at their own
    counter) stays theirs to do."""
    cli.staff()
    cli("staff", "add", "liming", "--role", "manager")
    ref = cli("--as", "zhangwei", "log", "--channel", "branch_counter", "--phone", "13812345678", "--description",
              "柜员态度", "--complained-staff", "zhangwei", "--received-at", "2026-11-20T10:00").stdout.strip()
    cli("--as", "liming", "assign", ref, "--to", "wangfang", "--at", "2026-11-20T11:00")
    for args in (("assign", ref, "--to", "liming", "--at", "2026-11-20T12:00"),
                 ("resolve", ref, "--resolution", "no fault found", "--notified-via", "phone", "--at", "2026-11-21T10:00"),
                 ("withdraw", ref, "--reason", "客户撤回", "--at", "2026-11-21T10:00"),
                 ("note", ref, "已与客户沟通", "--at", "2026-11-21T10:00"),
                 ("escalate", ref, "--to", "important", "--reason", "x", "--at", "2026-11-21T10:00")):
        err = cli.fails("--as", "zhangwei", *args, code=4)
        assert "the complaint is about zhangwei, who neither handles nor decides it" in err, (args, err)
    assert "该投诉涉及 zhangwei，其本人应当回避" in cli.fails("--lang", "zh", "--as", "zhangwei", "note", ref, "x",
                                                     code=4)
    # A repeat of it is receipt too.
    cli("--as", "zhangwei", "log", "--repeat-of", ref, "--channel", "hotline", "--description", "再次来电",
        "--received-at", "2026-11-21T09:00")
    cli("--as", "wangfang", "resolve", ref, "--resolution", "致歉", "--notified-via", "phone", "--at", "2026-11-21T10:00")


def test_show_says_a_pause_after_the_deadline_left_it_where_it_was(cli):
    """A pause that began after the internal deadline had passed does not move it, and show's counting
    said it did ('moves that much later, to 2026-03-06 00:00' beside the clock's 03-05 24:00)."""
    cli.staff()

    def paused(reason: str, at: str, until: str) -> list[str]:
        ref = cli.log(received="2026-03-02T10:00")
        cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
        cli("pause", ref, "--reason", reason, "--at", at)
        cli("resume", ref, "--at", until)
        return cli.json("show", ref, "--json")["steps"]

    steps = paused("appraisal", "2026-03-10T10:00", "2026-03-15T10:00")
    assert "Paused for 3wd 14h of working time in all, after the internal deadline had passed: it stays " \
           "2026-03-05 24:00, and its breach stands." in steps, steps
    steps = paused("customer_materials", "2026-03-03T10:00", "2026-03-09T10:00")
    assert "Paused for 4wd 0h of working time in all: the internal deadline moves that much later, to 2026-03-11 " \
           "24:00." in steps, steps
