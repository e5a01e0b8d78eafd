"""`--format xlsx` of export, list and the tabular reports: a real workbook, cell for cell the CSV
of the same command, typed, streamed, and written as every file is."""
import csv
import datetime as dt
import os
import re

import pytest
from openpyxl import load_workbook

AS_OF = "2026-03-06T12:00"
WINDOW = ("--from", "2026-03-01", "--to", "2026-03-31")
# Every command whose rows go into a workbook, as a user asks for them.
COMMANDS = {
    "export": ["export"],
    "list": ["list", "--all"],
    "overdue": ["report", "overdue", "--as-of", AS_OF],
    "due-soon": ["report", "due-soon", "--as-of", "2026-03-05T09:00"],
    "aging": ["report", "aging", "--as-of", AS_OF],
    "sla": ["report", "sla", *WINDOW],
    "summary": ["report", "summary", *WINDOW, "--by", "product,tier"],
    "late-entries": ["report", "late-entries"],
}


@pytest.fixture
def data(cli):
    """Cases whose text begins as a formula would, with personal data to mask, resolved, reopened,
    and a step recorded after its deadline (for late-entries)."""
    cli.staff()
    a = cli.log("--customer", "=HYPERLINK(\"http://x\")", "--description", "+86 rang twice, -1 star, @all",
                received="2026-03-02T10:00")
    b = cli.log("--tier", "important", "--product", "loan", "--phone", "13900001111", received="2026-03-02T10:00")
    c = cli.log("--tier", "urgent", "--product", "deposit", "--account", "6222021234567890",
                received="2026-03-04T10:00")
    # (stored before input was checked: a control character, which a workbook cannot hold)
    cli.sql("update cases set description = :d where reference = :r", d="-5 元 fee\u0007 charged", r=c)
    d = cli.log("--product", "credit_card", "--category", "fees", "--description", "#DIV/0!",
                received="2026-03-05T10:00")  # (text that reads as an error value: a string cell still)
    cli("assign", b, "--to", "zhangwei", "--at", "2026-03-02T11:00")
    cli("resolve", d, "--resolution", "@退还年费", "--root-cause", "fees", "--at", "2026-03-06T10:00")
    cli("resolve", a, "--resolution", "ok", "--at", "2026-03-10T10:00")  # recorded now: after its deadline
    cli("reopen", a, "--reason", "不满意", "--at", "2026-03-11T10:00")
    return {"a": a, "b": b, "c": c, "d": d}


def _csv_and_book(cli, tmp_path, name: str, args: list[str], *lead: str):
    """The CSV and the workbook (every sheet's rows, one list) of one command, each to a file."""
    text, book = tmp_path / f"{name}.csv", tmp_path / f"{name}.xlsx"
    cli(*lead, *args, "--format", "csv", "--output", str(text), expect=None)
    r = cli(*lead, *args, "--format", "xlsx", "--output", str(book), expect=None)
    assert r.exit_code in (0, 3), r.stderr  # (overdue cases found is 3 only with --fail-on-overdue)
    with text.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows, book, load_workbook(book)


