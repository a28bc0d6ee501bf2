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
    assert "-X fetch.wait.max.ms=banana" in r.stderr


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
    assert_refused_up_front(r, "--rate 1e-09: must be 0 (no limit) or from 1.15741e-05 "
                               "(one message a day) to 1e+09")
    r = run("consume", "-b", UNREACHABLE, "-t", "t", "--rate", "1e300")
    assert_refused_up_front(r, "--rate 1e+300: must be 0 (no limit)")


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
    r = run(*common, "--stop-timeout", "0s")
    assert_refused_up_front(r, "stop_timeout 0s: must be from 1 ms to 30 days")
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


# kcat's habits (-o, -p, -S, -J, -q) and the exit codes: 0 success, 1 runtime
# failure, 2 usage or configuration error.

T0 = 1_700_000_000_000


def rows_of(stdout: str) -> list[tuple[int, int]]:
    return sorted((row["partition"], row["offset_id"]) for row in map(json.loads, stdout.splitlines()))


def ten_a_partition(kafka_bootstrap, new_topic, partitions=2):
    topic = new_topic(partitions)
    produce(kafka_bootstrap, topic, [{"value": f"p{p}-{i}".encode(), "partition": p, "timestamp": T0 + i * 1000}
                                     for p in range(partitions) for i in range(10)])
    return topic


def test_offsets_as_kcat_takes_them(kafka_bootstrap, new_topic):
    topic = ten_a_partition(kafka_bootstrap, new_topic)
    common = ("consume", "-b", kafka_bootstrap, "-t", topic, "--metadata", "partition,offset_id")

    def read(*args):
        r = run(*common, *args)
        assert r.returncode == 0, r.stderr
        return rows_of(r.stdout)

    # -N: the last N records of each partition; more than there are: all of them.
    assert read("-e", "-o", "-3") == [(p, o) for p in range(2) for o in (7, 8, 9)]
    assert read("-e", "-o-3") == [(p, o) for p in range(2) for o in (7, 8, 9)]
    assert read("-e", "-o", "-50") == [(p, o) for p in range(2) for o in range(10)]
    # N: offset N of each partition.
    assert read("-e", "-o", "8") == [(p, o) for p in range(2) for o in (8, 9)]
    # s@ and e@: from the first record at or after one time to before another.
    assert read("-o", f"s@{T0 + 5000}", "-o", f"e@{T0 + 8000}") == [(p, o) for p in range(2) for o in (5, 6, 7)]
    # e@ alone stops (no -e needed), starting at the beginning.
    assert read("-o", f"e@{T0 + 2000}") == [(p, o) for p in range(2) for o in (0, 1)]
    # The words, in any case; stored is the group's committed offset (none yet: the beginning).
    assert read("-e", "-o", "BEGINNING") == [(p, o) for p in range(2) for o in range(10)]
    assert read("-e", "-o", "end") == []
    assert read("-e", "-o", "stored", "-g", f"{topic}-fresh") == [(p, o) for p in range(2) for o in range(10)]


def test_offset_mistakes_name_the_flag(kafka_bootstrap):
    common = ("consume", "-b", UNREACHABLE, "-t", "t")
    r = run(*common, "-o", "begining")
    assert_refused_up_front(r, "-o begining: expected beginning, end, stored, an offset N, -N (the last N "
                               "records of each partition), s@MS", "did you mean beginning?")
    r = run(*common, "-o", "-3", "-o", "5")
    assert_refused_up_front(r, "-o 5: a second start (the first was -o -3); give one start, and e@MS to stop")
    r = run(*common, "-o", "s@yesterday")
    assert_refused_up_front(r, "-o s@yesterday: expected s@MS, milliseconds since the epoch")
    r = run(*common, "-o", "timestamp")
    assert_refused_up_front(r, "-o timestamp needs start_timestamp_ms")


def test_partition_selection(kafka_bootstrap, new_topic, tmp_path):
    topic = ten_a_partition(kafka_bootstrap, new_topic, partitions=3)
    common = ("consume", "-b", kafka_bootstrap, "-t", topic, "--metadata", "partition,offset_id", "-e")
    r = run(*common, "-p", "2", "-p", "0", "-o", "-1")
    assert r.returncode == 0, r.stderr
    assert rows_of(r.stdout) == [(0, 9), (2, 9)]
    r = run(*common, "--partition", "1", "-o", "-2")
    assert r.returncode == 0, r.stderr
    assert rows_of(r.stdout) == [(1, 8), (1, 9)]
    r = run(*common, "-p", "5")
    assert r.returncode == 2, r.stderr
    assert f"-p: topic '{topic}' has no partition 5; its 3 partition(s) are numbered 0 to 2" in r.stderr
    # karrow run's checkpoints cover every partition: -p is refused there.
    r = run("run", "-b", kafka_bootstrap, "-t", topic, "-p", "1", "--checkpoint-dir", str(tmp_path / "c"),
            "--sink-dir", str(tmp_path / "s"), "-e")
    assert_refused_up_front(r, "-p: karrow run reads every partition of the topic")
    assert not (tmp_path / "c").exists()
    # karrow's own -p key=value of before: the new letter is named.
    r = run(*common, "-p", "linger_ms=5")
    assert r.returncode == 2
    assert "-p is the partition to read, as in kcat; give source properties with -S key=value" in r.stderr


