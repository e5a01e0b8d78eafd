"""The SQL of the lean commands (`list`, `find`, `show`, `export` and every report), compiled from
the library's own SQLAlchemy expressions.

The lean report (complaintctl_cli/lean.py) must start without SQLAlchemy, so it runs these
statements as text through the DB-API driver (sqlite3; psycopg on PostgreSQL). The text is
generated from the expressions every other path runs (the clock module's SQL, the report's
select, the staff lookup of `access.identify`) and kept beside the package in
complaintctl/sqltext_compiled.py; tests/unit/test_sqltext.py fails when the two differ, on SQLite
and on PostgreSQL. After changing a clock rule or the report's query, write it again:

    python -m complaintctl.sqltext
"""
from __future__ import annotations

import datetime as dt
import pprint
from pathlib import Path

import sqlalchemy as sa

from . import business_days, finished, remediation, reports, rows, rules, services
from .db import PG_MAY_READ_PERSONAL
from .dbapi import PARAMSTYLE, dialect
from .filters import FILTERS
from .models import Staff, UTCDateTime, column_kind
from .monthly import TREND_FIELDS, TREND_MONTHS

TARGET = Path(__file__).with_name("sqltext_compiled.py")
# the monthly report's trends: the start of each month after the first, bound at run time.
TREND_EDGES = tuple(f"trend_{i}" for i in range(1, TREND_MONTHS))
# report aging's bucket edges (rows.aging_edges, by each bucket's upper bound), bound at run time.
AGE_EDGES = tuple(f"age_{hi}" for _, hi in rows.AGE_BUCKETS if hi is not None)
# The values the lean report binds at run time; every other parameter is a constant of the rules
# (the open statuses, the appraisal pause reason) and is kept with the text.
RUNTIME = ("as_of", "cutoff", "limit", "value", "today", "zone", "lo", "hi", "edge", "bars", "pairs", "every", "places",
           "totals", "prev_lo", "ids", *AGE_EDGES, *(f"f_{name}" for name in FILTERS), "f_places", *TREND_EDGES,
           "f", "v")
# The lists bound at run time (expanding parameters): left in the text as SQLAlchemy's
# __[POSTCOMPILE_name], which dbapi.Reader writes out (integers as such, texts as parameters).
LISTS = ("bars", "pairs", "every", "places", "totals", "ids", "f_ids", "f_places")


# The lean show's statements: each returns rows of a table, which the lean show reads as the models
# give them (ROWS: each column's name and kind, below).
SHOW = {"show_case": services.case_select, "show_cycles": services.cycles_select,
        "show_events": services.events_select, "show_related": services.reference_select,
        "show_role": services.role_select}
# What each binds as `value` (its type is the parameter's: a case's id, or a staff member's name).
SHOW_VALUE = {"show_role": ""}


# Other statements of table rows read as the models give them (dbapi.Reader.objects).
TABLES = {"show_rule_changes": services.rule_changes_select(),
          "late_actions_rows": remediation.late_select(sa.bindparam("today", dt.date(2000, 1, 1), type_=sa.Date()),
                                                       sa.bindparam("moment", type_=UTCDateTime())),
          # the monthly report's actions due in the month: from lo to before hi
          "actions_due_rows": remediation.actions_select(
              sa.bindparam("moment", type_=UTCDateTime()),
              due_from=sa.bindparam("lo", dt.date(2000, 1, 1), type_=sa.Date()),
              due_before=sa.bindparam("hi", dt.date(2000, 1, 1), type_=sa.Date()))}


def kinds(stmt) -> tuple[tuple[str, str | None], ...]:
    """Each column a statement selects, by name, with how the models give its stored value back:
    "time" (models.UTCDateTime: an aware UTC datetime), "bool" (a flag; SQLite stores 0/1), "date"
    (SQLite stores its ISO text), else None (as the driver gives it)."""
    return tuple((c.name, column_kind(c.type)) for c in stmt.selected_columns)


