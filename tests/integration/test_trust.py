"""Tamper evidence, replay, backup, personal data, retention, concurrent writers and crashes."""
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from complaintctl.importer import BATCH

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def history(cli):
    cli.staff()
    refs = [cli.log(received=f"2026-03-0{i}T10:00") for i in range(2, 6)]
    cli("assign", refs[0], "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", refs[0], "--resolution", "已处理", "--at", "2026-03-03T11:00")
    cli("note", refs[1], "跟进客户", "--at", "2026-03-03T12:00")
    return refs


def test_db_check_passes_on_a_healthy_database(cli, history):
    r = cli("db", "check")
    assert r.stdout.startswith("ok: integrity, foreign keys, state replay and audit chain all hold")


def test_db_check_names_an_event_edited_behind_the_tools_back(cli, history):
    cli.sql("update events set detail = '没有跟进' where action = 'note'")
    event_id = cli.scalar("select id from events where action='note'")
    r = cli("db", "check", expect=1)
    assert f"event {event_id}: hash does not match its content" in r.stdout


def test_db_check_finds_a_deleted_event(cli, history):
    cli.sql("delete from events where action = 'assign'")
    r = cli("db", "check", expect=1)
    assert "previous-hash link broken" in r.stdout


def test_db_check_finds_a_state_that_does_not_match_its_events(cli, history):
    cli.sql("update cases set status = 'closed' where id = 2")
    r = cli("db", "check", expect=1)
    assert "case C-2026-000002: state is closed but its events replay to received" in r.stdout


@pytest.mark.parametrize("tamper, problem", [
    (["update staff set role = 'executive' where name = 'wangfang'"],
     "staff wangfang: role is 'executive' but its history says 'staff'"),
    (["update staff set login = 'nobody1' where name = 'sunli'"], "staff sunli: login is 'nobody1' but its history says None"),
    (["update staff set active = true where name = 'lisi'"], "staff lisi: active is True but its history says False"),
    (["insert into staff (name, role, branch, active, created_at) values ('mole', 'admin', 'BJ001', true, "
      "'2026-03-01 00:00:00')"], "staff mole: no event records them; added around the tool"),
    (["update settings set value = 'off' where key = 'masking'"], "masking is 'off' but its history says 'on'"),
    (["update remediation_actions set status = 'done', evidence = '已整改'"], "remediation action 1: status differs from its history"),
    (["update remediation_actions set due_on = '2027-06-30'"], "remediation action 1: due_on differs from its history"),
    (["delete from remediation_cases", "delete from remediation_actions"],
     "remediation action 1: recorded by its events but missing"),
    (["update remediation_actions set created_by = 'wangfang'"], "remediation action 1: created_by differs from its history"),
])
def test_db_check_finds_staff_policy_and_actions_changed_behind_the_tools_back(cli, history, tamper, problem):
    """Who may do what, the masking policy and the remediation actions are replayed from their events
    as cases are: a role raised in the file is a privilege taken, and db check says so (exit 1)."""
    cli("staff", "add", "lisi", "--role", "staff")
    cli("staff", "deactivate", "lisi")
    cli("action", "add", "--title", "重新培训", "--root-cause", "misselling", "--owner", "zhangwei", "--due", "2026-12-31",
        "--case", history[0])
    assert cli("db", "check").exit_code == 0
    for statement in tamper:
        cli.sql(statement)
    r = cli("db", "check", expect=1)
    assert problem in r.stdout.splitlines(), r.stdout
    assert "the database does not hold what its history says" in r.stderr


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_copy(cli, history, tmp_path):
    target = tmp_path / "copy.db"
    assert "integrity ok" in cli("db", "backup", str(target)).stdout
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    from tests.conftest import Cli

    copy = Cli(target)
    assert copy("db", "check").exit_code == 0
    assert copy.json("db", "info", "--json")["counts"]["cases"] == 4
    assert "never overwrites" in cli.fails("db", "backup", str(target))


def test_personal_data_is_masked_everywhere_by_default(cli):
    ref = cli.log("--account", "6222021234567890", "--description", "卡号6222021234567890被盗刷，电话13912345678")
    case = cli.json("show", ref, "--json")["case"]
    assert case["phone"] == "138****5678" and case["account"] == "622202******7890"
    assert case["description"] == "卡号622202******7890被盗刷，电话139****5678"
    listing = cli("list", "--format", "csv").stdout
    assert "13812345678" not in listing and "6222021234567890" not in listing
    shown = cli("show", ref).stdout
    assert "13812345678" not in shown and "6222021234567890" not in shown


