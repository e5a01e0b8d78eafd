"""personal data masked once, at write time; each event's hash covers a digest of its full text

Before this revision the case row kept the customer's name, phone, e-mail, account, card and ID
numbers, the description and the other free text in full (masked only on output), and an event's
hash covered only its masked text. This revision

- moves each case's full personal values into personal_data, keyed by the case and the event that
  last set them (the log or import event for the contact fields), and leaves the case row masked
  as its events record it (personal.mask_value: names as 王*明, free text with its numbers and the
  case's names masked); the events' free text is masked again with the case's names, which older
  versions left in it;
- adds events.full_digest: a salted SHA-256 of the full text each event keeps in personal_data
  (audit.full_digest; one random salt row per event, erased with the rest by `db purge`), which the
  event's hash covers from now on; the chain is recomputed from the first event that changed, so
  it verifies again. Anchors taken before the upgrade no longer match from that event on: take a
  new anchor right after upgrading (README, Data safety);
- masks the remediation actions' titles and evidence (an action is not one customer's case: no full
  text is kept);
- replaces the indexes on the cases' customer, phone, account and ID columns (now masked) with one
  partial index on personal_data (field, value) for `find`;
- on PostgreSQL, gives every role two functions of the tables' owner, so that only the roles that
  may reveal read personal_data directly (revision 0013): complaintctl_case_names(case) for the
  writer who masks a case's names in free text, complaintctl_find_cases(field, value) for `find`;
  both answer for the cases of the login's own branch only (all cases for executives,
  administrators and the system account).

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30
"""
import importlib
import json
import secrets

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

_BATCH = 5000
FIELDS = ("customer", "phone", "email", "account", "id_number", "agent_name", "description", "request",
          "resolution", "decision_facts", "decision_basis")
TEXTS = ("description", "request", "resolution", "decision_facts", "decision_basis")
ANONYMISED = "[anonymised]"
LOOKUP_WHERE = "field IN ('customer', 'phone', 'account', 'id_number')"
OLD_INDEXES = ("customer", "phone", "account", "id_number")


def _tables():
    from complaintctl.models import UTCDateTime

    meta = sa.MetaData()
    events = sa.Table("events", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("case_id", sa.Integer),
                      sa.Column("action", sa.String), sa.Column("actor", sa.String),
                      sa.Column("occurred_at", UTCDateTime()), sa.Column("recorded_at", UTCDateTime()),
                      sa.Column("old", sa.Text), sa.Column("new", sa.Text), sa.Column("detail", sa.Text),
                      sa.Column("full_digest", sa.String), sa.Column("prev_hash", sa.String),
                      sa.Column("hash", sa.String))
    cases = sa.Table("cases", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("anonymised_at", UTCDateTime()), *(sa.Column(f, sa.Text) for f in FIELDS))
    kept = sa.Table("personal_data", meta, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("case_id", sa.Integer), sa.Column("event_id", sa.Integer),
                    sa.Column("field", sa.String), sa.Column("value", sa.Text))
    actions = sa.Table("remediation_actions", meta, sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("title", sa.Text), sa.Column("evidence", sa.Text))
    return events, cases, kept, actions


