"""The publish stage: the last stage of a run writes the dashboard and the BI file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from airlake.report.bi import default_bi_path
from airlake.report.publish import remote_state, reports_dir
from airlake.run_context import open_run
from airlake.settings import Settings, settings_from_values
from airlake.stages import STAGE_NAMES, run_day
from tests.conftest import click_line


def test_publish_runs_after_quality() -> None:
    assert STAGE_NAMES[-3:] == ("quality", "publish", "maintain")


def test_files_go_next_to_a_local_warehouse(tmp_path: Path) -> None:
    local = settings_from_values({"storage": {"warehouse": str(tmp_path / "wh")}})
    assert reports_dir(local) == tmp_path / "reports"
    assert default_bi_path(local) == tmp_path / "bi" / "airlake.duckdb"
    remote = settings_from_values({"storage": {"warehouse": "s3://bucket/warehouse"}})
    assert reports_dir(remote) == Path(".airlake/reports")


def test_a_run_publishes(write_landing, local_settings: Settings, tmp_path: Path) -> None:
    day = date(2026, 11, 10)
    write_landing(day, 10, [click_line(f"e{i}", "2026-11-10T10:00:00") for i in range(3)])
    with open_run(local_settings) as ctx:
        run_day(ctx, day)
    page = tmp_path / "reports" / "airlake-2026-11-10.html"
    text = page.read_text(encoding="utf-8")
    assert "2026-11-08 – 2026-11-10" in text  # the run's late-data window
    assert '<div class="value">€0.75</div>' in text  # three clicks at €0.25
    assert (tmp_path / "reports" / "latest.html").read_text(encoding="utf-8") == text
    assert not list((tmp_path / "reports").glob(".*tmp"))
    con = duckdb.connect(str(tmp_path / "bi" / "airlake.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT SUM(clicks) FROM reports.campaign_daily").fetchone() == (3,)
    finally:
        con.close()


def test_remote_state_is_next_to_the_warehouse() -> None:
    def at(warehouse: str) -> str | None:
        return remote_state(settings_from_values({"storage": {"warehouse": warehouse}}))

    assert at("s3://bucket/lake") == "s3://bucket"
    assert at("s3://bucket/a/lake/") == "s3://bucket/a"
    assert at("s3://bucket") == "s3://bucket"
    assert at("/data/warehouse") is None


@pytest.mark.integration
@pytest.mark.slow
def test_a_run_on_s3_uploads_page_and_bi_file(
    moto_endpoint: str, write_landing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.chdir(tmp_path)  # the local copies go under ./.airlake
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-1")
    s3.create_bucket(Bucket="lake", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    day = date(2026, 11, 10)
    write_landing(day, 10, [click_line(f"e{i}", "2026-11-10T10:00:00") for i in range(3)])
    settings = settings_from_values(
        {
            "storage": {"landing": str(tmp_path / "landing"), "warehouse": "s3://lake/warehouse"},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
        },
        root=tmp_path,
    )
    with open_run(settings) as ctx:
        run_day(ctx, day)

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix="r")["Contents"])
    assert keys == ["reports/airlake-2026-11-10.html", "reports/latest.html"]
    page = s3.get_object(Bucket="lake", Key="reports/latest.html")["Body"].read().decode()
    assert '<div class="value">€0.75</div>' in page  # three clicks at €0.25
    assert page == (tmp_path / ".airlake" / "reports" / "latest.html").read_text(encoding="utf-8")
    s3.download_file("lake", "bi/airlake.duckdb", str(tmp_path / "copy.duckdb"))
    con = duckdb.connect(str(tmp_path / "copy.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT SUM(clicks) FROM reports.campaign_daily").fetchone() == (3,)
    finally:
        con.close()
