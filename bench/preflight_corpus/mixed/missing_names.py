# ruff: noqa
"""Names that are not in modules that exist, and modules that never existed."""

from airflow.models import DagNotAModel
from airflow.operators.bash import BashOperatorX
from airflow.providers.amazon.aws.operators.emr import EmrNoSuchOperator
from airflow.utils.helpers import chain
from airflow.utils.no_such_module import anything
from airflow.exceptions import AirflowNoSuchException

USED = (DagNotAModel, BashOperatorX, EmrNoSuchOperator, chain, anything, AirflowNoSuchException)
