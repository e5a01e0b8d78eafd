"""The one place that turns rows into a table, CSV, JSON or JSONL, on stdout or atomically into a file."""
from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from complaintctl import files, labels
from complaintctl.domain import terminal_safe
from complaintctl.errors import InvalidValue, UserError

FORMATS = ("table", "csv", "json", "jsonl")
# The formats of a command whose rows also go into a workbook (list, export and the tabular
# reports): an xlsx is written to --output only.
SHEET_FORMATS = FORMATS + ("xlsx",)
# Excel's rows a sheet (the header's included): more rows go on in a next sheet, under the same header.
SHEET_ROWS = 1_048_576
TABLE_LIMIT = 100
MAX_LIMIT = 1_000_000_000  # --limit at most: a larger number is no page (and overflows a database integer)
_FORMULA_START = files.FORMULA_START
_FORMULA_START_SET = frozenset(_FORMULA_START)


def console(stderr: bool = False, *, width: int | None = None):
    """A Rich console on the current stdout/stderr; colour only on a terminal without NO_COLOR."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    return Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")) or not is_tty,
                   highlight=False, soft_wrap=False, width=width or table_width(stream))


def message(text: str, style: str | None = None) -> None:
    """A message for the person at the terminal: always stderr, never mixed into data. Colour
    only on a terminal; otherwise (cron, pipes, NO_COLOR) a plain line, without loading Rich."""
    stream = sys.stderr
    text = terminal_safe(text)
    if style is None or os.environ.get("NO_COLOR") or not (hasattr(stream, "isatty") and stream.isatty()):
        stream.write(text + "\n")
        stream.flush()
        return
    from rich.markup import escape

    console(stderr=True).print(f"[{style}]{escape(text)}[/{style}]")


def warn(text: str, lang: str = "en") -> None:
    message(labels.t("warn.prefix", lang, text=text), "yellow")


@dataclass(frozen=True)
class Column:
    """A column of a report: its stable key, how a table shows it, and an optional style."""

    key: str
    enum: type[StrEnum] | None = None
    kind: str = "text"  # text | time | due | bool | number | percent | plain (never a formula: as is)
    style: Callable[[dict], str | None] | None = None
    max_width: int | None = None
    header: str | None = None
    priority: int | None = None  # in a table too narrow for every column: 0 never dropped, higher dropped first
    display: Callable[[dict, str], str] | None = None  # a table cell made from the whole row (tables only)
    # A shorter form of `display` (a span in whole days), used only when the columns that never
    # drop are still too wide for the table once every other column has gone.
    narrow: Callable[[dict, str], str] | None = None
    # The widest narrow cell a row may need (in a language): the room such a column keeps when rows
    # beyond the first ones, which size the table, are still to come.
    room: Callable[[str], str] | None = None


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
        return labels.t("yes", lang) if value else ""
    if col.kind == "percent":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    # (data stored before input was checked may still hold control characters; a purge's marker
    # is read in the output's language)
    return terminal_safe(str(labels.stored_text(value, lang)))


def _header(col: Column, lang: str) -> str:
    return col.header or labels.t(col.key, lang)


# The database file of the running command (set by the top-level callback, read only when a
# file is to be written): --output never names it.
database_file: Callable[[], Path | None] = lambda: None


# Files being written by `one_file`: each write to one of them goes on in the file already open.
_OPEN: dict[Path, io.TextIOBase] = {}


@contextmanager
def one_file(output: Path | None) -> Iterator[None]:
    """Several sections (tables, a closing line) written to one --output file, which is renamed
    into place once, when all are written; to stdout when `output` is None."""
    if output is None:
        yield
        return
    with destination(output) as fh:
        _OPEN[output] = fh
        try:
            yield
        finally:
            del _OPEN[output]


def line(text: str, output: Path | None = None) -> None:
    """One line after a table: to stdout, or into the --output file that `one_file` holds open."""
    out = _OPEN.get(output, sys.stdout) if output is not None else sys.stdout
    out.write(text + "\n")
    out.flush()


def check_output(output: Path) -> Path:
    """--output refused as a command starts, before anything is worked out, when it may not be
    written (the database itself, a symlink, a missing folder): the check `destination` makes again
    as it writes."""
    return files.check_destination(output, "--output", protect=(database_file(),))


@contextmanager
def destination(output: Path | None, *, newline: str = "", encoding: str = "utf-8",
                binary: bool = False) -> Iterator[io.TextIOBase]:
    """stdout, or a file written the one way every file is (complaintctl.files: 0600, a temporary
    name renamed into place when complete, never through a symlink, never the database itself;
    inside `one_file`, the file it holds open)."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if output in _OPEN:
        yield _OPEN[output]
        return
    db = database_file()
    with files.atomic_text(output, "--output", protect=(db,) if db else (), newline=newline, encoding=encoding,
                           binary=binary) as fh:
        yield fh


