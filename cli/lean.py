"""`report overdue` and `report sla` without Typer or SQLAlchemy: the morning cron job's report and
the compliance figures, read-only.

The command is recognised in main.run before the Typer application is built, and only when every
argument is one this module understands (global --db, --config, --lang, --as; overdue's --as-of,
--all, --limit, --format, --fail-on-overdue, --include-due-soon, --output with csv; sla's --from,
--to, --by, --format). Anything else, and anything unusual found before the first byte is written
(a database that is missing, not at the current schema or unreadable, a login that may not read,
a bad value, late remediation actions to list, cycles without their working time kept), goes the
full way instead, which then says what is wrong with the same line and exit code, or prints the
same report. Nothing here decides what the report holds: the statements are the full path's own,
compiled to text (complaintctl/sqltext.py), the operator is identified by access.identify_with,
and the rows are made by rows.CaseRows (overdue) or sla.sla_by (sla) and written by render.emit,
as in cli/reports.py; except overdue's `--format csv` (to stdout or --output), whose rows come out
of the database as finished text (complaintctl/finished.py: COPY on PostgreSQL) when the
calendar's tables cover the moment. tests/cli/test_lean_overdue.py and test_lean_sla.py run each
report both ways and compare the bytes.

COMPLAINTCTL_LEAN=off sends every run the full way (for A/B measurements).
"""
from __future__ import annotations

import os
import sys

_GLOBAL = {"--db": "db", "--config": "config", "--lang": "lang", "--as": "actor"}
# Each command's options that take a value, and its flags.
_VALUES = {
    "overdue": {"--as-of": "as_of", "--limit": "limit", "--format": "fmt", "-f": "fmt", "--output": "output",
                "-o": "output"},
    "sla": {"--from": "start", "--to": "end", "--by": "by", "--format": "fmt", "-f": "fmt"},
}
_FLAGS = {
    "overdue": {"--all": "all_rows", "--fail-on-overdue": "fail_on_overdue", "--include-due-soon": "due_soon"},
    "sla": {},
}
_DEFAULTS = {
    "overdue": {"all_rows": False, "fail_on_overdue": False, "due_soon": False, "fmt": "table", "limit": None,
                "as_of": None, "output": None},
    "sla": {"start": None, "end": None, "by": "tier", "fmt": "table"},
}


class FullWay(Exception):
    """The lean path does not answer this run: the Typer application does."""


