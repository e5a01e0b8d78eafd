"""Chinese at the counter, help for every command, completion and the guided first run."""
import tomllib

import pytest
import typer

from complaintctl_cli import helptext
from complaintctl_cli.main import app


def _commands(group: typer.Typer, prefix=()):
    from typer.main import get_command

    root = get_command(group)

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, path + (name,))
        else:
            yield path, cmd

    yield from walk(root, prefix)


ALL_COMMANDS = sorted(" ".join(p) for p, _ in _commands(app))


@pytest.mark.parametrize("path", ALL_COMMANDS)
def test_every_command_has_a_summary_and_an_example(path):
    cmds = dict((" ".join(p), c) for p, c in _commands(app))
    shown = helptext.with_examples(cmds[path].help, path)  # with the Example lines labels.py keeps for it
    assert shown and shown.strip().splitlines()[0].endswith("."), path
    assert "Example: complaintctl" in shown, path


def test_chinese_choices_are_accepted_by_every_command_that_takes_one(cli):
    cli.staff()
    ref = cli("log", "--channel", "营业网点", "--product", "代理保险", "--category", "误导销售", "--tier", "重要",
              "--phone", "13812345678", "--description", "误导购买保险", "--received-at", "2026-03-02T10:00").stdout.strip()
    case = cli.json("show", ref, "--json")["case"]
    assert (case["channel"], case["product"], case["category"], case["tier"]) == \
        ("branch_counter", "insurance_agency", "misselling", "important")
    cli("escalate", ref, "--to", "紧急", "--reason", "媒体关注", "--at", "2026-03-02T12:00")
    cli("pause", ref, "--reason", "补充材料", "--at", "2026-03-02T13:00")
    cli("resume", ref, "--at", "2026-03-02T14:00")
    cli("resolve", ref, "--resolution", "全额退保", "--root-cause", "营销", "--notified-via", "电话", "--at", "2026-03-03T10:00")
    case = cli.json("close", ref, "--satisfaction", "满意", "--at", "2026-03-03T11:00", "--json")
    assert (case["root_cause"], case["notified_via"], case["satisfaction"]) == ("misselling", "phone", "satisfied")
    assert cli.json("list", "--all", "--status", "已关闭", "--format", "json")[0]["reference"] == ref
    cli("staff", "add", "lisi", "--role", "高管")


def test_an_unknown_chinese_value_gets_the_same_error_as_english(cli):
    cli.log()
    zh = cli.fails("log", "--channel", "客服热钱", "--phone", "13812345678", "--description", "x")  # (客服热线 mistyped)
    en = cli.fails("log", "--channel", "wechat", "--phone", "13812345678", "--description", "x")
    assert zh.replace("客服热钱", "X") == en.replace("wechat", "X")


def test_lang_zh_switches_headers_labels_and_messages(cli):
    cli.staff()
    ref = cli.log(received="2026-03-02T10:00")
    assert cli("--lang", "zh", "assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00").stdout.strip() == \
        f"{ref} 已分派给 wangfang（已分派）"
    out = cli("--lang", "zh", "list").stdout
    assert "编号" in out and "状态" in out and "一般投诉" in out and "已分派" in out
    out = cli("--lang", "zh", "report", "overdue", "--as-of", "2026-03-09T10:00").stdout
    assert out.startswith("截至 2026-03-09 10:00 超时投诉") or "超时案件 1 件" in out
    assert "超时投诉" in out
    out = cli("--lang", "zh", "show", ref, "--as-of", "2026-03-03T10:00").stdout
    assert "内部处理时限" in out and "处理记录" in out
    msg = cli("--lang", "zh", "log", "--channel", "热线", "--phone", "13812345678", "--description", "x",
              "--received-at", "2026-11-27T16:00").stderr
    assert "已登记（一般投诉；处理时限 2026-12-02（周三）24:00，监管时限 2026-12-14（周一）24:00）" in msg


def test_calendar_show_lists_holidays_and_make_up_days_in_chinese(cli):
    out = cli("--lang", "zh", "calendar", "show", "--year", "2026").stdout
    assert "2026-02-14" in out and "调休上班" in out and "春节" in out
    rows = cli.json("calendar", "show", "--year", "2026", "--format", "json")
    kinds = {r["date"]: r["kind"] for r in rows}
    assert kinds["2026-09-20"] == "make-up working day" and kinds["2026-10-06"] == "holiday"


