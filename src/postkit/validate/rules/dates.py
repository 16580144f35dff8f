"""Read the date strings real posts carry, and say which format each one is in.

Shared by the date rules (PK201, PK202, PK203, PK205). Formats follow
ISO 8601 / RFC 3339 (and the YAML 1.1 timestamp, which is a profile of it),
RFC 2822 (``Tue, 14 Dec 2021 02:53:00 GMT``, what RSS carries), and
moment.js-style patterns such as Hexo's default ``YYYY-MM-DD HH:mm:ss``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

import yaml

if TYPE_CHECKING:
    from postkit.validate.rules.base import Post


class _LazyPattern:
    """A regular expression compiled on first use, so that importing the rules compiles none.

    A one-file run (the pre-commit case) pays start-up on every commit; most
    posts need one or two of these patterns, and many need none.
    """

    __slots__ = ("_arguments", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._arguments = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str):  # noqa: ANN204 - the attribute of the compiled pattern
        if self._compiled is None:
            self._compiled = re.compile(*self._arguments)
        return getattr(self._compiled, name)

# The YAML 1.1 timestamp grammar (yaml.org/type/timestamp), which PyYAML and Hexo's js-yaml resolve.
_YAML_TIMESTAMP = _LazyPattern(
    r"""^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})
    (?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})
    (?:\.(?P<fraction>[0-9]*))?
    (?:[ \t]*(?P<tz>[Zz]|(?P<tz_sign>[-+])(?P<tz_hour>[0-9]{1,2})(?::?(?P<tz_minute>[0-9]{2}))?))?)?$""",
    re.X,
)
# RFC 3339 section 5.6: full date, time with seconds, and an offset; a space may stand for "T".
_RFC3339 = _LazyPattern(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_RFC2822 = _LazyPattern(
    r"^(?:(?P<weekday>[A-Za-z]{3}),\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s+(?:[+-]\d{4}|[A-Za-z]{1,5}))?\s*$"
)
_MOMENT_TOKENS = {
    "YYYY": r"(?P<year>\d{4})",
    "MM": r"(?P<month>\d{2})",
    "M": r"(?P<month>\d{1,2})",
    "DD": r"(?P<day>\d{2})",
    "D": r"(?P<day>\d{1,2})",
    "HH": r"(?P<hour>\d{2})",
    "H": r"(?P<hour>\d{1,2})",
    "mm": r"(?P<minute>\d{2})",
    "ss": r"(?P<second>\d{2})",
    "SSS": r"(?P<fraction>\d{3})",
    "ZZ": r"(?P<tz>(?P<tz_sign>[-+])(?P<tz_hour>\d{2})(?P<tz_minute>\d{2}))",
    "Z": r"(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>\d{2}):(?P<tz_minute>\d{2}))",
}
_MOMENT_SPLIT = _LazyPattern("|".join(sorted(_MOMENT_TOKENS, key=len, reverse=True)))
# Shapes moment.js also reads that are in no allowed format by default.
_LENIENT = (
    "YYYY/MM/DD HH:mm:ss",
    "YYYY/M/D HH:mm:ss",
    "YYYY/MM/DD HH:mm",
    "YYYY/M/D H:mm",
    "YYYY/MM/DD",
    "YYYY/M/D",
    "YYYY-MM-DD HH:mm",
    "YYYY-MM-DDTHH:mm",
    "YYYY.MM.DD",
    "YYYY.MM.DD HH:mm:ss",
)
NAMED_FORMATS = ("iso8601", "rfc3339", "rfc2822")


class FormatError(ValueError):
    """A ``date-formats`` entry that is neither a named format nor a moment-style pattern."""


@dataclass(frozen=True)
class DateReading:
    """What a date string turned out to be.

    ``value`` is a :class:`datetime.datetime` (aware when the text had an
    offset) or a :class:`datetime.date` for date-only text; ``None`` with
    ``error`` set when the text cannot be read or names an impossible day.
    ``formats`` lists every format name or pattern the text matches.
    """

    text: str
    value: dt.datetime | dt.date | None
    formats: tuple[str, ...] = ()
    error: str | None = None

    @property
    def has_offset(self) -> bool:
        """True when the text fixes the instant (``Z``, ``+08:00``, ``GMT`` ...)."""
        return isinstance(self.value, dt.datetime) and self.value.tzinfo is not None


@lru_cache(maxsize=64)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn a moment.js-style pattern (``YYYY-MM-DD HH:mm:ss``) into an anchored regex.

    Raises:
        FormatError: the pattern has no ``YYYY``, ``MM``/``M`` and ``DD``/``D``.
    """
    parts = []
    cursor = 0
    seen = set()
    for match in _MOMENT_SPLIT.finditer(pattern):
        parts.append(re.escape(pattern[cursor : match.start()]))
        token = match.group()
        group = _MOMENT_TOKENS[token]
        name = re.match(r"\(\?P<(\w+)>", group).group(1)  # type: ignore[union-attr]
        if name in seen:
            raise FormatError(f"date format {pattern!r} uses {name} twice")
        seen.add(name)
        parts.append(group)
        cursor = match.end()
    parts.append(re.escape(pattern[cursor:]))
    if not {"year", "month", "day"} <= seen:
        raise FormatError(f"date format {pattern!r} needs YYYY, MM (or M) and DD (or D)")
    return re.compile("^" + "".join(parts) + "$")


