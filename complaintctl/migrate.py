"""Alembic, driven from code: the scripts ship inside the package `complaintctl_migrations`."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig


def alembic_config(store) -> AlembicConfig:
    import complaintctl_migrations

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(complaintctl_migrations.__file__).parent))
    cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    cfg.attributes["store"] = store
    return cfg


def upgrade(store, revision: str = "head", *, os_login: str, now=None, policy=None) -> None:
    """Apply migrations up to `revision`, on the store's own engine and connection settings; at
    the head, a database without an administrator gets its owner as one, in the same transaction.
    `policy` (config's calendar) is what a revision that counts working time counts it with."""
    import datetime as dt

    from complaintctl.access import ensure_administrator

    cfg = alembic_config(store)
    cfg.attributes["policy"] = policy
    # The writers' lock makes concurrent first uses queue: the second sees the first's revision.
    with store.write_engine.begin() as conn:
        store.adapter.lock_connection(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if revision == "head":
            from complaintctl.config import Policy, policy_rules
            from complaintctl.rules import record_first

            moment = now or dt.datetime.now(dt.timezone.utc)
            ensure_administrator(conn, store.adapter.owner_login(conn, os_login), moment)
            record_first(conn, policy_rules(policy or Policy()), moment)
        store.adapter.refresh_statistics(conn)  # indexes may have changed


def head() -> str:
    from alembic.script import ScriptDirectory

    import complaintctl_migrations

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(complaintctl_migrations.__file__).parent))
    return ScriptDirectory.from_config(cfg).get_current_head()
