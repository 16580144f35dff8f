"""How each site generator reads a post: its front matter block, its YAML scalars, its dates.

postkit checks a post the way the configured ``engine`` reads it, so that an
error means "the site shows something other than what is written" and a
warning means "another generator would". Three engines are modelled:

- ``hexo``: hexo-front-matter 4 as Hexo 7 installs it. The block is found by
  its two regular expressions (an optional opening ``---``, the ``;;;`` JSON
  form), leading tabs become two spaces each, the YAML is read by js-yaml 4
  (the YAML 1.2 core schema plus timestamps and merge keys), top-level
  timestamps are shifted into the build machine's zone, and ``date`` goes
  through Hexo's ``toDate`` (JavaScript's ``new Date()``) and its
  ``timezone`` setting.
- ``jekyll``: YAML 1.1 as Ruby's Psych reads it (PyYAML's resolver).
- ``hugo``: YAML 1.2 (go-yaml v3), read with the same core schema table.

Everything here is data-driven: one table of plain scalar forms per YAML
version, one table of date shapes for JavaScript's date parser.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
from dataclasses import dataclass, replace
from typing import Any

import yaml

from postkit.core.document import Document, FrontMatterSpan
from postkit.core.front_matter import ParsedFrontMatter, parse

ENGINES = ("hexo", "jekyll", "hugo")
DEFAULT_ENGINE = "hexo"
LABELS = {"hexo": "Hexo", "jekyll": "Jekyll", "hugo": "Hugo"}
YAML_VERSION = {"hexo": "1.2", "jekyll": "1.1", "hugo": "1.2"}

_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The plain scalar forms of js-yaml 4's default schema (core schema + timestamp + merge), in the
# order js-yaml tries them. YAML 1.1 (Jekyll's Psych) is PyYAML's own resolver table.
YAML12_SCALARS: tuple[tuple[str, str], ...] = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$"),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    ),
    (
        "tag:yaml.org,2002:timestamp",
        r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
        r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
    ),
    ("tag:yaml.org,2002:merge", r"^<<$"),
)
_TIMESTAMP = re.compile(
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]*))?(?:[ \t]*(?P<tz>Z|(?P<sign>[-+])(?P<tz_hour>[0-9]{1,2})(?::(?P<tz_minute>[0-9]{2}))?))?)?$"
)


class JsDate:
    """A JavaScript ``Date`` as js-yaml builds it: milliseconds since the epoch (``None`` is NaN)."""

    __slots__ = ("ms", "rolled")

    def __init__(self, ms: float | None, rolled: bool = False) -> None:
        self.ms = ms
        self.rolled = rolled  # a field was out of range and JavaScript carried it into the next unit

    def utc(self) -> dt.datetime | None:
        """The instant as an aware UTC datetime (``None`` when invalid or beyond Python's calendar)."""
        if self.ms is None:
            return None
        try:
            return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=self.ms)
        except OverflowError:
            return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsDate) and other.ms == self.ms

    def __hash__(self) -> int:
        return hash(self.ms)

    def __repr__(self) -> str:
        moment = self.utc()
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z" if moment else "Invalid Date"


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (month 1-12; any day, which carries over)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


_JS_DATE_LIMIT = 8.64e15  # ECMAScript's time value range, in milliseconds either side of the epoch


def date_utc(year: int, month0: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, ms: int = 0) -> JsDate:
    """JavaScript's ``Date.UTC``: out-of-range fields roll over (month 13 is January of the next year)."""
    rolled = not 0 <= month0 <= 11 or hour > 23 or minute > 59 or second > 59
    year += month0 // 12
    month0 %= 12
    if not rolled and not 1 <= day <= 28:
        rolled = not 1 <= day <= calendar.monthrange(year, month0 + 1)[1] if 1 <= year <= 9999 else day < 1 or day > 31
    total = (((_days_from_civil(year, month0 + 1, 1) + day - 1) * 24 + hour) * 60 + minute) * 60000 + second * 1000 + ms
    return JsDate(total if abs(total) <= _JS_DATE_LIMIT else None, rolled)


