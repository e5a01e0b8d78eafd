"""Every file the tool writes is written one way; input is bounded; errors never echo personal data."""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RUN, Cli


def _rows(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


BAD = [["received_at", "description", "phone", "account", "channel"],
       ["2026-03-02", "=cmd|' /C calc'!A0", "13812345678", "6222021234567890", "fax"],
       ["2026-03-03", "-2+3", "13912345678", "", "@SUM(1+1)"],
       ["2026-03-04", "good", "13812345678", "", "hotline"]]


def test_the_rejects_file_is_owner_only_masked_and_escaped(cli, tmp_path):
    f = _rows(tmp_path / "in.csv", BAD)
    out = cli("import", str(f), "--skip-invalid").stdout
    assert "imported 1 of 3 rows" in out and "2 rejected rows written to" in out
    target = tmp_path / "in.rejects.csv"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    text = target.read_text(encoding="utf-8")
    # Each identifier column of a rejected row hidden whole but its last two characters (masking.QUOTED).
    assert "13812345678" not in text and "6222021234567890" not in text and "*********78" in text
    rows = list(csv.DictReader(text.splitlines()))
    assert rows[0]["description"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["description"] == "'-2+3" and rows[1]["channel"] == "'@SUM(1+1)"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_symlink_at_the_rejects_path_is_left_alone(cli, tmp_path):
    cli.log()
    f = _rows(tmp_path / "in.csv", BAD)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "in.rejects.csv"
    link.symlink_to(victim)
    err = cli.fails("import", str(f), "--skip-invalid")
    assert "not a symbolic link" in err
    assert victim.read_text() == "keep me\n" and link.is_symlink()


def test_no_rejects_file_when_every_row_is_good_or_on_a_dry_run(cli, tmp_path):
    f = _rows(tmp_path / "in.csv", [BAD[0], BAD[3]])
    cli("import", str(f), "--skip-invalid")
    assert not (tmp_path / "in.rejects.csv").exists()
    g = _rows(tmp_path / "bad.csv", BAD)
    cli("import", str(g), "--skip-invalid", "--dry-run")
    assert not (tmp_path / "bad.rejects.csv").exists()


def test_output_is_owner_only_and_never_written_through_a_symlink(cli, tmp_path):
    cli.log()
    out = tmp_path / "list.csv"
    cli("list", "--format", "csv", "--output", str(out))
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    assert "not a symbolic link" in cli.fails("list", "--format", "csv", "--output", str(link))
    assert victim.read_text() == "keep me\n"


def test_output_onto_a_file_marked_read_only_is_refused_and_leaves_it_as_it_was(cli, tmp_path):
    """A file with no write bit for anyone (an archive kept on purpose) was replaced by the renamed
    output, root's or its owner's: refused, exit 2, both ways; a line appended to one (the anchors
    file on write-once storage) still goes in."""
    cli.log()
    kept = tmp_path / "archive.csv"
    kept.write_text("kept\n")
    kept.chmod(0o444)
    for args in (["list", "--format", "csv"], ["export", "--format", "csv"], ["report", "overdue", "--format", "xlsx"]):
        for env in ({}, {"COMPLAINTCTL_LEAN": "off"}):
            done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), *args,
                                   "--output", str(kept)], capture_output=True, text=True, env={**os.environ, **env})
            assert done.returncode == 2 and done.stdout == "", (args, done.stderr)
            assert done.stderr == (f"complaintctl: error: invalid --output '{kept}': expected a file not marked "
                                   "read-only (it has no write permission for anyone: kept as it is; give another "
                                   "name, or chmod u+w it first)\n")
    assert kept.read_text() == "kept\n" and kept.stat().st_mode & 0o777 == 0o444
    anchors = tmp_path / "anchors.txt"
    anchors.write_text("")
    anchors.chmod(0o444)
    if os.geteuid() == 0:  # (root appends to it; another account is refused by the file system)
        cli("db", "anchor", str(anchors))
        assert anchors.read_text().startswith("complaintctl-anchor v1 ")


