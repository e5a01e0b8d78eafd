"""The engine from a URL, per-connection settings, the unit of work, and the schema check.

Everything that differs between SQLite and PostgreSQL lives in the small `_Adapter` classes
below; the rest of the library writes portable SQLAlchemy.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlmodel import Session

from .models import LOOKUP_WHERE, PersonalData, UTCDateTime, stored_moment
from . import stopping
from .files import cannot_write
from .errors import DatabaseBusy, DatabaseNotFound, DatabaseUnavailable, SchemaTooNew, UserError
# Read without SQLAlchemy by the lean overdue report too (complaintctl_cli/lean.py): kept there, named here.
from .stored import UTC as _UTC, account_name, resolve_url, sqlite_path, sqlite_time_text, stored_utc, time_text  # noqa: F401
from .stored import marked_read_only, read_only_uri, without_password
from .stored import (PG_COPY_SETTINGS, SIDE_FILES, TIME_TEXT_FUNCTION, WHOLE_HOURS_CHECKED, copy_blocks, driver_error,
                     register_time_text, whole_hour_offsets)

class MicrosBetween(sa.sql.expression.FunctionElement):
    """SQL: whole microseconds from one stored time to another (`end - start`), exact on both
    backends; compiled per dialect below."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "micros_between"

    def __init__(self, start, end):
        from .models import stored_moment

        super().__init__(stored_moment(start), stored_moment(end))


@compiles(MicrosBetween, "sqlite")
def _micros_sqlite(element, compiler, **kw):
    # Stored text: 'YYYY-MM-DD HH:MM:SS.ffffff'. Whole seconds through strftime('%s') of the text
    # without its fraction (which strftime would round to milliseconds, 59.9999995 to the next
    # second), then the microseconds as an integer: no floating point, so no rounding.
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    whole = "CAST(strftime('%s', substr({}, 1, 19)) AS INTEGER)"
    return (f"(({whole.format(end)} - {whole.format(start)}) * 1000000"
            f" + (CAST(substr({end}, 21) AS INTEGER) - CAST(substr({start}, 21) AS INTEGER)))")


@compiles(MicrosBetween, "postgresql")
def _micros_postgresql(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000 AS BIGINT)"


class AddMicros(sa.sql.expression.FunctionElement):
    """SQL: a stored time moved by a whole number of microseconds (an SQL integer, either sign),
    as a stored time, exact on both backends; compiled per dialect below."""

    type = UTCDateTime()
    inherit_cache = True
    name = "add_micros"

    def __init__(self, moment, micros):
        super().__init__(stored_moment(moment), micros)


@compiles(AddMicros, "sqlite")
def _add_micros_sqlite(element, compiler, **kw):
    # Stored text: 'YYYY-MM-DD HH:MM:SS.ffffff'. The fraction and the microseconds added, split
    # into whole seconds (floored, for either sign) and the microseconds left (0-999999); the
    # seconds moved by strftime, which counts in whole milliseconds: exact, no floating point.
    moment, micros = (compiler.process(arg, **kw) for arg in element.clauses)
    total = f"(COALESCE(CAST(substr({moment}, 21) AS INTEGER), 0) + ({micros}))"
    frac = f"((({total} % 1000000) + 1000000) % 1000000)"
    return (f"(strftime('%Y-%m-%d %H:%M:%S', substr({moment}, 1, 19), (({total} - {frac}) / 1000000) || ' seconds')"
            f" || printf('.%06d', {frac}))")


@compiles(AddMicros, "postgresql")
def _add_micros_postgresql(element, compiler, **kw):
    moment, micros = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({moment} + ({micros}) * INTERVAL '1 microsecond')"


class ZoneText(sa.sql.expression.FunctionElement):
    """SQL: a stored time as ISO 8601 in the business zone, to the second, with its offset
    ('2026-05-21T16:25:00+01:00'), as stored.time_text writes it; NULL for NULL. SQLite looks the
    offset up in zone_offsets (complaintctl/zones.py: written for the config's zone); PostgreSQL
    converts AT TIME ZONE `zone` (an SQL expression: a bound parameter)."""

    type = sa.Text()
    inherit_cache = True
    name = "zone_text"

    def __init__(self, moment, zone):
        super().__init__(moment, zone)


def sqlite_zone_text(moment: str) -> str:
    """SQLite: a stored time (SQL `moment`) shown in the business zone through zone_offsets, as
    stored.time_text writes it (NULL outside the periods the table holds). The one SQLite form of
    the rule: db.ZoneText and the export's time_text_sql both write it."""
    # One index seek a time: the last period starting at or before it, its offset added to the
    # time's whole seconds (strftime would round the fraction to milliseconds), its suffix after.
    # Periods start at whole seconds, so the seek compares the time's whole second (a time stored
    # without its fraction, '2026-10-25 01:00:00', would sort before its period's start as text).
    # A zone of one offset throughout (Asia/Shanghai) needs no seek: its one period, read once a
    # statement (SQLite evaluates a subquery that names no outer column once).
    shown = "strftime('%Y-%m-%dT%H:%M:%S', substr({}, 1, 19), {}.offset_seconds || ' seconds') || {}.suffix"
    return (f"CASE WHEN (SELECT count(*) FROM zone_offsets) = 1"
            f" THEN strftime('%Y-%m-%dT%H:%M:%S', substr({moment}, 1, 19),"
            f" (SELECT offset_seconds || ' seconds' FROM zone_offsets)) || (SELECT suffix FROM zone_offsets)"
            f" ELSE (SELECT {shown.format(moment, 'zone_offsets', 'zone_offsets')} FROM zone_offsets"
            f" WHERE zone_offsets.starts_at <= substr({moment}, 1, 19) || '.999999'"
            f" ORDER BY zone_offsets.starts_at DESC LIMIT 1) END")


@compiles(ZoneText, "sqlite")
def _zone_text_sqlite(element, compiler, **kw):
    return sqlite_zone_text(compiler.process(list(element.clauses)[0], **kw))


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# SQLite GLOB: a cell csv.writer would quote (a comma, a quote, a line break anywhere in it).
_CSV_SPECIAL = "'*[,\"' || char(10) || char(13) || ']*'"


def pg_time_text(moment: str, zone: str) -> str:
    """PostgreSQL: a stored time (SQL `moment`, a UTC timestamp) as the tool shows it in the zone
    `zone` (SQL: a literal or a parameter), as stored.time_text writes it: ISO 8601 to the second
    (truncated) and the offset, to the second where the zone's rules keep seconds (local mean time
    before a zone's standard time). The one PostgreSQL form of the rule: db.ZoneText (the overdue
    report's finished text) and the export's time_text_sql both write it."""
    local = f"timezone({zone}, timezone('UTC', {moment}))"  # the wall-clock time in the zone
    off = f"abs(extract(epoch FROM {local} - {moment})::int)"  # whole seconds (both share the fraction)
    return (f"(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN {local} < {moment} THEN '-' ELSE '+' END || "
            f"lpad(({off} / 3600)::text, 2, '0') || ':' || lpad(mod({off} / 60, 60)::text, 2, '0') || "
            f"CASE WHEN mod({off}, 60) <> 0 THEN ':' || lpad(mod({off}, 60)::text, 2, '0') ELSE '' END)")


@compiles(ZoneText, "postgresql")
def _zone_text_postgresql(element, compiler, **kw):
    moment, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return pg_time_text(moment, zone)


# Revisions this version of the tool knows, oldest first. A test checks HEAD against Alembic.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012", "0013",
                   "0014", "0016", "0017", "0018", "0019", "0020", "0021", "0022",
                   "0023", "0024", "0025", "0026", "0027", "0028")
HEAD_REVISION = KNOWN_REVISIONS[-1]
# PostgreSQL: whether this login may read personal data in full (the lean export asks it too).
PG_MAY_READ_PERSONAL = "SELECT has_column_privilege('personal_data', 'value', 'SELECT')"
PG_WRITE_LOCK = 7_215_001  # advisory lock key that serialises writers (and the audit chain)

