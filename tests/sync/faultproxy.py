"""A small HTTP proxy between a kiosk and the hub that misbehaves on purpose (loopback only).

For each request a policy picks what happens:

- ``pass``: forwarded, answer relayed;
- ``drop``: the connection is closed before anything reaches the hub;
- ``error``: a 500 without forwarding;
- ``drop_after``: forwarded (the hub commits it), then the connection is closed unanswered;
- ``error_after``: forwarded (the hub commits it), then a 500 instead of the answer;
- ``truncate``: forwarded, then half of the answer and a closed connection;
- ``delay``: forwarded after ``delay_seconds`` (longer than the kiosk's timeout, it times out).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable

ACTIONS = ("pass", "drop", "error", "drop_after", "error_after", "truncate", "delay")
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "proxy-connection",
}

Policy = Callable[[int, str, str], str]  # (request number, method, path) -> action


class FaultProxy:
    def __init__(self, upstream_port: int, policy: Policy | None = None) -> None:
        self.upstream_port = upstream_port
        self.policy: Policy = policy or (lambda n, method, path: "pass")
        self.delay_seconds = 3.0
        self.actions: Counter[str] = Counter()
        self._count = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._clients: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def heal(self) -> None:
        self.policy = lambda n, method, path: "pass"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()
        with self._lock:
            for client in list(self._clients):
                with contextlib.suppress(OSError):
                    client.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(30)
        reader = client.makefile("rb")
        try:
            while not self._stop.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                with self._lock:
                    self._count += 1
                    n = self._count
                action = self.policy(n, method, path)
                self.actions[action] += 1
                if action == "drop":
                    return
                if action == "error":
                    client.sendall(_response(500, "Internal Server Error", [], b"proxy fault"))
                    continue
                if action == "delay":
                    time.sleep(self.delay_seconds)
                status, reason, out_headers, payload = self._forward(method, path, headers, body)
                if action == "drop_after":
                    return
                if action == "error_after":
                    client.sendall(_response(500, "Internal Server Error", [], b"proxy fault"))
                    continue
                answer = _response(status, reason, out_headers, payload)
                if action == "truncate":
                    client.sendall(answer[: len(answer) // 2])
                    return
                client.sendall(answer)
        except OSError:
            return
        finally:
            with self._lock:
                self._clients.discard(client)
            with contextlib.suppress(OSError):
                reader.close()
                client.close()

    def _forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=dict(headers))
            resp = conn.getresponse()
            payload = resp.read()
            kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP]
            return resp.status, resp.reason, kept, payload
        finally:
            conn.close()


def _read_request(reader: object) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    line = reader.readline()  # type: ignore[attr-defined]
    if not line:
        return None
    method, path, _version = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    length = 0
    while True:
        raw = reader.readline()  # type: ignore[attr-defined]
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        value = value.strip()
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() not in _HOP_BY_HOP:
            headers.append((name, value))
    body = reader.read(length) if length else b""  # type: ignore[attr-defined]
    return method, path, headers, body


def _response(status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = [f"HTTP/1.1 {status} {reason}"]
    head += [f"{k}: {v}" for k, v in headers]
    head += [f"Content-Length: {len(body)}", "Connection: keep-alive"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
