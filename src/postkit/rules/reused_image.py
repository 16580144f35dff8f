"""reused-image (PK303): several posts use the same cover or thumbnail.

## What it checks
Across all posts checked in one run, the URLs in `image-fields`. Placeholder
URLs are left to image-field (PK302), and a post that repeats a URL in two
of its own fields counts once.

## Why it matters
Generators fall back to a feed's logo or a default picture when an article
has none, so many posts share one cover and the archive page shows a wall of
identical pictures.

## Example
`a.md` and `b.md` both have `thumbnail: https://img.example.cn/logo.png`.

## Fix
Give the posts their own pictures, or drop the field where there is none.
There is no automatic fix.
"""

from __future__ import annotations

from typing import Iterator

from postkit.diagnostics import Severity
from postkit.rules.base import Post, Problem
from postkit.rules.image_values import image_entries, placeholder, url_of

CODE = "PK303"
NAME = "reused-image"
DEFAULT = Severity.INFO
FIX = None
SCOPE = "project"


def collect(post: Post) -> list[tuple[str, int, int]]:
    """``(url, line, col)`` for each distinct usable image URL in the post."""
    found: dict[str, tuple[int, int]] = {}
    for _, _, value_node in image_entries(post):
        url = (url_of(value_node) or "").strip()
        if url and placeholder(url) is None and url not in found:
            found[url] = post.front_matter.position(value_node.start_mark)
    return [(url, line, col) for url, (line, col) in found.items()]


def check_project(facts: dict[str, list[tuple[str, int, int]]]) -> Iterator[tuple[str, Problem]]:
    """One problem per post that shares an image URL with another post."""
    users: dict[str, list[tuple[str, int, int]]] = {}
    for path, items in facts.items():
        for url, line, col in items:
            users.setdefault(url, []).append((path, line, col))
    for url, places in users.items():
        if len(places) < 2:
            continue
        for path, line, col in places:
            others = [other for other, _, _ in places if other != path]
            yield path, Problem(line, col, f"the same image is used by {len(others)} other post(s): {_listing(others)}")


def _listing(paths: list[str], limit: int = 5) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")