def js_timestamp(text: str) -> JsDate:
    """What js-yaml's timestamp type builds from a plain scalar (``Date.UTC`` rolls impossible days over)."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return JsDate(None)
    g = match.groupdict()
    if g["hour"] is None:
        return date_utc(int(g["year"]), int(g["month"]) - 1, int(g["day"]))
    fraction = int((g["fraction"] or "")[:3].ljust(3, "0"))
    value = date_utc(int(g["year"]), int(g["month"]) - 1, int(g["day"]), int(g["hour"]), int(g["minute"]), int(g["second"]), fraction)
    if g["sign"] and value.ms is not None:
        delta = (int(g["tz_hour"]) * 60 + int(g["tz_minute"] or 0)) * 60000
        value = JsDate(value.ms - (delta if g["sign"] == "+" else -delta), value.rolled)
    return value


class Yaml12Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """A loader that resolves and builds plain scalars as js-yaml 4 does (YAML 1.2 core schema)."""

    yaml_implicit_resolvers: dict = {}


# The first characters each form can start with: the resolver tries only the forms that can match.
_FIRST = {
    "tag:yaml.org,2002:null": ["~", "n", "N", ""],
    "tag:yaml.org,2002:bool": list("tTfF"),
    "tag:yaml.org,2002:int": list("-+0123456789"),
    "tag:yaml.org,2002:float": list("-+0123456789."),
    "tag:yaml.org,2002:timestamp": list("0123456789"),
    "tag:yaml.org,2002:merge": ["<"],
}
for _tag, _pattern in YAML12_SCALARS:
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _FIRST[_tag])


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = node.value
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    base = {"0b": 2, "0x": 16, "0o": 8}.get(digits[:2], 10)
    return sign * int(digits[2:] if base != 10 else digits, base)


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = node.value.lower()
    if text.lstrip("+-") == ".inf":
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if not _TIMESTAMP.match(node.value):
        # Only an explicit tag gets here ('!!timestamp soon'): js-yaml throws on it, and so does Hexo.
        raise ValueError(f"{node.value!r} is not a timestamp")
    return js_timestamp(node.value)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
Yaml12Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def js_number(value: float | int) -> str:
    """JavaScript's ``String(number)``: ``1000``, ``0.002``, ``1e+21``, ``1e-7``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) < 2**53:
        return str(value)
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


_SHOWN_LIMIT = 200  # lists are shown in messages only; aliases can make them astronomically long


def _join(items: list, engine: str, budget: int, entered: frozenset[int] = frozenset()) -> str:
    """JavaScript's ``Array.prototype.join(",")``, cut after ``budget`` characters (work stays bounded).

    A list that holds itself (``&a [*a]``) joins as the empty string where it
    recurs, as JavaScript's cycle check does.
    """
    parts: list[str] = []
    used = 0
    entered = entered | {id(items)}
    for item in items:
        if isinstance(item, list):
            text = "" if id(item) in entered or budget - used <= 0 else _join(item, engine, budget - used, entered)
        else:
            text = "" if item is None else (shown(item, engine) or "")
        parts.append(text)
        used += len(text) + 1
        if used > budget:
            return ",".join(parts)[:budget] + "…"
    return ",".join(parts)


def shown(value: Any, engine: str) -> str | None:
    """The text a generator shows for a scalar value (JavaScript's ``String()`` for Hexo); ``None`` for null.

    A list is shown joined with commas, as JavaScript does, cut after 200
    characters.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        if engine == "jekyll":
            return "true" if value else "false"
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if engine == "jekyll" and isinstance(value, float):
            return repr(value) if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity" if value < 0 else "NaN")
        return js_number(value)
    if isinstance(value, list):
        return _join(value, engine, _SHOWN_LIMIT)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, JsDate):
        moment = value.utc()
        return moment.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)") if moment else "Invalid Date"
    return str(value)


# --- hexo-front-matter's block detection -------------------------------------------------------

# hexo-front-matter's own regular expressions; hexo-fs has turned CRLF into LF before they run.
_OLD = re.compile(r"(?P<sep>-{3,}|;{3,})\n(?P<data>[\s\S]+?)(?P<nl>\n)(?P=sep)\n?")
_PREFIX = re.compile(r"-{3,}|;{3,}")
_LEADING_TABS = re.compile(r"\n(\t+)")


@dataclass(frozen=True)
class Block:
    """The front matter block as an engine finds it.

    ``span`` locates it in the file (``open_line`` 0 when there is no opening
    fence); ``None`` when the engine finds no front matter, with ``reason``
    saying why. ``json`` is true for Hexo's ``;;;`` JSON form.
    """

    span: FrontMatterSpan | None
    reason: str | None = None
    json: bool = False


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def hexo_block(text: str) -> Block:
    """Where hexo-front-matter's ``split`` finds the block in ``text`` (the file without its BOM)."""
    # Fast paths by string search; the full rules (CRLF, reasons) run only when the head is not plain LF.
    if _SEPARATOR.match(text):
        block = _hexo_block_lf(text)
        if block.span is not None and "\r" not in text[: block.span.body_start]:
            return block
    elif not text.startswith("+++"):
        new = _NEW_CLOSE.search(text, 1)
        if new and _PREFIX.match(text) is None and "\r" not in text[: new.end() + 1]:
            body = new.end() + (1 if text[new.end() : new.end() + 1] == "\n" else 0)
            span = FrontMatterSpan(0, _line_of(text, new.start() + 1), 0, new.start() + 1, body)
            return Block(span, json=new.group(1).startswith(";"))
    return _hexo_block_slow(text)


