"""What a read gives in the cases docs/semantics.md settles: tombstones as
rows (§10), transactions under read_committed (§2), the consumer group a
read starts from (-o group, group_id_prefix, the job's own group: §2, §4,
§14) and the watermark seen from outside the C++ API (§13)."""

from __future__ import annotations

import json
import math
import subprocess
import uuid

import pyarrow as pa
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from exactly_once import karrow_run_args, parse_summary
from kafka_helpers import produce
from karrow_testing import built_file, fails_after, open_reader, read_table

EXIT_BOUND = 120


def consume(bootstrap: str, topic: str, *extra: str) -> list[dict]:
    r = subprocess.run([built_file("karrow", "KARROW_CLI"), "consume", "-b", bootstrap, "-t", topic, "-e",
                        "--event-time-column", "", "--property", "connect_timeout_ms=60000", *extra],
                       capture_output=True, text=True, timeout=EXIT_BOUND)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def commit(bootstrap: str, group: str, topic: str, offsets: dict[int, int]) -> None:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        c.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=False)
    finally:
        c.close()


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        tps = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=60)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        c.close()


# --- §10 tombstones ----------------------------------------------------------

TOMBSTONE_RECORDS = [
    {"value": b"a", "key": b"k1"},
    {"value": None, "key": b"k1"},  # k1 deleted
    {"value": b"", "key": b"k2"},  # empty, not a tombstone
    {"value": None, "key": None},
]


def test_s10_tombstones_emit_gives_rows_with_null_values(kafka_bootstrap, new_topic):
    topic = new_topic()
    produce(kafka_bootstrap, topic, TOMBSTONE_RECORDS)
    with open_reader(topic, kafka_bootstrap, tombstones="emit", metadata_fields=["key", "offset_id"],
                     event_time_column="") as reader:
        table = read_table(reader)
        stats = reader.stats()
    assert table.schema == pa.schema([pa.field("value", pa.utf8(), nullable=True), pa.field("key", pa.binary()),
                                      pa.field("offset_id", pa.int64(), nullable=False)])
    assert table.to_pylist() == [{"value": "a", "key": b"k1", "offset_id": 0},
                                 {"value": None, "key": b"k1", "offset_id": 1},
                                 {"value": "", "key": b"k2", "offset_id": 2},
                                 {"value": None, "key": None, "offset_id": 3}]
    assert (stats["messages"], stats["rows"], stats["tombstones"]) == (4, 4, 2)


def test_s10_tombstones_emit_nulls_every_typed_column_and_one_row_under_framing(kafka_bootstrap, new_topic):
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": b'{"id": 1, "tags": ["x"]}\n{"id": 2, "tags": []}'},
                                     {"value": None}])
    # "id" is declared not nullable: under tombstones=emit it becomes nullable.
    schema = {"fields": [{"name": "id", "type": "int64", "nullable": False},
                         {"name": "tags", "type": {"list": "utf8"}}]}
    with open_reader(topic, kafka_bootstrap, format="json", value_schema=schema, framing="newline",
                     tombstones="emit", event_time_column="") as reader:
        table = read_table(reader)
    assert all(f.nullable for f in table.schema)
    assert table.to_pylist() == [{"id": 1, "tags": ["x"]}, {"id": 2, "tags": []}, {"id": None, "tags": None}]


def test_s10_cli_tombstones_flag(kafka_bootstrap, new_topic):
    topic = new_topic()
    produce(kafka_bootstrap, topic, TOMBSTONE_RECORDS)
    assert consume(kafka_bootstrap, topic, "--tombstones", "emit", "--metadata", "offset_id") == [
        {"value": "a", "offset_id": 0}, {"value": None, "offset_id": 1}, {"value": "", "offset_id": 2},
        {"value": None, "offset_id": 3}]
    # The default skips them.
    assert consume(kafka_bootstrap, topic, "--metadata", "offset_id") == [
        {"value": "a", "offset_id": 0}, {"value": "", "offset_id": 2}]


