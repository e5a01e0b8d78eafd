"""the receipt index carries the grouping columns

Every report over a window of receipt (the quarterly return, the monthly report's 12-month trend,
report summary) counts cases by product, channel, category or branch. With those columns in the
receipt index the counts come from the index alone; before, each case's row was read, which at a
million cases numbered in no particular order (an unsorted import) meant seconds of scattered reads.
It replaces the plain receipt index, which it serves in every query that used it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Checked first, so that a database whose recorded revision lags its tables upgrades all the same.
    have = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("cases")}
    if "ix_cases_received_dims" not in have:
        op.create_index("ix_cases_received_dims", "cases", ["received_at", "product", "channel", "category", "branch"])
    if "ix_cases_received_at" in have:
        op.drop_index("ix_cases_received_at", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_received_at", "cases", ["received_at"])
    op.drop_index("ix_cases_received_dims", table_name="cases")
