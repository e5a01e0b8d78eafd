"""At the counter: a missing database is an error, the demo keeps to its own file, init sets up a
register found from any folder."""
import json
import os
import sqlite3
import tomllib
from pathlib import Path

import pytest

from tests.harness import default_stops


def _env_fails(cli, *args) -> str:
    r = cli(*args, expect=1)
    err = r.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in r.output, r.output
    assert err.startswith(("complaintctl: error: ", "complaintctl: 错误：")), r.output  # (in the run's language)
    return err


@pytest.mark.sqlite_only
@pytest.mark.parametrize("args", [
    ["report", "overdue", "--fail-on-overdue"], ["list"], ["show", "C-2026-000001"], ["db", "check"],
    ["db", "info"], ["staff", "list"], ["export", "--format", "csv"],
    ["log", "--channel", "letter", "--description", "x"],
])
def test_a_mistyped_database_path_is_an_error_and_creates_nothing(cli, tmp_path, args):
    typo = tmp_path / "brnach.db"
    err = _env_fails(cli, "--db", str(typo), *args)
    assert f"database not found: {typo} does not exist" in err
    assert not typo.exists()


@pytest.mark.sqlite_only
def test_backup_of_a_missing_database_is_an_error(cli, tmp_path):
    err = _env_fails(cli, "--db", str(tmp_path / "brnach.db"), "db", "backup", str(tmp_path / "copy.db"))
    assert "database not found" in err and not (tmp_path / "copy.db").exists()


@pytest.mark.sqlite_only
def test_the_missing_database_error_speaks_chinese(cli, tmp_path):
    err = _env_fails(cli, "--lang", "zh", "--db", str(tmp_path / "x.db"), "list")
    assert "未找到数据库" in err and "does not exist" not in err


@pytest.mark.sqlite_only
def test_a_database_without_the_schema_is_not_found_either(cli, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    for args in (["list"], ["show", "C-2026-000001"], ["report", "overdue"], ["db", "info"]):
        err = _env_fails(cli, "--db", str(empty), *args)
        assert f"database not found: {empty} holds no complaintctl data" in err, args
        assert empty.stat().st_size == 0, args  # a command that refuses it writes nothing into it
    cli("--db", str(empty), "db", "upgrade")  # the one that makes it gives it its WAL mode
    assert sqlite3.connect(empty).execute("pragma journal_mode").fetchone()[0] == "wal"


@pytest.mark.sqlite_only
def test_init_demo_and_db_upgrade_create_a_database_and_say_so(cli, tmp_path):
    for args in (["db", "upgrade"], ["demo", "--count", "3"],
                 ["init", "--branch", "BJ001", "--path", str(tmp_path / "c.toml"), "--yes"]):
        new = tmp_path / f"{args[0]}.db"
        r = cli("--db", str(new), *args)
        assert f"created a new database at {new}" in r.stderr and new.exists()
        assert sqlite3.connect(new).execute("pragma journal_mode").fetchone()[0] == "wal", args


@pytest.mark.sqlite_only
def test_the_demo_fills_its_own_file_and_the_first_real_day_does_not_see_it(cli, home, tmp_path):
    r = _run(["demo", "--count", "12"])
    assert r.exit_code == 0, r.output
    demo_db = home / "data" / "complaintctl" / "demo.db"
    assert f"demo database of its own: {demo_db}" in r.stderr
    # demo does not take --all, so it suggests the commands that do, each of which works as written
    assert f"complaintctl --db {demo_db} list --all, or complaintctl --db {demo_db} report overdue --all" in r.stderr
    assert "more rows not shown" not in r.stderr and "(at most 20 of each above)" in r.stderr
    for args in (["list", "--all"], ["report", "overdue", "--all"]):
        assert _run(["--db", str(demo_db), *args]).exit_code == 0
    (home / "config" / "complaintctl" / "config.toml").unlink()
    r = _run(["init", "--branch", "BJ001", "--staff", "wangfang:staff", "--yes"])
    assert r.exit_code == 0, r.output
    assert "already holds" not in r.stderr
    register = home / "data" / "complaintctl" / "complaints.db"
    assert f"database ready at {register}" in r.stdout
    listed = _run(["list", "--format", "json"])
    assert listed.exit_code == 0 and listed.stdout.strip() == "[]"


@pytest.mark.sqlite_only
def test_init_warns_about_a_database_that_already_holds_cases(cli, tmp_path):
    cli("demo", "--count", "4")
    r = cli("init", "--branch", "BJ001", "--path", str(tmp_path / "c.toml"), "--yes")
    assert f"warning: the database at {cli.db} already holds 4 case(s)" in r.stderr


@pytest.mark.sqlite_only
def test_init_writes_the_user_config_folder_and_remembers_the_database(cli, home, tmp_path, monkeypatch):
    config = home / "config" / "complaintctl" / "config.toml"
    config.unlink()
    register = tmp_path / "branch.db"
    r = _run(["--db", str(register), "init", "--branch", "SH002", "--staff", "wangfang:staff",
                                   "--language", "en", "--yes"])
    assert r.exit_code == 0, r.output
    written = tomllib.loads(config.read_text())
    assert written["branch"] == "SH002" and written["database"]["url"] == str(register)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = _run(["log", "--channel", "letter", "--description", "来信", "--json"])
    assert r.exit_code == 0, r.output
    import json

    assert json.loads(r.stdout)["branch"] == "SH002"
    assert Path(register).exists() and not (elsewhere / "complaints.db").exists()
    rows = {row["key"]: row for row in json.loads(_run(["config", "show", "--format", "json"]).stdout)}
    assert rows["database.url"]["value"] == str(register)


@pytest.mark.sqlite_only
def test_init_writes_the_config_named_by_config_or_its_variable(home, tmp_path, monkeypatch):
    """`--config FILE init` (or COMPLAINTCTL_CONFIG=FILE) writes FILE, which later commands given the
    same --config then read; the user config folder is left alone. A FILE that exists is not
    overwritten without --force."""
    user_config = home / "config" / "complaintctl" / "config.toml"
    before = user_config.read_text()
    named, register = tmp_path / "branch.toml", tmp_path / "branch.db"
    r = _run(["--config", str(named), "--db", str(register), "init", "--branch", "SH002", "--yes"])
    assert r.exit_code == 0, r.output
    assert tomllib.loads(named.read_text())["branch"] == "SH002"
    assert user_config.read_text() == before
    r = _run(["--config", str(named), "--db", str(register), "log", "--channel", "letter",
              "--description", "x", "--json"])
    assert r.exit_code == 0, r.output
    import json

    assert json.loads(r.stdout)["branch"] == "SH002"
    r = _run(["--config", str(named), "--db", str(register), "init", "--branch", "BJ001", "--yes"])
    assert r.exit_code == 2 and "already exists" in r.stderr and "Traceback" not in r.output
    assert tomllib.loads(named.read_text())["branch"] == "SH002"
    by_variable = tmp_path / "by-variable.toml"
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(by_variable))
    r = _run(["--lang", "zh", "--db", str(register), "init", "--branch", "GZ003", "--yes"])
    assert r.exit_code == 0, r.output
    assert tomllib.loads(by_variable.read_text())["branch"] == "GZ003" and "已写入配置" in r.stdout
    assert user_config.read_text() == before


