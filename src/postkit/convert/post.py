"""Convert one post: its HTML body to Markdown, its front matter and leading lines byte-identical."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote, urlsplit

from postkit.core.batch import Skip, TransformError
from postkit.core.document import Document
from postkit.core.front_matter import parse

if TYPE_CHECKING:
    from postkit.convert.html_to_markdown import Conversion

DEFAULT_BASE_URL_KEYS = ("link", "from", "source_url")
CONVERSION_ERROR = "CNV001"  # the HTML body cannot be converted
# The summary row for images whose <img referrerpolicy> Markdown cannot keep.
REFERRER_POLICY_NOTE = "images losing referrerpolicy (see postkit images, --localize)"
_DESTINATION = re.compile(r"\]\(\s*<?([^\s)>]+)")
_LONE_CR = re.compile(r"\r(?!\n)")
CR_ONLY_MESSAGE = (
    "the line breaks are bare CR (classic Mac OS), in which Hexo finds no front matter; "
    "change the line endings to LF or CRLF first"
)


def cr_only_line_breaks(text: str) -> bool:
    """True when ``text`` breaks its first line with a bare CR: Hexo splits lines at LF and sees one line."""
    first_lf = text.find("\n")
    lone = _LONE_CR.search(text)
    return lone is not None and (first_lf == -1 or lone.start() < first_lf)


def hexo_document(document: Document) -> Document:
    """``document`` with the front matter block Hexo finds when postkit's own splitter finds none.

    Hexo also reads a ``;;;`` JSON block and a block with no opening ``---``;
    such a head must stay byte-identical and out of any conversion.
    """
    if document.front_matter is not None:
        return document
    from postkit.validate.reading import read

    span = read(document, "hexo").document.front_matter
    return document if span is None else replace(document, front_matter=span)


def _scheme(url: str) -> str | None:
    """The scheme of ``url``, ``""`` for none, ``None`` when it cannot be parsed (``http://[bad``)."""
    try:
        return urlsplit(url).scheme
    except ValueError:
        return None


def base_url_for(document: Document, keys: tuple[str, ...]) -> str | None:
    """The first ``http(s)`` URL among the front matter ``keys`` (``--base-url``)."""
    front_matter = parse(document)
    for key in keys:
        value = front_matter.value(key)
        if isinstance(value, str) and _scheme(value.strip()) in ("http", "https"):
            return value.strip()
    return None


def relative_destinations(markdown: str) -> int:
    """How many link and image destinations in ``markdown`` are relative (no scheme, no ``//``, no ``#``)."""
    count = 0
    for match in _DESTINATION.finditer(markdown):
        url = match.group(1)
        if not url.startswith(("#", "//")) and _scheme(url) == "":
            count += 1
    return count


def site_file_exists(site_source: str, url: str) -> bool:
    """True when ``url`` is a site path (``/images/a.png``) naming a file under the site's ``source/``."""
    if not url.startswith("/") or url.startswith("//"):
        return False
    try:
        path = unquote(urlsplit(url).path).lstrip("/")
    except ValueError:
        return False
    candidate = os.path.normpath(os.path.join(site_source, path))
    return candidate.startswith(os.path.normpath(site_source) + os.sep) and os.path.isfile(candidate)


# Bodies longer than this are converted a run of top-level blocks at a time: a
# BeautifulSoup tree costs about 60 times the HTML it holds.
CHUNK = 1 << 18
# Elements a body may be cut between: blocks whose Markdown stands alone
# between blank lines. Lists are not among them, since two lists cut apart
# would both take the same marker and merge into one.
_CUT_BETWEEN = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "section", "article",
    "header", "footer", "figure", "hr", "main", "aside", "center", "address",
})
# Elements that convert as a plain block of their content (the converter's
# convert_div): a cut may go inside them, each piece wrapped in them again.
_WRAPPERS = frozenset({"div", "section", "article", "main", "header", "footer", "aside", "center"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
})
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"})
_MARKUP = re.compile(r"<(?:(!--)|(!\[CDATA\[)|([!?])|(/?)([A-Za-z][A-Za-z0-9:-]*))")
_TAG_END = re.compile(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")


def html_chunks(html: str, size: int | None = None) -> list[str]:
    """``html`` as pieces of about ``size`` (default :data:`CHUNK`) characters that convert, one by one, to what it converts to whole.

    A cut falls only between two sibling elements of :data:`_CUT_BETWEEN`,
    each closed by its own end tag with everything inside it closed by its
    own, with nothing but whitespace or comments between them, and inside
    nothing but :data:`_WRAPPERS` opened at the top level; each piece is
    wrapped again in the start and end tags of the elements it was cut out
    of, so it converts at the same depth. Anything this scanner is unsure of
    (a stray, misnested or missing end tag, text beside the blocks, a raw-text
    element) only means no cut there: a body it cannot cut stays whole.
    """
    size = CHUNK if size is None else size
    if len(html) <= size:
        return [html]
    pieces: list[str] = []
    start = 0  # where the current piece's own text starts
    reopen = ""  # start tags that open the current piece again
    # The open elements: [name, start tag text, may be cut inside]
    stack: list[list] = []
    # Kept as they change, so that each tag costs O(1) whatever the depth: how many open
    # elements may not be cut inside, and how many of each name are open.
    blocked = 0
    open_names: dict[str, int] = {}
    # For each depth: where the last sibling block that allows a cut after it ended, or -1.
    cut_at: list[int] = [-1]
    regular = True  # every end tag so far closed the element opened last
    position = 0

    def block_ended(end: int, cuttable: bool) -> None:
        nonlocal start, reopen
        depth = len(stack)
        if not cuttable:
            cut_at[depth] = -1
            return
        cut = cut_at[depth]
        if cut > start and end - start >= size and not blocked:
            closing = "".join(f"</{entry[0]}>" for entry in reversed(stack))
            pieces.append(reopen + html[start:cut] + closing)
            reopen = "".join(entry[1] for entry in stack)
            start = cut
        cut_at[depth] = end

    while True:
        match = _MARKUP.search(html, position)
        if match is None:
            break
        if html[position : match.start()].strip():
            cut_at[len(stack)] = -1  # text beside blocks runs into its neighbours
        comment, cdata, declaration, closing, name = match.groups()
        if comment or cdata or declaration:
            ender = "-->" if comment else "]]>" if cdata else ">"
            found = html.find(ender, match.end())
            if found < 0:
                break
            position = found + len(ender)
            if not comment:
                cut_at[len(stack)] = -1
            continue
        tag_end = _TAG_END.match(html, match.end())
        if tag_end is None:
            break
        tag_start, position = match.start(), tag_end.end()
        name = name.lower()
        if closing:
            is_open = open_names.get(name, 0) > 0
            if not is_open or stack[-1][0] != name:
                # A stray or misnested end tag: the parser's repair is not followed; no more cuts.
                if regular:
                    for entry in stack:
                        entry[2] = False
                    blocked = len(stack)
                regular = False
                if not is_open:
                    continue
            while True:
                entry = stack.pop()
                cut_at.pop()
                open_names[entry[0]] -= 1
                blocked -= not entry[2]
                if entry[0] == name:
                    break
            block_ended(position, regular and name in _CUT_BETWEEN)
            continue
        if name in _VOID or html[position - 2] == "/":
            block_ended(position, regular and name == "hr")
            continue
        if name in _RAW_TEXT:
            closing_tag = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, position)
            if closing_tag is None:
                break
            position = closing_tag.end()
            block_ended(position, False)
            continue
        if name not in _CUT_BETWEEN:
            cut_at[len(stack)] = -1
        cuttable = regular and not blocked and name in _WRAPPERS
        stack.append([name, html[tag_start:position], cuttable])
        open_names[name] = open_names.get(name, 0) + 1
        blocked += not cuttable
        cut_at.append(-1)
    pieces.append(reopen + html[start:])
    return pieces


