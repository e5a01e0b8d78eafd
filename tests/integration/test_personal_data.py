"""Personal data lives apart from the audit chain: events keep masked text, the full text sits in
personal_data where `--reveal` reads it and `db purge` erases it, and the chain still verifies."""
import pytest

ID = "110105199003071239"
CARD = "6222021234567890"
PHONE = "13812345678"
EMAIL = "wang.xiaoming@example.com"
NAME = "王小明"
LANDLINES = ("(010)65123456", "6512 3456")


def _everything(cli):
    """A case with every kind of personal data in its fields and in the text of its events."""
    cli.staff()
    ref = cli("log", "--channel", "hotline", "--customer", NAME, "--phone", PHONE, "--email", EMAIL,
              "--account", CARD, "--id-number", ID, "--description", f"{NAME}称卡号{CARD}被盗刷",
              "--received-at", "2026-03-02T10:00").stdout.strip()
    cli("assign", ref, "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("note", ref, f"客户{NAME}身份证{ID}，请回电{LANDLINES[0]}或{LANDLINES[1]}", "--at", "2026-03-02T12:00")
    cli("respond", ref, "--text", f"已致电{PHONE}并发邮件至{EMAIL}", "--at", "2026-03-03T10:00")
    cli("resolve", ref, "--resolution", f"退还{NAME}的年费", "--at", "2026-03-05T10:00")
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-06T10:00")
    return ref


SECRETS = (ID, CARD, PHONE, EMAIL, NAME, *LANDLINES)


def test_events_keep_masked_text_and_reveal_reads_the_full_text(cli):
    ref = _everything(cli)
    stored = " ".join(str(v) for row in cli.sql("select old, new, detail from events") for v in row)
    for secret in SECRETS:
        assert secret not in stored, secret
    assert "王*明" in stored and "110105********1239" in stored
    shown = cli("show", ref).stdout + cli("show", ref, "--json").stdout
    for secret in SECRETS:
        assert secret not in shown, secret
    revealed = cli.json("--as", "zhangwei", "show", ref, "--reveal", "--json")
    notes = [e["detail"] for e in revealed["events"] if e["action"] == "note"]
    assert notes == [f"客户{NAME}身份证{ID}，请回电{LANDLINES[0]}或{LANDLINES[1]}"]
    assert revealed["case"]["customer"] == NAME
    assert cli("db", "check").exit_code == 0


def test_landlines_in_free_text_are_masked(cli):
    ref = _everything(cli)
    note = [e["detail"] for e in cli.json("show", ref, "--json")["events"] if e["action"] == "note"][0]
    assert "(***)******56" in note and "**** **56" in note


def test_names_are_masked_in_lists_reports_and_exports(cli):
    ref = _everything(cli)
    other = cli.log("--customer", "John Smith")
    assert cli.json("show", other, "--json")["case"]["customer"] == "J*** S****"
    assert cli.json("show", ref, "--json")["case"]["customer"] == "王*明"
    for args in (("list", "--all", "--format", "csv"), ("list", "--all", "--format", "json"), ("export", "--format", "csv"),
                 ("export",)):
        out = cli(*args).stdout
        assert NAME not in out and "John Smith" not in out, args


def test_purge_erases_the_full_text_and_the_chain_still_verifies(cli):
    ref = _everything(cli)
    assert cli.scalar("select count(*) from personal_data") >= 2
    before = cli.dump()
    dry = cli("db", "purge", "--closed-before", "2026-04-01", "--dry-run").stdout.splitlines()
    assert dry == ["would anonymise 1 case(s) ended before 2026-04-01", ref]  # which ones, and nothing written
    assert cli.dump() == before
    purged = cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")
    assert purged["anonymised"] == [ref]
    assert cli.scalar("select count(*) from personal_data") == 0
    assert cli("db", "check").exit_code == 0
    revealed = cli("--as", "zhangwei", "show", ref, "--reveal", "--json").stdout
    for secret in SECRETS:
        assert secret not in revealed, secret
    assert "texts_erased" in revealed
    shown = cli("--lang", "zh", "show", ref).stdout  # the purge in the timeline, by its fields' names
    assert "已匿名化：" in shown and "已删除的完整文本：" in shown and "anonymised:" not in shown
    # What the purge left is read in the output's language on screen; --json keeps the stored marker.
    assert "[已匿名化]" in shown and "[anonymised]" not in shown
    assert "[anonymised]" in cli("show", ref).stdout
    assert cli.json("--lang", "zh", "show", ref, "--json")["case"]["customer"] == "[anonymised]"
    from tests.cli.test_lean_overdue import _same

    letter = cli("letter", ref).stdout  # (Chinese by default)
    assert "尊敬的[已匿名化]" in letter and "[anonymised]" not in letter
    for args in (("list", "--status", "closed"), ("show", ref)):  # the lean way and the full way alike
        listed = _same(cli, "--lang", "zh", *args).decode()
        assert "[已匿名化]" in listed and "[anonymised]" not in listed, listed


@pytest.mark.sqlite_only
def test_after_purge_no_personal_data_is_left_in_the_database_files(cli):
    _everything(cli)
    cli("db", "purge", "--closed-before", "2026-04-01")
    files = [p for p in cli.db.parent.iterdir() if p.name.startswith(cli.db.name)]
    data = b"".join(p.read_bytes() for p in files)
    for secret in SECRETS:
        assert secret.encode("utf-8") not in data, secret


@pytest.mark.sqlite_only
def test_a_purge_a_reader_kept_from_scrubbing_says_so_and_a_second_run_finishes_it(cli, tmp_path):
    """A reader holding a snapshot keeps the WAL's checkpoint from finishing: the erased values
    stayed in the file and its WAL while the purge said it was done (exit 0). Now it says what was
    anonymised and that the values are still in the files (exit 1); run again, it removes them."""
    import sqlite3

    _everything(cli)
    short = tmp_path / "short.toml"
    short.write_text("[database]\nbusy_timeout_seconds = 1\n", encoding="utf-8")
    reader = sqlite3.connect(cli.db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM cases").fetchone()  # a snapshot held open
    try:
        done = cli("--config", str(short), "db", "purge", "--closed-before", "2026-04-01", expect=1)
        files = [p for p in cli.db.parent.iterdir() if p.name.startswith(cli.db.name)]
        assert any(SECRETS[0].encode("utf-8") in p.read_bytes() for p in files)  # what the message says
        assert "anonymised 0 case(s)" in cli("--config", str(short), "db", "purge", "--closed-before", "2026-04-01",
                                             expect=1).stderr  # still read: still there
    finally:
        reader.execute("COMMIT")
        reader.close()
    err = done.stderr
    assert err.startswith("complaintctl: error: anonymised 1 case(s) ended before 2026-04-01, but another process")
    assert err.count("\n") == 1 and "Traceback" not in done.output
    assert "run 'complaintctl db purge --closed-before 2026-04-01' again" in err
    assert "anonymised 0 case(s)" in cli("db", "purge", "--closed-before", "2026-04-01").stdout
    data = b"".join(p.read_bytes() for p in cli.db.parent.iterdir() if p.name.startswith(cli.db.name))
    for secret in SECRETS:
        assert secret.encode("utf-8") not in data, secret


@pytest.mark.sqlite_only
def test_an_older_database_moves_full_text_out_of_its_events_and_rechains(cli):
    """Events written before personal_data existed held the full text; the upgrade moves it out,
    masks the names, and the re-chained trail verifies."""
    import json

    from complaintctl import audit
    from complaintctl.db import Store

    ref = _everything(cli)
    full = dict(cli.sql("select event_id, value from personal_data where field = 'detail'"))
    # Back to revision 0011 the way Alembic goes (logins and the settings table go), then below it by hand.
    cli.downgrade("0011")
    # Make the events what an older version wrote: full text, full names, hashes over them.
    rows = cli.sql("select id, case_id, action, actor, occurred_at, recorded_at, old, new, detail from events order by id")
    prev = audit.GENESIS
    import datetime as dt
    for (eid, case_id, action, actor, occurred, recorded, old, new, detail) in rows:
        detail = full.get(eid, detail)
        if action == "log":
            values = json.loads(new)
            values["customer"] = NAME
            new = audit.encode(values)
        times = [dt.datetime.fromisoformat(t).replace(tzinfo=dt.timezone.utc) for t in (occurred, recorded)]
        digest = audit.event_hash(prev, case_id, action, actor, *times, old, new, detail)
        cli.sql("update events set new = :n, detail = :d, prev_hash = :p, hash = :h where id = :i",
                n=new, d=detail, p=prev, h=digest, i=eid)
        prev = digest
    cli.sql("drop table personal_data")
    cli.sql("drop index ix_cases_customer")
    cli.sql("drop index ix_cases_id_number")
    cli.sql("update alembic_version set version_num = '0009'")
    store = Store(str(cli.db))
    assert store.current_revision() == "0009"
    assert NAME in str(cli.sql("select customer from cases"))  # the old layout: the case row in full
    assert "110105199003071239" in str(cli.sql("select detail from events"))
    store.upgrade()
    store.dispose()
    stored = " ".join(str(v) for row in cli.sql("select old, new, detail from events") for v in row)
    for secret in (ID, NAME, *LANDLINES):
        assert secret not in stored, secret
    case_row = " ".join(str(v) for v in cli.sql("select * from cases")[0])
    for secret in SECRETS:
        assert secret not in case_row, secret
    assert "王*明" in case_row
    assert cli("db", "check").exit_code == 0
    notes = [e["detail"] for e in cli.json("--as", "zhangwei", "show", ref, "--reveal", "--json")["events"]
             if e["action"] == "note"]
    assert ID in notes[0]


def test_an_imported_case_is_masked_in_its_event_names_in_its_text_too(cli, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("received_at,description,customer,phone\n2026-03-02,王小明来电投诉年费,王小明,13812345678\n",
                 encoding="utf-8")
    cli("import", str(f))
    stored = str(cli.sql("select new, detail from events"))
    assert "王小明" not in stored and "13812345678" not in stored and "王*明来电投诉年费" in stored
    assert cli("db", "check").exit_code == 0


def _stored_outside_personal_data(cli) -> str:
    """Every row of every table but personal_data, as text (read as the tables' owner)."""
    tables = [t for t in (("cases", "cycles", "events", "staff", "settings", "remediation_actions"))]
    return "\n".join(str(row) for t in tables for row in cli.sql(f"select * from {t}"))


def test_right_after_log_the_phone_and_name_are_only_in_personal_data(cli):
    cli.staff()
    cli("log", "--channel", "hotline", "--customer", NAME, "--phone", PHONE, "--id-number", ID,
        "--description", f"{NAME}来电，身份证{ID}", "--received-at", "2026-03-02T10:00")
    stored = _stored_outside_personal_data(cli)
    for secret in (NAME, PHONE, ID):
        assert secret not in stored, secret
    assert "王*明" in stored and "138****5678" in stored
    kept = dict(cli.sql("select field, value from personal_data"))
    assert kept["customer"] == NAME and kept["phone"] == PHONE and kept["id_number"] == ID
    assert kept["description"] == f"{NAME}来电，身份证{ID}" and len(kept["salt"]) == 32
    assert cli.scalar("select count(*) from events where full_digest is not null") == 1


def test_a_changed_full_text_in_personal_data_is_caught_by_its_digest(cli):
    ref = _everything(cli)
    assert cli("db", "check").exit_code == 0
    event = cli.scalar("select event_id from personal_data where field = 'detail'")
    cli.sql("update personal_data set value = '客户未留身份证号' where field = 'detail'")
    r = cli("db", "check", expect=1)
    assert f"event {event}: the personal data kept for it does not match the digest its hash covers" in r.stdout
    # The case row's stored (masked) value and its kept full value are both proved: one by the
    # replay, the other by the digest.
    cli.sql("update personal_data set value = '13900000000' where field = 'phone'")
    assert "does not match the digest" in cli("db", "check", expect=1).stdout
    assert ref


def test_after_purge_no_output_shows_the_erased_values_and_masking_off_shows_full_values_before(cli):
    ref = _everything(cli)
    cli("masking", "off", "--reason", "test database")
    assert NAME in cli("export").stdout and PHONE in cli.json("show", ref, "--json")["case"]["phone"]
    assert NAME not in cli("list", "--all", "--format", "csv").stdout  # reports read the stored, masked values
    assert [r["reference"] for r in cli.json("find", "--name", NAME, "--format", "json")] == [ref]
    cli("db", "purge", "--closed-before", "2026-04-01")
    outputs = [cli(*args).stdout for args in (("export",), ("export", "--format", "csv"), ("list", "--all", "--format", "json"),
                                              ("show", ref, "--json"), ("report", "summary", "--from", "2026-03-01",
                                                                        "--to", "2026-03-31", "--format", "json"))]
    for out in outputs:
        for secret in SECRETS:
            assert secret not in out, secret
    assert cli("find", "--phone", PHONE, "--format", "json").stdout.strip() == "[]"
    assert cli("db", "check").exit_code == 0


def test_purge_anonymises_the_agents_power_of_attorney_and_db_check_replays_it(cli):
    cli.staff()
    ref = cli.log("--agent", "李律师", "--agent-authority", "(2026)京东方内民证字第01234号")
    plain = cli.log()
    for case in (ref, plain):
        cli("resolve", case, "--resolution", "解释说明", "--at", "2026-03-03T10:00")
        cli("close", case, "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    purged = cli.json("db", "purge", "--closed-before", "2026-04-01", "--json")
    assert purged["anonymised"] == [ref, plain]
    case = cli.json("show", ref, "--json")["case"]
    assert case["agent_authority"] == "[anonymised]" and case["agent_name"] == "[anonymised]"
    assert cli.json("show", plain, "--json")["case"]["agent_authority"] is None
    events = [e for e in cli.json("show", ref, "--json")["events"] if e["action"] == "log"]
    assert "01234" not in str(events)
    assert cli("db", "check").exit_code == 0


def test_a_purge_made_before_it_anonymised_the_power_of_attorney_still_replays(cli):
    """A purge event that does not list agent_authority (written before purge emptied it) left the
    column as it was: db check replays it so, and the file is not called altered."""
    import json

    cli.staff()
    ref = cli.log("--agent", "李律师", "--agent-authority", "委托书2026-7")
    cli("resolve", ref, "--resolution", "解释说明", "--at", "2026-03-03T10:00")
    cli("close", ref, "--satisfaction", "satisfied", "--at", "2026-03-04T10:00")
    cli("db", "purge", "--closed-before", "2026-04-01")
    from complaintctl import replay

    [(new,)] = cli.sql("select new from events where action = 'purge'")
    listed = json.loads(new)["anonymised"]
    assert "agent_authority" in listed
    older = [f for f in listed if f != "agent_authority"]
    state = {"agent_authority": "委托书2026-7", "customer": None, "description": "x"}
    assert "agent_authority" not in replay.purged(state, older)
    assert replay.purged(state, listed)["agent_authority"] == "[anonymised]"


def test_numbers_typed_in_full_width_digits_are_masked_in_free_text_too(cli):
    """A Chinese input method types １３９１２３４５６７８: accepted as a phone, and, in a description or a
    note, masked as the digits they are (it was shown in full in list, show and export)."""
    cli.staff()
    ref = cli.log("--description", "客户手机１３９１２３４５６７８，身份证１１０１０５１９９００３０７１００２Ｘ，卡号６２２２０２１２３４５６７８９０")
    cli("note", ref, "回电１３９ １２３４ ５６７８", "--at", "2026-03-02T11:00")
    shown = cli("show", ref, "--json").stdout + cli("list", "--format", "csv").stdout + cli("export").stdout
    for secret in ("１３９１２３４５６７８", "１２３４", "１１０１０５１９９００３０７", "６２２２０２１２３４５６"):
        assert secret not in shown, secret
    case = cli.json("show", ref, "--json")["case"]
    assert "139****5678" in case["description"] and "110105********1002X" in case["description"]
    assert "622202******7890" in case["description"]
    full = cli.json("--as", "zhangwei", "show", ref, "--reveal", "--json")["case"]["description"]
    assert "１３９１２３４５６７８" in full  # kept in full, as typed
