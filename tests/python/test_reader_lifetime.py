"""A KafkaReader at the end of the process: a daemon thread still waiting
in a read when Python exits is ended by Python as it takes the GIL back, by
unwinding its stack; that unwinding must pass through karrow's code (it
aborted the process once: "FATAL: exception not rethrown")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from karrow_testing import package_dir

CHILD = r"""
import sys, threading, time
import karrow

how, topic, bootstrap = sys.argv[1], sys.argv[2], sys.argv[3]
reader = karrow.read_kafka(topic, bootstrap, linger_ms=20, connect_timeout_ms=60000)
unconsumed = reader.__arrow_c_stream__()  # released while Python finalizes

def read():
    if how == "iterate":
        for batch in reader:
            pass
    else:
        import pyarrow as pa
        pa.table(reader)

threading.Thread(target=read, daemon=True).start()
time.sleep(1.0)  # the thread waits in a poll of the idle topic
print("exiting", flush=True)
"""


@pytest.mark.parametrize("how", ["iterate", "pa.table"])
def test_exit_with_a_daemon_thread_in_a_read(kafka_bootstrap, new_topic, how):
    topic = new_topic(1)
    r = subprocess.run([sys.executable, "-c", CHILD, how, topic, kafka_bootstrap], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": package_dir()})
    assert (r.returncode, r.stdout) == (0, "exiting\n"), r.stderr