def test_reveal_is_for_managers_and_is_audited(cli):
    cli.staff()
    ref = cli.log("--account", "6222021234567890")
    err = cli.fails("--as", "wangfang", "show", ref, "--reveal", code=4)
    assert err.endswith("only Manager or Executive may see personal data in full; wangfang is Front-line staff")
    assert "root is Administrator" in cli.fails("show", ref, "--reveal", code=4).replace(cli.admin, "root")
    case = cli.json("--as", "zhangwei", "show", ref, "--reveal", "--json")["case"]
    assert case["phone"] == "13812345678" and case["account"] == "6222021234567890"
    last = cli.json("show", ref, "--json")["events"][-1]
    assert last["action"] == "reveal" and last["actor"] == f"{cli.admin} as zhangwei"


def test_purge_anonymises_closed_cases_and_records_it(cli, history):
    cli("close", history[0], "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    r = cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")
    assert r["anonymised"] == [history[0]]
    assert tuple(cli.sql("select phone, description from cases where id=1")[0]) == (None, "[anonymised]")
    shown = cli.json("show", history[0], "--json")
    last = shown["events"][-1]
    assert last["action"] == "purge"
    # Nothing of the customer in the timeline either, masked or not: the description logged (which
    # may hold an address no pattern masks), the resolution, the notes' text.
    text = cli("show", history[0]).stdout + str(shown)
    for gone in ("理财产品风险未揭示", "已处理", "张", "138****5678"):
        assert gone not in text, gone
    assert shown["events"][0]["new"]["description"] == "[anonymised]"
    assert cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")["anonymised"] == []
    assert cli("db", "check").exit_code == 0
    # A withdrawn case has ended too: purged by the day its withdrawal was received.
    cli("withdraw", history[1], "--reason", "客户撤回", "--at", "2026-03-05T10:00")
    assert cli.json("db", "purge", "--closed-before", "2026-03-05", "--json")["anonymised"] == []
    assert cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")["anonymised"] == [history[1]]
    assert cli.sql("select phone from cases where id=2")[0][0] is None
    assert cli("db", "check").exit_code == 0


def test_purge_takes_a_case_whose_review_was_decided_by_the_day_of_the_decision(cli, history):
    """A decided review is final (close refuses it): it has ended, and its personal data goes."""
    ref = history[0]
    cli("review", ref, "--requested-at", "2026-03-05T10:00", "--reviewer", "zhangwei")
    cli("--as", "zhangwei", "review-decide", ref, "--outcome", "upheld", "--text", "维持原决定", "--at", "2026-03-10T10:00")
    assert cli.json("db", "purge", "--closed-before", "2026-03-10", "--json")["anonymised"] == []
    assert cli.json("db", "purge", "--closed-before", "2026-03-11", "--json")["anonymised"] == [ref]
    assert cli.scalar("select count(*) from personal_data where case_id=1") == 0
    assert tuple(cli.sql("select status, phone, customer from cases where id=1")[0]) == ("reviewed", None, "[anonymised]")
    assert cli("db", "check").exit_code == 0


def test_an_anonymised_case_is_neither_reopened_nor_reviewed(cli, history):
    """Within its reopen and review windows still, a purged case does not restart: its handler
    would have no name to write to and no number to call."""
    ref = history[0]
    cli("close", ref, "--satisfaction", "unsatisfied", "--at", "2026-03-04T10:00")
    assert cli.json("db", "purge", "--closed-before", "2026-03-05", "--json")["anonymised"] == [ref]
    err = cli.fails("reopen", ref, "--reason", "客户仍不满意", "--at", "2026-03-06T10:00")
    assert err.startswith(f"complaintctl: error: cannot reopen {ref}: its personal data was anonymised by db purge on ")
    assert err.endswith(f"log a new case with --related {ref}")
    err = cli.fails("review", ref, "--requested-at", "2026-03-06T10:00", "--reviewer", "zhangwei")
    assert err.startswith(f"complaintctl: error: cannot review {ref}: its personal data was anonymised")
    assert "无法对" in cli.fails("--lang", "zh", "reopen", ref, "--reason", "客户仍不满意", "--at", "2026-03-06T10:00")
    # Nor is a note added: its text would be kept in full, and purge never comes back to the case.
    err = cli.fails("note", ref, "客户来电，手机 13812345678", "--at", "2026-03-06T10:00")
    assert err.startswith(f"complaintctl: error: cannot add a note to {ref}: its personal data was anonymised")
    assert "13812345678" not in err
    # Any other step: said so, not the state machine's list of moves (reopen, review) refused above.
    err = cli.fails("resolve", ref, "--resolution", "x", "--at", "2026-03-06T10:00")
    assert err.startswith(f"complaintctl: error: cannot resolve {ref}: its personal data was anonymised by db purge")
    assert cli("db", "check").exit_code == 0


