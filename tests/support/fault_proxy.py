"""A small HTTP fault proxy between a kiosk and the real central server, for tests.

Every request is forwarded to the upstream server unless a fault is scheduled for it. Faults
are queued with :meth:`FaultProxy.inject` and used up one request at a time (optionally only
for paths starting with a prefix). Each answer closes its connection, so a fault never leaks
into the next request.

Faults:

``refuse``       close the connection before reading the request (nothing reaches the server)
``lost_answer``  forward the request, then close without answering (the server did the work)
``delay``        wait ``seconds`` before forwarding (slower than the kiosk's timeout)
``status``       answer ``status`` without forwarding (500, 503, 429 with ``retry_after``)
``truncate``     forward, then send the headers and only half of the body
``not_json``     forward, then answer 200 with an HTML page instead
``duplicate``    forward the request twice (duplicate delivery) and answer the second
``hold_answer``  forward, then wait ``seconds`` before answering (a kill lands in between)

:meth:`FaultProxy.wait_answered` waits until answers for a path were sent (to kill a kiosk
right after its feed page arrived, say).
"""

from __future__ import annotations

import http.client
import random
import socket
import socketserver
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "refuse", "lost_answer", "delay", "status", "truncate", "not_json", "duplicate", "hold_answer"
]


@dataclass
class Fault:
    kind: FaultKind
    path_prefix: str = ""
    seconds: float = 0.0
    status: int = 500
    retry_after: int | None = None


@dataclass
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class ProxyLog:
    """What the proxy saw: every request path and each fault it used."""

    requests: list[str] = field(default_factory=list)
    faults: list[tuple[FaultKind, str]] = field(default_factory=list)


class FaultProxy:
    """A threaded proxy on 127.0.0.1 in front of ``upstream_port``; use as a context manager."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.log = ProxyLog()
        self._answered: dict[str, int] = {}
        self._chaos: tuple[float, list[Fault], random.Random, str] | None = None
        self._answered_cond = threading.Condition()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.connection, self.rfile, self.wfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fault-proxy", daemon=True
        )

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def inject(self, kind: FaultKind, times: int = 1, **options: object) -> None:
        """Apply fault ``kind`` to the next ``times`` matching requests."""
        with self._lock:
            for _ in range(times):
                self._faults.append(Fault(kind, **options))  # type: ignore[arg-type]

    def chaos(self, rate: float, kinds: list[Fault], seed: int = 1, path_prefix: str = "") -> None:
        """From now on, fault each request (under ``path_prefix``) with probability ``rate``,
        with one of ``kinds`` chosen at random (reproducibly: ``seed``)."""
        with self._lock:
            self._chaos = (rate, kinds, random.Random(seed), path_prefix)

    def clear(self) -> None:
        """Forget the faults not used yet."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        """Faults not used yet."""
        with self._lock:
            return len(self._faults)

    def wait_answered(self, path_prefix: str, count: int = 1, timeout_s: float = 30.0) -> bool:
        """Wait until ``count`` answers to paths starting with ``path_prefix`` were sent."""

        def seen() -> int:
            return sum(n for p, n in self._answered.items() if p.startswith(path_prefix))

        with self._answered_cond:
            return self._answered_cond.wait_for(lambda: seen() >= count, timeout_s)

    def _sent(self, path: str) -> None:
        with self._answered_cond:
            key = path.split("?", 1)[0]
            self._answered[key] = self._answered.get(key, 0) + 1
            self._answered_cond.notify_all()

    def _take(self, path: str) -> Fault | None:
        with self._lock:
            if self._chaos is not None:
                rate, kinds, rng, prefix = self._chaos
                if path.startswith(prefix) and rng.random() < rate:
                    fault = rng.choice(kinds)
                    self.log.faults.append((fault.kind, path))
                    return fault
            for fault in self._faults:
                if path.startswith(fault.path_prefix):
                    self._faults.remove(fault)
                    self.log.faults.append((fault.kind, path))
                    return fault
        return None

    def _handle(self, conn: socket.socket, rfile: object, wfile: object) -> None:
        request = _read_request(rfile)
        if request is None:
            return
        with self._lock:
            self.log.requests.append(f"{request.method} {request.path}")
        fault = self._take(request.path)
        kind = fault.kind if fault else None
        if kind == "refuse":
            conn.close()
            return
        if kind == "status":
            assert fault is not None
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            _send(wfile, fault.status, b'{"detail":"injected"}', "application/json", extra)
            return
        if kind == "delay":
            assert fault is not None
            time.sleep(fault.seconds)
        if kind == "duplicate":
            self._forward(request)
        try:
            status, headers, body = self._forward(request)
        except OSError:
            _send(wfile, 502, b'{"detail":"upstream down"}', "application/json", {})
            return
        if kind == "lost_answer":
            conn.close()
            return
        if kind == "hold_answer":
            assert fault is not None
            time.sleep(fault.seconds)
        if kind == "not_json":
            _send(wfile, 200, b"<html><body>captive portal</body></html>", "text/html", {})
            return
        keep = {
            k: v
            for k, v in headers
            if k.lower() not in {"content-length", "connection", "transfer-encoding"}
        }
        if kind == "truncate":
            _write_head(wfile, status, keep, len(body))
            wfile.write(body[: len(body) // 2])  # type: ignore[attr-defined]
            wfile.flush()  # type: ignore[attr-defined]
            conn.shutdown(socket.SHUT_RDWR)
            return
        _write_head(wfile, status, keep, len(body))
        wfile.write(body)  # type: ignore[attr-defined]
        wfile.flush()  # type: ignore[attr-defined]
        self._sent(request.path)

    def _forward(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            headers = {
                k: v
                for k, v in request.headers
                if k.lower() not in {"connection", "keep-alive", "proxy-connection"}
            }
            upstream.request(request.method, request.path, body=request.body, headers=headers)
            response = upstream.getresponse()
            body = response.read()
            return response.status, response.getheaders(), body
        finally:
            upstream.close()


def _read_request(rfile: object) -> Request | None:
    line = rfile.readline(65536)  # type: ignore[attr-defined]
    if not line:
        return None
    try:
        method, path, _ = line.decode("latin-1").split(" ", 2)
    except ValueError:
        return None
    headers: list[tuple[str, str]] = []
    length = 0
    while True:
        raw = rfile.readline(65536)  # type: ignore[attr-defined]
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = rfile.read(length) if length else b""  # type: ignore[attr-defined]
    return Request(method, path, headers, body)


def _write_head(wfile: object, status: int, headers: dict[str, str], length: int) -> None:
    reason = http.client.responses.get(status, "")
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"Content-Length: {length}", "Connection: close", "", ""]
    wfile.write("\r\n".join(lines).encode("latin-1"))  # type: ignore[attr-defined]


def _send(
    wfile: object, status: int, body: bytes, content_type: str, extra: dict[str, str]
) -> None:
    headers = {"Content-Type": content_type, **extra}
    _write_head(wfile, status, headers, len(body))
    wfile.write(body)  # type: ignore[attr-defined]
    wfile.flush()  # type: ignore[attr-defined]