def test_output_onto_a_file_the_tool_did_not_write_is_refused_and_leaves_it_as_it_was(cli, tmp_path):
    """`letter ... --output /etc/passwd`, run as root, replaced the system's password file with the
    letter (0600, whole). An existing file is replaced only when it is named as outputs are (.csv,
    .txt, ...) or is one the tool wrote (the account's, mode 0600, in no hidden folder): a system
    file, a program (python3.11) or anything in ~/.ssh is refused, both ways, and left as it was;
    a daily output to one name without an extension, or to a mktemp name, is replaced as ever."""
    ref = cli.log()
    system = tmp_path / "passwd"
    system.write_text("root:x:0:0:root:/root:/bin/bash\n")
    system.chmod(0o644)
    program = tmp_path / "python3.11"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    (tmp_path / ".ssh").mkdir()
    key = tmp_path / ".ssh" / "id_rsa"
    key.write_text("-----BEGIN KEY-----\n")
    key.chmod(0o600)
    for target in (system, program, key):
        for args in (["list", "--format", "csv"], ["report", "overdue", "--format", "csv"], ["export", "--format", "csv"],
                     ["letter", ref], ["report", "overdue", "--format", "xlsx"]):
            for env in ({}, {"COMPLAINTCTL_LEAN": "off"}):
                done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), *args,
                                       "--output", str(target)], capture_output=True, text=True,
                                      env={**os.environ, **env})
                assert done.returncode == 2 and done.stdout == "", (target, args, done.stderr)
                assert done.stderr.startswith(f"complaintctl: error: invalid --output '{target}': expected a new "
                                              "file, an output the tool wrote before"), done.stderr
                assert done.stderr.count("\n") == 1
    assert system.read_text() == "root:x:0:0:root:/root:/bin/bash\n" and system.stat().st_mode & 0o777 == 0o644
    assert program.read_text() == "#!/bin/sh\n" and key.read_text() == "-----BEGIN KEY-----\n"
    daily = tmp_path / "overdue_today"
    for _ in range(2):  # the tool's own output, without an extension: the next run replaces it
        cli("report", "overdue", "--format", "csv", "--output", str(daily))
    assert daily.read_text().startswith("reference,")
    kept = tmp_path / "overdue.csv"
    kept.write_text("made by hand\n")
    kept.chmod(0o644)
    cli("report", "overdue", "--format", "csv", "--output", str(kept))  # named as outputs are: replaced
    assert kept.read_text().startswith("reference,")


def test_output_onto_a_device_or_a_named_pipe_is_refused_and_leaves_it_as_it_was(cli, tmp_path):
    """Renaming the finished file into place would replace a device, a pipe or a socket with a file
    (as root, `--output /dev/null` replaced /dev/null): refused, exit 2, the path as it was, both
    ways (the lean way and the full way)."""
    import stat

    from complaintctl_cli import lean

    import socket

    cli.log()
    fifo, sock = tmp_path / "pipe", tmp_path / "sock"
    os.mkfifo(fifo)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock))  # (never /dev/null itself here: a regression would replace it)
    for target in (str(fifo), str(sock)):
        for args in (["list", "--format", "csv"], ["report", "overdue", "--format", "csv"],
                     ["export", "--format", "csv"], ["find", "--phone", "13812345678", "--format", "csv"]):
            assert "expected a regular file" in cli.fails(*args, "--output", target), args
            with RUN.isolation() as (out, err, _):
                try:  # the lean way refuses it itself (exit 2, one line), or hands it to the full way above
                    answered, code = lean.run(["--db", str(cli.db), *args, "--output", target]), None
                except SystemExit as exc:
                    answered, code = True, exc.code
                assert (answered, code) in ((False, None), (True, 2)), args
                if answered:
                    assert err.getvalue().startswith(b"complaintctl: error: invalid --output") \
                        and err.getvalue().count(b"\n") == 1 and out.getvalue() == b"", args
            assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISSOCK(sock.stat().st_mode), args
    listener.close()


