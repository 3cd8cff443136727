"""Checks of requirements.txt against the target's constraints and preinstalled packages (pure)."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.markers import WORKER_DESCRIPTION, installed, installs_on
from airlake.preflight.project import Project
from airlake.preflight.requirements import CONSTRAINTS_URL
from airlake.preflight.targets import Target, first_airflow_shipping

MWAA_ADDS_CONSTRAINTS = Version("2.7.2")


def _allows(specifier: str, version: str) -> bool | None:
    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None


def requirements_readable(project: Project, target: Target) -> Iterator[Finding]:
    """Requirements lines pip would reject, unreadable or cyclic includes."""
    for problem in project.requirements.problems:
        yield Finding(
            "PF100",
            Severity.ERROR,
            problem.path,
            problem.line,
            problem.message,
            "fix the line so `pip install -r` accepts it",
        )


def constraints_line(project: Project, target: Target) -> Iterator[Finding]:
    """A constraints line for the target's Airflow and Python must be there."""
    if project.requirements_path is None:
        return
    good = target.constraints_url
    for c in project.requirements.constraints:
        match = CONSTRAINTS_URL.search(c.target)
        if match and (
            match["airflow"] != target.airflow_version or match["python"] != target.python_version
        ):
            yield Finding(
                "PF102",
                Severity.ERROR,
                c.path,
                c.line,
                f"constraints for Airflow {match['airflow']} / Python {match['python']}, but {target.name} runs "
                f"Airflow {target.airflow_version} on Python {target.python_version}: pins resolve against the wrong set",
                f'use: --constraint "{good}"',
            )
    if not any(CONSTRAINTS_URL.search(c.target) for c in project.requirements.constraints):
        added = target.kind == "mwaa" and target.airflow >= MWAA_ADDS_CONSTRAINTS
        yield Finding(
            "PF101",
            Severity.WARNING if added else Severity.ERROR,
            project.requirements_path,
            0,
            "no Airflow constraints line: pip may upgrade packages Airflow depends on"
            + (" (MWAA adds one, silently changing what you tested)" if added else ""),
            f'add as the first line: --constraint "{good}"',
        )


def marker_excludes(project: Project, target: Target) -> Iterator[Finding]:
    """Lines whose environment marker is false on the target's workers: pip skips them there,
    so they are not judged against the target."""
    for r in project.requirements.requirements:
        if installs_on(r.marker, target) is False:
            yield Finding(
                "PF111",
                Severity.INFO,
                r.path,
                r.line,
                f"`{r.text}` is not installed on {target.name}: its marker is false on the "
                f"target's workers ({WORKER_DESCRIPTION}, Python {target.python_version}), so it "
                "is not checked against the target",
                "nothing to do for this target",
            )


def airflow_listed(project: Project, target: Target) -> Iterator[Finding]:
    """apache-airflow itself must not be in requirements (it would move the target's Airflow)."""
    for r in installed(project.requirements.requirements, target):
        if r.name == "apache-airflow":
            yield Finding(
                "PF103",
                Severity.ERROR,
                r.path,
                r.line,
                f"`{r.text}` asks pip to install Airflow over the target's {target.airflow_version}",
                "remove the line: the target provides Airflow",
            )


def constraint_conflicts(project: Project, target: Target) -> Iterator[Finding]:
    """A requirement whose version range excludes the version the target's constraints pin."""
    for r in installed(project.requirements.requirements, target):
        if not r.name or r.name == "apache-airflow" or not r.specifier:
            continue
        pinned = target.constraints.get(r.name)
        if pinned and _allows(r.specifier, pinned) is False:
            yield Finding(
                "PF104",
                Severity.ERROR,
                r.path,
                r.line,
                f"{r.name}{r.specifier} conflicts with the constraint {r.name}=={pinned} of {target.name}: "
                "pip will refuse to resolve",
                f"use {r.name}=={pinned} (or drop the pin)",
            )


def already_shipped(project: Project, target: Target) -> Iterator[Finding]:
    """Packages the target image already ships: redundant, or a conflict when pinned otherwise."""
    for r in installed(project.requirements.requirements, target):
        if not r.name or r.name == "apache-airflow":
            continue
        shipped = target.preinstalled.get(r.name)
        if not shipped:
            continue
        if r.specifier and _allows(r.specifier, shipped) is False:
            if target.constraints.get(r.name):
                continue  # reported as a constraint conflict
            yield Finding(
                "PF106",
                Severity.ERROR,
                r.path,
                r.line,
                f"{r.name}{r.specifier} would replace the {shipped} that {target.name} ships and its own packages use",
                f"drop the line (the target ships {r.name}=={shipped})",
            )
        else:
            yield Finding(
                "PF105",
                Severity.INFO,
                r.path,
                r.line,
                f"{target.name} already ships {r.name}=={shipped}",
                "drop the line",
            )


def essential_pins(project: Project, target: Target) -> Iterator[Finding]:
    """Pins MWAA applies last and users cannot override."""
    for r in installed(project.requirements.requirements, target):
        pinned = target.essential.get(r.name or "")
        if pinned and r.specifier and _allows(r.specifier, pinned) is False:
            yield Finding(
                "PF107",
                Severity.ERROR,
                r.path,
                r.line,
                f"MWAA always installs {r.name}=={pinned} on {target.name}; {r.name}{r.specifier} cannot win",
                f"use {r.name}=={pinned}",
            )


def provider_needs_newer_airflow(project: Project, target: Target) -> Iterator[Finding]:
    """A provider release newer than any the target's Airflow line was built with."""
    for r in installed(project.requirements.requirements, target):
        if not (r.name or "").startswith("apache-airflow-providers-") or not r.pinned:
            continue
        shipped = target.constraints.get(r.name or "")
        try:
            newer = shipped is not None and Version(r.pinned) > Version(shipped)
        except InvalidVersion:
            continue
        first = first_airflow_shipping(r.name or "", r.pinned)
        if newer and first and Version(first) > target.airflow:
            yield Finding(
                "PF108",
                Severity.ERROR,
                r.path,
                r.line,
                f"{r.name}=={r.pinned} first ships with Airflow {first}; {target.name} runs {target.airflow_version}",
                f"use {r.name}=={shipped}, the release built for Airflow {target.airflow_version}",
            )


def url_requirements(project: Project, target: Target) -> Iterator[Finding]:
    """VCS and URL requirements: the target must reach that host while it installs."""
    for r in installed(project.requirements.requirements, target):
        if r.url:
            yield Finding(
                "PF109",
                Severity.WARNING,
                r.path,
                r.line,
                f"`{r.text}` is fetched from {r.url.split('://', 1)[-1].split('/', 1)[0]} at install time: an MWAA "
                "environment with private networking has no route there, and the install fails late",
                "build a wheel and ship it in plugins.zip (pip install /usr/local/airflow/plugins/...), "
                "or publish it to an index the environment can reach",
            )
