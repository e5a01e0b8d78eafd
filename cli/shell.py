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

from .errors import ExitStatus, error_line
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
    if session.failed:
        raise typer.Exit(session.failed)  # (a script's: its last failing line's code)


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
        self.failed = 0  # commands read from a pipe or a file: the last failing line's exit code

    def prompt_text(self) -> str:
        branch = self.st.config["branch"] or "-"
        return f"complaintctl {branch} {self.who}> "

    def run_line(self, line: str) -> int:
        """Run one command line in this session; returns its exit code (errors were printed)."""
        from complaintctl import labels

        if line.lstrip().startswith("#"):  # a comment line, as in a shell script (only a whole line: a
            return 0  # '#' within a line may be a value's, as in "room #5", and is taken as typed)
        try:
            args = shlex.split(line)
        except ValueError:
            sys.stderr.write(error_line(labels.t('shell.quote', self.st.language), self.st.language))
            return 2
        if not args:
            return 0
        if args[0] == "complaintctl":
            args = args[1:]
        if args and args[0] in _HELP:  # help, help log, help report overdue, ?
            args = [*args[1:], "--help"]
        if args and args[0].split("=", 1)[0] in self._global_options():
            sys.stderr.write(error_line(labels.t('shell.global', self.st.language), self.st.language))
            return 2  # (any other word with a dash first is no command: Click says so, as at the shell)
        if args and args[0] == "shell":
            sys.stderr.write(error_line(labels.t('shell.nested', self.st.language), self.st.language))
            return 2
        # A masked value or *** at the prompt may be a line recalled from the history file; a
        # script's lines never come from it, so there they are taken as they are.
        from . import options

        recalled = None if options.script_on_stdin else _recalled(self.command, args)  # (Click gets args as typed)
        if recalled:
            sys.stderr.write(error_line(labels.t('shell.recalled', self.st.language, **recalled), self.st.language))
            return 2
        from complaintctl import stopping

        # While the command runs, a stop is what it is for a command of its own (stopping.py): Ctrl-C,
        # SIGTERM or SIGHUP roll back what it was writing and remove a half-written file, and none
        # of them undoes the report of a change that was saved. SIGTERM and SIGHUP then end the session.
        stopping.install()
        code = 0
        try:
            self.st.begin_command()
            self.command.main(args, prog_name="complaintctl", standalone_mode=True, obj=self.st)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            code = ExitStatus.INTERRUPTED
        finally:
            if stopping.uninstall() & ENDING:
                self.ended = True
            try:
                sys.stdout.flush()
            except OSError:
                pass  # (the command has said what went wrong, or standard output is gone)
        if code == ExitStatus.INTERRUPTED:
            _let_go()
        return code

    def run(self) -> None:
        if self.input is None and not sys.stdin.isatty():
            self.run_lines(sys.stdin)
            return
        from prompt_toolkit import PromptSession

        from complaintctl import labels

        from .state import default_db_path

        history = _history_class()(self, default_db_path("shell_history"))
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

    def staff(self) -> frozenset[str]:
        """The registered staff's names (a line the history keeps may name them as typed)."""
        from complaintctl import services

        try:
            return frozenset(services.staff_names(self.st.uow(write=False), "", limit=None))
        except Exception:  # noqa: BLE001 - the history then leaves the names out, as anything not known
            return frozenset()

    def run_lines(self, stream) -> None:
        """Commands read from a pipe or a file, one a line, without prompt or line editing: a
        redirected file (`< commands.txt`) is not something prompt_toolkit's terminal input can
        wait on (epoll refuses a regular file, which it reads as the end of input), and a script's
        lines are not kept in the history. Every line runs, whatever those before it gave; the
        session then exits with the last failing line's code (0 when every line succeeded), so
        that a script run from cron says when one of its commands failed. A stop (Ctrl-C, SIGTERM,
        SIGHUP) ends the script, as it does a shell script: the command it came during stops
        cleanly, no later line runs, exit 130."""
        from . import options

        options.script_on_stdin = True  # a text given as '-' would be the script's next lines
        waiting = False

        def stop(_signum, _frame):  # SIGTERM or SIGHUP between the commands: the session ends
            self.ended = True
            if waiting:
                raise _Stopped  # (waiting on a slow pipe for the next line)

        before = {number: signal.signal(number, stop) for number in ENDING
                  if signal.getsignal(number) is not signal.SIG_IGN}  # (nohup's ignored SIGHUP stays so)
        number, ran, failed = 0, 0, []  # the file's line, and the commands run (no blank line nor comment)
        try:
            while not self.ended:
                waiting = True
                try:
                    line = stream.readline()
                except _Stopped:
                    break
                finally:
                    waiting = False
                if not line or line.strip() in _EXIT:
                    break
                number += 1
                if line.strip() and not line.lstrip().startswith("#"):
                    ran += 1
                code = self.run_line(line.rstrip("\r\n"))  # (its own stop handlers meanwhile: stopping.py)
                if code:
                    self.failed = code
                    failed.append(number)
                    self._say_failed(number, line, code)
                if code == ExitStatus.INTERRUPTED:  # Ctrl-C stopped the line's command: the script stops
                    self.ended = True  # (at the prompt it stops that command only, and the session goes on)
        finally:
            for number, handler in before.items():
                signal.signal(number, handler)
        if len(failed) > 1:  # (one is said on its own line already)
            lang = self.st.language
            sys.stderr.write("complaintctl: " + labels.t("shell.lines_failed", lang, failed=len(failed), lines=ran,
                                                         numbers=labels.t("enum.sep", lang).join(map(str, failed))) + "\n")
        self.st.close()

    def _global_options(self) -> frozenset[str]:
        """The options the session was started with (--db, --as, --lang, ...), not --help's."""
        return frozenset(name for param in self.command.params for name in getattr(param, "opts", ())
                         if name not in ("-h", "--help"))

    def _say_failed(self, number: int, line: str, code: int) -> None:
        """A script's failing line named by its number and its command (the words Click resolves to
        a command, never the values after them, which may be personal data), after the command's
        own error: a script run from cron says where it failed."""
        words = []
        try:
            args = shlex.split(line)
        except ValueError:
            args = []
        group = self.command
        for word in args[1:] if args[:1] == ["complaintctl"] else args:
            found = getattr(group, "commands", {}).get(word)  # (a group's subcommands; a command has none)
            if found is None:
                break
            words.append(word)
            group = found
        key = "shell.line_stopped" if code == ExitStatus.INTERRUPTED else "shell.line_failed"
        if not words:
            key += "_bare"
        sys.stderr.write("complaintctl: " + labels.t(key, self.st.language, n=number, command=" ".join(words),
                                                     code=code) + "\n")


