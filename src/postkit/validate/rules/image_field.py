"""image-field (PK302): an image field is empty, not a URL or site path, or a known placeholder.

## What it checks
Each field in `image-fields` must hold an `http`/`https` URL, a
protocol-relative `//host/path`, or a site path such as `/img/a.png`.
Reported, each with its reason:

- empty (`thumbnail: ''`) or null;
- spaces around the URL;
- a relative path, another scheme, or a `data:` URI;
- a placeholder: the words `undefined`/`null` or a URL ending in them
  (a template printed a missing value), or a random-picture service such as
  picsum.photos (the full table is `PLACEHOLDER_HOSTS` in
  `postkit/core/image_urls.py`).

## Why it matters
Themes print the field into `<img>` and `og:image`: an empty one shows a
broken picture, a relative one breaks on every page but the post itself,
and a random service shows a different picture on every view.

## Example
```yaml
thumbnail: ''
cover: https://picsum.photos/400/300
```

## Fix
A safe fix trims spaces around a URL. An unsafe fix removes an empty field's
line. Other values need a real picture.
"""

from __future__ import annotations

from typing import Iterator

import yaml

from postkit.core.diagnostics import Applicability, Edit, Fix, Severity
from postkit.validate.rules.base import Post, Problem
from postkit.core.image_urls import problem_with
from postkit.validate.rules.image_values import image_entries, url_of

CODE = "PK302"
NAME = "image-field"
DEFAULT = Severity.WARNING
FIX = "both"


def check(post: Post) -> Iterator[Problem]:
    front_matter = post.front_matter
    for key, key_node, value_node in image_entries(post):
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == "tag:yaml.org,2002:null":
            yield post.problem_at(key_node, f"{key} is empty (null)", _removal(post, key, key_node, value_node))
            continue
        url = url_of(value_node)
        if url is None:
            if not isinstance(value_node, yaml.ScalarNode):
                yield post.problem_at(value_node, f"{key} is a list or mapping; themes expect one URL", owner=key_node)
            else:
                yield post.problem_at(value_node, f"{key} is {value_node.value!r}, not a URL", owner=key_node)
            continue
        reason = problem_with(url)
        if reason is None:
            continue
        fix = None
        if reason == "is empty":
            fix = _removal(post, key, key_node, value_node)
        elif reason == "has spaces around the URL" and problem_with(url.strip()) is None:
            fix = _trim(post, value_node)
        yield post.problem_at(value_node if front_matter.source(value_node) else key_node, f"{key} {reason}", fix, owner=key_node)


def _removal(post: Post, key: str, key_node: yaml.Node, value_node: yaml.Node) -> Fix | None:
    edit = post.front_matter.removal(key_node, value_node)
    return Fix(f"remove the empty {key}", (edit,), Applicability.UNSAFE) if edit else None


def _trim(post: Post, node: yaml.ScalarNode) -> Fix | None:
    """Strip the spaces inside the quotes, keeping the quote style and any escapes."""
    start, end = post.front_matter.span(node)
    source = post.front_matter.source(node)
    if node.style not in ("'", '"') or len(source) < 2:
        return None
    inner = source[1:-1]
    trimmed = inner.strip(" ")
    if trimmed == inner:
        return None
    head = len(inner) - len(inner.lstrip(" "))
    edits = []
    if head:
        edits.append(Edit(start + 1, start + 1 + head, ""))
    tail = len(inner) - len(inner.rstrip(" "))
    if tail:
        edits.append(Edit(start + 1 + len(inner) - tail, start + 1 + len(inner), ""))
    return Fix(f"trim the spaces: {source[0]}{trimmed}{source[-1]}", tuple(edits))
