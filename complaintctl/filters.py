"""What `list` (and the reports' who/what filters) select by, read as the options accept them, without
SQL: the lean `list` (complaintctl_cli/lean.py) reads its filters here as the full way does, before
either writes their conditions (reports.filter_condition, compiled apart by complaintctl/sqltext.py)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from . import domain as d
from . import labels
from .phones import clean_phone


@dataclass
class CaseQuery:
    status: str | None = None
    tier: str | None = None
    assignee: str | None = None
    branch: str | None = None
    channel: str | None = None
    product: str | None = None
    overdue: bool = False
    due_soon: bool = False
    stale: bool = False
    include_closed: bool = False
    # One customer's cases, as personal.case_ids finds them.
    case_ids: list[int] | None = None
    # Asked of a past moment (--as-of): only the cases received by then.
    received_by: bool = False


# The filters, in the order their conditions are written; each named condition binds its value as
# f_<name> (reports.filter_condition), so that each can be compiled apart and joined at run time.
FILTERS = ("status", "open", "tier", "channel", "product", "ids", "assignee", "branch", "overdue", "due_soon", "stale",
           "received")


def filter_values(q: CaseQuery) -> dict[str, Any]:
    """Which of FILTERS a query applies, each with the value it binds (None: no value), values read
    as the options accept them (a state's or tier's name in either language; UserError if none)."""
    out: dict[str, Any] = {}
    # An option given empty is refused, never read as left out (`--branch "$BRANCH"` with the
    # variable unset would otherwise list every branch's cases).
    if q.status is not None:
        out["status"] = labels.parse(d.Status, q.status, "--status").value
    elif not q.include_closed:
        out["open"] = None
    for name, enum in (("tier", d.Tier), ("channel", d.Channel), ("product", d.Product)):
        if getattr(q, name) is not None:
            out[name] = labels.parse(enum, getattr(q, name), "--" + name).value
    if q.case_ids is not None:
        out["ids"] = list(q.case_ids)
    for name in ("assignee", "branch"):
        if getattr(q, name) is not None:
            out[name] = d.clean_name("--" + name, getattr(q, name))
    if q.overdue and q.due_soon:  # each excludes the other: the list would be empty, looking valid
        from .errors import UserError

        raise UserError("err.overdue_and_due_soon")
    for name in ("overdue", "due_soon", "stale"):
        if getattr(q, name):
            out[name] = None
    if q.received_by:
        out["received"] = None
    return out


def near_names(value: str, known) -> list[str]:
    """The names in `known` close to `value`, a name not among them (a typing mistake); [] when
    `value` is known or nothing is close (a new branch simply has no cases yet)."""
    if value in known:
        return []
    folded = {k.casefold(): k for k in known}
    return [folded[c] for c in difflib.get_close_matches(value.casefold(), list(folded), n=3, cutoff=0.6)]


# What `find` looks a customer up by: option -> (personal field, the normaliser that stored it).
LOOKUPS = ("phone", "account", "id_number", "name")


def lookup_key(kind: str, value: str) -> tuple[str, str]:
    """The personal field and the stored form of a caller's identifier, however it was written
    (spaces, dashes, brackets and +86 ignored); InvalidValue if it cannot be one."""
    from .errors import InvalidValue
    from .masking import mask_account

    option = "--" + kind.replace("_", "-")
    text = (value or "").strip()
    if kind == "phone":
        try:
            return "phone", clean_phone(text)
        except InvalidValue:
            raise InvalidValue(option, text, "acc.phone_lookup") from None
    if kind == "account":
        digits = d.compact(text)
        if not (digits.isdigit() and 12 <= len(digits) <= 19):
            raise InvalidValue(option, mask_account(digits) if digits.isdigit() else text, "acc.account_card")
        return "account", digits
    if kind == "id_number":
        number = d.compact(text).upper()
        if not 5 <= len(number) <= 30:
            raise InvalidValue(option, "*" * len(number), "acc.document_5_30")
        return "id_number", number
    if kind == "name":
        return "customer", d.clean_name(option, text)
    raise InvalidValue("--by", labels.typed_choice(kind, LOOKUPS), "acc.one_of", choices=list(LOOKUPS))


def one_lookup(**given: str | None) -> tuple[str, str]:
    """`find`'s one identifier among LOOKUPS (kind=value, None when not given), as lookup_key reads
    it; UserError unless exactly one is given."""
    from .errors import UserError

    chosen = [(kind, given.get(kind)) for kind in LOOKUPS if given.get(kind) is not None]
    if len(chosen) != 1:
        raise UserError("err.find_one")
    return lookup_key(*chosen[0])


def mine(assignee: str | None, operator) -> str:
    """--mine: the operator's own cases (`operator`: a function giving their name, asked only when
    it is needed); UserError with --assignee, which names the same thing."""
    from .errors import UserError

    if assignee is not None:
        raise UserError("err.mine_and_assignee")
    return operator()
