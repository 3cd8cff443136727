# ruff: noqa
"""Airflow 3 task SDK names that arrived in later 3.x releases."""

from airflow.sdk import BaseOperator, BaseSensorOperator, Connection, Param, dag
from airflow.sdk.bases.hook import BaseHook
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.exceptions import AirflowSkipException

USED = (BaseOperator, BaseSensorOperator, Connection, Param, dag, BaseHook)
USED2 = (AirflowFailException, AirflowSkipException)
