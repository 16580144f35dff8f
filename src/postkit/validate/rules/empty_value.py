"""empty-value (PK102): a required key is null, empty or only whitespace.

## What it checks
The value of every `required` key: `title:`, `title: ''`, `title: ' '`,
`date: ~` and empty lists or mappings are reported.

## Why it matters
A title of one space renders as an empty link in every list of posts; an
empty date falls back to the file's birth time, as if it were missing.

## Example
```yaml
title: ' '
```

## Fix
Write the value. There is no automatic fix.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK102"
NAME = "empty-value"
DEFAULT = Severity.ERROR
FIX = None


def _describe(value: object) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, str) and not value.strip():
        return "empty" if not value else "only whitespace"
    if isinstance(value, (list, dict)) and not value:
        return "empty"
    return None


def check(post: Post) -> Iterator[Problem]:
    for key in post.settings.required:
        entry = post.entry(key)
        if entry is None:
            continue
        key_node, value_node = entry
        what = _describe(post.value(key))
        if what is not None:
            node = value_node if post.front_matter.source(value_node) else key_node
            yield post.problem_at(node, f"required key {key!r} is {what}", owner=key_node)
