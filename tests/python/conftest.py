"""Pytest fixtures giving tests a real Kafka broker (see scripts/kafka)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafka_helpers import admin_client, create_topic, delete_topics, start_broker, stop_broker  # noqa: E402


@pytest.fixture(scope="session")
def kafka_run(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """(host:port, run folder) of a running broker (see kafka_bootstrap)."""
    shared = os.environ.get("KARROW_KAFKA_DIR")
    if shared and (Path(shared) / "bootstrap").is_file():
        bootstrap = (Path(shared) / "bootstrap").read_text().strip()
        try:
            admin_client(bootstrap).list_topics(timeout=60)
        except Exception as e:
            pytest.fail(f"broker {bootstrap} from {shared}/bootstrap does not answer: {e}")
        return bootstrap, Path(shared)

    run_dir = tempfile.mkdtemp(prefix="karrow-kafka-")

    # Registered before starting, so an interrupted start is cleaned up too.
    def cleanup() -> None:
        stop_broker(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)

    request.addfinalizer(cleanup)
    return start_broker(run_dir), Path(run_dir)


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_run) -> str:
    """host:port of a running broker's PLAINTEXT listener.

    Uses the broker in $KARROW_KAFKA_DIR when that has a bootstrap file (start
    one with `scripts/kafka start` to save the start-up time across runs);
    otherwise starts a private one for this session and stops it at the end.
    """
    return kafka_run[0]


@pytest.fixture(scope="session")
def kafka_secure(kafka_run) -> dict:
    """The same broker's secured listeners and how to log in to each: the
    secure.json that scripts/kafka writes into its folder (addresses of
    sasl_plaintext, ssl, sasl_ssl; scram_sha_512 and plain users; ca,
    client_cert, client_key; other_ca, other_client_cert, other_client_key)."""
    path = kafka_run[1] / "secure.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the broker was started by an older scripts/kafka; "
                    f"restart it (scripts/kafka stop, then start)")
    return json.loads(path.read_text())


@pytest.fixture
def new_topic(kafka_bootstrap: str, request: pytest.FixtureRequest):
    """Factory: new_topic(partitions=1, config=None) -> name of a fresh topic.

    Topics are deleted after the test, so a long-lived broker stays small.
    """
    created: list[str] = []
    base = re.sub(r"[^A-Za-z0-9._-]", "_", request.node.name)[:100]

    def make(partitions: int = 1, config: dict[str, str] | None = None) -> str:
        name = f"{base}-{uuid.uuid4().hex[:10]}"
        create_topic(kafka_bootstrap, name, partitions, config)
        created.append(name)
        return name

    yield make
    delete_topics(kafka_bootstrap, created)


@pytest.fixture
def make_schema_registry():
    """Factory: make_schema_registry(prefix="", certs=None, require_client_cert=False)
    -> a running SchemaRegistryServer (see schema_registry_server.py), closed
    after the test."""
    from schema_registry_server import SchemaRegistryServer

    servers: list[SchemaRegistryServer] = []

    def make(prefix: str = "", certs=None, require_client_cert: bool = False) -> SchemaRegistryServer:
        server = SchemaRegistryServer(prefix=prefix, certs=certs, require_client_cert=require_client_cert)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def schema_registry(make_schema_registry):
    """A fresh, empty schema registry over plain HTTP: .url, .register(subject,
    schema_str, schema_type="AVRO") -> id, .set_fault(path, ...), .set_auth(...),
    .count(method, path)."""
    return make_schema_registry()
