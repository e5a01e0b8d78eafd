"""Bulk import (a real CFPB export included) and the streamed export."""
import csv
import io
import json
from pathlib import Path

import pytest

CFPB = Path(__file__).resolve().parents[3] / "shared" / "data" / "cfpb_complaints_sample.csv"
CFPB_ARGS = [
    "--map", "received_at=Date received", "--map", "description=Consumer complaint narrative|Issue",
    "--map", "product=Product", "--map", "category=Issue", "--map", "channel=Submitted via", "--map", "branch=State",
    "--map", "external_id=Complaint ID", "--map", "status=Company response to consumer", "--date-format", "%Y/%m/%d",
    "--value-map", "channel:Web=online_banking", "--value-map", "channel:Referral=regulator_referral",
    "--value-map", "channel:Phone=hotline", "--value-map", "channel:Postal mail=letter", "--value-map", "channel:Fax=letter",
    "--value-map", "channel:Email=email",
    "--value-map", "product:Checking or savings account=deposit", "--value-map", "product:Bank account or service=deposit",
    "--value-map", "product:Credit card or prepaid card=credit_card", "--value-map", "product:Credit card=credit_card",
    "--value-map", "product:Mortgage=loan", "--value-map", "product:Student loan=loan",
    "--value-map", "product:Vehicle loan or lease=loan", "--value-map", "product:Payday loan, title loan, or personal loan=loan",
    "--value-map", "product:Consumer Loan=loan", "--value-map", "product:Debt collection=loan",
    "--value-map", "product:Money transfer, virtual currency, or money service=payment", "--value-map", "product:*=other",
    "--value-map", "category:Attempts to collect debt not owed=debt_collection",
    "--value-map", "category:Communication tactics=debt_collection", "--value-map", "category:Fees or interest=fees",
    "--value-map", "category:*=other",
    "--value-map", "status:In progress=received", "--value-map", "status:*=closed",
]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


HEADER = ["受理日期", "渠道", "产品", "内容", "电话", "办结日期"]


def test_import_validates_every_row_and_is_all_or_nothing(cli, tmp_path):
    f = _csv(tmp_path / "h.csv", [HEADER,
                                  ["2026-03-02", "热线", "理财", "亏损", "13812345678", "2026-03-04"],
                                  ["2026-03-03", "fax", "理财", "x", "", ""],
                                  ["not a date", "热线", "基金", "y", "123", ""]])
    args = ["import", str(f), "--map", "received_at=受理日期", "--map", "channel=渠道", "--map", "product=产品",
            "--map", "description=内容", "--map", "phone=电话", "--map", "closed_at=办结日期"]
    r = cli(*args, expect=2)
    assert "2 of 3 rows in h.csv are invalid (listed above)" in r.stderr and "nothing imported" in r.stderr
    assert "invalid channel 'fax'" in r.stdout and "invalid received_at 'not a date'" in r.stdout
    assert cli.json("db", "info", "--json")["counts"]["cases"] == 0
    out = cli(*args, "--skip-invalid").stdout
    assert "imported 1 of 3 rows" in out
    rejects = list(csv.DictReader((tmp_path / "h.rejects.csv").open(encoding="utf-8")))
    assert [(r["row"], r["field"]) for r in rejects] == [("2", "channel"), ("3", "received_at, phone")]
    case = cli.json("show", "C-2026-000001", "--json")
    assert case["case"]["status"] == "closed" and case["case"]["closed_at"] == "2026-03-04T00:00:00+08:00"
    assert case["events"][0]["action"] == "import" and "h.csv row 1" in case["events"][0]["detail"]
    assert cli("db", "check").exit_code == 0


