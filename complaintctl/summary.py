"""`report summary`'s figures from what the database counts, without SQLAlchemy: the full path
(reports.summary, which runs the statements as SQLAlchemy expressions) and the lean one
(complaintctl_cli/lean.py, which runs the same statements compiled to text) both put the report
together here. The statements themselves are defined once, in reports.py (`summary_statement`).

`run(statement, dims, kind, readable, **params)` is how each path reads: the rows of one of the
statements `counts` (by `dims`), `repeats`, `repeat_cases` (by `dims`), `causes` and `repeaters`
(of one `kind` of contact, told apart by full values where the login may read them, `readable`)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

from . import labels
from .context import Context, show_time
from .errors import InvalidValue
from .sla import received_window

Run = Callable[..., Iterable]
DIMENSIONS = ("channel", "product", "category", "branch", "tier")
# The cases of the period's repeats are read by id, this many at a time.
CHUNK = 500


# Where the dimensions' columns go in the statements grouped by them, compiled once for any one,
# two or three (complaintctl/sqltext.py; dbapi.Reader.grouped writes the columns in).
DIMS_PLACE = "__dims__"


def statement_name(statement: str, kind: str = "", readable: bool = True) -> str:
    """The name complaintctl/sqltext.py keeps a statement's compiled text under (`counts` and
    `repeat_cases` with DIMS_PLACE where the dimensions' columns go)."""
    return "_".join(["summary", statement, *([kind, "full" if readable else "masked"] if kind else [])])


def dimension_columns(dims: Iterable[str]) -> str:
    """The dimensions' columns as the statements name them (SQLAlchemy's text of Case's columns, on
    both backends: tests/unit/test_sqltext.py holds them equal for every one, two and three)."""
    return ", ".join(f"cases.{dim}" for dim in dims)


def tally_repeats(events: Iterable, read_cases: Callable[[list[int]], Iterable]) -> dict[tuple, int]:
    """The repeats that arrived (`events`: one row, the original case's id, a repeat) counted by the
    other columns of their original cases' rows (`read_cases(ids)`: the id, then those columns)."""
    arrived: dict[int, int] = {}
    for (case_id,) in events:
        arrived[case_id] = arrived.get(case_id, 0) + 1
    ids = sorted(arrived)
    out: dict[tuple, int] = {}
    for start in range(0, len(ids), CHUNK):
        for row in read_cases(ids[start:start + CHUNK]):
            key = tuple(row[1:])
            out[key] = out.get(key, 0) + arrived[row[0]]
    return out


def dimensions(by: str) -> tuple[str, ...]:
    """--by's dimensions (one to three different ones, comma-separated), each typed as its key, its
    English header or its Chinese name, as report sla's --by takes them."""
    import unicodedata

    choices = labels.Named(DIMENSIONS)
    dims = []
    # A full-width comma (a Chinese input method's) separates them too.
    for text in (x.strip() for x in unicodedata.normalize("NFKC", by).split(",") if x.strip()):
        try:
            dims.append(labels.parse_name(text, DIMENSIONS, "--by"))
        except InvalidValue:
            raise InvalidValue("--by", labels.typed_choice(text, DIMENSIONS), "acc.dimensions", choices=choices) from None
    dims = tuple(dims)
    if not dims or len(dims) > 3 or len(set(dims)) < len(dims):  # a dimension named twice: refused
        raise InvalidValue("--by", labels.typed_choice(by, DIMENSIONS), "acc.dimensions", choices=choices)
    return dims


def summary(run: Run, ctx: Context, *, start: str, end: str, by: str = "product",
            readable: bool = True, previous_from: dt.datetime | None = None) -> dict[str, Any]:
    """Complaints received in the window by dimension(s), against the previous window: of equal
    length, or from `previous_from` to the window's start (the monthly report's previous month)."""
    lo, hi = received_window(ctx, start, end)
    dims = dimensions(by)
    prev_lo = lo - (hi - lo) if previous_from is None else previous_from
    table: dict[tuple, dict[str, int]] = {}

    def counts(key: tuple) -> dict[str, int]:
        return table.setdefault(key, {"current": 0, "previous": 0, "withdrawn": 0, "repeats": 0})

    for r in run("counts", dims, lo=lo, hi=hi, prev_lo=prev_lo):
        c = counts(tuple(r[:len(dims)]))
        c[r[len(dims)]] = r[-2]
        if r[len(dims)] == "current":  # withdrawals are counted apart from new complaints
            c["withdrawn"] = int(r[-1] or 0)
    # Repeats as the return counts them: those that arrived in the window, by their original case.
    for key, n in tally_repeats(run("repeats", lo=lo, hi=hi), lambda ids: run("repeat_cases", dims, ids=ids)).items():
        counts(key)["repeats"] += n
    out = []
    for key, c in table.items():
        change = c["current"] - c["previous"]
        out.append({**{dim: key[i] for i, dim in enumerate(dims)}, "received": c["current"],
                    "withdrawn": c["withdrawn"], "repeats": c["repeats"],
                    "previous": c["previous"], "change": change,
                    "change_pct": round(100.0 * change / c["previous"], 1) if c["previous"] else None})
    out.sort(key=lambda r: (-r["change"], -r["received"]))
    causes = run("causes", lo=lo, hi=hi)
    # The phones and accounts of more than one case received in the window, shown as stored (masked).
    repeaters = [{"kind": kind, "contact": value, "cases": cases} for kind in ("phone", "account")
                 for value, cases in run("repeaters", kind=kind, readable=readable, lo=lo, hi=hi)]
    return {"from": show_time(lo, ctx), "to": show_time(hi - dt.timedelta(microseconds=1), ctx),
            "previous_from": show_time(prev_lo, ctx), "by": list(dims),
            "rows": out, "root_causes": [{"root_cause": c, "resolved": n} for c, n in causes],
            "repeat_complainants": repeaters}
