"""The read-only commands without Typer or SQLAlchemy: `report overdue`, `report due-soon`, `report
aging`, `report summary`, `report sla`, `report regulatory`, `report monthly`, `export`, `show`,
`list` and `find` (the morning cron job's report, what falls due next, the register's ages, the
trends, the compliance figures, the quarterly return, the board's report, the spreadsheet export, a
case in full, the register's cases and a caller's).

Each command is recognised in main.run before the Typer application is built, and only when every
argument is one this module understands (the global --db, --config, --lang, --as, and the command's
own options, listed by each parse_* below). Filters and scopes are joined into the statements at run
time (_filters, _statement; dbapi.Reader.filtered), as are summary's dimensions (Reader.grouped) and
the export's window of receipt (Reader.windowed). Anything else, and anything unusual found before
the first byte is written (a database that is missing, not at the current schema or unreadable, a
login that may not read, a bad value, cycles without their working time kept), goes the full way
instead, which then says what is wrong with the same line and exit code, or prints the same report.
Nothing here decides what a report holds: the statements are the full way's own, compiled to text
(complaintctl/sqltext.py), the operator is identified by access.identify_with, and the figures are
put together by the library's own SQLAlchemy-free modules (rows.CaseRows, rows.aging_table,
summary.summary, sla.sla_by, return_figures.quarterly_return, monthly.figures, export_rows, detail)
and written by render.emit or views.emit_*, as cli/reports.py, cli/cases.py and cli/transfer.py write
them; except
the CSVs of `report overdue` and `export`, whose rows come out of the database as finished text
(complaintctl/finished.py, db.py's export_csv_sql: COPY on PostgreSQL) when the calendar's tables
cover the moment. tests/cli/test_lean_*.py run each command both ways and compare the bytes.

COMPLAINTCTL_LEAN=off sends every run the full way (for A/B measurements).
"""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import NoReturn

_GLOBAL = {"--db": "db", "--config": "config", "--lang": "lang", "--as": "actor"}
_VALUES = {"--as-of": "as_of", "--limit": "limit", "--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output"}
_FLAGS = {"--all": "all_rows", "--fail-on-overdue": "fail_on_overdue", "--include-due-soon": "due_soon"}
_SLA_VALUES = {"--from": "start", "--to": "end", "--by": "by", "--format": "fmt", "-f": "fmt", "--output": "output",
               "-o": "output"}
_EXPORT_VALUES = {"--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output", "--from": "start", "--to": "end"}
_EXPORT_FLAGS = {"--excel": "excel"}
_LIST_VALUES = {"--as-of": "as_of", "--limit": "limit", "--format": "fmt", "-f": "fmt", "--output": "output",
                "-o": "output"}
_LIST_FLAGS = {"--all": "all_rows", "--excel": "excel"}
# list's filters (filters.FILTERS): the options with a value, and the flags
_LIST_FILTERS = {"--status": "status", "--tier": "tier", "--assignee": "assignee", "--branch": "branch",
                 "--channel": "channel", "--product": "product"}
_LIST_FILTER_FLAGS = {"--mine": "mine", "--overdue": "overdue", "--due-soon": "due_soon", "--stale": "stale"}
_FIND_VALUES = {"--phone": "phone", "--account": "account", "--id-number": "id_number", "--name": "name",
                "--as-of": "as_of", "--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output"}
_SHOW_VALUES = {"--as-of": "as_of", "--format": "fmt", "-f": "fmt"}
_SHOW_FLAGS = {"--json": "json"}
_DUE_SOON_VALUES = {**_LIST_VALUES, "--branch": "branch", "--assignee": "assignee", "--tier": "tier"}
# report overdue's filters
_OVERDUE_FILTERS = {"--branch": "branch", "--assignee": "assignee", "--tier": "tier", "--channel": "channel",
                    "--product": "product"}
_AGING_VALUES = {"--as-of": "as_of", "--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output"}
_SUMMARY_VALUES = {"--from": "start", "--to": "end", "--by": "by", "--format": "fmt", "-f": "fmt", "--output": "output",
                   "-o": "output"}
_TO_FILE = {"output": None, "excel": False}  # --output and --excel, as render.emit takes them
_MONTHLY_VALUES = {"--month": "month", "--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output"}
_RETURN_VALUES = {"--quarter": "quarter", "--month": "month", "--branch": "branch", "--region": "region",
                  "--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output"}


class FullWay(Exception):
    """The lean path does not answer this run: the Typer application does."""


