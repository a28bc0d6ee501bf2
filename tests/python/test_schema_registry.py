"""The test schema registry (schema_registry_server.py) against Confluent's own
Python client and Avro serializer: if they work through it, it speaks the real
protocol, and karrow's client can be tested against it."""

from __future__ import annotations

import io
import json
import secrets
import struct
import urllib.request

import fastavro
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from schema_registry_server import make_test_certs

ORDER_SCHEMA = json.dumps({
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "item", "type": "string"},
        {"name": "price", "type": ["null", "double"], "default": None},
    ],
})
ORDERS = [
    {"id": 1, "item": "tea", "price": 3.5},
    {"id": -2, "item": "caf\u00e9", "price": None},
    {"id": 2**40, "item": "", "price": -0.25},
]
# Fast retries: Confluent's client waits a second by default.
FAST = {"retries.wait.ms": 10, "retries.max.wait.ms": 50}


def value_context(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def decode_wire(message: bytes, schema_str: str) -> tuple[int, dict]:
    """Confluent's wire format by hand: magic 0, big-endian schema id, Avro body."""
    assert message[0] == 0
    (schema_id,) = struct.unpack(">i", message[1:5])
    record = fastavro.schemaless_reader(io.BytesIO(message[5:]), fastavro.parse_schema(json.loads(schema_str)))
    return schema_id, record


def raw_get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_avro_serializer_registers_and_serializes_under_a_path_prefix(make_schema_registry):
    registry = make_schema_registry(prefix="/registry/v1")
    assert registry.url.endswith("/registry/v1")
    producer_client = SchemaRegistryClient({"url": registry.url, **FAST})
    serializer = AvroSerializer(producer_client, ORDER_SCHEMA)
    messages = [serializer(order, value_context("orders")) for order in ORDERS]
    # Registered once under the topic's value subject, then cached by the serializer.
    assert registry.count("POST", "/subjects/orders-value/versions") == 1

    # A fresh client, so the schema really comes from the server by id.
    consumer_client = SchemaRegistryClient({"url": registry.url, **FAST})
    for message, order in zip(messages, ORDERS):
        schema_id, _ = decode_wire(message, ORDER_SCHEMA)
        assert schema_id == 1
        fetched = consumer_client.get_schema(schema_id)
        assert fetched.schema_type == "AVRO"
        assert fetched.schema_str == ORDER_SCHEMA
        assert decode_wire(message, fetched.schema_str) == (1, order)
    assert registry.count("GET", "/schemas/ids/1") == 1

    deserializer = AvroDeserializer(consumer_client)
    assert [deserializer(m, value_context("orders")) for m in messages] == ORDERS

    latest = consumer_client.get_latest_version("orders-value")
    assert (latest.schema_id, latest.version, latest.subject) == (1, 1, "orders-value")
    assert consumer_client.get_subjects() == ["orders-value"]
    # Outside the prefix there is no registry.
    status, body = raw_get(registry.url.replace("/registry/v1", "") + "/schemas/ids/1")
    assert (status, body["error_code"]) == (404, 404)


def test_ids_versions_and_lookups_follow_confluent_semantics(schema_registry):
    client = SchemaRegistryClient({"url": schema_registry.url, **FAST})
    v1 = Schema(ORDER_SCHEMA, "AVRO")
    v2_str = json.dumps({**json.loads(ORDER_SCHEMA), "fields": json.loads(ORDER_SCHEMA)["fields"][:2]})
    assert client.register_schema("a-value", v1) == 1
    assert schema_registry.register("a-value", ORDER_SCHEMA) == 1  # same schema, same id, no new version
    assert schema_registry.register("b-value", ORDER_SCHEMA) == 1  # ids are global
    assert client.register_schema("a-value", Schema(v2_str, "AVRO")) == 2
    assert client.get_versions("a-value") == [1, 2]
    assert client.get_version("a-value", 1).schema_id == 1
    assert client.get_latest_version("a-value").schema_id == 2
    assert client.lookup_schema("a-value", Schema(v2_str, "AVRO")).version == 2
    assert sorted(client.get_subjects()) == ["a-value", "b-value"]

    json_schema = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}})
    assert client.register_schema("c-value", Schema(json_schema, "JSON")) == 3
    fresh = SchemaRegistryClient({"url": schema_registry.url, **FAST})
    assert fresh.get_schema(3).schema_type == "JSON"
    # On the wire, as Confluent's registry does: AVRO is implied, others named.
    assert raw_get(schema_registry.url + "/schemas/ids/1") == (200, {"schema": ORDER_SCHEMA})
    assert raw_get(schema_registry.url + "/schemas/ids/3?fetchMaxId=false") == (
        200, {"schema": json_schema, "schemaType": "JSON"})

    for call, status, code in [
        (lambda: fresh.get_schema(99), 404, 40403),
        (lambda: fresh.get_latest_version("nobody-value"), 404, 40401),
        (lambda: fresh.get_version("a-value", 7), 404, 40402),
        (lambda: fresh.lookup_schema("a-value", Schema(json_schema, "JSON")), 404, 40403),
        (lambda: fresh.register_schema("a-value", Schema("{not json", "AVRO")), 422, 42201),
    ]:
        with pytest.raises(SchemaRegistryError) as e:
            call()
        assert (e.value.http_status_code, e.value.error_code) == (status, code)


