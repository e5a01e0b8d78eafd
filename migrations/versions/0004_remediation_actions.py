"""remediation actions (溯源整改) and the complaint cases that led to them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (SQLModel's AutoString)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remediation_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("root_cause", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remediation_actions")),
    )
    with op.batch_alter_table("remediation_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remediation_actions_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_remediation_actions_due_on"), ["due_on"], unique=False)
    op.create_table(
        "remediation_cases",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["remediation_actions.id"],
                                name=op.f("fk_remediation_cases_action_id_remediation_actions")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_remediation_cases_case_id_cases")),
        sa.PrimaryKeyConstraint("action_id", "case_id", name=op.f("pk_remediation_cases")),
    )
    with op.batch_alter_table("remediation_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remediation_cases_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("remediation_cases")
    op.drop_table("remediation_actions")
