"""The store: migrations, file permissions, start-up imports, and environment faults (exit 1)."""
import contextlib
import json
import os
import select
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from complaintctl.db import HEAD_REVISION, KNOWN_REVISIONS


def test_head_revision_matches_the_alembic_scripts():
    from complaintctl.migrate import head

    assert head() == HEAD_REVISION


@pytest.mark.sqlite_only
def test_a_new_database_is_created_at_head_and_readable_by_its_owner_only(cli, tmp_path):
    new = tmp_path / "new.db"
    r = cli("--db", str(new), "db", "upgrade")
    assert f"created a new database at {new}" in r.stderr
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o600
    con = sqlite3.connect(new)
    assert con.execute("select version_num from alembic_version").fetchone()[0] == HEAD_REVISION
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


@pytest.mark.sqlite_only
def test_db_upgrade_and_info(cli, tmp_path):
    new = ["--db", str(tmp_path / "new.db")]
    assert cli(*new, "db", "upgrade").stdout.strip() == f"upgraded to revision {HEAD_REVISION}"
    assert cli(*new, "db", "upgrade").stdout.strip() == f"already at revision {HEAD_REVISION}"
    info = cli.json(*new, "db", "info", "--json")
    assert info["revision"] == HEAD_REVISION and info["counts"]["cases"] == 0
    assert info["url"].startswith("sqlite:///")


@pytest.mark.sqlite_only
def test_an_older_database_is_upgraded_on_first_use(cli):
    if len(KNOWN_REVISIONS) < 2:
        pytest.skip("only one schema revision exists")
    from complaintctl.db import Store

    cli.db.unlink()
    store = Store(str(cli.db))
    store.upgrade(KNOWN_REVISIONS[0])
    assert store.current_revision() == KNOWN_REVISIONS[0]
    store.dispose()
    cli.log()
    assert cli.json("db", "info", "--json")["revision"] == HEAD_REVISION


CHECK_IMPORTS = """
import sys
from typer.testing import CliRunner
from complaintctl_cli.main import app
r = CliRunner().invoke(app, sys.argv[1:])
assert r.exit_code == 0, r.output
print(" ".join(sorted(m for m in ("sqlalchemy", "sqlmodel", "alembic") if m in sys.modules)))
"""


def _imports(*args):
    out = subprocess.run([sys.executable, "-c", CHECK_IMPORTS, *args], capture_output=True, text=True, check=True)
    return out.stdout.strip().split()


def test_help_and_version_do_not_import_the_database_stack():
    assert _imports("--help") == []
    assert _imports("--version") == []
    assert _imports("calendar", "due", "--tier", "general", "--received-at", "2026-03-02T10:00") == []


@pytest.mark.sqlite_only
def test_a_current_database_is_opened_without_importing_alembic(cli):
    cli.log()
    assert "alembic" not in _imports("--db", str(cli.db), "list")
    assert "sqlalchemy" in _imports("--db", str(cli.db), "list")



@pytest.mark.sqlite_only
def test_commands_in_one_process_share_an_engine_yet_read_a_file_replaced_between_them(cli, tmp_path):
    """Commands run in one process (the shell, the suite) keep the database's engine and so its
    compiled statements; each still opens the file anew, so a copy put back over it in between (a
    restore by hand) is what the next command reads, and a forked process makes its own."""
    import shutil

    from complaintctl.db import Store

    cli.staff()
    before = tmp_path / "before.db"
    shutil.copyfile(cli.db, before)
    first = cli.log()
    assert [c["reference"] for c in cli.json("list", "--format", "json")] == [first]
    engine = Store(str(cli.db)).engine
    assert Store(str(cli.db)).engine is engine
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: an engine of its own, not the parent's (whose connections are the parent's)
        os.close(reader)
        os.write(writer, b"shared" if Store(str(cli.db)).engine is engine else b"own")
        os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    assert os.read(reader, 16) == b"own"
    os.close(reader)
    os.replace(before, cli.db)
    assert cli.json("list", "--format", "json") == []
    assert cli.log() == first  # the number is free again: the file read is the one put back


