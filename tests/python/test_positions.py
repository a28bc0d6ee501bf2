"""Where reading starts and stops (docs/semantics.md §2, §5, §7, and the
bounded runs of the README's "Exactly once: `karrow run`"), against a real
broker."""

from __future__ import annotations

import subprocess
import time

import pytest
from confluent_kafka import TopicPartition

from exactly_once import check_ledger, karrow_run_args, parse_summary, run_to_end
from kafka_helpers import admin_client, produce
from karrow_testing import fails_after, karrow, open_reader, read_table

BASE_TS = 1_700_000_000_000


def offsets_by_partition(table) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    cols = table.to_pydict()
    for p, o in zip(cols["partition"], cols["offset_id"]):
        out.setdefault(p, []).append(o)
    return {p: sorted(v) for p, v in out.items()}


def timed_records(n: int, partitions: int = 1) -> list[dict]:
    # One record per second of event time, so timestamps map to offsets.
    return [{"value": f"v{i}".encode(), "partition": i % partitions, "timestamp": BASE_TS + 1000 * i}
            for i in range(n)]


def read(topic, bootstrap, **options):
    with open_reader(topic, bootstrap, metadata_fields=["partition", "offset_id"], **options) as r:
        return read_table(r)


def test_start_at_timestamp(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=1)
    produce(kafka_bootstrap, topic, timed_records(30))
    table = read(topic, kafka_bootstrap, offset_mode="timestamp", start_timestamp_ms=BASE_TS + 10_000)
    assert offsets_by_partition(table) == {0: list(range(10, 30))}


def test_start_at_timestamp_after_every_record_reads_only_newer(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=1)
    produce(kafka_bootstrap, topic, timed_records(5))
    start = BASE_TS + 3_600_000
    # The start (the end, offset 5: no record is that new) is fixed when the
    # reader opens; the records produced after it, at and past the start
    # time, must be read, and only they. Stop offsets bound the read.
    reader = open_reader(topic, kafka_bootstrap, metadata_fields=["partition", "offset_id"],
                         offset_mode="timestamp", start_timestamp_ms=start, stop_at_end=False,
                         stop_offsets="0:8")
    produce(kafka_bootstrap, topic, [{"value": f"n{i}".encode(), "timestamp": start + 1000 * i}
                                     for i in range(3)])
    with fails_after(60, "reading the three records produced after opening"):
        table = read_table(reader)
    assert offsets_by_partition(table) == {0: [5, 6, 7]}
    assert table.column("value").to_pylist() == ["n0", "n1", "n2"]


def test_start_at_explicit_offsets_unlisted_partition_from_earliest(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, timed_records(20, partitions=2))
    table = read(topic, kafka_bootstrap, offset_mode="offsets", start_offsets="0:6")
    assert offsets_by_partition(table) == {0: list(range(6, 10)), 1: list(range(10))}


def test_bounded_by_stop_offsets(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, timed_records(20, partitions=2))
    table = read(topic, kafka_bootstrap, stop_at_end=False, stop_offsets="0:3,1:7")
    assert offsets_by_partition(table) == {0: [0, 1, 2], 1: list(range(7))}


def test_stop_offsets_must_cover_every_partition(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=2)
    with pytest.raises(karrow.KarrowError, match="stop_offsets has no offset for partition 1"):
        read(topic, kafka_bootstrap, stop_at_end=False, stop_offsets="0:3")


def test_bounded_by_stop_timestamp(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=1)
    produce(kafka_bootstrap, topic, timed_records(30))
    table = read(topic, kafka_bootstrap, stop_at_end=False, stop_timestamp_ms=BASE_TS + 12_000)
    assert offsets_by_partition(table) == {0: list(range(12))}


def test_until_caught_up_ends_at_the_offsets_seen_at_start(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, timed_records(100, partitions=2))
    with open_reader(topic, kafka_bootstrap, metadata_fields=["partition", "offset_id"]) as reader:
        # Records written after the start are past this run's end.
        produce(kafka_bootstrap, topic, timed_records(50, partitions=2))
        table = read_table(reader)
    assert offsets_by_partition(table) == {0: list(range(50)), 1: list(range(50))}


def test_s3_7_rate_limit_holds_the_configured_rate(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, timed_records(1000, partitions=2))
    start = time.monotonic()
    table = read(topic, kafka_bootstrap, messages_per_second=1000)
    elapsed = time.monotonic() - start
    assert table.num_rows == 1000
    # 1000 messages at 1000/s with a burst of 100: at least 0.9 s. (A lower
    # bound only: how fast it could go is the benchmarks' business.)
    assert elapsed >= 0.85, elapsed


def test_s3_5_out_of_range_checkpoint_fails_clearly_or_skips_when_asked(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=1)
    produce(kafka_bootstrap, topic, timed_records(100))
    # A checkpoint at offset 30, then retention takes offsets up to 60.
    run_to_end(kafka_bootstrap, topic, tmp_path, "-S", "stop_offsets=0:30", parallelism=1)
    admin = admin_client(kafka_bootstrap)
    for f in admin.delete_records([TopicPartition(topic, 0, 60)]).values():
        f.result(timeout=30)

    failed = subprocess.run(karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e", parallelism=1),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
    assert failed.returncode == 1
    assert f"topic '{topic}' partition 0 offset 30 is out of range" in failed.stderr
    assert "on_out_of_range" in failed.stderr  # says what to do

    summary = run_to_end(kafka_bootstrap, topic, tmp_path, "-S", "on_out_of_range=earliest", parallelism=1)
    assert "skips the gap [30, 60)" in summary["stderr"]
    assert summary["offset_gaps"] == "1" and summary["skipped_offsets"] == "30"
    produced = {(0, i): f"v{i}" for i in list(range(30)) + list(range(60, 100))}
    assert check_ledger(produced, tmp_path / "out") == 70
