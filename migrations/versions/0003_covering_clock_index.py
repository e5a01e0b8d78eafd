"""one covering index for the clock queries, in place of three narrower ones

The overdue, due-soon and escalation queries (and their per-tier counts) filter open cases by
status and their deadline, pause and tier columns, and `list` orders them by receipt. With all of
them in one index the queries are answered, and sorted, from the index alone; the three indexes it replaces (status; status, due_at; status,
regulatory_due_at) are prefixes of it or served by it, so writes maintain one index fewer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_status_clocks", ["status", "due_at", "regulatory_due_at", "paused_at",
                                                         "pause_reason", "tier", "received_at"], unique=False)
        batch_op.drop_index("ix_cases_status_regdue")
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index(batch_op.f("ix_cases_status"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)
        batch_op.create_index("ix_cases_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_cases_status_regdue", ["status", "regulatory_due_at"], unique=False)
        batch_op.drop_index("ix_cases_status_clocks")
