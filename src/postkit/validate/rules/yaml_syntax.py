"""yaml-syntax (PK002): the front matter is not valid YAML.

## What it checks
The block between the fences must parse as YAML. The diagnostic gives the
line and column in the file (not in the block) and a hint for the traps
generated posts fall into.

## Why it matters
Hexo stops rendering the post or the whole site; other tools silently drop
the front matter. Generated titles are the usual cause: `title: 论文解读: 一种新方法`
(a `: ` inside a plain value), `title: [转载] 一篇文章` (a value that starts a
YAML list and goes on), a quote inside a single-quoted title, or a tab used
for indentation.

## Example
```yaml
title: 论文解读: 一种新方法
```

## Fix
Quote the whole value: `title: '论文解读: 一种新方法'` (double any `'` inside).
There is no automatic fix: where a broken value ends is a guess.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK002"
NAME = "yaml-syntax"
DEFAULT = Severity.ERROR
FIX = None


def check(post: Post) -> Iterator[Problem]:
    error = post.front_matter.error
    if error is not None:
        yield Problem(error.line, error.col, f"front matter is not valid YAML: {error.message}")
