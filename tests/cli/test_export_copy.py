"""`export --format csv` is written by the database (one query of finished text: COPY on
PostgreSQL, one finished line a row on SQLite): byte for byte what the Python way writes
(COMPLAINTCTL_EXPORT_COPY=off), and what the stored export of the same register is, in a daylight-saving zone and in Asia/Shanghai, with
every kind of cell: NULLs and empty strings, commas, quotes, line breaks, Chinese, formula starts,
times either side of a clock change and outside the years SQLite's zone table holds (local mean
time before 1906), masked and revealed personal data, and (PostgreSQL) a login that may not reveal
and sees only its branch; and the lean export (no SQLAlchemy) writes the same bytes."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from complaintctl import export_split, importer
from complaintctl_cli import lean
from tests.conftest import RUN, Cli
from tests.integration.test_report_golden import AT, GOLDEN, ZONES

# Cells the demo never writes, put behind the tool's back (as data stored before input was checked).
ODD = """UPDATE cases SET description = E'含,逗号 "引号"\\r\\n换行\\n', department = '', branch = '=1+1',
    assignee = '-x', reviewer = '@r', external_id = E'\\tab', co_handlers = E'\\rcr', request = '+plus',
    email = '', complained_staff = ' 空格 ', decision_basis = '\\.', agent_authority = '"',
    received_at = '1988-06-01 00:00:00.5', resolved_at = '2026-10-25 00:59:59.999999',
    closed_at = '2026-10-25 01:00:00', decided_at = '2026-03-29 00:30:00', withdrawn_at = '2026-03-29 01:30:00',
    reviewed_at = '1901-01-01 00:00:00', paused_at = '2100-01-01 00:00:00'
    WHERE id = 1;
UPDATE cases SET customer = '[anonymised]', phone = '', account = NULL WHERE id = 2;
DELETE FROM cycles WHERE case_id = 3"""
# SQLite has no E'' strings: the same cells with char().
ODD_SQLITE = (ODD.replace("E'含,逗号 \"引号\"\\r\\n换行\\n'", "'含,逗号 \"引号\"' || char(13, 10) || '换行' || char(10)")
              .replace("E'\\tab'", "char(9) || 'ab'").replace("E'\\rcr'", "char(13) || 'cr'"))


def _register(cli: Cli, tmp_path, zone: str):
    from complaintctl.config import Policy, load
    from complaintctl.db import Store
    from complaintctl.demo import generate
    from complaintctl.services import open_context

    from complaintctl import rules
    from complaintctl.config import rules_of

    config = tmp_path / "complaintctl.toml"
    config.write_text(ZONES.get(zone, f'timezone = "{zone}"\n'), encoding="utf-8")
    loaded = load(config)
    policy = Policy.from_config(loaded)
    store = Store(str(cli.db))
    ctx = open_context(store, now=dt.datetime.fromisoformat(AT).replace(tzinfo=dt.timezone.utc), policy=policy,
                       os_login=cli.admin)
    with store.unit_of_work() as uow:  # the zone's rules the database's, as `config adopt` makes them
        if rules.recorded(uow) != rules_of(loaded):
            rules.record(uow, ctx, rules_of(loaded), "the test's zone")
            uow.commit()
    generate(store.unit_of_work(), ctx, count=60, days=42, seed=11)
    store.dispose()
    return config


def _both(cli: Cli, config, *args: str, monkeypatch, tmp_path) -> bytes:
    """The export the server writes and the one Python writes, each to a file (the test runner's
    stdout turns CRLF into LF): the same bytes; the server's."""
    base = ["--config", str(config), "--db", str(cli.db), "export", "--format", "csv", *args, "--output"]
    slow, fast = tmp_path / "python.csv", tmp_path / "server.csv"
    done = RUN([*base, str(slow)], env={"COMPLAINTCTL_EXPORT_COPY": "off"})
    assert done.exit_code == 0, done.output
    taken = _second_process_chunks(monkeypatch)
    with monkeypatch.context() as m:  # the server's way must not fall back to Python's
        m.setattr(importer, "export_table", lambda *a, **k: pytest.fail("export went the Python way"))
        copied = RUN([*base, str(fast)])
    assert copied.exit_code == 0, copied.output
    # SQLite, where the test asks for two processes however small the export: the second made
    # some of the chunks (its lines are in what was just compared). PostgreSQL: one COPY.
    split = cli.backend == "sqlite" and os.environ.get("COMPLAINTCTL_EXPORT_SPLIT") == "1"
    assert bool(taken) == split, taken
    assert copied.stderr.replace(str(fast), str(slow)) == done.stderr
    assert fast.read_bytes() == slow.read_bytes()
    # The lean export (complaintctl_cli/lean.py: no SQLAlchemy, the same statement compiled) writes
    # the same file and line, where it answers (a window of receipt too): not on PostgreSQL a zone
    # whose offsets are not whole hours (that goes the full way, just compared).
    lean_file = tmp_path / "lean.csv"
    taken.clear()
    with RUN.isolation() as (_, err, _):
        answered = lean.run([*base, str(lean_file)])
        said = err.getvalue().decode()
    assert answered == (not (cli.backend == "postgresql" and "Kolkata" in config.read_text()))
    assert bool(taken) == (split and answered), taken
    if answered:
        assert lean_file.read_bytes() == slow.read_bytes()
        assert said.replace(str(lean_file), str(slow)) == done.stderr
    return fast.read_bytes()