def _fails_env(cli, *args) -> str:
    r = cli(*args, expect=1)
    err = r.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in r.output, r.output
    return err


@pytest.mark.sqlite_only
def test_a_database_in_a_missing_folder(cli, tmp_path):
    err = _fails_env(cli, "--db", str(tmp_path / "nope" / "c.db"), "list")
    assert "does not exist" in err
    err = _fails_env(cli, "--db", str(tmp_path / "nope" / "c.db"), "db", "upgrade")
    assert "folder" in err and "does not exist" in err


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["a%41.db", "q?m.db", "h#x.db", "p%%.db"])
def test_a_database_whose_name_holds_url_characters_is_that_file_both_ways(tmp_path, name):
    """`%`, `?` and `#` in a file's name are the name's: every way in opens that file (before, the
    full way read `%41` as `A` and `?` as the start of options, and made another file), and `init`
    records that path."""
    import sqlalchemy as sa

    from tests.cli.test_lean_overdue import _run
    from tests.conftest import RUN

    db = tmp_path / "odd" / name
    db.parent.mkdir()
    config = tmp_path / "branch.toml"
    r = RUN(["--db", str(db), "init", "--branch", "BR001", "--path", str(config), "--yes"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [name]
    r = RUN(["--config", str(config), "log", "--channel", "hotline", "--phone", "13812345678", "--product", "deposit",
             "--category", "fees", "--description", "a complaint", "--received-at", "2026-03-02T10:00"])
    assert r.exit_code == 0, r.output
    ref = r.stdout.split()[0]
    argv = ["--config", str(config), "--db", str(db), "report", "overdue", "--as-of", "2026-03-20"]
    full, lean_way = _run(argv, lean_way=False), _run(argv, lean_way=True)
    assert full == lean_way and full[0] == 0 and ref.encode() in full[1]
    info = json.loads(RUN(["--db", str(db), "db", "info", "--json"]).stdout)
    assert info["counts"]["cases"] == 1
    assert sa.engine.make_url(info["url"]).database == str(db)  # the URL shown names the file, quoted
    assert sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [name]


@pytest.mark.parametrize("argv, env", [(["--db", ""], {}), (["--db", " "], {}), ([], {"COMPLAINTCTL_DB": ""}),
                                       ([], {"COMPLAINTCTL_CONFIG": ""}), (["--config", ""], {})])
def test_an_empty_database_name_is_refused_not_taken_for_the_default(cli, argv, env, monkeypatch):
    """`--db "$UNSET"` in a script: refused (exit 2, nothing opened or made), the lean way (list, the
    console script) as the full way, where before the default register was used. An empty
    COMPLAINTCTL_CONFIG too: the search path's config could name another database."""
    from tests.conftest import RUN

    where = argv[0] if argv else next(iter(env))
    done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", *argv, "list"], capture_output=True,
                          text=True, env={**os.environ, **env})
    assert done.returncode == 2 and done.stderr.startswith(f"complaintctl: error: invalid {where} "), done.stderr
    assert done.stderr.count("\n") == 1
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args in (["log", "--channel", "letter", "--description", "x"], ["demo"], ["init", "--branch", "B1"]):
        r = RUN([*argv, *args])
        assert r.exit_code == 2 and r.stderr.startswith(f"complaintctl: error: invalid {where} "), (args, r.stderr)
    assert not [p for p in Path.home().rglob("*.db")], "a database was made"


@pytest.mark.sqlite_only
def test_a_new_database_the_disk_will_not_hold_fails_in_one_line_and_init_takes_its_config_back(cli, tmp_path):
    """`db upgrade`, `demo` or `init` making a database on a full disk (here a size limit): one line
    naming the database, exit 1. The file it created stays, empty, and every command refuses it as
    holding no data until `db upgrade` makes it (removing it could remove the database another
    process is making at that moment). `init` takes its config file back: none, or the very file
    --force was replacing, its bytes, mode and inode as they were."""
    from tests.integration.test_files import _limited

    new, config = tmp_path / "new.db", tmp_path / "c.toml"

    def run(*args, limit=2000):
        return subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(new), *args],
                              capture_output=True, text=True, preexec_fn=_limited(limit))
    init = ["init", "--branch", "BR001", "--yes", "--path", str(config)]
    for args in (["db", "upgrade"], ["demo"], init):
        done = run(*args)
        assert done.returncode == 1 and f"'{new}'" in done.stderr, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert not config.exists()
    assert "holds no complaintctl data" in run("list", limit=1 << 30).stderr
    config.write_text('branch = "OLD"\n')
    config.chmod(0o644)
    before = config.stat()
    assert run(*init, "--force").returncode == 1
    after = config.stat()
    assert config.read_text() == 'branch = "OLD"\n' and (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # nothing kept aside
    assert run(*init, "--force", limit=1 << 30).returncode == 0  # room again: made, and the config written
    assert 'branch = "BR001"' in config.read_text() and run("list", limit=1 << 30).returncode == 0


@pytest.mark.sqlite_only
def test_init_records_any_database_path_so_that_its_config_reads_back(tmp_path, monkeypatch):
    """A path with a newline, a quotation mark or a backslash is written as TOML escapes it (the
    config file was left unreadable), and a relative URL is recorded as the file it names (it was
    recorded relative, naming another file from another folder)."""
    from tests.conftest import RUN

    odd = tmp_path / 'p\n"q\\r.db'
    config = tmp_path / "odd.toml"
    assert RUN(["--db", str(odd), "init", "--branch", "BR001", "--yes", "--path", str(config)]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert RUN(["--db", "sqlite:///rel%3F.db", "init", "--branch", "BR001", "--yes", "--path", "rel.toml"]).exit_code == 0
    monkeypatch.chdir("/")
    for cfg, db in ((config, odd), (tmp_path / "rel.toml", tmp_path / "rel?.db")):
        info = RUN(["--config", str(cfg), "db", "info", "--json"])
        assert info.exit_code == 0, info.output
        import sqlalchemy as sa

        assert sa.engine.make_url(json.loads(info.stdout)["url"]).database == str(db)


@pytest.mark.sqlite_only
def test_a_database_in_a_read_only_folder(cli):
    err = _fails_env(cli, "--db", "/sys/complaints.db", "db", "upgrade")
    assert "cannot create database '/sys/complaints.db'" in err


@pytest.mark.sqlite_only
def test_a_file_that_is_not_a_database(cli, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert "is not a complaintctl database" in _fails_env(cli, "--db", str(junk), "list")


def test_a_database_written_by_a_newer_version(cli):
    cli.log()
    cli.sql("update alembic_version set version_num = '9999'")
    assert "newer than this complaintctl knows" in _fails_env(cli, "list")


HOLD_WRITE_LOCK = r"""
import sys
db, key = sys.argv[1], int(sys.argv[2])
if db.startswith("postgresql"):
    import sqlalchemy as sa
    conn = sa.create_engine(db, poolclass=sa.pool.NullPool).connect()
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})  # the lock every PostgreSQL writer takes
else:
    import sqlite3
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # SQLite's write lock
print("held", flush=True)
sys.stdin.read()  # hold it until the test closes stdin (or the process is killed)
"""


@contextlib.contextmanager
def write_lock_held_elsewhere(cli):
    """Another process holds the database's write lock for as long as the block runs."""
    from complaintctl.db import PG_WRITE_LOCK

    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(cli.db), str(PG_WRITE_LOCK)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([holder.stdout], [], [], 60)  # bounded: a stuck helper fails the test
        assert ready and holder.stdout.readline().strip() == "held", holder.stderr.read() if not ready else ""
        yield
    finally:
        holder.stdin.close()
        try:
            holder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


def test_a_database_locked_longer_than_the_timeout(cli, tmp_path):
    cli.log()
    cfg = tmp_path / "fast.toml"
    cfg.write_text("[database]\nbusy_timeout_seconds = 1\n")
    with write_lock_held_elsewhere(cli):
        err = cli.fails("--config", str(cfg), "note", "C-2026-000001", "x", code=1)
    assert err == "complaintctl: error: database is locked by another writer for longer than 1s; try again"
    cli("--config", str(cfg), "note", "C-2026-000001", "x")  # released: the same command goes through


@pytest.mark.sqlite_only
def test_a_database_url_that_is_not_a_url(cli):
    """An unknown scheme is bad input (exit 2, README's table), not a fault of the machine."""
    err = cli.fails("--db", "nosuchdriver://x:secret@y/z", "list")
    assert err == ("complaintctl: error: invalid --db 'nosuchdriver://x:***@y/z': expected a file path or a URL "
                   "such as postgresql+psycopg://user@host/db")


@pytest.mark.sqlite_only
def test_the_migrations_build_exactly_the_schema_the_models_describe(cli):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from complaintctl.db import Store

    store = Store(str(cli.db))
    store.ensure_schema()
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    store.dispose()


def test_revision_0009_gives_each_cycle_the_extension_its_extend_event_recorded(cli):
    """A database from before 0009 learns which cycle each extension belonged to from the audit
    trail, so a case reopened after an extended decision still counts as handled within it."""
    cli.staff()
    ref = cli.log(received="2026-07-01T10:00")
    cli("--as", "zhangwei", "extend", ref, "--to", "30", "--reason", "需调取录音",
        "--customer-told-at", "2026-07-05T10:00", "--at", "2026-07-05T10:00")
    cli("resolve", ref, "--resolution", "退还", "--at", "2026-07-25T10:00")
    cli("reopen", ref, "--reason", "客户不认可", "--at", "2026-07-27T10:00")
    assert cli.sql("select number, regulatory_extension_days from cycles order by number") == [(1, 30), (2, 0)]
    cli.downgrade("0008")
    assert cli("db", "upgrade").exit_code == 0
    assert cli.sql("select number, regulatory_extension_days from cycles order by number") == [(1, 30), (2, 0)]
    rep = cli.json("report", "regulatory", "--quarter", "2026Q3", "--format", "json")
    assert rep["by_branch"][-1]["handled_within_extension"] == 1


def test_revision_0018_keeps_each_decided_cycles_working_time_as_the_decision_does(cli):
    """Cycles decided before 0018 get the working time `resolve` and `review-decide` now keep,
    counted by the same function: the same figures as the decisions wrote, and `report sla` the same."""
    cli.staff()
    ref = cli.log(received="2026-03-06T10:00")  # a Friday
    cli("resolve", ref, "--resolution", "退还", "--at", "2026-03-09T10:00")  # Monday: 14 h + 10 h of working days
    cli("review", ref, "--requested-at", "2026-03-10T10:00", "--reviewer", "sunli")
    cli("--as", "sunli", "review-decide", ref, "--outcome", "upheld", "--text", "维持", "--at", "2026-03-16T10:00")
    other = cli.log(received="2026-03-09T10:00")
    cli("resolve", other, "--resolution", "解释", "--at", "2026-03-09T16:00")
    cli.log(received="2026-03-09T11:00")  # open: nothing to keep
    kept = cli.sql("select case_id, number, working_seconds from cycles order by case_id, number")
    assert kept == [(1, 1, 86400.0), (1, 2, 4 * 86400.0), (2, 1, 6 * 3600.0), (3, 1, None)]
    sla = cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")
    cli.downgrade("0017")
    assert cli("db", "upgrade").exit_code == 0
    assert cli.sql("select case_id, number, working_seconds from cycles order by case_id, number") == kept
    assert cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json") == sla
    assert cli("db", "check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_database_marked_read_only_is_written_by_no_one_not_even_root(cli, tmp_path):
    """A file with no write bit for anyone (chmod 444: an archive) was written when root ran a
    writing command (root passes file permissions), and a change left in a WAL beside it was
    checkpointed into it by any command root ran. Now root gets the refusal any other account gets
    (exit 1, one line) and nothing reaches the file; reading commands still work, both ways."""
    from tests.cli.test_lean_overdue import _run

    cli.staff()
    first = cli.log()
    backup = tmp_path / "backup.db"  # rollback-journal mode: a command may not switch it to WAL either
    cli("db", "backup", str(backup))
    # A copy taken while a change was still in the WAL (another connection open, nothing checkpointed).
    held = sqlite3.connect(cli.db)
    held.execute("select count(*) from cases").fetchone()
    second = cli.log()
    pending = tmp_path / "pending.db"
    pending.write_bytes(cli.db.read_bytes())
    Path(f"{pending}-wal").write_bytes(Path(f"{cli.db}-wal").read_bytes())
    held.close()
    assert Path(f"{pending}-wal").stat().st_size > 0
    for archive, refs in ((backup, [first]), (pending, [second, first])):
        archive.chmod(0o444)
        before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (archive, Path(f"{archive}-wal")) if p.exists()}
        for args in (["note", first, "written in the archive"], ["log", "--channel", "hotline", "--phone", "13812345678",
                                                               "--description", "x"], ["assign", first, "--to", "wangfang"]):
            err = _fails_env(cli, "--db", str(archive), *args)
            assert err == f"complaintctl: error: database '{archive}' is read-only: check the file's and folder's permissions"
        for lean_way in (True, False):
            code, out, err = _run(["--db", str(archive), "list", "--all", "--format", "json"], lean_way=lean_way)
            assert (code, [c["reference"] for c in json.loads(out)]) == (0, refs), (archive, lean_way, err)
        assert cli.json("--db", str(archive), "show", first, "--json")["case"]["reference"] == first
        assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before, archive
    # An archive in WAL mode, checkpointed before it was marked, is read too (not as immutable: a
    # reader would keep what it read however the file changed, and ignore a hot journal).
    quiet = tmp_path / "quiet.db"
    quiet.write_bytes(cli.db.read_bytes())  # (every connection closed: nothing is left in a WAL)
    assert quiet.read_bytes()[18:20] == b"\x02\x02"  # the header's WAL mode
    quiet.chmod(0o444)
    for lean_way in (True, False):
        assert _run(["--db", str(quiet), "list", "--all", "--format", "json"], lean_way=lean_way)[0] == 0
    # One whose stored calendar is not current (written by an earlier release, or a new year): a
    # reading command reads it as it is rather than failing to write it again.
    stale = tmp_path / "stale.db"
    stale.write_bytes(backup.read_bytes())
    with sqlite3.connect(stale) as con:
        con.execute("update business_calendar set identity = 'an earlier release'")
    stale.chmod(0o444)
    for args in (["staff", "list", "--format", "json"], ["db", "info"], ["list", "--all", "--format", "json"]):
        assert _run(["--db", str(stale), *args], lean_way=False)[0] == 0, args


@pytest.mark.sqlite_only
def test_a_purge_s_dry_run_reads_a_read_only_archive(cli, tmp_path):
    """`db purge --dry-run` says which cases a purge would take without touching them: an archive
    marked read-only can be asked (it made the changes and rolled them back, which such a file
    refuses)."""
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "退还", "--at", "2026-03-04T10:00")
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-05T10:00")
    archive = tmp_path / "archive.db"
    cli("db", "backup", str(archive))
    archive.chmod(0o444)
    before = archive.read_bytes()
    out = cli("--db", str(archive), "db", "purge", "--closed-before", "2026-04-01", "--dry-run").stdout
    assert out.splitlines() == ["would anonymise 1 case(s) ended before 2026-04-01", ref]
    assert archive.read_bytes() == before
