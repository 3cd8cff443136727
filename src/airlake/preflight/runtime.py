"""--install: build the target in an isolated environment with uv and parse every DAG with DagBag.

The environment is the target's real worker environment (:mod:`airlake.preflight.target_env`:
the image's packages, then the requirements under the target's constraints), cached, so a second
run costs only the DAG parse. DAG files are parsed as MWAA parses them: ``dags/`` and
``plugins/`` on ``sys.path``, ``.airflowignore`` honoured (DagBag reads it). Only where the
target's Python exists on this machine; otherwise one finding says where it looked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.project import Project
from airlake.preflight.pythons import find_python
from airlake.preflight.requirements import as_one_file
from airlake.preflight.target_env import TargetEnvError, build_target_env, find_uv
from airlake.preflight.targets import Target

PARSE_SCRIPT = r"""
import json, sys, traceback
# MWAA parses DAG files beside an initialised metadata database: operators that look up pools
# or DAG runs while a DAG file is imported (SubDagOperator) need its tables
from airflow.utils import db
db.initdb()
try:  # Airflow 3.1+
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(sys.argv[1])
except ImportError:
    from airflow.models.dagbag import DagBag
    bag = DagBag(sys.argv[1], include_examples=False)
print("AIRLAKE_RESULT " + json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()},
                                       "dags": sorted(bag.dag_ids)}))
"""

# botocore's errors for an AWS call without credentials (or endpoint): on MWAA the execution
# role and the environment's region answer such a call, here nothing does
_AWS_AT_PARSE = re.compile(
    r"\b(NoCredentialsError|PartialCredentialsError|NoRegionError|EndpointConnectionError|"
    r"Unable to locate credentials|You must specify a region)\b"
)
# what MWAA sets on its workers (any region does: nothing is called here)
MWAA_REGION = "us-east-1"


def _requirements_text(project: Project) -> str:
    """The requirements as preflight read them, includes inlined (uv follows none)."""
    if not project.requirements_path:
        return ""
    return as_one_file(project.requirements)


def mwaa_sys_path(root: Path) -> str:
    """``PYTHONPATH`` as MWAA sets it: the project's ``dags/`` and ``plugins/`` folders."""
    return os.pathsep.join(str(root / name) for name in ("dags", "plugins"))


def _line_of(error: str, path: str) -> int:
    lines = re.findall(rf'File "[^"]*{re.escape(Path(path).name)}", line (\d+)', error)
    return int(lines[-1]) if lines else 0


def runtime_findings(project: Project, target: Target) -> list[Finding]:
    """Install the target + requirements in isolation and parse every DAG file with DagBag."""
    uv = find_uv()
    if uv is None:
        return [
            Finding(
                "PF400",
                Severity.INFO,
                "",
                0,
                "runtime check skipped: uv is not installed",
                "run `make install` in the airlake checkout (it puts uv in .tools/bin), or "
                "`pip install uv`",
            )
        ]
    python = find_python(target.python_version, uv)
    if python.path is None:
        return [
            Finding(
                "PF400",
                Severity.INFO,
                "",
                0,
                f"runtime check skipped: {python.explain()}",
                f"install Python {target.python_version} (what {target.name} runs); the static checks above still apply",
            )
        ]
    try:
        env = build_target_env(target, _requirements_text(project), python=python, uv=uv)
    except TargetEnvError as exc:
        return [
            Finding(
                "PF401",
                Severity.ERROR,
                project.requirements_path or "",
                0,
                "the target's Airflow + constraints + these requirements do not install: "
                + str(exc),
                "apply the requirement fixes above (preflight --fix) and run again",
            )
        ]
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            [str(env.python), "-c", PARSE_SCRIPT, str(project.root / "dags")],
            capture_output=True,
            text=True,
            check=False,
            env={
                "PATH": os.environ.get("PATH", ""),
                "AIRFLOW_HOME": home,
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                # a throw-away SQLite metadata database (both keys: 1.10-2.2 and 2.3+)
                "AIRFLOW__CORE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
                "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
                "AIRFLOW__CORE__LOAD_DEFAULT_CONNECTIONS": "False",
                # deep enough to reach the DAG file's own frame (the default keeps the two
                # innermost, inside the library that raised)
                "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH": "50",
                "AWS_DEFAULT_REGION": MWAA_REGION,
                "PYTHONPATH": mwaa_sys_path(project.root),
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
        if _AWS_AT_PARSE.search(error):
            findings.append(
                Finding(
                    "PF206",
                    Severity.WARNING,
                    rel,
                    _line_of(error, rel),
                    f"calls AWS while the file is parsed ({last}): on {target.name} the "
                    "execution role answers, at the cost of an AWS call on every parse; "
                    "here the parse stopped at that call, so the rest of the file is unchecked",
                    "move the call into a task (a callable, or a template)",
                )
            )
            continue
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
