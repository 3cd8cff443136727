"""Requirement checks judge what pip installs on the target's workers: a line whose marker is
false there is a note, never a finding against the target; a line whose marker is true is judged
against the target's Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.preflight import Severity, load_project, load_target, run_checks
from airlake.preflight.fix import fixes

CONSTRAINTS = "--constraint https://raw.githubusercontent.com/apache/airflow/constraints-{a}/constraints-{p}.txt\n"


def _findings(root: Path, requirements: str, target_name: str) -> list[tuple[str, str, int]]:
    target = load_target(target_name)
    (root / "requirements.txt").write_text(
        CONSTRAINTS.format(a=target.airflow_version, p=target.python_version) + requirements
    )
    return [
        (f.id, f.severity.value, f.line) for f in run_checks(load_project(root), target) if f.path
    ]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "dags").mkdir()
    return tmp_path


def test_a_line_for_another_platform_is_not_judged(root: Path) -> None:
    found = _findings(
        root,
        'pywin32==306; sys_platform == "win32"\n'
        'requests==2.0.0; sys_platform == "win32"\n'  # would conflict with the constraints
        'apache-airflow==1.10.15; platform_machine == "arm64"\n',
        "mwaa-2.10.3",
    )
    assert found == [("PF111", "info", 2), ("PF111", "info", 3), ("PF111", "info", 4)]


def test_a_python_version_marker_is_judged_for_the_targets_python(root: Path) -> None:
    line = 'requests==2.0.0; python_version < "3.12"\n'
    # mwaa-2.10.3 runs Python 3.11: pip installs the line there, and it conflicts
    assert ("PF104", "error", 2) in _findings(root, line, "mwaa-2.10.3")
    # mwaa-2.11.2 runs Python 3.12: pip skips it
    assert _findings(root, line, "mwaa-2.11.2") == [("PF111", "info", 2)]


def test_a_marker_the_target_data_cannot_decide_is_judged(root: Path) -> None:
    found = _findings(root, 'requests==2.0.0; platform_release >= "5"\n', "mwaa-2.10.3")
    assert ("PF104", "error", 2) in found


def test_a_provider_added_only_for_another_platform_does_not_count_as_installed(
    root: Path,
) -> None:
    (root / "dags" / "livy.py").write_text(
        "from airflow.providers.apache.livy.operators.livy import LivyOperator\n"
    )
    everywhere = _findings(root, "apache-airflow-providers-apache-livy\n", "mwaa-2.10.3")
    assert not [f for f in everywhere if f[0] == "PF201"]
    windows_only = _findings(
        root, 'apache-airflow-providers-apache-livy; sys_platform == "win32"\n', "mwaa-2.10.3"
    )
    assert ("PF201", "error", 1) in windows_only


def test_fix_leaves_a_line_for_another_platform_as_it_is(root: Path) -> None:
    target = load_target("mwaa-2.10.3")
    (root / "requirements.txt").write_text(
        'requests==2.0.0; sys_platform == "win32"\nrequests==2.0.0; python_version < "3.12"\n'
    )
    (fix,) = fixes(load_project(root), target)
    assert fix.after.splitlines()[1:] == ['requests==2.0.0; sys_platform == "win32"']
    (root / "requirements.txt").write_text(fix.after)
    assert not [
        f
        for f in run_checks(load_project(root), target)
        if f.severity is Severity.ERROR and f.path == "requirements.txt"
    ]
