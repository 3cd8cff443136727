"""Reading a provider wheel statically: module names, top-level names, shims, open modules."""

from __future__ import annotations

import zipfile
from pathlib import Path

from airlake.preflight.provider_scan import ModuleFacts, module_facts, module_name, scan_wheel

HOOK = """
import warnings
from typing import TYPE_CHECKING

from airflow.hooks.base import BaseHook as _Base
from airflow.providers.x.version_compat import AIRFLOW_V_3_0_PLUS

try:
    from snowflake import connector
except ImportError:
    connector = None

if AIRFLOW_V_3_0_PLUS:
    from airflow.sdk import BaseOperator
else:
    from airflow.models import BaseOperator

RETRIES, (LOW, HIGH) = 3, (1, 2)
TIMEOUT: int = 10


class XHook(_Base):
    def inner(self):
        hidden = 1


def helper():
    pass
"""


def test_top_level_names_include_every_branch_and_no_function_body() -> None:
    facts = module_facts(HOOK)
    assert facts == ModuleFacts(
        (
            "AIRFLOW_V_3_0_PLUS",
            "BaseOperator",
            "HIGH",
            "LOW",
            "RETRIES",
            "TIMEOUT",
            "TYPE_CHECKING",
            "XHook",
            "connector",
            "helper",
            "warnings",
        ),
        False,
        "",
    )


def test_a_shim_module_records_its_warning_and_a_getattr_module_is_open() -> None:
    shim = (
        "import warnings\nfrom airflow.exceptions import AirflowProviderDeprecationWarning\n"
        "from airflow.providers.x.hooks.new import *  # noqa\n"
        "warnings.warn('This module is deprecated. Please use `airflow.providers.x.hooks.new`.',"
        " AirflowProviderDeprecationWarning, stacklevel=2)\n"
    )
    facts = module_facts(shim)
    assert facts.open is True
    assert facts.deprecation.startswith("This module is deprecated")
    lazy = module_facts("def __getattr__(name):\n    raise AttributeError(name)\n")
    assert lazy.open is True and lazy.names == ("__getattr__",)
    # a warning of another kind is no deprecation
    assert module_facts("import warnings\nwarnings.warn('slow', UserWarning)\n").deprecation == ""


def test_module_names_from_wheel_members() -> None:
    assert module_name("airflow/providers/x/hooks/y.py") == "airflow.providers.x.hooks.y"
    assert module_name("airflow/providers/x/__init__.py") == "airflow.providers.x"
    assert module_name("airflow/providers/x/tests/test_y.py") is None
    assert module_name("apache_airflow_providers_x-1.0.dist-info/METADATA") is None


def test_a_wheel_is_read_with_namespace_packages_and_broken_modules(tmp_path: Path) -> None:
    wheel = tmp_path / "apache_airflow_providers_apache_x-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("airflow/providers/apache/x/__init__.py", "__version__ = '1.0.0'\n")
        zf.writestr("airflow/providers/apache/x/hooks/x.py", "class XHook:\n    pass\n")
        zf.writestr("airflow/providers/apache/x/bad.py", "def (:\n")
    scan = scan_wheel(wheel)
    assert scan["airflow.providers.apache.x.hooks.x"] == ModuleFacts(("XHook",), False, "")
    assert str(scan["airflow.providers.apache.x.bad"]).startswith("SyntaxError")
    # no __init__.py for airflow.providers.apache in the wheel: a namespace package, importable
    assert isinstance(scan["airflow.providers.apache"], ModuleFacts)
