"""review (核查) of a decision by a higher level

Order 2020 No. 3: a complainant who disagrees with the decision may ask the higher-level institution
for a review within 30 days of receiving it; the reviewer decides within 30 days of the request.
The review runs as its own handling cycle (cycles.opened_by = 'review'); the case keeps who reviews,
when it was asked for, and the outcome.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_requested_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reviewer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column("review_outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_outcome")
        batch_op.drop_column("reviewer")
        batch_op.drop_column("review_requested_at")
