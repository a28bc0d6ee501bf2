"""`karrow run` refuses what would break exactly once rather than do it
(docs/semantics.md §14): two runs on one folder at once, a checkpoint store
or sink of another job, published output without the checkpoints that
cover it, a published file that went missing."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from exactly_once import (
    LedgerProducer,
    check_ledger,
    completed_epochs,
    karrow_run_args,
    run_to_end,
    start_run,
    wait_for,
)


def run_once(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)


def with_dirs(args: list[str], checkpoints: Path | None = None, sink: Path | None = None) -> list[str]:
    """`args` with another --checkpoint-dir and/or --sink-dir."""
    out = list(args)
    if checkpoints is not None:
        out[out.index("--checkpoint-dir") + 1] = str(checkpoints)
    if sink is not None:
        out[out.index("--sink-dir") + 1] = str(sink)
    return out


def test_second_run_on_the_same_folders_refuses_at_once(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2, per_second=1000).start()
    first = start_run(kafka_bootstrap, topic, tmp_path, interval="100ms")
    wait_for(lambda: first.poll() is not None or completed_epochs(tmp_path / "checkpoints"), "a first checkpoint")
    assert first.poll() is None, first.stderr.read()
    args = karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e")
    started = time.monotonic()
    second = run_once(args, timeout=60)
    assert second.returncode == 1, second.stderr
    assert (f"checkpoint directory {tmp_path / 'checkpoints'} is in use by another karrow run "
            f"(pid {first.pid}); stop it first or use another directory") in second.stderr
    # Another checkpoint folder, the same job's output: the sink is locked too.
    third = run_once(with_dirs(args, checkpoints=tmp_path / "other-checkpoints"), timeout=60)
    assert third.returncode == 1, third.stderr
    assert f"sink directory {tmp_path / 'out'} is in use by another karrow run (pid {first.pid})" in third.stderr
    # "At once": no connection to Kafka, no reading (the bound only catches a run that went on).
    assert time.monotonic() - started < 30
    # SIGKILL leaves no stale lock: the next run starts and resumes.
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    producer.stop()
    summary = run_to_end(kafka_bootstrap, topic, tmp_path)
    assert int(summary["restored_epoch"]) > 0
    check_ledger(producer.produced, tmp_path / "out")


def test_one_folder_for_checkpoints_and_output(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(100)
    both = tmp_path / "both"
    args = with_dirs(karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e"), checkpoints=both, sink=both)
    r = run_once(args)
    assert r.returncode == 0, r.stderr
    check_ledger(producer.produced, both)


def test_checkpoints_and_output_of_another_job_are_refused(kafka_bootstrap, new_topic, tmp_path):
    first, second = new_topic(partitions=2), new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, first, 2)
    producer.produce(100)
    run_to_end(kafka_bootstrap, first, tmp_path, "--job", "billing")
    files = sorted(p.name for p in (tmp_path / "out").glob("*.arrows"))
    assert files and all(name.startswith(f"billing@{first}@") for name in files), files
    # Same folders, another topic: the checkpoints are the other job's.
    r = run_once(karrow_run_args(kafka_bootstrap, second, tmp_path, "-e", "--job", "billing"))
    assert r.returncode == 2, r.stderr
    assert (f"checkpoint directory {tmp_path / 'checkpoints'} belongs to job billing (topic {first}, "
            f"group karrow-billing, format raw_string, sink format arrow), not to job billing "
            f"(topic {second}") in r.stderr
    # Another checkpoint folder, the same job name in the same sink: the
    # sink's record of the job says otherwise.
    r = run_once(with_dirs(karrow_run_args(kafka_bootstrap, second, tmp_path, "-e", "--job", "billing"),
                           checkpoints=tmp_path / "other"))
    assert r.returncode == 2, r.stderr
    assert f"sink directory {tmp_path / 'out'} holds the output of job billing (topic {first}" in r.stderr
    # Same job, another format: refused too.
    r = run_once(karrow_run_args(kafka_bootstrap, first, tmp_path, "-e", "--job", "billing",
                                 "--sink-format", "ndjson"))
    assert r.returncode == 2 and "sink format arrow), not to job billing" in r.stderr, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.arrows")) == files
    check_ledger(producer.produced, tmp_path / "out")


def test_two_jobs_share_one_sink_folder(kafka_bootstrap, new_topic, tmp_path):
    first, second = new_topic(partitions=2), new_topic(partitions=2)
    one, two = LedgerProducer(kafka_bootstrap, first, 2), LedgerProducer(kafka_bootstrap, second, 2)
    one.produce(100)
    two.produce(60)
    run_to_end(kafka_bootstrap, first, tmp_path)  # job karrow-<first>, checkpoints/
    # Job 2 starts afresh in the same sink folder: job 1's output is not its orphan.
    args = with_dirs(karrow_run_args(kafka_bootstrap, second, tmp_path, "-e"), checkpoints=tmp_path / "two")
    r = run_once(args)
    assert r.returncode == 0, r.stderr
    assert "retract" not in r.stderr, r.stderr
    out = tmp_path / "out"
    assert not (out / ".retracted").exists()
    assert check_ledger(one.produced, out, prefix=f"karrow-{first}@{first}@") == 100
    assert check_ledger(two.produced, out, prefix=f"karrow-{second}@{second}@") == 60
    # Both run at once: each holds its own job's lock of the sink folder.
    one.produce(40)
    two.produce(40)
    procs = [start_run(kafka_bootstrap, first, tmp_path, "-e"),
             subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert check_ledger(one.produced, out, prefix=f"karrow-{first}@{first}@") == 140
    assert check_ledger(two.produced, out, prefix=f"karrow-{second}@{second}@") == 100


def test_output_without_checkpoints_is_refused_unless_told(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(100)
    run_to_end(kafka_bootstrap, topic, tmp_path)
    out = tmp_path / "out"
    published = sorted(p.name for p in out.glob("*.arrows"))
    for folder in (tmp_path / "checkpoints").glob("chk-*"):  # the checkpoints are lost
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    # Today's trap: -o latest re-reads nothing, so retracting would empty the output.
    r = run_once(karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e", "-o", "latest"))
    assert r.returncode == 2, r.stderr
    assert f"{out} holds {len(published)} published files of this job that no checkpoint covers" in r.stderr
    assert "the checkpoint directory holds no complete checkpoint" in r.stderr
    assert "--on-orphan-output=retract" in r.stderr and "--on-orphan-output=keep" in r.stderr
    assert sorted(p.name for p in out.glob("*.arrows")) == published and not (out / ".retracted").exists()
    # keep: the output stays, and with -o latest nothing is read twice.
    producer.produce(20)
    later = dict(producer.produced)
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, "-o", "latest", "--on-orphan-output", "keep")
    assert int(summary["rows"]) == 0, summary  # -o latest: the 20 new ones are before the start
    assert set(published) <= {p.name for p in out.glob("*.arrows")}
    # retract (on a fresh checkpoint folder): moved away, everything read again.
    args = with_dirs(karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e", "--on-orphan-output", "retract"),
                     checkpoints=tmp_path / "fresh")
    r = run_once(args)
    assert r.returncode == 0, r.stderr
    assert set(published) <= {p.name for p in (out / ".retracted").glob("*.arrows")}
    assert check_ledger(later, out) == 120


def test_published_file_moved_away_is_named_and_can_be_let_go(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(100)
    # One checkpoint, the last, lists every file.
    run_to_end(kafka_bootstrap, topic, tmp_path, interval="10m")
    out = tmp_path / "out"
    files = sorted(out.glob("*.arrows"))
    assert len(files) == 2, files
    moved = files[0].rename(tmp_path / files[0].name)  # as a downstream process would
    args = karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e", interval="10m")
    r = run_once(args)
    assert r.returncode == 1, r.stderr
    assert f"published file {moved.name} of checkpoint 1 is gone from {out}" in r.stderr
    assert "--allow-missing-output" in r.stderr
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, "--allow-missing-output", interval="10m")
    assert "going on without it" in summary["stderr"]
    # The next checkpoint no longer lists it: later runs need no option.
    producer.produce(10)
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, interval="10m")
    assert int(summary["rows"]) == 10, summary