def statements() -> dict[str, sa.sql.ClauseElement]:
    """Each statement of the lean report, as the full path builds it."""
    # Placeholder values: bound again at run time (RUNTIME), never kept.
    as_of = sa.bindparam("as_of", dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), type_=UTCDateTime())
    cutoff = sa.bindparam("cutoff", dt.datetime(2000, 1, 2, tzinfo=dt.timezone.utc), type_=UTCDateTime())
    staff = Staff.__table__.c
    person = sa.select(staff.id, staff.name, staff.role, staff.branch, staff.active)
    return {
        "revision": sa.text("SELECT version_num FROM alembic_version"),
        "login": sa.text("SELECT session_user"),
        "staff_by_login": person.where(staff.login == sa.bindparam("value", "")),
        "staff_by_name": person.where(staff.name == sa.bindparam("value", "")),
        "handlers": reports.handlers_select(),
        **_overdue(as_of, cutoff, None, ""), **_overdue(as_of, cutoff, [reports.FILTERED], "_filtered"),
        "calendar": business_days.kept_select(),
        # the table's section of late remediation actions: the actions, and their cases' references
        **TABLES,
        "action_refs": remediation.refs_select(sa.bindparam("ids", [0], expanding=True)),
        # report sla: each grouping, the window read through (_wide) or by the index; with the
        # working time kept (a cycle without it goes the full way)
        "sla_extent": reports.sla_statement("extent"),
        "sla_open_breached": reports.open_breached_select(
            sa.bindparam("edge", dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), type_=UTCDateTime())),
        "sla_open_breached_past": reports.open_breached_past_select(
            sa.bindparam("edge", dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), type_=UTCDateTime())),
        **{f"sla_{statement}_{dim}{'_wide' if wide else ''}":
           reports.sla_statement(statement, dim, wide).params(lo=as_of.value, hi=cutoff.value)
           for statement in ("counts", "ranks") for dim in reports.DIMENSIONS for wide in (False, True)},
        **_due_soon_and_aging(as_of, cutoff), **_summary(),
        **_list(as_of, cutoff), **_export(), **_return(),
        # the monthly report's trends (its other figures are the reports' own statements)
        "monthly_trends": reports.trends_select(
            TREND_FIELDS, *(sa.bindparam(name, dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), type_=UTCDateTime())
                            for name in ("lo", "hi")),
            [sa.bindparam(name, dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), type_=UTCDateTime())
             for name in TREND_EDGES]),
        # the lean show: the case by its id, its cycles, its events and the related case's reference
        **{name: select(sa.bindparam("value", SHOW_VALUE.get(name, 0))) for name, select in SHOW.items()},
        # the lean export: the masking policy in force, and whether this login may read personal data
        "masking": services.masking_select(),
        # the regions recorded in the database (report regulatory's by region)
        "regions": services.regions_select(),
        "rules": rules.select_rules(),
        "may_read_personal": sa.text(PG_MAY_READ_PERSONAL),
    }


def _overdue(as_of, cutoff, scope, suffix: str) -> dict[str, sa.sql.ClauseElement]:
    """report overdue's statements, without filters (scope None) or with reports.FILTERED where the
    filters' conditions go (dbapi.Reader.filtered joins them in), each name ending `suffix`."""
    where = reports.overdue_where(as_of, reports.CaseQuery(), None, scope)
    soon = reports.due_soon_where(as_of, cutoff, reports.CaseQuery(), None, scope)
    with_soon = sa.or_(sa.and_(*where), soon)
    return {name + suffix: stmt for name, stmt in {
        "overdue": reports.overdue_select(sa.and_(*where)),
        "overdue_limited": reports.overdue_select(sa.and_(*where), sa.bindparam("limit", 1)),
        "counts": reports.counts_select(where),
        # --include-due-soon: the due-soon cases listed too, and counted apart
        "overdue_soon": reports.overdue_select(with_soon),
        "overdue_soon_limited": reports.overdue_select(with_soon, sa.bindparam("limit", 1)),
        "soon_counts": reports.counts_select([soon, sa.not_(sa.and_(*where))]),
        # --format csv: every cell finished text, in the business zone (the tables must cover the moment)
        "overdue_csv": finished.overdue_csv_select(as_of, sa.bindparam("zone", "", type_=sa.String()), sa.and_(*where)),
    }.items()}


