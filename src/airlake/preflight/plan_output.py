"""Rendering the plan and the migration report: text for the terminal, JSON, and the report
in Markdown and HTML (per file: the changes, then before/after)."""

from __future__ import annotations

import difflib
import html
import json
from collections.abc import Sequence

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.migrate import Migration
from airlake.preflight.output import cause_lines, summary
from airlake.preflight.plan import Plan, TargetPlan
from airlake.preflight.resolver import Outcome, Resolution
from airlake.preflight.rollup import roll_up

_HEAD = ("target", "Airflow", "Python", "errors", "warnings", "errors left", "decisions", "reqs")
# the resolves column (plan --resolve): yes, no, ? (could not be asked), blank (not asked)
_MARK = {Outcome.RESOLVES: "yes", Outcome.CONFLICT: "no", Outcome.UNREACHABLE: "?"}


def resolution_line(target: str, answer: Resolution) -> str:
    """One target's resolver answer, on one line."""
    if answer.outcome is Outcome.RESOLVES:
        said = f" ({answer.explanation})" if answer.explanation else ""
    else:
        said = f": {answer.reason}"
    return f"{target}: {answer.outcome.value}{said}"


def plan_table(plan: Plan, project: str) -> str:
    """The plan as a fixed-width table, the recommendation and its reason, and the decisions
    left on the recommended target."""
    lines = [f"Migration plan for {project}: {len(plan.rows)} target(s)", ""]
    head: tuple[str, ...] = (*_HEAD, "resolves") if plan.resolved else _HEAD
    rows: list[tuple[str, ...]] = []
    for r in plan.rows:
        row: tuple[str, ...] = (
            r.target.name,
            r.target.airflow_version,
            r.target.python_version,
            str(r.errors),
            str(r.warnings),
            str(r.errors_left),
            str(len(r.decisions)),
            f"{r.requirements_before} -> {r.requirements_after}",
        )
        if plan.resolved:
            answer = plan.resolution(r.target.name)
            row = (*row, _MARK[answer.outcome] if answer else "")
        rows.append(row)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    for row in [head, *rows]:
        lines.append(
            "  ".join(
                cell.ljust(w) if i < 3 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    lines.append("")
    lines.append(
        "errors, warnings: as the project stands; errors left: after the automatic fixes; "
        "decisions: what a person must still decide; reqs: requirement lines before -> after"
        + (
            "; resolves: uv resolved the requirements the migration writes (blank: not asked)"
            if plan.resolved
            else ""
        )
    )
    if plan.resolved:
        lines += ["", "resolver (uv), in the order of the ranking:"]
        lines.extend(f"  {resolution_line(name, answer)}" for name, answer in plan.resolved)
    best = plan.recommended
    if best is None:
        lines += ["", f"recommended: none ({plan.reason})"]
        return "\n".join(lines)
    lines += ["", f"recommended: {best.target.name} ({plan.reason})"]
    if best.decisions:
        lines.append(f"left to a person on {best.target.name}:")
        lines.extend(f"  - {d}" for d in best.decisions)
    lines += [
        "",
        f"next: airlake preflight plan {project} --target {best.target.name} --write OUT [--install]",
    ]
    return "\n".join(lines)


def target_detail(row: TargetPlan) -> str:
    """One target in full: what the migration fixes by itself, and what it leaves."""
    fixed = [f for f in row.findings if f not in row.left and f.severity is not Severity.INFO]
    lines = [
        f"{row.target.name} (Airflow {row.target.airflow_version}, Python "
        f"{row.target.python_version}): {summary(row.findings)} as the project stands; "
        f"{row.errors_left} error(s) and {len(row.decisions)} decision(s) left after the "
        "automatic fixes",
        f"requirements: {row.requirements_before} -> {row.requirements_after} lines",
        "",
        "left to a person:",
    ]
    lines.extend(cause_lines(roll_up(row.left)) or ["  nothing"])
    lines.extend(f"         - {d}" for d in row.introduced)
    lines += ["", "fixed by the migration:"]
    lines.extend(
        f"  {c.id}  {c.message}" + (f"  ({c.count}x)" if c.count > 1 else "")
        for c in roll_up(fixed)
    )
    return "\n".join(lines)


def plan_json(plan: Plan) -> str:
    return json.dumps(
        {
            "recommended": plan.recommended.target.name if plan.recommended else None,
            "reason": plan.reason,
            "resolved": [
                {"target": name, "outcome": a.outcome.name.lower(), "reason": a.reason}
                for name, a in plan.resolved
            ],
            "targets": [
                {
                    "target": r.target.name,
                    "airflow": r.target.airflow_version,
                    "python": r.target.python_version,
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "errors_left": r.errors_left,
                    "decisions": list(r.decisions),
                    "requirements_before": r.requirements_before,
                    "requirements_after": r.requirements_after,
                }
                for r in plan.rows
            ],
        },
        indent=2,
    )


def _diff(before: str, after: str | None, path: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"before/{path}",
            tofile=f"after/{path}",
        )
    )


def _grouped(migration: Migration) -> dict[tuple[str, str], str]:
    """Decisions that say the same thing, once, with every place."""
    places: dict[tuple[str, str], list[str]] = {}
    for d in migration.decisions:
        places.setdefault((d.what, d.why), []).append(f"{d.path}:{d.line}" if d.line else d.path)
    return {key: ", ".join(dict.fromkeys(where)) for key, where in places.items()}


def _remaining(after: Sequence[Finding]) -> list[Finding]:
    return [f for f in after if f.severity is not Severity.INFO]


def report_markdown(
    migration: Migration,
    project: str,
    after: Sequence[Finding],
    install: Sequence[Finding] | None = None,
    dag_files: int = 0,
) -> str:
    """The migration report: summary, what a person must still decide, the findings left on
    the migrated copy, then every changed file (its changes, then the diff)."""
    t = migration.target
    left = _remaining(after)
    lines = [
        f"# Migration of {project} to {t.name}",
        "",
        f"Airflow {t.airflow_version}, Python {t.python_version}. "
        f"Requirements: {migration.requirements_before} → {migration.requirements_after} lines. "
        f"Files changed: {len(migration.files)}. "
        f"Decisions left to a person: {len(migration.decisions)}. "
        f"Findings on the migrated project: {summary(after)}.",
        "",
        "## What a person must still decide",
        "",
    ]
    if not migration.decisions and not left:
        lines.append("Nothing.")
    for (what, why), where in _grouped(migration).items():
        lines.append(f"- **{what}** ({where}): {why}")
    for c in roll_up(left):
        lines.append(f"- **{c.id} {c.message}** ({c.where(5)}): {'; '.join(c.fixes)}")
    if install is not None:
        lines += ["", f"## Proof on {t.name}: the migrated DAGs in the target's environment", ""]
        lines.append(install_summary(install, dag_files) + ".")
        lines.extend(f"- {f.id} {f.path}:{f.line} {f.message}" for f in install)
    lines += ["", "## Changes, file by file", ""]
    for change in migration.files:
        moved = f" (was {change.source})" if change.source and change.source != change.path else ""
        lines += [f"### {change.path}{moved}", ""]
        for item in change.changes:
            at = f"line {item.line}: " if item.line else ""
            lines.append(f"- {at}{item.what}")
        lines += [
            "",
            "```diff",
            _diff(change.before, change.after, change.path).rstrip(),
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}
table.diff{font-family:monospace;font-size:12px;border-collapse:collapse;width:100%}
table.diff td{padding:0 4px;vertical-align:top;white-space:pre-wrap}
.diff_add{background:#dfd}.diff_chg{background:#ffa}.diff_sub{background:#fdd}
.decision{background:#fff4e0;padding:.5em 1em;border-left:4px solid #e90}
h3{border-top:1px solid #ccc;padding-top:1em}"""


def report_html(
    migration: Migration,
    project: str,
    after: Sequence[Finding],
    install: Sequence[Finding] | None = None,
    dag_files: int = 0,
) -> str:
    """The same report as a self-contained page: before and after side by side per file."""
    t = migration.target
    e = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Migration of {e(project)} to "
        f"{e(t.name)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Migration of {e(project)} to {e(t.name)}</h1>",
        f"<p>Airflow {e(t.airflow_version)}, Python {e(t.python_version)}. Requirements: "
        f"{migration.requirements_before} → {migration.requirements_after} lines. Files changed: "
        f"{len(migration.files)}. Findings on the migrated project: {e(summary(after))}.</p>",
        "<h2>What a person must still decide</h2><div class='decision'><ul>",
    ]
    for (what, why), where in _grouped(migration).items():
        parts.append(f"<li><b>{e(what)}</b> ({e(where)}): {e(why)}</li>")
    for c in roll_up(_remaining(after)):
        parts.append(
            f"<li><b>{e(c.id)} {e(c.message)}</b> ({e(c.where(5))}): {e('; '.join(c.fixes))}</li>"
        )
    parts.append("</ul></div>")
    if install is not None:
        parts.append(
            f"<h2>Proof on {e(t.name)}</h2><p>{e(install_summary(install, dag_files))}</p><ul>"
        )
        parts.extend(f"<li>{e(f.id)} {e(f.path)}:{f.line} {e(f.message)}</li>" for f in install)
        parts.append("</ul>")
    parts.append("<h2>Changes, file by file</h2>")
    differ = difflib.HtmlDiff(wrapcolumn=90)
    for change in migration.files:
        moved = f" (was {change.source})" if change.source and change.source != change.path else ""
        parts.append(f"<h3>{e(change.path)}{e(moved)}</h3><ul>")
        parts.extend(
            f"<li>{'line ' + str(c.line) + ': ' if c.line else ''}{e(c.what)}</li>"
            for c in change.changes
        )
        parts.append("</ul>")
        parts.append(
            differ.make_table(
                change.before.splitlines(),
                (change.after or "").splitlines(),
                "before",
                "after",
                context=True,
                numlines=3,
            )
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def install_summary(findings: Sequence[Finding], dag_files: int) -> str:
    """One line: how many DAG files import on the target, and the findings that say otherwise."""
    failed = {f.path for f in findings if f.id == "PF403"}
    blocked = [f for f in findings if f.id in ("PF400", "PF401", "PF402")]
    if blocked:
        return "; ".join(f"{f.id} {f.message}" for f in blocked)
    return f"{dag_files - len(failed)} of {dag_files} file(s) under dags/ import on the target"
