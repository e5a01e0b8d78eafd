"""indexes for import look-ups by external id and for retention by closing time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_external_id"), ["external_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_closed_at"), ["closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_closed_at"))
        batch_op.drop_index(batch_op.f("ix_cases_external_id"))
