"""Generate the import index from the real releases: ``python -m airlake.preflight.index_build``.

For each MWAA target: build its real worker environment (``target_env.build_target_env``), run
``index_probe`` with the target's own interpreter (every ``airflow`` module imported, warnings
recorded), and write the result as compact package data, ``data/imports.json.gz`` (name lists
shared across targets), with its provenance: the packages and versions each target was built
from, the command and the date. A target whose environment cannot be built is recorded as not
indexed, with the reason; the checks then say they cannot judge its imports.

Provider releases a project may add in requirements.txt (every one a target's constraints pin)
are indexed too, from their wheels, statically (:mod:`airlake.preflight.provider_index_build`).

Usage: ``python -m airlake.preflight.index_build [--target mwaa-X ...] [--providers-only |
--no-providers] [--out PATH]`` (``make preflight-index``). Rebuilding one target keeps the others
from the existing file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from airlake.errors import UserError
from airlake.preflight.provider_index_build import (
    index_providers,
    pool_providers,
    unpool_providers,
)
from airlake.preflight.target_env import build_target_env, find_uv
from airlake.preflight.targets import Target, known_targets, load_target

FORMAT = 1
DEFAULT_OUT = Path(__file__).parent / "data" / "imports.json.gz"
MAX_RESTARTS = 25


def _probe_script() -> str:
    return str(resources.files("airlake.preflight").joinpath("index_probe.py"))


def probe(python: Path, workdir: Path) -> list[dict[str, Any]]:
    """Run the probe with ``python``; restart past a module that takes the interpreter down."""
    out = workdir / "probe.jsonl"
    home = workdir / "airflow-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTHON"))},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    crashed: list[str] = []
    for _ in range(MAX_RESTARTS):
        done = subprocess.run(
            [str(python), _probe_script(), str(out), *crashed],
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=3600,
        )
        rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
        if done.returncode == 0:
            return rows
        started = [r["start"] for r in rows if "start" in r]
        finished = {r["m"] for r in rows if "m" in r}
        lost = [m for m in started if m not in finished and m not in crashed]
        if not lost:
            raise UserError(f"the import probe failed: {done.stderr.strip()[-500:]}")
        crashed.append(lost[-1])
        with out.open("a") as handle:
            reason = f"the interpreter died importing it (exit {done.returncode})"
            handle.write(json.dumps({"m": lost[-1], "ok": False, "err": reason}) + "\n")
    raise UserError("the import probe kept crashing")


def _packages(target: Target) -> dict[str, str]:
    return {
        name: version
        for name, version in sorted(target.preinstalled.items())
        if name == "apache-airflow" or name.startswith(("apache-airflow-", "apache-airflow-task"))
    }


def compact(rows: list[dict[str, Any]], pool: dict[tuple[str, ...], int]) -> dict[str, Any]:
    """Probe rows → one target's entry; name lists go to the shared ``pool``."""
    modules: dict[str, Any] = {}
    deprecated: dict[str, list[str]] = {}
    lazy: dict[str, dict[str, list[Any]]] = {}
    getattr_modules: list[str] = []
    getattr_open: list[str] = []
    prefixes: dict[str, list[str]] = {}
    signatures: dict[str, Any] = {}
    for row in rows:
        if "dep" in row:
            category, message = row["w"]
            deprecated.setdefault(row["dep"], [category, message])
        elif "signatures" in row:
            signatures = row["signatures"]
        elif "m" in row:
            if row["ok"]:
                names = tuple(row["names"])
                modules[row["m"]] = pool.setdefault(names, len(pool))
                if row.get("lazy"):
                    lazy[row["m"]] = row["lazy"]
                if row.get("getattr"):
                    getattr_modules.append(row["m"])
                    if row["getattr"] != "complete":
                        getattr_open.append(row["m"])
                if row.get("prefixes"):
                    prefixes[row["m"]] = row["prefixes"]
            else:
                modules[row["m"]] = row["err"]
    return {
        "modules": dict(sorted(modules.items())),
        "deprecated": dict(sorted(deprecated.items())),
        "lazy": dict(sorted(lazy.items())),
        "getattr": sorted(getattr_modules),
        "getattr_open": sorted(getattr_open),
        "prefixes": dict(sorted(prefixes.items())),
        "signatures": signatures,
    }


