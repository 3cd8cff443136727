"""--resolve: ask uv's resolver whether the requirements install under the target's constraints
for the target's Python — no target interpreter needed (``uv pip compile --python-version``),
about a second against the package index. Its explanation names the conflicting pins."""

from __future__ import annotations

import re
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.markers import UV_PLATFORM
from airlake.preflight.project import Project
from airlake.preflight.requirements import as_one_file
from airlake.preflight.target_env import find_uv
from airlake.preflight.targets import Target


def resolver_findings(project: Project, target: Target) -> list[Finding]:
    uv = find_uv()
    if uv is None:
        return [
            Finding(
                "PF400",
                Severity.INFO,
                "",
                0,
                "resolver check skipped: uv is not installed",
                "pip install uv",
            )
        ]
    if not project.requirements_path:
        return []
    constraints = resources.files("airlake.preflight").joinpath(
        "data", "mwaa", target.airflow_version, "airflow-constraints.txt"
    )
    with tempfile.TemporaryDirectory() as tmp:
        cfile, rfile = Path(tmp) / "constraints.txt", Path(tmp) / "requirements.txt"
        cfile.write_text(constraints.read_text(encoding="utf-8"), encoding="utf-8")
        # the project's constraints line is checked on its own (PF101/PF102); here the target's
        # applies. Includes come inlined as preflight read them: uv follows none.
        rfile.write_text(
            f"apache-airflow=={target.airflow_version}\n" + as_one_file(project.requirements),
            encoding="utf-8",
        )
        # Packages of the Python 3.7 era build their metadata with setuptools' 2to3, gone since 58.
        bfile = Path(tmp) / "build-constraints.txt"
        bfile.write_text(
            "setuptools<58\n" if target.python_version == "3.7" else "", encoding="utf-8"
        )
        done = subprocess.run(
            [
                uv,
                "pip",
                "compile",
                "--quiet",
                "--no-header",
                "--python-version",
                # a patch release, not X.Y.0: packages such as pandas require e.g. >=3.7.1
                f"{target.python_version}.99",
                # markers and wheels as on the target's workers, whatever machine this is
                "--python-platform",
                UV_PLATFORM,
                "-c",
                str(cfile),
                "--build-constraints",
                str(bfile),
                str(rfile),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    if done.returncode == 0:
        return []
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    explanation = " ".join(lines[:8])
    line_no = 0
    named = re.search(r"([A-Za-z0-9][A-Za-z0-9._-]*)==[\w.]+ (?:and|depends)", explanation)
    if named:
        for r in project.requirements.requirements:
            if r.name and r.name == re.sub(r"[-_.]+", "-", named.group(1)).lower():
                line_no = r.line
                break
    return [
        Finding(
            "PF110",
            Severity.ERROR,
            project.requirements_path,
            line_no,
            f"no installable set for Python {target.python_version} under {target.name}'s constraints: {explanation}",
            "apply the pin fixes above (preflight --fix), or drop the pin the resolver names",
        )
    ]
