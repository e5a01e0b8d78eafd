"""Mutation testing of the pure rules, on demand (like the benchmarks; never part of the suite).

    .venv/bin/pip install -e '.[test,mutation]'
    .venv/bin/python tools/mutation.py                  # every module below, one after another
    .venv/bin/python tools/mutation.py deadlines        # one module

mutmut changes one thing at a time in a module (a comparison, a number, an operator, a returned
value) and runs the unit tests against each change; a change no test notices "survives". For each
module this script lays out a work folder under build/mutation/<module>/ (the library and the
tests, nothing else), runs mutmut there with one worker (the machine is shared), and prints
killed / total. The surviving mutants stay there to read:

    cd build/mutation/deadlines && ../../../.venv/bin/mutmut results
    cd build/mutation/deadlines && ../../../.venv/bin/mutmut show <name>

Exit status: 0 when every module reaches --goal (default 90% killed), 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("deadlines", "domain", "clocks")  # the pure rules: the calendar and every clock, the state machine
# The tests each module is measured with: the unit tests, and for the clock module its property test
# against the SQL twins (on SQLite, in-process). test_structure and test_labels_only read the source,
# which mutmut rewrites (a mutated module holds every mutant's copy of its functions and comments).
TESTS = {"clocks": ["tests/unit", "tests/integration/test_clock_rules.py"]}

PYPROJECT = """\
[tool.mutmut]
source_paths = ["complaintctl"]
only_mutate = ["complaintctl/{module}.py"]
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-q", "--ignore=tests/unit/test_structure.py",
                       "--ignore=tests/unit/test_labels_only.py"]

[tool.pytest.ini_options]
markers = ["slow: runs real subprocesses"]
"""


def lay_out(module: str, work: Path) -> None:
    """The library and its tests in a folder of their own, with a configuration for this module only."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "complaintctl", work / "complaintctl", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    tests = json.dumps(TESTS.get(module, ["tests/unit"]))
    (work / "pyproject.toml").write_text(PYPROJECT.format(module=module, tests=tests), encoding="utf-8")


def mutmut(work: Path, *args: str) -> subprocess.CompletedProcess:
    """Run mutmut in the work folder; its progress display goes to mutmut.log there."""
    exe = Path(sys.executable).parent / "mutmut"
    if not exe.exists():
        raise SystemExit(f"mutmut is not installed beside {sys.executable}: pip install -e '.[test,mutation]'")
    env = {**os.environ, "CI": "1"}  # the property tests run their fixed examples (tests/conftest.py)
    env.pop("COMPLAINTCTL_TEST_DATABASE_URL", None)  # the clock property test runs on SQLite only
    with (work / "mutmut.log").open("a") as log:
        return subprocess.run([str(exe), *args], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)


def run(module: str, jobs: int = 1) -> dict:
    work = ROOT / "build" / "mutation" / module
    lay_out(module, work)
    done = mutmut(work, "run", "--max-children", str(jobs))
    if done.returncode != 0:
        raise SystemExit(f"mutmut run failed for {module} (exit {done.returncode}; see {work / 'mutmut.log'})")
    mutmut(work, "export-cicd-stats")
    stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
    stats["module"] = module
    stats["score"] = stats["killed"] / stats["total"] if stats["total"] else 1.0
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"modules of complaintctl/ (default: {' '.join(MODULES)})")
    parser.add_argument("--goal", type=float, default=0.90, help="the share of mutants to kill (default 0.90)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1: the machine is shared)")
    args = parser.parse_args()
    modules = args.modules or [m for m in MODULES if (ROOT / "complaintctl" / f"{m}.py").exists()]
    results = [run(m, args.jobs) for m in modules]
    print(f"\n{'module':<12}{'killed':>8}{'survived':>10}{'timeout':>9}{'other':>7}{'total':>7}{'score':>8}")
    for r in results:
        other = r["total"] - r["killed"] - r["survived"] - r["timeout"]
        print(f"{r['module']:<12}{r['killed']:>8}{r['survived']:>10}{r['timeout']:>9}{other:>7}{r['total']:>7}"
              f"{r['score']:>8.1%}")
    return 0 if all(r["score"] >= args.goal for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
