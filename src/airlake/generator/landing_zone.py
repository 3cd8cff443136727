"""Writing a generated landing zone hour by hour, and reading it back for tests and tools.

Each hour of traffic is drawn in batches of at most :data:`BATCH_FUNNELS` funnels. A batch's
events are counted into the ground truth, sorted by the hour they land in, their topic
partition and the time they were received (a redelivery right after its first delivery), and
rendered as runs of lines for the sink. Lines landing in later hours (late events, conversions,
redeliveries) wait in the sink; when the hour is over, its files are written.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from airlake.contract import TOPICS
from airlake.generator import faults, traffic
from airlake.generator.config import GeneratorConfig, campaigns
from airlake.generator.rendering import LineRenderer
from airlake.generator.sink import PARTITIONS, TOPIC_NAMES, Sink
from airlake.generator.traffic import HOUR, KINDS, CampaignColumns, Ints
from airlake.generator.truth import GroundTruth
from airlake.storage import StorageOptions, filesystem, fs_path, join

BATCH_FUNNELS = 100_000
"""Funnels drawn and rendered at once: bounds memory whatever the traffic of an hour."""
_TOPIC_OF_KIND = np.array([TOPIC_NAMES.index(TOPICS[k]) for k in KINDS])


def _random(seed: int) -> np.random.Generator:
    # Any integer seeds the run; the mapping to NumPy's non-negative seeds is one-to-one.
    return np.random.default_rng(2 * seed if seed >= 0 else -2 * seed - 1)


class _Run:
    """One generation: the random stream, the ground truth and the sink it feeds."""

    def __init__(self, config: GeneratorConfig, on_progress: Callable[[str], None]) -> None:
        self.config = config
        self.on_progress = on_progress
        self.rng = _random(config.seed)
        self.campaigns = campaigns(random.Random(config.seed), config.campaigns)
        self.columns = CampaignColumns.of(self.campaigns)
        self.renderer = LineRenderer(self.campaigns)
        self.truth = GroundTruth(config, self.campaigns)
        self.first_hour = (
            int(
                datetime(
                    config.start.year, config.start.month, config.start.day, tzinfo=UTC
                ).timestamp()
            )
            // 3600
        )
        self.sink = Sink(config.out, config.flush_size, self.first_hour)
        self.broken = 0
        self.pool: ThreadPoolExecutor | None = None

    def hour(self, hour: int, funnels: int) -> None:
        """Draw ``funnels`` funnels starting in ``hour`` (hours since the epoch) and the
        broken lines that come with them."""
        for first in range(0, funnels, BATCH_FUNNELS):
            self._batch(hour, min(BATCH_FUNNELS, funnels - first))
        rate = self.config.malformed_rate
        count = int(funnels * traffic.EVENTS_PER_FUNNEL * rate + self.rng.random())
        if count:
            self._broken(hour, count)

    def _batch(self, hour: int, n: int) -> None:
        cfg, rng = self.config, self.rng
        people = traffic.visitors(rng, cfg, self.columns, n)
        start = hour * HOUR + rng.integers(0, HOUR, n)
        ev = traffic.events(rng, cfg, self.columns, people, start)
        landing = ev.received // HOUR
        copies = np.flatnonzero(ev.redelivery >= 0)
        copy_landing = landing[copies] + ev.redelivery[copies]
        self.truth.events(ev, people, landing, copies, copy_landing)

        # Every line: the event it carries, where it lands, and its place in the partition.
        rows = np.concatenate([np.arange(len(ev)), copies])
        lands = np.concatenate([landing, copy_landing])
        received = np.concatenate([ev.received, ev.received[copies] + ev.redelivery[copies] * HOUR])
        redelivered = np.arange(len(rows)) >= len(ev)
        kind = ev.kind[rows]
        partition = _TOPIC_OF_KIND[kind] * PARTITIONS + (
            people.anonymous[ev.visitor[rows]] % np.uint64(PARTITIONS)
        ).astype(np.int64)
        # One sort key, unique per line: type, landing hour (counted from this one), partition,
        # millisecond received within the landing hour, redelivery after first delivery, row.
        later = lands - hour
        if len(rows) >= 1 << 22 or (len(later) and later.max() >= 1 << 12):
            raise AssertionError("a batch too large for the sort key")
        key = ((kind << 12 | later) << 4 | partition) << 22
        key = (key | (received - lands * HOUR) // 1000) << 1 | redelivered
        order = np.argsort(key << 22 | np.arange(len(rows)))
        rows, lands, partition, kind = rows[order], lands[order], partition[order], kind[order]

        blocks = self.renderer.visitors(people)
        bounds = np.flatnonzero(np.diff(kind)) + 1
        for segment in np.split(np.arange(len(rows)), bounds):
            if len(segment):
                self._runs(
                    hour,
                    self.renderer.lines(ev, rows[segment], blocks, people.campaign, self.pool),
                    lands[segment],
                    partition[segment],
                )

    def _runs(
        self,
        hour: int,
        blocks: list[tuple[bytearray, Ints]],
        lands: Ints,
        partition: Ints,
    ) -> None:
        """Hand rendered blocks to the sink, cut where the landing hour or partition changes.
        Lines of the current hour stay where they are; later ones are copied, so as not to
        keep whole blocks alive for days."""
        first = 0
        for data, ends in blocks:
            n = len(ends)
            block_lands, block_partition = lands[first : first + n], partition[first : first + n]
            cuts = np.flatnonzero((np.diff(block_lands) != 0) | (np.diff(block_partition) != 0)) + 1
            view = memoryview(data)
            for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), n], strict=True):
                begin = int(ends[a - 1]) if a else 0
                text = view[begin : int(ends[b - 1])]
                land = int(block_lands[a])
                self.sink.add(
                    land,
                    int(block_partition[a]),
                    (text if land == hour else bytes(text), ends[a:b] - begin),
                )
            first += n

    def _broken(self, hour: int, count: int) -> None:
        rng = random.Random(int(self.rng.integers(0, 2**63)))
        start = datetime.fromtimestamp(hour * 3600, tz=UTC)
        cfg = self.config
        lines = faults.broken_lines(
            rng, start, self.broken, count, cfg.late_window_days, cfg.max_line_bytes
        )
        self.broken += count
        self.truth.broken(hour, [line.reason for line in lines])
        lines.sort(key=lambda line: (line.topic, line.partition, line.second))
        for line in lines:
            number = TOPIC_NAMES.index(line.topic) * PARTITIONS + line.partition
            self.sink.add(hour, number, (line.raw + b"\n", np.array([len(line.raw) + 1])))

    def run(self) -> dict[str, Any]:
        cfg = self.config
        first = self.first_hour
        last = first + 24 * cfg.days - 1
        funnels_per_day = max(1, round(cfg.events_per_day / traffic.EVENTS_PER_FUNNEL))
        total_weight = sum(traffic.HOUR_WEIGHTS)
        hour = first
        with self.sink, ThreadPoolExecutor(2, thread_name_prefix="airlake-render") as self.pool:
            while hour <= last or self.sink:
                if hour <= last:
                    share = traffic.HOUR_WEIGHTS[hour % 24] / total_weight
                    self.hour(hour, int(funnels_per_day * share + self.rng.random()))
                self.sink.flush(hour)
                if hour % 24 == 23:
                    day = datetime.fromtimestamp(hour * 3600, tz=UTC).date()
                    self.on_progress(f"generated {day}: {self.sink.written:,} lines so far")
                hour += 1
        manifest = self.truth.manifest()
        fs = self.sink.fs
        with fs.open(fs_path(join(cfg.out, "_manifest.json")), "w") as fh:
            fh.write(json.dumps(manifest, sort_keys=True, indent=1))
        return manifest


def generate(
    config: GeneratorConfig, on_progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Write the landing zone and ``_manifest.json`` under ``config.out``; return the manifest.

    Deterministic: the same config writes byte-identical files. An existing landing zone at
    ``out`` is replaced.

    Args:
        config: what to generate, and where.
        on_progress: called with a line of progress after each generated day.

    Returns:
        The manifest (see :mod:`airlake.generator`).
    """
    fs = filesystem(config.out, StorageOptions())
    topics = fs_path(join(config.out, "topics"))
    if fs.exists(topics):
        fs.rm(topics, recursive=True)
    fs.makedirs(fs_path(config.out), exist_ok=True)
    return _Run(config, on_progress or (lambda message: None)).run()


def iter_lines(out: str) -> Iterator[tuple[str, bytes]]:
    """Every (file key, line) of a generated landing zone, for tests and tools."""
    fs = filesystem(out, StorageOptions())
    root = fs_path(out).rstrip("/")
    for path in sorted(fs.glob(f"{root}/topics/**/*.json")):
        with fs.open(path, "rb") as fh:
            data = fh.read()
        for line in data.split(b"\n")[:-1]:
            yield path[len(root) + 1 :], line


def load_manifest(out: str | Path) -> dict[str, Any]:
    return dict(json.loads(Path(out, "_manifest.json").read_text()))
