"""airlake's pinned runtime packages: what its own environment needs, nothing of Airflow/Spark."""

from __future__ import annotations

from importlib import metadata

from airlake.deploy.runtime_requirements import pinned_runtime_requirements


def test_every_direct_dependency_is_pinned_at_its_installed_version() -> None:
    pins = dict(p.split("==") for p in pinned_runtime_requirements())
    for name in ("pyarrow", "numpy", "duckdb", "pyiceberg", "sqlglot", "sqlalchemy", "boto3"):
        assert pins[name] == metadata.version(name), name
    # the crawler list renders the bot patterns on the EMR driver too: it ships in the wheelhouse
    assert pins["crawler-user-agents"] == metadata.version("crawler-user-agents")


def test_extras_and_platform_packages_stay_out() -> None:
    names = {p.split("==")[0] for p in pinned_runtime_requirements()}
    assert not {"apache-airflow", "pyspark", "py4j", "pandas", "pytest", "moto"} & names
    # pyiceberg's requested extras come along (sql-sqlite, pyiceberg-core, s3fs, glue)
    assert {"pyiceberg-core", "s3fs"} <= names


def test_markers_are_evaluated_for_the_target_python() -> None:
    # typing-extensions backports are pulled in on old Pythons only by some packages; the pins
    # for 3.11 and 3.12 may differ, but each is a closed set of name==version lines
    for version in ("3.11", "3.12"):
        pins = pinned_runtime_requirements(python_version=version)
        names = [p.split("==")[0] for p in pins]
        assert names == sorted(set(names)) and all(p.count("==") == 1 for p in pins)