def test_a_country_whose_weekend_is_friday_and_saturday(cli, tmp_path):
    """Israel rests on Friday and Saturday (the holidays package's weekend for the country): its
    Sundays are ordinary working days, not make-up days, and its Fridays ordinary weekend days,
    in the calendar, in the explanation of a deadline and in the business calendar's table."""
    il = tmp_path / "il.toml"
    il.write_text('timezone = "Asia/Jerusalem"\n[calendar]\ncountry = "IL"\n')
    rows = cli.json("--config", str(il), "calendar", "show", "--year", "2026", "--format", "json")
    assert rows and {r["kind"] for r in rows} == {"holiday"}  # only the feasts: no Sunday, no plain Friday
    assert {r["holiday"] for r in rows} >= {"Yom Kippur", "Pesach"}
    steps = cli.json("--config", str(il), "calendar", "due", "--tier", "general",
                     "--received-at", "2026-10-22T10:00", "--json")["steps"]
    assert "Sun 2026-10-25: working day, day 1 of 3." in steps and any(s.startswith("Fri 2026-10-23: weekend") for s in steps)
    cli("--config", str(il), "config", "adopt", "--reason", "以色列分行")  # the database's rules from now on
    cli("list")  # writes the calendar's table under the rules adopted
    why = dict(cli.sql("SELECT day, why FROM business_days WHERE day BETWEEN '2026-10-23' AND '2026-10-25'"))
    assert [why[k] for k in sorted(why)] == ["weekend", "weekend", None]


def test_calendar_show_writes_a_substituted_day_s_date_as_iso_in_english(cli):
    """The holidays package names a moved rest day with an American date (01/04/2026); the tool
    writes dates one way, 2026-01-04, in the calendar and in the steps of calendar due."""
    out = cli("calendar", "show", "--year", "2026").stdout
    assert "Day off (substituted from 2026-01-04)" in out and "01/04/2026" not in out
    steps = cli("calendar", "due", "--tier", "general", "--received-at", "2026-09-30T10:00").stdout
    assert "/2026" not in steps


def test_calendar_warns_for_a_provisional_year(cli):
    from complaintctl.config import Policy
    from complaintctl.deadlines import BusinessCalendar

    year = BusinessCalendar(Policy()).official_through + 1  # the first year without a published schedule
    r = cli("calendar", "show", "--year", str(year))
    assert f"calendar for {year} is provisional" in r.stderr
    r = cli("calendar", "due", "--tier", "general", "--received-at", f"{year}-12-28T10:00")
    assert "provisional" in r.stderr
    r = cli("calendar", "show", "--year", str(year - 1))
    assert "provisional" not in r.stderr


def test_calendar_due_explains_each_step(cli):
    data = cli.json("calendar", "due", "--tier", "general", "--received-at", "2026-09-29T10:00", "--json")
    assert data["due_at"] == "2026-10-10T00:00:00+08:00"
    assert "Thu 2026-10-08: working day, day 2 of 3." in data["steps"]
    out = cli("calendar", "due", "--tier", "urgent", "--received-at", "2026-11-27T16:00").stdout
    assert "Plan due        2026-11-28 16:00" in out and "first_response_due_at" not in out  # named, not keyed


def test_choices_lists_both_names_and_the_jrt_code(cli):
    rows = cli.json("choices", "category", "--format", "json")
    row = {r["key"]: r for r in rows}["misselling"]
    assert row["chinese"].startswith("误导销售") and (row["jrt_code"], row["jrt_name"]) == ("C04", "营销方式和手段")
    assert "invalid FIELD 'colour'" in cli.fails("choices", "colour")


@pytest.mark.parametrize("width", ["80", "120"])
def test_choices_never_cuts_what_a_person_types(cli, monkeypatch, width):
    """A table too narrow for every column drops the JR/T codes (then the other language's label)
    rather than cut a label to `Importa…`: each value's key and label in the output's language
    appear whole."""
    from complaintctl import labels

    monkeypatch.setenv("COLUMNS", width)
    for lang, own in (("en", 0), ("zh", 1)):
        out = cli("--lang", lang, "choices").stdout
        assert "\u2026" not in out, out
        for enum in labels.FIELDS.values():
            for key, names in labels.CHOICES[enum].items():
                assert key in out and names[own] in out, (lang, key)