def _hexo_block_slow(text: str) -> Block:
    import bisect

    if "\r\n" in text:
        # Run on the text as hexo-fs hands it over (CRLF as LF) and map offsets back into the file.
        removed: list[int] = []
        for found in re.finditer("\r\n", text):
            removed.append(found.start() - len(removed))
        normal = text.replace("\r\n", "\n")

        def back(offset: int) -> int:
            return offset + bisect.bisect_left(removed, offset)
    else:
        normal = text

        def back(offset: int) -> int:
            return offset

    old = _OLD.match(normal)
    if old:
        close = back(old.end("nl"))
        span = FrontMatterSpan(1, _line_of(text, close), back(old.start("data")), close, back(old.end()))
        return Block(span, json=old.group("sep").startswith(";"))
    prefix = _PREFIX.match(normal)
    if prefix:
        if text.startswith(("+++\n", "+++\r\n")):
            return Block(None, "Hexo reads no TOML ('+++') front matter")
        line_end = normal.find("\n", prefix.end())
        rest = normal[prefix.end() : len(normal) if line_end == -1 else line_end]
        if normal.startswith(prefix.group() + "\n" + prefix.group()):
            return Block(None, "the block between the fences is empty")
        if rest.strip() == "" and rest:
            reason = f"the opening {prefix.group()!r} is followed by {_spaces(rest)}, so Hexo does not take it as a fence"
        elif rest:
            reason = f"the opening line {prefix.group() + rest!r} is not a fence to Hexo"
        else:
            reason = f"Hexo finds no closing {prefix.group()!r} line that matches the opening one"
        return Block(None, reason)
    if text.startswith(("+++\n", "+++\r\n")):
        return Block(None, "Hexo reads no TOML ('+++') front matter")
    # _NEW, by search: the first line at offset 1 or later that starts with '---' or ';;;' closes the block.
    new = _NEW_CLOSE.search(normal, 1)
    if new:
        body = new.end() + (1 if normal[new.end() : new.end() + 1] == "\n" else 0)
        close = back(new.start() + 1)
        span = FrontMatterSpan(0, _line_of(text, close), 0, close, back(body))
        return Block(span, json=new.group(1).startswith(";"))
    return Block(None, "there is no '---' line")


_SEPARATOR = re.compile(r"-{3,}|;{3,}")
_NEW_CLOSE = re.compile(r"\n(-{3,}|;{3,})")


def _hexo_block_lf(text: str) -> Block:
    """:func:`hexo_block` for LF text that starts with a fence, by string search (the regular expressions are slow on large heads)."""
    prefix = _SEPARATOR.match(text)
    if prefix is None:
        return Block(None)
    sep = prefix.group()
    start = len(sep) + 1
    if text[len(sep) : start] == "\n":
        close = text.find("\n" + sep, start + 1)
        if close != -1:
            body = close + 1 + len(sep)
            if text[body : body + 1] == "\n":
                body += 1
            span = FrontMatterSpan(1, _line_of(text, close + 1), start, close + 1, body)
            return Block(span, json=sep.startswith(";"))
    return Block(None)


def _spaces(rest: str) -> str:
    names = {" ": "a space", "\t": "a tab"}
    return " and ".join(sorted({names.get(c, repr(c)) for c in rest})) if len(set(rest)) > 1 else (
        names.get(rest[0], repr(rest[0])) if len(rest) == 1 else f"{len(rest)} {'spaces' if rest[0] == ' ' else 'tabs'}"
    )


