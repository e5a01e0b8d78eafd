"""Who may do what: the operator is the login, roles are checked on every command, --as is for
administrators only, masking policy lives in the database, and no control character reaches a
terminal. The suite runs as the account that created each database: its administrator."""
import json

import pytest

from complaintctl import access


def test_the_account_that_creates_a_database_is_its_administrator_and_that_is_recorded(cli):
    cli.log()
    staff = {r["name"]: r for r in cli.json("staff", "list", "--format", "json")}
    assert (staff[cli.admin]["role"], staff[cli.admin]["login"]) == ("admin", cli.admin)
    first = cli.sql("select action, actor, new from events order by id limit 1")[0]
    assert first[0] == "staff_add" and first[1] == "complaintctl" and '"role": "admin"' in first[2]
    assert cli.json("show", "C-2026-000001", "--json")["events"][0]["actor"] == cli.admin
    # staff list goes by rank, then name: the administrator first, a service account last
    cli.staff()
    cli("staff", "add", "cron", "--role", "system")
    order = [(r["name"], r["role"]) for r in cli.json("staff", "list", "--format", "json")]
    assert order == [(cli.admin, "admin"), ("sunli", "executive"), ("zhangwei", "manager"), ("wangfang", "staff"),
                     ("cron", "system")]


def test_a_login_of_deactivated_staff_can_do_nothing(cli):
    cli.staff()
    ref = cli.log()
    cli("staff", "add", "second", "--role", "admin")
    cli("staff", "deactivate", cli.admin)
    err = cli.fails("list", code=4)
    assert err.endswith(f"login {cli.admin!r} belongs to {cli.admin}, who is deactivated: deactivated staff can do nothing")
    cli.fails("show", ref, code=4)
    cli.fails("note", ref, "x", code=4)


def test_the_last_administrator_cannot_be_deactivated_or_demoted(cli):
    cli("staff", "list")
    err = cli.fails("staff", "deactivate", cli.admin, code=4)
    assert "is the last active administrator" in err
    cli.fails("staff", "role", cli.admin, "manager", code=4)


def test_only_an_administrator_may_act_for_someone(cli):
    cli.staff()
    ref = cli.log()
    cli("staff", "add", "second", "--role", "admin")
    cli("staff", "role", cli.admin, "manager")  # the suite's login is now a manager
    err = cli.fails("--as", "wangfang", "list", code=4)
    assert err.endswith(f"only an administrator may act for someone (--as); {cli.admin} (login {cli.admin!r}) is Manager")
    assert cli("note", ref, "as myself").exit_code == 0
    assert cli.json("show", ref, "--json")["events"][-1]["actor"] == cli.admin


def test_acting_for_someone_reaches_what_their_own_login_reaches(cli):
    """README says a command given `--as NAME` is checked against NAME's role and branch; only the
    role was: on PostgreSQL an administrator acting for a clerk of BJ001 noted, assigned and logged
    cases of SH001, which the clerk's own login cannot reach (row-level security), and made a
    return of every branch in their name. Acting for staff or a manager of a branch reaches what
    their login reaches: on PostgreSQL their branch's cases, on SQLite (where the file is the
    boundary) every case of the file; acting for the higher institution's manager or an executive,
    every branch."""
    cli.staff()
    cli("staff", "add", "qianhui", "--role", "manager", "--branch", "-")
    own = cli.log("--branch", "BJ001")
    other = cli.log("--branch", "SH001")
    q1 = ["report", "regulatory", "--quarter", "2026Q1", "--format", "json"]
    attempts = (["note", other, "已回访"], ["show", other], ["show", other, "--json"], ["assign", other, "--to", "wangfang"],
                ["log", "--repeat-of", other, "--channel", "hotline", "--description", "再次来电"])
    if cli.backend == "postgresql":
        refused = ("complaintctl: error: not permitted: acting for wangfang (Front-line staff of branch BJ001) "
                   "reaches only that branch's cases; this one is of branch SH001")
        for args in attempts:
            assert cli.fails("--as", "wangfang", *args, code=4) == refused, args
        assert cli.fails("--as", "wangfang", "log", "--channel", "hotline", "--phone", "13812345678", "--description",
                         "x", "--branch", "SH001", code=4) == (
            "complaintctl: error: not permitted: wangfang (Front-line staff of branch BJ001) logs cases for that "
            "branch only; --branch SH001 is another's")
        # A return made for them is of their branch, and says so, as their own login's is.
        assert cli.json("--as", "wangfang", *q1)["branch"] == "BJ001"
        assert "would count that branch alone" in cli.fails("--as", "wangfang", *q1, "--branch", "SH001", code=4)
    else:
        assert cli("--as", "wangfang", "note", other, "已回访").exit_code == 0
        assert cli.json("--as", "wangfang", *q1)["branch"] is None
    cli("--as", "wangfang", "note", own, "已回访")
    cli("--as", "qianhui", "note", other, "上级机构已阅")
    cli("--as", "sunli", "note", other, "行领导已阅")
    assert [e["actor"] for e in cli.json("show", other, "--json")["events"]][-2:] == [
        f"{cli.admin} as qianhui", f"{cli.admin} as sunli"]
    assert cli.json(*q1)["branch"] is None


