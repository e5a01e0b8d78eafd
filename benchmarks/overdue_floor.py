"""The floor of `report overdue --all` for any design in Python (run by benchmarks/tables.py).

Standard library only: Python starts, sqlite3 runs the overdue query (the benchmark's copy of the
clock module's SQL, benchmarks/run.py's overdue_sql), and each row is written as a fixed-width
line with its deadlines in the business zone and how late it is in calendar time. No working-day
arithmetic, masking or labels: what is left is the cost of starting Python, fetching the rows and
writing them, which no implementation of the command in Python can go under.

    python benchmarks/overdue_floor.py DB AS_OF_UTC
"""
import datetime as dt
import sqlite3
import sys
import zoneinfo

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from run import overdue_sql  # noqa: E402

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
