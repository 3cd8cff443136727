"""A migration: the project rewritten for one target, every change listed, and what a person
must still decide (pure: a read project in, a :class:`Migration` out; writing it is
:func:`write_migration`, the only function here that touches the disk).

What changes:

- ``requirements.txt``: the target's constraints line first, Airflow and everything the target
  ships dropped, pins the constraints exclude moved to the constrained version, a provider the
  migrated DAGs import but the image lacks added; a file that includes others (``-r``) is
  inlined, since MWAA installs one file;
- DAG and plugin files: see :mod:`airlake.preflight.migrate_code`;
- plugins: a plugin that registers only operators/hooks/sensors is removed (Airflow 2+ ignores
  that registration; DAGs import the classes from their module). When no plugin is left, the
  modules of ``plugins/`` move to ``dags/`` (both are on ``sys.path`` on MWAA), so the project
  needs no plugins.zip.

The original project is never modified.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import libcst as cst

from airlake.errors import UserError
from airlake.preflight.checks_plugins import registrations
from airlake.preflight.finding import Finding
from airlake.preflight.fix import fix_requirements
from airlake.preflight.imports_index import Status, TargetImports, for_target
from airlake.preflight.markers import installed, installs_on
from airlake.preflight.migrate_code import (
    Change,
    CodeContext,
    Decision,
    argument_lines,
    catchup_lines,
    rewrite_source,
)
from airlake.preflight.project import Project, inside
from airlake.preflight.requirements import logical_lines
from airlake.preflight.targets import Target

REPORT_MD = "MIGRATION.md"
_CODE_KEYS = ("operators", "hooks", "sensors", "executors")
REPORT_HTML = "MIGRATION.html"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of the migrated project that differs from the original."""

    path: str
    """Where it is in the migrated project."""
    source: str | None
    """Where it was in the original (None: a new file)."""
    before: str
    after: str | None
    """None: removed."""
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class Migration:
    """A project migrated for ``target``: its changed files and what is left to a person."""

    target: Target
    files: tuple[FileChange, ...]
    decisions: tuple[Decision, ...]
    requirements_before: int
    requirements_after: int
    removed: tuple[str, ...] = field(default=())
    """Original paths that have no counterpart in the migrated project."""


def requirement_count(text: str) -> int:
    """Requirement lines of a requirements text (options, includes and constraints excluded)."""
    return sum(
        1
        for _, line in logical_lines(text)
        if not line.startswith("-") or line.startswith(("-e ", "--editable"))
    )


