"""Find and read postkit's config: ``[tool.postkit]`` in pyproject.toml, or .postkit.toml / postkit.toml.

The config is strict (yamllint's model): an unknown key or a value of the
wrong type is an error that names the file and the key. Precedence is fixed:
command line, then this file, then defaults (STYLE.md point 7). Hexo's
``_config.yml`` is read for the site's ``timezone`` and ``url``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CONFIG_NAMES = (".postkit.toml", "postkit.toml")
SITE_CONFIG = "_config.yml"


class ConfigError(Exception):
    """The config cannot be used; the message names the file and the key. The CLI exits 2."""


Check = tuple[Callable[[Any], bool], str]
"""A key's type check and what its value must be (for messages)."""


def list_of_str(value: Any) -> bool:
    """True for a list of strings."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def table_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A check for a table whose values all pass ``check``."""
    return lambda value: isinstance(value, dict) and all(isinstance(k, str) and check(v) for k, v in value.items())


def is_str(value: Any) -> bool:
    """True for a string."""
    return isinstance(value, str)


def is_bool(value: Any) -> bool:
    """True for ``true`` or ``false``."""
    return isinstance(value, bool)


_SIZE = None  # compiled on first use
_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


# The largest size a size key takes (1 TiB): beyond it a number is a typo, and reads would overflow.
MAX_SIZE = 2**40


def parse_size(value: Any) -> int | None:
    """Bytes from a size: an integer, or a number with B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB.

    ``None`` when ``value`` is not a size of at least one byte and at most
    :data:`MAX_SIZE` (1 TiB).
    """
    global _SIZE
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_SIZE else None
    if not isinstance(value, str):
        return None
    if _SIZE is None:
        import re

        _SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*", re.IGNORECASE)
    match = _SIZE.fullmatch(value)
    if match is None:
        return None
    size = float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower()]
    return int(size) if 1 <= size <= MAX_SIZE else None


def is_size(value: Any) -> bool:
    """True for a size :func:`parse_size` reads."""
    return parse_size(value) is not None


# The keys that describe the site's posts, read by more than one command.
SCHEMA: dict[str, Check] = {
    "max-post-size": (is_size, "a size from 1 byte to 1 TiB: bytes, or a number with KB, MB, GB (or KiB, MiB, GiB) such as '10MB'"),
    "image-fields": (list_of_str, "a list of strings"),
    "date-fields": (list_of_str, "a list of strings"),
    "timezone": (is_str, "a string (an IANA name such as 'Asia/Shanghai')"),
    "exclude": (list_of_str, "a list of globs"),
}


@dataclass(frozen=True)
class Section:
    """The config keys one command declares.

    ``keys`` live in the command's own table, ``[tool.postkit.<name>]``, or
    in ``[tool.postkit]`` itself when ``top_level`` is set (validate's rule
    selection, as ruff spells it). ``check`` runs after the type checks with
    the whole table and raises ``ValueError`` for a value that is well typed
    but unusable (an unknown rule code). ``moved`` maps keys that older
    releases read at the top level to their name in this section: they are
    still read, with a deprecation warning.
    """

    keys: dict[str, Check]
    check: Callable[[dict[str, Any]], None] | None = None
    top_level: bool = False
    moved: dict[str, str] = field(default_factory=dict)


SECTIONS: dict[str, Section] = {}
"""Every command's section, by name; each command registers its own when its module is imported."""


def register_section(name: str, section: Section) -> None:
    """Declare a command's config keys, so that a config file holding them is accepted and type-checked."""
    SECTIONS[name] = section


