"""Get a feed's bytes: a file, or an http(s) URL through httpx with conditional requests.

Every request has time-outs and postkit's User-Agent. The ``ETag`` and
``Last-Modified`` of the last good answer are sent back as
``If-None-Match`` and ``If-Modified-Since``, so an unchanged feed costs a
``304 Not Modified`` and nothing is parsed. A ``429`` or ``503`` with a
``Retry-After`` of at most ``max_wait`` seconds is retried once after that
wait; a longer one is reported. Bodies larger than ``max_bytes`` are
refused while they stream in, never read whole.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import time
from dataclasses import dataclass

from postkit import __version__

USER_AGENT = f"postkit/{__version__} (+feed import; https://pypi.org/project/postkit/)"
DEFAULT_TIMEOUT = 20.0
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


def fetch_url(
    client,  # noqa: ANN001 - an httpx.Client, imported lazily
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_wait: float = DEFAULT_MAX_WAIT,
    sleep=time.sleep,  # noqa: ANN001 - injected by tests that must not wait
) -> Fetched:
    """GET ``url`` with the remembered validators; follows redirects.

    Raises:
        FetchError: IMP004 a network error, a time-out or an HTTP error
            status; IMP005 a body over ``max_bytes``.
    """
    import httpx

    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for attempt in (1, 2):
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return Fetched(None, None, etag, last_modified)
                if response.status_code in (429, 503) and attempt == 1:
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                    if wait is not None and wait <= max_wait:
                        response.close()
                        sleep(wait)
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
        except httpx.TimeoutException:
            raise FetchError("IMP004", "timed out") from None
        except httpx.HTTPError as error:
            raise FetchError("IMP004", f"cannot fetch: {type(error).__name__}: {error}") from None
    raise FetchError("IMP004", "still refused after waiting for Retry-After")


def make_client(timeout: float = DEFAULT_TIMEOUT):  # noqa: ANN201 - httpx.Client, imported lazily
    """An httpx client with postkit's User-Agent, time-outs and redirects followed (at most 5)."""
    import httpx

    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=5,
        trust_env=True,
    )