# `find`'s index: only the identifiers, as a partial index (a description may be longer than a
# PostgreSQL index entry may be). Revision 0016 creates it. Its PostgreSQL condition is declared
# when a PostgreSQL connection is made (declare_for): naming a dialect's option loads the dialect,
# and SQLAlchemy's PostgreSQL dialect costs every SQLite command 45 ms of start-up.
LOOKUP_INDEX = sa.Index("ix_personal_data_lookup", PersonalData.__table__.c.field, PersonalData.__table__.c.value,
                        sqlite_where=text(LOOKUP_WHERE))


def declare_for(dialect: str) -> None:
    """The metadata's options for a backend whose dialect is loaded (migrations/env.py, Store)."""
    if dialect == "postgresql" and LOOKUP_INDEX.dialect_options["postgresql"]["where"] is None:
        LOOKUP_INDEX.dialect_options["postgresql"]["where"] = text(LOOKUP_WHERE)


def config_url(value: str) -> str:
    """The database as the config file records it: a file database by its path, a server by its URL."""
    url = resolve_url(value)
    path = sqlite_path(url)
    if path is None or "?" in url:
        return url
    return str(Path(path).absolute())  # a relative URL's too: the file, from whichever folder the config is read


def redact(url: str) -> str:
    """The URL with any password hidden, for `db info` and error messages (stored.without_password)."""
    return without_password(url)


class _Adapter:
    name = "generic"
    path: Path | None = None  # the database's own file (a server's database has none)
    row_security = False  # the server binds each login to its branch's cases (access.bound_branch)

    def __init__(self, url: sa.engine.URL, busy_timeout: float):
        self.url = url
        self.busy_timeout = busy_timeout

    def prepare(self, create: bool = True) -> None:
        """Anything to do before the first connection (create the file, check the folder); without
        `create`, a database that does not exist is an error rather than a new empty one."""

    def engine_kwargs(self) -> dict:
        return {}

    def install(self, engine: sa.Engine) -> None:
        """Attach per-connection event handlers."""

    def new_schema(self, engine: sa.Engine) -> None:
        """Before the schema of a new database is made (nothing to do here; see the SQLite adapter)."""

    def may_write(self) -> bool:
        """Whether this process may write the database at all (a server's grants are checked as it
        writes): a reading command then keeps what it would only refresh (the stored calendar)."""
        return True

    def lock_for_write(self, session: Session) -> None:
        """Take the writers' lock at the start of a write transaction."""
        self.lock_connection(session.connection())

    def lock_connection(self, conn) -> None:
        """SQLite takes it with BEGIN IMMEDIATE; servers need an explicit lock."""

    def begin_read(self, session: Session) -> None:
        """Begin a read-only unit of work: one consistent view for all its statements (SQLite's
        transaction is one snapshot already)."""

    def describe(self, exc: BaseException) -> Exception:
        return DatabaseUnavailable("err.database", why=str(getattr(exc, 'orig', exc)).splitlines()[0])

    def login(self, conn, os_login: str) -> str:
        """Who runs this command, as the database knows it: on SQLite the OS account of the
        process (passed in by the caller); a server says it itself."""
        return os_login

    def owner_login(self, conn, os_login: str) -> str:
        """The account that owns the database, mapped to an administrator when none exists."""
        return os_login

    def map_login(self, conn, login: str, old_role: str | None, new_role: str | None) -> None:
        """Give a login the server's rights of its role (and take the old role's away). SQLite has
        no logins of its own: the staff table is the whole mapping."""

    def chain_head(self, conn) -> str | None:
        """The newest event's hash: the audit chain's head, which every writer extends."""
        return conn.execute(text("SELECT hash FROM events ORDER BY id DESC LIMIT 1")).scalar()

    def case_names(self, conn, case_id: int) -> list[tuple[str, str]]:
        """A case's customer and agent names in full, (field, value) oldest first: what writing
        needs to mask them in free text."""
        return [tuple(r) for r in conn.execute(text(
            "SELECT field, value FROM personal_data WHERE case_id = :c AND field IN ('customer', 'agent_name') "
            "ORDER BY event_id"), {"c": case_id})]

    def find_cases(self, conn, field: str, value: str) -> list[int]:
        """The ids of the cases whose personal data holds `value` as `field`."""
        return list(conn.execute(text(self.find_cases_sql()), {"f": field, "v": value}).scalars())

    def find_cases_sql(self) -> str:
        """find_cases' statement, binding :f and :v (compiled for the lean `find` too): the partial
        index ix_personal_data_lookup finds them; the query repeats its condition so that SQLite
        may use it."""
        return (f"SELECT DISTINCT case_id FROM personal_data WHERE field = :f AND value = :v AND {LOOKUP_WHERE} "
                f"ORDER BY case_id")

    def may_read_personal(self, conn) -> bool:
        """Whether this login may read personal data in full (SQLite: whoever may open the file)."""
        return True

    @contextmanager
    def bulk(self, conn):
        """Settings for a long run of inserts on this connection (a bulk import)."""
        yield

    def set_aside_indexes(self, conn, tables: tuple[str, ...], keep: tuple[str, ...] = ()) -> Callable[[], None]:
        """Drop the secondary indexes of `tables` (but `keep`) inside the current transaction, for
        a bulk insert into tables it will at least double; returns what builds them again, to be
        called before commit. Here: nothing is dropped (see the SQLite adapter)."""
        return lambda: None

    def refresh_statistics(self, conn) -> None:
        """Let the query planner see how large the tables and how selective the indexes are now."""

    def scrub(self, store, erased: bool) -> str | None:
        """After personal data was erased and committed (`erased`: this run erased some): let the
        erased bytes leave the storage too; the labels key of why they could not leave yet, if not:
        "err.…" when the purge must fail (the values are still in the files), "warn.…" when it
        only says so (they wait for the server's own clean-up)."""
        return None

    def insert_rows(self, conn, table: sa.Table, names: list[str], rows: list[tuple]) -> None:
        """Insert prepared rows (values already through their bind processors, in `names` order)."""
        conn.exec_driver_sql(sa.insert(table).compile(dialect=conn.dialect, column_keys=names).string,
                             [dict(zip(names, row)) for row in rows])

    def reserve_ids(self, conn, table: sa.Table, n: int, above: int = 0) -> list[int]:
        """N new primary keys for rows a bulk insert will give explicitly, all above `above` (the
        largest id the same insert gives from elsewhere: a reference kept), and the table's own
        numbering moved past them too. Called under the writers' lock, so the ids after the
        current largest are free."""
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
        top = max(top, above)
        return list(range(top + 1, top + n + 1))

    def next_id(self, conn, table: sa.Table) -> int:
        """The first id reserve_ids would hand out now, without taking it (under the writers' lock:
        a bulk import's second process counts its ids on from here)."""
        return conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one() + 1

    def ids_taken(self, conn, table: sa.Table, top: int) -> None:
        """Rows up to id `top` were inserted with ids counted from next_id: move the table's own
        numbering past them (SQLite numbers on from the largest id: nothing to do)."""

    # Ids with no gaps: true where a rolled-back insert gives its id back (SQLite), so that a gap
    # proves rows were removed; a PostgreSQL sequence skips the ids of rolled-back transactions.
    dense_ids = False

    def integrity_problems(self, conn) -> list[str]:
        """What the backend's own checks find wrong with the stored data: here, portable SQL for
        rows whose case does not exist."""
        problems = []
        for name in ("events", "cycles"):
            orphans = conn.execute(text(f"SELECT count(*) FROM {name} WHERE case_id IS NOT NULL "
                                        "AND case_id NOT IN (SELECT id FROM cases)")).scalar_one()
            if orphans:
                problems.append(f"foreign key: {orphans} {name} refer to missing cases")
        return problems

    def check_backup(self) -> None:
        """UserError when the tool does not back up this backend."""
        raise UserError("err.backup_postgres")

    def backup(self, target: Path) -> str:
        """Copy the database into the new, empty file `target`; the copy's integrity check."""
        self.check_backup()
        return ""

    def time_writer(self):
        """A faster writer of stored times than the driver's, if the backend has one (given to
        the engine's dialect by install, read by models.UTCDateTime); None: the plain path."""
        return None

    # Finished text from the server (export --format csv) ----------------------------------------

    def time_text_sql(self, column: str, tz) -> str | None:
        """SQL for a stored time as the tool shows it in zone `tz` (ISO 8601 to the second with the
        zone's offset, as stored.time_text makes it) inside copy_csv; None where the backend cannot."""
        return None

    def export_csv_sql(self, tz, case_fields, cycle_fields, kind_of, shown, received) -> tuple[str, dict] | None:
        """The export's CSV (importer.export_query) as one ordered query of finished text, for
        copy_csv: (SQL, parameters); None where the backend cannot. PostgreSQL: a cell a column,
        which COPY writes as CSV; SQLite: a whole line a row. The SQL keeps the window of receipt's
        place (stored.WINDOW_WHERE, WINDOW_IDS), which stored.windowed writes in; the
        parameters lo and hi bound it (`received`: either None when open)."""
        return None

    first_code = "ascii"  # SQL: the code of a text's first character (0 or NULL for empty text)

    def _cell_sql(self, tz, kind: str, column, value: str) -> str:
        """SQL for one CSV cell exactly as the Python path writes it (render._csv_sequence_cells after
        the converters): NULL for nothing (the server writes NULL as an empty cell, but an empty
        string as ""), a time in the business zone, a flag as true/false, typed text neutralised."""
        from .files import FORMULA_START
        from .models import UTCDateTime

        if isinstance(column.type, UTCDateTime):
            return self.time_text_sql(value, tz)
        if kind == "bool":
            return f"CASE WHEN {value} THEN 'true' WHEN NOT {value} THEN 'false' END"
        if isinstance(column.type, (sa.Integer, sa.Boolean)):
            return value
        if kind == "text":
            # Most text starts above "@" (letters, Chinese): one comparison of an integer.
            codes = [ord(c) for c in FORMULA_START]
            return (f"CASE WHEN {self.first_code}({value}) > {max(codes)} THEN {value} "
                    f"WHEN {self.first_code}({value}) IN ({', '.join(map(str, codes))}) THEN {_sql_literal(chr(39))} || {value} "
                    f"ELSE NULLIF({value}, '') END")
        return f"NULLIF({value}, '')"

    def copy_csv(self, conn, select_sql: str, params: dict, time_zone: str, row_end: str):
        """The rows of `select_sql` as CSV written by the server: (encoding, blocks), each block
        (rows, bytes in that encoding) of whole rows, every row ending with `row_end`; None where
        the backend cannot, or does not know the zone."""
        return None

    # Views for readers of the database (complaintctl/sqlviews.py) ------------------------------

    def now_sql(self) -> str:
        """SQL for the present moment as times are stored (UTC, without zone)."""
        return "CURRENT_TIMESTAMP"

    def create_view(self, conn, name: str, select_sql: str) -> None:
        """(Re)create a view from its SELECT."""
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE VIEW {name} AS {select_sql}")

    def view_definitions(self, conn, names) -> dict[str, str | None]:
        """The SELECT each view holds, as create_view was given it; None when the view is missing,
        or holds anything else."""
        return {name: None for name in names}