def test_a_case_with_no_branch_given_or_configured_is_refused(cli, tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text("")
    err = cli.fails("--config", str(bare), "log", "--channel", "letter", "--description", "x")
    assert "no branch for this case: give --branch CODE" in err
    zh = cli.fails("--config", str(bare), "--lang", "zh", "log", "--channel", "letter", "--description", "x")
    assert "未指定网点" in zh
    cli("--config", str(bare), "log", "--channel", "letter", "--description", "x", "--branch", "BJ003")


def _run(args):
    """The tool without --db: where the database and config are found by default."""
    from tests.conftest import RUN

    return RUN(args)


@pytest.fixture
def home(isolated_home):
    return isolated_home


def test_messages_use_words_and_articles_not_raw_keys(cli, tmp_path):
    cli.staff()
    ref = cli.log("--tier", "important")
    err = cli.fails("assign", ref, "--to", "wangfang")  # the assignee does not fit: bad input, exit 2
    assert "cannot assign an important case to wangfang (front-line staff): it needs a manager or above" in err
    zh = cli.fails("--lang", "zh", "assign", ref, "--to", "wangfang")  # the assignee does not fit: bad input, exit 2
    assert "不能将重要投诉分派给 wangfang（一线员工）" in zh and "important" not in zh
    err = cli.fails("log", "--channel", "hotline", "--description", "x")
    assert "missing contact: a complaint by service hotline needs --phone or --email" in err
    assert "hotline" not in cli.fails("--lang", "zh", "log", "--channel", "hotline", "--description", "x").replace("客服热线", "")


@pytest.mark.sqlite_only
def test_backup_to_an_existing_file_names_the_whole_path(cli, tmp_path):
    cli.log()
    target = tmp_path / "a-rather-long-folder-name-for-backups" / "complaints-2026-11-29-nightly.db"
    target.parent.mkdir()
    target.write_bytes(b"")
    err = cli.fails("db", "backup", str(target))
    assert f"backup file {target} already exists" in err


def test_a_phone_in_a_common_written_form_is_accepted_and_stored_in_one_form(cli):
    for written, shown in (("138-1234-5678", "138****5678"), ("(010) 6234 5678", "010****5678"),
                           ("+86 139 1234 5678", "139****5678")):
        ref = cli.log("--phone", written)
        assert cli.json("show", ref, "--json")["case"]["phone"] == shown
    assert "invalid phone '**********67'" in cli.fails(*LOG_WITHOUT_PHONE, "--phone", "138-1234-567")


LOG_WITHOUT_PHONE = ["log", "--channel", "hotline", "--description", "x", "--received-at", "2026-03-02T10:00"]


def test_report_sla_defaults_to_this_month_so_far_and_says_so(cli):
    cli.staff()
    ref = cli.log(received="2026-11-02T10:00")
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-11-03T10:00")
    # Named whatever the day: above the month's figures, or (the first hours of a month, when none
    # is decided yet) in the line that says there are none.
    said = cli("report", "sla")
    assert "this month so far" in said.stdout + said.stderr
    said = cli("--lang", "zh", "report", "sla")
    assert "本月至今" in said.stdout + said.stderr
    assert cli.fails("report", "sla", "--from", "2026-11-01") == (
        "complaintctl: error: missing --to: --from needs it; give both --from and --to, or neither (this month so far)")
    assert cli.fails("--lang", "zh", "report", "sla", "--to", "2026-11-01") == (
        "complaintctl: 错误：缺少 --from：给出 --to 时也须给出它；请同时给出 --from 和 --to，或都不给（默认本月至今）")


def test_report_groupings_accept_their_chinese_names(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-03-03T10:00")
    by_key = cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "channel", "--format", "json")
    by_zh = cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "渠道", "--format", "json")
    assert by_key == by_zh and by_key[0]["channel"] == "hotline"
    err = cli.fails("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "颜色")
    assert "invalid --by '颜*'" in err and "channel (渠道)" in err  # (no character of a grouping's: read as a name)


def test_help_never_breaks_an_example_inside_an_option(cli):
    out = cli("resolve", "--help").stdout
    example = next(line for line in out.splitlines() if "Example:" in line)
    assert "--root-cause fees" in example


@pytest.mark.sqlite_only
def test_interactive_init_asks_again_after_a_bad_time_zone_and_ctrl_c_exits_130(cli, tmp_path):
    import sys

    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="80")
    child = pexpect.spawn(sys.executable, ["-m", "complaintctl_cli.main", "--lang", "en", "--db", str(tmp_path / "n.db"),
                                           "init", "--path", str(tmp_path / "n.toml")],
                          env=env, encoding="utf-8", timeout=60, preexec_fn=default_stops)
    child.expect("Branch code")
    child.sendline("")  # no answer: why, and asked again (it failed only after every question)
    child.expect("expected the branch's code, such as BJ001")
    child.expect("Branch code")
    child.sendline("BJ007")
    child.expect("Time zone")
    child.sendline("Mars/Olympus")
    child.expect("unknown time zone 'Mars/Olympus'")
    child.expect("Time zone")  # asked again, nothing written yet
    assert not (tmp_path / "n.toml").exists()
    child.sendintr()
    # Once in about ten runs on a loaded machine the first ^C was echoed but never reached the
    # process within a minute (not understood yet; noted in the closing note): a second one, as a
    # person would press, and the exit must still be the single line and 130.
    if child.expect(["complaintctl: error: interrupted", pexpect.TIMEOUT], timeout=20) == 1:
        child.sendintr()
        child.expect("complaintctl: error: interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (tmp_path / "n.toml").exists() and not (tmp_path / "n.db").exists()


def test_interactive_init_takes_a_language_answered_with_spaces_as_none(tmp_path):
    """Spaces at the language prompt passed its check and then failed the whole set-up after the
    last question, every answer lost: they are no answer, the locale decides."""
    import sys

    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="80")
    child = pexpect.spawn(sys.executable, ["-m", "complaintctl_cli.main", "--lang", "en", "--db", str(tmp_path / "n.db"),
                                           "init", "--path", str(tmp_path / "n.toml")],
                          env=env, encoding="utf-8", timeout=60, preexec_fn=default_stops)
    for prompt, answer in (("Branch code", "BJ007"), ("Time zone", ""), ("country", ""), ("Language", "   "),
                           ("First staff", "lina:staff")):
        child.expect(prompt)
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "lang" not in (tmp_path / "n.toml").read_text(encoding="utf-8")


