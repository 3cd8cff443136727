"""The landing zone: finding a landing day's files and reading them as numbered lines.

Files follow the Kafka Connect S3 sink layout (see :func:`airlake.contract.landing_key`). Reading
keeps every line — including lines that are not UTF-8 — with its file, line number and Kafka
offset, so nothing can be dropped silently on the way to the contract check.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from airlake.contract import LINE_PREFIX_BYTES
from airlake.errors import UserError
from airlake.storage import StorageOptions, filesystem, fs_path, is_remote

# ASCII digits only (re.ASCII): the sink writes 0-9, and a name with other digits
# (Arabic-Indic, full-width) is some other file, never read as the sink's
_KEY = re.compile(
    r"topics/(?P<topic>[^/]+)/year=(?P<y>\d{4})/month=(?P<m>\d{2})/day=(?P<d>\d{2})/hour=(?P<h>\d{2})/"
    r"(?P=topic)\+(?P<partition>\d+)\+(?P<offset>\d{10,})\.json(?P<gzip>\.gz)?$",
    re.ASCII,
)

LINES_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string()),
        pa.field("source_topic", pa.string()),
        pa.field("source_partition", pa.int32()),
        pa.field("source_offset", pa.int64()),
        pa.field("source_line", pa.int32()),
        pa.field("landing_date", pa.date32()),
        pa.field("landing_hour", pa.int32()),
        pa.field("line", pa.string()),
        pa.field("raw_bytes", pa.binary()),
        pa.field("too_long_bytes", pa.int64()),
    ]
)
"""One landing line. ``line`` is null and ``raw_bytes`` holds the bytes when not UTF-8. A line
longer than the limit has a null ``line``, its first :data:`LINE_PREFIX_BYTES` bytes in
``raw_bytes`` and its length in ``too_long_bytes`` (null for every other line)."""


@dataclass(frozen=True, slots=True)
class LandingFile:
    uri: str
    topic: str
    landing_date: date
    hour: int
    partition: int
    start_offset: int
    size: int
    version: str = ""
    """What changes when the object is rewritten: the S3 ETag, or the local modification time."""
    modified: float | None = None
    """When the object appeared (seconds since the epoch), where the storage says."""


def _modified(info: dict) -> float | None:
    value = info.get("mtime", info.get("LastModified"))
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value) if isinstance(value, int | float) else None


def _version(info: dict) -> str:
    for key in ("ETag", "etag", "mtime", "LastModified", "created"):
        if info.get(key) is not None:
            return str(info[key]).strip('"')
    return ""


def parse_key(uri: str, size: int = 0, version: str = "") -> LandingFile | None:
    """Parse a landing object key; None when the path is not in the sink layout."""
    match = _KEY.search(uri)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return LandingFile(
        uri=uri,
        topic=match["topic"],
        landing_date=day,
        hour=int(match["h"]),
        partition=int(match["partition"]),
        start_offset=int(match["offset"]),
        size=size,
        version=version,
    )


def _ls(fs: Any, path: str, landing_uri: str) -> list[dict]:
    """The entries of one folder; an absent folder has none, an unreadable one is an error
    naming it (a glob would skip it without a word)."""
    try:
        return list(fs.ls(path, detail=True))
    except FileNotFoundError:
        return []
    except OSError as exc:
        shown = path if not is_remote(landing_uri) else f"{landing_uri.split('://')[0]}://{path}"
        raise UserError(f"cannot list landing folder {shown}: {exc}") from None


@dataclass(frozen=True, slots=True)
class LandingDay:
    files: list[LandingFile]
    """The sink files, in landing order (hour, topic, partition, offset)."""
    others: list[LandingFile]
    """Every other file in the day's folders (a name the sink does not write: a temporary
    upload, a stray copy, a note); never read, counted and named in data quality. Only
    ``uri``, ``landing_date``, ``size`` and ``version`` are meaningful."""


def list_day(landing_uri: str, day: date, storage: StorageOptions) -> list[LandingFile]:
    """Every sink file of one landing day, in landing order (see :func:`scan_day`)."""
    return scan_day(landing_uri, day, storage).files


def scan_day(landing_uri: str, day: date, storage: StorageOptions) -> LandingDay:
    """The files of one landing day: the sink's, and any other file in the day's folders.

    Sink files are ``*.json`` and, from a sink with ``s3.compression.type=gzip``, ``*.json.gz``.
    Every folder on the way is listed explicitly: one that cannot be read fails the listing.
    """
    fs = filesystem(landing_uri, storage)
    root = fs_path(landing_uri).rstrip("/")
    try:
        exists = fs.exists(root)
    except OSError as exc:
        raise UserError(f"cannot read landing folder {landing_uri}: {exc}") from None
    if not exists:
        raise UserError(f"landing folder {landing_uri} does not exist")
    found: dict[str, dict] = {}
    for topic in _ls(fs, f"{root}/topics", landing_uri):
        if topic.get("type") != "directory":
            continue
        day_dir = f"{topic['name'].rstrip('/')}/year={day:%Y}/month={day:%m}/day={day:%d}"
        for hour in _ls(fs, day_dir, landing_uri):
            if hour.get("type") != "directory":
                found[hour["name"]] = hour
                continue
            for entry in _ls(fs, hour["name"], landing_uri):
                # a folder inside an hour folder is not the sink's either
                found[entry["name"].rstrip("/")] = entry
    files: list[LandingFile] = []
    others: list[LandingFile] = []
    prefix = landing_uri.split("://", 1)[0] + "://" if is_remote(landing_uri) else ""
    for path, info in sorted(found.items()):
        size, version = int(info.get("size") or 0), _version(info)
        if not _utf8(path):
            # a name with bytes that are not UTF-8 (the OS hands them over as lone
            # surrogates): never the sink's; named with those bytes escaped (\xff), so every
            # table and message can hold it
            shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            others.append(LandingFile(f"{prefix}{shown}", "", day, 0, 0, 0, size, version))
            continue
        parsed = parse_key(f"{prefix}{path}", size, version)
        if parsed is not None and info.get("type") == "file" and parsed.landing_date == day:
            files.append(replace(parsed, modified=_modified(info)))
        else:
            others.append(LandingFile(f"{prefix}{path}", "", day, 0, 0, 0, size, version))
    files.sort(key=lambda f: (f.hour, f.topic, f.partition, f.start_offset))
    return LandingDay(files, others)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def relative_name(landing_uri: str, file_uri: str) -> str:
    """The file's key relative to the landing root (what quarantine rows and lineage show)."""
    root = landing_uri.rstrip("/") + "/"
    return file_uri[len(root) :] if file_uri.startswith(root) else file_uri


