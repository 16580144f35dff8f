"""template-hazard (PK501): text in the body that Hexo's Nunjucks pass deletes or fails on.

## What it checks
Hexo runs the body through Nunjucks (its tag plugins) before Markdown. Outside
fenced code blocks (```` ``` ```` or `~~~`) and `{% raw %}…{% endraw %}`:
- `{{ name }}` whose name is not a front matter key is deleted: Nunjucks
  prints the undefined variable as nothing, in inline code too;
- `{# … #}` is a Nunjucks comment and is deleted;
- `{#`, `{{` or `{%` that is never closed deletes the rest of the post, or
  stops the build with a Nunjucks error;
- `{% name %}` that is not one of Hexo's tags (`post_link`, `asset_img`,
  `codeblock` …) or Nunjucks' own (`raw`, `if`, `for` …) stops the build:
  `unknown block tag`.

Each is reported at its line and column. Posts with `disableNunjucks: true`
in their front matter, and engines other than Hexo, are not checked. Tags of
theme or plugin packages go in `template-tags`.

## Why it matters
Vue, Angular, Jinja and Go template snippets and C code in prose vanish from
the page without a word, or one post breaks the whole `hexo generate`.

## Example
```markdown
Vue prints a value with `{{ message }}`.
```

## Severity
An error: Hexo deletes text or fails the build. Under other engines the rule
does not run.

## Fix
A safe fix wraps the span in `{% raw %}…{% endraw %}`, which Hexo prints as
written; nothing else in the body changes.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator

from postkit.core.diagnostics import Edit, Fix, Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK501"
NAME = "template-hazard"
DEFAULT = Severity.ERROR
FIX = "safe"

# Hexo's fenced code block filter (before_post_render/backtick_code_block.js): these blocks never reach Nunjucks.
_FENCED = re.compile(
    r"^((?:[^\S\r\n]*>){0,3}[^\S\r\n]*)(`{3,}|~{3,})[^\S\r\n]*((?:.*?[^`\s])?)[^\S\r\n]*\n((?:[\s\S]*?\n)?)(?:(?:[^\S\r\n]*>){0,3}[^\S\r\n]*)\2[^\S\r\n]?(\n+|$)",
    re.M,
)
_OPENER = re.compile(r"\{[{#%]")
_ANY = re.compile(r"(\{\{.+?\}\})|(\{#.+?#\})|(\{%.+?%\})", re.S)
# Hexo 7's registered tags (plugins/tag/index.js) and the Nunjucks tags its parser knows.
HEXO_TAGS = frozenset(
    """quote blockquote code codeblock iframe img image include_code include-code a link anchor post_path post_link
    asset_path asset_link asset_img asset_image pullquote url_for full_url_for raw verbatim""".split()
)
_NAME = re.compile(r"\s*([A-Za-z_][\w.-]*)")
_ROOT = re.compile(r"\s*([A-Za-z_$][\w$]*)")
# What Hexo's post object holds besides the front matter, visible to Nunjucks as variables.
POST_FIELDS = frozenset("title date updated path permalink slug source raw content excerpt more tags categories layout comments photos link lang published".split())


_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
_HTML_CODE = re.compile(r"<code[^<>]*>[\s\S]+?</code>")
_INDENTED = re.compile(r"(?:^|\n[ \t]*\n)((?:(?: {4}|\t)[^\n]*(?:\n|$))+)")
# Nunjucks control tags: Hexo runs them, so a Jinja or Liquid example loses the text inside.
CONTROL_TAGS = frozenset("if for set filter macro call".split())


def _mask_fenced(body: str) -> str:
    """The body with fenced code blocks blanked out (same length, line breaks kept): Hexo takes them out first."""
    if "```" not in body and "~~~" not in body:
        return body
    return _FENCED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Spans that end up inside ``<code>`` (code spans, indented code, HTML ``<code>``), whose braces Hexo escapes."""
    ranges = [m.span() for m in _INLINE_CODE.finditer(text)] if "`" in text else []
    ranges += [m.span() for m in _HTML_CODE.finditer(text)] if "<code" in text else []
    ranges += [m.span(1) for m in _INDENTED.finditer(text)]
    return sorted(ranges)


