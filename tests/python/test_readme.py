"""The README's Python examples, run as written against the broker: the
topic "orders" and "localhost:9092" become a fresh topic and the test
broker, and the values they leave behind are checked."""

from __future__ import annotations

import json
import re

import pyarrow as pa

from karrow_testing import REPO, karrow
from kafka_helpers import produce

ROWS = 500


def readme_python_examples() -> list[str]:
    text = (REPO / "README.md").read_text()
    install = text[text.index("## Install"):text.index("### C and C++")]
    return re.findall(r"```python\n(.*?)```", install, re.S)


def test_readme_examples_read_what_was_produced(kafka_bootstrap: str, new_topic):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, [{"value": json.dumps({"id": i, "price": i / 4}).encode()}
                                     for i in range(ROWS)])
    examples = readme_python_examples()
    assert len(examples) == 3, examples
    namespace: dict = {}
    for code in examples:
        code = code.replace('"orders"', repr(topic)).replace('"localhost:9092"', repr(kafka_bootstrap))
        # As open_reader does: a busy machine's broker may answer slower than the default 10 s.
        code = code.replace("stop_at_end=True", "stop_at_end=True, connect_timeout_ms=60000")
        exec(compile(code, "README.md", "exec"), namespace)

    table = namespace["table"]
    table.validate(full=True)
    assert table.num_rows == ROWS
    assert sorted(table.column("id").to_pylist()) == list(range(ROWS))
    assert table.schema.field("price").type == pa.float64()
    df = namespace["df"]
    assert df.height == ROWS and df["id"].sum() == ROWS * (ROWS - 1) // 2
    assert namespace["total"] == [(ROWS, sum(i / 4 for i in range(ROWS)))]
    assert isinstance(namespace["orders"], karrow.KafkaReader)
