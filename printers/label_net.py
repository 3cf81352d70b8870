"""TCP for label printers: ending a connection without losing the end of the job.

Closing a socket that still holds unread bytes (a status answer that came late, half an
answer, the printer's own notifications) makes Linux send RST instead of FIN (RFC 2525,
"failure to RST on close with data pending"), and a printer that gets RST may discard
what it has received but not processed yet: the end of the badge. So the connection is
ended in order: FIN after the last byte of the job, then what the printer still sends is
read and dropped until it closes its side or is quiet, within a bounded time.
"""

from __future__ import annotations

import logging
import socket
import time

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.3  # nothing more from the printer for this long: close
CLOSE_SECONDS = 3.0  # at most this long in all


def close_gently(
    sock: socket.socket, quiet: float = QUIET_SECONDS, limit: float = CLOSE_SECONDS
) -> None:
    """Shut down writing, read until the printer closes or is quiet, then close."""
    try:
        sock.shutdown(socket.SHUT_WR)
        end = time.monotonic() + limit
        for _ in range(10_000):  # bounded as well by the time
            left = end - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(min(quiet, left))
            try:
                if not sock.recv(4096):
                    break  # the printer closed its side: nothing can be pending
            except TimeoutError:
                break
    except OSError as exc:  # already reset or closed: nothing left to protect
        log.debug("closing printer connection: %s", exc)
    finally:
        sock.close()