def _second_process_chunks(monkeypatch) -> list:
    """The chunks the export's second process (complaintctl/export_split.py) hands over from now on."""
    taken: list = []
    handed = export_split._Child.take

    def counted(self):
        got = handed(self)
        if got is not None:
            taken.append(got[0])
        return got
    monkeypatch.setattr(export_split._Child, "take", counted)
    return taken


def _jsonl(cli: Cli, config, *args: str, tmp_path) -> list[dict]:
    """export's JSONL, the full way and the lean way (the full way's three streams compiled to text,
    merged by export_rows as the full way merges them), each to a file: the same bytes and line."""
    base = ["--config", str(config), "--db", str(cli.db), "export", *args, "--output"]
    full, fast = tmp_path / "full.jsonl", tmp_path / "lean.jsonl"
    done = RUN([*base, str(full)])
    assert done.exit_code == 0, done.output
    with RUN.isolation() as (_, err, _):
        assert lean.run([*base, str(fast)]), "the lean export handed JSONL to the full way"
        said = err.getvalue().decode()
    assert fast.read_bytes() == full.read_bytes()
    assert said.replace(str(fast), str(full)) == done.stderr
    return [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("zone", [*ZONES, "Asia/Kolkata"])  # the last: an offset of half an hour
def test_the_server_writes_the_export_byte_for_byte_as_python_does(cli, tmp_path, zone, monkeypatch):
    # On SQLite every CSV export here is made in two processes (below 20,000 cases it would be
    # one), chunk by chunk in turn: the same bytes, windowed, revealed and odd cells alike.
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "1")
    config = _register(cli, tmp_path, zone)
    server = _both(cli, config, monkeypatch=monkeypatch, tmp_path=tmp_path)
    if zone in ZONES:
        stored = (GOLDEN / zone / "export.csv").read_bytes()  # test_report_golden's stdout, as written
        assert server == stored
    for statement in (ODD if cli.backend == "postgresql" else ODD_SQLITE).split(";"):
        cli.sql(statement)
    odd = _both(cli, config, monkeypatch=monkeypatch, tmp_path=tmp_path)
    assert '"含,逗号 ""引号""\r\n换行\n"' in odd.decode()
    documents = _jsonl(cli, config, tmp_path=tmp_path)
    assert documents[0]["description"] == '含,逗号 "引号"\r\n换行\n' and documents[2]["cycles"] == []
    assert {type(c["internal_breached"]) for d in documents for c in d["cycles"]} == {bool}
    if zone not in ZONES:
        return  # the general form of the time text: the odd cells are what it is for
    _both(cli, config, "--from", "2026-10-01", "--to", "2026-10-20", "--excel", monkeypatch=monkeypatch, tmp_path=tmp_path)
    window = _jsonl(cli, config, "--from", "2026-10-01", "--to", "2026-10-20", tmp_path=tmp_path)
    assert 0 < len(window) < len(documents)
    assert len(_jsonl(cli, config, "--from", "2026-10-01", tmp_path=tmp_path)) + len(
        _jsonl(cli, config, "--to", "2026-09-30", tmp_path=tmp_path)) == len(documents)
    # Masking off: the administrator's export shows the full values personal_data keeps.
    cli("--config", str(config), "masking", "off", "--reason", "测试库")
    revealed = _both(cli, config, monkeypatch=monkeypatch, tmp_path=tmp_path).decode()
    assert revealed != odd.decode() and "[anonymised]" in revealed
    shown = {d["id"]: d for d in _jsonl(cli, config, tmp_path=tmp_path)}
    assert shown[2]["customer"] == "[anonymised]" and shown[4]["phone"] != documents[3]["phone"]
    _jsonl(cli, config, "--to", "2026-10-20", tmp_path=tmp_path)
    _both(cli, config, "--to", "2026-10-20", monkeypatch=monkeypatch, tmp_path=tmp_path)  # revealed, to a date
    _both(cli, config, "--from", "2026-10-05T12:30", monkeypatch=monkeypatch, tmp_path=tmp_path)  # from a time


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_login_that_may_not_reveal_exports_its_branch_masked(cli, tmp_path, monkeypatch):
    config = _register(cli, tmp_path, "shanghai")
    url = sa.engine.make_url(cli.db)
    name = f"{url.database}_export"[:63]
    cli.sql(f'DROP ROLE IF EXISTS "{name}"')
    cli.sql(f'CREATE ROLE "{name}" LOGIN')
    try:
        branch = cli.scalar("select branch from cases order by id limit 1")
        cli("staff", "add", "clerk_export", "--role", "staff", "--branch", branch, "--login", name)
        cli("--config", str(config), "masking", "off", "--reason", "测试库")
        clerk = Cli(url.set(username=name).render_as_string(hide_password=False))
        mine = _both(clerk, config, monkeypatch=monkeypatch, tmp_path=tmp_path).decode()
        assert {d["branch"] for d in _jsonl(clerk, config, tmp_path=tmp_path)} == {branch}
        everything = _both(cli, config, monkeypatch=monkeypatch, tmp_path=tmp_path).decode()
        rows = mine.count("\r\n") - 1
        assert 0 < rows < everything.count("\r\n") - 1
        phones = [{r["phone"] for r in csv.DictReader(io.StringIO(text))} - {""} for text in (mine, everything)]
        assert phones[0] and all("****" in p for p in phones[0]) and not any("****" in p for p in phones[1])
    finally:
        cli.sql(f'DROP OWNED BY "{name}"')
        cli.sql(f'DROP ROLE IF EXISTS "{name}"')


