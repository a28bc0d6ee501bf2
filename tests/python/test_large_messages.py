"""A record larger than the client may receive (src/kafka/oversized_fetch_watch.h):
librdkafka 2.0.2 retries its fetch forever; karrow fails, naming where."""

from __future__ import annotations

import json
import os
import subprocess

from exactly_once import karrow_run_args, read_published
from kafka_helpers import produce
from karrow_testing import built_file

# The client refuses fetch responses over 1.5 MB (receive.message.max.bytes
# needs fetch.max.bytes at least 512 bytes below it); the record is 2 MB.
CLIENT_LIMITS = ["-X", "fetch.max.bytes=1000000", "-X", "receive.message.max.bytes=1500000"]
BIG = 2_000_000
# librdkafka retries for OversizedFetchWatch::kGiveUpAfter (5 s) before karrow
# fails; generous, for a saturated machine, and a hang fails the test.
TIMEOUT = 120


def topic_with_a_big_record(kafka_bootstrap, new_topic) -> tuple[str, dict[tuple[int, int], str]]:
    """Partition 0: three small records, the big one (offset 3), two more.
    Partition 1: five small records. Returns the topic and the small records
    a reader can get, by (partition, offset)."""
    topic = new_topic(partitions=2, config={"max.message.bytes": "5000000"})
    before = [{"value": f"p0-{i}".encode(), "partition": 0} for i in range(3)]
    other = [{"value": f"p1-{i}".encode(), "partition": 1} for i in range(5)]
    # Each produce call waits for its acknowledgements, so the big record is
    # a batch of its own.
    produce(kafka_bootstrap, topic, before + other)
    [(partition, offset)] = produce(kafka_bootstrap, topic, [{"value": os.urandom(BIG), "partition": 0}],
                                    producer_config={"message.max.bytes": 5_000_000})
    assert (partition, offset) == (0, 3)
    produce(kafka_bootstrap, topic, [{"value": f"p0-after-{i}".encode(), "partition": 0} for i in range(2)])
    readable = {(0, i): f"p0-{i}" for i in range(3)} | {(1, i): f"p1-{i}" for i in range(5)}
    return topic, readable


def assert_names_the_record_and_the_fix(stderr: str, topic: str) -> None:
    assert f"topic '{topic}' partition 0 offset 3: " in stderr, stderr
    assert "partition 1" not in stderr, stderr  # read to its end, not stuck
    assert "Increase receive.message.max.bytes" in stderr, stderr
    assert "-X receive.message.max.bytes=N" in stderr, stderr
    assert "(0..1500000)" in stderr, stderr  # librdkafka's words: the limit and the size refused


def test_consume_fails_on_a_record_over_receive_message_max_bytes(kafka_bootstrap, new_topic):
    topic, readable = topic_with_a_big_record(kafka_bootstrap, new_topic)
    r = subprocess.run(
        [built_file("karrow", "KARROW_CLI"), "consume", "-b", kafka_bootstrap, "-t", topic, "-e",
         "--metadata", "partition,offset_id", *CLIENT_LIMITS],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert r.returncode == 1, r.stderr
    assert_names_the_record_and_the_fix(r.stderr, topic)
    # Everything before the big record was written out before the error.
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert {(row["partition"], row["offset_id"]): row["value"] for row in rows} == readable
    assert len(rows) == len(readable)


def test_run_fails_on_a_record_over_receive_message_max_bytes(kafka_bootstrap, new_topic, tmp_path):
    topic, readable = topic_with_a_big_record(kafka_bootstrap, new_topic)
    r = subprocess.run(
        karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e", *CLIENT_LIMITS, parallelism=1),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT,
    )
    assert r.returncode != 0, r.stderr
    assert_names_the_record_and_the_fix(r.stderr, topic)
    # The records before it were checkpointed and published, once each.
    published = {}
    for _, table in read_published(tmp_path / "out"):
        cols = table.to_pydict()
        for value, partition, offset in zip(cols["value"], cols["partition"], cols["offset_id"]):
            assert (partition, offset) not in published
            published[(partition, offset)] = value.decode() if isinstance(value, bytes) else value
    assert published == readable
