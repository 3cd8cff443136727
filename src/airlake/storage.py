"""Object storage behind one interface: local folders or ``s3://`` URIs, through fsspec.

Every read and write of landing files and table data goes through :func:`filesystem`, so the
same code runs on a laptop folder and on S3 (or moto's S3 in tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airlake.errors import UserError

if TYPE_CHECKING:
    import fsspec


@dataclass(frozen=True, slots=True)
class StorageOptions:
    """How to reach object storage; only ``s3://`` URIs use these."""

    s3_endpoint: str | None = None
    region: str = "eu-west-1"


def is_remote(uri: str) -> bool:
    return "://" in uri and not uri.startswith("file://")


def strip_scheme(uri: str) -> str:
    if uri.startswith("file://"):
        return uri[len("file://") :]
    return uri.split("://", 1)[1] if "://" in uri else uri


def join(root: str, *parts: str) -> str:
    """Join URI parts with '/', whatever the scheme."""
    out = root.rstrip("/")
    for part in parts:
        out = f"{out}/{part.strip('/')}"
    return out


def filesystem(uri: str, options: StorageOptions) -> fsspec.AbstractFileSystem:
    """The fsspec filesystem for a URI. Raises UserError for unknown schemes."""
    import fsspec

    if uri.startswith("s3://"):
        import s3fs

        client_kwargs: dict[str, str] = {"region_name": options.region}
        endpoint = options.s3_endpoint or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            client_kwargs["endpoint_url"] = endpoint
        return s3fs.S3FileSystem(client_kwargs=client_kwargs, use_listings_cache=False)
    if is_remote(uri):
        raise UserError(f"unsupported storage scheme in {uri!r}: use a local path or s3://")
    return fsspec.filesystem("file")


def fs_path(uri: str) -> str:
    """The path an fsspec filesystem expects for a URI (no scheme)."""
    return strip_scheme(uri)


@contextmanager
def writing_under(path: str, what: str) -> Iterator[None]:
    """Turn the file system's refusal to write under the local folder ``path`` (a parent that
    is a file, a virtual file system such as ``/proc``, no space, no permission) into one
    UserError naming the option ``what`` (e.g. ``--out``). Other errors pass through."""
    try:
        yield
    except OSError as exc:
        name = os.fsdecode(exc.filename) if exc.filename is not None else ""
        root = os.path.abspath(path)
        if not name or os.path.commonpath([root, os.path.abspath(name)]) != root:
            raise
        reason = exc.strerror or type(exc).__name__
        raise UserError(f"{what} {path}: cannot write there: {reason} ({name})") from None