def emit(rows: Iterable[dict], columns: list[Column], *, fmt: str = "table", output: Path | None = None,
         excel: bool = False, lang: str = "en", title: str | None = None, limit: int | None = TABLE_LIMIT,
         caption: str | None = None, empty: str | None = None, total: int | None = None,
         sequences: bool = False, keep_empty: bool = False, formats: tuple[str, ...] = FORMATS,
         tab: str | None = None) -> int:
    """Write rows in the chosen format (one of `formats`: SHEET_FORMATS where a workbook may be
    asked for); returns how many rows there were.

    A table without rows is a line on stderr (`empty`, else "no cases"); with `keep_empty` (a
    section of a report of several tables) its title and header are drawn all the same, to stdout
    as to a file.

    For a table, `total` (when the query was limited in SQL) is how many rows there are in all.
    With `sequences`, each row is a fresh list in column order rather than a dict (the CSV of a
    whole-database export is written without building a dict per row)."""
    check_format(fmt, excel, output, formats)
    if fmt == "xlsx":
        return write_rows_xlsx(rows, columns, output, title=title, sequences=sequences, lang=lang, tab=tab)
    if sequences and fmt != "csv":
        keys = [c.key for c in columns]
        rows = (dict(zip(keys, row)) for row in rows)
        sequences = False
    if fmt == "table":
        return _table(rows, columns, output=output, lang=lang, title=title, limit=limit, caption=caption,
                      empty=empty, total=total, keep_empty=keep_empty)
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


def emit_csv_text(keys: list[str], copied: tuple[str, Iterable[tuple[int, bytes]]], *, output: Path | None = None,
                  excel: bool = False) -> int:
    """A CSV whose body the database wrote: `copied` is (encoding, blocks), each block (rows,
    bytes) of whole rows already ending "\r\n" as csv.writer ends them. The header and the excel
    mark as emit writes them, then the blocks as they come: straight to the bytes underneath
    when the output is in the same encoding (no decoding and encoding again). Returns how many
    rows there were."""
    import codecs

    check_suffix("csv", output)
    encoding, blocks = copied
    n = 0
    with destination(output) as out:
        if excel:
            out.write("\ufeff")
        csv.writer(out, lineterminator="\r\n").writerow(keys)
        raw = getattr(out, "buffer", None)
        same = raw is not None and codecs.lookup(getattr(out, "encoding", None) or "ascii").name == \
            codecs.lookup(encoding).name
        if same:
            out.flush()
        for rows, data in blocks:
            if same:
                raw.write(data)
            else:
                out.write(data.decode(encoding))
            n += rows
        if same:
            raw.flush()
    return n


def check_format(fmt: str, excel: bool = False, output: Path | None = None,
                 formats: tuple[str, ...] = FORMATS) -> None:
    """A format the rows can be written in (one of `formats`); --excel (a byte-order mark for
    Excel) only with CSV; a workbook only to --output; an --output whose name says another kind
    of file refused (check_suffix)."""
    if fmt not in formats:
        raise InvalidValue("--format", labels.typed_choice(fmt, formats), "acc.one_of", choices=formats)
    if excel and fmt != "csv":
        raise UserError("err.excel_csv_only", fmt=fmt)
    if fmt == "xlsx" and (output is None or str(output) == "-"):
        raise UserError("err.xlsx_needs_output")
    check_suffix(fmt, output)


def check_suffix(fmt: str, output: Path | str | None) -> None:
    """Refuse writing `fmt` into a file whose name ends as another kind of file (before anything
    is read or written); stdout (none, or -) takes any."""
    if output is None or str(output) == "-":
        return
    suffix = Path(output).suffix.lower()
    kinds = files.SUFFIX_FORMATS.get(suffix)  # (what a name says it holds; the --output guard reads it too)
    if kinds is not None and fmt not in kinds:
        raise InvalidValue("--output", str(output), "acc.output_suffix", fmt=fmt, suffix=suffix,
                           kinds=" or ".join(kinds))


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


PLAIN_WIDTH = 120  # a table off a terminal with no COLUMNS: wide enough for a mail, narrow enough to read
_SEP = "  "
_SAMPLE = 100  # rows read ahead to size the columns of a streamed table


