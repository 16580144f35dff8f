"""An httpx transport with one small connection pool per origin, and a guard on the addresses it connects to.

httpcore's pool scans every connection for every queued request, so a single
pool shared by many hosts costs O(connections × requests) on each event; in
``benchmarks/images.py`` that scan was most of the CPU time. One pool per
origin, sized to the per-host limit, keeps the scan tiny. All pools share one
TLS context, because building one costs about 0.1 s. The checker calls
:meth:`HostRouter.release` when an origin's URLs are done, so idle
keep-alive connections do not pile up over a run with many hosts.

Every connection goes through :class:`AddressGuard`, which resolves the host
itself and connects to an address it has checked, so the check and the
connection see the same address (a DNS answer that changes in between cannot
slip past). Link-local addresses (169.254.0.0/16, fe80::/10: the cloud
metadata service lives there) are never connected to unless the config
allows them. While the checker follows a redirect that left a public
address, :data:`PUBLIC_ONLY` is set and private, loopback and link-local
addresses are refused too. Direct URLs to loopback and private addresses
stay allowed: a blog may link its own intranet host, and the tests use
127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import ssl
import time
from typing import Any, Awaitable, Callable

import httpcore
import httpx

from postkit.core.net_guard import BlockedAddress, address_kind, is_ip_literal, refusal

__all__ = ["AddressGuard", "BlockedAddress", "CheckedStream", "HostRouter", "PUBLIC_ONLY", "address_kind", "system_resolve"]

_Key = tuple[bytes, str, "int | None"]

# Set (by the checker) while it follows a redirect from a public address.
PUBLIC_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("postkit_public_only", default=False)


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order (an IP literal is its own answer)."""
    if is_ip_literal(host):
        return [host]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class AddressGuard(httpcore.AsyncNetworkBackend):
    """A network backend that resolves, checks and then connects to the checked address.

    ``inner`` makes the connections (httpcore's default backend); ``resolve``
    turns a host into addresses. Tests pass both, to send every connection to
    127.0.0.1 whatever the code under test asks for.
    """

    def __init__(self, allow_link_local: bool = False, inner: Any = None, resolve: Resolver | None = None) -> None:
        from httpcore._backends.auto import AutoBackend

        self.allow_link_local = allow_link_local
        self.inner = inner if inner is not None else AutoBackend()
        self.resolve = resolve or system_resolve

    def refusal(self, address: str, public_only: bool) -> str | None:
        """Why a connection to ``address`` is refused now, or ``None``."""
        return refusal(
            address, allow_link_local=self.allow_link_local, public_only=public_only,
            link_local_hint=" unless the config sets allow-link-local",
        )

    async def check(self, host: str, port: int, public_only: bool) -> list[str]:
        """The addresses of ``host`` postkit may connect to; raises :class:`BlockedAddress` when there is none."""
        try:
            addresses = await self.resolve(host, port)
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        allowed, refused = [], []
        for address in addresses:
            reason = self.refusal(address, public_only)
            (refused if reason else allowed).append(reason or address)
        if not allowed:
            raise BlockedAddress(refused[0] if refused else f"{host} has no address")
        return allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        start = time.monotonic()
        addresses = await self.check(host, port, PUBLIC_ONLY.get())
        error: Exception | None = None
        for address in addresses:
            left = None if timeout is None else timeout - (time.monotonic() - start)
            if left is not None and left <= 0:
                break
            try:
                stream = await self.inner.connect_tcp(address, port, left, local_address, socket_options)
                return CheckedStream(stream, address)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failure:
                error = failure
        raise error if error is not None else httpcore.ConnectTimeout("timed out while connecting")

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("postkit connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedStream(httpcore.AsyncNetworkStream):
    """A connection that remembers the address the guard checked (``get_extra_info("checked_address")``)."""

    def __init__(self, stream: httpcore.AsyncNetworkStream, address: str) -> None:
        self.stream = stream
        self.address = address

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.stream.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return CheckedStream(await self.stream.start_tls(ssl_context, server_hostname, timeout), self.address)

    def get_extra_info(self, info: str) -> Any:
        if info == "checked_address":
            return self.address
        return self.stream.get_extra_info(info)


class HostRouter(httpx.AsyncBaseTransport):
    """Routes each request to its origin's pool (``per_host`` connections at most), through ``guard``."""

    def __init__(self, per_host: int, guard: AddressGuard | None = None) -> None:
        self.per_host = per_host
        self.guard = guard or AddressGuard()
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
            pool = httpx.AsyncHTTPTransport(verify=self.ssl_context, trust_env=False)
            # httpx takes no network backend, so its pool is rebuilt with the guard
            # (the same arguments httpx passes; httpx is pinned below 1.0).
            pool._pool = httpcore.AsyncConnectionPool(
                ssl_context=self.ssl_context,
                max_connections=self.per_host,
                max_keepalive_connections=self.per_host,
                network_backend=self.guard,
            )
            self.pools[key] = pool
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
