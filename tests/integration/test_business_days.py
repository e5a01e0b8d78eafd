"""The business calendar as a table (complaintctl/business_days.py): its rows say what the Python
calendar says of each day, and its SQL counts working time between two moments exactly as
`BusinessCalendar.working_seconds` does, on SQLite and PostgreSQL, in Asia/Shanghai (the national
calendar's moved working weekends) and in a daylight-saving zone (days of 23 and 25 hours)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from complaintctl import business_days
from complaintctl.config import Policy
from complaintctl.deadlines import BusinessCalendar
from tests.conftest import RUN

UTC = dt.timezone.utc
SHANGHAI = Policy(extra_holidays=frozenset({dt.date(2026, 3, 4)}), extra_workdays=frozenset({dt.date(2026, 3, 7)}))
LONDON = Policy(timezone="Europe/London", country="GB")
# Working days of 25 and 23 hours, which working time counts by their own length: Israel works its
# clock-change Sunday in October; a London branch here opens on both of its clock-change Sundays.
JERUSALEM = Policy(timezone="Asia/Jerusalem", country="IL")
LONDON_SUNDAYS = Policy(timezone="Europe/London", country="GB",
                        extra_workdays=frozenset({dt.date(2026, 3, 29), dt.date(2026, 10, 25)}))
CALENDARS = {"Asia/Shanghai": BusinessCalendar(SHANGHAI), "Europe/London": BusinessCalendar(LONDON),
             "Asia/Jerusalem": BusinessCalendar(JERUSALEM), "London, Sundays worked": BusinessCalendar(LONDON_SUNDAYS)}
# Moments around the days that differ (a moved working weekend, a local closure, an extra working
# day, both of London's clock changes, a year's end), and their midnights exactly.
AROUND = [dt.datetime(2026, 2, 14, tzinfo=UTC), dt.datetime(2026, 3, 3, tzinfo=UTC), dt.datetime(2026, 3, 28, tzinfo=UTC),
          dt.datetime(2026, 10, 24, tzinfo=UTC), dt.datetime(2026, 12, 30, tzinfo=UTC)]


@st.composite
def moments(draw, cal: BusinessCalendar):
    base = draw(st.sampled_from(AROUND))
    if draw(st.booleans()):  # a local midnight: where a day's first or last part is all or nothing
        day = cal.local_date(base) + dt.timedelta(days=draw(st.integers(-3, 8)))
        return cal.start_of_day(day)
    return base + dt.timedelta(microseconds=draw(st.integers(-3 * 86_400_000_000, 12 * 86_400_000_000)))


@pytest.mark.parametrize("zone", list(CALENDARS))
def test_each_row_is_what_the_python_calendar_says_of_its_day(zone):
    cal = CALENDARS[zone]
    rows = business_days.rows(cal, 2026, 2027)
    assert len(rows) == 365 * 2
    for row in rows:
        day = row["day"]
        assert row["working"] == cal.is_working_day(day) and row["statutory"] == cal.is_statutory_working_day(day)
        assert row["starts_at"] == cal.start_of_day(day) and row["ends_at"] == cal.end_of_day(day)
        assert row["working_before"] == cal.count_working_days(dt.date(2026, 1, 1), day)
        assert row["working_micros_before"] == cal.working_day_micros(dt.date(2026, 1, 1), day)
        assert row["working_micros_before"] == cal.working_micros(cal.start_of_day(dt.date(2026, 1, 1)), row["starts_at"])
    by_day = {r["day"]: r for r in rows}
    worked: dict[float, list] = {}  # a working day's length in hours: the days
    for r in rows:
        if r["working"]:
            worked.setdefault((r["ends_at"] - r["starts_at"]).total_seconds() / 3600, []).append(r["day"])
    if zone == "Europe/London":  # the clocks go forward and back: days of 23 and 25 hours
        lengths = {(r["ends_at"] - r["starts_at"]).total_seconds() / 3600 for r in rows}
        assert lengths == {23, 24, 25}
        assert by_day[dt.date(2026, 12, 25)]["why"] == "Christmas Day"
    elif zone == "Asia/Jerusalem":
        assert dt.date(2026, 10, 25) in worked[25] and 23 not in worked  # (its spring change falls on a Friday)
    elif zone == "London, Sundays worked":
        assert worked[23] == [dt.date(2026, 3, 29)] and worked[25] == [dt.date(2026, 10, 25)]
    else:
        assert by_day[dt.date(2026, 3, 4)]["why"] == "local closure" and not by_day[dt.date(2026, 3, 4)]["working"]
        assert by_day[dt.date(2026, 3, 7)]["why"] == "extra working day" and by_day[dt.date(2026, 3, 7)]["working"]
        assert by_day[dt.date(2026, 10, 10)]["why"] == "working weekend"  # moved for National Day
        assert by_day[dt.date(2026, 10, 1)]["why"] == "国庆节"  # China's own name, whatever LANG says


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("zone", list(CALENDARS))
def test_the_sql_working_time_is_the_python_working_time_to_the_microsecond_and_the_float(store, zone, data):
    cal = CALENDARS[zone]
    pairs = [(data.draw(moments(cal)), data.draw(moments(cal))) for _ in range(8)]
    with store.engine.begin() as conn:  # written by the first example, kept for the rest (the store is the test's own)
        business_days.ensure(conn, cal, 2025, 2027)
    with store.engine.connect() as conn:
        expr = [business_days.working_micros_sql(a, b) for a, b in pairs]
        # What report sla counts for a cycle decided without its working time kept: the same float
        # the Python calendar gives (cycles.decided_seconds), so a median or percentile cannot move.
        floats = [business_days.working_seconds_sql(a, b) for a, b in pairs]
        got = conn.execute(sa.select(*expr, *floats)).one()
    want = [cal.working_seconds(a, b) for a, b in pairs]
    assert list(got[:len(pairs)]) == [cal.working_micros(a, b) for a, b in pairs], pairs
    # Bit for bit, but for the sign of a zero (SQLite has no -0.0: a decision told before its
    # opening, on days off, is 0.0 there and -0.0 in Python).
    assert [float(g).hex() if g else 0.0 for g in got[len(pairs):]] == [w.hex() if w else 0.0 for w in want], pairs



@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("zone", list(CALENDARS))
def test_the_sql_moment_working_time_away_is_the_python_one_to_the_microsecond(store, zone, data):
    """business_days.add_working_micros_sql, forward and back (the due-soon cutoff, the aging
    buckets' edges): the moment BusinessCalendar.add_working_seconds gives, from any moment (a
    local midnight half the time), by whole working days and by any amount."""
    cal = CALENDARS[zone]
    amounts = st.one_of(st.integers(-16, 16).map(lambda days: days * 86_400_000_000),
                        st.integers(-16 * 86_400_000_000, 16 * 86_400_000_000))
    asked = [(data.draw(moments(cal)), data.draw(amounts)) for _ in range(8)]
    with store.engine.begin() as conn:
        business_days.ensure(conn, cal, 2025, 2027)
    with store.engine.connect() as conn:
        got = conn.execute(sa.select(*(business_days.add_working_micros_sql(m, n) for m, n in asked))).one()
    assert list(got) == [cal.add_working_seconds(m, n / 1_000_000) for m, n in asked], asked


@settings(max_examples=60, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("zone", list(CALENDARS))
def test_working_time_between_two_moments_and_the_moment_that_much_later_agree(zone, data):
    """The calendar's two counts are one: the working time from a moment to the moment that much
    working time after (or before) it is that amount, and the moment the working time between two
    moments after the first is the second, when that falls in a working day; around a working day
    of 23 or 25 hours too (before revision 0023 a whole one counted 24 hours in the first count and
    its own length in the second: an hour apart)."""
    cal = CALENDARS[zone]
    start = data.draw(moments(cal))
    amount = data.draw(st.one_of(st.integers(-12, 12).map(lambda days: days * 86_400_000_000),
                                 st.integers(-12 * 86_400_000_000, 12 * 86_400_000_000)))
    later = cal.add_working_seconds(start, amount / 1_000_000)
    assert cal.working_micros(start, later) == amount
    end = data.draw(moments(cal))
    if cal.is_working_day(cal.local_date(end)) and end != cal.start_of_day(cal.local_date(end)):
        assert cal.add_working_seconds(start, cal.working_micros(start, end) / 1_000_000) == end


def test_a_working_day_of_25_hours_counts_25():
    """Israel works Sunday 25 October 2026, the day its clocks go back; Friday and Saturday are its
    weekend. From Thursday 10:00 to Monday 10:00: 14 hours of Thursday, 25 of Sunday, 10 of Monday."""
    cal = CALENDARS["Asia/Jerusalem"]
    thursday, monday = (dt.datetime(2026, 10, d, 10, tzinfo=cal.tz).astimezone(UTC) for d in (22, 26))
    assert cal.working_seconds(thursday, monday) == 49 * 3600 == -cal.working_seconds(monday, thursday)
    assert cal.add_working_seconds(thursday, 49 * 3600) == monday
    sunday = dt.date(2026, 10, 25)
    assert cal.working_seconds(cal.start_of_day(sunday), cal.end_of_day(sunday)) == 25 * 3600


def test_the_table_follows_the_config_and_db_check_finds_a_day_changed_by_hand(cli, tmp_path):
    """A database gets the table at its upgrade; a config under another calendar is refused, and once
    an administrator adopts it the table is written again; `db check` names a day edited behind the
    tool's back, and `db upgrade` puts it right."""
    cli("list")
    identity, first, last = cli.sql("SELECT identity, first_year, last_year FROM business_calendar")[0]
    assert identity.startswith("Asia/Shanghai CN- days ") and last >= dt.datetime.now(UTC).year + 2
    london = tmp_path / "london.toml"
    london.write_text('timezone = "Europe/London"\n[calendar]\ncountry = "GB"\n')
    assert RUN(["--config", str(london), "--db", str(cli.db), "list"]).exit_code == 2  # not the database's rules
    assert cli.scalar("SELECT identity FROM business_calendar") == identity
    assert RUN(["--config", str(london), "--db", str(cli.db), "config", "adopt", "--reason", "伦敦分行"]).exit_code == 0
    cli("list")  # under the rules adopted, whoever runs it: written again
    assert cli.scalar("SELECT identity FROM business_calendar").startswith("Europe/London GB- days ")
    assert cli.scalar("SELECT why FROM business_days WHERE day = '2026-12-25'") == "Christmas Day"
    shanghai = tmp_path / "shanghai.toml"
    shanghai.write_text('timezone = "Asia/Shanghai"\n[calendar]\ncountry = "CN"\n')
    # A file that sets nothing adopts nothing; one that sets them back, back: written back.
    assert "nothing to adopt" in cli.fails("config", "adopt", "--reason", "x")
    cli("--config", str(shanghai), "config", "adopt", "--reason", "回到默认规则")
    cli("list")
    assert cli.scalar("SELECT identity FROM business_calendar") == identity
    cli("db", "check")
    cli.staff()
    # History: the command that logs it reaches the table back to it (the views and the lean
    # reports, which never write the table, count its working time at once).
    old = cli.log(received="2015-06-03T10:00")
    assert cli.sql("SELECT first_year, last_year FROM business_calendar")[0] == (2015, last)
    assert cli.scalar("SELECT overdue_seconds FROM overdue_cases WHERE reference = :r", r=old) > 0
    assert cli.scalar("SELECT why FROM business_days WHERE day = '2015-10-01'") == "国庆节"
    # A holiday's name is as the holidays package makes it, in full.
    assert cli.scalar("SELECT why FROM business_days WHERE day = '2015-09-03'") == "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"
    cli.sql("UPDATE business_days SET working = NOT working WHERE day = '2026-10-10'"
            if cli.backend == "postgresql" else "UPDATE business_days SET working = 1 - working WHERE day = '2026-10-10'")
    out = cli("db", "check", expect=1)
    assert "business_days: 1 days differ from the calendar (first: 2026-10-10)" in out.output
    cli("db", "upgrade")
    cli("db", "check")