# --- §2 read_committed ---------------------------------------------------------

def transactional_producer(bootstrap: str) -> Producer:
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"karrow-test-{uuid.uuid4().hex}",
                  "linger.ms": 5})
    p.init_transactions(60)
    return p


def transaction(p: Producer, topic: str, values: list[str], commit_it: bool) -> None:
    p.begin_transaction()
    for v in values:
        p.produce(topic, v.encode())
    # In the log before the end: an abort would drop records still queued.
    assert p.flush(60) == 0
    if commit_it:
        p.commit_transaction(60)
    else:
        p.abort_transaction(60)


def values_of(topic: str, bootstrap: str, **options) -> list[str]:
    with fails_after(120, "a bounded read"):
        with open_reader(topic, bootstrap, event_time_column="", **options) as reader:
            return read_table(reader)["value"].to_pylist()


def test_s2_read_committed_leaves_aborted_records_out(kafka_bootstrap, new_topic):
    topic = new_topic()
    p = transactional_producer(kafka_bootstrap)
    transaction(p, topic, ["c0", "c1"], commit_it=True)
    transaction(p, topic, ["a0", "a1", "a2"], commit_it=False)
    transaction(p, topic, ["c2"], commit_it=True)
    assert values_of(topic, kafka_bootstrap) == ["c0", "c1", "c2"]
    assert values_of(topic, kafka_bootstrap, read_committed=True) == ["c0", "c1", "c2"]
    assert values_of(topic, kafka_bootstrap, read_committed=False) == ["c0", "c1", "a0", "a1", "a2", "c2"]
    # The CLI, through its generic property.
    assert [r["value"] for r in consume(kafka_bootstrap, topic)] == ["c0", "c1", "c2"]
    assert [r["value"] for r in consume(kafka_bootstrap, topic, "--property", "read_committed=false")] == [
        "c0", "c1", "a0", "a1", "a2", "c2"]


def test_s2_bounded_read_stops_at_the_last_stable_offset_while_a_transaction_is_open(kafka_bootstrap, new_topic):
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": b"before0"}, {"value": b"before1"}])
    p = transactional_producer(kafka_bootstrap)
    p.begin_transaction()
    p.produce(topic, b"open0")
    p.flush(60)  # in the log, its transaction still open
    try:
        # Ends (the last stable offset is 2) instead of waiting for the
        # transaction; without read_committed the open record is read too.
        assert values_of(topic, kafka_bootstrap) == ["before0", "before1"]
        assert values_of(topic, kafka_bootstrap, read_committed=False) == ["before0", "before1", "open0"]
    finally:
        p.commit_transaction(60)
    assert values_of(topic, kafka_bootstrap) == ["before0", "before1", "open0"]


# --- §2 start from the group; group ids -----------------------------------------

def test_s2_offset_group_starts_at_the_committed_offsets(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=3)
    produce(kafka_bootstrap, topic, [{"value": f"{i % 3}-{i // 3}".encode(), "partition": i % 3} for i in range(30)])
    group = f"g-{topic}"
    commit(kafka_bootstrap, group, topic, {0: 4, 2: 10})  # partition 1: none committed
    rows = consume(kafka_bootstrap, topic, "-g", group, "-o", "group", "--metadata", "partition,offset_id")
    assert sorted((r["partition"], r["offset_id"]) for r in rows) == sorted(
        [(0, o) for o in range(4, 10)] + [(1, o) for o in range(10)])
    assert all(r["value"] == f"{r['partition']}-{r['offset_id']}" for r in rows)


def test_s2_group_id_prefix_names_the_default_group(kafka_bootstrap, new_topic):
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(10)])
    commit(kafka_bootstrap, f"team-a-karrow-{topic}", topic, {0: 7})
    assert values_of(topic, kafka_bootstrap, offset_mode="group", group_id_prefix="team-a") == ["v7", "v8", "v9"]
    # Another prefix is another group, which has committed nothing.
    assert values_of(topic, kafka_bootstrap, offset_mode="group", group_id_prefix="team-b") == [
        f"v{i}" for i in range(10)]
    # Without a prefix: "karrow-<topic>", also without commits.
    assert values_of(topic, kafka_bootstrap, offset_mode="group") == [f"v{i}" for i in range(10)]