def test_a_row_wrong_in_several_fields_is_listed_with_every_one(cli, tmp_path, monkeypatch):
    """Only a row's first wrong field was named: mending a file of such rows took as many runs as a
    row had faults. Every field found wrong is named: on the terminal a line each under the row's
    number, in --json each in `faults`, in the rejects file joined (one line a row, to mend and
    import again). A decision's time is checked against the receipt only when the receipt is good
    (and against the present always)."""
    monkeypatch.setenv("COLUMNS", "80")
    f = _csv(tmp_path / "m.csv", [["received_at", "channel", "description", "phone", "email", "closed_at"],
                                  ["2026-13-02T10:00", "fax", "x", "12345", "not-an-address", "2099-03-01T10:00"],
                                  ["2026-03-02T10:00", "hotline", "y", "13812345678", "", "2026-03-01T10:00"]])
    r = cli("import", str(f), expect=2)
    lines = r.stdout.splitlines()
    assert [line[:18].rstrip() for line in lines if line[:5].strip() or line[5:18].strip()] == [
        "Rejected rows", "Row  Field", "---  -----------", "  1  channel", "     received_at", "     phone",
        "     email", "     closed_at", "  2  closed_at"]
    assert "2 of 2 rows in m.csv are invalid" in r.stderr
    out = cli.json("import", str(f), "--skip-invalid", "--json")
    first, second = out["rejects"]
    assert first["field"] == "channel, received_at, phone, email, closed_at"  # (in the future, whatever the receipt)
    assert [x["field"] for x in first["faults"]] == ["channel", "received_at", "phone", "email", "closed_at"]
    assert first["faults"][3]["reason"].startswith("invalid email '") and "not-an-address" not in first["reason"]
    assert first["reason"] == "; ".join(x["reason"] for x in first["faults"])
    assert second["faults"] == [{"field": "closed_at", "reason": second["reason"]}]
    assert second["reason"] == "invalid closed_at '2026-03-01T10:00': expected a time between receipt and now"
    rejects = list(csv.DictReader((tmp_path / "m.rejects.csv").open(encoding="utf-8")))
    assert [(x["row"], x["field"], x["reason"]) for x in rejects] == [
        ("1", first["field"], first["reason"]), ("2", "closed_at", second["reason"])]
    assert out["imported"] == 0 and cli.scalar("select count(*) from cases") == 0


def test_columns_that_feed_no_field_are_named_and_value_map_targets_are_checked_first(cli, tmp_path):
    """A file from another system whose columns were mapped only in part imported its rows with the
    rest dropped without a word (channel, product, status, customer: every case `other`, open and
    overdue). The columns that feed no field are named in a warning (and in --json). A --value-map
    target that is no choice of its field was found row by row, each rejected naming a value the
    file does not hold; it is refused before any row is read, as is a state a plain file may not
    give. An unknown handler's name is quoted masked (a customer's may stand in that column)."""
    f = _csv(tmp_path / "m.csv", [["受理时间", "投诉内容", "渠道", "客户姓名", "状态", "经办人"],
                                  ["2026-03-02T10:00", "理财亏损", "热线", "王小明", "挂起", "李四"]])
    base = ["import", str(f), "--map", "received_at=受理时间", "--map", "description=投诉内容", "--dry-run"]
    r = cli(*base, "--map", "status=状态", "--map", "assignee=经办人", expect=2)
    assert ("warning: 2 column(s) of m.csv map to no field and are not imported: 渠道, 客户姓名 (--map FIELD=COLUMN "
            "takes one in)") in r.stderr
    assert "invalid status '挂*': expected received, assigned, resolved or closed" in r.stdout
    assert "invalid assignee '李*': expected registered staff" in r.stdout and "李四" not in r.stdout
    assert cli.json(*base, "--json")["unmapped_columns"] == ["渠道", "客户姓名", "状态", "经办人"]
    for target, expected in (("done", "expected received, assigned, resolved or closed"),
                             ("paused", "expected received, assigned, resolved or closed")):
        err = cli.fails(*base, "--map", "status=状态", "--value-map", f"status:挂起={target}")
        assert err.startswith(f"complaintctl: error: invalid --value-map 'status:挂起={target}': {expected}"), err
    assert "expected one of hotline" in cli.fails(*base, "--map", "channel=渠道", "--value-map", "channel:热线=fax")
    ok = cli(*base, "--map", "channel=渠道", "--map", "status=状态", "--value-map", "status:挂起=received")
    assert "would import 1 of 1 rows" in ok.stdout and "客户姓名, 经办人" in ok.stderr


