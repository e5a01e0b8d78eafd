"""Every class of bad input exits 2 with one line naming the field, no traceback, nothing written."""
import pytest

LOG = ["log", "--channel", "hotline", "--phone", "13812345678", "--description", "投诉", "--received-at", "2026-03-02T10:00"]


def _with(args, **changes):
    out = list(args)
    for flag, value in changes.items():
        flag = "--" + flag.replace("_", "-")
        out[out.index(flag) + 1] = value
    return out


@pytest.mark.parametrize("changes, needle", [
    ({"channel": "wechat"}, "invalid channel 'wechat': expected one of hotline (客服热线)"),
    ({"channel": "微信"}, "invalid channel '微*': expected one of hotline (客服热线)"),  # (two Chinese characters: a name, for all the tool knows)
    ({"phone": "12345"}, "invalid phone '*****'"),
    ({"description": "   "}, "invalid description"),
    ({"received_at": "2099-01-01T10:00"}, "invalid --received-at"),
    ({"received_at": "yesterday"}, "invalid --received-at 'yesterday': expected a time such as 2026-03-18 14:30"),
    ({"received_at": "1900-01-01"}, "expected a date between 1990 and 2100"),
    ({"description": "x" * 1_000_000}, "at most 100000 characters"),
    ({"description": "bad\x00text"}, "without control characters"),
])
def test_bad_log_input(cli, changes, needle):
    cli.log()  # a database with content, so "nothing written" is meaningful
    assert needle in cli.fails(*_with(LOG, **changes))


@pytest.mark.parametrize("extra, needle", [
    (["--account", "123"], "invalid account '***': expected 12 to 19 digits"),
    (["--tier", "critical"], "invalid tier 'critical'"),
    (["--product", "bitcoin"], "invalid product"),
    (["--category", "rude"], "invalid category"),
    (["--related", "C-2026-999999"], "unknown case 'C-2026-999999'"),
    (["--email", "not-an-email"], "invalid email"),
])
def test_bad_log_options(cli, extra, needle):
    cli.log()
    assert needle in cli.fails(*LOG, *extra)


def test_missing_contact_is_refused_except_for_anonymous_channels(cli):
    cli.log()
    err = cli.fails("log", "--channel", "hotline", "--description", "x", "--received-at", "2026-03-02T10:00")
    assert "needs --phone or --email" in err
    cli("log", "--channel", "suggestion_box", "--description", "x", "--received-at", "2026-03-02T10:00")


@pytest.mark.parametrize("args, needle", [
    (["note", "C-2026-000099", "x"], "unknown case 'C-2026-000099'"),
    (["note", "C-2025-000001", "x"], "unknown case 'C-2025-000001'"),
    (["note", "'; DROP TABLE cases; --", "x"], "invalid case"),
    (["note", "C-2026-000001", "x", "--at", "2026-03-01T10:00"], "not before the case was received"),
    (["note", "C-2026-000001", "x", "--at", "2099-03-01T10:00"], "not in the future"),
    (["note", "C-2026-000001", ""], "invalid text"),
    (["pause", "C-2026-000001", "--reason", "holiday"], "invalid --reason 'holiday'"),
    (["close", "C-2026-000001", "--satisfaction", "meh"], "invalid --satisfaction 'meh'"),
    (["close", "C-2026-000001", "--satisfaction", "satisfied"], "cannot close a case that is received"),
    (["escalate", "C-2026-000001", "--to", "general", "--reason", "x"], "a tier above general"),
    (["extend", "C-2026-000001", "--to", "abc", "--approved-by", "x", "--reason", "x", "--customer-told-at", "2026-03-02"],
     "invalid value for --to: expected a whole number"),
    (["list", "--format", "xml"], "invalid --format 'xml'"),
    (["list", "--status", "lost"], "invalid --status"),
    (["report", "sla", "--from", "2026-03-10", "--to", "2026-03-01"], "a time after --from"),
    (["report", "summary", "--from", "2026-03-01", "--to", "2026-03-10", "--by", "colour"], "invalid --by 'colour'"),
    (["report", "summary", "--from", "2026-03-01", "--to", "2026-03-10", "--by", "branch,等级,网点"],
     "invalid --by 'branch,等级,网点': expected one to three different ones of channel (渠道)"),
    (["nosuchcommand"], "No such command"),
    (["log", "--channel"], "requires an argument"),
    (["--lang", "fr", "list"], "invalid --lang 'fr'"),
])
def test_bad_input_to_commands(cli, args, needle):
    cli.log()
    assert needle in cli.fails(*args)


