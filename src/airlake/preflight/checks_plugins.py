"""Checks of plugins/ and plugins.zip (parsed, never imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

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


def plugins(project: Project, target: Target) -> Iterator[Finding]:
    """Each AirflowPlugin, what it registers, and what the target cannot load that way."""
    for src in project.plugins:
        if src.tree is None:
            continue
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
            summary = (
                ", ".join(f"{k}: {len(v[1])}" for k, v in sorted(registered.items()) if v[1])
                or "nothing"
            )
            yield Finding(
                "PF300",
                Severity.INFO,
                src.path,
                cls.lineno,
                f"plugin {cls.name} registers {summary}",
                "no action needed for what is not reported separately",
            )
            for key in _CODE:
                line, names = registered.get(key, (cls.lineno, []))
                if names and target.airflow >= V2:
                    yield Finding(
                        "PF301",
                        Severity.ERROR,
                        src.path,
                        line,
                        f"plugin {cls.name} registers {key} ({', '.join(names)}); Airflow 2+ no longer imports "
                        f"{key} through plugins (`from airflow.{key}.{plugin_name} import ...` fails)",
                        f"move them to a plain module under dags/ (e.g. dags/common/{key}.py) and import it "
                        "directly: MWAA needs no plugin for that",
                    )
            for key in _UI:
                line, names = registered.get(key, (cls.lineno, []))
                if names and target.airflow >= V3:
                    yield Finding(
                        "PF302",
                        Severity.ERROR,
                        src.path,
                        line,
                        f"plugin {cls.name} registers {key}: Airflow 3's UI no longer loads Flask blueprints / "
                        "AppBuilder views",
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
