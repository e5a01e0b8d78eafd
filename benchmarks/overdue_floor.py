"""The floor of `report overdue --all` for any design in Python (run by benchmarks/tables.py).

Standard library only: Python starts, sqlite3 runs a plain overdue query (OVERDUE_SQL below: the
clock rules without working time, kept here since run.py now times the tool's own compiled query),
and each row is written as a fixed-width
line with its deadlines in the business zone and how late it is in calendar time. No working-day
arithmetic, masking or labels: what is left is the cost of starting Python, fetching the rows and
writing them, which no implementation of the command in Python can go under.

    python benchmarks/overdue_floor.py DB AS_OF_UTC
"""
import datetime as dt
import sqlite3
import sys
import zoneinfo



def overdue_sql(as_of_utc: str) -> str:
    """Open cases past their internal or regulatory deadline at the moment, not paused before it,
    in the order the report lists them (calendar-time comparison only: a floor, not the rule)."""
    return ("SELECT id, reference, status, tier, channel, product, category, branch, assignee, customer, phone, "
            "account, description, received_at, due_at, regulatory_due_at, first_response_due_at FROM cases "
            "WHERE status IN ('received','assigned','in_progress','paused','reopened') AND "
            f"((due_at <= '{as_of_utc}' AND (paused_at IS NULL OR due_at <= paused_at)) OR "
            f"(regulatory_due_at <= '{as_of_utc}' AND NOT (pause_reason = 'appraisal' AND paused_at IS NOT NULL "
            "AND regulatory_due_at > paused_at))) ORDER BY CASE WHEN due_at IS NOT NULL AND due_at < regulatory_due_at "
            "THEN due_at ELSE regulatory_due_at END, id;")


db, as_of = sys.argv[1], sys.argv[2]
zone = zoneinfo.ZoneInfo("Asia/Shanghai")
now = dt.datetime.fromisoformat(as_of)
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
out = sys.stdout
parse = dt.datetime.fromisoformat
utc = dt.timezone.utc
out.write(f"{'Reference':<14} {'Tier':<10} {'State':<9} {'Assignee':<9} {'Due':<16}  {'Regulatory due':<16}  Late\n")
for row in con.execute(overdue_sql(as_of)):
    due = parse(row[14]) if row[14] else parse(row[15])
    late = now - due
    local = due.replace(tzinfo=utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    reg = parse(row[15]).replace(tzinfo=utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    out.write(f"{row[1]:<14} {row[3]:<10} {row[2]:<9} {row[8] or '':<9} {local:<16}  {reg:<16}  "
              f"late {late.days}d {late.seconds // 3600}h\n")