def _split(text: str) -> pa.Array:
    """The lines of valid text; a trailing newline ends the last line."""
    import pyarrow.compute as pc

    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
    if text.endswith("\n"):
        lines = lines.slice(0, len(lines) - 1)
    return lines.cast(pa.string())


def _cut_long_lines(
    texts: pa.Array, raws: pa.Array, max_line_bytes: int | None, known: dict[int, int]
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(texts, raws, too_long_bytes) with every line longer than ``max_line_bytes`` cut to its
    first :data:`LINE_PREFIX_BYTES` bytes, kept as bytes: such a line is never parsed.
    ``known`` holds the true lengths of lines :func:`read_content` already cut."""
    import pyarrow.compute as pc

    none = pa.nulls(len(texts), pa.int64())
    if max_line_bytes is None or not len(texts):
        return texts, raws, none
    as_bytes = pc.coalesce(texts.cast(pa.binary()), raws)
    lengths = pc.binary_length(as_bytes).cast(pa.int64())
    if known:
        values = lengths.to_numpy(zero_copy_only=False).copy()
        for index, length in known.items():
            values[index] = length
        lengths = pa.array(values, pa.int64())
    if pc.max(lengths).as_py() <= max_line_bytes:
        return texts, raws, none
    long = pc.fill_null(pc.greater(lengths, max_line_bytes), False)
    return (
        pc.if_else(long, pa.scalar(None, pa.string()), texts),
        pc.if_else(long, pc.binary_slice(as_bytes, 0, LINE_PREFIX_BYTES), raws),
        pc.if_else(long, lengths, pa.scalar(None, pa.int64())),
    )


def _file_lines(data: bytes) -> tuple[pa.Array, pa.Array]:
    """(line strings, raw bytes) of one file's content; null string where not UTF-8.

    Content that is UTF-8 throughout (the common case) is cut at its newlines with NumPy and
    handed to Arrow without decoding it line by line (see :func:`_split_utf8`); other content
    goes through :func:`_file_lines_in_runs`.
    """
    try:
        data.decode("utf-8")  # validates the whole file at C speed
    except UnicodeDecodeError:
        return _file_lines_in_runs(data)
    lines = _split_utf8(data)
    return lines, pa.nulls(len(lines), pa.binary())


def _split_utf8(data: bytes) -> pa.Array:
    """The lines of UTF-8 ``data`` as one string array: the newlines are taken out of the
    buffer (one copy) and the lines' offsets computed from theirs, so no line is a Python
    object. A trailing newline ends the last line."""
    import numpy as np

    if not data:
        return pa.array([], pa.string())
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    count = len(newlines) + (0 if data.endswith(b"\n") else 1)
    starts = np.empty(count + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:count] = newlines[: count - 1] + 1
    # line i starts after i newlines, which the compacted buffer no longer holds
    offsets = starts - np.arange(count + 1, dtype=np.int64)
    compact = buf[buf != 10]
    offsets[count] = len(compact)
    if len(compact) >= 2**31:
        return _split(data.decode("utf-8"))
    return pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(compact)
    )


def _file_lines_in_runs(data: bytes) -> tuple[pa.Array, pa.Array]:
    """(line strings, raw bytes) of content that is not UTF-8 throughout.

    The content is decoded in runs: up to the line holding a byte that is not UTF-8, that line
    kept as bytes, then on from the next line, so a file with a few bad lines costs a few
    decodes, not one per line.
    """
    texts: list[pa.Array] = []
    raws: list[pa.Array] = []
    start = 0
    while start < len(data):
        try:
            text = data[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = start + exc.start
            line_start = data.rfind(b"\n", start, bad) + 1 or start
            line_end = data.find(b"\n", bad)
            line_end = len(data) if line_end < 0 else line_end
            if line_start > start:
                good = _split(data[start:line_start].decode("utf-8"))
                texts.append(good)
                raws.append(pa.nulls(len(good), pa.binary()))
            texts.append(pa.nulls(1, pa.string()))
            raws.append(pa.array([data[line_start:line_end]], pa.binary()))
            start = line_end + 1
            continue
        good = _split(text)
        texts.append(good)
        raws.append(pa.nulls(len(good), pa.binary()))
        break
    if not texts:
        return pa.array([], pa.string()), pa.array([], pa.binary())
    return pa.concat_arrays(texts), pa.concat_arrays(raws)


def _batch(parts: list[tuple[LandingFile, str, pa.Array, pa.Array, pa.Array]]) -> pa.Table:
    import numpy as np

    counts = [len(lines) for _, _, lines, _, _ in parts]
    file_index = np.repeat(np.arange(len(parts), dtype=np.int32), counts)

    def constant(values: list, type_: pa.DataType) -> pa.Array:
        return pa.array(values, type_).take(pa.array(file_index))

    offsets = np.concatenate(
        [
            np.arange(f.start_offset, f.start_offset + n, dtype=np.int64)
            for (f, _, _, _, _), n in zip(parts, counts, strict=True)
        ]
    )
    numbers = np.concatenate([np.arange(1, n + 1, dtype=np.int32) for n in counts])
    return pa.Table.from_arrays(
        [
            constant([name for _, name, _, _, _ in parts], pa.string()),
            constant([f.topic for f, _, _, _, _ in parts], pa.string()),
            constant([f.partition for f, _, _, _, _ in parts], pa.int32()),
            pa.array(offsets, pa.int64()),
            pa.array(numbers, pa.int32()),
            constant([f.landing_date for f, _, _, _, _ in parts], pa.date32()),
            constant([f.hour for f, _, _, _, _ in parts], pa.int32()),
            pa.concat_arrays([lines for _, _, lines, _, _ in parts]),
            pa.concat_arrays([raws for _, _, _, raws, _ in parts]),
            pa.concat_arrays([cut for _, _, _, _, cut in parts]),
        ],
        schema=LINES_SCHEMA,
    )


def read_batches(
    landing_uri: str,
    files: Sequence[LandingFile],
    storage: StorageOptions,
    batch_bytes: int = 64 * 1024 * 1024,
    max_line_bytes: int | None = None,
) -> Iterator[pa.Table]:
    """Yield the files' lines as Arrow tables of :data:`LINES_SCHEMA`, about ``batch_bytes`` each.
    Lines longer than ``max_line_bytes`` are cut (see :data:`LINES_SCHEMA`).

    A trailing newline ends the last line; it does not start an empty one. Every other piece
    between newlines is a line, empty ones included (they are quarantined, not skipped).
    The next batch is read while the caller works on this one; memory stays at about three
    batches, whatever the size of the day.
    """
    return _read_ahead(_batches(landing_uri, files, storage, batch_bytes, max_line_bytes))


def _read_ahead(batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """Yield ``batches`` while a thread makes the next one, so that reading and splitting the
    files overlaps the engine's work on the current batch. An error reading is raised here,
    in the caller's thread; a caller that stops early stops the thread."""
    import queue
    import threading

    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(("batch", batch)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the caller's thread, raised there
            put(("error", exc))

    thread = threading.Thread(target=produce, name="landing-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


_CHUNK_BYTES = 8 << 20


def _chunks(fh: Any, gz: bool) -> Iterator[bytes]:
    """The content of an open sink file in pieces of at most :data:`_CHUNK_BYTES`, gunzipped
    (every gzip member, as ``gzip.decompress`` does) when ``gz``: a small file that expands
    without bound is never held whole."""
    if not gz:
        while piece := fh.read(_CHUNK_BYTES):
            yield piece
        return
    inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    in_member = False
    while compressed := fh.read(_CHUNK_BYTES):
        while compressed:
            in_member = True
            yield inflate.decompress(compressed, _CHUNK_BYTES)
            compressed = inflate.unconsumed_tail
            while not compressed and not inflate.eof:  # output zlib still holds
                if not (held := inflate.decompress(b"", _CHUNK_BYTES)):
                    break
                yield held
            if inflate.eof:
                compressed = inflate.unused_data + compressed
                inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
                in_member = False
                if not compressed.strip(b"\0"):  # padding after the last member
                    compressed = b""
    if in_member:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")


def read_content(fh: Any, gz: bool, max_line_bytes: int | None) -> tuple[bytes, dict[int, int]]:
    """(content, {line index: length}) of an open sink file, where a line that grows past
    ``max_line_bytes`` across pieces keeps only its first :data:`LINE_PREFIX_BYTES` bytes and
    its true length goes in the map: memory follows the limit, not the line (a 2 MB gzip can
    hold a 2 GiB line). Lines within one piece stay whole; the cut of
    :func:`_cut_long_lines` takes them."""
    pieces: list[bytes] = []
    long: dict[int, int] = {}
    open_len = 0  # bytes of the last, unterminated line (dropped bytes included)
    dropping = False
    for piece in _chunks(fh, gz):
        if dropping:
            nl = piece.find(b"\n")
            if nl < 0:
                open_len += len(piece)
                continue
            long[sum(p.count(b"\n") for p in pieces)] = open_len + nl
            dropping, open_len, piece = False, 0, piece[nl:]
        pieces.append(piece)
        last = piece.rfind(b"\n")
        open_len = open_len + len(piece) if last < 0 else len(piece) - last - 1
        if max_line_bytes is not None and open_len > max(max_line_bytes, _CHUNK_BYTES):
            _drop_tail(pieces, open_len - LINE_PREFIX_BYTES)
            dropping = True
    if dropping:
        long[sum(p.count(b"\n") for p in pieces)] = open_len
    return (pieces[0] if len(pieces) == 1 else b"".join(pieces)), long


def _drop_tail(pieces: list[bytes], n: int) -> None:
    """Take the last ``n`` bytes off the pieces."""
    while n > 0:
        if len(pieces[-1]) <= n:
            n -= len(pieces.pop())
        else:
            pieces[-1] = pieces[-1][: len(pieces[-1]) - n]
            n = 0


def _batches(
    landing_uri: str,
    files: Sequence[LandingFile],
    storage: StorageOptions,
    batch_bytes: int,
    max_line_bytes: int | None,
) -> Iterator[pa.Table]:
    fs = filesystem(landing_uri, storage)
    parts: list[tuple[LandingFile, str, pa.Array, pa.Array, pa.Array]] = []
    pending = 0
    for f in files:
        try:
            with fs.open(fs_path(f.uri), "rb") as fh:
                data, long = read_content(fh, f.uri.endswith(".gz"), max_line_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            raise UserError(f"cannot read landing file {f.uri}: {exc}") from None
        if not data:
            continue
        lines, raws, cut = _cut_long_lines(*_file_lines(data), max_line_bytes, long)
        parts.append((f, relative_name(landing_uri, f.uri), lines, raws, cut))
        pending += len(data)
        if pending >= batch_bytes:
            yield _batch(parts)
            parts, pending = [], 0
    if parts:
        yield _batch(parts)


def day_complete(landing_uri: str, day: date, storage: StorageOptions) -> bool:
    """Whether the sink has finished writing ``day``: it has written files for a later day, or
    every topic that wrote on ``day`` has reached hour 23 (the sink only opens an hour folder
    once records of that hour arrive)."""
    from datetime import timedelta

    files = list_day(landing_uri, day, storage)
    if not files:
        return False
    if list_day(landing_uri, day + timedelta(days=1), storage):
        return True
    topics = {f.topic for f in files}
    return all(any(f.topic == t and f.hour == 23 for f in files) for t in topics)
