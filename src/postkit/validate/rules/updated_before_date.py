"""updated-before-date (PK205): `updated` is earlier than `date`.

## What it checks
When both `date` and `updated` read as dates, `updated` must not be earlier.
Dates without an offset are read in the configured `timezone`; when none
is set, only an order that holds in every timezone is reported.

## Why it matters
Feed generators often write the fetch time into one field and the
publication time into the other, the wrong way round. Themes then show
"updated" before "published", and sitemaps give search engines a
`lastmod` older than the post.

## Example
```yaml
date: 2021-12-14 10:53:00
updated: 2021-12-13 08:00:00
```

## Fix
Swap or correct the values. There is no automatic fix.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.dates import date_entries, zone

CODE = "PK205"
NAME = "updated-before-date"
DEFAULT = Severity.WARNING
FIX = None


def _instant(value: dt.datetime | dt.date, tz: dt.tzinfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=tz)


# Without a configured timezone a naive date may be read at any offset from UTC-12 to UTC+14.
_ANY_ZONE = (dt.timezone(dt.timedelta(hours=-12)), dt.timezone(dt.timedelta(hours=14)))


def check(post: Post) -> Iterator[Problem]:
    readings = {key: (node, reading, owner) for key, node, reading, owner in date_entries(post) if reading.value is not None}
    if "date" not in readings or "updated" not in readings:
        return
    configured = zone(post.settings.timezone)
    zones = (configured,) if configured else _ANY_ZONE
    date_node, date, _ = readings["date"]
    updated_node, updated, updated_key = readings["updated"]
    # Report only when updated is earlier whatever zone the build machine has.
    try:
        earlier = all(_instant(updated.value, tz) < _instant(date.value, tz) for tz in zones)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        return  # dates at the edge of the calendar cannot be compared across zones
    if earlier:
        line, _ = post.front_matter.position(date_node.start_mark)
        yield post.problem_at(updated_node, f"updated {updated.text!r} is earlier than date {date.text!r} (line {line})", owner=updated_key)
