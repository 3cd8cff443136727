# ruff: noqa
"""Airflow 2.x core paths, several deprecated along the way."""

from airflow.datasets import Dataset
from airflow.exceptions import AirflowFailException, AirflowSkipException
from airflow.hooks.base import BaseHook
from airflow.models import Variable
from airflow.operators.dummy import DummyOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sensors.base import BaseSensorOperator
from airflow.sensors.external_task import ExternalTaskSensor
from airflow.utils.dates import days_ago
from airflow.utils.edgemodifier import Label

USED = (
    Dataset,
    AirflowFailException,
    AirflowSkipException,
    BaseHook,
    Variable,
    DummyOperator,
    TriggerDagRunOperator,
    BaseSensorOperator,
    ExternalTaskSensor,
    days_ago,
    Label,
)
