"""What the regulator and the board read: JR/T 0169 codes, remediation actions, the quarterly
return, the monthly report and the decision letter."""
from __future__ import annotations


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
