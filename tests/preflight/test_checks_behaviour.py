"""Airflow 3 behaviour changes that are no import error, on a DAG written for Airflow 2.

Ground truth: the releases themselves (catchup_by_default True in 2.11.2's config.yml and False in
3.0.6's; DAG's default schedule timedelta(days=1) in 2.11.2 and None in 3.0.6; 3.0.6's Context
keys), not the checks' own tables.
"""

from __future__ import annotations

from pathlib import Path

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.finding import Finding

AIRFLOW2_DAG = """\
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.dummy import DummyOperator
from airflow.operators.python import PythonOperator

default_args = {
    "owner": "data",
    "retries": 2,
    "sla": timedelta(hours=1),
    "task_concurrency": 4,
}


def load(ds, next_ds_nodash, **context):
    run_for = context.get("yesterday_ds")
    return ds, next_ds_nodash, run_for


with DAG(
    "legacy",
    start_date=datetime(2023, 1, 1),
    schedule_interval="@daily",
    default_args=default_args,
) as dag:
    start = DummyOperator(task_id="start")
    step = PythonOperator(
        task_id="load",
        python_callable=load,
        op_kwargs={"day": "{{ tomorrow_ds_nodash }}", "dag_conf": "{{ dag_run.conf }}"},
    )

with DAG("explicit", start_date=datetime(2023, 1, 1), schedule=None, catchup=False) as other:
    DummyOperator(task_id="x")
"""

IDS = {"PF220", "PF221", "PF222", "PF223", "PF224", "PF225"}


def _findings(tmp_path: Path, target: str) -> list[Finding]:
    (tmp_path / "dags").mkdir(exist_ok=True)
    (tmp_path / "dags" / "legacy.py").write_text(AIRFLOW2_DAG)
    findings = run_checks(load_project(tmp_path), load_target(target))
    return [f for f in findings if f.id in IDS]


def _summary(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.id, f.severity.value, f.line) for f in findings]


def test_on_airflow_3_every_behaviour_change_is_a_finding_with_its_line(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "mwaa-3.0.6")
    assert _summary(findings) == [
        ("PF225", "warning", 10),  # sla: accepted, no effect
        ("PF225", "warning", 11),  # task_concurrency: no 3.x operator takes it
        ("PF223", "error", 15),  # the callable asks for next_ds_nodash
        ("PF223", "error", 16),  # context.get("yesterday_ds")
        ("PF220", "warning", 20),  # no catchup: 3.x does not catch up
        ("PF224", "error", 26),  # DummyOperator is gone
        ("PF223", "error", 30),  # {{ tomorrow_ds_nodash }}; {{ dag_run.conf }} is fine
        ("PF224", "error", 34),
    ]
    catchup = next(f for f in findings if f.id == "PF220")
    assert "catchup=True" in catchup.fix
    dummy = next(f for f in findings if f.id == "PF224")
    # the fix names where 3.0.6 defines EmptyOperator (the standard provider), from its index
    assert dummy.fix.startswith(
        "use EmptyOperator (from airflow.providers.standard.operators.empty import"
    )
    # schedule_interval= on 3.x is PF202's (the real DAG signature rejects it), not PF222's
    assert not any(f.id in ("PF221", "PF222") for f in findings)


def test_a_dag_without_a_schedule_is_never_scheduled_on_airflow_3(tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "d.py").write_text(
        "from airflow.decorators import dag\n\n@dag(catchup=True)\ndef nightly():\n    pass\n"
    )
    found = [f for f in run_checks(load_project(tmp_path), load_target("mwaa-3.3.1"))]
    assert [(f.id, f.line) for f in found if f.id in IDS] == [("PF221", 3)]
    assert "timedelta(days=1)" in next(f.fix for f in found if f.id == "PF221")
    none_on_2 = run_checks(load_project(tmp_path), load_target("mwaa-2.11.2"))
    assert not [f for f in none_on_2 if f.id in IDS]


def test_on_airflow_2_10_only_the_deprecations_apply(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "mwaa-2.10.3")
    assert _summary(findings) == [
        ("PF222", "warning", 23),  # schedule_interval= → schedule=
        ("PF224", "warning", 26),  # DummyOperator deprecated, still there
        ("PF224", "warning", 34),
    ]
    assert next(f for f in findings if f.id == "PF224").fix.startswith(
        "use EmptyOperator (from airflow.operators.empty import"
    )


def test_before_the_rename_schedule_interval_is_not_a_finding(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "mwaa-2.2.2")
    assert not [f for f in findings if f.id in ("PF220", "PF221", "PF222", "PF223", "PF225")]


def test_an_empty_operator_imported_under_the_old_name_is_not_dummy_operator(
    tmp_path: Path,
) -> None:
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "migrated.py").write_text(
        "from airflow.providers.standard.operators.empty import EmptyOperator as DummyOperator\n"
        "from airflow.operators.dummy import DummyOperator as Old\n"
        "DummyOperator(task_id='a')\n"
        "Old(task_id='b')\n"
    )
    findings = run_checks(load_project(tmp_path), load_target("mwaa-3.0.6"))
    assert [(f.id, f.line) for f in findings if f.id == "PF224"] == [("PF224", 4)]