@pytest.mark.sqlite_only
def test_revision_0023_counts_a_working_clock_change_day_at_its_own_length(cli, tmp_path):
    """A database from before 0023 (no running total of working time) gets it at the upgrade,
    written from the config's calendar; the views then count Israel's 25-hour Sunday as 25 hours,
    as the reports do, and `db check` holds. A cycle decided before keeps the working time it was
    given."""
    config = tmp_path / "jerusalem.toml"
    config.write_text('timezone = "Asia/Jerusalem"\nbranch = "TLV01"\n[calendar]\ncountry = "IL"\n')
    run = lambda *args, expect=0: cli("--config", str(config), *args, expect=expect)  # noqa: E731
    run("config", "adopt", "--reason", "以色列分行")
    cli.staff()
    ref = run("log", "--channel", "letter", "--description", "x", "--received-at", "2026-10-22T10:00").stdout.strip()
    run("resolve", ref, "--resolution", "y", "--at", "2026-10-26T10:00")
    assert cli.scalar("SELECT working_seconds FROM cycles") == 49 * 3600  # Thu 14 h, Sun 25 h, Mon 10 h
    open_ref = run("log", "--channel", "letter", "--description", "x", "--received-at", "2026-10-22T10:00").stdout.strip()
    cli.downgrade("0022")
    for view in ("overdue_cases", "stale_cases", "due_soon_cases", "aging_cases", "decided_cycles"):
        cli.sql(f"DROP VIEW {view}")
    cli.sql("ALTER TABLE business_days DROP COLUMN working_micros_before")
    run("db", "upgrade")
    cal = BusinessCalendar(JERUSALEM)
    first = cli.scalar("SELECT min(day) FROM business_days")
    rows = cli.sql("SELECT day, working_micros_before FROM business_days WHERE day BETWEEN '2026-10-20' AND '2026-10-28'")
    assert rows and all(micros == cal.working_day_micros(dt.date.fromisoformat(str(first)), dt.date.fromisoformat(str(day)))
                        for day, micros in rows)
    run("db", "check")
    assert cli.scalar("SELECT working_seconds FROM cycles") == 49 * 3600
    thursday = dt.datetime(2026, 10, 22, 10, tzinfo=cal.tz).astimezone(UTC)
    monday = dt.datetime(2026, 10, 26, 10, tzinfo=cal.tz).astimezone(UTC)
    with cli.engine.connect() as conn:
        age = conn.execute(sa.select(business_days.working_micros_sql(thursday, monday))).scalar()
    assert age == 49 * 3600 * 1_000_000
    assert open_ref and cli.scalar("SELECT count(*) FROM aging_cases WHERE reference = :r", r=open_ref) == 1


