"""Ground truth for the accuracy benchmark, run with a target environment's own Python.

For each DAG file given: every ``airflow`` import statement executed on its own (did it import?
did it raise a deprecation warning?), then the whole file run as MWAA's DAG processor would load
it (its folder on ``sys.path``). Standard library only, Python 3.7 syntax.

Usage: python preflight_truth_probe.py OUT.json DAGS_FOLDER FILE...
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import runpy
import signal
import sys
import warnings

DEPRECATION = ("Deprecat", "RemovedIn")


def _alarm(signum, frame):
    raise TimeoutError("timed out")


def _statements(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "airflow" or node.module.startswith("airflow."):
                yield node, node.module
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == "airflow"]
            if names:
                yield node, names[0]


def _exec(code):
    try:
        signal.alarm(120)
        exec(code, {})
        signal.alarm(0)
        return None
    except BaseException as exc:  # any failure is the answer
        signal.alarm(0)
        return (type(exc).__name__ + ": " + str(exc))[:300]


def _run_statement(node, module, baseline):
    cached = sys.modules.get(module)
    fresh = (
        cached is not None
        and module not in baseline
        and getattr(cached, "__file__", None)
        and not hasattr(cached, "__path__")
    )
    if fresh:
        del sys.modules[module]  # so that a shim's module-level warning fires again
    code = compile(ast.Module(body=[node], type_ignores=[]), "<import>", "exec")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = _exec(code)
    if fresh:
        # the re-run was only for its warning: the module as it was goes back, so that the
        # classes it defines keep their identity for the imports that follow
        sys.modules[module] = cached
        parent, _, child = module.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, cached)
        if error is not None:
            # a module that cannot run twice in one process (SQLAlchemy tables, registries):
            # the failure is this harness's, not the import's; judge it with the module as it was
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                error = _exec(code)
    deprecated = [
        str(w.message)[:300]
        for w in caught
        if any(p in getattr(w.category, "__name__", "") for p in DEPRECATION)
    ]
    return [error is None, deprecated[0] if deprecated else None, error]


def main(out, folder, files):
    signal.signal(signal.SIGALRM, _alarm)
    sys.path.insert(0, folder)
    importlib.import_module("airflow")  # configured once, outside the measurements
    baseline = set(sys.modules)  # what Airflow itself loaded: not re-run

    results = {}
    for rel in files:
        path = os.path.join(folder, rel)
        with open(path) as handle:
            tree = ast.parse(handle.read())
        lines = {}
        for node, module in _statements(tree):
            lines[str(node.lineno)] = _run_statement(node, module, baseline)
        try:
            signal.alarm(120)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runpy.run_path(path, run_name="dag_" + rel.replace("/", "_")[:-3])
            signal.alarm(0)
            whole = [True, None]
        except BaseException as exc:  # any failure is the answer
            signal.alarm(0)
            whole = [False, (type(exc).__name__ + ": " + str(exc))[:300]]
        results[rel] = {"lines": lines, "file": whole}
    with open(out, "w") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
