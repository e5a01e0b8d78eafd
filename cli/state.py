"""The global options and what they lead to: config, policy, store and service context.

The database stack is imported here only when a command first asks for the store, so that
`--help`, `--version`, `calendar` and `config` never load SQLAlchemy or Alembic.
"""
from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

import typer


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("complaintctl", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "complaints.db"


def config_search_path() -> list[Path]:
    from platformdirs import user_config_dir

    return [Path("complaintctl.toml"), Path(user_config_dir("complaintctl", appauthor=False)) / "config.toml"]


@dataclass
class AppState:
    db: str | None = None
    config_path: Path | None = None
    actor: str | None = None
    lang: str | None = None
    debug: bool = False
    _config: object = None
    _store: object = None
    _now: dt.datetime | None = None
    _context: object = None
    notes: list[str] = field(default_factory=list)

    @property
    def config(self):
        if self._config is None:
            from complaintctl import config

            path = self.config_path or (Path(os.environ["COMPLAINTCTL_CONFIG"]) if os.environ.get("COMPLAINTCTL_CONFIG") else None)
            self._config = config.load(path, os.environ, search=config_search_path())
        return self._config

    @property
    def language(self) -> str:
        return self.lang or self.config["lang"]

    @property
    def policy(self):
        from complaintctl.config import Policy

        return Policy.from_config(self.config)

    @property
    def db_url(self) -> str:
        from complaintctl.db import resolve_url

        return resolve_url(self.db or os.environ.get("COMPLAINTCTL_DB") or str(default_db_path()))

    def database_file(self) -> Path | None:
        """The SQLite file in use (None for a server), worked out without loading SQLAlchemy."""
        value = self.db or os.environ.get("COMPLAINTCTL_DB") or str(default_db_path())
        if "://" not in value:
            return Path(value).expanduser().absolute()
        return Path(value.split(":///", 1)[1]) if value.startswith("sqlite:///") and len(value) > 10 else None

    @property
    def now(self) -> dt.datetime:
        if self._now is None:
            self._now = dt.datetime.now(dt.timezone.utc)
        return self._now

    @property
    def operator(self) -> str:
        if self.actor:
            return self.actor
        env = os.environ.get("COMPLAINTCTL_OPERATOR")
        if env:
            return env
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"

    def store(self, *, migrate: bool = True):
        """The database, brought to the current schema on first use."""
        if self._store is None:
            from complaintctl.db import Store

            self._store = Store(self.db_url, busy_timeout=self.config["database.busy_timeout_seconds"])
            if migrate:
                applied = self._store.ensure_schema()
                if applied:
                    self.notes.append(f"database schema brought to revision {applied}")
        return self._store

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._store is not None:
            self._store.dispose()
            self._store = None

    def uow(self, write: bool = True):
        return self.store().unit_of_work(write)

    def context(self):
        """The services' context, built once per command (one clock reading, one calendar)."""
        if self._context is not None:
            return self._context
        from complaintctl.context import make_context

        from platformdirs import user_cache_dir

        self._context = make_context(self.now, self.operator, self.policy, masking=self.config["masking.enabled"],
                                     cache_dir=Path(user_cache_dir("complaintctl", appauthor=False)),
                                     codes=self.config.codes, settings=self.config.values)
        return self._context


def state(ctx: typer.Context) -> AppState:
    """The AppState of the running command, set up by the top-level callback."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
