"""Turn a LivyOperator call into EMR Spark Steps (pure: AST in, Python source out)."""

from __future__ import annotations

import ast
import json


def _value(node: ast.AST | None, source: str) -> object:
    """A literal as a Python value; anything else as its source text wrapped in <...>."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except ValueError:
        return f"<{ast.get_source_segment(source, node)}>"


LIVY_FIELDS = (
    "file",
    "class_name",
    "args",
    "jars",
    "py_files",
    "files",
    "archives",
    "driver_memory",
    "driver_cores",
    "executor_memory",
    "executor_cores",
    "num_executors",
    "queue",
    "name",
    "conf",
    "proxy_user",
)
"""The LivyOperator arguments that describe the Spark job (the rest are task or Livy settings)."""

LIVY_ONLY = (
    "livy_conn_id",
    "livy_conn_auth_type",
    "polling_interval",
    "extra_options",
    "extra_headers",
    "retry_args",
    "deferrable",
    "proxy_user",
)
"""Arguments that mean something only to a Livy server: dropped with EMR steps."""


def local_path(value: object) -> bool:
    """A ``file://`` URL: a path on the Livy host's disk, which an EMR step cannot read."""
    return isinstance(value, str) and value.startswith("file:")


def fill_in(value: str) -> str:
    """The placeholder that replaces a ``file://`` path in a generated step: it names the old
    path and fails visibly if nobody fills it in."""
    return f"<FILL IN: s3:// path for {value}>"


def _remote(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return [_remote(v) for v in value]
    return fill_in(str(value)) if local_path(value) else value


def local_paths(kwargs: dict[str, object]) -> list[str]:
    """Every ``file://`` path among a Livy call's job fields."""
    found: list[str] = []
    for key in ("file", "jars", "py_files", "files", "archives", "args"):
        value = kwargs.get(key)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if local_path(item):
                found.append(str(item))
    return found


def spark_submit_args(kwargs: dict[str, object]) -> list[str]:
    """The spark-submit command line equivalent to a Livy batch's fields."""
    kwargs = {k: _remote(v) for k, v in kwargs.items()}
    args = ["spark-submit", "--deploy-mode", "cluster"]
    if kwargs.get("class_name"):
        args += ["--class", str(kwargs["class_name"])]
    for key, flag in (
        ("jars", "--jars"),
        ("py_files", "--py-files"),
        ("files", "--files"),
        ("archives", "--archives"),
    ):
        value = kwargs.get(key)
        if value:
            args += [
                flag,
                ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value),
            ]
    for key, flag in (
        ("driver_memory", "--driver-memory"),
        ("driver_cores", "--driver-cores"),
        ("executor_memory", "--executor-memory"),
        ("executor_cores", "--executor-cores"),
        ("num_executors", "--num-executors"),
        ("queue", "--queue"),
        ("name", "--name"),
    ):
        if kwargs.get(key) is not None:
            args += [flag, str(kwargs[key])]
    conf = kwargs.get("conf")
    if isinstance(conf, dict):
        for key, value in conf.items():
            args += ["--conf", f"{key}={value}"]
    args.append(str(kwargs.get("file", "<file>")))
    extra = kwargs.get("args")
    if isinstance(extra, (list, tuple)):
        args += [str(a) for a in extra]
    return args


def livy_replacement(call: ast.Call, source: str) -> str:
    """Python source for the EMR steps + operators replacing one LivyOperator call."""
    kwargs = {kw.arg: _value(kw.value, source) for kw in call.keywords if kw.arg}
    task_id = str(kwargs.get("task_id", "spark_job"))
    steps = [
        {
            "Name": task_id,
            "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": spark_submit_args(kwargs)},
        }
    ]
    steps_text = json.dumps(steps, indent=4)
    missing = local_paths(kwargs)
    note = (
        "# FILL IN: "
        + ", ".join(missing)
        + " lie on the Livy host's disk; an EMR step reads S3 (or the cluster's HDFS)\n"
        if missing
        else ""
    )
    return note + (
        "from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator\n"
        "from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor\n\n"
        f"{task_id.upper()}_STEPS = {steps_text}\n\n"
        f"{task_id} = EmrAddStepsOperator(\n"
        f'    task_id="{task_id}",\n'
        '    job_flow_id="{{ var.value.emr_cluster_id }}",  # or the XCom of EmrCreateJobFlowOperator\n'
        f"    steps={task_id.upper()}_STEPS,\n"
        ")\n"
        f"{task_id}_done = EmrStepSensor(\n"
        f'    task_id="{task_id}_done",\n'
        '    job_flow_id="{{ var.value.emr_cluster_id }}",\n'
        f"    step_id=\"{{{{ ti.xcom_pull(task_ids='{task_id}')[0] }}}}\",\n"
        '    mode="reschedule",\n'
        ")\n"
        f"{task_id} >> {task_id}_done\n"
    )
