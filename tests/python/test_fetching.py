"""How karrow keeps librdkafka fetching (src/kafka/fetch_waker.h)."""

from __future__ import annotations

from exactly_once import check_ledger, run_to_end
from kafka_helpers import produce


def test_fetcher_stopped_at_a_full_queue_is_woken_again(kafka_bootstrap, new_topic, tmp_path):
    # librdkafka 2.0.2 stops fetching once the prefetch queue passes
    # queued.max.messages.kbytes and, left alone, looks again a second later.
    # With a 1 KB bound and fetches of one producer batch (~16 KB), it stops
    # after every fetch: about 300 times for these 5 MB, so more than five
    # minutes unwoken. The run must read everything, well within the
    # timeout, with the waker doing the restarting.
    topic = new_topic(partitions=1)
    records = [{"value": f"{i:06d}".encode() + b"x" * 1018} for i in range(5000)]
    produce(kafka_bootstrap, topic, records, producer_config={"batch.size": 16384})

    summary = run_to_end(
        kafka_bootstrap, topic, tmp_path,
        "-p", "client_configs.queued.max.messages.kbytes=1",
        "-p", "client_configs.fetch.message.max.bytes=1024",
        parallelism=1, timeout=90,
    )

    assert summary["messages"] == "5000" and summary["rows"] == "5000"
    # At least one wake-up for most of the ~300 stops; well under one per record.
    assert 100 <= int(summary["fetch_wakeups"]) < 5000, summary["fetch_wakeups"]
    produced = {(0, i): r["value"].decode() for i, r in enumerate(records)}
    assert check_ledger(produced, tmp_path / "out") == 5000