def parse(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report overdue [options]` with only the
    options above (the last of a repeated option counts, as in Click); else None."""
    return _parse(argv, ["report", "overdue"], {**_VALUES, **_OVERDUE_FILTERS}, {**_FLAGS, **_EXPORT_FLAGS},
                  {"all_rows": False, "fail_on_overdue": False, "due_soon": False, "fmt": "table", "limit": None,
                   "as_of": None, **_TO_FILE, **dict.fromkeys(_OVERDUE_FILTERS.values())})


def parse_sla(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report sla [--from] [--to] [--by]
    [--format] [--output] [--excel]`; else None."""
    return _parse(argv, ["report", "sla"], _SLA_VALUES, _EXPORT_FLAGS,
                  {"start": None, "end": None, "by": "tier", "fmt": "table", **_TO_FILE})


def parse_export(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] export [--format F] [--from] [--to]
    [--output FILE] [--excel]`; else None."""
    return _parse(argv, ["export"], _EXPORT_VALUES, _EXPORT_FLAGS,
                  {"fmt": "jsonl", "output": None, "excel": False, "start": None, "end": None})


def parse_list(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] list [--all] [--as-of] [--limit]
    [--format]` with any of its filters (--status, --tier, --assignee, --mine, --branch, --channel,
    --product, --overdue, --due-soon, --stale) and --output, --excel; else None."""
    return _parse(argv, ["list"], {**_LIST_VALUES, **_LIST_FILTERS}, {**_LIST_FLAGS, **_LIST_FILTER_FLAGS},
                  {"all_rows": False, "as_of": None, "limit": None, "fmt": "table", "output": None, "excel": False,
                   **dict.fromkeys(_LIST_FILTERS.values()), **dict.fromkeys(_LIST_FILTER_FLAGS.values(), False)})


def parse_find(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] find [--phone] [--account] [--id-number]
    [--name] [--as-of] [--format] [--output] [--excel]`; else None."""
    return _parse(argv, ["find"], _FIND_VALUES, {"--excel": "excel"},
                  {"phone": None, "account": None, "id_number": None, "name": None, "as_of": None, "fmt": "table",
                   "output": None, "excel": False})


def parse_show(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] show CASE [--as-of] [--format] [--json]`;
    else None (--reveal, which records its event, goes the full way)."""
    return _parse(argv, ["show"], _SHOW_VALUES, _SHOW_FLAGS, {"as_of": None, "fmt": "table", "json": False},
                  argument="case")


def parse_due_soon(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report due-soon [--all] [--as-of]
    [--limit] [--format] [--branch] [--assignee] [--tier] [--output] [--excel]`; else None."""
    return _parse(argv, ["report", "due-soon"], _DUE_SOON_VALUES, _LIST_FLAGS,
                  {"all_rows": False, "as_of": None, "limit": None, "fmt": "table", "branch": None, "assignee": None,
                   "tier": None, "output": None, "excel": False})


def parse_aging(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report aging [--as-of] [--format]
    [--output] [--excel]`; else None."""
    return _parse(argv, ["report", "aging"], _AGING_VALUES, _EXPORT_FLAGS, {"as_of": None, "fmt": "table", **_TO_FILE})


def parse_summary(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report summary [--from] [--to] [--by]
    [--format] [--output] [--excel]`; else None."""
    return _parse(argv, ["report", "summary"], _SUMMARY_VALUES, _EXPORT_FLAGS,
                  {"start": None, "end": None, "by": "product", "fmt": "table", **_TO_FILE})


def parse_regulatory(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report regulatory [--quarter] [--month]
    [--branch] [--region] [--format] [--output] [--excel]`; else None."""
    return _parse(argv, ["report", "regulatory"], _RETURN_VALUES, _EXPORT_FLAGS,
                  {"quarter": None, "month": None, "branch": None, "region": None, "fmt": "table", **_TO_FILE})


def _parse(argv: list[str], words_of_command: list[str], values: dict, flags: dict, opts: dict,
           argument: str | None = None) -> dict | None:
    """The options of `[globals] COMMAND [options]` with only the global options, the command's
    `values` and `flags` (option -> key), over the defaults `opts`, and the command's one
    `argument` if it takes one; None for anything else."""
    opts = {**opts, "db": None, "config": None, "lang": None, "actor": None}
    words = iter(argv)
    command: list[str] = []
    for arg in words:
        if argument is not None and command == words_of_command and not arg.startswith("-"):
            if argument in opts:
                return None  # a second argument: the full way refuses it
            opts[argument] = arg
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        table = _GLOBAL if not command else (values if command == words_of_command else {})
        if name in table:
            if not eq:
                value = next(words, None)
                if value is None:
                    return None
            opts[table[name]] = value
        elif command == words_of_command and arg in flags:
            opts[flags[arg]] = True
        elif not arg.startswith("-") and len(command) < len(words_of_command):
            command.append(arg)
        else:
            return None
    if command != words_of_command or (argument is not None and argument not in opts):
        return None
    if opts.get("output") is not None:
        if not opts["output"].strip():
            return None  # given empty: the full way refuses it
        from pathlib import PurePath

        if str(PurePath(opts["output"])) == "-":  # standard output, as options.OUTPUT reads it (`./-` too)
            opts["output"] = None
    return opts


def run(argv: list[str]) -> bool:
    """Run a command this module answers (above) the lean way if it can be; False when the full way
    must (nothing has been written then)."""
    if _off("COMPLAINTCTL_LEAN"):
        return False
    for parser, prepare, write in ((parse, _prepare, _write), (parse_show, _prepare_show, _write_show),
                                   (parse_list, _prepare_list, _write_list), (parse_find, _prepare_find, _write_find),
                                   (parse_sla, _prepare_sla, _write_sla),
                                   (parse_due_soon, _prepare_due_soon, _write_due_soon),
                                   (parse_aging, _prepare_aging, _write_aging),
                                   (parse_summary, _prepare_summary, _write_summary),
                                   (parse_regulatory, _prepare_regulatory, _write_regulatory),
                                   (parse_monthly, _prepare_monthly, _write_monthly)):
        opts = parser(argv)
        if opts is not None:
            if opts.get("fmt") == "xlsx" and parser is not parse_regulatory:
                return False  # a workbook of rows (render.write_rows_xlsx, openpyxl): the full way writes it
            break
    else:
        opts = parse_export(argv)
        if opts is None or (opts["fmt"] == "csv" and _off("COMPLAINTCTL_EXPORT_COPY")):  # the CSV's Python way
            return False
        prepare, write = _prepare_export, _write_export
    try:
        prepared = prepare(opts)
    except FullWay:
        return False
    except KeyboardInterrupt:
        _interrupted(argv)
    except Exception:  # anything the full way words as an error: let it say so, in its words
        return False
    try:
        write(*prepared)
    except KeyboardInterrupt:
        _interrupted(argv)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:  # the output cannot be written (a full disk): one line, as the full way
        from .errors import ExitStatus, fail, os_error_text
        from .helptext import language

        lang = language(argv)
        fail(os_error_text(exc, lang), ExitStatus.ENVIRONMENT, lang)
    return True


def _limit(value: str | None) -> int | None:
    """--limit as Click reads it (a whole number, at least 1); FullWay for anything else, which the
    full way refuses in its words."""
    from . import render

    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= render.MAX_LIMIT:
        raise FullWay
    return int(value)


def _off(name: str) -> bool:
    from complaintctl.stored import switched_off

    return switched_off(name)


def _interrupted(argv: list[str]) -> NoReturn:
    """Ctrl-C: as the full way says it (cli/errors.py), in the run's language as help knows it
    (cli/helptext.language: --lang, the config's, English when it cannot say)."""
    from .errors import interrupted
    from .helptext import language

    interrupted(language(argv))


def _open(opts: dict):
    """The run's state (AppState), language, policy and database reader, the database at the
    current schema; FullWay (or any error) sends the run the full way."""
    from complaintctl import labels
    from complaintctl.dbapi import Reader
    from complaintctl.sqltext_compiled import HEAD_REVISION
    from pathlib import Path

    from .state import AppState

    if opts["lang"] is not None and opts["lang"] not in labels.LANGS:
        raise FullWay
    st = AppState(db=opts["db"], config_path=opts["config"],
                  actor=opts["actor"], lang=opts["lang"])
    from . import render

    render.database_file = st.database_file  # which file --output must never be (as app.py sets it)
    if opts.get("output") is not None:  # refused before anything is worked out, as the full way refuses it
        render.check_output(Path(opts["output"]))
        render.check_suffix(opts.get("fmt", "table"), opts["output"])  # (a name that says another kind of file)
    config = st.config
    db = Reader.open(st.db_url, config["database.busy_timeout_seconds"])
    if db is None:
        raise FullWay  # a database missing (the full way says so: exit 1), or not named plainly
    try:
        if db.scalar("revision") != HEAD_REVISION:
            raise FullWay  # the full way brings it to the current schema first
        rules = db.scalar("rules")
        if rules is None:
            raise FullWay  # the full way records the config's rules first (an administrator's command)
        st.apply_recorded_rules(json.loads(rules))  # a file that differs: the full way says so
    except BaseException:
        db.close()
        raise
    return st, st.language, st.policy, db


def _context(st, policy, db, masking: bool = True):
    """The services' context, the operator identified as the full way identifies them (a login
    that is no active staff raises, and the full way says so)."""
    from pathlib import Path

    from complaintctl.access import identify_with
    from complaintctl.context import make_context, regions_in_force, regions_recorded
    from platformdirs import user_cache_dir

    operator = identify_with(db.person, db.login(st.os_login), st.acting_for)
    config = st.config
    return make_context(st.now, operator, policy, masking=masking,
                        cache_dir=Path(user_cache_dir("complaintctl", appauthor=False)),
                        codes=config.codes, settings=config.values,
                        regions=regions_in_force(regions_recorded(db.all("regions")), config.regions),
                        row_security=db.row_security)


def _filters(db, ctx, query, as_of) -> tuple[dict, dict]:
    """The filters a query (filters.CaseQuery) applies, as filters.filter_values reads them, and the
    values their conditions bind. A --branch or --assignee that no case nor member of staff has
    goes the full way (which may ask "did you mean", or list nothing)."""
    from complaintctl.filters import filter_values

    filters = filter_values(query)
    for field in ("branch", "assignee"):
        if field in filters and not db.scalar("name_known_" + field, value=filters[field]):
            raise FullWay
    params = {f"f_{name}": value for name, value in filters.items() if value is not None}
    if {"overdue", "due_soon", "stale", "received"} & set(filters):
        params["as_of"] = db.time(as_of)
    if "due_soon" in filters:
        from complaintctl.deadlines import due_soon_cutoff

        params["cutoff"] = db.time(due_soon_cutoff(as_of, ctx.calendar))
    return filters, params


def _statement(db, name: str, filters: dict, family: str | None = None) -> str:
    """Statement `name` when the filters select no more than the open cases (or every case); else
    its family's _filtered form (`family`: `name` by default), with the filters' conditions joined
    in (dbapi.Reader.filtered)."""
    return name if set(filters) <= {"open"} else db.filtered((family or name) + "_filtered", filters)


def _prepare(opts: dict):
    """Everything up to the first byte written: FullWay (or any error) sends the run the full way."""
    from complaintctl.context import as_of_time
    from complaintctl.filters import CaseQuery
    from complaintctl.rows import CaseRows, OverdueReport, tier_counts

    from . import render

    fmt, limit, output = opts["fmt"], _limit(opts["limit"]), _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        as_of = as_of_time(opts["as_of"], ctx)
        shown = None if opts["all_rows"] else (limit or render.TABLE_LIMIT)
        paged = fmt == "table" and output is None and shown is not None
        moment = db.time(as_of)
        late = _late_actions(db, ctx, as_of) if fmt == "table" else []  # the table's own section
        filters, bound = _filters(db, ctx, CaseQuery(**{key: opts[key] for key in _OVERDUE_FILTERS.values()}), as_of)
        bound["as_of"] = moment
        counts = _statement(db, "counts", filters)
        if fmt == "csv" and not opts["due_soon"]:
            finished = _finished(db, ctx, policy, as_of, output, _statement(db, "overdue_csv", filters),
                                 counts, bound, opts["excel"])
            if finished is not None:
                return finished, db, ctx, lang, fmt, shown, paged, opts["fail_on_overdue"], False, [], None, False
        soon_counts, query = {}, "overdue"
        if opts["due_soon"]:  # as reports.overdue: the due-soon cases listed too, counted apart
            from complaintctl.deadlines import due_soon_cutoff

            bound["cutoff"] = db.time(due_soon_cutoff(as_of, ctx.calendar))
            soon_counts, query = tier_counts(db.all(_statement(db, "soon_counts", filters), **bound)), "overdue_soon"
        make = CaseRows(ctx, as_of, dict(db.all("handlers")))
        rows = (db.stream(_statement(db, query + "_limited", filters), **bound, limit=shown) if paged
                else db.stream(_statement(db, query, filters), **bound))
        report = OverdueReport(as_of, lambda: tier_counts(db.all(counts, **bound)), soon_counts,
                               None if paged else make, (make(row) for row in rows))
    except BaseException:
        db.close()
        raise
    return (report, db, ctx, lang, fmt, shown, paged, opts["fail_on_overdue"], opts["due_soon"], late, output,
            opts["excel"])


def _late_actions(db, ctx, as_of) -> list[dict]:
    """The open remediation actions late at `as_of`, with their cases' references, as
    remediation.actions(overdue=True) gives them (action_rows.action_row)."""
    return _actions(db, ctx, as_of, "late_actions_rows", today=db.day(ctx.calendar.local_date(as_of)),
                    moment=db.time(as_of))


def _actions(db, ctx, as_of, statement: str, **params) -> list[dict]:
    """The remediation actions a compiled statement of remediation.actions_select reads, with their
    cases' references, as remediation.actions gives them at `as_of` (action_rows.action_row)."""
    from complaintctl.action_rows import action_row, grouped_refs

    actions = db.objects(statement, **params)
    refs = grouped_refs(db.all("action_refs", ids=[a.id for a in actions]) if actions else [])
    return [action_row(a, ctx, refs.get(a.id, []), as_of) for a in actions]


def _written(emit: str):
    """The writer of a report read whole before the first byte (sla, aging, summary): views' `emit`,
    as cli/reports.py calls it, to stdout or --output."""
    def write(report, lang: str, fmt: str, output, excel: bool) -> None:
        from . import views

        with _failures(None, lang):
            getattr(views, emit)(report, fmt, lang, output=output, excel=excel)

    return write


def _prepare_sla(opts: dict):
    """report sla, computed before the first byte is written: complaintctl/sla.py puts it together
    from the full way's own statements (reports.sla_statement), compiled to text. Cycles decided
    without their working time kept (counted over the calendar's table) go the full way."""
    from complaintctl import sla

    output = _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        report = sla.sla_by(_sla_run(db), _context(st, policy, db), start=opts["start"], end=opts["end"],
                            by=(opts["by"],))[0]
    finally:
        db.close()
    return report, lang, opts["fmt"], output, opts["excel"]


def _sla_run(db):
    """sla.sla_by's `run` over the compiled statements (cycles decided without their working time
    kept, which are counted over the calendar's table, go the full way)."""
    def run(statement: str, dim: str, wide: bool, counted: bool, **params):
        if counted:
            raise FullWay
        name = f"sla_{statement}" if statement in ("extent", "open_breached", "open_breached_past") else (
            f"sla_{statement}_{dim}" + ("_wide" if wide else ""))
        return db.all(name, **_bound(db, params))

    return run


_write_sla = _written("emit_sla")


class Finished:
    """`report overdue --format csv` as finished text: the header, then the rows as the database
    writes them (complaintctl/finished.py; COPY on PostgreSQL), to stdout or a file."""

    def __init__(self, db, bound: dict, output, rows: str = "overdue_csv", counts: str = "counts",
                 excel: bool = False):
        self.db, self.bound, self.output, self.excel = db, bound, output, excel
        self.rows, self.counts = rows, counts  # the statements' names (with the filters': lean._statement)
        self.total = 0

    def write(self) -> None:
        from complaintctl.rows import CSV_KEYS

        _write_finished(self.output, CSV_KEYS, self.excel, lambda out: self.db.write_csv(self.rows, out, **self.bound))

    def count(self) -> None:
        """How many cases are overdue (for --fail-on-overdue), counted in SQL."""
        from complaintctl.rows import tier_counts

        self.total = sum(tier_counts(self.db.all(self.counts, **self.bound)).values())

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


def _finished(db, ctx, policy, as_of, output, rows: str, counts: str, bound: dict,
              excel: bool = False) -> "Finished | None":
    """The finished-text CSV (statement `rows`, the overdue counted by `counts`, both binding
    `bound`), when the database's calendar and zone tables were written from this config and cover
    the moment (else None: the rows are made in Python, as the full way makes them; the full way
    writes the tables again)."""
    kept = _calendar_kept(db, ctx, policy)
    if kept is None or not kept[0] <= ctx.calendar.local_date(as_of).year < kept[1]:
        return None
    return Finished(db, {**bound, "zone": policy.timezone}, _target(db, output), rows, counts, excel)


def _calendar_kept(db, ctx, policy) -> tuple[int, int] | None:
    """The years (first, last) of the database's calendar and zone tables, when they were written
    from this config and cover the first case received to next year (as the full way would leave
    them); else None."""
    from complaintctl import zones
    from complaintctl.stored import stored_utc

    rows = db.all("calendar")
    if not rows:
        return None
    identity, first, last, earliest = rows[0]
    if not zones.covers((identity, first, last), policy, ctx.now, stored_utc(earliest)):
        return None
    return first, last


def _target(db, output: str | None):
    """--output checked before anything is read, as the full way checks it: (path, files it must
    not be), or None for stdout."""
    if output is None:
        return None
    from pathlib import Path

    from complaintctl.files import check_destination

    path = Path(output)
    protect = (db.file,) if db.file is not None else ()
    check_destination(path, "--output", protect=protect)
    return path, protect


def _stdout():
    """stdout's bytes, flushed, for whole UTF-8 lines (or its text layer, when it has another
    encoding, as the full way writes through it)."""
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is None or (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        out = _TextSink()
    return out


def _write(report, db, ctx, lang: str, fmt: str, shown, paged: bool, fail_on_overdue: bool, due_soon: bool,
           late: list, output, excel: bool) -> None:
    """The report, as cli/reports.py's `overdue` writes it (a table's count line, cases and late
    actions to stdout or together into one --output file); errors from here on (the output has
    begun) leave as the application's would."""
    from complaintctl import labels

    from . import render
    from .views import LIST_COLUMNS, OVERDUE_EXTRA, OVERDUE_KEYS, count_line, emit_late_actions, overdue_title, table_columns

    with _failures(db, lang):
        try:
            if isinstance(report, Finished):
                report.write()
                if fail_on_overdue:
                    report.count()
            else:
                with render.one_file(output if fmt == "table" else None):
                    if fmt == "table":
                        render.line(count_line(report.counts, report.as_of, ctx.tz, lang,
                                               report.due_soon_counts if due_soon else None), output)
                    render.emit(report.rows, table_columns(LIST_COLUMNS, fmt, OVERDUE_KEYS, OVERDUE_EXTRA), fmt=fmt,
                                output=output, excel=excel, lang=lang, title=overdue_title(lang, due_soon),
                                limit=shown, total=report.listed if paged else None,
                                empty=labels.t("no_overdue", lang))
                    if fmt == "table":
                        emit_late_actions(late, lang, output)
        finally:
            db.close()
        if fail_on_overdue:
            report.fail_if_overdue()


@contextmanager
def _piped():
    """Output to a reader that went away (a pager quit, `| head`): leave as the application would."""
    try:
        yield
    except BrokenPipeError:
        sys.exit(1)


def _bound(db, params: dict) -> dict:
    """A statement's parameters with times as the database stores them."""
    import datetime as dt

    return {k: db.time(v) if isinstance(v, dt.datetime) else v for k, v in params.items()}


@contextmanager
def _failures(db, lang: str):
    """Errors once the output has begun, leaving as the application's would (db: the reader still
    open, or None when everything was read before)."""
    from complaintctl.errors import ComplaintctlError

    try:
        yield
    except BrokenPipeError:
        sys.exit(1)
    except ComplaintctlError as exc:
        from complaintctl.labels import error_text

        from .errors import exit_status, fail

        fail(error_text(exc, lang), exit_status(exc), lang)
    except (db.errors if db is not None else ()) as exc:
        from complaintctl.stored import driver_error

        from .errors import ExitStatus, exit_status, fail

        ours = driver_error(exc)  # (a stored time that is not one, met by the SQL's time_text)
        if ours is not None:
            from complaintctl.labels import error_text

            fail(error_text(ours, lang), exit_status(ours), lang)
        fail(f"database error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", ExitStatus.ENVIRONMENT,
             lang)


def _prepare_export(opts: dict):
    """`export` up to the first byte written, masked or revealed as the full way decides (the
    masking policy in force and whether the login may read personal data). CSV: the database's
    statement of finished text (db.py's adapters, export_csv_sql, compiled), its window of receipt
    written in (dbapi.Reader.windowed);
    JSONL: the full way's three ordered streams (importer.export_selects, compiled for each window of
    receipt) merged by export_rows, as the full way merges them. FullWay (or any error) sends the
    run the full way."""
    fmt = opts["fmt"]
    if fmt not in ("csv", "jsonl") or (opts["excel"] and fmt != "csv"):
        raise FullWay  # the full way words the refusal
    st, lang, policy, db = _open(opts)
    try:
        masking = db.scalar("masking") != "off"
        ctx = _context(st, policy, db, masking)
        from complaintctl.sla import received_window

        lo, hi = received_window(ctx, opts["start"], opts["end"])
        reveal = not masking and db.may_read_personal()
        bound = {k: db.time(v) for k, v in (("lo", lo), ("hi", hi)) if v is not None}  # as stored
        if fmt == "jsonl":
            return db, lang, _output_path(opts), _documents(db, ctx.tz, lo is not None, hi is not None, bound, reveal)
        zone = getattr(ctx.tz, "key", None)
        if zone is None or _calendar_kept(db, ctx, policy) is None:
            raise FullWay  # the full way writes the calendar's tables for this config first
        if not db.export_text_holds(ctx.tz):
            raise FullWay  # the compiled text is not this zone's form (PostgreSQL: whole hours only)
        target = _target(db, opts["output"])
        name = db.windowed("export_csv_revealed" if reveal else "export_csv", lo is not None, hi is not None)
    except BaseException:
        db.close()
        raise
    return db, lang, target and target[0], _FinishedExport(db, name, ctx.tz, target, opts["excel"], bound)


def _documents(db, tz, start: bool, end: bool, bound: dict, reveal: bool):
    """export's JSONL rows (export_rows.documents) from the three statements of the window's kind
    (bounded from the start, to the end: `bound` holds lo and hi as stored), each run before the
    first byte is written, as the full way runs them, and streamed."""
    from complaintctl import export_rows
    from complaintctl.sqltext_compiled import ROWS
    from complaintctl.stored import time_text, window_suffix

    suffix = window_suffix(start, end)
    show = time_text(tz)  # one cache: a cycle's times are mostly its case's
    cases = db.rows(f"export_cases{suffix}", **bound)
    cycles = db.rows(f"export_cycles{suffix}", **bound)
    kept = db.rows(f"export_kept{suffix}", **bound) if reveal else None
    case_kinds = [kind for _, kind in ROWS["export_cases"]]
    cycle_kinds = [kind for _, kind in ROWS["export_cycles"]][1:]  # after the case id
    return export_rows.documents(export_rows.merged(cases, cycles, kept, export_rows.converters(case_kinds, show),
                                                    export_rows.converters(cycle_kinds, show)))


class _FinishedExport:
    """`export --format csv` as the database writes it: the header (and the Excel mark), then the
    rows, to stdout or --output, as cli/transfer.py's `export` writes them."""

    def __init__(self, db, name: str, tz, target, excel: bool, bound: dict):
        self.db, self.name, self.tz, self.target, self.excel, self.bound = db, name, tz, target, excel, bound

    def write(self) -> int:
        from complaintctl.rows import EXPORT_CSV_KEYS

        return _write_finished(self.target, EXPORT_CSV_KEYS, self.excel,
                               lambda out: self.db.write_export(self.name, out, self.tz, **self.bound))


def _write_finished(target, keys, excel: bool, body):
    """A CSV whose rows the database wrote as finished text: the header (csv.writer writes these
    plain names as they are; with --excel the byte-order mark before it, as render.emit writes it),
    then `body(out)` writing the rows to the binary stream, to stdout or the --output file
    (`target`: lean._target's); what `body` returns."""
    head = (("\ufeff" if excel else "") + ",".join(keys) + "\r\n").encode("utf-8")
    if target is None:
        out = _stdout()
        out.write(head)
        written = body(out)
        out.flush()
        return written
    from complaintctl import files

    with files.atomic_text(target[0], "--output", protect=target[1], binary=True) as out:
        out.write(head)
        return body(out)


def _write_export(db, lang: str, output, rows) -> None:
    """The export (finished CSV, or JSONL lines written by render.emit as the full way writes them)
    to stdout or --output; the count line for a file, as cli/transfer.py's `export` writes it."""
    from complaintctl import labels

    from . import render

    with _failures(db, lang):
        try:
            if isinstance(rows, _FinishedExport):
                n = rows.write()
            else:
                from complaintctl.export_rows import DOCUMENT_KEYS

                n = render.emit(rows, [render.Column(k) for k in DOCUMENT_KEYS], fmt="jsonl", output=output)
        finally:
            db.close()
        if output is not None:
            render.message(labels.t("done.exported", lang, n=n, output=output))


def _prepare_show(opts: dict):
    """`show CASE` read whole before the first byte is written: the case, its cycles and events
    by the full way's statements (services.case_select, ...), compiled, made into show's view by
    complaintctl/detail.py as services.show makes it. Masking turned off (the view would read
    personal data in full) goes the full way, and so does anything the full way words as an error
    (an unknown or malformed reference, a bad --as-of)."""
    from complaintctl.access import check_acting_branch
    from complaintctl.context import as_of_time
    from complaintctl.detail import case_detail, found
    from complaintctl.domain import parse_case_key

    from . import render

    fmt = "json" if opts["json"] else opts["fmt"]  # as options.document_format
    if fmt not in render.DOCUMENT_FORMATS:
        raise FullWay
    st, lang, policy, db = _open(opts)
    try:
        if db.scalar("masking") == "off":
            raise FullWay  # services._unmasked: the full way reads personal_data, as far as the login may
        ctx = _context(st, policy, db)
        as_of = as_of_time(opts["as_of"], ctx)
        key = opts["case"]
        case = found(next(iter(db.objects("show_case", value=parse_case_key(key))), None), key)
        check_acting_branch(ctx, case.branch)  # (refused: the full way says it)
        cycles = db.objects("show_cycles", value=case.id)
        events = db.objects("show_events", value=case.id)
        related = db.scalar("show_related", value=case.related_case_id) if case.related_case_id is not None else None
        role = db.scalar("show_role", value=case.assignee) if case.assignee is not None else None
        rule_changes = db.objects("show_rule_changes")
    finally:
        db.close()
    return case_detail(case, cycles, events, ctx, as_of, lang=lang, related_ref=related,
                       rule_changes=rule_changes, handler_role=role), fmt, lang


def _write_show(detail, fmt: str, lang: str) -> None:
    """The view, as cli/cases.py's `show` writes it."""
    from .views import emit_detail

    with _piped():
        emit_detail(detail, fmt, lang)


def _prepare_list(opts: dict):
    """`list` up to the first byte written: the open cases (every case with --all), newest first, by
    reports.list_select's statements compiled, with the filters' conditions (filters.FILTERS, read
    by filters.filter_values) joined in by dbapi.Reader.filtered; made into rows by rows.CaseRows as
    reports.list_cases makes them; a table's first page only, the rest counted in SQL. A --branch
    or --assignee no case nor member of staff has goes the full way (which may ask "did you
    mean")."""
    from complaintctl.context import as_of_time
    from complaintctl.filters import CaseQuery, mine
    from complaintctl.rows import CaseRows

    from .views import list_paging

    fmt, limit, output = opts["fmt"], _limit(opts["limit"]), _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        as_of = as_of_time(opts["as_of"], ctx)
        shown, paged = list_paging(opts["all_rows"], limit, fmt, output)
        make = CaseRows(ctx, as_of, dict(db.all("handlers")))
        assignee = opts["assignee"]
        if opts["mine"]:
            assignee = mine(assignee, lambda: ctx.operator.person)  # (an error: the full way words it)
        query = CaseQuery(**{key: opts[key] for key in ("status", "tier", "branch", "channel", "product", "overdue",
                                                          "due_soon", "stale")},
                          assignee=assignee, include_closed=opts["all_rows"], received_by=opts["as_of"] is not None)
        filters, params = _filters(db, ctx, query, as_of)
        which = "list_all" if opts["all_rows"] else "list_open"  # without filters: the open cases, or every case
        count, limited, every = (_statement(db, which + part, filters, "list" + part) for part in ("_count", "_limited", ""))
        total = db.scalar(count, **params) if paged else None
        rows = db.stream(limited, limit=shown, **params) if paged else db.stream(every, **params)
    except BaseException:
        db.close()
        raise
    return db, (make(row) for row in rows), total, shown, fmt, lang, output, opts["excel"]


def _output(opts: dict):
    """--output as a path (None: stdout), the format checked with --excel as the full way checks it
    (any error goes the full way, which words it)."""
    from . import render

    if opts["fmt"] not in render.FORMATS:
        raise FullWay
    render.check_format(opts["fmt"], opts["excel"])
    return _output_path(opts)


def _output_path(opts: dict):
    """--output as a path (None: stdout, which `--output -` names too: _parse)."""
    from pathlib import Path

    return None if opts["output"] is None else Path(opts["output"])


def _write_list(db, rows, total, shown, fmt: str, lang: str, output, excel: bool) -> None:
    """The rows, as cli/cases.py's `list` writes them."""
    from . import render
    from .views import LIST_COLUMNS, table_columns

    with _failures(db, lang):
        try:
            render.emit(rows, table_columns(LIST_COLUMNS, fmt), fmt=fmt, output=output, excel=excel, lang=lang,
                        title=None, limit=shown, total=total)
        finally:
            db.close()


def _prepare_find(opts: dict):
    """`find` up to the first byte written: the cases whose personal data holds the identifier (the
    backend adapter's lookup, compiled: find_cases), read with list's statement and the filter of
    their ids, made into rows by rows.CaseRows as reports.list_cases makes them. Anything but one
    identifier, or one that cannot be one, goes the full way, which says what is wrong."""
    from complaintctl.context import as_of_time
    from complaintctl.filters import LOOKUPS, CaseQuery, one_lookup
    from complaintctl.rows import CaseRows

    field, value = one_lookup(**{kind: opts[kind] for kind in LOOKUPS})  # (an error: the full way words it)
    output = _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        as_of = as_of_time(opts["as_of"], ctx)
        ids = [case_id for case_id, in db.all("find_cases", f=field, v=value)]
        filters, params = _filters(db, ctx, CaseQuery(include_closed=True, case_ids=ids), as_of)
        make = CaseRows(ctx, as_of, dict(db.all("handlers")))
        rows = db.stream(db.filtered("list_filtered", filters), **params)
    except BaseException:
        db.close()
        raise
    return db, (make(row) for row in rows), opts["fmt"], lang, output, opts["excel"]


def _write_find(db, rows, fmt: str, lang: str, output, excel: bool) -> None:
    """The rows, as cli/cases.py's `find` writes them."""
    from . import render
    from .views import LIST_COLUMNS, table_columns

    with _failures(db, lang):
        try:
            render.emit(rows, table_columns(LIST_COLUMNS, fmt), fmt=fmt, output=output, excel=excel, lang=lang,
                        title=None)
        finally:
            db.close()


def _prepare_due_soon(opts: dict):
    """`report due-soon` up to the first byte written: the open cases not yet overdue that fall due
    by the cutoff, by reports.due_soon_select's statement compiled (with the filters' conditions
    joined in: lean._statement), made into rows by rows.CaseRows as reports.due_soon makes them."""
    from complaintctl.context import as_of_time
    from complaintctl.deadlines import due_soon_cutoff
    from complaintctl.filters import CaseQuery
    from complaintctl.rows import CaseRows

    from . import render

    fmt, limit, output = opts["fmt"], _limit(opts["limit"]), _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        as_of = as_of_time(opts["as_of"], ctx)
        cutoff = due_soon_cutoff(as_of, ctx.calendar)
        filters, params = _filters(db, ctx, CaseQuery(tier=opts["tier"], branch=opts["branch"], assignee=opts["assignee"]),
                                   as_of)
        make = CaseRows(ctx, as_of, dict(db.all("handlers")))
        rows = db.stream(_statement(db, "due_soon", filters), **params, as_of=db.time(as_of), cutoff=db.time(cutoff))
    except BaseException:
        db.close()
        raise
    shown = None if opts["all_rows"] else (limit or render.TABLE_LIMIT)
    return db, (make(row) for row in rows), shown, fmt, lang, output, opts["excel"]


def _write_due_soon(db, rows, shown, fmt: str, lang: str, output, excel: bool) -> None:
    """The rows, as cli/reports.py's `due-soon` writes them."""
    from .views import emit_due_soon

    with _failures(db, lang):
        try:
            emit_due_soon(rows, fmt, lang, shown, output=output, excel=excel)
        finally:
            db.close()


def _prepare_aging(opts: dict):
    """`report aging` read whole before the first byte is written: the open cases counted by tier
    and age by reports.aging_select's statement compiled, the bucket edges (rows.aging_edges) and
    the table (rows.aging_table) as reports.aging makes them."""
    from complaintctl.context import as_of_time, show_time

    output = _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        as_of = as_of_time(opts["as_of"], ctx)
        table = _aging(db, ctx, as_of)
        moment = show_time(as_of, ctx)
    finally:
        db.close()
    return table, lang, opts["fmt"], output, opts["excel"], moment, opts["as_of"] is not None


def _aging(db, ctx, as_of) -> list[dict]:
    """report aging's table at `as_of`, as reports.aging makes it."""
    from complaintctl.rows import aging_edges, aging_table

    edges = {f"age_{hi}": db.time(moment) for hi, moment in aging_edges(as_of, ctx.calendar).items()}
    statement = "aging_past" if as_of < ctx.now else "aging"  # a past moment: the cases open then
    return aging_table(db.all(statement, as_of=db.time(as_of), **edges))


def _write_aging(table, lang: str, fmt: str, output, excel: bool, as_of: str, asked: bool) -> None:
    """report aging's table, titled with its moment as cli/reports.py writes it (views.emit_aging)."""
    from . import views

    with _failures(None, lang):
        views.emit_aging(table, fmt, lang, output=output, excel=excel, as_of=as_of, asked=asked)


def _prepare_summary(opts: dict):
    """report summary, computed before the first byte is written: complaintctl/summary.py puts it
    together from the full way's own statements (reports.summary_statement), compiled to text, the
    dimensions' columns written into those grouped by them (dbapi.Reader.grouped). A missing --from
    or --to (the full way says it is needed) and any error go the full way."""
    from complaintctl import summary

    if opts["start"] is None or opts["end"] is None:
        raise FullWay
    output = _output(opts)
    st, lang, policy, db = _open(opts)
    try:
        report = summary.summary(_summary_run(db), _context(st, policy, db), start=opts["start"], end=opts["end"],
                                 by=opts["by"], readable=db.may_read_personal())
    finally:
        db.close()
    return report, lang, opts["fmt"], output, opts["excel"]


def _summary_run(db):
    """summary.summary's `run` over the compiled statements, the dimensions' columns written in."""
    from complaintctl import summary

    def run(statement: str, dims: tuple[str, ...] = (), kind: str = "", readable: bool = True, **params):
        name = summary.statement_name(statement, kind, readable)
        return db.all(db.grouped(name, dims) if dims else name, **_bound(db, params))

    return run


_write_summary = _written("emit_summary")


def _prepare_regulatory(opts: dict):
    """report regulatory, computed before the first byte is written: complaintctl/return_figures.py
    puts it together from the full way's own statements (regulatory.return_statement), compiled to
    text, the scope's condition (a branch, a region's branches) joined in where it goes
    (dbapi.Reader.filtered). Any error goes the full way, which words it."""
    from complaintctl import access, return_figures

    from .views import check_return

    output = _output_path(opts)
    check_return(opts["fmt"], output, opts["quarter"], opts["month"], opts["excel"])
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        branch = access.return_branch(ctx, opts["branch"], opts["region"])  # (refused: the full way says it)
        if branch and not db.scalar("name_known_branch", value=branch.strip()):
            raise FullWay  # a branch nobody has: the full way may ask "did you mean"
        report = return_figures.quarterly_return(lambda scope: _return_run(db, scope), ctx, quarter=opts["quarter"], month=opts["month"],
                                                 branch=branch, region=opts["region"])
    finally:
        db.close()
    return report, ctx, lang, opts["fmt"], output, opts["excel"], opts["db"]


def _return_run(db, scope):
    """return_figures' `run` over the compiled statements, the scope's condition joined in."""
    from complaintctl import return_figures

    filters = [f"scope_{scope.kind}"] if scope.kind else []
    values = {return_figures.SCOPE_PARAMETERS[scope.kind]: scope.value} if scope.kind else {}

    def run(name: str, **params):
        statement = db.filtered(f"return_{name}", filters)
        read = db.stream if name in return_figures.STREAMED else db.all
        return read(statement, **_bound(db, params), **values)

    return run


def _write_regulatory(report, ctx, lang: str, fmt: str, output, excel: bool, db: str | None) -> None:
    """The return, as cli/reports.py's `regulatory` writes it (views.emit_return)."""
    from .views import emit_return

    with _failures(None, lang):
        emit_return(report, fmt, lang, ctx, output, excel, db)


def parse_monthly(argv: list[str]) -> dict | None:
    """The run's options, if the arguments are `[globals] report monthly [--month] [--format]
    [--output]`; else None."""
    return _parse(argv, ["report", "monthly"], _MONTHLY_VALUES, {}, {"month": None, "fmt": "html", "output": None})


class _MonthlySource:
    """monthly.figures' source over the compiled statements: the same methods as monthly.Source, each
    figure read as the lean report that gives it reads it, in the reader's one transaction."""

    def __init__(self, db, ctx):
        self.db, self.ctx = db, ctx

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def trends(self, fields, lo, hi, edges):  # by monthly.TREND_FIELDS, the ones compiled
        db = self.db
        return db.all("monthly_trends", lo=db.time(lo), hi=db.time(hi),
                      **{f"trend_{i}": db.time(edge) for i, edge in enumerate(edges, 1)})

    def summary(self, start: str, end: str, by: str, previous_from):
        from complaintctl import summary

        return summary.summary(_summary_run(self.db), self.ctx, start=start, end=end, by=by,
                               readable=self.db.may_read_personal(), previous_from=previous_from)

    def sla(self, start: str, end: str, by):
        from complaintctl import sla

        return sla.sla_by(_sla_run(self.db), self.ctx, start=start, end=end, by=by)

    def aging(self, as_of):
        return _aging(self.db, self.ctx, as_of)

    def handling(self, lo, hi):
        from complaintctl import return_figures

        return return_figures.handling_by_branch(_return_run(self.db, return_figures.Scope()), self.ctx, lo, hi)

    def actions(self, as_of, *, overdue: bool = False, due_from=None, due_before=None):
        if overdue:
            return _late_actions(self.db, self.ctx, as_of)
        return _actions(self.db, self.ctx, as_of, "actions_due_rows", lo=self.db.day(due_from),
                        hi=self.db.day(due_before), moment=self.db.time(as_of))


def _prepare_monthly(opts: dict):
    """report monthly, its figures read before the first byte is written: complaintctl/monthly.py
    puts them together from the lean reports' own reads (_MonthlySource) as from the full way's.
    Any error goes the full way, which words it."""
    from complaintctl import labels, monthly
    from complaintctl.errors import InvalidValue
    from complaintctl.return_figures import parse_month

    fmt = opts["fmt"]
    if fmt not in ("html", "json"):
        raise InvalidValue("--format", labels.typed_choice(fmt, ("html", "json")), "acc.html_or_json")
    if opts["month"] is None:
        raise FullWay  # the full way says --month is needed
    parse_month(opts["month"])
    st, lang, policy, db = _open(opts)
    try:
        ctx = _context(st, policy, db)
        data = monthly.figures(_MonthlySource(db, ctx), ctx, month=opts["month"])
    finally:
        db.close()
    output = _output_path(opts)
    return data, lang, fmt, output, st.config


def _write_monthly(data, lang: str, fmt: str, output, config) -> None:
    """The report, as cli/reports.py's `monthly` writes it (views.emit_monthly)."""
    from .views import emit_monthly

    with _failures(None, lang):
        emit_monthly(data, fmt, lang, output, config)

