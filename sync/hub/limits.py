"""Request body limits, per route, enforced before the body is read.

FastAPI reads and parses a request's body before the endpoint's dependencies run, so before
the token is checked: without a limit, anyone who can reach the hub makes it hold any number
of bytes. This ASGI middleware answers 413 to a ``Content-Length`` above the route's limit
without reading anything, and stops a body sent without one (chunked) as soon as it passes
the limit, so at most ``limit`` bytes of a request are ever held.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException

KIB = 1024
MIB = 1024 * KIB
DEFAULT_LIMIT = 64 * KIB  # calls without a body of their own (GET, token create…)

# (method, path) -> the largest body accepted, in bytes. Upload batches hold up to 20,000
# scans of under 1 KiB each; a purge question up to 500,000 nonces and 100,000 walk-in ids.
ROUTE_LIMITS: Mapping[tuple[str, str], int] = {
    ("POST", "/v1/upload"): 20 * MIB,
    ("POST", "/v1/heartbeat"): 16 * KIB,
    ("POST", "/v1/purge/confirm"): 32 * MIB,
    ("POST", "/v1/admin/registrations"): 64 * MIB,
    ("PUT", "/v1/admin/event"): 1 * MIB,
    ("POST", "/dashboard/login"): 4 * KIB,
    ("POST", "/dashboard/logout"): 4 * KIB,
}


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than this call accepts ({limit} bytes)")


class BodyLimit:
    """ASGI middleware: ``limits[(method, path)]`` bytes at most, else ``default``."""

    def __init__(
        self,
        app: Any,
        limits: Mapping[tuple[str, str], int] = ROUTE_LIMITS,
        default: int = DEFAULT_LIMIT,
    ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default = default

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get((scope["method"], scope["path"]), self.default)
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            await _refuse(send, limit)
            return
        received = 0

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def watch(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watch)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else -1
    return None


async def _refuse(send: Any, limit: int) -> None:
    body = b'{"detail":"request body larger than this call accepts (%d bytes)"}' % limit
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
