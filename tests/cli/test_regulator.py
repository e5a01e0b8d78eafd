"""What the regulator and the board read: JR/T 0169 codes, remediation actions, the quarterly
return, the monthly report and the decision letter."""
from __future__ import annotations

import csv
import io

from complaintctl.errors import NotPermitted


def test_every_channel_product_and_category_carries_a_jrt_0169_code(cli):
    rows = cli.json("choices", "--format", "json")
    coded = [r for r in rows if r["field"] in ("channel", "product", "category")]
    assert coded and all(r["jrt_code"] and r["jrt_code"][0] == {"channel": "A", "product": "B", "category": "C"}[r["field"]]
                         for r in coded)
    by_key = {(r["field"], r["key"]): r for r in coded}
    assert by_key[("channel", "hotline")]["jrt_code"] == "A01032"
    assert by_key[("product", "deposit")]["jrt_name"] == "人民币储蓄"
    table = {r["code"]: r for r in cli.json("choices", "codes", "--format", "json")}
    assert table["C01"]["chinese"] == "服务态度及服务质量" and table["C01"]["code_source"] == "JR/T 0169-2018"
    assert "product:credit_card" in table["B03"]["used_by"]


def test_a_bank_corrects_and_extends_the_codes_in_config(cli, tmp_path):
    cfg = tmp_path / "codes.toml"
    cfg.write_text('[codes.names]\nB0302 = ["Credit cards", "信用卡"]\n[codes.product]\ncredit_card = "B0302"\n',
                   encoding="utf-8")
    rows = {r["key"]: r for r in cli.json("--config", str(cfg), "choices", "product", "--format", "json")}
    assert (rows["credit_card"]["jrt_code"], rows["credit_card"]["jrt_name"]) == ("B0302", "信用卡")
    table = {r["code"]: r for r in cli.json("--config", str(cfg), "choices", "codes", "--format", "json")}
    assert table["B0302"]["code_source"] == "the bank's own"
    shown = {r["key"]: r for r in cli.json("--config", str(cfg), "config", "show", "--format", "json")}
    assert shown["codes.product.credit_card"]["value"] == "B0302"


