"""The migration plan: every known target judged at once, and the one to move to.

For each target: the findings as the project stands, which of them the migration
(:mod:`airlake.preflight.migrate`) fixes by itself, the errors left after it, the manual
decisions left (named, one per distinct problem), and the requirements that remain once what
the target ships is dropped. The recommendation: the newest target with no manual decision
left, else the one with the fewest (the newest of those), and why. Static and offline: the
checks and the import index only; the migration's code rewrites are not run here (they are,
by ``--write``, which then re-checks what it wrote).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from packaging.version import InvalidVersion, Version

from airlake.preflight.checks_dags import _imports
from airlake.preflight.checks_plugins import registrations
from airlake.preflight.finding import Finding, Severity
from airlake.preflight.imports_index import Status, TargetImports, for_target
from airlake.preflight.migrate import (
    migrate,
    migrated_requirements,
    missing_packages,
    requirement_count,
)
from airlake.preflight.migrate_code import (
    CONTEXT_RENAMES,
    LIVY_CALLS,
    RENAMED_ARGUMENTS,
    REPLACED_NAMES,
    rewrite_path,
)
from airlake.preflight.migrate_sql import sql_import_rewritten
from airlake.preflight.project import Project
from airlake.preflight.resolver import Outcome, Resolution
from airlake.preflight.rollup import Cause, roll_up
from airlake.preflight.run import run_checks
from airlake.preflight.targets import Target, known_targets, load_target

AIRFLOW_2 = Version("2.0.0")
# requirement findings the rewritten requirements.txt resolves
_REQUIREMENT_FIXES = {"PF101", "PF102", "PF103", "PF104", "PF105", "PF106", "PF107", "PF108"}


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """One row of the plan."""

    target: Target
    findings: tuple[Finding, ...]
    left: tuple[Finding, ...]
    """Findings (errors and warnings) the migration does not fix by itself."""
    introduced: tuple[str, ...]
    """Decisions the migration itself leaves (the EMR cluster of a Livy job, ...)."""
    requirements_before: int
    requirements_after: int

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def errors_left(self) -> int:
        return sum(1 for f in self.left if f.severity is Severity.ERROR)

    @property
    def left_causes(self) -> list[Cause]:
        return roll_up(self.left)

    @property
    def decisions(self) -> tuple[str, ...]:
        """Every manual decision left, named: one per distinct problem."""
        named = [f"{c.id} {c.message} ({c.where(2)})" for c in self.left_causes]
        return (*named, *self.introduced)


@dataclass(frozen=True, slots=True)
class Plan:
    rows: tuple[TargetPlan, ...]
    recommended: TargetPlan | None
    reason: str
    resolved: tuple[tuple[str, Resolution], ...] = ()
    """``--resolve``: the resolver's answer per target asked, in the order asked."""

    def resolution(self, target: str) -> Resolution | None:
        """The resolver's answer for ``target``, if it was asked."""
        return next((answer for name, answer in self.resolved if name == target), None)


