"""The benchmark script stays in step with the library: a small synthetic database builds, holds
together and reports (the timed runs themselves are on demand: README, Performance)."""
import importlib.util
from pathlib import Path

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
