"""missing-key (PK101): a required front matter key is absent.

## What it checks
Every key in the `required` setting (default: `title`, `date`) must be
present in the front matter.

## Why it matters
Without `title` Hexo shows the file name; without `date` it uses the file's
birth time, which a fresh clone or a CI checkout resets, so the post moves
around the archive and its permalink can change.

## Example
```yaml
---
title: 标题
---
```
reports `date` as missing.

## Fix
Add the key. Set `required` in `[tool.postkit]` to change the list.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK101"
NAME = "missing-key"
DEFAULT = Severity.ERROR
FIX = None


def check(post: Post) -> Iterator[Problem]:
    span = post.document.front_matter
    if span is None or not post.front_matter.is_mapping:
        return
    for key in post.settings.required:
        if key not in post.front_matter.data:
            yield Problem(max(span.open_line, 1), 1, f"required key {key!r} is missing")