def _same_cell(text: str, cell) -> bool:
    """A workbook's cell holds what the CSV's cell says, typed."""
    value = cell.value
    if value is None:
        return text == ""
    if isinstance(value, dt.datetime):  # the business zone's local time the CSV shows, offset left off
        shown = dt.datetime.fromisoformat(text)
        return shown.utcoffset() == dt.timedelta(hours=8) and shown.replace(tzinfo=None) == value
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return float(text) == value  # (a float with nothing after the point reads back as an int)
    # (a control character, which a workbook cannot hold, is U+FFFD there)
    return cell.data_type == "s" and re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text) == value


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_s_workbook_is_its_csv_cell_for_cell_typed_with_the_header_frozen_and_filtered(
        cli, data, tmp_path, name):
    rows, path, book = _csv_and_book(cli, tmp_path, name, COMMANDS[name])
    assert len(book.worksheets) == 1 and len(rows) > 1
    sheet = book.worksheets[0]
    cells = [list(r) for r in sheet.iter_rows()]
    assert [c.value for c in cells[0]] == rows[0] and all(c.font.b for c in cells[0])  # the CSV's field names, bold
    assert len(cells) == len(rows)
    for line, (text, got) in enumerate(zip(rows, cells)):
        assert len(got) == len(text), line
        for key, t, cell in zip(rows[0], text, got):
            assert _same_cell(t, cell), (name, line, key, t, cell.value)
            assert cell.data_type not in ("f", "e")  # never a formula, nor an error value
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{cells[0][-1].column_letter}{len(rows)}"
    assert all(8 <= sheet.column_dimensions[c.column_letter].width <= 60 for c in cells[0])
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary part left
    types = {head.value: {type(c.value) for c in column if c.value is not None} for head, *column in zip(*cells)}
    times = [k for k in types if k.endswith("_at") and types[k]]
    assert all(types[k] == {dt.datetime} for k in times), types
    counts = {"export": "reopen_count", "aging": "total", "sla": "resolved", "summary": "received",
              "late-entries": "recorded_after_seconds"}
    if name in counts:
        assert types[counts[name]] == {int}, types
    if name in ("export", "list"):
        text = {r[rows[0].index("reference")]: r for r in rows[1:]}
        by_ref = {r[rows[0].index("reference")].value: [c.value for c in r] for r in cells[1:]}
        customer, description, account = (rows[0].index(k) for k in ("customer", "description", "account"))
        assert by_ref[data["a"]][customer] == "'=*********************" == text[data["a"]][customer]  # masked
        assert by_ref[data["a"]][description] == "'+86 rang twice, -1 star, @all"
        assert by_ref[data["c"]][account] == "622202******7890"  # masked exactly as the CSV has it
        assert by_ref[data["c"]][description] == "'-5 元 fee\ufffd charged"  # (a workbook holds no BEL)


def test_a_chinese_run_s_workbook_keeps_the_csv_s_field_names(cli, data, tmp_path):
    rows, _, book = _csv_and_book(cli, tmp_path, "zh", COMMANDS["overdue"], "--lang", "zh")
    assert [c.value for c in book.worksheets[0][1]] == rows[0] and rows[0][0] == "reference"
    assert book.sheetnames == ["超时投诉"]  # the sheet named as the table is titled


def test_rows_past_a_sheet_s_limit_go_on_in_a_next_sheet_under_the_same_header(cli, data, tmp_path, monkeypatch):
    from complaintctl_cli import render

    monkeypatch.setattr(render, "SHEET_ROWS", 3)  # Excel's 1,048,576, made small: a header and two rows
    rows, _, book = _csv_and_book(cli, tmp_path, "cycles", ["export"])
    assert len(rows) == 6 and len(book.worksheets) == 3  # five cycles: 2, 2 and 1
    assert book.sheetnames == ["Complaint cases", "Complaint cases (2)", "Complaint cases (3)"]
    got = []
    for sheet in book.worksheets:
        values = [[c.value for c in r] for r in sheet.iter_rows()]
        assert values[0] == rows[0] and sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.endswith(str(len(values)))
        got += values[1:]
    assert [r[1] for r in got] == [r[1] for r in rows[1:]]


def test_a_workbook_is_refused_without_a_file_with_excel_or_into_another_kind_of_file(cli, data, tmp_path):
    for args in (COMMANDS["export"], COMMANDS["list"], COMMANDS["overdue"], COMMANDS["sla"], COMMANDS["summary"]):
        assert "--format xlsx needs --output FILE.xlsx" in cli.fails(*args, "--format", "xlsx")
        assert "--format xlsx needs --output" in cli.fails(*args, "--format", "xlsx", "--output", "-")
        assert "--excel applies to --format csv only" in cli.fails(*args, "--format", "xlsx", "--excel", "--output",
                                                                   str(tmp_path / "x.xlsx"))
        assert "invalid --output" in cli.fails(*args, "--format", "xlsx", "--output", str(tmp_path / "x.csv"))
    target = tmp_path / "real.xlsx"
    target.write_bytes(b"kept")
    (tmp_path / "link.xlsx").symlink_to(target)
    assert "symbolic link" in cli.fails("export", "--format", "xlsx", "--output", str(tmp_path / "link.xlsx"))
    assert target.read_bytes() == b"kept"
    assert "invalid --output" in cli.fails("export", "--format", "xlsx", "--output", str(cli.db))
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".csv")) == ["link.xlsx", "real.xlsx"]
    assert not os.path.exists(tmp_path / "x.xlsx")
    # The commands that do not write a workbook still say so, as before.
    assert "invalid --format 'xlsx'" in cli.fails("staff", "list", "--format", "xlsx", "--output",
                                                  str(tmp_path / "s.xlsx"))


