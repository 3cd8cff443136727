"""--fix --write: changes the project's own files and never writes through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.preflight.fix import FileFix, write_fix

# deprecated on mwaa-2.10.3: --fix rewrites it to airflow.operators.bash
LEGACY = "from airflow.operators.bash_operator import BashOperator\n"


def _fix_write(project: Path):
    return CliRunner().invoke(
        cli, ["preflight", str(project), "--target", "mwaa-2.10.3", "--fix", "--write"]
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "dags").mkdir(parents=True)
    (root / "requirements.txt").write_text("requests\n")
    return root


def test_a_hard_linked_dag_outside_the_project_is_not_written_and_is_reported(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "someone_elses.py"
    outside.write_text(LEGACY)
    os.link(outside, project / "dags" / "linked.py")
    (project / "dags" / "own.py").write_text(LEGACY)
    result = _fix_write(project)
    assert "Traceback" not in result.output
    assert outside.read_text() == LEGACY  # the other name of the file is untouched
    assert "skipped dags/linked.py: it has 2 hard links" in result.output
    assert "error: not written: dags/linked.py" in result.output
    assert result.exit_code == 1
    # the project's own file is fixed
    assert (
        "from airflow.operators.bash import BashOperator"
        in (project / "dags" / "own.py").read_text()
    )


def test_a_symlinked_dag_inside_the_project_is_not_written_through(project: Path) -> None:
    real = project / "dags" / "real.py"
    real.write_text(LEGACY)
    os.symlink(real, project / "dags" / "alias.py")
    result = _fix_write(project)
    assert "skipped dags/alias.py: dags/alias.py is a symbolic link" in result.output
    assert "wrote dags/real.py" in result.output
    assert "airflow.operators.bash import" in real.read_text()


def test_a_file_under_a_symlinked_folder_is_not_written(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.py").write_text("keep\n")
    os.symlink(elsewhere, project / "dags" / "sub")
    why = write_fix(project, FileFix("dags/sub/x.py", "keep\n", "changed\n"))
    assert why == "dags/sub is a symbolic link: not written through"
    assert (elsewhere / "x.py").read_text() == "keep\n"


def test_a_plain_file_is_written(project: Path) -> None:
    (project / "dags" / "a.py").write_text("old\n")
    assert write_fix(project, FileFix("dags/a.py", "old\n", "new\n")) is None
    assert (project / "dags" / "a.py").read_text() == "new\n"
