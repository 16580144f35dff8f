"""wrong-type (PK103): `title`, `categories`, `tags` or `comments` has the wrong type.

## What it checks
- `title` must be a string. YAML 1.1 (PyYAML) turns `no`/`on`/`yes` into
  booleans, `10:00` into 600, `2021` into an int and `1e3` into a float; and
  `#` after a space starts a comment, cutting the title short.
- `categories` and `tags` must be a string or a list of strings. A nested
  list (`- - x`) is an error, and so is an item YAML reads as a boolean,
  number or date.
- `comments` must be a boolean. `comments: no` is `False` to PyYAML but the
  string `"no"` to Hexo's js-yaml (YAML 1.2), which is truthy: comments stay on.

The message shows the value YAML produced.

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
from postkit.core.front_matter import build_scalar, quote
from postkit.validate.rules.base import NOQA, Post, Problem
from postkit.validate.rules.scalars import YAML11_ONLY_BOOLEANS, YAML12_BOOLEANS, is_plain, quoted_source

CODE = "PK103"
NAME = "wrong-type"
DEFAULT = Severity.ERROR
FIX = "both"

KEYS = ("title", "categories", "tags", "comments")
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


def _scalar_problem(post: Post, node: yaml.ScalarNode, label: str) -> Problem:
    built = build_scalar(post.front_matter.source(node)) if is_plain(node) else node.value
    fix = Fix(f"quote it: {quoted_source(post.front_matter, node)}", (post.front_matter.replace_scalar(node, quoted_source(post.front_matter, node)),))
    source = post.front_matter.source(node)
    return post.problem_at(node, f"{label} is {_kind(node)}, not a string: YAML reads {source} as {built!r}", fix)


def _check_title(post: Post, node: yaml.Node) -> Iterator[Problem]:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return  # empty-value (PK102) reports it
        if node.tag != _STR:
            yield _scalar_problem(post, node, "title")
            return
        if is_plain(node):
            yield from _check_comment_cut(post, node)
        return
    yield post.problem_at(node, f"title is {_kind(node)}, not a string")


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


def _check_terms(post: Post, key: str, node: yaml.Node) -> Iterator[Problem]:
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in (_STR, "tag:yaml.org,2002:null"):
            yield _scalar_problem(post, node, key)
        return
    if isinstance(node, yaml.MappingNode):
        yield post.problem_at(node, f"{key} is a mapping; use a string or a list of strings")
        return
    for item in node.value:
        if isinstance(item, yaml.SequenceNode):
            yield post.problem_at(item, f"{key} holds a nested list; each item must be a string (write '- x', not '- - x')", owner=node)
        elif isinstance(item, yaml.MappingNode):
            yield post.problem_at(item, f"{key} holds a mapping; each item must be a string", owner=node)
        elif item.tag not in (_STR,):
            problem = _scalar_problem(post, item, f"an item of {key}")
            yield post.problem_at(item, problem.message, owner=node) if post.front_matter.is_alias_use(item, node) else problem


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
    for key in KEYS:
        entry = post.entry(key)
        if entry is None:
            continue
        key_node, node = entry
        if key == "title":
            problems = _check_title(post, node)
        elif key == "comments":
            problems = _check_comments(post, node)
        else:
            problems = _check_terms(post, key, node)
        aliased = post.front_matter.is_alias_use(node, key_node)
        for problem in problems:
            # Through an alias: point at the key and offer no fix (the anchor serves other keys too).
            yield post.problem_at(node, problem.message, owner=key_node) if aliased else problem
