"""The checked-in import index: present, with provenance, small, and right on known facts."""

from __future__ import annotations

import gzip
import json
from importlib import resources

from airlake.preflight import load_target
from airlake.preflight.imports_index import Status, for_target, removal_version
from airlake.preflight.targets import known_targets


def _raw() -> dict:
    blob = resources.files("airlake.preflight").joinpath("data", "imports.json.gz").read_bytes()
    assert len(blob) < 5_000_000
    return json.loads(gzip.decompress(blob))


def test_every_mwaa_target_is_indexed_or_says_why_not() -> None:
    data = _raw()
    mwaa = {t for t in known_targets() if t.startswith("mwaa-")}
    assert set(data["targets"]) | set(data["not_indexed"]) == mwaa
    for name in data["targets"]:
        provenance = data["provenance"][name]
        assert provenance["packages"]["apache-airflow"] == name.removeprefix("mwaa-")
        assert provenance["generated"] and provenance["modules"] > 100


def test_modules_names_and_aliases_per_target() -> None:
    old, new = for_target(load_target("mwaa-2.10.3")), for_target(load_target("mwaa-3.3.1"))
    assert old is not None and new is not None
    assert old.name("airflow.operators.python", "PythonOperator").status is Status.OK
    assert old.module("airflow.sdk").status is Status.NO_MODULE
    assert new.name("airflow.sdk.exceptions", "AirflowFailException").status is Status.OK
    alias = old.name("airflow.operators.dummy", "DummyOperator")
    assert alias.status is Status.DEPRECATED
    assert old.name("airflow.operators.bash", "NoSuchThing").status is Status.NO_NAME
    assert old.module("airflow.providers.google.cloud").status is Status.NOT_SHIPPED


def test_an_airflow_target_has_no_providers_of_its_own() -> None:
    plain = for_target(load_target("airflow-2.10.3"))
    assert plain is not None
    found = plain.module("airflow.providers.amazon.aws.operators.emr")
    assert found.status is Status.NOT_SHIPPED


def test_removal_version_from_the_message_or_the_category() -> None:
    assert removal_version("", "will be removed in the Airflow 3.2. Please") == "3.2"
    assert removal_version("RemovedInAirflow3Warning", "This module is deprecated.") == "3.0"
    assert removal_version("DeprecationWarning", "This module is deprecated.") is None
