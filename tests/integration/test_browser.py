"""The monthly report in a real browser: Debian's headless Chromium, driven through chromium-driver.

Skipped, with the reason, where the browser is not installed (.ci/browser.sh installs it)."""
from __future__ import annotations

import base64
import re
import shutil

import pytest

from tests.cli.test_regulator import _quarter

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sqlite_only,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver "
                                                         "(bash .ci/browser.sh installs them)"),
]


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,1400", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


def _platform_fonts(driver, selector: str) -> list[str]:
    """The fonts Chromium really drew the element's text with (not what the CSS asked for)."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts if f.get("glyphCount", 0) > 0]


def test_the_monthly_report_draws_its_charts_in_chinese_and_prints_to_a_few_pages(cli, tmp_path, browser):
    refs = _quarter(cli)
    cli("action", "add", "--title", "规范提前还款违约金告知", "--root-cause", "fees", "--owner", "zhangwei",
        "--due", "2026-12-31", "--case", refs["b"])
    page = tmp_path / "report.html"
    cli("--lang", "zh", "report", "monthly", "--month", "2026-07", "--output", str(page))
    titles = ["近12个月各产品投诉量", "近12个月各渠道投诉量", "主要投诉原因：本月与上月", "各等级时限达标率（%）",
              "各网点时限达标率（%）", "未结投诉账龄（工作日）"]

    browser.get(page.as_uri())
    assert browser.title == "2026-07 消费投诉管理月报"
    charts = browser.execute_script(
        "return [...document.querySelectorAll('figure.chart svg')].map(s => {"
        " const r = s.getBoundingClientRect(); const t = s.querySelector('.title');"
        " return {w: r.width, h: r.height, title: t ? t.textContent : null,"
        "         marks: s.querySelectorAll('.series rect, .series path, .series circle').length}; })")
    assert [c["title"] for c in charts] == titles
    for chart in charts:
        assert chart["w"] > 300 and chart["h"] > 100, chart
        assert chart["marks"] > 0, chart  # the series were drawn, not just the axes
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    assert any("CJK" in f for f in _platform_fonts(browser, "h1")), _platform_fonts(browser, "h1")

    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {
        "printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True})["data"])
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 2 <= pages <= 10, pages
