"""The import probe's reading of module-level ``__getattr__`` maps, on modules made here."""

from __future__ import annotations

import sys
import types
import warnings
from collections.abc import Iterator

import pytest

from airlake.preflight import index_probe


def _module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


@pytest.fixture
def delegate() -> Iterator[types.ModuleType]:
    module = _module("preflight_probe_delegate", "def safe_load(): pass\nclass Loader: pass\n")
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_a_dict_map_is_complete_and_lists_each_name() -> None:
    module = _module(
        "airflow_like",
        "import warnings\n"
        "__lazy_imports = {'DAG': 'json', 'Dataset': 'os'}\n"
        "def __getattr__(name):\n"
        "    path = __lazy_imports.get(name)\n"
        "    if not path:\n"
        "        raise AttributeError(name)\n"
        "    if name == 'Dataset':\n"
        "        warnings.warn('Dataset is deprecated', DeprecationWarning)\n"
        "    return __import__(path)\n",
    )
    saved = warnings.warn
    warnings.warn = index_probe._record_warning
    try:
        row = index_probe._describe("airflow_like", module)
    finally:
        warnings.warn = saved
    assert row["getattr"] == "complete"
    assert set(row["lazy"]) == {"DAG", "Dataset"}
    assert row["lazy"]["DAG"] == [True, "json", None]
    assert row["lazy"]["Dataset"] == [True, "os", "Dataset is deprecated"]


def test_a_warning_set_off_by_the_import_is_not_the_names_deprecation() -> None:
    module = _module(
        "side_effect_like",
        "import warnings\n"
        "def _configure():\n"
        "    warnings.warn('class-based config is deprecated', DeprecationWarning)\n"
        "    return 1\n"
        "def __getattr__(name):\n"
        "    if name == 'DAG':\n"
        "        return _configure()\n"
        "    raise AttributeError(name)\n",
    )
    saved = warnings.warn
    warnings.warn = index_probe._record_warning
    try:
        row = index_probe._describe("side_effect_like", module)
    finally:
        warnings.warn = saved
    assert row["lazy"]["DAG"] == [True, None, None]


def test_names_compared_in_the_code_are_the_map() -> None:
    module = _module(
        "errors_like",
        "def __getattr__(name):\n"
        "    if name in ('DISABLE_PROPOGATE', 'DISABLE_PROPAGATE'):\n"
        "        return 1\n"
        "    if name == 'ImportError':\n"
        "        return ValueError\n"
        "    raise AttributeError(name)\n",
    )
    row = index_probe._describe("errors_like", module)
    assert row["getattr"] == "complete"
    assert set(row["lazy"]) == {"DISABLE_PROPOGATE", "DISABLE_PROPAGATE", "ImportError"}


def test_a_delegating_getattr_lists_the_delegate_names(delegate: types.ModuleType) -> None:
    module = _module(
        "yaml_like",
        "def __getattr__(name):\n"
        "    import preflight_probe_delegate\n"
        "    return getattr(preflight_probe_delegate, name)\n",
    )
    row = index_probe._describe("yaml_like", module)
    assert row["getattr"] == "complete"
    assert {"safe_load", "Loader"} <= set(row["lazy"])


def test_a_getattr_that_serves_anything_is_open() -> None:
    module = _module(
        "config_like",
        "def __getattr__(name):\n    if name == 'REMOTE_TASK_LOG':\n        return 'x'\n",
    )
    row = index_probe._describe("config_like", module)
    assert row["getattr"] == "open"


def test_unserved_strings_of_the_code_are_kept_as_prefixes() -> None:
    module = _module(
        "versions_like",
        "import sys\n"
        "def __getattr__(name):\n"
        "    if name.startswith('PY3'):\n"
        "        return sys.version_info >= (3, int(name[3:]))\n"
        "    raise AttributeError(name)\n",
    )
    row = index_probe._describe("versions_like", module)
    assert row["getattr"] == "complete"
    assert "PY3" in row["prefixes"]


def test_a_wildcard_map_serves_the_names_of_its_module(delegate: types.ModuleType) -> None:
    module = _module(
        "trigger_rule_like",
        "import functools, importlib\n"
        "def _serve(imports, name):\n"
        "    target = imports.get(name) or imports['*'] + '.' + name\n"
        "    where, attr = target.rsplit('.', 1)\n"
        "    return getattr(importlib.import_module(where), attr)\n"
        "__getattr__ = functools.partial(_serve, {'*': 'preflight_probe_delegate'})\n",
    )
    row = index_probe._describe("trigger_rule_like", module)
    assert row["getattr"] == "complete"
    assert {"safe_load", "Loader"} <= set(row["lazy"])
