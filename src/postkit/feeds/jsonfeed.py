"""A small JSON Feed 1.0/1.1 reader (jsonfeed.org/version/1.1), in the shape feedparser gives entries.

JSON Feed is JSON: the standard library parses it, and this module maps
its fields to postkit's :class:`~postkit.feeds.parse.Item` values.
``content_text`` becomes escaped HTML paragraphs, so that one converter
handles every body.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

VERSION_PREFIX = "https://jsonfeed.org/version/"
MAX_DEPTH = 500
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


class JsonFeedError(Exception):
    """The document is not a JSON Feed: ``code``, message and where (1-based line and column)."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col


def parse_rfc3339(value: Any) -> dt.datetime | None:
    """An RFC 3339 timestamp as an aware datetime (UTC when it has no offset), or ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs: blank lines split paragraphs, single newlines become ``<br>``."""
    paragraphs = [part.strip("\n") for part in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs if part.strip())


def _authors(item: dict[str, Any], feed: dict[str, Any]) -> str | None:
    for owner in (item, feed):
        authors = owner.get("authors")
        if not isinstance(authors, list):
            authors = [owner["author"]] if isinstance(owner.get("author"), dict) else []
        names = [a["name"].strip() for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()]
        if names:
            return ", ".join(names)
    return None


def _too_deep(text: str) -> tuple[int, int]:
    """The 1-based line and column of the first bracket deeper than :data:`MAX_DEPTH` (outside strings), else 1, 1."""
    blanked = _STRING.sub(lambda match: "_" * len(match.group()), text)
    depth = 0
    for match in _BRACKET.finditer(blanked):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            start = match.start()
            line = text.count("\n", 0, start) + 1
            return line, start - (text.rfind("\n", 0, start) + 1) + 1
    return 1, 1


def read(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The feed's title and its items as plain dicts with postkit's item fields.

    Each item dict has ``title``, ``title_is_html`` (always False: JSON Feed
    titles are plain text), ``link``, ``guid``, ``published``, ``updated``,
    ``author``, ``categories``, ``html`` and ``image`` (the item's own
    ``image``, used when the body has none).

    Raises:
        JsonFeedError: not JSON (JSONDecodeError's line and column), or JSON
            that is not a feed (no ``version`` of jsonfeed.org, no ``items`` list).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise JsonFeedError("IMP001", f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        line, col = _too_deep(text)
        raise JsonFeedError("IMP001", f"not valid JSON: nested too deeply to read (here {MAX_DEPTH} arrays and objects down)", line, col) from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(VERSION_PREFIX):
        raise JsonFeedError("IMP003", f"not a feed: JSON without a 'version' starting with {VERSION_PREFIX}")
    items = data.get("items")
    if not isinstance(items, list):
        raise JsonFeedError("IMP003", "not a feed: a JSON Feed needs an 'items' list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            out.append({})
            continue
        body = item.get("content_html")
        if not isinstance(body, str):
            body = text_to_html(item["content_text"]) if isinstance(item.get("content_text"), str) else ""
        identity = item.get("id")
        tags = item.get("tags")
        out.append({
            "title": item["title"] if isinstance(item.get("title"), str) else "",
            "title_is_html": False,
            "link": item["url"] if isinstance(item.get("url"), str) else (item.get("external_url") if isinstance(item.get("external_url"), str) else ""),
            "guid": str(identity) if isinstance(identity, (str, int)) and not isinstance(identity, bool) else "",
            "published": parse_rfc3339(item.get("date_published")),
            "updated": parse_rfc3339(item.get("date_modified")),
            "author": _authors(item, data),
            "categories": [tag for tag in tags if isinstance(tag, str) and tag.strip()] if isinstance(tags, list) else [],
            "html": body,
            "image": item["image"] if isinstance(item.get("image"), str) else None,
        })
    title = data.get("title")
    return (title if isinstance(title, str) else ""), out
