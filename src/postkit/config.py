"""Find and read postkit's config: ``[tool.postkit]`` in pyproject.toml, or .postkit.toml / postkit.toml.

The config is strict (yamllint's model): an unknown key or a value of the
wrong type is an error that names the file and the key. Precedence is fixed:
command line, then this file, then defaults (STYLE.md point 7). Hexo's
``_config.yml`` is read for the site's ``timezone`` and ``url``.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CONFIG_NAMES = (".postkit.toml", "postkit.toml")
SITE_CONFIG = "_config.yml"


class ConfigError(Exception):
    """The config cannot be used; the message names the file and the key. The CLI exits 2."""


def _list_of_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _table_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, dict) and all(isinstance(k, str) and check(v) for k, v in value.items())


def _str(value: Any) -> bool:
    return isinstance(value, str)


# key -> (type check, what the value must be, for messages)
SCHEMA: dict[str, tuple[Callable[[Any], bool], str]] = {
    "required": (_list_of_str, "a list of strings"),
    "image-fields": (_list_of_str, "a list of strings"),
    "date-fields": (_list_of_str, "a list of strings"),
    "date-formats": (_list_of_str, "a list of strings"),
    "timezone": (_str, "a string (an IANA name such as 'Asia/Shanghai')"),
    "select": (_list_of_str, "a list of rule codes"),
    "ignore": (_list_of_str, "a list of rule codes"),
    "severity": (_table_of(_str), "a table of code = 'error' | 'warning' | 'info'"),
    "per-file-ignores": (_table_of(_list_of_str), "a table of glob = [codes]"),
    "exclude": (_list_of_str, "a list of globs"),
    "keep-image-field": (_str, "a string (an image field name)"),
}


# postkit images' keys (site URL, referrer policy, timeouts, cache TTL ...) are top-level: the site
# URL and referrer policy describe the site, not one command.
from postkit.images.config_schema import IMAGE_SCHEMA  # noqa: E402

SCHEMA.update(IMAGE_SCHEMA)

# [tool.postkit.<command>] tables: each command's own keys.
SECTIONS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "convert": {
        "base-url-keys": (_list_of_str, "a list of front matter keys"),
    },
    "traditional": {
        "config": (lambda v: v in ("s2t", "s2tw", "s2twp", "s2hk", "t2s", "tw2s", "hk2s"), "an OpenCC config: s2t, s2tw, s2twp, s2hk, t2s, tw2s or hk2s"),
        "keys": (_list_of_str, "a list of front matter keys"),
        "lang-key": (_str, "a string (a front matter key)"),
        "suffix": (_str, "a string (a file-name tag such as 'zh-TW')"),
        "skip-non-chinese": (lambda v: isinstance(v, bool), "true or false"),
    },
}


@dataclass(frozen=True)
class Config:
    """The config in force for one run.

    ``values`` holds the keys as written in the file (kebab-case), already
    type-checked; ``source`` is the file they came from (``None`` when there
    is none) and ``root`` the folder that globs are relative to. ``site_root``
    is the Hexo (or Jekyll) site folder holding ``_config.yml``, with its
    ``timezone`` and ``url`` when set.
    """

    values: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    root: Path = Path(".")
    site_root: Path | None = None
    site_timezone: str | None = None
    site_url: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` from the file, or ``default``."""
        return self.values.get(key, default)

    def section(self, name: str) -> dict[str, Any]:
        """A command's own table, ``[tool.postkit.<name>]`` (empty when absent)."""
        return self.values.get(name, {})

    @property
    def timezone(self) -> str | None:
        """postkit's ``timezone`` if set, else the site's ``_config.yml`` one."""
        return self.values.get("timezone") or self.site_timezone


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from ``start`` to the nearest postkit config; return its path and table.

    A ``pyproject.toml`` without ``[tool.postkit]`` is passed over.

    Raises:
        ConfigError: a candidate file is not valid TOML.
    """
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for candidate_folder in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate_folder / name
            if path.is_file():
                return path, _read_toml(path)
        pyproject = candidate_folder / "pyproject.toml"
        if pyproject.is_file():
            table = _postkit_table(_read_toml(pyproject), pyproject)
            if table is not None:
                return pyproject, table
    return None


def _postkit_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """``[tool.postkit]`` of a pyproject.toml, ``None`` when absent.

    Raises:
        ConfigError: ``tool`` or ``tool.postkit`` is not a table.
    """
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    table = tool.get("postkit")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.postkit] must be a table")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def validate_table(table: dict[str, Any], source: str) -> dict[str, Any]:
    """Type-check a config table against :data:`SCHEMA`.

    Raises:
        ConfigError: an unknown key (with a "did you mean" suggestion), a
            value of the wrong type, an unknown rule code, timezone or date
            format; the message names ``source`` and the key.
    """
    from postkit.engine import expand_codes
    from postkit.rules.dates import FormatError, validate_format

    for key, value in table.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {key!r} must be a table ([tool.postkit.{key}])")
            _check_keys(value, SECTIONS[key], f"{source} [{key}]")
            continue
        _check_keys({key: value}, SCHEMA, source, known=[*SCHEMA, *SECTIONS])
    try:
        for key in ("select", "ignore"):
            expand_codes(table.get(key, []))
        for pattern, word in table.get("severity", {}).items():
            expand_codes([pattern])
            if word.lower() not in ("error", "warning", "info"):
                raise ValueError(f"severity of {pattern} must be 'error', 'warning' or 'info', not {word!r}")
        for glob, codes in table.get("per-file-ignores", {}).items():
            expand_codes(codes)
        for name in table.get("date-formats", []):
            validate_format(name)
    except (ValueError, FormatError) as error:
        raise ConfigError(f"{source}: {error}") from None
    if "timezone" in table:
        check_timezone(table["timezone"], f"{source}: 'timezone'")
    if "keep-image-field" in table:
        from postkit.rules.base import DEFAULT_IMAGE_FIELDS

        fields = table.get("image-fields", DEFAULT_IMAGE_FIELDS)
        if table["keep-image-field"] not in fields:
            raise ConfigError(
                f"{source}: 'keep-image-field' is {table['keep-image-field']!r}, which is not one of the image fields ({', '.join(fields)})"
            )
    return table


def _check_keys(
    table: dict[str, Any], schema: dict[str, tuple[Callable[[Any], bool], str]], source: str, known: list[str] | None = None
) -> None:
    known = known or list(schema)
    for key, value in table.items():
        if key not in schema:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: unknown key {key!r}{hint}; known keys: {', '.join(known)}")
        check, description = schema[key]
        if not check(value):
            raise ConfigError(f"{source}: {key!r} must be {description}, not {value!r}")


def check_timezone(name: str, where: str) -> None:
    """Make sure ``name`` is an IANA timezone this machine knows.

    Raises:
        ConfigError: it is not.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown timezone {name!r} (use an IANA name such as 'Asia/Shanghai')") from None


