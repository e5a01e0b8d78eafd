"""With --lang zh an error is Chinese throughout: the whole line, apart from option names, command
names and the values the user gave, with the documented exit code and nothing written."""
import pytest

from tests.unit.test_error_keys import CJK, english_words

pytestmark = pytest.mark.sqlite_only  # the words are the library's, whichever backend: one is enough


def _chinese(err: str, *values: str) -> str:
    line = err.removeprefix("complaintctl: error: ")
    for value in values:
        line = line.replace(value, " ")
    assert CJK.search(line) and not english_words(line), err
    return line


@pytest.mark.parametrize("args, value, needle", [
    (["report", "regulatory", "--quarter", "2026Q5"], "2026Q5", "--quarter 的值 '2026Q5' 无效：应为季度，如 2026Q3"),
    (["note", "C-2026-000001", "x", "--at", "yesterday"], "yesterday", "--at 的值 'yesterday' 无效：应为时间，如 2026-03-18 14:30"),
    (["log", "--channel", "hotline", "--phone", "12345", "--description", "x"], "12345", "无效：应为中国大陆手机号"),
    (["log", "--channel", "wechat", "--phone", "13812345678", "--description", "x"], "wechat",
     "渠道的值 'wechat' 无效：应为以下之一：hotline（客服热线）、"),
    (["escalate", "C-2026-000001", "--to", "general", "--reason", "x"], "general", "高于「一般投诉」的等级：重要投诉、紧急投诉"),
    (["close", "C-2026-000001", "--satisfaction", "satisfied"], "", "案件当前状态为「已受理」，不能执行「关闭」"),
])
def test_bad_input_is_said_in_chinese(cli, args, value, needle):
    cli.log()
    err = cli.fails("--lang", "zh", *args)
    assert needle in err
    _chinese(err, value)


def test_a_missing_database_is_said_in_chinese(cli, tmp_path):
    typo = tmp_path / "brnach.db"
    r = cli("--lang", "zh", "--db", str(typo), "report", "overdue", expect=1)
    err = r.stderr.strip()
    assert err.count("\n") == 0 and f"未找到数据库：{typo} 不存在" in err
    _chinese(err, str(typo))
    assert not typo.exists()


def test_a_backup_onto_an_existing_file_is_said_in_chinese(cli, tmp_path):
    cli.log()
    target = tmp_path / "nightly.db"
    target.write_bytes(b"")
    err = cli.fails("--lang", "zh", "db", "backup", str(target))
    assert f"备份文件 {target} 已存在" in err
    _chinese(err, str(target))
    assert target.read_bytes() == b""


def test_an_unknown_config_value_is_said_in_chinese(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[tiers.general]\nworking_days = "ten"\n', encoding="utf-8")
    r = cli("--lang", "zh", "--config", str(cfg), "list", expect=2)
    err = r.stderr.strip()
    assert "配置项 tiers.general.working_days：应为 1 至 60 的整数" in err, err
    _chinese(err, str(cfg), '"ten"', "'ten'")


def test_what_the_administration_commands_say_is_chinese(cli, tmp_path):
    """Success lines and warnings too: staff add and deactivate, db check, db upgrade, db backup,
    export to a file; each line Chinese apart from names, paths and numbers."""
    def said(*args, values=()):
        r = cli("--lang", "zh", *args)
        for line in (r.stdout + r.stderr).strip().splitlines():
            _chinese(line, *values)
        return r

    said("staff", "add", "wangfang", "--role", "staff", values=("wangfang",))
    ref = cli.log()
    cli("assign", ref, "--to", "wangfang")
    r = said("staff", "deactivate", "wangfang", values=("wangfang", "complaintctl list --assignee"))
    assert "注意：仍有 1 件未结案件分派给 wangfang" in r.stderr
    said("db", "check", values=("ok",))
    assert said("db", "upgrade", values=("0020",)).stdout.startswith("已是版本")
    backup = tmp_path / "copy.db"
    said("db", "backup", str(backup), values=(str(backup), "ok"))
    out = tmp_path / "out.csv"
    assert "已导出" in said("export", "--format", "csv", "--output", str(out), values=(str(out),)).stderr


def test_what_the_tool_itself_wrote_in_a_timeline_reads_in_chinese(cli, tmp_path):
    """The details the tool writes into events (an import's row, an automatic escalation, a purge,
    a reveal, a letter) are stored in English, as the chain covers them; show's timeline words them
    in the operator's language, and leaves an operator's own words as they are."""
    cli.staff()
    src = tmp_path / "old.csv"
    src.write_text("received_at,channel,description,phone,closed_at\n"
                   "2026-03-02T10:00,letter,旧投诉,13812345678,2026-03-04T10:00\n", encoding="utf-8")
    cli("import", str(src))
    ref = cli.log(received="2026-03-02T10:00")
    cli("note", ref, "personal data shown in full by show --reveal", "--at", "2026-03-02T11:00")  # an operator's words
    cli("escalate", "--overdue", "--as-of", "2026-03-06T10:00")
    cli("--as", "zhangwei", "show", ref, "--reveal")
    cli("db", "purge", "--closed-before", "2026-04-01")
    zh = {r: cli("--lang", "zh", "show", r).stdout for r in ("C-2026-000001", ref)}
    acted = cli.log(received="2026-03-03T10:00")
    cli("--as", "wangfang", "note", acted, "回访", "--at", "2026-03-03T12:00")  # the administrator acting for staff
    shown = cli("--lang", "zh", "show", acted).stdout
    actors = "".join(line.split("│")[2].strip() for line in shown.splitlines() if line.count("│") >= 4)
    assert f"{cli.admin}（代 wangfang）" in actors and " as " not in actors, actors
    assert "从 old.csv 第 1 行导入" in zh["C-2026-000001"]
    assert "个人信息已匿名化：2026-04-01 前结案" in zh["C-2026-000001"]
    # The detail folds inside its cell: the timeline's last column, line by line, put together.
    flat = "".join(line.split("│")[-2].strip() for line in zh[ref].splitlines() if line.count("│") >= 2)
    assert "自动升级：截至2026-03-0610:00已超时，一般投诉升为重要投诉" in flat.replace(" ", ""), flat  # (wherever it folds)
    assert "以 show --reveal 显示完整个人信息" in zh[ref]
    assert "personal data shown in full by show --reveal" in zh[ref]  # the note, as typed
    en = cli("show", "C-2026-000001").stdout
    assert "imported from old.csv row 1" in en
    # JSON keeps the stored text: a program reads what the chain holds.
    events = cli.json("--lang", "zh", "show", "C-2026-000001", "--json")["events"]
    assert events[0]["detail"] == "imported from old.csv row 1"


def test_the_timeline_names_every_field_it_shows_in_chinese(cli):
    cli.staff()
    ref = cli.log("--id-number", "110105199001010029", "--agent", "李四", "--agent-authority", "WT-001")
    cli("--as", "wangfang", "extend", ref, "--to", "30", "--request", "--reason", "复杂")
    out = cli("--lang", "zh", "show", ref).stdout
    for raw in ("agent_authority：", "agent_name：", "id_number：", "id_type：", "to："):
        assert raw not in out, raw
    assert "授权委托书：WT-001" in out and "延长至（日）：30" in out and "证件类型：居民身份证" in out
