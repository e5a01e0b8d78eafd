"""PostgreSQL: an event names the login that writes it

A no-op on SQLite. On PostgreSQL every working login could insert events (the trail is insert-only,
not writer-bound): a clerk connecting with psql could append a correctly chained event naming a
manager or the administrator as its actor, and `db check` verified it. A restrictive row-level
policy now lets a login insert only events whose actor is its own staff name, or, for an
administrator acting for someone (`--as`), its own name followed by " as " and that person's. The
tables' owner (who runs the migrations and the bootstrap) is not subject to it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# The inserting login's own staff record, active; an administrator's name may be followed by " as ".
WRITER = ("EXISTS (SELECT 1 FROM staff s WHERE s.login = session_user AND s.active "
          "AND (actor = s.name OR (s.role = 'admin' AND left(actor, length(s.name) + 4) = s.name || ' as ')))")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE POLICY complaintctl_writer ON events AS RESTRICTIVE FOR INSERT WITH CHECK ({WRITER})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS complaintctl_writer ON events")
