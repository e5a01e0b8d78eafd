"""The quarterly return and the monthly report at a million cases: run on demand, never in the tests.

    python benchmarks/returns.py                          # 1,000,000 cases received over 12 months
    python benchmarks/returns.py --cases 100000 --repeat 3
    python benchmarks/returns.py --months 36              # the same million spread over three years

It builds (once; kept in --workdir) a SQLite database of N synthetic cases received over the
--months before 2026-11-20, 10% of them open, numbered in the order they were received (--order
random: shuffled, as an unsorted import leaves them), through the library's bulk import path, then gives a
share of them what the procedure records: an extension to 30 days (half decided after day 15), a
withdrawal, a review (upheld, changed or pending, each with its review cycle), repeat complaints
(each an event on the original). It then times, each as a whole command in a fresh process
(median of --repeat runs, peak resident memory):

- `report regulatory --quarter 2026Q3 --format xlsx` and `--format json`
- `report monthly --month 2026-10` (HTML with six charts) and `--format json`
- `report sla` over the year to 2026-11-19, by tier (issue 16's target) and by branch

`--db PATH` times an existing database of this kind instead (a copy is never needed: every
command here only reads).

beside three floors: Python importing the tool's stack (`import sqlmodel, typer, rich, holidays`),
the sqlite3 shell counting the quarter's cases by branch, product, category and channel (the
least any return must read), and the sqlite3 shell counting the year's decided cycles by tier and
summing their working time (one read of what `report sla` reads, without its medians). The figures for README's Performance section come from here.
"""
from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import EXE, insert_synthetic  # noqa: E402

# Like benchmarks/run.py's timer, and also the CPU time the command used (user + system): on this
# shared machine the wall time depends on who else is running, the CPU time much less.
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "e = time.perf_counter() - t\n"
    "if p.returncode: sys.stderr.write(p.stderr.decode()); sys.exit(p.returncode)\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(e, u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
)


def measure(cmd: list[str], repeat: int) -> tuple[float, float, float]:
    """Median wall seconds, median CPU seconds and peak RSS (MB) of a command in its own process."""
    walls, cpus, peaks = [], [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"command failed: {' '.join(cmd)}\n{out.stderr}")
        wall, cpu, rss_kb = out.stdout.split()
        walls.append(float(wall))
        cpus.append(float(cpu))
        peaks.append(int(rss_kb) / 1024)
    return statistics.median(walls), statistics.median(cpus), max(peaks)

AS_OF = "2026-11-20T09:00"
QUARTER_UTC = ("2026-06-30 16:00:00", "2026-09-30 16:00:00")
YEAR_UTC = ("2025-12-31 16:00:00", "2026-11-19 16:00:00")  # report sla --from 2026-01-01 --to 2026-11-19


def build(db: Path, n: int, months: int, order: str = "received", seed: int = 1) -> float:
    """N cases received over `months` months before AS_OF (10% open, recent), through the library;
    numbered in the order they were received, or (order "random") in no order at all, as an import
    of an unsorted file would leave them."""
    rng = random.Random(seed)
    now = dt.datetime.fromisoformat(AS_OF + "+08:00").astimezone(dt.timezone.utc)
    span = months * 30 * 24 * 60
    arrivals = [(now - dt.timedelta(minutes=rng.randint(60, 30 * 24 * 60 if i % 10 == 0 else span)), i % 10 == 0)
                for i in range(n)]
    if order == "received":  # as a register grows: each case numbered when it is received
        arrivals.sort(key=lambda a: a[0])
    return insert_synthetic(db, rng, now, arrivals, max_hours=400)


def _t(expr: str) -> str:
    """A stored time (SQLAlchemy's text form, microseconds always written) from an SQLite time expression."""
    return f"strftime('%Y-%m-%d %H:%M:%f000', {expr})"


