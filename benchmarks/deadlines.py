"""How fast the deadline rules are: 100,000 cases' clocks, computed cold (new calendar each run).

    python benchmarks/deadlines.py [--n 100000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from complaintctl.config import Policy
from complaintctl.deadlines import BusinessCalendar, internal_due, regulatory_due
from complaintctl.domain import Tier


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    rng = random.Random(3)
    tz = BusinessCalendar(Policy()).tz
    base = dt.datetime(2024, 1, 1, tzinfo=tz)
    moments = [(base + dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))).astimezone(dt.timezone.utc)
               for _ in range(args.n)]
    tiers = [rng.choice(list(Tier)) for _ in range(args.n)]
    started = time.perf_counter()
    cal = BusinessCalendar(Policy())  # cold: the holiday tables are built inside the timing
    for moment, tier in zip(moments, tiers):
        internal_due(moment, tier, cal)
        regulatory_due(moment, cal)
    elapsed = time.perf_counter() - started
    print(f"{args.n:,} cases: internal and regulatory deadlines in {elapsed:.2f}s "
          f"({args.n / elapsed:,.0f} cases/s, {2 * args.n / elapsed:,.0f} deadlines/s)")


if __name__ == "__main__":
    main()
