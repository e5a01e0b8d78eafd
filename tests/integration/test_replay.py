"""db check replays every case's events into the state they imply and compares it field by field
with the stored case and cycles: a change made with plain SQL is named by case and field."""
import pytest


@pytest.fixture
def worked(cli):
    """Cases through most of the life cycle, with a breach on record."""
    cli.staff()
    a = cli.log("--account", "6222021234567890", received="2026-03-02T10:00")
    cli("assign", a, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("pause", a, "--reason", "customer_materials", "--at", "2026-03-03T09:00")
    cli("resume", a, "--at", "2026-03-04T09:00")
    cli("resolve", a, "--resolution", "已补偿", "--at", "2026-03-09T10:00")  # past the internal limit
    b = cli.log("--tier", "urgent", received="2026-03-05T10:00")
    cli("assign", b, "--to", "sunli", "--at", "2026-03-05T11:00")
    cli("respond", b, "--text", "初步方案", "--at", "2026-03-05T12:00")
    c = cli.log(received="2026-03-06T10:00")
    cli("escalate", c, "--to", "important", "--reason", "客户投诉升级", "--at", "2026-03-06T11:00")
    r = cli.log(received="2026-03-06T10:00")
    cli("resolve", r, "--resolution", "已处理", "--at", "2026-03-07T10:00")
    cli("reopen", r, "--reason", "客户不满意", "--at", "2026-03-10T10:00")
    assert cli("db", "check").exit_code == 0
    return a, b, c, r


def each_change_is_named(cli, ref: str, changes, case_id: int = 1) -> None:
    """Each (column, value) in turn: the case's column set behind the tool's back, `db check`
    fails naming that field, and the column put back. One history for all the changes (building
    it is what costs), and `db check` passes again at the end: each change was undone."""
    missed = {}
    for column, value in changes:
        old = cli.scalar(f"select {column} from cases where id = :i", i=case_id)
        cli.sql(f"update cases set {column} = :v where id = :i", v=value, i=case_id)
        r = cli("db", "check", expect=1)
        if f"case {ref}: field {column} is" not in r.stdout:
            missed[column] = r.stdout
        cli.sql(f"update cases set {column} = :v where id = :i", v=old, i=case_id)
    assert not missed, missed
    assert "ok:" in cli("db", "check").stdout


def test_a_healthy_history_replays_to_its_cases(cli, worked):
    assert cli.json("show", worked[0], "--json")["case"]["internal_breached"] is True
    assert "ok:" in cli("db", "check").stdout


def test_later_deadlines_set_with_sql_are_named(cli, worked):
    each_change_is_named(cli, worked[2], [("due_at", "2027-01-01 00:00:00"),
                                          ("regulatory_due_at", "2027-01-01 00:00:00")], case_id=3)


def test_a_hidden_breach_is_named(cli, worked):
    cli.sql("update cases set internal_breached = :f where id = 1", f=False)
    r = cli("db", "check", expect=1)
    assert f"case {worked[0]}: field internal_breached is False but its events record True" in r.stdout
    assert r.stderr == ("complaintctl: error: 1 problem(s) found: the database does not hold what its history "
                        "says\n")


def test_a_changed_field_is_named(cli, worked):
    each_change_is_named(cli, worked[0], [
        ("assignee", "zhangwei"), ("customer", "李四"), ("phone", "13900000000"), ("account", "6222020000000000"),
        ("tier", "important"), ("department", "零售部"), ("reopen_count", 5), ("paused_working_seconds", 0),
    ])


def test_a_changed_cycle_is_named(cli, worked):
    cli.sql("update cycles set resolved_at = null where case_id = 4 and number = 1")
    r = cli("db", "check", expect=1)
    assert f"case {worked[3]}: cycle 1 field resolved_at is empty" in r.stdout


def test_a_removed_cycle_is_named(cli, worked):
    cli.sql("delete from cycles where case_id = 4 and number = 2")
    r = cli("db", "check", expect=1)
    assert f"case {worked[3]}: cycles [1] but its events imply cycles [1, 2]" in r.stdout


def test_a_purged_case_still_replays(cli, worked):
    cli("close", worked[0], "--satisfaction", "satisfied", "--at", "2026-03-10T10:00")
    assert len(cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")["anonymised"]) == 1
    assert cli("db", "check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_gap_in_ids_is_named(cli, worked):
    cli.sql("pragma foreign_keys = off")
    cli.sql("delete from cycles where case_id = 2")
    cli.sql("delete from events where case_id = 2")
    cli.sql("delete from cases where id = 2")
    r = cli("db", "check", expect=1)
    assert "case ids run from 1 to 4 but there are 3: 1 missing" in r.stdout


def test_an_import_replays_to_its_cases(cli, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("received_at,description,department,resolution,closed_at,tier\n"
                 "2026-03-02,a,零售部,已处理,2026-03-20,general\n2026-03-03,b,,,,urgent\n", encoding="utf-8")
    cli("import", str(f))
    assert cli("db", "check").exit_code == 0
    cli.sql("update cases set department = '对公部' where id = 1")
    assert "field department is" in cli("db", "check", expect=1).stdout


@pytest.fixture
def procedure(cli):
    """Cases through the procedure issue 12 added: an extension, a repeat with new facts, a
    withdrawal, a review and its decision, the Art. 13 record, a decision with facts, basis and
    relief, and a team with departments."""
    cli.staff()
    cli("staff", "add", "lina", "--role", "staff")
    a = cli.log("--id-number", "110105199003071239", "--agent", "李律师", "--agent-authority", "委托书2026-01",
                "--complained-staff", "lina", "--request", "退还年费 6222021234567890", received="2026-03-02T10:00")
    cli("assign", a, "--to", "wangfang", "--with", "zhangwei", "--department", "个人金融部", "--department", "信用卡中心",
        "--at", "2026-03-02T11:00")
    cli("--as", "zhangwei", "extend", a, "--to", "30", "--reason", "需调取录音",
        "--customer-told-at", "2026-03-10T11:00", "--at", "2026-03-10T10:00")
    cli("log", "--repeat-of", a, "--channel", "letter", "--description", "补充材料", "--new-facts",
        "--received-at", "2026-03-12T10:00")
    cli("resolve", a, "--resolution", "退还年费", "--facts", "年费未事先告知", "--basis", "领用合约第5条",
        "--relief", "mediation,litigation", "--decided-at", "2026-03-20T09:00", "--at", "2026-03-20T10:00")
    cli("review", a, "--requested-at", "2026-03-25T10:00", "--reviewer", "sunli")
    cli("--as", "sunli", "review-decide", a, "--outcome", "changed", "--text", "经核查，变更为全额退还", "--at", "2026-04-02T10:00")
    w = cli.log(received="2026-03-03T10:00")
    cli("log", "--repeat-of", w, "--channel", "hotline", "--description", "催问", "--received-at", "2026-03-04T10:00")
    cli("withdraw", w, "--reason", "客户撤回", "--at", "2026-03-05T10:00")
    r = cli("db", "check", expect=None)
    assert r.exit_code == 0, r.stdout
    return a, w


def test_the_procedures_history_replays_to_its_cases(cli, procedure):
    a, w = procedure
    case = cli.json("show", a, "--json")["case"]
    assert (case["cycle"], case["repeat_count"], case["review_outcome"]) == (3, 1, "changed")
    assert cli.json("show", w, "--json")["case"]["withdrawn_at"] is not None


def test_a_changed_procedure_field_is_named(cli, procedure):
    each_change_is_named(cli, procedure[0], [
        ("regulatory_extension_days", 60), ("repeat_count", 0), ("review_requested_at", None),
        ("reviewer", "zhangwei"), ("review_outcome", "upheld"), ("reviewed_at", "2026-05-01 00:00:00"),
        ("id_type", "passport"), ("id_number", "110105199003079994"), ("agent_name", "王五"),
        ("agent_authority", "无"), ("complained_staff", None), ("request", "另有请求"),
        ("decision_facts", "别的事实"), ("decision_basis", "别的依据"), ("relief", "review"),
        ("decided_at", "2026-03-19 00:00:00"), ("co_handlers", None), ("departments", "个人金融部"),
    ])


def test_a_changed_withdrawal_is_named(cli, procedure):
    cli.sql("update cases set withdrawn_at = null where id = 2")
    r = cli("db", "check", expect=1)
    assert f"case {procedure[1]}: field withdrawn_at is empty" in r.stdout


def test_a_review_cycle_is_replayed(cli, procedure):
    cli.sql("update cycles set resolved_at = null where case_id = 1 and number = 3")
    r = cli("db", "check", expect=1)
    assert f"case {procedure[0]}: cycle 3 field resolved_at is empty" in r.stdout


def test_a_cleared_breach_of_the_current_cycle_is_named(cli, worked):
    cli.sql("update cycles set internal_breached = :f where case_id = 1 and number = 1", f=False)
    r = cli("db", "check", expect=1)
    assert f"case {worked[0]}: cycle 1 field internal_breached is False but its events record True" in r.stdout


def test_a_cleared_breach_of_an_earlier_cycle_is_named(cli, procedure):
    """New facts opened cycle 2 after cycle 1 had run past its internal deadline: cycle 1 keeps it."""
    assert cli.scalar("select internal_breached from cycles where case_id = 1 and number = 1")
    cli.sql("update cycles set internal_breached = :f where case_id = 1 and number = 1", f=False)
    r = cli("db", "check", expect=1)
    assert f"case {procedure[0]}: cycle 1 field internal_breached is False but its events record True" in r.stdout


def test_an_imported_urgent_case_resolved_late_replays(cli, tmp_path):
    """The import marks the breach on the case only (not on the cycle): that is no tampering."""
    f = tmp_path / "u.csv"
    f.write_text("received_at,description,tier,resolution,resolved_at\n2026-03-02,a,urgent,已处理,2026-03-20\n",
                 encoding="utf-8")
    cli("import", str(f))
    assert cli.scalar("select internal_breached from cases where id = 1")
    assert cli("db", "check").exit_code == 0


def test_a_changed_working_time_of_a_decided_cycle_is_named(cli, worked):
    """The decision records the cycle's working time in its event, so one changed with SQL (which
    `report sla` and the monthly report would rank) is named."""
    cli.sql("update cycles set working_seconds = 1 where case_id = 1 and number = 1")
    r = cli("db", "check", expect=1)
    assert f"case {worked[0]}: cycle 1 field working_seconds is 1.0 but its events record" in r.stdout


def test_a_decided_cycle_that_keeps_no_working_time_is_named(cli, procedure):
    cli.sql("update cycles set working_seconds = null where case_id = 1 and number = 3")  # the review's cycle
    r = cli("db", "check", expect=1)
    assert f"case {procedure[0]}: cycle 3 is decided but keeps no working_seconds" in r.stdout
