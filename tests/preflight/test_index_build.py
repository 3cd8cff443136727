"""Generating the import index: the compaction (pure) and, marked slow, one real target."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from airlake.preflight.index_build import build_index, compact

ROWS = [
    {"start": "airflow.a"},
    {"m": "airflow.a", "ok": True, "names": ["X", "Y"], "lazy": {}},
    {"m": "airflow.b", "ok": True, "names": ["X", "Y"], "lazy": {"Z": [True, "a.Z", "gone"]}},
    {"m": "airflow.c", "ok": False, "err": "ModuleNotFoundError: No module named 'k'"},
    {"dep": "airflow.b", "w": ["DeprecationWarning", "use airflow.a"]},
    {
        "signatures": {
            "airflow.models.dag.DAG": {"params": ["dag_id"], "popped": [], "var_kw": False}
        }
    },
]


def test_compact_shares_name_lists_and_keeps_errors_and_deprecations() -> None:
    pool: dict[tuple[str, ...], int] = {}
    entry = compact(ROWS, pool)
    assert entry["modules"] == {"airflow.a": 0, "airflow.b": 0, "airflow.c": ROWS[3]["err"]}
    assert pool == {("X", "Y"): 0}
    assert entry["deprecated"] == {"airflow.b": ["DeprecationWarning", "use airflow.a"]}
    assert entry["lazy"] == {"airflow.b": {"Z": [True, "a.Z", "gone"]}}
    assert entry["signatures"]["airflow.models.dag.DAG"]["params"] == ["dag_id"]


@pytest.mark.slow
@pytest.mark.integration
def test_indexing_a_real_target(tmp_path: Path) -> None:
    out = tmp_path / "imports.json.gz"
    data = build_index(["mwaa-3.3.1"], out, providers=False)
    assert "mwaa-3.3.1" in data["targets"]
    saved = json.loads(gzip.decompress(out.read_bytes()))
    entry = saved["targets"]["mwaa-3.3.1"]
    names = saved["names"][entry["modules"]["airflow.sdk.exceptions"]]
    assert "AirflowFailException" in names
    assert "airflow.operators.python" in entry["modules"]


def test_compact_keeps_which_getattr_maps_are_complete() -> None:
    rows = [
        {"m": "airflow.d", "ok": True, "names": [], "lazy": {}, "getattr": "complete"},
        {"m": "airflow.e", "ok": True, "names": [], "lazy": {}, "getattr": "open"},
        {"m": "airflow.f", "ok": True, "names": [], "lazy": {}, "getattr": "complete"},
    ]
    rows[2]["prefixes"] = ["PY3"]
    entry = compact(rows, {})
    assert entry["getattr"] == ["airflow.d", "airflow.e", "airflow.f"]
    assert entry["getattr_open"] == ["airflow.e"]
    assert entry["prefixes"] == {"airflow.f": ["PY3"]}