@pytest.mark.sqlite_only
def test_the_lines_of_an_export_left_unfinished_close_quietly_after_their_connection(cli):
    """`export -f csv | head -c 100` the full way: the reader went away, the connection was closed,
    and closing the stream of lines then must not raise (Python printed "Exception ignored ...
    Cannot operate on a closed database" under the user's output)."""
    raw = sqlite3.connect(cli.db)
    lines = export_split.lines(raw, None, "SELECT 'a' UNION ALL SELECT 'b'", {}, "UTC", "\r\n")
    assert next(lines) == (2, b"a\r\nb\r\n")
    raw.close()
    lines.close()


def _export_sql(cli: Cli) -> str:
    from complaintctl.sqltext_compiled import QUERIES
    from complaintctl.stored import windowed

    return windowed(QUERIES["sqlite"]["export_csv"][0], "named", False, False)


def _split_lines(cli: Cli, con) -> bytes:
    from complaintctl.stored import register_time_text
    from zoneinfo import ZoneInfo

    register_time_text(con, ZoneInfo("Asia/Shanghai"))
    return b"".join(block for _, block in export_split.lines(con, Path(cli.db), _export_sql(cli), {},
                                                               "Asia/Shanghai", "\r\n"))


@pytest.mark.sqlite_only
def test_the_second_process_is_not_trusted_with_another_snapshot(cli, tmp_path, monkeypatch):
    """A case logged after this process's read transaction began, before the second process's:
    the marks differ (the audit trail's head), and this process makes every chunk itself, so the
    export is one snapshot's: without the new case, and byte for byte the one-process export."""
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "1")
    cli("demo", "--count", "120")  # (enough for several chunks: a smaller register, a quicker test)
    taken = _second_process_chunks(monkeypatch)
    con = sqlite3.connect(Path(cli.db), isolation_level=None)
    con.execute("BEGIN")
    before = con.execute("SELECT count(*) FROM cases").fetchone()[0]
    cli("log", "--channel", "suggestion_box", "--description", "快照之后")
    split = _split_lines(cli, con)
    con.rollback()
    assert not taken
    whole = sqlite3.connect(Path(cli.db), isolation_level=None)
    whole.execute("BEGIN")
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "off")
    everything = _split_lines(cli, whole)
    assert "快照之后".encode() in everything and "快照之后".encode() not in split
    assert everything.startswith(split) and len({line.split(b",")[0] for line in split.splitlines()}) == before
    # And with no write between, the second process's chunks are taken, the same bytes.
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "1")
    again = sqlite3.connect(Path(cli.db), isolation_level=None)
    again.execute("BEGIN")
    assert _split_lines(cli, again) == everything and taken