def _escape_tabs(data: str) -> tuple[str, list[int] | None]:
    """hexo-front-matter's ``escapeYAML``: leading tabs after a line break become two spaces each.

    Returns the escaped text and a map from each of its offsets to the
    original one (``None`` when nothing changed).
    """
    if "\n\t" not in data:
        return data, None
    pieces: list[str] = []
    index: list[int] = []
    cursor = 0
    for match in _LEADING_TABS.finditer(data):
        pieces.append(data[cursor : match.start(1)])
        index.extend(range(cursor, match.start(1)))
        for position in range(match.start(1), match.end(1)):
            pieces.append("  ")
            index.extend((position, position))
        cursor = match.end(1)
    pieces.append(data[cursor:])
    index.extend(range(cursor, len(data) + 1))
    return "".join(pieces), index


@dataclass
class Reading:
    """A post as the configured engine reads it: the document the rules see and its parsed front matter.

    ``document`` has the engine's block as its ``front_matter``; ``generic``
    is the block postkit's own splitter finds (blank lines and a BOM before
    ``---`` accepted, trailing spaces on fences too). ``block`` says why the
    engine found none when that is so.
    """

    engine: str
    document: Document
    front_matter: ParsedFrontMatter
    generic: Document
    block: Block | None = None


def read(document: Document, engine: str) -> Reading:
    """Read ``document`` the way ``engine`` does; never raises."""
    if engine != "hexo":
        loader = Yaml12Loader if YAML_VERSION[engine] == "1.2" else None
        return Reading(engine, document, parse(document, loader=loader), document)
    block = hexo_block(document.text)
    if block.span is None:
        bare = replace(document, front_matter=None)
        return Reading(engine, bare, parse(bare), document, block)
    seen = document if block.span == document.front_matter else replace(document, front_matter=block.span)
    data = document.text[block.span.start : block.span.end]
    if block.json:
        return Reading(engine, seen, _parse_json(seen, data), document, block)
    escaped, index = _escape_tabs(data)
    parsed = parse(seen, loader=Yaml12Loader, yaml_text=escaped, index=index)
    if parsed.error is None and (parsed.root is None or not isinstance(parsed.data, (dict, list))):
        # js-yaml gave a string, a number or null: hexo-front-matter keeps no front matter.
        bare = replace(document, front_matter=None)
        data = None if parsed.root is None else parsed.data
        kind = "nothing" if data is None else (f"the string {data[:40]!r}" if isinstance(data, str) else f"the value {shown(data, engine)!r}")
        reason = f"the text before the '---' on line {block.span.close_line} reads as {kind}, not as keys"
        return Reading(engine, bare, parse(bare), document, Block(None, reason))
    return Reading(engine, seen, parsed, document, block)


def _parse_json(document: Document, data: str) -> ParsedFrontMatter:
    """Hexo's ``;;;`` form: ``JSON.parse('{' + data + '}')``; the nodes come from the same text read as YAML flow."""

    def reject(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        value = json.loads("{" + data + "}", parse_constant=reject)
    except RecursionError:
        from postkit.core.front_matter import YamlProblem

        assert document.front_matter is not None
        line = document.front_matter.first_line
        return ParsedFrontMatter(document, error=YamlProblem(line, 1, "the ';;;' block nests arrays or objects too deeply to read"))
    except ValueError as error:
        from postkit.core.front_matter import YamlProblem

        assert document.front_matter is not None
        line = document.front_matter.first_line
        return ParsedFrontMatter(document, error=YamlProblem(line, 1, f"the ';;;' block is not JSON ({error}); Hexo ignores it and shows it as body text"))
    index = [0] + list(range(0, len(data) + 1))
    parsed = parse(document, loader=Yaml12Loader, yaml_text="{" + data + "}", index=index)
    if parsed.error is not None:
        parsed = ParsedFrontMatter(document, data=value)
    return parsed


# --- JavaScript's Date parser and Hexo's date path ---------------------------------------------

_MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_ZONES = {"z": 0, "ut": 0, "utc": 0, "gmt": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420}
_TIME = r"(?:(?:[Tt]|[ ]+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?)?"
_ZONE = r"(?:[ ]*(?P<zone>[Zz]|UTC|UT|GMT|[ECMP][SD]T|(?:GMT|UTC)?[+-]\d{2}:?\d{2}))?"
# The shapes V8's date parser reads (ISO 8601 and its legacy fallback), with the build machine on UTC.
JS_DATE_SHAPES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern + "$", re.IGNORECASE)
    for pattern in (
        r"(?P<year>\d{4})(?:-(?P<month>\d{2}))?",
        r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME + _ZONE,
        r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})" + _TIME.replace("[Tt]|", "") + _ZONE,
        r"(?:[a-z]+,?[ ]+)?(?P<day>\d{1,2})[ ]+(?P<month_name>[a-z]{3,})\.?[ ]+(?P<year>\d{2,4})" + _TIME.replace("[Tt]|", "") + _ZONE,
        r"(?:[a-z]+,?[ ]+)?(?P<month_name>[a-z]{3,})\.?[ ]+(?P<day>\d{1,2}),?[ ]+(?P<year>\d{4})" + _TIME.replace("[Tt]|", "") + _ZONE,
    )
)


