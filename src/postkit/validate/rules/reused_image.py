"""reused-image (PK303): several posts use the same cover or thumbnail.

## What it checks
Across all posts checked in one run, the URLs in `image-fields`. Placeholder
URLs are left to image-field (PK302), and a post that repeats a URL in two
of its own fields counts once. A post and its language copies count as one
post. Messages name up to five other posts and count the rest; json and
sarif list each group's posts once.

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

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Fact, Post, Problem, listing, shared_keys
from postkit.core.image_urls import placeholder
from postkit.validate.rules.image_values import image_entries, url_of

CODE = "PK303"
NAME = "reused-image"
DEFAULT = Severity.INFO
FIX = None
SCOPE = "project"


def collect(post: Post) -> list[Fact]:
    """``(url, line, col)`` for each distinct usable image URL in the post."""
    found: dict[str, tuple[int, int]] = {}
    for _, _, value_node in image_entries(post):
        url = (url_of(value_node) or "").strip()
        if url and placeholder(url) is None and url not in found:
            found[url] = post.front_matter.position(value_node.start_mark)
    return [(url, line, col) for url, (line, col) in found.items()]


def check_project(facts: dict[str, list[Fact]], identity: dict[str, str] | None = None) -> Iterator[tuple[str, Problem]]:
    """One problem per post that shares an image URL with another post (not its own language copy)."""
    for _url, member in shared_keys(facts, identity):
        message = f"the same image is used by {member.others:,} other post(s): {listing(member.preview, member.others)}"
        yield member.path, Problem(member.line, member.col, message, group=member.group)
