"""The Terraform configuration of one environment, read with python-hcl2 without Terraform: the
module tree from the environment's root module, every resource and data source with the address
Terraform gives it (``module.data.module.bucket["landing"].aws_s3_bucket.this``), and
expressions resolved as far as the code and the inputs allow (variables, locals, module outputs,
``each``/``count``, references to other resources).

What cannot be resolved without a plan (function calls, ``for`` expressions, conditionals) stays
as its ``${...}`` text, so a rule sees "some specific value" rather than a wildcard.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airlake.errors import UserError

_MAX_DEPTH = 24
"""Resolution depth after which an expression is left unresolved (guards against cycles)."""

_NAME = r"[A-Za-z_][\w-]*"
_INDEX = r"\[(?:\"[^\"]*\"|\d+|\*|[A-Za-z_][\w.-]*)\]"
_TRAVERSAL = re.compile(rf"{_NAME}(?:\.(?:{_NAME}|\d+|\*)|{_INDEX})*")
_WHOLE = re.compile(r"^\$\{(.*)\}$", re.S)
_PART = re.compile(r"\$\{([^${}]*)\}")
_SEGMENT = re.compile(rf"\.?({_NAME}|\d+|\*)|\[(\"[^\"]*\"|\d+|\*|[A-Za-z_][\w.-]*)\]")
_HEREDOC = re.compile(r"^<<-?(\w+)\n(.*?)\n\s*\1\s*$", re.S)
_CALL = re.compile(r"^\$\{(\w+)\((.*)\)\}$", re.S)


def unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of keys and strings; drop them and its bookkeeping keys."""
    if isinstance(value, dict):
        return {
            unquote(k): unquote(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__")
        }
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def load(path: Path) -> dict[str, Any]:
    """One ``.tf`` file as python-hcl2 reads it, quotes dropped.

    Raises:
        UserError: the file does not parse (the message names it).
    """
    import hcl2

    try:
        with path.open() as fh:
            return dict(unquote(hcl2.load(fh)))
    except Exception as exc:  # a parse error is the user's to fix: one line, with the file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UserError(f"cannot parse {path}: {first}") from None


def parse_expression(text: str) -> Any:
    """An HCL expression (such as the object inside ``jsonencode(...)``) as python-hcl2 reads it;
    None when it does not parse."""
    import hcl2

    try:
        return unquote(hcl2.loads(f"x = {text}\n")).get("x")
    except Exception:  # not an expression python-hcl2 knows: leave it unresolved
        return None


def heredoc(text: str) -> str:
    """The body of a heredoc string (``<<EOF ... EOF``), or the text itself."""
    match = _HEREDOC.match(text.strip())
    return match.group(2) if match else text


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an attribute of a resource or data source, e.g. ``aws_s3_bucket.this.id``
    in module ``module.data``: ``Ref("module.data.aws_s3_bucket.this", "id")``."""

    address: str
    attribute: str

    def __str__(self) -> str:
        return f"${{{self.address}.{self.attribute}}}"


@dataclass(eq=False)
class Module:
    """One instance of a module: the root, or a module call (one per ``for_each`` key)."""

    address: str
    path: Path
    parent: Module | None = None
    call: Mapping[str, Any] = field(default_factory=dict)
    """The arguments of the module call, expressions of the parent."""
    each: tuple[Any, Any] | None = None
    """``each.key`` and ``each.value`` of the call's instance."""
    files: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)

    def blocks(self, kind: str) -> Iterator[tuple[Path, str, str, dict[str, Any]]]:
        """(file, type, name, body) of this module's ``resource``/``data`` blocks; for ``module``,
        ``output``, ``variable`` and ``locals`` the type is the block's name and the name empty."""
        for path, doc in self.files:
            for entry in doc.get(kind, []):
                if kind == "locals":
                    for key, value in entry.items():
                        yield path, key, "", {"value": value}
                    continue
                for label, body in entry.items():
                    if kind in ("resource", "data"):
                        for name, inner in body.items():
                            yield path, label, name, inner
                    else:
                        yield path, label, "", body


@dataclass(frozen=True, eq=False)
class Block:
    """One instance of a resource or data source."""

    kind: str
    """``resource`` or ``data``."""
    address: str
    """Its Terraform address, with the instance key: ``module.network.aws_subnet.private[0]``."""
    base: str
    """The address without the instance key."""
    type: str
    name: str
    body: Mapping[str, Any]
    module: Module
    file: Path
    key: Any = None
    """``count.index`` or ``each.key``; None for a single instance."""
    value: Any = None
    """``each.value``."""


