"""The Typer application: global options, and every command group composed with add_typer (all of
them, or for one run only the command it names). complaintctl_cli.main builds it when a command
needs it (the lean report overdue does not: lean.py)."""
from __future__ import annotations

import importlib
from typing import Optional

import typer

from complaintctl import __version__

from .errors import App
from .state import AppState


def _typer() -> typer.Typer:
    return typer.Typer(
        cls=App,
        name="complaintctl",
        help="Record, track and report bank customers' complaints against tiered and regulatory deadlines.\n\n"
             "Example: complaintctl --db demo.db demo && complaintctl --db demo.db list",
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


def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(None, "--db", help="Database path or SQLAlchemy URL (else COMPLAINTCTL_DB, else the user data folder)."),
    config: Optional[str] = typer.Option(None, "--config", metavar="PATH", help="TOML config file (else COMPLAINTCTL_CONFIG, ./complaintctl.toml, the user config folder)."),
    as_: Optional[str] = typer.Option(None, "--as", help="Act for this registered staff member (administrators only; checked against their role, and the event records both)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en or zh: language of labels, headers and messages."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Record, track and report bank customers' complaints against tiered and regulatory deadlines."""
    if lang is not None:
        from complaintctl.labels import LANGS, typed_choice

        if lang not in LANGS:
            from complaintctl.errors import InvalidValue

            raise InvalidValue("--lang", typed_choice(lang, LANGS), "acc.en_or_zh")
    if isinstance(ctx.obj, AppState) and ctx.obj.session:
        return  # a line of the interactive session: its state (store, operator, language) carries on
    ctx.obj = AppState(db=db, config_path=config, actor=as_, lang=lang, debug=debug)
    ctx.obj.given_database()  # an empty --db (or COMPLAINTCTL_DB) refused before any work or question
    ctx.obj.given_config()  # and so is an empty COMPLAINTCTL_CONFIG
    from . import render

    render.database_file = ctx.obj.database_file
    ctx.call_on_close(ctx.obj.close)


def make_app(modules: tuple[str, ...] | list[str], only: str | None = None) -> typer.Typer:
    """The application of the command modules named (main.MODULES: all of them); with `only` (a
    top-level command or group name), just that command."""
    application = _typer()
    application.callback()(main)
    for name in modules:
        importlib.import_module(f"{__package__}.{name}").register(application)
    if only:
        application.registered_commands = [c for c in application.registered_commands if c.name == only]
        application.registered_groups = [g for g in application.registered_groups if g.name == only]
    return application
