# ruff: noqa
"""Top-level airflow names and whole-module imports."""

import airflow
import airflow.contrib.operators.emr_add_steps_operator
import airflow.operators.python
import airflow.providers.amazon.aws.operators.emr
from airflow import DAG, Dataset, settings
from airflow.models import BaseOperator, DagRun, TaskInstance, XCom
from airflow.utils.state import State

USED = (airflow, DAG, Dataset, settings, BaseOperator, DagRun, TaskInstance, XCom, State)