def _list(as_of, cutoff) -> dict[str, sa.sql.ClauseElement]:
    """`list`'s statements: without filters, the open cases or every case (--all), newest first,
    a table's first page and their count; with filters, the same three with reports.FILTERED where
    the filters' conditions go, and each condition apart (where_<name>), which
    dbapi.Reader.filtered joins; and whether a --branch or --assignee is anyone's."""
    out = {f"list_{which}{part}": stmt for which, query in (("open", reports.CaseQuery()),
                                                          ("all", reports.CaseQuery(include_closed=True)))
           for part, stmt in (("", reports.list_select(reports.list_where(None, query, as_of))),
                              ("_limited", reports.list_select(reports.list_where(None, query, as_of),
                                                               sa.bindparam("limit", 1))),
                              ("_count", reports.list_count_select(reports.list_where(None, query, as_of))))}
    out.update({f"list{part}_filtered": stmt for part, stmt in (
        ("", reports.list_select([reports.FILTERED])),
        ("_limited", reports.list_select([reports.FILTERED], sa.bindparam("limit", 1))),
        ("_count", reports.list_count_select([reports.FILTERED])))})
    out.update({f"where_{name}": reports.filter_condition(name, "", as_of, cutoff) for name in FILTERS})
    out.update({f"name_known_{field}": reports.name_known_select(field) for field in ("branch", "assignee")})
    return out


def _due_soon_and_aging(as_of, cutoff) -> dict[str, sa.sql.ClauseElement]:
    """report due-soon's statement, without filters and with reports.FILTERED where the filters'
    conditions go, and report aging's."""
    edges = {int(name[len("age_"):]): sa.bindparam(name, dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc),
                                                   type_=UTCDateTime()) for name in AGE_EDGES}
    return {"due_soon": reports.due_soon_select(as_of, cutoff, reports.list_where(None, reports.CaseQuery(), as_of)),
            "due_soon_filtered": reports.due_soon_select(as_of, cutoff, [reports.FILTERED]),
            "aging": reports.aging_select(as_of, edges), "aging_past": reports.aging_past_select(as_of, edges)}


def _export() -> dict[str, sa.sql.ClauseElement]:
    """`export`'s streams (importer.export_selects: the cases, their cycles, the full personal
    values kept apart) for each window of receipt, lo and hi bound at run time."""
    from .stored import window_suffix
    from .importer import export_selects

    lo, hi = (sa.bindparam(name, dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), type_=UTCDateTime())
              for name in ("lo", "hi"))
    out = {}
    for start in (False, True):
        for end in (False, True):
            cases, cycles, kept = export_selects(lo if start else None, hi if end else None, reveal=True)
            suffix = window_suffix(start, end)
            out.update({f"export_cases{suffix}": cases, f"export_cycles{suffix}": cycles,
                        f"export_kept{suffix}": kept})
    return out


def _return() -> dict[str, sa.sql.ClauseElement]:
    """report regulatory's statements (regulatory.return_statement), with reports.FILTERED where the
    scope's condition goes, and each scope's condition apart (where_scope_one: a branch,
    where_scope_many: a region's branches), which dbapi.Reader.filtered joins."""
    from .regulatory import return_statement, scope_condition
    from .return_figures import STATEMENTS

    out = {f"return_{name}": return_statement(name, [reports.FILTERED]) for name in STATEMENTS}
    out.update({f"where_scope_{kind}": scope_condition(kind, value) for kind, value in (("one", ""), ("many", [""]))})
    return out


def _export_rows() -> dict[str, tuple[tuple[str, str | None], ...]]:
    """How the lean export reads each column of its cases' and cycles' streams (ROWS): as the models
    give them (importer.export_kinds), times left as stored for the export's converter."""
    from .importer import export_kinds

    case, cycle = export_kinds()
    return {"export_cases": tuple(zip(rows.EXPORT_CASE_FIELDS, case)),
            "export_cycles": (("case_id", None), *zip(rows.EXPORT_CYCLE_FIELDS, cycle))}


