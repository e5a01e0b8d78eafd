"""Column sets and renderers shared by list, show and the reports."""
from __future__ import annotations

import datetime as dt
import functools

from complaintctl import domain as d
from complaintctl import labels

from . import render
from .render import Column


def case_style(row: dict) -> str | None:
    """Severity colours: red for a regulatory breach, orange for internal, yellow for stale/soon."""
    breach = row.get("breach") or ""
    if "regulatory" in breach or "review" in breach:
        return "bold red"
    if breach:
        return "red" if row.get("tier") == d.Tier.URGENT.value else "dark_orange"
    if row.get("stale"):
        return "magenta"
    return None


LIST_COLUMNS = [
    Column("reference", style=case_style),
    Column("status", enum=d.Status),
    Column("tier", enum=d.Tier),
    Column("channel", enum=d.Channel),
    Column("product", enum=d.Product),
    Column("category", enum=d.Category),
    Column("branch"),
    Column("assignee"),
    Column("co_handlers"),
    Column("departments"),
    Column("customer", max_width=12),
    Column("phone"),
    Column("account"),
    Column("received_at", kind="time"),
    Column("due_at", kind="due"),
    Column("regulatory_due_at", kind="due"),
    Column("first_response_due_at", kind="time"),
    Column("resolved_at", kind="time"),
    Column("closed_at", kind="time"),
    Column("reopen_count", kind="number"),
    Column("overdue", kind="bool"),
    Column("breach"),
    Column("overdue_by"),
    Column("overdue_by_calendar"),
    Column("overdue_working_days", kind="number"),
    Column("time_left"),
    Column("stale", kind="bool"),
    Column("below_tier", kind="bool"),
    Column("description", max_width=30),
]


_LATE_TEXTS: dict = {}


def _late(row: dict, lang: str, whole_days: bool = False) -> str | None:
    late = row.get("late")
    if not late:
        return None
    span, seconds = late
    key = (span.seconds, span.working, seconds, lang, whole_days)  # rows due at one moment share it
    text = _LATE_TEXTS.get(key)
    if text is None:
        if len(_LATE_TEXTS) > 4096:
            _LATE_TEXTS.clear()
        text = _LATE_TEXTS[key] = _late_text(span, seconds, lang, whole_days)
    return text


def _late_text(span, seconds: float, lang: str, whole_days: bool = False) -> str:
    calendar = labels.duration(seconds, lang, whole_days=whole_days)
    if not span.working:  # the urgent plan's 24 hours run on the clock
        return labels.t("clock.late_hours", lang, calendar=calendar)
    return labels.t("clock.late", lang, calendar=calendar,
                    working=labels.duration(span.seconds, lang, working=True, whole_days=whole_days))


def _left(row: dict, lang: str, key: str = "clock.left") -> str:
    left = row.get("left")
    if left is None:
        return ""
    return labels.t(key, lang, left=labels.duration(left.seconds, lang, working=left.working))


def clock_cell(row: dict, lang: str) -> str:
    """How late a case is (calendar time, then working time in brackets), or how much time is left."""
    return _late(row, lang) or _left(row, lang)


def clock_room(lang: str) -> str:
    """The widest clock in whole days a later row of a streamed table is given room for: 999 days late."""
    days = 999 * 86400
    return labels.t("clock.late", lang, calendar=labels.duration(days, lang, whole_days=True),
                    working=labels.duration(days, lang, working=True, whole_days=True))


def overdue_clock_room(lang: str) -> str:
    """As clock_room, or a due-soon row's clock (--include-due-soon), whichever is wider."""
    soon = labels.t("clock.soon", lang, left=labels.duration(23 * 3600 + 59 * 60, lang, working=True))
    return max(clock_room(lang), soon, key=render.cell_width)


def clock_days_cell(row: dict, lang: str) -> str:
    """The clock in whole days, for a table too narrow even for the columns that never drop."""
    return _late(row, lang, True) or _left(row, lang)


def overdue_clock_cell(row: dict, lang: str) -> str:
    """In the overdue report every row is late, or (with --include-due-soon) due soon: said so."""
    return _late(row, lang) or _left(row, lang, "clock.soon")


def overdue_clock_days_cell(row: dict, lang: str) -> str:
    return _late(row, lang, True) or _left(row, lang, "clock.soon")


# The overdue report's table (report overdue, here so that the lean path shares it: lean.py).
OVERDUE_KEYS = ("reference", "tier", "status", "channel", "product", "branch", "assignee", "received_at", "due_at",
                "regulatory_due_at", "clock", "breach", "stale")
OVERDUE_EXTRA = {"clock": Column("clock", display=overdue_clock_cell, narrow=overdue_clock_days_cell,
                                  room=overdue_clock_room)}


def overdue_title(lang: str, due_soon: bool) -> str:
    """The overdue report's table title: with --include-due-soon its rows are not all overdue."""
    return labels.t("title.overdue_due_soon" if due_soon else "title.overdue", lang)


def moment_text(as_of, tz) -> str:
    """A report's moment as its lines and titles say it: in the business zone `tz`, to the minute."""
    return as_of.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def sheet_title(title: str, lang: str, *, as_of=None, tz=None, window: tuple | None = None) -> str:
    """A workbook's title: the report's, with the window of receipt it covers (`window`: the
    (from, to) texts of received_text) or else the moment it was true at, as a workbook is read
    days later."""
    lo, hi = window or (None, None)
    if lo and hi:
        return labels.t("title.received", lang, title=title, window=f"{lo} – {hi}")
    if lo or hi:
        return labels.t("title.received_from" if lo else "title.received_to", lang, title=title, when=lo or hi)
    return labels.t("title.as_of", lang, title=title, when=moment_text(as_of, tz))


