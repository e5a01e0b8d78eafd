"""A phone number as typed, checked and stored in one form of each kind (complaintctl.domain holds
the other fields' checks; this one reads the words a Chinese caller puts before an extension,
which labels.py holds, and labels imports domain)."""
from __future__ import annotations

import re
import unicodedata

from .domain import PHONE_SEPARATORS
from .errors import InvalidValue
from .labels import EXTENSION_WORDS

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0(?:[12]\d|[3-9]\d{2})\d{7,8}$")  # area code 010, 02x or 0xxx, then the number
_INTL = re.compile(r"^\+[1-9]\d{6,14}$")  # E.164: at most 15 digits after the +


# An extension after a landline or an international number: one of labels.EXTENSION_WORDS (Chinese
# and English) or a dash before it, when the digits together are no number (010-62345678-801).
_WORDS = "|".join(re.escape(w) for w in sorted(EXTENSION_WORDS, key=len, reverse=True))
_EXTENSION = re.compile(rf"^(?P<number>.*?\d)\s*(?:{_WORDS}|-)\s*(?P<ext>\d{{1,6}})$", re.IGNORECASE)


def clean_phone(value: str) -> str:
    """Accept the ways a number is commonly written and store one form of each kind: a mainland
    mobile as 13812345678 (from 138-1234-5678, 138 1234 5678, +86 138 1234 5678), a landline as
    010-62345678 (from (010) 6234 5678, 010 6234-5678, +86 10 6234 5678), any other number as
    +85291234567; a landline's or other number's extension after a dash (010-62345678-801, from
    the number and ext. 801, x801, #801, -801 or their Chinese words). Full-width digits (from
    a Chinese input method) count as digits. A whole that is a number is never read as one with an
    extension."""
    typed = unicodedata.normalize("NFKC", value.strip())
    number = _number(typed)
    if number is not None:
        return number
    parts = _EXTENSION.match(typed)
    if parts:
        number = _number(parts["number"])
        if number is not None and not _MOBILE.match(number):  # a mobile has no extension
            return f"{number}-{parts['ext']}"
    raise InvalidValue("phone", value, "acc.phone")


def _number(typed: str) -> str | None:
    """clean_phone's stored form of a number without an extension, or None."""
    v = PHONE_SEPARATORS.sub("", typed)
    if v.startswith("0086"):
        v = "+86" + v[4:]
    if v.startswith("+86"):
        national = v[3:]
        v = national if _MOBILE.match(national) else "0" + national
    if _MOBILE.match(v):
        return v
    if _LANDLINE.match(v):
        area = 3 if v[1] in "12" else 4
        return f"{v[:area]}-{v[area:]}"
    if _INTL.match(v):
        return v
    return None
