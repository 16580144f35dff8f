"""What a rule receives (a parsed post and the settings) and what it yields (a located problem)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol, Sequence

import yaml

from postkit.core.diagnostics import Fix, Severity
from postkit.core.document import Document
from postkit.core.front_matter import ParsedFrontMatter
from postkit.core.image_urls import DEFAULT_IMAGE_FIELDS

# The ``# noqa`` directive in front matter comments (ruff's spelling); the engine and PK103 read it.
NOQA = re.compile(r"(?:^|\s)#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_,\s-]+))?", re.IGNORECASE)

DEFAULT_REQUIRED = ("title", "date")
DEFAULT_DATE_FIELDS = ("date", "updated")
DEFAULT_DATE_FORMATS = ("iso8601", "YYYY-MM-DD HH:mm:ss")


@dataclass(frozen=True)
class Settings:
    """The validate settings after config and command line are merged (see ``config.py``).

    ``timezone`` is an IANA name such as ``"Asia/Shanghai"`` from postkit's
    config or Hexo's ``_config.yml``; ``None`` means none is configured.
    ``engine`` is the generator whose reading decides what is an error
    (``hexo``, ``jekyll`` or ``hugo``; see ``reading.py``).
    """

    required: tuple[str, ...] = DEFAULT_REQUIRED
    image_fields: tuple[str, ...] = DEFAULT_IMAGE_FIELDS
    date_fields: tuple[str, ...] = DEFAULT_DATE_FIELDS
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    timezone: str | None = None
    keep_image_field: str | None = None
    engine: str = "hexo"
    template_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """What a rule reports: a 1-based position in the file, a message and maybe a fix.

    Rules never choose their own code or severity; the engine stamps both
    from the registry and the config (yamllint's model, STYLE.md point 2).
    ``other_engines`` marks a portability trap that the configured generator
    reads as written: the engine stamps it as a warning at most.
    """

    line: int
    col: int
    message: str
    fix: Fix | None = None
    end_line: int | None = None
    end_col: int | None = None
    other_engines: bool = False
    group: tuple[str, ...] | None = None


@dataclass
class Post:
    """One post as the rules see it: the document, its parsed front matter and the settings.

    ``cache`` lets rules share work on the same post (the date rules read
    each date once).
    """

    document: Document
    front_matter: ParsedFrontMatter
    settings: Settings = field(default_factory=Settings)
    cache: dict[str, Any] = field(default_factory=dict)
    reading: Any = None

    @property
    def path(self) -> str:
        """The post's path as given on the command line or found in a folder."""
        return self.document.path

    def entry(self, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        """``(key_node, value_node)`` of a top-level key, or ``None``."""
        return self.front_matter.entries.get(key)

    def value(self, key: str) -> Any:
        """The constructed value of a top-level key (``None`` when absent)."""
        return self.front_matter.value(key)

    @property
    def engine(self) -> str:
        """The generator whose reading decides errors (``hexo``, ``jekyll``, ``hugo``)."""
        return self.settings.engine

    def problem_at(
        self, node: yaml.Node, message: str, fix: Fix | None = None, owner: yaml.Node | None = None, other_engines: bool = False
    ) -> Problem:
        """A :class:`Problem` spanning ``node`` (its end trimmed to the node's last line).

        ``owner`` is the key (or the list) the node belongs to: when the node
        is reached through an alias, the problem points at the owner and
        drops the fix (see ``ParsedFrontMatter.is_alias_use``).
        """
        if owner is not None and self.front_matter.is_alias_use(node, owner):
            line, col = self.front_matter.position(owner.start_mark)
            return Problem(line, col, message + " (through an alias)", other_engines=other_engines)
        start, _ = self.front_matter.span(node)
        line, col = self.document.position(start)
        source = self.front_matter.source(node)
        end_col = col + len(source) if "\n" not in source and "\r" not in source else None
        return Problem(line, col, message, fix, line if end_col else None, end_col, other_engines)


class Rule(Protocol):
    """The shape of a rule module (yamllint's ``rules/*.py``).

    ``CODE`` never changes once released; ``NAME`` is kebab-case; ``DEFAULT``
    is the severity when config says nothing; ``FIX`` is ``None``, ``"safe"``,
    ``"unsafe"`` or ``"both"`` (what ``postkit rules`` lists). The module docstring is the rule's
    documentation.
    """

    CODE: str
    NAME: str
    DEFAULT: Severity
    FIX: str | None
    __doc__: str | None

    def check(self, post: Post) -> Iterator[Problem]: ...


Fact = tuple[str, int, int]
"""What a project rule collects from one post: ``(key, line, col)``."""


@dataclass(frozen=True)
class Member:
    """One post of a cross-file group: where it holds the shared key, and the other posts to name."""

    path: str
    line: int
    col: int
    others: int
    preview: tuple[str, ...]
    group: tuple[str, ...]


def shared_keys(facts: dict[str, list[Fact]], identity: dict[str, str] | None = None) -> Iterator[tuple[str, Member]]:
    """For project rules: ``(key, member)`` for each post whose key another, different post also has.

    ``identity`` maps a language copy (``post.zh-TW.md``) to its original
    when both are in the run: a post and its copies count as one post and
    only the original is reported. The work and the output are linear in the
    size of each group: a member names at most five others.
    """
    identity = identity or {}
    places: dict[str, list[tuple[str, int, int]]] = {}
    for path, items in facts.items():
        for key, line, col in items:
            places.setdefault(key, []).append((path, line, col))
    for key, found in places.items():
        if len(found) < 2:
            continue
        reported = [(path, line, col) for path, line, col in found if path not in identity]
        posts = tuple(dict.fromkeys(path for path, _, _ in reported))
        if len(posts) < 2:
            continue
        for path, line, col in reported:
            preview = tuple(other for other in posts[: PREVIEW + 1] if other != path)[:PREVIEW]
            yield key, Member(path, line, col, len(posts) - 1, preview, posts)


PREVIEW = 5


def listing(paths: Sequence[str], total: int | None = None) -> str:
    """``a.md, b.md and 9,990 more``: at most five posts by name, then the count of the rest."""
    total = len(paths) if total is None else total
    shown = ", ".join(paths[:PREVIEW])
    rest = total - min(len(paths), PREVIEW)
    return shown + (f" and {rest:,} more" if rest > 0 else "")
