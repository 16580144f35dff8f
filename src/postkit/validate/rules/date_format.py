"""date-format (PK202): a date is readable but not in an allowed format.

## What it checks
Each field in `date-fields` whose value reads as a date (see invalid-date,
PK201) must match one of `date-formats`. The default allows ISO 8601 /
RFC 3339 / YAML timestamps (`iso8601`) and Hexo's default
`YYYY-MM-DD HH:mm:ss`. Other entries may be `rfc3339` (strict: seconds and
an offset), `rfc2822`, or any moment.js-style pattern (`YYYY/MM/DD HH:mm`).

## Why it matters
RSS generators write RFC 2822 (`Tue, 14 Dec 2021 02:53:00 GMT`). Hexo reads
it through moment's deprecated fallback to JavaScript's `Date`, which prints
a warning and whose result differs between engines; YAML and every other
tool see only a string, so sorting and filtering by date break.

## Example
```yaml
date: Tue, 14 Dec 2021 02:53:00 GMT
```

## Fix
A safe fix rewrites the value in the first allowed format that keeps the
same instant: `2021-12-14T02:53:00Z`, or `2021-12-14T10:53:00+08:00` when
`timezone` is Asia/Shanghai. Quoting is kept; nothing else on the line moves.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Edit, Fix, Severity
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.dates import date_entries, is_allowed, render, zone

CODE = "PK202"
NAME = "date-format"
DEFAULT = Severity.WARNING
FIX = "safe"


def check(post: Post) -> Iterator[Problem]:
    allowed = post.settings.date_formats
    for key, node, reading, key_node in date_entries(post):
        if reading.error or reading.value is None or is_allowed(reading, allowed):
            continue
        found = reading.formats[0] if reading.formats else "an unlisted format"
        message = f"{key} {reading.text!r} is in {found.upper() if found == 'rfc2822' else found}, not an allowed format ({', '.join(allowed)})"
        rewritten = render(reading.value, allowed, zone(post.settings.timezone))
        fix = None
        if rewritten is not None:
            start, _ = post.front_matter.span(node)
            source = post.front_matter.source(node)
            end = start + len(source)
            if node.style in ("'", '"') and len(source) >= 2 and source[0] == source[-1] == node.style:
                start, end = start + 1, end - 1
            fix = Fix(f"write {rewritten}", (Edit(start, end, rewritten),))
        yield post.problem_at(node, message, fix, owner=key_node)
