"""An httpx transport with one small connection pool per origin, for the image checker.

httpcore's pool scans every connection for every queued request, so a single
pool shared by many hosts costs O(connections × requests) on each event; in
``benchmarks/images.py`` that scan was most of the CPU time. One pool per
origin, sized to the per-host limit, keeps the scan tiny. All pools share one
TLS context, because building one costs about 0.1 s. The checker calls
:meth:`HostRouter.release` when an origin's URLs are done, so idle
keep-alive connections do not pile up over a run with many hosts.
"""

from __future__ import annotations

import ssl

import httpx

_Key = tuple[bytes, str, "int | None"]


class HostRouter(httpx.AsyncBaseTransport):
    """Routes each request to its origin's pool (``per_host`` connections at most)."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.ssl_context: ssl.SSLContext | None = None  # built on first use: it costs about 0.1 s
        self.pools: dict[_Key, httpx.AsyncHTTPTransport] = {}

    @staticmethod
    def key(url: httpx.URL) -> _Key:
        """The origin of ``url``: scheme, host and explicit port."""
        return url.raw_scheme, url.host, url.port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its origin's pool, creating the pool on first use."""
        key = self.key(request.url)
        pool = self.pools.get(key)
        if pool is None:
            if self.ssl_context is None:
                self.ssl_context = httpx.create_ssl_context(trust_env=False)
            limits = httpx.Limits(max_connections=self.per_host, max_keepalive_connections=self.per_host)
            pool = self.pools[key] = httpx.AsyncHTTPTransport(verify=self.ssl_context, trust_env=False, limits=limits)
        return await pool.handle_async_request(request)

    async def release(self, url: str) -> None:
        """Close the pool of ``url``'s origin (its connections), if there is one."""
        try:
            key = self.key(httpx.URL(url))
        except (httpx.InvalidURL, ValueError):
            return
        pool = self.pools.pop(key, None)
        if pool is not None:
            await pool.aclose()

    async def aclose(self) -> None:
        """Close every pool."""
        pools, self.pools = list(self.pools.values()), {}
        for pool in pools:
            await pool.aclose()
