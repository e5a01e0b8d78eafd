"""One way to open a cycle: a complaint imported from a file is stored exactly as the same
complaint logged by hand (cycles.py), field by field, apart from ids, times of recording, the
action's name and what only one of the two knows (the reference, the file's row)."""
from __future__ import annotations

import json

import pytest

ROW = {"received_at": "2026-03-02T10:00", "channel": "hotline", "product": "wealth_management",
       "category": "misselling", "customer": "张三", "phone": "13812345678", "description": "理财产品风险未揭示",
       "branch": "BJ001"}


def _rows(cli, table: str, skip: set[str], where: str = "") -> list[dict]:
    return [{k: v for k, v in r._mapping.items() if k not in skip}
            for r in cli.sql(f"select * from {table} {where} order by id")]


@pytest.mark.parametrize("tier", ["general", "urgent"])
def test_an_imported_complaint_is_stored_as_the_same_complaint_logged(cli, tmp_path, tier):
    cli.log("--tier", tier, "--branch", ROW["branch"], received=ROW["received_at"])
    source = tmp_path / "one.csv"
    source.write_text(",".join([*ROW, "tier"]) + "\n" + ",".join([*ROW.values(), tier]) + "\n", encoding="utf-8")
    cli("import", str(source))

    logged, imported = _rows(cli, "cases", {"id", "reference", "created_at", "updated_at"})
    assert imported == logged
    logged, imported = _rows(cli, "cycles", {"id", "case_id"})
    assert imported == logged
    logged, imported = _rows(cli, "events", {"id", "case_id", "action", "recorded_at", "detail", "full_digest", "prev_hash", "hash"},
                             "where action in ('log', 'import')")
    for event in (logged, imported):
        event["new"] = {k: v for k, v in json.loads(event["new"]).items() if k != "reference"}
    assert imported == logged
    assert (tier == "urgent") == ("first_response_due_at" in logged["new"])
