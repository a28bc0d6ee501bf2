"""A small Confluent-compatible schema registry for tests.

Speaks the REST subset that Confluent's serializers and karrow's client use,
under any path prefix, with optional basic/bearer auth and TLS, and lets tests
inject faults (errors, delays, oversized or malformed answers) and count the
requests it received. A second, plain-HTTP "control" listener (no auth, no
prefix) drives it from other processes:

    POST /register {"subject", "schema", "schemaType"?}  -> {"id": n}
    POST /fault    {"path", "times"?, "status"?, "message"?, "delay"?,
                    "oversize"?, "declare_length"?, "body"?, "echo_auth"?}
    POST /auth     {"basic": "user:password" | null, "bearer": "token" | null}
    POST /reset    clears faults and counters (schemas stay)
    GET  /count?method=GET&path=/schemas/ids/1  -> {"count": n, "bytes_sent": n}

Run as a script it prints one JSON line ({"url", "control_url"}) and serves
until killed:

    python3 tests/python/schema_registry_server.py --port 0 --prefix /registry/v1
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hmac
import ipaddress
import json
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryError(Exception):
    """An error answer in Confluent's form."""

    def __init__(self, status: int, error_code: int, message: str):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


@dataclass
class Fault:
    """What to do to the next `times` requests of one path (-1: all of them)."""

    times: int = -1
    status: int | None = None  # answer this HTTP status with a Confluent error body
    message: str = "Injected fault"
    delay: float = 0.0  # seconds to wait before answering
    oversize: int = 0  # answer 200 with a body of this many bytes
    declare_length: bool = True  # send Content-Length with the oversized body
    body: str | None = None  # answer 200 with this body, verbatim
    bytes_sent: int = 0  # of the oversized body, before the client went away
    echo_auth: bool = False  # quote the request's Authorization header in the error (a leaky server)


@dataclass
class _Schema:
    schema: str
    schema_type: str
    references: list


