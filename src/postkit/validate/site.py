"""What ``postkit validate`` checks when it is given a Hexo site root: the posts and pages Hexo builds."""

from __future__ import annotations

import os
from typing import Sequence


def is_hexo_site(folder: str) -> bool:
    """True for a folder holding Hexo's ``_config.yml`` and a ``source/`` folder."""
    return os.path.isfile(os.path.join(folder, "_config.yml")) and os.path.isdir(os.path.join(folder, "source"))


def site_targets(paths: Sequence[str], drafts: bool = False) -> tuple[list[str], list[str]]:
    """Turn each Hexo site root in ``paths`` into its ``source/`` folder, and list what to leave out.

    Hexo builds posts and pages from ``source/`` only; ``scaffolds/``,
    ``themes/``, ``node_modules/`` and ``public/`` hold templates, theme files
    and output. Under ``source/`` it skips every file or folder whose name
    starts with ``_`` (``_data``, ``_posts/_notes``), except ``_posts`` and,
    when ``drafts`` is set (``hexo server --draft``), ``_drafts``. Returns the
    new paths and the folders to exclude. Other paths pass through unchanged.
    """
    targets: list[str] = []
    excluded: list[str] = []
    for given in paths:
        if not (os.path.isdir(given) and is_hexo_site(given)):
            targets.append(given)
            continue
        source = os.path.normpath(os.path.join(given, "source"))
        targets.append(source)
        kept = {"_posts", "_drafts"} if drafts else {"_posts"}
        for folder, subfolders, _files in os.walk(source):
            top = folder == source
            for name in list(subfolders):
                if name.startswith("_") and not (top and name in kept):
                    excluded.append(_literal(os.path.join(folder, name)))
                    subfolders.remove(name)
    return targets, excluded


def _literal(path: str) -> str:
    """``path`` as an exclude glob that matches only itself (``[``, ``*`` and ``?`` escaped)."""
    return "".join(f"[{c}]" if c in "[]*?" else c for c in path)
