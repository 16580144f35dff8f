"""What the importer remembers between runs, and the posts already in the target folder.

``.postkit-cache/import.json`` (in the Hexo site, beside ``images.sqlite3``)
holds each feed URL's ``ETag`` and ``Last-Modified`` and the posts postkit
wrote, by their path relative to the target folder. A post not listed
there is never overwritten. The folder gets a ``CACHEDIR.TAG`` and a
``.gitignore`` of ``*``. A cache file that cannot be read is started
afresh (with a warning); validators are a convenience, and without the
list of written posts postkit only refuses to rewrite, never overwrites.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from postkit.core.document import ReadError, read_document, write_atomic

CACHE_FOLDER = ".postkit-cache"
STATE_FILE = "import.json"
STATE_VERSION = 1
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by postkit.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


@dataclass
class ImportState:
    """The importer's memory: HTTP validators per feed URL, and the posts it wrote (relative path → identity)."""

    path: Path
    http: dict[str, dict[str, str]] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    warning: str | None = None

    @classmethod
    def load(cls, folder: Path) -> "ImportState":
        """Read ``folder/import.json``; an absent file is an empty state, an unreadable one too (with ``warning`` set)."""
        path = folder / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as error:
            return cls(path, warning=f"{path}: cannot read the import cache ({error}); starting a new one")
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return cls(path, warning=f"{path}: unknown import cache format; starting a new one")
        http = data.get("http") if isinstance(data.get("http"), dict) else {}
        posts = data.get("posts") if isinstance(data.get("posts"), dict) else {}
        return cls(
            path,
            {k: v for k, v in http.items() if isinstance(v, dict)},
            {k: v for k, v in posts.items() if isinstance(k, str) and isinstance(v, str)},
        )

    def save(self) -> None:
        """Write the state atomically (only when it changed).

        Raises:
            OSError: the cache folder cannot be written.
        """
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "*\n")):
            if not (folder / name).exists():
                write_atomic(folder / name, text.encode("utf-8"))
        data = {"version": STATE_VERSION, "http": self.http, "posts": dict(sorted(self.posts.items()))}
        write_atomic(self.path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


@dataclass(frozen=True)
class ExistingPost:
    """A post already in the target folder: where it is and the values that identify it."""

    path: str
    guid: str | None
    link: str | None
    updated: dt.datetime | None


@dataclass
class PostIndex:
    """The posts in the target folder, by ``guid`` and by ``link``, and every name taken (case-folded)."""

    by_guid: dict[str, ExistingPost] = field(default_factory=dict)
    by_link: dict[str, ExistingPost] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)

    def find(self, guid: str, link: str) -> ExistingPost | None:
        """The post imported from this item: matched by ``guid``, then by ``link``."""
        if guid:
            found = self.by_guid.get(guid) or self.by_link.get(guid)
            if found:
                return found
        return self.by_link.get(link) if link else None

    def add(self, post: ExistingPost, relative: str) -> None:
        """Remember a post (one found on disk, or one just written)."""
        if post.guid:
            self.by_guid.setdefault(post.guid, post)
        if post.link:
            self.by_link.setdefault(post.link, post)
        self.names.add(relative.casefold())


def _as_instant(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, str):
        from postkit.feeds.jsonfeed import parse_rfc3339

        return parse_rfc3339(value.replace(" ", "T", 1))
    return None


def index_posts(into: Path, written: dict[str, str]) -> PostIndex:
    """Every Markdown post under ``into`` with its ``guid``, ``link`` and ``updated``.

    Posts postkit wrote (``written``) are indexed first, so that an item
    matches the post it became rather than a copy of it.
    """
    from postkit.core.front_matter import parse
    from postkit.core.paths import POST_SUFFIXES, SKIPPED_FOLDERS

    index = PostIndex()
    found: list[str] = []
    for folder, folders, files in os.walk(into):
        folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS and not f.startswith("."))
        for name in files:
            relative = os.path.relpath(os.path.join(folder, name), into).replace(os.sep, "/")
            index.names.add(relative.casefold())
            if name.endswith(POST_SUFFIXES):
                found.append(relative)
    found.sort(key=lambda relative: (relative not in written, relative))
    for relative in found:
        try:
            document = read_document(into / relative)
        except ReadError:
            continue
        front_matter = parse(document)
        if not front_matter.is_mapping:
            continue
        values = [front_matter.value(key) for key in ("guid", "link")]
        guid, link = (v.strip() if isinstance(v, str) and v.strip() else None for v in values)
        index.add(ExistingPost(relative, guid, link, _as_instant(front_matter.value("updated"))), relative)
    return index