def test_a_bad_code_in_config_is_refused_on_load(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[codes.product]\ncredit_card = "C01"\n')
    err = cli.fails("--config", str(cfg), "choices", "product")
    assert "codes.product.credit_card: 'C01' is not a known B code" in err
    cfg.write_text('[codes.product]\nbitcoin = "B01"\n')
    assert "codes.product.bitcoin: unknown product" in cli.fails("--config", str(cfg), "choices")
    cfg.write_text('[codes.names]\nX1 = "x"\n')
    assert "codes.names.X1: not a JR/T 0169 code" in cli.fails("--config", str(cfg), "choices")


def test_remediation_actions_are_added_listed_late_and_done_with_audited_events(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    out = cli("action", "add", "--title", "重新培训理财产品风险揭示话术", "--root-cause", "误导销售", "--product", "理财",
              "--owner", "zhangwei", "--due", "2099-03-10", "--case", ref).stdout
    assert out.strip() == "remediation action 1 added (owner zhangwei, due 2099-03-10)"
    cli("action", "add", "--title", "Fix fee disclosure", "--root-cause", "fees", "--owner", "wangfang",
        "--due", "2099-04-30")
    rows = cli.json("action", "list", "--format", "json")
    assert [(r["id"], r["root_cause"], r["product"], r["cases"], r["status"]) for r in rows] == [
        (1, "misselling", "wealth_management", [ref], "open"), (2, "fees", None, [], "open")]
    assert cli.json("action", "list", "--overdue", "--as-of", "2099-03-10T23:00", "--format", "json") == []
    late = cli.json("action", "list", "--overdue", "--as-of", "2099-03-12T09:00", "--format", "json")
    assert [(r["id"], r["late"], r["days_late"]) for r in late] == [(1, True, 2)]
    table = cli("report", "overdue", "--as-of", "2099-03-12T09:00").stdout
    assert "Late remediation actions (1)" in table and "zhangwei" in table
    done = cli.json("action", "done", "1", "--evidence", "2026-03-20 全辖培训，签到表存档", "--json")
    assert done["status"] == "done" and done["evidence"].startswith("2026-03-20")
    assert cli.json("action", "list", "--overdue", "--as-of", "2099-03-12T09:00", "--format", "json") == []
    events = cli.sql("select action, actor from events where case_id is null and action like 'action%' order by id")
    assert [tuple(e) for e in events] == [("action_add", "tester"), ("action_add", "tester"), ("action_done", "tester")]
    assert cli("db", "check").exit_code == 0


def test_remediation_mistakes_are_one_line_and_write_nothing(cli):
    cli.staff()
    assert "invalid --owner 'nobody'" in cli.fails("action", "add", "--title", "x", "--root-cause", "fees",
                                                   "--owner", "nobody", "--due", "2099-01-01")
    assert "invalid --root-cause" in cli.fails("action", "add", "--title", "x", "--root-cause", "weather",
                                               "--owner", "zhangwei", "--due", "2099-01-01")
    assert "invalid --due" in cli.fails("action", "add", "--title", "x", "--root-cause", "fees",
                                        "--owner", "zhangwei", "--due", "2020-01-01")
    assert "unknown case" in cli.fails("action", "add", "--title", "x", "--root-cause", "fees",
                                       "--owner", "zhangwei", "--due", "2099-01-01", "--case", "C-2026-000999")
    assert "no remediation action '7'" in cli.fails("action", "done", "7", "--evidence", "x")
    cli("action", "add", "--title", "x", "--root-cause", "fees", "--owner", "zhangwei", "--due", "2099-01-01")
    cli("action", "done", "1", "--evidence", "done")
    assert "already done" in cli.fails("action", "done", "1", "--evidence", "again")


def _resolved(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "退还手续费200元并致歉", "--at", "2026-03-04T10:00")
    return ref


def test_the_decision_letter_is_chinese_by_default_masked_and_audited(cli, tmp_path):
    ref = _resolved(cli)
    out = tmp_path / "letter.html"
    cli("letter", ref, "--output", str(out))
    html = out.read_text(encoding="utf-8")
    assert "投诉处理决定告知书" in html and ref in html and "退还手续费200元并致歉" in html
    assert "30日内" in html and "12378" in html and "仲裁" in html and "诉讼" in html and "调解" in html
    assert "张*" in html and "138****5678" in html and "13812345678" not in html
    assert cli.scalar("select count(*) from events where action = 'letter'") == 1
    en = cli("letter", ref, "--language", "en").stdout
    assert "Notice of the decision on your complaint" in en and "within 30 days" in en


def test_the_letter_shows_the_customer_in_full_only_to_a_role_allowed_to_reveal(cli, tmp_path):
    ref = _resolved(cli)
    assert "--reveal is for operators registered as manager or executive" in cli.fails(
        "--as", "wangfang", "letter", ref, "--reveal", code=NotPermitted.exit_code)
    html = cli("--as", "zhangwei", "letter", ref, "--reveal").stdout
    assert "张三" in html and "13812345678" in html
    cfg = tmp_path / "bank.toml"
    tpl = tmp_path / "mine.html.j2"
    tpl.write_text("<p>{{ bank.name }} {{ case.reference }} {{ decision.result }}</p>", encoding="utf-8")
    cfg.write_text(f'[bank]\nname = "示例银行北京分行"\n[letter]\ntemplate = "{tpl.name}"\n', encoding="utf-8")
    assert cli("--config", str(cfg), "letter", ref).stdout.strip() == f"<p>示例银行北京分行 {ref} 退还手续费200元并致歉</p>"


def test_no_letter_before_a_decision(cli):
    cli.staff()
    ref = cli.log()
    assert "has no decision yet" in cli.fails("letter", ref)


def _quarter(cli):
    """2026Q3 with known answers: on time, extended, late, repeat, review, open at the end; and a
    case before and one after the quarter."""
    cli.staff()
    a = cli.log("--branch", "BJ001", received="2026-07-01T10:00")
    b = cli.log("--branch", "BJ002", "--channel", "mobile_app", "--product", "loan", "--category", "fees",
                "--phone", "13900001111", received="2026-07-01T10:00")
    c = cli.log("--branch", "BJ001", "--channel", "branch_counter", "--product", "credit_card", "--category", "fees",
                "--phone", "13900002222", received="2026-07-01T10:00")
    d = cli.log("--branch", "BJ001", received="2026-09-20T10:00")  # same phone as a: a repeat; open at the end
    e = cli.log("--branch", "BJ002", "--phone", "13900003333", "--category", "disclosure", received="2026-08-03T10:00")
    before = cli.log("--branch", "BJ002", "--phone", "13900004444", received="2026-06-20T10:00")  # open across Q3
    cli.log("--branch", "BJ001", "--phone", "13900005555", received="2026-10-09T10:00")  # the next quarter
    cli("resolve", a, "--resolution", "致歉", "--at", "2026-07-10T10:00")
    cli("extend", b, "--to", "30", "--approved-by", "zhangwei", "--reason", "需调取录音",
        "--customer-told-at", "2026-07-05T10:00", "--at", "2026-07-05T10:00")
    cli("resolve", b, "--resolution", "退还违约金", "--at", "2026-07-25T10:00")
    cli("resolve", c, "--resolution", "退还年费", "--at", "2026-07-25T10:00")
    cli("resolve", e, "--resolution", "解释说明", "--at", "2026-08-05T10:00")
    cli("reopen", e, "--reason", "客户不认可", "--at", "2026-08-10T10:00")
    cli("resolve", e, "--resolution", "补偿", "--at", "2026-08-20T10:00")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "before": before}


def test_the_quarterly_return_counts_what_the_regulator_asks(cli):
    _quarter(cli)
    rep = cli.json("report", "regulatory", "--quarter", "2026Q3", "--format", "json")
    assert rep["from"] == "2026-07-01T00:00:00+08:00" and rep["to"].startswith("2026-09-30T23:59:59")
    branches = {r["branch"]: r for r in rep["by_branch"]}
    assert {k: branches["BJ001"][k] for k in ("received", "handled_within_15_days", "handled_late", "repeat",
                                               "open_at_quarter_end")} == {
        "received": 3, "handled_within_15_days": 1, "handled_late": 1, "repeat": 1, "open_at_quarter_end": 1}
    assert {k: branches["BJ002"][k] for k in ("received", "handled_within_15_days", "handled_within_extension",
                                               "reviews_requested", "reviews_resolved", "open_at_quarter_end")} == {
        "received": 2, "handled_within_15_days": 1, "handled_within_extension": 1, "reviews_requested": 1,
        "reviews_resolved": 1, "open_at_quarter_end": 1}
    assert branches["TOTAL"]["received"] == 5 and branches["TOTAL"]["withdrawn"] == 0
    assert {(r["business_code"], r["reason_code"]): r["received"] for r in rep["by_type_reason"]} == {
        ("B08", "C04"): 2, ("B08", "C05"): 1, ("B02", "C11"): 1, ("B03", "C11"): 1}
    assert {r["channel_code"]: r["received"] for r in rep["by_channel"]} == {"A01032": 3, "A01033": 1, "A0101": 1}
    one = cli.json("report", "regulatory", "--quarter", "2026Q3", "--branch", "BJ002", "--format", "json")
    assert [r["branch"] for r in one["by_branch"]] == ["BJ002", "TOTAL"]
    rows = list(csv.DictReader(io.StringIO(cli("report", "regulatory", "--quarter", "2026q3", "--format", "csv").stdout)))
    assert {"quarter": "2026Q3", "table": "branch", "branch": "TOTAL", "measure": "received", "value": "5"}.items() \
        <= next(r for r in rows if r["branch"] == "TOTAL" and r["measure"] == "received").items()


def test_the_quarterly_xlsx_read_back_agrees_with_the_database_figure_by_figure(cli, tmp_path):
    from openpyxl import load_workbook

    _quarter(cli)
    out = tmp_path / "2026Q3.xlsx"
    cli("report", "regulatory", "--quarter", "2026Q3", "--format", "xlsx", "--output", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["按业务类型和投诉原因", "按业务办理渠道", "各网点处理情况", "说明"]
    lo, hi = "2026-06-30 16:00:00", "2026-09-30 16:00:00"  # the quarter in UTC, as stored
    from complaintctl.labels import JRT_0169_DEFAULT as M

    matrix = book["按业务类型和投诉原因"]
    assert matrix.freeze_panes == "A2"
    header = [c.value for c in matrix[1]]
    assert header[:2] == ["业务类型编码", "业务类型"] and header[-1] == "合计"
    db = {}
    for product, category, n in cli.sql("select product, category, count(*) from cases where received_at >= :lo "
                                        "and received_at < :hi group by product, category", lo=lo, hi=hi):
        key = (M["product"][product], M["category"][category])
        db[key] = db.get(key, 0) + n
    seen = 0
    for row in matrix.iter_rows(min_row=2, values_only=True):
        if row[0]:
            for code_header, value in zip(header[2:-1], row[2:-1]):
                assert isinstance(value, int)
                assert value == db.get((row[0], code_header.split()[0]), 0), (row[0], code_header)
                seen += value
            assert row[-1] == sum(row[2:-1])
        else:
            assert row[1] == "合计" and row[-1] == sum(db.values())
    assert seen == sum(db.values()) == 5
    channels = {r[0]: r[2] for r in book["按业务办理渠道"].iter_rows(min_row=2, values_only=True) if r[0]}
    db_channels = {}
    for channel, n in cli.sql("select channel, count(*) from cases where received_at >= :lo and received_at < :hi "
                              "group by channel", lo=lo, hi=hi):
        db_channels[M["channel"][channel]] = db_channels.get(M["channel"][channel], 0) + n
    assert {k: v for k, v in channels.items() if v} == db_channels
    handling = book["各网点处理情况"]
    assert [c.value for c in handling[1]][:3] == ["网点", "受理量", "15日内办结"]
    by_branch = {r[0]: r[1:] for r in handling.iter_rows(min_row=2, values_only=True)}
    received = dict(cli.sql("select branch, count(*) from cases where received_at >= :lo and received_at < :hi "
                            "group by branch", lo=lo, hi=hi))
    assert {b: v[0] for b, v in by_branch.items() if b != "合计"} == received
    on_time = dict(cli.sql(
                           "select k.branch, count(*) from cycles y join cases k on k.id = y.case_id "
                           "where y.number = 1 and k.received_at >= :lo and k.received_at < :hi "
                           "and y.resolved_at < :hi and y.regulatory_breached = :f group by k.branch",
                           lo=lo, hi=hi, f=False))
    assert {b: v[1] + v[2] for b, v in by_branch.items() if b != "合计"} == on_time  # on time + extended
    late = dict(cli.sql("select k.branch, count(*) from cycles y join cases k on k.id = y.case_id where y.number = 1 "
                        "and k.received_at >= :lo and k.received_at < :hi and y.regulatory_breached = :t "
                        "group by k.branch", lo=lo, hi=hi, t=True))
    assert {b: v[3] for b, v in by_branch.items() if b != "合计" and v[3]} == late
    reviews = dict(cli.sql("select k.branch, count(*) from cycles y join cases k on k.id = y.case_id "
                           "where y.number > 1 and y.opened_at >= :lo and y.opened_at < :hi group by k.branch",
                           lo=lo, hi=hi))
    assert {b: v[6] for b, v in by_branch.items() if b != "合计" and v[6]} == reviews
    assert by_branch["合计"] == tuple(sum(v[i] for b, v in by_branch.items() if b != "合计") for i in range(9))
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["季度"] == "2026Q3" and notes["网点范围"] == "全部网点"


def test_the_quarterly_return_refuses_bad_input(cli, tmp_path):
    cli.staff()
    assert "invalid --quarter '2026Q5'" in cli.fails("report", "regulatory", "--quarter", "2026Q5")
    assert "invalid --format 'pdf'" in cli.fails("report", "regulatory", "--quarter", "2026Q3", "--format", "pdf")
    assert "invalid --output" in cli.fails("report", "regulatory", "--quarter", "2026Q3", "--format", "xlsx")


def _html_tables(html: str) -> list[list[list[str]]]:
    """Every table of a page as rows of cell texts."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cell = [], None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.tables[-1].append([])
            elif tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.tables[-1][-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_the_monthly_report_agrees_with_the_json_reports(cli, tmp_path):
    refs = _quarter(cli)
    cli("action", "add", "--title", "规范提前还款违约金告知", "--root-cause", "fees", "--product", "loan",
        "--owner", "zhangwei", "--due", "2026-12-31", "--case", refs["b"])
    m = cli.json("report", "monthly", "--month", "2026-07", "--format", "json")
    assert (m["month"], m["previous_month"], m["received"]) == ("2026-07", "2026-06", 3)
    assert m["received_previous"] == 1
    sla_tier = cli.json("report", "sla", "--from", "2026-07-01", "--to", "2026-07-31", "--by", "tier", "--format", "json")
    assert m["compliance_by_tier"] == sla_tier
    sla_branch = cli.json("report", "sla", "--from", "2026-07-01", "--to", "2026-07-31", "--by", "branch",
                          "--format", "json")
    assert m["compliance_by_branch"] == sla_branch
    assert m["aging"] == cli.json("report", "aging", "--as-of", "2026-08-01T00:00", "--format", "json")
    summary = cli.json("report", "summary", "--from", "2026-07-01", "--to", "2026-07-31", "--by", "category",
                       "--format", "json")
    assert {r["category"]: (r["received"], r["previous"]) for r in m["top_reasons"]} == {
        r["category"]: (r["received"], r["previous"]) for r in summary["rows"]}
    assert m["repeat_complainants"] == summary["repeat_complainants"]
    month_return = cli.json("report", "regulatory", "--month", "2026-07", "--format", "json")
    assert [(r["branch"], r["reviews_requested"], r["reviews_resolved"]) for r in m["reviews"]] == [
        (r["branch"], r["reviews_requested"], r["reviews_resolved"]) for r in month_return["by_branch"]]
    assert sum(m["trend"]["product"].get(p, [0])[-1] for p in m["trend"]["product"]) == m["received"] == \
        next(r for r in month_return["by_branch"] if r["branch"] == "TOTAL")["received"]
    by_product = cli.json("report", "summary", "--from", "2026-07-01", "--to", "2026-07-31", "--by", "product",
                          "--format", "json")["rows"]
    assert {p: s[-1] for p, s in m["trend"]["product"].items() if s[-1]} == {
        r["product"]: r["received"] for r in by_product if r["received"]}
    august = cli.json("report", "monthly", "--month", "2026-08", "--format", "json")
    assert [r["reviews_requested"] for r in august["reviews"]] == [1, 1]  # BJ002 and the total
    december = cli.json("report", "monthly", "--month", "2026-12", "--format", "json")
    assert [a["id"] for a in december["actions_due"]] == [1]
    assert december["actions_due"] == cli.json("action", "list", "--format", "json")

    out = tmp_path / "report.html"
    cli("--lang", "zh", "report", "monthly", "--month", "2026-07", "--output", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http://www.w3.org/2000/svg" in html
    assert "2026-07 消费投诉管理月报" in html and "本月受理投诉 3 件（上月 1 件）" in html
    assert "@media print" in html and html.count("<svg") == 6
    tables = _html_tables(html)
    reasons = {row[0]: row[1:3] for row in tables[0][1:]}
    assert reasons == {{"misselling": "误导销售", "fees": "收费"}[r["category"]]: [str(r["received"]), str(r["previous"])]
                       for r in m["top_reasons"]}
    tier_table = {row[0]: row[1:] for row in tables[1][1:]}
    assert tier_table["合计"][0] == str(sla_tier[-1]["resolved"])
    aging_table = tables[3]
    assert aging_table[-1][-1] == str(m["aging"][-1]["total"])
    en = cli("report", "monthly", "--month", "2026-07").stdout
    assert "Complaints management report 2026-07" in en and "Complaints received this month: 3" in en


def test_the_monthly_report_refuses_a_bad_month(cli):
    assert "invalid --month '2026-13'" in cli.fails("report", "monthly", "--month", "2026-13")
    assert "invalid --format 'pdf'" in cli.fails("report", "monthly", "--month", "2026-07", "--format", "pdf")
