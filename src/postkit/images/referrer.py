"""What request a reader's browser makes for a post's image: its URL and its ``Referer``.

Pure functions after the W3C Referrer Policy spec (§3 "Referrer Policies",
§8.3 "Determine request's Referrer"), the HTML Living Standard (the
``referrerpolicy`` attribute, ``<meta name="referrer">``) and W3C Mixed
Content Level 2 (§4.3, images on https pages are upgraded to https).
Hot-link protection keys on the Referer, so postkit checks each image with
the header the blog's readers will send.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

POLICIES = (
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
)
# The policy browsers apply when neither the element nor the page sets one.
DEFAULT_POLICY = "strict-origin-when-cross-origin"
# Old keywords that <meta name="referrer"> still accepts (HTML, "Standard
# metadata names"); the referrerpolicy attribute does not.
LEGACY_META_KEYWORDS = {
    "never": "no-referrer",
    "default": DEFAULT_POLICY,
    "always": "unsafe-url",
    "origin-when-crossorigin": "origin-when-cross-origin",
}


def parse_policy(value: str | None, *, meta: bool = False) -> str | None:
    """The referrer policy a value names, or ``None`` for a missing or invalid one.

    ``meta=True`` reads it as ``<meta name="referrer" content>``, which also
    takes the legacy keywords (``never``...). An invalid attribute value is
    the empty policy, which defers to the page's (Referrer Policy §3).
    """
    if value is None:
        return None
    token = value.strip().lower()
    if token in POLICIES:
        return token
    if meta:
        return LEGACY_META_KEYWORDS.get(token)
    return None


def effective_policy(element_policy: str | None, site_policy: str | None) -> str:
    """The policy that governs one image fetch: the element's, else the page's, else the default."""
    return parse_policy(element_policy) or parse_policy(site_policy, meta=True) or DEFAULT_POLICY


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def referrer_for(image_url: str, site_url: str | None, policy: str) -> str | None:
    """The ``Referer`` value a browser sends for ``image_url`` on a page of ``site_url``, or ``None``.

    ``site_url`` stands for the post's page (postkit does not know each
    permalink); its user info and fragment are always stripped, as the spec
    strips them. Cross-origin, ``strict-origin-when-cross-origin`` (the
    default), ``origin``, ``strict-origin`` and ``origin-when-cross-origin``
    send the origin with a trailing ``/``; ``unsafe-url`` and
    ``no-referrer-when-downgrade`` send the page URL; ``no-referrer`` and
    ``same-origin`` send nothing. The ``strict`` policies and
    ``no-referrer-when-downgrade`` send nothing from an https page to an
    http image (a downgrade). ``None`` also when ``site_url`` is unknown.
    """
    if not site_url:
        return None
    page = urlsplit(site_url.strip())
    if page.scheme.lower() not in ("http", "https") or not page.hostname:
        return None
    host = f"[{page.hostname}]" if ":" in page.hostname else page.hostname
    netloc = host if page.port is None else f"{host}:{page.port}"
    full = urlunsplit((page.scheme.lower(), netloc, page.path or "/", page.query, ""))
    origin = f"{page.scheme.lower()}://{netloc}/"
    same_origin = _origin(site_url) == _origin(image_url)
    downgrade = page.scheme.lower() == "https" and urlsplit(image_url).scheme.lower() != "https"
    if policy == "no-referrer":
        return None
    if policy == "unsafe-url":
        return full
    if policy == "same-origin":
        return full if same_origin else None
    if policy == "origin":
        return origin
    if policy == "strict-origin":
        return None if downgrade else origin
    if policy == "origin-when-cross-origin":
        return full if same_origin else origin
    if policy == "no-referrer-when-downgrade":
        return None if downgrade else full
    # strict-origin-when-cross-origin, the default
    if same_origin:
        return full
    return None if downgrade else origin


def upgrade_for_page(image_url: str, site_url: str | None) -> str:
    """The URL a browser requests for ``image_url`` on an https page of ``site_url``.

    Chromium and Firefox upgrade an ``http:`` image on an ``https:`` page to
    ``https:`` (port 80 becomes 443) and do not fall back when that fails
    (Mixed Content Level 2, "upgrade a mixed content request"). A loopback
    host (127.0.0.0/8, ``[::1]``, ``localhost`` and ``*.localhost``) is
    potentially trustworthy (Secure Contexts), so its request is not mixed
    content and stays ``http:``. Any other combination is returned unchanged,
    as is everything without a site URL.
    """
    if not site_url or urlsplit(site_url.strip()).scheme.lower() != "https":
        return image_url
    parts = urlsplit(image_url)
    if parts.scheme.lower() != "http" or _potentially_trustworthy(parts.hostname or ""):
        return image_url
    netloc = parts.netloc
    if parts.port == 80:
        netloc = netloc[: netloc.rfind(":")] + ":443"
    return urlunsplit(("https", netloc, parts.path, parts.query, parts.fragment))


def _potentially_trustworthy(host: str) -> bool:
    """A loopback host, which the Secure Contexts spec counts as trustworthy over plain http."""
    import ipaddress

    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