def test_non_utf8_and_empty_stdin(cli):
    cli.log()
    assert "not UTF-8" in cli.fails("note", "C-2026-000001", "-", input=b"\xff\xfe\xfa")
    assert "invalid text" in cli.fails("note", "C-2026-000001", "-", input=b"")


def test_sql_looking_text_is_stored_as_text(cli):
    ref = cli.log()
    cli("note", ref, "x'); DELETE FROM events; --")
    assert cli.json("show", ref, "--json")["events"][-1]["detail"] == "x'); DELETE FROM events; --"


def test_debug_shows_the_traceback(cli):
    cli.log()
    r = cli("--debug", "note", "C-2026-000099", "x", expect=1)
    assert r.exception is not None and type(r.exception).__name__ == "UnknownCase"


def test_bad_config_names_the_key(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[tiers.general]\nworking_days = "three"\n')
    err = cli.fails("--config", str(cfg), "list")
    assert "config key tiers.general.working_days: expected a whole number" in err
    cfg.write_text('colour = "red"\n')
    assert "unknown key 'colour'" in cli.fails("--config", str(cfg), "list")
    cfg.write_text('timezone = "Mars/Base"\n')
    assert "unknown time zone 'Mars/Base'" in cli.fails("--config", str(cfg), "list")


def test_a_broken_config_is_said_in_the_locale_s_language(cli, tmp_path, monkeypatch):
    """A config that cannot be read cannot say the run's language: the locale's is taken, as a
    config without `lang` takes it (before, a Chinese desk got the line in English)."""
    cfg = tmp_path / "bad.toml"
    cfg.write_text('timezone = "Mars/Base"\n')
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert cli.fails("--config", str(cfg), "list").startswith("complaintctl: 错误：配置项 timezone：未知时区 'Mars/Base'")
    assert cli.fails("--config", str(cfg), "list", "--bogus").startswith("complaintctl: 错误：没有选项 --bogus")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert cli.fails("--config", str(cfg), "list").startswith("complaintctl: error: config key timezone")


@pytest.mark.parametrize("args, needle", [
    (["respond", "C-2026-000001", "--text", "   "], "invalid text"),
    (["respond", "C-2026-000001", "--text", "x", "--at", "soon"], "invalid --at 'soon'"),
    (["resume", "C-2026-000001"], "cannot resume a case that is received"),
    (["masking", "off", "--reason", " "], "invalid --reason"),
    (["--as", "ghost", "extend", "C-2026-000001", "--to", "30", "--reason", "x",
      "--customer-told-at", "2026-03-02T11:00"], "unknown --as 'ghost'"),
    (["reopen", "C-2026-000001", "--reason", "x"], "cannot reopen a case that is received"),
    (["reopen", "C-2026-000001", "--reason", ""], "invalid --reason"),
    (["resolve", "C-2026-000001", "--resolution", "x", "--root-cause", "bad luck"], "invalid --root-cause 'b** l***'"),  # (words no choice has: masked as a name)
    (["resolve", "C-2026-000001", "--resolution", "x", "--notified-via", "pigeon"], "invalid --notified-via 'pigeon'"),
    (["show", "C-2026-000042"], "unknown case 'C-2026-000042'"),
    (["show", "C-2026-000001", "--as-of", "2026-13-01"], "invalid --as-of '2026-13-01'"),
    (["list", "--as-of", "1800-01-01", "--overdue"], "expected a date between 1990 and 2100"),
    (["report", "overdue", "--as-of", "tomorrow"], "invalid --as-of 'tomorrow'"),
    (["report", "due-soon", "--tier", "sev1"], "invalid --tier 'sev1'"),
    (["report", "aging", "--as-of", "2026-02-30"], "invalid --as-of '2026-02-30'"),
    (["report", "sla", "--from", "x", "--to", "2026-03-01"], "invalid --from 'x'"),
    (["escalate", "--overdue", "--as-of", "2099-01-01"], "not in the future"),
    (["escalate", "C-2026-000001", "--overdue"], "takes no case and no --to"),
    (["escalate", "C-2026-000001"], "escalate needs CASE and --to"),
    (["db", "purge", "--closed-before", "last year"], "invalid --closed-before 'last year'"),
    (["db", "purge", "--closed-before", "2099-01-01"], "a date not in the future"),
    (["calendar", "due", "--tier", "low", "--received-at", "2026-03-01"], "invalid --tier 'low'"),
    (["calendar", "due", "--tier", "general", "--received-at", "3000-01-01"], "between 1990 and 2100"),
    (["calendar", "show", "--year", "3000"], "--year"),
    (["demo", "--count", "0", "--force"], "invalid --count 0"),
    (["staff", "add", "a\tb", "--role", "staff"], "invalid name"),
    (["staff", "deactivate", "ghost"], "unknown name 'ghost'"),
    (["staff", "reactivate", "ghost"], "unknown name 'ghost'"),
    (["--as", "ghost", "show", "C-2026-000001"], "unknown --as 'ghost'"),
])
def test_bad_input_to_every_other_command(cli, args, needle):
    cli.log()
    assert needle in cli.fails(*args)


def test_excel_is_refused_with_any_format_but_csv_rather_than_ignored(cli, tmp_path):
    """--excel (a byte-order mark for Excel) means nothing to a table, JSON or JSON Lines: said so,
    in one line, before anything is written (export's default format is jsonl)."""
    cli.log()
    target = tmp_path / "out.jsonl"
    for args in (["export"], ["export", "--output", str(target)], ["list"], ["report", "overdue", "--format", "json"],
                 ["report", "sla", "--format", "table"], ["report", "aging"], ["find", "--phone", "13812345678"],
                 ["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31"]):
        fmt = "jsonl" if args[0] == "export" else "json" if "json" in args else "table"
        assert cli.fails(*args, "--excel") == (
            f"complaintctl: error: --excel applies to --format csv only (a byte-order mark, so that Excel shows "
            f"Chinese correctly), not to --format {fmt}: add --format csv, or leave --excel out"), args
    assert not target.exists()
    assert "请加上 --format csv，或去掉 --excel" in cli.fails("--lang", "zh", "export", "--excel")
    assert cli("export", "--excel", "--format", "csv").stdout.startswith("\ufeffid,reference")


def test_a_bad_number_is_worded_as_ours_not_pydantics(cli):
    """Typer checks number options through pydantic, whose words ("Input should be a valid
    integer, unable to parse string as an integer") a branch operator should not have to read."""
    hint = " (see 'complaintctl list --help')"
    assert cli.fails("list", "--limit", "abc") == \
        "complaintctl: error: invalid value for --limit: expected a whole number" + hint
    assert cli.fails("list", "--limit", "0") == \
        "complaintctl: error: invalid value for --limit: expected a whole number, 1 or more" + hint
    assert cli.fails("--lang", "zh", "demo", "--days", "999").startswith(
        "complaintctl: 错误：--days 的值无效：应为不大于 365 的整数")


@pytest.mark.parametrize("args, shown", [
    (["--phone", "1381234567"], "invalid phone '********67'"),      # a digit short of a mobile
    (["--account", "62220212345"], "invalid account '*********45'"),  # a digit short of an account
    (["--email", "wang.fang@bank"], "invalid email '************nk'"),
    (["--id-type", "resident_id", "--id-number", "11010519491231002Y"], "invalid --id-number '******************'"),
])
def test_a_personal_value_that_fails_its_check_is_never_echoed(cli, args, shown):
    """However near a valid number it is, the line shows which value it was, not the value."""
    cli.log()
    base = [a for a in LOG if a not in ("--phone", "13812345678")] if args[0] == "--phone" else LOG
    err = cli.fails(*base, *args)
    assert shown in err, err
    quoted = err.split("'")[1]  # the value as the line quotes it (the accepted forms follow)
    assert args[-1][:-2] not in quoted and set(quoted[:-2]) == {"*"}


def test_import_rejects_quote_no_personal_value(cli, tmp_path):
    """The reasons on screen and the rejects file: names masked, every identifier of a rejected row
    hidden whether or not it is what was wrong."""
    cli.log()
    rows = tmp_path / "n.csv"
    rows.write_text("external_id,received_at,channel,customer,phone,account,description\n"
                    "N-1,2026-10-20T10:00,hotline,周五,13700001,6222021234567891,x\n"
                    "N-2,2026-10-20T10:00,fax,吴六,13700003333,622202123,x\n", encoding="utf-8")
    r = cli("import", str(rows), "--skip-invalid", "--json")
    import json

    assert [x["reason"].split(":")[0] for x in json.loads(r.stdout)["rejects"]] == [
        "invalid phone '******01'", "invalid channel 'fax'"]
    text = (tmp_path / "n.rejects.csv").read_text(encoding="utf-8")
    for value in ("周五", "吴六", "13700001", "13700003333", "6222021234567891", "622202123", "3700", "22202"):
        assert value not in text, value
    assert "周*" in text and "吴*" in text


def test_an_agent_s_name_that_fails_its_check_is_quoted_masked(cli):
    cli.log()
    err = cli.fails(*LOG, "--agent", "张三丰\n李", "--agent-authority", "POA1")
    assert "invalid --agent '张*丰 李'" in err and "张三丰" not in err and "\\u" not in err


# An option given empty ("$BRANCH" with the variable unset in a cron line) is refused in one line,
# never read as left out: an empty --branch would otherwise report, mail or export every branch's
# cases, an empty --as-of would report as of now.
EMPTY = [
    (["list", "--branch", ""], "invalid --branch ''"),
    (["list", "--branch", " "], "invalid --branch ' ': expected non-empty text"),  # (blank: as staff add says it)
    (["report", "overdue", "--assignee", " "], "invalid --assignee ' ': expected non-empty text"),
    (["list", "--format", "csv", "--branch", ""], "invalid --branch ''"),  # (no CSV header before the error)
    (["list", "--format", "csv", "--overdue", "--due-soon"], "--overdue and --due-soon exclude each other"),
    (["report", "due-soon", "--format", "csv", "--branch", ""], "invalid --branch ''"),
    (["list", "--assignee", ""], "invalid --assignee ''"),
    (["list", "--status", ""], "invalid --status '': expected one of received"),
    (["list", "--tier", ""], "invalid --tier '': expected one of general"),
    (["list", "--product", ""], "invalid --product ''"),
    (["list", "--channel", ""], "invalid --channel ''"),
    (["list", "--as-of", ""], "invalid --as-of ''"),
    (["list", "--stale", "--branch", ""], "invalid --branch ''"),
    (["show", "C-2026-000001", "--as-of", ""], "invalid --as-of ''"),
    (["report", "overdue", "--branch", ""], "invalid --branch ''"),
    (["report", "overdue", "--as-of", ""], "invalid --as-of ''"),
    (["report", "due-soon", "--branch", ""], "invalid --branch ''"),
    (["report", "aging", "--as-of", ""], "invalid --as-of ''"),
    (["report", "sla", "--from", "", "--to", "2026-03-31"], "invalid --from ''"),
    (["report", "summary", "--from", "2026-03-01", "--to", ""], "invalid --to ''"),
    (["report", "late-entries", "--from", ""], "invalid --from ''"),
    (["report", "late-entries", "--branch", ""], "invalid --branch ''"),
    (["report", "regulatory", "--quarter", "2026Q1", "--branch", ""], "invalid --branch ''"),
    (["export", "--from", ""], "invalid --from ''"),
    (["export", "--format", "csv", "--to", ""], "invalid --to ''"),
    (["escalate", "--overdue", "--dry-run", "--as-of", ""], "invalid --as-of ''"),
    (["action", "list", "--owner", ""], "invalid --owner ''"),
    (["action", "list", "--status", ""], "invalid --status ''"),
    (["note", "C-2026-000001", "x", "--at", ""], "invalid --at ''"),
    (["letter", "C-2026-000001", "--language", ""], "invalid --language ''"),
    ([*LOG, "--repeat-of", ""], "invalid case ''"),  # (a new case logged: the complaint counted twice)
    ([*LOG, "--related", ""], "invalid case ''"),
    ([*LOG, "--branch", ""], "invalid --branch ''"),  # (the config's branch recorded instead)
    (["list", "--mine", "--assignee", ""], "--mine and --assignee name the same thing"),
    (["escalate", "--overdue", "--to", ""], "escalate --overdue takes no case and no --to"),
    (["escalate", "--overdue", "--dry-run", "--at", ""], "invalid --at ''"),
    # A path given empty: refused as such, not read as the current folder ('.').
    (["report", "overdue", "--format", "csv", "--output", ""], "invalid --output ''"),
    (["list", "-o", ""], "invalid --output ''"),
    (["export", "--format", "csv", "--output="], "invalid --output ''"),
    (["staff", "list", "--output", " "], "invalid --output ' '"),
    (["import", ""], "invalid FILE ''"),
    (["db", "backup", ""], "invalid FILE ''"),
    (["db", "anchor", ""], "invalid FILE ''"),
    (["db", "check", "--anchors", ""], "invalid --anchors ''"),
    (["init", "--path", "", "--branch", "BJ009", "--yes"], "invalid --path ''"),
    (["staff", "add", "bob", "--role", "staff", "--branch", ""], "invalid --branch ''"),  # (the config's branch)
    (["staff", "add", "bob", "--role", "staff", "--department", ""], "invalid --department ''"),
]


def test_an_option_given_empty_is_refused_not_read_as_left_out(cli):
    from tests.cli.test_lean_overdue import _run

    cli.log()
    for args, needle in EMPTY:
        assert needle in cli.fails(*args), args
        code, _, err = _run(["--db", str(cli.db), *args], lean_way=None)  # the lean way first, as the console script
        assert code == 2 and err.decode().strip().startswith("complaintctl: error: " + needle), (args, err)


@pytest.mark.parametrize("lang, unknown, extra", [
    ("en", "No such command '138****5678'", "Got unexpected extra argument(s) (138****5678 z***@x.com)"),
    ("zh", "没有命令 '138****5678'", "多余的参数：138****5678 z***@x.com")])
def test_a_typed_number_quoted_back_by_a_usage_error_is_masked(cli, lang, unknown, extra):
    """Click quotes what was typed in place of a command, or after a command's arguments: a line
    begun with the caller's number, or a note's text left unquoted, was echoed in full. Each word
    it quotes is masked as free text is; a reference stays as typed."""
    cli.staff()
    ref = cli.log()
    err = cli.fails("--lang", lang, "13812345678", "--phone", "13812345678")
    assert unknown in err and "13812345678" not in err
    err = cli.fails("--lang", lang, "note", ref, "rang", "13812345678", "zhang@x.com")
    assert extra in err and "13812345678" not in err and "zhang@" not in err
    assert "C-2026-000001" in cli.fails("--lang", lang, "note", ref, "a", ref)  # (not personal: as typed)
    err = cli.fails("--lang", lang, "show", "--13812345678")  # (a number typed after a dash)
    assert "--138****5678" in err and "13812345678" not in err
    err = cli.fails("--lang", lang, "note", ref, "rang", "on", "138", "1234", "5678")  # (typed with spaces: one number)
    assert "138****5678" in err and "1234 5678" not in err


@pytest.mark.parametrize("args, shown, hidden", [
    (["show", "张三"], "'张*'", "张三"),                      # a caller's name typed for a case
    (["show", "John Smith"], "'J*** S****'", "Smith"),
    (["assign", "C-2026-000001", "--to", "张三丰"], "'张*丰'", "张三丰"),
    (["list", "--assignee", "李四"], "'李*'", "李四"),
    (["--as", "赵六", "list"], "'赵*'", "赵六"),
    (["张三", "说"], "'张*'", "张三"),                          # typed in place of a command
    (["show", "C-2026-00x"], "'C-2026-00x'", None),            # a reference's typo shows as typed
    (["--as", "zhangwie", "list"], "'zhangwie'", None),        # as does a login's
    (["lïst"], "'lïst'", None),                                # and an accented command's
    # A name typed where one of a fixed set of choices belongs, masked; a choice's typo shown.
    (["list", "--tier", "张三"], "'张*'", "张三"),
    (["--lang", "zh", "list", "--status", "王建新"], "'王**'", "建新"),   # (新 is in a state's name: still a name)
    (["list", "--product", "李保国"], "'李**'", "保国"),
    (["list", "--status", "暂停张三"], "'暂***'", "张三"),                # a choice's word and a name
    (["list", "--tier", "urgent,张三"], "'urgent,张*'", "张三"),          # (a list: item by item)
    (["list", "--tier", "Cao Yang"], "'C** Y***'", "Yang"),              # (syllables near a choice's word)
    (["list", "--tier", "Urgent Zhang"], "'U***** Z****'", "Zhang"),
    (["list", "--tier", "王\u3000建新"], "'王 **'", "建新"),             # an input method's full-width space
    (["list", "--tier", "张 三"], "'张 *'", "三"),
    (["list", "--tier", "张三13812345678"], "'张*138****5678'", "张三"),
    (["report", "sla", "--by", "等级 网点"], "'等级 网点'", None),         # two choices: as typed
    (["--lang", "张三", "list"], "'张*'", "张三"),
    (["export", "--format", "张三"], "'张*'", "张三"),
    (["report", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "tier,张三"], "'张*'", "张三"),
    (["list", "--tier", "Zhang San"], "'Z**** S**'", "Zhang"),
    (["log", "--channel", "李四", "--description", "x"], "'李*'", "李四"),
    (["report", "sla", "--by", "李雷"], "'李*'", "李雷"),
    (["list", "--tier", "紧急投拆"], "'紧急投拆'", None),     # three of 紧急投诉's four characters
    (["list", "--tier", "处理中"], "'处理中'", None),         # a state's name: no name
    (["list", "--tier", "2026年3月2日"], "'2026年3月2日'", None),  # a date: no name
    (["list", "--tier", "urgnt complant"], "'urgnt complant'", None),
    (["report", "sla", "--by", "chanel"], "'chanel'", None),
    (["list", "--status", "in progres"], "'in progres'", None),
    (["list", "--tier", "urgnt"], "'urgnt'", None)])
def test_a_name_typed_where_a_case_staff_or_command_belongs_is_masked(cli, args, shown, hidden):
    cli.staff()
    cli.log()
    err = cli.fails(*args, code=2)
    assert shown in err and (hidden is None or hidden not in err), err
