"""times are shown in the business zone by SQL: the zone's offsets as a table

`zone_offsets` holds the business zone's periods of one UTC offset (the stored moment each starts,
the offset, its ISO suffix) for the years business_days covers, so that SQL on SQLite shows a
stored time in the business zone exactly as Python does, across daylight-saving changes
(complaintctl/zones.py). Written here from the config in use, as business_days is (whose rows
are written again with it: the two always come from one calendar); written again with them
whenever the zone or the years change.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29
"""
import datetime as dt

from alembic import context, op
import sqlalchemy as sa

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from complaintctl import business_days
    from complaintctl.config import Policy
    from complaintctl.deadlines import BusinessCalendar
    from complaintctl.models import ZoneOffset

    conn = op.get_bind()
    # Checked first, so that a database whose recorded revision lags its tables upgrades all the same.
    if not sa.inspect(conn).has_table(ZoneOffset.__table__.name):
        ZoneOffset.__table__.create(conn)
    if conn.dialect.name == "postgresql":
        # Every login reads the offsets; any command may write them again under its config's calendar.
        everyone = "complaint_staff, complaint_manager, complaint_executive, complaint_admin, complaint_system"
        op.execute(f"GRANT SELECT, INSERT, DELETE ON zone_offsets TO {everyone}")
    cal = BusinessCalendar(context.config.attributes.get("policy") or Policy())
    business_days.write_again(conn, cal, dt.datetime.now(dt.timezone.utc))  # the days and, now, the offsets


def downgrade() -> None:
    op.drop_table("zone_offsets")
