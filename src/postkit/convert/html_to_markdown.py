"""Turn an HTML post body into clean CommonMark/GFM Markdown that renders the same in Hexo."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction
from markdownify import MarkdownConverter

from postkit.core.srcset import largest_srcset_candidate

__all__ = ["Conversion", "ConversionError", "convert_html", "html_to_markdown", "looks_like_html"]


class ConversionError(Exception):
    """A body that cannot be converted; the message says why, for a per-file report."""


# Private-use code points stand for things whose final form depends on context that is only
# known once the whole block is assembled. Any that occur in the input are removed first.
BREAK = "\ue000"  # a <br> at the top level of a block: a hard break, or a paragraph break in a run
HARD_BREAK = "\ue001"  # a <br> inside an inline span (emphasis, link): always a hard break
SOFT_SPACE = "\ue002"  # whitespace that held a newline: nothing between CJK characters, else a space
OPEN_GUARD = "\ue003"  # before an emphasis opener: a space if the opener would not be left-flanking
CLOSE_GUARD = "\ue004"  # after an emphasis closer: a space if the closer would not be right-flanking
BLOCK_OPEN = "\ue005"  # BLOCK_OPEN + index + BLOCK_CLOSE: a fenced code block, put back last
BLOCK_CLOSE = "\ue006"
SENTINELS = re.compile("[\ue000-\ue006]")
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Deeper nesting than this carries no meaning in a post; subtrees below it are flattened to text,
# images and breaks, so the recursive converter (one frame per level) stays far from Python's
# recursion limit of 1000.
MAX_DEPTH = 200
# Quotes nested deeper than this are drawn as plain blocks: no reader counts ten bars.
MAX_QUOTE_DEPTH = 10
HIDDEN_STRINGS = (Comment, Doctype, CData, ProcessingInstruction, Declaration)

HTML5_VOID_TAGS = ["source", "track", "wbr", "embed", "keygen"]
HTML5_VOID_TAG = re.compile(r"<(?:source|track|wbr|embed|keygen)\b", re.I)
DROPPED_TAGS = {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base",
    "object", "embed", "applet", "param", "canvas", "map", "area", "svg", "math",
    "input", "select", "textarea", "option", "datalist", "track", "wbr", "keygen", "dialog",
}
# The HTML elements that start a new line; they match what a browser shows as separate lines.
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "tr", "td", "th", "section", "article", "header", "footer", "figure",
    "figcaption", "hr", "dl", "dt", "dd", "main", "nav", "aside", "address", "center",
    "hgroup", "caption", "details", "summary", "form", "fieldset", "legend", "iframe",
    "video", "audio", "br",
}
SAME_EMPHASIS = {"**": {"strong", "b"}, "*": {"em", "i", "cite", "dfn", "var"}, "~~": {"del", "s", "strike"}}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
EMPHASIS_TAGS = {"strong", "b", "em", "i", "del", "s", "strike"}
# Raw HTML that Markdown cannot express and that postkit keeps (check "clean").
SAFE_ATTRIBUTES = ("src", "href", "title", "alt", "width", "height", "controls", "allowfullscreen")
MEDIA_TAGS = {"iframe", "video", "audio"}
# Block content a GFM table cell cannot hold.
LAYOUT_BLOCK_TAGS = {"ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
# The HTML table model caps colspan at 1000.
MAX_COLSPAN = 1000

LAZY_IMAGE_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-original-src")
SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
# A lazy loader's stand-in, recognised by what it is: a data: URI, about:blank, or a file whose whole
# name is a known blank, loading or spacer image ("pic_blank.gif", "loading.gif", "grey-1x1.png"),
# never a real picture whose name merely starts with such a word ("lazy-1.png").
PLACEHOLDER_FILE_NAME = re.compile(
    r"^(?:[a-z0-9]+[_-])?(?:blank|spacer|placeholder|loading|loader|lazy|lazyload|grey|gray|transparent"
    r"|empty|pixel|1x1|clear)(?:[-_]?\d+x\d+)?\.(?:gif|png|svg|jpe?g|webp)$",
    re.I,
)
# Jetpack's lazy images carry "is-pending-load=1", and WordPress writes "&" as "#038;" in them.
CLOUDFLARE_EMAIL_LINK = re.compile(r"(?:^|/)cdn-cgi/l/email-protection#([0-9a-fA-F]{4,})$")
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
JETPACK_PENDING = re.compile(r"[?&#]is-pending-load=1(?:#038;|&)?")
TRACKING_PIXEL_URL = re.compile(r"/_/stat\?|feeds\.feedburner\.com/~r/|/pixel\.(?:gif|png)|[?&]utm_source=.*[?&]?open", re.I)
LANGUAGE_CLASS = re.compile(r"^(?:language|lang|highlight-source|brush:?)-?([\w#+.-]+)$", re.I)

ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Characters that open or close Markdown syntax that the converter itself wrote; emphasis markers
# may not move them. Escaped characters ("\*") travel as a pair and may move.
SYNTAX_CHARS = set("*~`[]!<>()&")
WHITESPACE_CHARS = " \t\n\r\f\u00a0\u3000" + SOFT_SPACE
BREAK_CHARS = BREAK + HARD_BREAK
HTML_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f]+")
TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


# Whitespace-only text next to a block tag draws nothing in a browser (it sits at a line's edge),
# and the converter skips it anyway. Most feed HTML is indented, so such runs are most of the
# text nodes: dropping them before parsing saves building them. <pre> and its kin keep theirs.
_BLOCK_NAMES = "|".join(sorted((BLOCK_TAGS | {"tbody", "thead", "tfoot"}) - {"video", "audio", "iframe"}, key=len, reverse=True))
SPACE_AFTER_BLOCK_TAG = re.compile(r"(</?(?:" + _BLOCK_NAMES + r")\b[^<>]*>)[ \t\r\n\f]+(?=<)", re.I)
SPACE_BEFORE_BLOCK_TAG = re.compile(r"(?<=>)[ \t\r\n\f]+(?=</?(?:" + _BLOCK_NAMES + r")\b)", re.I)
PRESERVED_REGION = re.compile(r"<(pre|textarea|xmp|listing|plaintext)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)


def _drop_unrendered_space(html: str) -> str:
    def strip(part: str) -> str:
        # split keeps the captured tags and drops the space between them, with no template per match
        return SPACE_BEFORE_BLOCK_TAG.sub("", "".join(SPACE_AFTER_BLOCK_TAG.split(part)))

    pieces, last = [], 0
    for match in PRESERVED_REGION.finditer(html):
        pieces.append(strip(html[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(strip(html[last:]))
    return "".join(pieces)


# Patterns of the per-node helpers, compiled once.
LINK_TEXT_SPECIAL = re.compile(r"([\\\[\]`])")
DESTINATION_NEEDS_BRACKETS = re.compile(r"[\s<>]")
BRACKETED_DESTINATION_SPECIAL = re.compile(r"([<>\\])")
WORD_CHAR = re.compile(r"\w")
BLOCK_SEPARATOR = re.compile(r"(\n{2,})")
BLOCK_PREFIX = re.compile(r"^((?:[ ]*(?:#{1,6} |> |[-+*] |\d{1,9}[.)] ))*)(.*)$", re.S)
BREAK_RUN = re.compile("[ \t\u00a0\u3000\ue002]*[\ue000\ue001][\ue000\ue001 \t\u00a0\u3000\ue002]*")
PARAGRAPH_GAP = re.compile(r"\s*\n{2,}\s*")
ONE_BREAK = re.compile("[ \t\u00a0\u3000\ue002]*[\ue000\ue001][ \t\u00a0\u3000\ue002]*")
SOFT_SPACE_RUN = re.compile("[ \ue002]*\ue002[ \ue002]*")
# A run of spaces after text, or (kept as it is) a line's quote markers with the indentation
# after them that puts the line inside a list item of the quote.
SPACE_RUN_AFTER_TEXT = re.compile(r"(^[> ]*> +)|(?<=\S) {2,}", re.M)
BREAK_TAG_OR_SPACE = re.compile(r"<br>|\s")
LEADING_BLANK_LINES = re.compile(r"^(?:[ \t]*\n)+")
BACKTICK_RUN = re.compile(r"`+")
BREAK_CHAR_RUN = re.compile("([\ue000\ue001]+)")
LINK_TEXT_EDGES = re.compile(r"^([\s\ue000-\ue002]*)(.*?)([\s\ue000-\ue002]*)$", re.S)
AUTOLINK_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*$")
AUTOLINK_SPECIAL = re.compile(r"[\\`*_\[\]]")
DIGITS = re.compile(r"\d+")


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") and not char.isspace()


def _is_punctuation(char: str) -> bool:
    """Punctuation as CommonMark 0.31 counts it for emphasis flanking: Unicode P and S categories."""
    return char in ASCII_PUNCTUATION or unicodedata.category(char)[0] in "PS"


# ---------------------------------------------------------------------------------------------
# Text escaping (CommonMark spec 2.4 backslash escapes, 6.6 raw HTML, 4.x block starts)

ESCAPE_ALWAYS = re.compile(r"([\\`*\[\]~])")
ESCAPE_ANGLE = re.compile(r"<(?=[A-Za-z/!?])")
ESCAPE_ENTITY = re.compile(r"&(?=#?\w+;)")
LINE_START_CHARS = set("#-+=>0123456789")
LINE_START_MARKUP = re.compile(
    r"^(?:(#{1,6})(?=[ \t]|$)|([-+=])(?=[ \t]|$)|(-+|=+)[ \t]*$|(>)|(\d{1,9})([.)])(?=[ \t]|$))"
)


def _escape_underscores(text: str) -> str:
    # "_" only opens or closes emphasis when a side is not alphanumeric, so snake_case stays as is
    out = []
    for index, char in enumerate(text):
        if char == "_":
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if not (before.isalnum() and after.isalnum()):
                out.append("\\_")
                continue
        out.append(char)
    return "".join(out)


def _escape_line_start(text: str) -> str:
    def replace(match: re.Match) -> str:
        if match.group(1):
            return "\\" + match.group(1)
        if match.group(2):
            return "\\" + match.group(2)
        if match.group(3):
            return "\\" + match.group(3)
        if match.group(4):
            return "\\>"
        return match.group(5) + "\\" + match.group(6)

    return LINE_START_MARKUP.sub(replace, text, count=1)


# Any character that one of the escapes below may touch; most CJK text has none.
MAY_NEED_ESCAPE = re.compile(r"[\\`*\[\]~_<&]")


def _escape_text(text: str) -> str:
    if not MAY_NEED_ESCAPE.search(text):
        return text
    text = ESCAPE_ALWAYS.sub(r"\\\1", text)
    if "_" in text:
        text = _escape_underscores(text)
    text = ESCAPE_ANGLE.sub(r"\\<", text)
    return ESCAPE_ENTITY.sub(r"\\&", text)


def _escape_link_text_part(text: str) -> str:
    """Alt text and titles: only what would end or re-open the construct, plus raw HTML starts."""
    text = LINK_TEXT_SPECIAL.sub(r"\\\1", text)
    text = ESCAPE_ANGLE.sub(r"\\<", text)
    return ESCAPE_ENTITY.sub(r"\\&", text)


def _collapse_whitespace(text: str) -> str:
    if "\n" not in text and "\r" not in text:
        if "  " not in text and "\t" not in text and "\f" not in text:
            return text  # most text nodes: nothing to collapse, and str scans cost less than a regex
        # No line breaks: every run is a plain space, and the regex engine can write it alone.
        return HTML_WHITESPACE_RUN.sub(" ", text)

    def replace(match: re.Match) -> str:
        run = match.group(0)
        return SOFT_SPACE if ("\n" in run or "\r" in run) and " " not in run.strip("\n\r") else " "

    return HTML_WHITESPACE_RUN.sub(replace, text)


# ---------------------------------------------------------------------------------------------
# URLs

def _format_destination(url: str) -> str:
    """A link destination (CommonMark 6.3): angle brackets when it holds spaces or odd parentheses."""
    url = ESCAPE_ENTITY.sub(r"\\&", url)
    depth, balanced = 0, True
    for char in url:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                balanced = False
    if depth:
        balanced = False
    if not url or DESTINATION_NEEDS_BRACKETS.search(url) or not balanced:
        return "<" + BRACKETED_DESTINATION_SPECIAL.sub(r"\\\1", url.replace("\n", "")) + ">"
    return url


def _format_title(title: str) -> str:
    title = " ".join(title.split())
    return ' "' + _escape_link_text_part(title).replace('"', '\\"') + '"' if title else ""


def is_placeholder_image(url: str) -> bool:
    """Whether ``url`` is a lazy loader's stand-in rather than a picture of the post."""
    if url.lower().startswith(("data:", "about:blank")):
        return True
    try:
        path = urlsplit(url).path if "//" in url or "?" in url or "#" in url else url
    except ValueError:  # an unparsable URL (``http://[bad``) is kept as written
        path = url
    return bool(PLACEHOLDER_FILE_NAME.match(path.rsplit("/", 1)[-1]))


