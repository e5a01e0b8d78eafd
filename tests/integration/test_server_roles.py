"""On PostgreSQL the server enforces the roles, not only the tool: logins of two branches each see
only their own cases, through the tool and through plain SQL; nobody may update or delete an
event; a manager of one branch cannot reveal a case of another. Each test makes its own logins
(CREATE ROLE ... LOGIN, as a DBA would) and drops them afterwards."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.cli.test_lean_overdue import _run
from tests.conftest import Cli


@pytest.fixture
def logins(cli):
    """A maker of server logins named after this test database (unique per checkout and worker)."""
    if cli.backend != "postgresql":
        pytest.skip("server logins and row-level security are PostgreSQL's")
    url = sa.engine.make_url(cli.db)
    made: list[str] = []

    def make(suffix: str) -> tuple[str, Cli]:
        name = f"{url.database}_{suffix}"[:63]
        cli.sql(f'DROP ROLE IF EXISTS "{name}"')
        cli.sql(f'CREATE ROLE "{name}" LOGIN')
        made.append(name)
        return name, Cli(url.set(username=name).render_as_string(hide_password=False))

    yield make
    for name in made:
        cli.sql(f'DROP OWNED BY "{name}"')
        cli.sql(f'DROP ROLE IF EXISTS "{name}"')


def _refs(c: Cli) -> list[str]:
    return sorted(r["reference"] for r in c.json("list", "--all", "--format", "json"))


def test_two_branches_each_see_only_their_own_cases_through_the_tool_and_plain_sql(cli, logins):
    a_login, a = logins("a")
    b_login, b = logins("b")
    cli("staff", "add", "clerk_a", "--role", "staff", "--branch", "BJ001", "--login", a_login)
    cli("staff", "add", "clerk_b", "--role", "staff", "--branch", "BJ002", "--login", b_login)
    ref_a = cli.log("--branch", "BJ001")
    ref_b = cli.log("--branch", "BJ002")
    assert _refs(a) == [ref_a] and _refs(b) == [ref_b]
    assert [r[0] for r in a.sql("select reference from cases")] == [ref_a]
    assert [r[0] for r in b.sql("select reference from cases")] == [ref_b]
    assert {r[0] for r in a.sql("select case_id from events where case_id is not null")} == {1}
    assert "unknown case" in b.fails("show", ref_a)
    # Each branch works on its own case; the audit chain stays one chain.
    a("note", ref_a, "已回访")
    b("note", ref_b, "已回访")
    assert cli("db", "check").exit_code == 0
    last = cli.json("show", ref_a, "--json")["events"][-1]
    assert (last["action"], last["actor"]) == ("note", "clerk_a")
    # The full text a note kept apart from the chain: written by the clerk, readable only by a role that
    # may reveal it (the clerk's own login cannot SELECT it, even for their own branch).
    a("note", ref_a, "客户新卡号 6222021234567890")
    assert cli.scalar("select count(*) from personal_data") >= 1
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        a.sql("select value from personal_data")
    # Yet the clerk's text is masked with the case's names (through the owner's function), and the
    # clerk finds a caller's cases of their own branch by phone, never the other branch's.
    a("note", ref_a, "张三来电催办")
    assert a.json("show", ref_a, "--json")["events"][-1]["detail"] == "张*来电催办"
    assert [r["reference"] for r in a.json("find", "--phone", "138 1234 5678", "--format", "json")] == [ref_a]
    assert a.sql("select * from complaintctl_case_names(2)") == []
    # The lean way (cli/lean.py: psycopg, without SQLAlchemy) reads through the same login, so the
    # same row-level security: the same bytes as the full way, the clerk's own branch only.
    for args in (["find", "--phone", "138 1234 5678"], ["list", "--all", "--tier", "general"],
                 ["list", "--branch", "BJ001", "--overdue"], ["report", "overdue", "--tier", "general"],
                 ["report", "overdue", "--tier", "general", "--format", "csv"], ["report", "due-soon", "--tier", "general"]):
        argv = ["--db", str(a.db), *args, "--as-of", "2026-05-20T09:00", "--format", "json"]
        if "--format" in args:
            argv = ["--db", str(a.db), *args, "--as-of", "2026-05-20T09:00"]
        lean = _run(argv, lean_way=True)
        assert lean == _run(argv, lean_way=False) and ref_b.encode() not in lean[1], args
        assert (ref_a.encode() in lean[1]) == (args[1] != "due-soon"), args  # overdue since March
    # A case logged for another branch is refused (the server would refuse it too, in its own words:
    # "new row violates row-level security policy for table cases", in Chinese output as well).
    err = a.fails("log", "--channel", "letter", "--description", "x", "--branch", "BJ002", code=4)
    assert err == ("complaintctl: error: not permitted: clerk_a (Front-line staff of branch BJ001) logs cases for "
                   "that branch only; --branch BJ002 is another's")
    assert "bj001': did you mean BJ001?" in a.fails("log", "--channel", "letter", "--description", "x", "--branch", "bj001")


def test_no_login_may_update_or_delete_an_event_not_even_the_owner(cli, logins):
    a_login, a = logins("a")
    cli("staff", "add", "clerk_a", "--role", "staff", "--branch", "BJ001", "--login", a_login)
    cli.log("--branch", "BJ001")
    for statement in ("update events set actor = 'nobody'", "delete from events"):
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            a.sql(statement)
    owner = sa.create_engine(cli.db, poolclass=sa.pool.NullPool)
    try:
        for statement in ("update events set actor = 'nobody'", "delete from events"):
            with pytest.raises(sa.exc.DBAPIError, match="the audit trail is insert-only"):
                with owner.begin() as conn:
                    conn.execute(sa.text(statement))
    finally:
        owner.dispose()
    assert cli("db", "check").exit_code == 0


def test_a_login_may_insert_only_events_that_name_it(cli, logins):
    """A clerk with psql could append a chained event naming a manager or the administrator as its
    actor (a forged approval), and db check verified it: the server now refuses an event whose
    actor is not the inserting login's own staff name (an administrator's, followed by " as ")."""
    from complaintctl.audit import hash_iso

    a_login, a = logins("a")
    x_login, x = logins("x")
    cli("staff", "add", "clerk_a", "--role", "staff", "--branch", "BJ001", "--login", a_login)
    cli("staff", "add", "admin_x", "--role", "admin", "--login", x_login)
    cli.staff()
    ref = cli.log("--branch", "BJ001")

    def insert(who: Cli, actor: str) -> None:
        head = who.scalar("select complaintctl_chain_head()")
        now = "2026-11-30T12:00:00.000000"
        who.sql("insert into events (case_id, action, actor, occurred_at, recorded_at, old, new, detail, prev_hash, hash) "
                "values (1, 'note', :actor, :t, :t, null, null, 'x', :p, :h)", actor=actor, t=now, p=head,
                h=hash_iso(head, 1, "note", actor, now, now, None, None, "x"))

    for forged in ("zhangwei", cli.admin, "clerk_a as zhangwei"):
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            insert(a, forged)
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
        insert(x, "zhangwei")
    insert(a, "clerk_a")  # its own name: what the tool writes for it (and db check then verifies)
    insert(x, "admin_x as zhangwei")  # an administrator acting for someone, as --as records it
    a("note", ref, "已回访")
    x("--as", "zhangwei", "note", ref, "已回访")
    assert [e["actor"] for e in cli.json("show", ref, "--json")["events"][-2:]] == ["clerk_a", "admin_x as zhangwei"]


def test_a_login_held_to_row_security_imports_by_insert_and_is_told_what_its_purge_leaves(cli, logins, tmp_path):
    """PostgreSQL refuses COPY into a table with row-level security to any login held to it: an
    import by an administrator's own login (not the tables' owner) failed with FeatureNotSupported.
    Its rows now go in by INSERT; and its purge, whose VACUUM the server skips for a non-owner, says
    what stays in the server's files instead of reporting them gone."""
    x_login, x = logins("x")
    cli("staff", "add", "admin_x", "--role", "admin", "--login", x_login)
    rows = tmp_path / "rows.csv"
    rows.write_text("received_at,channel,description,phone,branch,closed_at\n"
                    "2026-03-02T10:00,hotline,imported one,13812345678,BJ001,2026-03-05T10:00\n"
                    "2026-03-03T10:00,letter,imported two,,BJ002,\n", encoding="utf-8")
    assert "imported 2 of 2 rows" in x("import", str(rows)).stdout
    assert cli("db", "check").exit_code == 0
    purged = x("db", "purge", "--closed-before", "2026-04-01")
    assert "anonymised 1 case(s)" in purged.stdout
    assert "old row versions stay in the server's files until a VACUUM" in purged.stderr


