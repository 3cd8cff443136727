"""--install against a real Airflow 2.10.3 (MWAA's, Python 3.11) built with uv in isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target
from airlake.preflight.runtime import runtime_findings

pytestmark = [pytest.mark.slow, pytest.mark.integration]

DAG = """from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
{extra}
with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    BashOperator(task_id="t", bash_command="echo hi")
"""


def test_install_finds_a_planted_import_error_and_passes_a_clean_dag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = load_target("mwaa-2.10.3")
    for name, extra in (("clean", ""), ("planted", "import company_helpers  # not installed\n")):
        (tmp_path / name / "dags").mkdir(parents=True)
        (tmp_path / name / "dags" / "d.py").write_text(DAG.format(extra=extra))
        (tmp_path / name / "requirements.txt").write_text("pyyaml\n")
    assert runtime_findings(load_project(tmp_path / "clean"), target) == []
    (finding,) = runtime_findings(load_project(tmp_path / "planted"), target)
    assert (finding.id, finding.path, finding.line) == ("PF403", "dags/d.py", 5)
    assert "No module named 'company_helpers'" in finding.message


def test_a_missing_python_is_one_line_saying_where_it_looked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("airlake.preflight.pythons._uv_find", lambda version, uv: None)
    monkeypatch.setattr("airlake.preflight.pythons._runs_as", lambda path, version: False)
    (finding,) = runtime_findings(load_project(tmp_path), load_target("mwaa-2.0.2"))  # Python 3.7
    assert finding.id == "PF400" and "Python 3.7 not found" in finding.message
    assert "pyenv versions" in finding.message and "python3.7 on PATH" in finding.message


def test_the_bundled_package_beside_the_dags_imports_as_on_mwaa(tmp_path: Path) -> None:
    """MWAA puts dags/ and plugins/ on sys.path: a DAG importing a package from either parses."""
    project = tmp_path / "p"
    (project / "dags" / "company").mkdir(parents=True)
    (project / "dags" / "company" / "__init__.py").write_text("NAME = 'x'\n")
    (project / "plugins" / "helpers").mkdir(parents=True)
    (project / "plugins" / "helpers" / "__init__.py").write_text("FLAG = 1\n")
    (project / "dags" / "d.py").write_text(DAG.format(extra="import company\nimport helpers\n"))
    (project / "dags" / "broken").mkdir()
    (project / "dags" / "broken" / "x.py").write_text("import no_such_module  # airflow DAG\n")
    (project / "dags" / ".airflowignore").write_text("broken/\n")
    assert runtime_findings(load_project(project), load_target("mwaa-2.10.3")) == []


SUBDAG = """from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.subdag import SubDagOperator


def child(parent, name):
    with DAG(f"{parent}.{name}", start_date=datetime(2024, 1, 1), schedule=None) as sub:
        EmptyOperator(task_id="inner")
    return sub


with DAG("parent", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    SubDagOperator(task_id="section", subdag=child("parent", "section"))
"""

AWS_AT_PARSE = """from datetime import datetime

import boto3
from airflow import DAG
from airflow.operators.bash import BashOperator

BUCKETS = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]

with DAG("aws_parse", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    BashOperator(task_id="t", bash_command="echo hi")
"""


def test_a_subdag_imports_as_on_mwaa_and_aws_at_parse_time_is_pf206(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MWAA parses beside an initialised metadata database (SubDagOperator needs it) and with
    an execution role (an AWS call at parse time answers there): neither is a failed import."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws of this machine
    (tmp_path / "p" / "dags").mkdir(parents=True)
    (tmp_path / "p" / "dags" / "sub.py").write_text(SUBDAG)
    (tmp_path / "p" / "dags" / "aws.py").write_text(AWS_AT_PARSE)
    (tmp_path / "p" / "requirements.txt").write_text("pyyaml\n")
    findings = runtime_findings(load_project(tmp_path / "p"), load_target("mwaa-2.10.3"))
    assert [(f.id, f.severity.value, f.path, f.line) for f in findings] == [
        ("PF206", "warning", "dags/aws.py", 7)
    ]
    assert "NoCredentialsError" in findings[0].message
