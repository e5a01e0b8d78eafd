"""The interactive session's speed: run on demand, never in the test suite.

    python benchmarks/shell.py                 # 100,000 cases
    python benchmarks/shell.py --cases 10000 --repeat 50

Builds a SQLite database of N synthetic cases (10% open; benchmarks/run.py's generator), opens one
`complaintctl shell` session on it (the same Session object the prompt drives, without the
terminal), then times each command line as the session runs it: `show` of a random case, `log`
of a new one, and `list` (the first page of open cases, newest first). Output goes to /dev/null.
Reports the median and 90th percentile of --repeat runs of each, and for comparison the median
of `show` started alone in a fresh process. Targets: show and log under 50 ms, list under 100 ms.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def timed(session, line: str) -> float:
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        started = time.perf_counter()
        code = session.run_line(line)
        elapsed = time.perf_counter() - started
    if code not in (0, 3):
        raise SystemExit(f"{line!r} exited {code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from run import AS_OF, EXE, build

    from complaintctl_cli.shell import Session
    from complaintctl_cli.state import AppState

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        print(f"building {args.cases:,} cases ...", flush=True)
        build(db, args.cases)
        st = AppState(db=str(db))
        st.session = True
        session = Session(st)
        rng = random.Random(3)
        lines = {
            "show": None,  # a reference that exists (below)
            "log": lambda i: (f"log --channel hotline --phone 13812345678 --branch BR001 "
                              f"--description 'benchmark {i}' --received-at 2026-11-19T10:00"),
            "list": lambda i: f"list --as-of {AS_OF}",
        }
        timed(session, "list")  # the first command pays for the imports and the calendar once
        results = {}
        for name, make in lines.items():
            times = []
            for i in range(args.repeat):
                line = _existing_show(st, rng, args.cases) if make is None else make(i)
                times.append(timed(session, line))
            results[name] = times
        alone = []
        ref = _existing_show(st, rng, args.cases).split()[1]
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([*EXE, "--db", str(db), "show", ref], stdout=subprocess.DEVNULL, check=True)
            alone.append(time.perf_counter() - started)
        st.close()
    print(f"\n{args.cases:,} cases, {args.repeat} runs each, inside one session:")
    for name, times in results.items():
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"  {name:5} median {statistics.median(times) * 1000:6.1f} ms   p90 {p90 * 1000:6.1f} ms")
    print(f"  show started alone in a fresh process: median {statistics.median(alone) * 1000:.0f} ms")


def _existing_show(st, rng, n: int) -> str:
    from sqlalchemy import text

    with st.uow(write=False) as uow:
        ref = uow.session.execute(text("SELECT reference FROM cases WHERE id = :i"),
                                  {"i": rng.randint(1, n)}).scalar()
    return f"show {ref} --as-of 2026-11-20T09:00"


if __name__ == "__main__":
    main()