def test_db_check_names_a_case_anonymised_by_hand(cli, history):
    """anonymised_at set and the kept personal data deleted behind the tool's back is not a purge:
    no purge event records it, and db check says so in one line naming the case."""
    ref = history[0]
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    cli.sql("update cases set anonymised_at = '2026-06-01' where id = 1")
    cli.sql("delete from personal_data where case_id = 1")
    r = cli("db", "check", expect=1)
    assert r.stdout.splitlines() == [f"case {ref}: anonymised (anonymised_at 2026-06-01T00:00:00+00:00) "
                                     f"but no purge event records it"]


def test_db_check_names_a_purged_case_whose_mark_was_removed(cli, history):
    ref = history[0]
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    cli("db", "purge", "--closed-before", "2026-03-05")
    cli.sql("update cases set anonymised_at = null where id = 1")
    r = cli("db", "check", expect=1)
    assert f"case {ref}: a purge event records it anonymised but field anonymised_at is empty" in r.stdout.splitlines()


def test_events_never_hold_raw_phone_or_account_numbers(cli):
    cli.log("--account", "6222021234567890")
    events = "\n".join(r[0] or "" for r in cli.sql("select new from events"))
    assert "13812345678" not in events and "6222021234567890" not in events


WORKER = r"""
import sys
db, worker, n, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, root)
from complaintctl_cli.main import app
from tests.harness import Runner
runner = Runner(app)  # the command is built once, as a process would; each command still opens its own database
failures = []
refs = []
def run(*args):
    r = runner(["--db", db, *args])
    if r.exit_code != 0:
        failures.append(f"{args[0]}: {r.exit_code} {r.output.strip()[:200]}")
    return r.stdout.strip()
for i in range(n):
    step = i % 4
    if step == 0:
        refs.append(run("log", "--channel", "hotline", "--phone", "13812345678", "--description", f"w{worker} c{i}",
                        "--received-at", "2026-03-02T10:00"))
    elif step == 1:
        run("assign", refs[-1], "--to", "wangfang")
    elif step == 2:
        run("note", refs[-1], f"note {i}")
    else:
        run("resolve", refs[-1], "--resolution", "done")
print(len(failures))
for f in failures[:5]:
    print(f)
"""


@pytest.mark.slow
def test_concurrent_writers_queue_instead_of_failing(cli):
    """8 processes x 12 mixed commands on one SQLite file, at the same time (x 8 on PostgreSQL,
    whose server-side locking is not what this test is about); COMPLAINTCTL_WRITERS_EACH=200 soaks
    longer."""
    per = int(os.environ.get("COMPLAINTCTL_WRITERS_EACH", "0")) or (12 if cli.backend == "sqlite" else 8)  # (whole cases of 4 steps)
    cli("staff", "add", "wangfang", "--role", "staff")
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(cli.db), str(w), str(per), str(ROOT)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(8)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for out, err in outputs:
        assert out.splitlines()[0] == "0", out + err
    cases = 8 * per // 4
    assert cli.scalar("select count(*) from cases") == cases
    assert cli.scalar("select count(distinct reference) from cases") == cases
    assert cli.scalar("select count(*) from events where case_id is not null") == 8 * per
    assert cli.scalar("select count(*) from cases where status='resolved'") == cases
    assert cli("db", "check").exit_code == 0


@pytest.mark.slow
def test_console_script_writers_in_parallel(cli):
    """The installed console script itself, several processes at once."""
    exe = Path(sys.executable).parent / "complaintctl"
    if not exe.exists():
        pytest.skip("console script not installed beside this Python")
    cmd = [str(exe), "--db", str(cli.db), "log", "--channel", "letter", "--description", "并发",
           "--received-at", "2026-03-02T10:00"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    refs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(refs)) == 6
    assert cli("db", "check").exit_code == 0


# A crash test proves that it interrupted a write, or it proves nothing. The import below is one
# transaction of several seconds, written in batches of BATCH rows; the command is killed only once
# the write is seen from outside to be past its first batch and still open (SQLite: the write lock
# is held and over 40 MB of uncommitted pages are in the -wal file; PostgreSQL: the server is running
# a COPY into this database and ids for a second batch are taken). The process must die by the
# signal, and the database must then hold exactly what it held before: an import that committed
# batch by batch fails here. Every wait is bounded. COMPLAINTCTL_CRASH_ROUNDS=10 runs more rounds.
CRASH_ROUNDS = int(os.environ.get("COMPLAINTCTL_CRASH_ROUNDS", "1"))
CRASH_ROWS = 10_000  # ~13 KB each once stored (case, cycle, event): ~130 MB of pages in all
WAL_THRESHOLD = 40 << 20  # past the first batch (~26 MB) and SQLite's 32 MB import cache
CRASH_MAPS = ["--map", "received_at=received_at", "--map", "description=description", "--map", "channel=channel",
              "--map", "phone=phone"]


