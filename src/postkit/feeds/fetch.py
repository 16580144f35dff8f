"""Get a feed's bytes: a file, or an http(s) URL through httpx with conditional requests.

Every request has time-outs and postkit's User-Agent. The ``ETag`` and
``Last-Modified`` of the last good answer are sent back as
``If-None-Match`` and ``If-Modified-Since``, so an unchanged feed costs a
``304 Not Modified`` and nothing is parsed. A ``429`` or ``503`` with a
``Retry-After`` of at most ``max_wait`` seconds is retried once after that
wait; a longer one is reported. Bodies larger than ``max_bytes`` are
refused while they stream in, never read whole.

``timeout`` is the whole time one feed may take: connecting, the headers,
the body, the redirects and a ``Retry-After`` wait together. Each
connection, read and write is also limited to ``READ_TIMEOUT`` seconds, so a
silent server is given up sooner, and a server that drips a byte at a time
stops at the deadline.

Every connection goes through :class:`FeedGuard`, which resolves the host
itself and connects to the address it checked, with the policy of
:mod:`postkit.core.net_guard` (the one ``postkit images`` applies): a
link-local address (169.254.169.254 and the like) is never requested, and
a redirect that left a public address may not lead to a private, loopback
or link-local one. Redirects (at most ``MAX_REDIRECTS``) are followed here,
hop by hop, so that each hop is checked. No proxy from the environment is
used: the guard must see the address a request really goes to.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from postkit import __version__
from postkit.core.net_guard import BlockedAddress, address_kind, is_ip_literal, refusal

USER_AGENT = f"postkit/{__version__} (+feed import; https://pypi.org/project/postkit/)"
DEFAULT_TIMEOUT = 60.0
READ_TIMEOUT = 20.0
MAX_TIMEOUT = 86_400.0
MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_WAIT = 30.0
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, application/json;q=0.8, */*;q=0.5"


class FetchError(Exception):
    """The feed could not be fetched: ``code`` and a message for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought: the body (``None`` when the server said 304) and the validators to remember."""

    body: bytes | None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered ``304 Not Modified``."""
        return self.body is None