class _SQLite(_Adapter):
    name = "sqlite"

    # Finished text (export --format csv): SQLite writes each CSV line itself ----------------------

    first_code = "unicode"

    def time_text_sql(self, column: str, tz) -> str | None:
        # zone_offsets (written with the business calendar, for this config's zone and the years
        # the calendar covers: the full way writes them before it reads) within the years it holds;
        # a time outside them (history before the first case, a stray year) through Python's own
        # rule, stored.time_text, which copy_csv registers on the connection.
        within = (f"{column} >= (SELECT min(starts_at) FROM zone_offsets) AND "
                  f"{column} < (SELECT (last_year + 1) || '-01-01' FROM business_calendar)")
        return (f"CASE WHEN {within} THEN {sqlite_zone_text(column)} "
                f"WHEN {column} IS NOT NULL THEN {TIME_TEXT_FUNCTION}({column}) END")

    def export_csv_sql(self, tz, case_fields, cycle_fields, kind_of, shown, received) -> tuple[str, dict]:
        """Cases joined to their cycles, in case id and cycle number order, each row one finished
        CSV line (no line end): every cell as _cell_sql makes it, quoted as csv.writer quotes (a
        cell holding a comma, a quote or a line break, in quotes, its quotes doubled), joined by
        printf. Python only joins the lines: csv.writer's own work (a Python object per cell)
        costs more than all of SQLite's. A personal column in `shown` is the newest full value an
        event kept for it (personal.revealed). The window of receipt: as the base class says."""
        from .masking import ANONYMISED
        from .models import Case, Cycle, UTCDateTime

        from .stored import WINDOW_WHERE

        params = {name: sqlite_time_text(bound) for name, bound in zip(("lo", "hi"), received) if bound is not None}
        cells = []
        for table, names, prefix, alias in ((Case.__table__, case_fields, "", "c"), (Cycle.__table__, cycle_fields, "cycle_", "y")):
            for name in names:
                value, column = f"{alias}.{name}", table.c[name]
                if alias == "c" and name in shown:
                    kept = (f"(SELECT p.value FROM personal_data p WHERE p.case_id = c.id AND p.field = {_sql_literal(name)} "
                            "ORDER BY p.event_id DESC, p.id DESC LIMIT 1)")
                    value = (f"(CASE WHEN c.{name} <> '' AND c.{name} <> {_sql_literal(ANONYMISED)} "
                             f"THEN COALESCE({kept}, c.{name}) ELSE c.{name} END)")
                kind = kind_of(prefix + name)
                cell = self._cell_sql(tz, kind, column, value)
                if kind != "bool" and not isinstance(column.type, (UTCDateTime, sa.Integer, sa.Boolean)):
                    # Asked of the value itself (neutralising adds no character csv quotes for), so
                    # that each row makes its cell once, in the branch it takes.
                    cell = (f"CASE WHEN {value} GLOB {_CSV_SPECIAL} THEN '\"' || replace({cell}, '\"', '\"\"') || '\"' "
                            f"ELSE {cell} END")
                cells.append(cell)
        return (f"SELECT printf({_sql_literal(','.join(['%s'] * len(cells)))}, {', '.join(cells)}) "
                f"FROM cases c LEFT JOIN cycles y ON y.case_id = c.id{WINDOW_WHERE} ORDER BY c.id, y.number", params)

    def copy_csv(self, conn, select_sql: str, params: dict, time_zone: str, row_end: str):
        """The lines of export_csv_sql's query, on the session's own connection (inside its read
        transaction), in blocks of whole rows (rows, UTF-8 bytes), each line ending `row_end`; the
        few times outside zone_offsets' years shown by stored.time_text in `time_zone`. A large
        export is made on two cores (complaintctl/export_split.py)."""
        from zoneinfo import ZoneInfo

        from .export_split import lines

        raw = conn.connection.driver_connection
        register_time_text(raw, ZoneInfo(time_zone))
        return "utf-8", lines(raw, self.path, select_sql, params, time_zone, row_end)

    def now_sql(self) -> str:
        # Stored times are text with microseconds: '2026-03-02 16:00:00.000000'.
        return "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')"

    def view_definitions(self, conn, names) -> dict[str, str | None]:
        # SQLite keeps the CREATE statement's text as it was written.
        stored = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'view'").all())
        out = {}
        for name in names:
            head, _, select_sql = (stored.get(name) or "").partition(" AS ")
            out[name] = select_sql if head == f"CREATE VIEW {name}" else None
        return out

    @property
    def path(self) -> Path | None:
        db = self.url.database
        return None if not db or db == ":memory:" else Path(db)

    def prepare(self, create: bool = True) -> None:
        path = self.path
        if path is None:
            return
        if not create and not path.exists():
            raise DatabaseNotFound("err.db_not_found", where=str(path))
        if not path.parent.is_dir():
            raise DatabaseUnavailable("err.db_folder_missing", path=str(path), folder=str(path.parent))
        if path.is_dir():
            raise DatabaseUnavailable("err.db_is_folder", path=str(path))
        if not path.exists():
            # Complaint data is personal data: a new file is readable by its owner only.
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
            except FileExistsError:
                pass
            except OSError as exc:
                raise DatabaseUnavailable("err.db_create", path=str(path), why=exc.strerror.lower()) from None

    def engine_kwargs(self) -> dict:
        return {"connect_args": {"timeout": self.busy_timeout, "check_same_thread": False}}

    def owner_login(self, conn, os_login: str) -> str:
        """The file's owner: whoever can write the file can change anything in it anyway."""
        path = self.path
        if path is None or not path.exists():
            return os_login
        return account_name(path.stat().st_uid)

    dense_ids = True

    def integrity_problems(self, conn) -> list[str]:
        """SQLite's integrity check and foreign-key check; and any stored time that is not one
        (SQLite keeps whatever text it is given: one written behind the tool's back, 'x', would stop
        every command that reads its row, db check's replay too), each a line starting TIME_PROBLEM."""
        problems = [f"integrity: {msg}" for (msg,) in conn.exec_driver_sql("PRAGMA integrity_check").all()
                    if msg != "ok"]
        problems += [f"foreign key: table {row[0]} row {row[1]} refers to missing {row[2]}"
                     for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all()]
        from sqlmodel import SQLModel

        for table in SQLModel.metadata.sorted_tables:  # one scan a table, its time columns together
            times = [f'"{c.name}"' for c in table.columns if _is_time(c.type)]
            if not times:
                continue
            # (julianday alone takes 'now' and rolls 2026-02-30 over, which Python's reading refuses;
            # and it takes a zone after the time, which a stored time, naive UTC, never has: the
            # time of day holds nothing but digits, colons and the point, seconds or none)
            bad = [f"({t} IS NOT NULL AND (typeof({t}) <> 'text' OR julianday({t}) IS NULL "
                   f"OR date(julianday({t})) IS NOT substr({t}, 1, 10) "
                   f"OR trim(substr({t}, 12), ':.0123456789') <> ''))" for t in times]
            # (a case is named by its reference too, as every other command names it)
            named = ', "reference"' if "reference" in table.c else ", NULL"
            found = conn.exec_driver_sql(f'SELECT rowid{named}, {", ".join(bad)}, {", ".join(times)} FROM "{table.name}" '
                                         f"WHERE {' OR '.join(bad)} LIMIT 5").all()
            for rowid, reference, *flags in found:
                values = flags[len(times):]
                row = f"row {rowid}" + (f" ({reference})" if reference else "")
                problems += [f"{TIME_PROBLEM}: {table.name} {row}: {t.strip(chr(34))} holds {str(v)[:32]!r}, "
                             "not a time (restore the row from a backup)"
                             for t, flag, v in zip(times, flags[:len(times)], values) if flag]
        return problems

    def check_backup(self) -> None:
        if self.path is None:
            raise UserError("err.backup_memory")

    def backup(self, target: Path) -> str:
        """Through SQLite's online backup API, 1,024 pages at a time, so writers are not held up;
        the copy is left in rollback-journal mode, a single self-contained file."""
        import sqlite3

        src = sqlite3.connect(self.path, timeout=self.busy_timeout)
        dst = sqlite3.connect(target)
        try:
            needed = 0  # the copy's size: the database as a reader sees it, its WAL's pages too
            try:
                needed = src.execute("PRAGMA page_count").fetchone()[0] * src.execute("PRAGMA page_size").fetchone()[0]
                src.backup(dst, pages=1024)
                dst.execute("PRAGMA journal_mode = DELETE")
                return dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
                src.close()
        except sqlite3.OperationalError as exc:  # the copy's disk refused it (the database is only read)
            code = getattr(exc, "sqlite_errorcode", None)
            if code == sqlite3.SQLITE_FULL:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from None
            if code in (sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC, sqlite3.SQLITE_IOERR_TRUNCATE):
                why = _why_not_held(target, max(needed, os.path.getsize(self.path)))  # SQLite keeps no errno
                raise OSError(why, os.strerror(why)) if why else OSError(errno.EIO, str(exc)) from None
            raise
        finally:  # the copy's own journal, left by a copy that failed (the copy itself is the caller's)
            for suffix in SIDE_FILES:
                Path(str(target) + suffix).unlink(missing_ok=True)

    def time_writer(self):
        """Straight to the stored text (SQLAlchemy's DATETIME format, microseconds always written,
        so that text order is time order), without the driver's per-value conversion. Pinned to
        the plain path by tests/unit/test_fast_paths.py."""
        return sqlite_time_text

    def install(self, engine: sa.Engine) -> None:
        engine.dialect.complaintctl_time_writer = self.time_writer()
        busy_ms = int(self.busy_timeout * 1000)

        @event.listens_for(engine, "do_connect")
        def _on_do_connect(_dialect, _record, cargs, cparams):
            # A file marked read-only (no write bit for anyone) is opened read-only, root too, whom
            # the file system would let write it: a write is then refused as it is for any other
            # account (err.db_readonly), and nothing (a WAL's checkpoint neither) reaches the file.
            if self.path is not None and marked_read_only(self.path):
                cargs[:] = [read_only_uri(self.path)]
                cparams["uri"] = True

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            # Take transaction control away from the driver so BEGIN IMMEDIATE can be issued.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cur.execute("PRAGMA foreign_keys = ON")
            # An empty file stays empty until its schema is made (new_schema); one that may not be
            # written keeps its mode (setting it is a write, refused: reading commands still work).
            if self._holds_data() and self.may_write():
                cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            # Deleted and overwritten content is zeroed in the file, so an erased value (db purge)
            # does not linger in a free page or a page's free space.
            cur.execute("PRAGMA secure_delete = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            write = conn.get_execution_options().get("complaintctl_write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def _holds_data(self) -> bool:
        """Whether the database file has any bytes: WAL mode is kept in the file's first page, and
        setting it writes that page, so a command that only reads must not set it on an empty file
        (every command but those that make the schema refuses one, err.db_empty)."""
        try:
            return self.path is None or os.path.getsize(self.path) > 0
        except OSError:
            return True  # (not there yet, or unreadable: SQLite says what is wrong)

    def may_write(self) -> bool:
        """Whether this process may write the database file (and the file is not marked read-only)."""
        path = self.path
        if path is None or not path.exists():
            return True
        return not marked_read_only(path) and os.access(path, os.W_OK)

    def new_schema(self, engine: sa.Engine) -> None:
        """Before the schema of a new (empty) file is made: WAL mode, which stays with the file."""
        raw = engine.raw_connection()  # (outside a transaction, where the mode can change)
        try:
            raw.cursor().execute("PRAGMA journal_mode = WAL")
        finally:
            raw.close()

    @contextmanager
    def bulk(self, conn):
        """A bigger page cache (32 MB) for the rest of this connection's life, which for the CLI is
        the command's: every index of the cases table takes random inserts, and with SQLite's
        default 2 MB cache their pages are written out again and again."""
        conn.exec_driver_sql("PRAGMA cache_size = -32768")
        yield

    def set_aside_indexes(self, conn, tables: tuple[str, ...], keep: tuple[str, ...] = ()) -> Callable[[], None]:
        """Each index built once from sorted keys at the end costs less than as many random inserts
        into it (100,000 cases into an empty register: 4.2 s of SQLite's CPU against 5.8 s). DDL is
        part of SQLite's transaction: a rollback, or a crash, brings the indexes back as they were,
        and readers meanwhile see the committed schema. Unique constraints' own indexes stay."""
        marks = ", ".join("?" * len(tables))
        found = conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' "
            f"AND tbl_name IN ({marks}) "
            f"ORDER BY name", tuple(tables)).all()
        found = [(name, sql) for name, sql in found if name not in keep]
        for name, _ in found:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')

        def rebuild() -> None:
            for _, sql in found:
                conn.exec_driver_sql(sql)
        return rebuild

    def insert_rows(self, conn, table: sa.Table, names: list[str], rows: list[tuple]) -> None:
        """executemany with positional parameters, compiled once."""
        quote = conn.dialect.identifier_preparer.quote
        marks = ", ".join("?" * len(names))
        conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES ({marks})", rows)

    def scrub(self, store, erased: bool) -> str | None:
        """Copy the WAL into the file and truncate it (whether or not this run erased anything: a run
        again finishes what a reader kept the last from doing): the page versions that held erased
        values go with it (secure_delete has already zeroed them in the pages themselves). A reader
        still holding an older snapshot keeps the checkpoint from finishing (after the busy
        timeout), and the old pages stay in the WAL and the file until a later checkpoint."""
        raw = store.engine.raw_connection()
        try:
            cur = raw.cursor()
            busy = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            cur.close()
        finally:
            raw.close()
        return "err.scrub_busy" if busy else None

    def refresh_statistics(self, conn) -> None:
        """An approximate ANALYZE (a thousand index entries a table: milliseconds at any size).
        Without statistics SQLite guesses, and at a million cases it picks the status index over
        the branch index for `list --status closed --branch X`: seconds instead of milliseconds."""
        conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        conn.exec_driver_sql("ANALYZE")

    def describe(self, exc: BaseException) -> Exception:
        msg = str(getattr(exc, "orig", exc)).splitlines()[0]
        ours = driver_error(exc)
        if ours is not None:
            return ours
        if "disk is full" in msg:
            return cannot_write(self.path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        if "disk I/O error" in msg:
            return DatabaseUnavailable("err.db_io", path=str(self.path))
        if "locked" in msg or "busy" in msg:
            return DatabaseBusy("err.db_busy", seconds=f"{self.busy_timeout:g}")
        if "not a database" in msg or "malformed" in msg:
            return DatabaseUnavailable("err.not_sqlite", path=str(self.path))
        if "readonly" in msg or "read-only" in msg:
            return DatabaseUnavailable("err.db_readonly", path=str(self.path))
        if "unable to open" in msg:
            return DatabaseUnavailable("err.db_open", path=str(self.path), why=msg)
        return DatabaseUnavailable("err.database", why=msg)


class _PostgreSQL(_Adapter):
    name = "postgresql"
    row_security = True  # revision 0013's policies

    def now_sql(self) -> str:
        return "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')"

    def create_view(self, conn, name: str, select_sql: str) -> None:
        """security_invoker (PostgreSQL 15): the reader's own rights and row-level security apply,
        as they do to the table (a view otherwise reads with its owner's: every branch's rows).
        Read-only. The server keeps a view in its own words, so the SELECT as given is kept in the
        view's comment with a digest of the server's words: a view changed later no longer matches."""
        import hashlib

        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE VIEW {name} WITH (security_invoker = true) AS {select_sql}")
        kept = conn.execute(text("SELECT pg_get_viewdef(CAST(:v AS regclass))"), {"v": name}).scalar_one()
        note = f"complaintctl {hashlib.sha256(kept.encode()).hexdigest()} {select_sql}"
        conn.exec_driver_sql(f"COMMENT ON VIEW {name} IS '" + note.replace("'", "''") + "'")
        groups = conn.exec_driver_sql("SELECT rolname FROM pg_roles WHERE starts_with(rolname, 'complaint_')").scalars().all()
        if groups:
            quoted = ", ".join(conn.dialect.identifier_preparer.quote(g) for g in groups)
            conn.exec_driver_sql(f"REVOKE INSERT, UPDATE, DELETE ON {name} FROM {quoted}")
            conn.exec_driver_sql(f"GRANT SELECT ON {name} TO {quoted}")

    def view_definitions(self, conn, names) -> dict[str, str | None]:
        import hashlib

        rows = {name: (kept, note) for name, kept, note in conn.exec_driver_sql(
            "SELECT c.relname, pg_get_viewdef(c.oid), obj_description(c.oid, 'pg_class') FROM pg_class c "
            "WHERE c.relkind = 'v' AND c.relnamespace = current_schema()::regnamespace").all()}
        out = {}
        for name in names:
            kept, note = rows.get(name, ("", None))
            tag, _, rest = (note or "").partition(" ")
            digest, _, select_sql = rest.partition(" ")
            same = tag == "complaintctl" and digest == hashlib.sha256(kept.encode()).hexdigest()
            out[name] = select_sql if same else None
        return out

    def engine_kwargs(self) -> dict:
        return {"connect_args": {"connect_timeout": 10}}

    def login(self, conn, os_login: str) -> str:
        return conn.execute(text("SELECT session_user")).scalar_one()

    def map_login(self, conn, login: str, old_role: str | None, new_role: str | None) -> None:
        """GRANT the login its role's group role (complaint_staff, ...); REVOKE the old one. The DBA
        creates the login; the tool maps it."""
        from .errors import InvalidValue

        if new_role and not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :l"), {"l": login}).scalar():
            raise InvalidValue("--login", login, "acc.server_login")
        quote = conn.dialect.identifier_preparer.quote
        if old_role:
            conn.exec_driver_sql(f"REVOKE {quote('complaint_' + old_role)} FROM {quote(login)}")
        if new_role:
            conn.exec_driver_sql(f"GRANT {quote('complaint_' + new_role)} TO {quote(login)}")

    def chain_head(self, conn) -> str | None:
        """Through a function owned by the tables' owner: row-level security hides other branches'
        events from a branch login, but the chain runs through all of them."""
        return conn.execute(text("SELECT complaintctl_chain_head()")).scalar()

    def case_names(self, conn, case_id: int) -> list[tuple[str, str]]:
        """Through the owner's function (revision 0016): a login that may not read personal_data
        still masks the names of a case of its own branch in the text it writes."""
        return [tuple(r) for r in conn.execute(text("SELECT field, value FROM complaintctl_case_names(:c)"),
                                               {"c": case_id})]

    def find_cases_sql(self) -> str:
        """Through the owner's function (revision 0016), for every role that may find; the cases'
        own row-level security then shows only those of the login's branch."""
        return "SELECT complaintctl_find_cases(:f, :v)"

    def may_read_personal(self, conn) -> bool:
        return bool(conn.execute(text(PG_MAY_READ_PERSONAL)).scalar())

    def owner_login(self, conn, os_login: str) -> str:
        """The owner of the tables (who ran the migrations): it could change anything anyway."""
        owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                                  "AND tablename = 'cases'")).scalar()
        return owner or conn.execute(text("SELECT session_user")).scalar_one()

    def lock_connection(self, conn) -> None:
        conn.execute(text(f"SET LOCAL lock_timeout = '{int(self.busy_timeout * 1000)}ms'"))
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})

    def begin_read(self, session: Session) -> None:
        # Under read committed each statement would see what other sessions committed meanwhile, so
        # that a report's statements could disagree while cases are being written.
        session.connection().exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def refresh_statistics(self, conn) -> None:
        conn.exec_driver_sql("ANALYZE cases, cycles, events")

    def scrub(self, store, erased: bool) -> str | None:
        """VACUUM makes the dead row versions holding erased values reusable; the server's WAL and
        any backup keep them until they are recycled (README: Data safety). Only the tables' owner
        (or a superuser) may VACUUM them: for any other login the server skips it with a warning,
        and the dead versions wait for autovacuum, which the purge then says."""
        if not erased:
            return None
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if self.subject_to_row_security(conn, "personal_data"):
                return "warn.scrub_owner"
            conn.exec_driver_sql("VACUUM personal_data, cases")
        return None

    def subject_to_row_security(self, conn, table: str) -> bool:
        """Whether the session's login is held to a table's row-level security (not its owner, a
        member of the owner's role, a superuser or a login that bypasses it): such a login may not
        COPY into it, nor VACUUM it."""
        cache = conn.info.setdefault("complaintctl_row_security", {})
        if table not in cache:
            cache[table] = bool(conn.exec_driver_sql(
                "SELECT c.relrowsecurity AND NOT (pg_has_role(current_user, c.relowner, 'USAGE') OR r.rolsuper "
                "OR r.rolbypassrls) FROM pg_class c JOIN pg_roles r ON r.rolname = current_user "
                "WHERE c.oid = to_regclass(%(t)s)", {"t": table}).scalar())
        return cache[table]

    def insert_rows(self, conn, table: sa.Table, names: list[str], rows: list[tuple]) -> None:
        """COPY ... FROM STDIN on the session's own connection (inside its transaction): psycopg's
        executemany spends ~40 µs of Python a row on its pipeline; COPY streams the rows. The server
        refuses COPY into a table with row-level security to a login held to it (a manager's or an
        administrator's own login, not the tables' owner): theirs go in by INSERT."""
        quote = conn.dialect.identifier_preparer.quote
        columns = ", ".join(quote(n) for n in names)
        if self.subject_to_row_security(conn, table.name):
            sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
            with conn.connection.driver_connection.cursor() as cur:
                cur.executemany(sql, rows)  # the same values COPY would have taken, adapted alike
            return
        sql = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def time_text_sql(self, column: str, tz) -> str | None:
        # In the session's zone, which copy_csv sets (and DateStyle ISO) for its transaction. The
        # cast to text costs the server half what to_char does (the export's largest share of its
        # work); it writes a whole-hour offset as "+08", so it serves where the zone keeps whole
        # hours, and the general form (pg_time_text: the offset to the second) elsewhere.
        general = pg_time_text(column, "%(zone)s")  # export_csv_sql binds the zone's name
        first, last = WHOLE_HOURS_CHECKED
        if not whole_hour_offsets(tz, first, last):
            return general
        # One comparison a cell (later years keep the zone's last rule, on both sides); a NULL
        # goes through neither form.
        return (f"CASE WHEN {column} >= '{first}-01-01' THEN "
                f"replace((date_trunc('second', {column}) AT TIME ZONE 'UTC')::text, ' ', 'T') || ':00' "
                f"WHEN {column} IS NOT NULL THEN {general} END")

    # A cycle's times that are mostly its case's: the first cycle opens at receipt with its deadlines.
    _CYCLE_TIME_OF_CASE = {"opened_at": "received_at", "due_at": "due_at", "first_response_due_at": "first_response_due_at",
                           "first_responded_at": "first_responded_at", "regulatory_due_at": "regulatory_due_at",
                           "resolved_at": "resolved_at"}

    def export_csv_sql(self, tz, case_fields, cycle_fields, kind_of, shown, received) -> tuple[str, dict]:
        """Cases joined to their cycles, in case id and cycle number order, each cell its CSV text
        (`kind_of(key)`: importer.export_kind); a personal column in `shown` the newest full value an
        event kept for it (personal.revealed, as a join on personal_data). The parameters: zone (the
        business zone's name), and the window of receipt's, as the base class says; the text itself depends on the zone only by whether its offsets keep whole hours (the lean
        export runs it compiled: complaintctl/sqltext.py)."""
        from .masking import ANONYMISED
        from .models import Case, Cycle

        from .stored import WINDOW_IDS, WINDOW_WHERE

        params: dict = {"zone": tz.key, **{name: bound.astimezone(dt.timezone.utc).replace(tzinfo=None)
                                           for name, bound in zip(("lo", "hi"), received) if bound is not None}}
        cells = []
        for name in case_fields:
            value = f"c.{name}"
            if name in shown:
                value = (f"(CASE WHEN c.{name} <> '' AND c.{name} <> {_sql_literal(ANONYMISED)} "
                         f"THEN COALESCE(k.{name}, c.{name}) ELSE c.{name} END)")
            cells.append(self._cell_sql(tz, kind_of(name), Case.__table__.c[name], value))
        # The case's times made once, in the inner query (OFFSET 0 keeps the server from folding it
        # into the outer one, which would make them again), and taken from there where a cycle's equal.
        where = {name: i for i, name in enumerate(case_fields)}
        inner = [f"{cell} AS t{i}" for i, cell in enumerate(cells)]
        outer = [f"t{i}" for i in range(len(cells))]
        inner += [f"y.{name} AS y_{name}" for name in cycle_fields]
        inner += [f"c.{case} AS c_{case}" for case in self._CYCLE_TIME_OF_CASE.values()]
        inner += ["c.id AS o_case", "y.number AS o_cycle"]
        for name in cycle_fields:
            cell = self._cell_sql(tz, kind_of(f"cycle_{name}"), Cycle.__table__.c[name], f"y_{name}")
            case = self._CYCLE_TIME_OF_CASE.get(name)
            outer.append(f"CASE WHEN y_{name} = c_{case} THEN t{where[case]} ELSE {cell} END" if case else cell)
        sql = f"SELECT {', '.join(inner)} FROM cases c LEFT JOIN cycles y ON y.case_id = c.id"
        if shown:
            # The newest value each event kept, per case and field (personal.current), one row a case.
            pivot = ", ".join(f"max(value) FILTER (WHERE field = {_sql_literal(f)}) AS {f}" for f in shown)
            sql += (f" LEFT JOIN (SELECT case_id, {pivot} FROM (SELECT DISTINCT ON (case_id, field) case_id, field, value "
                    f"FROM personal_data WHERE field IN ({', '.join(_sql_literal(f) for f in shown)}){WINDOW_IDS} "
                    "ORDER BY case_id, field, event_id DESC) latest GROUP BY case_id) k ON k.case_id = c.id")
        return (f"SELECT {', '.join(outer)} FROM ({sql}{WINDOW_WHERE} ORDER BY c.id, y.number OFFSET 0) rows "
                "ORDER BY o_case, o_cycle",
                params)

    def copy_csv(self, conn, select_sql: str, params: dict, time_zone: str, row_end: str):
        """COPY (query) TO STDOUT WITH CSV on the session's own connection, inside its transaction,
        with the session's zone set to the business zone for that transaction only (SET LOCAL, as
        are DateStyle and jit).
        The server writes each row (quoting as Python's csv module does, NULL as nothing); libpq
        hands them over one row at a time, each ending in "\n", which becomes `row_end` here."""
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute("SAVEPOINT complaintctl_zone")
            try:
                cur.execute(PG_COPY_SETTINGS, (time_zone,))
            except raw.DatabaseError:
                cur.execute("ROLLBACK TO SAVEPOINT complaintctl_zone")
                return None
            cur.execute("RELEASE SAVEPOINT complaintctl_zone")
        encoding = raw.info.encoding
        return encoding, copy_blocks(raw, select_sql, params, row_end.encode(encoding))

    def _sequence(self, conn, table: sa.Table) -> str:
        # The name comes from the catalogue, not from input.
        return conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar_one()

    def next_id(self, conn, table: sa.Table) -> int:
        """The value nextval would give (a sequence never called yet gives its last_value)."""
        last, called = conn.execute(text(f"SELECT last_value, is_called FROM {self._sequence(conn, table)}")).one()
        return last + 1 if called else last

    def ids_taken(self, conn, table: sa.Table, top: int) -> None:
        """The sequence moved past ids given explicitly (as reserve_ids would have taken them), batch
        by batch, so that its value shows from outside how far an open import has gone."""
        sequence = self._sequence(conn, table)
        conn.execute(text(f"SELECT setval(:s, greatest(:top, (SELECT last_value FROM {sequence})))"),
                     {"s": sequence, "top": top})

    def reserve_ids(self, conn, table: sa.Table, n: int, above: int = 0) -> list[int]:
        """Taken from the table's own sequence, so rows inserted later without an id never collide;
        the sequence is first moved past `above` (ids the same insert gives explicitly)."""
        if above:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar_one()
            # The name comes from the catalogue, not from input.
            conn.execute(text(f"SELECT setval(:s, greatest(:above, (SELECT last_value FROM {sequence})))"),
                         {"s": sequence, "above": above})
        if not n:
            return []
        return list(conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                                 {"t": table.name, "n": n}).scalars())

    def describe(self, exc: BaseException) -> Exception:
        msg = str(getattr(exc, "orig", exc)).splitlines()[0]
        if "lock timeout" in msg:
            return DatabaseBusy("err.db_busy", seconds=f"{self.busy_timeout:g}")
        if "row-level security" in msg or "permission denied" in msg or "insert-only" in msg:
            from .access import denied

            return denied("server", message=msg)
        return DatabaseUnavailable("err.database", why=msg)


