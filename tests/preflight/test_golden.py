"""Golden fixtures: a project folder beside the exact findings it must produce per target.

Each fixture folder holds ``expected-<target>.json`` files; one loader drives them all.
Regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.finding import Severity
from airlake.preflight.fix import fixes

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture_pairs() -> list[tuple[Path, str, Path]]:
    pairs = []
    for expected in sorted(FIXTURES.glob("*/expected-*.json")):
        target = expected.stem[len("expected-") :]
        pairs.append((expected.parent, target, expected))
    return pairs


def _as_rows(project_dir: Path, target: str) -> list[list]:
    findings = run_checks(load_project(project_dir), load_target(target))
    return [[f.id, f.severity.value, f.path, f.line, f.message, f.fix] for f in findings]


@pytest.mark.parametrize(
    ("project", "target", "expected"), load_fixture_pairs(), ids=lambda v: getattr(v, "name", v)
)
def test_fixture_findings_are_exactly_the_golden_ones(
    project: Path, target: str, expected: Path
) -> None:
    rows = _as_rows(project, target)
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(json.dumps(rows, indent=1) + "\n")
    assert rows == json.loads(expected.read_text())


def test_the_fixture_set_covers_the_three_migrations() -> None:
    names = {(p.name, t) for p, t, _ in load_fixture_pairs()}
    assert {
        ("legacy_1_10", "mwaa-2.0.2"),
        ("seed_2_1_2", "mwaa-2.0.2"),
        ("airflow2_to_3", "mwaa-3.0.6"),
    } <= names


def test_fix_write_leaves_no_conflict_and_no_redundant_pin(tmp_path: Path) -> None:
    project = tmp_path / "seed"
    shutil.copytree(FIXTURES / "seed_2_1_2", project)
    target = load_target("mwaa-2.0.2")
    for fix in fixes(load_project(project), target):
        (project / fix.path).write_text(fix.after)
    after = run_checks(load_project(project), target)
    assert not [
        f for f in after if f.id in {"PF101", "PF102", "PF103", "PF104", "PF105", "PF106"}
    ], after
    text = (project / "requirements.txt").read_text()
    assert text.startswith(
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.0.2/constraints-3.7.txt"'
    )
    assert (
        "snowflake-connector-python==2.4.2" in text
    )  # not shipped, but constrained: moved to 2.4.2
    assert "great-expectations==0.13.22" in text  # neither shipped nor constrained: kept


def test_fix_write_rewrites_dag_imports_keeping_formatting(tmp_path: Path) -> None:
    project = tmp_path / "legacy"
    shutil.copytree(FIXTURES / "legacy_1_10", project)
    target = load_target("mwaa-2.0.2")
    before = (project / "dags" / "campaign_etl.py").read_text()
    for fix in fixes(load_project(project), target):
        (project / fix.path).write_text(fix.after)
    after_text = (project / "dags" / "campaign_etl.py").read_text()
    assert after_text.count("\n") == before.count("\n")  # same layout, line for line
    # the Amazon provider on 2.0.2 (1.x) has no operators.emr yet: the index's path, not the table's
    assert (
        "from airflow.providers.amazon.aws.operators.emr_add_steps import EmrAddStepsOperator"
        in after_text
    )
    remaining = run_checks(load_project(project), target)
    assert any(f.severity is Severity.ERROR for f in remaining)  # the plugin: by hand


def test_fix_write_leaves_only_imports_that_exist_on_the_target(tmp_path: Path) -> None:
    project = tmp_path / "legacy"
    shutil.copytree(FIXTURES / "legacy_1_10", project)
    target = load_target("mwaa-2.0.2")
    for fix in fixes(load_project(project), target):
        (project / fix.path).write_text(fix.after)
    after_text = (project / "dags" / "campaign_etl.py").read_text()
    assert "from airflow.providers.amazon.aws.sensors.emr_step import EmrStepSensor" in after_text
    remaining = run_checks(load_project(project), target)
    assert not [f for f in remaining if f.id == "PF201" and "emr" in f.message]
    # the 1.10 shims are deprecated on 2.0.2: rewritten to the paths that import without warning
    assert not [f for f in remaining if f.id == "PF201" and "_operator" in f.message]


@pytest.mark.parametrize(
    ("target_name", "expected"),
    [
        (
            "mwaa-2.11.2",
            [
                "from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator",
                "from airflow.operators.python import PythonOperator",
            ],
        ),
        (
            "mwaa-3.3.1",  # moves chain: python_operator → operators.python → standard provider
            [
                "from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor",
                "from airflow.providers.standard.operators.python import PythonOperator",
                "from airflow.providers.standard.operators.bash import BashOperator",
            ],
        ),
    ],
)
def test_fix_rewrites_to_the_path_the_target_has(target_name: str, expected: list[str]) -> None:
    project = load_project(FIXTURES / "legacy_1_10")
    target = load_target(target_name)
    (dag_fix,) = [f for f in fixes(project, target) if f.path == "dags/campaign_etl.py"]
    for line in expected:
        assert line in dag_fix.after.splitlines()
    assert "from airflow.models import Variable" in dag_fix.after  # works there: left alone
