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


def test_today_so_far_in_chromium(driver, intraday_lake) -> None:
    """Two refreshes as a day's files arrive (one campaign's budget cut so its alert fires):
    the page opens with a "today so far" section marked partial, whose times, spend, rows,
    statuses and alerts are those of the newest refresh in the tables."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from selenium.webdriver.common.by import By

    from airlake.stages import run_stage
    from airlake.stages.refresh import run_refresh

    lake = intraday_lake(events=3000)
    settings = lake.settings
    berlin = ZoneInfo("Europe/Berlin")
    with open_run(settings) as ctx:
        run_stage(ctx, "extract", lake.day)
        for hour in (9, 12):
            lake.release_until(hour)
            run_refresh(ctx, datetime(2026, 11, 2, hour, tzinfo=UTC))
        pacing = read_table(ctx.catalog, "reports.pacing_intraday").to_pylist()
        alerts = [a for a in read_table(ctx.catalog, "reports.alerts").to_pylist() if a["is_open"]]
        conversions = read_table(ctx.catalog, "clean.attributed_conversions").to_pylist()
    as_of = datetime(2026, 11, 2, 12, tzinfo=UTC)
    latest = {r["campaign_id"]: r for r in pacing if r["as_of"] == as_of}
    assert latest and alerts

    driver.get((reports_dir(settings) / "latest.html").resolve().as_uri())
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    section = driver.find_element(By.ID, "today")
    assert section.is_displayed() and section.size["height"] > 200
    assert "PARTIAL" in section.find_element(By.CLASS_NAME, "partial-badge").text
    assert section.location["y"] < driver.find_element(By.ID, "run-meta").location["y"]
    shown = {
        e.get_attribute("data-today"): e.text
        for e in section.find_elements(By.CSS_SELECTOR, "b[data-today]")
    }
    through = max(r["data_through"] for r in latest.values())
    assert shown == {
        "as-of": as_of.astimezone(berlin).strftime("%H:%M"),  # 13:00 in Berlin in November
        "data-through": through.astimezone(berlin).strftime("%H:%M"),
    }
    assert through <= as_of
    kpi = {
        e.get_attribute("data-today-kpi"): e.find_element(By.CLASS_NAME, "value").text
        for e in section.find_elements(By.CSS_SELECTOR, "[data-today-kpi]")
    }
    start = datetime(2026, 11, 2, tzinfo=berlin)
    converted = sum(
        c["credit"]
        for c in conversions
        if c["campaign_id"] is not None and start <= c["conversion_ts"] <= as_of
    )
    assert kpi == {
        "spend": fmt.money(sum((r["spend"] for r in latest.values()), Decimal(0))),
        "conversions": fmt.count(converted),
        "alerts": str(len(alerts)),
    }
    rows = section.find_elements(By.CSS_SELECTOR, "#today-campaigns tbody tr")
    assert len(rows) == len(latest)
    for row in rows:
        r = latest[row.get_attribute("data-campaign")]
        cells = {
            td.get_attribute("data-key"): td.text for td in row.find_elements(By.TAG_NAME, "td")
        }
        assert cells["spend"] == fmt.money(r["spend"])
        assert cells["daily_budget"] == fmt.money(r["daily_budget"])
        assert cells["projected_spend"] == fmt.money(r["projected_spend"])
        assert cells["status"] == r["status"].replace(
            "_", "-" if r["status"].endswith("pacing") else " "
        )
    cut = section.find_element(By.CSS_SELECTOR, f'tr[data-campaign="{lake.cut}"] .status')
    assert cut.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"  # styled
    listed = [li.text for li in section.find_elements(By.CSS_SELECTOR, "#today-alerts li")]
    assert len(listed) == len(alerts)
    for alert in alerts:
        assert any(alert["message"] in text for text in listed), alert["message"]

    ARTIFACTS.mkdir(exist_ok=True)
    driver.set_window_size(1300, driver.execute_script("return document.body.scrollHeight") + 40)
    assert section.screenshot(str(ARTIFACTS / "dashboard-today.png"))