def table_width(stream=None) -> int:
    """The width a table must fit: COLUMNS when set, else the terminal's, else PLAIN_WIDTH."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    stream = stream or sys.stdout
    if hasattr(stream, "isatty") and stream.isatty():
        import shutil

        return shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns
    return PLAIN_WIDTH


def fold_cells(text: str, width: int) -> list[str]:
    """Lines of at most `width` screen cells, broken anywhere (a path, which has no place to break)."""
    lines, line = [], ""
    for char in text:
        if line and cell_width(line + char) > width:
            lines.append(line)
            line = ""
        line += char
    return lines + [line] if line else lines


def wrap_cells(text: str, width: int) -> list[str]:
    """Lines of at most `width` screen cells (a Chinese character takes two), broken only at a
    space (not between an option and its value) or after a list's enumeration, comma and
    semicolon marks, so that no word or option is split (a piece longer than the width stands on a
    line of its own). A no-break space keeps a name of several words together."""
    import re

    pieces: list[str] = []
    for piece in (p for p in re.split(r"(?<=[\u3001\uff0c\uff1b])|(?<= )", text) if p):
        if pieces and re.search(r"(^|\s)--[\w-]+ $", pieces[-1]):  # an option and its value stay together
            pieces[-1] += piece
        else:
            pieces.append(piece)
    lines, line = [], ""
    for piece in pieces:
        if line and cell_width((line + piece).rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def shell_lines(words: list[str], width: int, indent: str = "  ") -> list[str]:
    """A command (its words, each as a shell reads it) in lines of at most `width` cells that a
    shell reads back as the one command: each line but the last ends in a backslash, which a shell
    removes with the line break; between words the next line is indented, and a word longer than a
    line (a database's path) is broken inside it, the next line then starting at its first column
    (a quoted word is left whole: inside quotes the backslash would stay)."""
    lines: list[str] = []
    line = indent
    for word in words:
        piece = word if not line.strip() else " " + word
        if cell_width(line + piece) + 2 <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line + " \\")
            line = indent * 2
        while cell_width(line + word) + 1 > width and "'" not in word and len(word) > 1:
            room = max(width - 1 - cell_width(line), 1)
            cut = 1
            while cut < len(word) and cell_width(word[:cut + 1]) <= room:
                cut += 1
            lines.append(line + word[:cut] + "\\")
            line, word = "", word[cut:]
        line += word
    lines.append(line)
    return lines


def cell_width(text: str) -> int:
    """How many terminal cells `text` takes (a Chinese character two), without Rich for plain ASCII."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _fit_cell(text: str, width: int, right: bool = False, crop: bool = True) -> str:
    """`text` in exactly `width` terminal cells: cut with an ellipsis when longer (unless `crop`
    is off), padded on the right (or on the left for numbers) when shorter."""
    n = cell_width(text)
    if n > width and crop:
        from rich.cells import set_cell_size

        if width > 1:  # a wide character that does not fit leaves a space: the ellipsis goes before it
            cut = set_cell_size(text, width - 1)
            text = cut.rstrip(" ") + "\u2026" if cut.endswith(" ") and not text.startswith(cut) else cut + "\u2026"
            n = cell_width(text)
        else:
            text, n = set_cell_size(text, width), width
    pad = " " * max(width - n, 0)
    return pad + text if right else text + pad


def _header_lines(header: str, wrap: bool) -> list[str]:
    """A header on one line, or (when wrapping helps a narrow table) split at the space nearest
    its middle."""
    if not wrap or " " not in header:
        return [header]
    spaces = [i for i, ch in enumerate(header) if ch == " "]
    cut = min(spaces, key=lambda i: max(cell_width(header[:i]), cell_width(header[i + 1:])))
    return [header[:cut], header[cut + 1:]]


@dataclass
class TableLayout:
    """Which columns a table shows and how wide each is; decided once, from the headers and the
    first rows, then applied to every row (so a table can stream)."""

    columns: list[Column]
    widths: list[int]
    headers: list[list[str]]
    narrowed: frozenset = frozenset()  # the shown columns (by position) in their narrow form

    def __post_init__(self) -> None:
        self._specs = [(w, c.kind in ("number", "percent"), c.priority != 0) for w, c in zip(self.widths, self.columns)]

    def line(self, cells: list[str]) -> str:
        parts = []
        for v, (w, right, crop) in zip(cells, self._specs):
            if v.isascii() and len(v) <= w:  # the common case, without measuring cells
                parts.append(v.rjust(w) if right else v.ljust(w))
            else:
                parts.append(_fit_cell(v, w, right, crop))
        return _SEP.join(parts).rstrip()

    def header_lines(self) -> list[str]:
        depth = max(len(h) for h in self.headers)
        lines = []
        for i in range(depth):
            lines.append(self.line([h[i] if i < len(h) else "" for h in self.headers]))
        return lines

    def rule(self) -> str:
        return _SEP.join("-" * w for w in self.widths)


def _priority(col: Column, position: int) -> int:
    """Lower keeps longer. 0 is never dropped; without a priority, the first column is kept and
    later columns go first."""
    if col.priority is not None:
        return col.priority
    return 0 if position == 0 else 1000 + position


# A column this important (priority 1 or 2: the handler, the regulatory deadline) is worth the
# narrow forms: the clock in whole days ("late 340d (229wd)", hours kept under a day) when that
# keeps such a column the table would otherwise leave out (the morning mail at 120 columns keeps the
# regulator's deadline); when it keeps none, the clock stays whole.
WORTH_NARROWING = 2


def layout(columns: list[Column], sample: list[list[str]], lang: str, width: int | None,
           narrow_sample: dict[int, list[str]] | None = None, room: dict[int, int] | None = None) -> TableLayout:
    """_fitted's layout; or, when that leaves out a column of priority WORTH_NARROWING or less and
    the narrow forms taken from the start keep more of those, that one."""
    plain = _fitted(columns, sample, lang, width, narrow_sample, room)
    lost = _important_lost(columns, plain)
    if not lost or not narrow_sample or width is None:
        return plain
    narrow = _fitted(columns, sample, lang, width, narrow_sample, room, narrow_first=True)
    return narrow if _important_lost(columns, narrow) < lost else plain


def _important_lost(columns: list[Column], lay: TableLayout) -> int:
    shown = {id(c) for c in lay.columns}
    return sum(1 for i, c in enumerate(columns) if id(c) not in shown and 0 < _priority(c, i) <= WORTH_NARROWING)


def _fitted(columns: list[Column], sample: list[list[str]], lang: str, width: int | None,
            narrow_sample: dict[int, list[str]] | None = None, room: dict[int, int] | None = None,
            narrow_first: bool = False) -> TableLayout:
    """Fit columns into `width` terminal cells (None: every column at its natural width). Free-text
    columns shrink (to 8 cells or their header), then headers wrap onto two lines, and only then
    does a whole column drop, the least important first, and the rest are fitted again.
    Reference, tier, status, deadline and clock (priority 0) are never dropped or cut; when they
    alone are too wide (or from the start, `narrow_first`), the columns with a narrow form
    (`narrow_sample`: its cells for the sample rows, by column) take it and every column is fitted
    again (what dropped may fit beside the shorter cells); only then is the table wider than asked. `room` (by column) is the least
    width a column keeps for rows still to come."""
    room = room or {}
    headers = [_header(c, lang) for c in columns]
    content = [max((cell_width(r[i]) for r in sample), default=0) for i in range(len(columns))]
    if width is not None:  # a choice that is never cut is as wide as its longest label, wherever it comes
        for i, c in enumerate(columns):
            if c.enum is not None and c.priority == 0 and sample:
                content[i] = max(content[i], max(cell_width(labels.label(v, lang, c.enum)) for v in c.enum))
            content[i] = max(content[i], room.get(i, 0))
    flexible = [c.kind == "text" and c.enum is None and c.priority != 0 for c in columns]
    narrowed: frozenset = frozenset()
    if narrow_first:
        for i, cells in (narrow_sample or {}).items():
            content[i] = max(max((cell_width(c) for c in cells), default=0), room.get(i, 0))
        narrowed = frozenset(narrow_sample or {})

    def natural(i: int, wrap: bool) -> int:
        head = max(cell_width(h) for h in _header_lines(headers[i], wrap))
        body = content[i]
        cap = columns[i].max_width
        if flexible[i] and cap is not None and width is not None:  # (a file keeps every column whole)
            body = min(body, cap)
        return max(head, body, 1)

    keep = list(range(len(columns)))
    while True:
        for wrap in (False, True):
            widths = {i: natural(i, wrap) for i in keep}
            if width is None:
                return _made(columns, keep, widths, headers, False)
            total = sum(widths.values()) + len(_SEP) * (len(keep) - 1)
            floors = {i: max(min(widths[i], 8), *(cell_width(h) for h in _header_lines(headers[i], wrap)))
                      for i in keep if flexible[i]}
            shrunk = _shrunk({i: widths[i] for i in floors}, floors, total - width)
            total -= sum(widths[i] - w for i, w in shrunk.items())
            widths.update(shrunk)
            if total <= width:
                return _made(columns, keep, widths, headers, wrap, narrowed)
        droppable = [i for i in keep if _priority(columns[i], i) != 0]
        if droppable:
            keep.remove(max(droppable, key=lambda i: (_priority(columns[i], i), i)))
            continue
        shorter = {i: cells for i, cells in (narrow_sample or {}).items() if i in keep and i not in narrowed}
        if not shorter:
            return _made(columns, keep, widths, headers, True, narrowed)  # only what must stay: wider than asked
        for i, cells in shorter.items():
            content[i] = max(max((cell_width(c) for c in cells), default=0), room.get(i, 0))
        narrowed = narrowed | shorter.keys()
        keep = list(range(len(columns)))  # fitted again from the start: a dropped column may fit now


def _shrunk(widths: dict[int, int], floors: dict[int, int], excess: int) -> dict[int, int]:
    """The free-text columns' widths with `excess` cells taken off the widest first, evenly: every
    column cut ends at one common width (or at its floor, 8 cells or its header), so the narrower
    ones stay whole and no column is cut below another it was wider than. Cuts as much as the
    floors allow when that is not enough."""
    if excess <= 0 or not widths:
        return widths

    def cut(level: int) -> int:
        return sum(w - max(min(w, level), floors[i]) for i, w in widths.items())

    level = max(widths.values())
    while level > 0 and cut(level) < excess:
        level -= 1
    shrunk = {i: max(min(w, level), floors[i]) for i, w in widths.items()}
    spare = cut(level) - excess  # one step down cut a cell too many from some of the columns at the level
    for i in sorted(shrunk, key=lambda i: -widths[i]):  # given back to the widest first
        if spare <= 0:
            break
        if shrunk[i] == level and widths[i] > level:
            shrunk[i] += 1
            spare -= 1
    return shrunk


def _made(columns, keep, widths, headers, wrap, narrowed=frozenset()) -> TableLayout:
    return TableLayout([columns[i] for i in keep], [widths[i] for i in keep],
                       [_header_lines(headers[i], wrap) for i in keep],
                       frozenset(n for n, i in enumerate(keep) if i in narrowed))


def _cell_maker(col: Column, lang: str) -> Callable[[dict], str]:
    """The function from a row to this column's cell text. Values repeat from row to row (dates,
    choices, clock outcomes), so each distinct one is formatted once."""
    memo: dict = {}
    key, display = col.key, col.display

    def clean(text: str) -> str:
        # One line per row: line breaks and tabs in free text would break the columns; control
        # characters in data stored before input was checked never reach the terminal.
        if "\n" in text or "\r" in text or "\t" in text:
            text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
        return terminal_safe(text)

    if display is not None:
        def cell(row: dict) -> str:
            return clean(display(row, lang) or "")
        return cell
    if col.kind == "text" and col.enum is None:
        from complaintctl.masking import ANONYMISED

        erased = labels.stored_text(ANONYMISED, lang)  # what a purge left, in the table's language

        def cell(row: dict) -> str:
            v = row.get(key)
            if type(v) is str:
                return clean(v) if v != ANONYMISED else erased
            return cell_text(v, col, lang)
        return cell

    def cell(row: dict) -> str:
        v = row.get(key)
        try:
            return memo[v]
        except KeyError:
            if len(memo) > 4096:
                memo.clear()
            text = memo[v] = clean(cell_text(v, col, lang))
            return text
        except TypeError:  # an unhashable value
            return clean(cell_text(v, col, lang))
    return cell


def _table(rows: Iterable[dict], columns: list[Column], *, output, lang, title, limit, caption, empty,
           total: int | None = None, keep_empty: bool = False) -> int:
    """A table that fits the terminal (or COLUMNS), streamed row by row: on a terminal with the
    rows coloured by their style, elsewhere plain fixed-width text, fit for a mail. A table written
    to a file keeps every column at its full width."""
    rows = iter(rows)
    makers = [_cell_maker(c, lang) for c in columns]
    styles = [c.style for c in columns if c.style]

    def style_of(row: dict) -> str | None:
        style = None
        for pick in styles:
            style = pick(row) or style
        return style

    # The first rows size the columns; every row after them streams through the same layout.
    sample: list[tuple[list[str], str | None]] = []
    sample_rows: list[dict] = []
    shown = seen = 0
    for row in rows:
        seen += 1
        if limit is not None and shown >= limit:
            continue  # counted, not shown
        sample.append(([make(row) for make in makers], style_of(row)))
        sample_rows.append(row)
        shown += 1
        if len(sample) >= _SAMPLE:
            break
    more = False  # whether any row follows the first ones
    if len(sample) >= _SAMPLE:
        import itertools

        first = next(rows, None)
        if first is not None:
            more = True
            rows = itertools.chain((first,), rows)
    if output is None and seen == 0 and not total and not keep_empty:
        message(empty or labels.t("no_cases", lang))
        return 0

    with destination(output) as out:
        on_terminal = output is None and hasattr(out, "isatty") and out.isatty()
        tty = on_terminal and not os.environ.get("NO_COLOR")
        width = None if output is not None else table_width(out)
        narrow = {i: c.narrow for i, c in enumerate(columns) if c.narrow is not None}
        if width is not None and narrow:  # the shorter cells of the sample rows, should they be needed
            narrow_makers = {i: _cell_maker(replace(columns[i], display=narrow[i]), lang) for i in narrow}
            narrow_sample = {i: [make(row) for row in sample_rows] for i, make in narrow_makers.items()}
        else:
            narrow_makers, narrow_sample = {}, None
        # When rows are still to come after the first ones, a column that is never cut keeps room
        # for the widest narrow cell one of them may need.
        room = {i: cell_width(c.room(lang)) for i, c in enumerate(columns) if c.room is not None} \
            if width is not None and more else None
        lay = layout(columns, [c for c, _ in sample], lang, width, narrow_sample, room)
        keep = [columns.index(c) for c in lay.columns]
        kept_makers = [narrow_makers[i] if n in lay.narrowed else makers[i] for n, i in enumerate(keep)]
        shortened: list[str] = []  # the columns a later row had to take in their narrow form
        for n, i in enumerate(keep):
            if i in narrow_makers and n not in lay.narrowed:
                kept_makers[n] = _fitting(makers[i], narrow_makers[i], lay.widths[n], shortened, _header(columns[i], lang))
        for n in lay.narrowed:
            for (cells, _), short in zip(sample, narrow_sample[keep[n]]):
                cells[keep[n]] = short
        paint = _painter() if tty else None
        line, write_out = lay.line, out.write

        def write(text: str, style: str | None = None) -> None:
            write_out((paint(text, style) if paint and style else text) + "\n")

        if title:  # wrapped at the width, as every line of a table is
            for text in (wrap_cells(title, width) if width is not None else [title]):
                write(text, "bold")
        for text in lay.header_lines():
            write(text, "bold")
        write(lay.rule())
        for cells, style in sample:
            write(line([cells[i] for i in keep]), style)
        for row in rows:
            seen += 1
            if limit is not None and shown >= limit:
                continue
            write(line([make(row) for make in kept_makers]), style_of(row) if paint else None)
            shown += 1
        if caption:
            write(caption)
        total = seen if total is None else max(total, seen)
        if output is not None and total > shown:  # a file cut short says so in itself too
            write(labels.t("more_rows", lang, n=total - shown))
    # Nothing lost silently: on a terminal, and to a pipe (a cron job's mail carries standard error too).
    if output is None and (len(lay.columns) < len(columns) or shortened):
        def name(c: Column) -> str:
            return "\u00a0".join(_header(c, lang).split())
        names = [name(c) for c in columns if c not in lay.columns]
        short = [name(lay.columns[n]) for n in sorted(lay.narrowed)] + ["\u00a0".join(h.split()) for h in shortened]
        if not names:
            note = labels.sentence("columns_days_only", lang, width=width, short=short)
        elif short:
            note = labels.sentence("columns_left_out_days", lang, width=width, names=names, short=short)
        else:
            note = labels.sentence("columns_left_out", lang, width=width, names=names)
        message("\n".join(wrap_cells(note, width)).replace("\u00a0", " "))  # a name stays on one line
    if total > shown:
        message(labels.t("more_rows", lang, n=total - shown))
    return total


def _fitting(make: Callable[[dict], str], narrow: Callable[[dict], str], width: int, shortened: list[str],
             header: str) -> Callable[[dict], str]:
    """A cell maker for a column that is never cut, sized from the first rows: a later row whose
    cell is wider than the column takes the narrow form (and `shortened` records the column once),
    so that the table keeps to its width as it streams."""
    def cell(row: dict) -> str:
        text = make(row)
        if (len(text) if text.isascii() else cell_width(text)) <= width:
            return text
        if header not in shortened:
            shortened.append(header)
        return narrow(row)
    return cell


def _painter() -> Callable[[str, str], str]:
    """Colour for a terminal: a line wrapped in the ANSI codes of a Rich style name."""
    from functools import lru_cache

    from rich.console import COLOR_SYSTEMS, Console
    from rich.style import Style

    system = COLOR_SYSTEMS.get(Console(file=sys.stdout).color_system or "standard")

    @lru_cache(maxsize=32)
    def codes(style: str) -> tuple[str, str]:
        marked = Style.parse(style).render("\0", color_system=system)
        before, _, after = marked.partition("\0")
        return before, after

    def paint(line: str, style: str) -> str:
        before, after = codes(style)
        return before + line + after

    return paint


def print_json(value: Any) -> None:
    """One JSON document on stdout."""
    import typer

    typer.echo(_json_document(value))


def _json_document(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


DOCUMENT_FORMATS = ("table", "json")


def emit_document(data: Any, fmt: str, *, table: Callable[[], None], output: Path | None = None) -> None:
    """A result that is one document rather than rows (a case in full, the deadlines a complaint
    would get, a summary with its sections, an escalation run): one JSON document, or drawn for a
    person by `table`. Every such command comes here, so `--format json` (and `--json`, its
    shorthand) mean the same in each; rows go through `emit`."""
    check_document_format(fmt)
    if fmt == "table":
        table()
    else:
        write_json(data, output)


def check_document_format(fmt: str) -> None:
    """Refuse a format a document command does not write (before anything is read or written)."""
    if fmt not in DOCUMENT_FORMATS:
        raise InvalidValue("--format", labels.typed_choice(fmt, DOCUMENT_FORMATS), "acc.one_of", choices=DOCUMENT_FORMATS)


def write_json(data: Any, output: Path | None = None) -> None:
    """One JSON document, to stdout or (atomically) to a file."""
    check_suffix("json", output)
    with destination(output) as out:
        out.write(_json_document(data) + "\n")


def print_record(pairs: list[tuple[str, Any]], title: str | None = None) -> None:
    """A two-column key/value table for a single record."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")  # a long text without spaces (Chinese) wraps, never cut
    for k, v in pairs:
        table.add_row(Text(k), Text("" if v is None else terminal_safe(str(v))))
    console().print(table)


def write_xlsx(output: Path, sheets: list[tuple[str, list[str], list[list[Any]]]], *, header_rows: int = 1) -> None:
    """An Excel workbook, one sheet per (title, headers, rows): numbers stay numbers, the header row
    is bold and frozen, columns are sized to their content; written atomically like every file."""
    if output is None:
        raise InvalidValue("--output", "", "acc.xlsx_file")
    # Built in memory, then written: a disk that fills part-way fails the one write, leaving no
    # half-written zip for the garbage collector to close (a stray traceback after the error line).
    packed = io.BytesIO()
    _in_parts(output, lambda: _workbook(sheets, header_rows).save(packed))
    with destination(output, binary=True) as fh:
        fh.write(packed.getbuffer())


def _workbook(sheets: list[tuple[str, list[str], list[list[Any]]]], header_rows: int):
    """write_xlsx's workbook, in memory."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
        sheet.freeze_panes = sheet.cell(row=header_rows + 1, column=1)
        for i, header in enumerate(headers, start=1):
            longest = max([len(str(header))] + [len(str(r[i - 1])) for r in rows if i - 1 < len(r) and r[i - 1] is not None])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 1.6 + 2))
    return book