def _large_csv(path: Path, rows: int) -> Path:
    text = "客户反映理财产品风险未充分揭示，销售人员未做风险评估，要求赔偿损失。" * 50
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["received_at", "description", "channel", "phone"])
        for i in range(rows):
            out.writerow([f"2026-03-{2 + i % 20:02d}T10:{i % 60:02d}", f"{i} {text}", "hotline", f"138{i:08d}"])
    return path


def _sqlite_write_in_progress(db: Path) -> bool:
    """Uncommitted pages are in the -wal file and the write lock is still held: a write transaction
    is open and has written (the lock is released at commit)."""
    wal = db.with_name(db.name + "-wal")
    if not wal.exists() or wal.stat().st_size <= WAL_THRESHOLD:
        return False
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    finally:
        probe.close()


# Sequences are outside transactions: their value shows the ids the open import has taken.
PG_CASE_IDS_TAKEN = """
    SELECT coalesce(last_value, 0) FROM pg_sequences
    WHERE format('%I.%I', schemaname, sequencename)::regclass = pg_get_serial_sequence('cases', 'id')::regclass"""
PG_COPY_IN_PROGRESS = """
    SELECT p.pid FROM pg_stat_progress_copy p
    WHERE p.datname = current_database() AND p.command = 'COPY FROM' AND p.tuples_processed > 0
      AND p.pid <> pg_backend_pid() AND (""" + PG_CASE_IDS_TAKEN + """) > :past"""


def _kill_mid_write(cli, csv_path: Path, log: Path) -> int | None:
    """Start the import, kill it with SIGKILL once its write is in progress; return the PostgreSQL
    server process that ran its COPY (None on SQLite)."""
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "import",
                                 str(csv_path), *CRASH_MAPS], stdout=subprocess.DEVNULL, stderr=err)
    server_pid = None
    past_first_batch = cli.scalar(PG_CASE_IDS_TAKEN) + BATCH if cli.backend == "postgresql" else None
    try:
        deadline = time.monotonic() + 180  # a bound on the wait only; nothing is asserted about time
        while proc.poll() is None and time.monotonic() < deadline:
            if cli.backend == "sqlite":
                if _sqlite_write_in_progress(cli.db):
                    break
            else:
                pids = cli.sql(PG_COPY_IN_PROGRESS, past=past_first_batch)
                if pids:
                    server_pid = pids[0][0]
                    break
            time.sleep(0.02)
        assert proc.poll() is None, (f"the import finished (exit {proc.returncode}) before its write was seen in "
                                     f"progress: {log.read_text()}")
        assert time.monotonic() < deadline, "no write seen in progress within 180 s"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL, "the import was not killed by the signal"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
    return server_pid


def _wait_for_server_process_to_end(cli, pid: int) -> None:
    """The server notices the dead client and rolls its transaction back (bounded wait)."""
    for _ in range(600):
        if not cli.sql("SELECT 1 FROM pg_stat_activity WHERE pid = :p", p=pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"server process {pid} still running 30 s after its client was killed")


@pytest.mark.slow
def test_an_import_killed_mid_write_leaves_the_database_as_it_was(cli, tmp_path):
    cli.log()
    data = _large_csv(tmp_path / "large.csv", CRASH_ROWS)
    for round_ in range(CRASH_ROUNDS):
        before = cli.dump()
        cases = cli.scalar("select count(*) from cases")
        if cli.backend == "sqlite":  # the -wal must start small, or its size would prove nothing
            wal = cli.db.with_name(cli.db.name + "-wal")
            assert not wal.exists() or wal.stat().st_size <= WAL_THRESHOLD
        server_pid = _kill_mid_write(cli, data, tmp_path / f"import-{round_}.log")
        if server_pid is not None:
            _wait_for_server_process_to_end(cli, server_pid)
        assert cli.scalar("select count(*) from cases") == cases  # none of the import, all of what was there
        assert cli.dump() == before
        assert cli("db", "check").stdout.startswith("ok:")
        cli.log()  # no lock or half-written page is left behind: the next write goes through
    assert cli.scalar("select count(*) from cases") == CRASH_ROUNDS + 1


