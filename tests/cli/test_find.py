"""find: a caller's cases by one identifier, however it is written, masked."""


def _cases(cli):
    cli.staff()
    a = cli("log", "--channel", "hotline", "--customer", "王小明", "--phone", "13812345678", "--account",
            "6222021234567890", "--id-number", "110105199003071239", "--description", "年费",
            "--received-at", "2026-03-02T10:00").stdout.strip()
    b = cli("log", "--channel", "hotline", "--customer", "王小明", "--phone", "010-62345678", "--description", "利息",
            "--received-at", "2026-03-03T10:00").stdout.strip()
    c = cli.log("--customer", "李四", "--phone", "13900000000", received="2026-03-04T10:00")
    cli("resolve", a, "--resolution", "已退还", "--at", "2026-03-05T10:00")
    cli("close", a, "--satisfaction", "satisfied", "--at", "2026-03-06T10:00")
    return a, b, c


def _refs(cli, *args):
    return [r["reference"] for r in cli.json("find", *args, "--format", "json")]


def test_find_takes_an_identifier_however_it_is_written(cli):
    a, b, c = _cases(cli)
    for phone in ("13812345678", "+86 138-1234-5678", "138 1234 5678", "(+86)13812345678"):
        assert _refs(cli, "--phone", phone) == [a], phone
    assert _refs(cli, "--phone", "(010) 6234 5678") == [b]
    assert _refs(cli, "--account", "6222 0212-3456 7890") == [a]
    assert _refs(cli, "--id-number", "110105 19900307 1239") == [a]
    assert _refs(cli, "--name", "王小明") == [b, a]  # closed ones too, newest first
    assert _refs(cli, "--phone", "13700000000") == []


def test_find_shows_the_cases_masked(cli):
    _cases(cli)
    out = cli("find", "--name", "王小明", "--format", "csv").stdout
    assert "王小明" not in out and "13812345678" not in out and "王*明" in out


def test_find_needs_exactly_one_identifier_and_never_echoes_it(cli):
    _cases(cli)
    assert cli.fails("find") == ("complaintctl: error: find takes exactly one of --phone, --account, --id-number, "
                                 "--name")
    assert "exactly one" in cli.fails("find", "--phone", "13812345678", "--name", "王小明")
    err = cli.fails("find", "--account", "6222021234567890123456")
    assert "6222021234567890123456" not in err and "12 to 19 digits" in err


def test_a_purged_case_is_not_found_by_what_was_erased(cli):
    a, _, _ = _cases(cli)
    cli("db", "purge", "--closed-before", "2026-04-01")
    assert _refs(cli, "--account", "6222021234567890") == []
    assert _refs(cli, "--phone", "13812345678") == []