def test_an_import_of_history_reaches_the_table_back_to_it(cli, tmp_path):
    """Rows received before the table's first year widen it in the import's own transaction."""
    cli("list")
    first = cli.scalar("SELECT first_year FROM business_calendar")
    old = tmp_path / "old.csv"
    old.write_text("received_at,description,channel,phone\n2012-05-03T10:00,old complaint,hotline,13812345678\n")
    cli("import", str(old))
    assert first > 2012 and cli.scalar("SELECT first_year FROM business_calendar") == 2012
    assert cli.scalar("SELECT overdue_seconds FROM overdue_cases WHERE reference LIKE 'C-2012-%'") > 0
    assert cli.scalar("SELECT why FROM business_days WHERE day = '2012-10-01'") == "国庆节"


def test_the_tables_holiday_names_do_not_depend_on_the_locale_of_whoever_wrote_or_checks_it(cli, monkeypatch):
    """The holidays package names a holiday after LANG when not told a language: a table written at
    a terminal (LANG=en_US.UTF-8) read to `db check` run from cron (no LANG at all) as 75 days
    changed behind the tool's back, every night. The names are China's own whatever the locale, and
    a table an earlier release wrote in its writer's language is written again by the next command."""
    cli.staff()
    cli.log()
    for env in ({"LANG": "en_US.UTF-8"}, {"LANG": ""}, {"LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8"}):
        with monkeypatch.context() as m:
            for k, v in env.items():
                m.setenv(k, v)
            assert "business_days" not in cli("db", "check").output, env  # (exit 0: nothing found)
            assert cli.scalar("SELECT why FROM business_days WHERE day = '2026-01-01'") == "元旦"
    # As an earlier release left it, written under LANG=en_US.UTF-8: its identity without the names'
    # mark, its names in English. The next command writes it again, and the check is ok under any LANG.
    identity = cli.scalar("SELECT identity FROM business_calendar")
    cli.sql("UPDATE business_calendar SET identity = :i", i=identity.replace(" names native", ""))
    cli.sql("UPDATE business_days SET why = 'New Year''s Day' WHERE day = '2026-01-01'")
    cli("list")
    assert cli.scalar("SELECT identity FROM business_calendar") == identity
    assert cli.scalar("SELECT why FROM business_days WHERE day = '2026-01-01'") == "元旦"
    monkeypatch.setenv("LANG", "")
    assert cli("db", "check").stdout.strip().startswith("ok")
