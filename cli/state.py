"""The global options and what they lead to: config, policy, store and service context.

The database stack is imported here only when a command first asks for the store, so that
`--help`, `--version`, `calendar` and `config` never load SQLAlchemy or Alembic.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the lean report overdue (lean.py) uses AppState without loading Typer
    import typer


# The global options that take a value (command_in and the help's language look past them).
GLOBAL_VALUE_OPTIONS = ("--db", "--config", "--as", "--lang")


def default_db_path(name: str = "complaints.db") -> Path:
    """A file in the user data folder (the register, demo.db for the demo, the shell's history);
    the folder, when made here, is its owner's only (0700): what it holds is personal data."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("complaintctl", appauthor=False))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / name


def user_config_file() -> Path:
    """config.toml in the user config folder: where init writes, found from any working folder."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("complaintctl", appauthor=False)) / "config.toml"


def config_search_path() -> list[Path]:
    return [Path("complaintctl.toml"), user_config_file()]


@dataclass
class AppState:
    db: str | None = None
    config_path: Path | str | None = None  # --config as typed (a str), or the file init wrote
    actor: str | None = None
    lang: str | None = None
    debug: bool = False
    _config: object = None
    _file_config: object = None  # the config as the file (and the defaults) say, before the database's rules
    _recorded_rules: object = None  # the rules the database records, as read when the store was opened
    # False for `config adopt` and the calendar's previews: a file whose rules differ is not refused.
    rules_strict: bool = True
    _reread_rules: bool = False
    _store: object = None
    _now: dt.datetime | None = None
    _context: object = None
    notes: list[str] = field(default_factory=list)
    session: bool = False  # True inside `complaintctl shell`: one state for every command typed
    _session_context: object = None

    def begin_command(self) -> None:
        """A new command of the session: a fresh clock reading and notes; the same store, config
        and calendar (its computed years stay in memory)."""
        if self._context is not None:
            self._session_context = self._context
        self._now = None
        self._context = None
        self.notes = []
        self._reread_rules = True  # another process may have adopted new ones, or the file changed

    @property
    def config(self):
        if self._config is None:
            from complaintctl import config

            path = self.given_config()
            self._config = self._file_config = config.load(path, os.environ, search=config_search_path())
        return self._config

    @property
    def file_config(self):
        """The config as its file (and the defaults) say, whatever rules the database puts in force
        over it (what `config adopt` adopts)."""
        self.config  # loaded
        return self._file_config

    @property
    def language(self) -> str:
        return self.lang or self.config["lang"]

    @property
    def policy(self):
        from complaintctl.config import Policy

        return Policy.from_config(self.config)

    def given_config(self) -> Path | None:
        """The config file named for this run: --config, else COMPLAINTCTL_CONFIG; None when neither
        is (the search path decides). An empty COMPLAINTCTL_CONFIG is refused, as an empty
        COMPLAINTCTL_DB is: a cron line's unset variable must not let another config (and the
        database it names) be found instead."""
        where, value = "--config", self.config_path
        if value is None:
            where, value = "COMPLAINTCTL_CONFIG", os.environ.get("COMPLAINTCTL_CONFIG")
            if value is None:
                return None
        if not str(value).strip():  # (--config as typed: a path made of "" would read as ".")
            from complaintctl.errors import InvalidValue

            raise InvalidValue(where, str(value), "acc.config_path")
        return Path(value)

    def given_database(self) -> str | None:
        """The database named for this run: --db, else COMPLAINTCTL_DB; None when neither is. An
        empty one is refused, not passed over: a script's unset variable (`--db "$BRANCH_DB"`) must
        not reach the default register."""
        for where, value in (("--db", self.db), ("COMPLAINTCTL_DB", os.environ.get("COMPLAINTCTL_DB"))):
            if value is not None and not value.strip():
                from complaintctl.errors import InvalidValue

                raise InvalidValue(where, value, "acc.db_url")
            if value:
                return value
        return None

    def database_named(self) -> tuple[str, str]:
        """The database in use as named, and where it was named: --db, COMPLAINTCTL_DB, the config
        file's database.url, or the default file ("default")."""
        given = self.given_database()
        if given is not None:
            return given, "--db" if self.db else "COMPLAINTCTL_DB"
        if self.config["database.url"]:
            return self.config["database.url"], self.config.sources["database.url"]
        return str(default_db_path()), "default"

    @property
    def db_url(self) -> str:
        from complaintctl.stored import resolve_url

        return resolve_url(self.database_named()[0])

    def database_file(self) -> Path | None:
        """The SQLite file in use (None for a server), worked out without loading SQLAlchemy (so not
        through complaintctl.db: the one place outside it that reads a URL's scheme, for speed)."""
        from complaintctl.stored import sqlite_path

        path = sqlite_path(self.db_url)
        return Path(path) if path else None

    @property
    def now(self) -> dt.datetime:
        if self._now is None:
            self._now = dt.datetime.now(dt.timezone.utc)
        return self._now

    @property
    def os_login(self) -> str:
        """The OS account of this process, from its real user id (not $USER or $LOGNAME, which
        anyone can set). On PostgreSQL the server's session_user is used instead."""
        from complaintctl.stored import account_name

        return account_name(os.getuid())

    @property
    def acting_for(self) -> str | None:
        """--as NAME (else COMPLAINTCTL_OPERATOR): for an administrator only, checked in the library. An
        empty COMPLAINTCTL_OPERATOR is refused under its own name, as an empty --as is (a script's unset
        variable must not make the administrator act as themself)."""
        if self.actor is not None:
            return self.actor
        value = os.environ.get("COMPLAINTCTL_OPERATOR")
        if value is None:
            return None
        from complaintctl.domain import clean_name

        return clean_name("COMPLAINTCTL_OPERATOR", value)

    def store(self, *, migrate: bool = True, create: bool = False):
        """The database, brought to the current schema on first use. Only the commands that make
        one (init, demo, db upgrade) pass `create`: for every other command a database that does
        not exist is an error, never a new empty one."""
        if self._store is None:
            from complaintctl import labels
            from complaintctl.db import Store

            store = Store(self.db_url, busy_timeout=self.config["database.busy_timeout_seconds"], create=create)
            self.apply_rules(store)
            if migrate:
                before = store.current_revision()
                applied = store.ensure_schema(self.os_login, self.now, self.policy)
                if applied and before is None:
                    self.notes.append(labels.t("note.db_created", self.language, where=store.display_url))
                elif applied:
                    self.notes.append(labels.t("note.schema", self.language, rev=applied))
            self._store = store
        return self._store

    def apply_rules(self, store) -> None:
        """The database's deadline rules in force over the config's (config.under_rules: a file that
        sets one otherwise is refused), read before the schema is brought up to date."""
        from complaintctl import rules
        from complaintctl.errors import NotPermitted

        try:
            recorded = rules.recorded_of(store)
        except NotPermitted:  # a login the server lets read nothing: identified (and refused) next
            recorded = None
        self.apply_recorded_rules(recorded)

    def database_rules(self, *, preview: bool = False) -> None:
        """For a command that needs no database (config show, calendar): the deadline rules of the
        database in use, where one exists and can be reached, put in force as every command has them
        (a file that says otherwise is refused); else the config's own. `preview` (the calendar's
        commands): the database's rules with what the file sets over them, refused for nothing (what
        a config would count, before it is adopted)."""
        database = self.database_file()
        if database is not None and not database.is_file():
            return  # (before importing the database's machinery: a calculator's run needs none)
        from complaintctl import config
        from complaintctl.errors import ComplaintctlError, ConfigError

        self.rules_strict = not preview
        try:
            self.store(migrate=False)  # (puts the database's rules in force: apply_rules)
        except ConfigError:
            raise  # the file sets a rule otherwise: said so
        except ComplaintctlError:
            return  # a server out of reach: the config's own values
        if preview and self._recorded_rules:
            given = config.rules_given(self.file_config)
            self._config = config.under_rules(self.file_config, {**self._recorded_rules, **given}, strict=False)

    def apply_recorded_rules(self, recorded: dict | None) -> None:
        from complaintctl import config

        self._recorded_rules = recorded
        # Adopting, the file may differ: the command itself still runs under the database's rules.
        self._config = config.under_rules(self.file_config, recorded, strict=self.rules_strict)

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._store is not None:
            self._store.dispose()
            self._store = None

    def uow(self, write: bool = True):
        return self.store().unit_of_work(write)

    def context(self):
        """The services' context, built once per command (one clock reading, one calendar), with
        the operator identified: a login mapped to no active staff stops here (exit 4)."""
        if self._context is not None:
            return self._context
        if self._reread_rules and self._store is not None:  # a session's next command: the rules as they are now
            self._reread_rules = False
            self._config = None  # the file read again too
            self.apply_rules(self._store)
        from complaintctl.config import rules_of as config_rules
        from complaintctl.services import open_context

        from platformdirs import user_cache_dir

        # Inside `complaintctl shell` the operator and the masking policy are read again for every
        # command (a deactivation takes effect at once); the calendar's computed years are kept.
        previous = self._session_context
        self._context = open_context(self.store(), now=self.now, policy=self.policy, os_login=self.os_login,
                                     as_name=self.acting_for,
                                     cache_dir=Path(user_cache_dir("complaintctl", appauthor=False)),
                                     codes=self.config.codes, settings=self.config.values,
                                     # (kept while the rules stay: new rules, a new calendar)
                                     calendar=previous.calendar if previous is not None
                                     and previous.calendar.policy == self.policy else None,
                                     # (the config's rules, to be recorded, where the database has none)
                                     regions=self.config.regions,
                                     rules=config_rules(self.file_config) if self._recorded_rules is None else None)
        return self._context

    @property
    def operator(self) -> str:
        """The name of the staff member whose authority this command uses (--as NAME, else the login's)."""
        return self.context().operator.person


def state(ctx: typer.Context) -> AppState:
    """The AppState of the running command, set up by the top-level callback."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
