"""The bulk and report fast paths give exactly what the plain code gives."""
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from complaintctl.config import Policy
from complaintctl.cycles import Decided, Openings, decided_seconds, open_cycle
from complaintctl.deadlines import BusinessCalendar
from complaintctl.domain import Action
from complaintctl.domain import Tier
from complaintctl.masking import mask_account, mask_phone, mask_text
from complaintctl.models import UTCDateTime
from complaintctl.db import sqlite_time_text, time_text

CAL = BusinessCalendar(Policy())
UTC = dt.timezone.utc
moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2026, 12, 31))
zones = st.sampled_from(["Asia/Shanghai", "America/St_Johns", "Europe/London", "Australia/Lord_Howe", "UTC"])


@settings(max_examples=300)
@given(moments, zones)
def test_sqlite_time_binding_writes_sqlalchemys_datetime_text(moment, zone):
    dialect = sqlite.dialect()
    fast = sqlite_time_text  # what the SQLite adapter gives UTCDateTime to write
    plain = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(moment.replace(tzinfo=UTC)) == plain(moment)
    aware = moment.replace(tzinfo=ZoneInfo(zone))
    assert fast(aware) == plain(aware.astimezone(UTC).replace(tzinfo=None))


@settings(max_examples=300)
@given(moments, zones)
def test_report_times_match_a_full_zone_conversion(moment, zone):
    stored = moment.isoformat(" ", "microseconds")  # as SQLite hands it back: naive UTC text
    expected = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    show = time_text(ZoneInfo(zone))
    assert show(stored) == expected
    assert show(stored) == expected  # and again, from the cache
    assert show(moment) == expected  # PostgreSQL hands back naive datetimes


def test_report_times_in_local_mean_time_keep_the_offsets_seconds():
    """Before a zone's standard time its offset has seconds: the text (SQLite) and datetime
    (PostgreSQL) ways write them as isoformat does, as the SQL forms do (db.ZoneText)."""
    for zone, stored, want in [("Asia/Kolkata", "1890-06-01 12:00:00.500000", "1890-06-01T17:21:10+05:21:10"),
                               ("Europe/London", "1845-03-01 12:00:00.000000", "1845-03-01T11:58:45-00:01:15")]:
        show = time_text(ZoneInfo(zone))
        assert show(stored) == want
        assert show(dt.datetime.fromisoformat(stored)) == want


def test_report_times_around_a_half_hour_daylight_saving_change():
    show = time_text(ZoneInfo("America/St_Johns"))  # the 2024 change: 2:00 NDT -> 1:00 NST, at 04:30 UTC
    assert show("2024-11-03 04:29:59.000000") == "2024-11-03T01:59:59-02:30"
    assert show("2024-11-03 04:30:00.000000") == "2024-11-03T01:00:00-03:30"


@settings(max_examples=300)
@given(st.lists(st.tuples(moments, st.sampled_from(list(Tier))), min_size=1, max_size=20))
def test_remembered_openings_equal_the_counted_ones(cases):
    openings = Openings(CAL)
    for moment, tier in cases:
        received = moment.replace(tzinfo=UTC)
        assert openings(received, tier, CAL.local_date(received)) == open_cycle(received, tier, CAL, Action.IMPORT)


@settings(max_examples=300)
@given(st.lists(st.tuples(moments, st.integers(0, 90 * 86400)), min_size=1, max_size=20))
def test_remembered_working_time_equals_the_counted_one(cycles):
    decided = Decided(CAL)
    for moment, seconds in cycles:
        opened = moment.replace(tzinfo=UTC)
        told = opened + dt.timedelta(seconds=seconds)
        assert decided(opened, told, CAL.local_date(opened)) == decided_seconds(opened, told, CAL)
        assert decided(told, opened) == decided_seconds(told, opened, CAL)


def test_masking_fast_paths_keep_the_rules():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010****5678"
    assert mask_account("6222021234567890") == "622202******7890"
    assert mask_text("no numbers here") == "no numbers here"
    assert mask_text("call 13812345678 or mail li.na@example.com") == "call 138****5678 or mail l***@example.com"


def test_a_digit_run_longer_than_any_card_is_still_masked():
    """A card number typed with digits too many is still a card number: never shown in full."""
    assert mask_text("卡号6222021234567890123456") == "卡号622202************3456"