def test_the_return_s_notes_give_the_time_it_was_made_as_a_date_time_cell(cli, data, tmp_path):
    from zoneinfo import ZoneInfo

    from complaintctl import labels

    out = tmp_path / "q1.xlsx"
    cli("report", "regulatory", "--quarter", "2026Q1", "--format", "xlsx", "--output", str(out))
    notes = {r[0]: r[1] for r in load_workbook(out)["说明"].iter_rows(values_only=True)}
    made = notes[labels.t("return.generated", labels.ZH)]
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert isinstance(made, dt.datetime) and abs(made - now) < dt.timedelta(minutes=5)  # local time, no offset


def test_text_longer_than_a_workbook_cell_holds_is_cut_there_and_said(cli, tmp_path):
    """A workbook cell holds 32,767 characters: a longer description is cut there (openpyxl cut it
    silently) and a warning says how many cells were, and that the CSV carries them whole."""
    cli.staff()
    cli.log("--description", "长" * 40_000)
    path = tmp_path / "long.xlsx"
    r = cli("export", "--format", "xlsx", "--output", str(path))
    assert ("warning: 1 cell(s) longer than the 32767 characters a workbook cell holds were cut there; "
            "the CSV (--format csv) carries them whole") in r.stderr
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("description") + 1).value == "长" * 32_767


def test_a_report_s_workbook_carries_its_title_and_period_in_its_properties_and_printed_header(cli, data, tmp_path):
    """A workbook of `report sla` or `report summary` held the rows alone, in a sheet named after the
    file: a manager's copy passed on said neither what it was nor over which period. The table's
    title goes in the file's title and atop each printed page (the cells stay the CSV's)."""
    for name, args, title in (("sla", COMMANDS["sla"], f"SLA compliance {WINDOW[1]} – {WINDOW[3]}"),
                              ("summary", COMMANDS["summary"], f"Complaints received {WINDOW[1]} – {WINDOW[3]}"),
                              ("aging", COMMANDS["aging"], "Open cases by age (working days) as of 2026-03-06 12:00")):
        _, _, book = _csv_and_book(cli, tmp_path, name, args)
        assert book.properties.title == title, (name, book.properties.title)
        assert book.worksheets[0].oddHeader.center.text == title
        # (a title over a tab's 31 characters: the tab has a short name of its own, not the file's)
        assert book.sheetnames == [{"aging": "Open cases by age", "sla": "SLA compliance",
                                    "summary": "Complaints received"}[name]]
    _, _, zh = _csv_and_book(cli, tmp_path, "sla-zh", COMMANDS["sla"], "--lang", "zh")
    assert zh.properties.title == f"时限达标情况 {WINDOW[1]} – {WINDOW[3]}" and zh.sheetnames == ["时限达标情况"]
    _, _, zh = _csv_and_book(cli, tmp_path, "aging-zh", COMMANDS["aging"], "--lang", "zh")
    assert zh.sheetnames == ["未结投诉账龄"]
    # Without --as-of too, a workbook names the moment it was true at (the table on a terminal does not).
    _, _, now = _csv_and_book(cli, tmp_path, "aging-now", ["report", "aging"])
    assert re.fullmatch(r"Open cases by age \(working days\) as of \d{4}-\d\d-\d\d \d\d:\d\d", now.properties.title)
    assert cli("report", "aging").stdout.lstrip().startswith("Open cases by age (working days)\n")


