"""What the regulator and the board read: JR/T 0169 codes, remediation actions, the quarterly
return, the monthly report and the decision letter."""
from __future__ import annotations

import csv
import io
import json


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


def test_an_action_linked_to_one_case_twice_links_it_once(cli):
    """By reference and by id: one link (it ended in a raw UNIQUE error); db check holds."""
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("action", "add", "--title", "Check", "--root-cause", "fees", "--owner", "wangfang", "--due", "2099-05-01",
        "--case", ref, "--case", "1")
    assert cli.json("action", "list", "--format", "json")[0]["cases"] == [ref]
    assert cli("db", "check").exit_code == 0


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
    # As it stood at an earlier moment: added by then, not yet done then; the filters read the same.
    cli.sql("update remediation_actions set created_at = '2026-03-01 01:00:00'")
    then = ["action", "list", "--as-of", "2026-06-01T00:00", "--format", "json"]
    assert [(r["id"], r["status"], r["done_at"], r["evidence"]) for r in cli.json(*then)] == [
        (1, "open", None, None), (2, "open", None, None)]
    assert [r["id"] for r in cli.json(*then, "--status", "open")] == [1, 2]
    assert cli.json(*then, "--status", "done") == [] and cli.json(*then[:2], "--as-of", "2026-02-01T00:00",
                                                                     "--format", "json") == []
    assert [r["id"] for r in cli.json("action", "list", "--status", "done", "--format", "json")] == [1]
    events = cli.sql("select action, actor from events where case_id is null and action like 'action%' order by id")
    assert [tuple(e) for e in events] == [("action_add", cli.admin), ("action_add", cli.admin), ("action_done", cli.admin)]
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
    err = cli.fails("action", "done", "1", "--evidence", "done", "--at", "2026-01-01T10:00")
    assert err.startswith("complaintctl: error: invalid --at '2026-01-01 10:00': expected a time not before the "
                          "action was added (")
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
    assert "only Manager or Executive may see personal data in full; wangfang is Front-line staff" in cli.fails(
        "--as", "wangfang", "letter", ref, "--reveal", code=4)
    html = cli("--as", "zhangwei", "letter", ref, "--reveal").stdout
    assert "张三" in html and "13812345678" in html
    cfg = tmp_path / "bank.toml"
    tpl = tmp_path / "mine.html.j2"
    tpl.write_text("<p>{{ bank.name }} {{ case.reference }} {{ decision.result }}</p>", encoding="utf-8")
    cfg.write_text(f'[bank]\nname = "示例银行北京分行"\n[letter]\ntemplate = "{tpl.name}"\n', encoding="utf-8")
    assert cli("--config", str(cfg), "letter", ref).stdout.strip() == f"<p>示例银行北京分行 {ref} 退还手续费200元并致歉</p>"


def test_the_letter_carries_the_decision_as_recorded_and_only_the_relief_recorded(cli, tmp_path):
    """Received Mon 2026-03-02, decided Mon 03-16, told by letter Tue 03-17: the review may be asked
    for until 24:00 on Thu 04-16 (30 days from being told, the day itself not counted). Signed by
    the bank the config names (with none, said so on stderr: the letter would be signed by no one)."""
    bank = tmp_path / "bank.toml"
    bank.write_text('[bank]\nname = "示例银行"\nbranch_name = "北京分行"\n', encoding="utf-8")
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "退还违约金500元并致歉", "--facts", "合同第8条未约定提前还款违约金",
        "--basis", "借款合同第8条", "--relief", "review,mediation", "--decided-at", "2026-03-16T15:00",
        "--at", "2026-03-17T20:00", "--notified-via", "letter")
    assert cli("letter", ref).stderr == (
        "warning: the config names no bank ([bank] name or branch_name): the letter is signed by no one\n")
    result = cli("--config", str(bank), "letter", ref)
    html = result.stdout
    assert "示例银行" in html and "北京分行" in html
    assert "一、经调查核实的事实" in html and "合同第8条未约定提前还款违约金" in html and "借款合同第8条" in html
    assert "本处理决定于2026年3月16日作出，并于2026年3月17日以信函方式告知您。" in html
    assert "（即2026年4月16日24时前）" in html and "申请核查" in html and "调解" in html
    assert "日期：" in html and "日期:" not in html  # the full-width colon of a Chinese letter
    assert "仲裁" not in html and "人民法院" not in html and "12378" in html
    assert result.stderr == ""
    en = cli("letter", ref, "--language", "en").stdout
    assert "by 24:00 on 16 April 2026" in en and "arbitration" not in en and "decided within 30 days" in en
    assert "made on 16 March 2026 and notified to you on 17 March 2026 by letter" in en


