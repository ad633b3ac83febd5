"""A small threaded HTTP/1.1 proxy that forwards to a storage emulator and misbehaves on cue.

Faults are chosen by request number (1-based, counted across all connections):
- "drop": forward the request, then close the client's connection without an answer (the
  upload arrived, the client never hears so; the nastiest case for "none duplicated").
- "drop-before": close the connection without forwarding.
- "slow": forward after 0.2 s (to kill a client mid-run).
- a status code ("503", "429", "403", "412"...): answer it without forwarding.
Every request's method, path and body is kept for inspection.
"""

from __future__ import annotations

import http.client
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Seen:
    method: str
    path: str
    body: bytes
    action: str


@dataclass
class FaultPlan:
    faults: dict[int, str] = field(default_factory=dict)
    rule: Callable[[int, str, str], str | None] | None = None  # (n, method, path) -> action

    def action(self, n: int, method: str, path: str) -> str:
        if n in self.faults:
            return self.faults[n]
        if self.rule is not None:
            return self.rule(n, method, path) or "pass"
        return "pass"


def _read_request(rfile) -> tuple[str, str, dict[str, str], list[tuple[str, str]], bytes] | None:  # type: ignore[no-untyped-def]
    line = rfile.readline(65537)
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        h = rfile.readline(65537)
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers.append((k.strip(), v.strip()))
    lower = {k.lower(): v for k, v in headers}
    if lower.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(rfile.readline().split(b";")[0], 16)
            if size == 0:
                rfile.readline()
                break
            body += rfile.read(size)
            rfile.readline()
    else:
        body = rfile.read(int(lower.get("content-length", "0") or 0))
    return method, path, lower, headers, body


class FaultProxy:
    def __init__(self, upstream_port: int, plan: FaultPlan | None = None) -> None:
        self.upstream_port = upstream_port
        self.plan = plan or FaultPlan()
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while True:
                    try:
                        req = _read_request(self.rfile)
                    except (OSError, ValueError):
                        return
                    if req is None:
                        return
                    if not proxy._serve(self, *req):
                        return

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(
        self,
        handler: socketserver.StreamRequestHandler,
        method: str,
        path: str,
        lower: dict[str, str],
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> bool:
        with self._lock:
            n = len(self.seen) + 1
            action = self.plan.action(n, method, path)
            self.seen.append(Seen(method, path, body, action))
        if action == "slow":  # forward, a little later
            time.sleep(0.2)
        if action == "damage":  # one byte flipped mid-body: what a bad link or NIC might do
            mid = len(body) // 2
            body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1 :]
        if action == "drop-before":
            handler.connection.shutdown(socket.SHUT_RDWR)
            return False
        if action.isdigit():
            msg = b'{"error":{"code":%s,"message":"injected"}}' % action.encode()
            handler.wfile.write(
                b"HTTP/1.1 %s Injected\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (action.encode(), len(msg), msg)
            )
            handler.wfile.flush()
            return True
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        skip = {"host", "content-length", "transfer-encoding", "connection"}
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            # The client's Host goes through: the emulator builds resumable links from it.
            conn.putheader("Host", lower.get("host", f"127.0.0.1:{self.upstream_port}"))
            for k, v in headers:
                if k.lower() not in skip:
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            status, reason, rheaders = resp.status, resp.reason, resp.getheaders()
        finally:
            conn.close()
        if action == "drop":
            handler.connection.shutdown(socket.SHUT_RDWR)
            return False
        out = [f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")]
        for k, v in rheaders:
            if k.lower() not in skip:
                out.append(f"{k}: {v}\r\n".encode("latin-1"))
        out.append(f"Content-Length: {len(data)}\r\n\r\n".encode("latin-1"))
        handler.wfile.write(b"".join(out) + data)
        handler.wfile.flush()
        return True
