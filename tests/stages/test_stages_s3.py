"""The whole pipeline with landing and warehouse on S3 — moto's server on 127.0.0.1 as the
endpoint — gives the same reports as on local folders."""

from __future__ import annotations

from datetime import date

import pytest

from airlake.generator import GeneratorConfig, generate
from airlake.run_context import open_run
from airlake.settings import Settings, settings_from_values
from airlake.stages import run_day
from airlake.tables import content_hash, read_table

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DAY = date(2026, 11, 1)


@pytest.fixture
def s3_endpoint(moto_endpoint: str) -> str:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-1")
    for bucket in ("landing", "warehouse"):
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    return moto_endpoint


def _settings(landing: str, warehouse: str, catalog: str) -> Settings:
    return settings_from_values(
        {
            "name": "s3",
            "storage": {"landing": landing, "warehouse": warehouse},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{catalog}"},
        }
    )


def test_pipeline_on_s3_matches_local(s3_endpoint: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a warehouse on S3 publishes its local copies under ./.airlake
    config = dict(start=DAY, days=1, events_per_day=3000, seed=5)
    manifest = generate(GeneratorConfig(out="s3://landing/events", **config))
    generate(GeneratorConfig(out=str(tmp_path / "landing"), **config))

    on_s3 = _settings("s3://landing/events", "s3://warehouse/lake", str(tmp_path / "s3-catalog.db"))
    local = _settings(
        str(tmp_path / "landing"), str(tmp_path / "warehouse"), str(tmp_path / "catalog.db")
    )
    for settings in (on_s3, local):
        with open_run(settings) as ctx:
            run_day(ctx, DAY)

    with open_run(on_s3) as ctx:
        table = ctx.catalog.load_table("reports.campaign_daily")
        assert table.location().startswith("s3://warehouse/lake/")
        quality = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        s3_hash = content_hash(read_table(ctx.catalog, "reports.campaign_daily"))
    truth = manifest["landing_days"][DAY.isoformat()]
    assert (quality[0]["lines"], quality[0]["valid"], quality[0]["duplicates"]) == (
        truth["lines"],
        truth["valid"],
        truth["duplicates"],
    )
    with open_run(local) as ctx:
        assert content_hash(read_table(ctx.catalog, "reports.campaign_daily")) == s3_hash
