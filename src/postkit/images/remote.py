"""Check remote images over HTTP the way a reader's browser fetches an ``<img>``.

- Concurrency is bounded in total (``concurrency``, default 32) and per host
  (``per_host``, default 4). A request holds its slots only while it is on
  the wire, never while it waits to retry.
- GET, as a browser loads an ``<img>``, asking only for a bounded prefix
  (``Range: bytes=0-…``) and reading at most ``body_limit`` bytes (4 KB)
  whatever the server sends. HEAD is never used: servers answer it
  carelessly (404, 405, 500, or never), and its answer has no bytes to
  sniff, while the browser's verdict depends on them (an ``image/png``
  answer whose body is an HTML page shows nothing). A server that answers
  the range with 416 (an empty file) is asked again without it.
- Redirects (301, 302, 303, 307, 308) are followed by hand, up to
  ``max_redirects``; a URL seen twice is a loop and the message shows it.
  A redirect from a public address to a private, loopback or link-local
  one is refused, and link-local addresses are never requested unless
  ``allow_link_local`` (``transport.AddressGuard``): reason
  ``blocked-address``.
- Each URL has an overall ``deadline`` (default 30 s) that covers connect,
  headers, body and retries, so a server that drips its headers or body a
  byte at a time cannot hold the run. Compressed bodies are decoded here,
  chunk by chunk, and the decoded bytes count against ``body_limit``: a
  gzip bomb stops at the cap.
- A host that cannot be reached (DNS, refused, connect time-out) or that
  accepts connections and never answers is dead for the rest of the run:
  its other URLs are settled with the same reason and no new connection.
  So N URLs on one dead host cost at most ``connect_timeout +
  read_timeout`` (the first wave of ``per_host`` requests, in parallel),
  not N times that. When every host fails to connect, the run is offline
  (``run.network_unavailable``), not broken.
- Retries with exponential backoff (``backoff`` × 2^n seconds) on 429, 500,
  502, 503, 504 and timeouts. ``Retry-After`` (RFC 9110 §10.2.3: seconds or
  an HTTP date) is honoured up to ``retry_after_cap`` seconds, and pauses the
  whole host, not just the one URL. A 429 that persists is ``rate-limited``,
  which is a warning, not a broken image. 500 is retried too: overloaded
  origins answer it for a moment, and postkit's tests expect it.
- A 2xx answer is a picture when its first bytes are one (the WHATWG MIME
  Sniffing image patterns, §6.1), whatever its Content-Type says, as in
  Chromium; SVG only when served as ``image/svg+xml``; and not when
  ``X-Content-Type-Options: nosniff`` comes with a type other than
  ``image/*``. A whole body that is a PNG or JPEG cut before its image data
  is no picture either (Chromium shows a picture cut later, not that one).
  ``tests/images/test_images_browser.py`` holds these against Chromium.
- Known placeholder pictures (``content.PLACEHOLDER_PICTURES``) are
  recognised by size and SHA-256 (the 4 KB prefix holds the small ones
  whole; a larger size from the table is read whole when the answer has it).
- No cookies are kept or sent (requests go straight to httpx's transport,
  and cookies live in its client, which postkit does not use), no
  credentials (``trust_env`` is off, so no ``.netrc`` and no proxy
  variables; URLs with user info are refused before this module), only http
  and https, and a User-Agent that names postkit and its URL
  (``user_agent`` overrides it).

- Large runs spread their hosts over worker processes (see
  :class:`RemoteChecker`), because httpx costs more CPU per request than one
  event loop can give 32 requests in flight.

:class:`RemoteChecker` does the I/O; :func:`classify_answer`,
:func:`classify_error`, :func:`retry_delay` and :func:`verdict` are pure.
httpx is imported lazily, here and in ``transport.py`` only, so
``postkit validate`` never loads it.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import ssl
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import timezone
from typing import Any, Callable, Mapping
from urllib.parse import urljoin, urlsplit

from postkit import __version__
from postkit.images.content import (
    HOTLINK_PLACEHOLDER_HOSTS,
    blocked_by_nosniff,
    cut_short,
    never_shown,
    looks_like_html,
    looks_like_svg,
    PLACEHOLDER_PICTURES,
    PlaceholderPicture,
    is_image_type,
    match_placeholder,
    placeholder_sizes,
    sniff_image,
)
from postkit.images.reasons import ANSWERED

PROJECT_URL = "https://github.com/postkit/postkit"
USER_AGENT = f"postkit/{__version__} (+{PROJECT_URL}; image link checker)"
# What browsers send for <img> (Chromium and Firefox agree on the shape);
# some servers pick the format from it.
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class CheckOptions:
    """How remote checks run. Times are in seconds, sizes in bytes.

    ``retries`` is the number of extra attempts after the first;
    ``deadline`` bounds all the time one URL spends on the wire, retries
    included; ``allow_link_local`` lets requests reach 169.254.0.0/16 and
    fe80::/10;
    ``hotlink_hosts`` are the hosts compared with and without the Referer
    (default ``content.HOTLINK_PLACEHOLDER_HOSTS``).
    """

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    concurrency: int = 32
    per_host: int = 4
    max_redirects: int = 10
    retries: int = 3
    backoff: float = 0.5
    retry_after_cap: float = 30.0
    user_agent: str = USER_AGENT
    body_limit: int = 4096
    deadline: float = 30.0
    allow_link_local: bool = False
    placeholders: tuple[PlaceholderPicture, ...] = PLACEHOLDER_PICTURES
    hotlink_hosts: Mapping[str, str] = field(default_factory=lambda: dict(HOTLINK_PLACEHOLDER_HOSTS))


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of fetching one URL with one Referer (``None``: no Referer sent).

    ``reason`` is ``None`` when a picture came back, else a reason name from
    ``images/reasons.py``; ``detail`` says what happened in words
    (``404 Not Found``, the redirect loop...). ``status``, ``content_type``,
    ``content_length`` and ``final_url`` describe the last answer, when
    there was one. ``requests`` counts HTTP requests made (0 from the cache),
    ``attempts`` the tries including retries.
    ``unreachable`` is ``"connect"`` when no connection could be made
    (DNS, refused, connect time-out), ``"tls"`` when the TLS handshake
    failed, ``"silent"`` when the host accepted connections but never
    answered, else ``""``.
    ``body`` is the whole picture when the checker was asked to keep bodies
    (``keep_bodies``) and the answer fitted in ``body_limit``; it is never
    cached and never compared.
    """

    url: str
    referrer: str | None
    reason: str | None = None
    detail: str = ""
    status: int | None = None
    content_type: str | None = None
    content_length: int | None = None
    final_url: str | None = None
    requests: int = 0
    attempts: int = 1
    from_cache: bool = False
    unreachable: str = ""
    body: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the answer is a picture a browser shows."""
        return self.reason is None

    def to_json(self) -> str:
        """The result as JSON, for the cache (without the body)."""
        data = asdict(self)
        del data["body"]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ProbeResult:
        """Read :meth:`to_json` back; raises ``ValueError``/``TypeError`` on foreign data."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a probe result")
        return cls(**data)


