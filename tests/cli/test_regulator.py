"""What the regulator and the board read: JR/T 0169 codes, remediation actions, the quarterly
return, the monthly report and the decision letter."""
from __future__ import annotations

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
