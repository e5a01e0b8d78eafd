"""the events of one kind in a window of time come from an index

The repeat complaints that arrived in a period (the quarterly return, report summary and the
monthly report count them by when they arrive) are `repeat` events in a window of time: with an
index on (action, occurred_at, case_id) they are a range of it, where before every case that ever
had a repeat was read, then its events.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Checked first, so that a database whose recorded revision lags its tables upgrades all the same.
    have = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("events")}
    if "ix_events_action_occurred" not in have:
        op.create_index("ix_events_action_occurred", "events", ["action", "occurred_at", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_events_action_occurred", table_name="events")
