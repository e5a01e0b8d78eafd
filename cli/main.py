"""The complaintctl command: which command an argument list runs, and the entry point. The Typer
application itself is built in app.py, only when a command needs it: `report overdue`, `report
due-soon`, `report aging`, `report summary`, `report sla`, `export --format csv`, `show` and `list`
with the arguments lean.py understands run without Typer or SQLAlchemy (and behave the same)."""
from __future__ import annotations

import os
import sys

from .state import GLOBAL_VALUE_OPTIONS

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


def only_global_options(argv: list[str]) -> bool:
    """The arguments are global options alone (--db, --lang, --as, --config, --debug), no command."""
    i = 0
    while i < len(argv):
        if argv[i] in GLOBAL_VALUE_OPTIONS:
            i += 2
        elif argv[i].split("=", 1)[0] in (*GLOBAL_VALUE_OPTIONS, "--debug"):
            i += 1
        else:
            return False
    return i == len(argv)


def make_app(only: str | None = None):
    """The application; with `only` (a top-level command or group name), just that command."""
    from .app import make_app

    return make_app([COMMAND_MODULES[only]] if only else MODULES, only)


def __getattr__(name: str):
    """`app`, the whole application, is built when first asked for (tests, documentation)."""
    if name == "app":
        application = globals()["app"] = make_app()
        return application
    raise AttributeError(name)


def run() -> None:
    """Console-script entry point."""
    completing = any(k.startswith("_COMPLAINTCTL_COMPLETE") for k in os.environ)
    if not completing and only_global_options(sys.argv[1:]) and sys.stdin.isatty() and sys.stdout.isatty():
        sys.argv.append("shell")  # `complaintctl` alone (or with global options) at a terminal opens the session
    command = None if completing else command_in(sys.argv[1:])
    from complaintctl import stopping

    if command != "shell":
        # SIGTERM (`kill`, a cron job's timeout) and SIGHUP (a closed terminal) stop a command as
        # Ctrl-C does, and none of them after its change is saved (complaintctl/stopping.py). Not
        # the interactive session, where Ctrl-C only clears the line.
        stopping.install()
    try:
        if command in ("report", "export", "show", "list", "find"):
            from . import lean

            if lean.run(sys.argv[1:]):
                return
        make_app(command)()
    except KeyboardInterrupt:  # before a command's own handler is in place (the first imports)
        from .errors import interrupted
        from .helptext import language

        interrupted(language(sys.argv[1:]))
    finally:
        if command != "shell":
            stopping.finished()
        _written_out()


def _written_out() -> None:
    """Standard output flushed before the interpreter's own last flush, which, when the reader has
    gone (`report overdue | head -3`: the rows still buffered when the command ended), printed
    "Exception ignored ... BrokenPipeError" and exited 120. Such a command ends quietly with 1 instead,
    as one whose reader goes away while it writes does (README: Exit codes)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (nothing left to flush at exit)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
