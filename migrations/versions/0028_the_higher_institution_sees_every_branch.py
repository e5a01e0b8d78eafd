"""PostgreSQL: the higher institution's managers see every branch's cases

A no-op on SQLite. On PostgreSQL row-level security let staff and managers see only the cases of
their own branch, and executives, administrators and the system account every case. A manager of
the higher institution (a regional or head office: staff registered without a branch) saw only
the cases that have no branch, which is none: yet the tool names them a case's reviewer, and lets
them approve a 30-day extension, for any branch (README: complaintctl review, extend). Named so,
they could not open the case they were given ("unknown case"), and their morning overdue report
said 0. Such a manager now sees every branch's cases, as an executive does; the two functions of
the tables' owner that answer for the login's branch (revision 0016) answer so too. What they may
read in full is unchanged, as the tool's rule of revealing is (a manager: only their own branch's
cases; the higher institution's: none): personal_data keeps revision 0013's visibility for
reading, while what a login may insert (the text its own steps keep apart) or delete (purge)
follows the cases it sees.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01
"""
import importlib

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# The operator's staff record, as the policies see it: the roles that see every branch.
SEES_ALL = ("EXISTS (SELECT 1 FROM staff s WHERE s.login = session_user AND s.active "
            "AND (s.role IN ('executive', 'admin', 'system') OR (s.role = 'manager' AND s.branch IS NULL)))")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _visible(SEES_ALL)
    roles = _roles()
    seen = roles.CASE_VISIBLE.format(col="case_id")
    op.execute("DROP POLICY IF EXISTS complaintctl_branch ON personal_data")
    op.execute(f"CREATE POLICY complaintctl_branch ON personal_data FOR SELECT USING (EXISTS (SELECT 1 FROM cases c "
               f"WHERE c.id = case_id AND ({roles.SEES_ALL} OR {roles.OWN_BRANCH.format(col='c.branch')})))")
    op.execute(f"CREATE POLICY complaintctl_branch_insert ON personal_data FOR INSERT WITH CHECK ({seen})")
    op.execute(f"CREATE POLICY complaintctl_branch_delete ON personal_data FOR DELETE USING ({seen})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    roles = _roles()
    _visible(roles.SEES_ALL)
    for name in ("complaintctl_branch", "complaintctl_branch_insert", "complaintctl_branch_delete"):
        op.execute(f"DROP POLICY IF EXISTS {name} ON personal_data")
    op.execute(f"CREATE POLICY complaintctl_branch ON personal_data USING ({roles.CASE_VISIBLE.format(col='case_id')})")


def _roles():
    return importlib.import_module("complaintctl_migrations.versions.0013_server_roles")


def _visible(sees_all: str) -> None:
    """The cases' policy, and revision 0016's two functions, with `sees_all` for who sees every branch."""
    roles = _roles()
    masked = importlib.import_module("complaintctl_migrations.versions.0016_masked_at_write")
    own = roles.OWN_BRANCH
    op.execute("DROP POLICY IF EXISTS complaintctl_branch ON cases")
    op.execute(f"CREATE POLICY complaintctl_branch ON cases USING ({sees_all} OR {own.format(col='branch')})")
    visible = f"({sees_all} OR {own.format(col='c.branch')})"
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    op.execute(f"""
        CREATE OR REPLACE FUNCTION complaintctl_case_names(p_case integer) RETURNS TABLE(field varchar, value text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            SELECT p.field, p.value FROM personal_data p JOIN cases c ON c.id = p.case_id
            WHERE p.case_id = p_case AND p.field IN ('customer', 'agent_name') AND {visible}
            ORDER BY p.event_id $$""")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION complaintctl_find_cases(p_field varchar, p_value text) RETURNS SETOF integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            SELECT DISTINCT p.case_id FROM personal_data p JOIN cases c ON c.id = p.case_id
            WHERE p.field = p_field AND p.value = p_value AND p.{masked.LOOKUP_WHERE} AND {visible}
            ORDER BY p.case_id $$""")