# The export's CSV is written from list rows, touching only the columns that need it; every other
# CSV from dict rows, every cell looked at. Rows of the export's kinds: typed text (formulas
# included), flags, and plain values (times, references, choices, numbers, nothing).
_plain = st.one_of(st.none(), st.integers(-10**6, 10**6), st.sampled_from(["C-2026-000001", "hotline", "resolved"]),
                   moments.map(lambda m: m.replace(tzinfo=UTC).isoformat()))
_text = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["=SUM(A1)", "+1", "-cmd", "@x", "客户 13812345678"]))
_row = st.tuples(_text, st.one_of(st.none(), st.booleans()), _plain, _text, _plain)


@settings(max_examples=200)
@given(st.lists(_row, max_size=8), st.booleans())
def test_the_exports_list_row_csv_writes_what_the_dict_row_csv_writes(rows, excel):
    import tempfile
    from pathlib import Path

    from complaintctl_cli.render import Column, emit

    columns = [Column("description", kind="text"), Column("internal_breached", kind="bool"), Column("received_at", kind="plain"),
               Column("note", kind="text"), Column("reference", kind="plain")]
    keys = [c.key for c in columns]
    with tempfile.TemporaryDirectory() as folder:
        fast, plain = Path(folder) / "fast.csv", Path(folder) / "plain.csv"
        emit((list(r) for r in rows), columns, fmt="csv", output=fast, excel=excel, sequences=True)
        emit((dict(zip(keys, r)) for r in rows), columns, fmt="csv", output=plain, excel=excel)
        assert fast.read_bytes() == plain.read_bytes()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6) | st.lists(json_values, max_size=6))
def test_the_audit_trails_json_is_the_json_modules_text(value):
    """audit's encoders (the C encoder made once) write what json writes, byte for byte: the hash of
    every event stored before them covers this text."""
    import json

    from complaintctl import audit

    assert audit._COMPACT(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert audit._EVENT_JSON(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, default=audit._default)
    assert audit._EVENT_JSON_AS_BUILT(value) == json.dumps(value, ensure_ascii=False, default=audit._default)


def test_the_audit_trails_json_falls_back_to_the_json_module_without_its_c_encoder(monkeypatch):
    import json

    from complaintctl import audit

    real = json.encoder.c_make_encoder
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    plain = audit._encoder(json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=audit._default))
    moment = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert plain({"b": moment, "a": "\u6295\u8bc9"}) == '{"a": "\u6295\u8bc9", "b": "2026-03-02T02:00:00+00:00"}'
    monkeypatch.setattr(json.encoder, "c_make_encoder", lambda *a: (lambda value, level: ["wrong"]))
    odd = audit._encoder(json.JSONEncoder(ensure_ascii=False, separators=(",", ":")))
    monkeypatch.setattr(json.encoder, "c_make_encoder", real)
    assert odd({"a": 1}) == '{"a":1}'  # a C encoder that does not write json's text is not used


def test_a_bulk_insert_leaves_out_only_the_empty_columns_the_database_fills_with_null_too():
    """prepared_rows drops a column empty in every row (the insert is cheaper without it) unless
    the database has a default of its own there, which would then replace the NULL given."""
    import sqlalchemy as sa

    from complaintctl.db import prepared_rows

    meta = sa.MetaData()
    table = sa.Table("t", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.String),
                     sa.Column("count", sa.Integer, server_default="0"), sa.Column("at", UTCDateTime),
                     sa.Column("flag", sa.Boolean))
    rows = [{"id": i, "note": None, "count": None, "at": None, "flag": i == 2 or None} for i in (1, 2, 3)]
    names, prepared = prepared_rows(sqlite.dialect(), table, rows)
    assert names == ["id", "count", "flag"]
    engine = sa.create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO t ({', '.join(names)}) VALUES (?, ?, ?)", prepared)
        stored = conn.exec_driver_sql("SELECT id, note, count, at, flag FROM t ORDER BY id").all()
        conn.execute(table.delete())
        conn.execute(table.insert(), rows)  # the plain way, every column given
        assert conn.exec_driver_sql("SELECT id, note, count, at, flag FROM t ORDER BY id").all() == stored
    assert stored == [(1, None, None, None, None), (2, None, None, None, 1), (3, None, None, None, None)]
    names, _ = prepared_rows(sqlite.dialect(), table, [{"id": None, "note": None}])
    assert names == ["id"]  # the key is never left out