def _summary() -> dict[str, sa.sql.ClauseElement]:
    """report summary's statements: by any one, two or three dimensions (summary.DIMS_PLACE where
    their columns go, which dbapi.Reader.grouped writes in), and the repeat complainants told apart
    by full or by masked values."""
    from .summary import DIMS_PLACE, statement_name

    out = {statement_name(name): reports.summary_statement(name) for name in ("repeats", "causes")}
    out.update({statement_name("repeaters", kind, readable): reports.summary_statement("repeaters", (), kind, readable)
                for kind in ("phone", "account") for readable in (True, False)})
    out.update({statement_name(name): reports.summary_statement(name, (DIMS_PLACE,)) for name in ("counts", "repeat_cases")})
    return out


# The zone the export's text is made in: on PostgreSQL its text holds for every zone whose offsets
# keep whole hours (db.py's time_text_sql; the lean export goes the full way in any other); SQLite's
# does not depend on the zone.
EXPORT_ZONE = "Asia/Shanghai"


def export_statements(backend: str) -> dict[str, str]:
    """`export --format csv`'s statement of finished text (db.py's adapters, export_csv_sql), masked
    and revealed, the window of receipt's place left marked (dbapi.Reader.windowed writes it in)."""
    from zoneinfo import ZoneInfo

    from .db import ADAPTERS
    from .importer import export_query_marked

    adapter = ADAPTERS[backend](None, 0)
    return {name: export_query_marked(adapter, ZoneInfo(EXPORT_ZONE), reveal)[0]
            for name, reveal in (("export_csv", False), ("export_csv_revealed", True))}


def compiled(backend: str) -> dict[str, tuple[str, dict]]:
    """Each statement's text for a backend (compiled for its driver's paramstyle), with its constant
    parameters."""
    from .db import ADAPTERS

    out = {name: (sql, {}) for name, sql in export_statements(backend).items()}
    # `find`'s lookup, as the backend's adapter runs it
    own = {"find_cases": sa.text(ADAPTERS[backend](None, 0).find_cases_sql())}
    for name, stmt in {**statements(), **own}.items():
        lists = any(p.expanding and p.key in LISTS for p in stmt._get_embedded_bindparams())
        c = stmt.compile(dialect=dialect(backend), compile_kwargs={"render_postcompile": not lists})
        constants = {k: v for k, v in c.params.items() if k not in RUNTIME}
        text = " ".join(str(c).split())
        if name.startswith("where_"):  # a condition joined to others at run time: its constants its own
            text, constants = _own_constants(backend, name, text, constants)
        out[name] = (text, constants)
    return out


def _own_constants(backend: str, prefix: str, text: str, constants: dict) -> tuple[str, dict]:
    """A condition's text and constants with each constant's name prefixed (`prefix`__name), so
    that conditions compiled apart can share one statement."""
    import re

    form = r"%\((\w+)\)s" if PARAMSTYLE[backend] == "pyformat" else r":(\w+)"
    write = "%({})s" if PARAMSTYLE[backend] == "pyformat" else ":{}"

    def rename(m):
        return write.format(f"{prefix}__{m.group(1)}") if m.group(1) in constants else m.group(0)

    return re.sub(form, rename, text), {f"{prefix}__{k}": v for k, v in constants.items()}


def source() -> str:
    """The generated module's text."""
    from .db import HEAD_REVISION

    queries = {backend: compiled(backend) for backend in PARAMSTYLE}
    rows = {**{n: kinds(f(0)) for n, f in SHOW.items()}, **{n: kinds(stmt) for n, stmt in TABLES.items()},
            **_export_rows()}
    return ('"""GENERATED by `python -m complaintctl.sqltext` from the library\'s SQLAlchemy expressions: do not\n'
            'edit (tests/unit/test_sqltext.py pins it to them). The lean commands (cli/lean.py) run it as\n'
            'text."""\n'
            "# The schema the text is for: any other revision goes the full way (which migrates it).\n"
            f"HEAD_REVISION = {HEAD_REVISION!r}\n"
            f"QUERIES = {pprint.pformat(queries, width=110, sort_dicts=True)}\n"
            "# The columns of the statements whose rows the lean show reads as the models give them: (name, kind).\n"
            f"ROWS = {pprint.pformat(rows, width=110, sort_dicts=True)}\n")


if __name__ == "__main__":
    TARGET.write_text(source(), encoding="utf-8")
    print(f"wrote {TARGET}")
