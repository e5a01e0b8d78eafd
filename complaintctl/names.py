"""Whether a branch or a handler's name is one the register knows (a case or a member of staff has
it), and every such name: what a report's filter (reports.check_names) and a new case's branch
(services.log_case) are checked against. Small, so that `log` reads it without the reports."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import bindparam, exists, or_, select, union

from .models import Case, Staff


def _columns(field: str):
    return {"branch": (Case.__table__.c.branch, Staff.branch), "assignee": (Case.__table__.c.assignee, Staff.name)}[field]


def name_known_select(field: str):
    """Whether a case or a member of staff has the branch (field "branch") or handler's name
    ("assignee") bound as `value`: a seek in the cases' index, a look at the small staff table
    (compiled for the lean way too)."""
    column, staff_column = _columns(field)
    value = bindparam("value", "")
    return select(or_(exists().where(column == value), exists().where(staff_column == value)))


def names_select(field: str):
    """Every branch (field "branch") or handler's name ("assignee") that a case or a member of staff
    has, once each: what a name nobody has is compared with."""
    column, staff_column = _columns(field)
    return union(select(column).where(column.is_not(None)), select(staff_column).where(staff_column.is_not(None)))


def unknown_alike(session, field: str, value: str, alike: Callable[[str, set[str]], list[str]]) -> list[str] | None:
    """None when a case or a member of staff has `value` (a seek); else the names they have that
    `alike(value, known)` takes it to be a mistyping of (read only then)."""
    if session.execute(name_known_select(field), {"value": value}).scalar():
        return None
    return alike(value, set(session.execute(names_select(field)).scalars()))


def same_code(value: str, known: set[str]) -> list[str]:
    """The known branch codes `value` reads as (code_key), for unknown_alike."""
    key = code_key(value)
    return sorted(k for k in known if code_key(k) == key)


def code_key(code: str) -> str:
    """A branch code as a typing mistake leaves it alike: case, and the letters O and I read as the
    digits 0 and 1 (BJ0O1, bj001 and BJ001 are one key)."""
    return code.strip().upper().replace("O", "0").replace("I", "1")
