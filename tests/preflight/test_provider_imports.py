"""Imports under a provider the project adds in requirements.txt, judged against the release the
target installs (the constraints' pin, or the requirement's own).

Ground truth: the provider wheels' own contents. apache-airflow-providers-snowflake 6.4.0 (pinned
by mwaa-3.0.6's constraints) has no ``SnowflakeOperator`` in ``operators/snowflake.py`` and no
``transfers/s3_to_snowflake.py``; 5.8.0 (mwaa-2.10.3's pin) has the operator (deprecated per
class) and no ``s3_to_snowflake`` module.
"""

from __future__ import annotations

from pathlib import Path

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.finding import Finding

SNOWFLAKE_DAG = """\
from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator
from airflow.providers.snowflake.transfers.s3_to_snowflake import S3ToSnowflakeOperator
from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
"""


def _import_findings(tmp_path: Path, target: str, requirement: str) -> list[Finding]:
    (tmp_path / "dags").mkdir(exist_ok=True)
    (tmp_path / "dags" / "load.py").write_text(SNOWFLAKE_DAG)
    (tmp_path / "requirements.txt").write_text(requirement + "\n")
    findings = run_checks(load_project(tmp_path), load_target(target))
    return [f for f in findings if f.path == "dags/load.py"]


def test_the_provider_added_in_requirements_is_judged_at_the_constraints_release_on_3_0_6(
    tmp_path: Path,
) -> None:
    found = _import_findings(tmp_path, "mwaa-3.0.6", "apache-airflow-providers-snowflake")
    assert [(f.id, f.severity.value, f.line) for f in found] == [
        ("PF201", "error", 1),
        ("PF201", "error", 2),
    ]
    assert found[0].message == (
        "`airflow.providers.snowflake.operators.snowflake` has no `SnowflakeOperator` in "
        "apache-airflow-providers-snowflake 6.4.0, the release requirements.txt:1 installs on "
        "mwaa-3.0.6"
    )
    assert found[1].message.startswith(
        "`airflow.providers.snowflake.transfers.s3_to_snowflake` does not exist in "
        "apache-airflow-providers-snowflake 6.4.0"
    )


def test_on_2_10_3_only_the_removed_transfer_module_is_an_error(tmp_path: Path) -> None:
    found = _import_findings(tmp_path, "mwaa-2.10.3", "apache-airflow-providers-snowflake")
    assert [(f.id, f.severity.value, f.line) for f in found] == [("PF201", "error", 2)]
    assert "apache-airflow-providers-snowflake 5.8.0" in found[0].message


def test_a_requirement_pinning_another_indexed_release_is_judged_against_that_release(
    tmp_path: Path,
) -> None:
    # 5.8.0 on mwaa-3.0.6: the requirement's pin decides (the constraints conflict is PF104's)
    found = _import_findings(tmp_path, "mwaa-3.0.6", "apache-airflow-providers-snowflake==5.8.0")
    assert [(f.id, f.line) for f in found if f.id == "PF201"] == [("PF201", 2)]
    assert "apache-airflow-providers-snowflake 5.8.0" in found[0].message


def test_a_release_not_in_the_index_is_reported_as_not_judged(tmp_path: Path) -> None:
    found = _import_findings(tmp_path, "mwaa-3.0.6", "apache-airflow-providers-snowflake==5.3.0")
    unjudged = [f for f in found if f.id == "PF212"]
    assert [(f.severity.value, f.line) for f in unjudged] == [
        ("warning", 1),
        ("warning", 2),
        ("warning", 3),
    ]
    assert "apache-airflow-providers-snowflake 5.3.0 is not in preflight's provider index" in (
        unjudged[0].message
    )


def test_a_provider_in_no_requirement_is_still_not_installed(tmp_path: Path) -> None:
    found = _import_findings(tmp_path, "mwaa-3.0.6", "requests")
    assert {f.message.split(":")[0] for f in found if f.id == "PF201"} == {
        "`airflow.providers.snowflake.operators.snowflake` is not installed on mwaa-3.0.6",
        "`airflow.providers.snowflake.transfers.s3_to_snowflake` is not installed on mwaa-3.0.6",
        "`airflow.providers.snowflake.hooks.snowflake` is not installed on mwaa-3.0.6",
    }


def test_the_image_release_of_a_shipped_provider_keeps_the_image_index(tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "s3.py").write_text(
        "from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n"
    )
    (tmp_path / "requirements.txt").write_text("apache-airflow-providers-amazon\n")
    found = run_checks(load_project(tmp_path), load_target("mwaa-3.0.6"))
    assert [f for f in found if f.path == "dags/s3.py"] == []


def test_a_shipped_provider_pinned_at_another_release_is_judged_at_that_release(
    tmp_path: Path,
) -> None:
    # mwaa-3.0.6 ships amazon 9.12.0; 8.28.0 (mwaa-2.10.3's pin) has no aws.bundles.s3 yet
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "s3.py").write_text(
        "from airflow.providers.amazon.aws.bundles.s3 import S3DagBundle\n"
        "from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n"
    )
    (tmp_path / "requirements.txt").write_text("apache-airflow-providers-amazon==8.28.0\n")
    found = [
        f
        for f in run_checks(load_project(tmp_path), load_target("mwaa-3.0.6"))
        if f.path == "dags/s3.py"
    ]
    assert [(f.id, f.line) for f in found] == [("PF201", 1)]
    assert "apache-airflow-providers-amazon 8.28.0" in found[0].message
    # at the image's own release the image's index decides: both import
    (tmp_path / "requirements.txt").write_text("apache-airflow-providers-amazon==9.12.0\n")
    assert not [
        f
        for f in run_checks(load_project(tmp_path), load_target("mwaa-3.0.6"))
        if f.path == "dags/s3.py"
    ]