def test_source_properties_take_dash_s(kafka_bootstrap, new_topic):
    topic = ten_a_partition(kafka_bootstrap, new_topic, partitions=1)
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-S", "stop_offsets=0:3", "--metadata", "offset_id")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["offset_id"] for line in r.stdout.splitlines()] == [0, 1, 2]
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "--property", "stop_offsets=0:1")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1


def test_exit_codes_and_did_you_mean(kafka_bootstrap):
    assert run("--version").returncode == 0
    r = run("consume", "--help")
    assert r.returncode == 0 and "--partition" in r.stdout
    # CLI11's own codes (106 missing required, 109 not expected, 105 conversion) are 2.
    r = run("consume", "-t", "x")
    assert r.returncode == 2 and "--brokers is required" in r.stderr, r.stderr
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "--bathc-size", "5")
    assert r.returncode == 2
    assert "unknown option --bathc-size; did you mean --batch-size?" in r.stderr
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "--batch-size", "many")
    assert r.returncode == 2, r.stderr
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "--output", "parquet")
    assert r.returncode == 2, r.stderr
    r = run("nothing")
    assert r.returncode == 2, r.stderr
    r = run()
    assert r.returncode == 2, r.stderr
    # Properties: karrow's and librdkafka's names are suggested.
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "-S", "lingr_ms=5")
    assert_refused_up_front(r, "unknown property 'lingr_ms'; did you mean linger_ms?")
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "-S", "fetch.wait.max.ms=5")
    assert_refused_up_front(r, "unknown property 'fetch.wait.max.ms'; it is librdkafka's: give it as "
                               "client_configs.fetch.wait.max.ms")
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "-X", "fetch.max.byte=5")
    assert_refused_up_front(r, "-X fetch.max.byte: librdkafka has no such property; did you mean fetch.max.bytes?")
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "-S", "schema_registry.ulr=http://r")
    assert_refused_up_front(r, "unknown property 'schema_registry.ulr'; did you mean schema_registry.url?")
    # Errors name the flag typed, not the property it became.
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "--bad-data", "dorp")
    assert_refused_up_front(r, "--bad-data dorp: expected one of fail, drop")
    assert "bad_data" not in r.stderr
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "--batch-size", "0")
    assert_refused_up_front(r, "--batch-size 0: must be 1 to 16777216 rows")
    r = run("consume", "-b", UNREACHABLE, "-t", "x", "--linger-ms", "-1")
    assert_refused_up_front(r, "--linger-ms: must not be negative")
    # A runtime failure is 1 (test_errors_are_clear_and_exit_nonzero: a missing topic).


def test_metadata_with_spaces_and_formats_in_any_case(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b'{"n": 1}', "key": b"k"}])
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "-f", "JSON", "--framing", "None",
            "--metadata", "key, partition", "--event-time-column", "")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == [
        {"value": {"n": 1}, "key": base64.b64encode(b"k").decode(), "partition": 0}]


def test_envelope_flag_adds_every_metadata_column(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"v", "key": b"k", "timestamp": T0, "headers": [("h", b"x")]}])
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "-J")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == [
        {"value": "v", "topic": topic, "partition": 0, "offset_id": 0, "timestamp": "2023-11-14T22:13:20.000Z",
         "key": base64.b64encode(b"k").decode(), "headers": [{"key": "h", "value": base64.b64encode(b"x").decode()}],
         "_timestamp": "2023-11-14T22:13:20.000000000Z"}]
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "-J", "--metadata", "key")
    assert r.returncode == 2 and "-J is short for --metadata" in r.stderr


def test_floats_are_written_as_the_shortest_text_that_reads_back(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(1)
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"fields": [{"name": "d", "type": "float64"}, {"name": "f", "type": "float32"}]}))
    produce(kafka_bootstrap, topic, [{"value": b'{"d": 0.1, "f": 0.1}'},
                                     {"value": b'{"d": 1e-7, "f": 3.4028234663852886e38}'},
                                     {"value": b'{"d": 123456789.125, "f": -2.5}'}])
    r = run("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "-f", "json", "--schema", str(schema),
            "--event-time-column", "")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ['{"d":0.1,"f":0.1}', '{"d":1e-07,"f":3.4028235e+38}',
                                     '{"d":123456789.125,"f":-2.5}']


