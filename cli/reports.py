"""The report group: overdue, due-soon, sla, aging, summary; and the rendering of escalate --overdue."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from complaintctl import domain as d
from complaintctl import labels

from . import render
from .options import AS_OF, EXCEL, LIMIT, OUTPUT, SHEET_FORMAT
from .state import state
from .views import (LIST_COLUMNS, OVERDUE_EXTRA, OVERDUE_KEYS, check_return, count_line, emit_aging, emit_due_soon,
                    emit_late_entries, emit_monthly, emit_return, emit_sla, emit_summary, overdue_title, sheet_title,
                    table_columns)

report_app = typer.Typer(help="Reports for people, cron and spreadsheets.", no_args_is_help=True)

ALL_ROWS = typer.Option(False, "--all", help="Show every row in a table (csv/json always carry every row).")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _limit(all_rows: bool, limit: Optional[int]) -> Optional[int]:
    return None if all_rows else (limit or render.TABLE_LIMIT)


@report_app.command("overdue")
def overdue(
    ctx: typer.Context,
    as_of: Optional[str] = AS_OF,
    branch: Optional[str] = typer.Option(None, "--branch", help="Only this branch's cases."),
    assignee: Optional[str] = typer.Option(None, "--assignee", help="Only the cases of this handler."),
    tier: Optional[str] = typer.Option(None, "--tier", help="general, important or urgent (or the Chinese name)."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Only cases received through this channel (or the Chinese name)."),
    product: Optional[str] = typer.Option(None, "--product", help="Only cases about this product (or the Chinese name)."),
    include_due_soon: bool = typer.Option(False, "--include-due-soon", help="Also list cases due within the threshold."),
    fail_on_overdue: bool = typer.Option(False, "--fail-on-overdue", help="Exit 3 when any case is overdue (for cron and monitoring)."),
    fmt: str = SHEET_FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL, limit: Optional[int] = LIMIT,
    all_rows: bool = ALL_ROWS,
) -> None:
    """Every open case past its internal or regulatory deadline, most overdue first.

    Example: complaintctl report overdue --fail-on-overdue --format csv --output overdue.csv
    """
    st = state(ctx)
    from complaintctl import reports

    lang = st.language
    render.check_format(fmt, excel, output, render.SHEET_FORMATS)
    shown = _limit(all_rows, limit)
    paged = fmt == "table" and output is None and shown is not None
    with st.uow(write=False) as uow:
        query = reports.CaseQuery(tier=tier, branch=branch, assignee=assignee, channel=channel, product=product)
        reports.check_names(uow, query)
        rep = reports.overdue(uow, st.context(), query,
                              as_of=as_of, include_due_soon=include_due_soon, limit=shown if paged else None)
        # A table's count line, the cases and the late actions: to stdout, or together into one file.
        with render.one_file(output if fmt == "table" else None):
            if fmt == "table":
                render.line(count_line(rep.counts, rep.as_of, st.context().tz, lang,
                                       rep.due_soon_counts if include_due_soon else None), output)
            name = overdue_title(lang, include_due_soon)
            title = sheet_title(name, lang, as_of=rep.as_of, tz=st.context().tz) if fmt == "xlsx" else name
            render.emit(rep.rows, table_columns(LIST_COLUMNS, fmt, OVERDUE_KEYS, OVERDUE_EXTRA), fmt=fmt,
                        output=output, excel=excel, lang=lang, title=title, tab=name, limit=shown,
                        total=rep.listed if paged else None, empty=labels.t("no_overdue", lang),
                        formats=render.SHEET_FORMATS)
            if fmt == "table":
                _late_actions(uow, st, rep.as_of, lang, output)
    if fail_on_overdue:
        rep.fail_if_overdue()


def _late_actions(uow, st, as_of, lang: str, output) -> None:
    """The overdue report's own section for remediation actions past their due date."""
    from complaintctl import remediation

    from .views import emit_late_actions

    emit_late_actions(list(remediation.actions(uow, st.context(), as_of=as_of, overdue=True)), lang, output)


@report_app.command("due-soon")
def due_soon(
    ctx: typer.Context,
    as_of: Optional[str] = AS_OF,
    branch: Optional[str] = typer.Option(None, "--branch", help="Only this branch's cases."),
    assignee: Optional[str] = typer.Option(None, "--assignee", help="Only the cases of this handler."),
    tier: Optional[str] = typer.Option(None, "--tier", help="general, important or urgent (or the Chinese name)."),
    fmt: str = SHEET_FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL, limit: Optional[int] = LIMIT,
    all_rows: bool = ALL_ROWS,
) -> None:
    """Open cases not yet overdue that fall due within the next working day (threshold in config).

    Example: complaintctl report due-soon --assignee wangfang
    """
    st = state(ctx)
    from complaintctl import reports

    with st.uow(write=False) as uow:
        query = reports.CaseQuery(tier=tier, branch=branch, assignee=assignee)
        reports.check_names(uow, query)
        c = st.context()
        rows = reports.due_soon(uow, c, query, as_of=as_of)
        emit_due_soon(rows, fmt, st.language, _limit(all_rows, limit), output=output, excel=excel,
                      as_of=reports.as_of_time(as_of, c), tz=c.tz)


