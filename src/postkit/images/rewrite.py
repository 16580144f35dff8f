"""Byte-minimal edits that point an image reference at a stored file; pure.

The collector (``images/collect.py``) gives each reference the line and
columns of its URL as written. :func:`url_edit` replaces exactly those
characters, after checking that they still read as the collected URL, so
everything else in the post (alt text, titles, other attributes, quotes,
line endings) stays byte-identical.

The one edit that is wider than the URL is :func:`asset_img_edit`: with
Hexo's ``post_asset_folder`` on and hexo-renderer-marked's ``postAsset``
off, a Markdown image ``![alt](url "title")`` becomes Hexo's
``{% asset_img name '"title" "alt"' %}`` tag, which is the form Hexo
resolves to the asset's public URL on every page (the post, the index,
archives). That edit covers the image from ``![`` to ``)``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from postkit.core.diagnostics import Edit
from postkit.core.document import Document
from postkit.images import collect as kinds
from postkit.images.collect import ImageRef, markdown_url

# Characters a Hexo tag argument or Hexo's img tag cannot carry in an alt
# text or title: quotes end the argument, braces and % end the tag, and
# backslashes or markup would not reach the HTML as written.
_TAG_UNSAFE = re.compile(r"[\"'{}%\\\n\r<>&`*_\[\]]")


@dataclass(frozen=True)
class MarkdownImage:
    """A Markdown inline image around a destination: its span, raw alt text and title (``None``: no title)."""

    start: int
    end: int
    alt: str
    title: str | None


def url_span(document: Document, ref: ImageRef) -> tuple[int, int] | None:
    """Offsets of ``ref``'s URL as written, or ``None`` when it spans lines or no longer reads as ``ref.url``."""
    if ref.end_col is None:
        return None
    start = document.offset(ref.line, ref.col)
    end = document.offset(ref.line, ref.end_col)
    written = document.text[start:end]
    if written_url(written, ref.source_kind) != ref.url:
        return None
    return start, end


def written_url(written: str, source_kind: str) -> str:
    """The URL a reader's browser gets from ``written``, the characters of a reference of ``source_kind``."""
    if source_kind in (kinds.MARKDOWN, kinds.MARKDOWN_REFERENCE):
        return markdown_url(written).strip()
    if source_kind in (kinds.IMG_SRC, kinds.IMG_LAZY, kinds.IMG_SRCSET, kinds.PICTURE_SOURCE, kinds.IMG_IN_CODE):
        return html.unescape(written).strip(" \t\n\r\f")
    return written.strip()


def url_edit(document: Document, ref: ImageRef, new_url: str) -> Edit | None:
    """The edit that puts ``new_url`` where ``ref``'s URL is written, or ``None`` when that cannot be done byte-minimally.

    ``new_url`` must already be in the form the place takes (a percent-encoded
    path, or a Hexo tag). An HTML attribute value written without quotes is
    quoted when ``new_url`` holds a space (a Hexo tag).
    """
    span = url_span(document, ref)
    if span is None:
        return None
    start, end = span
    text = new_url
    if ref.source_kind in (kinds.IMG_SRC, kinds.IMG_LAZY, kinds.IMG_SRCSET, kinds.PICTURE_SOURCE):
        quote = attribute_quote(document.text, start, ref.attribute or "")
        if quote is None:
            return None
        if not quote:
            if ref.source_kind in (kinds.IMG_SRCSET, kinds.PICTURE_SOURCE) and " " in new_url:
                return None  # an unquoted srcset cannot hold a tag with spaces
            if " " in new_url:
                text = f'"{new_url}"'
        elif quote in new_url:
            return None
    return Edit(start, end, text)


def attribute_quote(text: str, value_offset: int, attribute: str) -> str | None:
    """The quote (``"``, ``'``, or ``""`` for none) around the HTML attribute value that holds ``value_offset``.

    ``None`` when the attribute cannot be found before the offset on its line
    or the one before.
    """
    floor = text.rfind("\n", 0, max(text.rfind("\n", 0, value_offset), 0)) + 1
    pattern = re.compile(r"(?<![\w-])" + re.escape(attribute) + r"[\t\n\f\r ]*=[\t\n\f\r ]*([\"']?)", re.I)
    last = None
    for match in pattern.finditer(text, floor, value_offset + 1):
        if match.end() <= value_offset + 1:
            last = match
    return None if last is None else last.group(1)


def markdown_image(document: Document, ref: ImageRef) -> MarkdownImage | None:
    """The inline image ``![alt](url "title")`` whose destination ``ref`` is, or ``None`` when it is not one line of plain shape."""
    span = url_span(document, ref)
    if span is None or ref.source_kind != kinds.MARKDOWN:
        return None
    text = document.text
    start, end = span
    open_paren = start - 1
    if open_paren >= 0 and text[open_paren] == "<":
        open_paren -= 1
        if end >= len(text) or text[end] != ">":
            return None
        end += 1
    while open_paren >= 0 and text[open_paren] in " \t":
        open_paren -= 1
    if open_paren < 1 or text[open_paren] != "(" or text[open_paren - 1] != "]":
        return None
    close_bracket = open_paren - 1
    depth = 0
    index = close_bracket
    line_start = text.rfind("\n", 0, index) + 1
    while index >= line_start:
        char = text[index]
        escaped = index > 0 and text[index - 1] == "\\"
        if char == "]" and not escaped:
            depth += 1
        elif char == "[" and not escaped:
            depth -= 1
            if depth == 0:
                break
        index -= 1
    if depth != 0 or index < 1 or text[index - 1] != "!":
        return None
    image_start = index - 1
    alt = text[index + 1 : close_bracket]
    cursor = end
    line_end = text.find("\n", cursor)
    line_end = len(text) if line_end == -1 else line_end
    while cursor < line_end and text[cursor] in " \t":
        cursor += 1
    title = None
    if cursor < line_end and text[cursor] in "\"'(":
        closer = ")" if text[cursor] == "(" else text[cursor]
        close = text.find(closer, cursor + 1, line_end)
        if close == -1:
            return None
        title = text[cursor + 1 : close]
        cursor = close + 1
        while cursor < line_end and text[cursor] in " \t":
            cursor += 1
    if cursor >= line_end or text[cursor] != ")":
        return None
    return MarkdownImage(image_start, cursor + 1, alt, title)


def asset_img_tag(name: str, alt: str, title: str | None) -> str | None:
    """Hexo's ``{% asset_img %}`` for a post asset ``name`` with ``alt`` and ``title``, or ``None`` when they cannot be carried.

    Hexo's tag parser drops the quotes of an argument, and its img tag reads
    title and alt from one argument shaped ``"title" "alt"``; so both go in
    one single-quoted argument, and an alt or title holding a quote, a
    brace, ``%`` or Markdown markup is refused rather than changed.
    """
    if " " in name or _TAG_UNSAFE.search(name):
        return None
    if _TAG_UNSAFE.search(alt) or (title is not None and _TAG_UNSAFE.search(title)):
        return None
    if not alt and not title:
        return f"{{% asset_img {name} %}}"
    return f"{{% asset_img {name} '\"{title or ''}\" \"{alt}\"' %}}"


def asset_img_edit(document: Document, ref: ImageRef, name: str) -> Edit | None:
    """The edit that turns ``ref``'s Markdown image into ``{% asset_img name ... %}``, or ``None`` when it cannot."""
    image = markdown_image(document, ref)
    if image is None:
        return None
    tag = asset_img_tag(name, image.alt, image.title)
    if tag is None:
        return None
    return Edit(image.start, image.end, tag)
