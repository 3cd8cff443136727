"""Landing files as a Kafka Connect S3 sink writes them.

Lines are handed in as *runs*: rendered text for one landing hour and one topic partition, with
the offset where each line ends. A partition's lines of an hour are written in the order their
runs came, ``flush_size`` lines to a file, each file named after the Kafka offset of its first
line (offsets count on per partition). As in the sink, a file is written as soon as it is full
(for the open hour: every earlier hour is written already, so its offsets are known) and the
rest when the hour is over.

Files are written by one background thread, one batch of files behind, so that waiting on
storage and making lines overlap.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from types import TracebackType

import numpy as np
import numpy.typing as npt

from airlake.contract import TOPICS, landing_key
from airlake.storage import StorageOptions, filesystem, fs_path, join

PARTITIONS = 3
TOPIC_NAMES = tuple(sorted(set(TOPICS.values())))
"""Topics by their code in a topic partition number (``topic * PARTITIONS + partition``)."""

Run = tuple[bytes | bytearray | memoryview, npt.NDArray[np.int64]]
File = tuple[str, list[memoryview]]


class Sink:
    """Collects runs per landing hour and writes files as they fill and when an hour is over;
    a context manager (leaving it waits for the files being written).

    Args:
        out: the landing root.
        flush_size: lines per file.
        first_hour: the first landing hour (hours since the epoch).
    """

    def __init__(self, out: str, flush_size: int, first_hour: int) -> None:
        self.out = out
        self.flush_size = flush_size
        self.fs = filesystem(out, StorageOptions())
        self.offsets: dict[int, int] = defaultdict(int)
        self.written = 0
        self._open = first_hour
        self._pending: dict[int, dict[int, list[Run]]] = defaultdict(lambda: defaultdict(list))
        self._count: dict[int, int] = defaultdict(int)  # lines pending per partition, open hour
        self._folders: set[str] = set()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="airlake-sink")
        self._writing: Future[None] | None = None

    def __enter__(self) -> Sink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self._wait()
        finally:
            self._writer.shutdown(wait=True, cancel_futures=True)

    def __bool__(self) -> bool:
        """Whether lines are waiting to be written."""
        return bool(self._pending)

    def add(self, hour: int, partition: int, run: Run) -> None:
        """Queue ``run`` for the topic partition number ``partition`` in ``hour`` (hours since
        the epoch, not before the open one). ``run`` is kept as it is: copy text that shares
        memory with more."""
        if not len(run[1]):
            return
        self._pending[hour][partition].append(run)
        if hour == self._open:
            self._count[partition] += len(run[1])
            full = self._count[partition] // self.flush_size * self.flush_size
            if full:
                self._submit(self._files(hour, partition, full))

    def flush(self, hour: int) -> None:
        """Write the rest of the open hour ``hour``; the next one opens."""
        if hour != self._open:
            raise ValueError(f"hour {hour} is not the open hour {self._open}")
        files: list[File] = []
        for partition in sorted(self._pending.get(hour, {})):
            files += self._files(hour, partition, self._count[partition])
        self._pending.pop(hour, None)
        self._open = hour + 1
        self._count = defaultdict(int)
        for partition, runs in self._pending.get(self._open, {}).items():
            self._count[partition] = sum(len(ends) for _, ends in runs)
        self._submit(files)

    def _files(self, hour: int, partition: int, lines: int) -> list[File]:
        """The first ``lines`` pending lines of ``partition`` in ``hour``, cut into files of
        ``flush_size`` lines (the last one may be short); the rest stays pending."""
        runs = self._pending[hour][partition]
        start = datetime.fromtimestamp(hour * 3600, tz=UTC)
        files: list[File] = []
        pieces: list[memoryview] = []
        count = emitted = 0
        rest: list[Run] = []
        for index, (data, ends) in enumerate(runs):
            view = memoryview(data)
            taken = 0
            while taken < len(ends) and emitted < lines:
                take = min(self.flush_size - count, len(ends) - taken, lines - emitted)
                begin = int(ends[taken - 1]) if taken else 0
                pieces.append(view[begin : int(ends[taken + take - 1])])
                count += take
                taken += take
                emitted += take
                if count == self.flush_size:
                    files.append(self._file(start, partition, pieces, count))
                    pieces, count = [], 0
            if emitted == lines:
                if taken < len(ends):
                    begin = int(ends[taken - 1]) if taken else 0
                    rest.append((view[begin:], ends[taken:] - begin))
                rest += runs[index + 1 :]
                break
        if count:
            files.append(self._file(start, partition, pieces, count))
        self._pending[hour][partition] = rest
        self._count[partition] -= emitted
        return files

    def _file(self, start: datetime, number: int, pieces: list[memoryview], count: int) -> File:
        topic, partition = TOPIC_NAMES[number // PARTITIONS], number % PARTITIONS
        key = landing_key(
            topic, start.year, start.month, start.day, start.hour, partition, self.offsets[number]
        )
        self.offsets[number] += count
        self.written += count
        return fs_path(join(self.out, key)), pieces

    def _submit(self, files: list[File]) -> None:
        if files:
            self._wait()
            self._writing = self._writer.submit(self._write, files)

    def _wait(self) -> None:
        if self._writing is not None:
            self._writing.result()
            self._writing = None

    def _write(self, files: list[File]) -> None:
        for path, pieces in files:
            folder = path.rsplit("/", 1)[0]
            if folder not in self._folders:
                self.fs.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            with self.fs.open(path, "wb") as fh:
                for piece in pieces:
                    fh.write(piece)