def test_init_reads_the_staff_typed_with_a_chinese_input_methods_comma_and_colon(cli, tmp_path):
    out = cli("init", "--branch", "BJ001", "--staff", "李明：staff，张伟:manager", "--path", str(tmp_path / "b.toml"),
              "--yes").stdout
    assert f"2 staff registered; administrator: {cli.admin}" in out  # the account that made the database
    people = {p["name"]: p["role"] for p in cli.json("staff", "list", "--format", "json")}
    assert people["李明"] == "staff" and people["张伟"] == "manager"


@pytest.mark.sqlite_only
def test_ctrl_c_while_a_text_is_read_from_the_terminal_says_interrupted_and_writes_nothing(cli):
    """`log --description -` at a terminal reads until Ctrl-D; Ctrl-C there is the one line and 130
    README promises (Typer turned it into a silent 130), and nothing is logged."""
    import sys
    import time

    pexpect = pytest.importorskip("pexpect")
    cli.log()
    child = pexpect.spawn(sys.executable, ["-m", "complaintctl_cli.main", "--db", str(cli.db), "log", "--channel",
                                           "letter", "--description", "-"],
                          env=dict(os.environ, COLUMNS="80"), encoding="utf-8", timeout=60, preexec_fn=default_stops)
    child.sendline("客户来信投诉")
    child.expect("客户来信投诉")  # echoed by the terminal; the command is starting or reading
    time.sleep(3)
    child.sendintr()
    if child.expect(["complaintctl: error: interrupted", pexpect.TIMEOUT], timeout=20) == 1:
        child.sendintr()  # (as in the init test above: a first ^C that a loaded machine lost)
        child.expect("complaintctl: error: interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert cli.scalar("select count(*) from cases") == 1


@pytest.mark.parametrize("where", ["reading", "writing"])
def test_ctrl_c_in_a_read_only_command_the_lean_way_says_interrupted_in_the_runs_language(cli, monkeypatch, where):
    """`export`, `list`, the reports and `show` run without Typer (cli/lean.py); Ctrl-C there printed
    Python's traceback where the full way says its one line and exits 130."""
    from complaintctl_cli import lean

    from tests.conftest import RUN

    cli.log()

    def pressed(*_args, **_kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(lean, "_prepare_export" if where == "reading" else "_write_export", pressed)
    for lang, said in (("en", "error: interrupted"), ("zh", "错误：已中断")):
        with RUN.isolation() as (_, err, _):
            with pytest.raises(SystemExit) as stopped:
                lean.run(["--db", str(cli.db), "--lang", lang, "export", "--format", "csv"])
            shown = err.getvalue().decode()
        assert stopped.value.code == 130
        assert shown.strip() == f"complaintctl: {said}"


def _handling(pid: int, signum: int, timeout: float = 60) -> None:
    """Wait until the process has its own handler for `signum` (the tool's stops are installed): the
    SigCgt mask of /proc/PID/status, rather than a sleep that a busy machine outlasts."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as status:
            caught = next(int(line.split()[1], 16) for line in status if line.startswith("SigCgt:"))
        if caught >> (signum - 1) & 1:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} never handled signal {signum}")


@pytest.mark.sqlite_only
def test_sigterm_stops_a_command_as_ctrl_c_does_and_writes_nothing(cli):
    """`kill` (or a cron job's timeout) while `log --description -` reads: one line, exit 130,
    nothing logged (Python's default was to die at once: exit 143, and an --output's half-written
    temporary file left beside the target)."""
    import signal
    import subprocess
    import sys
    import time

    cli.log()
    script = Path(sys.executable).parent / "complaintctl"
    child = subprocess.Popen([str(script), "--db", str(cli.db), "log", "--channel", "letter", "--description", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=default_stops)
    child.stdin.write("客户来信投诉\n".encode())
    child.stdin.flush()
    _handling(child.pid, signal.SIGTERM)
    time.sleep(0.5)  # and past the imports, reading (a stop before would print the same line)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130
    assert err.decode().strip() == "complaintctl: error: interrupted"
    assert cli.scalar("select count(*) from cases") == 1


@pytest.mark.sqlite_only
def test_a_stop_when_no_one_reads_stderr_any_more_still_exits_130(cli):
    """SIGHUP from a terminal that closed: the line cannot be written (the terminal is gone), yet the
    command rolls back and the exit status says it was interrupted (it was 1: the failed write)."""
    import signal
    import subprocess
    import sys
    import time

    cli.log()
    script = Path(sys.executable).parent / "complaintctl"
    read_end, write_end = os.pipe()
    child = subprocess.Popen([str(script), "--db", str(cli.db), "log", "--channel", "letter", "--description", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=write_end,
                             preexec_fn=default_stops)
    os.close(write_end)
    os.close(read_end)  # no one reads its stderr
    _handling(child.pid, signal.SIGHUP)
    time.sleep(0.5)  # and reading
    child.send_signal(signal.SIGHUP)
    assert child.wait(timeout=60) == 130
    assert cli.scalar("select count(*) from cases") == 1


@pytest.mark.sqlite_only
def test_a_command_started_under_nohup_is_not_stopped_by_sighup(cli):
    """`nohup complaintctl import …` (SIGHUP ignored from the start): a logout's SIGHUP leaves it to
    finish, as nohup promises (the tool's handler replaced the ignoring: exit 130, nothing saved)."""
    import signal
    import subprocess
    import sys

    script = Path(sys.executable).parent / "complaintctl"
    child = subprocess.Popen([str(script), "--db", str(cli.db), "log", "--channel", "letter", "--description", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    _handling(child.pid, signal.SIGTERM)  # the tool's stops are in place
    child.send_signal(signal.SIGHUP)
    out, err = child.communicate("来信\n".encode(), timeout=60)
    assert child.returncode == 0, err
    assert out.decode().startswith("C-") and cli.scalar("select count(*) from cases") == 1


@pytest.mark.sqlite_only
def test_a_change_saved_when_stdout_is_full_says_it_was_saved(cli):
    """`log` with standard output on a full disk: the case is saved, so the one line says which (do not
    log it again), in the run's language, exit 1."""
    import subprocess
    import sys

    cli.log()
    for lang, said in (("en", "No space left on device: C-2026-00000{} was saved, but what the command prints could not "
                              "be written: do not run it again"), ("zh", "C-2026-00000{} 已保存，但命令的输出未能写出")):
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "complaintctl_cli.main", "--db", str(cli.db), "--lang", lang,
                                   "log", "--channel", "letter", "--description", "来信", "--received-at",
                                   "2026-03-02T10:00"], stdout=full,
                                  stderr=subprocess.PIPE, text=True)
        number = cli.scalar("select count(*) from cases")
        assert done.returncode == 1 and said.format(number) in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert cli.scalar("select count(*) from cases") == 3


@pytest.mark.sqlite_only
def test_text_typed_at_a_terminal_is_asked_for_with_how_to_end_it(cli):
    """`note CASE -` at a terminal said nothing and seemed to hang; it now says how to end the text."""
    import sys

    pexpect = pytest.importorskip("pexpect")
    ref = cli.log()
    child = pexpect.spawn(sys.executable, ["-m", "complaintctl_cli.main", "--db", str(cli.db), "note", ref, "-"],
                          env=dict(os.environ, COLUMNS="80"), encoding="utf-8", timeout=60, preexec_fn=default_stops)
    child.expect("type the text, then press Ctrl-D on a line of its own to end it")
    child.send("客户来电询问进度\n")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert cli.json("show", ref, "--json")["events"][-1]["action"] == "note"


@pytest.fixture
def stops_installed():
    """complaintctl/stopping.py installed as the console script installs it, for one test."""
    import signal

    from complaintctl import stopping

    before = {number: signal.getsignal(number) for number in stopping.STOPS}
    stopping.install()
    yield
    for number, handler in before.items():
        signal.signal(number, handler)
    stopping._state.update(installed=False, saved=False)


def test_a_stop_after_the_commit_lets_the_command_finish_and_one_before_it_saves_nothing(cli, monkeypatch,
                                                                                           stops_installed):
    """SIGTERM landing as a `log` commits: the case is saved, so the command must say so (its
    reference, exit 0), not "interrupted" (a clerk would log the complaint again). Landing while
    the case is being written (before the commit): nothing saved, the one line, exit 130."""
    import signal

    from sqlalchemy.orm import Session

    from complaintctl import audit

    cli.log()
    real_commit, real_append = Session.commit, audit.append

    def commit_then_stop(self):
        real_commit(self)
        os.kill(os.getpid(), signal.SIGTERM)
    monkeypatch.setattr(Session, "commit", commit_then_stop)
    done = cli("log", "--channel", "letter", "--description", "提交之后")
    assert done.stdout.startswith("C-") and cli.scalar("select count(*) from cases") == 2
    monkeypatch.setattr(Session, "commit", real_commit)

    def stop_while_writing(*args, **kw):
        os.kill(os.getpid(), signal.SIGTERM)
        return real_append(*args, **kw)
    monkeypatch.setattr(audit, "append", stop_while_writing)
    stopped = cli("log", "--channel", "letter", "--description", "提交之前", expect=130)
    assert stopped.stderr.strip() == "complaintctl: error: interrupted"
    assert cli.scalar("select count(*) from cases") == 2


def test_list_mine_shows_the_operators_cases(cli):
    cli.staff()
    cli("staff", "add", "tester", "--role", "staff")
    mine, other = cli.log(), cli.log()
    cli("assign", mine, "--to", "tester")
    cli("assign", other, "--to", "wangfang")
    rows = cli.json("--as", "tester", "list", "--mine", "--format", "json")
    assert [r["reference"] for r in rows] == [mine]
    assert "--mine and --assignee" in cli.fails("list", "--mine", "--assignee", "wangfang")


def test_a_mistyped_branch_or_assignee_filter_says_did_you_mean(cli):
    cli.staff()
    ref = cli.log()
    cli("assign", ref, "--to", "wangfang")
    err = cli.fails("list", "--branch", "BJ01")
    assert "no case or staff has --branch 'BJ01': did you mean BJ001?" in err
    assert "did you mean wangfang?" in cli.fails("report", "overdue", "--assignee", "wangfan")
    assert "did you mean wangfang?" in cli.fails("report", "due-soon", "--assignee", "wangfan")
    assert "是否要找 BJ001" in cli.fails("--lang", "zh", "list", "--branch", "bj001x")
    # A branch nobody has is refused too (an empty report that looked valid, to a cron job above all);
    # a new branch's staff, registered before its first case, make it known.
    assert "no case or staff has --branch 'XY999': expected one that a case or a member of staff has" in \
        cli.fails("report", "overdue", "--branch", "XY999", "--fail-on-overdue")
    cli("staff", "add", "newbie", "--role", "staff", "--branch", "XY999")
    assert cli.json("list", "--branch", "XY999", "--format", "json") == []  # a branch with no cases yet


def test_escalation_warns_about_cases_left_with_front_line_staff(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    r = cli("escalate", "--overdue", "--as-of", "2026-03-09T18:00")
    assert "1 escalated case(s) are still with someone whose role is below the new tier" in r.stderr
    assert f"(complaintctl assign CASE --to NAME):\n  {ref} (wangfang; needs Manager)\n" in r.stderr  # one a line
    # What escalated, in words: the tiers' names and the moment as a table writes it.
    assert f"1 case(s) escalated as of 2026-03-09 18:00\n  {ref}: General -> Important" in r.stdout
    zh = cli("--lang", "zh", "escalate", "--overdue", "--dry-run", "--as-of", "2026-03-10T18:00")
    assert f"截至 2026-03-10 18:00 将升级 1 件案件\n  {ref}：重要投诉 -> 紧急投诉" in zh.stdout
    # Until it is reassigned, list and the overdue report flag it (tables, and the files' below_tier).
    at = ("--as-of", "2026-03-09T18:30")
    assert [(c["reference"], c["below_tier"]) for c in cli.json("list", *at, "--format", "json")] == [(ref, True)]
    assert "wangfang (below tier)" in cli("list", *at).stdout
    later = ("--as-of", "2026-03-17T10:00")  # past the important tier's 5 working days
    assert "wangfang（级别不足）" in cli("--lang", "zh", "report", "overdue", *later).stdout
    assert "below_tier" in cli("report", "overdue", *later, "--format", "csv").stdout.splitlines()[0]
    # show too, the lean way and the full way alike (it showed the name alone).
    from tests.cli.test_lean_overdue import _run

    for lean_way in (True, False):
        code, out, _ = _run(["--db", str(cli.db), "show", ref, *at], lean_way=lean_way)
        assert code == 0 and "wangfang (below tier)" in out.decode(), lean_way
        code, out, _ = _run(["--db", str(cli.db), "show", ref, *at, "--format", "json"], lean_way=lean_way)
        assert json.loads(out)["case"]["below_tier"] is True, lean_way
    cli("assign", ref, "--to", "zhangwei", "--at", "2026-03-09T18:20")
    assert cli.json("list", *at, "--format", "json")[0]["below_tier"] is False
    assert "(below tier)" not in cli("list", *at).stdout
    assert cli.json("show", ref, *at, "--format", "json")["case"]["below_tier"] is False
    assert "(below tier)" not in cli("show", ref, *at).stdout


def test_show_reads_in_the_output_language_after_a_reopening(cli, monkeypatch):
    """The timeline names each field and value as a person reads them (no raw keys, no English
    in Chinese), a missed deadline in the cycles reads as its label, and a reopened case shows no
    resolved-at line for the decision it no longer stands on."""
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", ref, "--resolution", "退还手续费", "--notified-via", "letter", "--at", "2026-03-10T10:00")
    cli("reopen", ref, "--reason", "客户不满意", "--at", "2026-03-11T10:00")
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no event's line is wrapped
    zh = cli("--lang", "zh", "show", ref, "--as-of", "2026-03-11T12:00").stdout
    assert "状态：已分派" in zh and "经办人：wangfang" in zh and "告知方式：信函" in zh
    assert "处理时限：2026-03-05 24:00" in zh  # a deadline at the end of a day, as every table shows it
    assert "超内部时限：是" in zh and "│ 内部 " in zh  # the first cycle missed its 3 working days
    assert "status=" not in zh and "internal" not in zh and "Letter" not in zh
    assert "办结时间" not in zh.split("处理周期")[0]  # the record: reopened, so not resolved now
    en = cli("show", ref, "--as-of", "2026-03-11T12:00").stdout
    assert "State: Assigned" in en and "Told via: Letter" in en and "Internal deadline missed: yes" in en
    assert "Resolved  " not in en.split("Cycles")[0]


def test_show_names_the_holidays_in_the_operators_language(cli):
    """The day-by-day count named 2026's National Day holidays in English in a Chinese `show`."""
    ref = cli.log(received="2026-09-30T16:30")
    zh = cli("--lang", "zh", "show", ref, "--as-of", "2026-10-01T09:00").stdout
    assert "2026-10-01（周四）：国庆节，不计入。" in zh and "National Day" not in zh
    en = cli("show", ref, "--as-of", "2026-10-01T09:00", "--json").stdout
    assert "Thu 2026-10-01: National Day, not counted." in en and "国庆" not in en


def test_the_timeline_table_is_in_the_order_things_happened(cli, tmp_path, monkeypatch):
    """A letter written today sat above a review requested, by --requested-at, weeks before: the
    table reads in the order of the times it shows; --json keeps the chain's order."""
    cli.staff()
    ref = cli.log(received="2026-09-30T16:30")
    cli("resolve", ref, "--resolution", "补偿", "--notified-via", "phone", "--at", "2026-10-08T10:00")
    cli("letter", ref, "--output", str(tmp_path / "letter.html"))
    cli("review", ref, "--requested-at", "2026-10-12T10:00", "--reviewer", "sunli")
    table = cli("show", ref, "--as-of", "2026-10-13T09:00").stdout
    timeline = table[table.index("Logged"):]  # (an action's name wraps at 12 cells)
    assert timeline.index("Review") < timeline.index("Decision")
    assert [e["action"] for e in cli.json("show", ref, "--json")["events"]] == ["log", "resolve", "letter", "review"]
    # At 80 columns the letter's long name wraps in its own column, so a date in the detail is whole,
    # and the letter's language is named, not its code.
    monkeypatch.setenv("COLUMNS", "80")
    zh = cli("--lang", "zh", "show", ref, "--as-of", "2026-10-13T09:00").stdout
    assert "监管时限：2026-11-11 24:00" in zh and "语言：中文" in zh


def test_a_time_shown_as_24_00_is_read_back_as_00_00_of_the_next_day(cli):
    """Deadlines are shown as 24:00 of their last day, but every time option refused 24:00 typed
    back (exit 2). Now 24:00, 24:00:00 and T24:00 are 00:00 of the next day, in every option and
    the lean way as the full way; 24:01 and 25:00 stay refused."""
    from tests.cli.test_lean_overdue import _run

    ref = cli.log(received="2026-03-02T10:00")
    assert "2026-03-05 24:00" in cli("show", ref, "--as-of", "2026-03-03").stdout  # the internal deadline
    report = ["report", "overdue", "--format", "csv", "--as-of"]
    for lean_way in (True, False):
        midnight = _run(["--db", str(cli.db), *report, "2026-03-06 00:00"], lean_way=lean_way)
        assert midnight[0] == 0 and ref in midnight[1].decode()
        for text in ("2026-03-05 24:00", "2026-03-05 24:00:00", "2026-03-05T24:00", "2026-03-05T24:00+08:00",
                     "2026/3/5 24:00"):
            assert _run(["--db", str(cli.db), *report, text], lean_way=lean_way) == midnight, (text, lean_way)
        shown = _run(["--db", str(cli.db), "show", ref, "--json", "--as-of", "2026-03-05 24:00"], lean_way=lean_way)
        assert shown[0] == 0 and json.loads(shown[1])["case"]["overdue"] is True, lean_way
    cli("note", ref, "written up late", "--at", "2026-03-02 24:00")
    late = cli.log(received="2026-03-09 24:00")
    events = cli.json("show", ref, "--json")["events"]
    assert [e["occurred_at"] for e in events if e["action"] == "note"] == ["2026-03-03T00:00:00+08:00"]
    assert cli.json("show", late, "--json")["case"]["received_at"] == "2026-03-10T00:00:00+08:00"
    for text in ("2026-03-05 24:01", "2026-03-05 25:00", "2026-03-05 24:00:01"):
        assert f"invalid --as-of '{text}': expected a time such as" in cli.fails(*report, text)
        assert f"invalid --at '{text}'" in cli.fails("note", ref, "x", "--at", text)
    # A 24:00 refused for another reason is quoted as typed, not as the next day's 00:00.
    assert "invalid --at '2099-12-31 24:00': expected a time not in the future" in cli.fails(
        "note", ref, "x", "--at", "2099-12-31 24:00")


@pytest.mark.sqlite_only
def test_init_without_a_language_leaves_it_to_the_locale_of_each_run(home, tmp_path, monkeypatch):
    """init run under the C locale wrote `lang = "en"`, which then overrode a Chinese locale for
    good. Now only a chosen language (--language) is written; without one each run's locale
    decides, and the precedence stays --lang > the config's lang > the locale."""
    config = home / "config" / "complaintctl" / "config.toml"
    config.unlink()
    assert _run(["--db", str(tmp_path / "a.db"), "init", "--branch", "SH002", "--yes"]).exit_code == 0
    assert "lang" not in tomllib.loads(config.read_text())
    lang = {r["key"]: r for r in json.loads(_run(["config", "show", "--format", "json"]).stdout)}["lang"]
    assert (lang["value"], lang["source"]) == ("en", "default")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    lang = {r["key"]: r for r in json.loads(_run(["config", "show", "--format", "json"]).stdout)}["lang"]
    assert (lang["value"], lang["source"]) == ("zh", "locale")
    assert _run(["list"]).stderr.strip() == "没有符合条件的案件。"
    assert _run(["--lang", "en", "list"]).stderr.strip() == "No cases match."
    # A language chosen at init is written, and is the config's: over the locale, under --lang.
    chosen = tmp_path / "chosen.toml"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert _run(["--db", str(tmp_path / "b.db"), "init", "--branch", "SH003", "--language", "en", "--path", str(chosen),
                 "--yes"]).exit_code == 0
    assert tomllib.loads(chosen.read_text())["lang"] == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert _run(["--config", str(chosen), "list"]).stderr.strip() == "No cases match."
    assert _run(["--config", str(chosen), "--lang", "zh", "list"]).stderr.strip() == "没有符合条件的案件。"


def test_a_date_typed_without_dashes_ends_a_window_at_the_end_of_its_day(cli):
    """`--to 20260302` (ISO 8601's basic form, as a date is often typed from a spreadsheet) was read
    as that day's 00:00, so the day itself fell out of the window; it now reads as `--to
    2026-03-02` does, the whole day, in every form of a date alone."""
    ref = cli.log(received="2026-03-02T10:00")
    whole_day = cli("export", "--format", "csv", "--from", "2026-03-01", "--to", "2026-03-02").stdout
    assert ref in whole_day
    for typed in ("20260302", "2026/3/2", "2026.03.02", "2026-W10-1"):
        assert cli("export", "--format", "csv", "--from", "2026-03-01", "--to", typed).stdout == whole_day, typed
        sla = cli.json("report", "sla", "--from", "20260301", "--to", typed, "--format", "json")
        assert sla == cli.json("report", "sla", "--from", "2026-03-01", "--to", "2026-03-02", "--format", "json"), typed
    # A time stays a time: the window ends at it.
    assert ref not in cli("export", "--format", "csv", "--from", "2026-03-01", "--to", "20260302T0900").stdout
    # An ISO week without its day (read as its Monday) ends a window on its Sunday, 24:00.
    sunday = cli.log(received="2026-03-08T21:00")
    week = cli("export", "--format", "csv", "--from", "2026-03-01", "--to", "2026-W10").stdout
    assert sunday in week and week == cli("export", "--format", "csv", "--from", "2026-03-01", "--to", "2026-03-08").stdout
    assert week == cli("export", "--format", "csv", "--from", "2026-03-01", "--to", "2026W10").stdout