def _in_parts(output: Path, make: Callable[[], Any]) -> Any:
    """What `make` returns, where making it writes openpyxl's temporary files: one of them the
    system will not write is one error line (a size limit binds the output as much: cannot write
    it; else the temporary folder is full), the half-made workbook (only `make` holds it) dropped
    quietly."""
    failure, hook = None, sys.unraisablehook
    try:
        try:
            return make()
        except Exception as error:  # noqa: BLE001 - an OSError, or lxml's word for one; else raised again
            exc = error if isinstance(error, OSError) else _lxml_io_error(error)
            if exc is None:
                raise
            # From here the half-made sheets complain, as they are dropped, of the file that failed
            # under them (after the one error line, where nobody can act on it): not shown.
            sys.unraisablehook = lambda _unraisable: None
            import tempfile

            from complaintctl.errors import DatabaseUnavailable

            if exc.errno == errno.EFBIG:  # a size limit, which binds the output as much
                failure = files.cannot_write(output, exc)
            else:
                failure = DatabaseUnavailable("err.temp_folder", path=str(output), folder=tempfile.gettempdir(),
                                              why=exc.strerror or str(exc))
            del exc  # (its traceback holds the half-made sheets, which the collection below must drop)
        import gc

        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise failure


def _lxml_io_error(error: Exception) -> OSError | None:
    """The OSError behind lxml's SerialisationError ('IO_EFBIG', 'IO_ENOSPC'), which openpyxl
    raises in place of one where lxml is installed (it writes a sheet through lxml then); None for
    anything else."""
    if type(error).__name__ != "SerialisationError" or not type(error).__module__.startswith("lxml"):
        return None
    code = getattr(errno, str(error).removeprefix("IO_"), None)
    return OSError(code, os.strerror(code)) if isinstance(code, int) else OSError(errno.EIO, str(error))