def _undo_jetpack(url: str) -> str:
    if "#038;" not in url and "is-pending-load" not in url:
        return url
    url = JETPACK_PENDING.sub(lambda match: "?" if match.group(0)[0] == "?" else "&", url.replace("&#038;", "&"))
    return url.rstrip("?&").replace("#038;", "&")


def image_url(tag: Tag) -> str:
    """The URL a reader's browser shows for an <img>, or "" when it has none.

    A lazy attribute (``data-src`` and kin) wins, since the page's loader swaps it in whatever
    ``src`` holds; then ``src``; then the largest candidate of ``srcset`` or its lazy forms.
    Placeholders (:func:`is_placeholder_image`) never count.
    """
    for attribute in LAZY_IMAGE_ATTRIBUTES:
        value = _undo_jetpack((tag.get(attribute) or "").strip())
        if value and not is_placeholder_image(value):
            return value
    src = _undo_jetpack((tag.get("src") or "").strip())
    if src and not is_placeholder_image(src):
        return src
    for attribute in SRCSET_ATTRIBUTES:
        value = _undo_jetpack(largest_srcset_candidate(tag.get(attribute) or ""))
        if value and not is_placeholder_image(value):
            return value
    return ""


def _is_tracking_pixel(tag: Tag, url: str) -> bool:
    def tiny(attribute: str) -> bool:
        value = (tag.get(attribute) or "").strip().removesuffix("px")
        return value in ("0", "1")

    return (tiny("width") and tiny("height")) or bool(TRACKING_PIXEL_URL.search(url))