def parse(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report overdue|sla [options]` with only the
    options above (the last of a repeated option counts, as in Click); else None. The command is
    under "command"."""
    opts: dict = {"db": None, "config": None, "lang": None, "actor": None}
    words = iter(argv)
    command: list[str] = []
    for arg in words:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        which = command[1] if len(command) == 2 and command[0] == "report" else None
        table = _GLOBAL if not command else _VALUES.get(which, {})
        if name in table:
            if not eq:
                value = next(words, None)
                if value is None:
                    return None
            opts[table[name]] = value
        elif arg in _FLAGS.get(which, {}):
            opts[_FLAGS[which][arg]] = True
        elif not arg.startswith("-") and len(command) < 2:
            command.append(arg)
        else:
            return None
    if len(command) != 2 or command[0] != "report" or command[1] not in _VALUES:
        return None
    return {**_DEFAULTS[command[1]], **opts, "command": command[1]}


def run(argv: list[str]) -> bool:
    """Run `report overdue` the lean way if it can be; False when the full way must (nothing has
    been written then)."""
    if os.environ.get("COMPLAINTCTL_LEAN", "").lower() in ("off", "0", "no"):
        return False
    opts = parse(argv)
    if opts is None:
        return False
    prepare, write = (_prepare, _write) if opts["command"] == "overdue" else (_prepare_sla, _write_sla)
    try:
        report = prepare(opts)
    except FullWay:
        return False
    except Exception:  # anything the full way words as an error: let it say so, in its words
        return False
    write(*report)
    return True


def _open(opts: dict):
    """The run's language, policy, database reader and context, as the full way has them (FullWay,
    or any error, sends the run the full way; nothing is open then)."""
    from pathlib import Path

    from complaintctl import labels
    from complaintctl.access import identify_with
    from complaintctl.context import make_context
    from complaintctl.dbapi import Reader
    from complaintctl.sqltext_compiled import HEAD_REVISION
    from complaintctl.stored import resolve_url

    from .state import AppState, default_db_path

    if opts["lang"] is not None and opts["lang"] not in labels.LANGS:
        raise FullWay
    st = AppState(db=opts["db"], config_path=Path(opts["config"]) if opts["config"] is not None else None,
                  actor=opts["actor"], lang=opts["lang"])
    lang, config, policy = st.language, st.config, st.policy
    # As AppState.db_url has it (that property loads SQLAlchemy through complaintctl.db).
    url = resolve_url(st.db or os.environ.get("COMPLAINTCTL_DB") or config["database.url"] or str(default_db_path()))
    db = Reader.open(url, config["database.busy_timeout_seconds"])
    if db is None:
        raise FullWay  # a database missing (the full way says so: exit 1), or not named plainly
    try:
        if db.scalar("revision") != HEAD_REVISION:
            raise FullWay  # the full way brings it to the current schema first
        login = db.login(st.os_login)
        operator = identify_with(db.person, login, st.acting_for)
        from platformdirs import user_cache_dir

        ctx = make_context(st.now, operator, policy, cache_dir=Path(user_cache_dir("complaintctl", appauthor=False)),
                           codes=config.codes, settings=config.values, regions=config.regions)
    except BaseException:
        db.close()
        raise
    return lang, policy, db, ctx


def _prepare(opts: dict):
    """Everything up to the first byte written: FullWay (or any error) sends the run the full way."""
    from complaintctl.context import parse_time
    from complaintctl.rows import CaseRows, OverdueReport, tier_counts

    from . import render

    fmt, limit = opts["fmt"], opts["limit"]
    if fmt not in render.FORMATS or (opts["output"] is not None and fmt != "csv"):
        raise FullWay  # a file of another format: the full way writes it
    if limit is not None:
        if not (limit.isascii() and limit.isdigit()) or int(limit) < 1:
            raise FullWay
        limit = int(limit)
    lang, policy, db, ctx = _open(opts)
    try:
        as_of = parse_time(opts["as_of"], ctx, "--as-of") if opts["as_of"] else ctx.now
        shown = None if opts["all_rows"] else (limit or render.TABLE_LIMIT)
        paged = fmt == "table" and shown is not None
        moment, today = db.time(as_of), db.day(ctx.calendar.local_date(as_of))
        if fmt == "table" and db.scalar("late_actions", today=today):
            raise FullWay  # the table's own section of late remediation actions: the full way lists them
        bound = {"as_of": moment}
        if fmt == "csv" and not opts["due_soon"]:
            finished = _finished(db, ctx, policy, as_of, moment, opts["output"])
            if finished is not None:
                return finished, db, ctx, lang, fmt, shown, paged, opts["fail_on_overdue"], False
        if opts["output"] is not None:
            raise FullWay  # a file of rows made in Python: the full way writes it
        soon_counts, query = {}, "overdue"
        if opts["due_soon"]:  # as reports.overdue: the due-soon cases listed too, counted apart
            from complaintctl.deadlines import due_soon_cutoff

            bound["cutoff"] = db.time(due_soon_cutoff(as_of, ctx.calendar))
            soon_counts, query = tier_counts(db.all("soon_counts", **bound)), "overdue_soon"
        make = CaseRows(ctx, as_of, dict(db.all("handlers")))
        rows = db.stream(query + "_limited", **bound, limit=shown) if paged else db.stream(query, **bound)
        report = OverdueReport(as_of, lambda: tier_counts(db.all("counts", as_of=moment)), soon_counts,
                               None if paged else make, (make(row) for row in rows))
    except BaseException:
        db.close()
        raise
    return report, db, ctx, lang, fmt, shown, paged, opts["fail_on_overdue"], opts["due_soon"]


def _prepare_sla(opts: dict):
    """report sla, computed before the first byte is written: complaintctl/sla.py puts it together
    from the full way's own statements (reports.sla_statement), compiled to text. Cycles decided
    without their working time kept (counted over the calendar's table) go the full way."""
    import datetime as dt

    from complaintctl import sla

    from . import render

    if opts["fmt"] not in render.FORMATS:
        raise FullWay
    lang, policy, db, ctx = _open(opts)

    def run(statement: str, dim: str, wide: bool, counted: bool, **params):
        if counted:
            raise FullWay
        name = f"sla_{statement}" if statement in ("extent", "open_breached") else (
            f"sla_{statement}_{dim}" + ("_wide" if wide else ""))
        return db.all(name, **{k: db.time(v) if isinstance(v, dt.datetime) else v for k, v in params.items()})

    try:
        report = sla.sla_by(run, ctx, start=opts["start"], end=opts["end"], by=(opts["by"],))[0]
    finally:
        db.close()
    return report, lang, opts["fmt"]


def _write_sla(report: dict, lang: str, fmt: str) -> None:
    """The report, as cli/reports.py's `sla` writes it."""
    from .views import emit_sla

    try:
        emit_sla(report, fmt, lang)
    except BrokenPipeError:
        sys.exit(1)


class Finished:
    """`report overdue --format csv` as finished text: the header, then the rows as the database
    writes them (complaintctl/finished.py; COPY on PostgreSQL), to stdout or a file."""

    def __init__(self, db, bound: dict, output):
        self.db, self.bound, self.output = db, bound, output
        self.total = 0

    def write(self) -> None:
        from complaintctl.rows import CSV_KEYS

        header = (",".join(CSV_KEYS) + "\r\n").encode()  # csv.writer writes these plain names as they are
        if self.output is None:
            sys.stdout.flush()
            out = getattr(sys.stdout, "buffer", None)
            if out is None or (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
                out = _TextSink()  # a stdout of another encoding: as the full way, through its text layer
            out.write(header)
            self.db.write_csv("overdue_csv", out, **self.bound)
            out.flush()
            return
        from complaintctl import files

        with files.atomic_text(self.output[0], "--output", protect=self.output[1], binary=True) as out:
            out.write(header)
            self.db.write_csv("overdue_csv", out, **self.bound)

    def count(self) -> None:
        """How many cases are overdue (for --fail-on-overdue), counted in SQL."""
        from complaintctl.rows import tier_counts

        self.total = sum(tier_counts(self.db.all("counts", as_of=self.bound["as_of"])).values())

    def fail_if_overdue(self) -> None:
        if self.total:
            from complaintctl.errors import OverdueFound

            raise OverdueFound(self.total)


class _TextSink:
    """Bytes (whole lines, UTF-8) written to stdout's text layer."""

    @staticmethod
    def write(data) -> None:
        sys.stdout.write(bytes(data).decode("utf-8"))

    @staticmethod
    def flush() -> None:
        sys.stdout.flush()


def _finished(db, ctx, policy, as_of, moment, output) -> "Finished | None":
    """The finished-text CSV, when the database's calendar and zone tables were written from this
    config and cover the moment (else None: the rows are made in Python, as the full way makes
    them; the full way writes the tables again)."""
    from complaintctl import zones
    from complaintctl.stored import stored_utc

    rows = db.all("calendar")
    if not rows:
        return None
    identity, first, last, earliest = rows[0]
    if not zones.covers((identity, first, last), policy, ctx.now, stored_utc(earliest)):
        return None
    if not first <= ctx.calendar.local_date(as_of).year < last:
        return None
    target = None
    if output is not None:
        from pathlib import Path

        from complaintctl.files import check_destination

        path = Path(output)
        protect = (db.file,) if db.file is not None else ()
        check_destination(path, "--output", protect=protect)
        target = (path, protect)
    return Finished(db, {"as_of": moment, "zone": policy.timezone}, target)


def _write(report, db, ctx, lang: str, fmt: str, shown, paged: bool, fail_on_overdue: bool, due_soon: bool) -> None:
    """The report, as cli/reports.py's `overdue` writes it; errors from here on (the output has
    begun) leave as the application's would."""
    from complaintctl import labels
    from complaintctl.errors import ComplaintctlError

    from . import render
    from .views import LIST_COLUMNS, OVERDUE_EXTRA, OVERDUE_KEYS, count_line, table_columns

    try:
        try:
            if isinstance(report, Finished):
                report.write()
                if fail_on_overdue:
                    report.count()
            else:
                if fmt == "table":
                    sys.stdout.write(count_line(report.counts, report.as_of, ctx.tz, lang,
                                                report.due_soon_counts if due_soon else None) + "\n")
                    sys.stdout.flush()
                render.emit(report.rows, table_columns(LIST_COLUMNS, fmt, OVERDUE_KEYS, OVERDUE_EXTRA), fmt=fmt,
                            lang=lang, title=labels.t("title.overdue", lang), limit=shown,
                            total=report.listed if paged else None, empty=labels.t("no_overdue", lang))
        finally:
            db.close()
        if fail_on_overdue:
            report.fail_if_overdue()
    except BrokenPipeError:
        sys.exit(1)
    except ComplaintctlError as exc:
        from complaintctl.labels import error_text

        from .errors import exit_status, fail

        fail(error_text(exc, lang), exit_status(exc))
    except db.errors as exc:
        from .errors import ExitStatus, fail

        fail(f"database error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", ExitStatus.ENVIRONMENT)
