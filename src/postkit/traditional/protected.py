"""Find the spans of a Markdown or HTML body that readers see as text; everything else stays byte-identical."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt

from postkit.core.markdown_links import bare_destination_end

Span = tuple[int, int]

# Attribute values readers see: alt stands in for an image (and is what the
# Markdown ![alt](...) syntax produces), title is shown as a tooltip.
TEXT_ATTRIBUTES = frozenset({"alt", "title"})
# Elements whose content is code or sample output, kept as written.
PROTECTED_ELEMENTS = frozenset({"pre", "code", "kbd", "samp", "tt"})
# Raw-text elements: their content is never text readers see (or, for
# textarea, is an editable sample), and may hold `<` that is not a tag.
RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea", "xmp"})
# Hexo tag plugins whose content is code or raw output.
HEXO_CODE_TAGS = ("codeblock", "code", "raw", "highlight", "verbatim", "include_code")

# Characters that end a bare URL or a file path: whitespace, the ASCII
# delimiters of HTML/Markdown/templates, and CJK or full-width punctuation,
# which a URL never holds unencoded but a sentence right after one does.
_TERMINATORS = r"\s<>\"'`\[\]{}|^\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026"
# The look-behind keeps the search from trying a scheme at every letter of a word.
_URL_START = r"(?:(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,31}://|www\.|mailto:)"
_URL_RE = re.compile(_URL_START + rf"[^{_TERMINATORS}\\]*")
_WORD_RE = re.compile(rf"[^{_TERMINATORS}]+")
_PATH_ROOT_RE = re.compile(r"(?:~|\.\.?)?[/\\]|[A-Za-z]:[/\\]")
_EXTENSION_RE = re.compile(r"\.(?=[A-Za-z0-9]{0,7}[A-Za-z])[A-Za-z0-9]{1,8}$")
_ASCII_ALNUM_RE = re.compile(r"[A-Za-z0-9]")
_SEPARATORS_RE = re.compile(r"[/\\]")

_HEXO_OPEN = {"{%": "%}", "{{": "}}", "{#": "#}"}
_HEXO_BLOCK_RE = re.compile(
    r"\{%-?\s*(" + "|".join(HEXO_CODE_TAGS) + r")\b.*?%\}.*?\{%-?\s*end\1\s*-?%\}",
    re.DOTALL,
)

# In HTML, bare URLs are found in each text node by emit_text(): nothing that
# starts a construct here (`<`, `{%`) can sit inside a URL, and searching for
# two characters is much faster than trying a scheme at every letter.
_HTML_SCAN_RE = re.compile(r"(?P<lt><)|(?P<hexo>\{[%{#])")
# Raw HTML inside a Markdown body: CommonMark renders backticks there as
# they are, but an author who wrote them meant code, so they are kept too.
_HTML_IN_MARKDOWN_SCAN_RE = re.compile(r"(?P<code>`+)|(?P<lt><)|(?P<hexo>\{[%{#])")
_MARKDOWN_SCAN_RE = re.compile(
    rf"(?P<escape>\\[!-/:-@\[-`{{-~])|(?P<code>`+)|(?P<dest>\]\()|(?P<lt><)|(?P<hexo>\{{[%{{#])|(?P<url>{_URL_START})"
)

_ATTRIBUTES = r"(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*"
_STRICT_TAG_RE = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9:-]*)({_ATTRIBUTES})\s*(/?)>")
# Browsers accept far more than the strict grammar; what looks like a tag is
# kept whole rather than risk converting an attribute value.
_LENIENT_TAG_RE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
_LOOSE_TAG_RE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)([^>]*?)(/?)>")
_TEXT_ATTRIBUTE_HINT_RE = re.compile("|".join(sorted(TEXT_ATTRIBUTES)), re.IGNORECASE)
_ATTRIBUTE_RE = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
_AUTOLINK_RE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_MARKDOWN_CODE_RE = re.compile(r"^ {0,3}(?:```|~~~)|`[^`\n]+`", re.MULTILINE)
_DESTINATION_RE = re.compile(r"\]\(")
_REFERENCE_LINE_RE = re.compile(r"^ {0,3}\[(?:[^\[\]\\\n]|\\.)+\]:", re.MULTILINE)
# The first line of an indented code block: after a blank line, four columns in, and not a tag.
_INDENTED_CODE_RE = re.compile(r"(?:\A|\r\n?|\n)[ \t]*(?:\r\n?|\n)(?: {4}|\t| {1,3}\t)[ \t]*[^\s<]")
_REFERENCE_DEFINITION_RE = re.compile(
    r"^ {0,3}\[(?P<label>(?:[^\[\]\\]|\\.)+)\]:[ \t]*(?P<dest><[^<>\n]*>|\S+)"
    r"(?:[ \t]+(?P<title>\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*$"
)


@cache
def _markdown_parser() -> MarkdownIt:
    # Block structure only: the scanners find the inline constructs
    # themselves, and inline tokens for a 10 MB line took 700 MB.
    return MarkdownIt("commonmark").disable(["inline", "text_join"])


def markdown_text_spans(body: str) -> list[Span]:
    """Spans of a Markdown body that are text readers see, in order.

    Kept out (never converted): fenced and indented code blocks, code spans,
    link and image destinations, autolinks, reference definition URLs, raw
    HTML tags (except alt/title values) and the content of pre/code/kbd/samp/
    script/style, Hexo tags `{% %}` `{{ }}` `{# #}` and the content of Hexo
    code/raw blocks, bare URLs and file paths. Link text, image alt text,
    link titles and reference labels are text (a label is converted the same
    way where it is defined and where it is used, so links still resolve).
    Block structure comes from markdown-it-py (CommonMark).
    """
    scanner = _Scanner(body)
    line_starts = _line_starts(body)
    kinds = _line_kinds(body, line_starts)
    protected = [match.span() for match in _HEXO_BLOCK_RE.finditer(body)]

    line = 0
    total = len(line_starts) - 1
    while line < total:
        kind, group = kinds[line]
        end_line = line + 1
        while end_line < total and kinds[end_line] == (kind, group):
            end_line += 1
        start, end = line_starts[line], line_starts[end_line]
        if kind != "code":
            for gap_start, gap_end in _subtract(start, end, protected):
                if kind == "html":
                    scanner.scan_html_in_markdown(gap_start, gap_end)
                elif kind == "inline":
                    scanner.scan_markdown(gap_start, gap_end)
                else:
                    scanner.scan_other_lines(gap_start, gap_end)
        line = end_line
    return scanner.spans


def html_text_spans(body: str) -> list[Span]:
    """Spans of an HTML body that are text readers see: text nodes and alt/title values.

    Kept out: tags and every other attribute, comments, doctype and CDATA,
    the content of pre/code/kbd/samp/tt and script/style/textarea, Hexo tags
    and Hexo code/raw blocks, bare URLs and file paths in text.
    """
    scanner = _Scanner(body)
    for start, end in _subtract(0, len(body), [m.span() for m in _HEXO_BLOCK_RE.finditer(body)]):
        scanner.scan_html(start, end)
    return scanner.spans


def scan_as_html(body: str) -> bool:
    """True when a body's protected spans must be found by the HTML scanner, not the Markdown one.

    Stricter than ``html_to_markdown.looks_like_html`` on purpose: that one
    decides whether converting is worth it; this one must never read a
    Markdown body's code as HTML text, because the script converter would
    then rewrite code.

    The body starts with a tag, and has none of the Markdown constructs whose
    content must be kept: no code fence, code span, link destination,
    reference definition or indented code block that is not HTML. Feed
    generators write such bodies (nested, indented divs) that CommonMark
    would otherwise read partly as indented code blocks.
    """
    if not body.lstrip().startswith("<"):
        return False
    if _MARKDOWN_CODE_RE.search(body) is not None:
        return False
    # A body may start in HTML and go on in Markdown: a link or image
    # destination, a reference definition, or an indented code block (a line
    # after a blank line, indented four columns, that is not a tag) is read as
    # CommonMark reads it, so that its URL or code is kept.
    if _DESTINATION_RE.search(body) is not None or _REFERENCE_LINE_RE.search(body) is not None:
        return False
    return _INDENTED_CODE_RE.search(body) is None


def _line_starts(body: str) -> list[int]:
    # Line breaks as markdown-it counts them (it reads \r\n and a lone \r as \n).
    starts = [0]
    for match in re.finditer("\r\n?|\n", body):
        starts.append(match.end())
    if starts[-1] != len(body):
        starts.append(len(body))
    return starts


# Lines handed to markdown-it at a time: its block tokens for a 10 MB post
# of short paragraphs took 250 MB at once.
_PARSE_LINES = 20_000


def _line_kinds(body: str, line_starts: list[int]) -> list[tuple[str, int]]:
    """For each line: code, html, inline or other, with the block it belongs to.

    Long bodies are parsed a slice of lines at a time. CommonMark reads
    blocks in one pass, so every top-level block before the last one of a
    slice is complete; the last one may go on, and the next slice starts at
    its first line, where a parse from scratch reads what the whole parse reads.
    """
    line_count = len(line_starts) - 1
    kinds: list[tuple[str, int]] = [("other", -1)] * line_count
    parser = _markdown_parser()
    first = 0
    block = 0
    while first < line_count:
        size = _PARSE_LINES
        while True:
            last = min(line_count, first + size)
            tokens = parser.parse(body[line_starts[first] : line_starts[last]])
            if last == line_count:
                resume = line_count
                break
            top_level = [token.map[0] for token in tokens if token.level == 0 and token.map is not None]
            if top_level and top_level[-1] > 0:
                resume = first + top_level[-1]
                break
            size *= 2  # one block fills the slice: take more lines
        for number, token in enumerate(tokens, start=block):
            if token.map is None or first + token.map[0] >= resume:
                continue
            if token.type in ("fence", "code_block"):
                kind = ("code", number)
            elif token.type == "html_block":
                kind = ("html", number)
            elif token.type == "inline":
                kind = ("inline", number)
            else:
                continue
            low, high = token.map
            for line in range(first + low, min(first + high, line_count)):
                kinds[line] = kind
        block += len(tokens)
        first = resume
        del tokens
    return kinds


def _subtract(start: int, end: int, protected: list[Span]) -> list[Span]:
    gaps = []
    position = start
    for low, high in protected:
        if high <= position or low >= end:
            continue
        if low > position:
            gaps.append((position, low))
        position = max(position, high)
    if position < end:
        gaps.append((position, end))
    return gaps


class _Scanner:
    """Walks a body region by region, collecting text spans and carrying HTML state between regions."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.spans: list[Span] = []
        # Open protected elements (pre, code ...) and the raw-text element
        # being skipped; both can outlast one Markdown block.
        self.protected_depth = 0
        self.raw_element: str | None = None
        self.resume_at = 0

    def scan_html(self, start: int, end: int) -> None:
        self._scan(start, end, _HTML_SCAN_RE)

    def scan_html_in_markdown(self, start: int, end: int) -> None:
        self._scan(start, end, _HTML_IN_MARKDOWN_SCAN_RE)

    def scan_markdown(self, start: int, end: int) -> None:
        self._scan(start, end, _MARKDOWN_SCAN_RE)

    def scan_other_lines(self, start: int, end: int) -> None:
        """Lines outside any block token: blank lines, rules and reference definitions."""
        body = self.body
        for match in re.finditer(r"[^\n]*\n?", body[start:end]):
            line_start = start + match.start()
            line = match.group()
            if not line:
                continue
            definition = _REFERENCE_DEFINITION_RE.match(line.rstrip("\r\n"))
            if definition is None:
                self._scan(line_start, line_start + len(line), _MARKDOWN_SCAN_RE)
                continue
            self.emit_text(line_start + definition.start("label"), line_start + definition.end("label"))
            if definition.group("title"):
                self.emit_text(line_start + definition.start("title") + 1, line_start + definition.end("title") - 1)

    def _scan(self, start: int, end: int, pattern: re.Pattern[str]) -> None:
        body = self.body
        # A construct of an earlier region (an unclosed comment, a tag broken
        # over a blank line) may reach into this one; that part stays kept.
        position = max(start, self.resume_at)
        while position < end:
            if self.raw_element is not None or self.protected_depth > 0:
                position = self._skip_protected(position, end)
                continue
            match = pattern.search(body, position, end)
            if match is None:
                self.emit_text(position, end)
                position = end
                break
            self.emit_text(position, match.start())
            kind = match.lastgroup
            if kind == "escape":
                position = match.end()
            elif kind == "code":
                position = self._code_span(match, end)
            elif kind == "dest":
                position = self._link_destination(match.end(), end)
            elif kind == "lt":
                position = self._angle(match.start(), end, markdown=pattern is _MARKDOWN_SCAN_RE)
            elif kind == "hexo":
                closing = body.find(_HEXO_OPEN[match.group()], match.end(), end)
                position = match.end() if closing < 0 else closing + 2
            else:
                position = _url_end(body, match.start(), end)
        self.resume_at = max(self.resume_at, position)

    def _skip_protected(self, position: int, end: int) -> int:
        """Skip code or raw-text content up to the tag that closes it, handling that tag."""
        body = self.body
        if self.raw_element is not None:
            closing = re.compile(rf"</{self.raw_element}[\s>/]", re.IGNORECASE).search(body, position, end)
            if closing is None:
                return end
            self.raw_element = None
            return self._angle(closing.start(), end, markdown=False)
        next_tag = body.find("<", position, end)
        if next_tag < 0:
            return end
        return self._angle(next_tag, end, markdown=False)

    def _code_span(self, match: re.Match[str], end: int) -> int:
        ticks = match.group()
        closing = re.compile(rf"(?<!`){ticks}(?!`)").search(self.body, match.end(), end)
        if closing is None:
            return match.end()
        return closing.end()

    def _link_destination(self, position: int, end: int) -> int:
        """After `](`: keep the destination, treat a title as text, return the position after `)`."""
        body = self.body
        cursor = position
        while cursor < end and body[cursor] in " \t\r\n":
            cursor += 1
        if cursor < end and body[cursor] == "<":
            closing = body.find(">", cursor, end)
            if closing < 0 or "\n" in body[cursor:closing]:
                return _plain_destination_end(body, position, end)
            cursor = closing + 1
        else:
            cursor, _ = bare_destination_end(body, cursor, end)
        after_destination = cursor
        while cursor < end and body[cursor] in " \t\r\n":
            cursor += 1
        if cursor < end and body[cursor] in "\"'(" and cursor > after_destination:
            closer = ")" if body[cursor] == "(" else body[cursor]
            title_end = body.find(closer, cursor + 1, end)
            if title_end < 0:
                return _plain_destination_end(body, position, end)
            self.emit_text(cursor + 1, title_end)
            cursor = title_end + 1
            while cursor < end and body[cursor] in " \t\r\n":
                cursor += 1
        if cursor < end and body[cursor] == ")":
            return cursor + 1
        return _plain_destination_end(body, position, end)

    def _angle(self, start: int, end: int, markdown: bool) -> int:
        """Handle `<` at start: comment, declaration, autolink or tag. Returns where scanning resumes."""
        body = self.body
        following = body[start + 1 : start + 2]
        if following.isalpha() or following == "/":
            tag = _STRICT_TAG_RE.match(body, start, end)
            if tag is not None:
                self._tag(tag)
                return tag.end()
        for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")):
            if body.startswith(opener, start):
                closing = body.find(closer, start + len(opener))
                return len(body) if closing < 0 else max(closing + len(closer), start + 1)
        if body.startswith("<!", start) and start + 2 < end and body[start + 2].isalpha():
            closing = body.find(">", start)
            return len(body) if closing < 0 else closing + 1
        if markdown:
            autolink = _AUTOLINK_RE.match(body, start, end)
            if autolink is not None:
                return autolink.end()
        tag = _STRICT_TAG_RE.match(body, start, end) or _LENIENT_TAG_RE.match(body, start, end)
        if tag is None:
            tag = _LOOSE_TAG_RE.match(body, start)
        if tag is None:
            # A `<` that opens no tag is an ASCII character of the text; what follows is scanned as usual.
            return start + 1
        self._tag(tag)
        return tag.end()

    def _tag(self, tag: re.Match[str]) -> None:
        closing, name, attributes, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3), tag.group(4)
        attributes_start = tag.start(3)
        text_attributes = _ATTRIBUTE_RE.finditer(attributes) if _TEXT_ATTRIBUTE_HINT_RE.search(attributes) else ()
        for attribute in text_attributes:
            if attribute.group(1).lower() not in TEXT_ATTRIBUTES:
                continue
            for group in (2, 3, 4):
                if attribute.group(group) is not None:
                    self.emit_text(attributes_start + attribute.start(group), attributes_start + attribute.end(group))
        if closing:
            if name in PROTECTED_ELEMENTS and self.protected_depth > 0:
                self.protected_depth -= 1
            return
        if self_closing:
            return
        if name in RAW_TEXT_ELEMENTS:
            self.raw_element = name
        elif name in PROTECTED_ELEMENTS:
            self.protected_depth += 1

    def emit_text(self, start: int, end: int) -> None:
        """Record start..end as text, less any bare URL or file path inside it."""
        if start >= end:
            return
        body = self.body
        text = body[start:end]
        position = start
        if "/" in text or "www." in text or "mailto:" in text:
            for match in _URL_RE.finditer(body, start, end):
                self._emit_without_paths(position, match.start())
                position = max(position, _trim_url(body, match.start(), match.end()))
        self._emit_without_paths(position, end)

    def _emit_without_paths(self, start: int, end: int) -> None:
        if start >= end:
            return
        text = self.body[start:end]
        if "/" not in text and "\\" not in text:
            self.spans.append((start, end))
            return
        position = start
        for word in _WORD_RE.finditer(text):
            path = _path_in_word(word.group())
            if path is None:
                continue
            path_start = start + word.start() + path
            if path_start > position:
                self.spans.append((position, path_start))
            position = start + word.end()
        if position < end:
            self.spans.append((position, end))


