"""The target matrix: the MWAA bundle proven on each supported target's real environment.

For every target (``make matrix``; ``python -m airlake.deploy.matrix [--targets ...]``):

1. the worker environment exactly as MWAA builds it (:mod:`airlake.preflight.target_env`: the
   image's packages, then the bundle's requirements under the constraints), and airlake's own
   environment on the target's Python (``uv sync --no-editable`` of the lock: airlake built as a
   wheel, without Airflow or Spark);
2. DagBag of the bundle of every shipped profile, with ``dags/`` on ``sys.path`` as on MWAA:
   no import error, the daily and the intraday DAG each;
3. one generated day end to end in local mode through Airflow (``dag.test``), every table
   compared with the same day run directly on the project's lock;
4. one day in emr mode against moto's server on 127.0.0.1: the cluster request, the steps, the
   Athena statements and the landing sensor run on the target's own boto3 and Amazon provider.
   Simulated at the one boundary moto cannot play: an EMR step never completes in moto, so the
   step sensor's poke reports success and the Spark jobs themselves do not run there;
5. the intraday DAG (:mod:`airlake.deploy.matrix_intraday`): a day of refreshes in local mode
   through the target's Airflow, and two emr-mode refreshes against moto;
6. for the EMR release (``--emr``): the day's stages as EMR runs them — ``spark-submit`` of the
   bundle's step artifacts on the release's Spark (pyspark 3.5.2) and Python 3.11, with
   airlake's packages installed offline from the bundle's wheelhouse by the bootstrap action's
   own pip command — tables compared as in 3.

Prints one line per target and writes the figures as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

from airlake.errors import UserError

DEFAULT_TARGETS = (
    "lock",
    "mwaa-2.9.2",
    "mwaa-2.10.3",
    "mwaa-2.11.2",
    "mwaa-3.0.6",
    "mwaa-3.2.1",
    "mwaa-3.3.1",
)
"""The newest patch release of every MWAA line from 2.9 on, and the project's own lock."""
PROFILES = ("local", "team", "sandbox", "test", "production")
DAY = date(2026, 11, 2)
EVENTS = 300
EMR_SPARK = "pyspark==3.5.2"  # emr-7.5.0's application table: Spark 3.5.2
EMR_PYTHON = "3.11"

PARSE = r"""
import json, sys, time
out = {}
for folder in sys.argv[1:]:  # every bundle in one process: Airflow is imported once
    started = time.perf_counter()
    for name in [m for m in sys.modules if m == "airlake" or m.startswith("airlake.")]:
        del sys.modules[name]  # each bundle's own copy of the orchestration package
    sys.path[:0] = [folder]
    from airlake.orchestration.compat import dagbag
    bag = dagbag(folder)
    sys.path.remove(folder)
    out[folder] = {"errors": {k: str(v)[-600:] for k, v in bag.import_errors.items()},
                   "dags": sorted(bag.dag_ids), "seconds": time.perf_counter() - started}
print("MATRIX " + json.dumps(out))
"""

RUN_DAY = r"""
import json, sys
from datetime import date
sys.path[:0] = [sys.argv[1]]
if sys.argv[3] == "emr":
    from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
    EmrStepSensor.poke = lambda self, context: True  # moto never completes a step: simulated
from airlake.orchestration.compat import dagbag, test_day
bag = dagbag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
run = test_day(bag.dags["airlake_daily"], date.fromisoformat(sys.argv[2]))
states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
print("MATRIX " + json.dumps({"state": str(run.state), "tasks": states}))
"""


@dataclass
class TargetResult:
    target: str
    python: str = ""
    install_seconds: float = 0.0
    extra_packages: list[str] = field(default_factory=list)
    parse_seconds: float = 0.0
    parse: str = ""
    local: str = ""
    emr: str = ""
    intraday: str = ""
    intraday_emr: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        return (
            f"{self.target:<13} py{self.python:<5} install {self.install_seconds:6.1f}s  "
            f"parse {self.parse_seconds:5.1f}s {self.parse:<14} local {self.local:<18} "
            f"emr {self.emr:<18} intraday {self.intraday:<24} {self.intraday_emr:<18} "
            f"{'ok' if self.ok else 'FAILED: ' + ' | '.join(self.problems)}"
        )


