"""Values as the database stores them, read and written without SQLAlchemy: stored times (naive
UTC: text from SQLite, naive datetimes from PostgreSQL) to aware datetimes and to ISO 8601 in the
business zone, and a database named by a path or a URL. complaintctl.db uses them; so does the lean
`report overdue` (complaintctl_cli/lean.py), which must not import SQLAlchemy."""
from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

UTC = dt.timezone.utc
_SQLITE = re.compile(r"sqlite(\+\w+)?:///")  # a SQLite URL, with or without its driver's name
# The files SQLite keeps beside a database: never a destination; a failed copy's are removed too.
SIDE_FILES = ("-wal", "-shm", "-journal")


def account_name(uid: int) -> str:
    """The name of an OS account by its user id (the id itself when it has no name)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def switched_off(name: str) -> bool:
    """Whether an on-by-default switch (COMPLAINTCTL_LEAN, COMPLAINTCTL_EXPORT_COPY,
    COMPLAINTCTL_EXPORT_SPLIT) is turned off: off, 0 or no, in any case."""
    return os.environ.get(name, "").lower() in ("off", "0", "no")


def without_password(value: str) -> str:
    """A database as typed (--db), its URL's password replaced by *** (after the user, or as the
    query's `password=`, which the driver takes too); a path, or a URL without a password, as it
    is: what `db info`, an error and a report may print of it (a report as a command to run again)."""
    import re
    from urllib.parse import urlsplit

    if "://" not in value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:  # (not a URL urllib reads: nothing of it is shown but its scheme)
        return value.split("://", 1)[0] + "://***"
    if parts.password is not None:  # (the text is changed in place: a rebuilt URL may lose its slashes)
        user, _, host = parts.netloc.rpartition("@")
        value = value.replace(parts.netloc, f"{user.partition(':')[0]}:***@{host}", 1)
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", value)


def resolve_url(value: str) -> str:
    """A plain path means SQLite; anything with a scheme is taken as an SQLAlchemy URL. The path's
    `%` and `?` are escaped as SQLAlchemy reads them (a `%41` or a `?` in a file's name is the name's,
    not an escape or the start of options); nothing else is (a Chinese name stays readable in
    `db info`, a name that is not UTF-8 still opens); sqlite_path reads it back."""
    if "://" in value:
        return value
    path = str(Path(value).expanduser().absolute())
    return "sqlite:///" + path.replace("%", "%25").replace("?", "%3F")


def sqlite_path(url: str) -> str | None:
    """The file a SQLite URL names, unescaped as SQLAlchemy reads it, less any query (None for
    another backend)."""
    found = _SQLITE.match(url)
    if found is None:
        return None
    return unquote(url[found.end():].split("?", 1)[0], errors="surrogateescape")


def marked_read_only(path: str | Path) -> bool:
    """A SQLite file with no write permission for anyone (chmod 444: an archive the operator marked
    read-only on purpose). Root could write it anyway; the tool opens it read-only for everyone."""
    try:
        return os.stat(path).st_mode & 0o222 == 0
    except OSError:
        return False  # (not there yet, or unreadable: SQLite says what is wrong)


def read_only_uri(path: str | Path) -> str:
    """SQLite's URI opening `path` read-only (mode=ro): no write, and no checkpoint of a WAL left
    beside it, reaches the file, whoever runs the command. (Not immutable: SQLite would then keep
    what it read however the file changed, a session open all day too, and ignore a hot journal.)"""
    from urllib.parse import quote

    return f"file:{quote(os.path.abspath(path), safe='/')}?mode=ro"


def sqlite_time_text(value: dt.datetime | None) -> str | None:
    """An aware time as SQLite stores it: naive UTC text with microseconds always written."""
    if value is None:
        return None
    zone = value.tzinfo
    if zone is None:
        raise ValueError("naive datetime given to the store; times must carry a zone")
    if zone is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def stored_utc(value) -> dt.datetime | None:
    """A stored time (text from SQLite, naive datetime from PostgreSQL) as an aware UTC datetime."""
    if value is None:
        return None
    if type(value) is str:
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise unreadable() from None
        if value.tzinfo is not None:  # stored as naive UTC: an offset was written behind the tool's back
            raise unreadable()
    elif not isinstance(value, dt.datetime):  # a number SQLite was given (it keeps any value in any column)
        raise unreadable()
    return value.replace(tzinfo=UTC)


def unreadable() -> Exception:
    """The error for a stored time that is not one (errors.StoredTimeUnreadable: its one line names
    db check, which lists where)."""
    from .errors import StoredTimeUnreadable

    return StoredTimeUnreadable("err.stored_time")


def flag(value) -> bool | None:
    """A stored flag as the models give it back: True or False (SQLite stores 1 and 0), or None."""
    return value if value is None else bool(value)


def _hour_offset(tz, hour: str):
    """The zone's offset through one UTC hour ('YYYY-MM-DD HH'), with its ISO suffix; None when it
    changes within the hour (a daylight-saving change at a half hour)."""
    start = dt.datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
    first = start.astimezone(tz).utcoffset()
    last = (start + dt.timedelta(minutes=59, seconds=59, microseconds=999999)).astimezone(tz).utcoffset()
    if first != last:
        return None
    return first, offset_suffix(first)


def offset_suffix(offset: dt.timedelta) -> str:
    """An offset as isoformat writes it after a time ('+08:00', '-03:30', '+05:21:10' in local
    mean time): the one form, whichever way a time is shown (here, zones.py's table, the SQL)."""
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone(offset)).isoformat()[19:]


