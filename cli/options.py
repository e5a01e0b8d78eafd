"""Options shared by many commands, declared once, and the small helpers every command uses."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer

from . import render


def _complete_case(ctx: typer.Context, incomplete: str) -> list[str]:
    from .completion import case_references

    return case_references(ctx, incomplete)


def case_arg():
    return typer.Argument(..., help="Case reference (C-2026-000123) or numeric id.", autocompletion=_complete_case)


AT: Optional[str] = typer.Option(None, "--at", help="When it really happened (ISO 8601; default now; not in the future, not before receipt).")
AS_OF: Optional[str] = typer.Option(None, "--as-of", help="Evaluate clocks at this time instead of now (ISO 8601).")
JSON: bool = typer.Option(False, "--json", help="Print the resulting case as one JSON object.")
RESULT_JSON: bool = typer.Option(False, "--json", help="Print the result as one JSON object.")  # not a case's
FORMAT: str = typer.Option("table", "--format", "-f", help="table, csv, json or jsonl.")
# A command whose rows also go into a workbook (list, the tabular reports): render.SHEET_FORMATS.
SHEET_FORMAT: str = typer.Option("table", "--format", "-f",
                                 help="table, csv, json, jsonl or xlsx (a workbook: needs --output).")
# A command whose result is one document (show, calendar due, escalate --overdue): --json is the
# shorthand of --format json.
DOCUMENT_FORMAT: str = typer.Option("table", "--format", "-f", help="table or json (--json is short for --format json).")
DOCUMENT_JSON: bool = typer.Option(False, "--json", help="Short for --format json.")


def given_path(option: str):
    """A parser for a path option that reads the value as typed: given empty (`--output "$FILE"`
    with the variable unset) it is refused, where Path would read it as the current folder and the
    refusal would name '.'."""
    def parse(value) -> Path:
        if isinstance(value, Path):
            return value
        if not value.strip():
            from complaintctl.errors import InvalidValue

            raise InvalidValue(option, value, "acc.non_empty")
        return Path(value)
    parse.__name__ = "path"  # as help names the type (Typer shows a parser's name)
    return parse


def _dash_is_stdout(value: Optional[Path]) -> Optional[Path]:
    """--output - is standard output, as for most tools (lean.py reads it so too: `./-` as well, as a
    path reads it). A file that may not be written (the database itself, a symlink, a missing
    folder) is refused here, before the report is worked out; the write checks again
    (files.atomic_text)."""
    if value is None or str(value) == "-":
        return None
    return render.check_output(value)


OUTPUT: Optional[Path] = typer.Option(None, "--output", "-o", callback=_dash_is_stdout, parser=given_path("--output"),
                                      metavar="FILE", help="Write to this file (atomically) instead of stdout ('-': stdout).")
EXCEL: bool = typer.Option(False, "--excel", help="CSV with a byte-order mark, so Excel shows Chinese correctly.")
LIMIT: Optional[int] = typer.Option(None, "--limit", min=1, max=render.MAX_LIMIT, help="Rows shown in a table (default 100); csv/json always carry all.")


# Set by a shell reading its commands from standard input: '-' cannot read a text from it too.
script_on_stdin = False


def read_text(value: Optional[str], field: str = "text", lang: str = "en") -> Optional[str]:
    """'-' means: read the text from standard input (which must be UTF-8), never more than the
    longest text accepted: a bigger input is refused as soon as it is seen to be too long. Typed at
    a terminal, a line on stderr says how to end it (else the command seems to hang)."""
    if value != "-":
        return value
    from complaintctl.domain import MAX_TEXT
    from complaintctl.errors import InvalidValue

    if script_on_stdin:  # (`complaintctl shell < commands.txt`: it would read the rest of the script)
        from complaintctl.errors import UserError

        raise UserError("err.stdin_is_script", field=field)

    if sys.stdin.isatty():
        from complaintctl.labels import t

        render.message(t("note.type_text", lang))

    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    most = 4 * MAX_TEXT  # bytes: no UTF-8 character is longer than four
    data = stream.read(most + 1) if stream is not None else sys.stdin.read(MAX_TEXT + 1).encode()
    if len(data) > most:
        raise InvalidValue(field, "(standard input)", "acc.max_chars", limit=MAX_TEXT)
    text = data.decode("utf-8")
    if len(text) > MAX_TEXT:
        raise InvalidValue(field, "(standard input)", "acc.max_chars_got", limit=MAX_TEXT, got=len(text))
    return text


def document_format(fmt: str, json_out: bool) -> str:
    """The format of a document command: --json, else --format."""
    return "json" if json_out else fmt


@contextmanager
def saved_output(result) -> Iterator[None]:
    """Around the printing of what a case-changing command saved: standard output that cannot be
    written (a full disk) is one line naming the case, which is saved (not to be logged again)."""
    try:
        yield
    except BrokenPipeError:
        raise  # a reader that went away (`| head`): ends quietly, as everywhere
    except OSError as exc:
        from complaintctl.errors import EnvironmentFault

        raise EnvironmentFault("err.saved_output_lost", why=exc.strerror or str(exc),
                               ref=result.case.get("reference", "")) from None


def done(st, result, json_out: bool) -> None:
    """Print what a case-changing command did: its JSON, or a one-line summary."""
    for note in st.notes:
        render.message(note)
    with saved_output(result):
        if json_out:
            render.print_json(result.case)
        else:
            typer.echo(result.text(st.language))
    for w in result.notes(st.language):
        render.warn(w, st.language)
