"""Metrics (docs/metrics.md): the --metrics-address endpoint of `karrow run`
and `karrow consume` scraped during live runs, Python's reader.metrics(),
consume's summary and progress, and logging (KARROW_LOG, -X debug)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import time
import urllib.request

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from confluent_kafka import Consumer, TopicPartition

from kafka_helpers import produce
from karrow_testing import built_file, open_reader, read_batches


def cli() -> str:
    return built_file("karrow", "KARROW_CLI")


# --- a strict reader of the Prometheus text exposition format (0.0.4) -------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
VALUE = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN)"
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)\}})? ({VALUE})$")


def parse_exposition(text: str) -> dict[str, dict]:
    """{name: {"type": ..., "help": ..., "samples": {labels (sorted tuple): value}}};
    fails on anything the format does not allow or karrow promises not to do."""
    if text == "":
        return {}  # nothing to show yet (a run whose tasks have not started)
    assert text.endswith("\n"), "the text must end with a newline"
    metrics: dict[str, dict] = {}
    current = None  # the metric whose lines come now: each metric's lines are together
    for line in text[:-1].split("\n"):
        if line.startswith("# HELP "):
            name, _, help_text = line[len("# HELP "):].partition(" ")
            assert re.fullmatch(NAME, name), line
            assert name not in metrics, f"{name} described twice"
            assert help_text, f"{name} has no help"
            metrics[name] = {"help": help_text, "type": None, "samples": {}}
            current = name
        elif line.startswith("# TYPE "):
            name, _, kind = line[len("# TYPE "):].partition(" ")
            assert name == current and metrics[name]["type"] is None, line
            assert kind in ("counter", "gauge"), line
            assert (kind == "counter") == name.endswith("_total"), f"{name}: counters, and only they, end in _total"
            metrics[name]["type"] = kind
        else:
            assert not line.startswith("#"), line
            m = SAMPLE.match(line)
            assert m, f"not a sample line: {line!r}"
            name = m.group(1)
            assert name == current and metrics[name]["type"] is not None, f"{name}: sample before its TYPE"
            labels = tuple(sorted(re.findall(LABEL, m.group(2) or "")))
            assert len({k for k, _ in labels}) == len(labels), f"repeated label: {line}"
            assert labels not in metrics[name]["samples"], f"repeated sample: {line}"
            metrics[name]["samples"][labels] = float(m.group(m.lastindex))
    return metrics


def scrape(url: str) -> dict[str, dict]:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse_exposition(response.read().decode())


def by_label(metrics, name: str, label: str) -> dict[str, float]:
    """The samples of `name` keyed by the value of `label`."""
    return {dict(labels)[label]: value for labels, value in metrics.get(name, {"samples": {}})["samples"].items()}


def counters(metrics) -> dict[tuple, float]:
    return {(name, labels): value for name, m in metrics.items() if m["type"] == "counter"
            for labels, value in m["samples"].items()}


def broker_high_watermarks(bootstrap: str, topic: str, partitions: int) -> dict[str, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "watermarks"})
    try:
        return {str(p): c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in range(partitions)}
    finally:
        c.close()


def start_serving(args, env=None) -> tuple[subprocess.Popen, str]:
    """Starts the CLI with --metrics-address 127.0.0.1:0; returns it and its metrics URL."""
    proc = subprocess.Popen([cli(), *args, "--metrics-address", "127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    m = re.fullmatch(r"karrow: serving metrics at (http://127\.0\.0\.1:\d+/metrics)\n", line)
    if not m:
        proc.kill()
        raise AssertionError(f"no metrics address announced: {line!r} {proc.communicate()}")
    return proc, m.group(1)


def check_partitions(metrics, high: dict[str, int]) -> dict[str, float]:
    """Per partition: the lag is the broker's high watermark less what was
    read (the run starts at offset 0, so what was read is the next offset).
    Returns the records read per partition."""
    read = by_label(metrics, "karrow_partition_records_read_total", "partition")
    next_offsets = by_label(metrics, "karrow_partition_next_offset", "partition")
    lags = by_label(metrics, "karrow_partition_lag_records", "partition")
    ends = by_label(metrics, "karrow_partition_end_offset", "partition")
    assert set(read) <= set(high)  # a task that has not published yet shows none of its partitions
    for p, lag in lags.items():
        assert next_offsets[p] == read[p]
        assert ends[p] == high[p]
        assert lag == high[p] - read[p], (p, lag, high[p], read[p])
    for p, offset in next_offsets.items():
        assert offset == read[p]
    return read


def test_run_metrics_scraped_during_a_live_run(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(3)
    per_partition = {0: 150, 1: 100, 2: 50}
    produce(kafka_bootstrap, topic, [{"value": f"p{p}-{i}".encode(), "partition": p}
                                     for p, n in per_partition.items() for i in range(n)])
    total = sum(per_partition.values())
    high = broker_high_watermarks(kafka_bootstrap, topic, 3)
    assert high == {"0": 150, "1": 100, "2": 50}
    # A rate limit makes the run take seconds, so scrapes see it halfway.
    proc, url = start_serving(["run", "-b", kafka_bootstrap, "-t", topic, "--parallelism", "2",
                               "--checkpoint-dir", str(tmp_path / "ckpt"), "--sink-dir", str(tmp_path / "out"),
                               "--checkpoint-interval", "300ms", "--rate", "100", "--batch-size", "20",
                               "--linger-ms", "50"])
    try:
        previous: dict[tuple, float] = {}
        scrapes = midway = 0
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run did not read everything within 300 s"
            metrics = scrape(url)
            scrapes += 1
            # Counters only grow: every one seen before is there again, not smaller.
            now = counters(metrics)
            for key, value in previous.items():
                assert key in now and now[key] >= value, (key, value, now.get(key))
            previous = now
            if "karrow_records_read_total" not in metrics:
                time.sleep(0.05)  # the tasks have not published yet
                continue
            read = check_partitions(metrics, high)
            tasks = by_label(metrics, "karrow_records_read_total", "task")
            assert set(tasks) <= {"0", "1"}
            assert sum(tasks.values()) == sum(read.values())
            assert all(labels and dict(labels)["topic"] == topic
                       for labels in metrics["karrow_records_read_total"]["samples"])
            done = sum(read.values())
            midway += 0 < done < total
            completed = metrics.get("karrow_checkpoints_completed_total", {"samples": {}})["samples"]
            if done == total and set(read) == set(high) and list(completed.values()) and \
                    list(completed.values())[0] >= 1 and \
                    len(by_label(metrics, "karrow_partition_lag_records", "partition")) == 3:
                break
            time.sleep(0.1)
        assert midway > 0, f"no scrape of {scrapes} saw the run halfway"
        lags = by_label(metrics, "karrow_partition_lag_records", "partition")
        assert lags == {"0": 0, "1": 0, "2": 0}
        job = {(name, labels): v for name, m in metrics.items() for labels, v in m["samples"].items()
               if name.startswith("karrow_checkpoint") or name.startswith("karrow_last_checkpoint")}
        assert all(dict(labels) == {"job": f"karrow-{topic}"} for _, labels in job)
        epoch = metrics["karrow_last_checkpoint_epoch"]["samples"][(("job", f"karrow-{topic}"),)]
        assert epoch >= 1
        assert metrics["karrow_checkpoints_failed_total"]["samples"][(("job", f"karrow-{topic}"),)] == 0
        assert set(tasks) == {"0", "1"}
        assert by_label(metrics, "karrow_rows_emitted_total", "task") == tasks
        assert sum(by_label(metrics, "karrow_rate_limit_waits_total", "task").values()) > 0
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "finish=graceful" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    rows = sum(ipc.open_stream(str(f)).read_all().num_rows for f in (tmp_path / "out").glob("*.arrows"))
    assert rows == total


def test_consume_metrics_by_reason_and_summary(kafka_bootstrap, new_topic):
    topic = new_topic(2)
    produce(kafka_bootstrap, topic, [
        {"value": b'{"n": 1}\n{"n": 2}', "partition": 0},
        {"value": b'{"n": 3}\nnot json\n{"n": "' + b"x" * 50 + b'"}', "partition": 0},
        {"value": b'{"n": 4}', "partition": 1},
    ])
    proc, url = start_serving(["consume", "-b", kafka_bootstrap, "-t", topic, "-f", "json", "--framing",
                               "newline", "--bad-data", "drop", "--property", "max_line_length=40",
                               "--linger-ms", "20"])
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            metrics = scrape(url)
            read = by_label(metrics, "karrow_partition_records_read_total", "partition")
            lags = by_label(metrics, "karrow_partition_lag_records", "partition")
            if read == {"0": 2, "1": 1} and len(lags) == 2:
                break
            time.sleep(0.1)
        check_partitions(metrics, {"0": 2, "1": 1})
        assert lags == {"0": 0, "1": 0}
        task = (("task", "0"), ("topic", topic))
        assert metrics["karrow_records_read_total"]["samples"] == {task: 3}
        assert metrics["karrow_rows_emitted_total"]["samples"] == {task: 4}
        assert metrics["karrow_bad_records_total"]["samples"] == {
            (("reason", "decode_error"),) + task: 1, (("reason", "line_too_long"),) + task: 1}
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert sorted(json.loads(line)["value"]["n"] for line in out.splitlines()) == [1, 2, 3, 4]
    # After the warnings about the dropped lines, the summary.
    assert err.startswith("karrow: warning: dropped bad data at topic"), err
    assert err.endswith("\nkarrow consume: rows=4 records_read=3 bad_records=2 bad_records.decode_error=1 "
                        "bad_records.line_too_long=1 next_offsets=0:2,1:1\n"), err


def test_consume_quiet_writes_nothing_to_stderr(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"a"}, {"value": b"b"}])
    args = [cli(), "consume", "-b", kafka_bootstrap, "-t", topic, "-e"]
    loud = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert loud.returncode == 0
    assert loud.stderr == "karrow consume: rows=2 records_read=2 bad_records=0 bad_records.decode_error=0 " \
                          "bad_records.line_too_long=0 next_offsets=0:2\n"
    for flag in ("-q", "--quiet"):
        quiet = subprocess.run(args + [flag], capture_output=True, text=True, timeout=60)
        assert quiet.returncode == 0
        assert quiet.stdout == loud.stdout
        assert quiet.stderr == ""


def test_metrics_address_refused_up_front(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(1)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        for command in (["consume", "-b", kafka_bootstrap, "-t", topic, "-e"],
                        ["run", "-b", kafka_bootstrap, "-t", topic, "--checkpoint-dir", str(tmp_path / "c"),
                         "--sink-dir", str(tmp_path / "s")]):
            r = subprocess.run([cli(), *command, "--metrics-address", f"127.0.0.1:{port}"], capture_output=True,
                               text=True, timeout=60)
            assert r.returncode == 2, r.stderr
            assert r.stderr == (f"karrow: --metrics-address 127.0.0.1:{port}: cannot listen there (Address "
                                "already in use); choose a free port, or an address of this machine\n")
            for address, what in (("localhost", "expected HOST:PORT"), ("127.0.0.1:http", "the port must be"),
                                  ("127.0.0.1:70000", "the port must be")):
                r = subprocess.run([cli(), *command, "--metrics-address", address], capture_output=True,
                                   text=True, timeout=60)
                assert r.returncode == 2, r.stderr
                assert r.stderr.startswith(f"karrow: --metrics-address {address}: {what}"), r.stderr
    finally:
        taken.close()
    assert not (tmp_path / "c").exists()  # refused before the run started


def test_python_reader_metrics(kafka_bootstrap, new_topic):
    topic = new_topic(2)
    produce(kafka_bootstrap, topic, [{"value": b"1", "partition": 0}, {"value": b"2", "partition": 0},
                                     {"value": b"x", "partition": 1}])
    reader = open_reader(topic, kafka_bootstrap, format="json", stop_at_end="true", bad_data="drop")
    batches = read_batches(reader)
    assert sum(b.num_rows for b in batches) == 2
    m = reader.metrics()
    assert m["records_read_total"] == 3
    assert m["rows_emitted_total"] == 2
    assert m["bad_records_total"] == {"decode_error": 1, "line_too_long": 0}
    assert m["partition_records_read_total"] == {0: 2, 1: 1}
    assert m["partition_next_offset"] == {0: 2, 1: 1}
    assert m["partition_end_offset"] == {0: 2, 1: 1}
    assert m["partition_lag_records"] == {0: 0, 1: 0}
    assert m["rate_limit_waits_total"] == 0
    assert m["rate_limit_wait_seconds_total"] == 0.0
    assert isinstance(m["rate_limit_wait_seconds_total"], float)
    assert m["value_bytes_read_total"] == 3
    assert m["dead_letters_total"] == 0
    reader.close()
    assert reader.metrics() == m  # as they stood at close()


def test_debug_property_logs_without_karrow_log(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"a"}])
    env = {k: v for k, v in os.environ.items() if k != "KARROW_LOG"}
    base = [cli(), "consume", "-b", kafka_bootstrap, "-t", topic, "-e", "-q"]
    plain = subprocess.run(base, capture_output=True, text=True, timeout=60, env=env)
    assert plain.returncode == 0 and plain.stderr == ""
    debug = subprocess.run(base + ["-X", "debug=metadata"], capture_output=True, text=True, timeout=60, env=env)
    assert debug.returncode == 0, debug.stderr
    assert re.search(r"^karrow: debug: librdkafka METADATA: ", debug.stderr, re.M), debug.stderr


def test_help_documents_logging_and_metrics():
    for command in ("consume", "run"):
        r = subprocess.run([cli(), command, "--help"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0
        assert "KARROW_LOG=debug|info|warn|error" in r.stdout
        assert "--metrics-address" in r.stdout
        assert "-X debug=" in r.stdout
    r = subprocess.run([cli(), "consume", "--help"], capture_output=True, text=True, timeout=60)
    assert "-q,--quiet" in r.stdout


def test_run_logs_each_checkpoint_at_info_and_shows_progress_on_a_terminal(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(30)])
    env = {**os.environ, "KARROW_LOG": "info"}
    # stderr is a terminal: the progress line is drawn there.
    leader, follower = pty.openpty()
    proc = subprocess.Popen([cli(), "run", "-b", kafka_bootstrap, "-t", topic, "-e", "--checkpoint-dir",
                             str(tmp_path / "c"), "--sink-dir", str(tmp_path / "s"), "--checkpoint-interval",
                             "10m", "--rate", "20"], stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    text = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 120)
            assert ready, f"no output for 120 s: {text!r}"
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the process ended and closed its side
                break
            if not chunk:
                break
            text += chunk
        assert proc.wait(timeout=60) == 0, text
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    text = text.decode().replace("\r\n", "\n")
    # A bounded run: one checkpoint, the final one, with all 30 records.
    checkpoints = re.findall(r"karrow: info: checkpoint (\d+) complete: (\d+) records since the last, "
                             r"(\d+) files \((\d+) bytes\) published, took \d+ ms", text)
    assert [(c[0], c[1], c[2]) for c in checkpoints] == [("1", "30", "1")]
    assert int(checkpoints[0][3]) == os.path.getsize(next((tmp_path / "s").glob("*.arrows")))
    # Rate 20/s: 30 records take over a second, so the line is drawn at least once.
    assert re.search(r"\r\d+ records  \d+ records/s  [\d.]+ MB/s  lag \d+  (no checkpoint yet|checkpoint \d+ \d+ s ago)",
                     text), text
    assert re.search(r"karrow run: finish=final restored_epoch=0 last_epoch=1 checkpoints=1 ", text), text


def test_broker_round_trip_from_librdkafka_statistics(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"a"}])
    # Without statistics.interval.ms librdkafka sends none, and there is no such metric.
    plain = open_reader(topic, kafka_bootstrap)
    read_batches(plain)
    assert "broker_rtt_seconds" not in plain.metrics()
    plain.close()
    proc, url = start_serving(["consume", "-b", kafka_bootstrap, "-t", topic, "-q",
                               "-X", "statistics.interval.ms=100"])
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no broker round trip within 60 s"
            rtt = by_label(scrape(url), "karrow_broker_rtt_seconds", "broker")
            # An average over a window with requests in it is above 0.
            if rtt and all(v > 0 for v in rtt.values()):
                break
            time.sleep(0.1)
        [name] = rtt  # the one broker, named as librdkafka names it
        assert re.fullmatch(r"127\.0\.0\.1:\d+/\d+", name), name
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
