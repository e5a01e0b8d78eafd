"""indexes for finding a caller's cases by name or identity document number

`find --phone/--account` use the existing indexes on cases.phone and cases.account; `--name` and
`--id-number` get theirs here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_customer"), ["customer"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_id_number"), ["id_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_id_number"))
        batch_op.drop_index(batch_op.f("ix_cases_customer"))
