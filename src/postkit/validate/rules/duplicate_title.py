"""duplicate-title (PK401): the same title is used by several posts.

## What it checks
Across all posts checked in one run, titles that are equal after trimming
spaces. Each post gets a diagnostic that names up to five others and
counts the rest (`… and 9,990 more`); the json and sarif formats list every
post of the group once. A post and its language copies (`post.zh-TW.md`
beside `post.md`, or a copy with `lang` set in a mirrored tree) are one
post: only a title shared with a different post is reported.

## Why it matters
Feeds republish the same article, and generators that fetch on a schedule
write it again under a new file name. Readers see the post twice in lists
and search engines see duplicate content.

## Example
`a.md` and `b.md` both have `title: 二上美国黑名单`.

## Fix
Delete the copies, or give them distinct titles. There is no automatic fix.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Fact, Post, Problem, listing, shared_keys

CODE = "PK401"
NAME = "duplicate-title"
DEFAULT = Severity.WARNING
FIX = None
SCOPE = "project"


def collect(post: Post) -> list[Fact]:
    """``[(title, line, col)]`` when the post has a non-empty string title."""
    entry = post.entry("title")
    title = post.value("title")
    if entry is None or not isinstance(title, str) or not title.strip():
        return []
    line, col = post.front_matter.position(entry[1].start_mark)
    return [(title.strip(), line, col)]


def check_project(facts: dict[str, list[Fact]], identity: dict[str, str] | None = None) -> Iterator[tuple[str, Problem]]:
    """One problem per post whose title another post (not its own language copy) also has."""
    for title, member in shared_keys(facts, identity):
        message = f"title {title!r} is also used by {listing(member.preview, member.others)}"
        yield member.path, Problem(member.line, member.col, message, group=member.group)