ADAPTERS = {"sqlite": _SQLite, "postgresql": _PostgreSQL}


def adapter_for(conn) -> _Adapter:
    """The adapter of a connection's backend (a migration run by Alembic alone has no Store)."""
    return ADAPTERS.get(conn.dialect.name, _Adapter)(conn.engine.url, 0)


# The engines this process has made, by database (and process: a forked child makes its own): a
# process that opens one database many times (the shell's commands, a program that uses the
# library, the test suite) keeps the statements SQLAlchemy compiled, about a third of a short
# command's time, and a server's first-connect probing. A new Store of a kept engine closes its idle
# connections, and a Store releases its own when disposed: each connection is opened and set up
# afresh (the connect handler), so a file replaced in between is the one read.
_ENGINES: "OrderedDict[tuple, tuple]" = OrderedDict()
_ENGINES_LOCK = threading.Lock()
KEPT_ENGINES = 8
# A forked child starts with none: its parent's engines hold the parent's connections, which the
# child must neither use nor close (closing a PostgreSQL connection tells the server the session
# ended). They are kept from the garbage collector too, whose closing would do the same.
_PARENTS_ENGINES: list = []


def _forget_parents_engines() -> None:
    _PARENTS_ENGINES.extend(_ENGINES.values())
    _ENGINES.clear()