@pytest.mark.sqlite_only
def test_output_refuses_the_database_itself(cli, tmp_path):
    cli.log()
    for target in (cli.db, tmp_path / "." / cli.db.name, cli.db.with_name(cli.db.name + "-wal")):
        assert "a file other than the database itself" in cli.fails("list", "--format", "csv", "--output", str(target))
    assert cli("db", "check").exit_code == 0
    # Refused before the report is worked out (the period's "not begun" warning is never reached),
    # the lean way as the full way.
    for env in ({}, {"COMPLAINTCTL_LEAN": "off"}):
        done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "report", "regulatory",
                               "--quarter", "2099Q1", "--output", str(cli.db)], capture_output=True, text=True,
                              env={**os.environ, **env})
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "a file other than the database itself" in done.stderr


@pytest.mark.sqlite_only
def test_backup_is_owner_only_and_never_through_a_symlink(cli, tmp_path):
    cli.log()
    link = tmp_path / "b.db"
    link.symlink_to(tmp_path / "nowhere.db")
    assert "not a symbolic link" in cli.fails("db", "backup", str(link))
    assert not (tmp_path / "nowhere.db").exists()
    assert "already exists" in cli.fails("db", "backup", str(cli.db))


@pytest.mark.parametrize("args, secret", [
    (["log", "--channel", "hotline", "--phone", "13812345678 110105199003071234", "--description", "x"],
     "110105199003071234"),
    (["log", "--channel", "hotline", "--phone", "13812345678", "--account", "6222021234567890X",
      "--description", "x"], "6222021234567890"),
    (["log", "--channel", "hotline", "--email", "wang.xiaoming@example.com", "--phone", "(010)65123456x",
      "--description", "x"], "65123456"),
    # a phone or card number typed where a reference, a member of staff or a login was expected
    (["show", "13812345678"], "13812345678"), (["note", "13812345678", "x"], "13812345678"),
    (["assign", "C-2026-000001", "--to", "6222021234567890"], "6222021234567890"),
    (["--as", "13812345678", "list"], "13812345678"), (["staff", "deactivate", "6222021234567890"], "6222021234567890"),
    (["list", "--assignee", "13812345678"], "13812345678"),
    (["report", "overdue", "--branch", "6222021234567890"], "6222021234567890"),
    (["report", "late-entries", "--branch", "13812345678"], "13812345678"),
])
def test_error_messages_never_echo_personal_data(cli, args, secret):
    cli.log()
    err = cli.fails(*args)
    assert secret not in err


def test_stdin_past_the_longest_text_is_refused_without_being_read_whole(cli):
    cli.log()
    err = cli.fails("log", "--channel", "letter", "--description", "-", input="长" * 100_001)
    assert "invalid description '(standard input)': expected at most 100000 characters" in err


# A child's ru_maxrss starts at the memory of the process that forked it (Linux folds the forked
# copy's high-water mark into the child at exec), so a child of a test worker of several hundred MB
# reports at least that. This small wrapper is that child: it starts the command as its own child,
# which inherits only the wrapper's ~15 MB, and writes what wait4 says of it to the file named first.
_WRAPPER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _peak_mb_of(cmd, feed, tmp_path):
    """Run a command, feed its stdin, and return its exit code, stderr and its own peak resident
    memory in MB (measured in a fresh grandchild, see _WRAPPER)."""
    report = tmp_path / "peak_kb"
    proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, str(report), *cmd], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        feed(proc.stdin)
        proc.stdin.close()
    except BrokenPipeError:  # the tool stopped reading: what the test hopes for
        pass
    err = proc.stderr.read()
    proc.wait()
    return proc.returncode, err.decode(), int(report.read_text()) / 1024


