"""The complaintctl application: global options, and every command group composed with add_typer."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from complaintctl import __version__

from . import admin, cases, reports, transfer
from .errors import App
from .state import AppState

app = typer.Typer(
    cls=App,
    name="complaintctl",
    help="Record, track and report bank customers' complaints against tiered and regulatory deadlines.\n\n"
         "Example: complaintctl demo && complaintctl report overdue",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"complaintctl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(None, "--db", help="Database path or SQLAlchemy URL (else COMPLAINTCTL_DB, else the user data folder)."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML config file (else COMPLAINTCTL_CONFIG, ./complaintctl.toml, the user config folder)."),
    as_: Optional[str] = typer.Option(None, "--as", help="Operator name recorded in the audit trail (else COMPLAINTCTL_OPERATOR, else the OS user)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en or zh: language of labels, headers and messages."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Record, track and report bank customers' complaints against tiered and regulatory deadlines."""
    if lang is not None and lang not in ("en", "zh"):
        from complaintctl.errors import InvalidValue

        raise InvalidValue("--lang", lang, "en or zh")
    ctx.obj = AppState(db=db, config_path=config, actor=as_, lang=lang, debug=debug)
    ctx.call_on_close(ctx.obj.close)


cases.register(app)
admin.register(app)
reports.register(app)
transfer.register(app)


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
