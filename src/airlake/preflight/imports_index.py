"""What ``import X`` / ``from X import Y`` does on a target, read from the generated import index.

The index (``data/imports.json.gz``, made by ``index_build`` from each target's real environment)
holds, per target, every ``airflow`` module (core, task SDK, the providers the image ships): its
public names, whether it fails to import (and why), the deprecation warning its own code raises,
and the names its ``__getattr__`` serves (lazy imports, deprecated aliases) with what each
resolves to. Beside the targets, every provider release a target's constraints pin, read from its
wheel (``provider_scan``): what a provider added in requirements.txt defines at the release the
target would install. Loaded once, on first use.
"""

from __future__ import annotations

import enum
import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from packaging.version import InvalidVersion, Version

from airlake.preflight.targets import Target


class Status(enum.Enum):
    OK = "ok"
    DEPRECATED = "deprecated"
    NO_MODULE = "no-module"
    NO_NAME = "no-name"
    BROKEN = "broken"  # the module exists but fails to import
    NOT_SHIPPED = "not-shipped"  # a provider the target does not ship
    UNKNOWN = "unknown"  # not ours to judge (not airflow, a private name, ...)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The verdict for one imported name. ``replacement`` is a dotted path (module or
    module.name) to use instead; ``removed_in`` the version a deprecation names, if any."""

    status: Status
    detail: str = ""
    replacement: str | None = None
    removed_in: str | None = None


_DOTTED = re.compile(r"\b(airflow(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_REMOVED_IN = re.compile(
    r"removed in (?:the )?(?:version )?(?:Airflow |airflow |apache-airflow )?v?(\d+(?:\.\d+)*)",
    re.IGNORECASE,
)


def removal_version(category: str, message: str) -> str | None:
    """The version a deprecation says the alias goes away in, when it says so."""
    match = _REMOVED_IN.search(message)
    if match:
        return match.group(1)
    named = re.search(r"RemovedInAirflow(\d+)", category)
    return f"{named.group(1)}.0" if named else None


def _replacement_in(message: str, own: str) -> str | None:
    for found in _DOTTED.findall(message):
        path = found.rstrip(".")
        if path != own and not own.startswith(path + "."):
            return path
    return None


@cache
def _raw() -> dict[str, Any]:
    try:
        blob = resources.files("airlake.preflight").joinpath("data", "imports.json.gz").read_bytes()
    except FileNotFoundError:
        return {}
    data: dict[str, Any] = json.loads(gzip.decompress(blob))
    return data


class TargetImports:
    """The import index of one target."""

    def __init__(
        self,
        name: str,
        entry: dict[str, Any],
        names: list[list[str]],
        packages: dict[str, str] | None,
    ):
        self.target_name = name
        self._modules: dict[str, Any] = entry["modules"]
        self._names = names
        self._deprecated: dict[str, list[str]] = entry["deprecated"]
        self._lazy: dict[str, dict[str, list[Any]]] = entry["lazy"]
        self._getattr = set(entry["getattr"])
        # modules whose __getattr__ serves names beyond its recorded map (an index made before
        # the map was recorded whole: every __getattr__ module without a recorded map)
        self._getattr_open = set(
            entry["getattr_open"]
            if "getattr_open" in entry
            else [m for m in entry["getattr"] if m not in self._lazy]
        )
        self._prefixes: dict[str, list[str]] = entry.get("prefixes", {})
        self.signatures: dict[str, dict[str, Any]] = entry["signatures"]
        # provider packages the image ships, as module roots (None: a plain Airflow target)
        self._provider_roots = (
            None
            if packages is None
            else tuple(
                "airflow.providers." + p.split("providers-", 1)[1].replace("-", ".")
                for p in packages
                if "providers-" in p
            )
        )

    def has_module(self, module: str) -> bool:
        return module in self._modules

    def names_of(self, module: str) -> frozenset[str]:
        value = self._modules.get(module)
        if not isinstance(value, int):
            return frozenset()
        return frozenset(self._names[value]) | frozenset(self._lazy.get(module, {}))

    def _shipped(self, module: str) -> bool:
        if not module.startswith("airflow.providers."):
            return True
        if self._provider_roots is None:
            return False
        return any(module == r or module.startswith(r + ".") for r in self._provider_roots)

    def module(self, module: str) -> Resolution:
        """Whether ``import module`` works on the target."""
        if module != "airflow" and not module.startswith("airflow."):
            return Resolution(Status.UNKNOWN)
        if not self._shipped(module):
            return Resolution(Status.NOT_SHIPPED, module)
        value = self._modules.get(module)
        if value is None:
            return Resolution(Status.NO_MODULE)
        if isinstance(value, str):
            return Resolution(Status.BROKEN, value)
        warned = self._deprecated.get(module)
        if warned:
            category, message = warned
            return Resolution(
                Status.DEPRECATED,
                message,
                _replacement_in(message, module),
                removal_version(category, message),
            )
        return Resolution(Status.OK)

    def name(self, module: str, name: str) -> Resolution:
        """Whether ``from module import name`` works on the target."""
        found = self.module(module)
        if found.status not in (Status.OK, Status.DEPRECATED) or name == "*":
            return found
        if name.startswith("_"):
            return found
        lazy = self._lazy.get(module, {}).get(name)
        value = self._modules[module]
        if lazy is not None and name not in self._names[value]:
            ok, where, message = lazy
            if not ok:
                return Resolution(Status.BROKEN, message or "")
            if message:
                return Resolution(
                    Status.DEPRECATED,
                    message,
                    where or _replacement_in(message, f"{module}.{name}"),
                    removal_version("", message),
                )
            return found
        if name in self._names[value]:
            return found
        sub = f"{module}.{name}"
        if sub in self._modules:
            return self.module(sub)
        if module in self._getattr_open:
            return Resolution(Status.UNKNOWN)  # a __getattr__ that serves names not listed
        if any(name.startswith(p) for p in self._prefixes.get(module, ())):
            return Resolution(Status.UNKNOWN)  # a name __getattr__ may match by its prefix
        return Resolution(Status.NO_NAME)

    def where_is(self, name: str) -> list[str]:
        """Modules of the target that define ``name`` and import cleanly, shortest path first."""
        ids = {i for i, names in enumerate(self._names) if name in names}
        found = [
            m
            for m, v in self._modules.items()
            if isinstance(v, int) and v in ids and m not in self._deprecated
        ]
        found += [
            m
            for m, served in self._lazy.items()
            if name in served and served[name][0] and not served[name][2]
        ]
        return sorted(set(found), key=lambda m: (m.count("."), len(m), m))


@cache
def _view(target_name: str, kind: str) -> TargetImports | None:
    data = _raw()
    entry = data.get("targets", {}).get(target_name)
    if entry is None:
        return None
    packages = data.get("provenance", {}).get(target_name, {}).get("packages", {})
    return TargetImports(target_name, entry, data["names"], packages if kind == "mwaa" else None)


def for_target(target: Target) -> TargetImports | None:
    """The index of ``target`` (an ``airflow-X`` target reads ``mwaa-X``'s, without providers),
    or None when that version is not indexed."""
    return _view(f"mwaa-{target.airflow_version}", target.kind)


def not_indexed_reason(target: Target) -> str:
    """Why a target has no index (from the index's own record), for the finding that says so."""
    reasons: dict[str, str] = _raw().get("not_indexed", {})
    return reasons.get(f"mwaa-{target.airflow_version}", "no index data for this version")


class ProviderRelease:
    """What one provider release's modules define, read from its wheel (``provider_scan``):
    the names its top-level code binds, open when ``__getattr__`` or a star import may serve
    more, and its shim warning."""

    def __init__(
        self, distribution: str, version: str, entry: dict[str, Any], names: list[list[str]]
    ):
        self.distribution = distribution
        self.version = version
        self.root: str = entry["root"]
        position = entry["versions"].index(version)
        self._facts: dict[str, Any] = {}
        for module, runs in entry["modules"].items():
            for first, last, facts in runs:
                if first <= position <= last:
                    self._facts[module] = (
                        facts if isinstance(facts, str) else (names[facts[0]], *facts[1:])
                    )
        self._names = names

    def module(self, module: str) -> Resolution:
        """Whether ``import module`` works with this release installed."""
        facts = self._facts.get(module)
        if facts is None:
            return Resolution(Status.NO_MODULE)
        if isinstance(facts, str):
            return Resolution(Status.BROKEN, facts)
        deprecation = facts[2]
        if deprecation:
            return Resolution(
                Status.DEPRECATED,
                deprecation,
                _replacement_in(deprecation, module),
                removal_version("", deprecation),
            )
        return Resolution(Status.OK)

    def name(self, module: str, name: str) -> Resolution:
        """Whether ``from module import name`` works with this release installed."""
        found = self.module(module)
        if found.status not in (Status.OK, Status.DEPRECATED) or name == "*":
            return found
        names, open_, _ = self._facts[module]
        if name in names or name.startswith("_"):
            return found
        if f"{module}.{name}" in self._facts:
            return self.module(f"{module}.{name}")
        return Resolution(Status.UNKNOWN) if open_ else Resolution(Status.NO_NAME)

    def where_is(self, name: str) -> list[str]:
        """Modules of this release that define ``name`` and are no shim, shortest path first."""
        found = [
            m
            for m, facts in self._facts.items()
            if not isinstance(facts, str) and not facts[2] and name in facts[0]
        ]
        return sorted(found, key=lambda m: (m.count("."), len(m), m))


def provider_of(module: str) -> str | None:
    """The provider distribution (of those indexed) whose package holds ``module``."""
    best: tuple[int, str] | None = None
    for distribution, entry in _raw().get("providers", {}).items():
        root = entry["root"]
        if (module == root or module.startswith(root + ".")) and (
            best is None or len(root) > best[0]
        ):
            best = (len(root), distribution)
    return best[1] if best else None


@cache
def provider_release(distribution: str, version: str) -> ProviderRelease | None:
    """The indexed facts of ``distribution==version``, or None when that release is not
    indexed (the index holds every release a known target's constraints pin)."""
    data = _raw()
    entry = data.get("providers", {}).get(distribution)
    if entry is None:
        return None
    try:
        wanted = Version(version)
        same = [v for v in entry["versions"] if Version(v) == wanted]
    except InvalidVersion:
        same = []
    return ProviderRelease(distribution, same[0], entry, data["names"]) if same else None