def body_to_markdown(
    html: str, *, base_url: str | None = None, keep_url: Callable[[str], bool] | None = None, size: int | None = None
) -> Conversion:
    """``convert_html(html)``, converted in the pieces :func:`html_chunks` cuts, with the pieces' counts added up.

    Peak memory follows the largest piece, not the whole body.

    Raises:
        ConversionError: as convert_html does.
    """
    from postkit.convert.html_to_markdown import Conversion, convert_html

    pieces = html_chunks(html, size)
    if len(pieces) == 1:
        return convert_html(html, base_url=base_url, keep_url=keep_url)
    converted = [convert_html(piece, base_url=base_url, keep_url=keep_url) for piece in pieces]
    parts = [part.markdown.rstrip("\n") for part in converted if part.markdown.strip()]
    markdown = "\n\n".join(parts) + "\n" if parts else ""
    return Conversion(markdown, sum(part.referrer_policy_images for part in converted))


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
    from postkit.convert.html_to_markdown import ConversionError, looks_like_html

    if cr_only_line_breaks(document.text):
        raise TransformError(CR_ONLY_MESSAGE)
    document = hexo_document(document)
    body = document.body
    if not looks_like_html(body):
        raise Skip("already Markdown", copy=copy_markdown)
    resolved = base_url or base_url_for(document, base_url_keys)
    try:
        keep = partial(site_file_exists, site_source) if site_source else None
        conversion = body_to_markdown(body, base_url=resolved, keep_url=keep)
    except ConversionError as error:
        body_line = document.position(document.front_matter.body_start)[0] if document.front_matter else 1
        raise TransformError(str(error), code=CONVERSION_ERROR, line=body_line) from None
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
