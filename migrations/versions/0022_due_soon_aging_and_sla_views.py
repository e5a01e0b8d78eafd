"""views of the cases due soon, of every open case's age, and of every decided cycle

`due_soon_cases` lists what `report due-soon` lists (the open cases not overdue with a running
deadline within the config's `due_soon_working_days`), with the time left to the nearest one;
`aging_cases` every open case with its age in working time since receipt and its `report aging`
bucket. Both select by the reports' own conditions, the moments the reports bind (the cutoff, each
bucket's start) counted over the business_days table (revision 0020) at the server's present
moment (complaintctl/sqlviews.py, from complaintctl/clocks.py). `decided_cycles` is every decided
cycle with what `report sla` counts of it, from the report's own SQL. The earlier views are written
again: overdue_cases's overdue_seconds is now NULL, not the last day's count, for a moment after
the calendar table's last day.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl import sqlviews

    sqlviews.install(None, op.get_bind(), upto=revision, due_soon_days=sqlviews.migration_due_soon_days())


def downgrade() -> None:
    from complaintctl import sqlviews

    sqlviews.drop(op.get_bind(), [name for name, first in sqlviews.FIRST.items() if first == revision])
