# ruff: noqa
"""1.10 core and contrib paths beyond EMR."""

from datetime import datetime

from airflow.contrib.operators.aws_athena_operator import AWSAthenaOperator
from airflow.contrib.operators.ssh_operator import SSHOperator
from airflow.contrib.sensors.aws_glue_catalog_partition_sensor import AwsGlueCatalogPartitionSensor
from airflow.hooks.base_hook import BaseHook
from airflow.models import DAG, Variable
from airflow.operators.python_operator import BranchPythonOperator, ShortCircuitOperator
from airflow.operators.sensors import ExternalTaskSensor
from airflow.operators.subdag_operator import SubDagOperator
from airflow.sensors.base_sensor_operator import BaseSensorOperator
from airflow.sensors.external_task_sensor import ExternalTaskSensor as ExternalTaskSensor2
from airflow.utils.dates import days_ago
from airflow.utils.trigger_rule import TriggerRule

dag = DAG("core_paths", start_date=datetime(2021, 1, 1), schedule_interval="@daily")
USED = (
    AWSAthenaOperator,
    SSHOperator,
    AwsGlueCatalogPartitionSensor,
    BaseHook,
    Variable,
    BranchPythonOperator,
    ShortCircuitOperator,
    ExternalTaskSensor,
    SubDagOperator,
    BaseSensorOperator,
    ExternalTaskSensor2,
    days_ago,
    TriggerRule,
)