# ---------------------------------------------------------------------------------------------
# Tree preparation: everything that is easier on the tree than on Markdown strings

def _prepare(
    soup: BeautifulSoup, base_url: str | None, keep_url: Callable[[str], bool] | None = None, has_void_tags: bool = True
) -> int:
    """Drop invisible nodes, resolve URLs and flatten meaningless depth, in one pass without recursion.

    Returns how many kept images carried a ``referrerpolicy``, which Markdown cannot keep.
    """

    def absolute(url: str) -> str:
        if url.startswith("//"):
            return "https:" + url
        if keep_url is not None and keep_url(url):
            return url
        if base_url and not URL_SCHEME.match(url):
            try:
                return urljoin(base_url, url)
            except ValueError:  # the base or the URL cannot be parsed (``http://[bad``): keep it as written
                return url
        return url

    # libxml2 parses HTML 4, where these void elements of HTML 5 are unknown: it nests what
    # follows them inside them. Put that content back after them (the search walks the whole
    # tree, so only when the body has one).
    for void in soup.find_all(HTML5_VOID_TAGS) if has_void_tags else ():
        for child in reversed(list(void.contents)):
            void.insert_after(child.extract())

    referrer_policy_images = 0
    stack: list[tuple[Tag, int, int]] = [(soup, 0, 0)]
    while stack:
        node, depth, quotes = stack.pop()
        for child in list(node.contents):
            if not isinstance(child, Tag):
                if type(child) is not NavigableString and isinstance(child, HIDDEN_STRINGS):
                    child.extract()
                continue
            name = child.name
            if name in DROPPED_TAGS:
                child.decompose()
                continue
            if name == "img":
                url = image_url(child)
                if not url or _is_tracking_pixel(child, url):
                    child.decompose()
                    continue
                if (child.get("referrerpolicy") or "").strip():
                    referrer_policy_images += 1
                child.attrs = {"src": absolute(url), "alt": child.get("alt") or "", "title": child.get("title") or ""}
                continue
            if name == "br" or name == "hr":
                continue
            if child.get("data-cfemail") is not None:
                # Cloudflare's script puts the decoded address in place of "[email protected]".
                address = decode_cloudflare_email(child["data-cfemail"])
                if address is not None:
                    if name == "a":
                        child.clear()
                        child.append(address)
                        child["href"] = "mailto:" + address
                    else:
                        child.replace_with(address)
                        continue
            if name == "a" and child.get("href"):
                href = child["href"].strip()
                protected = CLOUDFLARE_EMAIL_LINK.search(href)
                if protected:
                    address = decode_cloudflare_email(protected.group(1))
                    href = "mailto:" + address if address is not None else href
                # markdown-it and marked refuse these schemes; "#x" targets ids that Markdown drops
                if href.lower().startswith(("javascript:", "#", "vbscript:", "file:", "data:")) or not href:
                    del child["href"]
                else:
                    child["href"] = href if href.startswith("//") else absolute(href)
            elif name in MEDIA_TAGS or name == "source":
                if child.get("src"):
                    child["src"] = absolute(child["src"].strip())
            elif name in ("ul", "ol") and node.name in ("ul", "ol"):
                # A list directly inside a list is drawn by browsers under the previous item.
                previous = child.find_previous_sibling("li")
                if previous is not None:
                    previous.append(child.extract())
                    stack.append((previous, depth + 1, quotes))
                    continue
            elif name in EMPHASIS_TAGS:
                _push_emphasis_into_link(soup, child)
            elif name == "blockquote" and quotes >= MAX_QUOTE_DEPTH:
                child.name = "div"  # each level of quote re-prefixes every line below it
            if depth >= MAX_DEPTH and name != "pre":
                child = _flatten(soup, child)
            stack.append((child, depth + 1, quotes + 1 if child.name == "blockquote" else quotes))
    return referrer_policy_images


def decode_cloudflare_email(encoded: str) -> str | None:
    """The address behind Cloudflare's e-mail protection (``data-cfemail`` or ``email-protection#HEX``).

    The first byte is a key XOR-ed with every following byte; None when the value does not decode.
    """
    try:
        data = bytes.fromhex(encoded.strip())
        address = bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return address if "@" in address and not CONTROL_CHARS.search(address) else None


def _flatten(soup: BeautifulSoup, tag: Tag) -> Tag:
    """Replace a subtree by a <div> of its text, images and breaks, in one pass without recursion.

    The <div> holds only strings, <img> and <br>, so nothing below it is flattened again: the
    whole job stays linear in the size of the subtree, however deep it nests.
    """
    flat = soup.new_tag("div")
    pieces: list = []  # strings, and Tags for <img> and <br>; runs of text are joined
    text: list[str] = []
    BOUNDARY = object()
    pending: list = [tag]
    while pending:
        node = pending.pop()
        if node is BOUNDARY or isinstance(node, Tag) and node.name in ("img", "br"):
            if text:
                pieces.append("".join(text))
                text.clear()
            if node is BOUNDARY:
                # a block edge draws one line break, however many edges meet there
                if pieces and not (isinstance(pieces[-1], Tag) and pieces[-1].name == "br"):
                    pieces.append(soup.new_tag("br"))
            elif node.name == "br" or node.attrs:
                pieces.append(soup.new_tag(node.name, attrs=dict(node.attrs)))
            continue
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:
                text.append(str(node))
            continue
        if node.name in DROPPED_TAGS:
            continue
        block = node is not tag and node.name in BLOCK_TAGS
        if block:
            pending.append(BOUNDARY)
        pending.extend(reversed(node.contents))
        if block:
            pending.append(BOUNDARY)
    if text:
        pieces.append("".join(text))
    for piece in pieces:
        flat.append(NavigableString(piece) if isinstance(piece, str) else piece)
    tag.replace_with(flat)
    return flat


