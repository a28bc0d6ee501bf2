"""The karrow command-line tool: consume to NDJSON and the demo."""

from __future__ import annotations

import base64
import json
import subprocess


from kafka_helpers import produce
from karrow_testing import built_file


def cli() -> str:
    return built_file("karrow", "KARROW_CLI")


def run(*args, timeout=60):
    return subprocess.run([cli(), *args], capture_output=True, text=True, timeout=timeout)


def test_consume_ndjson_until_end(kafka_bootstrap, new_topic):
    topic = new_topic(2)
    produce(kafka_bootstrap, topic, [
        {"value": b'{"n": 1}', "key": b"k1", "partition": 0, "timestamp": 1_700_000_000_123,
         "headers": [("h", b"\x00\x01"), ("h", None)]},
        {"value": b'{"n": 2}', "key": None, "partition": 1, "timestamp": 1_700_000_000_456},
    ])
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-f", "json", "-e",
            "--metadata", "key,partition,offset_id,timestamp,headers,topic")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # no progress line when stderr is not a terminal
    rows = sorted((json.loads(line) for line in r.stdout.splitlines()), key=lambda row: row["partition"])
    assert rows == [
        {"value": {"n": 1}, "key": base64.b64encode(b"k1").decode(), "partition": 0, "offset_id": 0,
         "timestamp": "2023-11-14T22:13:20.123Z", "headers": [{"key": "h", "value": "AAE="},
                                                              {"key": "h", "value": None}],
         "topic": topic, "_timestamp": "2023-11-14T22:13:20.123000000Z"},
        {"value": {"n": 2}, "key": None, "partition": 1, "offset_id": 0, "timestamp": "2023-11-14T22:13:20.456Z",
         "headers": [], "topic": topic, "_timestamp": "2023-11-14T22:13:20.456000000Z"},
    ]


def test_count_stops_after_exactly_n_rows(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(50)])
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-c", "7", "--batch-size", "5")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["value"] for line in r.stdout.splitlines()] == [f"v{i}" for i in range(7)]


def test_task_reads_its_share_of_partitions(kafka_bootstrap, new_topic):
    topic = new_topic(3)
    produce(kafka_bootstrap, topic, [{"value": f"p{p}".encode(), "partition": p} for p in range(3)])
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "--task", "1/2", "--metadata", "partition")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()][0]["partition"] == 1
    assert len(r.stdout.splitlines()) == 1


def test_errors_are_clear_and_exit_nonzero(kafka_bootstrap):
    r = run("consume", "-b", kafka_bootstrap, "-t", "missing-topic-cli", "-e")
    assert r.returncode == 1
    assert "topic 'missing-topic-cli' does not exist" in r.stderr
    r = run("consume", "-b", kafka_bootstrap, "-t", "x", "-X", "fetch.wait.max.ms=banana")
    assert r.returncode == 2
    assert "client_configs.fetch.wait.max.ms=banana" in r.stderr


def test_demo_runs_without_a_broker():
    r = run("demo", "-n", "600", "-p", "3")
    assert r.returncode == 0, r.stderr
    assert "Summary: 600 records from 3 partitions" in r.stdout
    assert "value      string not null" in r.stdout


def test_output_arrow_is_an_ipc_stream(kafka_bootstrap, new_topic):
    import pyarrow as pa
    import pyarrow.ipc as ipc

    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode(), "key": b"k", "headers": [("h", b"x")]}
                                     for i in range(20)])
    r = subprocess.run([cli(), "consume", "-b", kafka_bootstrap, "-t", topic, "--output", "arrow", "-c", "13",
                        "--batch-size", "5", "--metadata", "key,offset_id,headers"],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    reader = ipc.open_stream(r.stdout)
    batches = list(reader)
    for b in batches:
        b.validate(full=True)
    table = pa.Table.from_batches(batches, schema=reader.schema)
    assert table.column("value").to_pylist() == [f"v{i}" for i in range(13)]
    assert table.column("offset_id").to_pylist() == list(range(13))
    assert table.column("headers").to_pylist() == [[{"key": "h", "value": b"x"}]] * 13
