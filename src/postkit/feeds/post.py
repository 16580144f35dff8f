"""One feed item as a Hexo post: YAML front matter written by hand with the right quoting, and a Markdown body.

Pure text in, text out. The front matter holds ``title``, ``date``,
``updated``, ``link``, ``guid`` (only when it differs from the link),
``author``, ``categories``, ``tags`` and one cover field. Dates are RFC
3339 in the site's timezone, which validate's date rules read without a
note. The body is ``postkit convert``'s Markdown, with the item's link as
the base URL, and the cover is the first picture of that Markdown: the
converter has already dropped tracking pixels and placeholders and taken
the real URL of lazy images. :func:`merge_front_matter` replaces the
feed's values in a post imported earlier and keeps every other line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from postkit.core.image_urls import placeholder
from postkit.feeds.parse import Item

DEFAULT_IMAGE_FIELD = "cover"
ITEM_CATEGORY_MODES = ("append", "tags", "drop")
FEED_KEYS = ("title", "date", "updated", "link", "guid", "author", "categories", "tags")

_PLAIN_SAFE = re.compile(r"[^\W\d_][^:#\n\r\t\"'\\`{}\[\],&*!|>%@]*", re.UNICODE)
# Words that YAML 1.1 (PyYAML, Jekyll) or 1.2 (Hexo's js-yaml) read as something other than a string.
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
_NEEDS_DOUBLE_QUOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\n\r\t]")
_MARKDOWN_IMAGE = re.compile(r"!\[(?:[^\]\\\n]|\\.)*\]\(\s*(?:<([^>\n]*)>|([^\s)]+))")
_FENCED = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[ \t]*$", re.S | re.M)


class ItemError(Exception):
    """This item cannot become a post; the message says why (reported, the other items go on)."""


@dataclass(frozen=True)
class PostSettings:
    """How items become posts, from the command line and ``[[tool.postkit.import.feeds]]``."""

    timezone: str | None = None
    image_field: str = DEFAULT_IMAGE_FIELD
    category_path: tuple[str, ...] = ()
    item_categories: str = "append"
    tags: tuple[str, ...] = ()
    author: str | None = None
    keep_html: bool = False


@dataclass(frozen=True)
class RenderedPost:
    """A post's text and what the summary and file name need: its date, cover and front matter keys."""

    text: str
    front_matter: str
    body: str
    date: dt.datetime
    cover: str | None
    keys: tuple[str, ...]
    notes: dict[str, int] = field(default_factory=dict)


def yaml_string(value: str) -> str:
    """``value`` as a YAML scalar that YAML 1.1 and 1.2 both read as this exact string.

    Plain when nothing in it means anything to YAML, single-quoted when it
    holds ``:``, ``#``, quotes or starts with a digit or an indicator,
    double-quoted with escapes when it holds control characters.
    """
    if _NEEDS_DOUBLE_QUOTES.search(value):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = _NEEDS_DOUBLE_QUOTES.sub(lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m.group(), f"\\u{ord(m.group()):04x}"), escaped)
        return f'"{escaped}"'
    if _PLAIN_SAFE.fullmatch(value) and value == value.strip() and value.lower() not in _RESERVED:
        return value
    return "'" + value.replace("'", "''") + "'"


