"""withdrawal, repeat complaints and restarted clocks

Order 2020 No. 3: a complaint withdrawn ends its procedure on the day the withdrawal is received
(cases.withdrawn_at); the same complaint again within the handling period is recorded on the
original and counted (cases.repeat_count); new facts restart the clock in a new cycle, and each
cycle says what opened it (cycles.opened_by: log, reopen, new_facts).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("repeat_count", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_column("opened_by")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("repeat_count")
        batch_op.drop_column("withdrawn_at")
