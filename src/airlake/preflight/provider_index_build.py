"""The provider-release part of the import index: every provider release any target's
constraints pin, read from its wheel (:mod:`airlake.preflight.provider_scan`).

Wheels are fetched with pip (``uv tool run --from pip pip download --no-deps``, for the
target's Python) into a shared cache folder, so a rebuild downloads only what is new. Only
the facts are kept, packed per provider: its module root, the releases read, and for each
module the runs of consecutive releases that share one set of facts, so a module unchanged
over forty releases costs one entry.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from packaging.utils import parse_wheel_filename
from packaging.version import Version

from airlake.preflight.provider_scan import ModuleFacts, scan_wheel
from airlake.preflight.targets import Target

PROVIDER_PREFIX = "apache-airflow-providers-"


def wheel_cache() -> Path:
    """Where provider wheels are kept between builds (``$AIRLAKE_WHEEL_CACHE``)."""
    return Path(
        os.environ.get("AIRLAKE_WHEEL_CACHE")
        or Path.home() / ".cache" / "airlake" / "provider-wheels"
    )


def provider_pins(target: Target) -> dict[str, str]:
    """The provider releases the target's constraints pin: {distribution: version}."""
    return {
        name: version
        for name, version in sorted(target.constraints.items())
        if name.startswith(PROVIDER_PREFIX)
    }


def _pip_download(uv: str, python_version: str, folder: Path, lines: list[str]) -> str:
    """Run one ``pip download``; returns its error output ('' on success)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
        listing = handle.name
    try:
        done = subprocess.run(
            [
                *(uv, "tool", "run", "--from", "pip", "pip", "download"),
                *("--no-deps", "--only-binary=:all:", "--quiet", "--disable-pip-version-check"),
                *("--python-version", python_version, "-d", str(folder), "-r", listing),
            ],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.unlink(listing)
    if done.returncode == 0:
        return ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    return (errors or done.stderr.strip().splitlines() or ["pip download failed"])[-1]


def download(
    pins: dict[str, str], python_version: str, uv: str, folder: Path | None = None
) -> dict[tuple[str, str], Path | str]:
    """The wheel of each pinned release (downloaded when not in the cache), or why there is none."""
    folder = folder or wheel_cache()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        have = _wheels_in(folder)
        missing = [f"{n}=={v}" for n, v in pins.items() if (n, v) not in have]
        # one batch first; when a release has no wheel the batch fails, then one by one
        failed: dict[str, str] = {}
        if missing and _pip_download(uv, python_version, folder, missing):
            for line in missing:
                error = _pip_download(uv, python_version, folder, [line])
                if error:
                    failed[line] = error
        have = _wheels_in(folder)
    out: dict[tuple[str, str], Path | str] = {}
    for name, version in pins.items():
        out[(name, version)] = have.get(
            (name, version), failed.get(f"{name}=={version}", "no wheel downloaded")
        )
    return out


def _wheels_in(folder: Path) -> dict[tuple[str, str], Path]:
    found: dict[tuple[str, str], Path] = {}
    for path in folder.glob("*.whl"):
        try:
            name, version, _, _ = parse_wheel_filename(path.name)
        except ValueError:
            continue
        found[(str(name), str(version))] = path
    return found


def provider_root(distribution: str) -> str:
    """``apache-airflow-providers-apache-livy`` → ``airflow.providers.apache.livy``."""
    return "airflow.providers." + distribution[len(PROVIDER_PREFIX) :].replace("-", ".")


def _facts_entry(facts: ModuleFacts | str) -> Any:
    if isinstance(facts, str):
        return facts
    return [list(facts.names), int(facts.open), facts.deprecation]


def pack_releases(
    distribution: str, releases: dict[str, dict[str, ModuleFacts | str]]
) -> dict[str, Any]:
    """One provider's releases ({version: scan}) → its packed entry (names unpooled):
    ``{"root", "versions", "modules": {module: [[first, last, facts], ...]}}``, ``first``/
    ``last`` indexes into ``versions`` (sorted), ``facts`` ``[names, open, deprecation]`` or the
    reason the module cannot be read."""
    root = provider_root(distribution)
    versions = sorted(releases, key=Version)
    modules: dict[str, list[list[Any]]] = {}
    every = sorted(
        {m for scan in releases.values() for m in scan if m == root or m.startswith(root + ".")}
    )
    for module in every:
        runs: list[list[Any]] = []
        for position, version in enumerate(versions):
            facts = releases[version].get(module)
            if facts is None:
                continue
            entry = _facts_entry(facts)
            if runs and runs[-1][1] == position - 1 and runs[-1][2] == entry:
                runs[-1][1] = position
            else:
                runs.append([position, position, entry])
        modules[module] = runs
    return {"root": root, "versions": versions, "modules": modules}


def index_providers(
    targets: Iterable[Target],
    uv: str,
    log: Callable[[str], None] = lambda _: None,
    folder: Path | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Download and read every provider release the targets' constraints pin. Returns the
    packed entries per provider (with each wheel's SHA-256 prefix, in ``versions`` order, as
    provenance) and the releases that could not be read, with why."""
    scans: dict[str, dict[str, dict[str, ModuleFacts | str]]] = {}
    missing: dict[str, str] = {}
    digests: dict[str, dict[str, str]] = {}
    for target in targets:
        pins = provider_pins(target)
        if not pins:
            continue
        wheels = download(pins, target.python_version, uv, folder)
        read = 0
        for (name, version), wheel in wheels.items():
            if version in scans.get(name, {}):
                continue
            if isinstance(wheel, str):
                missing[f"{name}=={version}"] = wheel
                continue
            scans.setdefault(name, {})[version] = scan_wheel(wheel)
            digests.setdefault(name, {})[version] = _digest(wheel)
            read += 1
        log(f"{target.name}: {len(pins)} provider releases pinned, {read} newly read")
    packed = {
        name: {**pack_releases(name, releases), "sha256": _in_order(digests[name])}
        for name, releases in sorted(scans.items())
    }
    return packed, dict(sorted(missing.items()))


def _digest(wheel: Path) -> str:
    """The first 16 hex digits of the wheel's SHA-256: which file the facts were read from."""
    return hashlib.sha256(wheel.read_bytes()).hexdigest()[:16]


def _in_order(by_version: dict[str, str]) -> list[str]:
    return [by_version[v] for v in sorted(by_version, key=Version)]


def pool_providers(providers: dict[str, Any], pool: dict[tuple[str, ...], int]) -> dict[str, Any]:
    """Name lists of the packed entries into the index's shared pool (ids replace lists)."""

    def pooled(facts: Any) -> Any:
        if isinstance(facts, str):
            return facts
        names, open_, deprecation = facts
        if isinstance(names, int):
            return facts
        return [pool.setdefault(tuple(names), len(pool)), open_, deprecation]

    return {
        name: {
            **entry,
            "modules": {
                m: [[a, b, pooled(f)] for a, b, f in runs] for m, runs in entry["modules"].items()
            },
        }
        for name, entry in providers.items()
    }


def unpool_providers(providers: dict[str, Any], names: list[list[str]]) -> dict[str, Any]:
    """The inverse of :func:`pool_providers`, for a rebuild that keeps the existing section."""

    def unpooled(facts: Any) -> Any:
        if isinstance(facts, str) or not isinstance(facts[0], int):
            return facts
        return [names[facts[0]], facts[1], facts[2]]

    return {
        name: {
            **entry,
            "modules": {
                m: [[a, b, unpooled(f)] for a, b, f in runs] for m, runs in entry["modules"].items()
            },
        }
        for name, entry in providers.items()
    }
