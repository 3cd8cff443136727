"""Benchmark: the migration plan on real on-prem Airflow projects, and its speed.

    python bench/migration.py [--mirror DIR] [--only REPO] [--no-install] [--speed-only] [--resolve]

For each project of ``bench/migration_corpus.toml`` (public repositories, read at the recorded
commit from DIR/<owner>+<name>/repo, where the search tool's fetch puts them; their code is
never committed), laid out as an Airflow project (dags/, plugins/, requirements.txt):
the plan's recommended target, the requirements lines before -> after, and after
``--write --install`` on the recommended target the share of DAG files (files with ``DAG(`` or
``@dag``) that import there, plus the ones that do not and whether the migration report names
them as needing a person (and why). Then: the plan over the 17 targets for a 40-pin, 50-DAG
project (``bench/preflight.py``'s generator), a fresh ``airlake preflight plan`` process,
best of 3, against the 5-second budget.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "migration_corpus.toml"
DAG_MARK = re.compile(rb"\bDAG\(|@dag\b")


def _git_dir(mirror: Path, repo: str) -> Path:
    base = mirror / repo.replace("/", "+") / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def _extract(git_dir: Path, commit: str, inside: str, dest: Path) -> None:
    """The files under ``inside`` at ``commit``, written to ``dest``."""
    archive = subprocess.run(
        ["git", "--git-dir", str(git_dir), "archive", "--format=tar", commit]
        + ([] if inside == "." else ["--", inside]),
        capture_output=True,
        check=True,
    ).stdout
    prefix = "" if inside == "." else inside.rstrip("/") + "/"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith(prefix):
                continue
            rel = member.name[len(prefix) :]
            if not rel or rel.startswith(".git"):
                continue
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            data = tar.extractfile(member)
            if data is not None:
                out.write_bytes(data.read())


def lay_out(entry: dict, mirror: Path, root: Path) -> Path:
    git_dir = _git_dir(mirror, entry["repo"])
    if not git_dir.exists():
        raise SystemExit(
            f"error: {entry['repo']} is not under {mirror} (fetch github:{entry['repo']})"
        )
    _extract(git_dir, entry["commit"], entry["dags"], root / "dags")
    if entry.get("plugins"):
        _extract(git_dir, entry["commit"], entry["plugins"], root / "plugins")
    if entry.get("requirements"):
        with tempfile.TemporaryDirectory() as tmp:
            _extract(git_dir, entry["commit"], str(Path(entry["requirements"]).parent), Path(tmp))
            req = Path(tmp) / Path(entry["requirements"]).name
            if req.exists():
                (root / "requirements.txt").write_bytes(req.read_bytes())
    return root


def dag_files(dags: Path) -> list[str]:
    return sorted(
        str(p.relative_to(dags.parent))
        for p in dags.rglob("*.py")
        if "__pycache__" not in p.parts and DAG_MARK.search(p.read_bytes())
    )


def measure(entry: dict, mirror: Path, install: bool, resolve: bool = False) -> dict:
    from airlake.preflight.migrate import migrate, write_migration
    from airlake.preflight.plan import make_plan, resolve_plan
    from airlake.preflight.project import load_project
    from airlake.preflight.run import run_checks

    with tempfile.TemporaryDirectory() as tmp:
        project_root = lay_out(entry, mirror, Path(tmp) / "project")
        project = load_project(project_root)
        started = time.perf_counter()
        plan = make_plan(project)
        plan_seconds = time.perf_counter() - started
        if resolve:  # the recommendation checked by uv's resolver (plan --resolve)
            plan = resolve_plan(plan, project, date.today())
        best = plan.recommended
        if best is None:
            return {
                "repo": entry["repo"],
                "commit": entry["commit"][:12],
                "target": "none",
                "decisions": "-",
                "reqs": "-",
                "dag_files": len(dag_files(project_root / "dags")),
                "plan_seconds": plan_seconds,
                "blocked": plan.reason[:300],
            }
        target = best.target
        migration = migrate(project, target, run_checks(project, target), date.today())
        out = Path(tmp) / "migrated"
        write_migration(project, migration, out, force=False)
        migrated = load_project(out)
        after = run_checks(migrated, target)
        dags = dag_files(out / "dags")
        result = {
            "repo": entry["repo"],
            "commit": entry["commit"][:12],
            "target": target.name,
            "decisions": len(best.decisions),
            "reqs": f"{migration.requirements_before} -> {migration.requirements_after}",
            "dag_files": len(dags),
            "plan_seconds": plan_seconds,
            "errors_after": sum(1 for f in after if f.severity.value == "error"),
        }
        if not install:
            return result
        from airlake.preflight.runtime import runtime_findings

        proof = runtime_findings(migrated, target)
        blocked = [f for f in proof if f.id in ("PF400", "PF401", "PF402")]
        if blocked:
            result["blocked"] = f"{blocked[0].id}: {blocked[0].message[:300]}"
            return result
        failed = {f.path: f.message for f in proof if f.id == "PF403" and f.path in dags}
        named_paths = {d.path for d in migration.decisions} | {
            f.path for f in after if f.severity.value != "info"
        }
        # a decision about a package names every file that imports it
        named_text = " ".join(d.what for d in migration.decisions)
        # named: the report has a decision or a finding on that file, or names the module
        # whose absence the import error reports (a package a shared module imports)
        named = {
            p: m
            for p, m in failed.items()
            if p in named_paths
            or p in named_text
            or any(f"`{mod}`" in named_text for mod in re.findall(r"No module named '([^'.]+)", m))
        }
        result.update(
            imports=len(dags) - len(failed),
            failed=failed,
            named=named,
        )
        return result


def speed() -> float:
    sys.path.insert(0, str(HERE))
    from preflight import make_project  # bench/preflight.py

    airlake = str(Path(sys.executable).parent / "airlake")
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", "mwaa-2.10.3")
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [airlake, "preflight", "plan", str(project)], capture_output=True, check=True
            )
            runs.append(time.perf_counter() - started)
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--only", help="repositories (owner/name, comma-separated)")
    parser.add_argument("--no-install", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument(
        "--resolve", action="store_true", help="recommend as `preflight plan --resolve` does"
    )
    args = parser.parse_args()
    if not args.speed_only:
        entries = tomllib.loads(CORPUS.read_text())["project"]
        if args.only:
            entries = [e for e in entries if e["repo"] in args.only.split(",")]
        print(
            "| project | commit | recommended | decisions | requirements | DAG files | import | fail, named | fail, not named |"
        )
        print("|---|---|---|---:|---|---:|---:|---:|---:|")
        totals = [0, 0, 0, 0]
        notes = []
        for entry in entries:
            r = measure(entry, args.mirror, not args.no_install, args.resolve)
            if "blocked" in r:
                notes.append(f"{r['repo']}: {r['blocked']}")
            ok = r.get("imports", "-")
            failed = r.get("failed", {})
            named = r.get("named", {})
            print(
                f"| {r['repo']} | `{r['commit']}` | {r['target']} | {r['decisions']} | {r['reqs']} | "
                f"{r['dag_files']} | {ok} | {len(named)} | {len(failed) - len(named)} |",
                flush=True,
            )
            totals[0] += r["dag_files"]
            totals[1] += ok if isinstance(ok, int) else 0
            totals[2] += len(named)
            totals[3] += len(failed) - len(named)
            for path, message in failed.items():
                tag = "named" if path in named else "NOT named"
                notes.append(f"{r['repo']} {path} ({tag}): {message[:200]}")
        print(f"| **total** | | | | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")
        for note in notes:
            print(f"- {note}")
    if args.only and not args.speed_only:
        return
    seconds = speed()
    print(
        f"\nplan over 17 targets, 40 pins + 50 DAG files, fresh process, best of 3: {seconds:.2f} s "
        f"(budget 5 s: {seconds / 5:.2f} of it)"
    )


if __name__ == "__main__":
    main()
