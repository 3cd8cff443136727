"""The code half of a migration: one DAG or plugin file rewritten for a target (pure: source
text in, new text plus the list of changes and of decisions left to a person out).

Every rewrite is one the checks report and the target's import index confirms, made with a
concrete-syntax-tree codemod (libcst) that keeps comments and layout:

- imports moved to where the name lives on the target (moves followed to their end), several
  names of one statement split by destination; names a plugin served through
  ``airflow.operators.<plugin>`` imported from the module that defines them;
- arguments the target no longer takes renamed (``schedule_interval`` → ``schedule``,
  ``concurrency`` → ``max_active_tasks``, ...) or dropped (``provide_context``);
- template variables and context keys removed in Airflow 3 replaced (``execution_date`` →
  ``logical_date``);
- ``days_ago(n)`` replaced by the fixed date it meant on the day of the migration;
- ``@apply_defaults`` and its import dropped (a no-op since Airflow 2.0);
- a removed per-database SQL operator (``PostgresOperator``, ...) replaced by
  ``SQLExecuteQueryOperator`` with ``conn_id=`` (see :mod:`airlake.preflight.migrate_sql`);
- Livy batches replaced by EMR Spark Steps + a step sensor, in a task group named after the
  Livy task (``file://`` paths marked for a person to fill in).
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from airlake.preflight.checks_dags import _provider_package
from airlake.preflight.finding import Finding
from airlake.preflight.fix import _new_path
from airlake.preflight.imports_index import Status, TargetImports
from airlake.preflight.livy import LIVY_FIELDS, LIVY_ONLY, fill_in, local_paths, spark_submit_args
from airlake.preflight.migrate_sql import (
    SQL_CLASS,
    SQL_HOME,
    accepted_arguments,
    database_provider_missing,
    sql_call,
    sql_locals,
)
from airlake.preflight.moves import provider_move
from airlake.preflight.targets import Target

LIVY_CALLS = ("LivyOperator", "LivyBatchOperator")
REPLACED_NAMES = frozenset({*LIVY_CALLS, "days_ago", "apply_defaults"})
"""Names whose uses the migration replaces, so that their import goes."""

# argument → its replacement (None: dropped), for what PF202 reports
RENAMED_ARGUMENTS: dict[str, str | None] = {
    "schedule_interval": "schedule",
    "concurrency": "max_active_tasks",
    "task_concurrency": "max_active_tis_per_dag",
    "fail_stop": "fail_fast",
    "provide_context": None,
    "default_view": None,
    "orientation": None,
}

# template variable → its Airflow 3 spelling, inside {{ ... }}
TEMPLATE_RENAMES = {
    "execution_date": "logical_date",
    "next_execution_date": "data_interval_end",
    "prev_execution_date": "prev_data_interval_start_success",
    "next_ds": "(data_interval_end | ds)",
    "prev_ds": "(prev_data_interval_start_success | ds)",
    "tomorrow_ds": "macros.ds_add(ds, 1)",
    "yesterday_ds": "macros.ds_add(ds, -1)",
}
# context key → its Airflow 3 key (only where one key replaces another)
CONTEXT_RENAMES = {
    "execution_date": "logical_date",
    "next_execution_date": "data_interval_end",
    "prev_execution_date": "prev_data_interval_start_success",
}

EMR_CLUSTER_ID = '"{{ var.value.emr_cluster_id }}"'

_HELPER = '''

EMR_CLUSTER_ID = {cluster}  # FILL IN: the EMR cluster the Spark steps run on


def emr_spark_step(task_id, steps, **task_args):
    """EMR Spark Steps and a step sensor in place of a Livy batch: submit, then wait."""
    dag = {{"dag": task_args.pop("dag")}} if "dag" in task_args else {{}}
    with TaskGroup(task_id, **dag) as group:
        submit = EmrAddStepsOperator(
            task_id="submit", job_flow_id=EMR_CLUSTER_ID, steps=steps, **dag, **task_args
        )
        wait = EmrStepSensor(
            task_id="wait",
            job_flow_id=EMR_CLUSTER_ID,
            step_id="{{{{ ti.xcom_pull(task_ids='" + group.group_id + ".submit')[0] }}}}",
            mode="reschedule",
            **dag,
            **task_args,
        )
        submit >> wait
    return group
'''


@dataclass(frozen=True, slots=True)
class Change:
    """One change the migration made, at a line of the original file (0: the whole file)."""

    path: str
    line: int
    what: str


@dataclass(frozen=True, slots=True)
class Decision:
    """Something a person must still decide, and why the migration could not."""

    path: str
    line: int
    what: str
    why: str


@dataclass(frozen=True, slots=True)
class CodeContext:
    """What a file's rewrite needs to know beyond its own text."""

    target: Target
    index: TargetImports | None
    today: date
    plugin_homes: Mapping[tuple[str, str], str]
    """(``airflow.operators.<plugin>``, name) → the module that defines the name."""
    argument_lines: Mapping[int, frozenset[str]]
    """Line → the arguments PF202 reported there (renamed or dropped when mechanical)."""
    days_ago_flagged: bool
    """Whether the checks report ``days_ago`` on this target (PF205)."""
    catchup_lines: frozenset[int] = frozenset()
    """Lines of DAG(...) calls that set no ``catchup`` on an Airflow 3 target (PF220)."""


