"""The overdue report as the morning cron mail prints it, against Taskwarrior listing as many
overdue items: run on demand, never in the test suite.

    python benchmarks/tables.py                 # 10,000 overdue cases and 10,000 overdue tasks
    python benchmarks/tables.py --overdue 50000 --repeat 7

Both tools get the same generated items (received or entered in 2026, due before the as-of time)
through their own import commands, and print every one of them as a plain table 120 columns wide
to a pipe: `complaintctl report overdue --all` (COLUMNS=120) and `task overdue`
(rc.defaultwidth=120). Each figure is the median wall time of --repeat runs of the whole command in
a fresh process, and its peak resident memory. Needs Debian's `taskwarrior` package.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2026-11-20T09:00"
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
    "e = time.perf_counter() - t\n"
    "if p.returncode not in (0, 3): sys.stderr.write(p.stderr.decode()); sys.exit(p.returncode)\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(e, u.ru_maxrss, p.stdout.count(b'\\n'), u.ru_utime + u.ru_stime)\n"
)


def measure(cmd: list[str], repeat: int, env: dict) -> tuple[float, float, int, float]:
    """Median wall seconds, peak RSS in MB, lines printed and median CPU seconds (user + system:
    what the run costs whatever else the machine is doing), over `repeat` fresh processes."""
    return measure_alternately([(cmd, env)], repeat)[0]


def measure_alternately(runs: list[tuple[list[str], dict]], repeat: int) -> list[tuple[float, float, int, float]]:
    """`measure` for several commands, run in turn (A, B, A, B, ...) so that a change in the
    machine's load falls on each alike."""
    samples: list[dict] = [{"times": [], "peaks": [], "lines": 0, "cpus": []} for _ in runs]
    for _ in range(repeat):
        for (cmd, env), sample in zip(runs, samples):
            out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env)
            if out.returncode != 0:
                raise SystemExit(f"command failed: {' '.join(cmd)}\n{out.stderr}")
            seconds, rss_kb, lines, cpu = out.stdout.split()
            sample["times"].append(float(seconds))
            sample["peaks"].append(int(rss_kb) / 1024)
            sample["cpus"].append(float(cpu))
            sample["lines"] = int(lines)
    return [(statistics.median(x["times"]), max(x["peaks"]), x["lines"], statistics.median(x["cpus"])) for x in samples]