def _root() -> Path:
    from airlake.settings import project_root

    return project_root()


def _uv() -> str:
    from airlake.preflight.target_env import find_uv

    uv = find_uv()
    if uv is None:
        raise UserError("uv is not installed (make install provides it)")
    return uv


def _marker(stdout: str) -> dict:
    line = next((x for x in stdout.splitlines() if x.startswith("MATRIX ")), None)
    return json.loads(line[len("MATRIX ") :]) if line else {}


def _airflow_env(home: Path, dags: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AIRLAKE_"))}
    keep.pop("VIRTUAL_ENV", None)
    return {
        **keep,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        # The check is for import errors; the parse time is recorded separately. On a loaded
        # 2-core machine Airflow 3.3's import of the DAG file passed the default 30 s timeout.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "180",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "PYTHONPATH": os.pathsep.join([str(dags), str(dags.parent / "plugins")]),
        **(extra or {}),
    }


def airlake_env(python: str, uv: str, cache: Path, target: str) -> Path:
    """airlake's own environment (the lock, no Airflow, no Spark) on ``python``, cached, one per
    target: targets proven at the same time never share one that is being reinstalled."""
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env = cache / f"airlake-{target}"
    done = subprocess.run(
        # uv keys a local project's build on pyproject.toml alone: rebuild airlake every time,
        # or a changed source tree would be tested as the wheel of an earlier one
        [
            uv,
            "sync",
            "--frozen",
            "--no-dev",
            "--no-editable",
            "--reinstall-package",
            "airlake",
            "--quiet",
            "--python",
            python,
        ],
        cwd=_root(),
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(env)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise UserError(f"airlake's environment on Python {version}: {done.stderr.strip()[-800:]}")
    return env


@dataclass(frozen=True)
class Fixture:
    """One generated day in a local landing zone and in moto's S3, and its reference tables."""

    work: Path
    landing: Path
    source_url: str
    reference: dict[str, str]
    moto: str
    reference_neutral: dict[str, str]


def _profile(work: Path, name: str, base: str, replacements: dict[str, str]) -> Path:
    text = (_root() / "environments" / f"{base}.toml").read_text()
    for old, new in replacements.items():
        if old not in text:
            raise UserError(f"matrix: {base}.toml has no {old!r} to replace")
        text = text.replace(old, new)
    path = work / "profiles" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def local_profile(work: Path, name: str, warehouse: Path, landing: Path, source: str) -> Path:
    return _profile(
        work,
        name,
        "local",
        {
            'name = "local"': f'name = "{name}"',
            'landing = ".airlake/landing"': f'landing = "{landing}"',
            'warehouse = ".airlake/warehouse"': f'warehouse = "{warehouse}"',
            'uri = "sqlite:///.airlake/catalog.db"': f'uri = "sqlite:///{warehouse}.db"',
            'url = "sqlite:///.airlake/source.db"': f'url = "{source}"',
            "retries = 1": "retries = 0",
        },
    )


def table_hashes(profile: Path, engine_neutral: bool = False) -> dict[str, str]:
    """A content hash per table. ``engine_neutral`` leaves out the quarantine's ``detail``: each
    engine words it its own way; reason, raw line and source must still match."""
    from airlake.catalog import open_catalog
    from airlake.settings import load_settings
    from airlake.tables import TABLES, content_hash, read_table

    catalog = open_catalog(load_settings(str(profile), environ={}))
    hashes = {}
    for t in TABLES:
        data = read_table(catalog, t.name)
        if engine_neutral and "detail" in data.column_names:
            data = data.drop_columns(["detail"])
        hashes[t.name] = content_hash(data)
    return hashes


def reference_day(work: Path, landing: Path, source: str) -> tuple[dict[str, str], dict[str, str]]:
    """The day run directly on the project's lock (no Airflow): the tables every target must give
    (full, and engine-neutral for the Spark stack)."""
    from airlake.run_context import open_run
    from airlake.settings import load_settings
    from airlake.stages import run_day

    profile = local_profile(work, "reference", work / "reference", landing, source)
    with open_run(load_settings(str(profile), environ={})) as ctx:
        run_day(ctx, DAY)
    return table_hashes(profile), table_hashes(profile, engine_neutral=True)


@contextmanager
def moto_server() -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise UserError("the matrix needs moto's server: make install (the dev group)") from None
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": endpoint,
    }


def _reset_aws(endpoint: str) -> None:
    import boto3

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).read()
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1")
    for bucket in ("landing", "warehouse", "athena-results", "mwaa-source"):
        s3.create_bucket(
            Bucket=f"airlake-production-{bucket}",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
    boto3.client("athena", endpoint_url=endpoint, region_name="eu-west-1").create_work_group(
        Name="airlake-production",
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": "s3://airlake-production-athena-results/results"
            }
        },
    )
    _generate("s3://airlake-production-landing/events", None)