def test_config_show_says_where_each_value_came_from(cli, tmp_path):
    cfg = tmp_path / "b.toml"
    cfg.write_text('branch = "BJ009"\n[tiers.general]\nworking_days = 2\n')
    # A file that sets a deadline rule otherwise than the database is refused, config show too, until
    # an administrator adopts it; then the rules' source is the database.
    assert "sets tiers.general.working_days = 2, but this database's deadline rules say 3" in cli.fails(
        "--config", str(cfg), "config", "show")
    cli("--config", str(cfg), "config", "adopt", "--reason", "两个工作日")
    rows = {r["key"]: r for r in cli.json("--config", str(cfg), "config", "show", "--format", "json")}
    assert rows["branch"]["value"] == "BJ009" and rows["branch"]["source"] == str(cfg)
    assert rows["timezone"]["source"] == "database" and rows["lang"]["source"] == "default"
    assert (rows["tiers.general.working_days"]["value"], rows["tiers.general.working_days"]["source"]) == (2, "database")
    ref = cli("--config", str(cfg), "log", "--channel", "letter", "--description", "x",
              "--received-at", "2026-03-02T10:00").stdout.strip()
    case = cli.json("show", ref, "--json")["case"]
    assert case["branch"] == "BJ009" and case["due_at"] == "2026-03-05T00:00:00+08:00"


def test_init_writes_config_creates_the_database_and_staff(cli, tmp_path):
    path = tmp_path / "branch.toml"
    login = ":zw" if cli.backend == "sqlite" else ""  # a PostgreSQL login must exist on the server first
    out = cli("init", "--branch", "SH001", "--timezone", "Asia/Shanghai", "--country", "CN", "--language", "zh",
              "--staff", "wangfang:staff", "--staff", "zhangwei:经理" + login, "--path", str(path), "--yes").stdout
    assert "已登记 2 名员工" in out  # the config just written says zh
    cfg = tomllib.loads(path.read_text())
    assert cfg["branch"] == "SH001" and cfg["lang"] == "zh" and cfg["calendar"]["country"] == "CN"
    staff = {r["name"]: (r["role"], r["login"]) for r in cli.json("staff", "list", "--format", "json")}
    # The account that ran init (which created the database) administers it.
    assert staff == {"wangfang": ("staff", None), "zhangwei": ("manager", login[1:] or None),
                     cli.admin: ("admin", cli.admin)}
    assert "already exists" in cli.fails("init", "--path", str(path), "--yes")
    assert "unknown time zone" in cli.fails("init", "--path", str(tmp_path / "x.toml"), "--timezone", "Nowhere/X", "--yes")


def test_completion_offers_references_staff_and_choices(cli, monkeypatch):
    cli.staff()
    ref = cli.log()
    from complaintctl_cli import completion

    class Ctx:
        params = {"db": str(cli.db), "config": None}

        def find_root(self):
            return self

    assert completion.case_references(Ctx(), "C-2026") == [ref]
    assert completion.staff_names(Ctx(), "zh") == ["zhangwei"]
    assert "热线" not in completion.choices_for("channel")(Ctx(), "客")
    assert completion.choices_for("channel")(Ctx(), "客") == ["客服热线"]
    assert completion.choices_for("tier")(Ctx(), "u") == ["urgent"]


def test_calendar_due_explains_in_chinese(cli):
    out = cli("--lang", "zh", "calendar", "due", "--tier", "general", "--received-at", "2026-02-13T10:00").stdout
    assert "2026-02-14（周六）：调休工作日，第 1/3 个工作日。" in out
    assert "2026-02-17（周二）：春节，不计入。" in out
    assert "内部处理时限（一般投诉，3 个工作日）：2026-02-25（周三） 24:00。" in out


def test_errors_speak_chinese_with_lang_zh(cli):
    cli.staff()
    ref = cli.log()
    cli("resolve", ref, "--resolution", "ok", "--at", "2026-03-03T10:00")
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-03T11:00")
    assert "案件当前状态为「已关闭」，不能执行「办结」；该状态下可执行：重开" in cli.fails("--lang", "zh", "resolve", ref, "--resolution", "x")
    assert "未找到案件 'C-2026-000099'" in cli.fails("--lang", "zh", "note", "C-2026-000099", "x")
    assert "渠道的值 '微*' 无效：应为以下之一：hotline（客服热线）、" in cli.fails(  # (no choice's: read as a name)
        "--lang", "zh", "log", "--channel", "微信", "--phone", "13812345678", "--description", "x")