@dataclass(frozen=True, slots=True)
class CodeResult:
    text: str
    changes: tuple[Change, ...]
    decisions: tuple[Decision, ...]


def rewrite_path(
    index: TargetImports | None, target: Target, module: str, name: str
) -> tuple[str, str] | None:
    """Where the migration moves ``from module import name`` on ``target``: the target's
    current home (see :func:`fix._new_path`), else a known move into a provider the image does
    not ship but the target's constraints pin (the migration adds that provider)."""
    found = _new_path(index, target, module, name)
    if found is not None or index is None:
        return found
    if index.name(module, name).status not in (Status.NO_MODULE, Status.NO_NAME, Status.BROKEN):
        return None
    moved = provider_move(index, module, name)
    if moved and _provider_package(moved[0]) in target.constraints:
        return moved
    return None


def catchup_lines(findings: Sequence[Finding], path: str) -> frozenset[int]:
    """PF220 findings of one file: lines of DAG definitions that set no ``catchup``."""
    return frozenset(f.line for f in findings if f.id == "PF220" and f.path == path)


def argument_lines(findings: Sequence[Finding], path: str) -> dict[int, frozenset[str]]:
    """PF202 findings of one file as line → argument names."""
    found: dict[int, set[str]] = {}
    for f in findings:
        if f.id == "PF202" and f.path == path:
            match = re.match(r"`(\w+)=`", f.message)
            if match:
                found.setdefault(f.line, set()).add(match.group(1))
    return {line: frozenset(names) for line, names in found.items()}


def _literal(code: str) -> tuple[bool, object]:
    try:
        return True, ast.literal_eval(code)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _helper_imports(index: TargetImports | None) -> list[str]:
    """Import lines for the Livy replacement, from where the target has each name."""

    def home(name: str, preferred: Sequence[str]) -> str:
        if index is not None:
            for module in preferred:
                if index.name(module, name).status is Status.OK:
                    return module
            places = index.where_is(name)
            if places:
                return places[0]
        return preferred[-1]

    aws = "airflow.providers.amazon.aws"
    return [
        f"from {home('EmrAddStepsOperator', [f'{aws}.operators.emr', f'{aws}.operators.emr_add_steps'])} import EmrAddStepsOperator",
        f"from {home('EmrStepSensor', [f'{aws}.sensors.emr', f'{aws}.sensors.emr_step'])} import EmrStepSensor",
        f"from {home('TaskGroup', ['airflow.sdk', 'airflow.utils.task_group'])} import TaskGroup",
    ]