def _generate(out: str, source_url: str | None) -> None:
    from airlake import reference
    from airlake.generator import GeneratorConfig, generate

    generate(GeneratorConfig(start=DAY, days=1, events_per_day=EVENTS, seed=11, out=out))
    if source_url:
        versions = reference.history(DAY, 1, 11)
        reference.load(source_url, reference.state_as_of(versions, reference.end_of(DAY)))


def _run(cmd: list[str], env: dict[str, str], log: Path, timeout: int = 900) -> str:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(
            cmd, env=env, stdout=subprocess.PIPE, stderr=out, text=True, timeout=timeout
        )
        out.write(done.stdout)
    return done.stdout


def check_bundles(result: TargetResult, python: Path, version: str, work: Path, log: Path) -> None:
    """DagBag of the bundle of every shipped profile in the target's worker environment."""
    from airlake.deploy.mwaa_bundle import build_bundle

    folders = [
        str(build_bundle(profile, work / "bundles" / profile, version).root / "dags")
        for profile in PROFILES
    ]
    env = _airflow_env(work / "airflow-parse", Path(folders[0]))
    parsed = _marker(_run([str(python), "-c", PARSE, *folders], env, log))
    ok = 0
    for profile, dags in zip(PROFILES, folders, strict=True):
        bag = parsed.get(dags)
        result.parse_seconds += float((bag or {}).get("seconds", 0))
        if not bag:
            result.problems.append(f"{profile}: DagBag did not run (see {log})")
        elif bag["errors"] or bag["dags"] != ["airlake_daily", "airlake_intraday"]:
            result.problems.append(f"{profile}: {bag['errors'] or bag['dags']}")
        else:
            ok += 1
    result.parse = f"{ok}/{len(PROFILES)} DAGs"


def migrate(python: Path, env: dict[str, str], log: Path) -> None:
    """An Airflow metadata database for ``env``'s home: ``airflow db migrate`` once per worker
    environment, into a home of its own, and a copy of that database for every later home."""
    home = Path(env["AIRFLOW_HOME"])
    template = _MIGRATED.get(str(python))
    if template is None:
        template = home.parent / "airflow-blank" / "airflow.db"
        template.parent.mkdir(parents=True, exist_ok=True)
        blank = {
            **env,
            "AIRFLOW_HOME": str(template.parent),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{template}",
        }
        _run([str(python.parent / "airflow"), "db", "migrate"], blank, log)
        if not template.exists():
            raise UserError(f"airflow db migrate made no database (see {log})")
        _MIGRATED[str(python)] = template
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, home / "airflow.db")


_MIGRATED: dict[str, Path] = {}
"""The blank metadata database this process made, per worker environment's Python."""


