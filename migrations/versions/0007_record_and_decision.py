"""the record of Art. 13 and the content of the decision

The complaint record (Order 2020 No. 3, art. 13): the complainant's identity document (type and
number, sensitive personal data), an agent acting for them with the power of attorney's reference,
the staff member complained about, and what the complainant asks for. The decision: the facts
found, the basis, the routes of relief open to the customer, and when it was made (the customer
being told is resolved_at).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("id_type", lambda: sqlmodel.sql.sqltypes.AutoString(length=30)),
    ("id_number", lambda: sqlmodel.sql.sqltypes.AutoString(length=30)),
    ("agent_name", lambda: sqlmodel.sql.sqltypes.AutoString(length=200)),
    ("agent_authority", lambda: sqlmodel.sql.sqltypes.AutoString(length=200)),
    ("complained_staff", lambda: sqlmodel.sql.sqltypes.AutoString(length=200)),
    ("request", sa.Text),
    ("decision_facts", sa.Text),
    ("decision_basis", sa.Text),
    ("relief", lambda: sqlmodel.sql.sqltypes.AutoString(length=100)),
    ("decided_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
