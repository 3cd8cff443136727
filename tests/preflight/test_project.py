"""Reading a project: never outside it, source decoded as Python decodes it, and a file that
cannot be analysed is a finding, not a lost report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.preflight.project import load_project

SECRET = "AIRLAKE_TEST_SECRET_VALUE_42"


def _preflight(project: Path, *args: str):
    return CliRunner().invoke(
        cli, ["preflight", str(project), "--target", "mwaa-2.10.3", "--format", "json", *args]
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "dags").mkdir(parents=True)
    (root / "requirements.txt").write_text("requests\n")
    return root


@pytest.mark.parametrize("include", ["/proc/self/environ", "../outside.txt"])
def test_an_include_outside_the_project_is_a_finding_and_never_read(
    project: Path, include: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRLAKE_SECRET_FOR_TEST", SECRET)
    (project.parent / "outside.txt").write_text(f"{SECRET}==1.0\n")
    (project / "requirements.txt").write_text(f"requests\n-r {include}\n")
    loaded = load_project(project)
    assert [p.message for p in loaded.requirements.problems] == [
        f"includes {include}, outside the project: not read"
    ]
    result = _preflight(project)
    assert SECRET not in result.output
    assert "outside the project" in result.output
    for fmt in ("sarif", "junit", "text"):
        out = (
            CliRunner()
            .invoke(cli, ["preflight", str(project), "--target", "mwaa-2.10.3", "--format", fmt])
            .output
        )
        assert SECRET not in out


def test_a_dag_linking_outside_the_project_is_not_read(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text(f"TOKEN = '{SECRET}'\n")
    os.symlink(secret, project / "dags" / "linked.py")
    loaded = load_project(project)
    assert loaded.dags[0].text == ""
    assert "outside the project" in (loaded.dags[0].error or "")
    assert SECRET not in _preflight(project).output


def test_a_missing_requirements_file_named_on_the_command_line_is_an_error(
    project: Path,
) -> None:
    result = _preflight(project, "--requirements", "reqs/missing.txt")
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_bom_and_coding_line_are_read_as_python_reads_them(project: Path) -> None:
    dag = "from airflow import DAG\nx = 'caf\u00e9'\n"
    (project / "dags" / "bom.py").write_bytes(b"\xef\xbb\xbf" + dag.encode())
    (project / "dags" / "latin.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n" + dag.encode("latin-1")
    )
    loaded = load_project(project)
    assert [(d.path, d.error) for d in loaded.dags] == [
        ("dags/bom.py", None),
        ("dags/latin.py", None),
    ]
    assert all("caf\u00e9" in d.text for d in loaded.dags)


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "+".join(["1"] * 200_000),  # RecursionError in the parser
        "x = " + "-" * 200_000 + "1",  # MemoryError in the parser
        "x = " + "(" * 100_000 + "1" + ")" * 100_000,  # SyntaxError: too deeply nested
    ],
)
def test_a_file_python_cannot_compile_is_a_finding_and_the_report_survives(
    project: Path, source: str
) -> None:
    (project / "dags" / "deep.py").write_text(source + "\n")
    (project / "dags" / "ok.py").write_text("from airflow import DAG\n")
    loaded = load_project(project)
    deep = next(d for d in loaded.dags if d.path == "dags/deep.py")
    assert deep.tree is None and deep.error
    result = _preflight(project)
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    assert any("dags/deep.py" in json.dumps(f) for f in report["findings"])


def test_fix_write_never_writes_through_a_link_out_of_the_project(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside-requirements.txt"
    original = "apache-airflow==2.10.3\nrequests\n"
    outside.write_text(original)
    (project / "requirements.txt").unlink()
    os.symlink(outside, project / "requirements.txt")
    result = CliRunner().invoke(
        cli, ["preflight", str(project), "--target", "mwaa-2.10.3", "--fix", "--write"]
    )
    assert "Traceback" not in result.output
    assert outside.read_text() == original
    assert "outside the project" in result.output


def test_write_fix_refuses_a_path_leaving_the_project(project: Path, tmp_path: Path) -> None:
    from airlake.errors import UserError
    from airlake.preflight.fix import FileFix, write_fix

    victim = tmp_path / "victim.py"
    victim.write_text("keep\n")
    os.symlink(victim, project / "dags" / "link.py")
    with pytest.raises(UserError, match="outside the project"):
        write_fix(project, FileFix("dags/link.py", "keep\n", "changed\n"))
    assert victim.read_text() == "keep\n"