def check_local_day(
    result: TargetResult, python: Path, airlake_bin: Path, version: str, fx: Fixture, log: Path
) -> None:
    """One day in local mode through the target's Airflow; tables equal the reference."""
    from airlake.deploy.mwaa_bundle import build_bundle

    name = f"matrix-{result.target}"
    warehouse = fx.work / "runs" / result.target / "warehouse"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    profile = local_profile(fx.work, name, warehouse, fx.landing, fx.source_url)
    bundle = build_bundle(str(profile), fx.work / "runs" / result.target / "bundle", version)
    dags = bundle.root / "dags"
    env = _airflow_env(
        fx.work / "runs" / result.target / "airflow", dags, {"AIRLAKE_BIN": str(airlake_bin)}
    )
    migrate(python, env, log)
    started = time.perf_counter()
    outcome = _marker(
        _run([str(python), "-c", RUN_DAY, str(dags), DAY.isoformat(), "local"], env, log)
    )
    seconds = time.perf_counter() - started
    if not str(outcome.get("state", "")).endswith("success"):
        result.local = "failed"
        result.problems.append(f"local day: {outcome or 'no result'} (see {log})")
        return
    got = table_hashes(profile)
    differ = sorted(t for t, h in fx.reference.items() if got.get(t) != h)
    result.local = f"{seconds:.0f}s identical" if not differ else f"{seconds:.0f}s DIFFERS"
    if differ:
        result.problems.append(f"local day: tables differ from the lock: {', '.join(differ)}")


