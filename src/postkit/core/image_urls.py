"""What an image URL says by itself: the image fields posts use, placeholder services, unusable forms.

Shared by validate's image rules and ``postkit images``. ``PLACEHOLDER_HOSTS``
is the documented table of random-picture services; extend it in a pull
request when a new one shows up in real posts.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# The front matter keys that Hexo themes (Butterfly, Fluid, NexT, Volantis ...) and generators read as a cover picture.
DEFAULT_IMAGE_FIELDS = ("headimg", "thumbnail", "cover", "banner", "index_img", "top_img", "image", "og_image")

# Services that answer every request with a different random picture: the
# "cover" says nothing about the post and changes on every page view.
PLACEHOLDER_HOSTS: dict[str, str] = {
    "picsum.photos": "Lorem Picsum random pictures",
    "fastly.picsum.photos": "Lorem Picsum random pictures",
    "source.unsplash.com": "Unsplash Source random pictures (retired in 2024)",
    "api.ixiaowai.cn": "a random anime-picture API",
    "api.btstu.cn": "a random picture API",
    "api.mtyqx.cn": "a random picture API",
    "www.dmoe.cc": "a random anime-picture API",
    "img.xjh.me": "a random picture API",
    "cdn.seovx.com": "a random picture API",
    "api.paugram.com": "a random wallpaper API",
    "t.mwm.moe": "a random anime-picture API",
    "iw233.cn": "a random anime-picture API",
    "api.r10086.com": "a random picture API",
    "placehold.co": "a placeholder-image generator",
    "via.placeholder.com": "a placeholder-image generator",
    "dummyimage.com": "a placeholder-image generator",
}
# What JavaScript templates print for a missing value.
_PLACEHOLDER_WORDS = frozenset({"undefined", "null", "none", "nan", "[object object]"})



def placeholder(url: str) -> str | None:
    """Why ``url`` is a placeholder rather than a real picture, or ``None``."""
    value = url.strip()
    if value.lower() in _PLACEHOLDER_WORDS:
        return f"the word {value!r}, which a template printed for a missing value"
    parts = urlsplit(value)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1].lower()
    if last in _PLACEHOLDER_WORDS:
        return f"a URL ending in /{last}, which a template printed for a missing value"
    host = (parts.hostname or "").lower()
    if host in PLACEHOLDER_HOSTS:
        return f"{PLACEHOLDER_HOSTS[host]} ({host}): a different picture on every view"
    return None


def problem_with(url: str) -> str | None:
    """Why ``url`` is not usable as an image field value, or ``None`` when it is.

    Usable: an ``http``/``https`` URL with a host, a protocol-relative
    ``//host/path``, or a site path starting with ``/`` (PK302).
    """
    value = url
    if not value.strip():
        return "is empty"
    if value != value.strip():
        return "has spaces around the URL"
    reason = placeholder(value)
    if reason:
        return f"is a placeholder: {reason}"
    if value.startswith("//") or (value.startswith("/") and not value.startswith("//")):
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        return None if parts.netloc else "is an http(s) URL without a host"
    if parts.scheme == "data":
        return "is a data: URI; themes put it in <meta> tags and feeds, where it does not work"
    if parts.scheme:
        return f"uses the {parts.scheme}: scheme; use an http(s) URL or a site path starting with '/'"
    return "is a relative path; themes resolve it against each page's URL, so use a site path starting with '/'"
