"""Every report, in each of its formats, byte for byte as stored (issue 16's "correctness first"):
a fixed register (the demo's 60 complaints, received over the 42 days before a fixed moment, with
every state, tier, pause, extension, review, withdrawal and repeat it makes) in Asia/Shanghai and
in Europe/London (whose clocks went back on 25 October, inside the window), and each report read
at a fixed moment. A change of design (SQL computing what Python computes now, a lean read-only
path) must leave every byte as it is; a deliberate change of output is written with
COMPLAINTCTL_WRITE_GOLDEN=1 and reviewed in the diff of tests/data/golden/.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.conftest import RUN

GOLDEN = Path(__file__).parent.parent / "data" / "golden"
ZONES = {
    "shanghai": "",
    "london": 'timezone = "Europe/London"\n[calendar]\ncountry = "GB"\n',
}
AT = "2026-11-05T18:00"  # the demo's "now", and the moment every report reads the clocks at
REPORTS = {
    "overdue.txt": ["report", "overdue", "--all"],
    "overdue.csv": ["report", "overdue", "--format", "csv"],
    "overdue.json": ["report", "overdue", "--format", "json"],
    "overdue-zh.txt": ["--lang", "zh", "report", "overdue", "--all"],
    "due-soon.csv": ["report", "due-soon", "--format", "csv"],
    "sla.json": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--format", "json"],
    "sla-branch.csv": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--by", "branch",
                       "--format", "csv"],
    # Every grouping and every format of report sla (a window over London's clock change).
    "sla.txt": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--format", "table"],
    "sla-zh.txt": ["--lang", "zh", "report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--by", "网点",
                   "--format", "table"],
    "sla-assignee.csv": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--by", "assignee",
                         "--format", "csv"],
    "sla-department.json": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--by", "department",
                            "--format", "json"],
    "sla-channel.csv": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--by", "channel",
                        "--format", "csv"],
    "sla-product.jsonl": ["report", "sla", "--from", "2026-09-01", "--to", "2026-11-05", "--by", "product",
                          "--format", "jsonl"],
    "sla-category.csv": ["report", "sla", "--from", "2026-10-20T09:30", "--to", "2026-11-05T12:00", "--by", "category",
                         "--format", "csv"],
    "sla-empty.csv": ["report", "sla", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "csv"],
    "aging.json": ["report", "aging", "--format", "json"],
    "summary.json": ["report", "summary", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"],
    "regulatory.json": ["report", "regulatory", "--quarter", "2026Q4", "--format", "json"],
    "monthly.json": ["report", "monthly", "--month", "2026-10", "--format", "json"],
    "list.csv": ["list", "--all", "--format", "csv"],
    "list.txt": ["list", "--all"],
    "export.csv": ["export", "--format", "csv"],
    "export.jsonl": ["export", "--format", "jsonl"],
}
# The moment each report reads: --as-of where the report takes one.
AS_OF = ("report overdue", "report due-soon", "report aging", "list")


def _register(tmp_path: Path, zone: str) -> tuple[Path, Path]:
    from complaintctl.config import Policy, load
    from complaintctl.db import Store, account_name
    from complaintctl.demo import generate
    from complaintctl.services import open_context

    config = tmp_path / "complaintctl.toml"
    config.write_text(ZONES[zone], encoding="utf-8")
    db = tmp_path / "golden.db"
    policy = Policy.from_config(load(config))
    now = dt.datetime.fromisoformat(AT).replace(tzinfo=dt.timezone.utc)
    store = Store(str(db))
    store.ensure_schema(policy=policy)
    ctx = open_context(store, now=now, policy=policy, os_login=account_name(os.getuid()))
    generate(store.unit_of_work(), ctx, count=60, days=42, seed=11)
    store.dispose()
    return db, config


def _run(db: Path, config: Path, args: list[str]) -> bytes:
    words = " ".join(a for a in args if not a.startswith("-") or a == "--lang")
    extra = ["--as-of", AT] if any(words.replace("--lang zh ", "").startswith(p) for p in AS_OF) else []
    result = RUN(["--config", str(config), "--db", str(db), *args, *extra], env={"COLUMNS": "120"})
    assert result.exit_code == 0, (args, result.output)
    return result.stdout_bytes  # as written: a CSV's "\r\n" line ends are part of what is pinned


def _run_lean(db: Path, config: Path, args: list[str]) -> bytes:
    from complaintctl_cli import lean

    extra = [] if "sla" in args or "summary" in args else ["--as-of", AT]
    with RUN.isolation(env={"COLUMNS": "120"}) as (out, _, _):
        assert lean.run(["--config", str(config), "--db", str(db), *args, *extra])
        return out.getvalue()


@pytest.mark.parametrize("zone", list(ZONES))
def test_every_report_is_byte_for_byte_as_stored(tmp_path, zone):
    db, config = _register(tmp_path, zone)
    folder = GOLDEN / zone
    write = os.environ.get("COMPLAINTCTL_WRITE_GOLDEN") == "1"
    differ = []
    for name, args in REPORTS.items():
        got = _run(db, config, args)
        path = folder / name
        if write:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(got)
        elif not path.exists() or path.read_bytes() != got:
            differ.append(name)
        if name in ("overdue.csv", "due-soon.csv", "aging.json", "summary.json") or name.startswith("sla"):  # lean too
            lean = _run_lean(db, config, args)
            if lean != got:
                differ.append(name + " (lean)")
    assert not differ, f"{zone}: not as stored: {differ} (COMPLAINTCTL_WRITE_GOLDEN=1 writes them; review the diff)"