def validate_format(name: str) -> None:
    """Check one ``date-formats`` entry.

    Raises:
        FormatError: the entry is not a named format or a usable pattern.
    """
    if name not in NAMED_FORMATS:
        compile_pattern(name)


def _from_groups(groups: dict[str, str | None]) -> dt.datetime | dt.date:
    """Build the value from regex groups; raises ValueError for impossible fields."""
    year, month, day = int(groups["year"]), int(groups["month"]), int(groups["day"])  # type: ignore[arg-type]
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is out of range (1-12)")
    if groups.get("hour") is None:
        return dt.date(year, month, day)
    hour, minute = int(groups["hour"]), int(groups.get("minute") or 0)  # type: ignore[arg-type]
    second = int(groups.get("second") or 0)
    fraction = (groups.get("fraction") or "0")[:6].ljust(6, "0")
    tz = None
    if groups.get("tz") in ("Z", "z"):
        tz = dt.timezone.utc
    elif groups.get("tz_sign"):
        offset = dt.timedelta(hours=int(groups["tz_hour"]), minutes=int(groups.get("tz_minute") or 0))  # type: ignore[arg-type]
        if offset >= dt.timedelta(hours=24):
            raise ValueError(f"offset {groups['tz']} is out of range")
        tz = dt.timezone(-offset if groups["tz_sign"] == "-" else offset)
    return dt.datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=tz)


def _explain(error: ValueError, text: str) -> str:
    message = str(error)
    if message == "day is out of range for month":
        return f"day is out of range for the month in {text!r}"
    return message


def read_date(text: str, allowed: tuple[str, ...]) -> DateReading:
    """Read ``text`` and list which of the ``allowed`` formats it matches.

    Never raises; an unreadable or impossible date comes back with ``error``
    (``Invalid Date``, ``2020-13-45``, ``2020年1月5日``: PK201).
    """
    text = text.strip()
    value: dt.datetime | dt.date | None = None
    matched: list[str] = []
    match = _YAML_TIMESTAMP.match(text)
    if match:
        try:
            value = _from_groups(match.groupdict())
        except ValueError as error:
            return DateReading(text, None, error=_explain(error, text))
        matched.append("iso8601")
        if _RFC3339.match(text):
            matched.append("rfc3339")
    elif _RFC2822.match(text):
        import email.utils  # only RSS-style dates need it; keeps start-up light

        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return DateReading(text, None, error=f"{text!r} looks like RFC 2822 but names an impossible date")
        written_year = re.search(r"\b\d{1,2}\s+[A-Za-z]{3}\s+(\d{2,4})\b", text)
        if written_year and len(written_year.group(1)) == 4 and int(written_year.group(1)) != value.year:
            return DateReading(text, None, error=f"{text!r} has the year {written_year.group(1)}, which RFC 2822 dates cannot carry")
        if value.tzinfo is None:
            # RFC 5322 section 3.3: "-0000" is UTC with the local zone unknown; any other zone
            # that Python leaves naive is one it does not know, and guessing would move the instant.
            if re.search(r"\s-0000\s*$", text):
                value = value.replace(tzinfo=dt.timezone.utc)
            else:
                zone_name = text.split()[-1]
                return DateReading(text, None, error=f"{text!r} names the time zone {zone_name!r}, which is not an RFC 2822 zone")
        weekday = _RFC2822.match(text).group("weekday")  # type: ignore[union-attr]
        if weekday and weekday.title() != value.strftime("%a"):
            return DateReading(text, None, error=f"{text!r} says {weekday} but that day is a {value.strftime('%A')}")
        matched.append("rfc2822")
    for pattern in allowed:
        if pattern in NAMED_FORMATS:
            continue
        found = compile_pattern(pattern).match(text)
        if found:
            try:
                candidate = _from_groups(found.groupdict())
            except ValueError as error:
                return DateReading(text, None, error=_explain(error, text))
            value = value or candidate
            matched.append(pattern)
    if value is None:
        for pattern in _LENIENT:
            found = compile_pattern(pattern).match(text)
            if found:
                try:
                    value = _from_groups(found.groupdict())
                except ValueError as error:
                    return DateReading(text, None, error=_explain(error, text))
                matched.append(pattern)
                break
    if value is None:
        if not text:
            return DateReading(text, None, error="the date is empty")
        return DateReading(text, None, error=f"{text!r} is not a date in any format Hexo or postkit can read")
    return DateReading(text, value, tuple(matched))


def is_allowed(reading: DateReading, allowed: tuple[str, ...]) -> bool:
    """True when the reading matches one of the ``allowed`` formats."""
    return any(name in allowed for name in reading.formats)


