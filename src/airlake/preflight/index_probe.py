"""Run inside a target's own interpreter: import every ``airflow`` module, write what it finds.

Standalone on purpose (standard library only, Python 3.7 syntax): ``index_build`` runs it as a
script with the target environment's Python. For every module under the ``airflow`` package
folders (core, task SDK and every installed provider) it writes one JSON line:

``{"m": module, "ok": true, "names": [...], "lazy": {...}}`` or
``{"m": module, "ok": false, "err": "ImportError: ..."}``, and ``{"dep": module, "w": [category,
message]}`` for each deprecation warning raised by a module's own top-level code (a shim).

- ``names``: the module's public names (``dir()``), what ``from module import name`` finds.
- ``lazy``: names served by a module-level ``__getattr__`` (Airflow's lazy imports and
  ``add_deprecated_classes`` maps), each resolved for real: ``[ok, target, warning or error]``.

Modules that exist only in ``sys.modules`` (the virtual modules ``add_deprecated_classes``
registers) are probed too. A line ``{"start": module}`` precedes each import so that the caller
can tell which module took the interpreter down, and restart past it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import signal
import sys
import warnings

SKIP_PARTS = {"tests", "example_dags", "migrations", "__main__", "node_modules"}
DEPRECATION = ("Deprecat", "RemovedIn", "PendingDeprecation")
TIMEOUT = 60
_context = []  # type: list[tuple[str, str]]
# the (module, name) being probed through __getattr__, innermost last
_captured = []  # type: list[tuple[str, str, str, str, str]]
# (kind, module, name, category, message)


def _record_warning(message, category=None, stacklevel=1, source=None, *args, **kwargs):
    if isinstance(message, Warning):
        category = type(message)
    category = category or UserWarning
    name = getattr(category, "__name__", str(category))
    if not any(part in name for part in DEPRECATION):
        return
    text = str(message)[:400]
    if _context:
        module, attr = _context[-1]
        _captured.append(("lazy", module, attr, name, text))
        return
    caller = sys._getframe(1)
    if caller.f_code.co_name == "<module>":
        _captured.append(("module", caller.f_globals.get("__name__", ""), "", name, text))


def _record_warning_explicit(message, category, filename, lineno, *args, **kwargs):
    _record_warning(message, category)


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _has_python(folder):
    for _root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIP_PARTS and d != "__pycache__"]
        if any(f.endswith(".py") for f in files):
            return True
    return False


def _enumerate():
    spec = importlib.util.find_spec("airflow")
    roots = list((spec and spec.submodule_search_locations) or [])
    found = {"airflow"}

    def walk(paths, prefix):
        # by hand, not pkgutil: namespace packages (Airflow 3's ``airflow/providers``) have no
        # ``__init__.py`` and pkgutil does not list them
        for path in paths:
            for entry in sorted(os.listdir(path)):
                full = os.path.join(path, entry)
                if entry.endswith(".py") and entry != "__init__.py":
                    name = entry[:-3]
                    is_pkg = False
                elif os.path.isdir(full) and entry.isidentifier() and _has_python(full):
                    name = entry
                    is_pkg = True
                else:
                    continue
                if not name.isidentifier() or name in SKIP_PARTS:
                    continue
                found.add(prefix + name)
                if is_pkg:
                    walk([full], prefix + name + ".")

    walk(roots, "airflow.")
    return sorted(found)


def _mapping_candidates(module):
    """Names a module-level ``__getattr__`` may serve: keys of the str-keyed dicts it reads."""
    getter = module.__dict__.get("__getattr__")
    if getter is None:
        return []
    pools = [v for k, v in module.__dict__.items() if isinstance(v, dict) and k != "__builtins__"]
    if isinstance(getter, functools.partial):
        pools.extend(a for a in getter.args if isinstance(a, dict))
    for cell in getattr(getter, "__closure__", None) or ():
        try:
            if isinstance(cell.cell_contents, dict):
                pools.append(cell.cell_contents)
        except ValueError:
            continue
    names = set()  # type: set[str]
    for pool in pools:
        keys = [k for k in pool if isinstance(k, str)]
        if keys and len(keys) == len(pool) and len(keys) < 5000:
            names.update(k for k in keys if k.isidentifier() and not k.startswith("__"))
    return sorted(n for n in names if n not in module.__dict__)


def _probe_lazy(module):
    lazy = {}
    for name in _mapping_candidates(module):
        _context.append((module.__name__, name))
        del _captured[:]
        try:
            signal.alarm(TIMEOUT)
            value = getattr(module, name)
            signal.alarm(0)
            target = getattr(value, "__module__", None)
            qual = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
            if isinstance(value, type(sys)):
                where = value.__name__
            elif target and qual:
                where = target + "." + qual
            else:
                where = None
            dep = [c[4] for c in _captured if c[0] == "lazy" and c[2] == name]
            lazy[name] = [True, where, dep[0] if dep else None]
        except BaseException as exc:  # any failure is the answer
            signal.alarm(0)
            if isinstance(exc, KeyboardInterrupt):
                raise
            if not isinstance(exc, AttributeError):  # a mapped name that fails to import
                lazy[name] = [False, None, (type(exc).__name__ + ": " + str(exc))[:300]]
        finally:
            _context.pop()
    return lazy


def _describe(module_name, module):
    names = sorted(n for n in dir(module) if not n.startswith("_"))
    row = {"m": module_name, "ok": True, "names": names, "lazy": _probe_lazy(module)}
    if "__getattr__" in module.__dict__:
        row["getattr"] = True
    return row


# Classes whose keyword arguments decide the removed-argument check: every parameter of their
# ``__init__`` over the MRO, and the keywords their ``__init__`` pops with a deprecation warning.
SIGNATURE_CLASSES = (
    "airflow.models.dag.DAG",
    "airflow.sdk.definitions.dag.DAG",
    "airflow.models.baseoperator.BaseOperator",
    "airflow.sdk.bases.operator.BaseOperator",
    "airflow.sdk.definitions.baseoperator.BaseOperator",
    "airflow.operators.python_operator.PythonOperator",
    "airflow.operators.python.PythonOperator",
    "airflow.providers.standard.operators.python.PythonOperator",
)
POPPED = r"""kwargs\.(?:pop|get)\(\s*["']([A-Za-z_]+)["']"""


def _signatures():
    import inspect
    import re

    facts = {}
    for path in SIGNATURE_CLASSES:
        module_name, cls_name = path.rsplit(".", 1)
        module = sys.modules.get(module_name)
        cls = getattr(module, cls_name, None) if module else None
        if not isinstance(cls, type):
            continue
        params, popped, var_kw = set(), set(), False
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None or klass is object:
                continue
            try:
                sig = inspect.signature(init)
            except (TypeError, ValueError):
                continue
            for p in sig.parameters.values():
                if p.kind == p.VAR_KEYWORD:
                    var_kw = True
                elif p.name != "self":
                    params.add(p.name)
            try:
                source = inspect.getsource(init)
            except (OSError, TypeError):
                source = ""
            if "warn" in source:
                popped.update(re.findall(POPPED, source))
        facts[path] = {"params": sorted(params), "popped": sorted(popped), "var_kw": var_kw}
    return facts


def main(out_path, skip):
    warnings.warn = _record_warning
    warnings.warn_explicit = _record_warning_explicit
    signal.signal(signal.SIGALRM, _alarm)
    modules = _enumerate()
    seen = set()
    with open(out_path, "a") as out:

        def emit(row):
            out.write(json.dumps(row, sort_keys=True) + "\n")
            out.flush()

        def drain():
            for kind, mod, _attr, category, text in _captured:
                if kind == "module":
                    emit({"dep": mod, "w": [category, text]})
            del _captured[:]

        pending = list(modules)
        while pending:
            name = pending.pop(0)
            if name in seen or name in skip:
                continue
            seen.add(name)
            emit({"start": name})
            try:
                signal.alarm(TIMEOUT)
                module = importlib.import_module(name)
                signal.alarm(0)
                drain()
                row = _describe(name, module)
            except BaseException as exc:  # any failure is the answer
                signal.alarm(0)
                drain()
                if isinstance(exc, KeyboardInterrupt):
                    raise
                reason = "timed out" if isinstance(exc, _Timeout) else str(exc)
                row = {"m": name, "ok": False, "err": (type(exc).__name__ + ": " + reason)[:300]}
            emit(row)
            if not pending and "signatures" not in seen:
                seen.add("signatures")
                emit({"signatures": _signatures()})
            if not pending:
                # virtual modules registered in sys.modules (add_deprecated_classes)
                extra = sorted(
                    k
                    for k, v in list(sys.modules.items())
                    if k.startswith("airflow.")
                    and k not in seen
                    and v is not None
                    and getattr(v, "__file__", None) is None
                    and not any(p in SKIP_PARTS for p in k.split("."))
                )
                pending.extend(extra)


if __name__ == "__main__":
    main(sys.argv[1], set(sys.argv[2:]))
