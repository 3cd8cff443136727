"""How much of a project preflight reads, and reading within those limits.

A file past a limit is not read and becomes a finding naming it: never a crash, never a hang.
Only regular files are read (a FIFO named ``dags/x.py`` would block a plain ``open``), and no
read returns more than the limit, whatever the file claims about its size.
"""

from __future__ import annotations

import ast
import os
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MIB = 1024 * 1024

MAX_FILE_BYTES = 2 * MIB
"""A DAG, plugin or requirements file larger than this is not parsed. Python's parser needs about
0.1 GB and 0.7 s per MiB of ordinary code, and up to 0.4 GB and 2.5 s per MiB of dense code
(``x = 1`` lines); every check walks the tree again."""

MAX_TREE_DEPTH = 200
"""A file whose syntax tree nests deeper than this (``x = 1 + 1 + ... + 1`` with hundreds of
terms) is not analysed: the checks and ``--fix`` walk trees recursively, and Python's recursion
limit stops them at about 350 levels."""

MAX_ZIP_MEMBERS = 10_000
"""plugins.zip with more members than this is not read."""

MAX_ZIP_BYTES = 1024 * MIB
"""plugins.zip whose members unpack to more than this in all is not read (a zip bomb)."""


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The limits of one reading of a project."""

    file_bytes: int = MAX_FILE_BYTES
    tree_depth: int = MAX_TREE_DEPTH
    zip_members: int = MAX_ZIP_MEMBERS
    zip_bytes: int = MAX_ZIP_BYTES

    def __post_init__(self) -> None:
        for name in ("file_bytes", "tree_depth", "zip_members", "zip_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")


DEFAULT_LIMITS = ReadLimits()


class NotRead(Exception):
    """A file left unread on purpose; the message says why, for a finding."""


def size_text(size: int) -> str:
    """``size`` bytes for a person: ``512 bytes``, ``12.5 MiB``, ``4.0 GiB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < MIB:
        return f"{size / 1024:.1f} KiB"
    if size < 1024 * MIB:
        return f"{size / MIB:.1f} MiB"
    return f"{size / (1024 * MIB):.1f} GiB"


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading, refusing anything but a regular file (without blocking on a
    FIFO). Raises NotRead, or OSError when the file cannot be opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRead("not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises:
        NotRead: not a regular file, or larger than ``limit``.
        OSError: the file cannot be read.
    """
    with open_regular(path) as fp:
        size = os.fstat(fp.fileno()).st_size
        if size > limit:
            raise NotRead(_too_large(size, limit))
        data = fp.read(limit + 1)  # the file may have grown since
    if len(data) > limit:
        raise NotRead(_too_large(len(data), limit))
    return data


def _too_large(size: int, limit: int) -> str:
    size_t, limit_t = size_text(size), size_text(limit)
    if size_t == limit_t:  # just past the limit: rounding would hide the difference
        size_t, limit_t = f"{size} bytes", f"{limit} bytes"
    return f"{size_t}, more than the {limit_t} preflight reads"


def nests_deeper(tree: ast.AST, limit: int) -> bool:
    """Whether ``tree`` nests more than ``limit`` levels deep. Iterative, so it works on trees
    that recursion cannot walk, and it stops at the first node past the limit."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def declared_members(fp: BinaryIO) -> int | None:
    """The number of members a zip file's end record declares, read before ``zipfile`` parses
    the whole central directory; None when there is no end record (not a zip)."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_size = min(size, 22 + 0xFFFF + 20)  # end record, the longest comment, zip64 locator
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        fp.seek(offset)
        record = fp.read(56)
        if len(record) == 56 and record[:4] == _ZIP64_EOCD:
            (entries,) = struct.unpack_from("<Q", record, 32)
    return int(entries)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The bytes of one zip member, at most ``limit`` of them however much it really unpacks
    to. Raises NotRead when it declares or holds more; zipfile's own errors otherwise."""
    if info.file_size > limit:
        raise NotRead(_too_large(info.file_size, limit))
    with zf.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise NotRead(_too_large(len(data), limit))
    return data
