import subprocess
import sys
from pathlib import Path

import pytest

from airlake.deploy.mwaa_bundle import build_bundle, constraints_url, mwaa_python, requirements_text


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


def test_requirements_carry_the_constraints_line_and_skip_what_the_target_ships() -> None:
    text = requirements_text("3.0.6", shipped={"pyarrow"})
    lines = text.splitlines()
    assert f'--constraint "{constraints_url("3.0.6")}"' in lines
    assert "constraints-3.0.6/constraints-3.12.txt" in text
    assert "pyarrow" not in lines
    assert "sqlglot" in lines
    assert not any(line.startswith("apache-airflow") for line in lines)


@pytest.mark.airflow
def test_bundle_dag_parses_from_the_bundle_alone(tmp_path: Path) -> None:
    bundle = build_bundle("local", tmp_path / "bundle")
    assert "requirements.txt" in bundle.files
    assert "dags/airlake_daily.py" in bundle.files
    assert "dags/environments/local.toml" in bundle.files
    assert not any(f.endswith("plugins.zip") or "startup" in f for f in bundle.files)
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
    assert "['airlake_daily']" in out.stdout
