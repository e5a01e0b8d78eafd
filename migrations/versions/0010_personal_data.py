"""personal data apart from the audit chain, so that db purge can erase it

Events written before this revision kept the full text of a note, reply or reason (an ID number, a
card number, a name) and the customer's and agent's names in full, inside the hashed chain where
nothing could ever erase them. This revision creates personal_data, moves each such full text
there (the event keeps it masked: complaintctl.personal.masked), masks the names the log and import
events recorded, and recomputes the chain's hashes from the first event it changed, so the chain
verifies again. Anchors taken before the upgrade no longer match from that event on: take a new
anchor right after upgrading (README, Data safety).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 5000
_NAMES = ("customer", "agent_name")


def upgrade() -> None:
    op.create_table(
        "personal_data",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_personal_data_case_id_cases")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_personal_data_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data")),
    )
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_event_id"), ["event_id"], unique=False)
    _move_personal_data(op.get_bind())


def _move_personal_data(conn) -> None:
    """Mask what old events hold in full, keep the full text apart, and re-chain from the first change."""
    from complaintctl import audit, personal
    from complaintctl.masking import mask_name
    from complaintctl.models import UTCDateTime

    meta = sa.MetaData()
    events = sa.Table("events", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("case_id", sa.Integer),
                      sa.Column("action", sa.String), sa.Column("actor", sa.String),
                      sa.Column("occurred_at", UTCDateTime()), sa.Column("recorded_at", UTCDateTime()),
                      sa.Column("old", sa.Text), sa.Column("new", sa.Text), sa.Column("detail", sa.Text),
                      sa.Column("prev_hash", sa.String), sa.Column("hash", sa.String))
    cases = sa.Table("cases", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("customer", sa.String),
                     sa.Column("agent_name", sa.String))
    kept = sa.Table("personal_data", meta, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("case_id", sa.Integer), sa.Column("event_id", sa.Integer),
                    sa.Column("field", sa.String), sa.Column("value", sa.Text))
    prev, rechain, last = audit.GENESIS, False, 0
    while True:
        rows = conn.execute(sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(_BATCH)).all()
        if not rows:
            return
        ids = {r.case_id for r in rows if r.case_id is not None}
        names = {c.id: {"customer": c.customer, "agent_name": c.agent_name}
                 for c in conn.execute(sa.select(cases).where(cases.c.id.in_(ids))).all()} if ids else {}
        full, changed = [], []
        for r in rows:
            last = r.id
            detail, new = r.detail, r.new
            if r.case_id is not None:
                detail = personal.masked(r.detail, names.get(r.case_id, {}))
                if detail != r.detail:
                    full.append({"case_id": r.case_id, "event_id": r.id, "field": "detail", "value": r.detail})
                if new and r.action in ("log", "import"):
                    values = json.loads(new)
                    if any(values.get(k) for k in _NAMES):
                        for k in _NAMES:
                            if values.get(k):
                                values[k] = mask_name(values[k])
                        new = audit.encode(values)
            touched = detail != r.detail or new != r.new
            rechain = rechain or touched
            if not rechain:
                prev = r.hash
                continue
            digest = audit.event_hash(prev, r.case_id, r.action, r.actor, r.occurred_at, r.recorded_at, r.old, new,
                                      detail)
            changed.append({"b_id": r.id, "b_new": new, "b_detail": detail, "b_prev": prev, "b_hash": digest})
            prev = digest
        if full:
            conn.execute(kept.insert(), full)
        if changed:
            conn.execute(events.update().where(events.c.id == sa.bindparam("b_id"))
                         .values(new=sa.bindparam("b_new"), detail=sa.bindparam("b_detail"),
                                 prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")), changed)


def downgrade() -> None:
    # The events keep their masked text: what was moved out is not put back into the chain.
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_event_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_case_id"))
    op.drop_table("personal_data")
