"""Resolve an image path in a post to the file Hexo would publish, and tell whether it exists.

- A relative path (``a.png``, ``../img/a.png``) is resolved against the
  post's folder. With Hexo's ``post_asset_folder: true``, the post's asset
  folder (``source/_posts/hello/`` beside ``hello.md``) is tried first: that
  is where Hexo's ``{% asset_img %}`` and relative images of the post live.
- A site path (``/img/a.png``) is resolved against the site's source folder
  (``source/``, or Hexo's ``source_dir``), then each theme's ``source/``,
  which Hexo also publishes at the site root. A site ``root`` such as
  ``/blog/`` is taken off first.
- A path that leaves the site root (``../../../etc/x.png``) is reported as
  such and never touched: the check is done on the path's text, and no such
  path is ever passed to the file system.
- So is a path that leaves it through a symbolic link inside the site
  (``source/img/etc -> /etc``): :func:`confined` follows links one
  component at a time, reading each link inside the root with
  ``readlink`` and stopping as soon as a target falls outside, so nothing
  outside the root is ever ``stat``-ed.

:func:`resolve` is pure; :func:`check` only asks the file system whether a
candidate is a file (``os.path.isfile``, a ``stat``), it never opens one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ASSET_TAGS = ("asset_img", "asset_image")
# A value that is one of Hexo's post asset tags, rendered before the HTML reaches the browser.
ASSET_TAG_VALUE = re.compile(r"\{%-?\s*(asset_path|asset_img|asset_image|asset_link)\s+(\"[^\"]+\"|'[^']+'|\S+)(?:\s+[^%]*)?-?%\}")


@dataclass(frozen=True)
class SiteLayout:
    """Where a site's published files come from.

    ``root`` is the boundary no image may leave: the Hexo site root (the
    folder holding ``_config.yml``), or the folder being checked when there
    is no site. ``source`` is the site's source folder (``None`` without a
    site), ``theme_sources`` the theme folders Hexo also publishes,
    ``post_asset_folder`` Hexo's setting of that name, and ``url_root`` the
    site's ``root`` (``/`` unless the blog lives under a sub-path). Paths are
    absolute, with symlinks resolved.
    """

    root: Path
    source: Path | None = None
    theme_sources: tuple[Path, ...] = ()
    post_asset_folder: bool = False
    url_root: str = "/"

    @classmethod
    def for_site(cls, site_root: Path, site_config: dict | None = None) -> SiteLayout:
        """The layout of the Hexo site at ``site_root``, from its ``_config.yml`` values.

        ``site_config`` is the parsed ``_config.yml`` (see :func:`read_site_config`);
        unset or malformed keys take Hexo's defaults (``source_dir: source``,
        ``post_asset_folder: false``, ``root: /``).
        """
        values = site_config or {}
        root = Path(os.path.realpath(site_root))
        source_dir = values.get("source_dir") if isinstance(values.get("source_dir"), str) else "source"
        themes = []
        theme = values.get("theme")
        if isinstance(theme, str) and theme.strip() and theme.strip().lower() != "false":
            name = theme.strip()
            themes = [root / "themes" / name / "source", root / "node_modules" / f"hexo-theme-{name}" / "source"]
        url_root = values.get("root") if isinstance(values.get("root"), str) else "/"
        url_root = "/" + url_root.strip("/") + "/" if url_root.strip("/") else "/"
        return cls(
            root=root,
            source=root / source_dir.strip("/"),
            theme_sources=tuple(themes),
            post_asset_folder=values.get("post_asset_folder") is True,
            url_root=url_root,
        )

    @classmethod
    def without_site(cls, folder: Path) -> SiteLayout:
        """A layout for posts outside any Hexo site: only relative paths can be resolved, inside ``folder``."""
        return cls(root=Path(os.path.realpath(folder)))


def read_site_config(site_root: Path) -> dict:
    """The mapping in ``site_root/_config.yml``; ``{}`` when it cannot be read or is not a mapping.

    ``load_config`` has already rejected a ``_config.yml`` that does not
    parse, so errors here only mean "use Hexo's defaults".
    """
    import yaml

    try:
        data = yaml.load((site_root / "_config.yml").read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Resolution:
    """Where a local image may be: ``candidates`` in the order Hexo looks.

    ``escaped`` is set (and ``candidates`` is empty) when the path leaves the
    site root; ``unresolved`` explains why a site path cannot be resolved
    (no Hexo site around the post).
    """

    candidates: tuple[Path, ...] = ()
    escaped: Path | None = None
    unresolved: str | None = None


@dataclass(frozen=True)
class LocalVerdict:
    """The outcome for one local image: ``reason`` is ``None`` when the file exists.

    Reasons: ``missing-file``, ``outside-site``, ``unresolved-site-path``
    (see ``images/reasons.py``); ``detail`` says where postkit looked.
    """

    reason: str | None
    detail: str = ""
    found: Path | None = None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve(url: str, post_path: str, layout: SiteLayout, tag: str | None = None) -> Resolution:
    """The files ``url`` (a local image reference in ``post_path``) may point to; pure.

    The query and fragment are dropped and ``%XX`` escapes decoded, as a web
    server does. ``tag`` is the Hexo tag that holds the path (``asset_img``
    looks only in the post's asset folder).
    """
    asset = ASSET_TAG_VALUE.fullmatch(url.strip())
    if asset is not None:
        # {% asset_path name %} (what --localize writes in HTML), {% asset_img name %}, {% asset_link name %}:
        # Hexo renders the URL of the post asset ``name``.
        url, tag = asset.group(2).strip("\"'"), "asset_img"
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    post = Path(os.path.realpath(post_path))
    root = str(layout.root)
    bases: list[Path]
    if path.startswith("/"):
        if layout.source is None:
            return Resolution(unresolved="a site path, but no Hexo site (_config.yml) holds this post")
        if layout.url_root != "/" and path.startswith(layout.url_root):
            path = "/" + path[len(layout.url_root) :]
        relative = path.lstrip("/")
        bases = [layout.source, *layout.theme_sources]
    else:
        relative = path
        asset_folder = post.parent / post.stem
        if tag in ASSET_TAGS:
            bases = [asset_folder]
        elif layout.post_asset_folder:
            bases = [asset_folder, post.parent]
        else:
            bases = [post.parent]
    candidates = []
    for base in bases:
        # normpath works on the text only: nothing outside the root is ever touched.
        joined = os.path.normpath(os.path.join(str(base), relative))
        if not _inside(joined, root):
            return Resolution(escaped=Path(joined))
        candidates.append(Path(joined))
    return Resolution(candidates=tuple(dict.fromkeys(candidates)))


def shown(path: Path) -> str:
    """A path as messages print it: relative to the current folder when that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


MAX_LINKS = 40  # as Linux's limit on symbolic links in one path (ELOOP)


def confined(path: Path, root: Path) -> tuple[Path, Path | None]:
    """``(real_path, escaped)``: ``path`` (inside ``root``) with its symbolic links followed, without leaving ``root``.

    Links are read one component at a time; when one points outside
    ``root``, ``escaped`` is where it points and resolution stops there, so
    no path outside ``root`` is ever looked at. A missing component ends the
    walk (the rest is joined as text); a loop of links counts as an escape.
    """
    root_text = str(root)
    pending = list(Path(os.path.relpath(path, root)).parts)
    current = root_text
    links = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        step = os.path.normpath(os.path.join(current, part))
        if not _inside(step, root_text):
            return Path(step), Path(step)
        if not os.path.islink(step):
            if not os.path.lexists(step):
                return Path(os.path.normpath(os.path.join(step, *pending))), None
            current = step
            continue
        links += 1
        if links > MAX_LINKS:
            return Path(step), Path(step)
        target = os.path.normpath(os.path.join(current, os.readlink(step)))
        if not _inside(target, root_text):
            return Path(target), Path(target)
        # Walk the target again from the root: it may hold links of its own.
        pending = list(Path(os.path.relpath(target, root_text)).parts) + pending
        current = root_text
    return Path(current), None


def check(url: str, post_path: str, layout: SiteLayout, tag: str | None = None) -> LocalVerdict:
    """Whether the local image ``url`` in ``post_path`` exists; only ``stat``s the candidates, inside the root."""
    resolution = resolve(url, post_path, layout, tag)
    if resolution.escaped is not None:
        return LocalVerdict(
            "outside-site",
            f"resolves to {resolution.escaped}, outside the site root {layout.root}; it is never published, and postkit did not open it",
        )
    if resolution.unresolved is not None:
        return LocalVerdict("unresolved-site-path", resolution.unresolved)
    for candidate in resolution.candidates:
        real, escaped = confined(candidate, layout.root)
        if escaped is not None:
            return LocalVerdict(
                "outside-site",
                f"{shown(candidate)} leads through a symbolic link to {escaped}, outside the site root {layout.root}; "
                "Hexo does not publish it, and postkit did not look at it",
            )
        if os.path.isfile(real):
            return LocalVerdict(None, found=candidate)
    looked = " or ".join(shown(c) for c in resolution.candidates)
    detail = f"no such file: {looked}"
    if tag in ASSET_TAGS and not layout.post_asset_folder and layout.source is not None:
        detail += "; post_asset_folder is not true in _config.yml, so Hexo has no asset folder for this post"
    elif any(os.path.isdir(c) for c in resolution.candidates):
        detail = f"is a folder, not a file: {looked}"
    return LocalVerdict("missing-file", detail)
