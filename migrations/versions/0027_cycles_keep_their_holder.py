"""a decided cycle keeps who held the case when it was decided

`report sla --by assignee` (and `--by department`) grouped every decided cycle under the case's
assignee as it is now: a review makes the reviewer the assignee, so a handler's decision counted as
the reviewer's, and a reopened case's first decision as whoever holds it now. The decision now
keeps the case's assignee and department on its cycle (cycles.assignee, cycles.department), and
this revision fills them for the cycles decided before (replay.fill_holders: a case's current
cycle from the case, an earlier one replayed from its events). The decided_cycles view is written
again, with the cycle's own.

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl import sqlviews
    from complaintctl.replay import fill_holders

    conn = op.get_bind()
    # Checked first, so that a database whose recorded revision lags its tables upgrades all the same.
    have = {c["name"] for c in sa.inspect(conn).get_columns("cycles")}
    if "assignee" not in have:
        sqlviews.drop(conn, ["decided_cycles"])  # (SQLite's batch mode rebuilds the table)
        with op.batch_alter_table("cycles", schema=None) as batch_op:
            batch_op.add_column(sa.Column("assignee", sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column("department", sa.String(length=200), nullable=True))
    fill_holders(conn)
    sqlviews.install(None, conn, upto=revision, due_soon_days=sqlviews.migration_due_soon_days())


def downgrade() -> None:
    from complaintctl import sqlviews

    conn = op.get_bind()
    sqlviews.drop(conn, ["decided_cycles"])
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_column("department")
        batch_op.drop_column("assignee")
    sqlviews.install(None, conn, upto=down_revision, due_soon_days=sqlviews.migration_due_soon_days())