os.register_at_fork(after_in_child=_forget_parents_engines)


class Store:
    """One database: its engine, dialect adapter, and schema state."""

    def __init__(self, url: str, busy_timeout: float = 30, *, create: bool = True):
        """`create=False`: the database must already exist (a mistyped path is an error, not a new
        empty database that reports nothing overdue)."""
        self.url = url = resolve_url(url)
        self.create = create
        # Seen at the head revision by ensure_schema: revisions only move forward, so `reached`
        # needs no further query for this Store's life.
        self.at_head = False
        try:
            parsed = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            from .errors import InvalidValue

            raise InvalidValue("--db", url, "acc.db_url") from None
        backend = parsed.get_backend_name()
        declare_for(backend)
        adapter_cls = ADAPTERS.get(backend, _Adapter)
        # (an in-memory database is its engine's own: two Stores of one would share one database)
        key = None if backend == "sqlite" and parsed.database in (None, "", ":memory:") else (
            parsed.render_as_string(hide_password=False), adapter_cls, busy_timeout)
        with _ENGINES_LOCK:
            kept = _ENGINES.get(key)
            if kept is not None:
                _ENGINES.move_to_end(key)
        if kept is not None:
            self.adapter, self.engine, self.write_engine = kept
            self.adapter.prepare(create)
            # Its idle connections closed (a Store left undisposed keeps one, perhaps to a file
            # replaced since): this Store's are opened afresh; the compiled statements stay.
            self.engine.dispose()
            return
        self.adapter = adapter_cls(parsed, busy_timeout)
        self.adapter.prepare(create)
        try:
            self.engine = sa.create_engine(parsed, **self.adapter.engine_kwargs())
        except sa.exc.NoSuchModuleError:  # a scheme no database answers to: the user's input, not the machine
            from .errors import InvalidValue

            raise InvalidValue("--db", parsed.render_as_string(hide_password=True), "acc.db_url") from None
        except ModuleNotFoundError as exc:
            raise DatabaseUnavailable("err.driver_missing", backend=backend, module=exc.name) from None
        self.adapter.install(self.engine)
        self.write_engine = self.engine.execution_options(complaintctl_write=True)
        if key is None:
            return
        with _ENGINES_LOCK:
            _ENGINES[key] = (self.adapter, self.engine, self.write_engine)
            evicted = [_ENGINES.popitem(last=False)[1][1] for _ in range(len(_ENGINES) - KEPT_ENGINES)]
        for engine in evicted:
            engine.dispose()  # (its connections not in use closed; a Store still holding it goes on)

    @property
    def shown_url(self) -> str:
        """The URL as `db info` shows it: a file's as it names the file (a Chinese name readable), a
        server's without its password."""
        return self.url if self.adapter.path is not None else redact(self.url)

    @property
    def display_url(self) -> str:
        """Where the database is, as a person reads it: the file's path, or the URL without password."""
        path = self.adapter.path
        return str(path) if path is not None else redact(self.url)

    @property
    def dialect(self) -> str:
        return self.adapter.name

    @property
    def backend(self) -> str:
        """The backend's name, as `db info` shows it."""
        return self.adapter.name

    def translate(self, exc: BaseException) -> Exception:
        return self.adapter.describe(exc)

    # Schema ----------------------------------------------------------------------------

    def current_revision(self) -> str | None:
        """The stored Alembic revision, read with plain SQL so that Alembic is not imported."""
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError) as exc:
            msg = str(exc.orig)
            if "no such table" in msg or "does not exist" in msg or "UndefinedTable" in type(exc.orig).__name__:
                return None
            raise self.translate(exc) from None
        except DBAPIError as exc:
            raise self.translate(exc) from None

    def ensure_schema(self, os_login: str | None = None, now=None, policy=None) -> str | None:
        """Bring a new or older database to the current revision; return the revision applied, if any.
        In the same transaction, a database without an administrator gets its owner as one."""
        revision = self.current_revision()
        if revision == HEAD_REVISION:
            self.at_head = True
            return None
        if revision is not None and revision not in KNOWN_REVISIONS:
            raise SchemaTooNew("err.schema_too_new", revision=revision, head=HEAD_REVISION)
        if revision is None and self._has_foreign_tables():
            raise DatabaseUnavailable("err.no_revision")
        if revision is None and not self.create:
            raise DatabaseNotFound("err.db_empty", where=self.display_url)
        # A new file whose schema could not be made (a full disk) is left as it is, empty: removing it
        # could remove the database another process is making at the same moment, and an empty
        # file is refused by every command but those that make one (err.db_empty).
        if revision is None:
            try:
                self.adapter.new_schema(self.engine)
            except DBAPIError as exc:
                raise self.translate(exc) from None
        self.upgrade(os_login=os_login, now=now, policy=policy)
        return HEAD_REVISION

    def _has_foreign_tables(self) -> bool:
        try:
            names = sa.inspect(self.engine).get_table_names()
        except DBAPIError as exc:
            raise self.translate(exc) from None
        return bool(names) and "cases" not in names

    def upgrade(self, revision: str = "head", os_login: str | None = None, now=None, policy=None) -> None:
        """Run Alembic migrations up to `revision` (imports Alembic only here); `policy` is config's,
        for a revision that counts working time (the default calendar without one)."""
        from .migrate import upgrade

        try:
            upgrade(self, revision, os_login=os_login or account_name(os.getuid()), now=now, policy=policy)
        except DBAPIError as exc:
            raise self.translate(exc) from None

    def reached(self, revision: str) -> bool:
        """The database is at `revision` or a later one this version knows."""
        if self.at_head:
            return True
        current = self.current_revision()
        return current in KNOWN_REVISIONS and KNOWN_REVISIONS.index(current) >= KNOWN_REVISIONS.index(revision)

    @contextmanager
    def locked(self):
        """A write transaction on a plain connection, holding the writers' lock, for what is not a
        case (the views, the business calendar's days); database errors translated."""
        try:
            with self.write_engine.begin() as conn:
                self.adapter.lock_connection(conn)
                yield conn
        except DBAPIError as exc:
            raise self.translate(exc) from None

    def ensure_administrator(self, os_login: str | None = None, now=None) -> str | None:
        """Map the database's owner to an administrator if none is active (the recovery path of
        `db upgrade`); returns the login mapped, if any."""
        import datetime as dt

        from .access import ensure_administrator

        try:
            with self.write_engine.begin() as conn:
                self.adapter.lock_connection(conn)
                owner = self.adapter.owner_login(conn, os_login or account_name(os.getuid()))
                return ensure_administrator(conn, owner, now or dt.datetime.now(dt.timezone.utc))
        except DBAPIError as exc:
            raise self.translate(exc) from None

    # Units of work ---------------------------------------------------------------------

    def unit_of_work(self, write: bool = True) -> "UnitOfWork":
        return UnitOfWork(self, write)

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One transaction. Rolls back unless `commit()` is called; re-entrant for batch work."""

    def __init__(self, store: Store, write: bool = True):
        self.store = store
        self.write = write
        self.session: Session | None = None
        self._depth = 0
        self._committed = False
        self.last_hash: str | None = None  # the audit chain's head, cached within this transaction

    def __enter__(self) -> "UnitOfWork":
        self._depth += 1
        if self._depth == 1:
            bind = self.store.write_engine if self.write else self.store.engine
            self.session = Session(bind=bind, expire_on_commit=False, autoflush=False)
            self._committed = False
            self.last_hash = None
            try:
                self.session.connection()
                if self.write:
                    stopping.writing()
                    self.store.adapter.lock_for_write(self.session)
                else:
                    self.store.adapter.begin_read(self.session)
            except DBAPIError as exc:
                self._close()
                raise self.store.translate(exc) from None
        return self

    def refresh_statistics(self) -> None:
        """Refresh the planner's statistics inside this (write) transaction: after a bulk change,
        and whenever the number of cases has doubled."""
        self.store.adapter.refresh_statistics(self.session.connection())

    def commit(self) -> None:
        if self._depth > 1:
            return  # the outermost unit commits
        try:
            with stopping.committing():  # a stop after this is no longer an interruption (stopping.py)
                self.session.commit()
        except DBAPIError as exc:
            raise self.store.translate(exc) from None
        self._committed = True

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._depth -= 1
        if self._depth > 0:
            return False
        if not self._committed:
            self.session.rollback()
        self._close()
        if isinstance(exc, DBAPIError):
            raise self.store.translate(exc) from None
        return False

    def _close(self) -> None:
        if self.session is not None:
            self.session.close()
        self.session = None
        self._depth = 0

def _why_not_held(target: Path, size: int) -> int | None:
    """Why a copy of `size` bytes could not be written at `target`, where the writer (SQLite) kept
    no errno: the process's file size limit (EFBIG) or the free space of the target's file system
    (ENOSPC); None when neither explains it (a disk I/O error as such)."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit != resource.RLIM_INFINITY and size > limit:
            return errno.EFBIG
    except (ImportError, OSError, ValueError):
        pass
    try:
        room = os.statvfs(target.parent)
    except (AttributeError, OSError):
        return None
    return errno.ENOSPC if room.f_bavail * room.f_frsize < size else None