@dataclass(frozen=True)
class Config:
    """The config in force for one run.

    ``values`` holds the keys as written in the file (kebab-case), already
    type-checked; ``source`` is the file they came from (``None`` when there
    is none) and ``root`` the folder that globs are relative to. ``site_root``
    is the Hexo (or Jekyll) site folder holding ``_config.yml``, with its
    ``timezone`` and ``url`` when set. ``warnings`` are deprecation notes for
    the user (keys read from their old place).
    """

    values: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    root: Path = Path(".")
    site_root: Path | None = None
    site_timezone: str | None = None
    site_url: str | None = None
    warnings: tuple[str, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` from the file, or ``default``."""
        return self.values.get(key, default)

    def section(self, name: str) -> dict[str, Any]:
        """A command's own table, ``[tool.postkit.<name>]`` (empty when absent)."""
        return self.values.get(name, {})

    @property
    def max_post_size(self) -> int:
        """The largest post, in bytes, that commands read; a larger one is that file's error."""
        from postkit.core.document import MAX_POST_SIZE

        return parse_size(self.values.get("max-post-size", MAX_POST_SIZE)) or MAX_POST_SIZE

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
    import tomllib  # only when a TOML config file is found

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def validate_table(table: dict[str, Any], source: str) -> tuple[dict[str, Any], list[str]]:
    """Type-check a config table against :data:`SCHEMA` and the registered :data:`SECTIONS`.

    Keys that an older release read at the top level are moved into their
    command's table. Returns the checked table and the deprecation warnings.

    Raises:
        ConfigError: an unknown key (with a "did you mean" suggestion), a
            value of the wrong type, or a value a section's check refuses
            (an unknown rule code, timezone or date format); the message
            names ``source`` and the key.
    """
    table = dict(table)
    warnings = _move_deprecated(table, source)
    top_level: dict[str, Check] = dict(SCHEMA)
    for section in SECTIONS.values():
        if section.top_level:
            top_level.update(section.keys)
    tables = [name for name, section in SECTIONS.items() if not section.top_level]
    for key, value in table.items():
        if key in tables:
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {key!r} must be a table ([tool.postkit.{key}])")
            _check_keys(value, SECTIONS[key].keys, f"{source} [{key}]")
            continue
        _check_keys({key: value}, top_level, source, known=[*top_level, *tables])
    try:
        for name, section in SECTIONS.items():
            if section.check is not None:
                section.check(table if section.top_level else table.get(name, {}), table)
    except ValueError as error:
        raise ConfigError(f"{source}: {error}") from None
    if "timezone" in table:
        check_timezone(table["timezone"], f"{source}: 'timezone'")
    return table, warnings


def _move_deprecated(table: dict[str, Any], source: str) -> list[str]:
    """Move top-level keys of older releases into their section's table; one warning per key moved."""
    warnings = []
    for name, section in SECTIONS.items():
        for old, new in section.moved.items():
            if old not in table:
                continue
            target = table.get(name, {})
            if not isinstance(target, dict):
                continue  # reported as "must be a table" by the caller
            value = table.pop(old)
            if new in target:
                warnings.append(f"{source}: {old!r} is ignored: [tool.postkit.{name}] sets {new!r}")
                continue
            table[name] = {**target, new: value}
            warnings.append(f"{source}: {old!r} is deprecated and will stop working: write it as {new!r} in [tool.postkit.{name}]")
    return warnings


def _check_keys(table: dict[str, Any], schema: dict[str, Check], source: str, known: list[str] | None = None) -> None:
    known = known or list(schema)
    for key, value in table.items():
        if key not in schema:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: unknown key {shown(key)}{hint}; known keys: {', '.join(known)}")
        check, description = schema[key]
        if not check(value):
            raise ConfigError(f"{source}: {key!r} must be {description}, not {shown(value)}")


def check_timezone(name: str, where: str) -> None:
    """Make sure ``name`` is an IANA timezone this machine knows.

    Raises:
        ConfigError: it is not.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown timezone {shown(name)} (use an IANA name such as 'Asia/Shanghai')") from None


def find_site(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding Hexo's (or Jekyll's) ``_config.yml``."""
    folder = (start if start.is_dir() else start.parent).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / SITE_CONFIG).is_file():
            return candidate
    return None


# Values a site config may expand to through YAML aliases; past this it is an alias bomb.
ALIAS_BUDGET = 100_000


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters, in bounded time however large or nested the value."""
    import reprlib

    short = reprlib.Repr()
    short.maxlevel = 3
    short.maxdict = short.maxlist = short.maxtuple = short.maxset = 4
    short.maxstring = short.maxother = limit
    text = short.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_site_config(site_root: Path) -> tuple[str | None, str | None]:
    """``(timezone, url)`` from the site's ``_config.yml``; ``None`` for each that is unset.

    Raises:
        ConfigError: the file cannot be read, is not valid YAML, holds a
            value that cannot be built (``!!int _``), expands through aliases
            to more than :data:`ALIAS_BUDGET` values, or ``timezone`` is
            unknown; the message names the file and, where it has one, the line.
    """
    import yaml

    from postkit.core.front_matter import expanded_size, short_tag, shorten, unbuildable_node

    path = site_root / SITE_CONFIG
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else " ".join(str(error).split())
        raise ConfigError(f"{path}: cannot read: {reason}") from None
    loader = loader_class(text)
    root = None
    try:
        root = loader.get_single_node()
        if expanded_size(root, ALIAS_BUDGET) > ALIAS_BUDGET:
            raise ConfigError(f"{path}: YAML aliases expand to more than {ALIAS_BUDGET:,} values; write the values out instead of nesting aliases")
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {shorten(' '.join(str(error.problem).split()), 200)}") from None
    except ConfigError:
        raise
    except Exception as error:  # noqa: BLE001 - PyYAML's constructors raise KeyError, IndexError... on tagged junk
        node = unbuildable_node(root)
        if node is None:
            reason = shorten(" ".join(str(error).split()) or type(error).__name__, 200)
            raise ConfigError(f"{path}: cannot read: {reason}") from None
        tag = short_tag(node.tag)
        raise ConfigError(
            f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}: "
            f"{shorten(repr(node.value))} is not a valid {tag} value"
        ) from None
    finally:
        loader.dispose()
    if data is None:
        return None, None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the site config must be a mapping of keys to values")
    timezone = data.get("timezone")
    url = data.get("url")
    if timezone is not None and not isinstance(timezone, str):
        raise ConfigError(f"{path}: 'timezone' must be an IANA name such as 'Asia/Shanghai', not {shown(timezone)}")
    timezone = timezone.strip() if isinstance(timezone, str) and timezone.strip() else None
    if timezone:
        check_timezone(timezone, f"{path}: 'timezone'")
    return timezone, url if isinstance(url, str) and url.strip() else None


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """Load the config for a run that starts at ``start`` (the first path given).

    ``explicit`` (``--config FILE``) overrides the search; it may be a
    pyproject.toml or any TOML file holding ``[tool.postkit]`` tables (that
    table is read), or a postkit TOML file (its top-level keys are read).

    Raises:
        ConfigError: see :func:`find_config`, :func:`validate_table`,
            :func:`read_site_config`; or ``explicit`` does not exist.
    """
    in_tool_table = False  # an explicit file other than pyproject.toml that holds [tool.postkit]
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        data = _read_toml(explicit)
        in_tool_table = explicit.name == "pyproject.toml" or "tool" in data
        table = (_postkit_table(data, explicit) or {}) if in_tool_table else data
        found: tuple[Path, dict[str, Any]] | None = (explicit, table)
    else:
        found = find_config(start)
    values: dict[str, Any] = {}
    warnings: list[str] = []
    source = None
    root = Path(".")
    if found:
        source, table = found
        label = f"{source} [tool.postkit]" if source.name == "pyproject.toml" or in_tool_table else str(source)
        values, warnings = validate_table(table, label)
        root = source.parent
    site_root = find_site(start)
    site_timezone = site_url = None
    if site_root is not None:
        site_timezone, site_url = read_site_config(site_root)
    return Config(values, source, root, site_root, site_timezone, site_url, tuple(warnings))