def write_rows_xlsx(rows: Iterable, columns: list[Column], output: Path, *, title: str | None = None,
                    sequences: bool = False, lang: str = "en", tab: str | None = None) -> int:
    """Rows as one workbook, streamed (openpyxl's write-only mode: each sheet goes to a temporary
    file as it is made, so memory stays flat however many rows), written atomically like every
    file. The CSV's header (the field names) bold, frozen and filtered; typed cells (_xlsx_cells);
    widths from the header and the first rows; past SHEET_ROWS rows a next sheet goes on under the
    same header. Returns how many rows there were."""
    from itertools import chain

    def make():
        from openpyxl import Workbook
        from openpyxl.cell.cell import ERROR_CODES

        errors = frozenset(ERROR_CODES)

        book = Workbook(write_only=True)
        if title:  # (the report and its period, as the table's title says them: in the file's
            book.properties.title = title  # properties and atop each printed page, the cells as the CSV's)
        # The sheet's tab: `tab` (the report's name, where the title adds its moment), else the
        # title where a tab holds it (31 characters), else the file's name.
        name = _sheet_name(tab or (title if title and len(title) <= 31 else Path(output).stem))
        cells, source = _xlsx_cells(columns, sequences, cut), iter(rows)
        first = [cells(row) for _, row in zip(range(_SAMPLE), source)]
        widths = _xlsx_widths([c.key for c in columns], first)
        sheet, held, n = _xlsx_sheet(book, name, columns, widths, title), 1, 0  # held: the sheet's rows, header included
        for values in chain(first, map(cells, source)):
            if held == SHEET_ROWS:
                _close_sheet(sheet, len(columns), held)
                sheet, held = _xlsx_sheet(book, f"{name[:25]} ({len(book.worksheets) + 1})", columns, widths, title), 1
            if not errors.isdisjoint(values):  # text that reads as an error value: kept as text
                values = [_string_cell(sheet, v) if type(v) is str and v in errors else v for v in values]
            sheet.append(values)
            held += 1
            n += 1
        _close_sheet(sheet, len(columns), held)
        return book, n

    cut: list[int] = [0]  # cells longer than a workbook cell holds
    book, n = _in_parts(output, make)
    with destination(output, binary=True) as fh:  # (the sheets' temporary files copied into it)
        book.save(fh)
    if cut[0]:
        warn(labels.t("warn.xlsx_cut", lang, n=cut[0], most=XLSX_CELL_CHARS), lang)
    return n


