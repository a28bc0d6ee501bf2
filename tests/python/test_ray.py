"""karrow.ray.read_kafka on a real 3-node Ray cluster (a head and two worker
nodes started here by ray.cluster_utils.Cluster, one CPU each): every
(partition, offset) exactly once with the values an independent
confluent-kafka read gives, tasks on more than one node, the snapshot and
incremental guarantees, and a worker node killed in the middle of a read.

Its own ctest entry (ray_test): a cluster and a few hundred thousand records
take most of a minute.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest
import ray
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from ray.cluster_utils import Cluster

from kafka_helpers import create_topic, delete_topics, produce
from karrow_testing import package_dir

import karrow  # noqa: F401  (from package_dir(), put on sys.path by karrow_testing)
import karrow.ray as kray

PARTITIONS = 6
TRANSACTIONS = 120


def transaction_size(t: int) -> int:
    """Irregular sizes (1,500 to 3,499 records), so that the task ranges'
    ends fall anywhere: on records, in aborted transactions, on markers."""
    return 1_500 + (t * 977) % 2_000


ROWS_PER_TASK = 12_500  # about 50,000 offsets per partition: 5 tasks each, 30 in all
SCHEMA = {"fields": [
    {"name": "id", "type": "int64", "nullable": False},
    {"name": "name", "type": "utf8", "nullable": False},
    {"name": "amount", "type": "float64", "nullable": False},
]}
NODE_OBJECT_STORE = 200 * 1024 * 1024


def value(i: int) -> dict:
    return {"id": i, "name": f"n{i}", "amount": i * 0.25}


def aborted(transaction: int) -> bool:
    return transaction % 3 == 2


@pytest.fixture(scope="module")
def cluster():
    """A head and two worker nodes, one CPU and a small object store each.
    Their workers import karrow from package_dir(), and this module (the
    functions passed to map_batches) from its folder: PYTHONPATH, inherited
    by the node processes the cluster starts."""
    saved = os.environ.get("PYTHONPATH")
    here = str(Path(__file__).resolve().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (package_dir(), here, saved) if p)
    c = None
    try:
        c = Cluster(initialize_head=True,
                    head_node_args={"num_cpus": 1, "object_store_memory": NODE_OBJECT_STORE,
                                    "include_dashboard": False})
        for _ in range(2):
            c.add_node(num_cpus=1, object_store_memory=NODE_OBJECT_STORE)
        c.wait_for_nodes()
        ray.init(address=c.address, log_to_driver=False)
        yield c
    finally:
        ray.shutdown()
        if c is not None:
            c.shutdown()
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


@pytest.fixture(scope="module")
def topic(kafka_bootstrap):
    """6 partitions of 301,780 JSON records written in transactions, every
    third one aborted, so the task ranges start and end among transaction
    markers and aborted records."""
    name = f"ray-{uuid.uuid4().hex[:10]}"
    create_topic(kafka_bootstrap, name, PARTITIONS)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "transactional.id": f"tx-{name}",
                         "linger.ms": 20, "batch.size": 1_000_000})
    producer.init_transactions(60)
    i = 0
    for t in range(TRANSACTIONS):
        producer.begin_transaction()
        for _ in range(transaction_size(t)):
            while True:
                try:
                    producer.produce(name, json.dumps(value(i)).encode(), key=f"k{i}".encode(),
                                     partition=i % PARTITIONS)
                    break
                except BufferError:
                    producer.poll(0.1)
            i += 1
        producer.flush(60)
        if aborted(t):
            producer.abort_transaction(60)
        else:
            producer.commit_transaction(60)
    yield name
    delete_topics(kafka_bootstrap, [name])


def independent_read(bootstrap: str, topic: str, ends: dict[int, int]) -> list[tuple]:
    """(partition, offset, key, id, name, amount) of every committed record
    below `ends`, read with confluent-kafka."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{uuid.uuid4().hex}",
                         "isolation.level": "read_committed", "enable.auto.commit": False,
                         "enable.partition.eof": True})
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
        done = {p for p, end in ends.items() if end == 0}
        rows = []
        while len(done) < PARTITIONS:
            for m in consumer.consume(10_000, timeout=1.0):
                if m.error():
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        raise RuntimeError(m.error())
                    if m.offset() >= ends[m.partition()]:
                        done.add(m.partition())
                    continue
                if m.offset() >= ends[m.partition()]:
                    done.add(m.partition())
                    continue
                v = json.loads(m.value())
                rows.append((m.partition(), m.offset(), m.key(), v["id"], v["name"], v["amount"]))
        return sorted(rows)
    finally:
        consumer.close()


def tag_node(batch: pa.Table) -> pa.Table:
    """Adds the node that ran the (fused) read task as a column."""
    node = ray.get_runtime_context().get_node_id()
    return batch.append_column("node", pa.array([node] * batch.num_rows, pa.string()))


def read_dataset(bootstrap: str, topic: str, **kwargs):
    return kray.read_kafka(topic, bootstrap, format="json", value_schema=SCHEMA,
                           metadata_fields=["partition", "offset_id", "key"],
                           target_rows_per_task=ROWS_PER_TASK, **kwargs)


