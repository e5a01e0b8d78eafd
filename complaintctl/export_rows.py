"""The export's rows made from three ordered streams (cases, their cycles, and, where masking is off
for a login that may read them, the full personal values kept apart), merged as they stream so that
no side is ever held whole. Both ways use it: importer.py (SQLAlchemy's results) and the lean
`export` (cli/lean.py: the same statements compiled to text, through the DB-API driver). No
SQLAlchemy here."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

from .masking import FIELDS, revealed
from .rows import EXPORT_CASE_FIELDS, EXPORT_CYCLE_FIELDS
from .stored import flag

# How the selected columns are read (sqltext.kinds' words): "time" as stored, shown in the business
# zone by the export's converter; "bool" a flag (SQLite stores 0 and 1); anything else as it is.
Kinds = Sequence[str | None]


def converters(kinds: Kinds, show: Callable) -> list[tuple[int, Callable]]:
    """(position, converter) for the columns that need one, chosen once."""
    return [(i, show if kind == "time" else flag) for i, kind in enumerate(kinds) if kind in ("time", "bool")]


def merged(cases: Iterable[Sequence], cycles: Iterable[Sequence], kept: Iterable[Sequence] | None,
           case_conv: list[tuple[int, Callable]], cycle_conv: list[tuple[int, Callable]]
           ) -> Iterator[tuple[list, list[list]]]:
    """Each case's values (EXPORT_CASE_FIELDS, converted) with its cycles' (EXPORT_CYCLE_FIELDS,
    after the case id each cycle row starts with), in case id order: the streams must come ordered
    by case id (and cycle number; kept values by event, so that the newest wins). A personal column
    shows the full value `kept` holds for it (masking.revealed) when `kept` is given.
    Long because the streams are merged in one loop, so that none is ever held whole."""
    cycles = iter(cycles)
    pending = next(cycles, None)
    if kept is not None:
        kept = iter(kept)
        held = next(kept, None)
    where = {n: i for i, n in enumerate(EXPORT_CASE_FIELDS) if n in FIELDS}
    for row in cases:
        case = list(row)
        for i, conv in case_conv:
            value = case[i]
            if value is not None:
                case[i] = conv(value)
        case_id = case[0]
        if kept is not None:
            full: dict[str, str] = {}
            while held is not None and held[0] <= case_id:
                if held[0] == case_id:
                    full[held[1]] = held[2]
                held = next(kept, None)
            if full:
                for name, value in revealed({n: case[i] for n, i in where.items()}, full).items():
                    case[where[name]] = value
        own = []
        while pending is not None and pending[0] <= case_id:
            if pending[0] == case_id:
                cycle = list(pending)
                del cycle[0]
                for i, conv in cycle_conv:
                    value = cycle[i]
                    if value is not None:
                        cycle[i] = conv(value)
                own.append(cycle)
            pending = next(cycles, None)
        yield case, own


def documents(pairs: Iterable[tuple[list, list[list]]]) -> Iterator[dict[str, Any]]:
    """`export`'s JSONL: one case a line, its cycles as a list under "cycles"."""
    return ({**dict(zip(EXPORT_CASE_FIELDS, case)), "cycles": [dict(zip(EXPORT_CYCLE_FIELDS, c)) for c in cycles]}
            for case, cycles in pairs)


def sheet(pairs: Iterable[tuple[list, list[list]]]) -> Iterator[list]:
    """One row a cycle, in EXPORT_CSV_KEYS order, the case's fields repeated: the shape a
    spreadsheet wants (a case without cycles, which none is, would get one row)."""
    blank = [None] * len(EXPORT_CYCLE_FIELDS)
    return (case + cycle for case, cycles in pairs for cycle in (cycles or (blank,)))


# The keys of a JSONL line, in order.
DOCUMENT_KEYS = (*EXPORT_CASE_FIELDS, "cycles")