def test_more_rejects_than_the_terminal_lists_are_counted_and_accepted_forms_read_whole(cli, tmp_path):
    rows = [HEADER] + [["2026-03-02", "热线", "理财", "亏损", "110105199003071234", ""] for n in range(60)]
    f = _csv(tmp_path / "many.csv", rows)
    r = cli("import", str(f), "--map", "received_at=受理日期", "--map", "channel=渠道", "--map", "product=产品",
            "--map", "description=内容", "--map", "phone=电话", expect=2)
    assert r.stdout.count("invalid phone") == 50
    assert "... and 10 more rejected rows not shown" in r.stderr
    assert "60 of 60 rows in many.csv are invalid (the first 50 listed above); nothing imported" in r.stderr
    assert "(--skip-invalid writes every one to FILE.rejects.csv)" in r.stderr
    dry = cli("import", str(f), "--map", "received_at=受理日期", "--map", "channel=渠道", "--map", "product=产品",
              "--map", "description=内容", "--map", "phone=电话", "--dry-run", "--skip-invalid")
    assert "(--json lists the first 1,000; an import with --skip-invalid writes every one" in dry.stderr  # (a dry run writes none)
    assert not (tmp_path / "many.rejects.csv").exists()
    listed = cli("import", str(f), "--map", "received_at=受理日期", "--map", "channel=渠道", "--map", "product=产品",
                 "--map", "description=内容", "--map", "phone=电话", "--json", expect=2)
    assert "60 of 60 rows in many.csv are invalid (the JSON lists 60)" in listed.stderr  # (every one, not 50)
    # The reason quotes the bad value masked (an ID number typed as a phone), and says what is accepted
    # in full (its examples unmasked).
    assert "13812345678 or 138-1234-5678" in r.stdout and "110105199003071234" not in r.stdout + r.stderr


def test_import_dry_run_writes_nothing(cli, tmp_path):
    cli("db", "upgrade")
    f = _csv(tmp_path / "h.csv", [["received_at", "description", "channel"], ["2026-03-02T10:00", "x", "letter"]])
    before = cli.dump()
    assert "would import 1 of 1 rows" in cli("import", str(f), "--dry-run").stdout
    assert cli.dump() == before


def test_import_mapping_errors_are_one_line(cli, tmp_path):
    cli("db", "upgrade")
    f = _csv(tmp_path / "h.csv", [["a", "b"], ["1", "2"]])
    assert cli.fails("import", str(f)) == (  # (was "invalid --map ''", naming neither the fields nor the columns)
        "complaintctl: error: h.csv has no column for received_at, description: map each with --map FIELD=COLUMN "
        "(e.g. --map received_at=\"Date received\"); its columns: a, b")
    assert cli.fails("import", str(f), "--map", "received_at=a").endswith("no column for description: map each with "
                                                                       "--map FIELD=COLUMN (e.g. --map received_at="
                                                                       "\"Date received\"); its columns: a, b")
    assert "a column of the file" in cli.fails("import", str(f), "--map", "received_at=zzz")
    assert "FIELD=COLUMN" in cli.fails("import", str(f), "--map", "colour=a")
    assert "an existing CSV file" in cli.fails("import", str(tmp_path / "none.csv"))
    bad = tmp_path / "gbk.csv"
    bad.write_bytes("受理日期,内容\n".encode("gb18030"))
    assert "give --encoding" in cli.fails("import", str(bad))


