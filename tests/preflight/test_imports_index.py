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


def test_a_name_outside_a_complete_getattr_map_does_not_exist() -> None:
    v202, v2112 = for_target(load_target("mwaa-2.0.2")), for_target(load_target("mwaa-2.11.2"))
    v331 = for_target(load_target("mwaa-3.3.1"))
    assert v202 is not None and v2112 is not None and v331 is not None
    # airflow/__init__.__getattr__ serves DAG and AirflowException on 2.0.2, Dataset from 2.4
    assert v202.name("airflow", "Dataset").status is Status.NO_NAME
    assert v202.name("airflow", "AirflowException").status is Status.OK
    assert v2112.name("airflow", "Dataset").status is Status.OK
    assert v2112.name("airflow.models", "DagNotAModel").status is Status.NO_NAME
    assert v331.name("airflow.exceptions", "AirflowNoSuchException").status is Status.NO_NAME
    moved = v331.name("airflow.exceptions", "AirflowFailException")
    assert moved.status is Status.DEPRECATED
    assert moved.replacement and moved.replacement.startswith("airflow.sdk")
    assert v331.name("airflow.utils.helpers", "chain").status is Status.NO_NAME
    # a __getattr__ that delegates (to yaml): the delegate's names are served
    assert v202.name("airflow.utils.yaml", "safe_load").status is Status.OK
    # names a __getattr__ matches by prefix (PY3x on 2.x) are not judged
    assert v2112.name("airflow", "PY38").status is Status.UNKNOWN


def test_module_level_shims_of_1_10_are_deprecated_aliases() -> None:
    index = for_target(load_target("mwaa-1.10.12"))
    assert index is not None
    found = index.name("airflow.contrib.kubernetes.secret", "Secret")
    assert found.status is Status.DEPRECATED
    assert found.replacement == "airflow.kubernetes.secret"
