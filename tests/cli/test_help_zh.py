"""Help in Chinese: every command, group, option and argument has its Chinese text, and --lang zh
(or the config's lang, or a Chinese locale) shows it, without breaking the Example lines."""
import re
import unicodedata

import pytest
import typer

from complaintctl import labels
from complaintctl_cli import helptext
from complaintctl_cli.main import make_app
from tests.conftest import RUN


def _tree():
    root = typer.main.get_command(make_app())
    helptext.apply(root, "en")
    return root


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _has_chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def test_every_command_option_and_argument_with_english_help_has_its_chinese_text():
    missing = []
    for path, cmd in helptext.walk(_tree()):
        if cmd._help_en and helptext.chinese(path, cmd._help_en) is None:
            missing.append(helptext.help_key(path) or "(top level)")
        for param in cmd.params:
            if param._help_en and helptext.chinese(path, param._help_en, param) is None:
                missing.append(helptext.help_key(path, param))
    assert not missing, "no Chinese help in complaintctl/labels.py HELP_ZH for: " + ", ".join(missing)


def test_no_chinese_help_is_left_for_a_command_or_parameter_that_does_not_exist():
    keys = set()
    for path, cmd in helptext.walk(_tree()):
        keys.add(helptext.help_key(path))
        keys.update(helptext.help_key(path, p) for p in cmd.params)
    assert not sorted(set(labels.HELP_ZH) - keys)


def test_chinese_command_help_is_chinese_and_keeps_no_example_of_its_own():
    for key, text in labels.HELP_ZH.items():
        assert _has_chinese(text), key
        assert "Example:" not in text, key  # the English Example lines are appended as they are


def _help(*args, columns="80", **env):
    result = RUN([*args, "--help"], env={"COLUMNS": columns, **env})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_lang_zh_log_help_is_chinese_with_its_examples_whole_at_80_columns():
    out = _help("--lang", "zh", "log")
    assert out.startswith("用法：complaintctl log [OPTIONS]")
    assert "登记一件新投诉并显示其编号" in out and "选项：" in out
    assert "客户电子邮件地址。" in out and "显示本帮助并退出。" in out and "[必填]" in out
    examples = [line for line in out.splitlines() if "Example:" in line]
    assert len(examples) == 2 and "--description \"理财产品风险未充分揭示\"" in examples[0]
    assert "Record a new complaint" not in out and "Customer's e-mail" not in out
    for line in out.splitlines():
        assert "Example:" in line or _columns(line) <= 80, line


def test_lang_zh_report_overdue_help_is_chinese_after_other_global_options():
    out = _help("--db", "x.db", "--lang=zh", "report", "overdue")
    assert "所有超过内部时限或监管时限的未办结案件" in out
    assert "Example: complaintctl report overdue --fail-on-overdue --format csv --output overdue.csv" in out
    assert "有任何案件逾期时以退出码 3 退出" in out and "[默认：table]" in out
    for line in out.splitlines():
        assert "Example:" in line or _columns(line) <= 80, line


def test_lang_zh_top_level_help_lists_every_command_and_option_in_chinese():
    out = _help("--lang", "zh")
    assert "登记、跟踪和统计银行客户投诉" in out and "命令：" in out
    assert "分派" in out and "en 或 zh" in out
    assert "Example: complaintctl --db demo.db demo && complaintctl --db demo.db list" in out
    commands = out.split("命令：", 1)[1].strip().splitlines()
    assert all(_has_chinese(line) for line in commands), commands


def test_a_group_help_is_chinese():
    out = _help("--lang", "zh", "staff", columns="200")
    assert "登记和列出处理投诉的员工" in out and "add" in out and "登记员工及其角色" in out


@pytest.mark.parametrize("env", [{"LANG": "zh_CN.UTF-8"}, {"LC_ALL": "zh_CN.UTF-8"}])
def test_a_chinese_locale_gives_chinese_help(env):
    assert "将案件分派给角色与投诉等级相符的员工" in _help("assign", **env)


def test_the_config_file_lang_gives_chinese_help_and_lang_en_wins_over_it(tmp_path):
    config = tmp_path / "zh.toml"
    config.write_text('lang = "zh"\n', encoding="utf-8")
    assert "将案件分派给" in _help("--config", str(config), "assign")
    assert "将案件分派给" in _help("assign", COMPLAINTCTL_CONFIG=str(config))
    assert "Hand a case to a member of staff" in _help("--lang", "en", "--config", str(config), "assign")


def test_english_help_is_unchanged_after_a_chinese_one():
    _help("--lang", "zh", "resolve")
    out = _help("resolve", columns="200")
    assert "Usage: complaintctl resolve [OPTIONS]" in out and "Record the decision and that the customer" in out
    assert "Options:" in out and "Show this message and exit." in out and "用法" not in out
    example = next(line for line in out.splitlines() if "Example:" in line)
    assert "--root-cause fees" in example


def test_a_broken_config_file_gives_english_help_not_an_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("lang = \n", encoding="utf-8")
    assert "Hand a case to a member of staff" in _help("--config", str(config), "assign")


def test_chinese_wrapping_counts_two_columns_a_character_and_keeps_punctuation_and_marks():
    text = helptext.fill("投诉渠道：hotline、online_banking、mobile_app、其他（也可填中文名称）。 [必填]", 20)
    lines = text.splitlines()
    assert all(helptext.width(line) <= 20 for line in lines), lines
    assert not any(line[:1] in "，。、；：）" for line in lines) and "[必填]" in lines[-1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_example_kept_in_labels_is_shown_under_its_command_in_both_languages(lang):
    """labels.HELP_EXAMPLES holds the Example lines with Chinese values; a key naming no command
    would drop them silently."""
    for key, examples in labels.HELP_EXAMPLES.items():
        out = _help("--lang", lang, *key.split(), columns="200")
        shown = [line.strip() for line in out.splitlines() if "Example:" in line]
        for example in examples:
            assert f"Example: {example}" in shown, (key, example)
