"""The one place that turns rows into a table, CSV, JSON or JSONL, on stdout or atomically into a file."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import typer

from complaintctl import files, labels
from complaintctl.errors import InvalidValue

FORMATS = ("table", "csv", "json", "jsonl")
TABLE_LIMIT = 100
_FORMULA_START = files.FORMULA_START
_FORMULA_START_SET = frozenset(_FORMULA_START)


def console(stderr: bool = False, *, width: int | None = None):
    """A Rich console on the current stdout/stderr; colour only on a terminal without NO_COLOR."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    return Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")) or not is_tty,
                   highlight=False, soft_wrap=False, width=width or (None if is_tty else 200))


def message(text: str, style: str | None = None) -> None:
    """A message for the person at the terminal: always stderr, never mixed into data. Colour
    only on a terminal; otherwise (cron, pipes, NO_COLOR) a plain line, without loading Rich."""
    stream = sys.stderr
    if style is None or os.environ.get("NO_COLOR") or not (hasattr(stream, "isatty") and stream.isatty()):
        stream.write(text + "\n")
        stream.flush()
        return
    from rich.markup import escape

    console(stderr=True).print(f"[{style}]{escape(text)}[/{style}]")


def warn(text: str) -> None:
    message(f"warning: {text}", "yellow")


@dataclass(frozen=True)
class Column:
    """A column of a report: its stable key, how a table shows it, and an optional style."""

    key: str
    enum: type[StrEnum] | None = None
    kind: str = "text"  # text | time | due | bool | number | percent | plain (never a formula: as is)
    style: Callable[[dict], str | None] | None = None
    max_width: int | None = None
    header: str | None = None


neutralise = files.neutralise

def cell_text(value: Any, col: Column, lang: str) -> str:
    if value is None or value == "":
        return ""
    if col.enum is not None:
        return labels.label(str(value), lang, col.enum)
    if col.kind in ("time", "due") and isinstance(value, str):
        moment = dt.datetime.fromisoformat(value)
        if col.kind == "due" and moment.time() == dt.time():
            return f"{(moment - dt.timedelta(days=1)):%Y-%m-%d} 24:00"
        return f"{moment:%Y-%m-%d %H:%M}"
    if col.kind == "bool":
        return ("是" if lang == "zh" else "yes") if value else ""
    if col.kind == "percent":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _header(col: Column, lang: str) -> str:
    return col.header or labels.t(col.key, lang)


# The database file of the running command (set by the top-level callback, read only when a
# file is to be written): --output never names it.
database_file: Callable[[], Path | None] = lambda: None


