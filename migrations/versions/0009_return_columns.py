"""the quarterly return reads reviews, repeats and extensions from their own columns

A cycle keeps the total its regulatory period was extended to (cycles.regulatory_extension_days),
so a return still knows it once a reopen or a review has opened another cycle (the case's own
column then describes the new cycle). Filled from the audit trail's `extend` events: each one
belongs to the cycle of its case that was open when it happened. Two small indexes let the return
find the reviews requested in a period and the cases that had repeat complaints without reading
every case.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
import json

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regulatory_extension_days", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_cases_review_requested_at", "cases", ["review_requested_at"])
    op.create_index("ix_cases_repeat_count", "cases", ["repeat_count"])
    bind = op.get_bind()
    extends = bind.execute(sa.text(
        "SELECT case_id, occurred_at, new FROM events WHERE action = 'extend' AND case_id IS NOT NULL "
        "ORDER BY id")).all()
    for case_id, occurred_at, new in extends:
        try:
            days = int(json.loads(new or "{}").get("regulatory_extension_days") or 0)
        except (ValueError, TypeError, AttributeError):
            continue
        number = bind.execute(sa.text(
            "SELECT max(number) FROM cycles WHERE case_id = :c AND opened_at <= :t"),
            {"c": case_id, "t": occurred_at}).scalar()
        if days and number is not None:
            bind.execute(sa.text("UPDATE cycles SET regulatory_extension_days = :d WHERE case_id = :c AND number = :n"),
                         {"d": days, "c": case_id, "n": number})


def downgrade() -> None:
    op.drop_index("ix_cases_repeat_count", table_name="cases")
    op.drop_index("ix_cases_review_requested_at", table_name="cases")
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_column("regulatory_extension_days")