def test_the_memory_measure_does_not_inherit_the_test_workers_peak(tmp_path):
    """The floor: an empty Python measured the same way stays small even when this process is big."""
    ballast = bytearray(300 << 20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touched, so resident
    code, _, peak = _peak_mb_of([sys.executable, "-c", "pass"], lambda stdin: None, tmp_path)
    assert code == 0 and peak < 100, f"floor {peak:.0f} MB"
    del ballast


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_100_mb_description_on_stdin_is_refused_in_bounded_memory(cli, tmp_path):
    cli.log()
    chunk = b"x" * (1 << 20)

    def feed(stdin):
        for _ in range(100):
            stdin.write(chunk)

    code, err, peak = _peak_mb_of([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "log",
                                   "--channel", "letter", "--description", "-"], feed, tmp_path)
    assert code == 2 and "at most 100000 characters" in err
    assert peak < 200, f"peak {peak:.0f} MB"


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_an_import_of_many_bad_rows_keeps_memory_bounded(cli, tmp_path):
    """100,000 invalid rows: every one counted and written to the rejects file, a bounded number held
    (70 MB measured, the same as at 300,000: a row kept in memory would add 100 MB and more; each
    row's faults kept with their tracebacks, or a date's with the error it was raised handling,
    took 262-333 MB in the import's second process, which runs without the cyclic collector)."""
    cli.log()
    f = tmp_path / "bad.csv"
    with f.open("w", encoding="utf-8") as fh:
        fh.write("received_at,description,channel\n")
        line = "05/01/2026 10:00,来电投诉 13812345678,fax\n"  # (a date in another form: its fault was raised handling another)
        fh.write(line * 100_000)
    code, err, peak = _peak_mb_of([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "import",
                                   str(f), "--skip-invalid", "--json"], lambda stdin: None, tmp_path)
    assert code == 0, err
    assert peak < 120, f"peak {peak:.0f} MB"
    with (tmp_path / "bad.rejects.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 100_001


@pytest.mark.sqlite_only
def test_a_path_in_an_error_is_shown_whole(cli, tmp_path):
    """A refused path is the one thing the person must see: never cut at 40 characters."""
    err = cli.fails("export", "--format", "csv", "--output", str(cli.db))
    assert f"'{cli.db}'" in err and len(str(cli.db)) > 40, err
    taken = tmp_path / "a-folder-name-long-enough-to-be-cut-before" / "backup.db"
    taken.parent.mkdir()
    taken.write_bytes(b"")
    assert str(taken) in cli.fails("db", "backup", str(taken))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_one_line_and_exit_1_both_ways(cli):
    """Standard output on a full disk (/dev/full): one line naming the failure, exit 1, no
    traceback, the lean way (list, reports, export, show) as the full way (staff list)."""
    cli.log(received="2026-03-02T10:00")
    for args in (["list", "--all"], ["report", "overdue", "--as-of", "2026-03-20T09:00"], ["export", "-f", "csv"],
                 ["export"], ["show", "C-2026-000001"], ["staff", "list"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), *args],
                                  stdout=full, stderr=subprocess.PIPE, text=True)
        assert (done.returncode, done.stderr) == (1, "complaintctl: error: No space left on device\n"), args


def _limited(size: int):
    """A child process that may write no file past `size` bytes (as a full disk or a quota: the
    write fails with EFBIG rather than the process being killed)."""
    import resource
    import signal

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


@pytest.mark.sqlite_only
def test_a_file_the_disk_will_not_hold_is_named_in_one_line_and_nothing_is_left(cli, tmp_path):
    """An output, a report or a backup that the disk (here a size limit) will not hold: one line
    naming the file and the system's reason, exit 1, the file as it was (absent, or the earlier
    one), and no temporary file or journal beside it, the lean way as the full way."""
    for day in range(2, 9):
        cli.log(received=f"2026-03-0{day}T10:00")
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "earlier.csv"
    earlier.write_text("kept\n")
    import sqlite3

    held = sqlite3.connect(cli.db)  # keeps the database's -shm (32 KB) in place: the limit is the output's
    held.execute("select count(*) from cases").fetchone()
    for env, args, target in (
            ({}, ["export", "-f", "csv", "--output"], out / "cases.csv"),
            ({"COMPLAINTCTL_LEAN": "off"}, ["export", "-f", "csv", "--output"], out / "cases.csv"),
            ({}, ["report", "overdue", "--as-of", "2026-03-20T09:00", "--format", "csv", "--output"], earlier),
            ({"COMPLAINTCTL_LEAN": "off"}, ["list", "--all", "--format", "csv", "--output"], earlier),
            ({}, ["report", "regulatory", "--quarter", "2026Q1", "--format", "xlsx", "--output"], out / "q1.xlsx"),
            ({}, ["db", "backup"], out / "copy.db")):
        done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), *args, str(target)],
                              capture_output=True, text=True, env={**os.environ, **env}, preexec_fn=_limited(2000))
        assert done.returncode == 1 and done.stderr.startswith(f"complaintctl: error: cannot write '{target}': "), \
            (args, done.stderr)
        if args == ["db", "backup"]:  # SQLite keeps no errno: the size limit is found, not "disk I/O error"
            assert done.stderr.endswith(": File too large\n"), done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert sorted(p.name for p in out.iterdir()) == ["earlier.csv"], args
        assert earlier.read_text() == "kept\n"
    # A line the anchors file will not hold whole: the file as it was, not ending in half a line.
    anchors = out / "anchors.txt"
    cli("db", "anchor", str(anchors))
    before = anchors.read_bytes()
    done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "db", "anchor",
                           str(anchors)], capture_output=True, text=True, preexec_fn=_limited(len(before) + 40))
    assert (done.returncode, done.stderr.split(": ")[:3]) == (1, ["complaintctl", "error", f"cannot write '{anchors}'"])
    assert anchors.read_bytes() == before
    cli("db", "check", "--anchors", str(anchors))
    held.close()


