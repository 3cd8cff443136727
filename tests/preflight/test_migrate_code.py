import ast
from datetime import date

from airlake.preflight import load_target
from airlake.preflight.imports_index import Status, for_target
from airlake.preflight.migrate_code import CodeContext, rewrite_source

TODAY = date(2026, 12, 3)


def _ctx(target: str, args: dict[int, frozenset[str]] | None = None, **kw: object) -> CodeContext:
    t = load_target(target)
    return CodeContext(
        t,
        for_target(t),
        TODAY,
        kw.get("homes", {}),  # type: ignore[arg-type]
        args or {},
        bool(kw.get("days_ago", True)),
    )


def _imported(text: str) -> set[tuple[str, str]]:
    return {
        (node.module or "", a.name)
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }


def test_several_names_of_one_statement_are_split_by_destination_and_import_cleanly() -> None:
    source = (
        "# keep me\n"
        "from airflow.operators.python_operator import PythonOperator, BranchPythonOperator\n"
        "from airflow.operators.dummy_operator import DummyOperator  # trailing\n"
    )
    result = rewrite_source("dags/a.py", source, _ctx("mwaa-3.0.6"))
    index = for_target(load_target("mwaa-3.0.6"))
    assert index is not None
    for module, name in _imported(result.text):
        assert index.name(module, name).status is Status.OK, (module, name)
    assert ("airflow.providers.standard.operators.empty", "EmptyOperator") in _imported(result.text)
    assert "as DummyOperator" in result.text and result.text.startswith("# keep me\n")
    assert "# trailing" in result.text


def test_flagged_arguments_are_renamed_or_dropped_only_where_reported() -> None:
    source = (
        "from airflow import DAG\n"
        "dag = DAG('d', schedule_interval='@daily', concurrency=2)\n"
        "other = DAG('e', schedule_interval='@hourly')\n"
    )
    result = rewrite_source(
        "dags/a.py",
        source,
        _ctx("mwaa-3.0.6", {2: frozenset({"schedule_interval", "concurrency"})}),
    )
    lines = result.text.splitlines()
    assert lines[1] == "dag = DAG('d', schedule='@daily', max_active_tasks=2)"
    assert lines[2] == "other = DAG('e', schedule_interval='@hourly')"  # not reported there
    assert [c.line for c in result.changes] == [2, 2]


def test_days_ago_becomes_the_date_it_meant_and_its_import_goes() -> None:
    source = "from airflow.utils.dates import days_ago\n\nstart = days_ago(2)\n"
    result = rewrite_source("dags/a.py", source, _ctx("mwaa-3.0.6"))
    assert "days_ago" not in result.text
    assert 'start = pendulum.datetime(2026, 12, 1, tz="UTC")' in result.text
    assert "import pendulum" in result.text


def test_a_computed_days_ago_is_left_to_a_person() -> None:
    source = "from airflow.utils.dates import days_ago\n\nstart = days_ago(N)\n"
    result = rewrite_source("dags/a.py", source, _ctx("mwaa-3.0.6"))
    assert (
        "days_ago(N)" in result.text and "from airflow.utils.dates import days_ago" in result.text
    )
    assert [d.line for d in result.decisions] == [3]


def test_templates_and_context_keys_on_airflow_3_only() -> None:
    source = "x = 'echo {{ execution_date }} {{ next_ds }}'\ny = context['execution_date']\nz = 'execution_date'\n"
    on3 = rewrite_source("dags/a.py", source, _ctx("mwaa-3.0.6")).text
    assert "{{ logical_date }} {{ (data_interval_end | ds) }}" in on3
    assert "context['logical_date']" in on3 and "z = 'execution_date'" in on3
    assert rewrite_source("dags/a.py", source, _ctx("mwaa-2.10.3")).text == source


def test_apply_defaults_is_dropped_with_its_import() -> None:
    source = (
        "from airflow.models import BaseOperator\n"
        "from airflow.utils.decorators import apply_defaults\n\n\n"
        "class Op(BaseOperator):\n"
        "    @apply_defaults\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
    )
    result = rewrite_source("plugins/op.py", source, _ctx("mwaa-2.10.3"))
    assert "apply_defaults" not in result.text
    assert "from airflow.models import BaseOperator" in result.text