def add_procedure(db: Path) -> dict[str, int]:
    """What the procedure records, written straight into the tables for a share of the cases (the
    audit chain is not kept: this database is for timing only). By case id modulo 100: 0-2 extended
    to 30 days (0 decided after day 15, within the extension), 3 withdrawn, 4-5 reviewed, 6-8 with
    repeat complaints."""
    con = sqlite3.connect(db)
    cur = con.cursor()
    closed = "status = 'closed'"
    cur.execute(f"UPDATE cycles SET regulatory_extension_days = 30, regulatory_breached = 0, "
                f"regulatory_due_at = {_t('regulatory_due_at, ' + repr('+15 days'))} "
                f"WHERE case_id IN (SELECT id FROM cases WHERE id % 100 IN (0, 1, 2) AND {closed})")
    cur.execute(f"UPDATE cycles SET resolved_at = {_t('opened_at, ' + repr('+20 days'))} "
                f"WHERE regulatory_extension_days = 30 AND case_id % 100 = 0")
    cur.execute(f"UPDATE cases SET regulatory_extension_days = 30, regulatory_breached = 0, "
                f"regulatory_due_at = (SELECT regulatory_due_at FROM cycles WHERE case_id = cases.id AND number = 1), "
                f"resolved_at = (SELECT resolved_at FROM cycles WHERE case_id = cases.id AND number = 1), "
                f"closed_at = (SELECT resolved_at FROM cycles WHERE case_id = cases.id AND number = 1) "
                f"WHERE id % 100 IN (0, 1, 2) AND {closed}")
    cur.execute(f"UPDATE cycles SET resolved_at = NULL, working_seconds = NULL, regulatory_breached = 0 "
                f"WHERE case_id IN (SELECT id FROM cases WHERE id % 100 = 3 AND {closed})")
    cur.execute(f"UPDATE cases SET status = 'withdrawn', withdrawn_at = {_t('received_at, ' + repr('+2 days'))}, "
                f"resolved_at = NULL, closed_at = NULL, regulatory_breached = 0 WHERE id % 100 = 3 AND {closed}")
    requested = _t("resolved_at, '+5 days'")
    cur.execute(f"UPDATE cases SET review_requested_at = {requested}, reviewer = 'reviewer', cycle_number = 2, "
                f"review_outcome = CASE id % 3 WHEN 0 THEN 'changed' ELSE 'upheld' END, "
                f"reviewed_at = {_t('resolved_at, ' + repr('+15 days'))}, status = 'reviewed' "
                f"WHERE id % 100 IN (4, 5) AND {closed} AND resolved_at < '2026-11-01'")
    cur.execute("UPDATE cases SET review_outcome = NULL, reviewed_at = NULL, status = 'under_review' "
                "WHERE review_requested_at IS NOT NULL AND id % 7 = 0")
    cur.execute(f"INSERT INTO cycles (case_id, number, tier, opened_by, opened_at, regulatory_due_at, resolved_at, "
                f"internal_breached, regulatory_breached, response_breached, regulatory_extension_days) "
                f"SELECT id, 2, tier, 'review', review_requested_at, {_t('review_requested_at, ' + repr('+30 days'))}, "
                f"reviewed_at, 0, 0, 0, 0 FROM cases WHERE review_requested_at IS NOT NULL")
    # The decisions moved above, and the review cycles added, keep their working time as the tool's
    # own writers would (counted by the library, as revision 0018 fills older databases).
    cur.execute("UPDATE cycles SET working_seconds = NULL WHERE regulatory_extension_days = 30 AND case_id % 100 = 0")
    cur.execute("UPDATE cases SET repeat_count = 1 + id % 2 WHERE id % 100 IN (6, 7, 8)")
    for k in (1, 2):
        cur.execute(f"INSERT INTO events (case_id, action, actor, occurred_at, recorded_at, new, prev_hash, hash) "
                    f"SELECT id, 'repeat', 'benchmark', {_t('received_at, ' + repr(f'+{k} days'))}, "
                    f"{_t('received_at, ' + repr(f'+{k} days'))}, '{{\"repeat_count\": {k}}}', '', '' "
                    f"FROM cases WHERE repeat_count >= {k}")
    con.commit()
    con.close()
    _keep_working_time(db)
    con = sqlite3.connect(db)
    cur = con.cursor()
    cur.execute("ANALYZE")
    counts = dict(cur.execute(
        "SELECT 'extended', count(*) FROM cycles WHERE regulatory_extension_days > 0 UNION ALL "
        "SELECT 'withdrawn', count(*) FROM cases WHERE withdrawn_at IS NOT NULL UNION ALL "
        "SELECT 'reviews', count(*) FROM cases WHERE review_requested_at IS NOT NULL UNION ALL "
        "SELECT 'repeat events', count(*) FROM events WHERE action = 'repeat' UNION ALL "
        "SELECT 'cases in 2026Q3', count(*) FROM cases WHERE received_at >= ? AND received_at < ?",
        QUARTER_UTC).fetchall())
    con.close()
    return counts


