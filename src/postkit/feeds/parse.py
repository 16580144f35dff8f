"""Read a feed's bytes into items: RSS 0.9x/1.0/2.0 and Atom with feedparser, JSON Feed with ``jsonfeed``.

Before feedparser sees an XML feed, its bytes must decode in the encoding
it declares (its XML declaration, else the HTTP charset, else UTF-8; GB2312
and GBK labels read as GB18030 and Latin-1 as windows-1252, as browsers
do). feedparser would quietly fall back to another encoding and import
mojibake; postkit stops with the first byte that does not fit instead.
A document that is not well-formed, or well-formed but not a feed, is an
error with its line and column. Each item keeps where it starts in the
feed, for reports about it.
"""

from __future__ import annotations

import calendar
import codecs
import datetime as dt
import html
import html.entities
import re
from dataclasses import dataclass, field

from postkit.feeds.jsonfeed import JsonFeedError, read as read_json_feed, text_to_html

# WHATWG Encoding labels that Python spells differently or decodes more narrowly than browsers.
_ENCODING_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "chinese": "gb18030", "csgb2312": "gb18030",
    "iso-ir-58": "gb18030", "gb_2312-80": "gb18030", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252",
}
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w:.-]*)")
_ITEM_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_TEXT_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")
_UNICODE_CODECS = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-8-sig"}


