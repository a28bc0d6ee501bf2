"""Helpers for the exactly-once tests: a producer that keeps writing and
remembers where every record landed, `karrow run` invocations, and the
ledger checks of a sink folder (rows and dead letters) against what was
produced."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from karrow_testing import built_file


# What a raw_string source says of a value that is not UTF-8.
NOT_UTF8 = "value is not valid UTF-8 (format raw_string); use format raw_bytes to read binary values"

# `karrow run` options that drop bad records into the dead-letter/ folder.
DEAD_LETTER_ARGS = ("--bad-data", "drop", "-S", "dead_letter=true")


class LedgerProducer:
    """Writes unique values ("<n>") round-robin over the partitions from a
    background thread; `produced` maps (partition, offset) -> value for
    every acknowledged record. With `bad_every`, every bad_every-th value is
    bad data instead (b"\\xff<n>", not UTF-8), and `bad` maps its
    (partition, offset) -> value."""

    def __init__(self, bootstrap: str, topic: str, partitions: int, per_second: float = 2000, partition_list=None,
                 bad_every: int = 0):
        self.topic = topic
        self.partitions = list(partition_list) if partition_list is not None else list(range(partitions))
        self.per_second = per_second
        self.bad_every = bad_every
        self.produced: dict[tuple[int, int], str] = {}
        self.bad: dict[tuple[int, int], bytes] = {}
        self.errors: list[str] = []
        self._next = 0
        self._stop = threading.Event()
        self._producer = Producer(
            {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "enable.idempotence": True}
        )
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _on_delivery(self, err, msg):
        if err is not None:
            self.errors.append(str(err))
        elif msg.value().startswith(b"\xff"):
            self.bad[(msg.partition(), msg.offset())] = msg.value()
        else:
            self.produced[(msg.partition(), msg.offset())] = msg.value().decode()

    def produce(self, count: int) -> None:
        """Writes `count` records now (from the calling thread)."""
        for _ in range(count):
            self._one()
        self._producer.flush(60)

    def _one(self) -> None:
        value = f"{self._next}".encode()
        if self.bad_every and self._next % self.bad_every == self.bad_every - 1:
            value = b"\xff" + value
        partition = self.partitions[self._next % len(self.partitions)]
        self._next += 1
        while True:
            try:
                self._producer.produce(self.topic, value=value, partition=partition, on_delivery=self._on_delivery)
                return
            except BufferError:
                self._producer.poll(0.05)

    def _run(self) -> None:
        start = time.monotonic()
        sent = 0
        while not self._stop.is_set():
            due = int((time.monotonic() - start) * self.per_second)
            while sent < due:
                self._one()
                sent += 1
            self._producer.poll(0.01)

    def start(self) -> "LedgerProducer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        assert self._producer.flush(60) == 0, "records still undelivered after 60 s"
        assert not self.errors, f"delivery failed: {self.errors[:5]}"


def topic_contents(bootstrap: str, topic: str) -> dict[tuple[int, int], str]:
    """(partition, offset) -> value of every record in the topic, read by an
    independent consumer (confluent-kafka's own librdkafka). The truth when
    delivery reports cannot be: a produce retried across a leader change
    can be acknowledged without an offset."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "ledger-reader", "enable.auto.commit": False,
                         "enable.partition.eof": True})
    try:
        partitions = consumer.list_topics(topic, timeout=60).topics[topic].partitions
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=60) for p in partitions}
        wanted = [TopicPartition(topic, p, low) for p, (low, high) in ends.items() if high > low]
        out: dict[tuple[int, int], str] = {}
        consumer.assign(wanted)
        remaining = {tp.partition for tp in wanted}
        deadline = time.monotonic() + 60
        while remaining:
            assert time.monotonic() < deadline, f"partitions {remaining} not read to their end within 60 s"
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                assert msg.error().code() == KafkaError._PARTITION_EOF, msg.error()
                if msg.offset() >= ends[msg.partition()][1]:
                    remaining.discard(msg.partition())
                continue
            out[(msg.partition(), msg.offset())] = msg.value().decode()
        return out
    finally:
        consumer.close()