def test_a_workbook_of_cases_says_when_it_was_true_or_which_receipts_it_holds(cli, data, tmp_path):
    """A workbook of `report overdue`, `list` or `export` held its rows under a tab named after the
    report or the file, and nothing said at what moment the list was true: a manager reading it days
    later could not tell. Its title (properties and printed header) names the moment, or the window
    of receipt asked for; the tab keeps the report's name."""
    for name, args, title, tab in (
            ("overdue", COMMANDS["overdue"], "Overdue complaints as of 2026-03-06 12:00", "Overdue complaints"),
            ("overdue-soon", [*COMMANDS["overdue"], "--include-due-soon"],
             "Overdue and due-soon complaints as of 2026-03-06 12:00", "Overdue and due-soon complaints"),
            ("list", ["list", "--all", "--as-of", AS_OF],
             "Complaint cases (resolved and closed included) as of 2026-03-06 12:00", "Complaint cases"),
            # the filters a list was asked with, as the workbook is read away from the command
            ("list-filtered", ["list", "--tier", "紧急", "--overdue", "--branch", "BJ001", "--as-of", AS_OF],
             "Complaint cases (Tier: Urgent; Branch: BJ001; overdue) as of 2026-03-06 12:00", "Complaint cases"),
            ("list-open", ["list", "--as-of", AS_OF], "Complaint cases as of 2026-03-06 12:00", "Complaint cases"),
            ("due-soon", COMMANDS["due-soon"], "Complaints due soon as of 2026-03-05 09:00", "Complaints due soon"),
            ("export", ["export", *WINDOW], f"Complaint cases received {WINDOW[1]} – {WINDOW[3]}", "Complaint cases"),
            ("export-from", ["export", "--from", "2026-03-02"], "Complaint cases received from 2026-03-02",
             "Complaint cases"),
            # as the window is read, in the business zone (Asia/Shanghai): not as typed
            ("export-zoned", ["export", "--from", "2026-03-01T16:00Z", "--to", "2026-03-31T12:00+08:00"],
             "Complaint cases received 2026-03-02 00:00 – 2026-03-31 12:00", "Complaint cases"),
            ("export-to", ["export", "--to", "2026-03-31"], "Complaint cases received up to 2026-03-31",
             "Complaint cases")):
        _, _, book = _csv_and_book(cli, tmp_path, name, args)
        assert (book.properties.title, book.sheetnames[0]) == (title, tab), name
        assert book.worksheets[0].oddHeader.center.text == title
    _, _, zh = _csv_and_book(cli, tmp_path, "overdue-zh", COMMANDS["overdue"], "--lang", "zh")
    assert (zh.properties.title, zh.sheetnames[0]) == ("截至 2026-03-06 12:00 超时投诉", "超时投诉")
    _, _, zh = _csv_and_book(cli, tmp_path, "list-zh", ["list", "--status", "in_progress", "--due-soon", "--as-of", AS_OF],
                             "--lang", "zh")
    assert (zh.properties.title, zh.sheetnames[0]) == ("截至 2026-03-06 12:00 投诉案件（状态：处理中；即将到期）", "投诉案件")
    _, _, whole = _csv_and_book(cli, tmp_path, "export-all", ["export"])
    assert re.fullmatch(r"Complaint cases as of \d{4}-\d\d-\d\d \d\d:\d\d", whole.properties.title)


def test_a_long_title_is_cut_where_excel_s_page_header_ends_and_each_tab_is_named(cli, data, tmp_path):
    """A list's title names its filters, branch and assignee names of up to 200 characters
    included: Excel holds 255 characters in a page header (and refuses the file over it), so the
    printed header is cut there, with an ellipsis, while the file's title keeps the whole. Each
    report's tab has a name of its own under 31 characters, never the file's."""
    branch = "Beijing Dongcheng Jianguomennei Avenue Sub-branch & Wealth Centre " * 3
    cli.log("--branch", branch.strip())
    args = ["list", "--tier", "general", "--branch", branch.strip(), "--assignee", "wangfang", "--overdue", "--as-of", AS_OF]
    _, _, book = _csv_and_book(cli, tmp_path, "long", args)
    header = book.worksheets[0].oddHeader.center.text
    assert len(header) <= 253 and header.endswith("\u2026") and len(book.properties.title) > 253
    assert book.properties.title.startswith("Complaint cases (Tier: General; Assignee: wangfang; Branch: Beijing Dongcheng")
    _, _, late = _csv_and_book(cli, tmp_path, "late", COMMANDS["late-entries"])
    assert late.sheetnames == ["Late entries"]
