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

## Severity
A warning: the date is read as written, but in a format the project does
not allow.

## Fix
A safe fix rewrites the value in the first allowed format that keeps the
same instant: `2021-12-14T02:53:00Z`. When `timezone` is set (Asia/Shanghai)
the rewrite is the site's local time, `2021-12-14 10:53:00`: with `engine =
"hexo"` that is the only form Hexo reads at the same instant, since it drops
the offset of `2021-12-14T10:53:00+08:00`; other engines get the offset
form. Quoting is kept; nothing else on the line moves.
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
        value = reading.value
        site_zone = zone(post.settings.timezone)
        if post.engine == "hexo" and site_zone is not None and getattr(value, "tzinfo", None) is not None:
            # Hexo reads the UTC digits of a date with an offset as local time when 'timezone' is set,
            # so the rewrite that keeps the instant for Hexo is the site's local time without an offset.
            try:
                value = value.astimezone(site_zone).replace(tzinfo=None)  # type: ignore[union-attr]
            except (OverflowError, ValueError):
                value = None  # at the edge of the calendar: report without a fix
        rewritten = render(value, allowed, site_zone) if value is not None else None
        fix = None
        if rewritten is not None:
            start, _ = post.front_matter.span(node)
            source = post.front_matter.source(node)
            end = start + len(source)
            if node.style in ("'", '"') and len(source) >= 2 and source[0] == source[-1] == node.style:
                start, end = start + 1, end - 1
            fix = Fix(f"write {rewritten}", (Edit(start, end, rewritten),))
        yield post.problem_at(node, message, fix, owner=key_node)
