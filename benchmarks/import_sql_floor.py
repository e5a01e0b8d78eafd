"""SQLite's own share of an import, with no Python in it (issue 16's 20,000 rows/s).

The rows an import stored are copied, table by table, into a fresh copy of a database at the same
revision (its indexes in place) by `INSERT INTO main.t SELECT * FROM imported.t WHERE id > ...`,
then committed: the B-tree work of the import's inserts and its commit, without binding a single
parameter from Python. The `WHERE` keeps SQLite from its bulk-transfer shortcut, which copies pages
whole and which rows arriving from an import never get. Beside the import's own time
(`/usr/bin/time complaintctl --db X import FILE`), what is left is the cost of Python.

    complaintctl --db imported.db db upgrade && complaintctl --db imported.db import rows100k.csv
    complaintctl --db empty.db db upgrade
    python benchmarks/import_sql_floor.py imported.db empty.db [--repeat 3]
"""
import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

TABLES = ("cases", "cycles", "events", "personal_data")


def copy_once(imported: Path, empty: Path) -> dict[str, float]:
    """One copy into a fresh copy of `empty`: each table's seconds, and the commit's."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "floor.db"
        shutil.copyfile(empty, target)
        con = sqlite3.connect(target, isolation_level=None)
        try:
            con.execute("PRAGMA cache_size = -32000")  # the import's page cache (32 MB)
            con.execute("ATTACH DATABASE ? AS imported", (str(imported),))
            con.execute("BEGIN IMMEDIATE")
            out = {}
            for table in TABLES:
                started = time.perf_counter()
                # (the rows the new file already has, its first events, are left as they are)
                con.execute(f"INSERT INTO main.{table} SELECT * FROM imported.{table} "
                            f"WHERE id > (SELECT coalesce(max(id), 0) FROM main.{table})")
                out[table] = time.perf_counter() - started
            started = time.perf_counter()
            con.execute("COMMIT")
            out["commit"] = time.perf_counter() - started
            out["rows"] = sum(con.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0] for t in TABLES)
        finally:
            con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("imported", type=Path, help="a database an import wrote")
    parser.add_argument("empty", type=Path, help="a database at the same revision with no cases ('db upgrade')")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for run in range(args.repeat):
        times = copy_once(args.imported, args.empty)
        rows = times.pop("rows")
        parts = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in times.items())
        print(f"run {run + 1}: {sum(times.values()):.2f} s in all ({parts}); {rows:,} rows")


if __name__ == "__main__":
    main()