def check_emr_day(result: TargetResult, python: Path, version: str, fx: Fixture, log: Path) -> None:
    """One day in emr mode against moto: cluster, steps, Athena, sensor on the target's stack."""
    import boto3

    from airlake.deploy.mwaa_bundle import build_bundle

    _reset_aws(fx.moto)
    profile = _profile(
        fx.work / result.target,
        "production",
        "production",
        {
            "sensor_poke_seconds = 300": "sensor_poke_seconds = 1",
            "sensor_timeout_seconds = 21600": "sensor_timeout_seconds = 60",
            "retries = 2": "retries = 0",
        },
    )
    bundle = build_bundle(str(profile), fx.work / "runs" / result.target / "emr-bundle", version)
    dags = bundle.root / "dags"
    conn = {"conn_type": "aws", "extra": {"endpoint_url": fx.moto, "region_name": "eu-west-1"}}
    env = _airflow_env(
        fx.work / "runs" / result.target / "airflow-emr",
        dags,
        {**_aws_env(fx.moto), "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(conn)},
    )
    migrate(python, env, log)
    started = time.perf_counter()
    outcome = _marker(
        _run([str(python), "-c", RUN_DAY, str(dags), DAY.isoformat(), "emr"], env, log)
    )
    seconds = time.perf_counter() - started
    emr = boto3.client("emr", endpoint_url=fx.moto, region_name="eu-west-1")
    athena = boto3.client("athena", endpoint_url=fx.moto, region_name="eu-west-1")
    clusters = emr.list_clusters()["Clusters"]
    steps = emr.list_steps(ClusterId=clusters[0]["Id"])["Steps"] if clusters else []
    queries = athena.list_query_executions()["QueryExecutionIds"]
    from airlake.stages import STAGE_NAMES

    expected_steps = len(STAGE_NAMES)  # every stage but reports (Athena), plus the gate
    ok = (
        str(outcome.get("state", "")).endswith("success")
        and len(clusters) == 1
        and len(steps) == expected_steps
        and len(queries) == 4
    )
    result.emr = f"{seconds:.0f}s {len(steps)} steps {len(queries)} sql"
    if not ok:
        result.problems.append(
            f"emr day: state {outcome.get('state')}, {len(clusters)} clusters, {len(steps)} "
            f"steps (want {expected_steps}), {len(queries)} Athena queries (want 4); see {log}"
        )


def check_target(name: str, fx: Fixture, cache: Path, uv: str) -> TargetResult:
    from airlake.deploy.mwaa_bundle import build_bundle, bundle_requirement_lines
    from airlake.preflight.target_env import build_target_env
    from airlake.preflight.targets import load_target

    result = TargetResult(name)
    log = fx.work / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        if name == "lock":
            python = Path(sys.executable)
            airlake_bin = python.parent / "airlake"
            version = "3.3.1"  # bundle layout of the newest target; Airflow is the lock's
            result.python = f"{sys.version_info.major}.{sys.version_info.minor}"
        else:
            target = load_target(name)
            version = target.airflow_version
            production = build_bundle("production", fx.work / name / "bundles" / "req", version)
            requirements = (production.root / "requirements.txt").read_text()
            if bundle_requirement_lines(production):
                result.problems.append(
                    f"production bundle asks for {bundle_requirement_lines(production)}"
                )
            with _cache_lock(cache):
                built = build_target_env(target, requirements)
                own = airlake_env(str(built.python.resolve()), uv, cache, name)
            python = built.python
            airlake_bin = own / "bin" / "airlake"
            result.python = built.python_version
            result.install_seconds = built.seconds
            result.extra_packages = extra_packages(python, target.preinstalled, uv)
        check_bundles(result, python, version, fx.work / name, log)
        check_local_day(result, python, airlake_bin, version, fx, log)
        check_emr_day(result, python, version, fx, log)
        from airlake.deploy.matrix_intraday import check_intraday_emr, check_intraday_local

        check_intraday_local(result, python, airlake_bin, version, fx, log)
        check_intraday_emr(result, python, version, fx, log)
    except (UserError, subprocess.SubprocessError, OSError) as exc:
        result.problems.append(str(exc))
    return result


def extra_packages(python: Path, shipped: dict[str, str], uv: str) -> list[str]:
    """Packages in the worker environment that the MWAA image does not ship."""
    from airlake.preflight.targets import normalise

    done = subprocess.run(
        [uv, "pip", "freeze", "--python", str(python)], capture_output=True, text=True, check=True
    )
    names = {normalise(line.split("==")[0]) for line in done.stdout.split() if "==" in line}
    return sorted(names - set(shipped) - {"pip", "setuptools", "wheel"})


def check_emr_release(fx: Fixture, cache: Path, uv: str) -> TargetResult:
    """The day's stages as EMR runs them: spark-submit of the step artifacts on pyspark 3.5.2
    and Python 3.11, with the wheelhouse's pinned packages; tables equal the reference."""
    from airlake.deploy.mwaa_bundle import build_bundle
    from airlake.preflight.pythons import find_python
    from airlake.preflight.target_env import find_uv

    result = TargetResult("emr-7.5.0")
    log = fx.work / "logs" / "emr-7.5.0.log"
    lookup = find_python(EMR_PYTHON, find_uv())
    if lookup.path is None:
        result.problems.append(lookup.explain())
        return result
    result.python = EMR_PYTHON
    bundle = build_bundle(
        "production", fx.work / "bundles" / "emr-release", wheelhouse=platform.machine()
    )
    wheelhouse = bundle.root / "artifacts" / "emr" / "wheelhouse"
    pins = (wheelhouse / "requirements.txt").read_text()
    env_dir = cache / "emr-7.5.0"
    python = str(env_dir / "bin" / "python")
    started = time.perf_counter()
    complete = env_dir / ".complete"
    if not complete.exists() or complete.read_text() != pins:
        shutil.rmtree(env_dir, ignore_errors=True)
        for cmd in (
            [uv, "venv", "--quiet", "--seed", "--python", lookup.path, str(env_dir)],
            [uv, "pip", "install", "--quiet", "--python", python, EMR_SPARK],
            # the bootstrap action's own command: the wheelhouse alone, no index
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-index",
                "--find-links",
                str(wheelhouse),
                "-r",
                str(wheelhouse / "requirements.txt"),
            ],
        ):
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                result.problems.append(f"{cmd[0]} {cmd[1]}: {done.stderr.strip()[-600:]}")
                return result
        complete.write_text(pins)
    result.install_seconds = time.perf_counter() - started
    warehouse = fx.work / "runs" / "emr-release" / "warehouse"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    profile = local_profile(fx.work, "emr-release", warehouse, fx.landing, fx.source_url)
    profile.write_text(profile.read_text().replace('mode = "local"', 'mode = "spark"'))
    from airlake.deploy.emr import spark_submit_args
    from airlake.stages import STAGE_NAMES

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRLAKE_", "PYTHON", "VIRTUAL"))
    }
    env.update(
        {
            "PYSPARK_PYTHON": str(env_dir / "bin" / "python"),
            "PYSPARK_DRIVER_PYTHON": str(env_dir / "bin" / "python"),
        }
    )
    started = time.perf_counter()
    artifacts = bundle.root / "artifacts"
    after_ingest = STAGE_NAMES.index("ingest") + 1
    for stage in [*STAGE_NAMES[:after_ingest], "quality_gate", *STAGE_NAMES[after_ingest:]]:
        # the EMR step's own command line, with a local master instead of the cluster
        args = spark_submit_args(
            stage,
            DAY,
            str(profile),
            str(artifacts / "airlake.zip"),
            str(artifacts / "spark_job.py"),
        )
        deploy = args.index("--deploy-mode")
        cmd = [
            str(env_dir / "bin" / "spark-submit"),
            "--master",
            "local[2]",
            *args[deploy + 2 :],
        ]
        with log.open("a") as out:
            step = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=900)
        if step.returncode != 0:
            result.problems.append(f"stage {stage} failed on the EMR release's stack; see {log}")
            result.local = "failed"
            return result
    got = table_hashes(profile, engine_neutral=True)
    differ = sorted(t for t, h in fx.reference_neutral.items() if got.get(t) != h)
    result.local = f"{time.perf_counter() - started:.0f}s " + (
        "identical" if not differ else "DIFFERS"
    )
    result.parse = "spark 3.5.2"
    result.emr = "n/a (is EMR)"
    if differ:
        result.problems.append(f"tables differ from the lock: {', '.join(differ)}")
    return result


