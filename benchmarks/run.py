"""complaintctl benchmarks: run on demand, never in the test suite.

    python benchmarks/run.py                       # 10k and 100k cases
    python benchmarks/run.py --sizes 1000000       # the million-case run (several minutes)
    python benchmarks/run.py --postgres postgresql+psycopg://postgres@127.0.0.1:54329/postgres

For each size N it builds a SQLite database of N synthetic cases (10% open) directly through the
library's bulk path, then times whole commands in fresh processes: `log`, `report overdue
--format csv`, `report sla`, the quarterly return (xlsx) and the monthly report (HTML),
`export --format csv` (on SQLite also held to one process), `export --format xlsx` (beside the CSV's
Python way), and `import` of 100k rows;
beside them the
tool's own overdue CSV query (complaintctl/sqltext_compiled.py) through the sqlite3 shell, or psql's
\\copy on PostgreSQL (the floor for reports), and
`python -c "import sqlmodel, typer, rich, holidays"` (the floor for start-up), and three Python-side
floors timed in-process: Python's sqlite3 fetching the overdue query, fetching the export's rows
and writing them with csv.writer unconverted, and SQLite inserting an import's rows (cases, cycles,
events, personal_data) from prepared tuples, with its indexes kept and with them built after.
`--sizes ""` times the start-up and the import only. Each command figure is the median of --repeat
runs; peak memory is the command's maximum
resident set size.
"""
from __future__ import annotations

import argparse
import compileall
import csv
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = [sys.executable, "-m", "complaintctl_cli.main"]
AS_OF = "2026-11-20T09:00"
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "e = time.perf_counter() - t\n"
    "if p.returncode not in (0, 3): sys.stderr.write(p.stderr.decode()); sys.exit(p.returncode)\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(e, u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)