@pytest.mark.parametrize("tamper, problem", [
    ("update settings set value = '上海市黄浦区' where key = 'region:BJ001'",
     "region of BJ001 is '上海市黄浦区' but its history says '北京市东城区'"),
    ("insert into settings (key, value) values ('region:BJ009', '北京市朝阳区')",
     "region of BJ009: no event records it; added around the tool"),
    ("delete from settings where key = 'region:BJ002'", "region of BJ002: recorded by its events but missing"),
])
def test_db_check_finds_a_branchs_region_changed_behind_the_tools_back(cli, tamper, problem):
    """The regions the quarterly return groups branches by are recorded with an event each time:
    moving a branch to another region in the file moves its figures in the regulator's return, and
    db check says so."""
    cli("demo", "--count", "5")
    assert cli("db", "check").exit_code == 0
    cli.sql(tamper)
    r = cli("db", "check", expect=1)
    assert problem in r.stdout.splitlines(), r.stdout


def test_the_deadline_rules_are_the_databases_not_an_operators_config(cli, tmp_path):
    """The examiner's case: a clerk's own config file set the regulatory period to 60 days and a
    general case's limit to 20 working days, logged a case by them, and the return and db check
    called it handled in time. The rules in force are the database's: a file that says otherwise is
    refused for every command; an administrator adopts new rules, recorded; db check replays them."""
    from complaintctl_cli import lean

    cli("staff", "add", "wangfang", "--role", "staff")
    evil = tmp_path / "evil.toml"
    evil.write_text('branch = "BJ001"\n[regulatory]\ndays = 60\n[tiers.general]\nworking_days = 20\n', encoding="utf-8")
    log = ("log", "--channel", "hotline", "--phone", "13800000000", "--description", "d")
    for args in ((*log, "--received-at", "2026-09-01T10:00"), ("report", "overdue"), ("list",),
                 ("report", "regulatory", "--quarter", "2026Q3"), ("config", "show")):
        err = cli.fails("--config", str(evil), "--as", "wangfang", *args)
        assert "sets tiers.general.working_days = 20, but this database's deadline rules say 3" in err, err
    # The lean way hands such a run to the full way, which refuses it.
    assert not lean.run(["--db", str(cli.db), "--config", str(evil), "report", "overdue"])
    assert cli.fails("--config", str(evil), "--as", "wangfang", "config", "adopt", "--reason", "x", code=4)
    # A file that restates the rules, or leaves them out, counts by them.
    same = tmp_path / "same.toml"
    same.write_text('branch = "BJ001"\n[regulatory]\ndays = 15\n', encoding="utf-8")
    before = cli("--config", str(same), "--as", "wangfang", *log, "--received-at", "2026-09-01T10:00").stdout.strip()
    assert cli.json("show", before, "--json")["case"]["regulatory_due_at"] == "2026-09-17T00:00:00+08:00"
    out = cli("--config", str(evil), "config", "adopt", "--reason", "总行批准的试行规则").stdout
    assert "regulatory.days 15 -> 60" in out and "tiers.general.working_days 3 -> 20" in out
    after = cli("--as", "wangfang", *log, "--received-at", "2026-09-01T10:00").stdout.strip()
    case = cli.json("show", after, "--json")["case"]
    assert case["regulatory_due_at"] > "2026-10-30" and case["due_at"] > "2026-09-20"
    assert cli.json("show", before, "--json")["case"]["regulatory_due_at"] == "2026-09-17T00:00:00+08:00"  # kept
    assert "sets regulatory.days = 15, but this database's deadline rules say 60" in cli.fails(
        "--config", str(same), "list")
    assert "nothing to adopt" in cli.fails("--config", str(evil), "config", "adopt", "--reason", "again")
    assert cli("db", "check").exit_code == 0
    # The rules changed in the file behind the tool's back: named.
    cli.sql("UPDATE settings SET value = replace(value, '\"regulatory.days\": 60', '\"regulatory.days\": 90') "
            "WHERE key = 'rules'")
    r = cli("db", "check", expect=1)
    assert "deadline rule regulatory.days is 90 but its history says 60" in r.stdout.splitlines(), r.stdout


