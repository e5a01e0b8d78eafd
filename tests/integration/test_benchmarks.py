"""The benchmark script stays in step with the library: a small synthetic database builds, holds
together and reports (the timed runs themselves are on demand: README, Performance)."""
import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def _benchmark_module():
    spec = importlib.util.spec_from_file_location("benchmark_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_builds_a_database_the_tool_accepts(cli):
    run = _benchmark_module()
    run.build(str(cli.db), 300)
    assert cli("db", "check").exit_code == 0
    assert cli.json("db", "info", "--json")["counts"]["cases"] == 300
    rows = cli("report", "overdue", "--as-of", run.AS_OF, "--format", "csv").stdout.splitlines()
    assert len(rows) > 1 and rows[0].startswith("reference,status")


@pytest.mark.sqlite_only
def test_the_overdue_floor_lists_the_overdue_of_a_built_database(cli):
    """benchmarks/overdue_floor.py (the stdlib floor benchmarks/tables.py times) still runs: it once
    imported a query run.py no longer had, and failed only when the benchmark was next run."""
    import subprocess
    import sys

    run = _benchmark_module()
    run.build(str(cli.db), 300)
    as_of = "2026-11-20 01:00:00.000000"
    out = subprocess.run([sys.executable, str(RUN.parent / "overdue_floor.py"), str(cli.db), as_of],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    listed = cli("report", "overdue", "--as-of", run.AS_OF, "--format", "csv").stdout.splitlines()
    assert out[0].startswith("Reference") and len(out) > 1
    assert {line.split()[0] for line in out[1:]} <= {line.split(",")[0] for line in listed[1:]}


def test_the_benchmark_import_file_imports_whole(cli, tmp_path):
    """run.py's import file is one the tool takes in full: a rule added to the import (a branch
    on every row) once made every row a reject, and the benchmark stopped with exit 2."""
    run = _benchmark_module()
    src = tmp_path / "import.csv"
    run.import_file(src, 50)
    bare = tmp_path / "bare.toml"
    bare.write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")  # as run.py runs it: no config branch
    assert "imported 50 of 50 rows" in cli("--config", str(bare), "import", str(src)).stdout
    assert cli.json("db", "info", "--json")["counts"]["cases"] == 50