def measure(cmd: list[str], repeat: int, setup=None, cpu: list | None = None) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of a command run in its own process; `cpu`, if given,
    collects each run's CPU seconds (user + system: on a shared machine wall time is the load's)."""
    times, peaks = [], []
    for _ in range(repeat):
        if setup:
            setup()
        out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"command failed: {' '.join(cmd)}\n{out.stderr}")
        seconds, rss_kb, used = out.stdout.split()
        times.append(float(seconds))
        if cpu is not None:
            cpu.append(float(used))
        peaks.append(int(rss_kb) / 1024)
    return statistics.median(times), max(peaks)


def build(db: Path | str, n: int, seed: int = 1) -> float:
    """N synthetic cases, 10% open, received over the last three years, through the library."""
    rng = random.Random(seed)
    now = dt.datetime.fromisoformat(AS_OF + "+08:00").astimezone(dt.timezone.utc)

    def arrivals():
        for i in range(n):
            received = now - dt.timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
            is_open = i % 10 == 0
            if is_open:  # open cases are recent, a good share of them overdue
                received = now - dt.timedelta(minutes=rng.randint(60, 30 * 24 * 60))
            yield received, is_open

    return insert_synthetic(db, rng, now, arrivals(), max_hours=200)


def insert_synthetic(db: Path | str, rng: random.Random, now: dt.datetime, arrivals, *, max_hours: int) -> float:
    """Cases received at the given (moment, open?) pairs, in that order, through the library's bulk
    path (the importer's insert_batch): a closed one resolved within `max_hours`; returns the seconds
    taken. benchmarks/returns.py builds its million cases with it too."""
    from complaintctl import domain as d
    from complaintctl.config import Policy
    from complaintctl.context import make_context
    from complaintctl.cycles import Openings
    from complaintctl.db import Store
    from complaintctl.importer import insert_batch

    ctx = make_context(now, "benchmark", Policy())
    store = Store(str(db))
    store.ensure_schema()
    started = time.perf_counter()
    channels, products = [c.value for c in d.Channel], [p.value for p in d.Product]
    categories = [c.value for c in d.Category]
    dues = Openings(ctx.calendar)
    with store.unit_of_work() as uow:
        batch = []
        for i, (received, is_open) in enumerate(arrivals):
            resolved = None if is_open else min(now, received + dt.timedelta(hours=rng.randint(2, max_hours)))
            batch.append((i + 1, {
                "status": "received" if is_open else "closed", "tier": rng.choices(["general", "important", "urgent"], [80, 17, 3])[0],
                "channel": rng.choice(channels), "product": rng.choice(products), "category": rng.choice(categories),
                "branch": f"BR{rng.randint(1, 300):03d}", "department": None, "assignee": None,
                "customer": "客户", "phone": f"138{rng.randint(10**7, 10**8 - 1)}", "email": None,
                "account": f"622202{rng.randint(10**9, 10**10 - 1)}", "description": f"投诉 {i}：手续费问题",
                "received_at": received, "resolved_at": resolved, "closed_at": resolved, "resolution": None,
                "root_cause": None, "satisfaction": None, "external_id": None,
            }))
            if len(batch) == 5000:
                insert_batch(uow, ctx, dues, batch, "benchmark")
                batch = []
        if batch:
            insert_batch(uow, ctx, dues, batch, "benchmark")
        uow.commit()
    store.dispose()
    return time.perf_counter() - started


def import_file(path: Path, rows: int) -> None:
    rng = random.Random(2)
    base = dt.datetime(2024, 1, 1, 9)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["received_at", "channel", "product", "category", "tier", "description", "phone", "closed_at", "branch"])
        for i in range(rows):
            r = base + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 600))
            closed = (r + dt.timedelta(days=rng.randint(1, 20))).isoformat() if i % 10 else ""
            w.writerow([r.isoformat(), rng.choice(["hotline", "letter", "mobile_app"]), rng.choice(["deposit", "loan", "fund"]),
                        "fees", rng.choice(["general", "important"]), f"complaint {i} about fees",
                        f"138{rng.randint(10**7, 10**8 - 1)}", closed, f"BR{i % 7 + 1:03d}"])


def tool_overdue_sql(backend: str, as_of_utc: str) -> str:
    """The tool's own `report overdue --format csv` statement (complaintctl/sqltext_compiled.py, as
    the lean path runs it) with its parameters written in: the business zone is the default
    config's, as the benchmark's commands run with none."""
    from complaintctl.config import Policy
    from complaintctl.dbapi import inlined

    return inlined(backend, "overdue_csv", as_of=as_of_utc, zone=Policy().timezone)


# Python-side floors: what the same work costs through Python's sqlite3 module with no
# formatting at all, timed in-process (no interpreter start). They bound what any Python
# implementation of the command could reach on this machine.


def python_fetch_floor(db: Path, sql: str) -> float:
    import sqlite3

    conn = sqlite3.connect(db)
    started = time.perf_counter()
    conn.execute(sql).fetchall()
    conn.close()
    return time.perf_counter() - started


def python_export_floor(db: Path, cpu: list | None = None) -> float:
    """The export's two ordered queries fetched and written with csv.writer, nothing converted
    (wall seconds; `cpu`, if given, collects the CPU seconds)."""
    import sqlite3

    conn = sqlite3.connect(db)
    started, used = time.perf_counter(), time.process_time()
    with open(os.devnull, "w", newline="") as sink:
        w = csv.writer(sink)
        for sql in ("SELECT * FROM cases ORDER BY id", "SELECT * FROM cycles ORDER BY case_id, number"):
            cur = conn.execute(sql)
            while rows := cur.fetchmany(5000):
                w.writerows(rows)
    conn.close()
    if cpu is not None:
        cpu.append(time.process_time() - used)
    return time.perf_counter() - started


def insert_floor(imported: Path, work: Path, set_aside: bool = False) -> tuple[float, float]:
    """SQLite's own cost of the import's inserts: the rows an import wrote (cases, cycles, events,
    personal_data), read back and inserted again into an emptied copy, one transaction, executemany
    from prepared tuples. `set_aside`: the secondary indexes dropped first and built again before
    commit, as the import does when it at least doubles the register. Wall and CPU seconds."""
    import sqlite3

    copy = work / "insert-floor.db"
    shutil.copy(imported, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    tables = ("cases", "cycles", "events", "personal_data")
    data = {t: conn.execute(f"SELECT * FROM {t} WHERE {'id' if t == 'cases' else 'case_id'} IS NOT NULL").fetchall()
            for t in tables}
    for t in reversed(tables):
        conn.execute(f"DELETE FROM {t} WHERE {'id' if t == 'cases' else 'case_id'} IS NOT NULL")
    conn.execute("VACUUM")
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = FULL", "cache_size = -32768"):
        conn.execute(f"PRAGMA {pragma}")
    marks = ",".join("?" * len(tables))
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                           f"sql NOT LIKE 'CREATE UNIQUE%' AND name != 'ix_cases_external_id' AND tbl_name IN ({marks})",
                           tables).fetchall() if set_aside else []
    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for t in tables:
        rows = data[t]
        sql = f"INSERT INTO {t} VALUES ({','.join('?' * len(rows[0]))})"
        for i in range(0, len(rows), 2000):
            conn.executemany(sql, rows[i:i + 2000])
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    copy.unlink()
    return elapsed, cpu


def pg_database(server: str, name: str, *, fresh: bool) -> str:
    """The URL of database `name` on the server `server` points at, created if missing (dropped
    first when fresh)."""
    import sqlalchemy as sa

    url = sa.engine.make_url(server)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def pg_case_count(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        exists = conn.exec_driver_sql("SELECT to_regclass('cases') IS NOT NULL").scalar()
        n = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar() if exists else 0
    engine.dispose()
    return n


def psql_floor(url: str, sql: str) -> list[str] | None:
    """psql copying the overdue query's rows out as CSV: the floor for reports on PostgreSQL."""
    import sqlalchemy as sa

    psql = shutil.which("psql") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), None)
    if psql is None:
        return None
    u = sa.engine.make_url(url)
    libpq = f"postgresql://{u.username or ''}@{u.host or 'localhost'}:{u.port or 5432}/{u.database}"
    return [str(psql), libpq, "-qc", f"\\copy ({sql.rstrip(';')}) to stdout csv"]