def test_rows_built_as_tuples_bind_and_leave_out_what_rows_given_as_dicts_do():
    """An import's plain rows are built as tuples through Binder and tuple_rows; its rows of history
    as dicts through prepared_rows: the same values bound, and the same empty columns left out, on
    both backends' dialects."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from complaintctl.db import Binder, prepared_rows, tuple_rows

    meta = sa.MetaData()
    table = sa.Table("t", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.String),
                     sa.Column("count", sa.Integer, server_default="0"), sa.Column("at", UTCDateTime),
                     sa.Column("flag", sa.Boolean), sa.Column("seconds", sa.Float), sa.Column("never", UTCDateTime))
    shanghai = dt.datetime(2026, 3, 2, 10, 0, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)
    values = [(1, "a", None, shanghai, True, 1.5, None), (2, None, None, None, False, None, None),
              (3, "c", None, utc, None, 2.0, None)]
    names = ("id", "note", "count", "at", "flag", "seconds", "never")
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        bind = Binder(dialect)
        built = [(i, note, count, bind.times[at], bind.flags[flag], bind.number(s) if s is not None else None,
                  bind.times[never]) for i, note, count, at, flag, s, never in values]
        as_dicts = prepared_rows(dialect, table, [dict(zip(names, row)) for row in values])
        assert tuple_rows(table, names, built) == (as_dicts[0], as_dicts[1])
        assert as_dicts[0] == ["id", "note", "count", "at", "flag", "seconds"]
    assert tuple_rows(table, names, []) == (list(names), [])


def test_events_chained_in_bulk_hash_as_one_at_a_time():
    """audit.chained (a bulk import's events, chained by the process holding the write lock) gives
    each event the hash audit.append would, and the chain verifies."""
    from complaintctl import audit

    at = [dt.datetime(2026, 3, 2, 10, m, tzinfo=ZoneInfo("Asia/Shanghai")) for m in range(3)]
    recorded = dt.datetime(2026, 3, 5, 1, 2, 3, 456789, tzinfo=dt.timezone.utc)
    rows = [(10 + i, 7 + i, "import", "\u5f20\u4e09", f"stored {i}", "stored now", '{"a": "\u6295\u8bc9 \\"x\\""}',
             f"imported from f.csv row {i}", None if i == 1 else "d" * 64) for i in range(3)]
    chained, head = audit.chained(audit.GENESIS, rows, [audit.hash_time(t) for t in at], audit.hash_time(recorded))
    prev = audit.GENESIS
    for row, t, out in zip(rows, at, chained):
        expected = audit.event_hash(prev, row[1], row[2], row[3], t, recorded, None, row[6], row[7], row[8])
        assert out == (*row, prev, expected)
        prev = expected
    assert head == prev
    assert audit.verify_chain([(r[0], r[1], r[2], r[3], t, recorded, None, r[6], r[7], r[8], r[9], r[10])
                               for r, t in zip(chained, at)]) == []
    assert audit.chained("x" * 64, [], [], "") == ([], "x" * 64)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 12, 31),
                    timezones=st.sampled_from([dt.timezone.utc, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")])))
def test_a_time_s_texts_made_from_one_formatting_are_the_ones_each_rule_writes(moment):
    """A bulk import formats each time once (audit.time_texts, Binder.stored_from): the texts are
    hash_time's, encode's and the stored one, on both backends."""
    from sqlalchemy.dialects import postgresql

    from complaintctl import audit
    from complaintctl.db import Binder

    covered, iso = audit.time_texts(moment)
    assert covered == audit.hash_time(moment)
    assert iso == audit._default(moment) == moment.astimezone(dt.timezone.utc).isoformat()
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        bind = Binder(dialect)
        assert bind.stored_from(moment, covered) == bind.times[moment]
    assert Binder(sqlite.dialect()).stored_from(moment, covered) == sqlite_time_text(moment)


def test_a_time_without_a_zone_is_refused_by_the_bulk_path_as_by_the_store():
    """sqlite_time_text refuses a naive time (it would be stored as if UTC); Binder.stored_from,
    which makes SQLite's text from the hash's (which reads a naive time as local), refuses it too."""
    import pytest

    from complaintctl import audit
    from complaintctl.db import Binder

    naive = dt.datetime(2026, 3, 3, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        sqlite_time_text(naive)
    with pytest.raises(ValueError, match="naive"):
        Binder(sqlite.dialect()).stored_from(naive, audit.hash_time(naive))