class _Stopped(Exception):
    pass


def _let_go() -> None:
    """After a command that was stopped: what its traceback still held, in reference cycles, let go
    of now, not at some later collection. A stop during an insert (Ctrl-C in an import) leaves the
    statement unfinished in a frame of that traceback (SQLAlchemy closes the cursor of a failed
    statement, but not of one a KeyboardInterrupt left), and SQLite keeps a connection with an
    unfinished statement open, its write lock with it, however it was closed: every later
    command of the session waited the busy timeout (30 s) and failed as locked by another writer.
    Only then: a collection costs about 30 ms, five times a short command, and a script of many
    lines that fail (unknown references, typing errors) would pay it every line."""
    import gc

    gc.collect()


# What an option's value is, by its parameter's name, when it is not the name itself (the field
# shell_history.for_history masks): the agent's name, the name find looks for.
_FIELD_OF = {"agent": "agent_name", "name": "customer"}
# Options and arguments whose values are never personal data (choices, times, references, staff,
# numbers, paths): kept in the history as typed. Every other value is personal or free text and
# is masked or left out (shell_history.for_history), a new option too until it is listed here.
_NOT_PERSONAL = frozenset({
    "case", "action_id", "field", "role", "login", "file", "anchors", "output", "path", "approved_by", "as_of",
    "assignee", "at", "branch", "by", "category", "channel", "closed_before", "count", "country",
    "customer_told_at", "date_format", "decided_at", "department", "due", "encoding", "end", "extended_to",
    "fmt", "from_", "id_type", "lang", "limit", "map_", "month", "notified_via", "outcome", "owner", "product",
    "quarter", "received_at", "region", "related", "repeat_of", "requested_at", "restarted_at",
    "review_requested_at", "reviewer", "root_cause", "satisfaction", "seed", "staff", "start", "status", "tier",
    "timezone", "to", "told_at", "value_map", "with_", "year", "days"})