def _inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when ``start``..``end`` lies within one of the sorted ``ranges``."""
    index = bisect.bisect_right(ranges, (start, _FAR)) - 1
    return index >= 0 and ranges[index][0] <= start and end <= ranges[index][1]


_FAR = 1 << 62


def _tag_name(inner: str) -> str:
    match = _NAME.match(inner)
    return match.group(1) if match else ""


def hazards(body: str, keys: frozenset[str], extra_tags: frozenset[str] = frozenset()) -> Iterator[tuple[int, int, str]]:
    """``(start, end, message)`` of each hazard in ``body``, following Hexo's two passes.

    First ``escapeAllSwigTags`` (only when the body has a complete ``{{ }}``,
    ``{# #}`` or ``{% %}``) lifts tags out and drops comments, and an
    unclosed opener swallows the rest; then Nunjucks renders what is left,
    with the braces inside ``<code>`` escaped.
    """
    if _OPENER.search(body) is None:
        return  # no '{{', '{#' or '{%' at all: the usual post
    text = _mask_fenced(body)
    if _OPENER.search(text) is None:
        return
    lazy: dict[str, object] = {}

    def code_ranges() -> list[tuple[int, int]]:
        if "code" not in lazy:
            lazy["code"] = _code_ranges(text)
        return lazy["code"]  # type: ignore[return-value]

    def complete() -> bool:
        if "complete" not in lazy:
            lazy["complete"] = _ANY.search(text) is not None
        return lazy["complete"]  # type: ignore[return-value]

    known = HEXO_TAGS | extra_tags
    index, length = 0, len(text)
    while index < length:
        found = _OPENER.search(text, index)
        if found is None:
            return
        start = found.start()
        kind = text[start + 1]
        closer = {"{": "}}", "#": "#}", "%": "%}"}[kind]
        end = text.find(closer, start + 2)
        if end == -1:
            if not complete() and _inside(code_ranges(), start, start + 2):
                index = start + 2
                continue
            what = "deletes the rest of the post" if complete() else "fails with a Nunjucks error"
            yield start, start + 2, f"'{{{kind}' is never closed with '{closer}': Hexo {what}"
            return
        end += 2
        index = end
        if kind == "#":
            yield start, end, "'{# … #}' is a Nunjucks comment: Hexo deletes it"
            continue
        if _inside(code_ranges(), start, end):
            continue  # Hexo escapes the braces inside <code> before Nunjucks runs
        inner = text[start + 2 : end - 2]
        if kind == "{":
            root = _ROOT.match(inner)
            if not (root and (root.group(1) in keys or root.group(1) in POST_FIELDS)):
                yield start, end, f"'{{{{{inner}}}}}' is a Nunjucks variable to Hexo, which prints it as nothing"
            continue
        name = _tag_name(inner)
        if name in ("raw", "verbatim") or name in CONTROL_TAGS:
            close = re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}").search(text, index)
            if close is None and name not in ("set",):
                yield start, end, f"'{{% {name} %}}' is never closed with '{{% end{name} %}}': the build stops with a Nunjucks error"
                return
            if name in CONTROL_TAGS:
                stop = close.end() if close else end
                yield start, stop, f"'{{% {name} %}}' is a Nunjucks tag: Hexo runs it and the text up to '{{% end{name} %}}' is replaced by its output"
                index = stop
            else:
                index = close.end()  # type: ignore[union-attr]
            continue
        if name.startswith("end") and len(name) > 3:
            continue  # a known tag's end, or the end of an unknown one already reported at its start
        if name not in known:
            yield start, end, f"'{{% {name} %}}' is not a Hexo tag: the build stops with 'unknown block tag: {name}'"


def check(post: Post) -> Iterator[Problem]:
    if post.engine != "hexo" or post.value("disableNunjucks") is True:
        return
    document = post.document
    body = document.body
    if "{" not in body:
        return  # most posts: nothing for Nunjucks
    offset = document.front_matter.body_start if document.front_matter else 0
    keys = frozenset(k for k in (post.front_matter.data or {}) if isinstance(k, str)) if post.front_matter.is_mapping else frozenset()
    for start, end, message in hazards(body, keys, frozenset(post.settings.template_tags)):
        span = body[start:end]
        fix = None if "{% raw %}" in span or "endraw" in span else Fix(
            "wrap it in {% raw %}…{% endraw %}",
            (Edit(offset + start, offset + start, "{% raw %}"), Edit(offset + end, offset + end, "{% endraw %}")),
        )
        line, col = document.position(offset + start)
        end_line, end_col = document.position(offset + end)
        yield Problem(line, col, message, fix, end_line if end_line == line else None, end_col if end_line == line else None)
