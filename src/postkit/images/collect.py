"""Find every image reference in a post, with its line and column in the file.

Pure: a :class:`~postkit.core.document.Document` in, a list of :class:`ImageRef`
out. Nothing here opens a file or the network.

Where images are found:

- front matter: each configured image field (``image-fields``, default
  ``DEFAULT_IMAGE_FIELDS``) and Hexo's ``photos`` list;
- Markdown images: inline ``![alt](url "title")``, angle-bracket
  ``![alt](<url with spaces>)``, and reference-style ``![alt][label]``,
  ``![alt][]`` and ``![label]``. A reference image is reported at the URL in
  its definition (``[label]: url``), where the fix goes;
- HTML ``<img>``: ``src``; the lazy-loading attributes ``data-src``,
  ``data-original``, ``data-lazy-src``, ``data-actualsrc`` and jianshu's
  ``data-original-src``; every candidate of ``srcset`` and of the lazy
  ``data-srcset`` / ``data-lazy-srcset``; and ``<picture><source srcset>``.
  Each ``<img>``'s ``referrerpolicy`` is recorded, and a ``<source>`` takes
  the policy of its ``<picture>``'s ``<img>``, which is the element that
  fetches (HTML Living Standard, "the picture element");
- Hexo tag plugins: ``{% asset_img slug %}`` and ``{% img /path %}``.

What is skipped, because no reader's browser loads it:

- ``data:`` URIs and ``about:blank`` (lazy loaders' blank placeholders), and
  empty values;
- fenced and indented code blocks and inline code spans (CommonMark 0.31,
  found with markdown-it-py), HTML comments, and the contents of
  ``<script>``, ``<style>`` and ``<textarea>``;
- Markdown image syntax inside raw HTML blocks, which CommonMark prints as
  text.

One exception: an ``<img>`` in an *indented* code block is collected with
source kind ``img-in-code``. Fenced code is deliberate; an indented ``<img>``
line after a blank line is almost always HTML that Markdown turned into a
code block by accident, and the reader sees its source instead of the
picture.

Lines and columns start at 1 and count Unicode code points; a column points
at the first character of the URL as written (after an opening quote or
``<``), so an editor jumps straight to it.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import yaml

from postkit.core.document import Document
from postkit.core.front_matter import ParsedFrontMatter, parse
from postkit.core.markdown_links import bare_destination_end
from postkit.core.srcset import srcset_candidates
from postkit.core.image_urls import DEFAULT_IMAGE_FIELDS

# source_kind values, stable: the JSON output and the markdown report use them.
FRONT_MATTER = "front-matter"
PHOTOS = "photos"
MARKDOWN = "markdown"
MARKDOWN_REFERENCE = "markdown-reference"
IMG_SRC = "img-src"
IMG_LAZY = "img-lazy"
IMG_SRCSET = "img-srcset"
PICTURE_SOURCE = "picture-source"
HEXO_TAG = "hexo-tag"
# An <img> inside an indented code block: Markdown prints its HTML as text,
# so the reader sees source code instead of the picture. RSS bodies fall into
# this when an indented HTML line follows a blank line.
IMG_IN_CODE = "img-in-code"
SOURCE_KINDS = (FRONT_MATTER, PHOTOS, MARKDOWN, MARKDOWN_REFERENCE, IMG_SRC, IMG_LAZY, IMG_SRCSET, PICTURE_SOURCE, HEXO_TAG, IMG_IN_CODE)

# <img> attributes that hold one URL. data-* are lazy-loading conventions:
# the blog does not run the source site's lazy loader, but they name the
# real picture, which must still exist.
IMG_URL_ATTRIBUTES = ("src", "data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-original-src")
# Attributes that hold a srcset (HTML "parse a srcset attribute").
SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
PHOTOS_FIELD = "photos"


@dataclass(frozen=True, order=True)
class ImageRef:
    """One image reference in one post.

    ``line``/``col`` are 1-based and point at the URL's first character in the
    file; ``end_col`` (exclusive) ends the URL as written when it sits on one
    line, else ``None``. ``url`` is the URL as the browser reads it: entities
    and Markdown backslash escapes decoded, spaces around it trimmed.
    ``source_kind`` is one of :data:`SOURCE_KINDS`; ``attribute`` names where
    exactly (``headimg``, ``data-original``, ``asset_img``...).
    ``referrer_policy`` is the ``<img referrerpolicy>`` value, lower-cased,
    or ``None`` when the element has none (or is not HTML).
    """

    path: str
    line: int
    col: int
    url: str
    source_kind: str
    referrer_policy: str | None = None
    attribute: str | None = None
    end_col: int | None = None


class _Lines:
    """Offset → (line, column) in O(log n), for documents with many references."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(match.end() for match in re.finditer("\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def collect(
    document: Document,
    image_fields: Sequence[str] = DEFAULT_IMAGE_FIELDS,
    front_matter: ParsedFrontMatter | None = None,
) -> list[ImageRef]:
    """Every image reference in ``document``, sorted by line and column.

    ``image_fields`` are the front matter keys that hold one image URL;
    ``photos`` is always read as Hexo's list of pictures. ``front_matter``
    may be passed when the caller has already parsed it. Never raises on bad
    input: YAML that does not parse simply yields no front matter images.
    """
    lines = _Lines(document.text)
    found: list[ImageRef] = []
    parsed = front_matter if front_matter is not None else parse(document)
    found.extend(_front_matter_refs(document, parsed, image_fields))
    span = document.front_matter
    body_start = span.body_start if span else 0
    found.extend(_body_refs(document.path, document.text, body_start, lines))
    found.sort(key=lambda ref: (ref.line, ref.col, ref.url))
    return found