@pytest.mark.sqlite_only
def test_a_backup_larger_than_the_database_file_by_its_wal_is_found_too_large(cli, tmp_path):
    """db backup copies the pages still in the WAL too (a reader keeps them from the file while
    others write): a size limit between the file's size and the copy's is still named as such."""
    import sqlite3

    cli.log()
    reader = sqlite3.connect(cli.db, isolation_level=None)
    reader.execute("begin")
    reader.execute("select count(*) from cases").fetchall()  # its snapshot keeps the checkpoint back
    writer = sqlite3.connect(cli.db)
    writer.execute("create table filler (x)")
    writer.executemany("insert into filler values (?)", [("x" * 1000,)] * 600)
    writer.commit()
    size = cli.db.stat().st_size
    assert cli.db.with_name(cli.db.name + "-wal").stat().st_size > size + 200_000
    target = tmp_path / "copy.db"
    done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "db", "backup",
                           str(target)], capture_output=True, text=True, preexec_fn=_limited(size + 100_000))
    reader.close()
    writer.close()
    assert (done.returncode, done.stderr) == (1, f"complaintctl: error: cannot write '{target}': File too large\n")
    assert not target.exists()


def test_a_rejects_file_the_disk_will_not_hold_fails_the_import_before_it_is_saved(cli, tmp_path, monkeypatch):
    """import --skip-invalid writes its rejects file whole before the import commits: a disk that
    will not hold it fails the import (nothing saved, the file named), where before the rows were
    saved and only the failure was reported, inviting the same import again."""
    import errno

    from complaintctl import files

    f = _rows(tmp_path / "in.csv", BAD)
    real = os.fsync

    def full(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)
    monkeypatch.setattr(files.os, "fsync", full)
    err = cli.fails("import", str(f), "--skip-invalid", code=1)
    assert err == f"complaintctl: error: cannot write '{tmp_path / 'in.rejects.csv'}': No space left on device"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".part")) == ["in.csv"]


