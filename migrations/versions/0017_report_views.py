"""views for readers of the database: overdue_cases and stale_cases

The lists `report overdue` and `list --stale` give, for a BI tool, psql or the sqlite3 shell,
selected by the tool's own clock rules (complaintctl/sqlviews.py, from clocks.py) at the server's
present moment; without personal data. On PostgreSQL they read with the reader's rights and
row-level security (security_invoker, PostgreSQL 15).

A later migration that changes a clock rule installs them again; one that rebuilds the cases table
on SQLite drops them first (sqlviews.drop) and installs them at its end.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl import sqlviews

    # As they were at this revision: without revision 0020's overdue-by, which reads its table.
    sqlviews.install(None, op.get_bind(), upto=revision, due_soon_days=sqlviews.migration_due_soon_days())


def downgrade() -> None:
    from complaintctl import sqlviews

    sqlviews.drop(op.get_bind())