def js_date_parse(text: str) -> JsDate | None:
    """``new Date(text)`` on a machine whose zone is UTC; ``None`` when the shape is not one postkit models.

    Returns ``JsDate(None)`` for ``Invalid Date``. Days up to 31 roll over
    into the next month (``2021-02-30`` is 2 March), as V8 does.
    """
    value = text.strip()
    if value.lower() in ("", "invalid date"):
        return JsDate(None)
    for shape in JS_DATE_SHAPES:
        match = shape.match(value)
        if match is None:
            continue
        g = match.groupdict()
        if g.get("month_name"):
            month = _MONTHS.get(g["month_name"][:3].lower())
            if month is None:
                return JsDate(None)
        else:
            month = int(g.get("month") or 1)
        year = int(g["year"])
        if len(g["year"]) == 2:
            year += 2000 if year < 50 else 1900
        day = int(g.get("day") or 1)
        hour, minute = int(g.get("hour") or 0), int(g.get("minute") or 0)
        second = int(g.get("second") or 0)
        fraction = int((g.get("fraction") or "")[:3].ljust(3, "0"))
        if not 1 <= month <= 12 or not 1 <= day <= 31 or hour > 24 or minute > 59 or second > 59 or (hour == 24 and (minute or second)):
            return JsDate(None)
        moment = date_utc(year, month - 1, day, hour, minute, second, fraction)
        zone = (g.get("zone") or "").lower()
        if zone and moment.ms is not None:
            moment = JsDate(moment.ms - _zone_minutes(zone) * 60000, moment.rolled)
        return moment
    return None


def _zone_minutes(zone: str) -> int:
    if zone in _ZONES:
        return _ZONES[zone]
    digits = re.sub(r"^(?:gmt|utc)", "", zone).replace(":", "")
    minutes = int(digits[1:3]) * 60 + int(digits[3:5])
    return minutes if digits[0] == "+" else -minutes


@dataclass(frozen=True)
class DateView:
    """What a generator shows for a date field: the wall-clock time on the site, or why it shows none.

    ``wall`` is naive, in the site's ``timezone`` (UTC when none is set, as on
    a CI machine); ``None`` with ``fallback`` true means Hexo ignores the value
    and uses the file's birth time; ``modelled`` is false when postkit does not
    know how the generator reads this shape.
    """

    wall: dt.datetime | None
    fallback: bool = False
    modelled: bool = True
    rolled: bool = False


def hexo_date(node: yaml.Node, value: Any) -> DateView:
    """The date Hexo shows for a top-level date field, following hexo-front-matter, ``toDate`` and ``timezone``.

    hexo-front-matter adds the machine's offset to every top-level
    timestamp and Hexo's ``timezone`` then subtracts the site's, so the site
    shows the timestamp's UTC digits as its local time: an explicit offset is
    dropped. Strings go through ``new Date()``. Either way the shown wall time
    is the UTC wall time of the instant built on a UTC machine.
    """
    if isinstance(value, JsDate):
        moment = value
    elif not isinstance(node, yaml.ScalarNode):
        return DateView(None, fallback=True)
    elif value is None or value is False or value == "" or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0):
        return DateView(None, fallback=True)
    elif value is True:
        moment = JsDate(1)
    elif isinstance(value, (int, float)):
        moment = JsDate(int(value) if math.isfinite(value) and abs(value) <= 8.64e15 else None)
    elif isinstance(value, str):
        parsed = js_date_parse(value)
        if parsed is None:
            return DateView(None, modelled=False)
        moment = parsed
    else:
        return DateView(None, fallback=True)
    utc = moment.utc()
    if utc is None:
        return DateView(None, fallback=True)
    return DateView(utc.replace(tzinfo=None), rolled=moment.rolled)