def test_basic_auth(schema_registry):
    password = secrets.token_hex(8)
    schema_registry.set_auth(basic=f"alice:{password}")
    schema_registry.register("orders-value", ORDER_SCHEMA)
    with pytest.raises(SchemaRegistryError) as e:
        SchemaRegistryClient({"url": schema_registry.url, **FAST}).get_schema(1)
    assert (e.value.http_status_code, e.value.error_code) == (401, 40101)
    with pytest.raises(SchemaRegistryError) as e:
        SchemaRegistryClient({"url": schema_registry.url, "basic.auth.user.info": "alice:wrong", **FAST}).get_schema(1)
    assert e.value.http_status_code == 401

    client = SchemaRegistryClient({"url": schema_registry.url, "basic.auth.user.info": f"alice:{password}", **FAST})
    message = AvroSerializer(client, ORDER_SCHEMA)(ORDERS[0], value_context("orders"))
    assert decode_wire(message, client.get_schema(1).schema_str) == (1, ORDERS[0])


def test_bearer_token(schema_registry):
    token = secrets.token_hex(16)
    schema_registry.set_auth(bearer=token)
    schema_registry.register("orders-value", ORDER_SCHEMA)

    def client(t: str) -> SchemaRegistryClient:
        return SchemaRegistryClient({
            "url": schema_registry.url,
            "bearer.auth.credentials.source": "STATIC_TOKEN",
            "bearer.auth.token": t,
            "bearer.auth.logical.cluster": "lsrc-test",
            **FAST,
        })

    with pytest.raises(SchemaRegistryError) as e:
        client("not-" + token).get_schema(1)
    assert e.value.http_status_code == 401
    assert client(token).get_schema(1).schema_str == ORDER_SCHEMA


def test_injected_server_errors_are_retried_and_counted(schema_registry):
    schema_registry.register("orders-value", ORDER_SCHEMA)
    schema_registry.set_fault("/schemas/ids/1", times=2, status=500, message="backend store unavailable")
    client = SchemaRegistryClient({"url": schema_registry.url, "max.retries": 2, **FAST})
    assert client.get_schema(1).schema_str == ORDER_SCHEMA
    assert schema_registry.count("GET", "/schemas/ids/1") == 3

    schema_registry.set_fault("/schemas/ids/1", status=503, message="down for good")
    with pytest.raises(SchemaRegistryError) as e:
        SchemaRegistryClient({"url": schema_registry.url, "max.retries": 1, **FAST}).get_schema(1)
    assert (e.value.http_status_code, e.value.error_code, e.value.error_message) == (503, 50301, "down for good")
    assert schema_registry.count("GET", "/schemas/ids/1") == 5
    schema_registry.reset()
    assert schema_registry.count("GET", "/schemas/ids/1") == 0


def test_mutual_tls(make_schema_registry, tmp_path):
    key_password = secrets.token_hex(8)
    certs = make_test_certs(tmp_path, client_key_password=key_password)
    registry = make_schema_registry(certs=certs, require_client_cert=True)
    assert registry.url.startswith("https://127.0.0.1:")
    registry.register("orders-value", ORDER_SCHEMA)
    client = SchemaRegistryClient({
        "url": registry.url,
        "ssl.ca.location": certs.ca,
        "ssl.certificate.location": certs.client_cert,
        "ssl.key.location": certs.client_key,
        "ssl.key.password": key_password,
        **FAST,
    })
    message = AvroSerializer(client, ORDER_SCHEMA)(ORDERS[2], value_context("orders"))
    assert decode_wire(message, ORDER_SCHEMA) == (1, ORDERS[2])

    # Without a client certificate the handshake is refused.
    no_cert = SchemaRegistryClient({"url": registry.url, "ssl.ca.location": certs.ca, "max.retries": 0})
    with pytest.raises(Exception):
        no_cert.get_schema(1)
    assert registry.count("GET", "/schemas/ids/1") == 0
