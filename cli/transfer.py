"""import and export: bulk history in, every case with its cycles out."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from complaintctl import labels
from complaintctl.stored import switched_off

from . import render
from .options import EXCEL, OUTPUT, given_path
from .render import Column
from .state import state


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)


REJECTS_SHOWN = 50  # rejected rows listed on the terminal; --skip-invalid's rejects file holds them all


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., parser=given_path("FILE"), help="CSV file with a header row."),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN (COLUMN may be A|B: the first non-empty); repeatable."),
    value_map: list[str] = typer.Option([], "--value-map", help="FIELD:SOURCE=TARGET, SOURCE * for any other value; repeatable."),
    date_format: Optional[str] = typer.Option(None, "--date-format", help="strptime format of the dates, e.g. %Y/%m/%d (default ISO 8601)."),
    encoding: str = typer.Option("utf-8-sig", "--encoding", help="File encoding, e.g. gb18030 for a Chinese Excel export."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; write nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the good rows; write the rejects to FILE.rejects.csv."),
    json_out: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Import historical complaints from CSV: all rows or none, each with its import event.
    """
    st = state(ctx)
    from complaintctl import importer

    progress = None
    bar = None
    if sys.stderr.isatty() and not json_out:
        from rich.progress import Progress

        bar = Progress(console=render.console(stderr=True), transient=True)
        task = bar.add_task("importing", total=None)
        bar.start()
        progress = lambda n: bar.update(task, completed=n)  # noqa: E731
    try:
        result = importer.import_csv(st.uow(), st.context(), file, maps=map_, value_maps=value_map,
                                     date_format=date_format, dry_run=dry_run, skip_invalid=skip_invalid,
                                     encoding=encoding, progress=progress, lang=st.language)
    finally:
        if bar is not None:
            bar.stop()
    data = {"file": str(file), "rows": result.rows, "imported": result.imported, "cases": result.cases,
            "rejected": result.rejected, "unmapped_columns": result.unmapped,
            "dry_run": dry_run, "committed": result.committed, "rejects_file": result.rejects_file,
            "rejects": [{"row": r.row, "field": r.field, "reason": r.reason,
                         "faults": [{"field": f, "reason": why} for f, why in r.faults or ((r.field, r.reason),)]}
                        for r in result.rejects]}
    if result.unmapped and not json_out:
        from complaintctl.domain import terminal_safe

        render.warn(labels.t("warn.import_unmapped", st.language, n=len(result.unmapped), file=file.name,
                             columns=", ".join(terminal_safe(c, multiline=False) for c in result.unmapped)), st.language)
    if json_out:
        render.print_json(data)
    elif result.rejects:
        shown = data["rejects"][:REJECTS_SHOWN]
        _rejects_table(shown, st.language)
        if result.rejected > len(shown):
            render.message(labels.t("import.more_rejects_dry" if dry_run else "import.more_rejects", st.language,
                                    n=result.rejected - len(shown), kept=f"{importer.REJECTS_KEPT:,}"))
    if result.rejected and not skip_invalid:
        from complaintctl.errors import UserError

        shown = len(data["rejects"]) if json_out else min(result.rejected, REJECTS_SHOWN)
        key = "err.import_invalid_json" if json_out else (
            "err.import_invalid_all" if shown >= result.rejected else "err.import_invalid")
        raise UserError(key,
                        bad=result.rejected, rows=result.rows, file=file.name, shown=shown)
    if not json_out:
        lang = st.language
        # (the tool's own export: one row a cycle, so the cases are said too)
        key = ("import.would" if dry_run else "import.done") + ("_cases" if result.cases != result.imported else "")
        line = labels.t(key, lang, n=result.imported, rows=result.rows, cases=result.cases, file=file.name)
        if result.rejects_file:
            line += labels.t("import.rejects_written", lang, n=result.rejected, path=result.rejects_file)
        typer.echo(line)


