"""wrong-type (PK103): `title`, `categories`, `tags` or `comments` has the wrong type.

## What it checks
What the configured engine shows for `title`, each tag and each category,
compared with the text written. Hexo reads YAML 1.2 and shows JavaScript's
`String()` of the value: `title: 1e3` shows as `1000`, `0o17` as `15`,
`2021-12-14` as a long date string, while `title: 2021` or `tags: [2021]`
show as written and pass. Jekyll reads YAML 1.1: `title: no` shows as
`false`, `10:00` as `600`.
- `#` after a space starts a comment, cutting the title short.
- `tags` (and `tag`, which Hexo reads when `tags` is absent) take no nested
  lists; Hexo would make `[a, b]` the single tag `a,b`. `categories` may hold
  one level of lists under Hexo: each is a hierarchy
  (`[[体育, 篮球], [新闻, 国内]]`); other engines take none.
- `comments` must be a boolean. `comments: no` is `False` to PyYAML but the
  string `"no"` to Hexo's js-yaml (YAML 1.2), which is truthy: comments stay on.

The message shows the value YAML produced.

## Severity
An error: the site shows something other than what is written. Values the
configured engine shows as written but another engine would not are
ambiguous-scalar's (PK104) warnings.

## Why it matters
Themes call string methods on titles and tags; a boolean title renders as
`true` or crashes the build, and the author's words are gone.

## Example
```yaml
title: no
tags: [on, 2021]
comments: no
```

## Fix
A safe fix quotes a title, category or tag exactly as written
(`title: 'no'`): the text the author wrote is what every tool then reads.
Writing `false`/`true` for `comments` is an unsafe fix, because it changes
what Hexo does today. A title cut by `#` gets an unsafe fix that quotes the
whole line, because the `#` may have been a real comment. Nested lists have
no automatic fix.
"""

from __future__ import annotations

import re
from typing import Iterator

import yaml

from postkit.core.diagnostics import Applicability, Edit, Fix, Severity
from postkit.core.front_matter import quote
from postkit.validate.reading import LABELS, shown
from postkit.validate.rules.base import NOQA, Post, Problem
from postkit.validate.rules.scalars import YAML11_ONLY_BOOLEANS, YAML12_BOOLEANS, is_plain, quoted_source

CODE = "PK103"
NAME = "wrong-type"
DEFAULT = Severity.ERROR
FIX = "both"

KEYS = ("title", "categories", "tags", "comments")
# Hexo reads `category` and `tag` as `categories` and `tags` when those are absent.
ALIASES = {"category": "categories", "tag": "tags"}
_STR = "tag:yaml.org,2002:str"
_TRAILING_COMMENT = re.compile(r"^([ \t]+#.*?)[ \t]*$")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return {
        "tag:yaml.org,2002:bool": "a boolean",
        "tag:yaml.org,2002:int": "a number",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:timestamp": "a date",
        "tag:yaml.org,2002:null": "null",
        "tag:yaml.org,2002:binary": "binary data",
        "tag:yaml.org,2002:str": "a string",
    }.get(node.tag, f"a value tagged {node.tag}")


def _written(post: Post, node: yaml.ScalarNode) -> str:
    """The text the author wrote for a scalar: a plain scalar's source, or a quoted one's string."""
    return node.value


def _misread(post: Post, node: yaml.ScalarNode, value: object, label: str) -> Problem | None:
    """A problem when the engine shows ``value`` as something other than the scalar's written text."""
    if node.tag == _STR or value is None:
        return None
    written = _written(post, node)
    display = shown(value, post.engine)
    if display == written:
        return None
    engine = LABELS[post.engine]
    source = post.front_matter.source(node)
    quoted = quoted_source(post.front_matter, node)
    fix = Fix(f"quote it: {quoted}", (post.front_matter.replace_scalar(node, quoted),))
    return post.problem_at(node, f"{label} is {_kind(node)} to {engine}, which shows {source} as {display!r}; quote it to keep the text", fix)


def _check_title(post: Post, node: yaml.Node) -> Iterator[Problem]:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return  # empty-value (PK102) reports it
        if node.tag != _STR:
            problem = _misread(post, node, post.value("title"), "title")
            if problem is not None:
                yield problem
            return
        if is_plain(node):
            yield from _check_comment_cut(post, node)
        return
    display = shown(post.value("title"), post.engine)
    yield post.problem_at(node, f"title is {_kind(node)}, not a string; {LABELS[post.engine]} shows {display!r}")


def _check_comment_cut(post: Post, node: yaml.ScalarNode) -> Iterator[Problem]:
    document = post.document
    start, end = post.front_matter.span(node)
    line_end = document.text.find("\n", end)
    line_end = len(document.text) if line_end == -1 else line_end
    rest = document.text[end:line_end].rstrip("\r")
    match = _TRAILING_COMMENT.match(rest)
    if not match or NOQA.search(match.group(1)):
        return  # postkit's own "# noqa" directive is a comment by design
    whole = document.text[start : end + len(match.group(1))]
    fix = Fix(f"quote the whole title: {quote(whole)}", (Edit(start, end + len(match.group(1)), quote(whole)),), Applicability.UNSAFE)
    yield post.problem_at(
        node,
        f"title is cut at '#': YAML reads {node.value!r} and treats {match.group(1).strip()!r} as a comment",
        fix,
    )