def test_plugin_path_imports_come_from_the_defining_module() -> None:
    source = "from airflow.operators.company import CompanyOperator\n"
    ctx = _ctx(
        "mwaa-2.10.3", homes={("airflow.operators.company", "CompanyOperator"): "company.ops"}
    )
    assert (
        rewrite_source("dags/a.py", source, ctx).text == "from company.ops import CompanyOperator\n"
    )


def test_livy_becomes_emr_steps_in_a_task_group_with_paths_marked() -> None:
    source = (
        "from airflow.providers.apache.livy.operators.livy import LivyOperator\n"
        "from airflow import DAG\n\n"
        "with DAG('d') as dag:\n"
        "    job = LivyOperator(task_id='clean', file='file:///opt/clean.py', args=['--day', DAY],\n"
        "                       class_name='x.Main', retries=3, polling_interval=10)\n"
    )
    result = rewrite_source("dags/a.py", source, _ctx("mwaa-2.10.3"))
    text = result.text
    compile(text, "a.py", "exec")
    assert "LivyOperator" not in text
    assert "emr_spark_step(\n        'clean'," in text
    assert '"<FILL IN: s3:// path for file:///opt/clean.py>"' in text
    assert "str(DAY)" in text and "retries=3" in text and "polling_interval" not in text
    assert "from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator" in text
    assert "from airflow.utils.task_group import TaskGroup" in text
    whats = " | ".join(d.what for d in result.decisions)
    assert "file:///opt/clean.py" in whats and "emr_cluster_id" in whats
    assert "polling_interval" in whats  # dropped, and said so


def test_1_10_hooks_without_a_recorded_move_find_their_provider() -> None:
    source = (
        "from airflow.hooks.postgres_hook import PostgresHook\n"
        "from airflow.operators import PythonOperator\n"
        "from airflow.contrib.hooks.ssh_hook import SSHHook\n"
    )
    target = load_target("mwaa-2.10.3")
    text = rewrite_source("dags/a.py", source, _ctx("mwaa-2.10.3")).text
    assert "from airflow.providers.postgres.hooks.postgres import PostgresHook" in text
    assert "from airflow.operators.python import PythonOperator" in text
    # the SSH provider is not in the image but in the target's constraints: the migration
    # moves the import there and adds the provider to requirements.txt
    assert "from airflow.providers.ssh.hooks.ssh import SSHHook" in text
    assert "apache-airflow-providers-ssh" in target.constraints


def test_an_unused_import_of_a_replaced_name_goes_too() -> None:
    source = "from airflow.utils.dates import days_ago\nfrom datetime import datetime\n\nX = datetime(2024, 1, 1)\n"
    text = rewrite_source("dags/a.py", source, _ctx("mwaa-3.3.1")).text
    assert "days_ago" not in text and "from datetime import datetime" in text


def test_catchup_true_is_added_only_where_pf220_reported_a_dag_without_it() -> None:
    source = (
        "from airflow import DAG\n"
        "a = DAG('a', schedule='@daily')\n"
        "b = DAG(\n    'b',\n    schedule='@daily',\n)\n"
        "c = DAG('c', schedule='@daily')\n"
    )
    ctx = _ctx("mwaa-3.0.6")
    ctx = CodeContext(*[getattr(ctx, f) for f in ctx.__dataclass_fields__][:-1], frozenset({2, 3}))
    result = rewrite_source("dags/a.py", source, ctx)
    tree = ast.parse(result.text)
    catchup = {
        call.args[0].value: [kw.value.value for kw in call.keywords if kw.arg == "catchup"]
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant)
    }
    assert catchup == {"a": [True], "b": [True], "c": []}
    assert "a = DAG('a', schedule='@daily', catchup=True)" in result.text
    assert [c.line for c in result.changes] == [2, 3]
