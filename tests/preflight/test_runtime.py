"""--install against a real Airflow 2.10.3 (MWAA's, Python 3.11) built with uv in isolation."""

from __future__ import annotations

import sys
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


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="mwaa-2.10.3 runs Python 3.11")
def test_install_finds_a_planted_import_error_and_passes_a_clean_dag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRLAKE_PREFLIGHT_CACHE", str(tmp_path.parent / "preflight-cache"))
    target = load_target("mwaa-2.10.3")
    for name, extra in (("clean", ""), ("planted", "import company_helpers  # not installed\n")):
        (tmp_path / name / "dags").mkdir(parents=True)
        (tmp_path / name / "dags" / "d.py").write_text(DAG.format(extra=extra))
        (tmp_path / name / "requirements.txt").write_text("pyyaml\n")
    assert runtime_findings(load_project(tmp_path / "clean"), target) == []
    (finding,) = runtime_findings(load_project(tmp_path / "planted"), target)
    assert (finding.id, finding.path, finding.line) == ("PF403", "dags/d.py", 5)
    assert "No module named 'company_helpers'" in finding.message


def test_a_missing_python_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (finding,) = runtime_findings(load_project(tmp_path), load_target("mwaa-2.0.2"))  # Python 3.7
    assert finding.id == "PF400" and "Python 3.7" in finding.message
