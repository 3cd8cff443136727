import subprocess
import sys
from pathlib import Path

import pytest

from airlake.deploy.mwaa_bundle import (
    build_bundle,
    bundle_requirement_lines,
    constraints_url,
    mwaa_python,
    requirements_text,
)
from airlake.errors import UserError


@pytest.mark.parametrize(
    ("version", "python"),
    [
        ("2.0.2", "3.7"),
        ("2.6.3", "3.10"),
        ("2.10.3", "3.11"),
        ("2.11.0", "3.12"),
        ("3.0.6", "3.12"),
    ],
)
def test_python_per_mwaa_version(version: str, python: str) -> None:
    assert mwaa_python(version) == python


def test_requirements_are_the_constraints_line_alone() -> None:
    lines = requirements_text("3.0.6").splitlines()
    assert f'--constraint "{constraints_url("3.0.6")}"' in lines
    assert "constraints-3.0.6/constraints-3.12.txt" in lines[-1]
    assert [line for line in lines if not line.startswith(("#", "--"))] == []


def test_an_unknown_mwaa_version_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"unknown MWAA Airflow version '9.9.9'; known: .*3.0.6"):
        build_bundle("production", tmp_path, "9.9.9")


def test_emr_bundle_ships_the_dag_side_only_and_the_step_artifacts(tmp_path: Path) -> None:
    bundle = build_bundle("production", tmp_path / "b")
    assert bundle_requirement_lines(bundle) == []
    package = {f for f in bundle.files if f.startswith("dags/airlake/")}
    assert {f for f in package if f.endswith(".py")} == {
        "dags/airlake/__init__.py",
        "dags/airlake/orchestration/compat.py",
        "dags/airlake/orchestration/dag.py",
        "dags/airlake/orchestration/plan.py",
        "dags/airlake/orchestration/tasks.py",
    }
    assert (tmp_path / "b" / "dags" / ".airflowignore").read_text() == "airlake/\n"
    assert {"artifacts/airlake.zip", "artifacts/spark_job.py", "artifacts/emr/bootstrap.sh"} <= set(
        bundle.files
    )
    pins = (tmp_path / "b" / "artifacts/emr/wheelhouse/requirements.txt").read_text().split()
    names = {p.split("==")[0] for p in pins}
    assert {"pyiceberg", "pyarrow", "sqlglot", "duckdb"} <= names
    assert "apache-airflow" not in names and "pyspark" not in names
    assert "startup.sh" not in bundle.files


def test_local_bundle_has_a_startup_script_for_airlakes_own_environment(tmp_path: Path) -> None:
    bundle = build_bundle("local", tmp_path / "b", "2.10.3")
    script = (tmp_path / "b" / "startup.sh").read_text()
    assert "python3.11 -m venv" in script and "--no-index" in script
    assert 'export AIRLAKE_BIN="/usr/local/airflow/airlake-venv/bin/airlake"' in script
    assert not any(f.startswith("artifacts/") for f in bundle.files)


@pytest.mark.airflow
def test_bundle_dag_parses_from_the_bundle_alone(tmp_path: Path) -> None:
    bundle = build_bundle("local", tmp_path / "bundle")
    assert "requirements.txt" in bundle.files
    assert {"dags/airlake_daily.py", "dags/airlake_intraday.py"} <= set(bundle.files)
    assert {"dags/airlake/plan.json", "dags/airlake/plan_intraday.json"} <= set(bundle.files)
    assert "dags/airlake/environments/local.toml" in bundle.files
    assert not any(f.endswith("plugins.zip") for f in bundle.files)
    dags = tmp_path / "bundle" / "dags"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import airlake; assert airlake.__file__.startswith(sys.argv[1]), airlake.__file__;"
        "from airlake.orchestration.compat import dagbag;"
        "b = dagbag(sys.argv[1]); assert not b.import_errors, b.import_errors;"
        "print(sorted(b.dags))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(dags)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"AIRFLOW_HOME": str(tmp_path / "af"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "['airlake_daily', 'airlake_intraday']" in out.stdout


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("version", ["2.9.2", "2.10.3", "2.11.2", "3.0.6", "3.2.1", "3.3.1"])
@pytest.mark.parametrize("profile", ["production", "local"])
def test_the_bundle_passes_preflight_static_and_install_on_every_target(
    tmp_path: Path, version: str, profile: str
) -> None:
    """The target's real environment (its image's packages, built with uv) parses the bundle with
    dags/ on sys.path and .airflowignore honoured, as MWAA does; the static checks agree."""
    from airlake.preflight import Severity, load_project, load_target, run_checks
    from airlake.preflight.runtime import runtime_findings

    bundle = build_bundle(profile, tmp_path / "b", version)
    project = load_project(bundle.root)
    target = load_target(f"mwaa-{version}")
    static = [f for f in run_checks(project, target) if f.severity is Severity.ERROR]
    assert static == []
    installed = runtime_findings(project, target)
    assert [f for f in installed if f.severity is Severity.ERROR] == [], installed
