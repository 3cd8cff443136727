"""Zip files for the tests, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """A zip whose central directory claims ``member`` unpacks to ``size`` bytes (the data stay
    small): what a zip bomb's directory looks like, built in no time."""
    out = bytearray(data)
    at = 0
    while (at := out.find(b"PK\x01\x02", at)) >= 0:
        (name_len,) = struct.unpack_from("<H", out, at + 28)
        if out[at + 46 : at + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, at + 24, size)
        at += 4
    return bytes(out)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()
