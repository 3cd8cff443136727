"""The list of checks, and running them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from airlake.preflight import (
    checks_behaviour,
    checks_dags,
    checks_plugins,
    checks_requirements,
    parse_time,
)
from airlake.preflight.finding import Finding, Severity
from airlake.preflight.project import Project
from airlake.preflight.targets import Target

Check = Callable[[Project, Target], Iterable[Finding]]

CHECKS: tuple[Check, ...] = (
    checks_requirements.requirements_readable,
    checks_requirements.constraints_line,
    checks_requirements.marker_excludes,
    checks_requirements.airflow_listed,
    checks_requirements.constraint_conflicts,
    checks_requirements.already_shipped,
    checks_requirements.essential_pins,
    checks_requirements.provider_needs_newer_airflow,
    checks_requirements.url_requirements,
    checks_dags.dag_files_parse,
    checks_dags.files_not_read,
    checks_dags.moved_imports,
    checks_dags.removed_arguments,
    checks_dags.subdags_and_days_ago,
    parse_time.parse_time_work,
    checks_dags.livy_operators,
    checks_behaviour.catchup_default,
    checks_behaviour.schedule_default,
    checks_behaviour.schedule_interval_renamed,
    checks_behaviour.removed_context_keys,
    checks_behaviour.dummy_operator,
    checks_behaviour.ignored_default_args,
    checks_plugins.plugins,
    checks_plugins.plugins_zip_layout,
)


_IGNORE = re.compile(r"#\s*preflight:\s*ignore(?:\[([A-Z0-9, ]+)\])?")


def suppressed(finding: Finding, project: Project) -> bool:
    """A ``# preflight: ignore`` or ``# preflight: ignore[PF201]`` comment on the finding's line."""
    if not finding.line:
        return False
    for src in (*project.dags, *project.plugins):
        if src.path == finding.path:
            lines = src.text.splitlines()
            if finding.line <= len(lines):
                match = _IGNORE.search(lines[finding.line - 1])
                if match:
                    ids = match.group(1)
                    return ids is None or finding.id in ids.replace(" ", "").split(",")
    return False


def run_checks(
    project: Project, target: Target, checks: tuple[Check, ...] = CHECKS
) -> list[Finding]:
    """Every finding of every check, sorted by file, line and id; suppressed lines left out."""
    if not project.root.is_dir():
        return [
            Finding(
                "PF000",
                Severity.ERROR,
                str(project.root),
                0,
                "no project folder there",
                "pass the folder that holds requirements.txt and dags/",
            )
        ]
    findings = [f for check in checks for f in check(project, target) if not suppressed(f, project)]
    return sorted(findings, key=Finding.sort_key)