def run_job(bootstrap: str, topic: str, work, *extra: str) -> dict[str, str]:
    r = subprocess.run(karrow_run_args(bootstrap, topic, work, "-e", *extra, parallelism=1),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=EXIT_BOUND)
    assert r.returncode == 0, r.stderr
    return parse_summary(r.stderr)


def test_s14_each_named_job_commits_to_its_own_group(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(5)])
    a = run_job(kafka_bootstrap, topic, tmp_path / "a", "--job", "orders-a", "-o", "group")
    assert a["rows"] == "5"
    assert committed(kafka_bootstrap, "karrow-orders-a", topic, 1) == {0: 5}
    assert committed(kafka_bootstrap, f"karrow-{topic}", topic, 1)[0] < 0  # the topic's group is not used
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(5, 8)])
    # Job b starts from its own group (nothing committed): all 8 records,
    # not the 3 after job a's commit.
    b = run_job(kafka_bootstrap, topic, tmp_path / "b", "--job", "orders-b", "-o", "group")
    assert b["rows"] == "8"
    assert committed(kafka_bootstrap, "karrow-orders-b", topic, 1) == {0: 8}
    assert committed(kafka_bootstrap, "karrow-orders-a", topic, 1) == {0: 5}
    # With a prefix: "<prefix>-karrow-<job>".
    run_job(kafka_bootstrap, topic, tmp_path / "c", "--job", "orders-c", "--property", "group_id_prefix=team")
    assert committed(kafka_bootstrap, "team-karrow-orders-c", topic, 1) == {0: 8}


def test_s14_a_job_whose_checkpoints_record_the_topic_group_keeps_it(kafka_bootstrap, new_topic, tmp_path):
    # Checkpoints written before jobs had their own group record the topic's
    # group, "karrow-<topic>": such a job goes on with it, and restores.
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(4)])
    first = run_job(kafka_bootstrap, topic, tmp_path, "--job", "legacy", "-g", f"karrow-{topic}")
    assert first["rows"] == "4"
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(4, 6)])
    again = run_job(kafka_bootstrap, topic, tmp_path, "--job", "legacy")
    assert again["restored_epoch"] == first["last_epoch"]
    assert again["rows"] == "2"
    assert committed(kafka_bootstrap, f"karrow-{topic}", topic, 1) == {0: 6}
    assert committed(kafka_bootstrap, "karrow-legacy", topic, 1)[0] < 0


# --- §13 watermarks outside C++ ---------------------------------------------------

BASE_MS = 1_700_000_000_000


def test_s13_python_reader_shows_the_watermark_and_inf_at_the_end(kafka_bootstrap, new_topic):
    topic = new_topic()
    stamps = [BASE_MS + 1000 * i for i in range(6)]
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode(), "timestamp": t} for i, t in enumerate(stamps)])
    reader = open_reader(topic, kafka_bootstrap, batch_size=2)
    seen = []
    with reader:
        assert reader.watermark is None  # nothing read yet
        rows = 0
        for batch in reader:
            batch.validate(full=True)
            rows += batch.num_rows
            seen.append(reader.watermark)
        assert rows == 6
        assert reader.watermark == math.inf
    finite = [w for w in seen if w is not None and w != math.inf]
    # One partition: its watermark is the newest event time read, in ns.
    assert all(isinstance(w, int) and w in [t * 1_000_000 for t in stamps] for w in finite), seen
    assert finite == sorted(finite)


def test_s13_run_summary_shows_the_watermark(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, [{"value": b"x", "partition": i % 2, "timestamp": BASE_MS + i} for i in range(6)])
    summary = run_job(kafka_bootstrap, topic, tmp_path)
    assert summary["finish"] == "final"
    assert summary["watermark"] == "+inf"
