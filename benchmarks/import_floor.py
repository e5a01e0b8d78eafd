"""The floor of an import's Python side for any design in Python (issue 16's 20,000 rows/s).

Standard library only: the CSV file benchmarks/run.py writes for `import` (received_at, channel,
product, category, tier, description, phone, closed_at, branch) is read, and each row is made into
the rows an import stores with the least work that still does every kind of step the tool does:
two times read in the business zone and written as stored text, deadlines remembered per day (in
calendar days here, not working days), the phone masked, the event's JSON, the salted digest of the
full values and the chained event hash (two SHA-256s), and the tuples of a case (36 columns), a
cycle, an event and three personal_data rows. No validation of codes or free text, no masking of
free text, no working-time arithmetic, no SQLAlchemy types: what is left is the cost of Python
reading a row and building those tuples, which no implementation in Python goes under. SQLite's own
share (inserting the tuples) is timed by run.py's insert floors.

    python benchmarks/import_floor.py FILE.csv
"""
import csv
import datetime as dt
import hashlib
import json
import os
import sys
import time
import zoneinfo

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def stored(value: dt.datetime | None) -> str | None:
    """An aware time as SQLite stores it: naive UTC text."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def build(path: str) -> tuple[int, float]:
    """Every row of the file built into its tuples; returns the rows and the CPU seconds."""
    started = time.process_time()
    cases, cycles, events, personal = [], [], [], []
    deadlines: dict = {}
    prev = "0" * 64
    now = stored(dt.datetime.now(UTC))
    with open(path, newline="", encoding="utf-8") as fh:
        records = csv.reader(fh)
        next(records)
        for number, (received, channel, product, category, tier, description, phone, closed, branch) in \
                enumerate(records, 2):
            at = dt.datetime.fromisoformat(received).replace(tzinfo=ZONE)
            done = dt.datetime.fromisoformat(closed).replace(tzinfo=ZONE) if closed else None
            day = at.date()
            due = deadlines.get((day, tier))
            if due is None:
                end = dt.datetime.combine(day, dt.time(), ZONE)
                due = deadlines[(day, tier)] = (stored(end + dt.timedelta(days=4)), stored(end + dt.timedelta(days=16)))
            at_s, done_s = stored(at), stored(done)
            case_id = number - 1
            reference = f"C-{day.year}-{case_id:06d}"
            masked = phone[:3] + "****" + phone[-4:]
            status = "closed" if closed else "received"
            cases.append((case_id, reference, status, tier, channel, product, category, branch, None, None, None,
                          masked, None, None, description, at_s, due[0], due[1], None, None, done_s, done_s, None,
                          None, None, "CN", None, False, False, 0, 0, 0, 0, 1, now, now))
            cycles.append((case_id, 1, "import", tier, at_s, due[0], due[1], None, done_s, None, False, False, False))
            new = _JSON({"branch": branch, "calendar": "CN", "category": category, "channel": channel,
                         "description": description, "due_at": due[0], "phone": masked, "product": product,
                         "received_at": at_s, "reference": reference, "regulatory_due_at": due[1], "status": status,
                         "tier": tier})
            kept = {"description": description, "phone": phone, "salt": os.urandom(16).hex()}
            digest = hashlib.sha256(_JSON(sorted(kept.items())).encode()).hexdigest()
            detail = f"imported from {os.path.basename(path)} row {number}"
            chained = hashlib.sha256(_JSON([prev, case_id, "import", "admin", at_s, now, None, new, detail,
                                            digest]).encode()).hexdigest()
            events.append((case_id, case_id, "import", "admin", at_s, now, None, new, detail, digest, prev, chained))
            prev = chained
            personal.extend((case_id, case_id, field, value) for field, value in kept.items())
    return len(cases), time.process_time() - started


if __name__ == "__main__":
    rows, cpu = build(sys.argv[1])
    print(f"Python building an import's rows, least work: {cpu:.2f} s of CPU for {rows:,} rows "
          f"= {cpu / rows * 1e6:.1f} µs a row ({rows / cpu:,.0f} rows/s)")