def _keep_working_time(db: Path) -> None:
    """Each decided cycle's working time, where the SQL above left none (cycles.fill_working_seconds)."""
    from complaintctl.config import Policy
    from complaintctl.cycles import fill_working_seconds
    from complaintctl.db import Store
    from complaintctl.deadlines import BusinessCalendar

    store = Store(str(db))
    with store.write_engine.begin() as conn:
        fill_working_seconds(conn, BusinessCalendar(Policy()))
    store.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=12, help="the cases are received over this many months")
    ap.add_argument("--order", choices=("received", "random"), default="received",
                    help="case ids in order of receipt (as a register grows) or shuffled (an unsorted import)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--db", type=Path, default=None, help="an existing database to time (nothing is built)")
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    for package in ("complaintctl", "cli", "migrations"):  # as pip would install it (see benchmarks/run.py)
        compileall.compile_dir(root / package, quiet=1)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="complaintctl-returns-"))
    work.mkdir(parents=True, exist_ok=True)
    db = args.db or work / f"returns-{args.cases}-{args.months}m-{args.order}.db"
    if not db.exists():
        print(f"building {args.cases:,} cases over {args.months} months ...", flush=True)
        secs = build(db, args.cases, args.months, args.order)
        print(f"  built in {secs:.0f}s; procedure columns: {add_procedure(db)}", flush=True)
    base = [*EXE, "--db", str(db)]

    def show(name: str, wall: float, cpu: float, peak: float | None = None) -> None:
        print(f"{name:<52} {wall:7.2f} s wall {cpu:7.2f} s CPU" + (f" {peak:6.0f} MB" if peak else ""), flush=True)

    print(f"{'median of ' + str(args.repeat) + ' runs':<52} {'':>7}   wall {'':>7}   CPU     peak", flush=True)
    show("start-up floor (imports)", *measure([sys.executable, "-c", "import sqlmodel, typer, rich, holidays"],
                                              args.repeat))
    sqlite = shutil.which("sqlite3")
    if sqlite:
        lo, hi = QUARTER_UTC
        wall, cpu, _ = measure([sqlite, str(db), "SELECT branch, product, category, channel, count(*) FROM cases "
                                f"WHERE received_at >= '{lo}' AND received_at < '{hi}' GROUP BY 1, 2, 3, 4"],
                               args.repeat)
        show("sqlite3 shell: the quarter's cases grouped (floor)", wall, cpu)
        wall, cpu, _ = measure([sqlite, str(db), "SELECT tier, count(*), sum(working_seconds) FROM cycles "
                                f"WHERE +resolved_at >= '{YEAR_UTC[0]}' AND +resolved_at < '{YEAR_UTC[1]}' GROUP BY 1"],
                               args.repeat)
        show("sqlite3 shell: report sla's decided cycles by tier (floor)", wall, cpu)
    for name, cmd in (
            ("report regulatory --quarter 2026Q3 --format xlsx",
             ["report", "regulatory", "--quarter", "2026Q3", "--format", "xlsx", "--output", str(work / "q.xlsx")]),
            ("report regulatory --quarter 2026Q3 --format json",
             ["report", "regulatory", "--quarter", "2026Q3", "--format", "json", "--output", str(work / "q.json")]),
            ("report monthly --month 2026-10 (html)",
             ["report", "monthly", "--month", "2026-10", "--output", str(work / "m.html")]),
            ("report monthly --month 2026-10 --format json",
             ["report", "monthly", "--month", "2026-10", "--format", "json", "--output", str(work / "m.json")]),
            ("report sla --from 2026-01-01 --to 2026-11-19 (csv)",
             ["report", "sla", "--from", "2026-01-01", "--to", "2026-11-19", "--format", "csv"]),
            ("report sla ... --by branch (csv)",
             ["report", "sla", "--from", "2026-01-01", "--to", "2026-11-19", "--by", "branch", "--format", "csv"])):
        show(name, *measure([*base, *cmd], args.repeat))
    load = os.getloadavg()
    print(f"\nmachine: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python "
          f"{sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; database {db} "
          f"({db.stat().st_size / 1e6:,.0f} MB)")


if __name__ == "__main__":
    main()
