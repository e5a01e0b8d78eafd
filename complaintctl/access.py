"""Who may do what: the operator is the login (the OS account on SQLite, the server's session_user
on PostgreSQL) mapped to a staff record, and one table of roles and actions decides every command.

Checks happen here, in the library; the CLI only passes the login it runs under and any --as.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from typing import Any, Callable

from . import domain as d
from .errors import InvalidValue, NotPermitted, UnknownStaff

R = d.Role


class Do(StrEnum):
    """What an operator asks to do (several commands may share one)."""

    READ = "read"
    WORK = "work"
    OVERRIDE = "override"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_30 = "approve_30"
    APPROVE_60 = "approve_60"
    REVEAL = "reveal"
    ESCALATE_OVERDUE = "escalate_overdue"
    IMPORT = "import"
    STAFF = "staff"
    MASKING = "masking"
    ACT_FOR = "act_for"
    MAINTAIN = "maintain"
    CHECK = "check"


# The role x action table. README prints it (tests/test_docs.py keeps the two equal).
PERMISSIONS: dict[Do, frozenset[R]] = {
    Do.READ: frozenset({R.STAFF, R.MANAGER, R.EXECUTIVE, R.ADMIN, R.SYSTEM}),
    Do.WORK: frozenset({R.STAFF, R.MANAGER, R.EXECUTIVE, R.ADMIN}),
    Do.OVERRIDE: frozenset({R.MANAGER, R.EXECUTIVE, R.ADMIN}),
    Do.REQUEST_EXTENSION: frozenset({R.STAFF, R.MANAGER, R.EXECUTIVE}),
    Do.APPROVE_30: frozenset({R.MANAGER, R.EXECUTIVE}),
    Do.APPROVE_60: frozenset({R.EXECUTIVE}),
    Do.REVEAL: frozenset({R.MANAGER, R.EXECUTIVE}),
    Do.ESCALATE_OVERDUE: frozenset({R.MANAGER, R.EXECUTIVE, R.ADMIN, R.SYSTEM}),
    Do.IMPORT: frozenset({R.MANAGER, R.EXECUTIVE, R.ADMIN}),
    Do.STAFF: frozenset({R.ADMIN}),
    Do.MASKING: frozenset({R.ADMIN}),
    Do.ACT_FOR: frozenset({R.ADMIN}),
    Do.MAINTAIN: frozenset({R.ADMIN}),
    Do.CHECK: frozenset({R.EXECUTIVE, R.ADMIN, R.SYSTEM}),
}

# Rules the table alone cannot say: branch-bound actions (a manager only for the case's branch).
BRANCH_BOUND = {Do.REVEAL: frozenset({R.MANAGER})}
EXTENSION_APPROVAL = {30: Do.APPROVE_30, 60: Do.APPROVE_60}


@dataclass(frozen=True)
class Operator:
    """Who runs the command: the login, its staff record, and whom it acts for (--as)."""

    login: str
    name: str
    role: R
    branch: str | None
    acting_for: str | None = None

    @property
    def actor(self) -> str:
        """As the audit trail records it: 'root', or 'root as wangfang'."""
        return f"{self.name} as {self.acting_for}" if self.acting_for else self.name

    @property
    def person(self) -> str:
        """The staff member whose authority the command uses (the target of --as, else the login's)."""
        return self.acting_for or self.name


def identify(uow, login: str, as_name: str | None = None) -> Operator:
    """The operator of this command; NotPermitted when the login maps to no active staff member,
    or when someone other than an administrator asks to act for another (--as)."""
    from sqlalchemy import select

    from .models import Staff

    s = uow.session
    return identify_with(lambda field, value: s.execute(
        select(Staff).where(getattr(Staff, field) == value)).scalar_one_or_none(), login, as_name)


def identify_with(find: Callable[[str, str], Any], login: str, as_name: str | None = None) -> Operator:
    """The rule of `identify`, over `find(field, value)`: the staff record (id, name, role, branch,
    active) whose `login` or `name` is `value`, or None. The lean `report overdue` gives its own
    reader of the staff table, through the DB-API driver."""
    me = find("login", login)
    if me is None:
        raise denied("unmapped", login=login)
    if not me.active:
        raise denied("deactivated", login=login, name=me.name)
    if as_name is None:
        return Operator(login, me.name, R(me.role), me.branch)
    target_name = d.clean_name("--as", as_name)
    if R(me.role) not in PERMISSIONS[Do.ACT_FOR]:
        raise denied("act_for", login=login, name=me.name, role=me.role)
    target = find("name", target_name)
    if target is None:
        raise UnknownStaff(target_name, "--as")
    if not target.active:
        raise denied("deactivated_target", name=target.name)
    if target.id == me.id:
        return Operator(login, me.name, R(me.role), me.branch)
    return Operator(login, me.name, R(target.role), target.branch, acting_for=target.name)


def act_for(op: Operator | None, name: str, role: R, branch: str | None) -> Operator:
    """The operator acting for another member of staff (what --as does), for an administrator only."""
    if not allowed(op, Do.ACT_FOR):
        raise denied("role", person=op.person if op else "-", role=op.role.value if op else "-",
                     what=Do.ACT_FOR.value, roles=[r.value for r in R if r in PERMISSIONS[Do.ACT_FOR]])
    return Operator(op.login, op.name, role, branch, acting_for=name)


def denied(kind: str, **params) -> NotPermitted:
    """The NotPermitted error (exit 4) of one rule of labels.DENIALS, worded from its values."""
    return NotPermitted(kind, **params)


def allowed(op: Operator | None, what: Do) -> bool:
    return op is not None and op.role in PERMISSIONS[what]


def require(ctx, what: Do, *, branch: str | None = None, detail: str | None = None) -> None:
    """Refuse (NotPermitted, exit 4) unless the operator's role allows `what` (and, for a
    branch-bound action, the case is of the operator's branch)."""
    op = getattr(ctx, "operator", None)
    if op is None:
        raise denied("no_operator")
    if op.role not in PERMISSIONS[what]:
        raise denied("role", person=op.person, role=op.role.value, what=what.value,
                           roles=[r.value for r in R if r in PERMISSIONS[what]])
    if op.role in BRANCH_BOUND.get(what, ()) and (op.branch or None) != (branch or None):
        raise denied("branch", person=op.person, role=op.role.value, what=what.value,
                           own=op.branch or "-", branch=branch or "-")


def bound_branch(ctx) -> str | None:
    """The one branch whose cases the operator reaches, or None for every branch it is given: staff
    and managers of a branch are bound to it where the server's row-level security binds logins
    (ctx.row_security: PostgreSQL's, revision 0013; the higher institution's managers, with no
    branch, see every one, revision 0028), and so is an administrator acting for them (--as),
    whose own login sees every branch. (On SQLite the file is the boundary: every login of it
    reaches every case in it.) Staff of the higher institution (no branch) reach no case there:
    NotPermitted (exit 4) says so, rather than a case logged for a branch the server then refuses
    in its own words, or a return of every branch that counts none."""
    op = getattr(ctx, "operator", None)
    if not getattr(ctx, "row_security", False) or op is None or op.role not in (R.STAFF, R.MANAGER):
        return None
    if op.branch is None and op.role is R.STAFF:
        raise denied("no_branch", person=op.person, role=op.role.value)
    return op.branch


def check_acting_branch(ctx, branch: str | None) -> None:
    """Acting for someone (--as) reaches what that person's own login reaches: a case, or a new
    case's branch, of their branch where they are bound to it (bound_branch). NotPermitted (exit
    4) otherwise; nothing for a command not acting for anyone (the server holds the login itself)."""
    op = getattr(ctx, "operator", None)
    if op is None or not op.acting_for:
        return
    bound = bound_branch(ctx)
    if bound is not None and (branch or None) != bound:
        raise denied("act_for_branch", person=op.person, role=op.role.value, own=bound, branch=branch or "-")


def return_branch(ctx, branch: str | None, region: str | None) -> str | None:
    """The branch a return is of: `branch` as given, or, for an operator bound to one branch
    (bound_branch), that branch (a return of every branch, or of a region, would count theirs
    alone and say it counts them all); another branch or a region is refused (exit 4)."""
    bound = bound_branch(ctx)
    if bound is None:
        return branch
    if region or (branch and branch.strip() != bound):
        op = ctx.operator
        raise denied("return_branch", person=op.person, role=op.role.value, own=bound,
                     scope=f"--region {region.strip()}" if region else f"--branch {branch.strip()}")
    return bound


def table_rows() -> list[tuple[str, list[str]]]:
    """The role x action table as (action, [mark per role]) for README and `staff roles`."""
    out = []
    for what, roles in PERMISSIONS.items():
        marks = []
        for role in R:
            mark = "yes" if role in roles else ""
            if mark and role in BRANCH_BOUND.get(what, ()):
                mark = "own branch"
            marks.append(mark)
        out.append((what.value, marks))
    return out


def markdown_table() -> str:
    """The table as README shows it."""
    from .labels import ACCESS_ACTIONS

    head = "| action | commands | " + " | ".join(r.value for r in R) + " |"
    rule = "|---|---|" + "---|" * len(R)
    lines = [head, rule]
    for what, marks in table_rows():
        lines.append(f"| {what} | {ACCESS_ACTIONS[what][0]} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


# Bootstrapping: the first administrator ---------------------------------------------------------

BOOTSTRAP_ACTOR = "complaintctl"


def ensure_administrator(conn, owner_login: str, now: dt.datetime) -> str | None:
    """When the database has no active administrator, map its owner (the SQLite file's owner, the
    PostgreSQL tables' owner: an account that can change everything anyway) to one, and record it.
    Returns the login mapped, or None when an administrator already exists."""
    from sqlalchemy import select

    from . import audit
    from .models import Staff

    staff = Staff.__table__
    # An administrator without a login (a database downgraded and upgraded again) administers nothing.
    if conn.execute(select(staff.c.id).where(staff.c.role == R.ADMIN.value, staff.c.active.is_(True),
                                             staff.c.login.is_not(None)).limit(1)).first():
        return None
    row = conn.execute(select(staff.c.id, staff.c.name, staff.c.role).where(staff.c.login == owner_login)).first()
    if row is None:  # the owner's own staff record, from before logins were recorded
        row = conn.execute(select(staff.c.id, staff.c.name, staff.c.role).where(
            staff.c.name == owner_login, staff.c.login.is_(None))).first()
    if row is not None:
        conn.execute(staff.update().where(staff.c.id == row.id).values(role=R.ADMIN.value, active=True,
                                                                       login=owner_login))
        action, old, name = d.Action.STAFF_ROLE.value, {"name": row.name, "role": row.role}, row.name
        new = {"role": R.ADMIN.value, "login": owner_login, "active": True}
    else:
        name = owner_login
        taken = set(conn.execute(select(staff.c.name).where(staff.c.name.startswith(owner_login))).scalars())
        n = 2
        while name in taken:
            name, n = f"{owner_login}-{n}", n + 1
        conn.execute(staff.insert().values(name=name, role=R.ADMIN.value, login=owner_login, active=True,
                                           created_at=now))
        action, old, new = d.Action.STAFF_ADD.value, None, {"name": name, "role": R.ADMIN.value, "login": owner_login}
    audit.append_on(conn, action=action, actor=BOOTSTRAP_ACTOR, at=now, old=old, new=new,
                    detail="the database's owner mapped to an administrator (no active administrator existed)")
    return owner_login


def check_not_complained_about(field: str, name: str, complained: str | None) -> None:
    """Recusal: the staff member a complaint is about neither handles nor reviews it."""
    if complained and complained == name:
        raise InvalidValue(field, name, "acc.not_complained_about", name=name)


def check_reviewer(field: str, reviewer, *, branch: str | None, complained: str | None, handlers, decider: str | None = None) -> None:
    """The review is by the higher level (the higher institution of Order 2020 No. 3): staff of a
    higher rank than the handler, or a manager or above of the higher institution (staff registered
    without a branch: a regional or head office) whatever the handler's rank. Never the handler,
    never the one who decided, never the person complained about, never a peer of another branch.
    `reviewer` and each of `handlers` (the case's handlers as registered: the assignee, the one who
    decided) have .name, .role and .branch; `branch` and `complained` are the case's. Raises
    InvalidValue naming `field` (request_review's --reviewer, the import's reviewer column)."""
    check_not_complained_about(field, reviewer.name, complained)
    if decider and decider == reviewer.name:
        raise InvalidValue(field, reviewer.name, "acc.not_own_decision", name=decider)
    handler = max(handlers, key=lambda p: d.ROLE_LEVEL[d.Role(p.role)], default=None)
    level = d.ROLE_LEVEL[d.Role(reviewer.role)]
    if reviewer.branch and branch and reviewer.branch != branch:  # a sibling branch is no higher level
        raise InvalidValue(field, reviewer.name, "acc.reviewer_branch", branch=branch,
                           reviewer=reviewer.name, own=reviewer.branch)
    if handler is None:
        if level < d.ROLE_LEVEL[d.Role.MANAGER]:
            raise InvalidValue(field, reviewer.name, "acc.reviewer_manager")
        return
    if handler.name == reviewer.name:
        raise InvalidValue(field, reviewer.name, "acc.not_own_decision", name=handler.name)
    higher_institution = not reviewer.branch and bool(handler.branch) and level >= d.ROLE_LEVEL[d.Role.MANAGER]
    if level <= d.ROLE_LEVEL[d.Role(handler.role)] and not higher_institution:
        raise InvalidValue(field, reviewer.name,
                           "acc.reviewer_level_of" if reviewer.branch else "acc.reviewer_level", name=handler.name,
                           role=d.Role(handler.role), reviewer=reviewer.name, reviewer_role=d.Role(reviewer.role),
                           branch=reviewer.branch)
