"""Benchmark: preflight's time to verdict on a generated project (40 pins, 50 DAG files).

    python bench/preflight.py [--install]

Prints seconds for the static checks (a fresh process, as a user runs it: imports included)
and, with --install, for the runtime check with a warm environment cache; each against the
20 minutes an MWAA environment update takes to tell the same thing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MWAA_UPDATE_SECONDS = 20 * 60
PINS = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "preflight"
    / "fixtures"
    / "seed_2_1_2"
    / "requirements.txt"
)
DAG = """from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.python_operator import PythonOperator


def work_{n}(**context):
    return context["ds"]


with DAG("dag_{n}", start_date=datetime(2024, 1, 1), schedule_interval="@daily") as dag:
    first = BashOperator(task_id="first", bash_command="echo {{{{ ds }}}}")
    second = PythonOperator(task_id="second", python_callable=work_{n}, provide_context=True)
    first >> second
"""


def make_project(root: Path, target: str) -> Path:
    from airlake.preflight.targets import load_target

    (root / "dags").mkdir(parents=True)
    # 40 pins that install on the target (taken from its constraints), so --install gets to parse
    pins = sorted(
        (n, v)
        for n, v in load_target(target).constraints.items()
        if not n.startswith("apache-airflow")
    )
    lines = [f"{n}=={v}" for n, v in pins[::7][:40]]
    (root / "requirements.txt").write_text("\n".join(lines) + "\n")
    for n in range(50):
        (root / "dags" / f"dag_{n:02d}.py").write_text(DAG.format(n=n))
    return root


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--install", action="store_true", help="also time --install (warm cache)")
    parser.add_argument("--target", default="mwaa-2.10.3")
    args = parser.parse_args()
    airlake = str(Path(sys.executable).parent / "airlake")
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", args.target)
        static = min(
            timed([airlake, "preflight", str(project), "--target", args.target]) for _ in range(3)
        )
        print(
            f"static checks, 40 pins + 50 DAGs:   {static:6.2f} s   ({MWAA_UPDATE_SECONDS / static:,.0f}x faster than a 20-minute MWAA update)"
        )
        if args.install:
            timed(
                [airlake, "preflight", str(project), "--target", args.target, "--install"]
            )  # warm the cache
            warm = timed([airlake, "preflight", str(project), "--target", args.target, "--install"])
            print(
                f"--install, warm environment cache:  {warm:6.2f} s   ({MWAA_UPDATE_SECONDS / warm:,.0f}x faster)"
            )


if __name__ == "__main__":
    main()