def render(value: dt.datetime | dt.date, allowed: tuple[str, ...], timezone: dt.tzinfo | None) -> str | None:
    """Write ``value`` in the first allowed format that keeps the same instant.

    An aware value is moved into ``timezone`` when one is configured, so the
    fix of ``Tue, 14 Dec 2021 02:53:00 GMT`` under Asia/Shanghai reads
    ``2021-12-14T10:53:00+08:00``. Returns ``None`` when no allowed format can
    express the value without changing its instant (PK202).
    """
    local = None
    if isinstance(value, dt.datetime) and value.tzinfo is not None and timezone is not None:
        try:
            value = value.astimezone(timezone)
        except (OverflowError, ValueError):
            return None  # at the edge of the calendar: no rewrite keeps the instant
        # Hexo reads a date without an offset in the site's timezone, so local time keeps the instant.
        local = value.replace(tzinfo=None)
    if value.year < 1000:
        return None  # Hexo's moment and most themes misread years before 1000; leave such a date alone
    for name in allowed:
        if name in ("iso8601", "rfc3339"):
            if not isinstance(value, dt.datetime):
                if name == "iso8601":
                    return value.isoformat()
                continue
            if value.tzinfo is None:
                if name == "rfc3339":
                    continue
                return value.isoformat(sep=" ", timespec=_timespec(value))
            return value.isoformat(timespec=_timespec(value)).replace("+00:00", "Z")
        if name == "rfc2822":
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                import email.utils

                return email.utils.format_datetime(value, usegmt=value.utcoffset() == dt.timedelta(0))
            continue
        rendered = _render_pattern(name, value)
        if rendered is None and local is not None:
            rendered = _render_pattern(name, local)
        if rendered is not None:
            return rendered
    return None


def _timespec(value: dt.datetime) -> str:
    """The shortest ISO 8601 time precision that keeps every digit of ``value``."""
    if not value.microsecond:
        return "seconds"
    return "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"


def _render_pattern(pattern: str, value: dt.datetime | dt.date) -> str | None:
    is_datetime = isinstance(value, dt.datetime)
    tokens = set(_MOMENT_SPLIT.findall(pattern))
    has_time = bool(tokens & {"HH", "H"})
    has_offset = bool(tokens & {"Z", "ZZ"})
    if is_datetime and not has_time:
        return None
    if is_datetime and value.tzinfo is not None and not has_offset:  # type: ignore[union-attr]
        return None
    if (not is_datetime or value.tzinfo is None) and has_offset:  # type: ignore[union-attr]
        return None
    if not is_datetime and has_time:
        return None
    if is_datetime:
        lost = value.microsecond % 1000 if "SSS" in tokens else value.microsecond  # type: ignore[union-attr]
        if lost:
            return None  # the pattern cannot write every digit of the time

    def token(match: re.Match[str]) -> str:
        t = match.group()
        if t == "YYYY":
            return f"{value.year:04d}"
        if t in ("MM", "M"):
            return f"{value.month:02d}" if t == "MM" else str(value.month)
        if t in ("DD", "D"):
            return f"{value.day:02d}" if t == "DD" else str(value.day)
        assert isinstance(value, dt.datetime)
        if t in ("HH", "H"):
            return f"{value.hour:02d}" if t == "HH" else str(value.hour)
        if t == "mm":
            return f"{value.minute:02d}"
        if t == "ss":
            return f"{value.second:02d}"
        if t == "SSS":
            return f"{value.microsecond // 1000:03d}"
        offset = value.strftime("%z")
        return offset if t == "ZZ" else f"{offset[:3]}:{offset[3:]}"

    return _MOMENT_SPLIT.sub(token, pattern)


def date_entries(post: Post) -> list[tuple[str, yaml.Node, DateReading, yaml.Node]]:
    """``(key, value_node, reading, key_node)`` for each configured date field holding a value.

    Null and whitespace-only values are skipped: empty-value (PK102) reports
    them for required keys. Read once per post and shared by the date rules.
    """
    cached = post.cache.get("date_entries")
    if cached is None:
        cached = post.cache["date_entries"] = list(_date_entries(post))
    return cached


def _date_entries(post: Post) -> Iterator[tuple[str, yaml.Node, DateReading, yaml.Node]]:
    if not post.front_matter.is_mapping:
        return
    for key in post.settings.date_fields:
        entry = post.entry(key)
        if entry is None:
            continue
        key_node, node = entry
        if not isinstance(node, yaml.ScalarNode):
            kind = "list" if isinstance(node, yaml.SequenceNode) else "mapping"
            yield key, node, DateReading("", None, error=f"the value is a {kind}, not a date"), key_node
            continue
        if node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            continue
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"):
            kind = {"int": "an integer", "float": "a number", "bool": "a boolean"}[node.tag.rsplit(":", 1)[1]]
            yield key, node, DateReading(node.value, None, error=f"{node.value!r} is {kind}, not a date"), key_node
            continue
        yield key, node, read_date(node.value, post.settings.date_formats), key_node


def zone(name: str | None) -> dt.tzinfo | None:
    """The :class:`zoneinfo.ZoneInfo` for an IANA name, or ``None`` when no name is set."""
    if not name:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
