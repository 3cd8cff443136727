"""Every command and subcommand of ``airlake --help``, discovered from the CLI parser, run with
missing, garbage and hostile arguments: never a traceback, only exit 0, a usage error (2) or one
``error:`` line with exit 1.

The hostile values: empty text, control and non-UTF-8 characters (what undecodable argv bytes
become), huge and negative numbers, ``../`` paths, a path through a file (``FILE/sub``) and a
path in ``/proc``. The working directory is deep inside a temporary folder, so relative paths
that climb out of it still land in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from airlake.cli import cli

pytestmark = pytest.mark.slow

HOSTILE_TEXT = (
    "",
    " ",
    "bin\x01\x02\x7f\x1b[2J\u00ff\ufffe\udcff",
    "9" * 400,
    "-1",
    "../../../../etc/passwd",
    "{FILE}/sub",
    "/proc/x",
)
HOSTILE_NUMBERS = ("", "9" * 400, "-9" * 1, "1e999", "nan")

EXIT_CODES = {"landing-complete": {0, 1, 2, 3}}
"""Exit codes a command documents beyond 0/1/2 (3: the landing day is not complete yet)."""


def _commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = dict(_commands(cli))

HEAVY = {"demo"}
"""Commands that, given valid arguments, do minutes of real work (demo runs Airflow for every
day, and every one of its arguments has a default): their arguments are tried all hostile at
once, not one at a time nor all left out."""
LIGHT = [p for p in COMMANDS if " ".join(p) not in HEAVY]


def test_the_sweep_knows_every_command() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"run", "query", "forget", "mwaa bundle", "spark package", "preflight check"} <= names
    assert len(names) >= 20


def _is_number(param: click.Parameter) -> bool:
    return isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType))


def _plausible(param: click.Parameter, tmp: Path) -> list[str] | None:
    """A valid-looking value for a required parameter (None: leave it out)."""
    if isinstance(param.type, click.Choice):
        return [str(param.type.choices[0])]
    if _is_number(param):
        return ["1"]
    name = param.name or ""
    if name in ("day", "start", "to_day"):
        return ["2026-11-01"]
    if name == "out":
        return [str(tmp / "out")]
    if name in ("project_dir", "terraform"):
        return [str(tmp)]
    if name == "env":
        return ["production"] if not param.default else None
    if name in ("name", "left", "right"):
        return ["local"]
    if name == "sql":
        return ["SELECT 1"]
    if name == "table":
        return ["raw.events"]
    if name == "model":
        return ["campaign_daily"]
    if name == "target_name":
        return ["mwaa-2.10.3"]
    return ["x"]


def _argv(param: click.Parameter, values: list[str]) -> list[str]:
    if isinstance(param, click.Argument):
        return values
    flag = max(param.opts, key=len)
    return [a for v in values for a in (flag, v)]


def _invoke(path: tuple[str, ...], argv: list[str]) -> Result:
    return CliRunner().invoke(cli, [*path, *argv], catch_exceptions=True)


def _judge(path: tuple[str, ...], argv: list[str], result: Result) -> None:
    where = f"airlake {' '.join(path)} {argv!r}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"{where} raised:\n{trace}")
    assert "Traceback" not in result.output, where
    allowed = EXIT_CODES.get(" ".join(path), {0, 1, 2})
    assert result.exit_code in allowed, f"{where}: exit {result.exit_code}\n{result.output}"
    lines = result.output.splitlines()
    if result.exit_code == 1 and path != ("preflight", "check"):  # preflight: findings, exit 1
        assert any(line.startswith("error: ") for line in lines), f"{where}\n{result.output}"
    if result.exit_code == 2:
        assert any(line.startswith(("Usage:", "Error:")) for line in lines), where


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """cwd five levels inside tmp_path; a file ``FILE``; no AWS reachable or credentialed."""
    deep = tmp_path / "a" / "b" / "c" / "d" / "e"
    deep.mkdir(parents=True)
    (tmp_path / "FILE").write_text("a file, not a folder")
    monkeypatch.chdir(deep)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens
    return tmp_path


def _hostile(param: click.Parameter, tmp: Path) -> tuple[str, ...]:
    values = HOSTILE_NUMBERS if _is_number(param) else HOSTILE_TEXT
    return tuple(v.replace("{FILE}", str(tmp / "FILE")) for v in values)


def _options(command: click.Command) -> list[click.Parameter]:
    return [p for p in command.params if p.name != "help" and not getattr(p, "is_flag", False)]


@pytest.mark.parametrize("path", LIGHT, ids=" ".join)
def test_missing_arguments(path: tuple[str, ...], workdir: Path) -> None:
    _judge(path, [], _invoke(path, []))


@pytest.mark.parametrize("path", list(COMMANDS), ids=" ".join)
def test_every_argument_hostile_at_once(path: tuple[str, ...], workdir: Path) -> None:
    params = [p for p in _options(COMMANDS[path]) if not isinstance(p.type, click.Choice)]
    for i in range(len(HOSTILE_TEXT)):
        argv: list[str] = []
        for p in params:
            values = _hostile(p, workdir)
            argv += _argv(p, [values[i % len(values)]])
        _judge(path, argv, _invoke(path, argv))


@pytest.mark.parametrize("path", LIGHT, ids=" ".join)
def test_each_argument_hostile_the_others_valid(path: tuple[str, ...], workdir: Path) -> None:
    params = _options(COMMANDS[path])
    for target in params:
        if isinstance(target.type, click.Choice):
            continue
        base: list[str] = []
        for p in params:
            if p is target or not p.required:
                continue
            base += _argv(p, _plausible(p, workdir) or [])
        for value in _hostile(target, workdir):
            argv = [*base, *_argv(target, [value])]
            _judge(path, argv, _invoke(path, argv))
