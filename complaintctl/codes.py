"""JR/T 0169-2018 codes: the standard's table (labels.JRT_0169) with the bank's corrections and
additions from config ([codes]), checked when the config is loaded."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from . import labels
from .errors import ConfigError

FIELDS = ("channel", "product", "category")
_CODE = re.compile(r"^[ABC]\d{2,6}$")


@dataclass(frozen=True)
class CodeBook:
    """Every JR/T 0169 code in force (code -> English, Chinese, source) and each choice's code."""

    names: Mapping[str, tuple[str, str, str]] = field(default_factory=lambda: dict(labels.JRT_0169))
    mapping: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: {f: dict(m) for f, m in labels.JRT_0169_DEFAULT.items()})
    overridden: frozenset = frozenset()

    def code(self, field_name: str, value: str | None) -> str | None:
        """The code of a channel, product or category value (None for an unknown value)."""
        if value is None:
            return None
        return self.mapping.get(field_name, {}).get(value)

    def name(self, code: str | None, lang: str = "en") -> str:
        entry = self.names.get(code or "")
        if entry is None:
            return code or ""
        return labels.pick(entry, lang)

    def source(self, code: str) -> str:
        return self.names[code][2] if code in self.names else "bank"

    def codes(self, letter: str) -> list[str]:
        """Every code of one class (A, B or C), in code order."""
        return sorted(c for c in self.names if c.startswith(letter))

    def with_subtotals(self, counts: Mapping[str, int], letter: str) -> list[tuple[str, int]]:
        """Every code of one class in code order, each with its count and its subclasses' (a code's
        subclasses are the codes it begins: A0103 holds A01031 to A01039, A01 all of those): what a
        form listing the whole classification shows against each class."""
        codes = sorted(set(self.codes(letter)) | set(counts))
        return [(code, sum(n for c, n in counts.items() if c.startswith(code))) for code in codes]

    def rows(self) -> list[dict[str, Any]]:
        """The whole table for `choices codes`: every code, and which choices map to it."""
        used: dict[str, list[str]] = {}
        for f, m in self.mapping.items():
            for key, code in m.items():
                used.setdefault(code, []).append(f"{f}:{key}")
        return [{"code": code, "english": en, "chinese": zh, "code_source": src,
                 "used_by": ", ".join(used.get(code, []))}
                for code, (en, zh, src) in sorted(self.names.items())]


def standard() -> CodeBook:
    return CodeBook()


def from_config(table: Mapping[str, Any] | None, where: str = "config") -> CodeBook:
    """The standard book with the bank's [codes] table applied; a bad entry is a ConfigError."""
    book = standard()
    if not table:
        return book
    names = dict(book.names)
    mapping = {f: dict(m) for f, m in book.mapping.items()}
    overridden = set()
    for key in table:
        if key not in (*FIELDS, "names"):
            raise ConfigError("err.codes_key", where=where, key=key)
    for code, value in (table.get("names") or {}).items():
        if not _CODE.match(code):
            raise ConfigError("err.codes_code", where=where, code=code)
        if isinstance(value, str) and value.strip():
            en = zh = value.strip()
        elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v.strip() for v in value):
            en, zh = (v.strip() for v in value)
        else:
            raise ConfigError("err.codes_name", where=where, code=code, value=value)
        names[code] = (en, zh, "bank")  # a correction of a standard code is the bank's word too
        overridden.add(code)
    for f in FIELDS:
        enum = labels.FIELDS[f]
        letter = labels.JRT_0169_LETTER[f]
        for key, code in (table.get(f) or {}).items():
            if key not in labels.CHOICES[enum]:
                raise ConfigError("err.codes_choice", where=where, f=f, key=key, choices=list(labels.CHOICES[enum]))
            if not isinstance(code, str) or not code.startswith(letter) or code not in names:
                raise ConfigError("err.codes_unknown_code", where=where, f=f, key=key, code=code, letter=letter,
                                  codes=[c for c in sorted(names) if c.startswith(letter)])
            mapping[f][key] = code
    return CodeBook(names, mapping, frozenset(overridden))