def test_acting_for_deactivated_staff_is_refused(cli):
    cli.staff()
    ref = cli.log()
    cli("staff", "deactivate", "wangfang")
    assert "wangfang is deactivated" in cli.fails("--as", "wangfang", "note", ref, "x", code=4)


def test_a_deactivation_is_undone_by_reactivate_which_takes_back_no_case(cli):
    """A deactivation made in error is undone by an administrator, recorded as one event that db check
    replays; the person may act again, and the cases reassigned meanwhile stay with their new handler."""
    cli.staff()
    kept, moved = cli.log(), cli.log()
    cli("assign", kept, "--to", "wangfang")
    cli("assign", moved, "--to", "wangfang")
    cli("staff", "deactivate", "wangfang")
    cli("assign", moved, "--to", "zhangwei")
    assert "wangfang is deactivated" in cli.fails("--as", "wangfang", "note", kept, "x", code=4)
    assert cli.fails("--as", "zhangwei", "staff", "reactivate", "wangfang", code=4).startswith(
        "complaintctl: error: not permitted: only ")
    events = cli.scalar("SELECT count(*) FROM events")
    r = cli("staff", "reactivate", "wangfang")
    assert r.stdout == "wangfang reactivated\n"
    assert r.stderr.startswith("1 open case(s) still assigned to wangfang are theirs to handle again; cases "
                               "reassigned while they were deactivated stay with their new handlers")
    assert cli.scalar("SELECT count(*) FROM events") == events + 1
    action, actor, old, new = cli.sql("SELECT action, actor, old, new FROM events ORDER BY id DESC LIMIT 1")[0]
    assert (action, actor, json.loads(old), json.loads(new)) == (
        "staff_reactivate", cli.admin, {"name": "wangfang", "active": False}, {"active": True})
    assert {r["name"]: r["active"] for r in cli.json("staff", "list", "--format", "json")}["wangfang"] is True
    assert {c["reference"]: c["assignee"] for c in cli.json("list", "--format", "json")} == {
        kept: "wangfang", moved: "zhangwei"}
    cli("--as", "wangfang", "note", kept, "回来继续处理")
    cli("assign", moved, "--to", "wangfang")  # assignable again
    assert cli("db", "check").exit_code == 0  # the reactivation replays
    # Someone active, or unknown, is refused with one line, nothing written; in Chinese too.
    err = cli.fails("staff", "reactivate", "wangfang")
    assert err == ("complaintctl: error: staff 'wangfang' is active: only a deactivated member of staff can be "
                   "reactivated (see 'complaintctl staff list')")
    assert "unknown name 'ghost'" in cli.fails("staff", "reactivate", "ghost")
    cli("staff", "deactivate", "sunli")
    assert cli("--lang", "zh", "staff", "reactivate", "sunli").stdout == "员工 sunli 已恢复启用\n"
    assert "只有已停用的员工才能恢复启用" in cli.fails("--lang", "zh", "staff", "reactivate", "sunli")
    # Reactivated behind the tool's back, the replay says so.
    cli("staff", "deactivate", "sunli")
    cli.sql("UPDATE staff SET active = true WHERE name = 'sunli'")
    assert "staff sunli: active is True but its history says False" in cli("db", "check", expect=None).stdout


