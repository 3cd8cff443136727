"""--install: build the target in an isolated environment with uv and parse every DAG with DagBag.

Only where the target's Python exists on this machine; otherwise one finding says so. The
environment is cached per target and requirements (``~/.cache/airlake/preflight`` or
``$AIRLAKE_PREFLIGHT_CACHE``), so a second run costs only the DAG parse.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.project import Project
from airlake.preflight.targets import Target

PARSE_SCRIPT = r"""
import json, sys, traceback
from airflow.models.dagbag import DagBag
bag = DagBag(sys.argv[1], include_examples=False)
print("AIRLAKE_RESULT " + json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()},
                                       "dags": sorted(bag.dag_ids)}))
"""


def cache_root() -> Path:
    return Path(
        os.environ.get("AIRLAKE_PREFLIGHT_CACHE", Path.home() / ".cache" / "airlake" / "preflight")
    )


def find_python(version: str) -> str | None:
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found is None:
        return None
    # a version manager's shim exists for every version; make sure this one really runs
    done = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found if done.returncode == 0 else None


def find_uv() -> str | None:
    here = Path(sys.executable).parent / "uv"
    for candidate in (shutil.which("uv"), str(here) if here.exists() else None, ".tools/bin/uv"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _requirements_text(project: Project) -> str:
    if not project.requirements_path:
        return ""
    return (project.root / project.requirements_path).read_text(encoding="utf-8")


def build_env(project: Project, target: Target, python: str, uv: str) -> tuple[Path | None, str]:
    """The cached environment for target + requirements; (path, "") or (None, uv's error)."""
    reqs = _requirements_text(project)
    key = hashlib.sha256(f"{target.name}\n{reqs}".encode()).hexdigest()[:16]
    env = cache_root() / target.name / key
    python_bin = env / "bin" / "python"
    if (env / ".complete").exists():
        return env, ""
    shutil.rmtree(env, ignore_errors=True)
    env.parent.mkdir(parents=True, exist_ok=True)
    constraints = resources.files("airlake.preflight").joinpath(
        "data", "mwaa", target.airflow_version, "airflow-constraints.txt"
    )
    with tempfile.TemporaryDirectory() as tmp:
        cfile = Path(tmp) / "constraints.txt"
        cfile.write_text(constraints.read_text(encoding="utf-8"), encoding="utf-8")
        rfile = Path(tmp) / "requirements.txt"
        # the project's own constraints line points at the network; the local copy replaces it
        rfile.write_text(
            "\n".join(
                line for line in reqs.splitlines() if not re.match(r"\s*(-c|--constraint)\b", line)
            )
        )
        steps = [
            [uv, "venv", "--quiet", "--python", python, str(env)],
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--python",
                str(python_bin),
                "-c",
                str(cfile),
                f"apache-airflow=={target.airflow_version}",
                "-r",
                str(rfile),
            ],
        ]
        for cmd in steps:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                return None, (done.stderr or done.stdout).strip()
    (env / ".complete").touch()
    return env, ""


def _line_of(error: str, path: str) -> int:
    lines = re.findall(rf'File "[^"]*{re.escape(Path(path).name)}", line (\d+)', error)
    return int(lines[-1]) if lines else 0


def runtime_findings(project: Project, target: Target) -> list[Finding]:
    """Install the target + requirements in isolation and parse every DAG file with DagBag."""
    python = find_python(target.python_version)
    if python is None:
        return [
            Finding(
                "PF400",
                Severity.INFO,
                "",
                0,
                f"runtime check skipped: Python {target.python_version} (what {target.name} runs) is not on this machine",
                f"run --install where python{target.python_version} exists; the static checks above still apply",
            )
        ]
    uv = find_uv()
    if uv is None:
        return [
            Finding(
                "PF400",
                Severity.INFO,
                "",
                0,
                "runtime check skipped: uv is not installed",
                "pip install uv (make install provides it)",
            )
        ]
    env, error = build_env(project, target, python, uv)
    if env is None:
        tail = error.splitlines()[-8:]
        return [
            Finding(
                "PF401",
                Severity.ERROR,
                project.requirements_path or "",
                0,
                "the target's Airflow + constraints + these requirements do not install: "
                + " | ".join(tail),
                "apply the requirement fixes above (preflight --fix) and run again",
            )
        ]
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            [str(env / "bin" / "python"), "-c", PARSE_SCRIPT, str(project.root / "dags")],
            capture_output=True,
            text=True,
            check=False,
            env={
                "PATH": os.environ.get("PATH", ""),
                "AIRFLOW_HOME": home,
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
            },
        )
    marker = next(
        (line for line in done.stdout.splitlines() if line.startswith("AIRLAKE_RESULT ")), None
    )
    if marker is None:
        return [
            Finding(
                "PF402",
                Severity.ERROR,
                "",
                0,
                "DagBag did not run in the target environment: "
                + " | ".join(done.stderr.strip().splitlines()[-5:]),
                "see the error above",
            )
        ]
    result = json.loads(marker[len("AIRLAKE_RESULT ") :])
    findings = []
    for path, error in sorted(result["errors"].items()):
        rel = (
            str(Path(path).resolve().relative_to(project.root.resolve()))
            if path.startswith("/")
            else path
        )
        last = error.strip().splitlines()[-1] if error.strip() else "import error"
        findings.append(
            Finding(
                "PF403",
                Severity.ERROR,
                rel,
                _line_of(error, rel),
                f"fails to import on {target.name}: {last}",
                "fix the import (see the static findings for moved paths) or add the package",
            )
        )
    return findings
