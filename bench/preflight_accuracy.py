"""How often preflight's static verdict agrees with the real releases (figures in RESULTS.md).

For every MWAA target: the DAG files under a corpus folder (default ``bench/preflight_corpus``)
are imported in the target's real environment (``target_env.build_target_env``, the same
environments ``--install`` uses; the DAG folder on ``sys.path`` as in MWAA) — every ``airflow``
import statement on its own, then each whole file. That is the truth. preflight's static checks
run on the same files, offline. Compared:

- per import line: a false error is a line preflight calls an error that imports; a miss is a
  line that fails to import that preflight does not call an error;
- per file: the file loads, versus preflight reporting an error that stops it loading
  (PF200, PF201, PF202, PF204, PF205);
- deprecations (secondary): preflight's PF201 warnings versus the deprecation warnings raised.

Usage: python bench/preflight_accuracy.py [--corpus DIR] [--target mwaa-X ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.checks_dags import _imports
from airlake.preflight.finding import Severity
from airlake.preflight.target_env import TargetEnvError, build_target_env
from airlake.preflight.targets import known_targets

HERE = Path(__file__).parent
PROBE = HERE / "preflight_truth_probe.py"
FILE_BREAKING = {"PF200", "PF201", "PF202", "PF204", "PF205"}


@dataclass
class Score:
    lines: int = 0
    line_false_errors: list[str] = field(default_factory=list)
    line_misses: list[str] = field(default_factory=list)
    files: int = 0
    file_false_errors: list[str] = field(default_factory=list)
    file_misses: list[str] = field(default_factory=list)
    deprecations_real: int = 0
    deprecations_flagged: int = 0
    deprecations_both: int = 0

    def agreement(self, kind: str) -> float:
        total = self.lines if kind == "line" else self.files
        wrong = (
            len(self.line_false_errors) + len(self.line_misses)
            if kind == "line"
            else len(self.file_false_errors) + len(self.file_misses)
        )
        return 100.0 * (total - wrong) / total if total else 100.0


def truth(python: Path, dags: Path, files: list[str]) -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix="airlake-truth-") as tmp:
        out = Path(tmp) / "truth.json"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTHON"))},
            "AIRFLOW_HOME": str(Path(tmp) / "home"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        }
        done = subprocess.run(
            [str(python), str(PROBE), str(out), str(dags), *files],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        result: dict[str, dict] = json.loads(out.read_text())
        return result


def score_target(name: str, corpus: Path) -> tuple[Score, list[str]]:
    target = load_target(name)
    env = build_target_env(target)
    with tempfile.TemporaryDirectory(prefix="airlake-corpus-") as tmp:
        project_dir = Path(tmp)
        dags = project_dir / "dags"
        shutil.copytree(corpus, dags, ignore=shutil.ignore_patterns("__pycache__"))
        files = sorted(str(p.relative_to(dags)) for p in dags.rglob("*.py"))
        real = truth(env.python, dags, files)
        findings = run_checks(load_project(project_dir), target)
        trees = {f: ast.parse((dags / f).read_text()) for f in files}
    score, notes = Score(), []
    for rel in files:
        path = f"dags/{rel}"
        mine = [f for f in findings if f.path == path]
        judged = {line for line, _, _ in _imports(trees[rel])}
        for line_text, (ok, deprecated, error) in sorted(
            real[rel]["lines"].items(), key=lambda kv: int(kv[0])
        ):
            line = int(line_text)
            if line not in judged:
                continue  # guarded (try/except ImportError, TYPE_CHECKING): cannot break the file
            score.lines += 1
            here = [f for f in mine if f.line == line and f.id == "PF201"]
            flagged = any(f.severity is Severity.ERROR for f in here)
            warned = any(f.severity is Severity.WARNING for f in here)
            where = f"{rel}:{line}"
            if flagged and ok:
                score.line_false_errors.append(where)
                notes.append(f"{name} false error {where}: {[f.message for f in here]}")
            elif not flagged and not ok:
                score.line_misses.append(where)
                notes.append(f"{name} miss {where}: {error}")
            if ok:
                score.deprecations_real += bool(deprecated)
                score.deprecations_flagged += warned
                score.deprecations_both += bool(deprecated) and warned
        loads, why = real[rel]["file"]
        stops = [f for f in mine if f.severity is Severity.ERROR and f.id in FILE_BREAKING]
        score.files += 1
        if stops and loads:
            score.file_false_errors.append(rel)
            notes.append(f"{name} false file error {rel}: {[f.message for f in stops]}")
        elif not stops and not loads:
            score.file_misses.append(rel)
            notes.append(f"{name} file miss {rel}: {why}")
    return score, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=HERE / "preflight_corpus")
    parser.add_argument("--target", action="append")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    names = args.target or [t for t in known_targets() if t.startswith("mwaa-")]
    header = (
        f"{'target':<13} {'lines':>5} {'false err':>9} {'misses':>6} {'agree %':>8} "
        f"{'files':>5} {'false err':>9} {'misses':>6} {'agree %':>8} {'deprecations found':>18}"
    )
    print(header)
    print("-" * len(header))
    report = {}
    all_notes: list[str] = []
    for name in names:
        try:
            score, notes = score_target(name, args.corpus)
        except TargetEnvError as exc:
            print(f"{name:<13} not measured: {exc}")
            continue
        all_notes += notes
        report[name] = score.__dict__
        print(
            f"{name:<13} {score.lines:>5} {len(score.line_false_errors):>9} "
            f"{len(score.line_misses):>6} {score.agreement('line'):>8.1f} {score.files:>5} "
            f"{len(score.file_false_errors):>9} {len(score.file_misses):>6} "
            f"{score.agreement('file'):>8.1f} "
            f"{score.deprecations_both:>7}/{score.deprecations_real:<3} (+{score.deprecations_flagged - score.deprecations_both})",
            flush=True,
        )
    if args.verbose:
        print("\n".join(all_notes))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