def time_text(tz) -> Callable[[Any], str | None]:
    """A converter, for one report or export, of stored times to ISO 8601 in the business zone.

    SQLite hands back text; the zone's UTC offset is looked up once per UTC day (or hour, on a day
    it changes), so most values
    cost a parse and an addition. Deadlines fall on a few midnights, so whole conversions are also
    remembered, in a bounded dict. (A closure over local names: this is the inner loop of every
    report and export.)"""
    cache: dict = {}
    hours: dict = {}
    parse = dt.datetime.fromisoformat

    def convert(value):
        if value is None:
            return None
        shown = cache.get(value)
        if shown is not None:
            return shown
        try:
            if type(value) is str:
                # One offset a UTC day when the zone keeps one all day (most days of most zones: a
                # register's times spread over months touch thousands of hours but few hundred days).
                found = hours.get(value[:10], False)
                if found is False:
                    day = value[:10]
                    first, last = _hour_offset(tz, day + " 00"), _hour_offset(tz, day + " 23")
                    found = hours[day] = first if first == last and first is not None else None
                if found is None:
                    hour = value[:13]
                    found = hours.get(hour, False)
                    if found is False:
                        found = hours[hour] = _hour_offset(tz, hour)
                if found is not None:
                    moment = parse(value)
                    if moment.tzinfo is not None:
                        raise ValueError  # (stored as naive UTC: stored_utc refuses it too)
                    shown = (moment + found[0]).isoformat(timespec="seconds") + found[1]
            if shown is None:
                shown = stored_utc(value).astimezone(tz).isoformat(timespec="seconds")
        except ValueError:  # text SQLite was given behind the tool's back
            raise unreadable() from None
        if len(cache) > 4096:
            cache.clear()
        cache[value] = shown
        return shown

    return convert


# The years whole_hour_offsets looks at: beyond them a zone's rules are history (local mean time,
# with offsets to the second) or guesses, and SQL asking it is to take the general way.
WHOLE_HOURS_CHECKED = (1970, 2100)


@lru_cache(maxsize=8)
def whole_hour_offsets(tz, first_year: int, last_year: int) -> bool:
    """Whether the zone's offset from UTC is a whole number of hours throughout [first_year,
    last_year), looked at every five days (no zone's rules keep an offset for less: ~10,000
    looks, a few milliseconds)."""
    start = dt.datetime(first_year, 1, 1, tzinfo=UTC)
    step = dt.timedelta(days=5)
    for i in range(int((dt.datetime(last_year, 1, 1, tzinfo=UTC) - start) / step)):
        if (start + i * step).astimezone(tz).utcoffset().total_seconds() % 3600:
            return False
    return True


