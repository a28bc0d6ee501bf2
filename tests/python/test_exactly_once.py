"""Exactly once, proven by killing `karrow run` (docs/semantics.md,
docs/architecture.md, docs/file-formats.md): whatever the instant of the
kill, after a restart every produced record is in the published output
exactly once, and every bad record in the published dead letters exactly
once (docs/semantics.md §11)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import NewPartitions

from exactly_once import (
    DEAD_LETTER_ARGS,
    LedgerProducer,
    check_dead_letters,
    check_ledger,
    checkpoint_offsets,
    completed_epochs,
    karrow_run_args,
    parse_summary,
    run_to_end,
    staged_rows,
    start_run,
    wait_for,
)
from kafka_helpers import admin_client, grow_topic


def kill_after(proc, seconds: float) -> None:
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def group_offsets(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        tps = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=60)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        c.close()


def test_kill_at_random_instants_loses_and_duplicates_nothing(kafka_bootstrap, new_topic, tmp_path):
    # The full proof is 50 kills or more: KARROW_KILLS=50 (see README).
    kills = int(os.environ.get("KARROW_KILLS", "12"))
    seed = int(os.environ.get("KARROW_KILL_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    topic = new_topic(partitions=4)
    # The topic grows twice while runs are killed (docs/semantics.md §17).
    # First between two runs, with records in the new partition before the
    # next run starts: it restores a checkpoint that does not list the
    # partition, which must start at its beginning. Then while a run reads:
    # it may discover the new partitions, checkpoint them or not, and be
    # killed at any point of that; the restarts must read each exactly once.
    growth = {kills // 3: ("between", 5), (2 * kills) // 3: ("during", 7)}
    producers = [LedgerProducer(kafka_bootstrap, topic, 4, per_second=3000, bad_every=10).start()]

    def grow(partitions: int) -> None:
        grow_topic(kafka_bootstrap, topic, partitions)
        # A new producer, whose metadata has the new partitions; values go
        # on where the last one stopped.
        producers[-1].stop()
        producers.append(LedgerProducer(kafka_bootstrap, topic, partitions, per_second=3000, bad_every=10))
        producers[-1]._next = producers[-2]._next
        producers[-1].start()

    parallelisms = []
    for i in range(kills):
        when, partitions = growth.get(i, (None, 0))
        if when == "between":
            grow(partitions)
            wait_for(lambda: {p for (p, _) in dict(producers[-1].produced)} >= set(range(partitions)),
                     "records in every new partition")
        # Rescaled at random: each partition's offset must be found whoever saved it.
        parallelism = rng.choice((1, 2, 3))
        parallelisms.append(parallelism)
        proc = start_run(kafka_bootstrap, topic, tmp_path, *DEAD_LETTER_ARGS, "-S",
                         "partition_discovery_interval_ms=200", interval="150ms", parallelism=parallelism)
        if when == "during":
            time.sleep(rng.uniform(0, 0.5))
            grow(partitions)
        # From "still starting" to "several checkpoints in".
        kill_after(proc, rng.uniform(0.02, 1.2))
    producers[-1].stop()
    produced = {k: v for p in producers for k, v in p.produced.items()}
    bad = {k: v for p in producers for k, v in p.bad.items()}
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, *DEAD_LETTER_ARGS, interval="150ms")
    rows = check_ledger(produced, tmp_path / "out")
    dead_letters = check_dead_letters(bad, tmp_path / "out" / "dead-letter", topic)
    print(f"kills={kills} seed={seed} parallelisms={''.join(map(str, parallelisms))} partitions=4->5->7 "
          f"records={len(produced)} rows_checked={rows} "
          f"dead_letters_checked={dead_letters} files={len(list((tmp_path / 'out').glob('*.arrows')))} "
          f"last_epoch={summary['last_epoch']}")
    assert rows == len(produced) > 0
    assert dead_letters == len(bad) > 0
    # Every partition, the added ones too, was read and checkpointed.
    assert sorted(checkpoint_offsets(tmp_path / "checkpoints")[1]) == list(range(7))
    assert {p for (p, _) in produced} == set(range(7))


@pytest.mark.parametrize("point", ["after_checkpoint", "after_publish"])
def test_crash_between_checkpoint_publish_and_commit(kafka_bootstrap, new_topic, tmp_path, point):
    topic = new_topic(partitions=3)
    group = f"g-{topic}"
    producer = LedgerProducer(kafka_bootstrap, topic, 3, per_second=2000, bad_every=10)
    # The crashing epoch must have rows and dead letters (to be staged, and
    # to be ahead of the group offset), whenever it comes: a loaded machine
    # can be slow to connect, or stall the producer for a whole epoch (epoch
    # 3 once had none, and so nothing staged). So the run starts behind a
    # backlog it cannot catch up with before the crash, read at a limited
    # rate (1000/s a task: 10000 records last 3 s at least), so that every
    # epoch, at least 200 ms long, reads some of it. One task a partition:
    # a task's queue is first in, first out, so a task of two partitions
    # would read only the backlog of one of them before the crash.
    producer.produce(10000)
    producer.start()
    crash_epoch = 6
    proc = start_run(kafka_bootstrap, topic, tmp_path, "-g", group, "-o", "group", "--rate", "1000",
                     *DEAD_LETTER_ARGS, env={"KARROW_CRASH_AT": f"{point}:{crash_epoch}"}, parallelism=3)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    epoch, saved = checkpoint_offsets(tmp_path / "checkpoints")
    assert epoch == crash_epoch
    out = tmp_path / "out"
    if point == "after_checkpoint":
        # Complete checkpoint, files still staged: recovery must publish them.
        name = f"*@{crash_epoch:010d}-*"
        assert not list(out.glob(name)) and list((out / ".staging").glob(f"{name}.arrows"))
        assert not list(out.glob(f"dead-letter/{name}"))
        assert list((out / ".staging" / "dead-letter").glob(f"{name}.arrows"))
    # Offsets of the crashing checkpoint never reached the group (docs/semantics.md §4).
    # (Negative offsets all mean "nothing read": none committed, -1001, is
    # not behind a checkpoint at the logical beginning, -2.)
    time.sleep(0.5)
    committed = group_offsets(kafka_bootstrap, group, topic, 3)
    assert any(max(committed[p], 0) < max(saved[p], 0) for p in saved), (committed, saved)
    producer.stop()
    # The group offset lags; the checkpoint wins over it on restore.
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, "-g", group, "-o", "group", *DEAD_LETTER_ARGS,
                         parallelism=3)
    assert summary["restored_epoch"] == str(crash_epoch)
    check_ledger(producer.produced, out)
    check_dead_letters(producer.bad, out / "dead-letter", topic)
    epoch, saved = checkpoint_offsets(tmp_path / "checkpoints")
    assert group_offsets(kafka_bootstrap, group, topic, 3) == saved


@pytest.mark.parametrize("damage", ["truncate_state", "corrupt_state", "corrupt_manifest", "no_manifest"])
def test_damaged_newest_checkpoint_is_ignored(kafka_bootstrap, new_topic, tmp_path, damage):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2, per_second=2000, bad_every=10).start()
    proc = start_run(kafka_bootstrap, topic, tmp_path, *DEAD_LETTER_ARGS, interval="100ms")
    # Wait for a few checkpoints, then kill.
    deadline = time.monotonic() + 30
    while len(list((tmp_path / "checkpoints").glob("chk-*/_manifest"))) < 3:
        assert time.monotonic() < deadline, "no checkpoints within 30 s"
        time.sleep(0.05)
    kill_after(proc, 0.3)
    # The newest complete checkpoint: the kill may have left a newer one
    # half-written (no _manifest yet), which restore ignores anyway.
    newest = sorted(m.parent for m in (tmp_path / "checkpoints").glob("chk-*/_manifest"))[-1]
    state = sorted(newest.glob("task-*.state"))[0]
    manifest = newest / "_manifest"
    if damage == "truncate_state":
        state.write_bytes(state.read_bytes()[:-3])
    elif damage == "corrupt_state":
        data = bytearray(state.read_bytes())
        data[-2] = ord("7") if data[-2] != ord("7") else ord("8")
        state.write_bytes(bytes(data))
    elif damage == "corrupt_manifest":
        manifest.write_text(manifest.read_text().replace("parallelism 2", "parallelism 3"))
    else:
        manifest.unlink()
    producer.stop()
    # The damaged checkpoint's files may be published already: no checkpoint
    # covers them any more, and only when told does the run retract them
    # (docs/semantics.md §14).
    orphans = list((tmp_path / "out").glob(f"*@{newest.name[4:]}-*"))
    if orphans:
        refused = subprocess.run(karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e", *DEAD_LETTER_ARGS),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
        assert refused.returncode == 2, refused.stderr
        assert "published files of this job that no checkpoint covers" in refused.stderr
        assert all(p.exists() for p in orphans)
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, *DEAD_LETTER_ARGS, "--on-orphan-output", "retract")
    assert f"ignoring checkpoint {newest}" in summary["stderr"]
    assert int(summary["restored_epoch"]) < int(newest.name[4:])
    check_ledger(producer.produced, tmp_path / "out")
    check_dead_letters(producer.bad, tmp_path / "out" / "dead-letter", topic)


def test_rescale_2_then_4_then_1_keeps_every_offset(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=5)
    producer = LedgerProducer(kafka_bootstrap, topic, 5, per_second=2000).start()
    checkpoints = tmp_path / "checkpoints"
    for parallelism in (2, 4):
        # Killed a couple of checkpoints in, however long the start took.
        before = (completed_epochs(checkpoints) or [0])[-1]
        proc = start_run(kafka_bootstrap, topic, tmp_path, parallelism=parallelism)
        wait_for(lambda: proc.poll() is not None or (completed_epochs(checkpoints) or [0])[-1] >= before + 2,
                 f"two checkpoints with parallelism {parallelism}")
        assert proc.poll() is None, proc.stderr.read()
        kill_after(proc, 0.1)
    producer.stop()
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, parallelism=1)
    assert int(summary["restored_epoch"]) > 0
    check_ledger(producer.produced, tmp_path / "out")


def test_semantics3_idle_partitions_keep_offsets_across_two_restarts(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=4)
    producer = LedgerProducer(kafka_bootstrap, topic, 4)
    producer.produce(400)
    run_to_end(kafka_bootstrap, topic, tmp_path, "-o", "latest")  # nothing read: starts at the end
    assert checkpoint_offsets(tmp_path / "checkpoints")[1] == {0: 100, 1: 100, 2: 100, 3: 100}
    expected = {}
    for _ in range(2):
        # Only partition 0 gets data; 1-3 stay idle through both restarts.
        only_p0 = LedgerProducer(kafka_bootstrap, topic, 4, partition_list=[0])
        only_p0._next = producer._next
        only_p0.produce(50)
        producer._next = only_p0._next
        expected.update(only_p0.produced)
        run_to_end(kafka_bootstrap, topic, tmp_path, "-o", "latest")
    _, saved = checkpoint_offsets(tmp_path / "checkpoints")
    assert saved == {0: 200, 1: 100, 2: 100, 3: 100}
    assert check_ledger(expected, tmp_path / "out") == 100


def test_semantics2_partition_new_since_checkpoint_starts_at_earliest(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    before = LedgerProducer(kafka_bootstrap, topic, 2)
    before.produce(20)
    run_to_end(kafka_bootstrap, topic, tmp_path, "-o", "latest")
    admin = admin_client(kafka_bootstrap)
    admin.create_partitions([NewPartitions(topic, 3)])[topic].result(timeout=30)
    deadline = time.monotonic() + 30
    while len(admin.list_topics(topic=topic, timeout=30).topics[topic].partitions) < 3:
        assert time.monotonic() < deadline, "the new partition did not show up in metadata"
        time.sleep(0.1)
    after = LedgerProducer(kafka_bootstrap, topic, 3)
    after._next = 1000
    after.produce(30)  # 10 per partition, partition 2 included
    # offset_mode=latest would skip partition 2's records; a partition the
    # checkpoint does not know starts at its beginning instead.
    run_to_end(kafka_bootstrap, topic, tmp_path, "-o", "latest")
    assert check_ledger(after.produced, tmp_path / "out") == 30
    assert checkpoint_offsets(tmp_path / "checkpoints")[1] == {0: 20, 1: 20, 2: 10}


def test_semantics4_group_offsets_equal_the_completed_checkpoint(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=3)
    producer = LedgerProducer(kafka_bootstrap, topic, 3)
    producer.produce(90)
    summary = run_to_end(kafka_bootstrap, topic, tmp_path, "-g", f"g-{topic}")
    assert summary["commit_failures"] == "0" and int(summary["commits"]) >= 1
    assert group_offsets(kafka_bootstrap, f"g-{topic}", topic, 3) == {0: 30, 1: 30, 2: 30}


def test_sigterm_takes_a_last_checkpoint_and_stops_gracefully(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(100)
    proc = start_run(kafka_bootstrap, topic, tmp_path, interval="10m")
    # Every record read and staged (in epoch 1: no checkpoint for 10 min,
    # far past the wait's bound), so the last checkpoint must publish them all.
    wait_for(lambda: proc.poll() is not None or staged_rows(tmp_path / "out") >= 100,
             lambda: f"100 rows staged (so far {staged_rows(tmp_path / 'out')})")
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    summary = parse_summary(err)
    assert summary["finish"] == "graceful" and summary["last_epoch"] == "1"
    assert check_ledger(producer.produced, tmp_path / "out") == 100


def test_keeps_only_the_newest_checkpoints(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2, per_second=1000).start()
    proc = start_run(kafka_bootstrap, topic, tmp_path, "--keep-checkpoints", "2", interval="100ms")
    wait_for(lambda: proc.poll() is not None or (completed_epochs(tmp_path / "checkpoints") or [0])[-1] >= 5,
             "five checkpoints")
    producer.stop()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    last = int(parse_summary(err)["last_epoch"])
    assert last >= 5, err
    kept = sorted(int(p.name[4:]) for p in (tmp_path / "checkpoints").glob("chk-*"))
    assert kept == [last - 1, last]
    check_ledger(producer.produced, tmp_path / "out")


def test_ndjson_sink_publishes_each_record_once(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=3)
    producer = LedgerProducer(kafka_bootstrap, topic, 3)
    producer.produce(300)
    run_to_end(kafka_bootstrap, topic, tmp_path, "--sink-format", "ndjson")
    seen = {}
    files = sorted((tmp_path / "out").glob("*.ndjson"))
    assert files and not list((tmp_path / "out").glob("*.arrows"))
    for path in files:
        for line in path.read_text().splitlines():
            row = json.loads(line)
            key = (row["partition"], row["offset_id"])
            assert key not in seen, f"{key} twice"
            seen[key] = row["value"]
    assert seen == producer.produced
