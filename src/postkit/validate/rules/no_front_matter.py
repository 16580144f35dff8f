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

With `engine = "hexo"` the block is the one hexo-front-matter finds. Where
postkit's own reading sees a block and Hexo does not, the error says why:
whitespace after the opening `---` (a safe fix deletes it), more than one
blank line (or a line of spaces) before it (a safe fix deletes them), a
closing `...`, an empty block, TOML `+++` fences, or a block that reads as
a string rather than keys.

## Severity
An error when the configured engine finds no front matter. Keys without an
opening `---` are a warning under Hexo, which reads them, and an error under
Jekyll and Hugo, which do not.

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
    reading = post.reading
    document = post.document
    if reading is not None and reading.engine == "hexo":
        generic = reading.generic
        span = document.front_matter
        if span is not None and span.open_line == 0 and generic.front_matter is None:
            yield from _missing_opening(generic, other_engines=True)
            return
        if span is None and generic.front_matter is not None:
            yield _hexo_misses(generic, reading.block.reason if reading.block else None)
            return
        if span is not None:
            return
        document = generic
    elif document.front_matter is not None:
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
    problems = list(_missing_opening(document, other_engines=False))
    if problems:
        yield from problems
        return
    if "\r" in document.text and "\n" not in document.text:
        yield Problem(1, 1, "no front matter found: the file uses old Mac line endings (CR only), which Hexo does not split into lines; convert them to LF")
        return
    yield Problem(1, 1, "no front matter block ('---' ... '---') at the top of the post")


def _hexo_misses(document, reason: str | None) -> Problem:  # noqa: ANN001
    """Hexo finds no front matter where the post plainly has a block: say why, and fix the fence when it can."""
    span = document.front_matter
    opening = document.line(span.open_line)
    fix = None
    if span.open_line > 1:
        blank_end = document.offset(span.open_line)
        fix = Fix("delete the blank lines before the opening '---'", (Edit(0, blank_end, ""),))
    elif opening.rstrip(" \t") != opening and opening.rstrip(" \t") in ("-" * len(opening.rstrip(" \t")),):
        start = document.offset(span.open_line) + len(opening.rstrip(" \t"))
        fix = Fix("delete the spaces after the opening '---'", (Edit(start, start + len(opening) - len(opening.rstrip(" \t")), ""),))
    if span.open_line > 1:
        reason = (
            "Hexo takes a front matter block only at the very top, or after exactly one empty line; "
            f"here the opening '---' is on line {span.open_line}"
        )
    return Problem(
        span.open_line,
        1,
        f"Hexo finds no front matter: {reason or 'its fences are not the ones Hexo looks for'}; "
        "the post gets no title or date and the YAML shows as body text",
        fix,
    )


def _missing_opening(document, other_engines: bool) -> Iterator[Problem]:  # noqa: ANN001
    """Keys with a closing ``---`` but no opening one: Hexo reads them, other generators do not."""
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
                    other_engines=other_engines,
                )
                return
            if not line.strip():
                break  # a blank line: prose, not a block of keys