def skipped_url(url: str) -> bool:
    """True for values no browser fetches as a picture: empty, ``data:`` URIs, ``about:blank``."""
    value = url.strip().lower()
    return not value or value.startswith("data:") or value.startswith("about:")


# --- front matter -----------------------------------------------------------------------------


def _front_matter_refs(document: Document, parsed: ParsedFrontMatter, image_fields: Sequence[str]) -> Iterator[ImageRef]:
    if not parsed.is_mapping or document.front_matter is None:
        return
    for key in dict.fromkeys([*image_fields, PHOTOS_FIELD]):
        entry = parsed.entries.get(key)
        if entry is None:
            continue
        value_node = entry[1]
        kind = PHOTOS if key == PHOTOS_FIELD else FRONT_MATTER
        nodes = value_node.value if isinstance(value_node, yaml.SequenceNode) and kind == PHOTOS else [value_node]
        for node in nodes:
            ref = _scalar_ref(document, parsed, node, kind, key)
            if ref is not None:
                yield ref


def _scalar_ref(document: Document, parsed: ParsedFrontMatter, node: yaml.Node, kind: str, key: str) -> ImageRef | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        return None
    url = node.value.strip()
    if skipped_url(url):
        return None
    line, col = parsed.position(node.start_mark)
    source = parsed.source(node)
    if node.style in ("'", '"'):
        col += 1  # point at the URL, not at the quote
        source = source[1:]
    lead = len(source) - len(source.lstrip(" \t"))
    col += lead
    end_col = col + len(url) if node.style in ("'", '"', None, "") and "\n" not in source else None
    if end_col is not None and document.line(line)[col - 1 : end_col - 1] != url:
        end_col = None  # escapes in a double-quoted value: the written form is longer
    return ImageRef(document.path, line, col, url, kind, None, key, end_col)


# --- body: block structure, code and comments ---------------------------------------------------

_MARKDOWN = None


def _markdown_parser():  # noqa: ANN202 - markdown-it is built once per process
    global _MARKDOWN
    if _MARKDOWN is None:
        from markdown_it import MarkdownIt

        # Hexo's default renderer (marked) follows GFM: CommonMark plus tables.
        # Only the block structure is needed, so inline parsing is switched off.
        _MARKDOWN = MarkdownIt("commonmark").enable("table").disable("inline")
    return _MARKDOWN