def test_a_manager_of_one_branch_cannot_reveal_a_case_of_another(cli, logins):
    m_login, m = logins("m")
    cli("staff", "add", "manager_a", "--role", "manager", "--branch", "BJ001", "--login", m_login)
    ref_a = cli.log("--branch", "BJ001")
    ref_b = cli.log("--branch", "BJ002")
    cli("note", ref_a, "客户新卡号 6222021234567890")
    cli("note", ref_b, "客户新卡号 6222029876543210")
    shown = m.json("show", ref_a, "--reveal", "--json")
    assert shown["case"]["phone"] == "13812345678"
    assert [e["detail"] for e in shown["events"] if e["action"] == "note"] == ["客户新卡号 6222021234567890"]
    assert [r[0] for r in m.sql("select value from personal_data where field = 'detail'")] == \
        ["客户新卡号 6222021234567890"]  # not B's
    assert "unknown case" in m.fails("show", ref_b, "--reveal")  # the server hides it altogether
    assert m.sql("select phone from cases where reference = :r", r=ref_b) == []
    # and a manager cannot use --as to get round it
    assert "only an administrator may act for someone" in m.fails("--as", "sunli", "show", ref_b, code=4)


def test_a_manager_of_the_higher_institution_sees_every_branch_and_decides_the_review_given(cli, logins):
    """Row-level security let a manager registered without a branch (a regional or head office)
    see only the cases that have no branch, which is none: named a case's reviewer, they could not
    open it ('unknown case'), nor approve the extension the tool lets them approve, and their
    morning overdue report said 0 (revision 0028). They see every branch's cases now, through the
    tool and plain SQL, decide the review, and still reveal nothing of a branch's in full; a clerk
    of the higher institution still sees none of them."""
    r_login, region = logins("r")
    c_login, clerk = logins("c")
    cli("staff", "add", "wubin", "--role", "manager", "--branch", "BJ001")
    cli("staff", "add", "qianhui", "--role", "manager", "--branch", "-", "--login", r_login)
    cli("staff", "add", "hq_clerk", "--role", "staff", "--branch", "-", "--login", c_login)
    ref_a = cli.log("--branch", "BJ001", received="2026-03-02T10:00")
    ref_b = cli.log("--branch", "SH001", received="2026-03-03T10:00")
    assert _refs(region) == sorted([ref_a, ref_b]) and len(region.sql("select id from cases")) == 2
    assert "reaches no case on this database" in clerk.fails("list", code=4) and clerk.sql("select id from cases") == []
    assert f"{ref_b}" in region("report", "overdue", "--as-of", "2026-05-20T09:00", "--format", "csv").stdout
    cli("assign", ref_a, "--to", "wubin", "--at", "2026-03-02T11:00")
    cli("resolve", ref_a, "--resolution", "退还手续费", "--at", "2026-03-10T10:00")
    cli("review", ref_a, "--requested-at", "2026-03-20T10:00", "--reviewer", "qianhui")
    region("review-decide", ref_a, "--outcome", "upheld", "--text", "维持原处理", "--at", "2026-03-25T10:00")
    region("extend", ref_b, "--to", "30", "--reason", "需调查取证", "--customer-told-at", "2026-03-10T10:00",
           "--at", "2026-03-10T10:00")
    assert [e["actor"] for e in cli.json("show", ref_a, "--json")["events"]][-1] == "qianhui"
    assert cli.json("show", ref_b, "--json")["case"]["regulatory_extension_days"] == 30
    assert "only for cases of their own branch" in region.fails("show", ref_b, "--reveal", code=4)
    # nor through plain SQL: what a manager reads in full is their own branch's, the higher institution's none
    assert region.sql("select value from personal_data") == []
    cli("masking", "off", "--reason", "核查")
    assert region.json("show", ref_b, "--json")["case"]["phone"] == "138****5678"  # (what the row holds, masked)
    assert sorted(r["reference"] for r in region.json("find", "--phone", "138 1234 5678", "--format", "json")) == \
        sorted([ref_a, ref_b])
    assert "reaches no case on this database" in clerk.fails("find", "--phone", "138 1234 5678", code=4)
    assert cli("db", "check").exit_code == 0