def karrow_run_args(bootstrap: str, topic: str, work: Path, *extra: str, parallelism: int = 2,
                    interval: str = "200ms") -> list[str]:
    return [
        built_file("karrow", "KARROW_CLI"), "run", "-b", bootstrap, "-t", topic,
        "--parallelism", str(parallelism),
        "--checkpoint-dir", str(work / "checkpoints"),
        "--checkpoint-interval", interval,
        "--sink-dir", str(work / "out"),
        "--metadata", "partition,offset_id",
        "--linger-ms", "20",
        "-S", "connect_timeout_ms=60000",  # a busy broker's first answers may be slow
        *extra,
    ]


def start_run(bootstrap: str, topic: str, work: Path, *extra: str, env: dict | None = None, stderr=subprocess.PIPE,
              **kw) -> subprocess.Popen:
    return subprocess.Popen(
        karrow_run_args(bootstrap, topic, work, *extra, **kw),
        stdout=subprocess.DEVNULL, stderr=stderr, text=True,
        env={**os.environ, **(env or {})},
    )


def parse_summary(stderr: str) -> dict[str, str]:
    """The key=value pairs of `karrow run`'s last line."""
    lines = [l for l in stderr.splitlines() if l.startswith("karrow run: ")]
    assert lines, f"no summary line in:\n{stderr}"
    return dict(kv.split("=", 1) for kv in lines[-1][len("karrow run: "):].split())


