"""Checks of plugins/ and plugins.zip (parsed, never imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.version import Version

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.project import Project
from airlake.preflight.targets import Target

V2, V3 = Version("2.0.0"), Version("3.0.0")
_UI = ("flask_blueprints", "appbuilder_views", "appbuilder_menu_items")
_CODE = ("operators", "hooks", "sensors", "executors")


def _plugin_classes(tree: ast.Module) -> Iterator[ast.ClassDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            (isinstance(b, ast.Name) and b.id == "AirflowPlugin")
            or (isinstance(b, ast.Attribute) and b.attr == "AirflowPlugin")
            for b in node.bases
        ):
            yield node


def _registered(cls: ast.ClassDef) -> dict[str, tuple[int, list[str]]]:
    out: dict[str, tuple[int, list[str]]] = {}
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, (ast.List, ast.Tuple))
        ):
            out[stmt.targets[0].id] = (stmt.lineno, [ast.unparse(e) for e in stmt.value.elts])
    return out


def module_of(path: str) -> str:
    """The module name a plugin file imports as on MWAA, where ``plugins/`` (or the top of
    plugins.zip) is on ``sys.path``: ``plugins/company/ops.py`` → ``company.ops``."""
    rel = path.split("/", 1)[1] if "/" in path else path
    parts = rel[: -len(".py")].split("/") if rel.endswith(".py") else rel.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _defined_in(tree: ast.Module, own: str, is_package: bool) -> dict[str, str]:
    """Local name → the module that really defines it: imported names → their module (relative
    imports resolved against ``own``), classes and functions of the file → ``own``."""
    found: dict[str, str] = {}
    package = own if is_package else own.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".") if package else []
                parent = parent[: len(parent) - (node.level - 1)] if node.level > 1 else parent
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                found[alias.asname or alias.name] = base
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            found[node.name] = own
    return found


@dataclass(frozen=True, slots=True)
class Registration:
    """What one AirflowPlugin registers, read from its source."""

    path: str
    line: int
    class_name: str
    plugin_name: str
    module: str
    """The module of the plugin file itself (``company_plugin``)."""
    code: dict[str, tuple[int, tuple[tuple[str, str], ...]]]
    """operators/hooks/sensors/executors → (line, ((name, the module that defines it), ...))."""
    other: dict[str, tuple[int, tuple[str, ...]]]
    """Everything else it registers (macros, flask_blueprints, listeners, ...)."""

    def plugin_path(self, key: str) -> str:
        """The module Airflow 1.10 served ``key`` of this plugin as: ``airflow.operators.<name>``."""
        return f"airflow.{key}.{self.plugin_name}"


def registrations(project: Project) -> list[Registration]:
    """Every AirflowPlugin subclass in plugins/ and plugins.zip, with what it registers."""
    found: list[Registration] = []
    for src in project.plugins:
        if src.tree is None:
            continue
        own = module_of(src.path)
        defined = _defined_in(src.tree, own, src.path.endswith("__init__.py"))
        for cls in _plugin_classes(src.tree):
            registered = _registered(cls)
            plugin_name = next(
                (
                    str(stmt.value.value)
                    for stmt in cls.body
                    if isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "name" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                ),
                cls.name,
            )
            code = {
                key: (line, tuple((n, defined.get(n.split(".")[0], own)) for n in names))
                for key, (line, names) in registered.items()
                if key in _CODE and names
            }
            other = {
                key: (line, tuple(names))
                for key, (line, names) in registered.items()
                if key not in _CODE and names
            }
            found.append(
                Registration(src.path, cls.lineno, cls.name, plugin_name, own, code, other)
            )
    return found


def imports_through(project: Project, module: str) -> list[tuple[str, int]]:
    """(path, line) of every DAG file import of ``module`` (or of a name from it)."""
    places: list[tuple[str, int]] = []
    for src in project.dags:
        if src.tree is None:
            continue
        for node in ast.walk(src.tree):
            through = (
                isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
            ) or (isinstance(node, ast.Import) and any(a.name == module for a in node.names))
            if through:
                places.append((src.path, getattr(node, "lineno", 0)))
    return places


def plugins(project: Project, target: Target) -> Iterator[Finding]:
    """Each AirflowPlugin, what it registers, and what the target cannot load that way."""
    for reg in registrations(project):
        everything = {
            **{k: v[1] for k, v in reg.code.items()},
            **{k: v[1] for k, v in reg.other.items()},
        }
        summary = ", ".join(f"{k}: {len(v)}" for k, v in sorted(everything.items())) or "nothing"
        flagged = [k for k in reg.code if target.airflow >= V2] + [
            k for k in reg.other if k in _UI and target.airflow >= V3
        ]
        kept = sorted(k for k in everything if k not in flagged)
        yield Finding(
            "PF300",
            Severity.INFO,
            reg.path,
            reg.line,
            f"plugin {reg.class_name} registers {summary}",
            f"{', '.join(kept)}: loaded as they are on {target.name}"
            if kept
            else "nothing it registers loads as it is: see the findings below",
        )
        for key, (line, entries) in reg.code.items():
            if target.airflow < V2:
                continue
            homes = sorted({m for _, m in entries})
            names = ", ".join(n for n, _ in entries)
            through = reg.plugin_path(key)
            importers = imports_through(project, through)
            real = " / ".join(f"`{m}`" for m in homes)
            if importers:
                where = ", ".join(f"{p}:{n}" for p, n in importers[:3]) + (
                    f" and {len(importers) - 3} more" if len(importers) > 3 else ""
                )
                yield Finding(
                    "PF301",
                    Severity.ERROR,
                    reg.path,
                    line,
                    f"plugin {reg.class_name} registers {key} ({names}) defined in {real}; "
                    f"DAGs import them through `{through}` ({where}), which Airflow 2+ no "
                    "longer serves",
                    f"import them from {real} instead (plugins/ and dags/ are on sys.path on "
                    f"MWAA), or move {real} under dags/ and drop the plugin's `{key}` list",
                )
            else:
                yield Finding(
                    "PF301",
                    Severity.WARNING,
                    reg.path,
                    line,
                    f"plugin {reg.class_name} registers {key} ({names}) defined in {real}; "
                    f"Airflow 2+ ignores that registration (no DAG imports through `{through}`)",
                    f"drop the plugin's `{key}` list; DAGs import them from {real}",
                )
        for key, (line, _names) in reg.other.items():
            if key in _UI and target.airflow >= V3:
                yield Finding(
                    "PF302",
                    Severity.ERROR,
                    reg.path,
                    line,
                    f"plugin {reg.class_name} registers {key}: Airflow 3's UI no longer loads "
                    "Flask blueprints / AppBuilder views",
                    "port the view to a FastAPI app (fastapi_apps) or a React app plugin, or drop it",
                )


def plugins_zip_layout(project: Project, target: Target) -> Iterator[Finding]:
    """plugins.zip must hold its modules at the top level."""
    if not project.plugins_zip:
        return
    names = project.plugins_zip_names
    if names == ["<not a zip file>"]:
        yield Finding(
            "PF310",
            Severity.ERROR,
            project.plugins_zip,
            0,
            "plugins.zip is not a zip file",
            "build it with: cd plugins && zip -r ../plugins.zip .",
        )
        return
    py = [n for n in names if n.endswith(".py")]
    if py and not any("/" not in n for n in py):
        tops = sorted({n.split("/", 1)[0] for n in py})
        yield Finding(
            "PF311",
            Severity.ERROR,
            project.plugins_zip,
            0,
            f"every module is inside a folder ({', '.join(tops)}/): MWAA puts the zip's top level on "
            "sys.path, so the plugins are not found",
            "zip the folder's contents, not the folder: cd plugins && zip -r ../plugins.zip .",
        )
    if any("__pycache__" in n or n.endswith(".pyc") for n in names):
        yield Finding(
            "PF312",
            Severity.WARNING,
            project.plugins_zip,
            0,
            "plugins.zip contains compiled files (__pycache__/.pyc) for another Python",
            "rebuild without them: zip -r ../plugins.zip . -x '*__pycache__*'",
        )
