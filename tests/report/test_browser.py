"""A real headless Chromium opens the published dashboard: no console errors, charts drawn,
KPI and table numbers equal to the report tables; a screenshot is saved to test-artifacts/."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from airlake.generator import GeneratorConfig, generate
from airlake.pipeline import open_run, run_day, window_for
from airlake.report import format as fmt
from airlake.report.publish import reports_dir
from airlake.settings import settings_from_values
from airlake.tables import read_table

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DAY = date(2026, 11, 2)


@pytest.fixture
def driver(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("Chromium/ChromeDriver missing: `make browser` installs Debian's packages")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1300,2000",
        f"--user-data-dir={tmp_path / 'chrome'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or ""))
    yield browser
    browser.quit()


def test_dashboard_in_chromium(driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    generate(
        GeneratorConfig(
            start=DAY - timedelta(days=1),
            days=2,
            events_per_day=4000,
            seed=9,
            out=str(tmp_path / "landing"),
        )
    )
    settings = settings_from_values(
        {
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / "state" / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/state/catalog.db"},
        }
    )
    with open_run(settings) as ctx:
        run_day(ctx, DAY - timedelta(days=1))
        run_day(ctx, DAY)
        w = window_for(DAY, settings)
        campaign = [
            r
            for r in read_table(ctx.catalog, "reports.campaign_daily").to_pylist()
            if w.start <= r["event_date"] <= DAY
        ]
    page = reports_dir(settings) / f"airlake-{DAY}.html"
    assert page.exists()

    driver.get(page.resolve().as_uri())
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert (
        len(driver.find_elements(By.CSS_SELECTOR, "#chart-trend rect.bar")) == 2 * 2
    )  # 2 days x 2 series
    assert len(driver.find_elements(By.CSS_SELECTOR, "#chart-clicks rect.bar")) == 4
    assert len(driver.find_elements(By.CSS_SELECTOR, "#chart-funnel rect.bar")) == 4

    spend = sum((r["spend"] for r in campaign), Decimal(0))
    revenue = sum((r["revenue"] for r in campaign), Decimal(0))
    kpi = {
        e.get_attribute("data-kpi"): e.find_element(By.CLASS_NAME, "value").text
        for e in driver.find_elements(By.CLASS_NAME, "kpi")
    }
    assert kpi["spend"] == fmt.money(spend)
    assert kpi["revenue"] == fmt.money(revenue)
    assert kpi["roas"] == fmt.ratio(float(revenue / spend))

    rows = driver.find_elements(By.CSS_SELECTOR, "#campaigns tbody tr")
    by_campaign: dict[str, dict] = {}
    for r in campaign:
        agg = by_campaign.setdefault(r["campaign_id"], {"clicks": 0, "spend": Decimal(0)})
        agg["clicks"] += r["clicks"]
        agg["spend"] += r["spend"]
    assert len(rows) == len(by_campaign)
    for row in rows:
        cid = row.get_attribute("data-campaign")
        shown_clicks = row.find_element(By.CSS_SELECTOR, "td[data-key=clicks]").text
        shown_spend = row.find_element(By.CSS_SELECTOR, "td[data-key=spend]").text
        assert shown_clicks == fmt.integer(by_campaign[cid]["clicks"]), cid
        assert shown_spend == fmt.money(by_campaign[cid]["spend"]), cid

    # sorting by clicks (click the header twice: ascending, then descending)
    header = driver.find_element(By.CSS_SELECTOR, "#campaigns th[data-col='2']")
    header.click()
    header.click()
    first = driver.find_element(By.CSS_SELECTOR, "#campaigns tbody tr").get_attribute(
        "data-campaign"
    )
    assert first == max(by_campaign, key=lambda c: (by_campaign[c]["clicks"], c)) or by_campaign[
        first
    ]["clicks"] == max(v["clicks"] for v in by_campaign.values())
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / "dashboard.png"))