def run_to_end(bootstrap: str, topic: str, work: Path, *extra: str, timeout: float = 120, **kw) -> dict[str, str]:
    """A bounded run (-e) that must end with its final checkpoint."""
    proc = subprocess.run(
        karrow_run_args(bootstrap, topic, work, "-e", *extra, **kw),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    summary = parse_summary(proc.stderr)
    assert summary["finish"] == "final", proc.stderr
    summary["stderr"] = proc.stderr
    return summary


def published_files(sink_dir: Path, prefix: str = "") -> list[Path]:
    """Published output files in publish order (one job's names sort that
    way); with `prefix` ("<job>@<topic>@"), only that job's."""
    return sorted(p for p in sink_dir.iterdir()
                  if p.is_file() and p.suffix in (".arrows", ".ndjson") and p.name.startswith(prefix))


def read_published(sink_dir: Path, prefix: str = "") -> list[tuple[str, pa.Table]]:
    out = []
    for path in published_files(sink_dir, prefix):
        table = pa.ipc.open_stream(path).read_all()
        table.validate(full=True)
        assert table.num_rows > 0, f"{path.name} is empty"
        out.append((path.name, table))
    return out


def check_ledger(produced: dict[tuple[int, int], str], sink_dir: Path, prefix: str = "") -> int:
    """Every produced (partition, offset, value) is in the published output
    (with `prefix`, in that job's files) exactly once, nothing else is, and
    per partition the offsets strictly increase across files in publish
    order. Returns the rows checked."""
    seen: dict[tuple[int, int], str] = {}
    last_offset: dict[int, int] = defaultdict(lambda: -1)
    duplicates, unknown, wrong, backwards = [], [], [], []
    for name, table in read_published(sink_dir, prefix):
        cols = table.to_pydict()
        for value, partition, offset in zip(cols["value"], cols["partition"], cols["offset_id"]):
            key = (partition, offset)
            if key in seen:
                duplicates.append((name, key))
            elif key not in produced:
                unknown.append((name, key, value))
            elif produced[key] != value:
                wrong.append((name, key, value, produced[key]))
            if offset <= last_offset[partition]:
                backwards.append((name, partition, last_offset[partition], offset))
            last_offset[partition] = max(last_offset[partition], offset)
            seen[key] = value
    missing = sorted(set(produced) - set(seen))
    assert not duplicates, f"{len(duplicates)} duplicates, first: {duplicates[:5]}"
    assert not unknown, f"{len(unknown)} rows never produced, first: {unknown[:5]}"
    assert not wrong, f"{len(wrong)} rows with the wrong value, first: {wrong[:5]}"
    assert not backwards, f"offsets went backwards: {backwards[:5]}"
    assert not missing, f"{len(missing)} of {len(produced)} records missing, first: {missing[:10]}"
    return len(seen)


def check_dead_letters(bad: dict[tuple[int, int], bytes], dead_letter_dir: Path, topic: str) -> int:
    """Every bad record is in the published dead letters exactly once, with
    its value and the reason, nothing else is, and per partition the offsets
    strictly increase across files in publish order. Returns the dead letters
    checked."""
    seen: set[tuple[int, int]] = set()
    last_offset: dict[int, int] = defaultdict(lambda: -1)
    duplicates, unknown, wrong, backwards = [], [], [], []
    published = read_published(dead_letter_dir) if dead_letter_dir.exists() else []
    for name, table in published:
        for row in table.to_pylist():
            key = (row["partition"], row["offset"])
            if key in seen:
                duplicates.append((name, key))
            elif key not in bad:
                unknown.append((name, key, row["value"]))
            elif (row["topic"], row["value"], row["line"], row["error"]) != (topic, bad[key], None, NOT_UTF8):
                wrong.append((name, row))
            if row["offset"] <= last_offset[row["partition"]]:
                backwards.append((name, row["partition"], last_offset[row["partition"]], row["offset"]))
            last_offset[row["partition"]] = max(last_offset[row["partition"]], row["offset"])
            seen.add(key)
    missing = sorted(set(bad) - seen)
    assert not duplicates, f"{len(duplicates)} duplicate dead letters, first: {duplicates[:5]}"
    assert not unknown, f"{len(unknown)} dead letters of records that are not bad, first: {unknown[:5]}"
    assert not wrong, f"{len(wrong)} wrong dead letters, first: {wrong[:5]}"
    assert not backwards, f"dead-letter offsets went backwards: {backwards[:5]}"
    assert not missing, f"{len(missing)} of {len(bad)} bad records missing from the dead letters: {missing[:10]}"
    return len(seen)


def wait_for(condition, what, timeout: float = 60.0):
    """Polls `condition()` until it returns a true value, and returns that.
    `timeout` only bounds a hang: it is never a speed target, so it is
    generous for a busy machine. `what` (a string, or a function returning
    one) says in the failure what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what() if callable(what) else what}")
        time.sleep(0.05)


def completed_epochs(checkpoint_dir: Path) -> list[int]:
    """Epochs of the complete checkpoints (those with a _manifest), oldest
    first; safe to call while a run writes and prunes them."""
    return sorted(int(m.parent.name[4:]) for m in checkpoint_dir.glob("chk-*/_manifest"))


def completed_checkpoint_offsets(checkpoint_dir: Path) -> dict[int, int] | None:
    """partition -> next offset of the newest complete checkpoint, None when
    there is none yet; safe to call while a run writes and prunes them."""
    try:
        return checkpoint_offsets(checkpoint_dir, completed_only=True)[1] or None
    except (IndexError, FileNotFoundError):  # none yet, or pruned while read
        return None


def staged_rows(sink_dir: Path) -> int:
    """Rows in the staged (not yet published) Arrow files of a running
    `karrow run`: every batch written so far, a half-written last one left out."""
    rows = 0
    for path in (sink_dir / ".staging").glob("*.arrows"):
        try:
            with pa.ipc.open_stream(path) as reader:
                while True:
                    rows += reader.read_next_batch().num_rows
        except (StopIteration, pa.ArrowInvalid, OSError):
            pass  # the end of what is written so far
    return rows


def checkpoint_offsets(checkpoint_dir: Path, completed_only: bool = False) -> tuple[int, dict[int, int]]:
    """(epoch, partition -> next offset) of the newest checkpoint folder (with
    `completed_only`, of the newest one with a _manifest)."""
    if completed_only:
        newest = sorted(m.parent for m in checkpoint_dir.glob("chk-*/_manifest"))[-1]
    else:
        newest = sorted(checkpoint_dir.glob("chk-*"))[-1]
    offsets = {}
    for state in newest.glob("task-*.state"):
        lines = state.read_text().splitlines()
        assert lines[0] == "karrow-state 1"
        for line in lines[1:]:
            table, key, value = line.split(" ")
            assert table == "offsets"
            offsets[int(key.rsplit(":", 1)[1])] = int(value)
    return int(newest.name[4:]), offsets