def _rejects_table(rejects: list[dict], lang: str) -> None:
    """The rejected rows as a table whose reasons wrap, never cut: a reason's list of what is
    accepted is what the operator needs to fix the row (at 80 columns a cut one ended after the
    second choice); each field found wrong in a row has its own line."""
    from complaintctl.domain import terminal_safe

    heads = [labels.t(k, lang) for k in ("import.row", "import.field", "import.reason")]
    # A row found wrong in several fields: a line for each, its number on the first.
    rows = [(str(r["row"]) if i == 0 else "", f["field"] or "", terminal_safe(f["reason"], multiline=False))
            for r in rejects for i, f in enumerate(r["faults"])]
    w_row = max(render.cell_width(x) for x in [heads[0], *(r[0] for r in rows)])
    w_field = max(render.cell_width(x) for x in [heads[1], *(r[1] for r in rows)])
    indent = w_row + w_field + 4
    room = max(render.table_width() - indent, 30)
    w_reason = min(max(render.cell_width(x) for x in [heads[2], *(r[2] for r in rows)]), room)

    def line(a: str, b: str, c: str) -> str:
        return (" " * (w_row - render.cell_width(a)) + a + "  " + b + " " * (w_field - render.cell_width(b))
                + "  " + c).rstrip()

    out = [labels.t("import.rejected", lang), line(*heads), line("-" * w_row, "-" * w_field, "-" * w_reason)]
    for number, field, reason in rows:
        # A choice and its name in brackets ("branch_counter (Branch counter)") stay on one line.
        first, *rest = [x.replace("\u00a0", " ") for x in render.wrap_cells(reason.replace(" (", "\u00a0("), room)] or [""]
        out.append(line(number, field, first))
        out.extend(" " * indent + more for more in rest)
    typer.echo("\n".join(out))


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("jsonl", "--format", "-f", help="csv (one row a cycle), jsonl (one case a line, cycles "
                                                           "inside) or xlsx (as csv, typed; needs --output)."),
    output: Optional[Path] = OUTPUT,
    excel: bool = EXCEL,
    start: Optional[str] = typer.Option(None, "--from", help="Only cases received on or after this date (or time)."),
    end: Optional[str] = typer.Option(None, "--to", help="Only cases received up to this date (inclusive) or time."),
) -> None:
    """Export every case with its cycles, streamed, personal data masked.

    --from and --to keep the cases received in that window (a spreadsheet holds about a million rows).

    Example: complaintctl export --format xlsx --from 2026-01-01 --to 2026-06-30 --output h1.xlsx
    """
    st = state(ctx)
    from complaintctl import importer

    if fmt not in ("csv", "jsonl", "xlsx"):
        from complaintctl.errors import InvalidValue

        raise InvalidValue("--format", labels.typed_choice(fmt, ("csv", "jsonl", "xlsx")), "acc.export_format")
    # --excel with jsonl: refused, not ignored; a workbook only to --output
    render.check_format(fmt, excel, output, render.SHEET_FORMATS)
    with st.uow(write=False) as uow:
        c = st.context()
        # The database writes the CSV itself (COPY on PostgreSQL, finished lines on SQLite);
        # COMPLAINTCTL_EXPORT_COPY=off takes the Python way, for comparison (the same bytes).
        copied = (importer.export_csv_text(uow, c, start, end) if fmt == "csv" and
                  not switched_off("COMPLAINTCTL_EXPORT_COPY") else None)
        if copied is not None:
            n = render.emit_csv_text(list(importer.EXPORT_CSV_KEYS), copied, output=output, excel=excel)
        elif fmt in ("csv", "xlsx"):  # a workbook's cells typed: its times as date-times (export_sheet_kinds)
            from .views import received_text, sheet_title

            kinds = importer.export_sheet_kinds() if fmt == "xlsx" else map(importer.export_kind, importer.EXPORT_CSV_KEYS)
            columns = [Column(k, kind=kind) for k, kind in zip(importer.EXPORT_CSV_KEYS, kinds)]
            name = labels.t("title.cases", st.language)
            title = (sheet_title(name, st.language, as_of=c.now, tz=c.tz, window=received_text(c, start, end))
                     if fmt == "xlsx" else None)
            n = render.emit(importer.export_table(uow, c, start, end), columns, fmt=fmt, output=output, excel=excel,
                            sequences=True, formats=render.SHEET_FORMATS, title=title, tab=name)
        else:
            keys = list(importer.EXPORT_CASE_FIELDS) + ["cycles"]
            n = render.emit(importer.export_cases(uow, c, start, end), [Column(k) for k in keys], fmt="jsonl", output=output)
    if output is not None:
        render.message(labels.t("done.exported", st.language, n=n, output=output))