@contextmanager
def _cache_lock(cache: Path) -> Iterator[None]:
    """One process at a time builds environments in the target cache."""
    import fcntl

    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prove(name: str, fx: Fixture, cache: Path, uv: str) -> TargetResult:
    """One target in a worker process of its own, with a moto server of its own (the AWS checks
    reset moto and count what is in it)."""
    with moto_server() as endpoint:
        os.environ.update(_aws_env(endpoint))
        fx = replace(fx, moto=endpoint)
        if name == "emr-7.5.0":
            try:
                return check_emr_release(fx, cache, uv)
            except (UserError, subprocess.SubprocessError, OSError) as exc:
                return TargetResult(name, problems=[str(exc)])
        return check_target(name, fx, cache, uv)


def run_matrix(
    targets: list[str], emr_release: bool, work: Path, workers: int = 2
) -> list[TargetResult]:
    """Every target proven, ``workers`` at a time (each in a process of its own); the results in
    the order of ``targets``, the EMR release last."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    uv = _uv()
    cache = Path(
        os.environ.get("AIRLAKE_TARGET_CACHE") or Path.home() / ".cache" / "airlake" / "targets"
    )
    (work / "logs").mkdir(parents=True, exist_ok=True)
    landing = work / "landing"
    source = f"sqlite:///{work}/source.db"
    _generate(str(landing), source)
    reference, neutral = reference_day(work, landing, source)
    fx = Fixture(work, landing, source, reference, "", neutral)
    names = [*targets, *(["emr-7.5.0"] if emr_release else [])]
    # the longest first, so that the two workers finish close together
    longest = sorted(names, key=lambda n: n != "emr-7.5.0" and not n.startswith("mwaa-3"))
    results: dict[str, TargetResult] = {}
    context = multiprocessing.get_context("spawn")  # moto's server threads do not survive fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_prove, name, fx, cache, uv): name for name in longest}
        for future in as_completed(futures):
            name = futures[future]
            try:
                results[name] = future.result()
            except Exception as exc:  # a worker that died says so in its target's line
                results[name] = TargetResult(name, problems=[f"{type(exc).__name__}: {exc}"])
            print(results[name].line(), flush=True)
    return [results[name] for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m airlake.deploy.matrix", description=__doc__)
    parser.add_argument("--targets", nargs="*", default=list(DEFAULT_TARGETS))
    parser.add_argument("--emr", action="store_true", help="also the EMR release's step stack")
    parser.add_argument("--json", default=None, help="write the figures here")
    parser.add_argument("--keep", default=None, help="work folder to keep (default: temporary)")
    parser.add_argument(
        "--workers", type=int, default=2, help="targets proven at the same time (default 2)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="airlake-matrix-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        try:
            results = run_matrix(args.targets, args.emr, work, args.workers)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1))
        failed = [r for r in results if not r.ok]
        for r in failed:
            log = work / "logs" / f"{r.target}.log"
            if log.exists():
                print(f"--- {r.target}: last lines of {log}", file=sys.stderr)
                print("\n".join(log.read_text().splitlines()[-60:]), file=sys.stderr)
        print(f"target matrix: {len(results) - len(failed)} of {len(results)} targets proven")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