def _requirements_text(project: Project) -> str:
    if not project.requirements_path:
        return ""
    try:
        return (project.root / project.requirements_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _inlined(project: Project, target: Target) -> str:
    """Every file read (includes inlined) as one requirements text, reduced for the target."""
    from airlake.preflight.fix import _allows

    lines = [f'--constraint "{target.constraints_url}"']
    lines += [line for _, _, line in project.requirements.options]
    for r in project.requirements.requirements:
        on = installs_on(r.marker, target) is not False
        if on and (r.name == "apache-airflow" or (r.name and target.preinstalled.get(r.name))):
            continue
        pinned = target.constraints.get(r.name or "") or target.essential.get(r.name or "")
        if on and pinned and r.specifier and not _allows(r.specifier, pinned):
            extras = f"[{','.join(r.extras)}]" if r.extras else ""
            marker = f"; {r.marker}" if r.marker else ""
            lines.append(f"{r.name}{extras}=={pinned}{marker}")
            continue
        lines.append(("-e " if r.editable else "") + r.text)
    return "\n".join(lines) + "\n"


def migrated_requirements(project: Project, target: Target) -> str:
    """The project's requirements reduced for ``target`` (before providers are added)."""
    if len(project.requirements.files) > 1:
        return _inlined(project, target)
    if project.requirements_path:
        return fix_requirements(_requirements_text(project), project, target)
    return f'--constraint "{target.constraints_url}"\n'


# import name → the distribution that provides it, where the two differ
_DISTRIBUTIONS = {
    "yaml": "pyyaml",
    "psycopg2": "psycopg2-binary",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "jwt": "pyjwt",
    "dotenv": "python-dotenv",
    "MySQLdb": "mysqlclient",
    "slugify": "python-slugify",
    "OpenSSL": "pyopenssl",
    "attr": "attrs",
    "git": "gitpython",
    "magic": "python-magic",
    "PIL": "pillow",
    "Crypto": "pycryptodome",
    "docx": "python-docx",
    "pkg_resources": "setuptools",
    "jose": "python-jose",
    "snowflake": "snowflake-connector-python",
    "googleapiclient": "google-api-python-client",
    "airflow_provider_fivetran": "airflow-provider-fivetran",
    "kafka": "kafka-python",
    "ldap": "python-ldap",
    "dns": "dnspython",
    "zmq": "pyzmq",
    "Levenshtein": "python-levenshtein",
}


def _local_roots(project: Project) -> set[str]:
    """Top-level module names the project itself provides (dags/ and plugins/ are on sys.path)."""
    roots: set[str] = set()
    for src in [*project.dags, *project.plugins]:
        parts = src.path.split("/")
        if len(parts) > 1:
            roots.add(parts[1].removesuffix(".py"))
    for folder in ("dags", "plugins"):
        base = project.root / folder
        if base.is_dir():
            roots.update(p.name.removesuffix(".py") for p in base.iterdir())
    return roots


def missing_packages(project: Project, target: Target) -> dict[str, list[str]]:
    """Third-party packages the DAG files import (unguarded, at the top level of the import)
    that neither the target ships nor the requirements install: module → files. A plain
    Airflow target ships only Airflow's own dependencies, so only MWAA targets are judged."""
    import sys

    from airlake.preflight.checks_dags import _imports
    from airlake.preflight.targets import normalise

    if target.kind != "mwaa":
        return {}
    provided = set(target.preinstalled) | {
        r.name for r in installed(project.requirements.requirements, target) if r.name
    }
    local = _local_roots(project)
    missing: dict[str, list[str]] = {}
    for src in project.dags:
        if src.tree is None:
            continue
        for _, module, _name in _imports(src.tree):
            root = module.split(".")[0]
            if not root or root in ("airflow", "__future__") or root in local:
                continue
            if root in sys.stdlib_module_names:
                continue
            name = normalise(_DISTRIBUTIONS.get(root, root))
            if name in provided or any(p.startswith(name + "-") for p in provided):
                continue
            if root in ("google", "azure") and any(p.startswith(root + "-") for p in provided):
                continue
            files = missing.setdefault(root, [])
            if src.path not in files:
                files.append(src.path)
    return missing


def _provider_of(module: str) -> str:
    from airlake.preflight.checks_dags import _provider_package

    return _provider_package(module)


def _providers_needed(texts: dict[str, str], index: TargetImports | None) -> set[str]:
    """Provider distributions the migrated files import that the target's image lacks."""
    if index is None:
        return set()
    needed: set[str] = set()
    for text in texts.values():
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            for module in modules:
                if index.module(module).status is Status.NOT_SHIPPED:
                    needed.add(_provider_of(module))
    return needed


class _DropPlugins(cst.CSTTransformer):
    """Removes the named AirflowPlugin classes and, when unused then, the AirflowPlugin import."""

    def __init__(self, classes: set[str], strip: set[str] = frozenset()):  # type: ignore[assignment]
        super().__init__()
        self.classes = classes
        self.strip = strip  # plugins kept for their other parts: only their code lists go

    def leave_ClassDef(
        self, original: cst.ClassDef, updated: cst.ClassDef
    ) -> cst.ClassDef | cst.RemovalSentinel:
        if original.name.value in self.classes:
            return cst.RemoveFromParent()
        if original.name.value in self.strip and isinstance(updated.body, cst.IndentedBlock):
            body = [
                stmt
                for stmt in updated.body.body
                if not (
                    isinstance(stmt, cst.SimpleStatementLine)
                    and len(stmt.body) == 1
                    and isinstance(stmt.body[0], cst.Assign)
                    and len(stmt.body[0].targets) == 1
                    and isinstance(stmt.body[0].targets[0].target, cst.Name)
                    and stmt.body[0].targets[0].target.value in _CODE_KEYS
                )
            ]
            return updated.with_changes(body=updated.body.with_changes(body=body))
        return updated

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if self.strip or isinstance(updated.names, cst.ImportStar):
            return updated
        kept = [a for a in updated.names if a.evaluated_name != "AirflowPlugin"]
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            return cst.RemoveFromParent()
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)