@pytest.mark.parametrize("who, args", [
    ("wangfang", ["staff", "add", "boss", "--role", "executive"]),
    ("zhangwei", ["staff", "deactivate", "wangfang"]),
    ("zhangwei", ["staff", "reactivate", "wangfang"]),
    ("sunli", ["staff", "role", "wangfang", "executive"]),
    ("sunli", ["masking", "off", "--reason", "x"]),
    ("wangfang", ["assign", "{ref}", "--to", "wangfang", "--override", "--reason", "x"]),
    ("cron", ["log", "--channel", "letter", "--description", "x"]),
    ("cron", ["show", "{ref}", "--reveal"]),
    ("cron", ["note", "{ref}", "x"]),
    ("wangfang", ["escalate", "--overdue"]),
    ("wangfang", ["db", "purge", "--closed-before", "2026-01-01"]),
    ("zhangwei", ["demo", "--force", "--count", "1"]),
])
def test_each_role_is_refused_what_the_table_does_not_give_it(cli, who, args):
    cli.staff()
    cli("staff", "add", "cron", "--role", "system")
    ref = cli.log("--tier", "important")
    err = cli.fails("--as", who, *[a.format(ref=ref) for a in args], code=4)
    assert err.startswith("complaintctl: error: not permitted: only ")


def test_a_manager_may_override_and_the_cron_account_may_escalate(cli):
    cli.staff()
    cli("staff", "add", "cron", "--role", "system")
    ref = cli.log("--tier", "important", received="2026-03-02T10:00")
    cli("--as", "zhangwei", "assign", ref, "--to", "wangfang", "--override", "--reason", "人手不足", "--at", "2026-03-02T11:00")
    done = cli.json("--as", "cron", "escalate", "--overdue", "--as-of", "2026-03-20T18:00", "--json")
    assert [e["reference"] for e in done["escalated"]] == [ref]
    assert cli.json("show", ref, "--json")["events"][-1]["actor"] == f"{cli.admin} as cron"
    assert cli("--as", "cron", "report", "overdue", "--as-of", "2026-03-20T18:00").exit_code == 0
    assert cli("--as", "cron", "db", "check").exit_code == 0


def test_a_manager_reveals_only_cases_of_their_own_branch(cli):
    cli("staff", "add", "zhangwei", "--role", "manager", "--branch", "BJ001")
    cli("staff", "add", "liuyang", "--role", "manager", "--branch", "BJ002")
    cli("staff", "add", "sunli", "--role", "executive", "--branch", "BJ000")
    ref = cli.log("--branch", "BJ001")
    err = cli.fails("--as", "liuyang", "show", ref, "--reveal", code=4)
    assert err.endswith("a Manager may see personal data in full only for cases of their own branch (BJ002); "
                        "this case is of branch BJ001" if cli.backend == "sqlite" else  # (their login does not see it)
                        "acting for liuyang (Manager of branch BJ002) reaches only that branch's cases; this one is of "
                        "branch BJ001")
    assert cli.json("--as", "zhangwei", "show", ref, "--reveal", "--json")["case"]["phone"] == "13812345678"
    assert cli.json("--as", "sunli", "show", ref, "--reveal", "--json")["case"]["phone"] == "13812345678"


def test_not_permitted_speaks_chinese(cli):
    cli.staff()
    ref = cli.log()
    err = cli.fails("--lang", "zh", "--as", "wangfang", "show", ref, "--reveal", code=4)
    assert "无权操作" in err and "一线员工" in err


def test_masking_policy_lives_in_the_database_and_each_change_is_recorded(cli, tmp_path):
    cli.staff()
    ref = cli.log()
    assert cli("masking", "show").stdout.strip() == "on"
    cli("masking", "off", "--reason", "测试库，无真实客户")
    assert cli.json("show", ref, "--json")["case"]["phone"] == "13812345678"
    ev = cli.sql("select action, actor, old, new, detail from events where action = 'masking'")
    assert len(ev) == 1 and ev[0][1] == cli.admin and '"off"' in ev[0][3]
    cli("masking", "on", "--reason", "恢复")
    assert cli.json("show", ref, "--json")["case"]["phone"] == "138****5678"
    # No config file can turn it off, not even one in the current folder.
    (tmp_path / "complaintctl.toml").write_text("[masking]\nenabled = false\n")
    assert "the masking policy is kept in the database" in cli.fails("show", ref)


@pytest.mark.sqlite_only  # on PostgreSQL a login must exist on the server first: test_server_roles.py
def test_staff_logins_are_unique_and_checked(cli):
    cli("staff", "add", "wangfang", "--role", "staff", "--login", "wangfang")
    assert "already belongs to wangfang" in cli.fails("staff", "add", "wf2", "--role", "staff", "--login", "wangfang")
    assert "invalid --login" in cli.fails("staff", "add", "x", "--role", "staff", "--login", "bad login")
    cli("staff", "login", "wangfang", "wf")
    rows = {r["name"]: r["login"] for r in cli.json("staff", "list", "--format", "json")}
    assert rows["wangfang"] == "wf"