@pytest.mark.sqlite_only
def test_neither_the_rejects_file_nor_the_anchors_file_may_be_the_database(cli, tmp_path):
    """The import's rejects file (beside its CSV, named after it) and `db anchor`'s file are refused
    when they are the database itself, as every --output is (the rejects file replaced it)."""
    db = tmp_path / "branch.rejects.csv"
    cli("--db", str(db), "db", "upgrade")
    f = _rows(tmp_path / "branch.csv", BAD)
    for args in (["import", str(f), "--skip-invalid"], ["db", "anchor", str(db)]):
        r = RUN(["--db", str(db), *args])
        assert r.exit_code == 2 and "the database" in r.stderr and r.stderr.count("\n") == 1, (args, r.stderr)
    assert RUN(["--db", str(db), "db", "check"]).exit_code == 0


@pytest.mark.sqlite_only  # (the check is made before the database is read: no backend's own)
def test_an_output_named_for_another_kind_of_file_is_refused_both_ways(cli, tmp_path):
    """`--format xlsx --output q3.csv` wrote a workbook a spreadsheet opens as garbled text; now a name
    whose ending says another kind of file is refused (exit 2, one line, nothing written), the lean
    way as the full way, before any work; a name with another ending, or none, takes any format."""
    from tests.cli.test_lean_overdue import _run

    cli.log(received="2026-03-02T10:00")
    refused = (["report", "regulatory", "--quarter", "2026Q1", "--format", "xlsx", "--output", "q1.csv"],
               ["report", "overdue", "--as-of", "2026-03-20T09:00", "--format", "csv", "--output", "late.json"],
               ["export", "--format", "csv", "--output", "cases.xlsx"],
               ["list", "--all", "--format", "json", "--output", "cases.csv"],
               ["report", "monthly", "--month", "2026-03", "--output", "march.json"],
               ["report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv", "--output", "s.HTML"])
    for args in refused:
        name = args[-1]
        for lean_way in (None, False):  # as the console script runs it, and the full way alone
            code, out, err = _run(["--db", str(cli.db), *args], lean_way=lean_way)
            assert code == 2 and out == b"", (args, lean_way)
            fmt = args[args.index("--format") + 1] if "--format" in args else "html"
            assert err.decode() == (f"complaintctl: error: invalid --output '{name}': expected a file name that fits "
                                    f"--format {fmt} (a name ending in {Path(name).suffix.lower()} is for --format "
                                    f"{ {'.csv': 'csv', '.json': 'json or jsonl', '.xlsx': 'xlsx', '.html': 'html'}[Path(name).suffix.lower()] }: "
                                    "give that format, or another name)\n"), (args, err)
            assert not (tmp_path / name).exists()
    assert "--format json 相符的文件名" in cli.fails("--lang", "zh", "report", "monthly", "--month", "2026-03", "--format",
                                                "json", "--output", "march.html")
    for args in (["export", "--output", "cases.json"], ["report", "overdue", "--as-of", "2026-03-20T09:00", "--output",
                                                         "late.txt"], ["export", "--format", "csv", "--output", "cases"]):
        cli(*args)
        assert (tmp_path / args[-1]).exists(), args


def test_a_reader_that_goes_away_ends_every_command_quietly_with_1(cli):
    """`report overdue | head -3` under cron or a shell (standard output buffered): the rows still in
    the buffer when the command ended met the closed pipe in Python's own last flush, which printed
    "Exception ignored ... BrokenPipeError" on stderr and exited 120. Now, as a command whose reader
    goes away while it writes: nothing on stderr, exit 1 (README: Exit codes), both ways."""
    cli.staff()
    for day in range(1, 6):
        cli.log(received=f"2026-03-0{day}T10:00")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    for lean in ("on", "off"):
        for args in (["report", "overdue", "--all", "--as-of", "2026-06-01T09:00"],
                     ["report", "regulatory", "--quarter", "2026Q1"], ["list", "--all"]):
            read, write = os.pipe()
            os.close(read)  # the reader has gone before the first byte
            proc = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), *args],
                                  stdout=write, stderr=subprocess.PIPE, env={**env, "COMPLAINTCTL_LEAN": lean})
            os.close(write)
            assert (proc.returncode, proc.stderr.decode()) == (1, ""), (lean, args)
