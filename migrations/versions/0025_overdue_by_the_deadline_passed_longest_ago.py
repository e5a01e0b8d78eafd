"""overdue by counts from the deadline passed longest ago

When both clocks of an open case have run out, "overdue by" (`report overdue`, `list`, the views'
`overdue_seconds`) counts from the deadline passed longest ago in clock time, the internal one on a
tie (complaintctl/clocks.py). Before, it always counted from the internal deadline: a case
escalated to urgent after its regulatory deadline had passed, its 24-hour plan due after that, read
"late 2d 2h" six weeks past the regulator's limit, and grew less late as time passed. The views,
whose `overdue_seconds` follow the rule, are written again; nothing stored changes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30
"""
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    from complaintctl import sqlviews

    sqlviews.install(None, op.get_bind(), upto=revision, due_soon_days=sqlviews.migration_due_soon_days())


def downgrade() -> None:
    pass  # the views as this version writes them serve every revision from 0023 on
