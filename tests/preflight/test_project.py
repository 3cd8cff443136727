"""Reading a project: never outside it, source decoded as Python decodes it, and a file that
cannot be analysed is a finding, not a lost report."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.preflight import load_target, run_checks
from airlake.preflight.limits import DEFAULT_LIMITS, MAX_FILE_BYTES, ReadLimits
from airlake.preflight.project import load_project
from tests.preflight.zip_files import declare_size, zip_bytes

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


def test_a_long_expression_python_parses_but_checks_cannot_walk_is_a_finding(
    project: Path,
) -> None:
    # parses (about 1000 levels), but ast.unparse, the checks and libcst recurse per level
    long = "+".join(["1"] * 1000)
    (project / "dags" / "long.py").write_text(
        f"from airflow.operators.python import PythonOperator\n"
        f"if {long}:\n    PythonOperator(task_id={long}, provide_context={long})\n"
    )
    (project / "dags" / "ok.py").write_text("from airflow.operators.dummy import DummyOperator\n")
    result = _preflight(project, "--fix")
    assert "Traceback" not in result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["id"], f["severity"]) for f in findings if f["path"] == "dags/long.py"] == [
        ("PF208", "warning")
    ]
    assert "nests more than 200 levels deep" in result.stdout
    assert [f["id"] for f in findings if f["path"] == "dags/ok.py"] == ["PF201"]
    assert [f["id"] for f in findings if f["path"] == "requirements.txt"] == ["PF101", "PF105"]


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
    from airlake.preflight.fix import FileFix, write_fix

    victim = tmp_path / "victim.py"
    victim.write_text("keep\n")
    os.symlink(victim, project / "dags" / "link.py")
    assert "symbolic link" in (write_fix(project, FileFix("dags/link.py", "keep\n", "x\n")) or "")
    assert "outside" in (write_fix(project, FileFix("../victim.py", "keep\n", "x\n")) or "")
    assert victim.read_text() == "keep\n"


def test_a_symlinked_folder_under_dags_is_a_finding(project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared_dags"
    shared.mkdir()
    (shared / "elsewhere.py").write_text("from airflow.operators.dummy_operator import X\n")
    os.symlink(shared, project / "dags" / "team")
    findings = json.loads(_preflight(project).output)["findings"]
    linked = [f for f in findings if f["path"] == "dags/team"]
    assert [(f["id"], f["severity"]) for f in linked] == [("PF208", "warning")]
    assert "symbolic link to a folder outside the project" in linked[0]["message"]
    assert not any("elsewhere" in f["path"] for f in findings)


def test_a_constraints_file_outside_the_project_is_a_finding_and_never_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRLAKE_SECRET_FOR_TEST", SECRET)
    (project / "requirements.txt").write_text("requests\n-c ../../../../proc/self/environ\n")
    findings = json.loads(_preflight(project).output)["findings"]
    outside = [f for f in findings if f["id"] == "PF100"]
    assert [(f["path"], f["line"], f["message"]) for f in outside] == [
        (
            "requirements.txt",
            2,
            "constrains with ../../../../proc/self/environ, outside the project: not read",
        )
    ]
    assert SECRET not in _preflight(project).output


# --- reading limits: past them a file is a finding naming it, never a crash or a hang ----------

PLUGIN = (
    "from airflow.plugins_manager import AirflowPlugin\nclass P(AirflowPlugin):\n    name = 'p'\n"
)


def _not_read(project: Path, limits: ReadLimits = DEFAULT_LIMITS) -> dict[str, str]:
    findings = run_checks(load_project(project, limits=limits), load_target("mwaa-2.10.3"))
    return {f.path: f.message for f in findings if f.id == "PF208"}


def test_a_dag_file_past_the_limit_is_not_parsed_and_the_rest_is(project: Path) -> None:
    with (project / "dags" / "huge.py").open("wb") as fp:
        fp.truncate(MAX_FILE_BYTES + 1)  # sparse: no time, no disk
    (project / "dags" / "small.py").write_text("x = 1\n" * 200)
    (project / "dags" / "ok.py").write_text("from airflow.operators.dummy import DummyOperator\n")
    assert _not_read(project) == {
        "dags/huge.py": "not analysed: 2097153 bytes, more than the 2097152 bytes preflight "
        "reads; nothing in it is checked"
    }
    assert "dags/small.py" in _not_read(project, ReadLimits(file_bytes=1000))
    result = _preflight(project)
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    assert {f["id"] for f in report["findings"] if f["path"] == "dags/ok.py"} == {"PF201"}


@pytest.mark.timeout(30)
def test_fifos_are_not_read_and_do_not_block(project: Path) -> None:
    os.mkfifo(project / "dags" / "pipe.py")
    (project / "requirements.txt").unlink()
    os.mkfifo(project / "requirements.txt")
    os.mkfifo(project / "plugins.zip")
    assert _not_read(project) == {
        "dags/pipe.py": "not analysed: not a regular file; nothing in it is checked",
        "plugins.zip": "not analysed: not a regular file; nothing in it is checked",
    }
    result = _preflight(project, "--fix", "--resolve")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert {
        "id": "PF100",
        "severity": "error",
        "path": "requirements.txt",
        "line": 0,
        "message": "not read: not a regular file",
    }.items() <= next(
        f for f in json.loads(result.stdout)["findings"] if f["path"] == "requirements.txt"
    ).items()


def test_a_plugins_zip_member_past_the_limit_is_not_read(project: Path) -> None:
    members = {"ok_plugin.py": PLUGIN.encode(), "big.py": b"x = 1\n" * 400}
    (project / "plugins.zip").write_bytes(zip_bytes(members))
    assert _not_read(project, ReadLimits(file_bytes=1000)) == {
        "plugins.zip/big.py": "not analysed: 2.3 KiB, more than the 1000 bytes preflight reads; "
        "nothing in it is checked"
    }
    # with the default limit, a member whose directory entry claims 4 GiB is never unpacked
    (project / "plugins.zip").write_bytes(declare_size(zip_bytes(members), "big.py", 0xFFFFFFF0))
    loaded = load_project(project, limits=ReadLimits(zip_bytes=2**33))
    assert [u.path for u in loaded.unread] == ["plugins.zip/big.py"]
    assert [p.path for p in loaded.plugins] == ["plugins.zip/ok_plugin.py"]


def test_a_zip_bomb_is_not_read(project: Path) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("plugin.py", PLUGIN)
        zf.writestr("zeros.bin", bytes(4 * 1024 * 1024))  # 4 MiB of zeros: 4 KiB packed
    assert len(bomb.getvalue()) < 10_000
    (project / "plugins.zip").write_bytes(bomb.getvalue())
    assert _not_read(project, ReadLimits(zip_bytes=1024 * 1024)) == {
        "plugins.zip": "not analysed: its members unpack to 4.0 MiB, more than the 1.0 MiB "
        "preflight reads (a zip bomb?); nothing in it is checked"
    }
    # the default limit, against a directory that claims more than it holds
    (project / "plugins.zip").write_bytes(declare_size(bomb.getvalue(), "zeros.bin", 0xFFFFFFF0))
    assert "unpack to 4.0 GiB" in _not_read(project)["plugins.zip"]
    assert load_project(project).plugins == []


def test_a_zip_with_too_many_members_is_not_read(project: Path) -> None:
    (project / "plugins.zip").write_bytes(zip_bytes({f"m{i}.py": b"" for i in range(6)}))
    assert _not_read(project, ReadLimits(zip_members=5)) == {
        "plugins.zip": "not analysed: it holds 6 members, more than the 5 preflight reads; "
        "nothing in it is checked"
    }


def test_a_zip_member_that_does_not_unpack_is_a_finding_and_the_rest_is_read(
    project: Path,
) -> None:
    data = bytearray(zip_bytes({"broken.py": b"x = 1\n" * 50, "ok_plugin.py": PLUGIN.encode()}))
    struct.pack_into("<I", data, 14, 0)  # the first member's CRC in its local header
    at = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 16, 0)  # and in the directory
    (project / "plugins.zip").write_bytes(bytes(data))
    not_read = _not_read(project)
    assert list(not_read) == ["plugins.zip/broken.py"]
    assert "cannot be unpacked: Bad CRC-32" in not_read["plugins.zip/broken.py"]
    assert [p.path for p in load_project(project).plugins] == ["plugins.zip/ok_plugin.py"]


def test_a_plugins_zip_linking_outside_the_project_is_not_read(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.zip"
    outside.write_bytes(zip_bytes({f"{SECRET}.py": b"x = 1\n"}))
    os.symlink(outside, project / "plugins.zip")
    assert _not_read(project) == {
        "plugins.zip": "not analysed: links to a file outside the project; nothing in it is checked"
    }
    assert SECRET not in _preflight(project).output