def is_url(source: str) -> bool:
    """True for an ``http://`` or ``https://`` address."""
    return source.lower().startswith(("http://", "https://"))


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a URL postkit can fetch (no host, a bad IPv6 host, a bad port), or ``None``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as error:
        return str(error)
    if not parts.hostname:
        return "it has no host"
    return None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date); ``None`` when unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Fetched:
    """A feed file's bytes.

    Raises:
        FetchError: IMP004 cannot read it, IMP005 larger than ``max_bytes``.
    """
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise FetchError("IMP005", f"the feed is {size} bytes, more than the {max_bytes} allowed (--max-bytes)")
        with open(path, "rb") as handle:
            return Fetched(handle.read(max_bytes + 1))
    except OSError as error:
        raise FetchError("IMP004", f"cannot read: {error.strerror or error}") from None


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order (an IP literal is its own answer)."""
    if is_ip_literal(host):
        return [host]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _httpcore():  # noqa: ANN202 - the httpcore module, imported lazily
    import httpcore

    return httpcore


class FeedGuard:
    """An httpcore network backend that resolves, checks and then connects to the checked address.

    ``public_only`` is set by :func:`fetch_url` while it follows a redirect
    that left a public address; ``deadline`` (a ``time.monotonic()`` value)
    ends every connect, read and write of the feed being fetched. ``inner``
    makes the connections (httpcore's sync backend) and ``resolve`` turns a
    host into addresses: tests pass both, to keep every connection on
    127.0.0.1 whatever the code under test asks for.
    """

    def __init__(self, allow_link_local: bool = False, inner: Any = None, resolve: Callable[[str, int], list[str]] | None = None) -> None:
        if inner is None:
            from httpcore._backends.sync import SyncBackend

            inner = SyncBackend()
        self.allow_link_local = allow_link_local
        self.inner = inner
        self.resolve = resolve or system_resolve
        self.public_only = False
        self.deadline: float | None = None

    def left(self, timeout: float | None) -> float | None:
        """``timeout`` cut to what is left before the deadline; raises a time-out when nothing is."""
        if self.deadline is None:
            return timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _httpcore().ReadTimeout("the feed's time limit is over")
        return remaining if timeout is None else min(timeout, remaining)

    def check(self, host: str, port: int, public_only: bool) -> list[str]:
        """The addresses of ``host`` postkit may connect to; raises :class:`BlockedAddress` when there is none."""
        try:
            addresses = self.resolve(host, port)
        except OSError as error:
            raise _httpcore().ConnectError(str(error)) from error
        allowed, refused = [], []
        for address in addresses:
            reason = refusal(address, allow_link_local=self.allow_link_local, public_only=public_only)
            (refused if reason else allowed).append(reason or address)
        if not allowed:
            raise BlockedAddress(refused[0] if refused else f"{host} has no address")
        return allowed

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options: Any = None) -> Any:
        httpcore = _httpcore()
        error: Exception | None = None
        for address in self.check(host, port, self.public_only):
            try:
                stream = self.inner.connect_tcp(address, port, self.left(timeout), local_address, socket_options)
                return _GuardedStream(stream, address, self)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failure:
                error = failure
        raise error if error is not None else httpcore.ConnectTimeout("timed out while connecting")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise _httpcore().ConnectError("postkit connects over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedStream:
    """A connection that keeps to the guard's deadline and remembers the checked address (``checked_address``)."""

    def __init__(self, stream: Any, address: str, guard: FeedGuard) -> None:
        self.stream, self.address, self.guard = stream, address, guard

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self.guard.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.guard.left(timeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return _GuardedStream(self.stream.start_tls(ssl_context, server_hostname, self.guard.left(timeout)), self.address, self.guard)

    def get_extra_info(self, info: str) -> Any:
        if info == "checked_address":
            return self.address
        return self.stream.get_extra_info(info)


def fetch_url(
    client,  # noqa: ANN001 - an httpx.Client from make_client, imported lazily
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_wait: float = DEFAULT_MAX_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
    sleep=time.sleep,  # noqa: ANN001 - injected by tests that must not wait
) -> Fetched:
    """GET ``url`` with the remembered validators, following redirects hop by hop, within ``timeout`` seconds in all.

    Raises:
        FetchError: IMP004 a network error, a time-out, an HTTP error
            status, a URL that is not valid, an address postkit does not
            connect to; IMP005 a body over ``max_bytes``.
    """
    import httpx

    problem = url_problem(url)
    if problem is not None:
        raise FetchError("IMP004", f"not a valid URL: {problem}")
    guard: FeedGuard = client.postkit_guard
    guard.deadline = time.monotonic() + timeout
    try:
        return _fetch_hops(client, guard, url, etag, last_modified, max_bytes, max_wait, sleep)
    except BlockedAddress as error:
        raise FetchError("IMP004", f"refused: {error.detail}") from None
    except httpx.TimeoutException:
        raise FetchError("IMP004", f"timed out (the whole feed may take {timeout:g} s: --timeout)") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as error:
        raise FetchError("IMP004", f"not a valid URL: {error}") from None
    except httpx.HTTPError as error:
        raise FetchError("IMP004", f"cannot fetch: {type(error).__name__}: {error}") from None
    finally:
        guard.deadline = None
        guard.public_only = False


def _fetch_hops(client, guard: FeedGuard, url: str, etag, last_modified, max_bytes: int, max_wait: float, sleep) -> Fetched:  # noqa: ANN001
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current, chain, public_seen, retried = url, [url], False, False
    while True:
        guard.public_only = public_seen
        if public_seen:
            # A kept-alive connection would skip the guard's connect-time check: check here too.
            parts = urlsplit(current)
            guard.check(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), True)
        with client.stream("GET", current, headers=headers) as response:
            stream = response.extensions.get("network_stream")
            address = stream.get_extra_info("checked_address") if stream is not None else None
            if address is not None:
                public_seen = public_seen or address_kind(address) == "public"
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                try:
                    target = urljoin(current, location.strip())
                    urlsplit(target).port  # noqa: B018 - raises ValueError for a bad host or port
                except ValueError:
                    raise FetchError("IMP004", f"redirects to an unreadable Location {location!r}") from None
                if urlsplit(target).scheme.lower() not in ("http", "https"):
                    raise FetchError("IMP004", f"redirects to {target}; only http and https URLs are fetched")
                if target in chain:
                    raise FetchError("IMP004", "redirect loop: " + " → ".join(chain[chain.index(target):] + [target]))
                if len(chain) > MAX_REDIRECTS:
                    raise FetchError("IMP004", f"more than {MAX_REDIRECTS} redirects (last: {target})")
                chain.append(target)
                current = target
                continue
            if response.status_code == 304:
                return Fetched(None, None, etag, last_modified)
            if response.status_code in (429, 503) and not retried:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                left = guard.deadline - time.monotonic() if guard.deadline is not None else max_wait
                if wait is not None and wait <= max_wait and wait < left:
                    response.close()
                    sleep(wait)
                    retried = True
                    continue
                hint = f" and asks to retry after {wait:.0f} s" if wait is not None else ""
                raise FetchError("IMP004", f"HTTP {response.status_code} {response.reason_phrase}{hint}")
            if response.status_code >= 400:
                raise FetchError("IMP004", f"HTTP {response.status_code} {response.reason_phrase}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError("IMP005", f"the feed is {declared} bytes, more than the {max_bytes} allowed (--max-bytes)")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("IMP005", f"the feed is more than the {max_bytes} bytes allowed (--max-bytes)")
                chunks.append(chunk)
            return Fetched(
                b"".join(chunks),
                response.headers.get("Content-Type"),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )


def make_client(network_backend: Any = None, resolve: Callable[[str, int], list[str]] | None = None):  # noqa: ANN201 - httpx.Client, imported lazily
    """An httpx client with postkit's User-Agent whose every connection goes through a :class:`FeedGuard`.

    It follows no redirect itself (:func:`fetch_url` does, checking each
    hop) and takes no proxy from the environment. ``network_backend`` and
    ``resolve`` are the guard's ``inner`` and ``resolve``, for tests.
    """
    import httpcore
    import httpx

    guard = FeedGuard(inner=network_backend, resolve=resolve)
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx takes no network backend, so its pool is rebuilt with the guard
    # (the arguments httpx passes; httpx is pinned below 1.0).
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=guard)
    client = httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(READ_TIMEOUT, connect=10.0),
        follow_redirects=False,
        transport=transport,
        trust_env=False,
    )
    client.postkit_guard = guard
    return client