def filtered_title(title: str, query, lang: str) -> str:
    """A list's title with the filters it was asked with (a reports.CaseQuery, read as the list
    read it: filters.filter_values), as a workbook is read away from the command that made it:
    "Complaint cases (Tier: Urgent; overdue)"."""
    from complaintctl.filters import filter_values

    given = filter_values(query)
    parts = [labels.t("filter.is", lang, name=labels.t(name, lang), value=labels.label(given[name], lang, enum))
             for name, enum in (("status", d.Status), ("tier", d.Tier), ("channel", d.Channel), ("product", d.Product))
             if name in given]
    parts += [labels.t("filter.is", lang, name=labels.t(name, lang), value=given[name])
              for name in ("assignee", "branch") if name in given]
    parts += [labels.t(f"filter.{name}", lang) for name in ("overdue", "due_soon", "stale") if name in given]
    if "status" not in given and "open" not in given:
        parts.append(labels.t("filter.all", lang))
    return labels.t("title.filtered", lang, title=title, filters=labels.t("filter.sep", lang).join(parts)) if parts else title


def received_text(ctx, start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """--from and --to as a title says them: read as the window is (sla.received_window), in the
    business zone; a day as its date (--to's last day, not the midnight after it), a time to the
    minute."""
    from complaintctl.context import is_date
    from complaintctl.sla import received_window

    lo, hi = received_window(ctx, start, end)

    def shown(moment, day: bool) -> str | None:
        if moment is None:
            return None
        local = moment.astimezone(ctx.tz)
        return local.strftime("%Y-%m-%d") if day else local.strftime("%Y-%m-%d %H:%M")

    return (shown(lo, start is not None and is_date(start)),
            shown(hi - dt.timedelta(microseconds=1) if hi is not None and is_date(end) else hi,
                  end is not None and is_date(end)))


def count_line(counts: dict[str, int], as_of, tz, lang: str, soon: dict[str, int] | None = None) -> str:
    """The line above the overdue table: the moment (in the business zone `tz`) and a count per tier."""
    parts = [f"{labels.label(t, lang, d.Tier)} {counts.get(t.value, 0)}" for t in d.Tier]
    when = moment_text(as_of, tz)
    total = sum(counts.values())
    line = labels.t("overdue.count_line", lang, when=when, total=total, parts=labels.t("list.sep", lang).join(parts))
    if soon is not None:
        line += "\n" + labels.t("due_soon_count", lang, n=sum(soon.values()))
    return line


def assignee_cell(row: dict, lang: str) -> str:
    """The handler, marked when their role is below the case's tier (reassign it)."""
    name = row.get("assignee") or ""
    return labels.t("assignee.below_tier", lang, name=name) if row.get("below_tier") else name


_DUE = Column("due_at", kind="due")


def due_cell(row: dict, lang: str) -> str:
    """The deadline the clock beside it counts to (clocks.Reading.toward, as rows.CaseRows gives it):
    a paused case's regulatory one, for example, beside "1wd 14h left"; with no clock, the internal
    one, or for a case under review (which has none) the review's 30 days."""
    due = row.get("regulatory_due_at" if row.get("toward") == "regulatory" else "due_at")
    if not due and row.get("status") == d.Status.UNDER_REVIEW.value:
        due = row.get("regulatory_due_at")
    return _due_text(due, lang) if due else ""


@functools.lru_cache(maxsize=4096)  # rows share their deadlines (a report's midnights): each worded once
def _due_text(due, lang: str) -> str:
    return render.cell_text(due, _DUE, lang)


def breach_cell(row: dict, lang: str) -> str:
    breach = row.get("breach")
    return "+".join(labels.t(f"breach.{b}", lang) for b in breach.split("+")) if breach else ""


# A terminal table shows the columns a person scans, in this order; files carry every column.
# When the terminal is too narrow, columns go in the order of their priority, highest number
# first; reference, status, tier, deadline and the clock (priority 0) always stay, whole.
TABLE_PRIORITY = {"reference": 0, "status": 0, "tier": 0, "due_at": 0, "clock": 0,
                  "assignee": 1, "regulatory_due_at": 2, "breach": 3, "stale": 4, "description": 5,
                  "branch": 6, "product": 7, "received_at": 8, "channel": 9}
TABLE_KEYS = ("reference", "status", "tier", "channel", "product", "branch", "assignee", "received_at",
              "due_at", "regulatory_due_at", "clock", "stale", "description")
_TABLE_ONLY = {
    "clock": Column("clock", display=clock_cell, narrow=clock_days_cell, room=clock_room),
    "assignee": Column("assignee", kind="plain", display=assignee_cell),  # a name, and its flag, never cut
    "due_at": Column("due_at", kind="due", display=due_cell),
    "breach": Column("breach", kind="plain", display=breach_cell),
}


def table_columns(columns: list[Column], fmt: str, keys=TABLE_KEYS, extra: dict | None = None) -> list[Column]:
    """The columns of a table (in `keys` order, with their priorities), or every column for a file."""
    if fmt != "table":
        return columns
    from dataclasses import replace

    by_key = {c.key: c for c in columns} | _TABLE_ONLY | (extra or {})
    return [replace(by_key[k], priority=TABLE_PRIORITY.get(k)) for k in keys]


def list_paging(all_rows: bool, limit: int | None, fmt: str, output) -> tuple[int | None, bool]:
    """`list`'s rows shown (None: every one; --all without --limit) and whether a table to stdout
    fetches only those, SQL counting the rest (the full way's cli/cases.py and the lean way's)."""
    shown = None if (all_rows and limit is None) else (limit or render.TABLE_LIMIT)
    return shown, fmt == "table" and output is None and shown is not None


def emit_detail(detail, fmt: str, lang: str) -> None:
    """`show`'s output (the full way's, cli/cases.py, and the lean way's, lean.py): the case as one
    JSON document or drawn as tables, then the warnings on stderr."""
    render.emit_document({"case": detail.case, "clocks": [
        {**{k: v for k, v in c.items() if k != "late_seconds"},
         "span": None if c["span"] is None else {"seconds": int(c["span"].seconds), "working": c["span"].working}}
        for c in detail.clocks], "cycles": detail.cycles, "events": detail.events, "steps": detail.steps},
        fmt, table=lambda: render_detail(detail, lang))
    for w in detail.warnings:
        render.warn(w, lang)


def render_detail(detail, lang: str) -> None:
    """`show`: the record, the clocks, the cycles and the timeline."""
    from rich.table import Table
    from rich.text import Text

    c = detail.case
    L = lambda enum, v: labels.label(v, lang, enum)  # noqa: E731
    pairs = [
        (labels.t("reference", lang), c["reference"]),
        (labels.t("status", lang), L(d.Status, c["status"])),
        (labels.t("tier", lang), L(d.Tier, c["tier"])),
        (labels.t("channel", lang), L(d.Channel, c["channel"])),
        (labels.t("product", lang), L(d.Product, c["product"])),
        (labels.t("category", lang), L(d.Category, c["category"])),
        (labels.t("branch", lang), c["branch"]),
        (labels.t("department", lang), c["department"]),
        (labels.t("assignee", lang), assignee_cell(c, lang)),
        (labels.t("customer", lang), c["customer"]),
        (labels.t("phone", lang), c["phone"]),
        (labels.t("email", lang), c["email"]),
        (labels.t("account", lang), c["account"]),
        (labels.t("received_at", lang), render.cell_text(c["received_at"], Column("x", kind="time"), lang)),
        (labels.t("description", lang), c["description"]),
    ]
    if c.get("co_handlers"):
        pairs.append((labels.t("co_handlers", lang), labels.t("list.enum", lang).join(c["co_handlers"])))
    if len(c.get("departments") or []) > 1:
        pairs.append((labels.t("departments", lang), labels.t("list.enum", lang).join(c["departments"])))
    if c.get("id_number"):
        pairs.append((labels.t("id_document", lang), f'{L(d.IdType, c["id_type"])} {c["id_number"]}'))
    if c.get("agent_name"):
        pairs.append((labels.t("agent", lang), labels.stored_text(c["agent_name"], lang) +
                      labels.t("paren", lang, text=labels.stored_text(c["agent_authority"], lang))))
    if c.get("complained_staff"):
        pairs.append((labels.t("complained_staff", lang), c["complained_staff"]))
    if c.get("request"):
        pairs.append((labels.t("request", lang), c["request"]))
    if c["related"]:
        pairs.append((labels.t("show.related", lang), c["related"]))
    if c["resolution"]:
        pairs += [(labels.t("resolution", lang), c["resolution"]),
                  (labels.t("root_cause", lang), L(d.Category, c["root_cause"]))]
        for key in ("decision_facts", "decision_basis"):
            if c.get(key):
                pairs.append((labels.t(key, lang), c[key]))
        if c.get("relief"):
            pairs.append((labels.t("relief", lang), labels.t("list.enum", lang).join(L(d.Relief, r) for r in c["relief"])))
        if c.get("decided_at"):
            pairs.append((labels.t("decided_at", lang), render.cell_text(c["decided_at"], Column("x", kind="time"), lang)))
        if c["resolved_at"]:  # a reopened case keeps its last decision, but is not resolved now
            told = render.cell_text(c["resolved_at"], Column("x", kind="time"), lang)
            if c.get("notified_via"):
                told += labels.t("paren", lang, text=L(d.NotifiedVia, c["notified_via"]))
            pairs.append((labels.t("resolved_at", lang), told))
    if c["satisfaction"]:
        pairs.append((labels.t("satisfaction", lang), L(d.Satisfaction, c["satisfaction"])))
    if c["paused_at"]:
        pairs.append((labels.t("show.paused", lang), render.cell_text(c["paused_at"], Column("x", kind="time"), lang) + labels.t("paren", lang, text=L(d.PauseReason, c["pause_reason"]))))
    if c.get("regulatory_extension_days"):
        pairs.append((labels.t("regulatory_period_days", lang),
                       labels.t("extended_days", lang, n=c["regulatory_period_days"])))
    if c.get("repeat_count"):
        pairs.append((labels.t("repeat_count", lang), str(c["repeat_count"])))
    if c.get("review_requested_at"):
        review = labels.t("show.review_by", lang, at=c["review_requested_at"][:16].replace("T", " "), who=c["reviewer"])
        if c.get("review_outcome"):
            review += labels.t("show.review_outcome", lang, outcome=L(d.ReviewOutcome, c["review_outcome"]))
        pairs.append((labels.t("review", lang), review))
    if c.get("withdrawn_at"):
        pairs.append((labels.t("withdrawn_at", lang), render.cell_text(c["withdrawn_at"], Column("x", kind="time"), lang)))
    render.print_record([(k, labels.stored_text(v, lang)) for k, v in pairs], title=f'{c["reference"]}')
    out = render.console()
    clocks = Table(title=labels.t("show.clocks", lang), header_style="bold")
    for h in ("clock", "due_at", "state"):
        clocks.add_column({"clock": labels.t("show.clock", lang), "due_at": labels.t("due_at", lang),
                           "state": labels.t("status", lang)}[h])
    names = {"internal": "clock.internal", "regulatory": "clock.regulatory", "review": "clock.review",
             "response": "clock.response",
             "followup": "clock.followup"}
    for k in detail.clocks:
        state = labels.t(k["state"], lang) if k["state"] in ("met", "breached", "stopped", "closed") else ""
        style = None
        if k["span"] is not None:
            # in the words of list's and the reports' clock: "2wd 16h left", "late 184wd 7h"
            # In list's and the reports' words: "2wd 16h left", "late 62d 21h (40wd 21h)", a plan "late 1d 5h".
            state = labels.t("clock.left", lang, left=labels.duration(k["span"].seconds, lang, working=k["span"].working)) \
                if k["state"] == "left" else _late_text(k["span"], k["late_seconds"], lang)
            style = "red" if k["state"] == "overdue" else None
        elif k["state"] == "breached":
            style = "red"
        due = render.cell_text(k["due_at"], Column("due_at", kind="due"), lang)
        name = labels.t(names[k["clock"]], lang, n=c.get("regulatory_period_days", 15)) \
            if k["clock"] == "regulatory" else labels.t(names[k["clock"]], lang)
        clocks.add_row(Text(name), Text(due), Text(state), style=style)
    out.print(clocks)
    if detail.steps:
        out.print(Text(labels.t("title.counting", lang), style="bold"))
        for step in detail.steps:  # a wrapped step keeps its indent, and no line ends in blanks
            for line in Text(step).wrap(out, max(out.width - 2, 20)):
                line.rstrip()
                out.print(Text("  ") + line, soft_wrap=True)
    if len(detail.cycles) > 1 or any(cy["internal_breached"] or cy["regulatory_breached"] for cy in detail.cycles):
        cyc = Table(title=labels.t("show.cycles", lang), header_style="bold")
        for h in ("#", labels.t("opened_by", lang), labels.t("tier", lang), labels.t("show.opened", lang), labels.t("due_at", lang),
                  labels.t("resolved_at", lang), labels.t("breach", lang)):
            cyc.add_column(h)
        for cy in detail.cycles:
            flags = [x for x, on in (("internal", cy["internal_breached"]), ("response", cy["response_breached"]),
                                     ("regulatory", cy["regulatory_breached"])) if on]
            cyc.add_row(str(cy["number"]), labels.t("opened_by." + cy.get("opened_by", "log"), lang), L(d.Tier, cy["tier"]),
                        render.cell_text(cy["opened_at"], Column("x", kind="time"), lang),
                        render.cell_text(cy["due_at"] or (cy["regulatory_due_at"] if cy.get("opened_by") == "review"
                                                          else None), Column("x", kind="due"), lang),  # a review's 30 days
                        render.cell_text(cy["resolved_at"], Column("x", kind="time"), lang),
                        labels.t("list.enum", lang).join(labels.t(f"breach.{f}", lang) for f in flags))
        out.print(cyc)
    tl = Table(title=labels.t("title.timeline", lang), header_style="bold")
    for h in ("when", "actor", "action", "detail"):
        # The time as wide as a time (its recorded-at aside wraps under it): the room goes to the detail.
        # (The action's name wraps at 12 cells, the letter's long Chinese name on two lines, so that at
        # 80 columns a detail's regulatory deadline is not folded inside its date.)
        tl.add_column(labels.t(h, lang), overflow="fold", max_width={"when": 18, "action": 12}.get(h))
    import datetime as dt

    tz = dt.datetime.fromisoformat(c["received_at"]).tzinfo
    # In the order things happened (a step recorded late, `--at`, among the steps it came between;
    # its recorded time under it); --json keeps the trail's own order, the order of the chain.
    for e in sorted(detail.events, key=lambda e: (dt.datetime.fromisoformat(e["occurred_at"]), e["id"])):
        parts = []
        if e["new"]:
            parts.append(event_fields(e["new"], tz, lang))
        if e["detail"]:
            parts.append(labels.event_detail(e["action"], e["detail"], lang))
        when = render.cell_text(e["occurred_at"], Column("x", kind="time"), lang)
        if e["recorded_at"][:16] != e["occurred_at"][:16]:
            when += "\n" + labels.t("paren", lang, text=labels.t("show.recorded", lang, when=render.cell_text(e["recorded_at"], Column("x", kind="time"), lang))).lstrip()
        tl.add_row(Text(when), Text(render.terminal_safe(labels.actor_text(e["actor"], lang))), Text(labels.label(e["action"], lang, d.Action)),
                   Text(render.terminal_safe("\n".join(p for p in parts if p))))
    out.print(tl)


# What an event records that a person reading the timeline needs no line for: the case's own
# record above says it (description, receipt, reference), or it is bookkeeping for the reports.
_EVENT_SKIP = {"description", "received_at", "calendar", "reference", "cycle_working_seconds"}
_EVENT_ENUMS = {**labels.FIELDS, "root_cause": d.Category, "paused_from": d.Status}


def event_fields(new: dict, tz, lang: str) -> str:
    """What an event changed, for show's timeline, one field a line (a long Chinese line would
    otherwise be folded inside a date): each field by its name and each value as a person reads it (a choice by its label, a flag yes or no, a time in the business zone, a
    deadline that ends a day as 24:00 of that day), in the language of the output."""
    import datetime as dt

    def value(key: str, v) -> str:
        if key.endswith("_seconds") and isinstance(v, (int, float)):  # a length of time
            return labels.duration(v, lang, working="working" in key)
        if isinstance(v, bool):
            return labels.t("yes" if v else "no", lang)
        enum = _EVENT_ENUMS.get(key)
        if enum is not None and isinstance(v, str):
            return labels.t("list.enum", lang).join(labels.label(x, lang, enum) for x in v.split(","))
        if key == "language" and v in labels.LANGS:  # a letter's language, by its name
            return labels.t("language." + v, lang)
        if isinstance(v, list) and v and isinstance(v[0], dict):  # an import's cycles: how many
            return str(len(v))
        if key == "anonymised" and isinstance(v, list):  # a purge's fields, by their names
            return labels.t("list.enum", lang).join(labels.t(x, lang) for x in v)
        if isinstance(v, list):
            return labels.t("list.enum", lang).join(str(labels.stored_text(x, lang)) for x in v)
        if isinstance(v, str) and len(v) >= 19 and v[4] == "-" and v[10] == "T":
            try:  # times in events are stored in UTC
                moment = dt.datetime.fromisoformat(v).astimezone(tz)
            except ValueError:
                return v
            return render.cell_text(moment.isoformat(), Column(key, kind="due" if key.endswith("due_at") else "time"), lang)
        return str(labels.stored_text(v, lang))

    return "\n".join(labels.t("show.field", lang, name=labels.t(k, lang), value=value(k, v))
                    for k, v in new.items() if k not in _EVENT_SKIP and v is not None
                    and not (k.endswith(("_seconds", "_breached")) and not v))  # nothing paused or missed: unsaid


SLA_COLUMNS = ["resolved", "within_internal_pct", "within_regulatory_pct", "first_time_resolution_pct",
               "reopen_pct", "median_working_days", "p90_working_days", "urgent_response_pct", "reviews_decided",
               "reviews_within_30_days_pct"]


def _sla_header(key: str, lang: str) -> str:
    pair = labels.SLA_HEADERS.get(key)
    return labels.pick(pair, lang) if pair else labels.t(key, lang)


def group_column(key: str, enum=None) -> Column:
    """The first column of a report grouped by `key`, whose last row is the TOTAL: in a table that
    row reads as the word for a total in the table's language (labels: total), and the group of
    cases with none (no department, no assignee) as the word for none; CSV and JSON keep the key
    TOTAL and the empty group."""
    plain = Column(key, enum=enum)

    def shown(row: dict, lang: str) -> str:
        value = row.get(key)
        if value == "TOTAL":
            return labels.t("total", lang)
        if value in (None, ""):
            return labels.t("group.none", lang)
        return render.cell_text(value, plain, lang)
    return Column(key, enum=enum, display=shown, priority=0)  # (what the row is of: never cut)


def emit_sla(rep: dict, fmt: str, lang: str, *, output=None, excel: bool = False) -> None:
    """report sla's rows as cli/reports.py and the lean report (lean.py) write them, and a table's
    line of open cases in breach."""

    by = rep["by"]
    cols = [group_column(by, labels.FIELDS.get(by))] + [
        Column(k, kind="percent" if k.endswith("pct") else "number", header=_sla_header(k, lang)) for k in SLA_COLUMNS]
    window = f'{rep["from"][:10]} – {rep["to"][:10]}' + (
        labels.t("paren", lang, text=labels.t("sla.this_month", lang)) if rep["this_month"] else "")
    with render.one_file(output if fmt == "table" else None):  # a table's line below it goes into the file too
        render.emit(rep["rows"], cols, fmt=fmt, output=output, excel=excel, lang=lang,
                    title=f'{labels.t("title.sla", lang)} {window}', limit=None, formats=render.SHEET_FORMATS,
                    tab=labels.t("title.sla", lang),
                    empty=labels.t("sla.none_resolved", lang, window=window))  # which window, when it is empty
        if fmt == "table":
            render.line(labels.t("sla.open_breached", lang, n=rep["open_breached"]), output)


DUE_SOON_KEYS = ("reference", "tier", "status", "product", "branch", "assignee", "received_at", "due_at",
                 "regulatory_due_at", "clock")


def emit_due_soon(rows, fmt: str, lang: str, limit: int | None, *, output=None, excel: bool = False,
                  as_of=None, tz=None) -> None:
    """report due-soon's rows as cli/reports.py and the lean report (lean.py) write them; a
    workbook's title names the moment (`as_of`, shown in `tz`) its list was true at."""
    name = labels.t("title.due_soon", lang)
    title = sheet_title(name, lang, as_of=as_of, tz=tz) if fmt == "xlsx" and as_of is not None else name
    render.emit(rows, table_columns(LIST_COLUMNS, fmt, DUE_SOON_KEYS), fmt=fmt, output=output, excel=excel,
                lang=lang, title=title, tab=name, limit=limit, formats=render.SHEET_FORMATS)


def emit_aging(rows: list[dict], fmt: str, lang: str, *, output=None, excel: bool = False, as_of: str,
               asked: bool = True) -> None:
    """report aging's table (rows.aging_table) as cli/reports.py and the lean report (lean.py) write it;
    `as_of` (ISO, in the business zone): the moment it was true at, which the title names when it
    was asked for (a date typed alone is its 00:00, which a reader comparing month ends needs to
    see), and in a workbook always (read days later)."""
    as_of = as_of if asked or fmt == "xlsx" else None
    from complaintctl.rows import AGE_BUCKETS, bucket_name

    names = [bucket_name(lo, hi) for lo, hi in AGE_BUCKETS]
    cols = [group_column("tier", d.Tier)] + [Column(n, kind="number", header=n) for n in names] + [
        Column("total", kind="number")]
    title = labels.t("title.aging", lang) if as_of is None else labels.t(
        "title.aging_as_of", lang, when=render.cell_text(as_of, Column("as_of", kind="time"), lang))
    render.emit(rows, cols, fmt=fmt, output=output, excel=excel, lang=lang, title=title, limit=None,
                formats=render.SHEET_FORMATS, tab=labels.t("title.aging_tab", lang))


def emit_late_entries(rows: list[dict], fmt: str, lang: str, *, output=None, excel: bool = False) -> None:
    """report late-entries: each step with when it happened, when it was recorded, the deadline it
    was recorded after (in a table: which, in words, and by how long)."""
    # At 80 columns the step, its two times and how late it was entered stay; the branch goes first.
    # Who recorded it and which deadline are whole or not there (never cut to a name's first letters).
    cols = [Column("reference", priority=0), Column("branch", priority=7), Column("action", enum=d.Action, priority=1),
            Column("actor", kind="plain", priority=4, display=lambda row, lang: labels.actor_text(row["actor"], lang)),
            Column("occurred_at", kind="time", priority=1),
            Column("recorded_at", kind="time", priority=1),
            Column("deadline", kind="plain", priority=5, display=lambda row, lang: labels.t("list.enum", lang).join(
                labels.t(f"breach.{x}", lang) for x in row["deadline"].split("+"))),
            Column("due_at", kind="due", priority=6),
            Column("recorded_after_seconds", kind="number", priority=2,
                   display=lambda row, lang: labels.duration(row["recorded_after_seconds"], lang))]
    render.emit(rows, cols, fmt=fmt, output=output, excel=excel, lang=lang, title=labels.t("title.late_entries", lang),
                limit=None, empty=labels.t("late_entries.none", lang), formats=render.SHEET_FORMATS,
                tab=labels.t("title.late_entries_tab", lang))


def emit_summary(rep: dict, fmt: str, lang: str, *, output=None, excel: bool = False) -> None:
    """report summary as cli/reports.py and the lean report (lean.py) write it: csv and jsonl the
    table of counts; a table of it, the root causes and the repeat complainants; or one JSON document
    with every section."""
    cols = [Column(dim, enum=labels.FIELDS.get(dim)) for dim in rep["by"]] + [
        Column("received", kind="number", header=labels.t("summary.received", lang)),
        Column("withdrawn", kind="number", header=labels.t("col.withdrawn", lang)),
        Column("repeats", kind="number", header=labels.t("col.repeats", lang)),
        Column("previous", kind="number", header=labels.t("summary.previous", lang)),
        Column("change", kind="number", header=labels.t("summary.change", lang)),
        Column("change_pct", kind="percent", header=labels.t("summary.change_pct", lang)),
    ]
    if fmt in ("csv", "jsonl", "xlsx"):  # rows only: the table of counts
        render.emit(rep["rows"], cols, fmt=fmt, output=output, excel=excel, lang=lang,
                    title=f'{labels.t("title.summary", lang)} {rep["from"][:10]} – {rep["to"][:10]}',
                    formats=render.SHEET_FORMATS, tab=labels.t("title.summary", lang))
        return

    def table() -> None:  # the counts, the root causes and the repeat complainants (into one --output file)
        with render.one_file(output):
            render.emit(rep["rows"], cols, lang=lang, limit=None, output=output,
                        title=f'{labels.t("title.summary", lang)} {rep["from"][:10]} – {rep["to"][:10]}',
                        empty=labels.t("summary.none", lang))
            render.emit(rep["root_causes"], [Column("root_cause", enum=d.Category), Column("resolved", kind="number",
                        header=labels.t("summary.resolved", lang))], lang=lang, limit=None, output=output,
                        title=labels.t("summary.top_causes", lang), keep_empty=True)
            render.emit(rep["repeat_complainants"], [Column("kind", display=lambda row, lang: labels.t(row["kind"], lang)),
                                                     Column("contact"), Column("cases", kind="number")],
                        lang=lang, limit=None, output=output, title=labels.t("summary.repeaters", lang), keep_empty=True)

    render.emit_document(rep, fmt, table=table, output=output)  # json: one document with every section


# In a narrow table the least needed go first (priority: 0 never dropped, higher dropped first).
ACTION_COLUMNS = [
    Column("id", kind="number", priority=0), Column("title", max_width=40, priority=1),
    Column("root_cause", enum=d.Category, priority=5), Column("product", enum=d.Product, priority=8),
    Column("owner", priority=2), Column("due_on", priority=0), Column("status", enum=d.ActionStatus, priority=3),
    Column("days_late", kind="number", priority=2), Column("cases", kind="plain", priority=7),
    Column("done_at", kind="time", priority=6), Column("evidence", max_width=30, priority=9),
]


def action_columns(fmt: str) -> list[Column]:
    if fmt == "table":
        return [c for c in ACTION_COLUMNS if c.key != "evidence"]
    return ACTION_COLUMNS + [Column("late", kind="bool"), Column("created_by"), Column("created_at", kind="time")]


def table_rows(rows):
    """Rows for a table: the linked cases as one cell of whole references (the first two, then how
    many more: a reference is never cut; CSV and JSON list them all); no "0 days late"."""
    for r in rows:
        refs = r["cases"]
        cell = ", ".join(refs[:2]) + (f" +{len(refs) - 2}" if len(refs) > 2 else "")
        yield {**r, "cases": cell, "days_late": r["days_late"] or None}


def emit_late_actions(rows: list[dict], lang: str, output=None) -> None:
    """The overdue report's own section for remediation actions past their due date (the table only:
    csv and json carry cases; 'action list --overdue' gives the actions in every format); nothing
    when there are none."""
    rows = list(table_rows(rows))
    if rows:
        keys = ("id", "title", "root_cause", "owner", "due_on", "days_late", "cases")
        render.emit(rows, [c for c in action_columns("table") if c.key in keys], lang=lang, limit=None, output=output,
                    title=labels.t("title.late_actions", lang) + labels.t("paren", lang, text=len(rows)))


# The quarterly return (report regulatory), as both ways write it ------------------------------

RETURN_FORMATS = ("table", "csv", "json", "xlsx")


def check_return(fmt: str, output, quarter: str | None, month: str | None, excel: bool = False) -> None:
    """report regulatory's options checked before the database is opened (or created): the format,
    --excel (CSV only, as everywhere), an xlsx's file, and the period as typed."""
    from complaintctl import return_figures
    from complaintctl.errors import InvalidValue, UserError

    if fmt not in RETURN_FORMATS:
        raise InvalidValue("--format", labels.typed_choice(fmt, RETURN_FORMATS), "acc.one_of", choices=RETURN_FORMATS)
    if excel and fmt != "csv":
        raise UserError("err.excel_csv_only", fmt=fmt)
    render.check_suffix(fmt, output)
    if fmt == "xlsx" and output is None:
        raise UserError("err.xlsx_needs_output")
    if quarter is not None:
        return_figures.parse_quarter(quarter)
    if month is not None:
        return_figures.parse_month(month)


def emit_return(rep: dict, fmt: str, lang: str, ctx, output, excel: bool, db: str | None = None) -> None:
    """The return in its format: JSON, a workbook (Chinese headers), every figure a CSV row, or tables;
    a period not yet over is said to be one, on stderr (its figures are as of now). `db`: the --db
    the run was given, which the late entries' command names too (so that it reads this database)."""
    _unfinished(rep["quarter"], rep["from"], rep["to"], ctx.now, lang)
    if fmt == "json":
        render.write_json(rep, output)
    elif fmt == "xlsx":
        render.write_xlsx(output, return_sheets(rep, ctx, db))
    elif fmt == "csv":
        render.emit(return_long_rows(rep), [Column(k) for k in RETURN_LONG_KEYS], fmt="csv", output=output,
                    excel=excel)
    else:
        _return_tables(rep, lang, output, ctx.code_book, db)


def _return_tables(rep: dict, lang: str, output, book, db: str | None = None) -> None:
    """The return drawn as tables: to stdout, or every one of them into one --output file. The
    codes' names in the output's language (`book`, the code table's): the figures' own (JSON, CSV,
    the workbook) keep the standard's Chinese names."""
    from complaintctl.return_figures import HANDLING_MEASURES as HANDLING_KEYS  # counted there, in this order

    with render.one_file(output):
        scope = labels.t("paren", lang, text=return_scope(rep, lang)) if rep["branch"] or rep["region"] else ""
        render.line(labels.t("title.return", lang, quarter=rep["quarter"]) + scope + "  "
                    + labels.t("return.window", lang, lo=rep["from"][:10], hi=rep["to"][:10]), output)
        # The codes' headers short in a terminal (labels col.*): every column of this table stays, at 80 too.
        def name(code_key: str):  # a code's name in the table's language, from the row's code
            return lambda row, lang: book.name(row[code_key], lang)

        # (a name may be cut, evenly with the other, to fit the width; the codes and the count never are)
        render.emit(rep["by_type_reason"], [Column(k, kind="number" if k == "received" else "text",
                                                   priority=2 if k.endswith("_name") else 0,
                                                   header=labels.t("col." + k, lang) if k.endswith("_code") else None,
                                                   display=name(k.replace("_name", "_code")) if k.endswith("_name")
                                                   else None)
                                            for k in ("business_code", "business_name", "reason_code", "reason_name",
                                                      "received")],
                    lang=lang, limit=None, output=output, title=labels.t("title.by_type_reason", lang), keep_empty=True)
        render.emit(rep["by_channel"], [Column("channel_code"), Column("channel_name", display=name("channel_code")),
                                        Column("received", kind="number")],
                    lang=lang, limit=None, output=output, title=labels.t("title.by_channel", lang), keep_empty=True)
        # Three tables a dimension, so that every figure fits an 80-column terminal.
        for dim, rows in (("branch", rep["by_branch"]), ("region", rep["by_region"])):
            for part, keys in zip(("", "_more", "_other"), (HANDLING_KEYS[:5], HANDLING_KEYS[5:11], HANDLING_KEYS[11:])):
                # (the third table's title says what came before the period: its columns keep their short names)
                render.emit(_return_rows(rows, dim, lang), [Column(dim, priority=0)] + [
                                Column(k, kind="number", priority=i + 1, header=labels.t(k.removeprefix("other_"), lang))
                                for i, k in enumerate(keys)],
                            lang=lang, limit=None, output=output, title=labels.t(f"title.by_{dim}{part}", lang),
                            keep_empty=True)
        if output is None:  # the words wrapped to the terminal, the command on a line of its own (to copy whole)
            for text in render.wrap_cells(labels.t("return.late_entries", lang, n=rep["late_entries"]),
                                          render.table_width()):
                render.line(text)
            for text in render.shell_lines(late_entries_words(rep, db), render.table_width()):
                render.line(text)
        else:  # a file: one line
            render.line(_late_entries_line(rep, lang, db), output)


def late_entries_words(rep: dict, db: str | None = None) -> list[str]:
    """The command that lists the late entries a return counts, word by word as typed: its period,
    by the steps' dates, on the database the return read when it was named by --db (`db`, its
    password shown as ***)."""
    import re
    import shlex

    def typed(name: str) -> str:  # quoted only where a shell would split or read it (not for Chinese)
        return shlex.quote(name) if re.search(r"[\s'\"$`\\;&|<>()*?!#~{}\[\]]", name) else name

    from complaintctl.stored import without_password

    where = ["--db", typed(without_password(db))] if db else []  # (a return is handed on: never its password)
    scope = ["--branch", typed(rep["branch"])] if rep["branch"] else \
        ["--region", typed(rep["region"])] if rep["region"] else []
    return ["complaintctl", *where, "report", "late-entries", "--dated", "--from", rep["from"][:10],
            "--to", rep["to"][:10], *scope]


def _late_entries_line(rep: dict, lang: str, db: str | None = None) -> str:
    said = labels.t("return.late_entries", lang, n=rep["late_entries"])
    command = " ".join(late_entries_words(rep, db))
    return f"{said}{' ' if said[-1].isascii() else ''}{command}"  # (no space after a full-width colon)


def return_scope(rep: dict, lang: str) -> str:
    """What a return covers, in words: every branch, one branch or one region (--branch, --region)."""
    if rep["branch"]:
        return labels.t("return.scope_branch", lang, branch=rep["branch"])
    if rep["region"]:
        return labels.t("return.scope_region", lang, region=rep["region"])
    return labels.t("return.all_branches", lang)


def _return_rows(rows: list[dict], dim: str, lang: str) -> list[dict]:
    """Branch or region rows as a person reads them: the total and the unlisted region named."""
    named = {"TOTAL": labels.t("total", lang), "": labels.t("region.none", lang)} if dim == "region" else \
        {"TOTAL": labels.t("total", lang)}
    return [{**r, dim: named.get(r[dim], r[dim])} for r in rows]


RETURN_LONG_KEYS = ("quarter", "table", "branch", "code", "name", "reason_code", "reason_name", "measure", "value")


def return_long_rows(rep: dict):
    """Every figure of the return as one CSV row (tidy: table, who, what, measure, value)."""
    from complaintctl.return_figures import HANDLING_MEASURES as HANDLING_KEYS  # counted there, in this order

    q, scope = rep["quarter"], rep["branch"] or rep["region"] or ""
    for r in rep["by_type_reason"]:
        yield {"quarter": q, "table": "type_reason", "branch": scope, "code": r["business_code"],
               "name": r["business_name"], "reason_code": r["reason_code"], "reason_name": r["reason_name"],
               "measure": "received", "value": r["received"]}
    for r in rep["by_channel"]:
        yield {"quarter": q, "table": "channel", "branch": scope, "code": r["channel_code"], "name": r["channel_name"],
               "reason_code": None, "reason_name": None, "measure": "received", "value": r["received"]}
    for r in rep["by_branch"]:
        for k in HANDLING_KEYS:
            yield {"quarter": q, "table": "branch", "branch": r["branch"], "code": None, "name": r["region"] or None,
                   "reason_code": None, "reason_name": None, "measure": k, "value": r[k]}
    for r in rep["by_region"]:
        for k in HANDLING_KEYS:
            yield {"quarter": q, "table": "region", "branch": None, "code": None, "name": r["region"] or None,
                   "reason_code": None, "reason_name": None, "measure": k, "value": r[k]}
    yield {"quarter": q, "table": "notes", "branch": scope, "code": None, "name": None, "reason_code": None,
           "reason_name": None, "measure": "late_entries", "value": rep["late_entries"]}


def return_sheets(rep: dict, ctx, db: str | None = None) -> list:
    """The return as workbook sheets, Chinese headers: the B x C matrix with totals (every code of
    the table, zeros included), the channels, the branches, and the notes."""
    from complaintctl.return_figures import HANDLING_MEASURES as HANDLING_KEYS  # counted there, in this order

    book = ctx.code_book
    zh = labels.ZH
    t = lambda k, **kw: labels.t(k, zh, **kw)  # noqa: E731
    counts = {(r["business_code"], r["reason_code"]): r["received"] for r in rep["by_type_reason"]}
    b_codes = sorted(set(book.codes("B")) | {b for b, _ in counts})
    c_codes = sorted(set(book.codes("C")) | {c for _, c in counts})
    matrix = []
    for b in b_codes:
        row = [counts.get((b, c), 0) for c in c_codes]
        matrix.append([b, book.name(b, zh), *row, sum(row)])
    totals = [sum(counts.get((b, c), 0) for b in b_codes) for c in c_codes]
    matrix.append(["", t("total"), *totals, sum(totals)])
    headers = [t("business_code"), t("business_name"), *[f"{c} {book.name(c, zh)}" for c in c_codes], t("total")]
    channels = {r["channel_code"]: r["received"] for r in rep["by_channel"]}
    channel_rows = [[a, book.name(a, zh), n] for a, n in book.with_subtotals(channels, "A")]  # a class: its subclasses'
    channel_rows.append(["", t("total"), sum(channels.values())])
    branch_rows = [[t("total") if r["branch"] == "TOTAL" else r["branch"],
                    "" if r["branch"] == "TOTAL" else (r["region"] or t("region.none")),
                    *[r[k] for k in HANDLING_KEYS]] for r in rep["by_branch"]]
    region_rows = [[row["region"], *[r[k] for k in HANDLING_KEYS]] for row, r in
                   zip(_return_rows(rep["by_region"], "region", zh), rep["by_region"])]
    notes = [[t("return.quarter" if "Q" in rep["quarter"] else "return.month"), rep["quarter"]],
             [t("return.scope"), return_scope(rep, zh)],
             [t("return.window", lo=rep["from"][:10], hi=rep["to"][:10]), ""],
             # (a date-time cell, in the business zone: a workbook holds no offset)
             [t("return.generated"), ctx.now.astimezone(ctx.tz).replace(tzinfo=None, microsecond=0)],
             [t("return.late_entries_head"), _late_entries_line(rep, zh, db)],
             # A period not over is its figures so far: said in the workbook too, not only on stderr.
             *([[t("return.unfinished_head"), said]] if (said := unfinished_text(
                 rep["quarter"], rep["from"], rep["to"], ctx.now, zh)) else []),
             [t("title.notes"), t("return.definitions")],
             ["JR/T 0169-2018", t("code.unverified") + ": " + ", ".join(
                 c for c in sorted(book.names) if book.source(c) != "standard")]]
    return [
        (t("title.by_type_reason"), headers, matrix),
        (t("title.by_channel"), [t("channel_code"), t("channel_name"), t("received")], channel_rows),
        (t("title.by_branch"), [t("branch"), t("region"), *[t(k) for k in HANDLING_KEYS]], branch_rows),
        (t("title.by_region"), [t("region"), *[t(k) for k in HANDLING_KEYS]], region_rows),
        (t("title.notes"), [t("title.notes"), ""], notes),
    ]


def _unfinished(period: str, first: str, last: str, now, lang: str, partial: str = "return.partial") -> None:
    """Say on stderr that a period (its first and last moments, ISO) has not begun at `now`, or is
    not over (`partial`: the words for it): its figures are as of now, not the period's."""
    said = unfinished_text(period, first, last, now, lang, partial)
    if said:
        render.warn(said, lang)


def unfinished_text(period: str, first: str, last: str, now, lang: str, partial: str = "return.partial") -> str | None:
    """The words that a period has not begun at `now`, or is not over; None when it is over."""
    import datetime as dt

    start, end = (dt.datetime.fromisoformat(x) for x in (first, last))
    if start > now:
        return labels.t("return.not_begun", lang, period=period, day=first[:10])
    if end >= now:
        return labels.t(partial, lang, period=period, day=last[:10])
    return None


def emit_monthly(data: dict, fmt: str, lang: str, output, config) -> None:
    """The monthly report: its figures as JSON, or the one self-contained HTML page headed by the
    bank's name from `config` (and, for a file, the line that says where it went); a month not begun
    or not over is said to be one, on stderr (its figures as of `as_of`, the present)."""
    import datetime as dt

    as_of = dt.datetime.fromisoformat(data["as_of"])
    if as_of < dt.datetime.fromisoformat(data["to"]):  # (as_of is the month's end once it is over)
        _unfinished(data["month"], data["from"], data["to"], as_of, lang, "monthly.partial")
    render.check_suffix(fmt, output)
    if fmt == "json":
        render.write_json(data, output)
        return
    from complaintctl import monthly

    bank = " ".join(x for x in (config["bank.name"], config["bank.branch_name"]) if x)
    page = monthly.render_html(data, lang, bank=bank)
    with render.destination(output) as fh:
        fh.write(page)
    if output is not None:
        render.message(labels.t("msg.written", lang, path=str(output)))
