"""What the interactive session's history file keeps of a command line typed at it (cli/shell.py
decides which value is of which field): personal data masked or hidden, free text left out. The
file is outside personal_data, so `db purge` never reaches it."""
from __future__ import annotations

import re

from . import domain as d
from . import labels
from .errors import InvalidValue
from .masking import hide, mask_account, mask_email, mask_id_number, mask_name, mask_phone
from .phones import clean_phone

# What the interactive session's history file keeps of a value typed at it (cli/shell.py): an
# identifier masked as the case row stores it (a value the masking leaves as it was, not being of
# its kind, hidden instead); free text, and any value not known to be free of personal data, not
# at all: LEFT_OUT stands in its place. The file is outside personal_data, so `db purge` never
# reaches it: a customer's name in a note cannot be found by any pattern, so no text is kept.
LEFT_OUT = "***"
TYPED = {"customer": mask_name, "agent_name": mask_name, "phone": mask_phone, "email": mask_email,
         "account": mask_account, "id_number": mask_id_number}


# A value kept as typed when its option is never personal data: plainly a code, a time, a
# reference, a number or a path in ASCII, with no run of seven digits (a phone, an account, an id)
# and no "@"; else it must name one of the tool's choices (in English or Chinese); else it is
# left out.
_HISTORY_PLAIN = re.compile(r"[A-Za-z0-9_.:/+\-, ]+")
_DIGIT_RUN = re.compile(r"\d{7,}")


NOT_PERSONAL = "(not personal)"  # the field of a value whose option is never personal data


def for_history(field: str | None, value: str, staff: frozenset[str] = frozenset()) -> str:
    """A typed value as the history keeps it. `field` None: an option whose value is never
    personal data (a choice, a time, a reference, a member of staff), kept only when it plainly is
    one (what else was typed there, a customer's name in --reason, is left out). An identifier is
    masked as the case row stores it when it is valid of its kind, else hidden (a valid one's mask
    shows a few characters of it; an e-mail address with a phone number after it would have kept
    the number); any other field, free text, left out. `field` None: a command's or an option's
    own name, kept; NOT_PERSONAL: a value of an option never personal data, kept only when it
    plainly is such a value or names a member of `staff`."""
    if not value or value == "-" or field is None:  # (`-`: read from standard input)
        return value
    if field == NOT_PERSONAL:
        plain = _HISTORY_PLAIN.fullmatch(value) and not _DIGIT_RUN.search(value)
        return value if plain or value in staff or _a_choice(value) else LEFT_OUT
    masker = TYPED.get(field)
    if masker is None:
        return LEFT_OUT
    out = masker(value) if _of_its_kind(field, value) else value
    return out if out != value else hide(value)


def _a_choice(value: str) -> bool:
    """Whether `value` names one of the tool's choices (a channel, a state, a pause's reason ...),
    in English or Chinese."""
    return labels.names_a_choice(value)


def _of_its_kind(field: str, value: str) -> bool:
    """Whether a typed identifier is valid of its kind (as log would take it)."""
    try:
        if field == "phone":
            clean_phone(value)
        elif field == "email":
            d.clean_email(value)
        elif field == "account":
            d.clean_account(value)
        elif field == "id_number":
            d.clean_id_number(d.IdType.OTHER, value)
            return " " not in value.strip()
        else:  # a name: one line, no digit, no address
            return not any(c.isdigit() or c in "@\n\r\t" for c in value) and len(value) <= d.MAX_NAME
    except InvalidValue:
        return False
    return True


def from_history(field: str | None, value: str) -> bool:
    """Whether a typed value is what the history left in place of personal data (a recalled line
    run unchanged would record `***` as a description or `J***` as the customer)."""
    if not value or field is None:
        return False
    return "*" in value if field in TYPED else value == LEFT_OUT
