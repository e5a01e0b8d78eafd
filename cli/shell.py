"""`complaintctl shell`: one process and one database connection for a day at the counter.

Each line is run by the same Click application as a command typed at the system shell (same
rules, identity, output and exit codes), but the imports, the configuration, the calendar and
the database connection are made once, so a command costs milliseconds instead of a Python
start-up. prompt_toolkit gives the line editing, the history and the Tab completion.
"""
from __future__ import annotations

import functools
import shlex
import signal
import sys
from typing import Iterable, Optional

import typer

from complaintctl import labels

from .errors import ExitStatus
from .state import AppState, state

# Options whose values are choices, completed with English keys and Chinese names.
_CHOICE_OPTIONS = {"--channel": "channel", "--product": "product", "--category": "category", "--tier": "tier",
                   "--satisfaction": "satisfaction", "--notified-via": "notified_via", "--root-cause": "category",
                   "--status": "status", "--role": "role"}
_STAFF_OPTIONS = ("--to", "--assignee", "--approved-by")
_EXIT = labels.SHELL_EXIT
_HELP = labels.SHELL_HELP
# The stops that end the session, once the command they came during has stopped (Ctrl-C does not).
ENDING = {getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)}


def register(app: typer.Typer) -> None:
    app.command("shell")(shell)


def shell(ctx: typer.Context) -> None:
    """Work at the counter in one session: commands as usual, with history and Tab completion.

    Every command runs as it would from the system shell, with the same rules, operator and
    output, but in one process on one database connection. Tab completes commands, options,
    references, staff and choices (Chinese names too); exit, quit or Ctrl-D leaves.

    Example: complaintctl --db branch.db shell
    """
    st = state(ctx)
    st.session = True
    st.store()  # the database must exist (and be current) before the first prompt
    st.context()  # and the login must be mapped staff (exit 4 otherwise), as for every command
    session = Session(st)
    session.run()
    if session.ended:
        raise typer.Exit(ExitStatus.INTERRUPTED)


def _choice_names(field: str) -> list[str]:
    from complaintctl import labels

    names = []
    for key, (_en, zh, aliases) in labels.CHOICES[labels.FIELDS[field]].items():
        names += [key, zh, *[a for a in aliases if not a.isascii()]]
    return names