class FeedError(Exception):
    """A feed postkit cannot read: ``code``, message, and where in the feed (1-based)."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col


@dataclass(frozen=True)
class Item:
    """One feed item, its values cleaned: ``title`` is plain text, dates are aware datetimes.

    ``published`` is ``None`` when the feed gives no publication date (an Atom
    entry with ``updated`` alone); :attr:`date` then falls back to ``updated``.
    """

    index: int
    title: str
    link: str
    guid: str
    published: dt.datetime | None
    updated: dt.datetime | None
    author: str | None
    categories: tuple[str, ...]
    html: str
    image: str | None = None
    line: int = 1
    col: int = 1

    @property
    def date(self) -> dt.datetime | None:
        """The instant the post is dated: published, else updated."""
        return self.published or self.updated


@dataclass
class Feed:
    """A parsed feed: its format (``rss20``, ``atom10``, ``json1.1`` ...), title, items, and warnings ``(line, col, message)``."""

    kind: str
    title: str
    items: list[Item] = field(default_factory=list)
    warnings: list[tuple[int, int, str]] = field(default_factory=list)


def clean_title(title: str, is_html: bool) -> str:
    """A title as plain text: tags and comments stripped and entities decoded when it is HTML; control characters dropped, spaces collapsed.

    Quotes, colons, slashes and question marks stay as the feed gives them.
    """
    if is_html:
        title = html.unescape(_TAG.sub("", title))
    return " ".join(_CONTROL.sub("", title).split())


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    start = before.rfind(b"\n") + 1
    return line, len(before[start:].decode("utf-8", errors="replace")) + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def python_encoding(label: str) -> str | None:
    """The Python codec for an encoding label, as a browser reads it; ``None`` when unknown."""
    name = _ENCODING_ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared(data: bytes, content_type: str | None) -> tuple[str, str]:
    """``(label, where)``: the encoding the feed declares and where it says so."""
    match = _XML_DECLARATION.match(data[:512])
    if match:
        return match.group(1).decode("ascii"), "its XML declaration"
    if content_type:
        charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
        if charset:
            return charset.group(1), "the HTTP Content-Type"
    return "utf-8", "default (no declaration)"


def _guess(data: bytes, tried: str) -> str:
    for candidate in ("utf-8", "gb18030", "big5", "shift_jis"):
        if codecs.lookup(candidate).name == tried:
            continue
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return {"gb18030": "GBK"}.get(candidate, candidate.upper())
    return ""


def decode_feed(data: bytes, content_type: str | None = None) -> str:
    """The feed's text in its declared encoding.

    Raises:
        FeedError: IMP002 when a byte does not fit the declared encoding, or
            the encoding is unknown.
    """
    if data.startswith(codecs.BOM_UTF8):
        label, where, data = "utf-8", "its byte order mark", data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        label, where = "utf-16", "its byte order mark"
    else:
        label, where = _declared(data, content_type)
    encoding = python_encoding(label)
    if encoding is None:
        raise FeedError("IMP002", f"declares the unknown encoding {label!r} in {where}")
    if encoding not in _UNICODE_CODECS and not data.isascii():
        # GB18030 and its kin accept most UTF-8 byte sequences as other characters, so a UTF-8 feed
        # under a GBK declaration decodes without an error into mojibake. Text that is valid UTF-8
        # with non-ASCII characters is practically never meant as GBK.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            first = next(index for index, byte in enumerate(data) if byte >= 0x80)
            line, col = _position(data, first)
            raise FeedError("IMP002", f"declared as {label} in {where}, but its bytes are UTF-8: fix the declaration", line, col)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line, col = _position(data, error.start)
        guess = _guess(data, encoding)
        reads_as = f"; it reads as {guess}: fix the declaration" if guess else ""
        raise FeedError(
            "IMP002",
            f"declared as {label} in {where}, but byte 0x{data[error.start]:02x} is not {label}{reads_as}",
            line, col,
        ) from None


def _struct_time(value) -> dt.datetime | None:  # noqa: ANN001 - feedparser's time.struct_time in UTC
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def _entry_body(entry) -> str:  # noqa: ANN001 - a feedparser entry
    for detail in [*entry.get("content", []), entry.get("summary_detail")]:
        if not detail or not detail.get("value"):
            continue
        if detail.get("type") in ("text/plain",):
            return text_to_html(detail["value"])
        return detail["value"]
    return ""


def _entry_image(entry) -> str | None:  # noqa: ANN001 - a feedparser entry
    for thumbnail in entry.get("media_thumbnail", []):
        if thumbnail.get("url"):
            return thumbnail["url"]
    for media in [*entry.get("media_content", []), *entry.get("enclosures", [])]:
        url = media.get("url") or media.get("href")
        if url and (str(media.get("type", "")).startswith("image/") or media.get("medium") == "image"):
            return url
    return None


def _check_well_formed(text: str) -> tuple[int, int, str] | None:
    """Check with expat that the feed is well-formed XML, HTML's named entities aside.

    feedparser's own positions are off (it rewrites the document's head), so
    postkit checks first. ``&nbsp;`` and its kin are not XML, but feeds use
    them and feedparser's lenient parser reads them as HTML does; they are
    turned into character references for this check, and the first one is
    returned as ``(line, col, name)`` for a warning.

    Raises:
        FeedError: IMP001 with the line and column of the first error.
    """
    from xml.parsers import expat

    first: list[tuple[int, str]] = []

    def numeric(match: re.Match) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return match.group()
        if not first:
            first.append((match.start(), name))
        return f"&#{html.entities.name2codepoint[name]};"

    # The declaration names the original encoding; blanked, the UTF-8 bytes below are read as UTF-8.
    checked = _TEXT_DECLARATION.sub(lambda m: " " * len(m.group()), text, count=1)
    checked = _NAMED_ENTITY.sub(numeric, checked) if "&" in checked else checked
    data = checked.encode("utf-8", errors="surrogatepass")
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        offset = len(data[: parser.ErrorByteIndex].decode("utf-8", errors="ignore"))
        line, col = _text_position(checked, offset)
        raise FeedError("IMP001", f"not well-formed XML: {expat.ErrorString(error.code)}", line, col) from None
    if first:
        # Character references are longer than the names they replace: locate in the original text.
        start = text.find(f"&{first[0][1]};")
        return (*_text_position(text, max(start, 0)), first[0][1])
    return None


def _parse_xml(data: bytes, content_type: str | None) -> Feed:
    import feedparser

    text = decode_feed(data, content_type)
    root = _ROOT.search(text)
    root_name = root.group(1).split(":")[-1].lower() if root else ""
    if root_name == "html":
        line, col = _text_position(text, root.start())
        raise FeedError("IMP003", "not a feed: an HTML page (the feed's address may have moved)", line, col)
    html_entity = _check_well_formed(text)
    # feedparser sanitizes HTML by dropping data-src and referrerpolicy, which would lose lazy images;
    # postkit's converter removes scripts itself. Relative URLs resolve against the item's link later.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version"):
        found = f"the root element is <{root.group(1)}>" if root else "there is no XML element"
        line, col = _text_position(text, root.start()) if root else (1, 1)
        if root_name in _FEED_ROOTS:
            found = f"<{root.group(1)}> has no version feedparser knows"
        raise FeedError("IMP003", f"not an RSS or Atom feed: {found}", line, col)
    starts = [match.start() for match in _ITEM_START.finditer(text)]
    positions = [_text_position(text, start) for start in starts] if len(starts) == len(parsed.entries) else []
    # An Atom entry without an author has the feed's (RFC 4287 section 4.2.1); RSS has no such rule.
    feed_author = (parsed.feed.get("author_detail") or {}).get("name") if parsed.version.startswith("atom") else None
    items = []
    for index, entry in enumerate(parsed.entries):
        title_detail = entry.get("title_detail") or {}
        author = (entry.get("author_detail") or {}).get("name") or entry.get("author") or feed_author
        # dict.get: feedparser's own get() answers updated_parsed with published_parsed when absent.
        published = _struct_time(dict.get(entry, "published_parsed"))
        updated = _struct_time(dict.get(entry, "updated_parsed"))
        terms = [tag.get("term") or tag.get("label") for tag in entry.get("tags", [])]
        line, col = positions[index] if positions else (1, 1)
        items.append(Item(
            index=index,
            title=clean_title(entry.get("title", ""), title_detail.get("type") in ("text/html", "application/xhtml+xml")),
            link=(entry.get("link") or "").strip(),
            guid=(entry.get("id") or "").strip(),
            published=published,
            updated=updated,
            author=" ".join(author.split()) if isinstance(author, str) and author.strip() else None,
            categories=tuple(" ".join(term.split()) for term in terms if isinstance(term, str) and term.strip()),
            html=_entry_body(entry),
            image=_entry_image(entry),
            line=line,
            col=col,
        ))
    warnings = []
    if html_entity is not None:
        line, col, name = html_entity
        warnings.append((line, col, f"&{name}; is an HTML entity, not XML; read as HTML reads it"))
    return Feed(parsed.version, " ".join(parsed.feed.get("title", "").split()), items, warnings)


def _parse_json(data: bytes) -> Feed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, col = _position(data, error.start)
        guess = _guess(data, "utf-8")
        reads_as = f"; it reads as {guess}" if guess else ""
        raise FeedError("IMP002", f"a JSON Feed must be UTF-8, but byte 0x{data[error.start]:02x} is not UTF-8{reads_as}", line, col) from None
    try:
        title, entries = read_json_feed(text)
    except JsonFeedError as error:
        raise FeedError(error.code, error.message, error.line, error.col) from None
    items = [
        Item(
            index=index,
            title=clean_title(entry.get("title", ""), False),
            link=(entry.get("link") or "").strip(),
            guid=(entry.get("guid") or "").strip(),
            published=entry.get("published"),
            updated=entry.get("updated"),
            author=entry.get("author"),
            categories=tuple(" ".join(c.split()) for c in entry.get("categories", [])),
            html=entry.get("html", ""),
            image=entry.get("image"),
        )
        for index, entry in enumerate(entries)
    ]
    version = re.search(r"jsonfeed\.org/version/([0-9.]+)", text)
    return Feed("json" + (version.group(1) if version else ""), " ".join(title.split()), items)


def parse_feed(data: bytes, content_type: str | None = None) -> Feed:
    """Parse a feed document; JSON Feed when it starts with ``{`` or is served as JSON, else RSS or Atom.

    Raises:
        FeedError: IMP001 not well-formed (XML or JSON), IMP002 an encoding
            that does not match the bytes, IMP003 not a feed.
    """
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if stripped.startswith(b"{") or media_type in ("application/feed+json", "application/json"):
        return _parse_json(data)
    if not stripped:
        raise FeedError("IMP003", "not a feed: the document is empty")
    _sniff(data, stripped, media_type)
    return _parse_xml(data, content_type)


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
_HTML_ELEMENT = re.compile(rb"<html[\s>]", re.I)
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|<!--.*?-->)*(<(?:!doctype\s+html|html[\s>]))", re.I | re.S)


def _sniff(data: bytes, stripped: bytes, media_type: str) -> None:
    """Refuse what is plainly not a feed before decoding it: an image or other binary file, an HTML page.

    Raises:
        FeedError: IMP003 naming what the document is.
    """
    for signature, what in _SIGNATURES:
        if stripped.startswith(signature):
            raise FeedError("IMP003", f"not a feed: {what}", 1, 1)
    if stripped.startswith(b"RIFF") and stripped[8:12] == b"WEBP":
        raise FeedError("IMP003", "not a feed: a WebP image", 1, 1)
    if media_type.split("/", 1)[0] in ("image", "audio", "video") or media_type in ("application/pdf", "application/zip"):
        raise FeedError("IMP003", f"not a feed: served as {media_type}", 1, 1)
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        nul = data.find(b"\x00", 0, 4096)
        if nul >= 0:
            raise FeedError("IMP003", "not a feed: binary data (a NUL byte)", *_position(data, nul))
    page = _HTML_START.match(data)
    if page:
        element = _HTML_ELEMENT.search(data, page.start(1))
        start = element.start() if element else page.start(1)
        raise FeedError("IMP003", "not a feed: an HTML page (the feed's address may have moved)", *_position(data, start))