def test_a_branch_login_s_return_is_of_its_branch_and_says_so(cli, logins):
    """Row-level security shows a branch's manager only their branch's cases: their quarterly return
    counted that branch alone and said 'all branches' (统计范围 全部网点), and `--branch SH001`
    gave a return of zeros. Their return is of their branch, and says so; another branch, or a
    region, is refused (exit 4). An executive's is the bank's."""
    m_login, m = logins("m")
    e_login, e = logins("e")
    cli("staff", "add", "zhang", "--role", "manager", "--branch", "BJ001", "--login", m_login)
    cli("staff", "add", "sun", "--role", "executive", "--login", e_login)
    for branch in ("BJ001", "BJ001", "SH001"):
        cli.log("--branch", branch, received="2026-08-03T10:00")
    q3 = ["report", "regulatory", "--quarter", "2026Q3"]
    mine, bank = m.json(*q3, "--format", "json"), e.json(*q3, "--format", "json")
    assert (mine["branch"], bank["branch"]) == ("BJ001", None)
    assert [r["received"] for r in mine["by_branch"] if r["branch"] == "TOTAL"] == [2]
    assert [r["received"] for r in bank["by_branch"] if r["branch"] == "TOTAL"] == [3]
    assert m(*q3).stdout.startswith("Complaint return 2026Q3 (branch BJ001)  Received from 2026-07-01")
    for scope in (["--branch", "SH001"], ["--region", "华北"]):
        err = m.fails(*q3, *scope, code=4)
        assert err == (f"complaintctl: error: not permitted: zhang (Manager of branch BJ001) reaches only that branch's "
                       f"cases, so a return of {' '.join(scope)} would count that branch alone; give --branch BJ001, "
                       f"or no scope"), err
    assert m.json(*q3, "--branch", "BJ001", "--format", "json")["branch"] == "BJ001"