def _push_emphasis_into_link(soup: BeautifulSoup, tag: Tag) -> None:
    # "**[text](url)**" next to CJK text breaks CommonMark flanking; "[**text**](url)" does not.
    content = [c for c in tag.contents if not (isinstance(c, NavigableString) and not c.strip())]
    if len(content) == 1 and isinstance(content[0], Tag) and content[0].name == "a":
        link = content[0]
        wrapper = soup.new_tag(tag.name)
        for child in list(link.contents):
            wrapper.append(child.extract())
        link.append(wrapper)
        tag.unwrap()


# ---------------------------------------------------------------------------------------------
# Inline emphasis: markers that render in CommonMark next to CJK punctuation (B01, B03)

def _split_edges(text: str) -> tuple[str, str, str]:
    """Split text into (leading, core, trailing) where the edges hold what may sit outside markers."""

    def movable_units(s: str, from_end: bool) -> int:
        count = 0
        n = len(s)
        while count < n:
            if from_end:
                index = n - 1 - count
                char = s[index]
                if index >= 1 and s[index - 1] == "\\" and char in ASCII_PUNCTUATION and not _escaped_backslash(s, index - 1):
                    count += 2
                    continue
            else:
                char = s[count]
                if char == "\\" and count + 1 < n and s[count + 1] in ASCII_PUNCTUATION:
                    count += 2
                    continue
            if char.isspace() or char in WHITESPACE_CHARS or char in BREAK_CHARS:
                count += 1
            elif char not in SYNTAX_CHARS and char != "\\" and _is_punctuation(char):
                count += 1
            else:
                break
        return count

    head = movable_units(text, from_end=False)
    leading, rest = text[:head], text[head:]
    tail = movable_units(rest, from_end=True)
    return leading, rest[: len(rest) - tail], rest[len(rest) - tail:]


def _escaped_backslash(s: str, index: int) -> bool:
    """Whether the backslash at index is itself escaped by an odd run of backslashes before it."""
    run = 0
    while index - 1 - run >= 0 and s[index - 1 - run] == "\\":
        run += 1
    return run % 2 == 1


def _wrap_inline(text: str, marker: str) -> str:
    leading, core, trailing = _split_edges(text)
    if not core or not WORD_CHAR.search(core):
        return text
    core = core.replace(BREAK, HARD_BREAK)
    return leading + OPEN_GUARD + marker + core + marker + CLOSE_GUARD + trailing


def _apply_per_block(text: str, wrap) -> str:
    """Apply an inline wrapper to each block of text; Markdown spans cannot cross block boundaries."""
    pieces = []
    for piece in BLOCK_SEPARATOR.split(text):
        if not piece.strip() or piece.startswith("\n"):
            pieces.append(piece)
            continue
        match = BLOCK_PREFIX.match(piece)
        prefix, body = match.group(1), match.group(2)
        pieces.append(piece if BLOCK_OPEN in body else prefix + wrap(body))
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# Block finishing


def _resolve_breaks(text: str, *, paragraph_runs: bool) -> str:
    """Breaks inside a block: none at its edges, runs of two or more become a paragraph break."""
    text = text.strip(WHITESPACE_CHARS + BREAK_CHARS)
    if BREAK not in text and HARD_BREAK not in text:
        return text  # nested blocks would rescan the same text at every level

    def replace(match: re.Match) -> str:
        run = match.group(0)
        start, end = match.start(), match.end()
        if (start == 0 or text[start - 1] == "\n") or (end == len(text) or text[end] == "\n"):
            return ""  # a break next to a block boundary draws nothing more
        if paragraph_runs and run.count(BREAK) >= 2 and HARD_BREAK not in run:
            return "\n\n"
        return "\\\n" * max(1, run.count(BREAK) + run.count(HARD_BREAK))

    text = BREAK_RUN.sub(replace, text)
    return text


def _inline_breaks(text: str) -> str:
    """Breaks where Markdown has a one-line context (headings, table cells): a raw <br>."""
    text = text.strip(WHITESPACE_CHARS + BREAK_CHARS)
    text = PARAGRAPH_GAP.sub(BREAK, text)
    text = text.replace("\\\n", BREAK)
    return ONE_BREAK.sub("<br>", text).replace("\n", " ")


def _resolve_spaces(text: str) -> str:
    def soft(match: re.Match) -> str:
        run = match.group(0)
        start, end = match.start(), match.end()
        if " " not in run and 0 < start and end < len(text) and _is_cjk(text[start - 1]) and _is_cjk(text[end]):
            return ""
        return " "

    if SOFT_SPACE in text:
        text = SOFT_SPACE_RUN.sub(soft, text)
    return SPACE_RUN_AFTER_TEXT.sub(_one_space, text) if "  " in text else text


def _one_space(match: re.Match) -> str:
    return match.group(1) or " "


GUARDED_MARKER = re.compile("\ue003([*~]+)|([*~]+)\ue004")


def _resolve_guards(text: str) -> str:
    """Insert a space only where an emphasis marker would otherwise not flank (CommonMark 6.2)."""
    if OPEN_GUARD not in text:
        return text
    text = text.replace(CLOSE_GUARD + OPEN_GUARD, CLOSE_GUARD + " " + OPEN_GUARD)

    def resolve(match: re.Match) -> str:
        before = _neighbour(text, match.start(), -1)
        after = _neighbour(text, match.end() - 1, 1)
        if match.group(1) is not None:
            # an opener followed by punctuation must follow whitespace, punctuation or nothing
            inside, outside, marker = after, before, match.group(1)
        else:
            inside, outside, marker = before, after, match.group(2)
        needs_space = (
            inside and _is_punctuation(inside) and outside and not outside.isspace() and not _is_punctuation(outside)
        )
        space = " " if needs_space else ""
        return space + marker if match.group(1) is not None else marker + space

    return GUARDED_MARKER.sub(resolve, text)


def _neighbour(text: str, index: int, step: int) -> str:
    index += step
    while 0 <= index < len(text) and text[index] in (OPEN_GUARD, CLOSE_GUARD):
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _continuation_prefix(prefix: str) -> str:
    """What continues the block a line's ``prefix`` opens: its quote markers kept, its list markers as spaces.

    ``"- "`` gives ``"  "`` and ``"> 1. "`` gives ``">    "``, so a fenced code block that starts an
    item or a quote goes on inside it (CommonMark 5.1 and 5.2).
    """
    return "".join(c if c == ">" else " " for c in prefix) if prefix.strip() else prefix


