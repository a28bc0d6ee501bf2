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
    # No progress line when stderr is not a terminal; the summary only.
    assert r.stderr == ("karrow consume: rows=2 records_read=2 bad_records=0 bad_records.decode_error=0 "
                        "bad_records.line_too_long=0 next_offsets=0:1,1:1\n")
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


# No broker listens on port 1: a value that got past the checks would make
# the CLI try to connect, and fail only after the 10 s metadata timeout
# with "could not get metadata". Each of these must be refused before that,
# with what is wrong, the allowed range and what to do.
UNREACHABLE = "127.0.0.1:1"


def assert_refused_up_front(r, *fragments):
    assert r.returncode == 2, r.stderr
    assert "could not get metadata" not in r.stderr
    for fragment in fragments:
        assert fragment in r.stderr


def test_a_rate_too_small_for_the_limiter_is_refused():
    # It used to reach the source as "0.000000" (std::to_string), which
    # means no limit at all.
    r = run("consume", "-b", UNREACHABLE, "-t", "t", "--rate", "1e-9")
    assert_refused_up_front(r, "messages_per_second=1e-09: must be 0 (no limit) or from 1.15741e-05 "
                               "(one message a day) to 1e+09")
    r = run("consume", "-b", UNREACHABLE, "-t", "t", "--rate", "1e300")
    assert_refused_up_front(r, "messages_per_second=1e+300: must be 0 (no limit)")


def test_a_checkpoint_interval_past_its_range_is_refused(tmp_path):
    common = ("run", "-b", UNREACHABLE, "-t", "t", "--checkpoint-dir", str(tmp_path / "c"),
              "--sink-dir", str(tmp_path / "s"))
    # 1e30 s in milliseconds wrapped to a negative int64: "at least 1 ms".
    r = run(*common, "--checkpoint-interval", "1e30s")
    assert_refused_up_front(r, "checkpoint_interval 1e30s: must be from 1 ms to 30 days (2592000000 ms)")
    r = run(*common, "--checkpoint-interval", "0.5ms")
    assert_refused_up_front(r, "checkpoint_interval 0.5ms: must be from 1 ms to 30 days")
    r = run(*common, "--checkpoint-interval", "soon")
    assert_refused_up_front(r, "--checkpoint-interval soon: expected a duration like 500ms, 10s or 1m")
    assert not (tmp_path / "c").exists()  # refused before the run began


def test_a_stop_timeout_past_its_range_is_refused(tmp_path):
    common = ("run", "-b", UNREACHABLE, "-t", "t", "--checkpoint-dir", str(tmp_path / "c"),
              "--sink-dir", str(tmp_path / "s"))
    r = run(*common, "--stop-timeout", "1e30s")
    assert_refused_up_front(r, "stop_timeout 1e30s: must be from 1 ms to 30 days (2592000000 ms)")
    r = run(*common, "--stop-timeout", "0")
    assert_refused_up_front(r, "stop_timeout 0: must be from 1 ms to 30 days")
    r = run(*common, "--stop-timeout=-3s")
    assert_refused_up_front(r, "stop_timeout -3s: must be from 1 ms to 30 days")
    r = run(*common, "--stop-timeout", "later")
    assert_refused_up_front(r, "--stop-timeout later: expected a duration like 500ms, 10s or 1m")
    assert not (tmp_path / "c").exists()  # refused before the run began


def test_a_count_past_int64_is_refused():
    r = run("consume", "-b", UNREACHABLE, "-t", "t", "-c", "99999999999999999999")
    assert_refused_up_front(r, "-c 99999999999999999999: expected a whole number of rows from 0 to "
                               "9223372036854775807")
    r = run("consume", "-b", UNREACHABLE, "-t", "t", "-c", "-3")
    assert_refused_up_front(r, "-c -3: expected a whole number of rows")


def test_a_run_of_mostly_idle_tasks_is_refused_before_any_task_starts(kafka_bootstrap, new_topic, tmp_path):
    # 1024 tasks, each a Kafka client, used to fail after the 10 s metadata
    # timeout. Now one client asks for the partition count and the run is
    # refused before RunJob makes its folders, let alone its 1024 clients.
    topic = new_topic(2)
    r = run("run", "-b", kafka_bootstrap, "-t", topic, "--parallelism", "1024",
            "--checkpoint-dir", str(tmp_path / "c"), "--sink-dir", str(tmp_path / "s"), "-e")
    assert_refused_up_front(r, f"--parallelism 1024: topic '{topic}' has 2 partition(s), so 1022 of the 1024 "
                               "tasks would read nothing; use at most 4 (twice the partitions), best 2")
    assert not (tmp_path / "c").exists() and not (tmp_path / "s").exists()


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


def test_consume_names_the_event_time_column_or_leaves_it_out(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b'{"_timestamp": "mine"}', "timestamp": 1_700_000_000_123}])
    common = ("consume", "-b", kafka_bootstrap, "-t", topic, "-f", "json", "-e")
    r = run(*common, "--event-time-column", "at")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == [
        {"value": {"_timestamp": "mine"}, "at": "2023-11-14T22:13:20.123000000Z"}]
    r = run(*common, "--event-time-column", "")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == [{"value": {"_timestamp": "mine"}}]
    r = run(*common, "--event-time-column", "value")
    assert r.returncode != 0
    assert "the value has a field 'value', the name of the event time column" in r.stderr
