"""Convert one post: its HTML body to Markdown, its front matter and leading lines byte-identical."""

from __future__ import annotations

import os
import re
from functools import partial
from urllib.parse import unquote, urlsplit

from postkit.core.batch import Skip, TransformError
from postkit.core.document import Document
from postkit.core.front_matter import parse

DEFAULT_BASE_URL_KEYS = ("link", "from", "source_url")
# The summary row for images whose <img referrerpolicy> Markdown cannot keep.
REFERRER_POLICY_NOTE = "images losing referrerpolicy (see postkit images, --localize)"
_DESTINATION = re.compile(r"\]\(\s*<?([^\s)>]+)")


def base_url_for(document: Document, keys: tuple[str, ...]) -> str | None:
    """The first ``http(s)`` URL among the front matter ``keys`` (``--base-url``)."""
    front_matter = parse(document)
    for key in keys:
        value = front_matter.value(key)
        if isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https"):
            return value.strip()
    return None


def relative_destinations(markdown: str) -> int:
    """How many link and image destinations in ``markdown`` are relative (no scheme, no ``//``, no ``#``)."""
    count = 0
    for match in _DESTINATION.finditer(markdown):
        url = match.group(1)
        if not url.startswith(("#", "//")) and not urlsplit(url).scheme:
            count += 1
    return count


def site_file_exists(site_source: str, url: str) -> bool:
    """True when ``url`` is a site path (``/images/a.png``) naming a file under the site's ``source/``."""
    if not url.startswith("/") or url.startswith("//"):
        return False
    path = unquote(urlsplit(url).path).lstrip("/")
    candidate = os.path.normpath(os.path.join(site_source, path))
    return candidate.startswith(os.path.normpath(site_source) + os.sep) and os.path.isfile(candidate)


def mirror_target(path: str, out_dir: str, given: list[str], site_source: str | None) -> str:
    """Where ``--out`` puts ``path``: the same way however the paths were given.

    In a Hexo site, a post under ``source/`` keeps its path relative to
    ``source/`` (``_posts/a.md``); anything else keeps its path relative to
    the common parent folder of the paths given (a file counts by its folder).
    """
    absolute = os.path.realpath(path)
    if site_source is not None:
        source = os.path.realpath(site_source)
        if absolute.startswith(source.rstrip(os.sep) + os.sep):
            return os.path.join(out_dir, os.path.relpath(absolute, source))
    return os.path.join(out_dir, os.path.relpath(absolute, common_parent(given)))


def common_parent(given: list[str]) -> str:
    """The deepest folder holding every given path (a folder counts as itself, a file by its folder)."""
    folders = [os.path.realpath(p) if os.path.isdir(p) else os.path.dirname(os.path.realpath(p)) for p in given]
    return os.path.commonpath(folders) if folders else os.getcwd()


def convert_post(
    document: Document,
    base_url: str | None = None,
    base_url_keys: tuple[str, ...] = DEFAULT_BASE_URL_KEYS,
    site_source: str | None = None,
    copy_markdown: bool = False,
) -> tuple[str, dict[str, int]]:
    """The post's full new text, and notes for the summary.

    The head (blank lines, BOM, front matter) stays byte-identical; blank
    lines between the front matter and the body are kept; the body becomes
    Markdown ending in one newline, in the post's own newline style.
    ``base_url`` (``--base-url``) wins over the front matter ``base_url_keys``.
    A site path whose file exists under ``site_source`` (the Hexo site's
    ``source/`` folder) stays a site path: the blog has that picture.
    Notes count ``relative links left`` when no base URL was found, and
    the images whose ``referrerpolicy`` Markdown cannot keep.
    ``copy_markdown`` (``--out``) asks for a post that is already Markdown to
    be copied unchanged, so that the mirrored tree is whole.

    Raises:
        Skip: the body is already Markdown (or empty).
        TransformError: the HTML cannot be converted (the reason is given).
    """
    from postkit.convert.html_to_markdown import ConversionError, convert_html, looks_like_html

    body = document.body
    if not looks_like_html(body):
        raise Skip("already Markdown", copy=copy_markdown)
    resolved = base_url or base_url_for(document, base_url_keys)
    try:
        keep = partial(site_file_exists, site_source) if site_source else None
        conversion = convert_html(body, base_url=resolved, keep_url=keep)
    except ConversionError as error:
        raise TransformError(str(error)) from None
    markdown = conversion.markdown
    leading = body[: len(body) - len(body.lstrip("\r\n"))].replace("\r\n", "\n")
    notes: dict[str, int] = {}
    if resolved is None:
        relative = relative_destinations(markdown)
        if relative:
            notes["relative links left"] = relative
    if conversion.referrer_policy_images:
        notes[REFERRER_POLICY_NOTE] = conversion.referrer_policy_images
    return document.with_body(leading + markdown), notes