class _Classifier:
    """Whether the migration fixes a finding by itself, on one target."""

    def __init__(
        self,
        project: Project,
        target: Target,
        index: TargetImports | None,
        findings: Sequence[Finding] = (),
    ):
        # requirement lines whose pin the migration replaces by the target's constrained release
        self.repinned = {(f.path, f.line) for f in findings if f.id == "PF104"}
        self.project = project
        self.target = target
        self.index = index
        self.trees = {
            s.path: s.tree for s in [*project.dags, *project.plugins] if s.tree is not None
        }
        self.homes = {
            (reg.plugin_path(key), name)
            for reg in registrations(project)
            for key, (_, entries) in reg.code.items()
            for name, _ in entries
        }
        self.zipped = {r.path for r in registrations(project) if r.path.startswith("plugins.zip/")}

    def _import_fixed(self, module: str, name: str) -> bool:
        if (module, name) in self.homes or name in REPLACED_NAMES:
            return True
        if name == "*":
            return False
        if self.index is not None and self.index.module(module).status is Status.NOT_SHIPPED:
            return True  # the provider is added to requirements.txt
        return rewrite_path(self.index, self.target, module, name) is not None

    def _days_ago_literal(self, path: str, line: int) -> bool:
        tree = self.trees.get(path)
        return tree is not None and any(
            isinstance(n, ast.Call)
            and n.lineno == line
            and getattr(n.func, "id", getattr(n.func, "attr", "")) == "days_ago"
            and len(n.args) == 1
            and not n.keywords
            and isinstance(n.args[0], ast.Constant)
            and isinstance(n.args[0].value, int)
            for n in ast.walk(tree)
        )

    def fixed(self, f: Finding) -> bool:
        if f.id in _REQUIREMENT_FIXES:
            return True
        if f.id == "PF201":
            tree = self.trees.get(f.path)
            if tree is None or f.path.startswith("plugins.zip/"):
                return False
            at_line = [(m, n) for line, m, n in _imports(tree) if line == f.line]
            return bool(at_line) and all(
                self._import_fixed(m, n)
                or sql_import_rewritten(tree, self.index, self.target, m, n)
                for m, n in at_line
            )
        if f.id == "PF202":
            arg = re.match(r"`(\w+)=`", f.message)
            return arg is not None and arg.group(1) in RENAMED_ARGUMENTS
        if f.id == "PF203":
            key = re.match(r"(template variable|context key) `(\w+)`", f.message)
            return key is not None and (
                key.group(1) == "template variable" or key.group(2) in CONTEXT_RENAMES
            )
        if f.id == "PF205":
            return self._days_ago_literal(f.path, f.line)
        if f.id == "PF210":
            return f.message.split(":", 1)[0] in LIVY_CALLS
        if f.id == "PF301":
            return f.path not in self.zipped
        if f.id == "PF220":
            # the migration adds catchup=True to a DAG(...) call; a bare @dag stays a decision
            tree = self.trees.get(f.path)
            return tree is not None and any(
                isinstance(n, ast.Call) and n.lineno == f.line for n in ast.walk(tree)
            )
        if f.id == "PF224":
            # the migration moves the DummyOperator import to EmptyOperator (bound to the old
            # name), so the calls stay as written
            tree = self.trees.get(f.path)
            if tree is None or f.path.startswith("plugins.zip/"):
                return False
            bound = [(m, n) for _, m, n in _imports(tree) if n == "DummyOperator"]
            return bool(bound) and all(self._import_fixed(m, n) for m, n in bound)
        if f.id == "PF212":
            # a provider pinned at a release the index lacks, where the pin conflicts with the
            # target's constraints: the migration installs the constrained (indexed) release
            at = re.search(r"\(([^()]+):(\d+)\)$", f.message)
            return at is not None and (at.group(1), int(at.group(2))) in self.repinned
        return False


def _introduced(findings: Sequence[Finding], project: Project, target: Target) -> tuple[str, ...]:
    """The decisions the migration leaves for what it fixes (named as the report names them)."""
    livy = [f for f in findings if f.id == "PF210" and f.message.split(":", 1)[0] in LIVY_CALLS]
    out: list[str] = []
    if livy:
        out.append(
            "EMR cluster for the Spark steps (the Variable emr_cluster_id, "
            f"{len({f.path for f in livy})} file(s))"
        )
        out.append(f"task ids of {len(livy)} Livy task(s) become task groups (submit, wait)")
        paths = sorted(
            {
                p
                for f in livy
                for p in re.findall(r"<FILL IN: s3:// path for ([^>]+)>", f.replacement or "")
            }
        )
        out.extend(f"an S3 path for {p}" for p in paths)
    if len(project.requirements.files) > 1:
        out.append(f"requirements includes inlined ({', '.join(project.requirements.files[1:])})")
    for module, paths in sorted(missing_packages(project, target).items()):
        out.append(f"a package for `{module}` (imported by {len(paths)} file(s), not installed)")
    return tuple(out)