@pytest.mark.skipif(not CFPB.exists(), reason="shared CFPB sample not present")
def test_the_whole_cfpb_sample_imports(cli, tmp_path):
    r = cli("import", str(CFPB), *CFPB_ARGS)
    assert r.stdout.strip() == "imported 6623 of 6623 rows from cfpb_complaints_sample.csv"
    info = cli.json("db", "info", "--json")
    assert info["counts"]["cases"] == 6623 and info["open_cases"] == 35
    rows = cli.json("list", "--all", "--format", "json", "--channel", "regulator_referral")
    assert len(rows) == 627
    # A narrative with line breaks inside a quoted field survives intact.
    case = cli.json("show", "2", "--json")["case"]
    assert case["description"].startswith("transworld systems inc. \nis trying to collect a debt")
    assert cli("db", "check").exit_code == 0


def test_export_streams_every_case_with_its_cycles(cli, tmp_path):
    ref = cli.log("--account", "6222021234567890", received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-03-03T10:00")
    cli("reopen", ref, "--reason", "不满意", "--at", "2026-03-04T10:00")
    cli.log(received="2026-03-05T10:00")
    lines = cli("export").stdout.splitlines()
    cases = [json.loads(x) for x in lines]
    assert [c["reference"] for c in cases] == [ref, "C-2026-000002"]
    assert [cy["number"] for cy in cases[0]["cycles"]] == [1, 2]
    assert cases[0]["account"] == "622202******7890" and cases[0]["phone"] == "138****5678"
    target = tmp_path / "all.csv"
    cli("export", "--format", "csv", "--output", str(target), "--excel")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [(r["reference"], r["cycle_number"]) for r in rows] == [(ref, "1"), (ref, "2"), ("C-2026-000002", "1")]
    assert rows[0]["description"] == "理财产品风险未揭示"
    assert "invalid --format 'xml'" in cli.fails("export", "--format", "xml")


def test_import_rows_short_of_columns_blank_lines_and_a_constant_from_a_value_map(cli, tmp_path):
    f = tmp_path / "short.csv"
    f.write_text("received_at,description,phone\n2026-03-02T10:00,first\n\n2026-03-03T10:00,second,13812345678\n",
                 encoding="utf-8")
    out = cli("import", str(f), "--value-map", "tier:=important").stdout
    assert "imported 2 of 2 rows" in out  # the blank line is not a row; the short one lacks only a phone
    rows = cli.json("list", "--all", "--format", "json")
    assert sorted((r["description"], r["tier"], r["phone"]) for r in rows) == [
        ("first", "important", None), ("second", "important", "138****5678")]


def test_a_file_imported_twice_does_not_make_its_cases_twice(cli, tmp_path):
    f = _csv(tmp_path / "ext.csv", [["received_at", "description", "external_id"],
                                    ["2026-03-02T10:00", "first", "A-1"], ["2026-03-02T11:00", "second", "A-2"],
                                    ["2026-03-02T12:00", "again", "A-1"]])
    r = cli("import", str(f), expect=2)
    assert "invalid external_id" not in r.stderr and "1 of 3 rows in ext.csv are invalid" in r.stderr
    assert "the same as row 1" in r.stdout
    assert "imported 2 of 3 rows" in cli("import", str(f), "--skip-invalid").stdout
    again = cli("import", str(f), "--skip-invalid").stdout
    assert "imported 0 of 3 rows" in again
    rejects = list(csv.DictReader((tmp_path / "ext.rejects.csv").open(encoding="utf-8")))
    assert [(r["row"], r["field"]) for r in rejects] == [("1", "external_id"), ("2", "external_id"), ("3", "external_id")]
    assert rejects[0]["reason"].startswith("already imported (case C-2026-00000")
    assert cli.json("db", "info", "--json")["counts"]["cases"] == 2


def test_export_takes_a_window_of_receipt_dates_and_checks_it_before_writing(cli):
    refs = [cli.log(received=f"2026-03-0{day}T10:00") for day in (2, 3, 4)]
    cli("resolve", refs[1], "--resolution", "ok", "--at", "2026-03-03T15:00")
    cli("reopen", refs[1], "--reason", "不满意", "--at", "2026-03-04T10:00")
    rows = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv", "--from", "2026-03-03",
                                               "--to", "2026-03-03").stdout)))
    assert [(r["reference"], r["cycle_number"]) for r in rows] == [(refs[1], "1"), (refs[1], "2")]
    lines = cli("export", "--from", "2026-03-03T12:00").stdout.splitlines()
    assert [json.loads(x)["reference"] for x in lines] == [refs[2]]
    r = cli("export", "--format", "csv", "--from", "2026-03-04", "--to", "2026-03-02", expect=2)
    assert r.stdout == "" and "invalid --to '2026-03-02'" in r.stderr


