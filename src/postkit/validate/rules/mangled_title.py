"""mangled-title (PK105): a generator turned punctuation in the title into `_`, and the body still has the real title.

## What it checks
RSS-to-Hexo generators build the file name from the title and then write the
file-name form back as the title: `"` `:` `/` `?` `*` `|` `<` `>` and
quotation marks such as `“ ”` become `_`. When the title holds `_` and the
body holds a text that maps back to it character for character (an image's
`alt` or `title` attribute, a Markdown image's alt text, the first heading,
or the first line of text, which feeds often make the headline), where every `_` of the title stands for a punctuation mark or symbol
and every other character is the same, the title is reported. Otherwise the
rule stays silent: a `_` that the body does not explain is left alone.

## Why it matters
The site, the feed and search results show `二上美国_黑名单_，…` instead of
the headline the author wrote.

## Example
```markdown
---
title: '二上美国_黑名单_，商汤坚定推进香港上市发行'
---
<img src="cover.png" alt="二上美国“黑名单”，商汤坚定推进香港上市发行">
```

## Severity
A warning: the site shows the title as written, but what is written is the
generator's file-name form of the real title.

## Fix
A safe fix writes the restored title, single-quoted:
`title: '二上美国“黑名单”，商汤坚定推进香港上市发行'`. Nothing else changes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Iterator

import yaml

from postkit.core.diagnostics import Fix, Severity
from postkit.core.front_matter import quote
from postkit.validate.rules.base import Post, Problem

CODE = "PK105"
NAME = "mangled-title"
DEFAULT = Severity.WARNING
FIX = "safe"

_SEARCH = 65536  # the real title sits at the top of the body: its first image or heading
_ATTRIBUTE = re.compile(r"""\b(?:alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]\n]+)\]\(")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def _candidates(body: str) -> Iterator[str]:
    head = body[:_SEARCH]
    for match in _ATTRIBUTE.finditer(head):
        yield html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
    for match in _MARKDOWN_IMAGE.finditer(head):
        yield match.group(1)
    for pattern in (_HEADING, _HTML_HEADING):
        match = pattern.search(head)
        if match:
            yield html.unescape(_TAG.sub("", match.group(1))).strip()
    for line in head[:4096].splitlines():
        text = html.unescape(_TAG.sub("", line)).strip()
        if text:
            yield text  # feeds often repeat the headline as the first line of the body
            break


def _is_mark(char: str) -> bool:
    return char != "_" and unicodedata.category(char)[0] in "PS"


def restores(title: str, candidate: str) -> bool:
    """True when ``candidate`` is ``title`` with each of at least one ``_`` read back as a punctuation mark or symbol."""
    if len(candidate) != len(title) or candidate == title:
        return False
    changed = False
    for written, real in zip(title, candidate):
        if written == real:
            continue
        if written != "_" or not _is_mark(real):
            return False
        changed = True
    return changed


def check(post: Post) -> Iterator[Problem]:
    entry = post.entry("title")
    title = post.value("title")
    if entry is None or not isinstance(title, str) or "_" not in title:
        return
    node = entry[1]
    if not isinstance(node, yaml.ScalarNode) or post.front_matter.is_alias_use(node, entry[0]):
        return
    for candidate in _candidates(post.document.body):
        if restores(title, candidate):
            fix = Fix(f"restore the title: {quote(candidate)}", (post.front_matter.replace_scalar(node, quote(candidate)),))
            yield post.problem_at(node, f"title {title!r} looks mangled by a generator: the body has {candidate!r}", fix)
            return
