"""Dead letters (docs/semantics.md §11): with bad_data=drop and dead_letter on,
every dropped record goes, with its raw bytes, its coordinates and the
reason, to a dead-letter output: the Python reader's dead_letters(), `karrow
consume --dead-letter FILE`, and the dead-letter/ folder of `karrow run`."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from exactly_once import NOT_UTF8, read_published, run_to_end
from kafka_helpers import produce
from karrow_testing import built_file, karrow, open_reader, read_table

BASE_TS = 1_700_000_000_000

DEAD_LETTER_SCHEMA = pa.schema([
    pa.field("topic", pa.string(), nullable=False),
    pa.field("partition", pa.int32(), nullable=False),
    pa.field("offset", pa.int64(), nullable=False),
    pa.field("timestamp", pa.timestamp("ms", tz="UTC")),
    pa.field("key", pa.binary()),
    pa.field("value", pa.binary()),
    pa.field("line", pa.int32()),
    pa.field("error", pa.string(), nullable=False),
])


def letter_rows(table: pa.Table) -> list[dict]:
    """Dead letters as dicts (timestamp as ms), in (partition, offset, line) order."""
    table.validate(full=True)
    assert table.schema == DEAD_LETTER_SCHEMA
    rows = table.to_pylist()
    for row, ts in zip(rows, table.column("timestamp").cast(pa.int64()).to_pylist()):
        row["timestamp"] = ts
    return sorted(rows, key=lambda r: (r["partition"], r["offset"], r["line"] or 0))


def letter(topic, partition, offset, value, error, *, key=None, timestamp=None, line=None) -> dict:
    return {"topic": topic, "partition": partition, "offset": offset, "timestamp": timestamp, "key": key,
            "value": value, "line": line, "error": error}


def alternating_records(n: int, partitions: int) -> list[dict]:
    """Good and bad (invalid UTF-8) raw_string values in turn in every
    partition, keys on most."""
    records = []
    for i in range(n):
        value = f"good-{i}".encode() if i % 2 == 0 else b"bad-" + str(i).encode() + b"\xff\xfe"
        records.append({"value": value, "key": None if i % 3 == 0 else f"k{i}".encode(),
                        "partition": (i // 2) % partitions, "timestamp": BASE_TS + i})
    return records


def expected_split(records, coords, topic):
    """(good rows as (partition, offset, value), dead letters) of alternating_records."""
    good, bad = [], []
    for i, (rec, (p, o)) in enumerate(zip(records, coords)):
        if i % 2 == 0:
            good.append((p, o, rec["value"].decode()))
        else:
            bad.append(letter(topic, p, o, rec["value"], NOT_UTF8, key=rec["key"], timestamp=rec["timestamp"]))
    return sorted(good), sorted(bad, key=lambda r: (r["partition"], r["offset"]))


def good_rows(table: pa.Table) -> list[tuple]:
    cols = table.to_pydict()
    return sorted(zip(cols["partition"], cols["offset_id"], cols["value"]))


def test_s3_11_raw_string_bad_records_go_to_the_dead_letters_exactly(kafka_bootstrap, new_topic):
    topic = new_topic(2)
    records = alternating_records(40, 2)
    coords = produce(kafka_bootstrap, topic, records)
    good, bad = expected_split(records, coords, topic)
    with open_reader(topic, kafka_bootstrap, bad_data="drop", dead_letter=True,
                     metadata_fields=["partition", "offset_id"], batch_size=7) as reader:
        table = read_table(reader)
        assert good_rows(table) == good
        assert letter_rows(reader.dead_letters()) == bad
        # What was dropped so far stays; clear=True hands it out one last time.
        assert letter_rows(reader.dead_letters(clear=True)) == bad
        assert letter_rows(reader.dead_letters()) == []


def test_s3_11_dead_letters_follow_the_batches_read(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    records = alternating_records(30, 1)
    produce(kafka_bootstrap, topic, records)
    with open_reader(topic, kafka_bootstrap, bad_data="drop", dead_letter=True, metadata_fields=["offset_id"],
                     batch_size=4) as reader:
        rows = 0
        for batch in pa.RecordBatchReader.from_stream(reader):
            batch.validate(full=True)
            rows += batch.num_rows
            last = batch.column("offset_id")[-1].as_py()
            # Every bad record before the batch's last row; past it, at most
            # the one read in the same fetch when the linger time cut the batch.
            offsets = [r["offset"] for r in letter_rows(reader.dead_letters())]
            assert offsets in (list(range(1, last, 2)), list(range(1, last + 2, 2))), (last, offsets)
        assert rows == 15
        assert [r["offset"] for r in letter_rows(reader.dead_letters())] == list(range(1, 30, 2))


def test_s3_11_dead_letters_come_while_the_stream_waits_for_rows(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"\xff" + bytes([i])} for i in range(5)])
    with open_reader(topic, kafka_bootstrap, stop_at_end=False, bad_data="drop", dead_letter=True,
                     metadata_fields=["offset_id"]) as reader:
        stream = pa.RecordBatchReader.from_stream(reader)
        with ThreadPoolExecutor(1) as pool:
            first_batch = pool.submit(stream.read_next_batch)
            deadline = time.monotonic() + 30
            letters = []
            while len(letters) < 5:
                assert time.monotonic() < deadline, f"dead letters so far: {letters}"
                time.sleep(0.05)
                letters = letter_rows(reader.dead_letters())
            # Bad records alone: their dead letters did not wait for a row.
            assert not first_batch.done()
            produce(kafka_bootstrap, topic, [{"value": b"good"}])
            batch = first_batch.result(timeout=30)
        batch.validate(full=True)
        assert batch.column("offset_id").to_pylist() == [5]
        assert [(r["offset"], r["value"]) for r in letters] == [(i, b"\xff" + bytes([i])) for i in range(5)]
        stream.close()


def test_s3_11_json_schema_type_errors_are_dead_letters(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    schema = {"fields": [{"name": "id", "type": "int64", "nullable": False},
                         {"name": "tags", "type": {"list": "utf8"}}]}
    bad_values = [
        (b'{"id": "1"}', "field id: expected an integer, got a string"),
        (b'{"id": 1, "tags": ["a", 1]}', "field tags[]: expected a string, got a number"),
        (b'{"id": 1.5}', "field id: '1.5' is not an integer in the column's range"),
        (b'{"tags": []}', "field id: missing or null, and the schema says it is not nullable"),
        (b'[1]', "value is not a JSON object: The JSON element does not have the requested type."),
    ]
    records = []
    for i, (value, _) in enumerate(bad_values):
        records.append({"value": json.dumps({"id": i, "tags": [str(i)]}).encode(), "timestamp": BASE_TS})
        records.append({"value": value, "key": b"key", "timestamp": BASE_TS + i})
    produce(kafka_bootstrap, topic, records)
    with open_reader(topic, kafka_bootstrap, format="json", value_schema=schema, bad_data="drop", dead_letter=True,
                     metadata_fields=["offset_id"]) as reader:
        table = read_table(reader)
        assert table.column("id").to_pylist() == list(range(len(bad_values)))
        assert table.column("tags").to_pylist() == [[str(i)] for i in range(len(bad_values))]
        assert table.column("offset_id").to_pylist() == list(range(0, 2 * len(bad_values), 2))
        assert letter_rows(reader.dead_letters()) == [
            letter(topic, 0, 2 * i + 1, value, error, key=b"key", timestamp=BASE_TS + i)
            for i, (value, error) in enumerate(bad_values)]


def test_s3_11_avro_bad_values_are_dead_letters(kafka_bootstrap, new_topic):
    from test_avro import BAD_DATA_SCHEMA, GOOD_TAIL, HOSTILE, zigzag
    topic = new_topic(1)
    records = []
    for i, (value, _) in enumerate(HOSTILE):
        records.append({"value": zigzag(i) + GOOD_TAIL, "timestamp": BASE_TS})
        records.append({"value": value, "key": b"key", "timestamp": BASE_TS + i})
    produce(kafka_bootstrap, topic, records)
    with open_reader(topic, kafka_bootstrap, format="avro", confluent_framing=False, value_schema=BAD_DATA_SCHEMA,
                     bad_data="drop", dead_letter=True, metadata_fields=["offset_id"]) as reader:
        table = read_table(reader)
        assert table.column("id").to_pylist() == list(range(len(HOSTILE)))
        assert table.column("offset_id").to_pylist() == list(range(0, 2 * len(HOSTILE), 2))
        letters = letter_rows(reader.dead_letters())
    assert [(r["offset"], r["value"], r["key"], r["timestamp"]) for r in letters] == [
        (2 * i + 1, value, b"key", BASE_TS + i) for i, (value, _) in enumerate(HOSTILE)]
    for row, (_, reason) in zip(letters, HOSTILE):
        assert reason in row["error"], row["error"]


def test_s3_12_newline_framing_dead_letters_hold_the_bad_line(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    values = [
        b"one\ntwo\n",
        b"ok\n\n" + b"x" * 12 + b"\nlast",   # the long line is line 3: empty lines count
        b"\xff\nfine\n" + b"y" * 11,          # two bad lines in one message
        b"z" * 30,                             # one long line without a newline
    ]
    produce(kafka_bootstrap, topic, [{"value": v, "timestamp": BASE_TS} for v in values])
    with open_reader(topic, kafka_bootstrap, framing="newline", max_line_length=10, bad_data="drop",
                     dead_letter=True, metadata_fields=["offset_id"]) as reader:
        table = read_table(reader)
        assert table.column("value").to_pylist() == ["one", "two", "ok", "last", "fine"]
        assert table.column("offset_id").to_pylist() == [0, 0, 1, 1, 2]
        assert letter_rows(reader.dead_letters()) == [
            letter(topic, 0, 1, b"x" * 12, "line 3: line of 12 bytes is longer than max_line_length=10",
                   line=3, timestamp=BASE_TS),
            letter(topic, 0, 2, b"\xff", "line 1: " + NOT_UTF8, line=1, timestamp=BASE_TS),
            letter(topic, 0, 2, b"y" * 11, "line 3: line of 11 bytes is longer than max_line_length=10",
                   line=3, timestamp=BASE_TS),
            letter(topic, 0, 3, b"z" * 30, "line 1: line of 30 bytes is longer than max_line_length=10",
                   line=1, timestamp=BASE_TS),
        ]


def test_dead_letter_is_rejected_under_fail():
    with pytest.raises(karrow.KarrowError, match="dead_letter=true needs bad_data=drop"):
        open_reader("t", "127.0.0.1:1", dead_letter=True)
    with pytest.raises(karrow.KarrowError, match="dead_letter=true needs bad_data=drop"):
        open_reader("t", "127.0.0.1:1", dead_letter=True, bad_data="fail")


def test_without_dead_letter_drop_is_unchanged(kafka_bootstrap, new_topic):
    topic = new_topic(2)
    records = alternating_records(20, 2)
    coords = produce(kafka_bootstrap, topic, records)
    good, _ = expected_split(records, coords, topic)
    tables = {}
    for dead_letter in (False, True):
        with open_reader(topic, kafka_bootstrap, bad_data="drop", dead_letter=dead_letter,
                         metadata_fields=["partition", "offset_id"]) as reader:
            tables[dead_letter] = read_table(reader)
            if not dead_letter:
                with pytest.raises(karrow.KarrowError, match="dead_letter=True"):
                    reader.dead_letters()
    assert good_rows(tables[False]) == good_rows(tables[True]) == good


def cli(*args, timeout=60):
    return subprocess.run([built_file("karrow", "KARROW_CLI"), *args], capture_output=True, timeout=timeout)


def test_consume_writes_dead_letters_to_an_ipc_stream(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(2)
    records = alternating_records(30, 2)
    coords = produce(kafka_bootstrap, topic, records)
    good, bad = expected_split(records, coords, topic)
    path = tmp_path / "bad.arrows"
    r = cli("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "--bad-data", "drop", "--dead-letter", str(path),
            "--metadata", "partition,offset_id", "--batch-size", "4")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert sorted((row["partition"], row["offset_id"], row["value"]) for row in rows) == good
    reader = ipc.open_stream(path.read_bytes())
    batches = list(reader)
    for b in batches:
        b.validate(full=True)
    assert letter_rows(pa.Table.from_batches(batches, schema=reader.schema)) == bad


def test_consume_dead_letter_needs_a_file_and_drop(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"good"}])
    r = cli("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "--bad-data", "drop", "-S", "dead_letter=true")
    assert r.returncode == 2
    assert b"dead_letter=true: name the file for the dead letters with --dead-letter FILE" in r.stderr
    r = cli("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "--dead-letter", str(tmp_path / "bad.arrows"))
    assert r.returncode == 2
    # Worded in the flags typed, not in the properties they became.
    assert b"--dead-letter FILE needs --bad-data drop: under --bad-data fail" in r.stderr
    # No bad data: an empty, valid stream with the schema.
    path = tmp_path / "none.arrows"
    r = cli("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "--bad-data", "drop", "--dead-letter", str(path))
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["value"] for line in r.stdout.decode().splitlines()] == ["good"]
    empty = ipc.open_stream(path.read_bytes()).read_all()
    assert empty.schema == DEAD_LETTER_SCHEMA and empty.num_rows == 0


@pytest.mark.parametrize("sink_format", ["arrow", "ndjson"])
def test_run_publishes_dead_letters_beside_the_rows(kafka_bootstrap, new_topic, tmp_path, sink_format):
    topic = new_topic(3)
    records = alternating_records(60, 3)
    coords = produce(kafka_bootstrap, topic, records)
    good, bad = expected_split(records, coords, topic)
    run_to_end(kafka_bootstrap, topic, tmp_path, "--bad-data", "drop", "-S", "dead_letter=true",
               "--sink-format", sink_format)
    out, dead = tmp_path / "out", tmp_path / "out" / "dead-letter"
    suffix = ".arrows" if sink_format == "arrow" else ".ndjson"
    assert sorted(p.name for p in dead.iterdir()) == sorted(p.name for p in dead.glob("*-*" + suffix))
    if sink_format == "arrow":
        assert good_rows(pa.concat_tables(t for _, t in read_published(out))) == good
        assert letter_rows(pa.concat_tables(t for _, t in read_published(dead))) == bad
    else:
        rows = [json.loads(line) for p in sorted(out.glob("*.ndjson")) for line in p.read_text().splitlines()]
        assert sorted((r["partition"], r["offset_id"], r["value"]) for r in rows) == good
        letters = [json.loads(line) for p in sorted(dead.glob("*.ndjson")) for line in p.read_text().splitlines()]
        assert sorted((r["partition"], r["offset"], base64.b64decode(r["value"]), r["error"]) for r in letters) == \
            [(b["partition"], b["offset"], b["value"], b["error"]) for b in bad]
