"""--resolve: ask uv's resolver whether the requirements install under the target's constraints
for the target's Python — no target interpreter needed (``uv pip compile --python-version``),
about a second against the package index. Its explanation names the conflicting pins.

:func:`resolve` is the one call to uv (a requirements text in, a :class:`Resolution` out);
:func:`resolver_findings` turns its answer for a project into findings, and the plan
(:func:`airlake.preflight.plan.resolve_plan`) asks it for each target it would recommend.
"""

from __future__ import annotations

import enum
import re
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.markers import UV_PLATFORM
from airlake.preflight.project import Project
from airlake.preflight.requirements import as_one_file
from airlake.preflight.target_env import find_uv
from airlake.preflight.targets import Target

TIMEOUT_S = 300
# uv's words when it could not ask the index at all (no route, no DNS, refused, offline): then
# nothing was judged, and the answer is not a conflict
_UNREACHABLE = re.compile(
    r"Failed to fetch|error sending request|Request failed after|tcp connect error|dns error|"
    r"network was disabled|failed to lookup address|Could not connect",
    re.IGNORECASE,
)
# lines a requirements text may hold that uv would follow: includes and constraints (the
# target's constraints apply, from the package data, and an include is never read by uv)
_FOLLOWED = re.compile(r"\s*(-r|--requirement|-c|--constraint)\b")


class Outcome(enum.Enum):
    RESOLVES = "resolves"
    CONFLICT = "does not resolve"
    UNREACHABLE = "not checked"
    """uv is missing, the package index cannot be reached, or uv did not answer in time."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """uv's answer for one target."""

    outcome: Outcome
    explanation: str = ""
    """uv's words (its first lines), empty when the requirements resolve."""

    @property
    def reason(self) -> str:
        """The explanation, short: the first step of uv's derivation, or its first line."""
        return short_reason(self.explanation)


def short_reason(explanation: str) -> str:
    """``connexion==2.14.2 depends on flask>=1.0.4,<2.3 and flask==3.1.3`` out of uv's
    "No solution found ... Because ..., we can conclude ..." text; else its first clause."""
    text = re.sub(r"\b(error|cause|hint):\s*", "", explanation).strip()
    because = re.search(r"Because (.+?)(?:, we can conclude|\.\s|$)", text)
    if because:
        text = because.group(1)
    return text if len(text) <= 200 else text[:197] + "..."


def _constraints(target: Target, name: str) -> str:
    path = resources.files("airlake.preflight").joinpath(
        "data", "mwaa", target.airflow_version, name
    )
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def resolve(requirements: str, target: Target, essential: bool = False) -> Resolution:
    """Whether ``apache-airflow==<target>`` plus ``requirements`` resolve for the target's
    Python and platform under its constraints (and, with ``essential``, the constraints MWAA
    enforces on top). Include and constraint lines of ``requirements`` are not passed to uv."""
    uv = find_uv()
    if uv is None:
        return Resolution(Outcome.UNREACHABLE, "uv is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        cfile, rfile = Path(tmp) / "constraints.txt", Path(tmp) / "requirements.txt"
        cfile.write_text(_constraints(target, "airflow-constraints.txt"), encoding="utf-8")
        own = "".join(
            line + "\n" for line in requirements.splitlines() if not _FOLLOWED.match(line)
        )
        rfile.write_text(f"apache-airflow=={target.airflow_version}\n" + own, encoding="utf-8")
        # Packages of the Python 3.7 era build their metadata with setuptools' 2to3, gone since 58.
        bfile = Path(tmp) / "build-constraints.txt"
        bfile.write_text(
            "setuptools<58\n" if target.python_version == "3.7" else "", encoding="utf-8"
        )
        extra: list[str] = []
        if essential and target.kind == "mwaa":
            efile = Path(tmp) / "essential.txt"
            efile.write_text(_constraints(target, "mwaa-essential-constraints.txt"), "utf-8")
            extra = ["-c", str(efile)]
        try:
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
                    *extra,
                    "--build-constraints",
                    str(bfile),
                    str(rfile),
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return Resolution(Outcome.UNREACHABLE, f"uv did not answer within {TIMEOUT_S} s")
        except OSError as exc:
            return Resolution(Outcome.UNREACHABLE, f"uv could not run: {exc.strerror}")
    if done.returncode == 0:
        return Resolution(Outcome.RESOLVES)
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    explanation = " ".join(lines[:8])
    if _UNREACHABLE.search(explanation) and "No solution found" not in explanation:
        said = next((line for line in lines if "Failed to fetch" in line), lines[0])
        said = re.sub(r"^(error|cause):\s*", "", said)
        return Resolution(Outcome.UNREACHABLE, f"the package index cannot be reached (uv: {said})")
    return Resolution(Outcome.CONFLICT, explanation)


def resolver_findings(project: Project, target: Target) -> list[Finding]:
    """PF110 when the project's requirements do not resolve for ``target``; PF400 (info) when
    the resolver could not be asked (no uv, no package index)."""
    if find_uv() is None:
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
    # the project's constraints line is checked on its own (PF101/PF102); here the target's
    # applies. Includes come inlined as preflight read them: uv follows none.
    answer = resolve(as_one_file(project.requirements), target)
    if answer.outcome is Outcome.RESOLVES:
        return []
    if answer.outcome is Outcome.UNREACHABLE:
        return [
            Finding(
                "PF400",
                Severity.INFO,
                project.requirements_path,
                0,
                f"resolver check skipped: {answer.reason}",
                "run it where the package index is reachable",
            )
        ]
    explanation = answer.explanation
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
