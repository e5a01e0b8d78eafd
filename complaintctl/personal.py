"""Personal data kept apart from the audit chain, so that it can be erased.

An event stores its free text masked (digit runs, e-mail addresses, the case's customer and agent
names), and its hash covers that masked text. When masking changed the text, the full text goes
into the personal_data table keyed by case and event: `show --reveal` reads it there, and
`db purge` deletes it, after which the chain still verifies and every output shows masked text only.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import delete, select

from .masking import mask_account, mask_field, mask_names_in, mask_text
from .models import Case, PersonalData

# Case columns of free text: masked like a note when an event records them.
TEXT_FIELDS = frozenset({"description", "resolution", "request", "decision_facts", "decision_basis"})


def names(case) -> tuple:
    """The names free text about a case is searched for (a Case or a row as a dict)."""
    get = case.get if isinstance(case, dict) else (lambda k: getattr(case, k))
    return (get("customer"), get("agent_name"))


def masked(text: str | None, case=None) -> str | None:
    """Free text as an event keeps it: numbers, e-mail addresses and the case's names masked."""
    if not text:
        return text
    out = mask_text(text)
    return mask_names_in(out, names(case)) if case is not None else out


def event_value(name: str, value, case):
    """A case column's value as an event records it: masked, free text also without the case's names."""
    out = mask_field(name, value)
    return mask_names_in(out, names(case)) if name in TEXT_FIELDS and out else out


# What `find` looks a customer up by: option -> (case column, the normaliser that stored it).
LOOKUPS = ("phone", "account", "id_number", "name")


def lookup_key(kind: str, value: str) -> tuple[str, str]:
    """The case column and the stored form of a caller's identifier, however it was written
    (spaces, dashes, brackets and +86 ignored); InvalidValue if it cannot be one."""
    from . import domain as d
    from .errors import InvalidValue

    option = "--" + kind.replace("_", "-")
    text = (value or "").strip()
    if kind == "phone":
        try:
            return "phone", d.clean_phone(text)
        except InvalidValue:
            raise InvalidValue(option, text, "a phone number as log takes it (13812345678, 010-62345678, "
                                             "+86 138 1234 5678)") from None
    if kind == "account":
        digits = d.compact(text)
        if not (digits.isdigit() and 12 <= len(digits) <= 19):
            raise InvalidValue(option, mask_account(digits) if digits.isdigit() else text,
                               "an account or card number of 12 to 19 digits")
        return "account", digits
    if kind == "id_number":
        number = d.compact(text).upper()
        if not 5 <= len(number) <= 30:
            raise InvalidValue(option, "*" * len(number), "an identity document number of 5 to 30 characters")
        return "id_number", number
    if kind == "name":
        return "customer", d.clean_name(option, text)
    raise InvalidValue("--by", kind, "one of " + ", ".join(LOOKUPS))


def keep(uow, case_id: int, event_id: int, field: str, full: str) -> None:
    """Keep the full text of an event's `field` (its masked form is in the event)."""
    uow.session.add(PersonalData(case_id=case_id, event_id=event_id, field=field, value=full))


def texts(uow, event_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """The full texts kept for these events, by (event id, field)."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = uow.session.execute(select(PersonalData.event_id, PersonalData.field, PersonalData.value)
                               .where(PersonalData.event_id.in_(ids))).all()
    return {(e, f): v for e, f, v in rows}


def erase(uow, case_id: int) -> int:
    """Delete every full text kept for a case; returns how many were erased."""
    return uow.session.execute(delete(PersonalData).where(PersonalData.case_id == case_id)).rowcount or 0
