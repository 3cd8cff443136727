# ruff: noqa
"""A plain Airflow 2 DAG: core operator modules and the TaskFlow API."""

from datetime import datetime

from airflow import DAG
from airflow.decorators import dag, task
from airflow.models.baseoperator import chain
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator, get_current_context
from airflow.utils.task_group import TaskGroup


def report():
    return get_current_context()


with DAG("taskflow", start_date=datetime(2024, 1, 1), schedule=None) as plain:
    with TaskGroup("group"):
        first = EmptyOperator(task_id="start")
        run = BashOperator(task_id="run", bash_command="echo run")
        done = PythonOperator(task_id="report", python_callable=report)
        chain(first, run, done)


@dag(start_date=datetime(2024, 1, 1), schedule=None)
def decorated():
    @task
    def hello():
        return 1

    hello()


decorated()