def items(n: int, seed: int = 3):
    """N complaints received between January and October 2026: all overdue on 2026-11-20."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 5, 9, 0)
    products = ["deposit", "wealth_management", "fund", "insurance_agency", "loan", "credit_card"]
    words = ["理财产品收益与宣传不符", "信用卡年费未提前告知", "柜面排队时间过长", "贷款提前还款违约金争议",
             "Card fee charged twice", "Transfer delayed three days"]
    for i in range(n):
        received = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 290))
        yield {
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "channel": rng.choice(["hotline", "branch_counter", "mobile_app", "letter"]),
            "product": rng.choice(products), "category": "other",
            "tier": rng.choice(["general", "general", "general", "important", "urgent"]),
            "branch": f"BR{rng.randrange(1, 9):03d}", "phone": f"138{rng.randrange(10**8):08d}",
            "description": rng.choice(words), "external_id": f"bench-{i}",
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--overdue", type=int, default=10_000, help="how many overdue items each tool lists")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    task = shutil.which("task")
    if task is None:
        raise SystemExit("Taskwarrior is not installed: apt-get install taskwarrior")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="complaintctl-tables-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COLUMNS": "120", "HOME": str(work), "XDG_CONFIG_HOME": str(work / "config"),
           "XDG_DATA_HOME": str(work / "data"), "TASKRC": str(work / "taskrc"), "TASKDATA": str(work / "task")}
    env.pop("NO_COLOR", None)
    rows = list(items(args.overdue))

    # complaintctl: the same rows through its own import
    db = work / "tables.db"
    if db.exists():
        db.unlink()
    source = work / "overdue.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    exe = [sys.executable, "-m", "complaintctl_cli.main", "--db", str(db)]
    subprocess.run([*exe, "db", "upgrade"], check=True, env=env, capture_output=True)  # creates it
    subprocess.run([*exe, "import", str(source)], check=True, env=env, capture_output=True)

    # Taskwarrior: one task per row, due at its internal deadline's day
    (work / "taskrc").write_text(f"data.location={work / 'task'}\nconfirmation=off\nverbose=nothing\n"
                                 "defaultwidth=120\ndetection=off\ncolor=off\n")
    shutil.rmtree(work / "task", ignore_errors=True)
    (work / "task").mkdir()
    tasks = work / "tasks.json"
    with tasks.open("w", encoding="utf-8") as fh:
        for r in rows:
            received = dt.datetime.fromisoformat(r["received_at"])
            fh.write(json.dumps({
                "description": r["description"], "status": "pending", "project": r["branch"],
                "entry": received.strftime("%Y%m%dT%H%M%SZ"),
                "due": (received + dt.timedelta(days=5)).strftime("%Y%m%dT000000Z"),
                "tags": [r["tier"]],
            }, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    subprocess.run([task, "import", str(tasks)], check=True, env=env, capture_output=True)
    print(f"built {args.overdue} cases and tasks in {work} (task import {time.perf_counter() - started:.1f} s)")

    # The tool runs its as-of moment; Taskwarrior's "overdue" is relative to now, and every task is
    # due in 2026 before the as-of date, so both list every item.
    # The report the lean way (complaintctl_cli/lean.py), the full Typer and SQLAlchemy way
    # (COMPLAINTCTL_LEAN=off: the same bytes) and Taskwarrior, in turn.
    table = [*exe, "report", "overdue", "--all", "--as-of", AS_OF]
    ours, full, theirs = measure_alternately([(table, env), (table, {**env, "COMPLAINTCTL_LEAN": "off"}),
                                              ([task, "overdue"], env)], args.repeat)
    csv_run = measure([*exe, "report", "overdue", "--format", "csv", "--as-of", AS_OF], args.repeat, env)
    # Floors: what this design imports before its first row, and what any Python design costs
    # (start, fetch, write; benchmarks/overdue_floor.py, standard library only).
    as_of_utc = dt.datetime.fromisoformat(AS_OF + "+08:00").astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    imports = measure([sys.executable, "-c", "import typer._adapters, sqlmodel, sqlalchemy.dialects.sqlite"],
                      args.repeat, env)
    floor = measure([sys.executable, str(Path(__file__).with_name("overdue_floor.py")), str(db), as_of_utc],
                    args.repeat, env)
    print(f"{'command':<58} {'median s':>9} {'CPU s':>7} {'peak MB':>8} {'lines':>7}")
    for name, (sec, mb, lines, cpu) in (("complaintctl report overdue --all (table, COLUMNS=120)", ours),
                                        ("  the same, the full way (COMPLAINTCTL_LEAN=off)", full),
                                        ("complaintctl report overdue --format csv", csv_run),
                                        ("task overdue (rc.defaultwidth=120)", theirs),
                                        ("floor: the design's imports (typer, sqlmodel, sqlalchemy)", imports),
                                        ("floor: Python + sqlite3, same rows written (overdue_floor.py)", floor)):
        print(f"{name:<58} {sec:>9.3f} {cpu:>7.3f} {mb:>8.1f} {lines:>7}")
    print(f"ratio table / task overdue: {ours[0] / theirs[0]:.2f}x wall, {ours[3] / theirs[3]:.2f}x CPU (target 2x); "
          f"the full way / task overdue: {full[3] / theirs[3]:.2f}x CPU; "
          f"table / csv: {ours[0] / csv_run[0]:.2f}x; imports alone / task: {imports[3] / theirs[3]:.2f}x CPU; "
          f"stdlib floor / task: {floor[3] / theirs[3]:.2f}x CPU")


if __name__ == "__main__":
    main()
