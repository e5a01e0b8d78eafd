"""working time counts each working day's own length, in SQL as in Python: a running total

`business_days` gains `working_micros_before`, the time of the working days among the table's
earlier days in microseconds, each day its own length (23 or 25 hours on a daylight-saving change),
so that the working time between two moments is the running total at one less the total at the
other (complaintctl/business_days.py). Before, working time counted a whole working day between
two moments as 24 hours, where the moment that much working time after another (a deadline moved
by a pause, the due-soon cutoff, the aging buckets' edges) counted its own length: the two now
agree. Nothing changes in a zone without daylight saving, or where no working day is a
clock-change day. The rows are written here from the config in use, as revisions 0020 and 0021
wrote them, and the views (whose working times read the column) are written again.

Working times already kept (a decided cycle's, a pause's) are history and stay as they were
counted.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30
"""
import datetime as dt

from alembic import context, op
import sqlalchemy as sa

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl import business_days, sqlviews
    from complaintctl.config import Policy
    from complaintctl.deadlines import BusinessCalendar
    from complaintctl.models import BusinessDay

    conn = op.get_bind()
    # A database upgraded from before 0020 has the column already: 0020 creates the table as the
    # models describe it.
    column = BusinessDay.__table__.c.working_micros_before
    if column.name not in {c["name"] for c in sa.inspect(conn).get_columns(BusinessDay.__table__.name)}:
        op.add_column(BusinessDay.__table__.name,
                      sa.Column(column.name, sa.BigInteger(), nullable=False, server_default="0"))
    cal = BusinessCalendar(context.config.attributes.get("policy") or Policy())
    business_days.write_again(conn, cal, dt.datetime.now(dt.timezone.utc))
    sqlviews.install(None, conn, upto=revision, due_soon_days=sqlviews.migration_due_soon_days())


def downgrade() -> None:
    # The column stays: the views of every revision from 0020 on, as this version writes them,
    # read it.
    pass