def copied_rows(rows: list, end: bytes) -> bytes:
    """Rows as PostgreSQL's COPY ... TO STDOUT WITH CSV sends them (each ending "\n") joined, each
    ending `end` instead (csv.writer's "\r\n"): one replace over the block when no row holds a line
    break inside a quoted cell (as many "\n" as rows), row by row otherwise. The export's COPY
    (db.py) and the lean overdue report's (dbapi.py) both write through it."""
    data = b"".join(rows)
    if data.count(b"\n") == len(rows):
        return data.replace(b"\n", end)
    return b"".join(bytes(row[:-1]) + end for row in rows)


def copy_blocks(con, sql: str, params: dict, end: bytes):
    """PostgreSQL: COPY (sql) TO STDOUT WITH CSV on psycopg connection `con`, in blocks of whole
    rows (rows, bytes), each row ending `end`: the export's COPY (db.py) and the lean export's and
    overdue report's (dbapi.py)."""
    block: list = []
    with con.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        for row in copy:
            block.append(row)
            if len(block) == 2000:
                yield len(block), copied_rows(block, end)
                block = []
    if block:
        yield len(block), copied_rows(block, end)


# SQLite: the name under which stored.time_text is registered on a connection (register_time_text),
# for the few stored times zone_offsets' years do not hold (db.py's SQLite adapter, time_text_sql).
TIME_TEXT_FUNCTION = "complaintctl_time_text"


# What SQLite's driver says when a function the tool registered raised: time_text, the only one,
# raises only for a stored time that is not one (the error itself stays inside SQLite).
UDF_RAISED = "user-defined function raised exception"


def driver_error(exc: BaseException) -> Exception | None:
    """The tool's own error for a driver's error that time_text caused (StoredTimeUnreadable, as
    the same time read in Python gives it); None for any other."""
    return unreadable() if str(getattr(exc, "orig", exc)).startswith(UDF_RAISED) else None


def register_time_text(con, tz) -> None:
    """Let SQL on this sqlite3 connection show a stored time in zone `tz` as time_text does."""
    con.create_function(TIME_TEXT_FUNCTION, 1, time_text(tz), deterministic=True)


# PostgreSQL: the settings a COPY of finished text runs under, for its transaction only (SET LOCAL):
# the business zone (the parameter), ISO dates, and no JIT (compiling the export's seventy cells
# costs more than it saves: a million rows, 15.8 s with it, 9.5 s without). db.py's copy_csv and
# the lean export (dbapi.py) both set them.
PG_COPY_SETTINGS = ("SELECT set_config('TimeZone', %s, true), set_config('DateStyle', 'ISO', true), "
                    "set_config('jit', 'off', true)")


# Where the export's CSV statement (db.py's adapters, export_csv_sql) keeps its window of receipt:
# the cases' condition, and (PostgreSQL, revealed) the same cases' ids for the personal values.
WINDOW_WHERE, WINDOW_IDS = " /*window:where*/", " /*window:ids*/"


def parameter(paramstyle: str, name: str) -> str:
    """A named parameter as the driver's `paramstyle` writes it (sqlite3: named; psycopg: pyformat)."""
    return f":{name}" if paramstyle == "named" else f"%({name})s"


def window_where(paramstyle: str, start: bool, end: bool) -> str:
    """The cases' condition of a window of receipt bounded from lo (`start`), to hi (`end`), both
    or neither, as windowed writes it in (' WHERE ...', or '' for no window)."""
    conditions = [f"c.received_at {op} {parameter(paramstyle, name)}"
                  for name, op, on in (("lo", ">=", start), ("hi", "<", end)) if on]
    return (" WHERE " + " AND ".join(conditions)) if conditions else ""


def windowed(sql: str, paramstyle: str, start: bool, end: bool) -> str:
    """The export's CSV statement with its window of receipt written in: bounded from lo (`start`),
    to hi (`end`), both or neither, as parameters in the driver's `paramstyle`."""
    where = window_where(paramstyle, start, end)
    ids = f" AND case_id IN (SELECT c.id FROM cases c{where})" if where else ""
    return sql.replace(WINDOW_IDS, ids).replace(WINDOW_WHERE, where)


def window_suffix(start: bool, end: bool) -> str:
    """The suffix of the names of the export's compiled statements (complaintctl/sqltext.py) for a
    window of receipt bounded from the start, to the end, both or neither."""
    return ("_from" if start else "") + ("_to" if end else "")