_UNKNOWN = "?"  # a word the command does not take: left out of the history


def _field(command: str, param) -> str:
    """The field a parameter's value is (shell_history.NOT_PERSONAL: never personal data)."""
    from complaintctl.shell_history import NOT_PERSONAL

    if param.param_type_name == "argument" and param.name in ("name", "login"):
        return NOT_PERSONAL  # staff add NAME, staff login NAME LOGIN: a member of staff
    if command == "pause" and param.name == "reason":
        return NOT_PERSONAL  # a pause's reason is a choice (elsewhere --reason is free text)
    name = _FIELD_OF.get(param.name, param.name) if param.param_type_name == "option" else param.name
    return NOT_PERSONAL if name in _NOT_PERSONAL else name


def typed_fields(root, args: list[str]) -> tuple[list[str], list[str | None]]:
    """A command line's words (an `--option=value` or `-dvalue` split in two) and the field each is
    a value of: None for a command or an option's name, shell_history.NOT_PERSONAL for a value never
    personal, _UNKNOWN for a
    word the command does not take.

    Long because it walks the words as Click's parser does: commands, options (long, short, with
    the value attached or not, flags), `--` and the arguments in order."""
    words: list[str] = []
    fields: list[str | None] = []

    def add(word: str, field: str | None) -> None:
        words.append(word)
        fields.append(field)

    rest = list(args)
    if rest and (rest[0] in _EXIT or rest[0] in _HELP or rest[0] == "complaintctl"):
        add(rest.pop(0), None)
    cmd = root
    while rest and hasattr(cmd, "commands") and rest[0] in cmd.commands:
        cmd = cmd.commands[rest[0]]
        add(rest.pop(0), None)
    if hasattr(cmd, "commands"):  # a group, or a word that is no command
        for word in rest:
            add(word, None if word in ("-h", "--help") else _UNKNOWN)
        return words, fields
    options = {o: p for p in cmd.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    arguments = [p for p in cmd.params if p.param_type_name == "argument"]
    positional = False
    while rest:
        word = rest.pop(0)
        if positional or word == "-" or not word.startswith("-"):
            param = arguments.pop(0) if arguments else None
            add(word, _UNKNOWN if param is None else _field(cmd.name, param))
            continue
        if word == "--":
            positional = True
            add(word, None)
            continue
        name, equals, value = word.partition("=")
        if not equals and name not in options and not name.startswith("--") and name[:2] in options:
            name, equals, value = name[:2], "attached", word[2:]  # -dTEXT
        param = options.get(name)
        if param is None:
            add(word, None if word in ("-h", "--help") else _UNKNOWN)
            continue
        add(name, None)
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        field = _field(cmd.name, param)
        if equals:
            add(value, field)
        elif rest:
            add(rest.pop(0), field)
    return words, fields


def _recalled(root, args: list[str]) -> dict[str, str] | None:
    """The first value in the line the history left in place of personal data (as the option, or
    the word itself for an argument, and the value), if any."""
    from complaintctl import shell_history

    words, fields = typed_fields(root, args)
    for before, value, field in zip([None, *words], words, fields):
        if shell_history.from_history(field, value):
            return {"option": before if before and before.startswith("-") else value, "value": value}
    return None


def history_line(root, line: str, staff: frozenset[str] = frozenset()) -> str | None:
    """A command line as the history file keeps it: personal data masked, free text left out
    (shell_history.for_history; `staff`: the registered names, kept where an option takes one); None for
    a line that cannot be read (an unclosed quote), not kept."""
    from complaintctl import shell_history

    try:
        args = shlex.split(line)
    except ValueError:
        return None
    words, fields = typed_fields(root, args)
    kept = [shell_history.for_history(f, w, staff) for w, f in zip(words, fields)]
    return " ".join(_quoted(w) for w in kept)


def _quoted(word: str) -> str:
    """A word as shlex.split reads it back: quoted only when it must be (a Chinese word is not)."""
    if word and not any(c.isspace() or c in "'\"\\" for c in word):
        return word
    return shlex.quote(word)


# The history file's first line once its lines are kept as shell_history keeps them: a file without
# it (an older version's, every line as typed) is written again, each line masked, when opened.
_SCRUBBED = "# complaintctl: personal data masked, free text left out"


def _scrubbed(session: "Session", path) -> None:
    """An older version's history file (personal data in full) written again as this one keeps
    each line, atomically and 0600; one already so, or missing, or unreadable, left as it is."""
    from complaintctl import files

    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return
    if text.startswith(_SCRUBBED):
        return
    staff = session.staff()
    if text.endswith("\n"):
        text = text[:-1]
    kept = []
    for line in text.split("\n"):  # (as prompt_toolkit reads it: splitlines would also cut at U+2028)
        if line.startswith("+"):
            masked = history_line(session.command, line[1:], staff)
            if masked is None:
                continue
            line = "+" + masked
        kept.append(line)
    try:
        with files.atomic_text(path, "shell_history") as fh:
            fh.write(_SCRUBBED + "\n" + "\n".join(kept) + "\n")
    except Exception as exc:  # noqa: BLE001 - as a history file that cannot be written: the session goes on
        from complaintctl import labels
        from complaintctl.errors import ComplaintctlError

        why = labels.error_text(exc, session.st.language) if isinstance(exc, ComplaintctlError) else str(exc)
        lang = session.st.language
        sys.stderr.write(f"complaintctl: {labels.t('warn.prefix', lang, text=labels.t('shell.history_unmasked', lang, why=why))}\n")


@functools.cache
def _history_class():
    """The session's history file (made on first use, like the completer): 0600, personal data
    masked and free text left out of every line it keeps (the session's own recall, in memory,
    has the line as typed), and an older version's world-readable file tightened when opened."""
    from prompt_toolkit.history import FileHistory

    class History(FileHistory):
        def __init__(self, session: Session, path):
            from complaintctl import files

            files.owner_only(path)
            _scrubbed(session, path)
            super().__init__(str(path))
            self.session = session
            self.path = path
            self.warned = False

        def store_string(self, string: str) -> None:
            import datetime as dt

            from complaintctl import files, labels
            from complaintctl.errors import ComplaintctlError

            line = history_line(self.session.command, string, self.session.staff())
            if line is None:
                return
            entry = f"\n# {dt.datetime.now()}\n" + "\n".join(f"+{part}" for part in line.split("\n"))
            try:
                new = self.path.stat().st_size == 0
            except OSError:
                new = True
            if new:  # (so that a later session does not take it for an older version's)
                entry = _SCRUBBED + entry
            try:
                files.append_line(self.path, entry, "shell_history")
            except ComplaintctlError as exc:
                if not self.warned:  # once a session: the line itself has run
                    self.warned = True
                    why = labels.error_text(exc, self.session.st.language)
                    lang = self.session.st.language
                    sys.stderr.write(f"complaintctl: {labels.t('warn.prefix', lang, text=labels.t('shell.no_history', lang, why=why))}\n")

    return History


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

