"""staff logins, and policies kept in the database

Each member of staff may carry the login they run the tool as (an OS account on SQLite, a
PostgreSQL login); the operator of every command is the login, mapped through this column. The
masking policy moves from the config file into the `settings` table, where only an administrator
changes it, with an event. (The database's owner is mapped to an administrator when none exists:
complaintctl.access.ensure_administrator, run after the migrations.)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_login"), ["login"])
    settings = op.create_table(
        "settings",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.bulk_insert(settings, [{"key": "masking", "value": "on"}])


def downgrade() -> None:
    op.drop_table("settings")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_login"), type_="unique")
        batch_op.drop_column("login")
