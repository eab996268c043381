"""A rate limit per client address, kept in memory (one process): what the calls anyone may make without a token
(public verification) use so that nobody can try result codes by the thousand or keep the service busy.

A token bucket per address: ``burst`` checks at once, then ``per_minute`` a minute. The address is the connection's
(behind a reverse proxy, uvicorn takes it from ``X-Forwarded-For`` when the proxy is one it trusts,
``--forwarded-allow-ips``); an IPv6 client is counted by its /64 network, which one subscriber usually holds whole.
"""
from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

PER_MINUTE = 10
BURST = 10
SWEEP_SECONDS = 60.0  # how often buckets left full (clients gone quiet) are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: float  # when ``tokens`` was counted


class RateLimiter:
    """Allows ``burst`` requests at once per key, refilled at ``per_minute`` a minute; thread-safe."""

    def __init__(self, per_minute: float = PER_MINUTE, burst: int = BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self.rate, self.burst, self.clock = per_minute / 60.0, burst, clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def take(self, key: str) -> int:
        """Take one request for ``key``: 0 when allowed, else the whole seconds to wait before the next is."""
        with self._lock:
            now = self.clock()
            self._sweep(now)
            bucket = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def _sweep(self, now: float) -> None:
        """Forget the buckets that have filled up again: memory stays bounded by the clients of the last minutes."""
        if now - self._swept < SWEEP_SECONDS:
            return
        self._swept = now
        full_after = self.burst / self.rate
        for key in [k for k, b in self._buckets.items() if now - b.at >= full_after]:
            del self._buckets[key]


def client_key(request: Request) -> str:
    """Whom a request is counted against: its client's address (an IPv6 one by its /64 network)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


_APP_LOCK = threading.Lock()


def app_limiter(request: Request, name: str) -> RateLimiter:
    """The application's limiter called ``name`` (made with the default limits on first use), on ``app.state``: the
    pages and the API calls that share a name share one allowance per client."""
    state = request.app.state
    with _APP_LOCK:
        limiters: dict[str, RateLimiter] | None = getattr(state, "rate_limiters", None)
        if limiters is None:
            limiters = state.rate_limiters = {}
        return limiters.setdefault(name, RateLimiter())
