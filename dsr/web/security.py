"""What keeps the page safe to run: headers, the Host and Origin checks, the render cap.

The page is dsr's letters over HTTP: it loads nothing from elsewhere (the
Content-Security-Policy says so), a local server answers only to its own name
(a DNS-rebinding page cannot reach it) and takes no POST from another site, and
a hosted one renders at most ``slots`` letters at a time, answering 503 past that
rather than queueing without end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from ..formats import Engine

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",  # the preview's page images travel inside the page
        "script-src 'self'",
        "style-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str) -> str:
    """The name in a Host header, without its port (``[::1]:8000`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def host_allowed(host: str, names: frozenset[str]) -> bool:
    """Whether a local server answers to this Host: loopback or the ``--host`` given."""
    return host_name(host) in (LOOPBACK | names)


def same_origin(origin: str, host: str, scheme: str = "") -> bool:
    """Whether a POST's Origin is the page's own (``null`` and other sites are not):
    the same host and port, and the same scheme where the page's is known."""
    parts = urlsplit(origin)
    if scheme and parts.scheme != scheme:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.strip().lower()


def from_this_site(origin: str | None, fetch_site: str | None, host: str, scheme: str = "") -> bool:
    """Whether a POST comes from this site's own page, or from no page at all (a
    program: curl, an NGO's server).

    A browser says where a request comes from in Sec-Fetch-Site; the page's
    ``Referrer-Policy: no-referrer`` makes it send ``Origin: null`` on its own
    forms, so ``null`` counts only where Sec-Fetch-Site vouches for it. Another
    site's page, a sandboxed frame and a ``data:`` page are refused.
    """
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    if origin is None:
        return True
    return same_origin(origin, host, scheme)


class Busy(Exception):
    """Every render slot is taken: the client is told to come back (503)."""


class RenderSlots:
    """At most ``count`` letters rendered at once. A request past that waits for a slot,
    up to ``wait`` seconds and with at most ``queue`` others waiting: a bounded queue,
    never an unbounded one; past either bound, Busy (the client is told to retry)."""

    def __init__(self, count: int, queue: int | None = None, wait: float = 10.0) -> None:
        self.count = count
        self.queue = 8 * count if queue is None else queue
        self.wait = wait
        self._free = threading.BoundedSemaphore(count)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """How many requests wait for a slot now."""
        with self._lock:
            return self._waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._free.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.queue:
                    raise Busy
                self._waiting += 1
            try:
                got = self._free.acquire(timeout=self.wait)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not got:
                raise Busy
        try:
            yield
        finally:
            self._free.release()


@dataclass(frozen=True)
class Settings:
    """How one app serves: hosted or a member's own, who runs it, its limits."""

    hosted: bool
    operator: str | None
    privacy_url: str | None
    slots: RenderSlots
    hosts: frozenset[str]
    engine: Engine
    folder: Path


def settings() -> Settings:
    """The current app's settings (within a request)."""
    found = current_app.extensions["dsr"]
    assert isinstance(found, Settings)
    return found