class _Broken(Exception):
    """A verdict reached mid-fetch (a redirect loop): no retry will change it."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class _Answer:
    status: int
    phrase: str
    headers: Any
    body: bytes
    complete: bool
    url: str
    redirects: int = 0
    address: str | None = None


def retry_delay(retry_after: str | None, attempt: int, options: CheckOptions, now: float | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: ``Retry-After`` if given (capped), else exponential backoff.

    ``retry_after`` is the header's value: delay-seconds or an HTTP-date
    (RFC 9110 §10.2.3). A date in the past, or garbage, falls back to the
    backoff. ``now`` is a POSIX time (default: the clock).
    """
    backoff = options.backoff * (2**attempt)
    if retry_after is None:
        return min(backoff, options.retry_after_cap)
    value = retry_after.strip()
    seconds: float | None = None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds is None or seconds < 0:
        return min(backoff, options.retry_after_cap)
    return min(seconds, options.retry_after_cap)


def _phrase(status: int, phrase: str) -> str:
    """``404 Not Found``: the standard reason phrase (RFC 9110 §15), else the server's."""
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        pass
    return f"{status} {phrase}".strip()


def classify_answer(answer: _Answer, host: str, options: CheckOptions) -> tuple[str | None, str]:
    """``(reason, detail)`` for a final answer (after redirects); ``reason`` is ``None`` for a picture."""
    status = answer.status
    where = f" (after {answer.redirects} redirect{'s' if answer.redirects != 1 else ''}, at {answer.url})" if answer.redirects else ""
    if status == 429:
        return "rate-limited", f"{_phrase(status, answer.phrase)}{where}"
    if status >= 400:
        return "http-error", f"{_phrase(status, answer.phrase)}{where}"
    if status >= 300:
        return "http-error", f"{_phrase(status, answer.phrase)} without a usable Location{where}"
    content_type = answer.headers.get("content-type")
    shown_type = content_type or "no Content-Type"
    if answer.headers.get("content-length") == "0" or (answer.complete and not answer.body):
        return "not-an-image", f"{_phrase(status, answer.phrase)} with an empty body{where}"
    # The bytes decide, as in Chromium (tests/images/test_images_browser.py holds each rule): the
    # magic numbers, whatever the Content-Type says, except for the types Opaque Response Blocking
    # refuses, and image/svg+xml, which only the SVG decoder reads.
    nosniff = answer.headers.get("x-content-type-options", "").strip().lower() == "nosniff"
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if never_shown(declared):
        return "not-an-image", f"{_phrase(status, answer.phrase)} with Content-Type {shown_type}, which browsers never show as a picture{where}"
    if declared == "image/svg+xml":
        sniffed = declared if looks_like_svg(answer.body) else None
    else:
        sniffed = sniff_image(answer.body[:64])
    if sniffed is None or (nosniff and blocked_by_nosniff(declared)):
        if is_image_type(content_type):
            what = "but the bytes are an HTML page" if looks_like_html(answer.body) else "but the bytes are no picture a browser decodes"
        else:
            what = "an HTML page" if "html" in declared or looks_like_html(answer.body) else "not a picture"
        return "not-an-image", f"{_phrase(status, answer.phrase)} with Content-Type {shown_type}: {what}{where}"
    if answer.complete and cut_short(answer.body):
        return "not-an-image", f"{_phrase(status, answer.phrase)}: a {sniffed.split('/')[1].upper()} cut off before its image data ({len(answer.body)} bytes){where}"
    if answer.complete and answer.body:
        entry = match_placeholder(answer.body, host, options.placeholders)
        if entry is not None:
            return "placeholder-image", f"{entry.description} ({entry.size} bytes){where}"
    return None, f"{_phrase(status, answer.phrase)} {content_type or ''}".strip() + where