@pytest.mark.parametrize("text", ["x\x1b]0;TITLE\x07", "abc\u202edcba", "a\x9bb", "a\rb"])
def test_control_characters_and_bidi_overrides_are_refused_everywhere(cli, text):
    cli.staff()
    ref = cli.log()
    err = cli.fails("note", ref, text)
    assert "text without control characters or bidirectional overrides" in err and "\x1b" not in err
    assert "invalid --as" in cli.fails("--as", text, "list")
    assert "invalid name" in cli.fails("staff", "add", text, "--role", "staff")
    cli.fails("log", "--channel", "letter", "--description", f"投诉{text}")


def test_data_stored_before_is_stripped_on_the_terminal(cli):
    ref = cli.log()
    cli.sql("update cases set customer = :c, description = :d where id = 1",
            c="张三\x1b]0;pwned\x07", d="正文\u202e反向\x1b[2J")
    out = cli("show", ref).stdout + cli("list").stdout
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "正文反向[2J" in out  # the text is shown, without its control characters (the name is masked)


def test_the_readme_prints_the_role_table():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert access.markdown_table() in readme


def test_only_managers_executives_and_administrators_import_and_rows_take_the_configs_branch(cli, tmp_path):
    """The role table's import row holds: front-line staff and the cron account are refused before
    the file is read, with nothing written; a manager's import gives a row without a branch the
    config's branch, as `log` does; with no branch anywhere the row is refused, saying where one
    comes from."""
    cli.staff()
    cli("staff", "add", "cron", "--role", "system")
    rows = tmp_path / "rows.csv"
    rows.write_text("external_id,received_at,channel,phone,description\n"
                    "G-1,2026-10-20T10:00,hotline,13700005555,ok\n", encoding="utf-8")
    for who in ("wangfang", "cron"):
        err = cli.fails("--as", who, "import", str(rows), code=4)
        assert err.startswith("complaintctl: error: not permitted: only ") and "13700005555" not in err
    cli("--as", "zhangwei", "import", str(rows))
    shown = cli.json("show", "C-2026-000001", "--json")
    assert shown["case"]["branch"] == "BJ001" and shown["events"][-1]["actor"].endswith("zhangwei")
    assert cli.json("list", "--branch", "BJ001", "--format", "json")[0]["reference"] == "C-2026-000001"
    bare = tmp_path / "bare.toml"
    bare.write_text("")
    rows.write_text("external_id,received_at,channel,phone,description\n"
                    "G-2,2026-10-21T10:00,hotline,13700005556,ok\n", encoding="utf-8")
    err = cli.fails("--config", str(bare), "import", str(rows), report=True)  # (the rejected rows listed)
    r = cli("--config", str(bare), "import", str(rows), "--json", expect=2)
    import json

    reject = json.loads(r.stdout)["rejects"][0]
    why = "invalid branch '': expected a branch code, from a branch column (--map branch=COLUMN) or the config's branch"
    assert reject == {"row": 1, "field": "branch", "reason": why, "faults": [{"field": "branch", "reason": why}]}
    assert err.startswith("complaintctl: error: 1 of 1 rows in rows.csv are invalid")


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_complaintctl_operator_is_refused_under_its_own_name(cli, monkeypatch, value):
    """COMPLAINTCTL_OPERATOR set but empty (a script's unset variable): refused, exit 2, nothing
    written, where before the administrator acted as themself."""
    cli.log()
    monkeypatch.setenv("COMPLAINTCTL_OPERATOR", value)
    err = cli.fails("log", "--channel", "letter", "--description", "来信")
    assert err.startswith(f"complaintctl: error: invalid COMPLAINTCTL_OPERATOR '{value}'")


def test_a_denial_names_its_roles_as_a_list_in_either_language(cli, tmp_path):
    """'only Manager, Executive or Administrator may …' (each joined by 'or' before), 一线员工、…或…."""
    cli.staff()
    f = tmp_path / "in.csv"
    f.write_text("received_at,channel,description\n2026-03-02T10:00,letter,来信\n", encoding="utf-8")
    en = cli("--as", "wangfang", "import", str(f), expect=4).stderr
    zh = cli("--lang", "zh", "--as", "wangfang", "import", str(f), expect=4).stderr
    assert "only Manager, Executive or Administrator may" in en, en
    assert "只有中层管理人员、高级管理人员或系统管理员可以" in zh, zh