@dataclass
class _Blocks:
    """What markdown-it tells about the body: code, inline runs, and reference definitions (body offsets)."""

    code: list[tuple[int, int]]
    inline: list[tuple[int, int]]
    indented: list[tuple[int, int]]
    references: dict[str, int]  # normalized label -> offset of the definition's first line


# A block start after a blank line whose content rules need the full parser:
# list items and block quotes (their indentation is relative), indented
# code, and HTML blocks of types 1, 3, 4 and 5, which run past blank lines.
_NEEDS_PARSER = re.compile(
    r"(?: {0,3}(?:[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>|<(?:pre|script|style|textarea)(?:[\s>]|$)|<\?|<![A-Za-z]|<!\[CDATA\[)"
    r"| {4}| {0,3}\t)",
    re.I,
)


def _plain_html_body(body: str) -> bool:
    """True when the body can hold no code and no Markdown image, so the block parser can be skipped.

    RSS-generated bodies are long runs of HTML; markdown-it's block state
    costs about a second per 3 MB in pure Python, and these bodies need none
    of it. The test is conservative: no backtick or ``~~~`` (code spans,
    fences), no ``![`` or ``]:`` (Markdown images, definitions), and no block
    after a blank line that starts a list, a quote, indented code or an
    HTML block that can span blank lines.
    """
    if "`" in body or "~~~" in body or "![" in body or "]:" in body:
        return False
    blank_before = True
    for line in body.split("\n"):
        blank = not line.strip()
        if blank_before and not blank and _NEEDS_PARSER.match(line):
            return False
        blank_before = blank
    return True


