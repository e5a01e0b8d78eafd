"""PostgreSQL enforces the roles: group roles, grants, row-level security by branch, and an
insert-only audit trail

A no-op on SQLite, which has no logins (there the file's permissions are the boundary). On
PostgreSQL:

- group roles complaint_staff, complaint_manager, complaint_executive, complaint_admin and
  complaint_system (created when missing; they belong to the server, not to one database);
  `staff add --login` grants a login its role's group;
- grants: every group reads the tables; the groups that work on cases insert and update cases and
  cycles; events may only be inserted, by anyone; staff and settings are changed by complaint_admin;
- the full personal text kept apart from the chain (personal_data) is inserted by those who work on
  cases, read only by managers, executives and administrators, deleted only by administrators (purge);
- row-level security on cases, cycles and events (and remediation links and personal_data): staff and managers see
  and change only the cases of their own branch; executives, administrators and the system account
  see all. Staff events (no case) are visible to every mapped login. The tables' owner (who runs
  the migrations) is not subject to it;
- a trigger refuses UPDATE and DELETE on events to everyone, the owner included;
- complaintctl_chain_head(), owned by the tables' owner, gives every writer the audit chain's
  head, which row-level security would otherwise hide from a branch.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

GROUPS = ("complaint_staff", "complaint_manager", "complaint_executive", "complaint_admin", "complaint_system")
WORKERS = "complaint_staff, complaint_manager, complaint_executive, complaint_admin"
EVERYONE = ", ".join(GROUPS)
# The operator's staff record, as the policies see it (the staff table itself is readable by all).
SEES_ALL = ("EXISTS (SELECT 1 FROM staff s WHERE s.login = session_user AND s.active "
            "AND s.role IN ('executive', 'admin', 'system'))")
OWN_BRANCH = ("coalesce({col}, '') IN (SELECT coalesce(s.branch, '') FROM staff s "
              "WHERE s.login = session_user AND s.active)")
CASE_VISIBLE = "EXISTS (SELECT 1 FROM cases c WHERE c.id = {col})"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    groups = ", ".join(f"'{g}'" for g in GROUPS)
    op.execute(f"""
        DO $$
        DECLARE g text;
        BEGIN
            FOREACH g IN ARRAY ARRAY[{groups}] LOOP
                BEGIN
                    EXECUTE format('CREATE ROLE %I NOLOGIN', g);
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END;
            END LOOP;
        END $$""")
    tables = [r[0] for r in op.get_bind().exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    op.execute(f"GRANT USAGE ON SCHEMA {_schema()} TO {EVERYONE}")
    op.execute(f"GRANT SELECT ON {', '.join(tables)} TO {EVERYONE}")
    # Any login may learn the schema's revision and whether it is mapped to staff (names, roles and
    # branches; no customer data), so that an unmapped login is told so, not "permission denied".
    op.execute("GRANT SELECT ON alembic_version, staff TO PUBLIC")
    op.execute(f"GRANT INSERT, UPDATE ON cases, cycles TO {WORKERS}")
    op.execute("GRANT UPDATE ON cases, cycles TO complaint_system")  # escalate --overdue
    op.execute(f"GRANT INSERT ON events TO {EVERYONE}")
    for extra in ("remediation_actions", "remediation_cases"):
        if extra in tables:
            op.execute(f"GRANT INSERT, UPDATE ON {extra} TO {WORKERS}")
    op.execute("GRANT INSERT, UPDATE ON staff, settings TO complaint_admin")
    if "personal_data" in tables:
        # The full text kept apart from the chain (revision 0010): written by whoever works on a case,
        # read only by the roles that may reveal it, deleted only by purge (an administrator's act).
        op.execute(f"REVOKE SELECT ON personal_data FROM {EVERYONE}")
        # every column but the value itself (an insert returns the new row's id)
        op.execute(f"GRANT SELECT (id, case_id, event_id, field) ON personal_data TO {EVERYONE}")
        op.execute("GRANT SELECT ON personal_data TO complaint_manager, complaint_executive, complaint_admin")
        op.execute(f"GRANT INSERT ON personal_data TO {WORKERS}")
        op.execute("GRANT DELETE ON personal_data TO complaint_admin")
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_schema()} TO {EVERYONE}")
    # Tables later revisions add are readable by every group and written by those who work on cases.
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema()} GRANT SELECT ON TABLES TO {EVERYONE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema()} GRANT INSERT, UPDATE ON TABLES TO {WORKERS}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema()} GRANT USAGE ON SEQUENCES TO {EVERYONE}")

    op.execute("ALTER TABLE cases ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY complaintctl_branch ON cases USING ({SEES_ALL} OR {OWN_BRANCH.format(col='branch')})")
    for table, col in (("cycles", "case_id"), ("remediation_cases", "case_id"), ("personal_data", "case_id")):
        if table in tables:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY complaintctl_branch ON {table} USING ({CASE_VISIBLE.format(col=col)})")
    op.execute("ALTER TABLE events ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY complaintctl_branch ON events USING "
               f"(case_id IS NULL OR {CASE_VISIBLE.format(col='case_id')})")

    op.execute("""
        CREATE FUNCTION complaintctl_events_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is insert-only: % on events is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("CREATE TRIGGER events_insert_only BEFORE UPDATE OR DELETE ON events "
               "FOR EACH ROW EXECUTE FUNCTION complaintctl_events_insert_only()")
    op.execute(f"""
        CREATE FUNCTION complaintctl_chain_head() RETURNS varchar LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = {_schema()}, pg_temp AS $$ SELECT hash FROM events ORDER BY id DESC LIMIT 1 $$""")
    op.execute("REVOKE ALL ON FUNCTION complaintctl_chain_head() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION complaintctl_chain_head() TO {EVERYONE}")


def _schema() -> str:
    return op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS complaintctl_chain_head()")
    op.execute("DROP TRIGGER IF EXISTS events_insert_only ON events")
    op.execute("DROP FUNCTION IF EXISTS complaintctl_events_insert_only()")
    for table in ("cases", "cycles", "events", "remediation_cases", "personal_data"):
        op.execute(f"DROP POLICY IF EXISTS complaintctl_branch ON {table}")
        op.execute(f"ALTER TABLE IF EXISTS {table} DISABLE ROW LEVEL SECURITY")
