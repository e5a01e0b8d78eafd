"""each decided cycle keeps its working time

`report sla` and the monthly report rank the cycles decided in a period by their working time
(opening to the decision told, in working-day time) and take medians of it. They counted it in
Python for every cycle on every run (most of the monthly report's time at a million cases); the
decision now writes it on the cycle (cycles.working_seconds), and this revision fills it for the
cycles decided before, counted by the same function (cycles.decided_seconds) under the calendar of
the config in use when the upgrade runs (the default calendar without one).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""
from alembic import context, op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl.config import Policy
    from complaintctl.cycles import fill_working_seconds
    from complaintctl.deadlines import BusinessCalendar

    # Checked first, so that a database whose recorded revision lags its tables upgrades all the same.
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("cycles")}
    if "working_seconds" not in have:
        with op.batch_alter_table("cycles", schema=None) as batch_op:
            batch_op.add_column(sa.Column("working_seconds", sa.Float(), nullable=True))
    policy = context.config.attributes.get("policy") or Policy()
    fill_working_seconds(op.get_bind(), BusinessCalendar(policy))


def downgrade() -> None:
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_column("working_seconds")
