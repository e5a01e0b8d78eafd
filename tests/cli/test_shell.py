"""The interactive session, driven through a real pseudo-terminal as a person at the counter would."""
import os
import sys

import pytest

from tests.harness import default_stops

pexpect = pytest.importorskip("pexpect")

PROMPT = r"complaintctl BJ001 [\w.@-]+>"  # the login's staff name (the suite runs as the administrator)


def _session(db, *extra):
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="80", TERM="xterm")
    child = pexpect.spawn(sys.executable, ["-m", "complaintctl_cli.main", "--db", str(db), *extra, "shell"],
                          env=env, encoding="utf-8", dimensions=(40, 80), timeout=60,
                          preexec_fn=default_stops)
    child.expect(PROMPT)
    return child


@pytest.mark.sqlite_only
def test_a_short_day_in_the_shell(cli):
    cli.staff()
    child = _session(cli.db)
    child.sendline("log --channel 热线 --customer 张三 --phone 138-1234-5678 --product 理财 "
                   "--description 理财产品风险未充分揭示 --received-at 2026-03-02T10:00")
    child.expect("C-2026-000001 logged")
    child.expect(PROMPT)
    child.send("assign C-2026-0\t")  # Tab completes the only reference
    child.expect("00001")
    child.send(" --to wangf\t")  # and a member of staff
    child.expect("ang")
    child.sendline(" --at 2026-03-02T11:00")  # the day's steps in order: assigned before it is resolved
    child.expect("C-2026-000001 assigned to wangfang")
    child.expect(PROMPT)
    child.sendline('resolve C-2026-000001 --resolution "补偿损失并致歉" --notified-via 电话 --at 2026-03-03T10:00')
    child.expect("C-2026-000001 resolved")
    child.expect(PROMPT)
    child.sendline("close C-2026-000099 --satisfaction satisfied")  # a mistake: one line, and the session goes on
    child.expect(r"complaintctl: error: unknown case 'C-2026-000099'[^\r\n]*\r\n")
    child.expect(PROMPT)
    child.sendline("help note")  # help, or help COMMAND: that command's --help, in the session
    child.expect("Usage: complaintctl note")
    child.expect(PROMPT)
    child.sendline("?")
    child.expect("Commands")
    child.expect(PROMPT)
    child.sendline('note C-2026-000001 "unclosed')
    child.expect(r"complaintctl: error: cannot read the line: a quotation mark or a backslash at its end is not closed")
    child.expect(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    case = cli.json("show", "C-2026-000001", "--json")["case"]
    assert (case["status"], case["assignee"], case["phone"]) == ("resolved", "wangfang", "138****5678")
    assert [e["action"] for e in cli.json("show", "C-2026-000001", "--json")["events"]] == ["log", "assign", "resolve"]


@pytest.mark.sqlite_only
def test_the_shell_completes_chinese_choices_and_speaks_chinese(cli):
    child = _session(cli.db, "--lang", "zh")
    child.send("log --channel 柜\t")
    child.expect("面")
    child.sendline(" --description 测试")
    child.expect("缺少联系方式")
    child.expect(PROMPT)
    child.sendline("--db other.db list")  # global options belong to the start of the session
    child.expect("全局选项")
    child.expect(PROMPT)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_during_a_command_stops_it_cleanly_then_ends_the_session(cli, name):
    """`kill` or a closed terminal while a session's command works: the command stops as a command
    of its own does (one line, nothing written, no half-written file) and the session ends, exit
    130 (before, Python's default killed the session there and then, leaving an --output's 0600
    temporary file, full personal data and all, beside its target). Ctrl-C in a command stops only
    the command; at the prompt it clears the line."""
    import signal
    import time

    cli.log()
    child = _session(cli.db)
    child.sendline("log --channel letter --description - --phone 13812345678")
    child.expect("type the text")  # the command runs, reading its description
    child.sendintr()  # Ctrl-C: this command only
    child.expect("complaintctl: error: interrupted")
    child.expect(PROMPT)
    child.sendline("log --channel letter --description - --phone 13812345678")
    child.expect("type the text")
    child.send("客户来信")
    time.sleep(0.2)  # (the line reaches the command before the signal does)
    child.kill(getattr(signal, name))
    child.expect("complaintctl: error: interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert (child.exitstatus, child.signalstatus) == (130, None)
    assert cli.scalar("select count(*) from cases") == 1


def test_a_missing_database_is_refused_before_the_session_starts(cli, tmp_path):
    r = cli("--db", str(tmp_path / "typo.db"), "shell", expect=1)
    assert "database not found" in r.stderr and not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("argv, expected", [
    ([], True), (["--lang", "zh"], True), (["--db", "x.db", "--as", "wangfang"], True), (["--lang=zh", "--debug"], True),
    (["--lang"], False), (["list"], False), (["--help"], False), (["--lang", "zh", "list"], False), (["--version"], False),
])
def test_global_options_alone_at_a_terminal_open_the_session(argv, expected):
    """`complaintctl --lang zh` at a terminal opened nothing but 'Missing command.' in English."""
    from complaintctl_cli.main import only_global_options

    assert only_global_options(argv) is expected
