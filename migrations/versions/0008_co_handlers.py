"""co-handlers and departments handling a case together

Order 2020 No. 3: important complaints are handled with the departments concerned, urgent ones by an
emergency team. Besides the lead handler (cases.assignee) and the lead department
(cases.department), a case keeps its co-handlers and every department involved, comma-separated.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("co_handlers", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("departments", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("departments")
        batch_op.drop_column("co_handlers")