def _path_in_word(word: str) -> int | None:
    """Offset in word where a file path starts, or None.

    A path is a whole word that starts at an explicit root (~/, ./, ../,
    C:\\), or at / with a second separator or an ASCII letter or digit
    (/发布/图片, /usr), or that ends in a file extension (图片/封面.png); or
    it starts at a root right after a non-ASCII character and holds an ASCII
    letter or digit (放在/data/...). So 软件/硬件/网络 and 是/否 stay prose.
    """
    if "/" not in word and "\\" not in word:
        return None
    if "://" in word:
        return None
    root = _PATH_ROOT_RE.match(word)
    if root is not None:
        if root.group() not in ("/", "\\") or _ASCII_ALNUM_RE.search(word) or len(_SEPARATORS_RE.findall(word)) > 1:
            return 0
    if _EXTENSION_RE.search(word):
        return 0
    for match in re.finditer(r"[/\\]", word):
        offset = match.start()
        if offset == 0 or ord(word[offset - 1]) < 0x80:
            continue
        rest = word[offset:]
        if len(rest) > 1 and _ASCII_ALNUM_RE.search(rest):
            return offset
    return None


def _url_end(body: str, start: int, end: int) -> int:
    match = _URL_RE.match(body, start, end)
    if match is None:
        return start + 1
    return max(_trim_url(body, start, match.end()), start + 1)


def _trim_url(body: str, start: int, end: int) -> int:
    """End of a bare URL without trailing sentence punctuation or an unbalanced `)` (as GFM autolinks)."""
    while end > start:
        last = body[end - 1]
        if last in ".,:;!?*_~":
            end -= 1
        elif last == ")" and body.count("(", start, end) < body.count(")", start, end):
            end -= 1
        else:
            break
    return end


def _plain_destination_end(body: str, position: int, end: int) -> int:
    """Fallback for a destination that does not parse: keep everything up to the next whitespace."""
    match = re.compile(r"[^\s]*").match(body, position, end)
    return match.end() if match else position