def test_an_import_leaves_the_query_planner_statistics_of_the_new_size(cli, tmp_path):
    f = _csv(tmp_path / "few.csv", [["received_at", "description", "branch"],
                                    ["2026-03-02T10:00", "a", "BR001"], ["2026-03-02T11:00", "b", "BR002"]])
    cli("import", str(f))
    with cli.engine.connect() as conn:
        if cli.backend == "sqlite":  # "rows in the index, rows per value": the branch index has seen both cases
            stat = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_cases_branch'").scalar()
            assert stat is not None and stat.split()[0] == "2"
        else:
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_stats WHERE tablename = 'cases'").scalar() > 0


def test_an_import_says_why_in_the_operator_s_language(cli, tmp_path):
    """With --lang zh, the reasons (a field's check, a repeated external id), the table, the rejects
    file and the last line are Chinese; in English, English."""
    cli.log()
    rows = tmp_path / "z.csv"
    rows.write_text("external_id,received_at,channel,phone,description\n"
                    "Z-1,2026-10-20T10:00,fax,13700005555,ok\n"
                    "Z-2,2026-10-21T10:00,hotline,13700005556,ok\n"
                    "Z-2,2026-10-22T10:00,hotline,13700005557,ok\n", encoding="utf-8")
    r = cli("--lang", "zh", "import", str(rows), "--skip-invalid")
    assert "渠道的值 'fax' 无效" in r.stdout and "与第 2 行相同：外部编号不得重复" in r.stdout and "被拒绝的行" in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("已从 z.csv 导入 3 行中的 1 行；2 行被拒绝")
    text = (tmp_path / "z.rejects.csv").read_text(encoding="utf-8")
    assert "外部编号不得重复" in text and "external ids are unique" not in text
    r = cli("import", str(rows), "--skip-invalid", "--dry-run")
    assert "already imported (case C-2026-000002): external ids are unique" in r.stdout  # (the zh run imported it)
    assert r.stdout.strip().splitlines()[-1] == "would import 0 of 3 rows from z.csv (dry run, nothing written)"


def test_the_rejected_rows_reasons_wrap_whole_at_80_columns(cli, tmp_path, monkeypatch):
    """What each rejected row needs is the list of accepted values: at 80 columns the table wraps a
    reason rather than cutting it after the second choice, and keeps a choice with its name."""
    from complaintctl_cli import render

    monkeypatch.setenv("COLUMNS", "80")
    rows = tmp_path / "h.csv"
    rows.write_text("received_at,channel,phone,description\n2026-09-30T10:00,fax,13812345678,x\n", encoding="utf-8")
    for lang, last in (("en", "other (其他)"), ("zh", "other（其他）")):
        cli.fails("--lang", lang, "import", str(rows), "--dry-run", report=True)
        out = cli("--lang", lang, "import", str(rows), "--dry-run", expect=2).stdout
        lines = out.splitlines()
        assert all(render.cell_width(x) <= 80 for x in lines), out
        assert last in out and "…" not in out, out
        assert ("branch_counter (营业网点)" if lang == "en" else "branch_counter（营业网点）") in out, out
