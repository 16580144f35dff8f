"""naive-date (PK203): a date has no offset and no timezone is configured.

## What it checks
A readable date field without `Z` or an offset such as `+08:00`, in a site
with no `timezone` in `[tool.postkit]` or in Hexo's `_config.yml`.

## Why it matters
`2016-02-19 00:55:35` is a different instant on a build machine in UTC and
on one in Asia/Shanghai: the post can move to the previous day and its
dated permalink changes (case B25, hexojs/hexo#4548).

## Example
```yaml
date: 2016-02-19 00:55:35
```

## Fix
Set the site's timezone (`timezone: Asia/Shanghai` in `_config.yml`, or
`timezone = "Asia/Shanghai"` in `[tool.postkit]`), or write the offset:
`2016-02-19T00:55:35+08:00`. There is no automatic fix.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.dates import date_entries

CODE = "PK203"
NAME = "naive-date"
DEFAULT = Severity.INFO
FIX = None


def check(post: Post) -> Iterator[Problem]:
    if post.settings.timezone:
        return
    for key, node, reading, key_node in date_entries(post):
        if reading.value is not None and not reading.has_offset:
            yield post.problem_at(
                node,
                f"{key} {reading.text!r} has no offset and no timezone is configured, "
                "so its instant depends on the build machine",
                owner=key_node,
            )