def upgrade() -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    op.add_column("events", sa.Column("full_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    have = {i["name"] for i in sa.inspect(conn).get_indexes("cases")}
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for col in OLD_INDEXES:
            if f"ix_cases_{col}" in have:
                batch_op.drop_index(f"ix_cases_{col}")
    op.create_index("ix_personal_data_lookup", "personal_data", ["field", "value"],
                    sqlite_where=sa.text(LOOKUP_WHERE), postgresql_where=sa.text(LOOKUP_WHERE))
    if postgres:
        op.execute("ALTER TABLE events DISABLE TRIGGER events_insert_only")
    _move(conn)
    _rechain(conn)
    if postgres:
        op.execute("ALTER TABLE events ENABLE TRIGGER events_insert_only")
        _functions()


def _move(conn) -> None:
    """Each case's full values into personal_data, under the event that last set them; the case row masked."""
    from complaintctl import personal
    from complaintctl.masking import mask_text

    events, cases, kept, actions = _tables()
    last = 0
    while True:
        rows = conn.execute(sa.select(cases).where(cases.c.id > last).order_by(cases.c.id).limit(_BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        ids = [r.id for r in rows]
        setters: dict[int, dict[str, int]] = {}
        first: dict[int, int] = {}
        for e in conn.execute(sa.select(events.c.id, events.c.case_id, events.c.action, events.c.new)
                              .where(events.c.case_id.in_(ids)).order_by(events.c.id)):
            first.setdefault(e.case_id, e.id)
            if e.new and e.action != "purge":
                for f in json.loads(e.new):
                    if f in FIELDS:
                        setters.setdefault(e.case_id, {})[f] = e.id
        add, change = [], []
        for r in rows:
            if r.anonymised_at is not None or r.id not in first:
                continue  # purged (nothing personal left), or a case without events (db check names it)
            full = {f: getattr(r, f) for f in FIELDS if getattr(r, f) and getattr(r, f) != ANONYMISED}
            names = [full.get("customer"), full.get("agent_name")]
            for f, value in full.items():
                add.append({"case_id": r.id, "event_id": setters.get(r.id, {}).get(f, first[r.id]), "field": f,
                            "value": value})
            change.append({"b_id": r.id, **{f"b_{f}": personal.mask_value(f, full[f], names) if f in full
                                            else getattr(r, f) for f in FIELDS}})
        if add:
            conn.execute(kept.insert(), add)
        if change:
            conn.execute(cases.update().where(cases.c.id == sa.bindparam("b_id"))
                         .values(**{f: sa.bindparam(f"b_{f}") for f in FIELDS}), change)
    for a in conn.execute(sa.select(actions)).all():
        title, evidence = mask_text(a.title), mask_text(a.evidence)
        if (title, evidence) != (a.title, a.evidence):
            conn.execute(actions.update().where(actions.c.id == a.id).values(title=title, evidence=evidence))


def _rechain(conn) -> None:
    """Every event's free text masked again with its case's names; the event that set a personal
    field records the masked value its case now stores; a salt and a digest for each event that
    keeps personal data; the hashes recomputed from the first event that changed."""
    from complaintctl import audit, personal

    events, cases, kept, _ = _tables()
    prev, rechain, last = audit.GENESIS, False, 0
    while True:
        rows = conn.execute(sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(_BATCH)).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        case_ids = {r.case_id for r in rows if r.case_id is not None}
        held: dict[int, dict[str, str]] = {}
        for e, f, v in conn.execute(sa.select(kept.c.event_id, kept.c.field, kept.c.value).where(kept.c.event_id.in_(ids))):
            held.setdefault(e, {})[f] = v
        names: dict[int, list] = {}
        for c, f, v in conn.execute(sa.select(kept.c.case_id, kept.c.field, kept.c.value)
                                    .where(kept.c.case_id.in_(case_ids), kept.c.field.in_(("customer", "agent_name")))
                                    .order_by(kept.c.event_id)) if case_ids else ():
            got = names.setdefault(c, [None, None])
            got[0 if f == "customer" else 1] = v
        stored = {c.id: c for c in conn.execute(sa.select(cases).where(cases.c.id.in_(case_ids)))} if case_ids else {}
        salts, changed = [], []
        for r in rows:
            last = r.id
            who = [n for n in names.get(r.case_id, ()) if n]
            old, new, detail = r.old, r.new, r.detail
            if who:
                detail = personal.masked(detail, who) if detail else detail
                old, new = _remasked(old, who), _remasked(new, who)
            mine = held.get(r.id, {})
            if new and any(f in FIELDS for f in mine):
                values = json.loads(new)
                case = stored.get(r.case_id)
                for f in mine:
                    if f in values and case is not None:
                        values[f] = getattr(case, f)
                new = audit.encode(values)
            digest = r.full_digest
            if mine and "salt" not in mine:
                mine = {**mine, "salt": secrets.token_hex(16)}
                salts.append({"case_id": r.case_id, "event_id": r.id, "field": "salt", "value": mine["salt"]})
                digest = audit.full_digest(mine)
            touched = (old, new, detail, digest) != (r.old, r.new, r.detail, r.full_digest)
            rechain = rechain or touched
            if not rechain:
                prev = r.hash
                continue
            h = audit.event_hash(prev, r.case_id, r.action, r.actor, r.occurred_at, r.recorded_at, old, new, detail,
                                 digest)
            changed.append({"b_id": r.id, "b_old": old, "b_new": new, "b_detail": detail, "b_full": digest,
                            "b_prev": prev, "b_hash": h})
            prev = h
        if salts:
            conn.execute(kept.insert(), salts)
        if changed:
            conn.execute(events.update().where(events.c.id == sa.bindparam("b_id"))
                         .values(old=sa.bindparam("b_old"), new=sa.bindparam("b_new"),
                                 detail=sa.bindparam("b_detail"), full_digest=sa.bindparam("b_full"),
                                 prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")), changed)


def _remasked(values: str | None, names) -> str | None:
    """An event's recorded values with the free text masked again with the case's names."""
    from complaintctl import audit, personal

    if not values:
        return values
    data = json.loads(values)
    if not isinstance(data, dict) or not any(isinstance(data.get(f), str) for f in TEXTS):
        return values
    again = {k: (personal.masked(v, names) if k in TEXTS and isinstance(v, str) else v) for k, v in data.items()}
    return values if again == data else audit.encode(again)


def _functions() -> None:
    """The two doors to personal_data for the roles that may not read it (revision 0013's groups)."""
    roles = importlib.import_module("complaintctl_migrations.versions.0013_server_roles")
    visible = f"({roles.SEES_ALL} OR {roles.OWN_BRANCH.format(col='c.branch')})"
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    op.execute(f"""
        CREATE FUNCTION complaintctl_case_names(p_case integer) RETURNS TABLE(field varchar, value text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            SELECT p.field, p.value FROM personal_data p JOIN cases c ON c.id = p.case_id
            WHERE p.case_id = p_case AND p.field IN ('customer', 'agent_name') AND {visible}
            ORDER BY p.event_id $$""")
    op.execute(f"""
        CREATE FUNCTION complaintctl_find_cases(p_field varchar, p_value text) RETURNS SETOF integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            SELECT DISTINCT p.case_id FROM personal_data p JOIN cases c ON c.id = p.case_id
            WHERE p.field = p_field AND p.value = p_value AND p.{LOOKUP_WHERE} AND {visible}
            ORDER BY p.case_id $$""")
    for fn in ("complaintctl_case_names(integer)", "complaintctl_find_cases(varchar, text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {roles.EVERYONE}")


def downgrade() -> None:
    """The full values back into the case rows, the digests and salts gone, the chain recomputed
    without them (the events keep their masked text)."""
    from complaintctl import audit

    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    events, cases, kept, _ = _tables()
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS complaintctl_case_names(integer)")
        op.execute("DROP FUNCTION IF EXISTS complaintctl_find_cases(varchar, text)")
        op.execute("ALTER TABLE events DISABLE TRIGGER events_insert_only")
    full: dict[int, dict[str, str]] = {}
    for c, f, v in conn.execute(sa.select(kept.c.case_id, kept.c.field, kept.c.value)
                                .where(kept.c.field.in_(FIELDS)).order_by(kept.c.event_id)):
        full.setdefault(c, {})[f] = v
    for c, values in full.items():
        conn.execute(cases.update().where(cases.c.id == c).values(**values))
    conn.execute(kept.delete().where(kept.c.field != "detail"))
    prev, last = audit.GENESIS, 0
    while True:
        rows = conn.execute(sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(_BATCH)).all()
        if not rows:
            break
        changed = []
        for r in rows:
            last = r.id
            h = audit.event_hash(prev, r.case_id, r.action, r.actor, r.occurred_at, r.recorded_at, r.old, r.new, r.detail)
            if (h, prev) != (r.hash, r.prev_hash):
                changed.append({"b_id": r.id, "b_prev": prev, "b_hash": h})
            prev = h
        if changed:
            conn.execute(events.update().where(events.c.id == sa.bindparam("b_id"))
                         .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")), changed)
    if postgres:
        op.execute("ALTER TABLE events ENABLE TRIGGER events_insert_only")
    op.drop_index("ix_personal_data_lookup", table_name="personal_data")
    op.execute("ALTER TABLE events DROP COLUMN full_digest")  # in place (SQLite 3.35+): events is referenced
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for col in OLD_INDEXES:
            batch_op.create_index(f"ix_cases_{col}", [col], unique=False)