def test_usage_errors_speak_chinese_with_lang_zh_and_english_otherwise(cli):
    ref = cli.log()
    zh = lambda *a: cli.fails("--lang", "zh", *a)  # noqa: E731
    assert zh("log", "--chanel", "x").endswith("没有选项 --chanel（是否要用 --channel, --help, --phone？）"
                                              "（参见 'complaintctl log --help'）")
    assert zh("log", "--description", "x").endswith("缺少 --channel / -c（参见 'complaintctl log --help'）")
    assert zh("lst").endswith("没有命令 'lst'（是否要用 'list'？）（参见 'complaintctl --help'）")
    assert zh("show").endswith("缺少 CASE（参见 'complaintctl show --help'）")
    assert zh("show", ref, "extra").endswith("多余的参数：extra（参见 'complaintctl show --help'）")
    assert zh("report", "overdue", "--limit", "abc").endswith("--limit 的值无效：应为整数（参见 'complaintctl report overdue --help'）")
    assert zh("note", ref, "--at").endswith("--at 需要一个取值")
    assert cli.fails("log", "--chanel", "x").endswith("No such option: --chanel (Possible options: --channel, --help, "
                                                     "--phone) (see 'complaintctl log --help')")
    assert cli.fails("show").endswith("Missing argument 'CASE'. (see 'complaintctl show --help')")


def test_init_after_demo_leaves_existing_staff_alone(cli, tmp_path):
    cli("demo", "--count", "5")
    r = cli("init", "--branch", "BJ001", "--staff", "wangfang:staff", "--staff", "newperson:manager",
            "--path", str(tmp_path / "c.toml"), "--yes")
    assert "1 staff registered" in r.stdout and "already registered, left as they are: wangfang" in r.stderr


def test_a_run_of_one_command_builds_that_command_and_nothing_else():
    from typer.main import get_command

    from complaintctl_cli.main import COMMAND_MODULES, make_app

    assert set(get_command(app).commands) == set(COMMAND_MODULES)
    for name in COMMAND_MODULES:
        assert list(get_command(make_app(name)).commands) == [name]


@pytest.mark.parametrize("argv, expected", [
    (["log", "--channel", "letter"], "log"),
    (["--db", "x.db", "--as", "show", "show", "C-2026-000001"], "show"),
    (["--db=x.db", "--debug", "--lang", "zh", "report", "overdue"], "report"),
    (["--help"], None), (["--version"], None), (["report", "--help"], "report"),
    (["nonsense"], None), (["--unknown", "log"], None), ([], None),
])
def test_the_command_a_run_names_is_found_past_the_global_options(argv, expected):
    from complaintctl_cli.main import command_in

    assert command_in(argv) == expected