@pytest.mark.parametrize("tamper, problem", [
    ("UPDATE cycles SET regulatory_extension_days = 0 WHERE case_id = 1",
     "case C-2026-000001: cycle 1 field regulatory_extension_days is 0 but its events imply 30"),
    ("UPDATE cycles SET opened_by = 'reopen' WHERE case_id = 2 AND number = 2",
     "case C-2026-000002: cycle 2 field opened_by is 'reopen' but its events imply 'review'"),
])
def test_db_check_finds_a_cycles_extension_or_opener_changed_by_hand(cli, tamper, problem):
    """The examiner's edits: a cycle's extension set to 0 moved a decision from 'within an extension'
    to 'within 15 days' in the return, and a review's cycle called a reopen moved the sla and the
    return's other decisions; db check said ok. Both are replayed from the events now."""
    cli.staff()
    extended = cli.log(received="2026-07-01T10:00")
    cli("--as", "zhangwei", "extend", extended, "--to", "30", "--approved-by", "zhangwei", "--reason", "复杂",
        "--customer-told-at", "2026-07-05T10:00", "--at", "2026-07-05T10:00")
    cli("resolve", extended, "--resolution", "x", "--at", "2026-07-25T10:00")
    reviewed = cli.log(received="2026-07-01T10:00")
    cli("resolve", reviewed, "--resolution", "x", "--at", "2026-07-03T10:00")
    cli("review", reviewed, "--requested-at", "2026-07-06T10:00", "--reviewer", "zhangwei")
    assert cli("db", "check").exit_code == 0
    cli.sql(tamper)
    r = cli("db", "check", expect=1)
    assert problem in r.stdout.splitlines(), r.stdout


@pytest.mark.sqlite_only
def test_a_database_from_before_the_rules_were_recorded_gets_its_administrators(cli, tmp_path):
    """A database made before revision 0024 records no rules: its first command by an administrator
    records the config's (an event db check replays); a clerk's command before that counts by the
    config as before and records nothing; from then on a file that differs is refused."""
    cli.staff()
    ref = cli.log(received="2026-09-01T10:00")
    cli.downgrade("0023")
    assert cli.scalar("SELECT count(*) FROM settings WHERE key = 'rules'") == 0
    events = cli.scalar("SELECT count(*) FROM events")
    cli("--as", "wangfang", "list")  # upgraded; a clerk's command records nothing
    assert cli.scalar("SELECT count(*) FROM settings WHERE key = 'rules'") == 0
    cli("list")  # the administrator's
    assert cli.scalar("SELECT count(*) FROM events WHERE action = 'rules'") >= 1
    assert cli.scalar("SELECT count(*) FROM events") == events + 1
    assert cli("db", "check").exit_code == 0
    evil = tmp_path / "evil.toml"
    evil.write_text('[regulatory]\ndays = 60\n', encoding="utf-8")
    assert "but this database's deadline rules say 15" in cli.fails("--config", str(evil), "--as", "wangfang",
                                                                    "show", ref)


def test_adopting_a_file_changes_only_the_rules_it_sets(cli, tmp_path):
    """A closures-only file adopted undid the tier limits adopted before (the rules it left out went
    back to the defaults)."""
    two = tmp_path / "two.toml"
    two.write_text("[tiers.general]\nworking_days = 2\n", encoding="utf-8")
    cli("--config", str(two), "config", "adopt", "--reason", "两个工作日")
    closure = tmp_path / "closure.toml"
    closure.write_text('[calendar]\nextra_holidays = ["2026-12-24"]\n', encoding="utf-8")
    out = cli("--config", str(closure), "config", "adopt", "--reason", "平安夜停业").stdout
    assert "calendar.extra_holidays [] -> ['2026-12-24']" in out and "working_days" not in out
    rows = {r["key"]: r for r in cli.json("config", "show", "--format", "json")}
    assert rows["tiers.general.working_days"]["value"] == 2 and rows["calendar.extra_holidays"]["value"] == "2026-12-24"
    zh = cli("--lang", "zh", "calendar", "show", "--year", "2026").stdout
    assert "本行自定休息日" in zh and "local closure" not in zh
    assert cli("db", "check").exit_code == 0


@pytest.mark.sqlite_only
def test_config_show_reads_the_rules_of_the_database_its_config_names(cli, tmp_path):
    """With the database named by the config's [database] url (as `init` writes it), config show
    read no database: it showed a file's 60 days as in force, which every other command refuses."""
    from tests.conftest import RUN

    cfg = tmp_path / "branch.toml"
    cfg.write_text(f'[database]\nurl = "{cli.db}"\n', encoding="utf-8")
    shown = {r["key"]: r for r in json.loads(RUN(["--config", str(cfg), "config", "show", "--format", "json"]).stdout)}
    assert (shown["regulatory.days"]["value"], shown["regulatory.days"]["source"]) == (15, "database")
    cfg.write_text(f'[database]\nurl = "{cli.db}"\n\n[regulatory]\ndays = 60\n', encoding="utf-8")
    for args in (["config", "show"], ["list"]):
        r = RUN(["--config", str(cfg), *args])
        assert r.exit_code == 2 and "sets regulatory.days = 60, but this database's deadline rules say 15" in r.stderr