def format_instant(instant: dt.datetime, timezone: str | None) -> str:
    """RFC 3339 in the site's timezone (``2021-12-14T10:53:00+08:00``), or UTC with ``Z`` when it has none."""
    if timezone:
        from zoneinfo import ZoneInfo

        local = instant.astimezone(ZoneInfo(timezone))
        return local.replace(microsecond=0).isoformat()
    return instant.astimezone(dt.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def local_time(instant: dt.datetime, timezone: str | None) -> dt.datetime:
    """``instant`` in the site's timezone (UTC when it has none): what file names and ``--since`` compare."""
    if timezone:
        from zoneinfo import ZoneInfo

        return instant.astimezone(ZoneInfo(timezone))
    return instant.astimezone(dt.timezone.utc)


def first_image(markdown: str) -> str | None:
    """The first image of a Markdown body that can be a cover: http(s), not a known placeholder."""
    text = _FENCED.sub("", markdown) if "```" in markdown or "~~~" in markdown else markdown
    for match in _MARKDOWN_IMAGE.finditer(text):
        url = match.group(1) if match.group(1) is not None else match.group(2)
        if usable_cover(url):
            return url
    return None


def usable_cover(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host that is no placeholder service."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname) and placeholder(url) is None


def _list(values: list[str]) -> str:
    return "".join(f"\n  - {yaml_string(value)}" for value in values)


def _unique(values) -> list[str]:  # noqa: ANN001 - any iterable of strings
    seen, out = set(), []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def front_matter_entries(item: Item, settings: PostSettings, date: dt.datetime, cover: str | None) -> list[tuple[str, str]]:
    """``(key, YAML text of the key and its value)`` in the order postkit writes them."""
    entries = [("title", f"title: {yaml_string(item.title)}"), ("date", f"date: {format_instant(date, settings.timezone)}")]
    updated = item.updated if item.updated and item.updated > date else date
    entries.append(("updated", f"updated: {format_instant(updated, settings.timezone)}"))
    if item.link:
        entries.append(("link", f"link: {yaml_string(item.link)}"))
    if item.guid and item.guid != item.link:
        entries.append(("guid", f"guid: {yaml_string(item.guid)}"))
    author = item.author or settings.author
    if author:
        entries.append(("author", f"author: {yaml_string(author)}"))
    categories = list(settings.category_path)
    tags = list(settings.tags)
    if settings.item_categories == "append":
        categories.extend(item.categories)
    elif settings.item_categories == "tags":
        tags = [*item.categories, *tags]
    categories, tags = _unique(categories), _unique(tags)
    if categories:
        entries.append(("categories", "categories:" + _list(categories)))
    if tags:
        entries.append(("tags", "tags:" + _list(tags)))
    if cover:
        entries.append((settings.image_field, f"{settings.image_field}: {yaml_string(cover)}"))
    return entries


def render_post(item: Item, settings: PostSettings, now: dt.datetime) -> RenderedPost:
    """The post for ``item``; an item with no date at all is dated ``now`` (noted as ``dated at import``).

    Raises:
        ItemError: the body cannot be converted.
    """
    from postkit.convert.html_to_markdown import ConversionError, html_to_markdown

    notes: dict[str, int] = {}
    date = item.date
    if date is None:
        date = now
        notes["dated at import"] = 1
    source = item.html.strip()
    try:
        markdown = html_to_markdown(source, base_url=item.link or None, detect=False) if source else ""
    except ConversionError as error:
        raise ItemError(str(error)) from None
    cover = first_image(markdown)
    if cover is None and usable_cover(item.image):
        cover = item.image.strip()
    body = (source + "\n" if source else "") if settings.keep_html else markdown
    entries = front_matter_entries(item, settings, date, cover)
    front_matter = "".join(text + "\n" for _, text in entries)
    return RenderedPost(f"---\n{front_matter}---\n{body}", front_matter, body, date, cover, tuple(k for k, _ in entries), notes)


def merge_front_matter(existing: str, new_entries: list[tuple[str, str]], managed: tuple[str, ...]) -> str:
    """``existing`` front matter (YAML text) with the ``managed`` keys' entries replaced by ``new_entries``.

    A top-level key's entry runs from its line to the next top-level key.
    Entries of other keys, comments and their order stay byte-identical;
    managed keys the old post lacks are added at the end.

    Raises:
        ItemError: the existing front matter is not a YAML mapping.
    """
    import yaml

    from postkit.core.front_matter import compose

    try:
        root = compose(existing)
    except yaml.YAMLError as error:
        raise ItemError(f"its front matter is not valid YAML: {error}") from None
    if not isinstance(root, yaml.MappingNode):
        raise ItemError("its front matter is not a mapping")
    lines = existing.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = [(key.start_mark.line, key.value) for key, _ in root.value if isinstance(key, yaml.ScalarNode)]
    replacement = dict(new_entries)
    out: list[str] = [*lines[: starts[0][0]]] if starts else [*lines]
    written = set()
    for position, (line, key) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        block = lines[line:end]
        if key in managed and key in replacement and key not in written:
            trailing = []
            while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")) and len(block) > 1:
                trailing.insert(0, block.pop())
            out.append(replacement[key] + "\n")
            out.extend(trailing)
            written.add(key)
        else:
            out.extend(block)
    for key, text in new_entries:
        if key not in written and key not in {k for _, k in starts}:
            out.append(text + "\n")
    return "".join(out)