def run_on_terminal(args, stdout_tty=False, stderr_tty=False, timeout=60):
    """Runs the CLI with stdout and/or stderr on a pseudo-terminal; returns
    (exit code, what went to the terminal, the other stream)."""
    import os
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen([cli(), *args], stdout=slave if stdout_tty else subprocess.PIPE,
                            stderr=slave if stderr_tty else subprocess.PIPE)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    other = (proc.stderr if stdout_tty else proc.stdout).read()
    return proc.wait(timeout=timeout), seen.decode(), other.decode()


def test_arrow_output_to_a_terminal_is_refused(kafka_bootstrap):
    code, _, err = run_on_terminal(["consume", "-b", UNREACHABLE, "-t", "t", "--output", "arrow"],
                                   stdout_tty=True)
    assert code == 2
    assert "--output arrow writes a binary Arrow IPC stream, which a terminal cannot show: send it to a file " \
           "(> t.arrows)" in err


def test_progress_line_counts_the_rows_output_and_quiet_silences_it(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(100)])
    code, terminal, out = run_on_terminal(["consume", "-b", kafka_bootstrap, "-t", topic, "-c", "5"],
                                          stderr_tty=True)
    assert code == 0, terminal
    assert len(out.splitlines()) == 5
    # Redrawn in place; the last drawing is the final count: the 5 rows
    # output, not the 100 records the source read in one batch.
    drawings = [d for d in terminal.replace("\r\n", "\n").split("\r") if d.strip()]
    assert drawings and drawings[-1].startswith("5 records "), terminal
    code, terminal, out = run_on_terminal(["consume", "-b", kafka_bootstrap, "-t", topic, "-c", "5", "-q"],
                                          stderr_tty=True)
    assert code == 0 and terminal == "" and len(out.splitlines()) == 5


def test_run_quiet_and_durations_need_a_unit(kafka_bootstrap, new_topic, tmp_path):
    common = ("run", "-b", UNREACHABLE, "-t", "t", "--checkpoint-dir", str(tmp_path / "c"),
              "--sink-dir", str(tmp_path / "s"))
    r = run(*common, "--checkpoint-interval", "10")
    assert_refused_up_front(r, "--checkpoint-interval 10: give the unit: 10s (10 seconds), 10ms or 10m")
    r = run(*common, "--stop-timeout", "30")
    assert_refused_up_front(r, "--stop-timeout 30: give the unit: 30s (30 seconds), 30ms or 30m")
    assert not (tmp_path / "c").exists()
    topic = ten_a_partition(kafka_bootstrap, new_topic, partitions=1)

    def run_args(name, *extra):
        return ("run", "-b", kafka_bootstrap, "-t", topic, "--checkpoint-dir", str(tmp_path / f"c-{name}"),
                "--sink-dir", str(tmp_path / f"s-{name}"), "--checkpoint-interval", "100ms", *extra)

    r = run(*run_args("quiet", "-e", "-q"), timeout=120)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    # e@ works with run too: a bounded run, to before the record at T0 + 4 s.
    r = run(*run_args("upto4", "-o", f"e@{T0 + 4000}"), timeout=120)
    assert r.returncode == 0, r.stderr
    import pyarrow as pa
    import pyarrow.ipc as ipc
    values = []
    for path in sorted((tmp_path / "s-upto4").glob("*.arrows")):
        with ipc.open_stream(path) as reader:
            for b in reader:
                b.validate(full=True)
                values += pa.Table.from_batches([b]).column("value").to_pylist()
    assert values == [f"p0-{i}" for i in range(4)]


def test_key_format(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"a", "key": b'{"id": 7}'}, {"value": b"b", "key": b"\xff"},
                                     {"value": b"c", "key": None}])
    common = ("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "--metadata", "key", "--event-time-column", "")
    r = run(*common)  # raw_bytes: base64
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["key"] for line in r.stdout.splitlines()] == [
        base64.b64encode(b'{"id": 7}').decode(), "/w==", None]
    r = run(*common, "--key-format", "json", "--bad-data", "drop")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == [
        {"value": "a", "key": {"id": 7}}, {"value": "c", "key": None}]
    r = run(*common, "--key-format", "raw_string", "--bad-data", "drop")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == [
        {"value": "a", "key": '{"id": 7}'}, {"value": "c", "key": None}]
    r = run(*common, "--key-format", "raw_string")
    assert r.returncode == 1
    assert f"topic '{topic}' partition 0 offset 1: key is not valid UTF-8 (--key-format raw_string). Set --bad-data drop to skip bad records" in r.stderr
    r = run(*common, "--key-format", "text")
    assert r.returncode == 2 and "--key-format text: expected one of raw_bytes, raw_string, json" in r.stderr
