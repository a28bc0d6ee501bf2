"""How karrow keeps librdkafka fetching (src/kafka/fetch_waker.h)."""

from __future__ import annotations

import threading
import time

from exactly_once import check_ledger, run_to_end
from kafka_helpers import produce


def test_fetcher_stopped_at_a_full_queue_is_woken_again(kafka_bootstrap, new_topic, tmp_path):
    # librdkafka 2.0.2 stops fetching once the prefetch queue passes
    # queued.max.messages.kbytes and, left alone, looks again a second later.
    # With a 1 KB bound and fetches of one producer batch (~16 KB), it stops
    # after every fetch: about 300 times for these 5 MB, so more than five
    # minutes unwoken. The run must read everything with the waker doing
    # the restarting. How fast is the benchmarks' business: a busy machine
    # once took more than 90 s even woken, so the timeout only bounds a hang.
    topic = new_topic(partitions=1)
    records = [{"value": f"{i:06d}".encode() + b"x" * 1018} for i in range(5000)]
    produce(kafka_bootstrap, topic, records, producer_config={"batch.size": 16384})

    summary = run_to_end(
        kafka_bootstrap, topic, tmp_path,
        "-S", "client_configs.queued.max.messages.kbytes=1",
        "-S", "client_configs.fetch.message.max.bytes=1024",
        parallelism=1, timeout=900,
    )

    assert summary["messages"] == "5000" and summary["rows"] == "5000"
    # The waker restarted the fetcher, and well under once per record: a
    # wake-up that does not restart it is repeated every 10 ms until records
    # come, so a waker that does not work passes 5000 (22,051 when its
    # requests were dropped). How many of the ~300 stops end by a wake-up
    # rather than by librdkafka's own look depends on timing: about 300 on
    # a quiet machine, 89 with both cores saturated, so no more than one is
    # required. FetchPacer's unit tests pin down when it wakes.
    assert 1 <= int(summary["fetch_wakeups"]) < 5000, summary["fetch_wakeups"]
    produced = {(0, i): r["value"].decode() for i, r in enumerate(records)}
    assert check_ledger(produced, tmp_path / "out") == 5000


def test_a_reader_waiting_on_a_trickle_sends_few_wakeups(kafka_bootstrap, new_topic, tmp_path):
    # A reader that is not stopped at a full queue but waiting on the broker
    # (here: the broker holds each fetch up to 500 ms for 1 MB that never
    # comes, while a record arrives every 100 ms) looks idle to the waker.
    # Wake-ups that bring nothing back off, towards one a second, instead
    # of one request every 10 ms for as long as the trickle lasts.
    topic = new_topic(partitions=1)
    stop = threading.Event()

    def trickle():
        for i in range(30):
            if stop.is_set():
                return
            produce(kafka_bootstrap, topic, [{"value": f"r{i}".encode()}])
            time.sleep(0.1)

    writer = threading.Thread(target=trickle, daemon=True)
    writer.start()
    try:
        summary = run_to_end(
            kafka_bootstrap, topic, tmp_path,
            "-S", "stop_offsets=0:30",
            "-S", "client_configs.fetch.min.bytes=1000000",
            "-S", "client_configs.fetch.wait.max.ms=500",
            parallelism=1, timeout=300,  # a hang bound: 30 produce() calls may be slow
        )
    finally:
        stop.set()
        writer.join()

    assert summary["messages"] == "30"
    # About 3 s of trickle: at 10 ms apart that would be up to 300 requests.
    assert int(summary["fetch_wakeups"]) <= 40, summary["fetch_wakeups"]
