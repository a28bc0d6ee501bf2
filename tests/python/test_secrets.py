"""Secrets never leave karrow (README, "Secrets"): random sentinels planted
through every way a credential gets in (-X, a -F properties file, @FILE and
env: references, the schema registry's basic auth, Python's client_configs)
must not appear, plain or in base64, in any byte karrow writes: stdout,
stderr, the sink, the checkpoints, the dead-letter file, Python's errors.
Each run is made to fail or warn where a secret would be echoed: librdkafka
refusing a property, a registry that quotes the Authorization header."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import uuid
from pathlib import Path

import fastavro
import pytest


from kafka_helpers import produce
from karrow_testing import built_file, karrow, open_reader
from schema_registry_server import SchemaRegistryServer

SCHEMA = {"type": "record", "name": "Row", "fields": [{"name": "n", "type": "long"}]}


def sentinel() -> str:
    return "S" + uuid.uuid4().hex


def forms(secret: str, user: str | None = None) -> list[str]:
    """The ways a secret could show: itself, its base64, and the base64 of
    user:secret as an HTTP Basic header carries it (padding left off)."""
    out = [secret, base64.b64encode(secret.encode()).decode().rstrip("=")]
    if user is not None:
        out.append(base64.b64encode(f"{user}:{secret}".encode()).decode().rstrip("="))
    return out


def everything_written(*texts: str, dirs: list[Path] = ()) -> str:
    """The texts and every file under the directories, as one string."""
    parts = list(texts)
    for d in dirs:
        for path in sorted(Path(d).rglob("*")):
            if path.is_file():
                parts.append(path.name)
                parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def assert_no_secret(text: str, secrets: list[str]) -> None:
    for s in secrets:
        assert s not in text, f"secret {s!r} leaked in:\n{text}"


def framed(schema_id: int, value: int) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(SCHEMA), {"n": value})
    return b"\x00" + schema_id.to_bytes(4, "big") + out.getvalue()


def karrow_cli(*args, env=None):
    return subprocess.run([built_file("karrow", "KARROW_CLI"), *args], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.fixture
def leaky_registry():
    """A registry that wants basic auth (its password a sentinel)."""
    server = SchemaRegistryServer(prefix="/registry")
    user, password = "reader", sentinel()
    server.set_auth(basic=f"{user}:{password}")
    yield server, user, password
    server.close()


def test_librdkafka_refusals_do_not_echo_secrets(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(1)
    jaas, oauth, from_file, from_ref, from_env = (sentinel() for _ in range(5))
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(from_ref + "\n")
    props = tmp_path / "client.properties"
    # basic.auth.user.info and sasl.jaas.config are Java client names librdkafka refuses.
    props.write_text(f"# credentials\n\nbasic.auth.user.info = someone:{from_file}\n")
    env = dict(os.environ, KARROW_TEST_SECRET=from_env)
    runs = [
        ["-X", f'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule '
               f'required username="u" password="{jaas}";'],
        ["-X", f"sasl.oauthbearer.client.secret={oauth}", "-X", "sasl.oauthbearer.method=banana"],
        ["-F", str(props)],
        ["-X", f"sasl.jaas.config=@{secret_file}"],
        ["-X", "sasl.jaas.config=env:KARROW_TEST_SECRET"],
        ["-X", f"sasl.password{jaas}"],  # a secret with its '=' forgotten
    ]
    written = []
    for extra in runs:
        for command in ("consume", "run"):
            args = [command, "-b", kafka_bootstrap, "-t", topic, "-e", *extra]
            if command == "run":
                args += ["--checkpoint-dir", str(tmp_path / "ckpt"), "--sink-dir", str(tmp_path / "sink")]
            r = karrow_cli(*args, env=env)
            assert r.returncode != 0, (args, r.stderr)
            assert r.stderr.strip(), args
            written += [r.stdout, r.stderr]
    text = everything_written(*written, dirs=[tmp_path / "ckpt", tmp_path / "sink"])
    assert "<redacted>" in text
    assert_no_secret(text, [f for s in (jaas, oauth, from_file, from_ref, from_env) for f in forms(s)])

    with pytest.raises(karrow.KarrowError) as refused:
        open_reader(topic, kafka_bootstrap, client_configs={"sasl.jaas.config": f"password={jaas}"})
    assert "<redacted>" in str(refused.value)
    assert_no_secret(str(refused.value), forms(jaas))


def test_missing_references_are_clear_errors(kafka_bootstrap, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "KARROW_NO_SUCH_VAR"}
    r = karrow_cli("consume", "-b", kafka_bootstrap, "-t", "x", "-X", "sasl.password=env:KARROW_NO_SUCH_VAR",
                   env=env)
    assert r.returncode == 2
    assert "env:KARROW_NO_SUCH_VAR: the environment variable is not set" in r.stderr
    r = karrow_cli("consume", "-b", kafka_bootstrap, "-t", "x", "-S", f"group_id=@{tmp_path}/none")
    assert r.returncode == 2
    assert f"@{tmp_path}/none: cannot read the file" in r.stderr
    bad = tmp_path / "bad.properties"
    bad.write_text("ok.key=1\nthis line is a secret\n")
    r = karrow_cli("consume", "-b", kafka_bootstrap, "-t", "x", "-F", str(bad))
    assert r.returncode == 2
    assert "bad.properties:2: expected key=value" in r.stderr
    assert "this line is a secret" not in r.stderr


def test_properties_file_and_references_configure_the_client(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": b"one"}, {"value": b"two"}])
    group_file = tmp_path / "group"
    group_file.write_text("from-a-file\n")
    props = tmp_path / "client.properties"
    # The command line overrides the file: fetch.wait.max.ms=banana would be refused.
    props.write_text("fetch.wait.max.ms=banana\nclient.rack = r1\n")
    r = karrow_cli("consume", "-b", kafka_bootstrap, "-t", topic, "-e", "-F", str(props),
                   "-X", "fetch.wait.max.ms=env:KARROW_TEST_WAIT", "-S", f"group_id=@{group_file}",
                   env=dict(os.environ, KARROW_TEST_WAIT="50"))
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["value"] for line in r.stdout.splitlines()] == ["one", "two"]


def test_registry_credentials_echoed_by_the_server_are_masked(kafka_bootstrap, new_topic, tmp_path,
                                                               leaky_registry):
    server, user, password = leaky_registry
    kafka_secret, env_secret = sentinel(), sentinel()
    topic = new_topic(1)
    broken_topic = new_topic(1)
    for t in (topic, broken_topic):
        good = server.register(f"{t}-value", json.dumps(SCHEMA))
    # The registry quotes the Authorization header back in the errors of one
    # schema id (404: the record's fault, dropped as bad data) and of another
    # (500: the run fails).
    missing, broken = good + 100, good + 200
    server.set_fault(f"/schemas/ids/{missing}", status=404, message="Subject not found", echo_auth=True)
    server.set_fault(f"/schemas/ids/{broken}", status=500, message="backend down", echo_auth=True)
    produce(kafka_bootstrap, topic, [{"value": framed(good, 1)}, {"value": framed(missing, 2)},
                                     {"value": framed(good, 3)}])
    produce(kafka_bootstrap, broken_topic, [{"value": framed(broken, 1)}])
    # The registry's credentials from a properties file, a Kafka password
    # (accepted, unused on a plaintext listener) from the environment.
    props = tmp_path / "client.properties"
    props.write_text(f"schema_registry.basic_auth_user_info={user}:{password}\n"
                     "sasl.password=env:KARROW_TEST_SECRET\nschema_registry.max_retries=0\n")
    env = dict(os.environ, KARROW_TEST_SECRET=env_secret, KARROW_LOG="debug")
    base = ["-b", kafka_bootstrap, "-f", "avro", "--schema-registry", server.url, "-F", str(props),
            "-X", f"ssl.key.password={kafka_secret}", "-e"]
    written = []

    dead = tmp_path / "dead" / "letters.arrows"
    dead.parent.mkdir()
    r = karrow_cli("consume", "-t", topic, *base, "--bad-data", "drop", "--dead-letter", str(dead),
                   "--metadata", "offset_id", env=env)
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["n"] for line in r.stdout.splitlines()] == [1, 3]
    assert dead.stat().st_size > 0
    written += [r.stdout, r.stderr]

    ckpt, sink = tmp_path / "ckpt", tmp_path / "sink"
    r = karrow_cli("run", "-t", topic, *base, "--bad-data", "drop", "--checkpoint-dir", str(ckpt),
                   "--sink-dir", str(sink), env=env)
    assert r.returncode == 0, r.stderr
    written += [r.stdout, r.stderr]

    for command in ("consume", "run"):
        args = [command, "-t", broken_topic, *base]
        if command == "run":
            args += ["--checkpoint-dir", str(tmp_path / "ckpt2"), "--sink-dir", str(tmp_path / "sink2")]
        r = karrow_cli(*args, env=env)
        assert r.returncode != 0
        assert "backend down" in r.stderr and "Authorization" in r.stderr, r.stderr
        written += [r.stdout, r.stderr]

    with pytest.raises(karrow.KarrowError) as failed:
        with open_reader(broken_topic, kafka_bootstrap, format="avro",
                         **{"schema_registry.url": server.url,
                            "schema_registry.basic_auth_user_info": f"{user}:{password}",
                            "schema_registry.max_retries": 0}) as reader:
            for _ in reader:
                pass
    assert "backend down" in str(failed.value)
    written.append(str(failed.value))

    text = everything_written(*written, dirs=[dead.parent, ckpt, sink, tmp_path / "ckpt2", tmp_path / "sink2"])
    assert_no_secret(text, forms(password, user) + forms(kafka_secret) + forms(env_secret))
    # The echoes happened, masked: in stderr and in the dead letter's reason.
    assert "Authorization: Basic <redacted>" in text
    assert "Authorization: Basic <redacted>" in everything_written(dirs=[dead.parent])