def _causes(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "getaddrinfo failed",
)


def classify_error(error: BaseException) -> tuple[str, str]:
    """``(reason, detail)`` for an exception raised while fetching; never raises.

    A ``socket.gaierror`` anywhere in the cause chain (or its message, which
    httpcore sometimes passes on as text) is a DNS failure; an
    ``ssl.SSLError`` a TLS error; an httpx timeout a timeout; the rest of
    the transport errors a connection failure.
    """
    import httpx

    chain = _causes(error)
    text = " ".join(str(e) for e in chain).lower()
    message = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(error), "waiting")
        return "timeout", f"timed out while {kind}"
    if any(isinstance(e, socket.gaierror) for e in chain) or any(word in text for word in _DNS_WORDS):
        return "dns-failure", f"the host name does not resolve ({message})"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "certificate" in text or "ssl" in text:
        return "tls-error", f"TLS failed: {message}"
    if isinstance(error, httpx.UnsupportedProtocol):
        return "unsupported-scheme", message
    if isinstance(error, (httpx.InvalidURL, ValueError, UnicodeError)):
        return "malformed-url", f"cannot be requested: {message}"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection-failed", f"the server broke the HTTP exchange: {message}"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection-failed", "connection refused: nothing listens on that port"
    if any(isinstance(e, ConnectionResetError) for e in chain):
        return "connection-failed", "the connection was reset"
    if isinstance(error, httpx.ConnectError) and "all connection attempts failed" in text:
        return "connection-failed", "cannot connect: every address of the host refused or was unreachable"
    return "connection-failed", message


def verdict(
    results: Mapping[str | None, ProbeResult],
    referrer: str | None,
    hotlink_hosts: Mapping[str, str] = HOTLINK_PLACEHOLDER_HOSTS,
) -> tuple[str | None, str]:
    """``(reason, detail)`` for one reference that sends ``referrer``; pure.

    ``results`` holds the probes made for the URL, keyed by the Referer sent
    (``None``: none). When the reference sends the site's Referer and the
    server refused it (an error status, an HTML page or a placeholder) but
    served a picture without a Referer, the image is ``hotlink-protected``.
    For the hosts in ``hotlink_hosts``, two pictures of different sizes
    with and without the Referer also mean hot-link protection.
    """
    own = results[referrer]
    bare = results.get(None)
    if referrer is not None and bare is not None and bare.ok:
        if own.reason in ANSWERED:
            return "hotlink-protected", (
                f"{own.detail} with the blog's Referer ({referrer}), but it loads without a Referer: hot-link protection"
            )
        host = (urlsplit(own.url).hostname or "").lower()
        if (
            own.ok
            and host in hotlink_hosts
            and own.content_length is not None
            and bare.content_length is not None
            and own.content_length != bare.content_length
        ):
            return "hotlink-protected", (
                f"with the blog's Referer ({referrer}) the answer is a different picture "
                f"({own.content_length} bytes instead of {bare.content_length}): {hotlink_hosts[host]}"
            )
    return own.reason, own.detail


@dataclass(frozen=True)
class UrlVerdict:
    """What a reader's browser gets for one URL, as :func:`check_urls` returns it.

    ``reason`` is ``None`` when the picture shows with the ``referrer`` the
    blog sends (``images/reasons.py`` names the rest); ``detail`` says what
    happened. ``loads_without_referrer`` tells whether the picture shows
    when no Referer is sent (a mirrored or ``referrerpolicy="no-referrer"``
    copy would work); ``probes`` holds every fetch made, keyed by Referer.
    """

    url: str
    referrer: str | None
    reason: str | None
    detail: str
    loads_without_referrer: bool
    probes: Mapping[str | None, ProbeResult]

    @property
    def ok(self) -> bool:
        """True when the picture shows with the blog's Referer."""
        return self.reason is None


def check_urls(
    urls: Mapping[str, str | None],
    options: CheckOptions | None = None,
    *,
    cache: Any = None,
    progress: Callable[[str], None] | None = None,
    network_backend: Any = None,
    resolve: Any = None,
) -> dict[str, UrlVerdict]:
    """The browser's verdict for each URL of ``urls`` (URL → the Referer the blog sends, ``None`` for none); blocking.

    Every URL is also fetched without a Referer, so ``loads_without_referrer``
    is always known. ``cache`` is a ``cache.ProbeCache`` or ``None``;
    ``network_backend`` and ``resolve`` replace the connections and the
    name resolution (``transport.AddressGuard``), for tests. Never raises
    for network trouble.
    """
    options = options or CheckOptions()
    checker = RemoteChecker(options, cache, progress, network_backend=network_backend, resolve=resolve, always_bare=True)
    found = checker.check({url: {referrer} for url, referrer in urls.items()})
    verdicts = {}
    for url, referrer in urls.items():
        probes = found[url]
        reason, detail = verdict(probes, referrer, options.hotlink_hosts)
        verdicts[url] = UrlVerdict(url, referrer, reason, detail, probes[None].ok, probes)
    return verdicts


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower()