def rows_of(tables: list[pa.Table]) -> tuple[list[tuple], set[str]]:
    """The rows of every table (each validated in full) and the nodes they came from."""
    rows, nodes = [], set()
    for table in tables:
        for batch in table.to_batches():
            batch.validate(full=True)
        d = table.to_pydict()
        rows.extend(zip(d["partition"], d["offset_id"], d["key"], d["id"], d["name"], d["amount"]))
        nodes.update(d["node"])
    return sorted(rows), nodes


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "ends"})
    try:
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                for p in range(PARTITIONS)}
    finally:
        consumer.close()


def test_three_nodes_read_every_offset_once_with_exact_values(cluster, kafka_bootstrap, topic):
    ends = end_offsets(kafka_bootstrap, topic)
    ds = read_dataset(kafka_bootstrap, topic)
    # The plan fixed the snapshot: the partitions' ends as they were.
    assert ds.end_offsets == {topic: ends}
    assert ds.start_offsets == {topic: {p: 0 for p in range(PARTITIONS)}}
    expected = independent_read(kafka_bootstrap, topic, ends)
    assert len(expected) == sum(transaction_size(t) for t in range(TRANSACTIONS) if not aborted(t))
    # The tasks' ranges end both on records and on offsets without a row.
    visible = {(r[0], r[1]) for r in expected}
    pieces = kray.split_ranges([kray.OffsetRange(topic, p, 0, e) for p, e in ends.items()],
                               ROWS_PER_TASK)
    assert len(pieces) > 2 * PARTITIONS
    last_offsets = [(r.partition, r.stop - 1) in visible for r in pieces]
    assert any(last_offsets) and not all(last_offsets), last_offsets

    # Records produced after planning are not in the dataset.
    produce(kafka_bootstrap, topic, [{"value": json.dumps(value(-1 - i)).encode(), "partition": i % 6}
                                     for i in range(60)])
    tables = ray.get(ds.map_batches(tag_node, batch_format="pyarrow").to_arrow_refs())
    rows, nodes = rows_of(tables)
    assert len(rows) == len(expected)
    assert rows == expected
    assert len(nodes) > 1, f"every read task ran on one node: {nodes}"

    assert {f.name: f.type for f in tables[0].schema} == {
        "id": pa.int64(), "name": pa.string(), "amount": pa.float64(), "partition": pa.int32(),
        "offset_id": pa.int64(), "key": pa.binary(), "_timestamp": pa.timestamp("ns", tz="UTC"),
        "node": pa.string()}

    # Executing the dataset again reads the same rows.
    rows_again, _ = rows_of(ray.get(ds.map_batches(tag_node, batch_format="pyarrow").to_arrow_refs()))
    assert rows_again == expected

    # Incremental: the next run starts where this one ended and reads only the new records.
    after = read_dataset(kafka_bootstrap, topic, start=ds.end_offsets)
    new_rows, _ = rows_of(ray.get(after.map_batches(tag_node, batch_format="pyarrow").to_arrow_refs()))
    assert sorted(r[3] for r in new_rows) == sorted(-1 - i for i in range(60))
    assert all(r[1] >= ends[r[0]] for r in new_rows)

    # A snapshot that starts where it ends is empty, with its columns.
    empty = read_dataset(kafka_bootstrap, topic, start=ds.end_offsets, end=ds.end_offsets)
    assert empty.count() == 0
    assert empty.schema().names == ["id", "name", "amount", "partition", "offset_id", "key", "_timestamp"]


