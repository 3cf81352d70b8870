"""A loopback TCP proxy whose link can be cut or slowed: the venue network, on demand."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time

log = logging.getLogger("accueil.rehearsal")

MAX_CONNECTIONS = 64


class FaultyLink:
    """Forwards 127.0.0.1:<port> to a target; ``down()`` drops every connection, ``slow()`` delays.

    Bounded: at most MAX_CONNECTIONS at once; every thread ends when ``close()`` is called.
    """

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._up = True
        self._delay = 0.0
        self._closed = threading.Event()
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="faulty-link", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        self._up, self._delay = True, 0.0

    def down(self) -> None:
        """Refuse new connections and cut the open ones, like a pulled cable."""
        self._up = False
        with self._lock:
            for conn in list(self._conns):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def slow(self, seconds: float) -> None:
        self._up, self._delay = True, seconds

    def close(self) -> None:
        self._closed.set()
        self.down()
        self._listener.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            if not self._up or len(self._conns) >= MAX_CONNECTIONS * 2:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update({client, upstream})
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(a, selectors.EVENT_READ, b)
        sel.register(b, selectors.EVENT_READ, a)
        try:
            while not self._closed.is_set() and self._up:
                for key, _ in sel.select(timeout=0.2):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    if self._delay:
                        time.sleep(self._delay)
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            with self._lock:
                for s in (a, b):
                    self._conns.discard(s)
                    s.close()