def test_show_explains_deadlines_by_the_rules_that_set_them(cli, tmp_path):
    """After `config adopt` a case logged before it kept its deadline (3 working days) while show's
    day-by-day count said "day 1 of 5" and ended two days past it. Now each case is explained by the
    rules in force when its deadlines were last set, saying when they changed; the lean way and the
    full way alike."""
    from tests.cli.test_lean_show import _same

    old = cli.log(received="2026-11-02T10:00")  # general: 3 working days, due Thu 2026-11-05
    five = tmp_path / "five.toml"
    five.write_text("[tiers.general]\nworking_days = 5\n", encoding="utf-8")
    cli("--config", str(five), "config", "adopt", "--reason", "五个工作日")
    new = cli.log(received="2026-11-02T11:00")
    before, after = (json.loads(_same(cli, "show", ref, "--as-of", "2026-11-03T10:00", "-f", "json")[1])["steps"]
                     for ref in (old, new))
    assert before[0].startswith("Counted by the deadline rules in force when these deadlines were set; "
                                "'config adopt' changed them on ")
    assert "Thu 2026-11-05: working day, day 3 of 3." in before and not any("of 5" in s for s in before)
    assert not any("Counted by" in s for s in after) and "Mon 2026-11-09: working day, day 5 of 5." in after
    zh = _same(cli, "--lang", "zh", "show", old, "--as-of", "2026-11-03T10:00", env={"COLUMNS": "80"})[1].decode()
    assert "按设定这些期限时有效的期限规则计算" in zh and "第 3/3 个工作日" in zh
    lines = zh.splitlines()
    counting = lines[lines.index("时限计算过程") + 1:next(i for i, line in enumerate(lines) if "处理记录" in line)]
    assert len(counting) > 5 and not [line for line in counting if line.endswith(" ")]  # no trailing blanks
    cli("escalate", old, "--to", "important", "--reason", "金额较大", "--at", "2026-11-03T09:00")
    steps = cli.json("show", old, "--as-of", "2026-11-03T10:00", "--format", "json")["steps"]
    assert not any("Counted by" in s for s in steps) and "Mon 2026-11-09: working day, day 5 of 5." in steps
    # Each deadline by its own rules: an escalation after the regulator's period was adopted as 20
    # days recounts the internal deadline, and the regulatory one stays the 15 days it was set by.
    twenty = tmp_path / "twenty.toml"
    twenty.write_text("[regulatory]\ndays = 20\n", encoding="utf-8")
    third = cli.log(received="2026-11-02T12:00")  # under 5 working days and 15 calendar days
    cli("--config", str(twenty), "config", "adopt", "--reason", "二十日")
    cli("--config", str(twenty), "escalate", third, "--to", "important", "--reason", "金额较大", "--at", "2026-11-03T09:00")
    shown = cli.json("--config", str(twenty), "show", third, "--as-of", "2026-11-03T10:00", "--format", "json")
    assert shown["steps"][0].startswith("Counted by the deadline rules in force when these deadlines were set")
    assert "Regulatory deadline: 15 calendar days after receipt, 24:00 at the end of Tue 2026-11-17." in shown["steps"]
    assert shown["case"]["regulatory_period_days"] == 15
    table = cli("--config", str(twenty), "show", third, "--as-of", "2026-11-03T10:00").stdout
    assert "Regulatory deadline (15 days)" in table


@pytest.mark.sqlite_only
def test_init_again_on_a_database_with_other_rules_writes_nothing(cli, tmp_path):
    path = tmp_path / "branch.toml"
    cli("init", "--branch", "BJ001", "--staff", "wangfang:staff", "--path", str(path), "--yes")
    before = path.read_text(encoding="utf-8")
    err = cli.fails("init", "--force", "--branch", "BJ001", "--timezone", "Europe/London", "--staff", "newbie:staff",
                    "--path", str(path), "--yes")
    assert "sets timezone = 'Europe/London', but this database's deadline rules say 'Asia/Shanghai'" in err
    assert path.read_text(encoding="utf-8") == before


UNREADABLE = ("complaintctl: error: the database holds a time that cannot be read (a row changed outside complaintctl?): "
              "'complaintctl db check' lists where; restore those rows from a backup")


