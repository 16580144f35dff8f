"""no-front-matter (PK001): the post has no front matter block at the top.

## What it checks
A post must open with a `---` line, YAML, and a closing `---` line. Blank
lines and a UTF-8 BOM before the opening fence are accepted, as Hexo accepts
them. Three shapes get their own message:

- an opening `---` that is never closed;
- YAML keys with a closing `---` but no opening one (Hexo reads this; Jekyll,
  Hugo and python-frontmatter do not);
- a `---` followed by a blank line and prose: that is a Markdown thematic
  break, not front matter. postkit keeps the paragraph after it as body;
  parsers that take the block for YAML drop that paragraph.

## Why it matters
Without front matter the post has no title or date: Hexo titles it after the
file and dates it by the file's birth time, which changes on every clone.

## Example
```markdown
title: Hello
date: 2021-12-14 10:53:00
---
Body
```

## Fix
For keys without an opening fence, a safe fix inserts the missing `---`.
Otherwise add a front matter block by hand.
"""

from __future__ import annotations

import re
from typing import Iterator

from postkit.core.diagnostics import Applicability, Edit, Fix, Severity
from postkit.core.document import unclosed_fence_message
from postkit.validate.rules.base import Post, Problem

def _is_mapping(document, first: int, closing: int) -> bool:  # noqa: ANN001
    """True when lines ``first``..``closing - 1`` parse as a YAML mapping, so the fix cannot swallow prose."""
    import yaml

    from postkit.core.front_matter import compose

    start, end = document.offset(first), document.offset(closing)
    # Composing is enough to tell a mapping, and builds no value, so tagged junk (!!bool x) cannot raise.
    try:
        return isinstance(compose(document.text[start:end]), yaml.MappingNode)
    except (yaml.YAMLError, RecursionError):
        return False


CODE = "PK001"
NAME = "no-front-matter"
DEFAULT = Severity.ERROR
FIX = "safe"

_KEY = re.compile(r"^[A-Za-z_][\w-]*:(?:[ \t]|$)")
_CLOSE = re.compile(r"^-{3,}[ \t]*$")
_SEARCH_LINES = 200


def check(post: Post) -> Iterator[Problem]:
    document = post.document
    if document.front_matter is not None:
        return
    if document.unclosed_fence_line is not None:
        line = document.unclosed_fence_line
        yield Problem(line, 1, unclosed_fence_message(line))
        return
    if document.thematic_break_line is not None:
        yield Problem(
            document.thematic_break_line,
            1,
            "no front matter: the post opens with a '---' thematic break and prose; "
            "postkit keeps that paragraph as body, but a YAML front matter parser would swallow it",
        )
        return
    first = 1
    while first <= document.line_count and not document.line(first).strip():
        first += 1
    if first <= document.line_count and _KEY.match(document.line(first)):
        for number in range(first + 1, min(document.line_count, first + _SEARCH_LINES) + 1):
            line = document.line(number)
            if _CLOSE.match(line):
                fix = None
                if line.rstrip() == "---" and _is_mapping(document, first, number):
                    insert = document.offset(first)
                    fix = Fix("insert the opening '---'", (Edit(insert, insert, "---" + document.newline),), Applicability.SAFE)
                yield Problem(
                    first,
                    1,
                    f"front matter has a closing '---' at line {number} but no opening '---'; "
                    "Hexo reads it, Jekyll, Hugo and most tools do not",
                    fix,
                )
                return
            if not line.strip():
                break  # a blank line: prose, not a block of keys
    if "\r" in document.text and "\n" not in document.text:
        yield Problem(1, 1, "no front matter found: the file uses old Mac line endings (CR only), which Hexo does not split into lines; convert them to LF")
        return
    yield Problem(1, 1, "no front matter block ('---' ... '---') at the top of the post")
