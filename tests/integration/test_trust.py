"""Tamper evidence, replay, backup, personal data, retention, concurrent writers and crashes."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
    assert "--reveal is for operators registered as manager or executive" in cli.fails("--as", "wangfang", "show", ref, "--reveal")
    case = cli.json("--as", "zhangwei", "show", ref, "--reveal", "--json")["case"]
    assert case["phone"] == "13812345678" and case["account"] == "6222021234567890"
    last = cli.json("show", ref, "--json")["events"][-1]
    assert last["action"] == "reveal" and last["actor"] == "zhangwei"


def test_purge_anonymises_closed_cases_and_records_it(cli, history):
    cli("close", history[0], "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    r = cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")
    assert r["anonymised"] == [history[0]]
    assert tuple(cli.sql("select phone, description from cases where id=1")[0]) == (None, "[anonymised]")
    last = cli.json("show", history[0], "--json")["events"][-1]
    assert last["action"] == "purge"
    assert cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")["anonymised"] == []
    assert cli("db", "check").exit_code == 0


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
    r = runner(["--db", db, "--as", f"op{worker}", *args])
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
    """8 processes x 200 mixed commands on one SQLite file, at the same time (x 48 on PostgreSQL,
    whose server-side locking is not what this test is about)."""
    per = 200 if cli.backend == "sqlite" else 48
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


@pytest.mark.slow
def test_a_write_killed_midway_leaves_a_consistent_database(cli):
    cli.log()
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "demo",
                             "--count", "20000", "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert cli("db", "check").exit_code == 0
    n = cli.json("db", "info", "--json")["counts"]["cases"]
    assert n in (1, 20001)  # all or nothing
