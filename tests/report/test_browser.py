"""A real headless Chromium opens the published dashboard: no console errors, charts drawn,
KPI and table numbers equal to the report tables; a screenshot is saved to test-artifacts/."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from airlake.generator import GeneratorConfig, generate
from airlake.report import format as fmt
from airlake.report.publish import reports_dir
from airlake.run_context import open_run, window_for
from airlake.settings import settings_from_values
from airlake.stages import run_day
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


def _sum(rows: list[dict], key: str):
    return sum((r[key] for r in rows), Decimal(0) if isinstance(rows[0][key], Decimal) else 0)


def test_dashboard_in_chromium(driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    # two days of traffic; the run's window is three days, so the first day has no data
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
            "name": "browser-test",
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
        quality = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
    page = reports_dir(settings) / f"airlake-{DAY}.html"
    latest = reports_dir(settings) / "latest.html"
    assert page.read_bytes() == latest.read_bytes()

    driver.get(page.resolve().as_uri())
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    css = driver.find_elements
    days_with_data = len({r["event_date"] for r in campaign})
    assert days_with_data == 2
    assert len(css(By.CSS_SELECTOR, "#chart-trend rect.bar")) == 2 * days_with_data
    assert len(css(By.CSS_SELECTOR, "#chart-clicks rect.bar")) == days_with_data
    assert len(css(By.CSS_SELECTOR, "#chart-conversions rect.bar")) == days_with_data
    assert len(css(By.CSS_SELECTOR, "#chart-funnel rect.bar")) == 4
    for chart in css(By.CSS_SELECTOR, "svg.chart"):  # laid out, not just present in the DOM
        assert chart.size["width"] > 200 and chart.size["height"] > 100, chart.get_attribute("id")
    for bar in css(By.CSS_SELECTOR, "#chart-trend rect.bar"):
        assert float(bar.get_attribute("height")) >= 0
    assert (
        f"No campaign data for {w.start.isoformat()}" in driver.find_element(By.ID, "partial").text
    )

    # KPI tiles equal the report table's sums
    spend, revenue = _sum(campaign, "spend"), _sum(campaign, "revenue")
    clicks, impressions = _sum(campaign, "clicks"), _sum(campaign, "impressions")
    conversions = _sum(campaign, "conversions")
    kpi = {
        e.get_attribute("data-kpi"): e.find_element(By.CLASS_NAME, "value").text
        for e in css(By.CLASS_NAME, "kpi")
    }
    assert kpi == {
        "spend": fmt.money(spend),
        "revenue": fmt.money(revenue),
        "roas": fmt.ratio(float(revenue / spend)),
        "conversions": fmt.count(conversions),
        "ctr": fmt.percent(clicks / impressions),
        "cvr": fmt.percent(conversions / clicks),
    }

    # every number of every campaign row equals the report table summed per campaign
    by_campaign: dict[str, list[dict]] = {}
    for r in campaign:
        by_campaign.setdefault(r["campaign_id"], []).append(r)
    rows = css(By.CSS_SELECTOR, "#campaigns tbody tr")
    assert len(rows) == len(by_campaign)
    for row in rows:
        group = by_campaign[row.get_attribute("data-campaign")]
        shown = {
            td.get_attribute("data-key"): td.text for td in row.find_elements(By.TAG_NAME, "td")
        }
        c_spend, c_clicks = _sum(group, "spend"), _sum(group, "clicks")
        c_conv = _sum(group, "conversions")
        assert shown["impressions"] == fmt.integer(_sum(group, "impressions"))
        assert shown["clicks"] == fmt.integer(c_clicks)
        assert shown["conversions"] == fmt.count(c_conv)
        assert shown["spend"] == fmt.money(c_spend)
        assert shown["revenue"] == fmt.money(_sum(group, "revenue"))
        assert shown["cpc"] == (fmt.money(float(c_spend) / c_clicks) if c_clicks else "–")

    # data quality: one row per landing day, numbers from the quality table
    shown_quality = {
        tr.get_attribute("data-landing"): {
            td.get_attribute("data-key"): td.text for td in tr.find_elements(By.TAG_NAME, "td")
        }
        for tr in css(By.CSS_SELECTOR, "#quality tbody tr")
    }
    expected_quality = {
        r["landing_date"].isoformat(): r for r in quality if w.start <= r["landing_date"] <= DAY
    }
    assert shown_quality.keys() == expected_quality.keys()
    for day, r in expected_quality.items():
        assert shown_quality[day]["lines"] == fmt.integer(r["lines"])
        assert shown_quality[day]["valid"] == fmt.integer(r["valid"])
        assert shown_quality[day]["duplicates"] == fmt.integer(r["duplicates"])
        assert shown_quality[day]["quarantined"] == fmt.integer(r["quarantined"])

    # sorting by clicks: ascending on the first click, descending on the second
    header = driver.find_element(By.CSS_SELECTOR, "#campaigns th[data-key=clicks]")
    assert header.text == "Clicks"
    most = max(_sum(g, "clicks") for g in by_campaign.values())
    least = min(_sum(g, "clicks") for g in by_campaign.values())
    header.click()
    first = css(By.CSS_SELECTOR, "#campaigns tbody tr td[data-key=clicks]")[0].text
    assert first == fmt.integer(least)
    header.click()
    first = css(By.CSS_SELECTOR, "#campaigns tbody tr td[data-key=clicks]")[0].text
    assert first == fmt.integer(most)

    ARTIFACTS.mkdir(exist_ok=True)
    driver.set_window_size(1300, driver.execute_script("return document.body.scrollHeight") + 40)
    assert driver.save_screenshot(str(ARTIFACTS / "dashboard.png"))