def test_a_letter_for_a_decision_recorded_without_its_facts_says_so(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    cli("resolve", ref, "--resolution", "解释说明", "--relief", "litigation", "--at", "2026-03-04T10:00")
    result = cli("letter", ref)
    assert "一、您反映的问题" in result.stdout and "理财产品风险未揭示" in result.stdout
    assert "人民法院" in result.stdout and "申请核查" not in result.stdout
    assert "resolve recorded no facts found (--facts)" in result.stderr
    assert "未记录调查核实的事实" in cli("--lang", "zh", "letter", ref).stderr


def test_no_letter_before_a_decision_and_the_decision_s_letter_under_review_and_after(cli):
    cli.staff()
    ref = cli.log()
    assert "has no decision yet" in cli.fails("letter", ref)
    cli("resolve", ref, "--resolution", "退还手续费", "--at", "2026-03-04T10:00")
    cli("review", ref, "--requested-at", "2026-03-10T10:00", "--reviewer", "sunli")
    assert "退还手续费" in cli("letter", ref).stdout  # under review: the decision was made and told all the same
    cli("--as", "sunli", "review-decide", ref, "--outcome", "upheld", "--text", "维持", "--at", "2026-03-20T10:00")
    assert "退还手续费" in cli("letter", ref).stdout


REGIONS = '[regions]\nBJ001 = "北京"\nBJ002 = "北京"\nSH001 = "上海"\n'  # GZ001 is in none


def _quarter(cli):
    """2026Q3 with known answers: decided within the 15 days, within an extension, late, decided early
    though extended, restarted by new facts, reopened (not a review), reviewed (upheld in the quarter;
    changed after it), withdrawn (in the quarter; after it), repeat complaints (in the quarter; after
    it), open at the end (one received before the quarter, restarted by new facts within it); and
    cases before and after the quarter. Branches BJ001 and BJ002 are in 北京, SH001 in 上海, GZ001 in
    no region. Returns the references."""
    cli.staff()
    # The region's manager (no branch of her own) approves extensions and reviews decisions of its branches' cases.
    cli("staff", "add", "qianhui", "--role", "manager", "--branch", "-")
    q = lambda branch, when, *extra: cli.log("--branch", branch, *extra, received=when)  # noqa: E731
    r = {
        "a": q("BJ001", "2026-07-01T10:00"),
        "b": q("BJ002", "2026-07-01T10:00", "--channel", "mobile_app", "--product", "loan", "--category", "fees",
               "--phone", "13900001111"),
        "c": q("BJ001", "2026-07-01T10:00", "--channel", "branch_counter", "--product", "credit_card", "--category",
               "fees", "--phone", "13900002222"),
        "b2": q("SH001", "2026-07-01T10:00"),
        "g": q("GZ001", "2026-07-06T10:00"),
        "e2": q("BJ002", "2026-07-20T10:00"),
        "e": q("BJ002", "2026-08-03T10:00", "--phone", "13900003333", "--category", "disclosure"),
        "k": q("BJ001", "2026-08-10T10:00"),
        "f": q("SH001", "2026-09-01T10:00"),
        "d": q("BJ001", "2026-09-20T10:00"),
        "h": q("GZ001", "2026-09-28T10:00"),
        "before": q("BJ002", "2026-06-20T10:00", "--phone", "13900004444"),
        "after": q("BJ001", "2026-10-09T10:00", "--phone", "13900005555"),
    }
    cli("resolve", r["a"], "--resolution", "致歉", "--at", "2026-07-10T10:00")
    for ref in (r["b"], r["b2"]):
        cli("--as", "qianhui", "extend", ref, "--to", "30", "--reason", "需调取录音",
            "--customer-told-at", "2026-07-05T10:00", "--at", "2026-07-05T10:00")
    cli("resolve", r["b"], "--resolution", "退还违约金", "--at", "2026-07-25T10:00")  # after day 15, within 30
    cli("resolve", r["b2"], "--resolution", "解释说明", "--at", "2026-07-10T10:00")  # extended, yet within 15
    cli("resolve", r["c"], "--resolution", "退还年费", "--at", "2026-07-25T10:00")  # late
    cli("withdraw", r["g"], "--reason", "已自行解决", "--at", "2026-07-08T10:00")
    cli("resolve", r["e2"], "--resolution", "解释说明", "--at", "2026-07-22T10:00")
    cli("reopen", r["e2"], "--reason", "客户不认可", "--at", "2026-07-25T10:00")  # a reopen, not a review
    cli("resolve", r["e2"], "--resolution", "补偿", "--at", "2026-08-01T10:00")
    cli("resolve", r["e"], "--resolution", "解释说明", "--at", "2026-08-05T10:00")
    cli("review", r["e"], "--requested-at", "2026-08-10T10:00", "--reviewer", "qianhui")
    cli("--as", "qianhui", "review-decide", r["e"], "--outcome", "upheld", "--text", "维持", "--at", "2026-08-20T10:00")
    cli("log", "--repeat-of", r["k"], "--channel", "hotline", "--description", "补充材料", "--new-facts",
        "--received-at", "2026-08-12T10:00")
    cli("resolve", r["k"], "--resolution", "补偿", "--at", "2026-08-20T10:00")  # within 15 days of the new facts
    cli("log", "--repeat-of", r["before"], "--channel", "hotline", "--description", "新情况", "--new-facts",
        "--received-at", "2026-07-15T10:00")
    cli("resolve", r["f"], "--resolution", "解释说明", "--at", "2026-09-10T10:00")
    cli("review", r["f"], "--requested-at", "2026-09-25T10:00", "--reviewer", "qianhui")
    cli("--as", "qianhui", "review-decide", r["f"], "--outcome", "changed", "--text", "变更", "--at", "2026-10-10T10:00")
    cli("log", "--repeat-of", r["d"], "--channel", "hotline", "--description", "催问进度", "--received-at",
        "2026-09-22T10:00")
    cli("log", "--repeat-of", r["d"], "--channel", "hotline", "--description", "再次催问", "--received-at",
        "2026-10-12T10:00")
    cli("withdraw", r["h"], "--reason", "撤回", "--at", "2026-10-09T10:00")
    cli("resolve", r["before"], "--resolution", "补偿", "--at", "2026-10-15T10:00")
    return r


MEASURES = ("received", "handled_within_15_days", "handled_within_extension", "handled_late", "withdrawn", "repeat",
            "reviews_requested", "reviews_upheld", "reviews_changed", "reviews_pending", "open_at_quarter_end",
            "other_handled_within_15_days", "other_handled_within_extension", "other_handled_late",
            "other_reviews_upheld", "other_reviews_changed")
# The scenario's answers, worked out by hand from _quarter's story (in MEASURES order).
EXPECTED_Q3 = {
    "BJ001": (4, 2, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0),  # a, k on time; c late; repeats: k's new facts, d's first; d open
    "BJ002": (3, 2, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0),  # e, e2 on time; b extended; before's new facts; e reviewed; before open;
                                                                 # e2 reopened and decided again on time (other)
    "GZ001": (2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0),  # g withdrawn; h open (withdrawn after the quarter)
    "SH001": (2, 2, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0),  # b2, f on time; f's review pending at the end
    # (nothing received before the quarter was decided in it: June's case is decided in Q4)
}


def _at(text: str):
    import datetime as dt

    return dt.datetime.fromisoformat(text)


def _independent_count(cli, lo: str, hi: str) -> dict[str, dict[str, int]]:
    """The return's per-branch figures counted another way: from each case's `show --json` (its
    cycles and its timeline) and `calendar due`, with the definitions README gives."""
    lo_t, hi_t = _at(lo), _at(hi)
    base_due: dict[str, str] = {}
    out: dict[str, dict[str, int]] = {}
    for listed in cli.json("list", "--all", "--format", "json"):
        case = cli.json("show", listed["reference"], "--json")
        record, cycles, events = case["case"], case["cycles"], case["events"]
        m = out.setdefault(record["branch"], dict.fromkeys(MEASURES, 0))
        when = lambda action: [_at(e["occurred_at"]) for e in events if e["action"] == action]  # noqa: E731
        withdrawn = [t for t in when("withdraw") if t < hi_t]
        closed = [t for t in when("close") if t < hi_t]
        m["repeat"] += sum(lo_t <= t < hi_t for t in when("repeat"))
        for e in events:
            if e["action"] == "review" and lo_t <= _at(e["occurred_at"]) < hi_t:
                m["reviews_requested"] += 1
                decided = [x for x in events if x["action"] == "review_decide" and _at(x["occurred_at"]) < hi_t]
                m["reviews_" + (decided[0]["new"]["review_outcome"] if decided else "pending")] += 1
            elif e["action"] == "review" and _at(e["occurred_at"]) < lo_t:  # asked before, decided in the period?
                decided = [x for x in events if x["action"] == "review_decide" and lo_t <= _at(x["occurred_at"]) < hi_t]
                if decided:
                    m["other_reviews_" + decided[0]["new"]["review_outcome"]] += 1
        in_force = [c for c in cycles if _at(c["opened_at"]) < hi_t]
        if in_force and not withdrawn and not closed and in_force[-1]["opened_by"] != "review" and (
                in_force[-1]["resolved_at"] is None or _at(in_force[-1]["resolved_at"]) >= hi_t):
            m["open_at_quarter_end"] += 1
        received = _at(record["received_at"])
        if received >= hi_t:
            continue
        if received >= lo_t:
            m["received"] += 1
            m["withdrawn"] += bool(withdrawn)
        # Each decision (not a review's) told in the period: a complaint of the period's first one is
        # counted as handled; any other (received before, or decided again after a reopen) as other_.
        decided = [c for c in cycles if c["resolved_at"] and c["opened_by"] != "review"]
        for n, cycle in enumerate(decided):
            told, opened = _at(cycle["resolved_at"]), _at(cycle["opened_at"])
            if not lo_t <= told < hi_t:
                continue
            prefix = "" if n == 0 and received >= lo_t else "other_"
            if cycle["regulatory_breached"]:
                m[prefix + "handled_late"] += 1
                continue
            extended = any(opened <= t <= told for t in when("extend"))
            if cycle["opened_at"] not in base_due:
                base_due[cycle["opened_at"]] = cli.json("calendar", "due", "--tier", "general", "--received-at",
                                                        cycle["opened_at"], "--json")["regulatory_due_at"]
            late_for_15 = told >= _at(base_due[cycle["opened_at"]])
            m[prefix + ("handled_within_extension" if extended and late_for_15 else "handled_within_15_days")] += 1
    return {b: m for b, m in out.items() if any(m.values())}


def test_the_quarterly_return_counts_what_the_regulator_asks(cli, tmp_path):
    _quarter(cli)
    cfg = tmp_path / "regions.toml"
    cfg.write_text(REGIONS, encoding="utf-8")
    rep = cli.json("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3", "--format", "json")
    assert rep["from"] == "2026-07-01T00:00:00+08:00" and rep["to"].startswith("2026-09-30T23:59:59")
    # The figures keep the standard's Chinese names; the tables name the codes in the output's language.
    from complaintctl.codes import CodeBook

    names = [(r["channel_code"], r["channel_name"]) for r in rep["by_channel"]] + [
        (r[f"{k}_code"], r[f"{k}_name"]) for r in rep["by_type_reason"] for k in ("business", "reason")]
    cli("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3", "--output", str(tmp_path / "q3.txt"))
    table = (tmp_path / "q3.txt").read_text(encoding="utf-8")  # (a file: every column whole)
    chinese = cli("--config", str(cfg), "--lang", "zh", "report", "regulatory", "--quarter", "2026Q3").stdout
    assert names and all(CodeBook().name(code, "en") in table and zh not in table and zh in chinese
                         for code, zh in names), table
    got = {r["branch"]: tuple(r[k] for k in MEASURES) for r in rep["by_branch"]}
    total = tuple(sum(v[i] for v in EXPECTED_Q3.values()) for i in range(len(MEASURES)))
    assert got == {**EXPECTED_Q3, "TOTAL": total}
    independent = _independent_count(cli, "2026-07-01T00:00:00+08:00", "2026-10-01T00:00:00+08:00")
    assert {b: tuple(m[k] for k in MEASURES) for b, m in independent.items()} == EXPECTED_Q3
    # Q4, where what came before is decided (June's case late, f's review changed), counted both ways.
    q4 = cli.json("report", "regulatory", "--quarter", "2026Q4", "--format", "json")["by_branch"]
    independent = _independent_count(cli, "2026-10-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
    assert {r["branch"]: tuple(r[k] for k in MEASURES) for r in q4 if r["branch"] != "TOTAL"} == {
        b: tuple(m[k] for k in MEASURES) for b, m in independent.items()}
    assert sum(m["other_handled_late"] + m["other_reviews_changed"] for m in independent.values()) == 2
    assert {r["branch"]: r["region"] for r in rep["by_branch"]} == {
        "BJ001": "北京", "BJ002": "北京", "SH001": "上海", "GZ001": "", "TOTAL": ""}
    regions = {r["region"]: tuple(r[k] for k in MEASURES) for r in rep["by_region"]}
    add = lambda *rows: tuple(map(sum, zip(*rows)))  # noqa: E731
    assert regions == {"上海": EXPECTED_Q3["SH001"], "北京": add(EXPECTED_Q3["BJ001"], EXPECTED_Q3["BJ002"]),
                       "": EXPECTED_Q3["GZ001"], "TOTAL": total}
    assert [r["region"] for r in rep["by_region"]] == ["上海", "北京", "", "TOTAL"]
    assert {(r["business_code"], r["reason_code"]): r["received"] for r in rep["by_type_reason"]} == {
        ("B08", "C04"): 8, ("B08", "C05"): 1, ("B02", "C11"): 1, ("B03", "C11"): 1}
    assert {r["channel_code"]: r["received"] for r in rep["by_channel"]} == {"A01032": 9, "A01033": 1, "A0101": 1}
    one = cli.json("report", "regulatory", "--quarter", "2026Q3", "--branch", "BJ002", "--format", "json")
    assert [r["branch"] for r in one["by_branch"]] == ["BJ002", "TOTAL"]
    assert tuple(one["by_branch"][0][k] for k in MEASURES) == EXPECTED_Q3["BJ002"]
    beijing = cli.json("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3", "--region", "北京",
                       "--format", "json")
    assert [r["branch"] for r in beijing["by_branch"]] == ["BJ001", "BJ002", "TOTAL"]
    assert [r["region"] for r in beijing["by_region"]] == ["北京", "TOTAL"] and beijing["region"] == "北京"
    # A return of one branch or one region says so: in its title, and in the workbook's notes.
    for args, title, zh_title, note in ((["--branch", "BJ002"], "Complaint return 2026Q3 (branch BJ002)",
                                         "2026Q3 投诉统计报表（网点 BJ002）", "网点 BJ002"),
                                        (["--region", "北京"], "Complaint return 2026Q3 (region 北京)",
                                         "2026Q3 投诉统计报表（地区 北京）", "地区 北京")):
        scoped = ["--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3", *args]
        assert cli(*scoped).stdout.startswith(title + "  Received from 2026-07-01")
        assert cli("--lang", "zh", *scoped).stdout.startswith(zh_title)
        cli(*scoped, "--format", "xlsx", "--output", str(tmp_path / "scoped.xlsx"))
        from openpyxl import load_workbook

        notes = {r[0]: r[1] for r in load_workbook(tmp_path / "scoped.xlsx")["说明"].iter_rows(values_only=True)}
        assert notes["统计范围"] == note and "地区范围" not in notes and "网点范围" not in notes
    rows = list(csv.DictReader(io.StringIO(cli("--config", str(cfg), "report", "regulatory", "--quarter", "2026q3",
                                               "--format", "csv").stdout)))
    assert {"quarter": "2026Q3", "table": "branch", "branch": "TOTAL", "measure": "received", "value": "11"}.items() \
        <= next(r for r in rows if r["branch"] == "TOTAL" and r["measure"] == "received").items()
    assert {(r["name"], r["measure"]): r["value"] for r in rows if r["table"] == "region"}[("北京", "repeat")] == "3"
    table = cli("--config", str(cfg), "--lang", "zh", "report", "regulatory", "--quarter", "2026Q3").stdout
    assert "各地区处理情况" in table and "（未划分地区）" in table
    # Drawn as tables into a file: every table in the file, nothing on stdout (it had all gone to stdout).
    drawn = tmp_path / "return.txt"
    assert cli("--config", str(cfg), "--lang", "zh", "report", "regulatory", "--quarter", "2026Q3",
               "--output", str(drawn)).stdout == ""
    text = drawn.read_text(encoding="utf-8")
    assert text.splitlines()[0] == table.splitlines()[0] and "各地区处理情况" in text and "（未划分地区）" in text


def test_the_return_as_it_stood_at_the_end_of_an_earlier_quarter_and_repeats_where_they_arrived(cli):
    """Q2 holds only the case received in June: open at its end, though later restarted and decided;
    its repeat (the new facts of July) is Q3's, in the return as in `report summary`."""
    _quarter(cli)
    rep = cli.json("report", "regulatory", "--quarter", "2026Q2", "--format", "json")
    got = {r["branch"]: {k: v for k, v in r.items() if v and k not in ("branch", "region")} for r in rep["by_branch"]}
    assert got == {"BJ002": {"received": 1, "open_at_quarter_end": 1}, "TOTAL": {"received": 1, "open_at_quarter_end": 1}}
    q4 = cli.json("report", "regulatory", "--quarter", "2026Q4", "--format", "json")["by_branch"]
    # What happened in Q4 for Q4's complaints: d's second repeat, the case received in October (open),
    # and d still open; and what Q4 decided of what came before it: June's case, restarted in July,
    # decided late in Q4, and f's review, asked for in Q3, changed in Q4. (h, withdrawn in Q4, was
    # received in Q3: a withdrawal is its own period's.)
    got = {r["branch"]: {k: v for k, v in r.items() if v and k not in ("branch", "region")} for r in q4}
    assert got == {"BJ001": {"received": 1, "repeat": 1, "open_at_quarter_end": 2},
                   "BJ002": {"other_handled_late": 1}, "SH001": {"other_reviews_changed": 1},
                   "TOTAL": {"received": 1, "repeat": 1, "open_at_quarter_end": 2, "other_handled_late": 1,
                             "other_reviews_changed": 1}}
    # One definition of a repeat complaint (reports.repeat_complaints): counted in the period it
    # arrived, under its original's branch, whenever the original was received. The return and
    # `report summary` agree on it, period by period: the case received in June repeats (new facts)
    # in July, d repeats in September and again in October.
    for first, last, quarter, expected in (("2026-04-01", "2026-06-30", "2026Q2", {}),
                                           ("2026-07-01", "2026-09-30", "2026Q3", {"BJ001": 2, "BJ002": 1}),
                                           ("2026-10-01", "2026-12-31", "2026Q4", {"BJ001": 1})):
        rows = cli.json("report", "regulatory", "--quarter", quarter, "--format", "json")["by_branch"]
        in_return = {r["branch"]: r["repeat"] for r in rows if r["repeat"] and r["branch"] != "TOTAL"}
        summary = cli.json("report", "summary", "--from", first, "--to", last, "--by", "branch", "--format", "json")
        in_summary = {r["branch"]: r["repeats"] for r in summary["rows"] if r["repeats"]}
        assert in_return == in_summary == expected, quarter


def test_an_appraisal_s_days_do_not_turn_a_decision_within_15_days_into_one_within_an_extension(cli):
    """Received 07-01, appraised 07-02 to 07-20 (18 days not counted: the 15 days run out on 08-04),
    extended to 30 days, told 07-25: within the 15 days, as README defines them; told 08-06: within
    the extension. The return counted the 15 days from the opening only, appraisal or not."""
    cli.staff()
    cli("staff", "add", "wubin", "--role", "manager", "--branch", "BR9")
    told = {}
    for ref_day, told_at in (("01", "2026-07-25T10:00"), ("01", "2026-08-06T10:00")):
        ref = cli.log("--branch", "BR9", received=f"2026-07-{ref_day}T10:00")
        cli("assign", ref, "--to", "wangfang", "--at", "2026-07-01T11:00")
        cli("pause", ref, "--reason", "appraisal", "--at", "2026-07-02T10:00")
        cli("resume", ref, "--at", "2026-07-20T10:00")
        cli("--as", "wubin", "extend", ref, "--to", "30", "--reason", "需调取录音", "--customer-told-at",
            "2026-07-22T10:00", "--at", "2026-07-22T10:00")
        cli("resolve", ref, "--resolution", "退还", "--at", told_at)
        told[ref] = told_at
    row = cli.json("report", "regulatory", "--quarter", "2026Q3", "--branch", "BR9", "--format", "json")["by_branch"][0]
    assert (row["handled_within_15_days"], row["handled_within_extension"], row["handled_late"]) == (1, 1, 0)


def test_a_bad_regions_table_is_refused_on_load_and_an_unknown_region_named(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[regions]\nBJ001 = ""\n', encoding="utf-8")
    assert "regions.BJ001: expected the name of the branch's region" in cli.fails("--config", str(cfg), "choices")
    cfg.write_text('[regions]\nBJ001 = 3\n', encoding="utf-8")
    assert "got 3" in cli.fails("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3")
    cfg.write_text('regions = "北京"\n', encoding="utf-8")
    assert "regions must be a table of branch" in cli.fails("--config", str(cfg), "choices")
    cfg.write_text(REGIONS, encoding="utf-8")
    shown = {r["key"]: r["value"] for r in cli.json("--config", str(cfg), "config", "show", "--format", "json")}
    assert shown["regions.SH001"] == "上海"
    err = cli.fails("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3", "--region", "广东")
    assert "invalid --region '广东'" in err and "上海, 北京" in err
    assert "--region and --branch together" in cli.fails("--config", str(cfg), "report", "regulatory", "--quarter",
                                                         "2026Q3", "--region", "北京", "--branch", "BJ001")


def test_the_quarterly_xlsx_read_back_agrees_with_the_database_figure_by_figure(cli, tmp_path):
    from openpyxl import load_workbook

    _quarter(cli)
    cfg = tmp_path / "regions.toml"
    cfg.write_text(REGIONS, encoding="utf-8")
    out = tmp_path / "2026Q3.xlsx"
    cli("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q3", "--format", "xlsx", "--output", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["按业务类型和投诉原因", "按业务办理渠道", "各网点处理情况", "各地区处理情况", "说明"]
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
    assert seen == sum(db.values()) == 11
    channels = {r[0]: r[2] for r in book["按业务办理渠道"].iter_rows(min_row=2, values_only=True) if r[0]}
    db_channels = {}
    for channel, n in cli.sql("select channel, count(*) from cases where received_at >= :lo and received_at < :hi "
                              "group by channel", lo=lo, hi=hi):
        db_channels[M["channel"][channel]] = db_channels.get(M["channel"][channel], 0) + n
    # A class's figure holds its subclasses' (the sheet said 前台业务渠道 0 with 电话 9 under it).
    leaves = [k for k in channels if not any(o != k and o.startswith(k) for o in channels)]
    assert {k: channels[k] for k in leaves if channels[k]} == db_channels
    assert channels["A0103"] == sum(v for k, v in db_channels.items() if k.startswith("A0103"))
    assert channels["A01"] == sum(v for k, v in db_channels.items() if k.startswith("A01")) > 0
    assert channels["A01"] + channels["A02"] == sum(db_channels.values()) == \
        next(r[2] for r in book["按业务办理渠道"].iter_rows(min_row=2, values_only=True) if r[1] == "合计")
    handling = book["各网点处理情况"]
    assert handling.freeze_panes == "A2"
    assert [c.value for c in handling[1]] == [
        "网点", "地区", "受理量", "15日内办结", "延期内办结", "超期办结", "撤回", "重复投诉", "申请核查", "核查维持",
        "核查变更", "核查未结", "期末未结", "其他15日内办结", "其他延期内办结", "其他超期办结", "其他核查维持", "其他核查变更"]
    by_branch = {r[0]: r[1:] for r in handling.iter_rows(min_row=2, values_only=True)}
    assert all(isinstance(v, int) for row in by_branch.values() for v in row[1:])
    independent = _independent_count(cli, "2026-07-01T00:00:00+08:00", "2026-10-01T00:00:00+08:00")
    assert {b: v[1:] for b, v in by_branch.items() if b != "合计"} == {
        b: tuple(m[k] for k in MEASURES) for b, m in independent.items()}
    assert {b: v[0] for b, v in by_branch.items()} == {"BJ001": "北京", "BJ002": "北京", "SH001": "上海",
                                                       "GZ001": "（未划分地区）", "合计": None}
    assert by_branch["合计"][1:] == tuple(sum(v[i] for b, v in by_branch.items() if b != "合计")
                                        for i in range(1, len(MEASURES) + 1))
    by_region = {r[0]: r[1:] for r in book["各地区处理情况"].iter_rows(min_row=2, values_only=True)}
    assert by_region["北京"] == tuple(a + b for a, b in zip(by_branch["BJ001"][1:], by_branch["BJ002"][1:]))
    assert by_region["合计"] == by_branch["合计"][1:] and by_region["（未划分地区）"] == by_branch["GZ001"][1:]
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["季度"] == "2026Q3" and notes["统计范围"] == "全部网点"


def test_the_quarterly_return_refuses_bad_input(cli, tmp_path):
    cli.staff()
    assert "invalid --quarter '2026Q5'" in cli.fails("report", "regulatory", "--quarter", "2026Q5")
    assert "invalid --format 'pdf'" in cli.fails("report", "regulatory", "--quarter", "2026Q3", "--format", "pdf")
    assert "--format xlsx needs --output FILE.xlsx" in cli.fails("report", "regulatory", "--quarter", "2026Q3",
                                                                 "--format", "xlsx")
    assert "--quarter and --month were both given" in cli.fails("report", "regulatory", "--quarter", "2026Q4",
                                                                "--month", "2026-10")
    assert "missing --quarter (such as 2026Q3) or --month" in cli.fails("report", "regulatory")
    # A board report of a month not begun, or not over, says so as the return does.
    import datetime as dt
    from zoneinfo import ZoneInfo

    this_month = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # (the month the test runs in)
    assert "2099-03 has not begun (it starts on 2099-03-01)" in cli("report", "monthly", "--month", "2099-03",
                                                                    "--format", "json").stderr
    assert "these are its figures so far" in cli("report", "monthly", "--month", this_month, "--format", "json").stderr
    assert cli("report", "monthly", "--month", "2026-10", "--format", "json").stderr == ""
    # A period with nothing: every section drawn with its header, nothing on stderr (a line holding
    # one space went there, and the sections without rows were left out).
    empty = cli("report", "regulatory", "--quarter", "2025Q1")
    assert empty.stderr == "" and "Received by channel\n" in empty.stdout and "Handling by region" in empty.stdout
    # A mistyped branch: "did you mean", not a return of zeros that looks valid (both ways).
    cli.log("--branch", "BJ001", received="2026-07-02T10:00")
    assert "did you mean BJ001" in cli.fails("report", "regulatory", "--quarter", "2026Q3", "--branch", "BJ01")
    from complaintctl_cli import lean
    from tests.conftest import RUN

    with RUN.isolation():  # the lean way leaves it to the full way, which asks
        assert lean.run(["--db", str(cli.db), "report", "regulatory", "--quarter", "2026Q3", "--branch", "BJ01"]) is False
        assert lean.run(["--db", str(cli.db), "report", "regulatory", "--quarter", "2026Q3", "--branch", "BJ001"])


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
    assert (m["month"], m["previous_month"], m["received"]) == ("2026-07", "2026-06", 6)
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
    reviews = ("reviews_requested", "reviews_upheld", "reviews_changed", "reviews_pending", "other_reviews_upheld",
               "other_reviews_changed")
    assert m["reviews"] == [{"branch": r["branch"], **{k: r[k] for k in reviews}} for r in month_return["by_branch"]]
    assert sum(m["trend"]["product"].get(p, [0])[-1] for p in m["trend"]["product"]) == m["received"] == \
        next(r for r in month_return["by_branch"] if r["branch"] == "TOTAL")["received"]
    by_product = cli.json("report", "summary", "--from", "2026-07-01", "--to", "2026-07-31", "--by", "product",
                          "--format", "json")["rows"]
    assert {p: s[-1] for p, s in m["trend"]["product"].items() if s[-1]} == {
        r["product"]: r["received"] for r in by_product if r["received"]}
    august = cli.json("report", "monthly", "--month", "2026-08", "--format", "json")
    assert {r["branch"]: tuple(r[k] for k in reviews) for r in august["reviews"]} == {
        "BJ001": (0, 0, 0, 0, 0, 0), "BJ002": (1, 1, 0, 0, 0, 0), "TOTAL": (1, 1, 0, 0, 0, 0)}
    september = cli.json("report", "monthly", "--month", "2026-09", "--format", "json")
    assert next(r for r in september["reviews"] if r["branch"] == "SH001")["reviews_pending"] == 1
    # ... and decided (changed) on 10-10: October's page has it, among the reviews asked for earlier.
    october = cli.json("report", "monthly", "--month", "2026-10", "--format", "json")
    assert next(r for r in october["reviews"] if r["branch"] == "SH001") == {
        "branch": "SH001", "reviews_requested": 0, "reviews_upheld": 0, "reviews_changed": 0, "reviews_pending": 0,
        "other_reviews_upheld": 0, "other_reviews_changed": 1}
    page = cli("--lang", "zh", "report", "monthly", "--month", "2026-10").stdout
    assert "此前申请：核查变更" in page and "此前申请、本月作出核查决定的核查" in page
    december = cli.json("report", "monthly", "--month", "2026-12", "--format", "json")
    assert [a["id"] for a in december["actions_due"]] == [1]
    assert december["actions_due"] == cli.json("action", "list", "--format", "json")

    out = tmp_path / "report.html"
    cli("--lang", "zh", "report", "monthly", "--month", "2026-07", "--output", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http://www.w3.org/2000/svg" in html
    assert "2026-07 消费投诉管理月报" in html and "本月受理投诉 6 件（上月 1 件）" in html
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
    assert "Complaints management report 2026-07" in en and "Complaints received this month: 6" in en


def test_the_monthly_report_compares_with_the_previous_calendar_month(cli):
    """March against February (1-28 Feb), not against the 31 days before March (29 Jan - 28 Feb):
    the case of 30 January is January's; both ways."""
    cli.staff()
    cli.log("--category", "fees", received="2026-01-30T10:00")
    cli.log("--category", "fees", received="2026-02-10T10:00")
    cli.log("--category", "fees", received="2026-03-05T10:00")
    for way in ("full", "lean"):
        if way == "full":
            march = cli.json("report", "monthly", "--month", "2026-03", "--format", "json")
        else:
            from complaintctl_cli import lean
            from tests.conftest import RUN

            with RUN.isolation() as (out, _, _):
                assert lean.run(["--db", str(cli.db), "report", "monthly", "--month", "2026-03", "--format", "json"])
                march = json.loads(out.getvalue())
        assert march["previous_month"] == "2026-02" and march["received_previous"] == 1, way
        assert [(r["category"], r["received"], r["previous"]) for r in march["top_reasons"]] == [("fees", 1, 1)], way


def test_the_monthly_report_refuses_a_bad_month(cli):
    assert "invalid --month '2026-13'" in cli.fails("report", "monthly", "--month", "2026-13")
    assert "invalid --format 'pdf'" in cli.fails("report", "monthly", "--month", "2026-07", "--format", "pdf")



def test_a_minute_s_appraisal_buys_no_day(cli):
    """The examiner's case: received Thu 03-05 (the 15 days end Fri 03-20), appraised one minute on
    03-10: the deadline stays Fri 03-20 (rounding the minute up to a day moved it to Mon 03-23)."""
    cli.staff()
    ref = cli.log(received="2026-03-05T09:00")
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-05T09:30")
    cli("pause", ref, "--reason", "appraisal", "--at", "2026-03-10T10:00")
    cli("resume", ref, "--at", "2026-03-10T10:01")
    assert cli.json("show", ref, "--json")["case"]["regulatory_due_at"] == "2026-03-21T00:00:00+08:00"
    other = cli.log(received="2026-03-05T09:00")
    cli("pause", other, "--reason", "appraisal", "--at", "2026-03-09T10:00")
    cli("resume", other, "--at", "2026-03-11T12:00")  # two days and two hours: two days
    assert cli.json("show", other, "--json")["case"]["regulatory_due_at"] == "2026-03-24T00:00:00+08:00"


def test_a_return_for_a_period_not_yet_over_says_so(cli):
    """A quarter still running is its figures so far, and one not begun counts nothing: each says
    so on stderr (the lean way and the full way alike); an ended quarter says nothing."""
    from tests.cli.test_lean_overdue import _run

    cli.log()
    for lean_way in (True, False):
        code, out, err = _run(["--db", str(cli.db), "report", "regulatory", "--quarter", "2099Q1", "--format", "json"],
                              lean_way=lean_way)
        assert code == 0 and err.decode().startswith("warning: 2099Q1 has not begun (it starts on 2099-01-01)")
        code, out, err = _run(["--db", str(cli.db), "report", "regulatory", "--quarter", "2020Q1", "--format", "json"],
                              lean_way=lean_way)
        assert code == 0 and err == b""
    import datetime as dt

    now = dt.date.today()
    running = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    err = cli("--lang", "zh", "report", "regulatory", "--quarter", running).stderr
    assert f"{running} 至 " in err and "截至目前的数据" in err


def test_what_a_period_decides_of_what_came_before_it_is_that_period_s(cli):
    """The examiner's case: a complaint of June restarted by new facts in July (its deadline then 07-30)
    and decided late on 10-15 is open at the end of Q3 and handled late in Q4; a review asked for on
    09-25 and upheld on 10-10 is pending at the end of Q3 and upheld in Q4. Nothing decided late
    disappears by crossing a quarter's end."""
    cli.staff()
    old = cli.log(received="2026-06-20T10:00")
    cli("log", "--repeat-of", old, "--new-facts", "--channel", "hotline", "--description", "补充新情况",
        "--received-at", "2026-07-15T10:00")
    reviewed = cli.log(received="2026-09-01T10:00")
    cli("resolve", reviewed, "--resolution", "解释", "--at", "2026-09-08T10:00")
    cli("review", reviewed, "--requested-at", "2026-09-25T10:00", "--reviewer", "sunli")
    again = cli.log(received="2026-09-10T10:00")  # decided on time, reopened, decided again late in Q4
    cli("resolve", again, "--resolution", "解释", "--at", "2026-09-12T10:00")
    cli("reopen", again, "--reason", "客户不认可", "--at", "2026-09-20T10:00")
    q3 = cli.json("report", "regulatory", "--quarter", "2026Q3", "--format", "json")["by_branch"][-1]
    assert (q3["open_at_quarter_end"], q3["reviews_pending"], q3["handled_within_15_days"]) == (2, 1, 2)
    cli("resolve", old, "--resolution", "退还", "--at", "2026-10-15T10:00")
    cli("resolve", again, "--resolution", "退还", "--at", "2026-10-30T10:00")
    cli("--as", "sunli", "review-decide", reviewed, "--outcome", "upheld", "--text", "维持", "--at", "2026-10-10T10:00")
    q4 = cli.json("report", "regulatory", "--quarter", "2026Q4", "--format", "json")["by_branch"][-1]
    assert (q4["other_handled_late"], q4["other_reviews_upheld"], q4["received"]) == (2, 1, 0)
    assert q4["other_handled_within_15_days"] == q4["other_handled_within_extension"] == 0
    q3_again = cli.json("report", "regulatory", "--quarter", "2026Q3", "--format", "json")["by_branch"][-1]
    assert q3_again["other_handled_late"] == 0 and q3_again["handled_within_15_days"] == 2  # the September ones
    table = cli("--lang", "zh", "report", "regulatory", "--quarter", "2026Q4").stdout
    assert "各网点本期其他办结" in table


def test_a_review_pending_across_quarters_is_pending_in_each_and_a_withdrawn_one_is_not(cli):
    """The examiner's cases: a review asked for on 09-10 and still undecided is pending at the end
    of Q3 and of Q4 (it used to drop out of every return after Q3's, while report overdue listed it
    late); a complaint decided, taken to review and then withdrawn is handled once, neither pending
    nor withdrawn besides."""
    cli.staff()
    waiting = cli.log(received="2026-09-01T10:00")
    cli("resolve", waiting, "--resolution", "解释", "--at", "2026-09-08T10:00")
    cli("review", waiting, "--requested-at", "2026-09-10T10:00", "--reviewer", "sunli")
    dropped = cli.log(received="2026-10-01T10:00")
    cli("resolve", dropped, "--resolution", "解释", "--at", "2026-10-09T10:00")
    cli("review", dropped, "--requested-at", "2026-10-12T10:00", "--reviewer", "sunli")
    cli("withdraw", dropped, "--reason", "客户撤回复核申请", "--at", "2026-10-15T10:00")
    figures = lambda q: cli.json("report", "regulatory", "--quarter", q, "--format", "json")["by_branch"][-1]  # noqa: E731
    q3, q4 = figures("2026Q3"), figures("2026Q4")
    assert (q3["reviews_requested"], q3["reviews_pending"]) == (1, 1)
    assert (q4["reviews_requested"], q4["reviews_pending"]) == (1, 1)  # the September one, still waiting
    assert (q4["received"], q4["handled_within_15_days"], q4["withdrawn"]) == (1, 1, 0)
    month = cli.json("report", "monthly", "--month", "2026-10", "--format", "json")
    assert month["reviews"][-1]["reviews_pending"] == 1
    # The lean way (the statements compiled to text) counts alike.
    from tests.cli.test_lean_overdue import _run

    code, out, _ = _run(["--db", str(cli.db), "report", "regulatory", "--quarter", "2026Q4", "--format", "json"],
                        lean_way=True)
    assert code == 0 and json.loads(out)["by_branch"][-1] == q4
