"""The config keys of ``postkit images``: the ``[tool.postkit.images]`` table.

Older releases read them at the top level of ``[tool.postkit]``, most with an
``image-`` prefix (``image-timeout``); those are still read, with a
deprecation warning that names the new table. This module imports only the
standard library and the core config module, so loading the config stays fast.
"""

from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import urlsplit

from postkit.core.config import MAX_SIZE, Section

_DURATION = re.compile(r"^\s*\d+(?:\.\d+)?\s*[smhdSMHD]?\s*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_POLICIES = frozenset({
    "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
    "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url",
    # legacy <meta name="referrer"> keywords
    "never", "default", "always", "origin-when-crossorigin",
})


def _site_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _policy(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in _POLICIES


def _duration(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return 0 <= value <= MAX_TTL
    return isinstance(value, str) and bool(_DURATION.match(value))


# The longest cache-ttl taken as a number of seconds (about 30 years).
MAX_TTL = 10**9


# The longest timeout or deadline taken, in seconds (a day): beyond it a number is a typo.
MAX_SECONDS = 86400.0


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= MAX_SECONDS


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def header_value(value: Any) -> bool:
    """True for a non-empty HTTP field value: no CR, LF, NUL or other control character but tab (RFC 9110)."""
    # RFC 9110 field values hold no CR, LF, NUL or other control characters but tab.
    return _text(value) and not any(ord(c) < 32 and c != "\t" or ord(c) == 127 for c in value)


def _hosts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def _placeholder_pictures(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    for item in value:
        if not isinstance(item, dict) or set(item) - {"size", "sha256", "description", "hosts"}:
            return False
        if not _positive_int(item.get("size")) or not isinstance(item.get("sha256"), str):
            return False
        if not _SHA256.match(item["sha256"].lower()) or not _text(item.get("description")):
            return False
        if "hosts" in item and not _hosts(item["hosts"]):
            return False
    return True


_SIZE_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmgKMG])(i?)[bB]?|[bB])?\s*$")


def _size(value: Any) -> bool:
    # From one byte to MAX_SIZE (1 TiB): beyond it a number is a typo, and sizes would overflow.
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value <= MAX_SIZE
    match = _SIZE_TEXT.match(value) if isinstance(value, str) else None
    if match is None:
        return False
    unit = (1024 if match.group(3) else 1000) ** (" kmg".index(match.group(2).lower()) if match.group(2) else 0)
    return 0 < float(match.group(1)) * unit <= MAX_SIZE


SECTION = Section(
    keys={
        "url": (_site_url, "the site's http(s) URL, such as 'https://blog.example.com/' (overrides _config.yml's url)"),
        "referrer-policy": (_policy, "the site's referrer policy, as its <meta name=\"referrer\"> says: 'no-referrer', 'strict-origin-when-cross-origin'..."),
        "cache-ttl": (_duration, "seconds, or a number with s, m, h or d such as '12h' (default '1d')"),
        "timeout": (_positive_number, "a number of seconds > 0 and at most 86400: the read timeout (default 10)"),
        "connect-timeout": (_positive_number, "a number of seconds > 0 and at most 86400 (default 5)"),
        "deadline": (_positive_number, "a number of seconds > 0 and at most 86400: all the time one URL may take, retries included (default 30)"),
        "allow-link-local": (_boolean, "true or false: let requests reach link-local addresses such as 169.254.169.254 (default false)"),
        "concurrency": (_positive_int, "an integer >= 1: requests at once in total (default 32)"),
        "per-host": (_positive_int, "an integer >= 1: requests at once per host (default 4)"),
        "user-agent": (header_value, "a non-empty string without line breaks or control characters: the User-Agent header"),
        "placeholder-pictures": (
            _placeholder_pictures,
            "a list of tables {size = bytes, sha256 = '64 hex digits', description = '...', hosts = ['...'] (optional)}",
        ),
        "hotlink-placeholder-hosts": (_hosts, "a list of host names that answer a foreign Referer with a different picture"),
        "localize-max-size": (_size, "from 1 byte to 1 TiB: bytes, or a number with KB, MB, KiB or MiB such as '20MB' (default 20MB): the largest picture --localize stores"),
    },
    moved={
        "url": "url",
        "referrer-policy": "referrer-policy",
        "image-cache-ttl": "cache-ttl",
        "image-timeout": "timeout",
        "image-connect-timeout": "connect-timeout",
        "image-concurrency": "concurrency",
        "image-per-host": "per-host",
        "image-user-agent": "user-agent",
        "placeholder-pictures": "placeholder-pictures",
        "hotlink-placeholder-hosts": "hotlink-placeholder-hosts",
    },
)