@report_app.command("sla")
def sla(
    ctx: typer.Context,
    from_: Optional[str] = typer.Option(None, "--from", help="Start of the window (date or time, inclusive; default: the 1st of this month)."),
    to: Optional[str] = typer.Option(None, "--to", help="End of the window (a date includes that whole day; default: now)."),
    by: str = typer.Option("tier", "--by", help="tier, branch, assignee, department, channel, product or category (or the Chinese name)."),
    fmt: str = SHEET_FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL,
) -> None:
    """SLA compliance of the cycles resolved in a window, grouped by one dimension.

    Example: complaintctl report sla --from 2026-10-01 --to 2026-10-31 --by branch
    """
    st = state(ctx)
    from complaintctl import reports

    lang = st.language
    with st.uow(write=False) as uow:
        rep = reports.sla(uow, st.context(), start=from_, end=to, by=by)
    emit_sla(rep, fmt, lang, output=output, excel=excel)


@report_app.command("aging")
def aging(ctx: typer.Context, as_of: Optional[str] = AS_OF, fmt: str = SHEET_FORMAT, output: Optional[Path] = OUTPUT,
          excel: bool = EXCEL) -> None:
    """Open cases in age buckets of working days since receipt, by tier, with totals.

    Example: complaintctl report aging --format csv
    """
    st = state(ctx)
    from complaintctl import reports

    from complaintctl.context import parse_time, show_time

    c = st.context()
    with st.uow(write=False) as uow:
        rows = reports.aging(uow, c, as_of=as_of)
    moment = parse_time(as_of, c, "--as-of") if as_of is not None else c.now
    emit_aging(rows, fmt, st.language, output=output, excel=excel, as_of=show_time(moment, c), asked=as_of is not None)


@report_app.command("late-entries")
def late_entries(
    ctx: typer.Context,
    from_: Optional[str] = typer.Option(None, "--from", help="Start of the window of recording (inclusive; default: open)."),
    to: Optional[str] = typer.Option(None, "--to", help="End of the window of recording (a date includes that whole day)."),
    branch: Optional[str] = typer.Option(None, "--branch", help="One branch's cases only."),
    region: Optional[str] = typer.Option(None, "--region", help="One region's branches only (config's [regions])."),
    dated: bool = typer.Option(False, "--dated", help="--from and --to are the dates the steps bear (their --at), "
                                                      "not when they were recorded: the period a return counts."),
    fmt: str = SHEET_FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL,
) -> None:
    """Steps recorded after a deadline they are dated before: on time only by their own --at, for audit.

    Example: complaintctl report late-entries --from 2026-11-01 --to 2026-11-30
    """
    st = state(ctx)
    from complaintctl import late_entries as entries

    render.check_format(fmt, excel, output, render.SHEET_FORMATS)
    with st.uow(write=False) as uow:
        rows = entries.late_entries(uow, st.context(), start=from_, end=to, branch=branch, region=region, dated=dated)
    emit_late_entries(rows, fmt, st.language, output=output, excel=excel)


@report_app.command("summary")
def summary(
    ctx: typer.Context,
    from_: str = typer.Option(..., "--from", help="Start of the window (inclusive)."),
    to: str = typer.Option(..., "--to", help="End of the window (a date includes that whole day)."),
    by: str = typer.Option("product", "--by", help="channel, product, category, branch or tier (or the Chinese name); up to three with commas."),
    fmt: str = SHEET_FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL,
) -> None:
    """Complaints received by dimension, against the previous window: what is rising and why.

    Example: complaintctl report summary --from 2026-10-01 --to 2026-10-31 --by product,category
    """
    st = state(ctx)
    from complaintctl import reports

    render.check_format(fmt, excel, output, render.SHEET_FORMATS)
    with st.uow(write=False) as uow:
        rep = reports.summary(uow, st.context(), start=from_, end=to, by=by)
    emit_summary(rep, fmt, st.language, output=output, excel=excel)


