"""Remember good answers between runs: sqlite (standard library) in ``.postkit-cache/``.

One row per ``(URL, Referer)`` probe that found a picture, with the time it
was checked. A row older than the TTL (default one day) is a miss. Failures
are never stored, so a broken or rate-limited image is asked again on every
run. The folder gets a ``CACHEDIR.TAG`` (backup tools skip it) and a
``.gitignore`` of ``*`` (git never sees it).

A cache that cannot be used (a read-only folder, a corrupt file) never stops
a run: a corrupt file is replaced, and an unwritable folder turns the cache
off with a ``warning`` the command prints.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable

from postkit.images.remote import ProbeResult, replace_cached

CACHE_FOLDER = ".postkit-cache"
CACHE_FILE = "images.sqlite3"
DEFAULT_TTL = 24 * 60 * 60.0
SCHEMA_VERSION = 1
_COMMIT_EVERY = 1000
_PRELOAD_CHUNK = 500  # under SQLite's default limit of host parameters
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by postkit.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: int | float | str) -> float:
    """Seconds in a TTL: a number of seconds, or text such as ``90``, ``30m``, ``12h``, ``1d``.

    Raises:
        ValueError: a negative number, a boolean, or text in another shape.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value!r}")
        return float(value)
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"not a duration: {value!r} (use seconds, or a number with s, m, h or d, such as '12h')")
    return float(match.group(1)) * _UNIT[match.group(2).lower()]


class ProbeCache:
    """Good probe results of earlier runs, in ``folder/images.sqlite3``.

    ``ttl`` is in seconds; ``clock`` returns POSIX seconds (tests pass a fake
    one). Use as a context manager, or call :meth:`close` to write pending
    rows. ``warning`` holds a sentence when the cache had to be turned off.
    """

    def __init__(self, folder: Path, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.ttl = ttl
        self.clock = clock
        self.warning: str | None = None
        self._pending = 0
        self._preloaded: dict[tuple[str, str], tuple[float, str]] = {}
        self._preloaded_urls: set[str] = set()
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except (OSError, sqlite3.Error) as error:
            self.warning = f"image cache off: cannot use {self.folder / CACHE_FILE}: {error}"
            self._db = None

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# Made by postkit: never commit this cache.\n*\n")):
            marker = self.folder / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
        path = self.folder / CACHE_FILE
        try:
            return self._connect(path)
        except sqlite3.DatabaseError:
            # Not a database (a crash mid-write, a foreign file): start afresh.
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(f"{path}{suffix}")
                except FileNotFoundError:
                    pass
            return self._connect(path)

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=5.0)
        try:
            # A cache needs no durability: a file damaged by a crash is replaced
            # on the next open. Without fsync, writing while the checker runs
            # no longer stalls its event loop (seconds on a busy disk).
            db.execute("PRAGMA synchronous = OFF")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                db.execute("DROP TABLE IF EXISTS probes")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS probes ("
                " url TEXT NOT NULL, referrer TEXT NOT NULL, checked_at REAL NOT NULL, result TEXT NOT NULL,"
                " PRIMARY KEY (url, referrer))"
            )
            db.execute("DELETE FROM probes WHERE checked_at < ?", (self.clock() - self.ttl,))
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def preload(self, urls: Iterable[str]) -> None:
        """Read the rows of ``urls`` in a few queries, so that :meth:`get` needs none (the cached re-run's cost)."""
        if self._db is None:
            return
        wanted = list(dict.fromkeys(urls))
        try:
            for start in range(0, len(wanted), _PRELOAD_CHUNK):
                chunk = wanted[start : start + _PRELOAD_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT url, referrer, checked_at, result FROM probes WHERE url IN ({marks})", chunk)
                for url, referrer, checked_at, result in rows:
                    self._preloaded[(url, referrer)] = (checked_at, result)
            self._preloaded_urls.update(wanted)
        except sqlite3.Error:
            return

    def get(self, url: str, referrer: str | None) -> ProbeResult | None:
        """The stored good result for ``url`` fetched with ``referrer``, if younger than the TTL."""
        if self._db is None:
            return None
        if url in self._preloaded_urls:
            row = self._preloaded.get((url, referrer or ""))
        else:
            try:
                row = self._db.execute(
                    "SELECT checked_at, result FROM probes WHERE url = ? AND referrer = ?", (url, referrer or "")
                ).fetchone()
            except sqlite3.Error:
                return None
        if row is None or self.clock() - row[0] > self.ttl:
            return None
        try:
            return replace_cached(ProbeResult.from_json(row[1]))
        except (ValueError, TypeError):
            return None

    def put(self, result: ProbeResult) -> None:
        """Store a good result; failures are ignored on purpose, so they are checked again next run."""
        if self._db is None or not result.ok or result.from_cache:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO probes (url, referrer, checked_at, result) VALUES (?, ?, ?, ?)",
                (result.url, result.referrer or "", self.clock(), result.to_json()),
            )
            self._preloaded[(result.url, result.referrer or "")] = (self.clock(), result.to_json())
            self._pending += 1
            if self._pending >= _COMMIT_EVERY:
                self._db.commit()
                self._pending = 0
        except sqlite3.Error as error:
            self.warning = f"image cache: cannot write {self.folder / CACHE_FILE}: {error}"

    def close(self) -> None:
        """Write pending rows and close the file."""
        if self._db is None:
            return
        try:
            self._db.commit()
        except sqlite3.Error as error:
            self.warning = f"image cache: cannot write {self.folder / CACHE_FILE}: {error}"
        finally:
            self._db.close()
            self._db = None

    def __enter__(self) -> ProbeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
