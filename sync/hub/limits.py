"""Request body limits, per route, enforced before the body is read.

FastAPI reads and parses a request's body before the endpoint's dependencies run, so before
the token is checked: without a limit, anyone who can reach the hub makes it hold any number
of bytes. FastAPI's ``max_body_size`` (the application's default, ``DEFAULT_LIMIT``, and each
route's own, ``body_limit``) installs Starlette's ``RequestBodyLimitMiddleware``: a declared
``Content-Length`` or the bytes received so far beyond the limit get 413 (text/plain
"Content Too Large") before anything more is read.
"""

from __future__ import annotations

from collections.abc import Mapping

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


def body_limit(method: str, path: str) -> int:
    """The limit of one route (``ROUTE_LIMITS``, else ``DEFAULT_LIMIT``), in bytes."""
    return ROUTE_LIMITS.get((method, path), DEFAULT_LIMIT)