@pytest.mark.sqlite_only
def test_a_stored_time_that_is_not_one_is_one_line_that_names_db_check_in_every_command(cli, history):
    """A receipt time set to text behind the tool's back stopped every command, db check too (each
    reads the first receipt on opening): list and report overdue with a traceback, the rest with
    'unexpected ValueError' quoting the stored text. A command that reads the row now says what is
    wrong and where to look, exit 1, nothing written; the others, and db check, go on."""
    cli.sql("update cases set received_at = ' x' where id = 1")  # (sorts first: it is the first receipt)
    streamed = cli("list", "--format", "csv", "--status", "resolved", expect=1)  # its header was out first
    assert streamed.stdout.count("\n") == 1 and streamed.stderr.strip() == UNREADABLE
    for args in (["list", "--all"], ["show", history[0]],
                 ["export", "--format", "jsonl"], ["export", "--format", "xlsx", "--output", "x.xlsx"],
                 ["note", history[0], "再次联系", "--at", "2026-03-06T10:00"]):
        assert cli.fails(*args, code=1) == UNREADABLE, args
    zh = cli.fails("--lang", "zh", "list", "--all", code=1)
    assert zh.startswith("complaintctl: 错误：数据库中有无法读取的时间") and "'complaintctl db check'" in zh
    assert history[1] in cli("show", history[1]).stdout  # the other cases still read
    cli.log(received="2026-03-06T10:00")
    r = cli("db", "check", expect=1)
    assert r.stdout.splitlines() == [
        "stored time: cases row 1 (C-2026-000001): received_at holds ' x', not a time (restore the row from a backup)"]
    assert "unexpected" not in r.stderr and "Traceback" not in r.output


@pytest.mark.sqlite_only
def test_a_stored_time_written_as_a_number_or_with_a_zone_is_found_and_named(cli, history, tmp_path):
    """A number (SQLite keeps one in any column: `strftime('%s')`, `julianday('now')`) stopped every
    command, db check too, with 'unexpected AttributeError'; a time written with a zone after it
    was read as UTC (the zone ignored: 10:00+08:00 shown as 18:00) or, by list, as text with the
    zone twice (a traceback), and db check passed it. Both are named, and refused in one line."""
    cli.sql("update cases set received_at = 1796101086 where id = 2")  # (a number sorts first: the first receipt)
    cli.sql("update cases set resolved_at = '2026-03-03T11:00:00+08:00' where id = 1")
    cli.sql("update cases set received_at = '2026-03-04 10:00Z' where id = 3")  # (a zone after a time without seconds)
    out = tmp_path / "all.csv"  # (the database writes the CSV: SQLite met the time in the tool's function)
    for args in (["list", "--all"], ["show", history[0]], ["show", history[1]], ["export", "--format", "csv", "--output", str(out)]):
        assert cli.fails(*args, code=1) == UNREADABLE, args
    assert not out.exists() and cli("show", history[3]).exit_code == 0
    assert cli.fails("show", history[2], code=1) == UNREADABLE
    r = cli("db", "check", expect=1)
    assert r.stdout.splitlines() == [
        "stored time: cases row 1 (C-2026-000001): resolved_at holds '2026-03-03T11:00:00+08:00', not a time "
        "(restore the row from a backup)",
        "stored time: cases row 2 (C-2026-000002): received_at holds '1796101086', not a time (restore the row from a "
        "backup)",
        "stored time: cases row 3 (C-2026-000003): received_at holds '2026-03-04 10:00Z', not a time (restore the row "
        "from a backup)"]


@pytest.mark.sqlite_only
def test_db_check_names_a_stored_time_that_is_not_one(cli, history):
    """SQLite keeps whatever text it is given: a time set to 'x' behind the tool's back stopped db
    check (and every command reading the row) with 'unexpected ValueError'. It is named, one line a
    value, exit 1, before the checks that read the times."""
    ref = history[0]
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    cli.sql("update cases set anonymised_at = 'x' where id = 1")
    cli.sql("update cases set closed_at = 1 where id = 1")
    cli.sql("update cases set resolved_at = 'now' where id = 1")  # (SQLite's julianday takes these two)
    cli.sql("update cases set first_responded_at = '2026-02-30 10:00:00.000000' where id = 2")
    r = cli("db", "check", expect=1)
    assert r.stdout.splitlines() == [
        "stored time: cases row 1 (C-2026-000001): resolved_at holds 'now', not a time (restore the row from a backup)",
        "stored time: cases row 1 (C-2026-000001): closed_at holds '1', not a time (restore the row from a backup)",
        "stored time: cases row 1 (C-2026-000001): anonymised_at holds 'x', not a time (restore the row from a backup)",
        "stored time: cases row 2 (C-2026-000002): first_responded_at holds '2026-02-30 10:00:00.000000', not a "
        "time (restore the row from a backup)"]
    assert "unexpected" not in r.stderr and "Traceback" not in r.output
