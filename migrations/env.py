"""Alembic environment: runs on the connection complaintctl hands over, or on sqlalchemy.url."""
from alembic import context
from sqlalchemy import create_engine

import complaintctl.models  # noqa: F401  (registers the tables on the metadata)
from sqlmodel import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection):
    from complaintctl.db import declare_for

    declare_for(connection.dialect.name)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