def _demo_read_by_one_process(cli: Cli, monkeypatch):
    """The demo's register, a read transaction on it, and its export by one process; the test's
    exports made by two from then on."""
    cli("demo", "--count", "120")  # (enough for several chunks: a smaller register, a quicker test)
    con = sqlite3.connect(Path(cli.db), isolation_level=None)
    con.execute("BEGIN")
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "off")
    one = _split_lines(cli, con)
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "1")
    return con, one


@pytest.mark.sqlite_only
def test_a_second_process_that_fails_leaves_its_chunks_to_this_one(cli, monkeypatch):
    con, one = _demo_read_by_one_process(cli, monkeypatch)
    python = sys.executable
    for broken in ("/bin/false", "/nonexistent/python", python + "-missing"):
        monkeypatch.setattr(sys, "executable", broken)
        assert _split_lines(cli, con) == one

    # Killed after its first chunk, and what it had written meanwhile lost with it: this process
    # makes the rest.
    monkeypatch.setattr(sys, "executable", python)
    handed, taken = export_split._Child.take, []

    def killed_after_one(self):
        if taken:
            self.proc.kill()
            self.proc.wait()
            while os.read(self.fd, 1 << 16):
                pass
            self.buf.clear()
        got = handed(self)
        taken.append(got)
        return got
    monkeypatch.setattr(export_split._Child, "take", killed_after_one)
    assert _split_lines(cli, con) == one
    assert taken[0] is not None and taken[1:] == [None]


@pytest.mark.sqlite_only
def test_the_second_process_runs_no_file_of_the_folder_it_is_started_from(cli, tmp_path):
    """A file named like a module in the working folder (json.py, zoneinfo.py) is not run by the
    export's second process (python -m would put the folder first on its path)."""
    import subprocess

    cli("demo", "--count", "120")  # (enough for several chunks: a smaller register, a quicker test)
    here = tmp_path / "folder"
    here.mkdir()
    ran = tmp_path / "ran"
    for name in ("json.py", "zoneinfo.py", "sqlite3.py", "complaintctl.py"):
        (here / name).write_text(f"open({str(ran)!r}, 'a').write({name!r})\n", encoding="utf-8")
    script = Path(sys.executable).parent / "complaintctl"
    args = [str(script), "--db", str(cli.db), "export", "--format", "csv"]
    split = subprocess.run(args, cwd=here, capture_output=True, env={**os.environ, "COMPLAINTCTL_EXPORT_SPLIT": "1"})
    one = subprocess.run(args, cwd=here, capture_output=True, env={**os.environ, "COMPLAINTCTL_EXPORT_SPLIT": "off"})
    assert split.returncode == 0 and split.stdout == one.stdout and split.stdout.count(b"\r\n") > 100
    assert not ran.exists()


