"""The HTTP link: retries, Retry-After, timeouts, bad bodies, clock skew, through the fault
proxy in front of a real HTTP server on loopback."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.sync.clock import ClockSkew, parse_http_date
from kiosk.sync.http import BadAnswer, LinkSettings, Refused, ServerClient, Unreachable
from tests.support.fault_proxy import FaultProxy


class Upstream(http.server.ThreadingHTTPServer):
    daemon_threads = True
    skew_s = 0.0
    hits: list[str]


class Handler(http.server.BaseHTTPRequestHandler):
    server: Upstream

    def log_message(self, *args: object) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.formatdate(time.time() + self.server.skew_s, usegmt=True)

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path.startswith("/secret"):
            self._answer(401, {"detail": "unauthorized"})
        else:
            self._answer(200, {"ok": True, "auth": self.headers.get("Authorization")})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        self.server.hits.append(self.path)
        self._answer(200, {"echo": body})


@pytest.fixture()
def upstream() -> Iterator[Upstream]:
    server = Upstream(("127.0.0.1", 0), Handler)
    server.hits = []
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="upstream", daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", upstream.server_address[1]) as p:
        yield p


def client(url: str, **kw: object) -> ServerClient:
    options: dict[str, object] = dict(
        token="t0ken",
        connect_timeout_s=1.0,
        read_timeout_s=1.0,
        retries=3,
        backoff_s=0.01,
        backoff_max_s=0.05,
    )
    options.update(kw)
    return ServerClient(LinkSettings(base_url=url, **options), ClockSkew(120))  # type: ignore[arg-type]


def test_answer_passes_with_token(proxy: FaultProxy) -> None:
    assert client(proxy.url).get("/x") == {"ok": True, "auth": "Bearer t0ken"}


@pytest.mark.parametrize("kind", ["refuse", "status", "lost_answer"])
def test_retryable_faults_are_retried(proxy: FaultProxy, upstream: Upstream, kind: str) -> None:
    proxy.inject(kind, times=2, status=503)  # type: ignore[arg-type]
    assert client(proxy.url).get("/x")["ok"] is True
    assert proxy.pending() == 0


def test_retries_run_out_as_unreachable(proxy: FaultProxy) -> None:
    proxy.inject("status", times=10, status=500)
    with pytest.raises(Unreachable, match="500|retries"):
        client(proxy.url, retries=2).get("/x")
    assert proxy.pending() == 10 - 3


def test_retry_after_is_honoured_and_capped(proxy: FaultProxy) -> None:
    proxy.inject("status", status=429, retry_after=1)
    started = time.monotonic()
    assert client(proxy.url, backoff_max_s=0.6).get("/x")["ok"] is True
    waited = time.monotonic() - started
    assert 0.5 <= waited < 1.0  # Retry-After: 1, capped at 0.6 s

    proxy.inject("status", status=429, retry_after=1)
    started = time.monotonic()
    assert client(proxy.url, backoff_max_s=5.0).get("/x")["ok"] is True
    assert time.monotonic() - started >= 0.95


def test_final_errors_are_not_retried(proxy: FaultProxy, upstream: Upstream) -> None:
    with pytest.raises(Refused) as info:
        client(proxy.url).get("/secret")
    assert info.value.status == 401
    assert upstream.hits == ["/secret"]


def test_slow_answer_times_out(proxy: FaultProxy) -> None:
    proxy.inject("delay", times=5, seconds=0.6)
    with pytest.raises(Unreachable):
        client(proxy.url, read_timeout_s=0.2, retries=1).get("/x")


def test_not_json_is_a_bad_answer(proxy: FaultProxy) -> None:
    proxy.inject("not_json")
    with pytest.raises(BadAnswer, match="expected JSON"):
        client(proxy.url).get("/x")


def test_truncated_answer_is_a_bad_answer(proxy: FaultProxy) -> None:
    # urllib3 retries before the body is read; a cut body fails the round, whose caller
    # (the sync worker) tries again later.
    proxy.inject("truncate")
    with pytest.raises(BadAnswer, match="cut short"):
        client(proxy.url).get("/x")
    assert client(proxy.url).get("/x")["ok"] is True


def test_lost_answer_post_is_delivered_again(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.inject("lost_answer")
    assert client(proxy.url).post("/ingest", {"n": 1}) == {"echo": {"n": 1}}
    assert upstream.hits == ["/ingest", "/ingest"]  # the server must dedup: it sees it twice


def test_post_without_retry_fails_once(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.inject("lost_answer")
    with pytest.raises(Unreachable):
        client(proxy.url).post("/enroll", {"n": 1}, retry=False)
    assert upstream.hits == ["/enroll"]


def test_server_down_is_unreachable() -> None:
    with FaultProxy("127.0.0.1", 9) as dead:  # nothing listens on the discard port
        url = dead.url
    with pytest.raises(Unreachable):
        client(url, retries=1).get("/x")


def test_clock_skew_from_date_header(proxy: FaultProxy, upstream: Upstream) -> None:
    c = client(proxy.url)
    c.get("/x")
    assert c.skew is not None and c.skew.skew_s is not None
    assert abs(c.skew.skew_s) <= 1.5 and c.skew.trusted()
    upstream.skew_s = 600.0
    c.get("/x")
    assert c.skew.skew_s is not None and 598 <= c.skew.skew_s <= 602
    assert not c.skew.trusted()


def test_http_date_parsing() -> None:
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == dt.datetime(
        1994, 11, 6, 8, 49, 37, tzinfo=dt.UTC
    )
    assert parse_http_date("yesterday") is None
    assert parse_http_date(None) is None


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "central test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "server.pem", tmp / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_tls_is_verified_against_the_ca_file(tmp_path: Path, upstream: Upstream) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    server = Upstream(("127.0.0.1", 0), Handler)
    server.hits = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="tls-upstream", daemon=True
    )
    thread.start()
    url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        assert client(url, ca_file=cert_file).get("/x")["ok"] is True
        with pytest.raises(Unreachable, match="TLS verification failed"):
            client(url, retries=0).get("/x")  # the system trust store does not know it
    finally:
        server.shutdown()
        server.server_close()
