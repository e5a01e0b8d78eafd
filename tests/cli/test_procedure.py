"""The procedure of CBIRC Order 2020 No. 3 (with the Civil Code's counting, arts. 200-204), rule by
rule; each test is one of README's worked examples."""
from __future__ import annotations

REG_15 = "2026-03-18T00:00:00+08:00"  # received Mon 03-02: 15 days end with Tue 03-17


def _extend(cli, ref, to, by, told, at=None, **kw):
    return cli("extend", ref, "--to", str(to), "--approved-by", by, "--reason", "需司法鉴定",
               "--customer-told-at", told, "--at", at or told, "--json", **kw)


def test_an_extension_is_a_total_from_receipt_and_60_days_is_the_ceiling(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    case = cli.json("extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "复杂",
                    "--customer-told-at", "2026-03-10T11:00", "--at", "2026-03-10T10:00", "--json")
    assert case["regulatory_due_at"] == "2026-04-02T00:00:00+08:00"  # day 30 is Wed 04-01, not day 45
    assert case["regulatory_period_days"] == 30
    case = cli.json("extend", ref, "--to", "60", "--approved-by", "sunli", "--reason", "特别复杂",
                    "--customer-told-at", "2026-03-30T09:00", "--at", "2026-03-30T09:00", "--json")
    # Day 60 is Fri 05-01 (Labour Day, holidays to Tue 05-05): the end of Wed 05-06; not day 75, not 105.
    assert case["regulatory_due_at"] == "2026-05-07T00:00:00+08:00"
    err = cli.fails("extend", ref, "--to", "90", "--approved-by", "sunli", "--reason", "x",
                    "--customer-told-at", "2026-04-10T09:00")
    assert err == ("complaintctl: error: invalid --to '90': expected 30 (days from receipt; a manager approves) "
                   "or 60 (an executive approves); 60 days from receipt is the ceiling")
    assert "more than the 60 days from receipt already in force" in cli.fails(
        "extend", ref, "--to", "60", "--approved-by", "sunli", "--reason", "x", "--customer-told-at", "2026-04-10T09:00",
        "--at", "2026-04-10T09:00")


def test_an_extension_needs_the_customer_told_before_the_deadline_ran_out(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    err = cli.fails("extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x",
                    "--customer-told-at", "2026-03-18T09:00", "--at", "2026-03-17T15:00")
    assert err == ("complaintctl: error: invalid --customer-told-at '2026-03-18T09:00:00+08:00': expected a time "
                   "before the deadline being extended ran out (2026-03-18T00:00:00+08:00): a deadline that has "
                   "passed cannot be extended")
    assert "Missing option '--customer-told-at'" in cli.fails(
        "extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x")
    assert "invalid --customer-told-at '2026-03-01T09:00:00+08:00': expected a time not before the case was received" \
        in cli.fails("extend", ref, "--to", "30", "--approved-by", "zhangwei", "--reason", "x",
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
