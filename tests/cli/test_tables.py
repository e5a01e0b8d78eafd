"""Tables as a person sees them: they fit the terminal (or COLUMNS), the reference is never cut,
less important columns give way in a fixed order, and off a terminal they stream as plain text."""
from __future__ import annotations

import csv
import io
import os
import re

import pytest
from rich.cells import cell_len

WIDTHS = (80, 120)
REF = re.compile(r"C-\d{4}-\d{6,}")


def _busy_day(cli):
    """A branch with every kind of row: overdue (internal, regulatory, urgent plan), due soon,
    on time, assigned, long Chinese text and names."""
    cli.staff()
    a = cli.log("--description", "客户反映在营业网点购买的理财产品到期后收益远低于客户经理当时口头承诺的水平，要求赔偿损失并追究责任",
                received="2026-03-02T10:00")
    cli("assign", a, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli.log("--customer", "欧阳娜娜", "--tier", "urgent", received="2026-03-09T08:00")
    cli.log("--tier", "important", received="2026-03-06T16:00")
    cli.log(received="2026-03-06T09:00")  # due at the end of Wed 03-11: due soon on the 11th
    cli.log(received="2026-03-10T09:00")
    return "2026-03-11T09:00"


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _references(cli, *args) -> set[str]:
    rows = csv.DictReader(io.StringIO(cli(*args, "--format", "csv").stdout))
    return {r["reference"] for r in rows}


TABLE_COMMANDS = [
    ("list",),
    ("list", "--all"),
    ("report", "overdue", "--include-due-soon"),
    ("report", "due-soon"),
    ("report", "aging"),
    ("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31"),
    ("report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "channel,product"),
    ("staff", "list"),
    ("choices",),
    ("config", "show"),
    ("calendar", "show", "--year", "2026"),
    ("report", "regulatory", "--quarter", "2026Q1"),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_table_fits_the_width_and_keeps_each_reference_whole(cli, monkeypatch, width, lang):
    as_of = _busy_day(cli)
    monkeypatch.setenv("COLUMNS", str(width))
    for command in TABLE_COMMANDS:
        extra = ("--as-of", as_of) if command[0] in ("list", "report") \
            and command[1:2] not in (("sla",), ("summary",), ("regulatory",)) else ()
        out = cli("--lang", lang, *command, *extra).stdout
        assert out.strip(), command
        for line in out.splitlines():
            assert cell_len(line) <= width, f"{command} at {width}: {cell_len(line)} cells: {line!r}"
        if command[0] == "list" or command[1:2] in (("overdue",), ("due-soon",)):
            expected = _references(cli, *command, *extra)
            assert expected, command
            assert set(REF.findall(out)) == expected, command  # every reference there, none cut


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_show_fits_80_columns(cli, monkeypatch, lang):
    as_of = _busy_day(cli)
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--lang", lang, "show", "C-2026-000001", "--as-of", as_of).stdout
    assert "C-2026-000001" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_at_80_columns_the_essential_columns_stay_and_the_rest_give_way_in_order(cli, monkeypatch):
    as_of = _busy_day(cli)
    monkeypatch.setenv("COLUMNS", "80")
    header = _lines(cli("list", "--as-of", as_of).stdout)[0]
    assert header.split() == ["Reference", "State", "Tier", "Due", "Clock"]
    monkeypatch.setenv("COLUMNS", "120")
    header = _lines(cli("list", "--as-of", as_of).stdout)[0]
    # wider: the assignee and the regulatory deadline come back, channel and product still wait
    assert "Assignee" in header and "Regulatory" in header and "Channel" not in header
    monkeypatch.setenv("COLUMNS", "250")
    header = _lines(cli("list", "--as-of", as_of).stdout)[0]
    assert "Channel" in header and "Product" in header and "Received" in header


def test_a_table_without_priorities_gives_way_from_its_last_column(cli, monkeypatch):
    """`report sla` names no priorities: too narrow a table keeps its first columns (how many were
    resolved, within each limit) and drops from the right (the reviews, then the urgent plans)."""
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "已补偿", "--at", "2026-03-03T10:00")
    monkeypatch.setenv("COLUMNS", "80")
    header = " ".join(_lines(cli("report", "sla", "--from", "2026-03-01", "--to", "2026-03-31").stdout)[1:3])
    assert "Resolved" in header and "internal limit" in header and "regulatory limit" in header
    assert "Reviews" not in header


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_free_text_columns_too_wide_together_are_cut_evenly_the_widest_first(cli, monkeypatch, lang):
    """`choices codes` at 80 columns: four free-text columns share the room. The widest are cut to
    one common width; none is cut to 8 cells while a narrower one keeps its whole width (the English
    names used to be cut to 8 cells beside a Chinese column twice as wide as it needed)."""
    monkeypatch.setenv("COLUMNS", "80")
    lines = _lines(cli("--lang", lang, "choices", "codes").stdout)
    rule = next(line for line in lines if set(line) <= {"-", " "})
    widths = [len(run) for run in rule.split()]
    assert sum(widths) + 2 * (len(widths) - 1) <= 80
    code, *free = widths
    assert code == 6 and len(free) == 4
    assert max(free) - min(free) <= 1, widths  # every column was wider than the room: cut to one width
    row = next(line for line in lines if line.startswith("A0101 "))
    assert "Business premises" in row and "营业现场" in row  # 17 cells: whole at the common width


def test_off_a_terminal_a_table_is_plain_text_honouring_columns(cli, monkeypatch):
    as_of = _busy_day(cli)
    monkeypatch.delenv("COLUMNS", raising=False)
    out = cli("report", "overdue", "--as-of", as_of).stdout
    assert not set(out) & set("┏┃┡│└━─"), "no box drawing in a mail"
    assert max(len(line) for line in out.splitlines()) <= 120  # the default width off a terminal
    lines = _lines(out)
    assert lines[1] == "Overdue complaints" and set(lines[3].replace(" ", "")) == {"-"}
    monkeypatch.setenv("COLUMNS", "60")
    narrow = cli("report", "overdue", "--as-of", as_of).stdout
    assert max(cell_len(line) for line in narrow.splitlines()) <= 60 or "C-2026-000001" in narrow


def test_chinese_lines_up_in_tables_even_when_cut(cli, monkeypatch):
    cli.log("--description", "客户反映在营业网点购买的理财产品到期后收益远低于客户经理当时口头承诺的水平，要求赔偿损失并追究责任")
    cli.log("--customer", "欧阳娜娜", "--description", "短")
    monkeypatch.setenv("COLUMNS", "120")
    out = cli("--lang", "zh", "list", "--as-of", "2026-03-02T12:00").stdout
    rows = [line for line in out.splitlines() if REF.match(line)]
    assert len(rows) == 2
    # the deadline column starts at the same screen cell on every row
    starts = {cell_len(line[:re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", line).start()]) for line in rows}
    assert len(starts) == 1, starts
    assert "…" in out  # the long description was cut to fit


def test_overdue_since_friday_midnight_reads_in_calendar_and_working_time_on_monday(cli):
    cli.log(received="2026-03-03T10:00")  # general: due at the end of Fri 2026-03-06
    out = cli("report", "overdue", "--as-of", "2026-03-09T09:00").stdout
    assert "late 2d 9h (9h 00m)" in out  # two days and nine hours, nine of them working hours
    zh = cli("--lang", "zh", "report", "overdue", "--as-of", "2026-03-09T09:00").stdout
    assert "超时2天9小时（9小时0分）" in zh
    # Files say both too: on a Monday morning a case due Friday 24:00 is not "0h 00m" late.
    row = cli.json("report", "overdue", "--as-of", "2026-03-09T09:00", "--format", "json")[0]
    assert (row["overdue_by"], row["overdue_by_calendar"]) == ("9h 00m", "2d 9h")
    sunday = cli.json("report", "overdue", "--as-of", "2026-03-08T18:00", "--format", "json")[0]
    assert (sunday["overdue_by"], sunday["overdue_by_calendar"]) == ("0h 00m", "1d 18h")
    plan = cli.log("--tier", "urgent", received="2026-03-09T08:00")
    out = cli("report", "overdue", "--as-of", "2026-03-10T10:30").stdout
    assert re.search(rf"^{plan} .*late 2h 30m .*24h plan$", out, re.M)  # the 24-hour plan runs on the clock
    # A day and more late: the table, the list and show word it alike (show said "late 29h 00m").
    words = {"report": cli("report", "overdue", "--as-of", "2026-03-11T13:00").stdout,
             "list": cli("list", "--as-of", "2026-03-11T13:00").stdout,
             "show": cli("show", plan, "--as-of", "2026-03-11T13:00").stdout}
    assert all("late 1d 5h" in out and "29h" not in out for out in words.values()), words


def test_a_case_past_its_regulatory_deadline_stays_that_late_after_escalation_to_urgent(cli):
    """Escalated to urgent six weeks after its regulatory deadline, a case's 24-hour plan was due the
    next day; its clock read "late 2d 2h" counted from the plan, shrinking from 40 days, and the
    regulator's deadline was out of sight at 80 columns. Overdue by counts from the deadline passed
    longest ago, on both the table and the files, and grows."""
    cli.staff()
    ref = cli.log("--tier", "important", received="2026-01-05T10:00")  # regulatory: end of Tue 2026-01-20
    cli("escalate", ref, "--to", "urgent", "--reason", "客户情绪激动", "--at", "2026-03-02T10:00")
    early = cli("list", "--as-of", "2026-03-02T12:00").stdout
    later = cli("list", "--as-of", "2026-03-05T12:00").stdout
    assert re.search(rf"^{ref} .*2026-01-20 24:00 .*late 40d 12h", early, re.M), early
    assert re.search(rf"^{ref} .*2026-01-20 24:00 .*late 43d 12h", later, re.M), later
    shown = cli("show", ref, "--as-of", "2026-03-05T12:00").stdout  # in list's words: calendar, then working
    assert re.search(r"Regulatory deadline \(15 days\) .* 2026-01-20 24:00 .* late 43d 12h \(", shown), shown
    row = cli.json("report", "overdue", "--as-of", "2026-03-05T12:00", "--format", "json")[0]
    assert row["breach"] == "response+regulatory" and row["overdue_by_calendar"] == "43d 12h"
    csv_row = cli("report", "overdue", "--as-of", "2026-03-05T12:00", "--format", "csv").stdout.splitlines()[1]
    assert "43d 12h" in csv_row


def test_due_soon_rows_in_the_overdue_report_are_labelled_and_counted(cli):
    cli.log(received="2026-03-03T10:00")  # overdue on the 9th
    soon = cli.log(received="2026-03-06T09:00")  # due at the end of Wed 03-11
    out = cli("report", "overdue", "--include-due-soon", "--as-of", "2026-03-11T09:00").stdout
    assert "Overdue as of 2026-03-11 09:00: 1 — General 1, Important 0, Urgent 0\nDue soon: 1\n" in out
    assert re.search(rf"^{soon} .*due soon, 15h 00m left$", out, re.M)
    zh = cli("--lang", "zh", "report", "overdue", "--include-due-soon", "--as-of", "2026-03-11T09:00").stdout
    assert "即将到期 1 件" in zh and "即将到期，剩15小时0分" in zh


def test_a_table_streams_every_row_with_all(cli, monkeypatch):
    for day in range(2, 30):
        cli.log(received=f"2026-01-{day:02d}T10:00")
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("report", "overdue", "--all", "--as-of", "2026-03-11T09:00")
    assert len([line for line in r.stdout.splitlines() if REF.match(line)]) == 28
    assert "more rows" not in r.stderr
    r = cli("report", "overdue", "--limit", "5", "--as-of", "2026-03-11T09:00")
    assert len([line for line in r.stdout.splitlines() if REF.match(line)]) == 5
    assert "23 more rows not shown" in r.stderr


def _on_a_terminal(cli, *args: str, width: int = 80) -> str:
    """What the console script shows in a real pseudo-terminal `width` columns wide, COLUMNS unset."""
    import fcntl
    import pty
    import shutil
    import struct
    import subprocess
    import sys
    import termios

    exe = shutil.which("complaintctl") or os.path.join(os.path.dirname(sys.executable), "complaintctl")
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, width, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen([exe, "--db", str(cli.db), *args],
                            stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=60) == 0
    os.close(main)
    return b"".join(chunks).decode()


@pytest.mark.sqlite_only
def test_on_a_terminal_the_table_fits_the_window_and_is_coloured(cli, tmp_path):
    """The console script in a real pseudo-terminal 80 columns wide, COLUMNS unset."""
    _busy_day(cli)
    screen = _on_a_terminal(cli, "report", "overdue", "--as-of", "2026-03-11T09:00")
    assert "\x1b[" in screen  # coloured on a terminal
    plain = re.sub(r"\x1b\[[0-9;]*m", "", screen)
    assert "C-2026-000001" in plain
    assert max(cell_len(line) for line in plain.replace("\r", "").splitlines()) <= 80
    # The columns that did not fit are named, on lines as narrow as the table (never silently lost).
    note = plain.replace("\r", "")[plain.replace("\r", "").index("left out to fit 80 columns: "):]
    assert "Channel" in note and "--format csv" in note.replace("\n", " ")


def _months_late(cli) -> str:
    """The widest rows the columns that never drop can hold: a case under review, and one months
    late (a long state, a long tier, three-digit day counts)."""
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("resolve", ref, "--resolution", "退还手续费", "--at", "2026-03-10T10:00")
    cli("review", ref, "--requested-at", "2026-03-20T10:00", "--reviewer", "sunli")
    cli.log("--tier", "important", received="2026-03-06T16:00")
    return "2027-01-20T10:00"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_months_late_and_under_review_still_fit_80_columns_the_clock_in_whole_days(cli, monkeypatch, lang):
    as_of = _months_late(cli)
    for width in WIDTHS:
        monkeypatch.setenv("COLUMNS", str(width))
        for command in (("list",), ("report", "overdue"), ("report", "overdue", "--include-due-soon")):
            out = cli("--lang", lang, *command, "--as-of", as_of).stdout
            lines = _lines(out)
            assert max(cell_len(line) for line in lines) <= width, (command, width, out)
            assert set(REF.findall(out)) == {"C-2026-000001", "C-2026-000002"}
            review = next(line for line in lines if line.startswith("C-2026-000001"))
            # under review, the deadline shown is the review's (the 30 days from 03-20 end 04-20)
            assert "2026-04-20 24:00" in review, review
            late = next(line for line in lines if line.startswith("C-2026-000002"))
            if width == 80:  # only the whole days fit; the hours come back when there is room
                assert late.endswith(("late 312d (213wd)", "超时312天（213工作日）")), late
            else:
                assert late.endswith(("late 312d 10h (213wd 10h)", "超时312天10小时（213工作日10小时）")), late
    # Once the clock is in whole days, a column dropped on the way comes back if it fits beside it
    # (in Chinese the five need 85 cells; in whole days 73, and the assignee's 8 more fit in 82).
    monkeypatch.setenv("COLUMNS", "82")
    lines = _lines(cli("--lang", "zh", "list", "--as-of", as_of).stdout)
    assert lines[0].split() == ["编号", "状态", "等级", "经办人", "处理时限", "时限状态"]
    assert lines[3].endswith("超时274天（188工作日）") and "sunli" in lines[3]
    assert max(cell_len(line) for line in lines) <= 82


@pytest.mark.sqlite_only
def test_on_a_terminal_a_clock_in_whole_days_is_said_so(cli):
    as_of = _months_late(cli)
    screen = re.sub(r"\x1b\[[0-9;]*m", "", _on_a_terminal(cli, "list", "--as-of", as_of)).replace("\r", "")
    assert max(cell_len(line) for line in screen.splitlines()) <= 80
    assert "late 312d (213wd)" in screen
    note = " ".join(screen[screen.index("left out to fit 80 columns: "):].split())
    assert "Clock in whole days" in note and "every column in full" in note, note


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rows_after_the_first_keep_to_the_width_as_the_table_streams(cli, monkeypatch, lang):
    """Widths are decided from the first rows (here 2, the newest cases: on time, received); an old
    case further down, under review and months late, still fits: its state column was sized for
    the longest state, and its clock takes whole days."""
    import complaintctl_cli.render as render

    _months_late(cli)  # C-2026-000001 under review, C-2026-000002 important, both months late by November
    for day in (24, 25, 26):
        cli.log(received=f"2026-11-{day:02d}T10:00")
    monkeypatch.setattr(render, "_SAMPLE", 2)
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--lang", lang, "list", "--as-of", "2026-11-27T10:00").stdout
    lines = _lines(out)
    assert len(set(REF.findall(out))) == 5
    assert max(cell_len(line) for line in lines) <= 80, out
    late = next(line for line in lines if line.startswith("C-2026-000002"))
    assert re.search(r"(late \d+d \(\d+wd\)|超时\d+天（\d+工作日）)$", late), late
    assert "Under review" in out or "核查中" in out


def test_a_review_past_its_30_days_reads_as_a_review_breach_in_both_languages(cli, monkeypatch):
    as_of = _months_late(cli)
    monkeypatch.setenv("COLUMNS", "250")
    for lang, word in (("en", "review"), ("zh", "核查")):
        out = cli("--lang", lang, "report", "overdue", "--as-of", as_of).stdout
        review = next(line for line in _lines(out) if line.startswith("C-2026-000001"))
        assert review.split()[-1] == word and "breach." not in out, review


def test_a_paused_case_shows_the_time_left_on_the_regulators_clock_which_runs_on(cli, monkeypatch):
    """A pause for the customer's materials stops the internal clock, not the regulator's: `list`
    gives the regulatory deadline's time left (in the table, CSV and JSON), and the case comes due
    soon when that deadline does; an appraisal stops both, and the clock is empty until it resumes."""
    cli.staff()
    waiting = cli.log(received="2026-03-02T10:00")  # Mon: regulatory deadline the end of Tue 03-17
    cli("pause", waiting, "--reason", "customer_materials", "--at", "2026-03-03T10:00")
    appraisal = cli.log(received="2026-03-02T11:00")
    cli("pause", appraisal, "--reason", "appraisal", "--at", "2026-03-03T10:00")
    as_of = "2026-03-13T12:00"  # Fri noon: 12 h of Fri, then Mon 16 and Tue 17 in working time
    rows = {r["reference"]: r for r in cli.json("list", "--as-of", as_of, "--format", "json")}
    assert rows[waiting]["time_left"] == "2wd 12h" and rows[appraisal]["time_left"] is None
    monkeypatch.setenv("COLUMNS", "120")
    table = cli("list", "--as-of", as_of).stdout
    line = next(line for line in table.splitlines() if waiting in line)
    assert "Paused" in line and "2wd 12h left" in line
    monkeypatch.setenv("COLUMNS", "80")  # where the regulatory column gives way, Due is the deadline it counts to
    line = next(line for line in cli("list", "--as-of", as_of).stdout.splitlines() if waiting in line)
    assert line.split()[3:5] == ["2026-03-17", "24:00"] and "2wd 12h left" in line, line
    monkeypatch.setenv("COLUMNS", "120")
    zh = cli("--lang", "zh", "list", "--as-of", as_of).stdout
    assert "剩2工作日12小时" in next(line for line in zh.splitlines() if waiting in line)
    # The day its regulatory deadline falls it is due soon, in every due-soon view; the appraisal's is not.
    as_of = "2026-03-17T09:00"
    soon = [r["reference"] for r in cli.json("report", "due-soon", "--as-of", as_of, "--format", "json")]
    assert waiting in soon and appraisal not in soon
    assert [r["reference"] for r in cli.json("list", "--due-soon", "--as-of", as_of, "-f", "json")] == [waiting]
    morning = cli("report", "overdue", "--include-due-soon", "--as-of", as_of).stdout
    assert "Due soon: 1" in morning and "due soon, 15h 00m left" in next(
        line for line in morning.splitlines() if waiting in line)


def test_the_summary_header_does_not_wrap_a_lone_percent_sign_at_80_columns(cli, monkeypatch):
    """The longest product name and a change in per cent: at 80 columns the header fits on one line."""
    cli.staff()
    cli.log("--product", "payment", received="2026-02-10T10:00")
    for day in ("03", "04", "05"):
        cli.log("--product", "payment", received=f"2026-03-{day}T10:00")
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "product").stdout
    lines = out.splitlines()
    assert "Payments and settlement" in out and "200.0%" in out
    header = lines[1]
    assert header.split()[-2:] == ["Change", "%"] and set(lines[2]) <= {"-", " "}, lines[:3]


@pytest.mark.parametrize("width", [80, 120])
def test_show_wraps_a_long_complaint_rather_than_cutting_it(cli, monkeypatch, width):
    text = ("客户于2026年11月20日在本行柜台办理大额存单提前支取，柜员未告知提前支取按活期利率计息，"
            "导致客户损失利息约3200元，客户要求赔偿并对柜员进行处理")
    ref = cli.log("--description", text)
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("show", ref).stdout
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Description"))
    # The value column's lines from the description's own to the next field, put together.
    value_at = lines[start].index(text[:4])
    joined = ""
    for line in lines[start:]:
        if line is not lines[start] and line[:value_at].strip():
            break
        joined += line[value_at:].strip()
    assert joined.startswith(text), joined
    assert "…" not in out.split("Clocks")[0]


def test_a_limit_too_large_for_a_page_is_refused_in_one_line(cli):
    cli.log()
    err = cli.fails("list", "--limit", "99999999999999999999")
    assert "--limit" in err and "1000000000" in err


def test_a_table_written_to_a_file_keeps_long_text_whole(cli, tmp_path):
    """README promises every column at full width in a file; a description was cut at 30 cells
    (and a remediation title at 40) all the same."""
    text = "客户称其在我行开立的借记卡于2026年11月被他人盗刷，多次致电客服未得到处理，要求全额赔付并追究相关人员责任"
    cli.log("--description", text, received="2026-03-02T10:00")
    out = tmp_path / "list.txt"
    cli("list", "--all", "--output", str(out))
    assert text in out.read_text(encoding="utf-8")
    assert text not in cli("list", "--all", "--as-of", "2026-03-03T10:00").stdout  # a window's table is cut