# Stored times -----------------------------------------------------------------------------------
# Times are stored as naive UTC (models.UTCDateTime): SQLite hands them back as text, PostgreSQL as
# naive datetimes. The reports and the export read them raw and convert them once (stored.py).

UTC = _UTC


# db check's lines for a stored time that is not one: the replay, which reads every case's times,
# is not run over them.
TIME_PROBLEM = "stored time"


def _is_time(kind) -> bool:
    return isinstance(kind, sa.types.TypeDecorator) and isinstance(kind.impl, sa.DateTime)


def raw_times(columns):
    """Time columns selected as stored (no per-value result processing); converted once, by
    stored_utc or time_text."""
    return [sa.type_coerce(c, sa.String).label(c.name) if _is_time(c.type) else c for c in columns]


def prepared_rows(dialect, table: sa.Table, rows: list[dict], times: dict | None = None) -> tuple[list[str], list[tuple]]:
    """Rows given as dicts as the adapter's insert_rows takes them: the column names, and each row's
    values through their types' bind processors (the dialect is all it needs: a bulk import's
    second process prepares them, the first inserts them). A processor runs once per distinct
    value of a column (a bulk insert repeats the same few deadlines, flags and times), and the
    column is then read through the remembered results by map, with no Python call a value:
    `times`, if given, keeps converted times across calls (the same receipt time goes into several
    tables). None, which every processor passes through, is never remembered; each other kind of
    column has a memo of its own, as True, 1 and 1.0 are one key to a dict.
    A column empty in every row and with no default of the database's own is left out of the
    insert, which stores NULL there all the same: Python's sqlite3 binds each None through its
    adapter lookup, so an import's eleven empty columns of a case cost the inserting process a
    tenth of its time."""
    names = []
    columns = []
    for k in rows[0]:
        values = list(map(itemgetter(k), rows))
        column = table.c[k]
        if _left_out(column, values):
            continue
        names.append(k)
        kind = column.type
        proc = kind.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            memo = times if times is not None and _is_time(kind) else {}
            for value in set(values).difference(memo):
                if value is not None:
                    memo[value] = proc(value)
            values = list(map(memo.get, values))
        columns.append(values)
    return names, list(zip(*columns))