def _string_cell(sheet, value: str):
    """A cell holding `value` as text: openpyxl would make '#N/A' or '#DIV/0!' an error value
    (a description or a note may be just that)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _sheet_name(text: str) -> str:
    """A sheet's name from a title: without the characters Excel refuses in one, at most 31."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in text).strip().strip("'")[:31].strip()
    return name or "1"


# Excel's page header holds 255 characters, the "&C" that centres it included.
_PRINT_HEADER_MOST = 253


def _xlsx_sheet(book, name: str, columns: list[Column], widths: list[float], title: str | None = None):
    """A new write-only sheet with the header row (bold), frozen below it, its columns sized; the
    title, if any, printed atop each page (an & doubled: Excel reads it as a field code)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    if title:  # (cut where Excel's page header ends: a list's title names its filters, branch names and all)
        text = title.replace("&", "&&")
        if len(text) > _PRINT_HEADER_MOST:
            text = text[:_PRINT_HEADER_MOST - 1].rstrip("&") + "\u2026"
        sheet.oddHeader.center.text = text
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(sheet, c.key)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def _close_sheet(sheet, width: int, held: int) -> None:
    """A full sheet's autofilter over its header and rows, and the sheet closed (its temporary
    file complete: a temporary folder that will not hold it fails here, not as the output is written)."""
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = f"A1:{get_column_letter(max(width, 1))}{held}"
    sheet.close()


def _xlsx_widths(keys: list[str], first: list[list]) -> list[float]:
    """Each column's width, from its header and the first rows (a time as it shows, Chinese two
    cells a character), between 8 and 60."""
    widths = []
    for i, key in enumerate(keys):
        longest = max([cell_width(key)] + [19 if isinstance(r[i], dt.datetime) else cell_width(str(r[i]))
                                           for r in first if r[i] is not None])
        widths.append(min(60.0, max(8.0, longest * 1.1 + 2)))
    return widths


# Characters a workbook cannot hold (XML 1.0: the control characters but tab, line feed and
# carriage return): text stored before input was checked may still have one; shown as U+FFFD.
_TIMED = ("time", "due")
_XLSX_ILLEGAL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"


# The most characters a workbook cell holds (Excel's limit): longer text is cut there, and said.
XLSX_CELL_CHARS = 32_767


def _xlsx_cells(columns: list[Column], sequences: bool, cut: list[int]) -> Callable[[Any], list]:
    """A function from a row (a dict, or with `sequences` a list in column order) to its typed
    cells: a time (kind time or due: ISO text with an offset) as a date-time in the business zone,
    the local time the CSV shows; numbers and flags as they are; text exactly as the CSV has it
    (the ' before a formula start included) and always a string, never a formula."""
    import re
    from decimal import Decimal

    keys = [c.key for c in columns]
    timed = [c.kind in _TIMED for c in columns]
    illegal = re.compile(_XLSX_ILLEGAL).search
    start = _FORMULA_START_SET

    def text(v: str) -> str:
        if v and v[0] in start:
            v = "'" + v
        if len(v) > XLSX_CELL_CHARS:  # (cut[0]: how many, for the warning after the file is written)
            v = v[:XLSX_CELL_CHARS]
            cut[0] += 1
        return re.sub(_XLSX_ILLEGAL, "\ufffd", v) if illegal(v) else v

    def other(v: Any, when: bool) -> Any:
        if when and type(v) is str:
            try:
                return dt.datetime.fromisoformat(v).replace(tzinfo=None)
            except ValueError:
                return text(v)
        if isinstance(v, dt.datetime):
            return v.replace(tzinfo=None)  # (the wall time of its own offset, as its ISO text shows)
        if isinstance(v, (list, dict)):
            return text(json.dumps(v, ensure_ascii=False))
        if isinstance(v, (dt.date, dt.time, Decimal)):
            return v
        return text(str(v))

    def cells(row: Any) -> list:
        values = row if sequences else [row.get(k) for k in keys]
        return [v if v is None or (t := type(v)) is int or t is float or t is bool else
                text(v) if t is str and not when else other(v, when) for v, when in zip(values, timed)]

    return cells
