"""The demo is what a new user sees first: straight after it, every section of the quarterly return
and of the monthly report has something in it."""
from __future__ import annotations

import datetime as dt

import pytest

MEASURES = ("received", "handled_within_15_days", "handled_within_extension", "handled_late", "withdrawn", "repeat",
            "reviews_requested", "reviews_upheld", "reviews_changed", "reviews_pending", "open_at_quarter_end")


@pytest.mark.sqlite_only
def test_the_demo_fills_every_section_of_the_return_and_the_monthly_report(cli):
    import os

    from complaintctl.config import Policy
    from complaintctl.db import Store, account_name
    from complaintctl.demo import generate
    from complaintctl.services import open_context

    # The demo as `complaintctl demo` makes it, on a day fixed so that the answer does not depend on
    # the day the test runs: 2026-11-20, in the year's last quarter.
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.timezone.utc)
    store = Store(str(cli.db))
    # The operator is identified as for any command: the suite's account, the database's administrator.
    ctx = open_context(store, now=now, policy=Policy(), os_login=account_name(os.getuid()))
    generate(store.unit_of_work(), ctx)
    store.dispose()
    rep = cli.json("report", "regulatory", "--quarter", "2026Q4", "--format", "json")
    assert rep["by_type_reason"] and rep["by_channel"] and rep["by_region"]
    total = rep["by_branch"][-1]
    assert [k for k in MEASURES if not total[k]] == []
    assert [r["branch"] for r in rep["by_branch"]] == ["BJ001", "BJ002", "TOTAL"]
    # Its steps are recorded at the times they bear, as a register kept day by day: no late entries.
    assert rep["late_entries"] == 0 and cli.json("report", "late-entries", "--format", "json") == []
    assert cli.scalar("select count(*) from events where recorded_at > occurred_at and case_id is not null") == 0
    # The demo records its branches' regions in its own database: the by-region table (and sheet)
    # is filled with no config file; config's [regions] overrides them branch by branch.
    assert [(r["region"], r["received"]) for r in rep["by_region"]] == [
        ("北京市东城区", rep["by_branch"][0]["received"]), ("北京市海淀区", rep["by_branch"][1]["received"]),
        ("TOTAL", total["received"])]
    cfg = cli.db.parent / "regions.toml"
    cfg.write_text('[regions]\nBJ002 = "北京市东城区"\n', encoding="utf-8")
    merged = cli.json("--config", str(cfg), "report", "regulatory", "--quarter", "2026Q4", "--format", "json")
    assert [(r["region"], r["received"]) for r in merged["by_region"]] == [("北京市东城区", total["received"]),
                                                                          ("TOTAL", total["received"])]
    events = cli.sql("select action, new from events where case_id is null and action = 'regions'")
    assert len(events) == 1 and "北京市海淀区" in events[0][1]
    m = cli.json("report", "monthly", "--month", "2026-11", "--format", "json")
    assert m["received"] and m["received_previous"] and m["top_reasons"] and m["repeat_complainants"]
    assert all(m["trend"][f] for f in ("product", "channel"))
    assert m["compliance_by_tier"][-1]["resolved"] and m["compliance_by_branch"][-1]["resolved"]
    assert m["aging"][-1]["total"] and m["actions_due"] and m["actions_late"]
    reviews = m["reviews"][-1]
    assert reviews["reviews_requested"] and reviews["reviews_upheld"] + reviews["reviews_changed"]


def test_the_monthly_pages_charts_count_whole_cases_and_say_when_they_are_empty(cli, tmp_path):
    """A Chinese page printed pygal's English "No data" over an empty grid from 0 to 1 in tenths; a
    chart of cases counted "0.5". Now an empty chart is one line in the page's language, and the
    count axes are whole numbers."""
    import re

    late = cli.log(received="2026-03-02T10:00")
    cli.log("--product", "loan", received="2026-03-03T10:00")
    empty, full = tmp_path / "empty.html", tmp_path / "full.html"
    cli("--lang", "zh", "report", "monthly", "--month", "2025-09", "--output", str(empty))
    page = empty.read_text(encoding="utf-8")
    assert "No data" not in page and "<svg" not in page and page.startswith("<!DOCTYPE html>")
    assert "近12个月各产品投诉量：无数据" in page and page.count("：无数据") == 6
    assert "<h3>本月到期（0）</h3>" in page and "(0)" not in page  # the counts in the language's brackets
    cli("report", "monthly", "--month", "2026-03", "--output", str(full))
    page = full.read_text(encoding="utf-8")
    trend = page[page.index('id="trend-product"'):page.index('id="trend-channel"')]
    axis = trend[trend.index('class="axis y'):]
    axis = axis[:axis.index('class="axis x') if 'class="axis x' in axis else len(axis)]
    ticks = re.findall(r'<text x="-5" y="[\d.]+" class="[^"]*">([^<]+)</text>', axis)
    assert ticks and all(t.isdigit() for t in ticks), ticks  # 0, 1, 2: no tenths of a case
    assert "Received per month by channel (12 months): no data" not in page
    # A month whose only decision was late: 0% within the limits is a bar to draw, not "no data".
    cli("resolve", late, "--resolution", "x", "--notified-via", "phone", "--at", "2026-03-25T10:00")
    cli("report", "monthly", "--month", "2026-03", "--output", str(full))
    page = full.read_text(encoding="utf-8")
    assert '<figure id="compliance-tier"' in page and "Within time limits by tier (%): no data" not in page
    # Each id once in the page (pygal named every chart's legend entries alike; a chart shared its
    # section's id), and the months written as months (25/11 read as a day).
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert ">2025-04<" in page and ">2026-03<" in page and "/03<" not in page