def test_a_clerk_of_the_higher_institution_is_told_they_reach_no_case_not_given_every_branch(cli, logins):
    """Staff registered without a branch (`--branch -`) see no case on PostgreSQL (revision 0028
    lets only the higher institution's managers see every branch), but the tool took them for
    someone who reaches every branch: their `log --branch BJ001` failed in the server's own words,
    and their quarterly return said 'all branches' and counted none. Each now says why (exit 4),
    in both languages, and writes nothing; an administrator acting for them is told the same, and
    so is every other command of theirs that reads cases (their overdue report said 0)."""
    c_login, clerk = logins("c")
    cli("staff", "add", "hq_clerk", "--role", "staff", "--branch", "-", "--login", c_login)
    cli.log("--branch", "BJ001", received="2026-08-03T10:00")
    said = ("not permitted: hq_clerk (Front-line staff of the higher institution, with no branch) reaches no case on this "
            "database, where the server shows staff their own branch's cases only")
    for args in (["log", "--channel", "hotline", "--description", "x", "--branch", "BJ001", "--customer", "张三",
                  "--phone", "13812345678"],
                 ["report", "regulatory", "--quarter", "2026Q3"]):
        err = clerk.fails(*args, code=4)
        assert err.startswith(f"complaintctl: error: {said}") and "张三" not in err and "13812345678" not in err, err
        assert "上级机构" in clerk.fails("--lang", "zh", *args, code=4)
    assert "reaches no case on this database" in cli.fails(
        "--as", "hq_clerk", "log", "--channel", "letter", "--description", "x", "--branch", "BJ001", code=4)
    assert cli.scalar("select count(*) from cases") == 1
    for args in (["report", "overdue", "--format", "csv"], ["report", "overdue"], ["list"], ["report", "sla"]):
        assert clerk.fails(*args, code=4).startswith(f"complaintctl: error: {said}"), args


def test_an_unmapped_login_reads_nothing_and_staff_add_grants_the_role(cli, logins):
    u_login, u = logins("u")
    cli.log()
    r = u("list", expect=4)
    err = r.stderr.strip()
    assert r.stdout == "" and err.endswith(f"login {u_login!r} is not mapped to active staff, so it may read and write nothing; "
                        f"an administrator maps it with 'complaintctl staff add NAME --role ROLE --login {u_login}'")
    cli("staff", "add", "exec_u", "--role", "executive", "--login", u_login)
    member = cli.scalar("select pg_has_role(:l, 'complaint_executive', 'MEMBER')", l=u_login)
    assert member is True and len(_refs(u)) == 1
    cli("staff", "deactivate", "exec_u")
    assert cli.scalar("select pg_has_role(:l, 'complaint_executive', 'MEMBER')", l=u_login) is False
    assert "deactivated" in u("list", expect=4).stderr
    assert "expected a login that exists on the server" in cli.fails("staff", "add", "ghost", "--role", "staff", "--login", "no_such_login_x")