def psql_export_floor(url: str) -> list[str] | None:
    """psql copying the tool's own export query (its finished text, as `export --format csv` has
    the server write it, in the default zone) out as CSV: the server's share of the export."""
    from zoneinfo import ZoneInfo

    from complaintctl.db import ADAPTERS
    from complaintctl.importer import export_query

    shell = psql_floor(url, "SELECT 1")
    if shell is None:
        return None
    zone = "Asia/Shanghai"
    sql, params = export_query(ADAPTERS["postgresql"](None, 0), ZoneInfo(zone), False)
    sql = sql.replace("%(zone)s", f"'{params['zone']}'")
    shell[-1] = f"SET TimeZone = '{zone}'; SET DateStyle = 'ISO'; SET jit = off; COPY ({sql}) TO STDOUT WITH CSV"
    return shell


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated case counts")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--import-rows", type=int, default=100_000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--only", default=None, metavar="NAMES",
                    help="comma-separated commands to time (log, overdue, sla, regulatory, monthly, export, xlsx, "
                         "import); "
                         "default all")
    ap.add_argument("--pg-prefix", default="complaintctl_bench",
                    help="name of the PostgreSQL databases: PREFIX_N (another lane's runs may use the default)")
    ap.add_argument("--postgres", metavar="URL", default=None,
                    help="run on PostgreSQL instead: a server URL (postgresql+psycopg://user@host:port/any) on which "
                         "the benchmark creates and fills databases complaintctl_bench_N")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None

    def wanted(name: str) -> bool:
        return only is None or name in only
    # Time the tool as installed: pip byte-compiles a package when it installs it, but an editable
    # checkout under PYTHONDONTWRITEBYTECODE=1 would recompile ~6,000 lines on every run (~60 ms).
    root = Path(__file__).resolve().parent.parent
    for package in ("complaintctl", "cli", "migrations"):
        compileall.compile_dir(root / package, quiet=1)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="complaintctl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sqlite3 = shutil.which("sqlite3")
    as_of_utc = dt.datetime.fromisoformat(AS_OF + "+08:00").astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    results = []

    def row(name, n, seconds, floor=None, peak=None, rows=None):
        ratio = f"{seconds / floor:.2f}x" if floor else ""
        rate = f"{rows / seconds:,.0f} rows/s" if rows else ""
        results.append((name, f"{n:,}" if n else "", f"{seconds:.3f}", ratio, f"{peak:.0f}" if peak else "", rate))
        print(f"{name:<34} {results[-1][1]:>10} {seconds:8.3f}s {ratio:>7} {results[-1][4]:>6} MB  {rate}", flush=True)

    start_floor, peak = measure([sys.executable, "-c", "import sqlmodel, typer, rich, holidays"], args.repeat)
    row("start-up floor (imports)", 0, start_floor, peak=peak)
    t, peak = measure([*EXE, "--help"], args.repeat)
    row("--help", 0, t, peak=peak)
    for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
        if args.postgres:
            db = pg_database(args.postgres, f"{args.pg_prefix}_{n}", fresh=False)
            missing = pg_case_count(db) < n
        else:
            db = work / f"bench-{n}.db"
            missing = not db.exists()
        if missing:
            if args.postgres:
                db = pg_database(args.postgres, f"{args.pg_prefix}_{n}", fresh=True)
            print(f"building {n:,} cases ...", flush=True)
            secs = build(db, n)
            print(f"  built in {secs:.1f}s ({n / secs:,.0f} cases/s)", flush=True)
        base = [*EXE, "--db", str(db)]
        if wanted("log"):
            t, peak = measure([*base, "log", "--channel", "letter", "--description", "benchmark", "--received-at",
                               "2026-11-20T08:00"], args.repeat)
            row("log (one process)", n, t, start_floor, peak)
        if wanted("overdue"):
            floor = None
            # The floor: the tool's own query (its finished-text CSV statement, from the library) run
            # by the sqlite3 shell or psql's \copy, side by side with the command, on the same database.
            tool_sql = tool_overdue_sql("postgresql" if args.postgres else "sqlite", as_of_utc)
            shell = psql_floor(db, tool_sql) if args.postgres else (
                [sqlite3, "-csv", "-header", str(db), tool_sql] if sqlite3 else None)
            out = work / "overdue.csv"
            command = [*base, "report", "overdue", "--as-of", AS_OF, "--format", "csv", "--output", str(out)]
            measure(command, 1)  # once first: a calendar written for this config, if it was not
            if shell:
                floor_cpu: list = []
                floor, _ = measure(shell, args.repeat, cpu=floor_cpu)
                row(f"tool's overdue query via {'psql copy' if args.postgres else 'sqlite3'} (floor)", n, floor)
                print(f"{'':34} {'':>10} cpu {statistics.median(floor_cpu):.3f}s", flush=True)
            cmd_cpu: list = []
            t, peak = measure(command, args.repeat, cpu=cmd_cpu)
            with out.open(encoding="utf-8") as fh:
                overdue_rows = sum(1 for _ in fh) - 1
            row(f"report overdue --format csv ({overdue_rows:,} rows)", n, t, floor, peak)
            if shell:
                print(f"{'':34} {'':>10} cpu {statistics.median(cmd_cpu):.3f}s "
                      f"({statistics.median(cmd_cpu) / statistics.median(floor_cpu):.2f}x the floor's cpu)", flush=True)
            if not args.postgres:
                row("  Python sqlite3 fetch of that query", n,
                    statistics.median(python_fetch_floor(db, tool_sql) for _ in range(args.repeat)))
        if wanted("sla"):
            t, peak = measure([*base, "report", "sla", "--from", "2026-01-01", "--to", "2026-11-19", "--format", "csv"],
                              args.repeat)
            row("report sla", n, t, None, peak)
        if wanted("regulatory"):
            t, peak = measure([*base, "report", "regulatory", "--quarter", "2026Q3", "--format", "xlsx", "--output",
                               str(work / "return.xlsx")], args.repeat)
            row("report regulatory --quarter (xlsx)", n, t, None, peak)
        if wanted("monthly"):
            t, peak = measure([*base, "report", "monthly", "--month", "2026-10", "--output", str(work / "monthly.html")],
                              args.repeat)
            row("report monthly (html, 6 charts)", n, t, None, peak)
        if wanted("export"):
            floor = None
            if args.postgres:  # psql copying the tool's own export query out: the server's part alone
                shell = psql_export_floor(db)
                if shell:
                    floor, _ = measure(shell, args.repeat)
                    row("export query via psql COPY (floor)", n, floor, rows=n)
            used = []
            t, peak = measure([*base, "export", "--format", "csv", "--output", str(work / "export.csv")], args.repeat,
                              cpu=used)
            row("export --format csv", n, t, floor, peak, rows=n)
            row("  its CPU time (user + system)", n, statistics.median(used), rows=n)
            if not args.postgres:
                # The same export held to one process (complaintctl/export_split.py: from 20,000
                # cases SQLite's lines are made by two processes on the two cores), in the same
                # minutes.
                used = []
                os.environ["COMPLAINTCTL_EXPORT_SPLIT"] = "off"
                try:
                    t, peak = measure([*base, "export", "--format", "csv", "--output", str(work / "export.csv")],
                                      args.repeat, cpu=used)
                finally:
                    del os.environ["COMPLAINTCTL_EXPORT_SPLIT"]
                row("  the same in one process", n, t, None, peak, rows=n)
                row("    its CPU time", n, statistics.median(used), rows=n)
                used = []
                secs = statistics.median(python_export_floor(db, used) for _ in range(args.repeat))
                row("  Python fetch + csv.writer, no conversion", n, secs, rows=n)
                row("    its CPU time", n, statistics.median(used), rows=n)
        if wanted("xlsx"):
            # The export as a workbook (openpyxl's write-only mode, streamed), beside the CSV of the
            # same database written the Python way (COMPLAINTCTL_EXPORT_COPY=off: the rows the
            # workbook is made of, converted the same way).
            t, peak = measure([*base, "export", "--format", "xlsx", "--output", str(work / "export.xlsx")], args.repeat)
            row("export --format xlsx", n, t, None, peak, rows=n)
            os.environ["COMPLAINTCTL_EXPORT_COPY"] = "off"
            try:
                t, peak = measure([*base, "export", "--format", "csv", "--output", str(work / "export.csv")],
                                  args.repeat)
            finally:
                del os.environ["COMPLAINTCTL_EXPORT_COPY"]
            row("  export --format csv, the Python way", n, t, None, peak, rows=n)
    if not wanted("import"):
        print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}; work in {work}")
        return
    src = work / "import.csv"
    import_file(src, args.import_rows)
    target = work / "import.db"

    def fresh():
        nonlocal target
        if args.postgres:
            target = pg_database(args.postgres, f"{args.pg_prefix}_import", fresh=True)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
        subprocess.run([*EXE, "--db", str(target), "db", "upgrade"], check=True, capture_output=True)

    fresh()
    used: list[float] = []
    t, peak = measure([*EXE, "--db", str(target), "import", str(src)], args.repeat, setup=fresh, cpu=used)
    row(f"import {args.import_rows:,} rows", 0, t, None, peak, rows=args.import_rows)
    row("  its CPU time (user + system)", 0, statistics.median(used), rows=args.import_rows)
    if not args.postgres:
        for set_aside in (False, True):
            secs, cpu = insert_floor(target, work, set_aside)
            row("  SQLite inserting the same rows (floor)" if not set_aside else "  the same, indexes built after",
                0, secs, rows=args.import_rows)
            row("    its CPU time", 0, cpu, rows=args.import_rows)
    backend = "PostgreSQL at " + args.postgres if args.postgres else "SQLite"
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}, {backend}; work in {work}")


if __name__ == "__main__":
    main()