def _base(address: str) -> str:
    """An instance's address without its key: ``a.b["k"]`` → ``a.b``."""
    return re.sub(r"\[[^\[\]]*\]$", "", address)


def _size(value: Any) -> float:
    """How many instances a resolved ``count``/``for_each`` makes; one known only to a plan
    ranks between none and one (it is taken as one instance)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return len(value) if isinstance(value, list | Mapping) else 0.5


def conditional_branches(text: str) -> tuple[str, str] | None:
    """The two branches of a whole conditional ``${cond ? a : b}`` (their text), else None."""
    whole = _WHOLE.match(text)
    if not whole:
        return None
    inner = whole.group(1)
    depth, quoted, question = 0, False, -1
    for i, ch in enumerate(inner):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch == "?" and question < 0:
            question = i
        elif depth == 0 and ch == ":" and question >= 0:
            return inner[question + 1 : i].strip(), inner[i + 1 :].strip()
    return None


def _key_suffix(key: Any) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


def _join(prefix: str, rest: str) -> str:
    return f"{prefix}.{rest}" if prefix else rest


class Configuration:
    """The configuration Terraform would plan from ``envs/<env>`` of ``root`` with ``inputs``.

    Args:
        root: the Terraform folder (``infra/terraform``), holding ``envs/`` and ``modules/``.
        env: the environment, whose root module is ``envs/<env>``.
        inputs: the root module's variables (``terraform.tfvars.json``).

    Raises:
        UserError: there is no such environment folder, or a file does not parse.
    """

    def __init__(self, root: Path, env: str, inputs: Mapping[str, Any]) -> None:
        self.root = root
        self.inputs = dict(inputs)
        env_dir = root / "envs" / env
        if not sorted(env_dir.glob("*.tf")):
            raise UserError(f"no Terraform root module at {env_dir}")
        self._files: dict[Path, dict[str, Any]] = {}
        self.modules: list[Module] = []
        self.blocks: list[Block] = []
        self._add_module(Module("", env_dir))
        self._by_base: dict[str, list[Block]] = {}
        for b in self.blocks:
            self._by_base.setdefault(b.base, []).append(b)

    # -- reading ---------------------------------------------------------------------------

    def _load(self, path: Path) -> dict[str, Any]:
        if path not in self._files:
            self._files[path] = load(path)
        return self._files[path]

    def _add_module(self, module: Module) -> None:
        module.files = [(p, self._load(p)) for p in sorted(module.path.glob("*.tf"))]
        self.modules.append(module)
        for kind in ("resource", "data"):
            for path, rtype, name, body in module.blocks(kind):
                base = _join(module.address, f"{'data.' if kind == 'data' else ''}{rtype}.{name}")
                for key, value in self._instances(body, module):
                    self.blocks.append(
                        Block(
                            kind,
                            base + _key_suffix(key),
                            base,
                            rtype,
                            name,
                            body,
                            module,
                            path,
                            key,
                            value,
                        )
                    )
        for _, name, _, body in module.blocks("module"):
            source = str(body.get("source", ""))
            if not source.startswith(("./", "../")):
                continue  # a registry or git module: not in this tree, nothing to read
            path = Path(os.path.normpath(module.path / source))
            for key, value in self._instances(body, module):
                address = _join(module.address, f"module.{name}") + _key_suffix(key)
                each = None if key is None else (key, value)
                self._add_module(Module(address, path, module, body, each))

    def _instances(self, body: Mapping[str, Any], module: Module) -> list[tuple[Any, Any]]:
        """(key, each.value) per instance of a block with ``count`` or ``for_each``. A conditional
        (``var.on ? 2 : 0``) is taken as present, with the instances of its larger branch: the
        code is checked for what any environment's inputs could build from it."""
        if "for_each" in body:
            keys = self._collection(body["for_each"], module)
            if isinstance(keys, Mapping):
                return [(str(k), v) for k, v in keys.items()]
            if isinstance(keys, list):
                return [(str(k), k) for k in keys]
            return [("*", None)]  # keys known only to a plan
        if "count" in body:
            count = self._collection(body["count"], module)
            if isinstance(count, int) and not isinstance(count, bool):
                return [(i, None) for i in range(count)]
            return [(None, None)]  # a count known only to a plan: take the block as present
        return [(None, None)]

    def _collection(self, value: Any, module: Module) -> Any:
        """A ``count`` or ``for_each`` value, through ``toset(...)`` and friends and through
        conditionals (their larger branch)."""
        got = self.resolve(value, module)
        for _ in range(_MAX_DEPTH):
            if not isinstance(got, str):
                return got
            branches = conditional_branches(got)
            call = _CALL.match(got)
            if branches is not None:
                got = max(
                    (self._collection(self._expression(b, module), module) for b in branches),
                    key=_size,
                )
            elif call and call.group(1) in ("toset", "tolist", "tomap"):
                got = self._expression(call.group(2), module)
            else:
                return got
        return got

    def _expression(self, text: str, module: Module) -> Any:
        parsed = parse_expression(text.strip())
        return self.resolve(f"${{{text.strip()}}}" if parsed is None else parsed, module)

    # -- resolving -------------------------------------------------------------------------

    def resolve(
        self, value: Any, module: Module, each: tuple[Any, Any] | None = None, depth: int = 0
    ) -> Any:
        """``value`` with its references resolved in ``module`` (``each`` is the instance's
        ``(each.key or count.index, each.value)``). Unresolvable parts keep their ``${...}`` text;
        a whole-value reference to a resource attribute becomes a :class:`Ref`."""
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, list):
            return [self.resolve(v, module, each, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v, module, each, depth + 1) for k, v in value.items()}
        if not isinstance(value, str) or "${" not in value:
            return value
        whole = _WHOLE.match(value)
        if whole and _TRAVERSAL.fullmatch(whole.group(1).strip()):
            return self._traverse(whole.group(1).strip(), module, each, depth + 1)

        def part(match: re.Match[str]) -> str:
            inner = match.group(1).strip()
            if not _TRAVERSAL.fullmatch(inner):
                return match.group(0)
            got = self._traverse(inner, module, each, depth + 1)
            return (
                str(got)
                if isinstance(got, str | int) and not isinstance(got, bool)
                else match.group(0)
            )

        return _PART.sub(part, value)

    def _traverse(self, text: str, module: Module, each: tuple[Any, Any] | None, depth: int) -> Any:
        unresolved = f"${{{text}}}"
        segments: list[Any] = []
        for m in _SEGMENT.finditer(text):
            if m.group(1) is not None:
                segments.append(m.group(1))
            else:
                index = m.group(2)
                if index.startswith('"'):
                    segments.append(("index", index[1:-1]))
                elif index.isdigit():
                    segments.append(("index", int(index)))
                elif index == "*":
                    segments.append(("index", "*"))
                else:
                    got = self._traverse(index, module, each, depth + 1)
                    if isinstance(got, str) and got.startswith("${"):
                        return unresolved
                    segments.append(("index", got))
        head = segments[0]
        rest: list[Any] = segments[1:]
        if head == "var" and rest and isinstance(rest[0], str):
            got = self._variable(rest[0], module, depth)
            return self._index(got, rest[1:], unresolved)
        if head == "local" and rest and isinstance(rest[0], str):
            got = self._local(rest[0], module, depth)
            return self._index(got, rest[1:], unresolved)
        if head in ("each", "count") and rest and each is not None:
            if rest[0] in ("key", "index"):
                return self._index(each[0], rest[1:], unresolved)
            if rest[0] == "value":
                return self._index(each[1], rest[1:], unresolved)
            return unresolved
        if head == "path" and rest and rest[0] == "module":
            return str(module.path)
        if head == "module" and rest and isinstance(rest[0], str):
            return self._output(rest[0], rest[1:], module, depth, unresolved)
        if head == "data" and len(rest) >= 2 and all(isinstance(s, str) for s in rest[:2]):
            base = _join(module.address, f"data.{rest[0]}.{rest[1]}")
            return self._ref(base, rest[2:], unresolved)
        if isinstance(head, str) and len(rest) >= 1 and isinstance(rest[0], str) and "_" in head:
            return self._ref(_join(module.address, f"{head}.{rest[0]}"), rest[1:], unresolved)
        return unresolved

    def _ref(self, base: str, rest: list[Any], unresolved: str) -> Any:
        if rest and isinstance(rest[0], tuple):
            index = rest[0][1]
            rest = rest[1:]
            if index != "*":
                base = base + _key_suffix(index)
        attribute = next((s for s in rest if isinstance(s, str)), "")
        return Ref(base, attribute) if attribute else unresolved

    def _index(self, value: Any, rest: list[Any], unresolved: str) -> Any:
        for seg in rest:
            key = seg[1] if isinstance(seg, tuple) else seg
            found = (isinstance(value, Mapping) and key in value) or (
                isinstance(value, list) and isinstance(key, int) and key < len(value)
            )
            if not found:
                return unresolved
            value = value[key]
        return value

    def _variable(self, name: str, module: Module, depth: int) -> Any:
        if module.parent is None and name in self.inputs:
            return self.inputs[name]
        if module.parent is not None and name in module.call:
            return self.resolve(module.call[name], module.parent, module.each, depth + 1)
        for _, vname, _, body in module.blocks("variable"):
            if vname == name and "default" in body:
                return self.resolve(body["default"], module, None, depth + 1)
        return f"${{var.{name}}}"

    def _local(self, name: str, module: Module, depth: int) -> Any:
        for _, lname, _, body in module.blocks("locals"):
            if lname == name:
                return self.resolve(body["value"], module, None, depth + 1)
        return f"${{local.{name}}}"

    def _output(
        self, call: str, rest: list[Any], module: Module, depth: int, unresolved: str
    ) -> Any:
        prefix = _join(module.address, f"module.{call}")
        if rest and isinstance(rest[0], tuple):
            prefix += _key_suffix(rest[0][1])
            rest = rest[1:]
        child = next((m for m in self.modules if m.address == prefix), None)
        if child is None or not rest or not isinstance(rest[0], str):
            return unresolved
        for _, oname, _, body in child.blocks("output"):
            if oname == rest[0]:
                got = self.resolve(body.get("value"), child, None, depth + 1)
                return self._index(got, rest[1:], unresolved)
        return unresolved

    # -- querying --------------------------------------------------------------------------

    def of_type(self, *types: str, kind: str = "resource") -> list[Block]:
        """Every instance of resources (or, with ``kind="data"``, data sources) of these types."""
        return [b for b in self.blocks if b.type in types and b.kind == kind]

    def targets(self, ref: Any) -> list[Block]:
        """The instances a reference points at (every instance for a reference without a key)."""
        if not isinstance(ref, Ref):
            return []
        exact = [b for b in self.blocks if b.address == ref.address]
        # ``x[0]`` of a block whose count is known only to a plan: the block itself
        return (
            exact or self._by_base.get(ref.address, []) or self._by_base.get(_base(ref.address), [])
        )

    def value(self, block: Block, key: str, default: Any = None) -> Any:
        """A block's argument, resolved in its module and instance."""
        if key not in block.body:
            return default
        return self.resolve(block.body[key], block.module, self._each(block))

    def arguments(self, block: Block) -> dict[str, Any]:
        """All of a block's arguments, resolved in its module and instance."""
        return dict(self.resolve(dict(block.body), block.module, self._each(block)))

    def nested(self, block: Block, key: str) -> list[dict[str, Any]]:
        """A block's nested blocks of one kind (``ingress``, ``statement``), resolved."""
        raw = block.body.get(key, [])
        items = raw if isinstance(raw, list) else [raw]
        return [
            self.resolve(item, block.module, self._each(block))
            for item in items
            if isinstance(item, dict)
        ]

    def document(self, block: Block, value: Any) -> Any:
        """A policy argument's document: a parsed object (``jsonencode`` or JSON text, references
        resolved), a :class:`Ref` (to a data source or a policy), or None when unreadable."""
        if isinstance(value, Ref):
            return value
        if not isinstance(value, str):
            return value if isinstance(value, dict) else None
        call = _CALL.match(value)
        if call and call.group(1) == "jsonencode":
            parsed = parse_expression(call.group(2))
            return self.resolve(parsed, block.module, self._each(block)) if parsed else None
        text = heredoc(value).strip()
        if text.startswith("{"):
            try:
                return json.loads(text)
            except ValueError:
                return None
        return None

    def _each(self, block: Block) -> tuple[Any, Any] | None:
        return None if block.key is None else (block.key, block.value)

    def relative(self, path: Path) -> str:
        """A file's path inside the Terraform folder, for evidence."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)
