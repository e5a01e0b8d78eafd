"""db.py's adapters for the lean `report overdue` (complaintctl_cli/lean.py), without SQLAlchemy:
the statements SQLAlchemy compiled for each backend (complaintctl/sqltext_compiled.py) run through
the DB-API driver, in one read transaction, with values bound as the engine binds them. Like db.py,
the only place besides it that chooses by the backend (tests/unit/test_backends.py)."""
from __future__ import annotations

import datetime as dt
from collections import namedtuple
from pathlib import Path

from .stored import PG_COPY_SETTINGS, copy_blocks, marked_read_only, read_only_uri, sqlite_path

Person = namedtuple("Person", "id name role branch active")  # what access.identify_with reads of staff
# Each backend's driver, and the paramstyle complaintctl/sqltext.py compiles its statements in.
PARAMSTYLE = {"sqlite": "named", "postgresql": "pyformat"}


def dialect(backend: str):
    """SQLAlchemy's dialect for a backend's driver (for complaintctl/sqltext.py, which compiles)."""
    if backend == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.dialect(paramstyle=PARAMSTYLE[backend])
    from sqlalchemy.dialects.postgresql import psycopg

    return psycopg.dialect(paramstyle=PARAMSTYLE[backend])


def inlined(backend: str, name: str, **params) -> str:
    """A lean statement's text with its parameters written in as SQL literals: the tool's own query,
    for the sqlite3 shell or psql to run beside it (benchmarks/run.py's floors)."""
    import re

    from .sqltext_compiled import QUERIES

    sql, constants = QUERIES[backend][name]
    values = {**constants, **params}

    def literal(value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return ("true" if value else "false") if backend == "postgresql" else str(int(value))
        if isinstance(value, (int, float)):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    if backend == "postgresql":
        return re.sub(r"%\((\w+)\)s", lambda m: literal(values[m.group(1)]), sql).replace("%%", "%")
    return re.sub(r":(\w+)", lambda m: literal(values[m.group(1)]) if m.group(1) in values else m.group(0), sql)


class Reader:
    """One database, read through its driver: SQLite files through sqlite3, PostgreSQL through psycopg."""

    backend = ""
    file: Path | None = None  # the database's own file, which --output must never name

    @staticmethod
    def open(url: str, busy_timeout: float) -> "Reader | None":
        """The reader of a database named plainly (a SQLite file that exists, a postgresql+psycopg
        URL with one host); None for anything else, which the full path then opens or refuses."""
        path = sqlite_path(url)
        if path is not None and "?" not in url:  # a query (options) is for SQLAlchemy to read
            if not path or path == ":memory:" or not Path(path).is_file():
                return None
            return _SQLiteReader(path, busy_timeout)
        if url.startswith("postgresql+psycopg://"):
            kw = _conninfo(url)
            return _PostgreSQLReader(kw) if kw is not None else None
        return None

    def __init__(self, con, errors):
        from .sqltext_compiled import QUERIES

        self.con, self.errors = con, errors
        self.queries = dict(QUERIES[self.backend])  # its own: `filtered` adds the statements it joins

    def _run(self, cursor, name: str, params: dict):
        sql, constants = self.queries[name]
        bound = {**constants}
        for key, value in params.items():
            if not isinstance(value, (list, tuple)):
                bound[key] = value
                continue
            # An expanding parameter (complaintctl/sqltext.py left SQLAlchemy's placeholder): integers
            # written out, anything else bound one parameter an item, as the engine expands it.
            if all(type(v) is int for v in value):
                items = [str(v) for v in value]
            else:
                items = []
                for i, v in enumerate(value):
                    bound[f"{key}_{i}"] = v
                    items.append(f":{key}_{i}" if PARAMSTYLE[self.backend] == "named" else f"%({key}_{i})s")
            sql = sql.replace(f"__[POSTCOMPILE_{key}]", ", ".join(items) or "NULL")
        cursor.execute(sql, bound)
        return cursor

    def filtered(self, name: str, filters) -> str:
        """Statement `name`, compiled with reports.FILTERED where its filters' conditions go, with the
        conditions of `filters` (names of filters.FILTERS, compiled apart as where_<name>) joined in
        their place; the name to run it by, binding each condition's value as f_<name> (and as_of,
        cutoff) at the run."""
        def join(sql: str, constants: dict) -> tuple[str, dict]:
            parts, bound = [], dict(constants)
            for condition in filters:
                text, own = self.queries["where_" + condition]
                parts.append(f"({text})")
                bound.update(own)
            return sql.replace("__filters__", " AND ".join(parts) or "1 = 1"), bound

        return self._derived(name + ":" + ",".join(filters), name, join)

    def _derived(self, key: str, name: str, rewrite) -> str:
        """Statement `name` rewritten once (`rewrite(sql, constants)` gives the new pair) and kept
        under `key`, the name to run it by (filtered, grouped, windowed)."""
        if key not in self.queries:
            self.queries[key] = rewrite(*self.queries[name])
        return key

    def all(self, name: str, **params) -> list:
        return self._run(self.con.cursor(), name, params).fetchall()

    def scalar(self, name: str, **params):
        rows = self.all(name, **params)
        return rows[0][0] if rows else None

    def objects(self, name: str, **params) -> list:
        """The rows of a statement of table rows (sqltext_compiled.ROWS), each an object with the
        models' attributes, its values as the models give them back: stored times aware UTC
        (models.UTCDateTime), flags True or False (SQLite stores 0 and 1), dates as dates (SQLite
        stores their ISO text)."""
        from types import SimpleNamespace

        from .sqltext_compiled import ROWS
        from .stored import flag, stored_utc

        columns = ROWS[name]
        convert = {"time": stored_utc, "bool": flag, None: lambda v: v,
                   "date": lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v}
        readers = [(column, convert[kind]) for column, kind in columns]
        return [SimpleNamespace(**{column: read(value) for (column, read), value in zip(readers, row)})
                for row in self.all(name, **params)]

    def stream(self, name: str, **params):
        """The rows of a long result, without holding them all."""
        cursor = self._cursor()
        # A loop, not `yield from`: a stream left unfinished (a reader who closed the pipe) is closed
        # after its connection, and `yield from` would close the cursor then, which raises.
        for row in self._run(cursor, name, params):
            yield row

    def rows(self, name: str, **params):
        """The rows of a long result, the statement run now (before anything is written, so that an
        error is told as the full way tells it) and its rows read as they are iterated: the cursor
        itself, left to the connection to close."""
        return self._run(self._cursor(), name, params)

    def _cursor(self):
        cursor = self.con.cursor()
        cursor.arraysize = 2000
        return cursor

    def write_csv(self, name: str, out, **params) -> None:
        """The rows of a statement whose every cell is finished text (complaintctl/finished.py),
        written to the binary stream `out` as csv.writer writes them (lines end CRLF): Python
        only streams."""
        import csv
        import io

        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        try:
            csv.writer(text, lineterminator="\r\n").writerows(self._run(self._cursor(), name, params))
        finally:
            text.flush()
            text.detach()

    def grouped(self, name: str, dims) -> str:
        """report summary's statement `name` with the columns of the dimensions `dims` written where
        they go (summary.DIMS_PLACE); the name to run it by."""
        from .summary import DIMENSIONS, DIMS_PLACE, dimension_columns

        if not set(dims) <= set(DIMENSIONS):  # names written into SQL: only the known columns
            raise ValueError(f"not a dimension: {dims!r}")
        return self._derived(name + ":" + ",".join(dims), name,
                             lambda sql, constants: (sql.replace(DIMS_PLACE, dimension_columns(dims)), constants))

    def windowed(self, name: str, start: bool, end: bool) -> str:
        """The export's statement `name` with its window of receipt written in (stored.windowed:
        bounded from lo, to hi, both or neither); the name to run it by, binding lo and hi."""
        from .stored import window_suffix, windowed

        return self._derived(name + window_suffix(start, end), name,
                             lambda sql, constants: (windowed(sql, PARAMSTYLE[self.backend], start, end), constants))

    def write_export(self, name: str, out, tz, **params) -> int:
        """The export's statement of finished text (db.py's adapters, export_csv_sql; `windowed`)
        written to the binary stream `out`, each row ending CRLF; how many rows. SQLite: each row one
        finished line, the few times outside zone_offsets' years shown by stored.time_text in `tz`."""
        from . import export_split
        from .stored import register_time_text

        register_time_text(self.con, tz)
        sql, constants = self.queries[name]
        return _written(out, export_split.lines(self.con, self.file, sql, {**constants, **params}, tz.key, "\r\n"))

    def export_text_holds(self, tz) -> bool:
        """Whether the export's compiled text (complaintctl/sqltext.py) is the one db.py's adapter
        makes for zone `tz`: SQLite's does not depend on the zone."""
        return True

    def may_read_personal(self) -> bool:
        """As db.py's adapter: whether this login may read personal data in full (SQLite: whoever
        may open the file)."""
        return True

    def person(self, field: str, value: str) -> Person | None:
        """The staff member whose `login` or `name` is `value` (access.identify_with's `find`)."""
        rows = self.all("staff_by_login" if field == "login" else "staff_by_name", value=value)
        return Person(*rows[0]) if rows else None

    def login(self, os_login: str) -> str:
        """Who runs the command, as db.py's adapter says: the OS account on SQLite."""
        return os_login

    def time(self, moment: dt.datetime):
        """An aware time bound as the engine binds it (models.UTCDateTime): naive UTC."""
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def day(self, day: dt.date):
        return day

    def close(self) -> None:
        self.con.close()


class _SQLiteReader(Reader):
    backend = "sqlite"
    row_security = False

    def __init__(self, path: str, busy_timeout: float):
        import sqlite3

        # A file marked read-only is opened so, as the full way's adapter opens it (db.py): a WAL
        # left beside it is not checkpointed into it when root closes the connection.
        ro = marked_read_only(path)
        con = sqlite3.connect(read_only_uri(path) if ro else path, timeout=busy_timeout, isolation_level=None, uri=ro)
        super().__init__(con, sqlite3.Error)
        self.file = Path(path)
        self.con.execute("BEGIN")  # one snapshot for every statement, as the unit of work has

    def time(self, moment: dt.datetime):
        from .stored import sqlite_time_text  # the SQLite adapter's time writer

        return sqlite_time_text(moment)

    def day(self, day: dt.date):
        return day.isoformat()  # as SQLAlchemy's SQLite DATE binds it


class _PostgreSQLReader(Reader):
    backend = "postgresql"
    row_security = True  # (as db.py's adapter says: access.bound_branch)

    def __init__(self, kw: dict):
        import psycopg

        super().__init__(psycopg.connect(**kw), psycopg.Error)  # a transaction begins with the first statement
        # One consistent view for every statement of the run (a report's figures must agree with
        # each other while cases are being written), and nothing written by mistake.
        self.con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self.con.read_only = True
        self._streams = 0  # the server-side cursors opened so far (each is named)

    def login(self, os_login: str) -> str:
        return self.scalar("login")  # session_user, as db.py's adapter asks

    def _cursor(self):
        # Server-side, as the engine streams; each its own name, as several stream at once (export).
        self._streams += 1
        cursor = self.con.cursor(name=f"complaintctl_stream_{self._streams}")
        cursor.itersize = 2000
        return cursor

    def write_csv(self, name: str, out, **params) -> int:
        """As Reader.write_csv, through COPY (query) TO STDOUT WITH CSV on this connection: the
        server writes each row; each comes as one chunk ending in LF, sent on ending CRLF as
        csv.writer ends a line (an LF inside a quoted cell is the cell's own, left as it is).
        Returns how many rows."""
        sql, constants = self.queries[name]
        return _written(out, copy_blocks(self.con, sql, {**constants, **params}, b"\r\n"))

    def export_text_holds(self, tz) -> bool:
        # Compiled in a zone of whole-hour offsets: the text for every such zone (db.py's time_text_sql).
        from .stored import WHOLE_HOURS_CHECKED, whole_hour_offsets

        return whole_hour_offsets(tz, *WHOLE_HOURS_CHECKED)

    def may_read_personal(self) -> bool:
        return bool(self.scalar("may_read_personal"))

    def write_export(self, name: str, out, tz, **params) -> int:
        """As Reader.write_export, by COPY, in the business zone for this transaction (as db.py's
        copy_csv sets it: TimeZone, DateStyle and jit, SET LOCAL)."""
        with self.con.cursor() as cursor:
            cursor.execute(PG_COPY_SETTINGS, (tz.key,))
        return self.write_csv(name, out, zone=tz.key, **params)

    def close(self) -> None:
        self.con.rollback()
        self.con.close()


def _written(out, blocks) -> int:
    """Blocks of whole rows (rows, bytes) written to the binary stream `out`; how many rows."""
    n = 0
    for rows, block in blocks:
        out.write(block)
        n += rows
    return n


def _conninfo(url: str) -> dict | None:
    """psycopg's connection arguments from an SQLAlchemy URL, as SQLAlchemy's psycopg dialect
    gives them (and the adapter's connect timeout); None for anything less plain (several hosts)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(url)
    if "," in parts.netloc or parts.fragment:
        return None
    kw: dict = dict(parse_qsl(parts.query))
    if parts.username:
        kw["user"] = unquote(parts.username)
    if parts.password:
        kw["password"] = unquote(parts.password)
    if parts.hostname:
        kw["host"] = parts.hostname
    if parts.port:
        kw["port"] = parts.port
    if parts.path.strip("/"):
        kw["dbname"] = unquote(parts.path[1:])
    kw["connect_timeout"] = 10  # db.py's _PostgreSQL.engine_kwargs
    return kw