def _block_structure(body: str) -> _Blocks:
    if _plain_html_body(body):
        return _Blocks([], [], [], {})
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", body))
    starts.append(len(body))

    def offset(line: int) -> int:
        return starts[min(line, len(starts) - 1)]

    env: dict = {}
    tokens = _markdown_parser().parse(body, env)
    code: list[tuple[int, int]] = []
    inline: list[tuple[int, int]] = []
    indented: list[tuple[int, int]] = []
    for token in tokens:
        if token.map is None:
            continue
        first, last = token.map
        if token.type in ("fence", "code_block"):
            code.append((offset(first), offset(last)))
            if token.type == "code_block":
                indented.append(code[-1])
        elif token.type == "inline":
            inline.append((offset(first), offset(last)))
    references = {label: offset(item["map"][0]) for label, item in env.get("references", {}).items() if item.get("map")}
    return _Blocks(code, _merge(inline), indented, references)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span's characters but line breaks turned into spaces; offsets stay valid."""
    pieces = []
    cursor = 0
    for start, end in _merge(spans):
        if start < cursor:
            start = cursor
        if end <= start:
            continue
        pieces.append(text[cursor:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


# CommonMark raw HTML and autolinks win over a code span that starts inside them (spec 6.1).
_INLINE_TAG = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|/[A-Za-z][A-Za-z0-9-]*\s*>|!--.*?-->|[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>)",
    re.S,
)


def _code_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Inline code spans between ``start`` and ``end`` (CommonMark 6.1: a run of n backticks to the next run of n)."""
    index = start
    while True:
        tick = text.find("`", index, end)
        if tick == -1:
            return
        # Raw HTML that starts before the backtick and ends after it swallows it.
        swallowed = False
        angle = text.find("<", index, tick)
        while angle != -1:
            tag = _INLINE_TAG.match(text, angle)
            if tag is None:
                angle = text.find("<", angle + 1, tick)
            elif tag.end() > tick:
                index, swallowed = tag.end(), True
                break
            else:
                angle = text.find("<", tag.end(), tick)
        if swallowed:
            continue
        backslashes = 0
        probe = tick - 1
        while probe >= start and text[probe] == "\\":
            backslashes += 1
            probe -= 1
        run_end = tick
        while run_end < end and text[run_end] == "`":
            run_end += 1
        if backslashes % 2:  # an escaped backtick is literal; the rest of the run may still open a span
            index = tick + 1
            continue
        run = run_end - tick
        search = run_end
        while True:
            close = text.find("`" * run, search, end)
            if close == -1:
                index = run_end  # no closing run: the backticks are literal
                break
            close_end = close + run
            while close_end < end and text[close_end] == "`":
                close_end += 1
            if close_end - close == run:
                yield tick, close_end
                index = close_end
                break
            search = close_end


_RAW_TEXT = re.compile(r"<!--.*?-->|<(script|style|textarea)\b[^>]*>.*?</\1\s*>", re.S | re.I)


def _body_refs(path: str, text: str, body_start: int, lines: _Lines) -> Iterator[ImageRef]:
    body = text[body_start:]
    blocks = _block_structure(body)
    masked = _masked(body, blocks.code)
    spans = [span for start, end in blocks.inline for span in _code_spans(masked, start, end)]
    masked = _masked(masked, spans)
    masked = _masked(masked, (m.span() for m in _RAW_TEXT.finditer(masked)))

    def place(offset: int) -> tuple[int, int]:
        return lines.position(body_start + offset)

    yield from _html_refs(path, masked, body, place)
    yield from _markdown_refs(path, masked, body, blocks, place)
    yield from _hexo_tag_refs(path, masked, place)
    if blocks.indented:
        outside = [(0, blocks.indented[0][0])]
        outside += [(end, start) for (_, end), (start, _) in zip(blocks.indented, blocks.indented[1:])]
        outside.append((blocks.indented[-1][1], len(body)))
        in_code = _masked(body, outside)
        for ref in _html_refs(path, in_code, body, place):
            if ref.source_kind in (IMG_SRC, IMG_LAZY, IMG_SRCSET):
                yield ImageRef(ref.path, ref.line, ref.col, ref.url, IMG_IN_CODE, ref.referrer_policy, ref.attribute, ref.end_col)


def _one_line_end(raw: str, col: int) -> int | None:
    return col + len(raw) if "\n" not in raw else None


# --- HTML ------------------------------------------------------------------------------------------

_TAG_OPEN = re.compile(r"<(/?)(img|source|picture)(?=[\s/>])", re.I)
_SPACE = " \t\n\r\f"


# One attribute of a start tag, after the HTML tokenizer's attribute states:
# a name runs to a space, "/", ">" or "=" (its first character may be "="),
# and a value is double-quoted, single-quoted (an unclosed quote runs to the
# end) or unquoted.
_ATTRIBUTE = re.compile(
    r"[\t\n\f\r /]*(?:(?P<end>>)|(?P<name>[^\t\n\f\r />][^\t\n\f\r /=>]*)"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:\"(?P<double>[^\"]*)\"?|'(?P<single>[^']*)'?|(?P<bare>[^\t\n\f\r >]*)))?)"
)


def _attributes(text: str, index: int) -> tuple[dict[str, tuple[str, int]], int]:
    """Attributes of the tag whose name ends at ``index``: ``{name: (raw value, value offset)}`` and the tag's end.

    The first of two same-named attributes wins, as in browsers.
    """
    found: dict[str, tuple[str, int]] = {}
    length = len(text)
    while index < length:
        match = _ATTRIBUTE.match(text, index)
        if match is None or match.end() == index:
            break
        if match.group("end"):
            return found, match.end()
        index = match.end()
        name = match.group("name").lower()
        for group in ("double", "single", "bare"):
            if match.group(group) is not None:
                found.setdefault(name, (match.group(group), match.start(group)))
                break
        else:
            found.setdefault(name, ("", match.end("name")))
    return found, length


def _html_refs(path: str, masked: str, body: str, place) -> Iterator[ImageRef]:  # noqa: ANN001
    picture_sources: list[int] = []
    in_picture = False
    picture_policy: str | None = None
    refs: list[ImageRef] = []
    for match in _TAG_OPEN.finditer(masked):
        closing, name = match.group(1), match.group(2).lower()
        if name == "picture":
            if closing:
                in_picture, picture_sources, picture_policy = False, [], None
            else:
                in_picture, picture_sources, picture_policy = True, [], None
            continue
        if closing:
            continue
        # Read the attributes from the unmasked body: a value can hold a
        # backtick or "<!--" that masking blanked out.
        attributes, _ = _attributes(body, match.end())
        policy = None
        if "referrerpolicy" in attributes:
            policy = html.unescape(attributes["referrerpolicy"][0]).strip().lower()
        if name == "img":
            names = [(attr, IMG_SRC if attr == "src" else IMG_LAZY) for attr in IMG_URL_ATTRIBUTES]
            if in_picture:
                picture_policy = policy
                for index in picture_sources:
                    refs[index] = _with_policy(refs[index], policy)
        else:
            names = []
            policy = picture_policy if in_picture else None
        for attr, kind in names:
            if attr in attributes:
                raw, at = attributes[attr]
                ref = _html_ref(path, raw, at, kind, attr, policy, place)
                if ref is not None:
                    refs.append(ref)
        for attr in SRCSET_ATTRIBUTES:
            if attr not in attributes:
                continue
            raw_value, at = attributes[attr]
            for raw, offset in srcset_candidates(raw_value):
                kind = IMG_SRCSET if name == "img" else PICTURE_SOURCE
                ref = _html_ref(path, raw, at + offset, kind, attr, policy, place)
                if ref is not None:
                    if name == "source" and in_picture:
                        picture_sources.append(len(refs))
                    refs.append(ref)
    yield from refs


def _with_policy(ref: ImageRef, policy: str | None) -> ImageRef:
    return ImageRef(ref.path, ref.line, ref.col, ref.url, ref.source_kind, policy, ref.attribute, ref.end_col)


def _html_ref(path: str, raw: str, at: int, kind: str, attr: str, policy: str | None, place) -> ImageRef | None:  # noqa: ANN001
    url = html.unescape(raw).strip(_SPACE)
    if skipped_url(url):
        return None
    lead = len(raw) - len(raw.lstrip(_SPACE))
    line, col = place(at + lead)
    written = raw.strip(_SPACE)
    return ImageRef(path, line, col, url, kind, policy, attr, _one_line_end(written, col))


# --- Markdown ----------------------------------------------------------------------------------------

_ESCAPABLE = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_url(raw: str) -> str:
    """A Markdown link destination as the renderer reads it: backslash escapes, then entities (CommonMark 2.4, 2.5)."""
    return html.unescape(_ESCAPABLE.sub(r"\1", raw))


def _escaped(text: str, index: int, floor: int) -> bool:
    count = 0
    index -= 1
    while index >= floor and text[index] == "\\":
        count += 1
        index -= 1
    return count % 2 == 1


def _bracket_end(text: str, index: int, end: int) -> int:
    """Offset just past the ``]`` matching the ``[`` before ``index``, or -1."""
    depth = 1
    while index < end:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _skip_space(text: str, index: int, end: int) -> int:
    newline = False
    while index < end and text[index] in " \t\n":
        if text[index] == "\n":
            if newline:
                return index
            newline = True
        index += 1
    return index


def _inline_destination(text: str, index: int, end: int) -> tuple[str, int, int] | None:
    """Parse ``(dest "title")`` starting just after ``(``; return ``(raw dest, dest offset, end offset)``."""
    index = _skip_space(text, index, end)
    if index < end and text[index] == "<":
        start = index + 1
        close = start
        while close < end and text[close] not in "<>\n":
            close += 2 if text[close] == "\\" else 1
        if close >= end or text[close] != ">":
            return None
        raw, dest_at, index = text[start:close], start, close + 1
    else:
        start = index
        index, depth = bare_destination_end(text, index, end)
        if depth:
            return None
        raw, dest_at = text[start:index], start
    after_dest = index
    index = _skip_space(text, index, end)
    if index < end and text[index] in "\"'(" and index > after_dest:
        closer = ")" if text[index] == "(" else text[index]
        index += 1
        while index < end and text[index] != closer:
            index += 2 if text[index] == "\\" else 1
        if index >= end:
            return None
        index = _skip_space(text, index + 1, end)
    if index < end and text[index] == ")":
        return raw, dest_at, index + 1
    return None


_DEFINITION = re.compile(
    r"[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?[ \t>]*\[(?:[^\[\]\\]|\\.)+\]:[ \t]*\n?[ \t>]*(?:<(?P<angle>[^<>\n]*)>|(?P<raw>\S+))"
)


def _markdown_refs(path: str, masked: str, body: str, blocks: _Blocks, place) -> Iterator[ImageRef]:  # noqa: ANN001
    from markdown_it.common.utils import normalizeReference

    used: set[str] = set()
    for start, end in blocks.inline:
        index = start
        while True:
            bang = masked.find("![", index, end)
            if bang == -1:
                break
            index = bang + 2
            if _escaped(masked, bang, start):
                continue
            close = _bracket_end(masked, bang + 2, end)
            if close == -1:
                continue
            if close < end and masked[close] == "(":
                parsed = _inline_destination(masked, close + 1, end)
                if parsed is not None:
                    raw, dest_at, _ = parsed
                    url = markdown_url(raw).strip()
                    if not skipped_url(url):
                        line, col = place(dest_at)
                        yield ImageRef(path, line, col, url, MARKDOWN, None, None, _one_line_end(raw, col))
                    continue
            label = masked[bang + 2 : close - 1]
            if close < end and masked[close] == "[":
                label_end = masked.find("]", close + 1, end)
                if label_end != -1 and masked[close + 1 : label_end].strip():
                    label = masked[close + 1 : label_end]
            key = normalizeReference(label)
            if key in blocks.references:
                used.add(key)
    for key in used:
        match = _DEFINITION.match(body, blocks.references[key])
        if match is None:
            continue
        group = "angle" if match.group("angle") is not None else "raw"
        raw = match.group(group)
        url = markdown_url(raw).strip()
        if skipped_url(url):
            continue
        line, col = place(match.start(group))
        yield ImageRef(path, line, col, url, MARKDOWN_REFERENCE, None, None, _one_line_end(raw, col))


# --- Hexo tag plugins -------------------------------------------------------------------------------

_HEXO_TAG = re.compile(r"\{%-?\s*(asset_img|asset_image|img|image)\s+(.*?)\s*-?%\}")
_TAG_ARGUMENT = re.compile(r"\"([^\"]*)\"|'([^']*)'|(\S+)")
# Hexo's img tag takes the first argument that is a URL or a site path.
_IMG_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|/)")
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,5}$")


def _hexo_tag_refs(path: str, masked: str, place) -> Iterator[ImageRef]:  # noqa: ANN001
    for match in _HEXO_TAG.finditer(masked):
        tag = match.group(1)
        arguments = [
            (m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3), m.start(m.lastindex or 0))
            for m in _TAG_ARGUMENT.finditer(match.group(2))
        ]
        chosen = None
        if tag in ("img", "image"):
            chosen = next((arg for arg in arguments if _IMG_URL.match(arg[0])), None)
        else:
            # asset_img takes the first argument naming a post asset; without
            # the file system, the first one that looks like a file name.
            chosen = next((arg for arg in arguments if _FILE_NAME.search(arg[0])), arguments[0] if arguments else None)
        if chosen is None or skipped_url(chosen[0]):
            continue
        value, offset = chosen
        line, col = place(match.start(2) + offset)
        yield ImageRef(path, line, col, value.strip(), HEXO_TAG, None, tag, _one_line_end(value, col))
