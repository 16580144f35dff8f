"""not-a-mapping (PK004): the front matter is a list or a single value, not `key: value` pairs.

## What it checks
The parsed front matter must be a mapping (an empty block counts as an
empty mapping).

## Why it matters
python-frontmatter silently discards a scalar or list front matter, and Hexo
ignores it, so the post loses its title and date without a word.

## Example
```yaml
---
只是一句话
---
```

## Fix
Write the block as `key: value` lines, or remove the fences if the text is
meant as body.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK004"
NAME = "not-a-mapping"
DEFAULT = Severity.ERROR
FIX = None

_KINDS = {list: "a list", str: "a single string", int: "a number", float: "a number", bool: "a boolean"}


def check(post: Post) -> Iterator[Problem]:
    front_matter = post.front_matter
    if front_matter.error is not None or front_matter.root is None or front_matter.is_mapping:
        return
    kind = _KINDS.get(type(front_matter.data), f"a {type(front_matter.data).__name__}")
    yield post.problem_at(front_matter.root, f"front matter is {kind}, not a mapping of keys to values")
