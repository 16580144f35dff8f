"""invalid-date (PK201): the date the site shows is not the date written, or none can be read.

## What it checks
With `engine = "hexo"`, `date` and `updated` are read as Hexo reads them
(js-yaml's timestamp, JavaScript's `new Date()`, Hexo's `toDate` and
`timezone`) and compared with what is written:
- an impossible day rolls over: `2020-13-45` shows as 2021-02-14 and
  `2021-02-30` as 1 March; the message says what Hexo shows;
- `Invalid Date`, `2020年1月5日` or `20211214` fall back to the file's birth
  time (or to 1970 for a number);
- with `timezone` set, a YAML timestamp with an offset or `Z`, or a string
  with a zone, shows at its UTC digits in the site's zone
  (`2021-12-14T10:53:00+08:00` shows as 02:53 in Asia/Shanghai): a safe fix
  writes the local time, `2021-12-14 10:53:00`. Without `timezone`, dates are
  read as on a build machine whose clock is on UTC, as CI runners are.

For other engines and other date fields:
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

## Severity
An error when the configured engine shows another date, or none. A shape
Hexo reads as meant but YAML and most tools do not (`14 Dec 2021`, an RFC
2822 date with the wrong weekday) is a warning under Hexo.

## Fix
Write the real date, e.g. `date: 2021-12-14T10:53:00+08:00`. The safe fix
exists only for the timezone case above, where the intended time is known.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

import yaml

from postkit.core.diagnostics import Edit, Fix, Severity
from postkit.validate.reading import hexo_date
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.dates import DateReading, date_entries, read_date, zone

CODE = "PK201"
NAME = "invalid-date"
DEFAULT = Severity.ERROR
FIX = "safe"

# The fields Hexo itself reads as dates (through toDate and timezone); others are theme data.
HEXO_DATE_FIELDS = ("date", "updated")
_WEEKDAY = re.compile(r"^[A-Za-z]{3,},\s*")


def check(post: Post) -> Iterator[Problem]:
    for key, node, reading, key_node in date_entries(post):
        if post.engine == "hexo" and key in HEXO_DATE_FIELDS:
            problem = _hexo(post, key, node, reading, key_node)
            if problem is not False:
                if problem is not None:
                    yield problem
                continue
        if reading.error:
            yield post.problem_at(node, f"{key}: {reading.error}; Hexo silently falls back to the file's birth time", owner=key_node)


def _wall(reading: DateReading, tz: dt.tzinfo | None) -> dt.datetime | None:
    """The wall-clock time the author meant, on the site's clock (UTC when no timezone is set)."""
    value = reading.value
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        try:
            value = value.astimezone(tz or dt.timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _show(wall: dt.datetime) -> str:
    text = wall.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{wall.microsecond // 1000:03d}" if wall.microsecond else "")


def _hexo(post: Post, key: str, node: yaml.Node, reading: DateReading, key_node: yaml.Node) -> Problem | None | bool:
    """Compare the date Hexo shows with the one written; ``False`` when postkit cannot model the shape."""
    if (
        reading.value is not None
        and node.tag == "tag:yaml.org,2002:timestamp"
        and not (reading.has_offset and post.settings.timezone)
    ):
        # A real day in a YAML timestamp: Hexo shows its digits, and an offset's instant when no timezone is set.
        return None
    view = hexo_date(node, post.value(key))
    if not view.modelled:
        return False
    where = f" in {post.settings.timezone}" if post.settings.timezone else ""
    if view.wall is None:
        why = reading.error or f"Hexo cannot read {reading.text!r}"
        return post.problem_at(node, f"{key}: {why}; Hexo silently falls back to the file's birth time", owner=key_node)
    shown = _show(view.wall)
    intended = _wall(reading, zone(post.settings.timezone))
    if intended is None and reading.value is not None:
        return None  # at the edge of the calendar: no wall time to compare with
    if intended is None and reading.error and _WEEKDAY.match(reading.text):
        rest = read_date(_WEEKDAY.sub("", reading.text), post.settings.date_formats)
        intended = _wall(rest, zone(post.settings.timezone))
        if intended == view.wall:
            return post.problem_at(
                node, f"{key}: {reading.error}; Hexo ignores the weekday and shows {shown}{where}, other tools reject the date",
                owner=key_node, other_engines=True,
            )
        if intended is not None:
            reading = rest
    if intended is None:
        if not view.rolled and isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return post.problem_at(
                node, f"{key}: Hexo (JavaScript's Date) reads {reading.text!r} as {shown}{where}, but YAML and most other tools do not read it as a date",
                owner=key_node, other_engines=True,
            )
        why = reading.error or f"{reading.text!r} is not a date"
        verb = "rolls it over" if view.rolled else "reads it anyway"
        return post.problem_at(node, f"{key}: {why}; JavaScript {verb} and Hexo shows {shown}{where}", owner=key_node)
    if intended == view.wall:
        return None
    fix = None
    if isinstance(node, yaml.ScalarNode) and node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:str"):
        start, _ = post.front_matter.span(node)
        source = post.front_matter.source(node)
        end = start + len(source)
        if node.style in ("'", '"') and len(source) >= 2 and source[0] == source[-1] == node.style:
            start, end = start + 1, end - 1
        rewritten = _show(intended)
        fix = Fix(f"write {rewritten}, which Hexo reads in its timezone", (Edit(start, end, rewritten),))
    reason = ""
    if reading.has_offset and post.settings.timezone:
        reason = " (Hexo reads the UTC digits of a date with an offset as local time when 'timezone' is set)"
    return post.problem_at(
        node, f"{key} {reading.text!r} means {_show(intended)}{where} but Hexo shows {shown}{where}{reason}", fix, owner=key_node
    )