def test_two_topics_and_time_bounds(cluster, kafka_bootstrap, new_topic):
    a, b = new_topic(partitions=2), new_topic(partitions=1)
    t0 = 1_700_000_000_000
    produce(kafka_bootstrap, a, [{"value": json.dumps(value(i)).encode(), "partition": i % 2,
                                  "timestamp": t0 + 1000 * i} for i in range(40)])
    produce(kafka_bootstrap, b, [{"value": json.dumps(value(100 + i)).encode(), "timestamp": t0}
                                 for i in range(5)])

    both = kray.read_kafka([a, b], kafka_bootstrap, format="json", value_schema=SCHEMA,
                           metadata_fields=["topic", "partition", "offset_id"],
                           start={a: {1: 5}}, target_rows_per_task=7)
    assert both.end_offsets == {a: {0: 20, 1: 20}, b: {0: 5}}
    table = pa.concat_tables(ray.get(both.to_arrow_refs()))
    table.validate(full=True)
    got = sorted(zip(*(table.column(c).to_pylist() for c in ("topic", "partition", "offset_id", "id"))))
    assert got == sorted([(a, i % 2, i // 2, i) for i in range(40) if not (i % 2 == 1 and i // 2 < 5)]
                         + [(b, 0, i, 100 + i) for i in range(5)])

    # Records whose timestamps lie in [t0 + 10 s, t0 + 20 s).
    at = lambda ms: datetime.fromtimestamp(ms / 1000, timezone.utc)  # noqa: E731
    window = kray.read_kafka(a, kafka_bootstrap, format="json", value_schema=SCHEMA,
                             start=at(t0 + 10_000), end=at(t0 + 20_000))
    assert window.start_offsets == {a: {0: 5, 1: 5}} and window.end_offsets == {a: {0: 10, 1: 10}}
    assert sorted(window.to_pandas()["id"]) == list(range(10, 20))


def test_bad_record_fails_the_read_with_karrows_message(cluster, kafka_bootstrap, new_topic):
    name = new_topic(partitions=2)
    produce(kafka_bootstrap, name, [{"value": json.dumps(value(i)).encode(), "partition": 0}
                                    for i in range(5)] + [{"value": b"{not json", "partition": 1}])
    ds = kray.read_kafka(name, kafka_bootstrap, format="json", value_schema=SCHEMA)
    with pytest.raises(Exception) as failure:
        ds.materialize()
    message = str(failure.value)
    assert f"topic '{name}'" in message and "partition 1" in message and "offset 0" in message, message


def test_plan_refuses_offsets_outside_the_partitions(kafka_bootstrap, new_topic):
    name = new_topic(partitions=2)
    produce(kafka_bootstrap, name, [{"value": b"{}", "partition": p} for p in (0, 1)])
    with pytest.raises(ValueError, match=r"end offset 5 of partition 1 of topic '.*' is past its end 1"):
        kray.read_kafka(name, kafka_bootstrap, end={1: 5})
    with pytest.raises(ValueError, match=r"start offset 1 of partition 0 .* is past its end offset 0"):
        kray.read_kafka(name, kafka_bootstrap, start={0: 1}, end={0: 0})
    with pytest.raises(ValueError, match=r"names partition 7 of topic"):
        kray.read_kafka(name, kafka_bootstrap, start={7: 0})
    with pytest.raises(ValueError, match=r"topic 'no-such-topic-.*' cannot be read"):
        kray.read_kafka(f"no-such-topic-{uuid.uuid4().hex}", kafka_bootstrap)
    with pytest.raises(ValueError, match=r"stop_offsets: karrow.ray.read_kafka plans the offsets"):
        kray.read_kafka(name, kafka_bootstrap, stop_offsets={0: 1})
    # Options are checked on the driver by karrow itself, before any task runs.
    with pytest.raises(karrow.KarrowError, match=r"value_schema"):
        kray.read_kafka(name, kafka_bootstrap, format="json", value_schema={"fields": [{"name": "x"}]})


def test_split_ranges_cover_each_range_exactly():
    ranges = [kray.OffsetRange("t", 0, 10, 10), kray.OffsetRange("t", 1, 3, 14),
              kray.OffsetRange("t", 2, 0, 4)]
    pieces = kray.split_ranges(ranges, 4)
    assert [(r.partition, r.start, r.stop) for r in pieces] == [
        (1, 3, 6), (1, 6, 10), (1, 10, 14), (2, 0, 4)]


def hold_until_released(batch: pa.Table, gate: str) -> pa.Table:
    """Fused into the read task: tags the rows with the node, says that a
    task runs on this node, and holds the task until the test releases it."""
    node = ray.get_runtime_context().get_node_id()
    Path(gate, f"running-{node}").touch()
    wait_for(lambda: Path(gate, "release").exists(), "the test to release the read tasks")
    return batch.append_column("node", pa.array([node] * batch.num_rows, pa.string()))


def wait_for(condition, what: str, bound_s: float = 120.0) -> None:
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {bound_s} s for {what}")
        time.sleep(0.05)


def test_worker_node_killed_mid_read_still_reads_exactly(cluster, kafka_bootstrap, topic, tmp_path):
    """Runs last in this module: it takes a node away from the cluster.

    Every read task is held (after reading its range, before handing over
    its rows) until a worker node runs one; that node is killed then, so
    Ray must run its task again elsewhere, and the result must still be exact."""
    ends = end_offsets(kafka_bootstrap, topic)
    ds = read_dataset(kafka_bootstrap, topic, end={p: ends[p] for p in range(PARTITIONS)})
    expected = independent_read(kafka_bootstrap, topic, ends)
    gate = str(tmp_path)
    held = ds.map_batches(hold_until_released, fn_kwargs={"gate": gate}, batch_format="pyarrow")

    result: dict = {}

    def execute() -> None:
        try:
            result["tables"] = ray.get(held.to_arrow_refs())
        except BaseException as e:  # handed to the test thread
            result["error"] = e

    reader = threading.Thread(target=execute)
    reader.start()
    try:
        workers = {n.node_id: n for n in cluster.worker_nodes}
        wait_for(lambda: any(Path(gate, f"running-{n}").exists() for n in workers),
                 "a read task on a worker node")
        victim = next(n for n in workers if Path(gate, f"running-{n}").exists())
        cluster.remove_node(workers[victim], allow_graceful=False)
    finally:
        Path(gate, "release").touch()
        reader.join(timeout=600)
    assert not reader.is_alive(), "the read did not end after the node was killed"
    if "error" in result:
        raise result["error"]
    rows, nodes = rows_of(result["tables"])
    assert victim not in nodes  # its task's rows came from a retry on another node
    assert len(rows) == len(expected)
    assert rows == expected
