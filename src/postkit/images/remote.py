"""Check remote images over HTTP the way a reader's browser fetches an ``<img>``.

- Concurrency is bounded in total (``concurrency``, default 32) and per host
  (``per_host``, default 4). A request holds its slots only while it is on
  the wire, never while it waits to retry.
- HEAD first (RFC 9110 §9.3.2: the same headers GET would send). GET, with
  at most ``body_limit`` bytes read, when HEAD gets 400, 403, 405 or 501, when
  the server drops a HEAD without answering, or when the HEAD answer is not
  plainly a picture (another Content-Type, or an empty one), because many
  servers answer HEAD carelessly.
- Redirects (301, 302, 303, 307, 308) are followed by hand, up to
  ``max_redirects``; a URL seen twice is a loop and the message shows it.
- Retries with exponential backoff (``backoff`` × 2^n seconds) on 429, 500,
  502, 503, 504 and timeouts. ``Retry-After`` (RFC 9110 §10.2.3: seconds or
  an HTTP date) is honoured up to ``retry_after_cap`` seconds, and pauses the
  whole host, not just the one URL. A 429 that persists is ``rate-limited``,
  which is a warning, not a broken image. 500 is retried too: overloaded
  origins answer it for a moment, and postkit's tests expect it.
- A 2xx answer is a picture when its Content-Type is ``image/*``, or when
  its first bytes are one (browsers sniff: WHATWG MIME Sniffing §6.1),
  unless ``X-Content-Type-Options: nosniff`` forbids sniffing.
- Known placeholder pictures (``content.PLACEHOLDER_PICTURES``) are
  recognised by size and SHA-256: only an answer whose Content-Length is one
  of the table's sizes is read whole, and those are tiny.
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
GET_AFTER_HEAD = frozenset({400, 403, 405, 501})


@dataclass(frozen=True)
class CheckOptions:
    """How remote checks run. Times are in seconds, sizes in bytes.

    ``retries`` is the number of extra attempts after the first;
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

    @property
    def ok(self) -> bool:
        """True when the answer is a picture a browser shows."""
        return self.reason is None

    def to_json(self) -> str:
        """The result as JSON, for the cache."""
        return json.dumps(asdict(self), ensure_ascii=False)

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
    if not is_image_type(content_type):
        nosniff = answer.headers.get("x-content-type-options", "").strip().lower() == "nosniff"
        sniffed = sniff_image(answer.body[:64]) if answer.body else None
        if sniffed is None or nosniff:
            what = "an HTML page" if content_type and "html" in content_type.lower() else "not a picture"
            return "not-an-image", f"{_phrase(status, answer.phrase)} with Content-Type {shown_type}: {what}{where}"
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
    """

    def __init__(
        self,
        options: CheckOptions = CheckOptions(),
        cache: Any = None,
        progress: Callable[[str], None] | None = None,
        workers: int | None = None,
        worker_threshold: int = WORKER_THRESHOLD,
    ) -> None:
        self.options = options
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
        from postkit.core.parallel import default_jobs

        hosts = len({_host(url) for url in wanted})
        jobs = default_jobs() if self.workers is None else self.workers
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
            processes.append(context.Process(target=_check_part, args=(index, options, part, known, messages), daemon=True))
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
        if None not in found and (urlsplit(url).hostname or "").lower() in self.options.hotlink_hosts:
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

        from postkit.images.transport import HostRouter

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
        async with HostRouter(options.per_host) as transport:
            self._transport = transport
            groups = await asyncio.gather(*(host_group(urls) for urls in by_host.values()))
        return {url: result for urls, found in zip(by_host.values(), groups) for url, result in zip(urls, found)}

    async def _check_url(self, url: str, referrers: set[str | None]) -> dict[str | None, ProbeResult]:
        results: dict[str | None, ProbeResult] = {}
        # The site's Referer first: when it fails, the bare probe explains why.
        for referrer in sorted(referrers, key=lambda r: (r is None, r or "")):
            results[referrer] = await self._probe_cached(url, referrer)
        if None not in results:
            host = (urlsplit(url).hostname or "").lower()
            refused = any(result.reason in ANSWERED for result in results.values())
            swapped = host in self.options.hotlink_hosts and any(result.ok for result in results.values())
            if refused or swapped:
                results[None] = await self._probe_cached(url, None)
        if self.progress is not None:
            self.progress(url)
        return results

    async def _probe_cached(self, url: str, referrer: str | None) -> ProbeResult:
        if self.cache is not None:
            hit = self.cache.get(url, referrer)
            if hit is not None:
                self.cache_hits += 1
                return hit
        result = await self.probe(url, referrer)
        if self.cache is not None and result.ok:
            self.cache.put(result)
        return result

    async def probe(self, url: str, referrer: str | None) -> ProbeResult:
        """Fetch ``url`` once (with retries) sending ``referrer``; the result of the last attempt."""
        import httpx

        options = self.options
        sent = [0]  # requests made for this probe: the checker's total is shared by all URLs
        attempt = 0
        host = (urlsplit(url).hostname or "").lower()
        while True:
            answer: _Answer | None = None
            retry_after: str | None = None
            try:
                answer = await self._attempt(url, referrer, sent)
                reason, detail = classify_answer(answer, host, options)
                retryable = answer.status in RETRY_STATUSES
                retry_after = answer.headers.get("retry-after") if retryable else None
            except _Broken as broken:
                reason, detail, retryable = broken.reason, broken.detail, False
            except httpx.TimeoutException as error:
                (reason, detail), retryable = classify_error(error), True
            except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError, OSError) as error:
                (reason, detail), retryable = classify_error(error), False
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
                    requests=sent[0],
                    attempts=attempt + 1,
                )
            # With Retry-After, _send has already paused the whole host for this long.
            await asyncio.sleep(retry_delay(retry_after, attempt, options))
            attempt += 1

    async def _attempt(self, url: str, referrer: str | None, sent: list[int]) -> _Answer:
        import httpx

        options = self.options
        try:
            answer = await self._fetch("HEAD", url, referrer, 0, sent)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            # Some servers drop the connection on HEAD: ask with GET.
            return await self._fetch("GET", url, referrer, options.body_limit, sent)
        length = _length(answer)
        if answer.status in GET_AFTER_HEAD:
            return await self._fetch("GET", url, referrer, options.body_limit, sent)
        if 200 <= answer.status < 300:
            if not is_image_type(answer.headers.get("content-type")) or length == 0:
                return await self._fetch("GET", url, referrer, options.body_limit, sent)
            sizes = placeholder_sizes((urlsplit(answer.url).hostname or "").lower(), options.placeholders)
            if length is not None and length in sizes:
                return await self._fetch("GET", url, referrer, max(sizes) + 1, sent)
        return answer

    async def _fetch(
        self, method: str, url: str, referrer: str | None, body_limit: int, sent: list[int]
    ) -> _Answer:
        chain = [url]
        current = url
        while True:
            sent[0] += 1
            answer = await self._send(method, current, referrer, body_limit)
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
            if answer.status == 303 and method != "HEAD":
                method = "GET"  # RFC 9110 §15.4.4: 303 turns the request into a GET

    async def _send(self, method: str, url: str, referrer: str | None, body_limit: int) -> _Answer:
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
        # Per-host slot first: a request queued behind its host holds no global slot.
        async with host_slots:
            # A Retry-After pauses the whole host; the wait holds only this host's slot.
            pause = self._resume_at.get(key, 0.0) - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            async with self._slots:
                request = httpx.Request(method, url, headers=headers, extensions={"timeout": self._timeout})
                self.requests += 1
                response = await self._transport.handle_async_request(request)
                response.request = request
                retry_after = response.headers.get("retry-after")
                if retry_after is not None and response.status_code in RETRY_STATUSES:
                    # Set before the slot is released, so no queued request slips through.
                    delay = retry_delay(retry_after, 0, self.options)
                    self._resume_at[key] = max(self._resume_at.get(key, 0.0), loop.time() + delay)
                try:
                    body = b""
                    complete = False
                    if method == "HEAD" or not body_limit:
                        # Draining the (empty) body hands the connection back to
                        # the pool; closing an unread response would drop it.
                        if method == "HEAD":
                            await response.aread()
                    else:
                        complete = True
                        async for chunk in response.aiter_bytes():
                            body += chunk
                            if len(body) >= body_limit:
                                complete = False  # the rest is never read: the connection is closed instead
                                break
                        body = body[:body_limit]
                finally:
                    await response.aclose()
        return _Answer(response.status_code, response.reason_phrase, response.headers, body, complete, str(response.url))


def _length(answer: _Answer | None) -> int | None:
    if answer is None:
        return None
    if answer.complete:
        return len(answer.body)
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


def _check_part(index: int, options: CheckOptions, part: dict, known: dict, messages: Any) -> None:
    """A worker process: check one share of the hosts and send the results (and progress) to the parent."""
    import os

    from postkit.core.parallel import watch_parent

    watch_parent(os.getppid(), leave_interrupt_to_parent=False)  # never outlive a killed parent
    try:
        answers = _KnownAnswers(known)
        checker = RemoteChecker(options, answers, progress=lambda url: messages.put(("progress", url)), workers=1)
        found = checker.check(part)
        messages.put(("done", found, checker.requests, checker.cache_hits, answers.good))
    except BaseException as error:  # the parent turns this into an error; a worker must never hang it
        import traceback

        messages.put(("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