class _Rewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        path: str,
        module: cst.Module,
        ctx: CodeContext,
        uses: Counter[str],
        replaced: Counter[str] | None = None,
        sql: Mapping[str, tuple[str, str, str]] | None = None,
    ):
        super().__init__()
        # two passes: code first (counting the uses it replaced), then imports, whose names
        # go only when every use was replaced
        self.imports_pass = replaced is not None
        self.path = path
        self.module = module
        self.ctx = ctx
        self.uses = uses  # local name → ast.Name occurrences in the file
        self.replaced: Counter[str] = replaced if replaced is not None else Counter()
        self.changes: list[Change] = []
        self.decisions: list[Decision] = []
        self.livy_done = False
        self.v3 = ctx.target.airflow.major >= 3
        self.v2 = ctx.target.airflow.major >= 2
        self.sql = sql or {}  # local name → (module, SQL operator, its connection argument)
        self.sql_imported = SQL_CLASS in _bound_names(module)

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _change(self, node: cst.CSTNode, what: str) -> None:
        self.changes.append(Change(self.path, self._line(node), what))

    def _decide(self, node: cst.CSTNode, what: str, why: str) -> None:
        self.decisions.append(Decision(self.path, self._line(node), what, why))

    # --- calls -------------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.imports_pass:
            return updated
        name = cst.helpers.get_full_name_for_node(original.func) or ""
        short = name.rsplit(".", 1)[-1]
        if short in LIVY_CALLS:
            return self._livy(original, updated, short)
        if short == "days_ago" and self.ctx.days_ago_flagged:
            return self._days_ago(original, updated)
        if isinstance(original.func, cst.Name) and original.func.value in self.sql:
            updated = self._sql_call(original, updated, original.func.value)
        updated = self._arguments(original, updated)
        if self._line(original) in self.ctx.catchup_lines and not any(
            a.keyword is not None and a.keyword.value == "catchup" for a in updated.args
        ):
            return self._keep_catchup(original, updated)
        return updated

    def _keep_catchup(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """``catchup=True``: the DAG keeps catching up as it did on Airflow 2 (PF220)."""
        self._change(
            original,
            "added `catchup=True` (Airflow 3 no longer catches up by default; this keeps the "
            "Airflow 2 behaviour: set it to False if the missed runs are not wanted)",
        )
        args = list(updated.args)
        if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        tight = cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        )
        args.append(cst.Arg(value=cst.Name("True"), keyword=cst.Name("catchup"), equal=tight))
        return updated.with_changes(args=args)

    def _arguments(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not self.ctx.argument_lines:
            return updated
        args = []
        changed = False
        for orig_arg, arg in zip(original.args, updated.args, strict=True):
            kw = arg.keyword.value if arg.keyword else None
            flagged = self.ctx.argument_lines.get(self._line(orig_arg.value), frozenset())
            if kw is None or kw not in flagged:
                args.append(arg)
                continue
            if kw not in RENAMED_ARGUMENTS:
                self._decide(
                    orig_arg,
                    f"`{kw}=` is not accepted on {self.ctx.target.name}",
                    "no mechanical replacement: decide what it should become",
                )
                args.append(arg)
                continue
            new = RENAMED_ARGUMENTS[kw]
            changed = True
            if new is None:
                self._change(orig_arg, f"dropped `{kw}=`")
                continue
            self._change(orig_arg, f"`{kw}=` → `{new}=`")
            args.append(arg.with_changes(keyword=cst.Name(new)))
        if not changed:
            return updated
        if args:  # the last argument keeps no dangling comma of a dropped one
            last = args[-1]
            if original.args and original.args[-1].comma is cst.MaybeSentinel.DEFAULT:
                args[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args)

    def _sql_call(self, original: cst.Call, updated: cst.Call, local: str) -> cst.Call:
        """``PostgresOperator(postgres_conn_id=...)`` → ``SQLExecuteQueryOperator(conn_id=...)``
        when every argument carries over (see :func:`migrate_sql.blocker`)."""
        _, name, conn = self.sql[local]
        new, said = sql_call(updated, local, name, conn, accepted_arguments(self.ctx.index))
        if new is None:
            self._decide(original, *said)
            return updated
        self.replaced[local] += 1
        self._change(original, said[0])
        return new

    def _days_ago(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        ok, value = (
            _literal(self.module.code_for_node(original.args[0].value))
            if len(original.args) == 1 and original.args[0].keyword is None
            else (False, None)
        )
        if not ok or not isinstance(value, int):
            self._decide(
                original,
                "days_ago(...) with a computed argument",
                "pick a fixed start_date (pendulum.datetime(...))",
            )
            return updated
        day = self.ctx.today - timedelta(days=value)
        self.replaced["days_ago"] += 1
        self._change(
            original,
            f"`days_ago({value})` → `pendulum.datetime({day.year}, {day.month}, {day.day}, "
            'tz="UTC")` (the date it meant on the day of the migration)',
        )
        return cst.parse_expression(
            f'pendulum.datetime({day.year}, {day.month}, {day.day}, tz="UTC")'
        )

    def _livy(self, original: cst.Call, updated: cst.Call, short: str) -> cst.BaseExpression:
        if any(a.keyword is None for a in original.args):
            self._decide(
                original,
                f"{short} with positional arguments",
                "replace it with EMR Spark Steps by hand (see PF210's generated code)",
            )
            return updated
        literal: dict[str, object] = {}
        codes: dict[str, str] = {}
        tokens: dict[str, str] = {}  # placeholder → the code it stands for

        def value_of(node: cst.BaseExpression) -> object:
            code = self.module.code_for_node(node)
            ok, value = _literal(code)
            if ok:
                return value
            if isinstance(node, (cst.List, cst.Tuple)) and not any(
                isinstance(e, cst.StarredElement) for e in node.elements
            ):
                return [value_of(e.value) for e in node.elements]
            token = f"\x00{len(tokens)}\x00"
            tokens[token] = code
            return token

        for arg in original.args:
            assert arg.keyword is not None
            key = arg.keyword.value
            codes[key] = self.module.code_for_node(arg.value)
            literal[key] = value_of(arg.value)
        task_id = codes.get("task_id", '"spark_job"')
        fields = {k: v for k, v in literal.items() if k in LIVY_FIELDS and k != "proxy_user"}
        splat = fields.pop("args") if isinstance(fields.get("args"), str) else None
        args = [_render(a, tokens) for a in spark_submit_args(fields)]
        if isinstance(splat, str):
            args.append(f"*{tokens.get(splat, json.dumps(splat))}")
        steps = (
            "[\n"
            "        {\n"
            f'            "Name": {task_id},\n'
            '            "ActionOnFailure": "CONTINUE",\n'
            '            "HadoopJarStep": {\n'
            '                "Jar": "command-runner.jar",\n'
            '                "Args": [\n'
            + "".join(f"                    {a},\n" for a in args)
            + "                ],\n"
            "            },\n"
            "        }\n"
            "    ]"
        )
        passed = [
            f"{k}={codes[k]}"
            for k in codes
            if k not in LIVY_FIELDS and k not in LIVY_ONLY and k != "task_id"
        ]
        dropped = [k for k in codes if k in LIVY_ONLY]
        call = f"emr_spark_step(\n    {task_id},\n    steps={steps},\n" + "".join(
            f"    {p},\n" for p in passed
        )
        call += ")"
        self.livy_done = True
        self.replaced[short] += 1
        tid = literal.get("task_id", "spark_job")
        if isinstance(tid, str) and tid in tokens:
            tid = tokens[tid]
        self._change(
            original,
            f"{short} `{tid}` → EMR Spark Steps: task group `{tid}` with `{tid}.submit` "
            f"(EmrAddStepsOperator) and `{tid}.wait` (EmrStepSensor)",
        )
        self._decide(
            original,
            f"task ids: `{tid}` is now the task group `{tid}` (tasks `{tid}.submit`, `{tid}.wait`)",
            "anything that names the old task id (XCom pulls, ExternalTaskSensor, task "
            "history) must follow",
        )
        for path in local_paths(fields):
            self._decide(
                original,
                f"`{path}` is a path on the Livy host's disk; the step has `{fill_in(path)}`",
                "an EMR step reads S3 (or the cluster's HDFS): put the file there and name it",
            )
        if tokens:
            self._decide(
                original,
                "computed Livy arguments were carried into the step as expressions",
                "check the spark-submit arguments they produce",
            )
        if dropped:
            self._decide(
                original,
                f"Livy settings dropped: {', '.join(dropped)}",
                "they configure the Livy server; EMR steps have no counterpart",
            )
        return cst.parse_expression(call)

    # --- templates and context keys ----------------------------------------------------------
    def leave_SimpleString(
        self, original: cst.SimpleString, updated: cst.SimpleString
    ) -> cst.SimpleString:
        if self.imports_pass or not self.v3 or "{{" not in updated.value:
            return updated

        def inside(match: re.Match[str]) -> str:
            text = match.group(0)
            for old, new in TEMPLATE_RENAMES.items():
                text = re.sub(rf"\b{old}\b", new, text)
            return text

        value = re.sub(r"\{\{.*?\}\}", inside, updated.value, flags=re.S)
        if value != updated.value:
            self._change(original, "template variables renamed for Airflow 3")
            return updated.with_changes(value=value)
        return updated

    def leave_Subscript(
        self, original: cst.Subscript, updated: cst.Subscript
    ) -> cst.BaseExpression:
        if self.imports_pass or not self.v3 or len(updated.slice) != 1:
            return updated
        index = updated.slice[0].slice
        if not (isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString)):
            return updated
        key = index.value.evaluated_value
        if key in CONTEXT_RENAMES:
            new = CONTEXT_RENAMES[key]
            quote = index.value.quote
            self._change(original, f"context key `{key}` → `{new}`")
            element = updated.slice[0].with_changes(
                slice=index.with_changes(value=cst.SimpleString(f"{quote}{new}{quote}"))
            )
            return updated.with_changes(slice=[element])
        return updated

    # --- decorators --------------------------------------------------------------------------
    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        if self.imports_pass or not self.v2:
            return updated
        kept = [
            d
            for d in updated.decorators
            if (cst.helpers.get_full_name_for_node(d.decorator) or "").rsplit(".", 1)[-1]
            != "apply_defaults"
        ]
        if len(kept) != len(updated.decorators):
            self.replaced["apply_defaults"] += len(updated.decorators) - len(kept)
            self._change(original, "dropped `@apply_defaults` (a no-op since Airflow 2.0)")
            return updated.with_changes(decorators=kept)
        return updated

    # --- imports -----------------------------------------------------------------------------
    def _drop(self, name: str, local: str) -> bool:
        """A name the migration replaces (Livy operators, ``days_ago``, ``apply_defaults``) whose
        every use was replaced, or that is not used at all: its import goes."""
        return name in REPLACED_NAMES and self.uses[local] <= self.replaced[local]

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        if (
            not self.imports_pass
            or len(updated.body) != 1
            or not isinstance(updated.body[0], cst.ImportFrom)
        ):
            return updated
        node = updated.body[0]
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return updated
        module = cst.helpers.get_full_name_for_node(node.module) or ""
        groups: dict[str, list[cst.ImportAlias]] = {}
        moved = False
        for alias in node.names:
            name = cst.helpers.get_full_name_for_node(alias.name) or ""
            local = (
                cst.helpers.get_full_name_for_node(alias.asname.name) if alias.asname else name
            ) or name
            if self._drop(name, local):
                self._change(original, f"dropped the import of `{name}` (no longer used)")
                moved = True
                continue
            if self.sql.get(local, ("",))[:2] == (module, name) and self._sql_import(
                original, module, name, local, groups
            ):
                moved = True
                continue
            new_module, new_name = module, name
            home = self.ctx.plugin_homes.get((module, name))
            if home:
                new_module = home
            else:
                found = rewrite_path(self.ctx.index, self.ctx.target, module, name)
                if found:
                    new_module, new_name = found
            if (new_module, new_name) != (module, name):
                moved = True
                shown = f"{new_name} as {local}" if new_name != local else new_name
                self._change(
                    original,
                    f"`from {module} import {name}` → `from {new_module} import {shown}`",
                )
                alias = alias.with_changes(
                    name=cst.Name(new_name),
                    asname=alias.asname
                    or (cst.AsName(name=cst.Name(name)) if new_name != name else None),
                )
            groups.setdefault(new_module, []).append(
                alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            )
        if not moved:
            return updated
        if not groups:
            return cst.RemoveFromParent()
        lines: list[cst.BaseStatement] = []
        for i, (new_module, aliases) in enumerate(groups.items()):
            statement = cst.ImportFrom(
                module=cst.parse_expression(new_module),  # type: ignore[arg-type]
                names=aliases,
            )
            line = cst.SimpleStatementLine(body=[statement])
            if i == 0:
                line = line.with_changes(
                    leading_lines=updated.leading_lines,
                    trailing_whitespace=updated.trailing_whitespace,
                )
            lines.append(line)
        return cst.FlattenSentinel(lines)

    def _sql_import(
        self,
        original: cst.SimpleStatementLine,
        module: str,
        name: str,
        local: str,
        groups: dict[str, list[cst.ImportAlias]],
    ) -> bool:
        """The import of a SQL operator whose calls became ``SQLExecuteQueryOperator``: replaced
        when every use was (kept beside the new import when a call was left to a person)."""
        kept = self.uses[local] > self.replaced[local]
        if kept:  # a call left to a person, a subclass, a reference: the file still fails
            self._decide(
                original,
                f"`{name}` kept: {self.uses[local] - self.replaced[local]} of its uses not "
                f"rewritten as {SQL_CLASS} (calls named in their own decisions)",
                f"its import fails on {self.ctx.target.name}: rewrite the rest by hand",
            )
        if kept and not self.replaced[local]:
            return False
        if kept:
            groups.setdefault(module, []).append(
                cst.ImportAlias(
                    name=cst.Name(name),
                    asname=cst.AsName(name=cst.Name(local)) if local != name else None,
                )
            )
        else:
            self._change(
                original,
                f"`from {module} import {name}` → `from {SQL_HOME} import {SQL_CLASS}` "
                f"(its calls renamed)",
            )
        if not self.sql_imported:
            self.sql_imported = True
            groups.setdefault(SQL_HOME, []).append(cst.ImportAlias(name=cst.Name(SQL_CLASS)))
            if kept:
                self._change(original, f"added `from {SQL_HOME} import {SQL_CLASS}`")
        package = database_provider_missing(self.ctx.index, name)
        if package:
            self._decide(
                original,
                f"{SQL_CLASS} reaches the database through {package}'s hook, which "
                f"{self.ctx.target.name} does not ship",
                f"add {package} to requirements.txt unless it is there already",
            )
        return True

    # --- the module --------------------------------------------------------------------------
    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body = list(updated.body)
        at = _after_imports(body)
        if self.imports_pass:
            # imports the replacements need, unless the file binds the name already
            bound = _bound_names(updated)
            added = [
                line
                for line in (["import pendulum"] if self.replaced["days_ago"] else [])
                + (_helper_imports(self.ctx.index) if self.replaced_livy() else [])
                if line.rsplit(" ", 1)[-1] not in bound
            ]
            new = [cst.parse_statement(line + "\n") for line in added]
            return updated.with_changes(body=[*body[:at], *new, *body[at:]])
        if not self.livy_done:
            return updated
        helper = list(cst.parse_module(_HELPER.format(cluster=EMR_CLUSTER_ID)).body)
        two = [cst.EmptyLine(), cst.EmptyLine()]
        helper[0] = helper[0].with_changes(leading_lines=two)
        if at < len(body):
            body[at] = body[at].with_changes(leading_lines=two)
        self.decisions.append(
            Decision(
                self.path,
                0,
                "EMR_CLUSTER_ID reads the Airflow Variable `emr_cluster_id`",
                "set that Variable to the cluster the steps run on, or pass the XCom of an "
                "EmrCreateJobFlowOperator",
            )
        )
        return updated.with_changes(body=[*body[:at], *helper, *body[at:]])

    def replaced_livy(self) -> bool:
        return any(self.replaced[name] for name in LIVY_CALLS)


def _bound_names(module: cst.Module) -> set[str]:
    """Names the module's top-level imports bind."""
    bound: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                small.names, cst.ImportStar
            ):
                for alias in small.names:
                    target = alias.asname.name if alias.asname else alias.name
                    name = cst.helpers.get_full_name_for_node(target) or ""
                    bound.add(name.split(".")[0])
    return bound