def test_the_export_statement_is_cut_only_where_it_has_the_shape_expected():
    """Each compiled export statement, with each window of receipt, gets its case-id bounds in its
    one WHERE; a statement of another shape is left to one process; and the mark covers every
    table the statements read (cases, cycles and personal_data through the audit trail's head)."""
    import re

    from complaintctl.sqltext_compiled import QUERIES
    from complaintctl.stored import windowed

    for name in ("export_csv", "export_csv_revealed"):
        marked = QUERIES["sqlite"][name][0]
        read = set(re.findall(r"\b(?:FROM|JOIN) (\w+)", marked))
        assert read and read <= export_split.MARKED, read
        for start in (False, True):
            for end in (False, True):
                sql = windowed(marked, "named", start, end)
                cut = export_split.bounded(sql)
                assert cut is not None and cut.count(" AND c.id >= :ids_from AND c.id < :ids_to") == (start or end)
                assert cut.replace("c.id >= :ids_from AND c.id < :ids_to", "").replace(" AND  ORDER", " ORDER") \
                    .replace(" WHERE  ORDER", " ORDER") == sql
    assert export_split.bounded("SELECT 1 FROM cases c WHERE c.x = 1 ORDER BY c.id, y.number") is None
    assert export_split.bounded("SELECT 1 FROM cases c") is None
    assert {table: table in export_split.MARK_SQL for table in ("events", "business_calendar", "zone_offsets")} == \
        {"events": True, "business_calendar": True, "zone_offsets": True}


@pytest.mark.sqlite_only
def test_a_file_not_in_wal_mode_is_exported_by_one_process(cli, tmp_path, monkeypatch):
    """A restored backup is in rollback-journal mode: there a writer waiting to commit would keep
    the second process from starting to read while the first holds its read, each waiting for the
    other (a helper saw the export and a `log` both stop for 30 s). One process reads it."""
    cli("demo", "--count", "120")  # (enough for several chunks: a smaller register, a quicker test)
    copy = tmp_path / "restored.db"
    cli("db", "backup", str(copy))
    taken = _second_process_chunks(monkeypatch)
    out = {}
    for setting in ("1", "off"):  # the lean way: the full way turns the file to WAL as it opens it
        monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", setting)
        target = tmp_path / f"{setting}.csv"
        with RUN.isolation():
            assert lean.run(["--db", str(copy), "export", "--format", "csv", "--output", str(target)])
        out[setting] = target.read_bytes()
        assert sqlite3.connect(copy).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert out["1"] == out["off"] and out["1"].count(b"\r\n") > 100 and not taken
    # Once a command that writes has opened it (WAL), the same export is split.
    assert RUN(["--db", str(copy), "staff", "add", "新同事", "--role", "staff"]).exit_code == 0
    monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", "1")
    with RUN.isolation():
        assert lean.run(["--db", str(copy), "export", "--format", "csv", "--output", str(tmp_path / "wal.csv")])
    assert taken


def test_the_split_setting_reads_off_as_the_other_switches_do(monkeypatch):
    for setting, threshold in (("off", float("inf")), ("0", float("inf")), ("no", float("inf")),
                               ("NO", float("inf")), ("5", 5), ("²", export_split.SPLIT_CASES),
                               ("", export_split.SPLIT_CASES), ("many", export_split.SPLIT_CASES)):
        monkeypatch.setenv("COMPLAINTCTL_EXPORT_SPLIT", setting)
        assert export_split._threshold() == threshold, setting


@pytest.mark.sqlite_only
def test_a_second_process_that_stalls_is_not_waited_for(cli, monkeypatch):
    """Stopped (SIGSTOP) after its first chunk: the chunk it owes does not come within the wait,
    and this process makes the rest (the export never hangs on it)."""
    import signal

    con, one = _demo_read_by_one_process(cli, monkeypatch)
    monkeypatch.setattr(export_split, "CHUNK_WAIT", 0.5)
    handed, taken = export_split._Child.take, []

    def stalled_after_one(self):
        if taken:
            import select

            self.proc.send_signal(signal.SIGSTOP)
            self.buf.clear()  # and what it had written before is lost with it
            while select.select([self.fd], [], [], 0.2)[0] and os.read(self.fd, 1 << 16):
                pass
        got = handed(self)
        taken.append(got)
        return got
    monkeypatch.setattr(export_split._Child, "take", stalled_after_one)
    assert _split_lines(cli, con) == one
    assert taken[0] is not None and taken[1:] == [None]