class Session:
    """The interactive loop over one AppState (so one store, one connection pool)."""

    def __init__(self, st: AppState, *, input=None, output=None):
        self.st = st
        self.input, self.output = input, output
        from .main import app

        self.command = typer.main.get_command(app)
        # Whom the session works as, read once for the prompt; every command identifies the login
        # again (a deactivation takes effect at the next command).
        self.who = st.operator
        self.ended = False  # a SIGTERM or SIGHUP came while a command ran

    def prompt_text(self) -> str:
        branch = self.st.config["branch"] or "-"
        return f"complaintctl {branch} {self.who}> "

    def run_line(self, line: str) -> int:
        """Run one command line in this session; returns its exit code (errors were printed)."""
        from complaintctl import labels

        try:
            args = shlex.split(line)
        except ValueError:
            sys.stderr.write(f"complaintctl: error: {labels.t('shell.quote', self.st.language)}\n")
            return 2
        if not args:
            return 0
        if args[0] == "complaintctl":
            args = args[1:]
        if args and args[0] in _HELP:  # help, help log, help report overdue, ?
            args = [*args[1:], "--help"]
        if args and args[0].startswith("-") and args[0] not in ("-h", "--help"):
            sys.stderr.write(f"complaintctl: error: {labels.t('shell.global', self.st.language)}\n")
            return 2
        if args and args[0] == "shell":
            sys.stderr.write(f"complaintctl: error: {labels.t('shell.nested', self.st.language)}\n")
            return 2
        from complaintctl import stopping

        # While the command runs, a stop is what it is for a command of its own (stopping.py): Ctrl-C,
        # SIGTERM or SIGHUP roll back what it was writing and remove a half-written file, and none
        # of them undoes the report of a change that was saved. SIGTERM and SIGHUP then end the session.
        stopping.install()
        try:
            self.st.begin_command()
            self.command.main(args, prog_name="complaintctl", standalone_mode=True, obj=self.st)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            return code
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            return 130
        finally:
            if stopping.uninstall() & ENDING:
                self.ended = True
            try:
                sys.stdout.flush()
            except OSError:
                pass  # (the command has said what went wrong, or standard output is gone)
        return 0

    def run(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        from complaintctl import labels

        from .state import default_db_path

        history = FileHistory(str(default_db_path("shell_history")))
        session = PromptSession(history=history, completer=completer(self), complete_while_typing=False,
                                input=self.input, output=self.output)
        sys.stderr.write(labels.t("shell.welcome", self.st.language, where=self.st.store().display_url) + "\n")
        while True:
            try:
                line = session.prompt(self.prompt_text())
            except KeyboardInterrupt:
                continue  # Ctrl-C clears the line, as in bash
            except EOFError:
                break
            if line.strip() in _EXIT:
                break
            self.run_line(line)
            if self.ended:
                break  # SIGTERM or SIGHUP came during the command: it has stopped cleanly, and so does the session
        self.st.close()


def completer(session: "Session"):
    """The session's Tab completion. The class is made on first use, so that only a session, not
    every command, imports prompt_toolkit (about 0.15 s)."""
    return _completer_class()(session)


@functools.cache
def _completer_class():
    from prompt_toolkit.completion import Completer as Base

    class Completer(Base):
        """Commands, sub-commands, options, case references, staff names and choices."""

        def __init__(self, session: Session):
            self.session = session

        def get_completions(self, document, complete_event):
            from prompt_toolkit.completion import Completion

            text = document.text_before_cursor
            try:
                words = shlex.split(text)
            except ValueError:
                return
            if text and not text[-1].isspace() and words:
                incomplete = words.pop()
            else:
                incomplete = ""
            for value in self.candidates(words, incomplete):
                yield Completion(value, start_position=-len(incomplete))

        def candidates(self, words: list[str], incomplete: str) -> Iterable[str]:
            """What may come next after `words`, starting with `incomplete`."""
            cmd = self.session.command
            rest = list(words)
            while rest and hasattr(cmd, "commands") and rest[0] in cmd.commands:
                cmd = cmd.commands[rest.pop(0)]
            if hasattr(cmd, "commands"):  # a group: its commands
                names = sorted(n for n in cmd.commands if n != "shell") + (list(_EXIT) if cmd is self.session.command else [])
                return [n for n in names if n.startswith(incomplete)]
            options = [p for p in cmd.params if p.param_type_name == "option"]
            previous = rest[-1] if rest else None
            option = next((p for p in options if previous in p.opts and not p.is_flag), None)
            if option is not None:
                long = next((o for o in option.opts if o.startswith("--")), option.opts[0])
                return self.values_for(long, cmd.name, incomplete)
            if incomplete.startswith("-"):
                opts = sorted({o for p in options for o in p.opts if o.startswith("--")} | {"--help"})
                return [o for o in opts if o.startswith(incomplete)]
            if any(p.param_type_name == "argument" and p.name == "case" for p in cmd.params):
                return self.references(incomplete)
            return []

        def values_for(self, option: str, command: str, incomplete: str) -> list[str]:
            if option == "--to" and command == "escalate":
                field = "tier"
            elif option in _STAFF_OPTIONS:
                return self.staff(incomplete)
            elif option == "--reason" and command == "pause":
                field = "pause_reason"
            else:
                field = _CHOICE_OPTIONS.get(option)
            if field is None:
                return []
            return [n for n in _choice_names(field) if n.startswith(incomplete)]

        def references(self, incomplete: str) -> list[str]:
            from complaintctl import services

            try:
                return services.case_references(self.session.st.uow(write=False), incomplete.upper())
            except Exception:
                return []  # completion never breaks the session

        def staff(self, incomplete: str) -> list[str]:
            from complaintctl import services

            try:
                return services.staff_names(self.session.st.uow(write=False), incomplete)
            except Exception:
                return []

    return Completer


def run_interactive(argv: Optional[list[str]] = None) -> bool:
    """`complaintctl` with no arguments on a terminal opens the session (True if it did)."""
    if argv or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    from .main import make_app

    make_app("shell")(["shell"], prog_name="complaintctl")
    return True

