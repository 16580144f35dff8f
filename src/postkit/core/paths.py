"""Find the posts a command works on: files given, folders searched, excludes applied."""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence


POST_SUFFIXES = (".md", ".markdown")
SKIPPED_FOLDERS = frozenset({".git", "node_modules", "public"})


def default_paths(cwd: Path) -> list[str]:
    """``source/_posts`` when ``cwd`` is a Hexo site (``_config.yml`` and ``source/_posts``), else ``.``."""
    if (cwd / "_config.yml").is_file() and (cwd / "source" / "_posts").is_dir():
        return [os.path.join("source", "_posts")]
    return ["."]


def discover(paths: Sequence[str], exclude: Iterable[str] = (), root: str = ".", site_root: str | None = None) -> list[str]:
    """Every post under ``paths``, sorted, without duplicates.

    A file is taken as given, whatever its suffix (pre-commit passes files by
    type); a folder is searched recursively for ``*.md`` and ``*.markdown``,
    skipping ``.git``, ``node_modules``, ``public`` and hidden folders, and
    never following folder symlinks. ``exclude`` globs (see
    :func:`path_matches`) apply to both. A path that does not
    exist is kept, so that reading it reports PK000.

    ``site_root`` is the site folder holding ``_config.yml``. When it is a
    Hexo site (it has a ``source/`` folder), a file named one by one that lies
    in the site but outside ``source/`` is skipped: Hexo builds no post or
    page from ``scaffolds/``, ``themes/`` or the site's own README, and
    pre-commit names every staged Markdown file.
    """
    globs = [glob for glob in exclude if glob.strip()]
    found: dict[str, None] = {}
    outside = _outside_source(site_root)
    for given in paths:
        if not os.path.isdir(given):
            if not _excluded(given, globs, root) and not outside(given):
                found[os.path.normpath(given) if given != "-" else given] = None
            continue
        unlistable: list[str] = []
        for folder, subfolders, files in os.walk(given, onerror=lambda error: unlistable.append(error.filename)):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if name not in SKIPPED_FOLDERS
                and not name.startswith(".")
                and not os.path.islink(os.path.join(folder, name))
                and not _excluded(os.path.join(folder, name), globs, root)
            )
            for name in sorted(files):
                if name.lower().endswith(POST_SUFFIXES):
                    path = os.path.normpath(os.path.join(folder, name))
                    if not _excluded(path, globs, root):
                        found[path] = None
        # A folder that cannot be listed is kept as a path, so that reading it reports PK000.
        for folder in unlistable:
            if folder and not _excluded(folder, globs, root):
                found[os.path.normpath(folder)] = None
    return sorted(found)


def _outside_source(site_root: str | None):  # noqa: ANN202 - a predicate on paths
    """A test for "in this Hexo site but outside its source/ folder"; never true without a Hexo site."""
    if site_root is None or not os.path.isdir(os.path.join(site_root, "source")):
        return lambda _path: False
    site = os.path.realpath(site_root)
    source = os.path.join(site, "source")

    def outside(path: str) -> bool:
        real = os.path.realpath(path)
        return os.path.commonpath([real, site]) == site and os.path.commonpath([real, source]) != source

    return outside


def _excluded(path: str, globs: list[str], root: str) -> bool:
    return any(path_matches(glob, path, root) for glob in globs)


def path_matches(glob: str, path: str, root: str = ".") -> bool:
    """True when ``glob`` matches ``path`` or one of the folders above it.

    A glob without ``/`` matches any single file or folder name, as in
    ``.gitignore`` (``drafts``, ``*.zh-TW.md``). A glob with ``/`` matches the
    path relative to ``root`` or as given; ``*`` may cross folders, as in
    Python's :mod:`fnmatch`.
    """
    pattern = glob.strip().rstrip("/")
    posix = PurePosixPath(path.replace("\\", "/"))
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in posix.parts)
    candidates = [posix]
    try:
        absolute = PurePosixPath(os.path.abspath(path).replace("\\", "/"))
        candidates.append(absolute.relative_to(PurePosixPath(os.path.abspath(root).replace("\\", "/"))))
    except ValueError:
        pass
    pattern = pattern.removeprefix("./")
    # "**/" may stand for no folder at all, as in .gitignore and git's pathspecs.
    patterns = {pattern, pattern.replace("**/", ""), pattern.replace("/**/", "/")}
    for candidate in candidates:
        for target in (candidate, *candidate.parents):
            name = str(target).removeprefix("./")
            if any(fnmatchcase(name, p) for p in patterns):
                return True
    return False