def migrate(project: Project, target: Target, findings: list[Finding], today: date) -> Migration:
    """The migration of ``project`` for ``target``, given the checks' ``findings`` there.
    ``today`` fixes the date ``days_ago(n)`` stood for."""
    index = for_target(target)
    regs = registrations(project)
    homes = {
        (reg.plugin_path(key), name): module
        for reg in regs
        for key, (_, entries) in reg.code.items()
        for name, module in entries
    }
    decisions: list[Decision] = []
    # plugins that only register code go; anything else keeps its plugin (and plugins/)
    code_only = {
        (reg.path, reg.class_name)
        for reg in regs
        if reg.code and not reg.other and target.airflow.major >= 2
    }
    kept_plugins = [reg for reg in regs if (reg.path, reg.class_name) not in code_only]
    for reg in kept_plugins:
        if reg.code and target.airflow.major >= 2:
            decisions.append(
                Decision(
                    reg.path,
                    reg.line,
                    f"plugin {reg.class_name} also registers "
                    f"{', '.join(sorted(reg.other))}: kept, with plugins/ (its "
                    "operators/hooks/sensors lists dropped)",
                    "decide whether those parts are still wanted on the target",
                )
            )
    move_plugins = bool(code_only) and not kept_plugins and not project.plugins_zip
    days_ago = any(f.id == "PF205" for f in findings)
    files: list[FileChange] = []
    texts: dict[str, str] = {}
    removed: list[str] = []
    for src in [*project.dags, *project.plugins]:
        if src.tree is None:
            continue
        if src.path.startswith("plugins.zip/"):
            continue  # a person rebuilds plugins.zip (reported by the PF3xx findings)
        ctx = CodeContext(
            target,
            index,
            today,
            homes,
            argument_lines(findings, src.path),
            days_ago,
            catchup_lines(findings, src.path),
        )
        result = rewrite_source(src.path, src.text, ctx)
        after = result.text
        changes = list(result.changes)
        drop = {c for p, c in code_only if p == src.path}
        strip = {
            r.class_name
            for r in kept_plugins
            if r.path == src.path and r.code and target.airflow.major >= 2
        }
        if strip:
            after = cst.parse_module(after).visit(_DropPlugins(set(), strip)).code
            changes.append(
                Change(
                    src.path,
                    0,
                    f"dropped the operators/hooks/sensors lists of {', '.join(sorted(strip))}: "
                    "Airflow 2+ ignores them; DAGs import the classes from their module",
                )
            )
        if drop:
            after = cst.parse_module(after).visit(_DropPlugins(drop)).code
            changes.append(
                Change(
                    src.path,
                    0,
                    f"removed plugin {', '.join(sorted(drop))}: Airflow 2+ ignores operators "
                    "registered through plugins; DAGs import them from this module",
                )
            )
        decisions.extend(result.decisions)
        new_path = src.path
        if move_plugins and src.path.startswith("plugins/"):
            new_path = "dags/" + src.path[len("plugins/") :]
            changes.append(Change(src.path, 0, f"moved to {new_path} (a plain module)"))
            removed.append(src.path)
        texts[new_path] = after
        if after != src.text or new_path != src.path:
            files.append(FileChange(new_path, src.path, src.text, after, tuple(changes)))
    before = _requirements_text(project)
    after_reqs = migrated_requirements(project, target)
    if len(project.requirements.files) > 1:
        decisions.append(
            Decision(
                project.requirements_path or "requirements.txt",
                0,
                f"includes {', '.join(project.requirements.files[1:])}: inlined",
                "MWAA installs one requirements file; keep the included files in step by hand "
                "or drop them",
            )
        )
    req_changes: list[Change] = []
    listed = {r.name for r in installed(project.requirements.requirements, target) if r.name}
    for package in sorted(_providers_needed(texts, index) - listed):
        version = target.constraints.get(package)
        after_reqs += f"{package}=={version}\n" if version else f"{package}\n"
        req_changes.append(
            Change("requirements.txt", 0, f"added {package} (a migrated DAG imports it)")
        )
        if not version:
            decisions.append(
                Decision(
                    "requirements.txt",
                    0,
                    f"{package} is not in {target.name}'s constraints",
                    "pick a release built for the target's Airflow",
                )
            )
    for module, paths in sorted(missing_packages(project, target).items()):
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        decisions.append(
            Decision(
                paths[0],
                0,
                f"`{module}` is imported ({shown}) but {target.name} does not ship it and "
                "requirements.txt does not install it",
                "add the package that provides it to requirements.txt (a version the "
                "target's constraints allow), or drop the import",
            )
        )
    req_path = project.requirements_path or "requirements.txt"
    if after_reqs != before:
        kept = requirement_count(after_reqs)
        req_changes.insert(
            0,
            Change(
                req_path,
                0,
                f"{requirement_count(before)} requirement(s) → {kept}: the target's constraints "
                "line, Airflow and what the target ships dropped, excluded pins moved",
            ),
        )
        files.insert(0, FileChange(req_path, req_path, before, after_reqs, tuple(req_changes)))
    return Migration(
        target,
        tuple(files),
        tuple(decisions),
        requirement_count(before),
        requirement_count(after_reqs),
        tuple(removed),
    )


def _same_or_nested(a: Path, b: Path) -> bool:
    return inside(a, b) or inside(b, a)


def write_migration(project: Project, migration: Migration, out: Path, force: bool) -> None:
    """Copy the project to ``out`` and apply ``migration`` there. Refuses an ``out`` that is,
    holds or lies in the project, and a non-empty ``out`` unless ``force`` (which empties it).

    Raises:
        UserError: ``out`` is not usable.
    """
    root = project.root
    if _same_or_nested(out, root):
        raise UserError(f"{out} overlaps the project {root}: write the migration elsewhere")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise UserError(f"{out} is not empty: pass --force to replace its contents")
        shutil.rmtree(out)
    shutil.copytree(
        root,
        out,
        symlinks=True,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"),
    )
    for path in migration.removed:
        (out / path).unlink(missing_ok=True)
    for change in migration.files:
        dest = out / change.path
        if change.after is None:
            dest.unlink(missing_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(change.after, encoding="utf-8")
    plugins = out / "plugins"
    if any(p.startswith("plugins/") for p in migration.removed) and plugins.is_dir():
        # what is left in plugins/ (data files, __init__ leftovers) moves with the modules
        for rest in sorted(plugins.rglob("*")):
            if rest.is_file() and "__pycache__" not in rest.parts:
                dest = out / "dags" / rest.relative_to(plugins)
                dest.parent.mkdir(parents=True, exist_ok=True)
                if not dest.exists():
                    shutil.move(str(rest), dest)
        shutil.rmtree(plugins)