def _load_existing(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _unpool(entry: dict[str, Any], names: list[list[str]]) -> dict[str, Any]:
    modules = {m: (names[v] if isinstance(v, int) else v) for m, v in entry["modules"].items()}
    return {**entry, "modules": modules}


def _repool(entry: dict[str, Any], pool: dict[tuple[str, ...], int]) -> dict[str, Any]:
    modules = {
        m: (pool.setdefault(tuple(v), len(pool)) if isinstance(v, list) else v)
        for m, v in entry["modules"].items()
    }
    return {**entry, "modules": modules}


def build_index(
    names: list[str], out: Path, log: Any = sys.stderr, providers: bool = True
) -> dict[str, Any]:
    """Index ``names`` (target names) into ``out``, keeping other targets already there; with
    ``providers``, also (re)read every provider release the known targets' constraints pin."""
    existing = _load_existing(out)
    old_targets: dict[str, Any] = {}
    if existing and existing.get("format") == FORMAT:
        old_targets = {
            t: _unpool(e, existing["names"]) for t, e in existing.get("targets", {}).items()
        }
    not_indexed: dict[str, str] = dict(existing.get("not_indexed", {})) if existing else {}
    provenance: dict[str, Any] = dict(existing.get("provenance", {})) if existing else {}
    fresh: dict[str, Any] = {}
    for name in names:
        target = load_target(name)
        print(f"{name}: building the environment", file=log, flush=True)
        try:
            env = build_target_env(target)
        except UserError as exc:
            not_indexed[name] = str(exc)
            old_targets.pop(name, None)
            provenance.pop(name, None)
            print(f"{name}: not indexed: {exc}", file=log, flush=True)
            continue
        with tempfile.TemporaryDirectory(prefix="airlake-index-") as tmp:
            rows = probe(env.python, Path(tmp))
        fresh[name] = rows
        not_indexed.pop(name, None)
        modules = [r for r in rows if "m" in r]
        provenance[name] = {
            "python": env.python_version,
            "packages": _packages(target),
            "modules": len(modules),
            "failing": sum(1 for r in modules if not r["ok"]),
            "generated": dt.date.today().isoformat(),
        }
        print(
            f"{name}: {len(modules)} modules, {provenance[name]['failing']} fail to import",
            file=log,
            flush=True,
        )
    provider_section: dict[str, Any] = (
        unpool_providers(existing.get("providers", {}), existing["names"])
        if existing and existing.get("format") == FORMAT
        else {}
    )
    provider_missing: dict[str, str] = (
        dict(existing.get("providers_missing", {})) if existing else {}
    )
    if providers:
        provider_section, provider_missing = _index_providers(log)
    pool: dict[tuple[str, ...], int] = {}
    targets: dict[str, Any] = {}
    for name in sorted(set(old_targets) | set(fresh), key=known_targets().index):
        if name in fresh:
            targets[name] = compact(fresh[name], pool)
        else:
            targets[name] = _repool(old_targets[name], pool)
    pooled_providers = pool_providers(provider_section, pool)  # before the pool is written
    data = {
        "format": FORMAT,
        "generator": "python -m airlake.preflight.index_build (make preflight-index)",
        "provenance": provenance,
        "not_indexed": dict(sorted(not_indexed.items())),
        "names": [list(names_) for names_ in pool],
        "targets": targets,
        "providers_source": PROVIDERS_SOURCE,
        "providers": pooled_providers,
        "providers_missing": provider_missing,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, separators=(",", ":"), sort_keys=False).encode()
    with out.open("wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as gz:
        gz.write(raw)
    return data


PROVIDERS_SOURCE = (
    "every apache-airflow-providers-* release a target's airflow-constraints.txt pins: its wheel "
    "(pip download --no-deps, for the target's Python) read statically by provider_scan"
)


def _index_providers(log: Any) -> tuple[dict[str, Any], dict[str, str]]:
    uv = find_uv()
    if uv is None:
        raise UserError("uv is not installed (make install provides it)")
    targets = [load_target(t) for t in known_targets() if t.startswith("mwaa-")]
    return index_providers(targets, uv, lambda line: print(line, file=log, flush=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--target", action="append", help="a target to (re)index; default: all")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--providers-only",
        action="store_true",
        help="re-read the provider releases only; keep every target's entry",
    )
    parser.add_argument(
        "--no-providers", action="store_true", help="keep the provider releases already indexed"
    )
    args = parser.parse_args(argv)
    names = args.target or [t for t in known_targets() if t.startswith("mwaa-")]
    if args.providers_only:
        names = []
    try:
        data = build_index(names, args.out, providers=not args.no_providers)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = args.out.stat().st_size
    print(
        f"{args.out}: {len(data['targets'])} targets indexed, "
        f"{len(data['not_indexed'])} not indexed, {size / 1e6:.2f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
