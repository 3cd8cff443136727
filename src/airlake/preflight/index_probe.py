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
- ``getattr``: ``"complete"`` when that ``__getattr__`` raises AttributeError for a name it does
  not know (then ``names`` + ``lazy`` is its full name map, and any other name does not exist),
  ``"open"`` when it serves unknown names too; ``prefixes``: the identifier-like strings in its
  code that it does not serve (``name.startswith("PY3")``), names starting with one unjudged.

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
_context = []  # type: list[tuple[str, str, frozenset]]
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
    caller = sys._getframe(1)
    if _context:
        module, attr, codes = _context[-1]
        # the name's own deprecation only when ``__getattr__`` itself warns, not a warning of
        # something its import sets off (a pydantic model, a config default)
        if caller.f_code in codes:
            _captured.append(("lazy", module, attr, name, text))
            return
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


SENTINEL = "PreflightProbeNoSuchName"


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, type(code)):
            yield from _code_objects(const)


def _getattr_sources(getter):
    """The code objects and the globals of a module-level ``__getattr__`` (function or partial)."""
    funcs = [getter]
    if isinstance(getter, functools.partial):
        funcs = [getter.func]
    found = []
    for func in funcs:
        code = getattr(func, "__code__", None)
        if code is not None:
            found.append((code, getattr(func, "__globals__", {})))
    return found


def _code_strings(code):
    """The string constants of a code object, with those of its constant tuples / frozensets
    (``name in ("a", "b")`` compiles to one)."""
    found = []
    for const in code.co_consts:
        if isinstance(const, str):
            found.append(const)
        elif isinstance(const, (tuple, frozenset)):
            found.extend(c for c in const if isinstance(c, str))
    return found


def _strings(value):
    if isinstance(value, dict):
        keys = [k for k in value if isinstance(k, str)]
        return keys if keys and len(keys) == len(value) and len(keys) < 5000 else []
    if isinstance(value, (tuple, list, set, frozenset)):
        items = [v for v in value if isinstance(v, str)]
        return items if len(items) == len(value) and len(items) < 5000 else []
    return []


def _mapping_candidates(module):
    """Every name a module-level ``__getattr__`` may serve.

    Read from the function itself: the string constants of its code (``if name == "DAG"``,
    ``name in ("a", "b")``), the keys of the dicts and the items of the tuples/sets it reads from
    the module's globals (``__lazy_imports``, ``_deprecated_classes``, ...) or holds in a closure
    or a ``functools.partial`` (``add_deprecated_classes``), every str-keyed dict of the module,
    and the public names of the modules it imports or a wildcard map names (a ``__getattr__`` that
    delegates: to ``yaml``, or ``{"*": "airflow.task.trigger_rule"}``). The set is then tried name by name: what is not served raises AttributeError.
    """
    getter = module.__dict__.get("__getattr__")
    if getter is None:
        return []
    pools = [v for k, v in module.__dict__.items() if isinstance(v, dict) and k != "__builtins__"]  # type: list[object]
    if isinstance(getter, functools.partial):
        pools.extend(a for a in getter.args if isinstance(a, (dict, tuple, list, set, frozenset)))
        pools.extend(getter.keywords.values())
    for cell in getattr(getter, "__closure__", None) or ():
        try:
            pools.append(cell.cell_contents)
        except ValueError:
            continue
    imported = set()  # type: set[str]
    for code, scope in _getattr_sources(getter):
        for inner in _code_objects(code):
            pools.append(_code_strings(inner))
            for ref in inner.co_names:
                if ref in scope:
                    pools.append(scope[ref])
                imported.add(ref)
            for const in inner.co_consts:
                if isinstance(const, str) and "." in const:
                    imported.add(const)
    names = set()  # type: set[str]
    for pool in pools:
        names.update(k for k in _strings(pool) if k.isidentifier() and not k.startswith("__"))
        if isinstance(pool, dict) and isinstance(pool.get("*"), str):
            # a wildcard map ({"*": "airflow.task.trigger_rule"}) serves that module's names
            _context.append((module.__name__, "*", frozenset()))
            try:
                signal.alarm(TIMEOUT)
                imported.add(importlib.import_module(pool["*"]).__name__)
                signal.alarm(0)
            except BaseException as exc:
                signal.alarm(0)
                if isinstance(exc, KeyboardInterrupt):
                    raise
            finally:
                _context.pop()
    for ref in imported:
        delegate = sys.modules.get(ref)
        if isinstance(delegate, type(sys)) and delegate is not module:
            names.update(n for n in dir(delegate) if not n.startswith("_"))
    return sorted(n for n in names if n not in module.__dict__)


def _unserved_constants(module, served):
    """Identifier-like string constants of ``__getattr__``'s code that it does not serve as
    names: possibly prefixes it matches (``name.startswith("PY3")``), so names starting with one
    are left unjudged."""
    getter = module.__dict__.get("__getattr__")
    found = set()  # type: set[str]
    for code, _scope in _getattr_sources(getter) if getter is not None else ():
        for inner in _code_objects(code):
            # plain constants only: tuples hold keyword-argument names (``stacklevel=``) too
            found.update(
                c
                for c in inner.co_consts
                if isinstance(c, str) and len(c) > 1 and c.isidentifier() and not c.startswith("__")
            )
    return sorted(c for c in found if not served.get(c, [False])[0] and c not in module.__dict__)


def _rejects_unknown(module):
    """Whether the module's ``__getattr__`` raises AttributeError for a name it does not know:
    only then is the name map complete, and a name outside it is "no such name"."""
    _context.append((module.__name__, SENTINEL, frozenset()))
    try:
        signal.alarm(TIMEOUT)
        getattr(module, SENTINEL)
        signal.alarm(0)
        return False
    except AttributeError:
        signal.alarm(0)
        return True
    except BaseException as exc:
        signal.alarm(0)
        if isinstance(exc, KeyboardInterrupt):
            raise
        return False
    finally:
        _context.pop()


def _probe_lazy(module):
    lazy = {}
    getter = module.__dict__.get("__getattr__")
    codes = frozenset(
        inner
        for code, _scope in (_getattr_sources(getter) if getter is not None else ())
        for inner in _code_objects(code)
    )
    for name in _mapping_candidates(module):
        _context.append((module.__name__, name, codes))
        _captured[:] = [c for c in _captured if c[0] != "lazy"]
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
        # "complete": the served names are all in ``lazy`` (or already in ``names``)
        row["getattr"] = "complete" if _rejects_unknown(module) else "open"
        row["prefixes"] = _unserved_constants(module, row["lazy"])
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
                drain()  # module-level deprecations of what the lazy names imported
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