def _render(value: str, tokens: Mapping[str, str]) -> str:
    """A spark-submit argument as Python source: a literal quoted; one that holds computed
    parts (placeholders in ``tokens``) as a concatenation of literals and ``str(code)``."""
    if not any(t in value for t in tokens):
        return json.dumps(value)
    parts = [p for p in re.split("(\x00\\d+\x00)", value) if p]
    return " + ".join(f"str({tokens[p]})" if p in tokens else json.dumps(p) for p in parts)


def _imports_module(module: cst.Module, name: str) -> bool:
    return any(
        isinstance(s, cst.SimpleStatementLine)
        and any(
            isinstance(b, cst.Import)
            and any(cst.helpers.get_full_name_for_node(a.name) == name for a in b.names)
            for b in s.body
        )
        for s in module.body
    )


def _after_imports(body: Sequence[cst.BaseStatement]) -> int:
    """The position after the module's leading docstring and imports."""
    at = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(b, (cst.Import, cst.ImportFrom))
            or (isinstance(b, cst.Expr) and isinstance(b.value, cst.SimpleString))
            for b in stmt.body
        ):
            at = i + 1
        elif isinstance(stmt, cst.SimpleStatementLine | cst.If | cst.Try):
            if isinstance(stmt, cst.Try):
                at = i + 1  # guarded imports
                continue
            break
        else:
            break
    return at


def _name_uses(text: str) -> Counter[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return Counter()
    return Counter(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))


def rewrite_source(path: str, text: str, ctx: CodeContext) -> CodeResult:
    """``text`` migrated for ``ctx.target``, with every change and what is left to decide.
    A file libcst cannot parse comes back unchanged (PF200 reports it)."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return CodeResult(text, (), ())
    # Livy calls and days_ago are counted before imports are judged: the import of a name
    # goes only when every use of it was replaced.
    uses = _name_uses(text)
    try:
        sql = sql_locals(ast.parse(text), ctx.index, ctx.target)
    except (SyntaxError, ValueError, RecursionError):
        sql = {}
    wrapper = MetadataWrapper(module)
    code = _Rewriter(path, wrapper.module, ctx, uses, sql=sql)
    after_code = wrapper.visit(code)
    # the imports precede the code and the helper goes after them: their lines are unmoved
    wrapper = MetadataWrapper(after_code)
    imports = _Rewriter(path, wrapper.module, ctx, uses, code.replaced, sql)
    new = wrapper.visit(imports)
    changes = sorted([*code.changes, *imports.changes], key=lambda c: c.line)
    return CodeResult(new.code, tuple(changes), (*code.decisions, *imports.decisions))
