"""Reading from secured listeners (README, "Secured clusters"): the suite's
broker (scripts/kafka) also listens with SASL_PLAINTEXT (SCRAM-SHA-512 and
PLAIN), SSL (client certificates) and SASL_SSL. Each is read with the right
credentials, through the CLI and the Python reader; with wrong ones the run
fails at once, saying "authentication failed" and never "check
bootstrap_servers". A schema registry behind TLS with basic auth is read end
to end through the CLI, over SASL_SSL."""

from __future__ import annotations

import io
import json
import subprocess

import fastavro
import pytest

from kafka_helpers import produce
from karrow_testing import built_file, open_reader, read_table

# A wrong login must end the run long before this: the runs below give the
# connection 10 minutes (connect_timeout_ms), so a run that waited for it
# instead of failing at the refusal hits this bound and fails the test.
EXIT_BOUND = 120
PATIENT = "connect_timeout_ms=600000"


def sasl(protocol: str, mechanism: str, user: dict, password: str | None = None) -> dict[str, str]:
    return {"security.protocol": protocol, "sasl.mechanism": mechanism, "sasl.username": user["username"],
            "sasl.password": user["password"] if password is None else password}


# name -> (listener, client properties made from secure.json)
LOGINS = {
    "sasl_plaintext_scram": ("sasl_plaintext", lambda s: sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", s["scram_sha_512"])),
    "sasl_plaintext_plain": ("sasl_plaintext", lambda s: sasl("SASL_PLAINTEXT", "PLAIN", s["plain"])),
    "ssl_client_certificate": ("ssl", lambda s: {
        "security.protocol": "SSL", "ssl.ca.location": s["ca"],
        "ssl.certificate.location": s["client_cert"], "ssl.key.location": s["client_key"]}),
    "sasl_ssl_scram": ("sasl_ssl", lambda s: {**sasl("SASL_SSL", "SCRAM-SHA-512", s["scram_sha_512"]),
                                              "ssl.ca.location": s["ca"]}),
    "sasl_ssl_plain": ("sasl_ssl", lambda s: {**sasl("SASL_SSL", "PLAIN", s["plain"]), "ssl.ca.location": s["ca"]}),
}

WRONG_PASSWORD = "wrong-pw-sentinel"

# name -> (listener, client properties, text of the refusal)
BAD_LOGINS = {
    "sasl_plaintext_scram_wrong_password": ("sasl_plaintext", lambda s: sasl(
        "SASL_PLAINTEXT", "SCRAM-SHA-512", s["scram_sha_512"], WRONG_PASSWORD), "SASL authentication failed"),
    "sasl_plaintext_plain_wrong_password": ("sasl_plaintext", lambda s: sasl(
        "SASL_PLAINTEXT", "PLAIN", s["plain"], WRONG_PASSWORD), "SASL authentication failed"),
    "sasl_plaintext_unknown_user": ("sasl_plaintext", lambda s: sasl(
        "SASL_PLAINTEXT", "SCRAM-SHA-512", {"username": "nobody", "password": WRONG_PASSWORD}),
        "SASL authentication failed"),
    "ssl_certificate_of_another_ca": ("ssl", lambda s: {
        "security.protocol": "SSL", "ssl.ca.location": s["ca"],
        "ssl.certificate.location": s["other_client_cert"], "ssl.key.location": s["other_client_key"]},
        "TLS authentication failed"),
    "ssl_no_client_certificate": ("ssl", lambda s: {"security.protocol": "SSL", "ssl.ca.location": s["ca"]},
                                  "TLS authentication failed"),
    "ssl_broker_certificate_not_trusted": ("ssl", lambda s: {
        "security.protocol": "SSL", "ssl.ca.location": s["other_ca"],
        "ssl.certificate.location": s["client_cert"], "ssl.key.location": s["client_key"]},
        "TLS authentication failed"),
    "sasl_ssl_wrong_password": ("sasl_ssl", lambda s: {
        **sasl("SASL_SSL", "SCRAM-SHA-512", s["scram_sha_512"], WRONG_PASSWORD), "ssl.ca.location": s["ca"]},
        "SASL authentication failed"),
}


def client_flags(props: dict[str, str]) -> list[str]:
    return [arg for k, v in props.items() for arg in ("-X", f"{k}={v}")]


def consume(bootstrap: str, topic: str, props: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([built_file("karrow", "KARROW_CLI"), "consume", "-b", bootstrap, "-t", topic, "-e",
                           "--metadata", "partition,offset_id", "--event-time-column", "",
                           *client_flags(props), *extra],
                          capture_output=True, text=True, timeout=EXIT_BOUND)


@pytest.mark.parametrize("login", list(LOGINS))
def test_each_secured_listener_reads_with_the_right_credentials(kafka_bootstrap, kafka_secure, new_topic, login):
    listener, make = LOGINS[login]
    props = make(kafka_secure)
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode(), "partition": i % 2} for i in range(20)])
    expected = sorted((i % 2, i // 2, f"v{i}") for i in range(20))

    r = consume(kafka_secure[listener], topic, props, "--property", "connect_timeout_ms=60000")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert sorted((row["partition"], row["offset_id"], row["value"]) for row in rows) == expected
    for secret in (props.get("sasl.password"), ):
        if secret:
            assert secret not in r.stderr

    with open_reader(topic, kafka_secure[listener], client_configs=props,
                     metadata_fields=["partition", "offset_id"], event_time_column="") as reader:
        table = read_table(reader)
    assert sorted(zip(table["partition"].to_pylist(), table["offset_id"].to_pylist(),
                      table["value"].to_pylist())) == expected


@pytest.mark.parametrize("login", list(BAD_LOGINS))
def test_wrong_credentials_fail_at_once_saying_authentication_failed(kafka_secure, new_topic, login):
    listener, make, refusal = BAD_LOGINS[login]
    topic = new_topic(partitions=1)
    r = consume(kafka_secure[listener], topic, make(kafka_secure), "--property", PATIENT)
    assert r.returncode == 1, r.stderr
    assert f"karrow: {refusal}: " in r.stderr
    assert "authentication failed" in r.stderr
    assert "check bootstrap_servers" not in r.stderr
    assert r.stdout == ""
    for secret in (WRONG_PASSWORD, kafka_secure["scram_sha_512"]["password"], kafka_secure["plain"]["password"]):
        assert secret not in r.stderr


def test_python_reader_names_a_refused_login(kafka_secure, new_topic):
    import karrow

    topic = new_topic(partitions=1)
    with pytest.raises(karrow.KarrowError, match="SASL authentication failed: ") as e:
        open_reader(topic, kafka_secure["sasl_ssl"], connect_timeout_ms=600000, client_configs={
            **sasl("SASL_SSL", "PLAIN", kafka_secure["plain"], WRONG_PASSWORD), "ssl.ca.location": kafka_secure["ca"]})
    assert "check bootstrap_servers" not in str(e.value)
    assert WRONG_PASSWORD not in str(e.value)


def framed(schema_id: int, schema: dict, record: dict) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
    return b"\x00" + schema_id.to_bytes(4, "big") + out.getvalue()


def test_cli_reads_avro_over_sasl_ssl_through_a_tls_registry_with_basic_auth(
        kafka_bootstrap, kafka_secure, new_topic, make_schema_registry, tmp_path):
    from schema_registry_server import make_test_certs

    certs = make_test_certs(tmp_path / "registry")
    registry = make_schema_registry(certs=certs)
    assert registry.url.startswith("https://")
    schema = {"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "long"}, {"name": "item", "type": "string"},
        {"name": "note", "type": ["null", "string"], "default": None}]}
    topic = new_topic(partitions=1)
    schema_id = registry.register(f"{topic}-value", json.dumps(schema))
    registry_password = "registry-pw-sentinel"
    registry.set_auth(basic=f"reader:{registry_password}")
    orders = [{"id": 1, "item": "apple", "note": None}, {"id": 2, "item": "pear", "note": "ripe"},
              {"id": 3, "item": "fig", "note": ""}]
    produce(kafka_bootstrap, topic, [{"value": framed(schema_id, schema, o)} for o in orders])

    secrets = tmp_path / "registry-credentials"
    secrets.write_text(f"reader:{registry_password}")
    base = [*client_flags({**sasl("SASL_SSL", "SCRAM-SHA-512", kafka_secure["scram_sha_512"]),
                           "ssl.ca.location": kafka_secure["ca"]}),
            "-f", "avro", "--schema-registry", registry.url,
            "--property", f"schema_registry.ssl_ca_location={certs.ca}", "--property", "connect_timeout_ms=60000"]
    r = subprocess.run([built_file("karrow", "KARROW_CLI"), "consume", "-b", kafka_secure["sasl_ssl"], "-t", topic,
                        "-e", "--event-time-column", "", *base,
                        "--property", f"schema_registry.basic_auth_user_info=@{secrets}"],
                       capture_output=True, text=True, timeout=EXIT_BOUND)
    assert r.returncode == 0, r.stderr
    assert [json.loads(line) for line in r.stdout.splitlines()] == orders
    assert registry.count("GET", f"/schemas/ids/{schema_id}") >= 1

    denied = subprocess.run([built_file("karrow", "KARROW_CLI"), "consume", "-b", kafka_secure["sasl_ssl"], "-t",
                             topic, "-e", *base, "--property", "schema_registry.basic_auth_user_info=reader:wrong-pw"],
                            capture_output=True, text=True, timeout=EXIT_BOUND)
    assert denied.returncode == 2, denied.stderr  # refused while opening, as a bad setting is
    assert "basic auth credentials were rejected" in denied.stderr
    assert "wrong-pw" not in denied.stderr and registry_password not in denied.stderr
    assert denied.stdout == ""
