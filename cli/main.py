"""The complaintctl application: global options, and every command group composed with add_typer
(all of them, or for one run only the command it names)."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from complaintctl import __version__

from .errors import App
from .state import GLOBAL_VALUE_OPTIONS, AppState

# The module that registers each top-level command or group. A run of one command imports and
# builds only its own module: converting the whole tree into Click commands costs about 50 ms of
# a start-up that is otherwise the imports themselves. (tests/cli/test_people.py checks this
# table against the whole application.)
COMMAND_MODULES = {
    **dict.fromkeys(("log", "assign", "escalate", "respond", "note", "pause", "resume", "extend", "resolve",
                     "reopen", "close", "withdraw", "review", "review-decide", "show", "list", "find"), "cases"),
    **dict.fromkeys(("staff", "db", "calendar", "config", "masking", "choices", "demo", "init"), "admin"),
    "report": "reports",
    **dict.fromkeys(("import", "export"), "transfer"),
    **dict.fromkeys(("action", "letter"), "regulator"),
    "shell": "shell",
}
MODULES = ("cases", "admin", "reports", "transfer", "regulator", "shell")


def _typer() -> typer.Typer:
    return typer.Typer(
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


def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(None, "--db", help="Database path or SQLAlchemy URL (else COMPLAINTCTL_DB, else the user data folder)."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML config file (else COMPLAINTCTL_CONFIG, ./complaintctl.toml, the user config folder)."),
    as_: Optional[str] = typer.Option(None, "--as", help="Act for this registered staff member (administrators only; checked against their role, and the event records both)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en or zh: language of labels, headers and messages."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Record, track and report bank customers' complaints against tiered and regulatory deadlines."""
    if lang is not None:
        from complaintctl.labels import LANGS

        if lang not in LANGS:
            from complaintctl.errors import InvalidValue

            raise InvalidValue("--lang", lang, "acc.en_or_zh")
    if isinstance(ctx.obj, AppState) and ctx.obj.session:
        return  # a line of the interactive session: its state (store, operator, language) carries on
    ctx.obj = AppState(db=db, config_path=config, actor=as_, lang=lang, debug=debug)
    from . import render

    render.database_file = ctx.obj.database_file
    ctx.call_on_close(ctx.obj.close)


def make_app(only: str | None = None) -> typer.Typer:
    """The application; with `only` (a top-level command or group name), just that command."""
    application = _typer()
    application.callback()(main)
    for name in ([COMMAND_MODULES[only]] if only else MODULES):
        importlib.import_module(f"{__package__}.{name}").register(application)
    if only:
        application.registered_commands = [c for c in application.registered_commands if c.name == only]
        application.registered_groups = [g for g in application.registered_groups if g.name == only]
    return application


def command_in(argv: list[str]) -> str | None:
    """The top-level command an argument list runs, if it plainly names one (else None: help,
    version, completion or a mistake get the whole application)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in GLOBAL_VALUE_OPTIONS:
            i += 2
        elif arg.startswith("-"):
            if arg.split("=", 1)[0] not in (*GLOBAL_VALUE_OPTIONS, "--debug"):
                return None  # --help, --version, completion options, or an unknown option
            i += 1
        else:
            return arg if arg in COMMAND_MODULES else None
    return None


def __getattr__(name: str):
    """`app`, the whole application, is built when first asked for (tests, documentation)."""
    if name == "app":
        application = globals()["app"] = make_app()
        return application
    raise AttributeError(name)


def run() -> None:
    """Console-script entry point."""
    completing = any(k.startswith("_COMPLAINTCTL_COMPLETE") for k in os.environ)
    if not completing and not sys.argv[1:] and sys.stdin.isatty() and sys.stdout.isatty():
        sys.argv.append("shell")  # `complaintctl` alone at a terminal opens the session
    make_app(None if completing else command_in(sys.argv[1:]))()


if __name__ == "__main__":  # pragma: no cover
    run()
