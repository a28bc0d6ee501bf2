"""KafkaSource against a real broker: values, metadata, assignment, formats,
bad data and fatal errors. Names of the form test_s3_N refer to
docs/semantics.md §N."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest

from kafka_helpers import produce
from karrow_testing import ALL_METADATA, fails_after, karrow, open_reader, read_batches, read_table

BASE_TS = 1_700_000_000_000


def sample_records(n: int, partitions: int) -> list[dict]:
    records = []
    for i in range(n):
        headers = [("source", b"test"), ("seq", str(i).encode())]
        if i % 3 == 0:
            headers.append(("seq", b"dup"))  # duplicate keys are kept, in order
        if i % 5 == 0:
            headers.append(("empty", None))
        records.append({
            "value": f"value-{i}-é".encode(),
            "key": None if i % 4 == 0 else f"key-{i}".encode(),
            "partition": i % partitions,
            "headers": headers,
            "timestamp": BASE_TS + i,
        })
    return records


def expected_rows(records, coords, topic):
    rows = {}
    for rec, (p, o) in zip(records, coords):
        rows[(p, o)] = {
            "value": rec["value"].decode(),
            "key": rec["key"],
            "offset_id": o,
            "partition": p,
            "topic": topic,
            "timestamp": rec["timestamp"],
            "headers": [{"key": k, "value": v} for k, v in rec["headers"]],
            "_timestamp": rec["timestamp"] * 1_000_000,
        }
    return rows


def actual_rows(table: pa.Table) -> dict:
    rows = {}
    cols = table.to_pydict()
    for i in range(table.num_rows):
        row = {name: cols[name][i] for name in table.column_names}
        row["timestamp"] = table.column("timestamp").cast(pa.int64())[i].as_py()
        row["_timestamp"] = table.column("_timestamp").cast(pa.int64())[i].as_py()
        key = (row["partition"], row["offset_id"])
        assert key not in rows, f"{key} delivered twice"
        rows[key] = row
    return rows


def test_schema_and_metadata_types(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    reader = open_reader(topic, kafka_bootstrap, metadata_fields=ALL_METADATA)
    stream = pa.RecordBatchReader.from_stream(reader)
    expected = pa.schema([
        pa.field("value", pa.string(), nullable=False),
        pa.field("key", pa.binary()),
        pa.field("offset_id", pa.int64(), nullable=False),
        pa.field("partition", pa.int32(), nullable=False),
        pa.field("topic", pa.string(), nullable=False),
        pa.field("timestamp", pa.timestamp("ms", tz="UTC")),
        pa.field("headers", pa.list_(pa.field("item", pa.struct([
            pa.field("key", pa.string(), nullable=False), pa.field("value", pa.binary())]), nullable=False)),
            nullable=False),
        pa.field("_timestamp", pa.timestamp("ns", tz="UTC"), nullable=False),
    ])
    assert stream.schema == expected
    assert stream.read_all().num_rows == 0  # an empty topic ends a bounded run at once


@pytest.mark.parametrize("parallelism", [1, 3])
def test_s3_1_every_record_once_with_exact_metadata(kafka_bootstrap, new_topic, parallelism):
    partitions = 4
    topic = new_topic(partitions)
    records = sample_records(200, partitions)
    coords = produce(kafka_bootstrap, topic, records)
    expected = expected_rows(records, coords, topic)

    seen = {}
    for task in range(parallelism):
        reader = open_reader(topic, kafka_bootstrap, metadata_fields=ALL_METADATA,
                             task_index=task, parallelism=parallelism, batch_size=37)
        batches = read_batches(reader)
        assert all(b.num_rows <= 37 for b in batches)
        rows = actual_rows(pa.Table.from_batches(batches))
        for (p, o) in rows:
            assert p % parallelism == task, f"task {task} read partition {p}"
            assert (p, o) not in seen, f"{(p, o)} read by two tasks"
        seen.update(rows)
    assert seen == expected
    # Per partition, offsets come in order.
    for p in range(partitions):
        offsets = [o for (pp, o) in seen if pp == p]
        assert offsets == list(range(50))


def test_raw_bytes_round_trips_any_bytes(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    values = [bytes(range(256)), b"", b"\x00\xff\xfe", bytes([0x80]) * 1000]
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    table = read_table(open_reader(topic, kafka_bootstrap, format="raw_bytes"))
    assert table.schema.field("value").type == pa.binary()
    assert table.column("value").to_pylist() == values


def test_raw_string_invalid_utf8_fails_with_coordinates(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"good-0"}, {"value": b"good-1"}, {"value": b"bad-\xff"},
                                     {"value": b"good-3"}])
    stream = pa.RecordBatchReader.from_stream(open_reader(topic, kafka_bootstrap))
    got = []
    with pytest.raises(OSError) as err:
        for batch in stream:
            batch.validate(full=True)
            got += batch.column("value").to_pylist()
    # Everything before the bad record is delivered, nothing after it.
    assert got == ["good-0", "good-1"]
    message = str(err.value)
    stream.close()  # close the consumer before the topic is deleted
    assert f"topic '{topic}' partition 0 offset 2" in message
    assert "UTF-8" in message and "bad_data=drop" in message


def test_s3_11_drop_skips_only_bad_records(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    values = [b"ok-0", b"\xc3\x28", b"ok-2", b"\xff", b"ok-4"]
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    table = read_table(open_reader(topic, kafka_bootstrap, bad_data="drop", metadata_fields=["offset_id"]))
    assert table.column("value").to_pylist() == ["ok-0", "ok-2", "ok-4"]
    assert table.column("offset_id").to_pylist() == [0, 2, 4]


def test_stats_count_what_was_read_also_after_close(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    values = [b"ok-0", b"\xff", b"ok-22", None, b"ok-444"]
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    reader = open_reader(topic, kafka_bootstrap, bad_data="drop")
    assert reader.stats()["messages"] == 0
    table = read_table(reader)
    assert table.column("value").to_pylist() == ["ok-0", "ok-22", "ok-444"]
    expected = {"messages": 5, "rows": 3, "value_bytes": 4 + 1 + 5 + 6, "tombstones": 1, "bad_records": 1}
    assert {k: reader.stats()[k] for k in expected} == expected
    reader.close()
    assert {k: reader.stats()[k] for k in expected} == expected


def test_s3_10_tombstones_are_skipped(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"a", "key": b"k"}, {"value": None, "key": b"k"},
                                     {"value": b"", "key": b"k2"}, {"value": b"c"}])
    table = read_table(open_reader(topic, kafka_bootstrap, metadata_fields=["offset_id"]))
    # The empty value is a real (empty) string; only the null value is skipped.
    assert table.column("value").to_pylist() == ["a", "", "c"]
    assert table.column("offset_id").to_pylist() == [0, 2, 3]


def test_json_checks_syntax_and_tags_the_column(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    # Numbers of any size are valid JSON (found by fuzz/json_text: the DOM parser rejected them).
    big = b'{"id": 123456789012345678901234567890, "x": -1.5e400}'
    values = [b'{"a": 1}', b'{"a": ', b'[1, 2, {"b": null}]', b'{"a": 1} trailing', b'"text"', big, b'[01]',
              b'{"a": tru}', b'1 2', b'null"x"', b'42']
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    table = read_table(open_reader(topic, kafka_bootstrap, format="json", bad_data="drop"))
    # pyarrow knows Arrow's canonical JSON extension type and builds it from the field metadata.
    json_type = table.schema.field("value").type
    assert isinstance(json_type, pa.BaseExtensionType) and json_type.extension_name == "arrow.json"
    assert json_type.storage_type == pa.string()
    assert table.column("value").cast(pa.string()).to_pylist() == ['{"a": 1}', '[1, 2, {"b": null}]', '"text"',
                                                                 big.decode(), '42']


def test_s3_12_newline_framing(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"one\ntwo\n\nthree\n"}, {"value": b"x" * 50 + b"\nfour"},
                                     {"value": b"five"}])
    table = read_table(open_reader(topic, kafka_bootstrap, framing="newline", max_line_length=20,
                                   bad_data="drop", metadata_fields=["offset_id"]))
    # The over-long line is dropped on its own; its neighbour in the same message is kept.
    assert table.column("value").to_pylist() == ["one", "two", "three", "four", "five"]
    assert table.column("offset_id").to_pylist() == [0, 0, 0, 1, 2]


def test_newline_framing_long_line_fails_under_fail(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"ok"}, {"value": b"good\n" + b"y" * 30}])
    stream = pa.RecordBatchReader.from_stream(
        open_reader(topic, kafka_bootstrap, framing="newline", max_line_length=20))
    got = []
    with pytest.raises(OSError, match="offset 1: line 2: line of 30 bytes is longer than max_line_length=20"):
        for batch in stream:
            batch.validate(full=True)
            got += batch.column("value").to_pylist()
    stream.close()
    # The failing record is not read at all: its good first line is not delivered either.
    assert got == ["ok"]


def test_s3_8_linger_flushes_partial_batches(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"only"}])
    reader = open_reader(topic, kafka_bootstrap, stop_at_end=False, batch_size=1000, linger_ms=200)
    stream = pa.RecordBatchReader.from_stream(reader)
    # Nothing but the linger ends this batch (no end to stop at, 999 rows
    # short of full): a linger that never fires fails here instead of
    # hanging. 30 s is generous for 200 ms on a loaded machine.
    with fails_after(30, "a 200 ms linger flushing the partial batch"):
        batch = stream.read_next_batch()
    batch.validate(full=True)
    assert batch.column("value").to_pylist() == ["only"]
    stream.close()


def test_latest_reads_only_new_records(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"old"}])
    # The start is fixed when the reader opens: records produced after that
    # are the ones it must read, and a reader that reads nothing (or reads
    # from the earliest) fails here. Stop offsets bound the read (offsets 1-3).
    reader = open_reader(topic, kafka_bootstrap, offset_mode="latest", stop_at_end=False,
                         stop_offsets="0:4", metadata_fields=["offset_id"])
    produce(kafka_bootstrap, topic, [{"value": f"new{i}".encode()} for i in range(3)])
    with fails_after(60, "reading the three records produced after opening"):
        table = read_table(reader)
    assert table.column("value").to_pylist() == ["new0", "new1", "new2"]
    assert table.column("offset_id").to_pylist() == [1, 2, 3]


def test_group_mode_without_commits_starts_at_earliest(kafka_bootstrap, new_topic):
    topic = new_topic(2)
    produce(kafka_bootstrap, topic, [{"value": b"a", "partition": 0}, {"value": b"b", "partition": 1}])
    table = read_table(open_reader(topic, kafka_bootstrap, offset_mode="group", group_id=f"g-{topic}"))
    assert sorted(table.column("value").to_pylist()) == ["a", "b"]


def test_unknown_topic_is_a_clear_error(kafka_bootstrap):
    with pytest.raises(karrow.KarrowError, match="topic 'no-such-topic-xyz' does not exist"):
        open_reader("no-such-topic-xyz", kafka_bootstrap)


def test_a_rate_too_small_for_the_limiter_is_refused_at_open():
    # Refused before connecting: port 1 would fail with "could not get metadata".
    with pytest.raises(karrow.KarrowError,
                       match=r"messages_per_second=1e-09: must be 0 \(no limit\) or from 1.15741e-05"):
        karrow.read_kafka("t", "127.0.0.1:1", messages_per_second=1e-9)


def test_unreachable_bootstrap_fails_in_bounded_time():
    start = time.monotonic()
    with pytest.raises(karrow.KarrowError, match="could not get metadata .* from 127.0.0.1:1 within 2000 ms"):
        open_reader("t", "127.0.0.1:1", connect_timeout_ms=2000)
    assert time.monotonic() - start < 15


def test_bad_client_property_names_the_property(kafka_bootstrap):
    with pytest.raises(karrow.KarrowError, match="client_configs.no.such.property"):
        open_reader("t", kafka_bootstrap, client_configs={"no.such.property": "1"})
    with pytest.raises(karrow.KarrowError, match="client_configs.enable.auto.commit"):
        open_reader("t", kafka_bootstrap, client_configs={"enable.auto.commit": "true"})


@pytest.mark.parametrize("options,fragment", [
    ({"format": "thrift"}, "format=thrift: expected one of raw_string, raw_bytes, json, avro, protobuf"),
    ({"batch_size": 0}, "batch_size=0"),
    ({"metadata_fields": ["offset_id", "nope"]}, "metadata_fields=nope"),
    ({"unknown_option": 1}, "unknown property 'unknown_option'"),
])
def test_invalid_config_is_rejected_before_connecting(options, fragment):
    with pytest.raises(karrow.KarrowError, match=fragment.replace("(", r"\(")):
        open_reader("t", "127.0.0.1:1", **options)
