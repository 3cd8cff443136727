"""Requirement markers are judged on the target's workers (Linux x86_64, the target's Python),
never on the machine that runs preflight."""

from __future__ import annotations

import pytest

from airlake.preflight.markers import installs_on, worker_environments
from airlake.preflight.targets import load_target


@pytest.mark.parametrize(
    ("marker", "target", "expected"),
    [
        ("", "mwaa-2.10.3", True),
        ('sys_platform == "win32"', "mwaa-2.10.3", False),
        ('platform_system == "Windows"', "mwaa-2.10.3", False),
        ('os_name == "nt"', "mwaa-2.10.3", False),
        ('sys_platform == "darwin"', "mwaa-2.10.3", False),
        ('platform_machine == "aarch64"', "mwaa-2.10.3", False),
        ('platform_machine == "x86_64" and sys_platform == "linux"', "mwaa-2.10.3", True),
        ('implementation_name == "pypy"', "mwaa-2.10.3", False),
        ('python_version < "3.12"', "mwaa-2.10.3", True),
        ('python_version < "3.12"', "mwaa-2.11.2", False),
        ('python_version < "3.8"', "mwaa-2.0.2", True),
        ('python_full_version < "3.12"', "mwaa-2.10.3", True),
        ('python_full_version >= "3.12.0"', "mwaa-2.10.3", False),
        ('extra == "s3"', "mwaa-2.10.3", False),
        # what the target data cannot tell: judged, to be safe
        ('python_full_version >= "3.11.4"', "mwaa-2.10.3", None),
        ('platform_release >= "5"', "mwaa-2.10.3", None),
    ],
)
def test_a_marker_is_decided_for_the_target(marker: str, target: str, expected: bool) -> None:
    assert installs_on(marker, load_target(target)) is expected


def test_the_environment_names_every_marker_variable_so_nothing_of_this_machine_leaks() -> None:
    from packaging.markers import default_environment

    for env in worker_environments("3.11"):
        assert set(default_environment()) <= set(env)
        assert env["sys_platform"] == "linux" and env["python_version"] == "3.11"