# ---------------------------------------------------------------------------------------------
# The converter


class PostConverter(MarkdownConverter):
    """markdownify with one convert_<tag> per concern; one instance per conversion."""

    class Options(MarkdownConverter.DefaultOptions):
        bs4_options = "lxml"
        heading_style = "atx"
        bullets = "-"
        strong_em_symbol = "*"
        newline_style = "backslash"
        escape_asterisks = False
        escape_underscores = False
        escape_misc = False
        strip_document = "strip"

    def __init__(self, **options):
        super().__init__(**options)
        self.code_blocks: list[str] = []

    # -- traversal -----------------------------------------------------------------------------

    def process_tag(self, node, parent_tags=None):
        # markdownify's own traversal looks up ancestors per node and spends three frames per
        # level; this one reads the context from parent_tags and recurses once per level.
        parent_tags = parent_tags if parent_tags is not None else set()
        name = node.name
        if name == "pre":
            return self.convert_pre(node, "", parent_tags)
        if name == "table":
            return self.convert_table(node, "", parent_tags)
        if name == "ruby":
            return self.convert_ruby(node, parent_tags)
        child_tags = parent_tags | {name}
        if name in HEADING_TAGS or name in ("td", "th"):
            child_tags.add("_inline")
        elif name in ("code", "kbd", "samp", "tt"):
            child_tags.add("_noformat")
        block = name in BLOCK_TAGS or name == "[document]"
        pieces = []
        for child in node.children:
            if isinstance(child, NavigableString):
                if not child.strip(" \t\n\r\f"):
                    before, after = child.previous_sibling, child.next_sibling
                    if (block and (before is None or after is None)) or _is_block(before) or _is_block(after):
                        continue
                out = self.process_text(child, child_tags)
            else:
                out = self.process_tag(child, child_tags)
            if out:
                pieces.append(out)
        text = "".join(pieces)
        if "\n\n\n" in text:
            text = BLANK_LINES_RUN.sub("\n\n", text)
        convert = self.get_conv_fn_cached(name)
        return convert(node, text, parent_tags) if convert is not None else text

    def process_text(self, el, parent_tags=None):
        parent_tags = parent_tags or set()
        text = str(el)
        if "pre" in parent_tags:
            return text
        if "_noformat" in parent_tags:
            return HTML_WHITESPACE_RUN.sub(" ", text)
        text = _collapse_whitespace(text)
        text = _escape_text(text)
        if text.lstrip(" \ue002\u00a0\u3000")[:1] in LINE_START_CHARS and _starts_line(el):
            stripped = text.lstrip(" " + SOFT_SPACE + "\u00a0\u3000")
            text = text[: len(text) - len(stripped)] + _escape_line_start(stripped)
        return text

    # -- blocks --------------------------------------------------------------------------------

    def _block(self, text: str) -> str:
        text = _resolve_breaks(text, paragraph_runs=True)
        return "\n\n" + text + "\n\n" if text else ""

    def convert_p(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return BREAK + text + BREAK
        return self._block(text)

    def convert_div(self, el, text, parent_tags):
        return self.convert_p(el, text, parent_tags)

    convert_section = convert_article = convert_header = convert_footer = convert_div
    convert_main = convert_nav = convert_aside = convert_address = convert_center = convert_div
    convert_hgroup = convert_form = convert_fieldset = convert_legend = convert_caption = convert_div
    convert_figure = convert_figcaption = convert_dl = convert_dt = convert_dd = convert_div
    convert_details = convert_summary = convert_div

    def convert_br(self, el, text, parent_tags):
        return BREAK

    def convert_hr(self, el, text, parent_tags):
        return "\n\n---\n\n" if "_inline" not in parent_tags else BREAK

    def convert_hN(self, n, el, text, parent_tags):
        if "_inline" in parent_tags:
            return BREAK + text + BREAK
        text = _inline_breaks(text)
        if not BREAK_TAG_OR_SPACE.sub("", text):
            return ""
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        return "\n\n" + "#" * max(1, min(6, n)) + " " + text + "\n\n"

    def convert_blockquote(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return BREAK + text + BREAK
        text = _resolve_breaks(text, paragraph_runs=True).strip("\n")
        if not text.strip():
            return ""
        quoted = "\n".join("> " + line if line else ">" for line in text.split("\n"))
        return "\n\n" + quoted + "\n\n"

    def convert_list(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return BREAK + text + BREAK
        text = text.strip("\n")
        if not text.strip():
            return ""
        if "li" in parent_tags:
            return "\n" + text + "\n"
        return "\n\n" + text + "\n\n"

    convert_ul = convert_ol = convert_list

    def convert_li(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return text + BREAK  # the list puts a break before its first item: one break per item
        text = _resolve_breaks(text, paragraph_runs=True).strip("\n")
        text = BLANK_LINES_RUN.sub("\n\n", text)
        if not text.strip():
            return ""
        parent = el.parent
        # CommonMark joins adjacent lists with the same marker into one: alternate the marker
        second = parent is not None and _lists_before(parent) % 2 == 1
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1").strip()
            number = int(start) if start.isdigit() else 1
            number += sum(1 for sibling in el.previous_siblings if getattr(sibling, "name", None) == "li")
            bullet = f"{number}) " if second else f"{number}. "
        else:
            bullet = "* " if second else "- "
        indent = " " * len(bullet)
        lines = text.split("\n")
        body = "\n".join([bullet + lines[0]] + [indent + line if line else "" for line in lines[1:]])
        return body + "\n"

    # -- code (B06, B07, B11) --------------------------------------------------------------------

    def convert_pre(self, el, text, parent_tags):
        for br in el.find_all("br"):
            br.replace_with("\n")
        code = el.get_text().replace("\r\n", "\n").replace("\r", "\n")
        code = LEADING_BLANK_LINES.sub("", code).rstrip()
        language = ""
        for tag in [el] + el.find_all("code", limit=1):
            for cls in (tag.get("class") or "").split():
                match = LANGUAGE_CLASS.match(cls)
                if match:
                    language = match.group(1)
                    break
            if language:
                break
        longest = max((len(run) for run in BACKTICK_RUN.findall(code)), default=0)
        fence = "`" * max(3, longest + 1)
        block = fence + language + "\n" + (code + "\n" if code else "") + fence
        if "_inline" in parent_tags:
            return BREAK + self.convert_code(el, code, parent_tags - {"_noformat"}) + BREAK
        self.code_blocks.append(block)
        return "\n\n" + BLOCK_OPEN + str(len(self.code_blocks) - 1) + BLOCK_CLOSE + "\n\n"

    def convert_code(self, el, text, parent_tags):
        if "_noformat" in parent_tags and el.name in ("code", "kbd", "samp", "tt"):
            return text
        text = HTML_WHITESPACE_RUN.sub(" ", text)
        if not text.strip():
            return text
        if BREAK_CHARS[0] in text or BREAK_CHARS[1] in text:
            # A code span cannot hold a line break: each line becomes a span of its own.
            pieces = BREAK_CHAR_RUN.split(text)
            return "".join(
                piece if index % 2 else self.convert_code(el, piece, parent_tags) for index, piece in enumerate(pieces)
            )
        if TEMPLATE_OPENER.search(text):
            # Hexo runs Nunjucks over the body, and a code span would show "&#123;" literally; raw
            # <code> with the braces as entities shows the code as code and hides it from Nunjucks.
            tag = "kbd" if el.name == "kbd" else "code"
            return f"<{tag}>" + _html_text(text) + f"</{tag}>"
        longest = max((len(run) for run in BACKTICK_RUN.findall(text)), default=0)
        delimiter = "`" * (longest + 1)
        if text.startswith(("`", " ")) or text.endswith(("`", " ")) or longest:
            text = " " + text + " "
        return delimiter + text + delimiter

    convert_kbd = convert_samp = convert_tt = convert_code

    # -- inline --------------------------------------------------------------------------------

    def _emphasis(self, el, text, parent_tags, marker):
        # emphasis inside the same emphasis draws nothing more in HTML, and "****" breaks Markdown
        if "_noformat" in parent_tags or not parent_tags.isdisjoint(SAME_EMPHASIS[marker]):
            return text
        return _apply_per_block(text, lambda piece: _wrap_inline(piece, marker))

    def convert_strong(self, el, text, parent_tags):
        return self._emphasis(el, text, parent_tags, "**")

    def convert_em(self, el, text, parent_tags):
        return self._emphasis(el, text, parent_tags, "*")

    def convert_del(self, el, text, parent_tags):
        return self._emphasis(el, text, parent_tags, "~~")

    convert_b = convert_strong
    convert_i = convert_cite = convert_dfn = convert_var = convert_em
    convert_s = convert_strike = convert_del

    def _raw_inline(self, el, text, parent_tags):
        if "_noformat" in parent_tags or not text.strip(WHITESPACE_CHARS):
            return text
        leading, core, trailing = _split_edges(text)
        return leading + f"<{el.name}>" + core.replace(BREAK, HARD_BREAK) + f"</{el.name}>" + trailing

    convert_sup = convert_sub = convert_u = convert_mark = _raw_inline

    def convert_ruby(self, el, parent_tags):
        """Ruby in reading order: each base, then its annotation in the <rp> parentheses ("(" and ")" when none).

        Bases are the text between annotations, or each <rb>; annotations pair with the bases before
        them in order, so ``<rb>A</rb><rb>B</rb><rt>a</rt><rt>b</rt>`` reads ``A(a)B(b)``.
        """
        child_tags = parent_tags | {"ruby"}
        opening, closing = "(", ")"
        parentheses = [child.get_text() for child in el.find_all("rp")]
        if len(parentheses) >= 2:
            opening, closing = parentheses[0], parentheses[1]
        bases: list[str] = []  # bases waiting for their annotation
        current: list[str] = []
        out: list[str] = []

        def close_base() -> None:
            if current:
                bases.append("".join(current))
                current.clear()

        annotations: list[Tag] = []
        for child in el.children:
            if isinstance(child, Tag) and child.name == "rtc":
                annotations.extend(c for c in child.children if isinstance(c, Tag) and c.name == "rt")
                close_base()
                continue
            if isinstance(child, Tag) and child.name == "rt":
                close_base()
                annotations.append(child)
                continue
            if annotations:
                self._pair_ruby(bases, annotations, out, opening, closing, child_tags)
            if isinstance(child, Tag) and child.name == "rp":
                continue
            if isinstance(child, Tag) and child.name == "rb":
                close_base()
                current.append(self.process_tag(child, child_tags))
                close_base()
            elif isinstance(child, NavigableString):
                current.append(self.process_text(child, child_tags))
            else:
                current.append(self.process_tag(child, child_tags))
        close_base()
        self._pair_ruby(bases, annotations, out, opening, closing, child_tags)
        out.extend(bases)
        return "".join(out)

    def _pair_ruby(self, bases, annotations, out, opening, closing, child_tags) -> None:
        for annotation in annotations:
            base = bases.pop(0) if bases else ""
            text = self.process_tag(annotation, child_tags).strip(WHITESPACE_CHARS)
            out.append(base + (opening + text + closing if text else ""))
        out.extend(bases)
        bases.clear()
        annotations.clear()

    def convert_q(self, el, text, parent_tags):
        # Browsers draw the quotes of <q> from CSS; they are not text of the post.
        return text

    def convert_a(self, el, text, parent_tags):
        href = el.get("href")
        if "_noformat" in parent_tags or not href:
            return text
        title = " ".join((el.get("title") or "").split())
        plain = el.get_text().strip()
        if title == plain:
            title = ""

        def link(piece: str) -> str:
            leading, core, trailing = LINK_TEXT_EDGES.match(piece).groups()
            core = core.replace(BREAK, HARD_BREAK)
            if not title and core == plain == href and "%" not in href and AUTOLINK_URL.match(href) and not AUTOLINK_SPECIAL.search(href):
                return leading + "<" + href + ">" + trailing
            return leading + "[" + core + "](" + _format_destination(href) + _format_title(title) + ")" + trailing

        if not text.strip(WHITESPACE_CHARS + BREAK_CHARS):
            # An empty link still counts as a link of the post (fidelity check "links").
            return text + "[](" + _format_destination(href) + ")"
        # One link per source link: when it wraps blocks, only the first block carries it.
        done = False

        def first_only(piece: str) -> str:
            nonlocal done
            if done:
                return piece
            done = True
            return link(piece)

        return _apply_per_block(text, first_only)

    def convert_img(self, el, text, parent_tags):
        src = el.get("src") or ""
        if not src:
            return ""
        alt = " ".join((el.get("alt") or "").split())
        title = el.get("title") or ""
        if " ".join(title.split()) == alt:
            title = ""
        return "![" + _escape_link_text_part(alt) + "](" + _format_destination(src) + _format_title(title) + ")"

    def convert_picture(self, el, text, parent_tags):
        return text

    def convert_source(self, el, text, parent_tags):
        return ""

    # -- raw HTML that Markdown cannot express ----------------------------------------------------

    def _media(self, el, text, parent_tags):
        attributes = []
        for name in SAFE_ATTRIBUTES:
            if name not in el.attrs:
                continue
            value = el.attrs[name]
            if isinstance(value, list):
                value = " ".join(value)
            if name in ("controls", "allowfullscreen"):
                attributes.append(name)
            elif value:
                attributes.append(f'{name}="{_html_attribute(value)}"')
        opening = "<" + " ".join([el.name] + attributes) + ">"
        sources = []
        for source in el.find_all("source"):
            if source.get("src"):
                sources.append(f'<source src="{_html_attribute(source["src"])}">')
        if el.name == "iframe" or not sources:
            raw = opening + "</" + el.name + ">"
        else:
            raw = opening + "".join(sources) + "</" + el.name + ">"
        if not el.get("src") and not sources:
            return text
        if "_inline" in parent_tags:
            return raw
        return "\n\n" + raw + "\n\n"

    convert_iframe = convert_video = convert_audio = _media

    # -- tables (B08) --------------------------------------------------------------------------

    def convert_table(self, el, text, parent_tags):
        """A GFM table (B08): cells inline, <br> for breaks, "|" escaped, rows padded to one width.

        Spanned cells: a cell with ``rowspan`` or ``colspan`` fills its first slot, and the other
        slots it covers stay empty, so every other cell stays under its own header (C01).

        Layout tables are unrolled: their cells become ordinary blocks in reading order (row by
        row, cell by cell). A table is a layout table when a cell holds another table, or when a
        cell holds block content (a list, code block, quote or heading) and the table has no
        header row or only one column. A table of data with a header row stays a GFM table, and
        block content in its cells is drawn inline, one line per block. A table without a header
        row gets an empty one.
        """
        rows = _table_rows(el)
        cells_by_row = [[cell for cell in tr.children if isinstance(cell, Tag) and cell.name in ("td", "th")] for tr in rows]
        has_header = bool(rows) and (
            (rows[0].parent is not None and rows[0].parent.name == "thead")
            or (bool(cells_by_row[0]) and all(cell.name == "th" for cell in cells_by_row[0]))
        )
        one_column = all(len(cells) <= 1 for cells in cells_by_row)
        inside = {node.name for cells in cells_by_row for cell in cells for node in cell.descendants if isinstance(node, Tag)}
        nested_table = "table" in inside
        blocks = not inside.isdisjoint(LAYOUT_BLOCK_TAGS)
        layout = not rows or nested_table or (blocks and (not has_header or one_column))
        caption = next((child for child in el.children if isinstance(child, Tag) and child.name == "caption"), None)
        head = self._block(self.process_tag(caption, set(parent_tags))) if caption is not None else ""
        if layout or "_inline" in parent_tags:
            pieces = []
            for cells in cells_by_row if rows else [[el]]:
                for cell in cells:
                    cell.name = "div"  # its content is read as ordinary blocks, not as cell text
                    pieces.append(self.process_tag(cell, set(parent_tags) | {"table"}))
            return head + "".join("\n\n" + p.strip("\n") + "\n\n" for p in pieces if p.strip())
        cell_tags = set(parent_tags) | {"table", "_inline"}
        grid: list[list[str]] = []
        covered: dict[int, set[int]] = {}  # row index -> columns filled by a span from above or the left
        for index, cells in enumerate(cells_by_row):
            row: list[str] = []
            taken = covered.get(index, set())
            for cell in cells:
                while len(row) in taken:
                    row.append("")
                content = self.process_tag(cell, cell_tags)
                row.append(_inline_breaks(_resolve_spaces(content)).replace("|", "\\|"))
                column = len(row) - 1
                colspan = _span(cell.get("colspan"), 1, MAX_COLSPAN)
                rowspan = _span(cell.get("rowspan"), 1, len(rows) - index)
                if cell.get("rowspan") is not None and str(cell.get("rowspan")).strip() == "0":
                    rowspan = len(rows) - index  # "0" spans to the end of the table
                row.extend([""] * (colspan - 1))
                for below in range(index + 1, index + rowspan):
                    covered.setdefault(below, set()).update(range(column, column + colspan))
            while len(row) in taken:
                row.append("")
            covered.pop(index, None)
            grid.append(row)
        width = max((len(row) for row in grid), default=0)
        if not width:
            return ""
        if has_header:
            header, body = grid[0], grid[1:]
        else:
            header, body = [""] * width, grid
        lines = [_table_line(header, width), "| " + " | ".join(["---"] * width) + " |"]
        lines += [_table_line(row, width) for row in body]
        return head + "\n\n" + "\n".join(lines) + "\n\n"

    def convert_td(self, el, text, parent_tags):
        return text

    convert_th = convert_tr = convert_thead = convert_tbody = convert_tfoot = convert_td

    # -- document ------------------------------------------------------------------------------

    def convert__document_(self, el, text, parent_tags):
        text = _resolve_breaks(text, paragraph_runs=True)
        return text


def _table_rows(table: Tag) -> list[Tag]:
    """The table's own rows, in order: direct <tr> children and those of its thead, tbody and tfoot."""
    rows = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            rows.append(child)
        elif child.name in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child.children if isinstance(row, Tag) and row.name == "tr")
    return rows


def _span(value, default: int, limit: int) -> int:
    """A rowspan or colspan value as the HTML table model reads it: a positive integer, capped."""
    text = str(value).strip() if value is not None else ""
    digits = DIGITS.match(text)
    number = int(digits.group(0)) if digits else default
    return max(1, min(number, limit)) if number else default


def _lists_before(lst: Tag) -> int:
    """How many lists of the same kind directly precede this one, with nothing else between."""
    count, node = 0, lst.previous_sibling
    while node is not None:
        if isinstance(node, NavigableString):
            if node.strip():
                break
        elif node.name == lst.name:
            count += 1
        else:
            break
        node = node.previous_sibling
    return count


def _is_block(node) -> bool:
    return isinstance(node, Tag) and node.name in BLOCK_TAGS


def _table_line(cells: list[str], width: int) -> str:
    cells = cells + [""] * (width - len(cells))
    return "| " + " | ".join(cells) + " |"


def _html_text(value: str) -> str:
    """Text for raw HTML in the Markdown: escaped, with every brace as an entity (Nunjucks never sees one)."""
    return html_lib.escape(value, quote=False).replace("{", "&#123;").replace("}", "&#125;")


def _html_attribute(value: str) -> str:
    return html_lib.escape(value, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def _starts_line(el: NavigableString) -> bool:
    """Whether a text node begins a line of output: first in its block, or after a <br> or a block."""
    node = el
    while node is not None:
        previous = node.previous_sibling
        while previous is not None:
            if isinstance(previous, NavigableString):
                if str(previous).strip():
                    return False
            elif previous.name in BLOCK_TAGS:
                return True
            elif previous.get_text().strip() or previous.find(["img", "br"]):
                return previous.name in BLOCK_TAGS
            previous = previous.previous_sibling
        parent = node.parent
        if parent is None or parent.name in BLOCK_TAGS or parent.name == "[document]":
            return True
        node = parent
    return True


def _finish(text: str, code_blocks: list[str]) -> str:
    text = _resolve_spaces(text)
    text = _resolve_guards(text)
    text = TEMPLATE_OPENER.sub("&#123;", text)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    text = BLANK_LINES_RUN.sub("\n\n", text).strip("\n")

    def put_back(match: re.Match) -> str:
        prefix, index = match.group(1), int(match.group(2))
        continuation = _continuation_prefix(prefix)
        block_lines = code_blocks[index].split("\n")
        return prefix + block_lines[0] + "".join(
            "\n" + (continuation + " " + line if continuation.endswith(">") and line else continuation + line if line else continuation.rstrip())
            for line in block_lines[1:]
        )

    text = re.sub("^(.*?)" + BLOCK_OPEN + r"(\d+)" + BLOCK_CLOSE, put_back, text, flags=re.M)
    return text + "\n" if text else ""


# ---------------------------------------------------------------------------------------------
# Public API

# Tags that only HTML bodies carry; Markdown with a little inline HTML uses the allowed raw set.
HTML_STRUCTURE_TAGS = {
    "p", "div", "span", "a", "img", "table", "tr", "td", "th", "tbody", "thead", "section", "article",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "strong",
    "b", "em", "i", "font", "center", "header", "footer", "hr", "dl", "dt", "dd", "s", "del",
}
# One pattern for all of them, so that counting runs in the regex engine, not in a Python loop.
STRUCTURE_TAG = re.compile(
    r"(?<!\\)</?(?:" + "|".join(sorted(HTML_STRUCTURE_TAGS, key=len, reverse=True)) + r")\b[^<>]*>", re.I
)
MARKDOWN_LINE = re.compile(
    r"^(?:#{1,6} |[-*+] |\d{1,9}[.)] |> |```|~~~|\|.*\|\s*$)|!?\[[^\]\n]*\]\([^)\n]*\)|\*\*[^*\n]+\*\*",
    re.M,
)
BLANK_LINES_RUN = re.compile(r"\n{3,}")
# Code in Markdown: fenced blocks (also inside list items and quotes) and code spans of any
# backtick run (CommonMark 4.5 and 6.1). What they hold is text, never HTML.
CODE_REGION = re.compile(
    r"^([ \t>]*)(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t>]*\2[`~]*[ \t]*$|\Z)"
    r"|(?<!`)(`+)(?!`)(?:(?!\n[ \t>]*\n).)+?(?<!`)\3(?!`)",
    re.S | re.M,
)


def looks_like_html(body: str) -> bool:
    """Whether a post body is HTML to convert, not Markdown to leave untouched.

    Markdown may carry a little inline HTML (``<br>``, ``<sup>``, an ``<img>`` or a centred
    ``<div>``); a body is HTML when its structural HTML tags outnumber its Markdown constructs
    (ATX headings, list items, quotes, fences, links, strong spans). Code is not counted:
    fenced blocks and code spans are removed first, whatever the line endings (LF, CRLF or CR).
    """
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    text = CODE_REGION.sub("", body) if "`" in body or "~~~" in body else body
    if not STRUCTURE_TAG.search(text):
        return False
    markdown = len(MARKDOWN_LINE.findall(text))
    # Count tags only until they outnumber the Markdown constructs: an HTML body stops early.
    for tags, _ in enumerate(STRUCTURE_TAG.finditer(text), start=1):
        if tags > markdown:
            return True
    return False


def html_to_markdown(
    html: str, *, base_url: str | None = None, detect: bool = True, keep_url: Callable[[str], bool] | None = None
) -> str:
    """Convert an HTML post body to Markdown that renders the same in Hexo.

    ``html`` is a post body (no front matter). The result is CommonMark with GFM tables, one
    paragraph per line, ending in one newline (empty for an empty body). A body that does not
    look like HTML (``looks_like_html``) is returned unchanged, so converting the output again
    changes nothing. Relative URLs are resolved against ``base_url`` when given; protocol-relative
    ``//host/x`` image and media URLs become ``https://host/x``.

    Handles the cases B01 B03 B04 B06 B07 B08 B09 B10 B11 B12 B13 B14 B17 of ``shared/cases``.
    Follows CommonMark 0.31 sections 2.4 (escapes), 4.5 (fenced code), 6.2 (emphasis flanking),
    6.3 (links), 6.4 (images), 6.6 (raw HTML), 6.7 (hard breaks) and GFM 4.10 (tables).

    ``detect=False`` skips the detection for a caller that has just made it. ``keep_url(url)``
    returning True leaves a relative URL as written (a site path whose file the blog has).

    Raises ConversionError when the body cannot be parsed or converted (the message says why).
    """
    if not isinstance(html, str):
        raise ConversionError(f"body must be text, not {type(html).__name__}")
    if detect and not looks_like_html(html):
        return html
    return convert_html(html, base_url=base_url, keep_url=keep_url).markdown


@dataclass(frozen=True)
class Conversion:
    """An HTML body converted: the Markdown, and what the summary reports about it."""

    markdown: str
    # Images whose <img referrerpolicy> Markdown cannot keep: a hot-linked host that refuses
    # other sites' referrers showed them on the source site and may refuse them on the blog.
    referrer_policy_images: int = 0


def convert_html(
    html: str, *, base_url: str | None = None, keep_url: Callable[[str], bool] | None = None
) -> Conversion:
    """Convert an HTML body (no detection) and count what the summary reports; see :func:`html_to_markdown`."""
    if not isinstance(html, str):
        raise ConversionError(f"body must be text, not {type(html).__name__}")
    cleaned = _drop_unrendered_space(SENTINELS.sub("", CONTROL_CHARS.sub("", html)))
    try:
        # Attributes stay plain strings: splitting class and rel into lists costs
        # about a tenth of the parse, and only <pre>'s class is ever read.
        soup = BeautifulSoup(cleaned, "lxml", multi_valued_attributes=None)
        referrer_policy_images = _prepare(soup, base_url, keep_url, bool(HTML5_VOID_TAG.search(cleaned)))
        converter = PostConverter()
        markdown = converter.convert_soup(soup)
        return Conversion(_finish(markdown, converter.code_blocks), referrer_policy_images)
    except RecursionError as error:
        raise ConversionError("HTML nests too deeply to convert") from error
    except (ValueError, TypeError, AttributeError) as error:
        raise ConversionError(f"cannot convert HTML body: {error}") from error
