"""invalid-date (PK201): a date field cannot be read, or names a day that does not exist.

## What it checks
Each field in `date-fields` (default `date`, `updated`). Readable means
ISO 8601 / RFC 3339 (and the YAML timestamp), RFC 2822, a pattern listed in
`date-formats`, or a shape moment.js reads such as `2021/03/22`. Reported:
`Invalid Date` (what JavaScript prints for a failed parse, often written by
feed generators), `2020-13-45`, `2020-02-30`, `2020年1月5日`, an RFC 2822
date whose weekday is wrong, and numbers.

## Why it matters
Hexo does not complain: it silently falls back to the file's birth time, so
the post jumps to "today" on every fresh clone or CI build.

## Example
```yaml
date: Invalid Date
```

## Fix
Write the real date, e.g. `date: 2021-12-14T10:53:00+08:00`. There is no
automatic fix: the real date is unknown.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.dates import date_entries

CODE = "PK201"
NAME = "invalid-date"
DEFAULT = Severity.ERROR
FIX = None


def check(post: Post) -> Iterator[Problem]:
    for key, node, reading, key_node in date_entries(post):
        if reading.error:
            yield post.problem_at(node, f"{key}: {reading.error}; Hexo silently falls back to the file's birth time", owner=key_node)
