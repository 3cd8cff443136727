"""The run's window arithmetic, and the run context's place in the import graph."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import airlake
from airlake.run_context import Window, window_for
from airlake.settings import Settings

D1 = date(2026, 11, 10)
D2 = D1 + timedelta(days=1)
SRC = Path(airlake.__file__).parent


def test_window_arithmetic() -> None:
    w = Window(D2, window_days=3, context_days=1)
    assert w.start == D2 - timedelta(days=2)
    assert w.event_dates == [D1 - timedelta(days=1), D1, D2]
    assert w.clean_dates[0] == D1 - timedelta(days=2)
    assert w.landing_days == [D1 - timedelta(days=2) + timedelta(days=i) for i in range(6)]
    assert w.quality_landing_days == w.event_dates


def test_window_follows_settings(local_settings: Settings) -> None:
    assert window_for(D1, local_settings).context_days == 1  # 24 h lookback


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _module_graph() -> dict[str, set[str]]:
    modules = {}
    for path in SRC.rglob("*.py"):
        parts = ("airlake", *path.relative_to(SRC).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return {name: _imports(path) & modules.keys() - {name} for name, path in modules.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        for dep in graph[todo.pop()] - seen:
            if dep == goal:
                return True
            seen.add(dep)
            todo.append(dep)
    return False


def test_the_stages_and_their_run_context_form_no_import_circle() -> None:
    graph = _module_graph()
    stage_modules = [m for m in graph if m.startswith("airlake.stages")]
    assert "airlake.stages.ingest" in stage_modules  # the graph sees the stage modules
    # the run context is below every stage: nothing it imports leads back to a stage
    assert not any(_reaches(graph, "airlake.run_context", m) for m in stage_modules)
    for module in [
        *stage_modules,
        "airlake.run_context",
        "airlake.report.publish",
        "airlake.lifecycle.maintain",
    ]:
        assert not _reaches(graph, module, module), f"{module} imports itself through others"
