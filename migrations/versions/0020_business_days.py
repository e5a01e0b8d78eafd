"""the business calendar is a table

One row a day (working or not, why, the local midnights that start and end it as stored times,
and a running count of working days) in `business_days`, and in `business_calendar` which
calendar and years they were written from: so that SQL counts working time as
`deadlines.BusinessCalendar` does (complaintctl/business_days.py). Written here from the calendar
of the config in use when the upgrade runs (the default calendar without one), for the years from
the first case received to two years ahead; a command run under another calendar, or needing
more years, writes them again. The overdue_cases view gains its overdue-by column (overdue_seconds),
counted over the table.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29
"""
import datetime as dt

from alembic import context, op
import sqlalchemy as sa

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl import business_days, sqlviews
    from complaintctl.config import Policy
    from complaintctl.deadlines import BusinessCalendar
    from complaintctl.models import BusinessCalendarKept, BusinessDay

    conn = op.get_bind()
    # Checked first, so that a database whose recorded revision lags its tables upgrades all the same.
    have = set(sa.inspect(conn).get_table_names())
    for table in (BusinessDay.__table__, BusinessCalendarKept.__table__):
        if table.name not in have:
            table.create(conn)
    if conn.dialect.name == "postgresql":
        # Every login reads the calendar; any command may write it again under its config's calendar.
        everyone = "complaint_staff, complaint_manager, complaint_executive, complaint_admin, complaint_system"
        op.execute(f"GRANT SELECT, INSERT, DELETE ON business_days, business_calendar TO {everyone}")
    cal = BusinessCalendar(context.config.attributes.get("policy") or Policy())
    now = dt.datetime.now(dt.timezone.utc)
    business_days.ensure(conn, cal, *business_days.years_wanted(now, business_days.first_received(conn)))
    # The overdue_cases view gains its overdue-by column, which counts working time over the table.
    sqlviews.install(None, conn, upto=revision, due_soon_days=cal.policy.due_soon_working_days)


def downgrade() -> None:
    from complaintctl import sqlviews

    sqlviews.install(None, op.get_bind(), upto=down_revision, due_soon_days=sqlviews.migration_due_soon_days())
    op.drop_table("business_calendar")
    op.drop_table("business_days")