def _check_terms(post: Post, key: str, node: yaml.Node, as_key: str | None = None) -> Iterator[Problem]:
    value = post.value(key)
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in (_STR, "tag:yaml.org,2002:null"):
            problem = _misread(post, node, value, key)
            if problem is not None:
                yield problem
        return
    if isinstance(node, yaml.MappingNode):
        yield post.problem_at(node, f"{key} is a mapping; use a string or a list of strings")
        return
    values = value if isinstance(value, list) and len(value) == len(node.value) else [None] * len(node.value)
    # Hexo reads each list inside categories as one hierarchy (parent, child, ...); tags take no lists.
    hierarchies = (as_key or key) == "categories" and post.engine == "hexo"
    for item, item_value in zip(node.value, values):
        yield from _check_term(post, key, item, item_value, node, nested_ok=hierarchies)


def _check_term(post: Post, key: str, item: yaml.Node, value: object, owner: yaml.Node, nested_ok: bool) -> Iterator[Problem]:
    if isinstance(item, yaml.SequenceNode):
        if nested_ok:
            inner = value if isinstance(value, list) and len(value) == len(item.value) else [None] * len(item.value)
            for child, child_value in zip(item.value, inner):
                yield from _check_term(post, key, child, child_value, item, nested_ok=False)
            return
        display = shown(value, post.engine) if value is not None else None
        shows = f"; {LABELS[post.engine]} makes it the single name {display!r}" if display is not None and post.engine == "hexo" else ""
        yield post.problem_at(item, f"{key} holds a nested list; each item must be a string (write '- x', not '- - x'){shows}", owner=owner)
    elif isinstance(item, yaml.MappingNode):
        yield post.problem_at(item, f"{key} holds a mapping; each item must be a string", owner=owner)
    elif item.tag != _STR:
        problem = _misread(post, item, value, f"an item of {key}")
        if problem is not None:
            yield post.problem_at(item, problem.message, owner=owner) if post.front_matter.is_alias_use(item, owner) else problem


def _check_comments(post: Post, node: yaml.Node) -> Iterator[Problem]:
    if not isinstance(node, yaml.ScalarNode):
        yield post.problem_at(node, f"comments is {_kind(node)}; use true or false")
        return
    text = node.value
    if node.tag == "tag:yaml.org,2002:bool":
        if is_plain(node) and text in YAML11_ONLY_BOOLEANS:
            value = "true" if text.lower() in ("yes", "on", "y") else "false"
            # Unsafe: Hexo reads the word as a truthy string, so the site's behaviour changes.
            fix = Fix(f"write {value}", (post.front_matter.replace_scalar(node, value),), Applicability.UNSAFE)
            yield post.problem_at(
                node,
                f"comments: {text} is a boolean to PyYAML but the string {text!r} to Hexo (YAML 1.2), which keeps comments on",
                fix,
            )
        return
    lowered = text.strip().lower()
    if node.tag == _STR and lowered in {b.lower() for b in YAML12_BOOLEANS | YAML11_ONLY_BOOLEANS}:
        value = "true" if lowered in ("true", "yes", "on", "y") else "false"
        # Unsafe: any non-empty string is truthy today, so 'false' changes what the site does.
        fix = Fix(f"write {value}", (post.front_matter.replace_scalar(node, value),), Applicability.UNSAFE)
        yield post.problem_at(node, f"comments is the string {text!r}, not a boolean; any non-empty string is truthy", fix)
    elif node.tag != "tag:yaml.org,2002:null":
        yield post.problem_at(node, f"comments is {_kind(node)} ({text!r}); use true or false")


def check(post: Post) -> Iterator[Problem]:
    if not post.front_matter.is_mapping:
        return
    entries = post.front_matter.entries
    keys = KEYS
    if post.engine == "hexo" and ("tag" in entries or "category" in entries):
        keys = KEYS + tuple(alias for alias, key in ALIASES.items() if key not in entries)
    for key in keys:
        entry = post.entry(key)
        if entry is None:
            continue
        key_node, node = entry
        if key == "title":
            problems = _check_title(post, node)
        elif key in ALIASES:
            problems = _check_terms(post, key, node, as_key=ALIASES[key])
        elif key == "comments":
            problems = _check_comments(post, node)
        else:
            problems = _check_terms(post, key, node)
        aliased = post.front_matter.is_alias_use(node, key_node)
        for problem in problems:
            # Through an alias: point at the key and offer no fix (the anchor serves other keys too).
            yield post.problem_at(node, problem.message, owner=key_node) if aliased else problem
