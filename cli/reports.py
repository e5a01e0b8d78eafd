"""The report group: overdue, due-soon, sla, aging, summary; and the rendering of escalate --overdue."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from complaintctl import domain as d
from complaintctl import labels

from . import render
from .options import AS_OF, EXCEL, FORMAT, LIMIT, OUTPUT
from .render import Column
from .state import state
from .views import (LIST_COLUMNS, OVERDUE_EXTRA, OVERDUE_KEYS, count_line, emit_aging, emit_due_soon, emit_sla,
                    emit_summary, table_columns)

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
    fmt: str = FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL, limit: Optional[int] = LIMIT,
    all_rows: bool = ALL_ROWS,
) -> None:
    """Every open case past its internal or regulatory deadline, most overdue first.

    Example: complaintctl report overdue --fail-on-overdue --format csv --output overdue.csv
    """
    st = state(ctx)
    from complaintctl import reports

    lang = st.language
    render.check_format(fmt, excel)
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
            render.emit(rep.rows, table_columns(LIST_COLUMNS, fmt, OVERDUE_KEYS, OVERDUE_EXTRA), fmt=fmt,
                        output=output, excel=excel, lang=lang, title=labels.t("title.overdue", lang), limit=shown,
                        total=rep.listed if paged else None, empty=labels.t("no_overdue", lang))
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
    fmt: str = FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL, limit: Optional[int] = LIMIT,
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
        rows = reports.due_soon(uow, st.context(), query, as_of=as_of)
        emit_due_soon(rows, fmt, st.language, _limit(all_rows, limit), output=output, excel=excel)


@report_app.command("sla")
def sla(
    ctx: typer.Context,
    from_: Optional[str] = typer.Option(None, "--from", help="Start of the window (date or time, inclusive; default: the 1st of this month)."),
    to: Optional[str] = typer.Option(None, "--to", help="End of the window (a date includes that whole day; default: now)."),
    by: str = typer.Option("tier", "--by", help="tier, branch, assignee, department, channel, product or category (or the Chinese name)."),
    fmt: str = FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL,
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
def aging(ctx: typer.Context, as_of: Optional[str] = AS_OF, fmt: str = FORMAT, output: Optional[Path] = OUTPUT,
          excel: bool = EXCEL) -> None:
    """Open cases in age buckets of working days since receipt, by tier, with totals.

    Example: complaintctl report aging --format csv
    """
    st = state(ctx)
    from complaintctl import reports

    with st.uow(write=False) as uow:
        rows = reports.aging(uow, st.context(), as_of=as_of)
    emit_aging(rows, fmt, st.language, output=output, excel=excel)


@report_app.command("summary")
def summary(
    ctx: typer.Context,
    from_: str = typer.Option(..., "--from", help="Start of the window (inclusive)."),
    to: str = typer.Option(..., "--to", help="End of the window (a date includes that whole day)."),
    by: str = typer.Option("product", "--by", help="channel, product, category, branch or tier; up to three with commas."),
    fmt: str = FORMAT, output: Optional[Path] = OUTPUT, excel: bool = EXCEL,
) -> None:
    """Complaints received by dimension, against the previous window: what is rising and why.

    Example: complaintctl report summary --from 2026-10-01 --to 2026-10-31 --by product,category
    """
    st = state(ctx)
    from complaintctl import reports

    render.check_format(fmt, excel)
    with st.uow(write=False) as uow:
        rep = reports.summary(uow, st.context(), start=from_, end=to, by=by)
    emit_summary(rep, fmt, st.language, output=output, excel=excel)


def render_escalation(st, *, as_of: Optional[str], dry_run: bool, fmt: str) -> None:
    """Print what escalate --overdue did (or would do)."""
    from complaintctl import services

    render.check_document_format(fmt)  # refused before anything is escalated
    result = services.escalate_overdue(st.uow(), st.context(), as_of=as_of, dry_run=dry_run)
    render.emit_document(result, fmt, table=lambda: _escalation_table(st, result, dry_run))


def _escalation_table(st, result: dict, dry_run: bool) -> None:
    lang = st.language

    def tier(value: str) -> str:
        return labels.choice_word(value, lang, d.Tier)

    lines = [labels.t("esc.would" if dry_run else "esc.done", lang, n=len(result["escalated"]), when=result["as_of"])]
    lines += [labels.t("esc.move", lang, ref=r["reference"], old=tier(r["from"]), new=tier(r["to"]))
              for r in result["escalated"]]
    if result["skipped"]:
        lines.append(labels.t("esc.skipped", lang, n=len(result["skipped"])))
        lines += [labels.t("esc.skipped_case", lang, ref=r["reference"], tier=tier(r["tier"])) for r in result["skipped"]]
    if result["urgent"]:
        lines.append(labels.t("esc.urgent", lang, n=len(result["urgent"])))
        lines += [labels.t("esc.urgent_case", lang, ref=r["reference"]) for r in result["urgent"]]
    typer.echo("\n".join(lines))
    below = result.get("below_tier") or []
    if below:
        render.warn(labels.sentence("warn.below_tier", st.language, n=len(below),
                                    refs=", ".join(r['reference'] + labels.t("paren", lang, text=r['assignee']) for r in below)),
                    st.language)


RETURN_FORMATS = ("table", "csv", "json", "xlsx")


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
    from complaintctl.errors import InvalidValue

    if fmt not in RETURN_FORMATS:
        raise InvalidValue("--format", fmt, "acc.one_of", choices=RETURN_FORMATS)
    if fmt == "xlsx" and output is None:
        raise InvalidValue("--output", "", "acc.xlsx_output")
    if quarter is not None:  # a mistake is told before the database is opened (or created)
        reg.parse_quarter(quarter)
    if month is not None:
        reg.parse_month(month)
    lang = st.language
    rep = reg.quarterly_return(st.uow(write=False), st.context(), quarter=quarter, month=month, branch=branch,
                               region=region)
    if fmt == "json":
        render.write_json(rep, output)
    elif fmt == "xlsx":
        render.write_xlsx(output, return_sheets(rep, st.context()))
    elif fmt == "csv":
        render.emit(return_long_rows(rep), [Column(k) for k in RETURN_LONG_KEYS], fmt="csv", output=output,
                    excel=excel)
    else:
        _return_tables(rep, lang, output)


def _return_tables(rep: dict, lang: str, output) -> None:
    """The return drawn as tables: to stdout, or every one of them into one --output file."""
    with render.one_file(output):
        render.line(labels.t("title.return", lang, quarter=rep["quarter"]) + "  "
                    + labels.t("return.window", lang, lo=rep["from"][:10], hi=rep["to"][:10]), output)
        render.emit(rep["by_type_reason"], [Column(k, kind="number" if k == "received" else "text", priority=0)
                                            for k in ("business_code", "business_name", "reason_code", "reason_name",
                                                      "received")],
                    lang=lang, limit=None, output=output, title=labels.t("title.by_type_reason", lang), empty=" ")
        render.emit(rep["by_channel"], [Column("channel_code"), Column("channel_name"),
                                        Column("received", kind="number")],
                    lang=lang, limit=None, output=output, title=labels.t("title.by_channel", lang), empty=" ")
        # Two tables a dimension, so that every figure fits an 80-column terminal.
        for dim, rows in (("branch", rep["by_branch"]), ("region", rep["by_region"])):
            for part, keys in enumerate((HANDLING_KEYS[:5], HANDLING_KEYS[5:])):
                render.emit(_return_rows(rows, dim, lang), [Column(dim, priority=0)] + [
                                Column(k, kind="number", priority=i + 1) for i, k in enumerate(keys)],
                            lang=lang, limit=None, output=output,
                            title=labels.t(f"title.by_{dim}" + ("_more" if part else ""), lang), empty=" ")


HANDLING_KEYS = ("received", "handled_within_15_days", "handled_within_extension", "handled_late", "withdrawn",
                 "repeat", "reviews_requested", "reviews_upheld", "reviews_changed", "reviews_pending",
                 "open_at_quarter_end")


def _return_rows(rows: list[dict], dim: str, lang: str) -> list[dict]:
    """Branch or region rows as a person reads them: the total and the unlisted region named."""
    named = {"TOTAL": labels.t("total", lang), "": labels.t("region.none", lang)} if dim == "region" else \
        {"TOTAL": labels.t("total", lang)}
    return [{**r, dim: named.get(r[dim], r[dim])} for r in rows]
RETURN_LONG_KEYS = ("quarter", "table", "branch", "code", "name", "reason_code", "reason_name", "measure", "value")


def return_long_rows(rep: dict):
    """Every figure of the return as one CSV row (tidy: table, who, what, measure, value)."""
    q, scope = rep["quarter"], rep["branch"] or rep["region"] or ""
    for r in rep["by_type_reason"]:
        yield {"quarter": q, "table": "type_reason", "branch": scope, "code": r["business_code"],
               "name": r["business_name"], "reason_code": r["reason_code"], "reason_name": r["reason_name"],
               "measure": "received", "value": r["received"]}
    for r in rep["by_channel"]:
        yield {"quarter": q, "table": "channel", "branch": scope, "code": r["channel_code"], "name": r["channel_name"],
               "reason_code": None, "reason_name": None, "measure": "received", "value": r["received"]}
    for r in rep["by_branch"]:
        for k in HANDLING_KEYS:
            yield {"quarter": q, "table": "branch", "branch": r["branch"], "code": None, "name": r["region"] or None,
                   "reason_code": None, "reason_name": None, "measure": k, "value": r[k]}
    for r in rep["by_region"]:
        for k in HANDLING_KEYS:
            yield {"quarter": q, "table": "region", "branch": None, "code": None, "name": r["region"] or None,
                   "reason_code": None, "reason_name": None, "measure": k, "value": r[k]}


def return_sheets(rep: dict, ctx) -> list:
    """The return as workbook sheets, Chinese headers: the B x C matrix with totals (every code of
    the table, zeros included), the channels, the branches, and the notes."""
    book = ctx.code_book
    zh = labels.ZH
    t = lambda k, **kw: labels.t(k, zh, **kw)  # noqa: E731
    counts = {(r["business_code"], r["reason_code"]): r["received"] for r in rep["by_type_reason"]}
    b_codes = sorted(set(book.codes("B")) | {b for b, _ in counts})
    c_codes = sorted(set(book.codes("C")) | {c for _, c in counts})
    matrix = []
    for b in b_codes:
        row = [counts.get((b, c), 0) for c in c_codes]
        matrix.append([b, book.name(b, zh), *row, sum(row)])
    totals = [sum(counts.get((b, c), 0) for b in b_codes) for c in c_codes]
    matrix.append(["", t("total"), *totals, sum(totals)])
    headers = [t("business_code"), t("business_name"), *[f"{c} {book.name(c, zh)}" for c in c_codes], t("total")]
    channels = {r["channel_code"]: r["received"] for r in rep["by_channel"]}
    a_codes = sorted(set(book.codes("A")) | set(channels))
    channel_rows = [[a, book.name(a, zh), channels.get(a, 0)] for a in a_codes]
    channel_rows.append(["", t("total"), sum(channels.values())])
    branch_rows = [[t("total") if r["branch"] == "TOTAL" else r["branch"],
                    "" if r["branch"] == "TOTAL" else (r["region"] or t("region.none")),
                    *[r[k] for k in HANDLING_KEYS]] for r in rep["by_branch"]]
    region_rows = [[row["region"], *[r[k] for k in HANDLING_KEYS]] for row, r in
                   zip(_return_rows(rep["by_region"], "region", zh), rep["by_region"])]
    notes = [[t("return.quarter"), rep["quarter"]],
             [t("return.scope"), rep["branch"] or t("return.all_branches")],
             [t("return.region"), rep["region"] or t("return.all_branches")],
             [t("return.window", lo=rep["from"][:10], hi=rep["to"][:10]), ""],
             [t("return.generated"), ctx.now.astimezone(ctx.tz).isoformat(timespec="seconds")],
             [t("title.notes"), t("return.definitions")],
             ["JR/T 0169-2018", t("code.unverified") + ": " + ", ".join(
                 c for c in sorted(book.names) if book.source(c) != "standard")]]
    return [
        (t("title.by_type_reason"), headers, matrix),
        (t("title.by_channel"), [t("channel_code"), t("channel_name"), t("received")], channel_rows),
        (t("title.by_branch"), [t("branch"), t("region"), *[t(k) for k in HANDLING_KEYS]], branch_rows),
        (t("title.by_region"), [t("region"), *[t(k) for k in HANDLING_KEYS]], region_rows),
        (t("title.notes"), [t("title.notes"), ""], notes),
    ]


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
        raise InvalidValue("--format", fmt, "acc.html_or_json")
    from complaintctl.regulatory import parse_month

    parse_month(month)  # a mistake is told before the database is opened (or created)
    data = report.figures(st.uow(write=False), st.context(), month=month)
    if fmt == "json":
        render.write_json(data, output)
        return
    bank = " ".join(x for x in (st.config["bank.name"], st.config["bank.branch_name"]) if x)
    page = report.render_html(data, st.language, bank=bank)
    with render.destination(output) as fh:
        fh.write(page)
    if output is not None:
        render.message(labels.t("msg.written", st.language, path=str(output)))