def airflow_project(project: Project) -> list[Finding]:
    """PF001 when the folder does not look like an Airflow project: no DAG file imports
    airflow (the plan still judges what is there)."""
    if not project.root.is_dir():
        return []  # PF000 says so
    if any(
        "airflow" in src.text and ("DAG" in src.text or "@dag" in src.text) for src in project.dags
    ):
        return []
    what = (
        "no dags/ folder"
        if not (project.root / "dags").is_dir()
        else "no file under dags/ imports airflow and defines a DAG"
    )
    return [
        Finding(
            "PF001",
            Severity.ERROR,
            "",
            0,
            f"not an Airflow project: {what}",
            "point at the folder that holds dags/ (and requirements.txt, plugins/)",
        )
    ]


def plan_target(project: Project, target: Target) -> TargetPlan:
    """The plan's row for one target."""
    findings = [*airflow_project(project), *run_checks(project, target)]
    classify = _Classifier(project, target, for_target(target), findings)
    left = tuple(f for f in findings if f.severity is not Severity.INFO and not classify.fixed(f))
    before = (
        requirement_count((project.root / project.requirements_path).read_text(encoding="utf-8"))
        if project.requirements_path
        else 0
    )
    return TargetPlan(
        target,
        tuple(findings),
        left,
        _introduced(findings, project, target),
        before,
        requirement_count(migrated_requirements(project, target)),
    )


def mwaa_targets() -> list[str]:
    """The MWAA targets, oldest first."""
    return [name for name in known_targets() if name.startswith("mwaa-")]


def project_airflow(project: Project) -> Version | None:
    """The Airflow version the project's requirements pin, if they pin one."""
    for r in project.requirements.requirements:
        if r.name == "apache-airflow" and r.pinned:
            try:
                return Version(r.pinned)
            except InvalidVersion:
                return None
    return None


def ranking(rows: Sequence[TargetPlan], floor: Version | None = None) -> list[TargetPlan]:
    """The targets at or above ``floor``, best first: fewest manual decisions, then newest
    (the first is what :func:`recommend` picks; each next one is its pick without those above)."""
    eligible = [r for r in rows if floor is None or r.target.airflow >= floor]
    newest_first = sorted(eligible, key=lambda r: r.target.airflow, reverse=True)
    return sorted(newest_first, key=lambda r: len(r.decisions))


def recommend(
    rows: Sequence[TargetPlan], floor: Version | None = None
) -> tuple[TargetPlan | None, str]:
    """The newest target with no manual decision left, else the newest with the fewest; never
    a target older than ``floor`` (the Airflow the project runs today: a move is no downgrade)."""
    ranked = ranking(rows, floor)
    if not ranked:
        return None, f"no target runs Airflow {floor} or newer"
    best = ranked[0]
    fewest = len(best.decisions)
    newest = max(ranked, key=lambda r: r.target.airflow)
    if fewest == 0:
        reason = "the newest target with no manual decision left"
    else:
        reason = (
            f"the newest of the targets with the fewest manual decisions left ({fewest}); "
            "the migration fixes everything else by itself"
        )
    if best is not newest:
        reason += (
            f"; {newest.target.name} would leave {len(newest.decisions)} "
            f"({newest.errors_left} error(s) after the automatic fixes)"
        )
    return best, reason


def _floor(project: Project) -> tuple[Version, str]:
    """The oldest Airflow a migration may move to, and the note that says so."""
    pinned = project_airflow(project)
    # a migration moves forward: never back to Airflow 1.10, never below what the project runs
    floor = max(pinned or AIRFLOW_2, AIRFLOW_2)
    note = (
        f"targets older than the project's Airflow {pinned} are not considered"
        if pinned is not None and pinned >= AIRFLOW_2
        else "Airflow 1.10 targets are not considered"
    )
    return floor, note


