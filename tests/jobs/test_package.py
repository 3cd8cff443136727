import subprocess
import sys
import zipfile
from pathlib import Path

from airlake.jobs.package import build_package


def test_package_holds_what_a_spark_step_imports(tmp_path: Path) -> None:
    package = build_package(tmp_path)
    names = zipfile.ZipFile(package.zip_path).namelist()
    assert "airlake/stages/__init__.py" in names and "airlake/engines/spark.py" in names
    assert "airlake/report/publish.py" in names  # the publish stage runs as a step too
    assert "airlake/models/campaign_daily.sql" in names
    assert not any(n.startswith(("airlake/orchestration/", "airlake/cli/")) for n in names)
    # the zip alone (on sys.path, as --py-files puts it) imports the job's modules
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import airlake.stages, airlake.engines.spark; print(airlake.stages.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", probe, str(package.zip_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "airlake.zip" in out.stdout


def test_the_job_entry_point_reports_user_errors_in_one_line(tmp_path: Path) -> None:
    entry = build_package(tmp_path).entry_path
    out = subprocess.run(
        [
            sys.executable,
            str(entry),
            "ingest",
            "--date",
            "2026-11-01",
            "--env",
            str(tmp_path / "missing.toml"),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: no profile")