def split_concurrency(total: int, workers: int) -> list[int]:
    """Each worker's share of ``total`` requests in flight; the shares add up to ``total`` (``workers`` <= ``total``)."""
    return [total // workers + (index < total % workers) for index in range(workers)]


# Below this many URLs per worker process, a second process costs more than it saves.
WORKER_THRESHOLD = 200


class RemoteChecker:
    """Checks URLs concurrently over httpx's transport; counts what it does.

    ``cache`` is a :class:`postkit.images.cache.ProbeCache` (or ``None``);
    ``progress`` is called once per URL finished. ``requests`` counts HTTP
    requests sent, ``cache_hits`` probes answered by the cache.

    ``workers`` (default: the CPU cores this process may use) lets a large
    run spread its hosts over that many processes, each with its own event
    loop and a share of ``concurrency``; the shares add up to the total, and
    a host always stays in one process, so both limits hold. httpx costs
    about 1.5 ms of CPU per request, which on its own is more than the
    50 ms-latency benchmark's ideal, so one event loop cannot keep 32
    requests in flight. Runs under ``worker_threshold`` URLs per worker stay
    in this process.

    ``keep_bodies`` puts the whole body of each picture that fitted in
    ``body_limit`` into its result (``ProbeResult.body``), so that
    ``postkit images --localize`` stores small pictures without a second
    request.
    """

    def __init__(
        self,
        options: CheckOptions = CheckOptions(),
        cache: Any = None,
        progress: Callable[[str], None] | None = None,
        workers: int | None = None,
        worker_threshold: int = WORKER_THRESHOLD,
        network_backend: Any = None,
        resolve: Any = None,
        always_bare: bool = False,
        keep_bodies: bool = False,
    ) -> None:
        self.options = options
        self.keep_bodies = keep_bodies
        self.cache = cache
        self.progress = progress
        self.workers = workers
        self.worker_threshold = worker_threshold
        self.requests = 0
        self.cache_hits = 0
        self._slots: asyncio.Semaphore | None = None
        self._transport: Any = None
        self._timeout: dict[str, float | None] = {}
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._resume_at: dict[str, float] = {}
        self.network_backend = network_backend
        self.resolve = resolve
        self.always_bare = always_bare
        # Per host (netloc): dead hosts with their (reason, detail, unreachable),
        # and hosts that answered at least once.
        self._dead: dict[str, tuple[str, str, str]] = {}
        self._answered: set[str] = set()

    def check(self, wanted: Mapping[str, frozenset[str | None] | set[str | None]]) -> dict[str, dict[str | None, ProbeResult]]:
        """Check every URL of ``wanted`` (URL → the Referers its references send); blocking.

        Returns URL → Referer → :class:`ProbeResult`. A ``None`` (no
        Referer) probe is added when the site's Referer fails, to tell
        hot-link protection from a dead link. Each URL is fetched at most
        once per Referer. Never raises for network trouble: every failure
        becomes a result.
        """
        results: dict[str, dict[str | None, ProbeResult]] = {}
        remaining: dict[str, frozenset[str | None] | set[str | None]] = {}
        if self.cache is not None:
            self.cache.preload(wanted)
        for url, referrers in wanted.items():
            cached = self._from_cache(url, set(referrers))
            if cached is None:
                remaining[url] = referrers
            else:
                results[url] = cached
                if self.progress is not None:
                    self.progress(url)
        # A run whose answers are all cached starts no event loop and never imports httpx.
        if remaining:
            workers = self._worker_count(remaining)
            if workers > 1:
                results.update(self._check_in_workers(remaining, workers))
            else:
                results.update(asyncio.run(self.check_async(remaining)))
        return {url: results[url] for url in wanted}

    def _worker_count(self, wanted: Mapping[str, Any]) -> int:
        from postkit.core.parallel import effective_jobs

        if self.network_backend is not None or self.resolve is not None:
            return 1  # an injected network lives in this process only
        hosts = len({_host(url) for url in wanted})
        jobs = effective_jobs(self.workers, len(wanted))
        return max(1, min(jobs, hosts, self.options.concurrency, len(wanted) // max(1, self.worker_threshold)))

    def _check_in_workers(self, wanted: Mapping[str, frozenset[str | None] | set[str | None]], workers: int) -> dict[str, dict[str | None, ProbeResult]]:
        """Check ``wanted`` in ``workers`` processes, hosts split so that each process has about as many URLs."""
        import multiprocessing
        import queue as queue_module
        import threading

        by_host: dict[str, list[str]] = {}
        for url in wanted:
            by_host.setdefault(_host(url), []).append(url)
        parts: list[dict[str, set[str | None]]] = [{} for _ in range(workers)]
        for urls in sorted(by_host.values(), key=len, reverse=True):
            smallest = min(parts, key=len)
            smallest.update((url, set(wanted[url])) for url in urls)
        shares = split_concurrency(self.options.concurrency, workers)
        # fork is cheap, but forking a process that runs other threads (a
        # progress bar, a test server) can deadlock the child: spawn then.
        methods = multiprocessing.get_all_start_methods()
        method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
        context = multiprocessing.get_context(method)
        messages = context.Queue()
        processes = []
        for index, (part, share) in enumerate(zip(parts, shares)):
            known = {}
            if self.cache is not None:
                for url, referrers in part.items():
                    for referrer in {*referrers, None}:
                        hit = self.cache.get(url, referrer)
                        if hit is not None:
                            known[(url, referrer)] = hit
            options = replace(self.options, concurrency=share)
            processes.append(context.Process(
                target=_check_part, args=(index, options, part, known, messages, self.always_bare, self.keep_bodies), daemon=True,
            ))
        results: dict[str, dict[str | None, ProbeResult]] = {}
        try:
            for process in processes:
                process.start()
            finished = 0
            while finished < len(processes):
                try:
                    message = messages.get(timeout=0.5)
                except queue_module.Empty:
                    dead = [p for p in processes if not p.is_alive() and p.exitcode not in (0, None)]
                    if dead:
                        raise RuntimeError(f"an image checker process died (exit code {dead[0].exitcode})") from None
                    continue
                kind = message[0]
                if kind == "progress":
                    if self.progress is not None:
                        self.progress(message[1])
                elif kind == "done":
                    _, found, requests, hits, good = message
                    results.update(found)
                    self.requests += requests
                    self.cache_hits += hits
                    if self.cache is not None:
                        for result in good:
                            self.cache.put(result)
                    finished += 1
                else:
                    raise RuntimeError(f"an image checker process failed: {message[1]}")
        finally:
            for process in processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
        return results

    def _from_cache(self, url: str, referrers: set[str | None]) -> dict[str | None, ProbeResult] | None:
        """Every probe :meth:`_check_url` would make for ``url``, when the cache holds them all; else ``None``."""
        if self.cache is None:
            return None
        found: dict[str | None, ProbeResult] = {}
        for referrer in referrers:
            hit = self.cache.get(url, referrer)
            if hit is None:
                return None
            found[referrer] = hit
        if None not in found and (self.always_bare or (urlsplit(url).hostname or "").lower() in self.options.hotlink_hosts):
            bare = self.cache.get(url, None)
            if bare is None:
                return None
            found[None] = bare
        self.cache_hits += len(found)
        return found

    async def check_async(
        self, wanted: Mapping[str, frozenset[str | None] | set[str | None]]
    ) -> dict[str, dict[str | None, ProbeResult]]:
        """The coroutine behind :meth:`check`, for callers that run their own event loop."""
        import httpx

        from postkit.images.transport import AddressGuard, HostRouter

        options = self.options
        self._slots = asyncio.Semaphore(options.concurrency)
        self._timeout = httpx.Timeout(
            connect=options.connect_timeout,
            read=options.read_timeout,
            write=options.read_timeout,
            pool=options.connect_timeout + options.read_timeout,
        ).as_dict()
        by_host: dict[str, list[str]] = {}
        for url in wanted:
            by_host.setdefault(_host(url), []).append(url)
        # Hosts are worked on a window at a time, so that idle keep-alive
        # connections (and open files) stay bounded however many hosts a
        # blog links to, while enough hosts are open to fill every slot.
        window = asyncio.Semaphore(max(32, 2 * -(-options.concurrency // options.per_host)))

        async def host_group(urls: list[str]) -> list[dict[str | None, ProbeResult]]:
            async with window:
                found = await asyncio.gather(*(self._check_url(url, set(wanted[url])) for url in urls))
                await self._transport.release(urls[0])
            return list(found)

        # The transport is used without httpx's client: postkit follows
        # redirects itself and must never keep or send cookies, and the
        # client's cookie and URL handling cost a fifth of the CPU time.
        guard = AddressGuard(options.allow_link_local, self.network_backend, self.resolve)
        async with HostRouter(options.per_host, guard) as transport:
            self._transport = transport
            groups = await asyncio.gather(*(host_group(urls) for urls in by_host.values()))
        return {url: result for urls, found in zip(by_host.values(), groups) for url, result in zip(urls, found)}

    async def _check_url(self, url: str, referrers: set[str | None]) -> dict[str | None, ProbeResult]:
        results: dict[str | None, ProbeResult] = {}
        clock = _Clock(self.options.deadline)
        # The site's Referer first: when it fails, the bare probe explains why.
        for referrer in sorted(referrers, key=lambda r: (r is None, r or "")):
            results[referrer] = await self._probe_cached(url, referrer, clock)
        if None not in results:
            host = (urlsplit(url).hostname or "").lower()
            refused = any(result.reason in ANSWERED for result in results.values())
            swapped = host in self.options.hotlink_hosts and any(result.ok for result in results.values())
            if refused or swapped or self.always_bare:
                results[None] = await self._probe_cached(url, None, clock)
        if self.progress is not None:
            self.progress(url)
        return results

    async def _probe_cached(self, url: str, referrer: str | None, clock: _Clock | None = None) -> ProbeResult:
        if self.cache is not None:
            hit = self.cache.get(url, referrer)
            if hit is not None:
                self.cache_hits += 1
                return hit
        result = await self.probe(url, referrer, clock)
        if self.cache is not None and result.ok:
            self.cache.put(result)
        return result

    async def probe(self, url: str, referrer: str | None, clock: _Clock | None = None) -> ProbeResult:
        """Fetch ``url`` once (with retries) sending ``referrer``; the result of the last attempt.

        ``clock`` carries the URL's deadline, shared by its probes (a new one when ``None``).
        """
        import httpx

        from postkit.images.transport import BlockedAddress

        options = self.options
        clock = clock or _Clock(options.deadline)
        sent = _Sent()  # requests made for this probe: the checker's totals are shared by all URLs
        attempt = 0
        key = _host(url)
        host = (urlsplit(url).hostname or "").lower()
        while True:
            answer: _Answer | None = None
            retry_after: str | None = None
            unreachable = ""
            dead = self._dead.get(key)
            if dead is not None:
                reason, detail, unreachable = dead
                return ProbeResult(url, referrer, reason, detail + "; the host already failed, so no new connection was tried",
                                   unreachable=unreachable)
            try:
                answer = await self._attempt(url, referrer, sent, clock)
                self._answered.add(key)
                reason, detail = classify_answer(answer, host, options)
                retryable = answer.status in RETRY_STATUSES
                retry_after = answer.headers.get("retry-after") if retryable else None
            except _HostDead as dead_host:
                reason, detail, retryable = dead_host.reason, dead_host.detail, False
                unreachable = dead_host.unreachable
            except _Broken as broken:
                reason, detail, retryable = broken.reason, broken.detail, False
            except BlockedAddress as blocked:
                reason, detail, retryable = "blocked-address", blocked.detail, False
            except _DeadlineExceeded:
                reason, detail, retryable = "timeout", f"no complete answer within the {options.deadline:g} s deadline for one URL", False
                if key not in self._answered:
                    unreachable = "silent"
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                # A connect time-out is retried on a host that has answered before; a host that never did is dead.
                (reason, detail), retryable = classify_error(error), isinstance(error, httpx.ConnectTimeout) and key in self._answered
                if key not in self._answered:
                    # A failed TLS handshake is a dead host too, but it shows the network works.
                    unreachable = "tls" if reason == "tls-error" else "connect"
            except httpx.TimeoutException as error:
                (reason, detail), retryable = classify_error(error), True
                if key not in self._answered:
                    # A time-out from a host that never answered: the host is dead for this run.
                    unreachable, retryable = "silent", False
                    detail = "the host accepts connections but never answered (" + detail + ")"
            except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError, OSError) as error:
                (reason, detail), retryable = classify_error(error), False
            if unreachable and key not in self._answered:
                self._dead.setdefault(key, (reason, detail, unreachable))
            delay = retry_delay(retry_after, attempt, options) if retryable else 0.0
            if retryable and attempt < options.retries and not clock.allows(delay):
                detail += f" (no retry: it would pass the {options.deadline:g} s deadline)"
                retryable = False
            if not retryable or attempt >= options.retries:
                if attempt:
                    detail += f" (after {attempt} retr{'y' if attempt == 1 else 'ies'})"
                return ProbeResult(
                    url,
                    referrer,
                    reason,
                    detail,
                    status=answer.status if answer else None,
                    content_type=answer.headers.get("content-type") if answer else None,
                    content_length=_length(answer),
                    final_url=answer.url if answer else None,
                    requests=sent.requests,
                    attempts=attempt + 1,
                    unreachable=unreachable,
                    body=answer.body if self.keep_bodies and reason is None and answer is not None and answer.complete else None,
                )
            # With Retry-After, _send has already paused the whole host for this long.
            await asyncio.sleep(delay)
            attempt += 1

    async def _attempt(self, url: str, referrer: str | None, sent: _Sent, clock: _Clock) -> _Answer:
        """One GET of a bounded prefix; read further only to hash a known placeholder's size."""
        options = self.options
        answer = await self._fetch("GET", url, referrer, options.body_limit, sent, clock)
        if 200 <= answer.status < 300 and not answer.complete:
            sizes = placeholder_sizes((urlsplit(answer.url).hostname or "").lower(), options.placeholders)
            length = _length(answer)
            if length is not None and length in sizes and length > options.body_limit:
                return await self._fetch("GET", url, referrer, max(sizes) + 1, sent, clock)
        return answer

    async def _fetch(
        self, method: str, url: str, referrer: str | None, body_limit: int, sent: _Sent, clock: _Clock
    ) -> _Answer:
        from postkit.images.transport import PUBLIC_ONLY

        chain = [url]
        current = url
        public_seen = False
        use_range = True
        while True:
            token = PUBLIC_ONLY.set(public_seen)
            try:
                if public_seen:
                    # A kept-alive connection would skip the guard's connect-time check: check here too.
                    parts = urlsplit(current)
                    await self._transport.guard.check(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), True)
                answer = await self._send(method, current, referrer, body_limit, clock, use_range, sent)
            finally:
                PUBLIC_ONLY.reset(token)
            if answer.status == 416 and use_range:
                use_range = False  # an empty file answers a range with 416; ask for it whole
                continue
            if answer.address is not None:
                from postkit.images.transport import address_kind

                public_seen = public_seen or address_kind(answer.address) == "public"
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                answer.redirects = len(chain) - 1
                return answer
            try:
                target = urljoin(current, location.strip())
            except ValueError:
                raise _Broken("bad-redirect", f"redirects to an unreadable Location {location!r}") from None
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https"):
                raise _Broken("bad-redirect", f"redirects to {target} ({scheme or 'no'} scheme); browsers load images over http(s) only")
            if target in chain:
                loop = chain[chain.index(target) :] + [target]
                raise _Broken("redirect-loop", "redirect loop: " + " → ".join(loop))
            if len(chain) - 1 >= self.options.max_redirects:
                raise _Broken("too-many-redirects", f"more than {self.options.max_redirects} redirects (last: {target})")
            chain.append(target)
            current = target
            use_range = True

    async def _send(
        self, method: str, url: str, referrer: str | None, body_limit: int, clock: _Clock, use_range: bool, sent: _Sent
    ) -> _Answer:
        import httpx

        key = _host(url)
        loop = asyncio.get_running_loop()
        host_slots = self._host_slots.get(key)
        if host_slots is None:
            host_slots = self._host_slots[key] = asyncio.Semaphore(self.options.per_host)
        assert self._slots is not None
        headers = {"User-Agent": self.options.user_agent, "Accept": IMAGE_ACCEPT, "Accept-Encoding": "gzip, deflate"}
        if referrer:
            headers["Referer"] = referrer
        if method == "GET" and body_limit and use_range:
            headers["Range"] = f"bytes=0-{body_limit - 1}"
        # Per-host slot first: a request queued behind its host holds no global slot.
        async with host_slots:
            # A Retry-After pauses the whole host; the wait holds only this host's slot. A pause
            # longer than this URL has left is not waited for: waiting would only turn the URL's own
            # verdict into a time-out, so the request goes now and gets the host's answer.
            pause = self._resume_at.get(key, 0.0) - loop.time()
            if 0 < pause < clock.remaining():
                await asyncio.sleep(pause)
            async with self._slots:
                dead = self._dead.get(key)
                if dead is not None:
                    # The host died while this request queued: settle it without connecting.
                    raise _HostDead(*dead)
                request = httpx.Request(method, url, headers=headers, extensions={"timeout": self._timeout})
                self.requests += 1
                sent.requests += 1
                try:
                    async with asyncio.timeout(clock.left()):
                        return await self._exchange(request, method, body_limit, key, loop, clock)
                except TimeoutError:
                    raise _DeadlineExceeded() from None

    async def _exchange(self, request: Any, method: str, body_limit: int, key: str, loop: Any, clock: _Clock) -> _Answer:
        response = await self._transport.handle_async_request(request)
        response.request = request
        retry_after = response.headers.get("retry-after")
        if retry_after is not None and response.status_code in RETRY_STATUSES:
            # Set before the slot is released, so no queued request slips through. Only a pause this
            # URL will wait out itself pauses the host: a Retry-After beyond its deadline settles it
            # as it is, and the host's other URLs go on.
            delay = retry_delay(retry_after, 0, self.options)
            if clock.allows(delay):
                self._resume_at[key] = max(self._resume_at.get(key, 0.0), loop.time() + delay)
        address = None
        stream = response.extensions.get("network_stream")
        if stream is not None:
            address = stream.get_extra_info("checked_address")
        try:
            body, complete = await _read_body(response, body_limit)
        finally:
            await response.aclose()
        return _Answer(response.status_code, response.reason_phrase, response.headers, body, complete, str(response.url),
                       address=address)


class _HostDead(_Broken):
    """The host failed (no connection, or never an answer) while this request waited for a slot."""

    def __init__(self, reason: str, detail: str, unreachable: str) -> None:
        super().__init__(reason, detail + "; the host already failed, so no new connection was tried")
        self.unreachable = unreachable


class _DeadlineExceeded(Exception):
    """The URL's overall deadline passed."""


class _Clock:
    """One URL's deadline: it starts with the URL's first request and covers everything after."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends: float | None = None

    def left(self) -> float:
        """Seconds left (starting the clock on first use); raises :class:`_DeadlineExceeded` when none are."""
        now = time.monotonic()
        if self.ends is None:
            self.ends = now + self.seconds
        left = self.ends - now
        if left <= 0:
            raise _DeadlineExceeded()
        return left

    def remaining(self) -> float:
        """Seconds left, without starting the clock (the whole deadline before the first request)."""
        return self.seconds if self.ends is None else self.ends - time.monotonic()

    def allows(self, delay: float) -> bool:
        """True when waiting ``delay`` seconds still leaves time before the deadline."""
        return self.ends is None or time.monotonic() + delay < self.ends


class _Sent:
    """The requests one probe made (the checker's own count is shared by all URLs)."""

    def __init__(self) -> None:
        self.requests = 0


class _Decoder:
    """Decodes a ``Content-Encoding`` chunk by chunk, never producing more than it is asked for.

    zlib's ``max_length`` bounds each step, so a gzip bomb yields at most the
    room left under the body cap; ``overflow`` is set when input is left over.
    An encoding postkit does not decode (br, zstd) passes through as is, and
    sniffing then finds no picture, as a browser that cannot decode it would.
    """

    def __init__(self, encoding: str) -> None:
        import zlib

        self.zlib = zlib
        names = [name.strip().lower() for name in encoding.split(",") if name.strip() and name.strip().lower() != "identity"]
        self.kind = names[-1] if len(names) == 1 and names[-1] in ("gzip", "x-gzip", "deflate") else None
        self.overflow = False
        self.first = True
        self.engine: Any = None
        if self.kind in ("gzip", "x-gzip"):
            self.engine = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.kind == "deflate":
            self.engine = zlib.decompressobj()

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to ``room`` decoded bytes from ``data``."""
        if self.engine is None:
            if len(data) > room:
                self.overflow = True
            return data[:room]
        try:
            out = self.engine.decompress(data, room)
        except self.zlib.error:
            if self.kind == "deflate" and self.first:
                # Some servers send raw deflate without the zlib wrapper (httpx tries both too).
                self.engine = self.zlib.decompressobj(-self.zlib.MAX_WBITS)
                self.first = False
                return self.feed(data, room)
            self.overflow = True  # undecodable: stop reading; what was decoded is what a browser gets
            return b""
        self.first = False
        if self.engine.unconsumed_tail:
            self.overflow = True
        return out


async def _read_body(response: Any, body_limit: int) -> tuple[bytes, bool]:
    """At most ``body_limit`` decoded bytes of ``response``, and whether that is the whole body."""
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    # Raw bytes are bounded too: a stream that decodes to nothing must not be read forever.
    raw_budget = 64 * body_limit + 65536
    body = bytearray()
    complete = True
    async for chunk in response.aiter_raw():
        raw_budget -= len(chunk)
        body += decoder.feed(chunk, body_limit - len(body))
        if len(body) >= body_limit or decoder.overflow or raw_budget < 0:
            complete = False  # the rest is never read: the connection is closed instead
            break
    data = bytes(body[:body_limit])
    if complete and response.status_code == 206:
        # A range answer is the whole body only when Content-Range's total says so.
        total = response.headers.get("content-range", "").rpartition("/")[2].strip()
        complete = total.isdigit() and int(total) == len(data)
    return data, complete


def _length(answer: _Answer | None) -> int | None:
    if answer is None:
        return None
    if answer.complete:
        return len(answer.body)
    total = answer.headers.get("content-range", "").rpartition("/")[2].strip()
    if answer.status == 206 and total.isdigit():
        return int(total)
    value = answer.headers.get("content-length", "")
    return int(value) if value.strip().isdigit() else None


def normalize(url: str, site_url: str | None = None) -> str:
    """The URL a browser requests for ``url``: a protocol-relative ``//host/x`` takes the site's scheme (https by default), the fragment is dropped."""
    value = url.strip()
    if value.startswith("//"):
        scheme = urlsplit(site_url).scheme.lower() if site_url else ""
        value = f"{scheme if scheme in ('http', 'https') else 'https'}:{value}"
    fragment = value.find("#")
    return value[:fragment] if fragment != -1 else value


def replace_cached(result: ProbeResult) -> ProbeResult:
    """``result`` marked as read from the cache (no request made this run)."""
    return replace(result, from_cache=True, requests=0)



class _KnownAnswers:
    """The cache as a worker process sees it: the parent's hits for its URLs, and the good results it finds."""

    def __init__(self, known: dict[tuple[str, str | None], ProbeResult]) -> None:
        self.known = known
        self.good: list[ProbeResult] = []

    def preload(self, urls: Any) -> None:
        """Nothing to read: the parent sent every hit."""

    def get(self, url: str, referrer: str | None) -> ProbeResult | None:
        return self.known.get((url, referrer))

    def put(self, result: ProbeResult) -> None:
        self.good.append(result)


def _check_part(
    index: int, options: CheckOptions, part: dict, known: dict, messages: Any, always_bare: bool = False, keep_bodies: bool = False
) -> None:
    """A worker process: check one share of the hosts and send the results (and progress) to the parent."""
    import os

    from postkit.core.parallel import watch_parent

    watch_parent(os.getppid(), leave_interrupt_to_parent=False)  # never outlive a killed parent
    try:
        answers = _KnownAnswers(known)
        checker = RemoteChecker(
            options, answers, progress=lambda url: messages.put(("progress", url)), workers=1, always_bare=always_bare, keep_bodies=keep_bodies,
        )
        found = checker.check(part)
        messages.put(("done", found, checker.requests, checker.cache_hits, answers.good))
    except BaseException as error:  # the parent turns this into an error; a worker must never hang it
        import traceback

        messages.put(("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