@contextmanager
def destination(output: Path | None, *, newline: str = "", encoding: str = "utf-8") -> Iterator[io.TextIOBase]:
    """stdout, or a file written the one way every file is (complaintctl.files: 0600, a temporary
    name renamed into place when complete, never through a symlink, never the database itself)."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    db = database_file()
    with files.atomic_text(output, "--output", protect=(db,) if db else (), newline=newline, encoding=encoding) as fh:
        yield fh


def emit(rows: Iterable[dict], columns: list[Column], *, fmt: str = "table", output: Path | None = None,
         excel: bool = False, lang: str = "en", title: str | None = None, limit: int | None = TABLE_LIMIT,
         caption: str | None = None, empty: str | None = None, total: int | None = None,
         sequences: bool = False) -> int:
    """Write rows in the chosen format; returns how many rows there were.

    For a table, `total` (when the query was limited in SQL) is how many rows there are in all.
    With `sequences`, each row is a fresh list in column order rather than a dict (the CSV of a
    whole-database export is written without building a dict per row)."""
    check_format(fmt)
    if sequences and fmt != "csv":
        keys = [c.key for c in columns]
        rows = (dict(zip(keys, row)) for row in rows)
        sequences = False
    if fmt == "table":
        return _table(rows, columns, output=output, lang=lang, title=title, limit=limit, caption=caption,
                      empty=empty, total=total)
    keys = [c.key for c in columns]
    n = 0
    with destination(output) as out:
        if fmt == "csv":
            if excel:
                out.write("\ufeff")
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(keys)
            cells = _csv_sequence_cells(columns) if sequences else _csv_cells(keys)
            for row in rows:
                writer.writerow(cells(row))
                n += 1
        elif fmt == "jsonl":
            for row in rows:
                out.write(json.dumps({k: row.get(k) for k in keys}, ensure_ascii=False) + "\n")
                n += 1
        else:
            out.write("[")
            for row in rows:
                out.write(("," if n else "") + "\n" + json.dumps({k: row.get(k) for k in keys}, ensure_ascii=False))
                n += 1
            out.write("\n]\n" if n else "]\n")
    return n


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidValue("--format", fmt, "one of " + ", ".join(FORMATS))


def _csv_cells(keys: list[str]) -> Callable[[dict], list]:
    """A function from a row to its CSV cells (the hot loop of every CSV: kept to one comprehension)."""
    from operator import itemgetter

    pick = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    start, cell = _FORMULA_START_SET, _csv_cell

    def cells(row: dict) -> list:
        try:
            values = pick(row)
        except KeyError:
            values = [row.get(k) for k in keys]
        return [(("'" + v if v and v[0] in start else v) if (t := type(v)) is str else
                 v if v is None or t is int or t is float else
                 ("true" if v else "false") if t is bool else cell(v)) for v in values]

    return cells


def _csv_sequence_cells(columns: list[Column]) -> Callable[[list], list]:
    """Like _csv_cells for list rows, touching only the columns that need it: typed text is
    neutralised, flags written true/false; times, numbers and choices go out as they are."""
    texts = [i for i, c in enumerate(columns) if c.kind == "text" and c.enum is None]
    flags = [i for i, c in enumerate(columns) if c.kind == "bool"]
    start = _FORMULA_START_SET

    def cells(row: list) -> list:
        for i in texts:
            v = row[i]
            if v and type(v) is str and v[0] in start:
                row[i] = "'" + v
        for i in flags:
            v = row[i]
            if v is not None:
                row[i] = "true" if v else "false"
        return row

    return cells


def _csv_cell(value: Any) -> Any:
    """A CSV cell for what the one comprehension above leaves over (not text, number, flag or
    null): nested values as JSON, neutralised; anything else as csv writes it."""
    if isinstance(value, (list, dict)):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return value


def _table(rows: Iterable[dict], columns: list[Column], *, output, lang, title, limit, caption, empty,
           total: int | None = None) -> int:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, header_style="bold", show_lines=False)
    for col in columns:
        table.add_column(_header(col, lang), max_width=col.max_width, overflow="ellipsis",
                         no_wrap=col.max_width is not None, justify="right" if col.kind in ("number", "percent") else "left")
    shown = seen = 0
    for row in rows:
        seen += 1
        if limit is not None and shown >= limit:
            continue
        style = None
        for col in columns:
            if col.style:
                style = col.style(row) or style
        table.add_row(*[Text(cell_text(row.get(c.key), c, lang)) for c in columns], style=style)
        shown += 1
    if output is not None:
        from rich.console import Console

        with destination(output) as fh:
            Console(file=fh, no_color=True, width=200).print(table)
        return seen
    total = seen if total is None else max(total, seen)
    out = console()
    if total == 0:
        message(empty or labels.t("no_cases", lang))
        return 0
    out.print(table)
    if total > shown:
        message(labels.t("more_rows", lang, n=total - shown))
    return total


def print_json(value: Any) -> None:
    """One JSON document on stdout."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_record(pairs: list[tuple[str, Any]], title: str | None = None) -> None:
    """A two-column key/value table for a single record."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for k, v in pairs:
        table.add_row(Text(k), Text("" if v is None else str(v)))
    console().print(table)