def make_plan(project: Project, targets: Sequence[str] | None = None) -> Plan:
    """The plan over ``targets`` (every MWAA target when None)."""
    rows = tuple(plan_target(project, load_target(name)) for name in targets or mwaa_targets())
    floor, note = _floor(project)
    best, reason = recommend(rows, floor)
    return Plan(rows, best, f"{reason}; {note}")


def written_requirements(project: Project, row: TargetPlan, today: date) -> str:
    """The requirements.txt the migration writes for ``row``'s target: the project's
    requirements minus what the target ships, excluded pins moved, providers the migrated DAGs
    import added (exactly what ``--write`` writes)."""
    migration = migrate(project, row.target, list(row.findings), today)
    path = project.requirements_path or "requirements.txt"
    for change in migration.files:
        if change.path == path and change.source == path:
            return change.after or ""
    return migrated_requirements(project, row.target)


Resolver = Callable[[str, Target], Resolution]


def _essential_resolver(text: str, target: Target) -> Resolution:
    from airlake.preflight.resolver import resolve

    return resolve(text, target, essential=True)


def resolve_row(
    project: Project,
    row: TargetPlan,
    today: date,
    resolver: Resolver | None = None,
    asking: Callable[[str], None] | None = None,
) -> Resolution:
    """Whether the requirements the migration writes for ``row``'s target resolve there
    (``resolver`` defaults to uv's, with the constraints MWAA enforces on top of Airflow's).
    Requirements with nothing left to install are not sent to the resolver."""
    text = written_requirements(project, row, today)
    if requirement_count(text) == 0:
        return Resolution(Outcome.RESOLVES, "nothing to install beyond the target's own")
    if asking is not None:
        asking(row.target.name)
    return (resolver or _essential_resolver)(text, row.target)


def resolve_plan(
    plan: Plan,
    project: Project,
    today: date,
    resolver: Resolver | None = None,
    asking: Callable[[str], None] | None = None,
) -> Plan:
    """The plan with its recommendation checked by the resolver: the targets are asked in the
    order of the ranking, and the first whose written requirements resolve is recommended.
    When none does, none is recommended, with each target's reason. When the resolver cannot
    be asked (no uv, no package index), the target stands, marked as not checked, and no
    further target is asked. ``asking`` hears each target's name before it is asked."""
    floor, note = _floor(project)
    ranked = ranking(plan.rows, floor)
    if not ranked:
        return plan
    asked: list[tuple[str, Resolution]] = []
    for row in ranked:
        answer = resolve_row(project, row, today, resolver, asking)
        asked.append((row.target.name, answer))
        if answer.outcome is Outcome.CONFLICT:
            continue
        failed = [name for name, a in asked if a.outcome is Outcome.CONFLICT]
        checked = answer.outcome is Outcome.RESOLVES
        if not failed:
            reason = plan.reason.removesuffix(f"; {note}")
        else:
            reason = (
                "the best-ranked target whose requirements "
                + ("resolve" if checked else "are not known to fail")
                + f": those of {', '.join(failed)} (ranked above it) do not resolve"
            )
        if checked and (answer.explanation or not failed):
            reason += f"; its requirements resolve ({answer.explanation or 'uv'})"
        elif not checked:
            reason += f"; its requirements are not checked: {answer.reason}"
        reason += f"; {note}"
        return replace(plan, recommended=row, reason=reason, resolved=tuple(asked))
    # every target's reason is in ``resolved``; the reason names the best-ranked one's
    first, answer = asked[0]
    return replace(
        plan,
        recommended=None,
        reason=f"the requirements resolve on none of the {len(asked)} target(s) asked "
        f"({first}: {answer.reason}; the others' reasons are listed with them); {note}",
        resolved=tuple(asked),
    )
