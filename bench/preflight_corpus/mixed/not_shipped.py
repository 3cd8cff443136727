# ruff: noqa
"""Providers that no MWAA image ships (a requirements.txt line would bring them)."""

from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator
from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator

USED = (BigQueryInsertJobOperator, SnowflakeOperator)