def test_one_command_built_alone_behaves_as_in_the_whole_application(tmp_path):
    import subprocess
    import sys

    run = [sys.executable, "-m", "complaintctl_cli.main", "--db", str(tmp_path / "c.db")]
    subprocess.run([*run, "db", "upgrade"], capture_output=True, check=True)
    helped = subprocess.run([*run, "report", "overdue", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "Usage: complaintctl report overdue" in helped.stdout
    wrong = subprocess.run([*run, "log", "--channel", "fax", "--description", "x"], capture_output=True, text=True)
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "fax" in wrong.stderr
    listed = subprocess.run([*run, "list", "--format", "csv"], capture_output=True, text=True)
    assert listed.returncode == 0 and listed.stdout.splitlines()[1:] == []  # nothing was written


def test_a_handler_with_no_branch_anywhere_is_refused_not_made_the_higher_institution(cli, tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")  # no branch configured
    for role in ("staff", "manager", "executive"):
        err = cli.fails("--config", str(bare), "staff", "add", "newperson", "--role", role)
        assert "--branch" in err and "--branch -" in err and "higher institution" in err, err
    assert "--branch -" in cli.fails("--config", str(bare), "--lang", "zh", "staff", "add", "newperson",
                                     "--role", "staff")
    # Said so, the higher institution's; the administrator and the cron account need no branch.
    cli("--config", str(bare), "staff", "add", "hq", "--role", "executive", "--branch", "-")
    cli("--config", str(bare), "staff", "add", "keeper", "--role", "admin")
    cli("--config", str(bare), "staff", "add", "cron", "--role", "system")
    # With a branch configured it is the default, as for log.
    cli("staff", "add", "clerk", "--role", "staff")
    branches = {r["name"]: r["branch"] for r in cli.json("staff", "list", "--format", "json")}
    assert branches["hq"] is None and branches["keeper"] is None and branches["cron"] is None
    assert branches["clerk"] == "BJ001" and "newperson" not in branches
    # init checks it before writing anything.
    path = tmp_path / "new.toml"
    err = cli.fails("init", "--branch", "", "--staff", "wangfang:staff", "--path", str(path), "--yes")
    assert "--branch" in err and not path.exists()
    cli("init", "--branch", "", "--staff", "keeper2:admin", "--path", str(path), "--yes")


def test_config_show_names_its_file_once_and_each_source_in_the_output_language(cli, tmp_path, monkeypatch):
    cfg = tmp_path / ("a-rather-long-folder-name-" * 3) / "branch.toml"
    cfg.parent.mkdir()
    cfg.write_text('branch = "BJ009"\n', encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--config", str(cfg), "--lang", "zh", "config", "show").stdout
    named = out[out.index("配置文件："):]  # folded at the width, whole
    assert all(len(line) <= 80 for line in named.splitlines()) and f"配置文件：{cfg}" == named.replace("\n", "")
    assert "默认值" in out and "数据库" in out
    assert "BJ009" in out and " default" not in out
    rows = {r["key"]: r for r in cli.json("--config", str(cfg), "config", "show", "--format", "json")}
    assert rows["branch"]["source"] == str(cfg)  # the files keep the path itself


def test_a_role_given_again_is_said_to_be_unchanged_and_a_deactivation_reads_no(cli):
    cli.staff()
    events = cli.scalar("SELECT count(*) FROM events")
    assert cli("staff", "role", "wangfang", "staff").stdout.strip() == "wangfang is already staff: nothing changed"
    assert cli.scalar("SELECT count(*) FROM events") == events  # nothing recorded
    assert cli("staff", "role", "wangfang", "manager").stdout.strip() == "wangfang is now manager"
    cli("staff", "deactivate", "sunli")
    active = {r["name"]: r["active"] for r in cli.json("staff", "list", "--format", "json")}
    table = {line.split()[0]: line for line in cli("staff", "list").stdout.splitlines() if line.strip()}
    assert active["sunli"] is False and " no " in table["sunli"] and " yes " in table["zhangwei"]


def test_a_staff_name_that_reads_as_someone_elses_actor_is_refused(cli):
    """'zhangwei as wangfang' would make every event of theirs read as an administrator acting for
    wangfang, and 'complaintctl' as the bootstrap's own: both refused, nothing written; so is the
    Chinese form of the first, as `--lang zh show` prints it ('zhangwei（代 wangfang）')."""
    for name in ("zhangwei as wangfang", "complaintctl", "zhangwei（代 wangfang）", "zhangwei(代 wangfang)"):
        err = cli.fails("staff", "add", name, "--role", "staff", "--branch", "BJ001")
        assert err.startswith(f"complaintctl: error: invalid name '{name}': expected a name other than 'complaintctl'")
    cli("staff", "add", "Thomas", "--role", "staff", "--branch", "BJ001")  # 'as' inside a word is a name


def test_help_names_each_value_as_the_readme_writes_it_not_by_its_python_type(cli):
    """Help showed Typer's types for values: `--map <list[str]>`, `--channel <str>`, `{file}`. It
    shows what the value is: `--map FIELD=COLUMN`, `--received-at TIME`, `--to STAFF`, `--output FILE`."""
    text = cli("import", "--help").stdout + cli("log", "--help").stdout + cli("report", "overdue", "--help").stdout
    for shown in ("--map FIELD=COLUMN", "--value-map FIELD:SOURCE=TARGET", "--date-format FMT", "--channel CHANNEL",
                  "--output FILE", "--limit N", "--received-at TIME", "--repeat-of CASE", "--as-of TIME", "{FILE}"):
        assert shown in text, shown
    assert "<str>" not in text and "list[str]" not in text and "<int" not in text
    assert "--staff NAME:ROLE[:LOGIN]" in cli("init", "--help").stdout
    # `--to` is what its command takes: a member of staff, a tier, a number of days, a date
    for args, shown in ((["assign"], "--to STAFF"), (["escalate"], "--to TIER"), (["extend"], "--to DAYS"),
                        (["report", "sla"], "--to DATE"), ([], "--db PATH_OR_URL")):
        assert shown in cli(*args, "--help").stdout, shown