class Registry:
    """The registry's state: schemas, subjects, auth, faults and counters. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._schemas: list[_Schema] = []  # id - 1 -> schema
        self._subjects: dict[str, list[int]] = {}  # subject -> ids by version - 1
        self._faults: dict[str, Fault] = {}
        self._counts: dict[str, int] = {}
        self._basic: str | None = None  # "user:password"
        self._bearer: str | None = None

    # --- what tests call --------------------------------------------------

    def register(self, subject: str, schema: str, schema_type: str = "AVRO", references: list | None = None) -> int:
        """Registers `schema` under `subject`; the same schema always gets the same id."""
        with self._lock:
            return self._register_locked(subject, schema, schema_type, references)

    def set_auth(self, basic: str | None = None, bearer: str | None = None) -> None:
        """Requires "user:password" basic auth or a bearer token (either one); None, None: no auth."""
        with self._lock:
            self._basic = basic
            self._bearer = bearer

    def set_fault(self, path: str, **kwargs) -> None:
        """Applies a Fault to requests whose path (after the prefix) is `path`."""
        with self._lock:
            self._faults[path] = Fault(**kwargs)

    def count(self, method: str, path: str) -> int:
        """How many `method` requests for `path` (after the prefix) arrived."""
        with self._lock:
            return self._counts.get(f"{method} {path}", 0)

    def bytes_sent(self, path: str) -> int:
        with self._lock:
            fault = self._faults.get(path)
            return fault.bytes_sent if fault else 0

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._counts.clear()

    # --- used by the request handler ---------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            key = f"{method} {path}"
            self._counts[key] = self._counts.get(key, 0) + 1
            fault = self._faults.get(path)
            if fault is None or fault.times == 0:
                return None
            if fault.times > 0:
                fault.times -= 1
            return fault

    def _register_locked(self, subject: str, schema, schema_type: str | None, references: list | None) -> int:
        schema_type = (schema_type or "AVRO").upper()
        if schema_type not in ("AVRO", "JSON", "PROTOBUF"):
            raise RegistryError(422, 42201, f"Invalid schema type {schema_type}")
        if not isinstance(schema, str):
            raise RegistryError(422, 42201, "Invalid schema: 'schema' must be a string")
        if schema_type in ("AVRO", "JSON"):
            try:
                json.loads(schema)
            except ValueError as e:
                raise RegistryError(422, 42201, f"Invalid schema: {e}") from None
        entry = _Schema(schema, schema_type, list(references or []))
        if entry in self._schemas:
            schema_id = self._schemas.index(entry) + 1
        else:
            self._schemas.append(entry)
            schema_id = len(self._schemas)
        versions = self._subjects.setdefault(subject, [])
        if schema_id not in versions:
            versions.append(schema_id)
        return schema_id

    def _authorized(self, header: str | None) -> bool:
        with self._lock:
            basic, bearer = self._basic, self._bearer
        if basic is None and bearer is None:
            return True
        if not header:
            return False
        kind, _, value = header.partition(" ")
        if kind.lower() == "basic" and basic is not None:
            try:
                given = base64.b64decode(value, validate=True).decode()
            except ValueError:
                return False
            return hmac.compare_digest(given, basic)
        if kind.lower() == "bearer" and bearer is not None:
            return hmac.compare_digest(value, bearer)
        return False

    def _schema_body(self, schema_id: int, with_type: bool = True) -> dict:
        entry = self._schemas[schema_id - 1]
        body: dict = {"schema": entry.schema}
        # Like Confluent's registry: AVRO, the default, is left out.
        if with_type and entry.schema_type != "AVRO":
            body["schemaType"] = entry.schema_type
        if entry.references:
            body["references"] = entry.references
        return body

    def _versions(self, subject: str) -> list[int]:
        versions = self._subjects.get(subject)
        if not versions:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        return versions

    def handle(self, method: str, segments: list[str], query: dict, body: dict | None):
        """Answers one REST request: (status, JSON-able body)."""
        with self._lock:
            return self._route(method, segments, query, body)

    def _route(self, method: str, seg: list[str], query: dict, body: dict | None):
        if method == "GET" and seg == ["subjects"]:
            return 200, sorted(self._subjects)
        if method == "GET" and seg == ["schemas", "types"]:
            return 200, ["AVRO", "JSON", "PROTOBUF"]
        if method == "GET" and len(seg) == 4 and seg[:2] == ["associations", "resources"]:
            # Serializers ask which subject a topic is associated with; none
            # here, so they fall back to their subject name strategy.
            return 200, []
        if method == "GET" and seg == ["config"]:
            return 200, {"compatibilityLevel": "BACKWARD"}
        if method == "GET" and len(seg) == 2 and seg[0] == "config":
            return 200, {"compatibilityLevel": "BACKWARD"}
        if method == "GET" and len(seg) == 3 and seg[:2] == ["schemas", "ids"]:
            try:
                schema_id = int(seg[2])
            except ValueError:
                raise RegistryError(404, 40403, f"Schema {seg[2]} not found") from None
            if not 1 <= schema_id <= len(self._schemas):
                raise RegistryError(404, 40403, f"Schema {schema_id} not found")
            return 200, self._schema_body(schema_id)
        if method == "GET" and len(seg) == 3 and seg[0] == "subjects" and seg[2] == "versions":
            return 200, list(range(1, len(self._versions(seg[1])) + 1))
        if method == "GET" and len(seg) == 4 and seg[0] == "subjects" and seg[2] == "versions":
            versions = self._versions(seg[1])
            if seg[3] in ("latest", "-1"):
                version = len(versions)
            else:
                try:
                    version = int(seg[3])
                except ValueError:
                    raise RegistryError(422, 42202, f"Invalid version {seg[3]}") from None
                if not 1 <= version <= len(versions):
                    raise RegistryError(404, 40402, f"Version {version} not found.")
            schema_id = versions[version - 1]
            return 200, {"subject": seg[1], "version": version, "id": schema_id, **self._schema_body(schema_id)}
        if method == "POST" and len(seg) == 2 and seg[0] == "subjects":  # lookup
            text, schema_type = self._request_schema(body)
            versions = self._versions(seg[1])
            for version, schema_id in enumerate(versions, start=1):
                entry = self._schemas[schema_id - 1]
                if entry.schema == text and entry.schema_type == schema_type:
                    return 200, {"subject": seg[1], "version": version, "id": schema_id,
                                 **self._schema_body(schema_id)}
            raise RegistryError(404, 40403, "Schema not found")
        if method == "POST" and len(seg) == 3 and seg[0] == "subjects" and seg[2] == "versions":
            text, schema_type = self._request_schema(body)
            return 200, {"id": self._register_locked(seg[1], text, schema_type, body.get("references"))}
        raise RegistryError(404, 404, "HTTP 404 Not Found")

    @staticmethod
    def _request_schema(body: dict | None) -> tuple[str, str]:
        if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
            raise RegistryError(422, 42201, "Invalid schema: the request needs a 'schema' string")
        return body["schema"], (body.get("schemaType") or "AVRO").upper()


def _make_api_handler(registry: Registry, prefix: str):
    class ApiHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # header and body go in two writes

        def log_message(self, format, *args):  # noqa: A002 - quiet by default
            pass

        def _send(self, status: int, payload, close: bool = False) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

        def _send_error(self, status: int, error_code: int, message: str) -> None:
            self._send(status, {"error_code": error_code, "message": message})

        def _send_oversized(self, fault: Fault) -> None:
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            if fault.declare_length:
                self.send_header("Content-Length", str(fault.oversize))
            else:  # the body ends when the connection does
                self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            chunk = b" " * 65536
            left = fault.oversize
            try:
                while left > 0:
                    n = min(left, len(chunk))
                    self.wfile.write(chunk[:n])
                    left -= n
                    with registry._lock:
                        fault.bytes_sent += n
            except OSError:
                pass  # the client stopped reading, as it should

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            raw_path = parts.path
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length) if length else b""
            if prefix and not (raw_path == prefix or raw_path.startswith(prefix + "/")):
                self._send_error(404, 404, "HTTP 404 Not Found")
                return
            rel = raw_path[len(prefix):] or "/"
            # Split before decoding, so that an encoded '/' stays inside its segment.
            segments = [unquote(s) for s in rel.strip("/").split("/")] if rel.strip("/") else []
            rel_key = "/" + "/".join(segments)
            fault = registry._take_fault(method, rel_key)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if not registry._authorized(self.headers.get("Authorization")):
                self._send_error(401, 40101, "Unauthorized")
                return
            if fault is not None:
                if fault.status is not None:
                    # Confluent's error codes are the status and a digit: 50001, 40301, ...
                    message = fault.message
                    if fault.echo_auth:
                        message += f" (request had Authorization: {self.headers.get('Authorization')})"
                    self._send_error(fault.status, fault.status * 100 + 1, message)
                    return
                if fault.oversize:
                    self._send_oversized(fault)
                    return
                if fault.body is not None:
                    data = fault.body.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", CONTENT_TYPE)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
            try:
                body = json.loads(raw_body) if raw_body else None
            except ValueError:
                self._send_error(400, 400, "Unrecognized request body: not JSON")
                return
            query = parse_qs(parts.query)  # accepted and ignored (fetchMaxId, normalize, ...)
            try:
                status, payload = registry.handle(method, segments, query, body)
            except RegistryError as e:
                self._send_error(e.status, e.error_code, e.message)
                return
            self._send(status, payload)

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

    return ApiHandler


def _make_control_handler(registry: Registry):
    class ControlHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # header and body go in two writes

        def log_message(self, format, *args):  # noqa: A002
            pass

        def _send(self, status: int, payload) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path != "/count":
                self._send(404, {"error": "unknown control path"})
                return
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            self._send(200, {"count": registry.count(q.get("method", "GET"), q.get("path", "")),
                             "bytes_sent": registry.bytes_sent(q.get("path", ""))})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                path = urlsplit(self.path).path
                if path == "/register":
                    schema_id = registry.register(body["subject"], body["schema"], body.get("schemaType", "AVRO"),
                                                  body.get("references"))
                    self._send(200, {"id": schema_id})
                elif path == "/fault":
                    fault_path = body.pop("path")
                    registry.set_fault(fault_path, **body)
                    self._send(200, {})
                elif path == "/auth":
                    registry.set_auth(body.get("basic"), body.get("bearer"))
                    self._send(200, {})
                elif path == "/reset":
                    registry.reset()
                    self._send(200, {})
                else:
                    self._send(404, {"error": "unknown control path"})
            except (KeyError, TypeError, ValueError, RegistryError) as e:
                self._send(400, {"error": str(e)})

    return ControlHandler


class _TlsServer(ThreadingHTTPServer):
    """Does the TLS handshake in the request's thread, so that a client that
    never finishes one cannot stall the accept loop."""

    daemon_threads = True

    def __init__(self, address, handler, context: ssl.SSLContext | None):
        super().__init__(address, handler)
        self.context = context

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timeout, size limit) is expected in tests.
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)

    def finish_request(self, request, client_address) -> None:
        if self.context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a failed handshake (no client certificate, unknown CA): the client sees it
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()


@dataclass
class TlsFiles:
    """PEM files of a throwaway CA, a server certificate for 127.0.0.1 and
    localhost, and a client certificate whose key may be encrypted."""

    ca: str
    server_cert: str
    server_key: str
    client_cert: str
    client_key: str


def make_test_certs(directory: str | Path, client_key_password: str | None = None) -> TlsFiles:
    """Writes a CA, a server and a client certificate into `directory`.

    Uses the `cryptography` package, which confluent-kafka[schemaregistry]
    brings along (through authlib)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def builder(subject: str, issuer: x509.Name, key) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=2)))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (builder("karrow test CA", name("karrow test CA"), ca_key)
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))

    def leaf(cn: str, usage, sans):
        key = ec.generate_private_key(ec.SECP256R1())
        b = (builder(cn, ca_cert.subject, key)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                            critical=False))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, b.sign(ca_key, hashes.SHA256())

    server_key, server_cert = leaf("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH,
                                   [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    client_key, client_cert = leaf("karrow test client", ExtendedKeyUsageOID.CLIENT_AUTH, None)

    pem = serialization.Encoding.PEM
    files = TlsFiles(str(d / "ca.pem"), str(d / "server.pem"), str(d / "server.key"),
                      str(d / "client.pem"), str(d / "client.key"))
    Path(files.ca).write_bytes(ca_cert.public_bytes(pem))
    Path(files.server_cert).write_bytes(server_cert.public_bytes(pem))
    Path(files.server_key).write_bytes(server_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    Path(files.client_cert).write_bytes(client_cert.public_bytes(pem))
    encryption = (serialization.BestAvailableEncryption(client_key_password.encode()) if client_key_password
                  else serialization.NoEncryption())
    Path(files.client_key).write_bytes(client_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, encryption))
    return files


class SchemaRegistryServer:
    """A running registry: the REST API at .url, the control API at .control_url.

    Attribute access falls through to the Registry (register, set_fault,
    set_auth, count, bytes_sent, reset), so tests drive it directly.
    """

    def __init__(self, prefix: str = "", host: str = "127.0.0.1", port: int = 0,
                 certs: TlsFiles | None = None, require_client_cert: bool = False):
        self.registry = Registry()
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        context = None
        if certs is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certs.server_cert, certs.server_key)
            if require_client_cert:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(certs.ca)
        self._api = _TlsServer((host, port), _make_api_handler(self.registry, prefix), context)
        self._control = _TlsServer((host, 0), _make_control_handler(self.registry), None)
        scheme = "https" if context else "http"
        self.url = f"{scheme}://{host}:{self._api.server_address[1]}{prefix}"
        self.control_url = f"http://{host}:{self._control.server_address[1]}"
        # A short poll interval keeps close() quick.
        self._threads = [threading.Thread(target=s.serve_forever, args=(0.02,), daemon=True)
                         for s in (self._api, self._control)]
        for t in self._threads:
            t.start()

    def __getattr__(self, name: str):
        if name == "registry":  # not set yet: no recursion
            raise AttributeError(name)
        return getattr(self.registry, name)

    def close(self) -> None:
        for server in (self._api, self._control):
            server.shutdown()
            server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--prefix", default="", help="serve the API under this path, e.g. /registry/v1")
    parser.add_argument("--tls-dir", help="serve HTTPS with certificates generated into this directory "
                                          "(ca.pem, server.pem/.key, client.pem/.key)")
    parser.add_argument("--client-key-password", help="encrypt client.key with this password")
    parser.add_argument("--require-client-cert", action="store_true")
    args = parser.parse_args()
    certs = make_test_certs(args.tls_dir, args.client_key_password) if args.tls_dir else None
    server = SchemaRegistryServer(args.prefix, args.host, args.port, certs, args.require_client_cert)
    print(json.dumps({"url": server.url, "control_url": server.control_url}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    server.close()


if __name__ == "__main__":
    sys.exit(main())
