"""PF206: what a DAG file does every time it is parsed, in the forms it takes in real projects:
a read inside the ``@dag`` function the file calls at its end, a hook whose constructor reads
its connection built at module level, names imported under an alias."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.parse_time import parse_time_work


def _pf206(tmp_path: Path, code: str, extra: dict[str, str] | None = None) -> list[tuple[int, str]]:
    (tmp_path / "dags").mkdir(exist_ok=True)
    (tmp_path / "dags" / "d.py").write_text(code)
    for path, text in (extra or {}).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    found = parse_time_work(load_project(tmp_path), load_target("mwaa-3.3.1"))
    return [(f.line, f.message) for f in found if f.path == "dags/d.py"]


DAG_FUNCTION = """\
from airflow.decorators import dag, task
from airflow.models import Variable
from airflow.providers.http.operators.http import HttpOperator


@task
def inside_a_task():
    return Variable.get("read_when_the_task_runs")


def never_called():
    return Variable.get("not_read")


@dag("nightly", schedule=None)
def nightly():
    HttpOperator(task_id="call", headers={"key": Variable.get("api_key")})
    inside_a_task()


nightly()
"""


def test_a_read_inside_the_dag_function_the_file_calls_is_parse_time(tmp_path: Path) -> None:
    ((line, message),) = _pf206(tmp_path, DAG_FUNCTION)
    assert line == 17  # the read itself, not the call
    assert message.startswith("Variable.get at parse time queries the metadata database")
    assert "(in nightly(), called while the file is parsed, line 21)" in message


def test_a_function_followed_through_another_and_a_self_call_ends(tmp_path: Path) -> None:
    code = """\
from airflow.models import Variable
from airflow import DAG


def settings():
    return {"bucket": Variable.get("bucket")}


def build(depth=0):
    build(depth + 1)
    return settings()


with DAG("d") as dag:
    conf = build()
"""
    ((line, message),) = _pf206(tmp_path, code)
    assert line == 6 and "(in build(), called while the file is parsed, line 15)" in message


def test_a_hook_whose_constructor_reads_its_connection_at_module_level(tmp_path: Path) -> None:
    code = """\
from airflow import DAG
from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.providers.ssh.hooks.ssh import SSHHook as Remote
from airflow.providers.ssh.operators.ssh import SSHOperator

s3 = S3Hook(aws_conn_id="aws")  # reads its connection only when used

with DAG("d") as dag:
    box = Remote(ssh_conn_id="box")
    SSHOperator(task_id="t", command="true", ssh_hook=box)


def later():
    return Remote(ssh_conn_id="box")
"""
    ((line, message),) = _pf206(tmp_path, code)
    assert line == 9
    assert message.startswith("SSHHook(...) at parse time reads its connection when it is")
    assert "where the connection is not defined the import can fail" in message


def test_a_hook_of_the_project_that_reads_its_connection_in_init(tmp_path: Path) -> None:
    plugin = """\
from airflow.hooks.base import BaseHook


class WarehouseHook(BaseHook):
    def __init__(self, conn_id):
        super().__init__()
        self.conn = self.get_connection(conn_id)


class NightlyWarehouseHook(WarehouseHook):
    pass


class LazyHook(BaseHook):
    def __init__(self, conn_id):
        self.conn_id = conn_id
"""
    code = """\
from hooks.warehouse import LazyHook, NightlyWarehouseHook

nightly = NightlyWarehouseHook("dwh")
lazy = LazyHook("dwh")
"""
    found = _pf206(tmp_path, code, {"plugins/hooks/warehouse.py": plugin})
    assert [(line, m.split("(", 1)[0]) for line, m in found] == [(3, "NightlyWarehouseHook")]


@pytest.mark.parametrize(
    ("code", "starts"),
    [
        ("from airflow.models import Variable as V\nV.get('x')\n", "Variable.get"),
        ("from airflow import models\nmodels.Variable.get('x')\n", "Variable.get"),
        ("import airflow.models.variable as var\nvar.Variable.get('x')\n", "Variable.get"),
        (
            "from airflow.hooks.base import BaseHook as BH\nBH.get_connection('c')\n",
            "get_connection",
        ),
        (
            "from airflow.providers.postgres.hooks.postgres import PostgresHook\n"
            "PostgresHook.get_connection('c')\n",
            "get_connection",
        ),
        ("from airflow.sdk import Connection\nConnection.get('c')\n", "Connection.get"),
        ("import pandas\nframe = pandas.read_csv('s3://b/k.csv')\n", "reading data"),
    ],
)
def test_reads_under_any_name_they_were_imported_as(tmp_path: Path, code: str, starts: str) -> None:
    ((line, message),) = _pf206(tmp_path, code)
    assert line == 2 and message.startswith(starts)


def test_defaults_and_decorator_arguments_run_where_the_function_is_defined(
    tmp_path: Path,
) -> None:
    code = """\
from airflow.decorators import dag
from airflow.models import Variable


def load(bucket=Variable.get("bucket")):
    return bucket


@dag("d", default_args={"owner": Variable.get("owner")})
def d():
    pass
"""
    assert [line for line, _ in _pf206(tmp_path, code)] == [5, 9]


def test_what_does_not_run_when_airflow_parses_the_file(tmp_path: Path) -> None:
    code = """\
from airflow.models import Variable
from airflow.decorators import task


@task
def read():
    return Variable.get("x")


def callback(context):
    return Variable.get("y")


class Settings:
    def value(self):
        return Variable.get("z")


lookup = lambda: Variable.get("w")  # noqa: E731
read()
Settings()

if __name__ == "__main__":
    Variable.get("only when run as a script")
"""
    assert _pf206(tmp_path, code) == []


def test_run_checks_reports_pf206_once_per_read(tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "d.py").write_text(DAG_FUNCTION)
    found = run_checks(load_project(tmp_path), load_target("mwaa-3.3.1"))
    assert [f.line for f in found if f.id == "PF206"] == [17]
