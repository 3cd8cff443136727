"""Preflight: will this Airflow project work on that target? Static checks, offline, with a fix
for every finding; an optional runtime check in an isolated environment."""

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.limits import ReadLimits
from airlake.preflight.project import Project, load_project
from airlake.preflight.run import CHECKS, run_checks
from airlake.preflight.targets import Target, known_targets, load_target

__all__ = [
    "CHECKS",
    "Finding",
    "Project",
    "ReadLimits",
    "Severity",
    "Target",
    "known_targets",
    "load_project",
    "load_target",
    "run_checks",
]
