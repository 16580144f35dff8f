"""What an answer's bytes are: a picture a browser can decode, or a known placeholder picture.

Pure functions and two documented tables, extendable from config
(``placeholder-pictures``, ``hotlink-placeholder-hosts``):

- :data:`PLACEHOLDER_PICTURES`: pictures that are answered *instead of* the
  real one, recognised by their exact size and SHA-256. A reader sees a
  blank or a "not allowed" picture, so the image counts as broken. Add a row
  when a new one shows up: its size in bytes, the SHA-256 of its bytes, what
  it is, and optionally the hosts that serve it.
- :data:`HOTLINK_PLACEHOLDER_HOSTS`: hosts that answer a foreign ``Referer``
  with a different picture rather than an error. WeChat's image servers are
  the known case: a blog's Referer gets a grey "此图片来自微信公众平台 未经允许不可引用"
  ("this picture comes from the WeChat platform; do not reference it without
  permission") picture with status 200. For these hosts postkit fetches the
  picture with and without the blog's Referer and compares the two answers,
  so the placeholder is caught without knowing its bytes in advance.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PlaceholderPicture:
    """A picture served in place of the real one.

    ``size`` is in bytes, ``sha256`` the lower-case hex digest of the whole
    body, ``hosts`` the host names it is recognised on (empty: any host).
    """

    size: int
    sha256: str
    description: str
    hosts: tuple[str, ...] = ()

    def applies_to(self, host: str) -> bool:
        """True when this entry is checked for answers from ``host``."""
        return not self.hosts or host.lower() in self.hosts

    @classmethod
    def of(cls, data: bytes, description: str, hosts: tuple[str, ...] = ()) -> PlaceholderPicture:
        """The entry for a picture given as bytes (its size and hash computed here)."""
        return cls(len(data), hashlib.sha256(data).hexdigest(), description, hosts)


# The 1x1 transparent GIFs that lazy-loading plugins put in `src` while the
# real picture waits in `data-src`. The blog does not run that plugin, so
# its readers see nothing. The bytes are spelled out so that the hash can be
# checked by anyone: decode the base64 and look at the GIF header.
_SPACER_GIFS = (
    "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",  # 42 bytes, GIF89a, transparent
    "R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==",  # 37 bytes, GIF89a, transparent
)
PLACEHOLDER_PICTURES: tuple[PlaceholderPicture, ...] = tuple(
    PlaceholderPicture.of(base64.b64decode(data), "a 1x1 transparent spacer GIF (a lazy-loading placeholder): readers see nothing")
    for data in _SPACER_GIFS
)

HOTLINK_PLACEHOLDER_HOSTS: dict[str, str] = {
    "mmbiz.qpic.cn": "WeChat official-account pictures: a foreign Referer gets the grey \"not allowed\" (未经允许不可引用) placeholder",
    "mmbiz.qlogo.cn": "WeChat official-account pictures: a foreign Referer gets the grey \"not allowed\" (未经允许不可引用) placeholder",
}


def match_placeholder(body: bytes, host: str, table: tuple[PlaceholderPicture, ...] = PLACEHOLDER_PICTURES) -> PlaceholderPicture | None:
    """The entry of ``table`` whose size and hash ``body`` (a whole answer) has, or ``None``."""
    candidates = [entry for entry in table if entry.size == len(body) and entry.applies_to(host)]
    if not candidates:
        return None
    digest = hashlib.sha256(body).hexdigest()
    return next((entry for entry in candidates if entry.sha256 == digest), None)


def placeholder_sizes(host: str, table: tuple[PlaceholderPicture, ...] = PLACEHOLDER_PICTURES) -> frozenset[int]:
    """The body sizes worth hashing for answers from ``host``."""
    return frozenset(entry.size for entry in table if entry.applies_to(host))


def sniff_image(prefix: bytes) -> str | None:
    """The image type the first bytes of a body show, or ``None``.

    The WHATWG MIME Sniffing Standard's "image type pattern matching
    algorithm" (§6.1: ICO/CUR, BMP, GIF, WebP, PNG, JPEG), plus the ISO-BMFF
    ``ftyp`` brands of AVIF and HEIF, which browsers also decode when they
    are served with the wrong Content-Type. SVG is never sniffed, as in
    browsers: it needs ``image/svg+xml``.
    """
    if prefix.startswith((b"\x00\x00\x01\x00", b"\x00\x00\x02\x00")):
        return "image/x-icon"
    if prefix.startswith(b"BM"):
        return "image/bmp"
    if prefix.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if prefix[:4] == b"RIFF" and prefix[8:14] == b"WEBPVP":
        return "image/webp"
    if prefix.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if prefix.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if prefix[4:8] == b"ftyp" and prefix[8:12] in (b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1"):
        return "image/avif" if prefix[8:12] in (b"avif", b"avis") else "image/heif"
    return None


def is_image_type(content_type: str | None) -> bool:
    """True when a ``Content-Type`` header value names an image (``image/*``, parameters ignored)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower().startswith("image/")


def looks_like_svg(body: bytes) -> bool:
    """True when ``body`` starts like an SVG or XML document (after a BOM and white space)."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return head.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")) or b"<svg" in head


def looks_like_html(body: bytes) -> bool:
    """True when ``body`` starts like an HTML page (the WHATWG MIME sniffing tags, roughly)."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<div", b"<p", b"<title", b"<!--", b"<h1"))


def cut_short(body: bytes) -> bool:
    """True when a whole body (not a prefix) is a PNG or JPEG that stops before any image data.

    Chromium shows a picture cut off half-way (the rows it got), but not one
    whose bytes end inside the header: it has no pixel to show.
    """
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return b"IDAT" not in body
    if body.startswith(b"\xff\xd8\xff"):
        return b"\xff\xda" not in body  # start of scan
    return False


# Fetch's Opaque Response Blocking ("opaque-blocklisted-never-sniffed MIME type"): Chromium never
# shows an <img> answer served with one of these types, whatever its bytes are.
NEVER_SHOWN_TYPES = frozenset({
    "application/gzip", "application/x-gzip", "application/zip", "application/pdf", "application/x-protobuf",
    "application/x-protobuffer", "application/msexcel", "application/mspowerpoint", "application/msword",
    "application/msword-template", "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/vnd.ms-word",
    "application/vnd.msword", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/dash+xml",
    "application/vnd.apple.mpegurl", "audio/mpegurl", "multipart/byteranges", "multipart/signed", "text/csv",
    "text/event-stream", "text/vtt",
})


def never_shown(declared: str) -> bool:
    """True when a bare MIME type (lower case, no parameters) is one Chromium never shows as an image."""
    return declared in NEVER_SHOWN_TYPES


def blocked_by_nosniff(declared: str) -> bool:
    """True when ``X-Content-Type-Options: nosniff`` keeps an answer of this type from an ``<img>``.

    With nosniff, Opaque Response Blocking refuses HTML, JSON, XML (other
    than SVG) and ``text/plain``; other types, including
    ``application/octet-stream`` and no type at all, are still decoded.
    """
    if declared in ("text/html", "text/plain", "text/json", "text/xml", "application/json", "application/xml"):
        return True
    return declared != "image/svg+xml" and declared.endswith(("+json", "+xml"))