def render_escalation(st, *, as_of: Optional[str], dry_run: bool, fmt: str, as_of_option: str = "--as-of") -> None:
    """Print what escalate --overdue did (or would do)."""
    from complaintctl import services

    render.check_document_format(fmt)  # refused before anything is escalated
    result = services.escalate_overdue(st.uow(), st.context(), as_of=as_of, dry_run=dry_run, as_of_option=as_of_option)
    render.emit_document(result, fmt, table=lambda: _escalation_table(st, result, dry_run))


def _escalation_table(st, result: dict, dry_run: bool) -> None:
    lang = st.language

    def tier(value: str) -> str:
        return labels.label(value, lang, d.Tier)

    when = render.cell_text(result["as_of"], render.Column("as_of", kind="time"), lang)
    lines = [labels.t("esc.would" if dry_run else "esc.done", lang, n=len(result["escalated"]), when=when)]
    lines += [labels.t("esc.move", lang, ref=r["reference"], old=tier(r["from"]), new=tier(r["to"]))
              for r in result["escalated"]]
    # Each overdue case not escalated, under why: escalated already today, in a state that is not
    # escalated (its own step stopped the clock, or changed meanwhile), a review (its reviewer's).
    for reason, key in (("escalated_today", "esc.skipped"), ("not_escalable", "esc.not_escalable"),
                        ("changed", "esc.changed"), ("later_step", "esc.later_step"), ("rest_day", "esc.rest_day")):
        cases = [r for r in result["skipped"] if r.get("reason") == reason]
        if cases:
            lines.append(labels.t(key, lang, n=len(cases)))
            lines += [labels.t("esc.skipped_case", lang, ref=r["reference"], tier=tier(r["tier"])) for r in cases]
    if result["reviews"]:
        lines.append(labels.t("esc.reviews", lang, n=len(result["reviews"])))
        lines += [labels.t("esc.urgent_case", lang, ref=r["reference"]) for r in result["reviews"]]
    if result["urgent"]:
        lines.append(labels.t("esc.urgent", lang, n=len(result["urgent"])))
        lines += [labels.t("esc.urgent_case", lang, ref=r["reference"]) for r in result["urgent"]]
    typer.echo("\n".join(lines))
    below = result.get("below_tier") or []
    if below:
        render.warn(labels.below_tier_warning(below, lang), lang)


@report_app.command("regulatory")
def regulatory(
    ctx: typer.Context,
    quarter: Optional[str] = typer.Option(None, "--quarter", help="The quarter, such as 2026Q3."),
    month: Optional[str] = typer.Option(None, "--month", help="Or one month, such as 2026-07 (the monthly report's figures)."),
    branch: Optional[str] = typer.Option(None, "--branch", help="One branch only (default: all)."),
    region: Optional[str] = typer.Option(None, "--region", help="One region's branches only (config's [regions])."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or xlsx (xlsx needs --output)."),
    output: Optional[Path] = OUTPUT, excel: bool = EXCEL,
) -> None:
    """The quarterly complaint return by JR/T 0169 code, by branch and by region, for the regulator.

    Received by business type x reason and by channel; per branch and per region: handled within 15
    days, within an extension or late, withdrawn, repeat complaints, reviews and their outcomes, open
    at the period's end.

    Example: complaintctl report regulatory --quarter 2026Q3 --format xlsx --output 2026Q3.xlsx
    """
    st = state(ctx)
    from complaintctl import regulatory as reg

    check_return(fmt, output, quarter, month, excel)  # a mistake is told before the database is opened (or created)
    lang = st.language
    rep = reg.quarterly_return(st.uow(write=False), st.context(), quarter=quarter, month=month, branch=branch,
                               region=region)
    emit_return(rep, fmt, lang, st.context(), output, excel, st.db)


@report_app.command("monthly")
def monthly(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="The month, such as 2026-10."),
    fmt: str = typer.Option("html", "--format", "-f", help="html (one self-contained page) or json (its figures)."),
    output: Optional[Path] = OUTPUT,
) -> None:
    """The monthly management report for the board: one HTML file with SVG charts.

    Volume and 12-month trends, top reasons, compliance by tier and branch, aging, reviews, repeat
    complainants (masked), remediation actions due and late.

    Example: complaintctl --lang zh report monthly --month 2026-10 --output report-2026-10.html
    """
    st = state(ctx)
    from complaintctl import monthly as report
    from complaintctl.errors import InvalidValue

    if fmt not in ("html", "json"):
        raise InvalidValue("--format", labels.typed_choice(fmt, ("html", "json")), "acc.html_or_json")
    from complaintctl.return_figures import parse_month

    parse_month(month)  # a mistake is told before the database is opened (or created)
    c = st.context()
    data = report.figures(report.Source(st.uow(write=False), c), c, month=month)
    emit_monthly(data, fmt, st.language, output, st.config)
