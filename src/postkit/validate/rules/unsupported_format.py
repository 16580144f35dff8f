"""unsupported-format (PK005): the front matter is TOML (Hugo's `+++` fences), which the rules do not read.

## What it checks
A post whose front matter sits between `+++` fences. postkit's front matter
rules read YAML; for such a post only the file-level checks (read-error
PK000, file-name PK402) run, and this diagnostic says so instead of staying
silent.

## Why it matters
A clean report must mean "checked and fine", not "skipped". Hugo sites often
mix YAML and TOML posts.

## Example
```toml
+++
title = "标题"
date = 2021-12-14T10:53:00+08:00
+++
```

## Fix
Nothing to fix in the post. Convert it to YAML front matter (`hugo convert
toYAML`) to have it checked, or `ignore = ["PK005"]`.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK005"
NAME = "unsupported-format"
DEFAULT = Severity.INFO
FIX = None
ANY_FORMAT = True


def check(post: Post) -> Iterator[Problem]:
    span = post.document.front_matter
    if span is not None and span.format != "yaml":
        yield Problem(span.open_line, 1, f"{span.format.upper()} front matter is not checked; postkit's front matter rules read YAML")
