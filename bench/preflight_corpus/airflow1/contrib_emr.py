# ruff: noqa
"""EMR from the 1.10 contrib package, as most 1.10 MWAA projects wrote it."""

from datetime import datetime

from airflow import DAG
from airflow.contrib.hooks.aws_hook import AwsHook
from airflow.contrib.operators.emr_add_steps_operator import EmrAddStepsOperator
from airflow.contrib.operators.emr_create_job_flow_operator import EmrCreateJobFlowOperator
from airflow.contrib.operators.emr_terminate_job_flow_operator import EmrTerminateJobFlowOperator
from airflow.contrib.sensors.emr_step_sensor import EmrStepSensor
from airflow.hooks.S3_hook import S3Hook

dag = DAG("contrib_emr", start_date=datetime(2021, 1, 1), schedule_interval=None)
create = EmrCreateJobFlowOperator(task_id="create", job_flow_overrides={}, dag=dag)
add = EmrAddStepsOperator(task_id="add", job_flow_id="j-1", steps=[], dag=dag)
watch = EmrStepSensor(task_id="watch", job_flow_id="j-1", step_id="s-1", dag=dag)
stop = EmrTerminateJobFlowOperator(task_id="stop", job_flow_id="j-1", dag=dag)
create >> add >> watch >> stop
HOOKS = (AwsHook, S3Hook)
