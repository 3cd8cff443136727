from pathlib import Path

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.finding import Severity

PLUGIN = """from airflow.plugins_manager import AirflowPlugin

from livy_tools.operators import LivyBatchOperator


class LivyPlugin(AirflowPlugin):
    name = "Livy batch plugin"
    operators = [LivyBatchOperator]
"""


def _project(tmp_path: Path, dag: str) -> Path:
    (tmp_path / "plugins" / "livy_tools").mkdir(parents=True)
    (tmp_path / "plugins" / "livy_plugin.py").write_text(PLUGIN)
    (tmp_path / "plugins" / "livy_tools" / "operators.py").write_text(
        "from airflow.models import BaseOperator\n\n\nclass LivyBatchOperator(BaseOperator):\n    pass\n"
    )
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "job.py").write_text(dag)
    return tmp_path


def _pf301(root: Path) -> list:
    return [
        f for f in run_checks(load_project(root), load_target("mwaa-2.10.3")) if f.id == "PF301"
    ]


def test_a_plugin_nobody_imports_through_is_a_warning_naming_the_real_module(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, "from livy_tools.operators import LivyBatchOperator\n")
    [finding] = _pf301(root)
    assert finding.severity is Severity.WARNING
    assert "`livy_tools.operators`" in finding.message
    assert "from airflow.operators.Livy batch plugin import" not in finding.message


def test_a_dag_importing_through_the_plugin_path_makes_it_an_error(tmp_path: Path) -> None:
    root = _project(
        tmp_path, "from airflow.operators.livy_plugin import x\nimport airflow.operators.other\n"
    )
    (root / "plugins" / "livy_plugin.py").write_text(
        PLUGIN.replace("Livy batch plugin", "livy_plugin")
    )
    [finding] = _pf301(root)
    assert finding.severity is Severity.ERROR
    assert "dags/job.py:1" in finding.message and "`livy_tools.operators`" in finding.fix


def test_pf300_says_what_loads_as_it_is(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    text = (root / "plugins" / "livy_plugin.py").read_text()
    (root / "plugins" / "livy_plugin.py").write_text(text + "    macros = [len]\n")
    [info] = [
        f for f in run_checks(load_project(root), load_target("mwaa-2.10.3")) if f.id == "PF300"
    ]
    assert (
        "macros: 1, operators: 1" in info.message
        and info.fix == "macros: loaded as they are on mwaa-2.10.3"
    )
