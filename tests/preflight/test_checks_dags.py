"""The DAG checks on the exact lines that decide whether a project works on a target.

The verdicts come from the checked-in import index (generated from each target's real
environment); nothing here builds an environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.checks_dags import moved_imports, removed_arguments
from airlake.preflight.finding import Finding, Severity


def _project(tmp_path: Path, dag: str, requirements: str = "") -> Path:
    (tmp_path / "dags").mkdir(parents=True)
    (tmp_path / "dags" / "dag.py").write_text(dag)
    if requirements:
        (tmp_path / "requirements.txt").write_text(requirements)
    return tmp_path


def _imports(tmp_path: Path, dag: str, target: str, requirements: str = "") -> list[Finding]:
    project = load_project(_project(tmp_path, dag, requirements))
    return list(moved_imports(project, load_target(target)))


IMAGE_PROCESSING = """\
from airflow.operators.python_operator import PythonOperator
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.contrib.hooks.aws_lambda_hook import AwsLambdaHook

task = PythonOperator(task_id="t", python_callable=print, provide_context=True)
"""


def test_a_1_10_project_on_2_0_2_has_only_the_constraints_line_as_error(tmp_path: Path) -> None:
    root = _project(tmp_path, IMAGE_PROCESSING, "boto3\n")
    findings = run_checks(load_project(root), load_target("mwaa-2.0.2"))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert [f.id for f in errors] == ["PF101"], errors  # the missing --constraint line
    shims = [f for f in findings if f.id == "PF201"]
    assert {f.line for f in shims} == {1, 2, 3, 4}  # deprecation shims: warnings
    assert all(f.severity is Severity.WARNING for f in shims)
    (context,) = [f for f in findings if f.id == "PF202"]
    assert context.severity is Severity.WARNING and "provide_context" in context.message


@pytest.mark.parametrize("target", ["mwaa-3.0.6"])
def test_airflow_2_operator_modules_are_deprecated_aliases_on_3_0(
    tmp_path: Path, target: str
) -> None:
    dag = (
        "from airflow.operators.python import PythonOperator\n"
        "from airflow.operators.bash import BashOperator\n"
        "from airflow.operators.empty import EmptyOperator\n"
    )
    findings = _imports(tmp_path, dag, target)
    assert [(f.line, f.severity) for f in findings] == [
        (1, Severity.WARNING),
        (2, Severity.WARNING),
        (3, Severity.WARNING),
    ]
    assert (
        findings[0].fix == "from airflow.providers.standard.operators.python import PythonOperator"
    )
    assert "airflow.providers.standard.operators.python.PythonOperator" in findings[0].message


@pytest.mark.parametrize(
    ("target", "severity"),
    [("mwaa-2.10.3", Severity.ERROR), ("mwaa-3.0.6", Severity.ERROR), ("mwaa-3.3.1", None)],
)
def test_sdk_exceptions_airflow_fail_exception(
    tmp_path: Path, target: str, severity: Severity | None
) -> None:
    findings = _imports(
        tmp_path, "from airflow.sdk.exceptions import AirflowFailException\n", target
    )
    assert [f.severity for f in findings] == ([severity] if severity else [])
    if target == "mwaa-3.0.6":
        assert "has no `AirflowFailException`" in findings[0].message
        assert findings[0].fix == "from airflow.exceptions import AirflowFailException"
    if target == "mwaa-2.10.3":
        assert "`airflow.sdk.exceptions` does not exist" in findings[0].message


AMAZON_9 = """\
from airflow.providers.amazon.aws.operators.emr_create_job_flow import EmrCreateJobFlowOperator
from airflow.providers.amazon.aws.operators.emr_add_steps import EmrAddStepsOperator
from airflow.providers.amazon.aws.sensors.emr_step import EmrStepSensor
from airflow.providers.amazon.aws.operators.glue_crawler import AwsGlueCrawlerOperator
from airflow.providers.amazon.aws.hooks.lambda_function import AwsLambdaHook
"""


@pytest.mark.parametrize("target", ["mwaa-2.10.3", "mwaa-3.0.6"])
def test_amazon_paths_the_9x_provider_removed_are_errors(tmp_path: Path, target: str) -> None:
    findings = _imports(tmp_path, AMAZON_9, target)
    assert [(f.line, f.severity) for f in findings] == [(n, Severity.ERROR) for n in range(1, 6)]
    by_line = {f.line: f for f in findings}
    assert by_line[1].fix == (
        "from airflow.providers.amazon.aws.operators.emr import EmrCreateJobFlowOperator"
    )
    assert by_line[3].fix == "from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor"


def test_the_same_amazon_paths_worked_on_2_2_2(tmp_path: Path) -> None:
    findings = _imports(tmp_path, AMAZON_9, "mwaa-2.2.2")  # Amazon provider 2.x
    assert not [f for f in findings if f.severity is Severity.ERROR]


def test_a_provider_the_image_does_not_ship_is_an_error_unless_required(tmp_path: Path) -> None:
    dag = "from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator\n"
    (finding,) = _imports(tmp_path / "a", dag, "mwaa-2.10.3")
    assert finding.severity is Severity.ERROR
    assert "apache-airflow-providers-snowflake" in finding.fix
    assert not _imports(tmp_path / "b", dag, "mwaa-2.10.3", "apache-airflow-providers-snowflake\n")


def test_guarded_imports_are_not_judged(tmp_path: Path) -> None:
    dag = (
        "try:\n"
        "    from airflow.providers.standard.operators.python import PythonOperator\n"
        "except ImportError:\n"
        "    from airflow.operators.python_operator import PythonOperator\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from airflow.no_such_module import Thing\n"
    )
    assert not _imports(tmp_path, dag, "mwaa-2.10.3")


def test_a_missing_name_in_an_existing_module_is_caught(tmp_path: Path) -> None:
    dag = "from airflow.operators.bash import BashOperatorX\n"
    (finding,) = _imports(tmp_path, dag, "mwaa-2.10.3")
    assert finding.severity is Severity.ERROR
    assert finding.message == "`airflow.operators.bash` has no `BashOperatorX` on mwaa-2.10.3"


def test_the_1_10_contrib_paths_import_on_1_10(tmp_path: Path) -> None:
    dag = "from airflow.contrib.operators.emr_add_steps_operator import EmrAddStepsOperator\n"
    assert not _imports(tmp_path / "a", dag, "mwaa-1.10.12")
    (gone,) = _imports(tmp_path / "b", dag, "mwaa-2.10.3")
    assert gone.severity is Severity.ERROR


@pytest.mark.parametrize(
    ("target", "severity"),
    [("mwaa-2.0.2", Severity.WARNING), ("mwaa-3.0.6", Severity.ERROR)],
)
def test_provide_context_follows_the_real_python_operator(
    tmp_path: Path, target: str, severity: Severity
) -> None:
    dag = (
        "from airflow.operators.python import PythonOperator\n"
        "PythonOperator(task_id='t', python_callable=print, provide_context=True)\n"
    )
    project = load_project(_project(tmp_path, dag))
    (finding,) = removed_arguments(project, load_target(target))
    assert finding.severity is severity and finding.line == 2


@pytest.mark.parametrize("operator", ["BranchPythonOperator", "ShortCircuitOperator"])
def test_provide_context_on_a_python_operator_subclass_is_judged_by_python_operator(
    tmp_path: Path, operator: str
) -> None:
    dag = (
        f"from airflow.operators.python import {operator}\n"
        f"{operator}(task_id='t', python_callable=print, provide_context=True)\n"
    )
    project = load_project(_project(tmp_path, dag))
    (finding,) = removed_arguments(project, load_target("mwaa-2.0.2"))
    assert finding.severity is Severity.WARNING  # PythonOperator pops it with a warning


def test_schedule_interval_is_an_error_only_where_dag_rejects_it(tmp_path: Path) -> None:
    dag = "from airflow import DAG\nDAG('d', schedule_interval='@daily')\n"
    project = load_project(_project(tmp_path, dag))
    assert not list(removed_arguments(project, load_target("mwaa-2.10.3")))
    (finding,) = removed_arguments(project, load_target("mwaa-3.0.6"))
    assert finding.severity is Severity.ERROR and finding.fix == "use schedule=..."


def test_airflow_dot_dag_arguments_are_judged_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from airlake.preflight import load_project, load_target, run_checks

    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text(
        "import airflow\n\ndag = airflow.DAG('d', schedule_interval='@once')\n"
    )
    found = run_checks(load_project(tmp_path), load_target("mwaa-3.3.1"))
    assert [(f.id, f.line) for f in found if f.id == "PF202"] == [("PF202", 3)]


def test_trigger_dag_run_python_callable_is_an_error_from_2_0(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from airlake.preflight import load_project, load_target, run_checks

    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text(
        "from airflow.operators.dagrun_operator import TriggerDagRunOperator\n\n"
        "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x',\n"
        "                          python_callable=lambda c, d: d)\n"
    )
    project = load_project(tmp_path)
    on2 = [f for f in run_checks(project, load_target("mwaa-2.4.3")) if f.id == "PF202"]
    assert [(f.severity.value, f.line) for f in on2] == [("error", 4)]
    assert not [f for f in run_checks(project, load_target("mwaa-1.10.15")) if f.id == "PF202"]