def find_site(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding Hexo's (or Jekyll's) ``_config.yml``."""
    folder = (start if start.is_dir() else start.parent).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / SITE_CONFIG).is_file():
            return candidate
    return None


def read_site_config(site_root: Path) -> tuple[str | None, str | None]:
    """``(timezone, url)`` from the site's ``_config.yml``; ``None`` for each that is unset.

    Raises:
        ConfigError: the file is not valid YAML or ``timezone`` is unknown.
    """
    import yaml

    path = site_root / SITE_CONFIG
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"{path}: {where}not valid YAML: {error.problem}") from None
    except (yaml.YAMLError, OSError, UnicodeDecodeError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else " ".join(str(error).split())
        raise ConfigError(f"{path}: cannot read: {reason}") from None
    if data is None:
        return None, None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the site config must be a mapping of keys to values")
    timezone = data.get("timezone")
    url = data.get("url")
    if timezone is not None and not isinstance(timezone, str):
        raise ConfigError(f"{path}: 'timezone' must be an IANA name such as 'Asia/Shanghai', not {timezone!r}")
    timezone = timezone.strip() if isinstance(timezone, str) and timezone.strip() else None
    if timezone:
        check_timezone(timezone, f"{path}: 'timezone'")
    return timezone, url if isinstance(url, str) and url.strip() else None


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """Load the config for a run that starts at ``start`` (the first path given).

    ``explicit`` (``--config FILE``) overrides the search; it may be a
    pyproject.toml (its ``[tool.postkit]`` is read) or a postkit TOML file.

    Raises:
        ConfigError: see :func:`find_config`, :func:`validate_table`,
            :func:`read_site_config`; or ``explicit`` does not exist.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        data = _read_toml(explicit)
        table = (_postkit_table(data, explicit) or {}) if explicit.name == "pyproject.toml" else data
        found: tuple[Path, dict[str, Any]] | None = (explicit, table)
    else:
        found = find_config(start)
    values: dict[str, Any] = {}
    source = None
    root = Path(".")
    if found:
        source, table = found
        label = f"{source} [tool.postkit]" if source.name == "pyproject.toml" else str(source)
        values = validate_table(table, label)
        root = source.parent
    site_root = find_site(start)
    site_timezone = site_url = None
    if site_root is not None:
        site_timezone, site_url = read_site_config(site_root)
    return Config(values, source, root, site_root, site_timezone, site_url)