def _left_out(column: sa.Column, values) -> bool:
    """Whether an insert leaves the column out: empty in every row, and NULL is what the database
    stores there without it (prepared_rows)."""
    return column.server_default is None and not column.primary_key and values.count(None) == len(values)


def tuple_rows(table: sa.Table, names: tuple[str, ...], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """Rows built as tuples in `names` order, their values already as the insert takes them
    (Binder's), as the adapter's insert_rows takes them: the columns empty in every row left out,
    as prepared_rows leaves them."""
    if not rows:
        return list(names), rows
    columns = list(zip(*rows))
    kept = [i for i, values in enumerate(columns) if not _left_out(table.c[names[i]], values)]
    if len(kept) == len(names):
        return list(names), rows
    return [names[i] for i in kept], list(zip(*[columns[i] for i in kept]))


class Binder:
    """Values as a backend's insert takes them, for rows a bulk import builds as tuples (no dicts
    to build and take apart again): what prepared_rows does column by column, value by value.
    `times[t]` is a time through the time columns' bind processor, each converted once (given to
    prepared_rows as its memo for the rows of history, as the same receipt time and deadlines go
    into several tables); `flags[b]` a truth value through Boolean's; `number` a float through
    Float's."""

    def __init__(self, dialect):
        def processor(kind):
            return kind.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)

        self.times = _Stamps(processor(UTCDateTime()))
        flag = processor(sa.Boolean())
        self.flags = {None: None, True: flag(True), False: flag(False)}
        self.number = processor(sa.Float())
        # SQLite stores a time as hash_time's text with a space for the T (stored.sqlite_time_text):
        # a bulk import, which has that text already, makes the one from the other.
        self._from_covered = dialect.name == "sqlite"

    def stored_from(self, value: dt.datetime, covered: str):
        """A time as the insert takes it, given its text as the event hash covers it
        (audit.hash_time): the same as times[value]."""
        if self._from_covered:
            if value.tzinfo is None:  # (as sqlite_time_text refuses it: hash_time would read it as local)
                raise ValueError("naive datetime given to the store; times must carry a zone")
            return f"{covered[:10]} {covered[11:]}"
        return self.times[value]



class _Stamps(dict):
    """Binder.times: times[t] is t through the time columns' bind processor, converted once (None
    stays None)."""

    def __init__(self, convert):
        super().__init__({None: None})
        self.convert = convert

    def __missing__(self, value):
        found = self[value] = self.convert(value)
        return found
