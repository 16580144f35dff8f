"""duplicate-key (PK003): the same key appears twice in one mapping.

## What it checks
Every mapping in the front matter, at any depth, for keys written twice.

## Why it matters
PyYAML and python-frontmatter silently keep the last value; Hexo's js-yaml
throws `duplicated mapping key` and the post does not render. Generators
that append fields produce this (`cover: a.jpg` and later `cover: b.jpg`).

## Example
```yaml
cover: https://img.example.cn/a.jpg
cover: https://img.example.cn/b.jpg
```

## Severity
An error under `engine = "hexo"` (js-yaml throws) and `"hugo"` (go-yaml
refuses it); a warning under `"jekyll"`, whose Psych keeps the last value, so
only other engines fall into it. Hexo's `;;;` JSON front matter is not
checked: `JSON.parse` keeps the last value there.

## Fix
Delete the copy you do not want. There is no automatic fix, because which
value is right is the author's choice.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK003"
NAME = "duplicate-key"
DEFAULT = Severity.ERROR
FIX = None


def check(post: Post) -> Iterator[Problem]:
    reading = post.reading
    if reading is not None and reading.block is not None and reading.block.json:
        return
    front_matter = post.front_matter
    for key_node, first in front_matter.duplicates:
        first_line, _ = front_matter.position(first.start_mark)
        yield post.problem_at(
            key_node,
            f"duplicate key {key_node.value!r} (first at line {first_line}); "
            "PyYAML keeps the last value, Hexo refuses the post",
            other_engines=post.engine == "jekyll",
        )
