"""deadline rules kept in the database

A database records the deadline rules it is run under (time zone, calendar, tier limits, the
regulatory period, the reopen window: config.RULE_KEYS) in `settings`, as JSON under the key
`rules`, recorded by the first administrator's command and changed only by `config adopt`, an
audited event each time (complaintctl/services.py). A list of local closures may be longer than
the 200 characters a setting held, so the value becomes text.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
                              type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM settings WHERE key = 'rules'")
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Text(),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=200), existing_nullable=False)
